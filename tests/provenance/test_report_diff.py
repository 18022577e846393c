"""`provenance diff` and `provenance trend`: diff_models on small hand-built report models, then end to end on
data_samples audited twice into one catalog, with a licence changed, a source added and invented personal data
appended to a source in between."""

from __future__ import annotations

import copy
import json
import random
import shutil
import string

import pytest
import yaml
from click.testing import CliRunner, Result

from detectors.pii.validators import cn_mobile_valid
from provenance.catalog import Catalog
from provenance.errors import CatalogError, InputError
from provenance.findings_zh import title
from provenance.report_diff import (EXAMPLES, diff_models, diff_runs, render_diff_json, render_diff_markdown,
                                    render_trend_markdown, trend)
from tests.conftest import SAMPLES


# -- hand-built models ---------------------------------------------------------------------------------------------

def source(source_id: str, **over) -> dict:
    s = {
        "id": source_id, "name": f"{source_id} texts", "stage": "pretraining",
        "scale": {"files": 1, "documents": 100, "bytes": 5000},
        "license": {"declared": "MIT", "spdx": "MIT", "use_class": "commercial", "status": "declared-only"},
        "personal_information": {"consent_basis": "public"},
        "pii": {"status": "covered", "documents": 100, "documents_scanned": 100, "documents_with_pii": 5, "rate": 0.05,
                "by_entity": {"EMAIL_ADDRESS": {"mentions": 5, "examples": [{"doc_id": "x#1",
                                                                             "excerpt": "**** <EMAIL_ADDRESS>"}]}}},
        "duplicates": {"status": "ok", "exact_duplicate_rate": 0.01,
                       "near_duplicate_rate": {"0.7": 0.05, "0.8": 0.03, "0.9": 0.02}},
        "diversity": {"status": "ok", "languages": {"en": {"documents": 90, "share": 0.9},
                                                    "de": {"documents": 10, "share": 0.1}}},
    }
    for key, value in over.items():
        s[key] = value
    return s


def model(run_id: str = "r1", sources: list | None = None, findings: list | None = None, **over) -> dict:
    srcs = sources if sources is not None else [source("alpha"), source("beta")]
    m = {
        "run": {"id": run_id, "started_at": "2026-11-01T00:00:00+00:00", "finished_at": "2026-11-01T00:01:00+00:00",
                "status": "completed", "stages": ["scan", "license", "pii", "duplicates", "diversity"],
                "manifest_sha256": "ab" * 32},
        "dataset": {"name": "corpus", "intended_use": "commercial",
                    "foundation_model": {"name": "base-1b", "license": "apache-2.0"}},
        "sources": srcs,
        "totals": {"all": {"files": len(srcs), "documents": sum(s["scale"]["documents"] for s in srcs),
                           "bytes": sum(s["scale"]["bytes"] for s in srcs)}},
        "corpus": {"license": {"use_class": "commercial"}, "duplicates": {"status": "ok", "near_duplicate_rate": 0.02}},
        "findings_summary": {"critical": 0, "high": 1, "medium": 0, "low": 0, "info": 0},
        "findings": findings if findings is not None else [finding("LIC_UNKNOWN", "high", "alpha")],
    }
    m.update(over)
    return m


def finding(code: str, severity: str, source_id: str | None, path: str | None = None, count: int = 1) -> dict:
    return {"code": code, "severity": severity, "source": source_id, "path": path, "member": None, "line": None,
            "count": count, "message": f"{code} in {source_id} {path or ''}".strip()}


def changes_of(diff: dict, source_id: str) -> dict[str, dict]:
    (entry,) = [c for c in diff["sources"]["changed"] if c["id"] == source_id]
    return {c["field"]: c for c in entry["changes"]}


def test_identical_models_have_no_changes() -> None:
    d = diff_models(model("r1"), model("r2"))
    assert d["sources"] == {"added": [], "removed": [], "changed": [], "unchanged": ["alpha", "beta"]}
    assert d["dataset"]["changes"] == []
    assert all(v["delta"] == 0 for v in d["corpus"]["totals"].values() if v["before"] is not None)
    assert d["findings"]["counts"] == {"new": 0, "resolved": 0, "changed": 0, "unchanged": 1}
    assert d["runs"]["a"]["id"] == "r1" and d["runs"]["b"]["id"] == "r2" and d["runs"]["same_manifest"]


def test_sources_added_and_removed_are_listed_with_their_figures() -> None:
    d = diff_models(model(sources=[source("alpha"), source("beta")]),
                    model(sources=[source("alpha"), source("gamma", scale={"files": 2, "documents": 7, "bytes": 70})]))
    assert [s["id"] for s in d["sources"]["added"]] == ["gamma"]
    assert [s["id"] for s in d["sources"]["removed"]] == ["beta"]
    assert d["sources"]["added"][0]["documents"] == 7 and d["sources"]["added"][0]["pii_rate"] == 0.05
    assert d["corpus"]["totals"]["documents"] == {"before": 200, "after": 107, "delta": -93}


def test_licence_scale_consent_pii_and_duplicate_changes_of_a_source() -> None:
    b = source("alpha", scale={"files": 1, "documents": 120, "bytes": 5000},
               license={"declared": "CC BY-NC 4.0", "spdx": "CC-BY-NC-4.0", "use_class": "non-commercial",
                        "status": "declared-only"},
               personal_information={"consent_basis": "unknown"})
    b["pii"] = {**b["pii"], "rate": 0.125, "documents_with_pii": 15, "documents_scanned": 120}
    b["duplicates"] = {**b["duplicates"], "near_duplicate_rate": {"0.7": 0.5, "0.8": 0.04, "0.9": 0.02}}
    d = diff_models(model(), model(sources=[b, source("beta")]))
    c = changes_of(d, "alpha")
    assert c["scale.documents"] == {"field": "scale.documents", "before": 100, "after": 120, "change": "increased",
                                    "delta": 20}
    assert "scale.bytes" not in c  # unchanged figures are not listed
    assert (c["license.spdx"]["before"], c["license.spdx"]["after"]) == ("MIT", "CC-BY-NC-4.0")
    assert c["license.use_class"]["change"] == "changed" and c["license.declared"]["after"] == "CC BY-NC 4.0"
    assert c["personal_information.consent_basis"]["after"] == "unknown"
    assert c["pii.rate"]["change"] == "increased" and c["pii.rate"]["delta"] == 0.075
    # the near-duplicate rate is compared at 0.8 only: the jump at 0.7 is not listed
    assert c["duplicates.near_duplicate_rate.0.8"]["delta"] == 0.01
    assert not any(f.startswith("duplicates.near_duplicate_rate.0.7") for f in c)
    assert d["sources"]["unchanged"] == ["beta"]


def test_a_stage_that_did_not_run_compares_as_not_measured_not_as_zero() -> None:
    a = source("alpha")
    a["pii"] = {"status": "not_run"}
    a["license"] = {"declared": "MIT", "status": "not run"}
    del a["duplicates"]  # a model without the section at all
    b = source("alpha")
    b["license"] = {**b["license"], "declared": "Apache-2.0", "spdx": "Apache-2.0"}
    d = diff_models(model(sources=[a]), model(sources=[b]))
    c = changes_of(d, "alpha")
    assert c["pii.rate"] == {"field": "pii.rate", "before": None, "after": 0.05, "change": "set"}
    assert c["duplicates.near_duplicate_rate.0.8"]["change"] == "set"
    # the declared licence is the manifest's, known whether or not the licence stage ran
    assert (c["license.declared"]["before"], c["license.declared"]["after"]) == ("MIT", "Apache-2.0")
    assert c["license.spdx"] == {"field": "license.spdx", "before": None, "after": "Apache-2.0", "change": "set"}
    assert c["license.status"]["before"] == "not run"
    # and the other way round
    back = changes_of(diff_models(model(sources=[b]), model(sources=[a])), "alpha")
    assert back["pii.rate"]["change"] == "unset" and back["pii.rate"]["after"] is None


def test_language_shares_are_compared_beyond_a_small_tolerance() -> None:
    wobble = source("alpha", diversity={"status": "ok", "languages": {"en": {"share": 0.895}, "de": {"share": 0.1},
                                                                       "ja": {"share": 0.005}}})
    d = diff_models(model(), model(sources=[wobble, source("beta")]))
    assert "alpha" in d["sources"]["unchanged"]
    shifted = source("alpha", diversity={"status": "ok", "languages": {"en": {"share": 0.7}, "zh": {"share": 0.3}}})
    c = changes_of(diff_models(model(), model(sources=[shifted, source("beta")])), "alpha")
    assert c["diversity.languages.en.share"]["change"] == "decreased"
    assert c["diversity.languages.de.share"]["after"] == 0.0  # gone: its share is 0, not "not measured"
    assert c["diversity.languages.zh.share"] == {"field": "diversity.languages.zh.share", "before": 0.0,
                                                 "after": 0.3, "change": "increased", "delta": 0.3}


def test_dataset_intended_use_and_foundation_model_changes() -> None:
    b = model(dataset={"name": "corpus", "intended_use": "research",
                       "foundation_model": {"name": "base-7b", "license": "apache-2.0", "filing_reference": "F-1"}})
    changes = {c["field"]: c for c in diff_models(model(), b)["dataset"]["changes"]}
    assert set(changes) == {"intended_use", "foundation_model.name", "foundation_model.filing_reference"}
    assert changes["intended_use"]["after"] == "research"
    assert changes["foundation_model.filing_reference"]["change"] == "set"


def test_unknown_keys_and_missing_sections_are_ignored() -> None:
    # another stage adds keys to the model: a diff must neither fail on them nor report them
    b = model()
    b["sources"][0]["review"] = {"status": "ok", "precision": 0.9}
    b["corpus"]["charts"] = ["x"]
    b["something_new"] = {"a": 1}
    assert diff_models(model(), b)["sources"]["changed"] == []
    bare = {"run": {"id": "r0"}, "sources": [{"id": "alpha"}]}
    d = diff_models(bare, model())
    assert changes_of(d, "alpha")["scale.documents"]["change"] == "set"
    assert d["findings_summary"]["delta"]["high"] == 1


def test_findings_from_the_models_new_resolved_changed_and_grouped() -> None:
    a = [finding("LIC_UNKNOWN", "high", "alpha"), finding("PII_NO_CONSENT", "high", "beta", count=3)]
    b = [finding("PII_NO_CONSENT", "high", "beta", count=9), finding("LIC_NOT_COMMERCIAL", "critical", "alpha")]
    # 40 per-file scan findings in one source: one group with a few examples
    b += [finding("SCAN_INVALID_ENCODING", "low", "beta", path=f"mail/{i:03d}") for i in range(40)]
    f = diff_models(model(findings=a), model(findings=b))["findings"]
    assert f["basis"] == "report" and f["counts"] == {"new": 41, "resolved": 1, "changed": 1, "unchanged": 0}
    assert [(g["code"], g["source_id"]) for g in f["new"]] == [("LIC_NOT_COMMERCIAL", "alpha"),
                                                               ("SCAN_INVALID_ENCODING", "beta")]
    scan = f["new"][1]
    assert scan["findings"] == 40 and scan["count_after"] == 40 and len(scan["examples"]) == EXAMPLES
    assert scan["more"] == 40 - EXAMPLES and scan["examples"][0]["path"] == "mail/000"
    assert [g["code"] for g in f["resolved"]] == ["LIC_UNKNOWN"] and f["resolved"][0]["severity"] == "high"
    (changed,) = f["changed"]
    assert (changed["code"], changed["count_before"], changed["count_after"]) == ("PII_NO_CONSENT", 3, 9)


def test_markdown_in_both_languages_and_json() -> None:
    b = source("alpha", license={"declared": "CC BY-NC 4.0", "spdx": "CC-BY-NC-4.0", "use_class": "non-commercial",
                                 "status": "declared-only"})
    d = diff_models(model(), model(sources=[b, source("beta"), source("gamma")],
                                   findings=[finding("LIC_NOT_COMMERCIAL", "critical", "alpha")]))
    en, zh = render_diff_markdown(d, "en"), render_diff_markdown(d, "zh")
    assert "| licence (SPDX) | MIT | CC-BY-NC-4.0 | changed |" in en
    assert "| 许可（SPDX） | MIT | CC-BY-NC-4.0 | 变更 |" in zh
    assert "### Added sources" in en and "### 新增的来源" in zh and "`gamma`" in en and "`gamma`" in zh
    assert "### New findings" in en and "### Resolved findings" in en
    assert "### 新增的问题" in zh and "### 已解决的问题" in zh
    assert title("LIC_NOT_COMMERCIAL", "zh") in zh and title("LIC_UNKNOWN", "zh") in zh
    assert "| documents | 200 | 300 | +100 |" in en and "| 文档数 | 200 | 300 | +100 |" in zh
    assert json.loads(render_diff_json(d)) == json.loads(json.dumps(d))
    # no raw or masked personal data from the model reaches any output
    for text in (en, zh, render_diff_json(d)):
        assert "<EMAIL_ADDRESS>" not in text and "x#1" not in text
    with pytest.raises(InputError, match="not a report language"):
        render_diff_markdown(d, "fr")


# -- end to end: two audits of data_samples into one catalog -------------------------------------------------------

MOBILE_PREFIXES = ("135", "139", "150", "186", "188")


def fabricated_contacts(n: int, seed: int) -> list[tuple[str, str]]:
    """n (mobile, e-mail) pairs made up here: 11-digit numbers in allocated mainland blocks (the validator the PII
    stage uses must accept them) and addresses at example.cn, which nobody can own."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        mobile = rng.choice(MOBILE_PREFIXES) + "".join(rng.choice(string.digits) for _ in range(8))
        assert cn_mobile_valid(mobile), mobile
        email = "".join(rng.choice(string.ascii_lowercase) for _ in range(8)) + f"{rng.randrange(100)}@example.cn"
        out.append((mobile, email))
    return out


LETTERS = ["读者来信：小区路灯已修好，如有其他问题请拨打联系电话{m}，或发邮件至{e}。",
           "活动报名请联系工作人员，电话{m}，邮箱{e}，名额有限。",
           "失物招领：本周在图书馆拾到背包一个，失主可致电{m}或来信{e}认领。",
           "志愿者招募：有意者请将简历发送至{e}，咨询电话{m}。",
           "社区团购点本月起调整营业时间，订货电话{m}，售后邮箱{e}。",
           "关于暑期托管班的咨询，请拨打{m}，或写信至{e}，我们将在三个工作日内答复。"]


@pytest.fixture(scope="module")
def audits(tmp_path_factory, prefect_api) -> dict:
    from flows.audit import run_audit

    tmp = tmp_path_factory.mktemp("diff")
    samples = tmp / "samples"
    shutil.copytree(SAMPLES, samples, ignore=shutil.ignore_patterns("generate.py", "*.md", "EXPECTED.json"))
    db = tmp / "audit.duckdb"
    first = run_audit(samples / "manifest.yaml", db=db, out=tmp / "out1")

    manifest = yaml.safe_load((samples / "manifest.yaml").read_text(encoding="utf-8"))
    by_id = {s["id"]: s for s in manifest["sources"]}
    by_id["en-tsv"]["license"] = {"declared": "CC-BY-NC-4.0"}          # was MIT
    (samples / "mirror").mkdir()
    shutil.copy(samples / "en_forum" / "posts.csv", samples / "mirror" / "posts.csv")
    manifest["sources"].append({**copy.deepcopy(by_id["en-forum"]), "id": "en-forum-mirror",
                                "name": "Mirror of the hobby forum", "paths": ["mirror/posts.csv"]})
    (samples / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False),
                                           encoding="utf-8")
    contacts = fabricated_contacts(len(LETTERS), seed=20261201)
    with open(samples / "zh_news" / "part-0001.jsonl", "a", encoding="utf-8") as f:
        for i, (template, (mobile, email)) in enumerate(zip(LETTERS, contacts)):
            f.write(json.dumps({"id": f"zh-news-letter-{i}", "title": "读者来信",
                                "text": template.format(m=mobile, e=email)}, ensure_ascii=False) + "\n")
    second = run_audit(samples / "manifest.yaml", db=db, out=tmp / "out2")
    docs = [json.loads(r.disclosure.read_text(encoding="utf-8")) for r in (first, second)]
    with Catalog.open(db, read_only=True) as catalog:
        diff = diff_runs(catalog, first.run_id, second.run_id)
        back = diff_runs(catalog, second.run_id, first.run_id)
        rows = trend(catalog)
    return {"tmp": tmp, "db": db, "a": first.run_id, "b": second.run_id, "docs": docs, "diff": diff, "back": back,
            "trend": rows, "planted": [v for pair in contacts for v in pair]}


def run_cli(*args) -> Result:
    from flows.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args])


def pii_of(doc: dict, source_id: str) -> dict:
    return next(s for s in doc["sources"] if s["id"] == source_id)["pii"]


def test_e2e_diff_shows_the_licence_change_the_new_source_and_the_pii_rate(audits) -> None:
    d, (before, after) = audits["diff"], audits["docs"]
    assert (d["runs"]["a"]["id"], d["runs"]["b"]["id"]) == (audits["a"], audits["b"])
    assert not d["runs"]["same_manifest"]
    assert [s["id"] for s in d["sources"]["added"]] == ["en-forum-mirror"] and d["sources"]["removed"] == []
    added = d["sources"]["added"][0]
    assert added["documents"] == next(s for s in before["sources"] if s["id"] == "en-forum")["scale"]["documents"]

    tsv = changes_of(d, "en-tsv")
    assert (tsv["license.declared"]["before"], tsv["license.declared"]["after"]) == ("MIT", "CC-BY-NC-4.0")
    assert (tsv["license.use_class"]["before"], tsv["license.use_class"]["after"]) == ("commercial", "non-commercial")

    news = changes_of(d, "zh-news")
    rate = news["pii.rate"]
    assert (rate["before"], rate["after"]) == (pii_of(before, "zh-news")["rate"], pii_of(after, "zh-news")["rate"])
    assert rate["change"] == "increased"
    assert pii_of(after, "zh-news")["documents_with_pii"] - pii_of(before, "zh-news")["documents_with_pii"] == \
        len(LETTERS)
    assert news["scale.documents"]["delta"] == len(LETTERS)
    # sources nobody touched do not appear as changed
    assert {c["id"] for c in d["sources"]["changed"]} == {"en-tsv", "zh-news"}
    totals = d["corpus"]["totals"]["documents"]
    assert totals == {"before": before["totals"]["all"]["documents"], "after": after["totals"]["all"]["documents"],
                      "delta": after["totals"]["all"]["documents"] - before["totals"]["all"]["documents"]}


def test_e2e_findings_new_and_resolved_come_from_the_catalog(audits) -> None:
    f = audits["diff"]["findings"]
    assert f["basis"] == "catalog"
    new = {(g["code"], g["source_id"]) for g in f["new"]}
    assert ("LIC_NOT_COMMERCIAL", "en-tsv") in new
    assert {("DUP_SOURCE_OVERLAP", "en-forum"), ("DUP_SOURCE_OVERLAP", "en-forum-mirror"),
            ("PII_NO_CONSENT", "en-forum-mirror")} <= new
    assert f["new"][0]["severity"] == "critical"  # most severe first
    assert f["resolved"] == [] and f["counts"]["unchanged"] > 0
    # the diff the other way round resolves exactly what this one added
    back = audits["back"]["findings"]
    assert {(g["code"], g["source_id"]) for g in back["resolved"]} == new and back["new"] == []
    assert sum(g["findings"] for g in back["resolved"]) == f["counts"]["new"] == back["counts"]["resolved"]
    # the summary counts agree with the catalog's findings
    before, after = audits["docs"]
    assert audits["diff"]["findings_summary"]["delta"]["critical"] == \
        after["findings_summary"]["critical"] - before["findings_summary"]["critical"]


def test_e2e_markdown_in_both_languages(audits) -> None:
    d, (before, after) = audits["diff"], audits["docs"]
    en, zh = render_diff_markdown(d, "en"), render_diff_markdown(d, "zh")
    old, new = pii_of(before, "zh-news")["rate"], pii_of(after, "zh-news")["rate"]
    assert "| licence (declared) | MIT | CC-BY-NC-4.0 | changed |" in en
    assert "| 许可（声明） | MIT | CC-BY-NC-4.0 | 变更 |" in zh
    assert f"| personal information rate | {old:.2%} | {new:.2%} | increased" in en
    assert f"| 个人信息比例 | {old:.2%} | {new:.2%} | 上升" in zh
    assert "| `en-forum-mirror` | Mirror of the hobby forum |" in en.split("### Added sources")[1]
    assert "| `en-forum-mirror` | Mirror of the hobby forum |" in zh.split("### 新增的来源")[1]
    assert f"`LIC_NOT_COMMERCIAL` | {title('LIC_NOT_COMMERCIAL', 'zh')} | en-tsv" in zh
    assert f"`LIC_NOT_COMMERCIAL` | {title('LIC_NOT_COMMERCIAL', 'en')} | en-tsv" in en


def test_e2e_no_fabricated_identifier_reaches_any_output(audits) -> None:
    d = audits["diff"]
    texts = [render_diff_json(d), render_diff_markdown(d, "en"), render_diff_markdown(d, "zh"),
             render_trend_markdown(audits["trend"], "zh"), json.dumps(audits["trend"])]
    for value in audits["planted"]:
        assert not any(value in t for t in texts), "a fabricated identifier leaked into a diff output"


def test_e2e_cli_diff_json_markdown_and_out(audits, tmp_path) -> None:
    db, a, b = audits["db"], audits["a"], audits["b"]
    result = run_cli("diff", "--db", db, a, b, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads(render_diff_json(audits["diff"]))
    result = run_cli("diff", "--db", db, a, b, "--lang", "zh")
    assert result.exit_code == 0 and result.stdout.startswith(f"# 审核对比：`{a}` → `{b}`")
    assert "| 许可（声明） | MIT | CC-BY-NC-4.0 | 变更 |" in result.stdout
    out = tmp_path / "reports" / "diff.en.md"
    result = run_cli("diff", "--db", db, a, b, "--out", out)
    assert result.exit_code == 0 and f"diff: {out}" in result.stdout
    assert "| licence (declared) | MIT | CC-BY-NC-4.0 | changed |" in out.read_text(encoding="utf-8")


def test_e2e_cli_unknown_run_is_a_clean_error(audits) -> None:
    result = run_cli("diff", "--db", audits["db"], audits["a"], "20990101T000000Z-nope00")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: no run 20990101T000000Z-nope00 in catalog")
    assert f"provenance runs --db {audits['db']}" in result.stderr and "Traceback" not in result.output
    with Catalog.open(audits["db"], read_only=True) as catalog, pytest.raises(CatalogError, match="no run x, y"):
        diff_runs(catalog, "x", "y")


def test_e2e_trend_two_rows_oldest_first_agreeing_with_the_diff(audits) -> None:
    rows, d = audits["trend"], audits["diff"]
    assert [r["run_id"] for r in rows] == [audits["a"], audits["b"]]
    first, second = rows
    assert first["change"] is None
    assert (first["sources"], second["sources"], second["change"]["sources"]) == (7, 8, 1)
    assert second["change"]["documents"] == d["corpus"]["totals"]["documents"]["delta"]
    assert second["bytes"] == d["corpus"]["totals"]["bytes"]["after"]
    figures = {f["field"]: f for f in d["corpus"]["figures"]}
    assert (first["pii_rate"], second["pii_rate"]) == (figures["pii.rate"]["before"], figures["pii.rate"]["after"])
    before, after = audits["docs"]
    assert second["near_duplicate_rate"] == after["corpus"]["duplicates"]["near_duplicate_rate"]
    assert second["change"]["findings_high_critical"] == (
        after["findings_summary"]["high"] + after["findings_summary"]["critical"]
        - before["findings_summary"]["high"] - before["findings_summary"]["critical"]) > 0
    with Catalog.open(audits["db"], read_only=True) as catalog:
        assert [r["run_id"] for r in trend(catalog, last=1)] == [audits["b"]]


def test_e2e_cli_trend_formats(audits) -> None:
    result = run_cli("trend", "--db", audits["db"], "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == audits["trend"]
    result = run_cli("trend", "--db", audits["db"], "--format", "md", "--lang", "zh")
    assert result.exit_code == 0 and result.stdout.startswith("# 趋势") and f"`{audits['b']}`" in result.stdout
    result = run_cli("trend", "--db", audits["db"], "--last", "1")
    assert result.exit_code == 0 and audits["b"] in result.stdout and audits["a"] not in result.stdout


def test_e2e_a_run_without_the_pii_and_duplicates_stages_is_not_measured(audits, tmp_path) -> None:
    # unchanged files keep their pii_documents and dup_documents rows from the earlier runs: a scan-only run must
    # still show its PII and near-duplicate figures as not measured, not as those of the files' earlier runs
    from flows.audit import run_audit

    db = tmp_path / "audit.duckdb"
    shutil.copy(audits["db"], db)
    scan_only = run_audit(audits["tmp"] / "samples" / "manifest.yaml", db=db, out=tmp_path / "out3", stages=["scan"])
    with Catalog.open(db, read_only=True) as catalog:
        rows = trend(catalog)
        d = diff_runs(catalog, audits["b"], scan_only.run_id)
    assert [r["run_id"] for r in rows] == [audits["a"], audits["b"], scan_only.run_id]
    last = rows[-1]
    assert last["pii_rate"] is None and last["near_duplicate_rate"] is None and last["pii_documents_scanned"] is None
    assert last["change"]["pii_rate"] is None and last["change"]["documents"] == 0
    assert set(d["runs"]["stages_removed"]) == {"license", "notices", "pii", "duplicates", "diversity"}
    news = changes_of(d, "zh-news")
    assert news["pii.rate"]["change"] == "unset" and news["pii.rate"]["after"] is None
    assert "scale.documents" not in news
    figures = {f["field"]: f for f in d["corpus"]["figures"]}
    assert figures["pii.rate"]["after"] is None and figures["duplicates.near_duplicate_rate"]["change"] == "unset"
