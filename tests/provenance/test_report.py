"""The disclosure report: model v2 against its JSON Schema, the checklist, the EU summary, the Markdown in both
languages, `provenance report`, and the method's SQL reproducing the report's figures — on real audits of
data_samples (all stages, and scan only, so "not run" sections are checked too)."""

from __future__ import annotations

import copy
import csv
import io
import json
import shutil
from pathlib import Path

import duckdb
import jsonschema
import pytest
from click.testing import CliRunner

from flows.audit import run_audit
from flows.cli import cli
from provenance.checklist import build_checklist
from provenance.report_layout import Fmt
from provenance.report_model import eu_size_band, load_schema
from tests.conftest import SAMPLES
from tests.report_tables import expected_pii_cells, expected_scale_row, html_rows, markdown_rows

pytestmark = pytest.mark.usefixtures("prefect_api")


def _audit(tmp: Path, stages: list[str] | None) -> dict:
    samples = tmp / "samples"
    shutil.copytree(SAMPLES, samples, ignore=shutil.ignore_patterns("generate.py", "EXPECTED.json"))
    result = run_audit(samples / "manifest.yaml", out=tmp / "out", stages=stages)
    model = json.loads(result.disclosure.read_text(encoding="utf-8"))
    return {"result": result, "model": model, "out": tmp / "out"}


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> dict:
    return _audit(tmp_path_factory.mktemp("report-full"), None)


@pytest.fixture(scope="module")
def scan_only(tmp_path_factory) -> dict:
    return _audit(tmp_path_factory.mktemp("report-scan"), ["scan"])


def _validator() -> jsonschema.Draft202012Validator:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _source(model: dict, source_id: str) -> dict:
    return next(s for s in model["sources"] if s["id"] == source_id)


# -- outputs and schema ------------------------------------------------------------------------------------------

def test_audit_writes_every_output(full) -> None:
    names = {p.name for p in full["out"].iterdir()}
    assert {"disclosure.json", "disclosure.zh.md", "disclosure.en.md", "disclosure.html", "findings.csv",
            "eu-ai-act-summary.en.md", "eu-ai-act-summary.zh.md"} <= names
    assert not [n for n in names if n.endswith(".tmp")]


@pytest.mark.parametrize("which", ["full", "scan_only"])
def test_model_validates_against_its_schema(which, request) -> None:
    model = request.getfixturevalue(which)["model"]
    errors = [f"{e.json_path}: {e.message}" for e in _validator().iter_errors(model)]
    assert not errors, errors[:5]
    assert model["disclosure_version"] == "2"


@pytest.mark.parametrize("break_it", [
    lambda m: m.pop("checklist"),
    lambda m: m["checklist"][0].update(status="fine"),
    lambda m: m["sources"][0]["scale"].update(documents=-1),
    lambda m: m["sources"][0].update(stage="pre-training"),
    lambda m: m["scale"]["eu_size_band"].update(text="small"),
    lambda m: m["findings"][0].update(severity="urgent"),
    lambda m: m["review_sample"].update(status="complete"),   # complete without its figures
])
def test_schema_rejects_a_broken_model(full, break_it) -> None:
    model = copy.deepcopy(full["model"])
    break_it(model)
    assert list(_validator().iter_errors(model))


# -- figures -----------------------------------------------------------------------------------------------------

def test_scale_tokens_and_stage_totals_add_up(full) -> None:
    m = full["model"]
    for stage in ("pretraining", "finetuning"):
        members = [s for s in m["sources"] if s["stage"] == stage]
        assert m["by_stage"][stage]["sources"] == [s["id"] for s in members]
        for key in ("documents", "bytes", "characters", "tokens_estimated"):
            assert m["totals"][stage][key] == sum(s["scale"][key] for s in members)
    assert m["totals"]["all"]["tokens_estimated"] == m["scale"]["all"]["tokens_estimated"] > 0
    # the diversity stage ran, so tokens are its counts, not the characters/4 fallback
    assert all(s["scale"]["tokens_method"] == "counted" for s in m["sources"])
    assert _source(m, "zh-news")["scale"]["tokens_estimated"] == _source(m, "zh-news")["diversity"]["tokens"]
    assert m["scale"]["eu_size_band"]["text"] == "<1B"


def test_tokens_fall_back_to_characters_when_diversity_did_not_run(scan_only) -> None:
    for s in scan_only["model"]["sources"]:
        assert s["scale"]["tokens_method"] == "chars/4"
        assert s["scale"]["tokens_estimated"] == s["scale"]["characters"] // 4


def test_eu_size_bands() -> None:
    assert eu_size_band(999_999_999) == "<1B"
    assert eu_size_band(1_000_000_000) == "1B-10T"
    assert eu_size_band(10_000_000_000_000) == ">10T"


def test_stage_quality_is_counts_over_counts(full) -> None:
    m = full["model"]
    members = [s for s in m["sources"] if s["stage"] == "pretraining"]
    scanned = sum(s["pii"]["documents_scanned"] for s in members)
    with_pii = sum(s["pii"]["documents_with_pii"] for s in members)
    assert m["by_stage"]["pretraining"]["quality"]["pii_rate"] == round(with_pii / scanned, 6)
    read = sum(s["scale"]["documents"] + s["scale"]["rejected_records"] for s in members)
    rejected = sum(s["scale"]["rejected_records"] for s in members)
    assert m["by_stage"]["pretraining"]["quality"]["rejected_rate"] == round(rejected / read, 6)


def test_method_sql_reproduces_the_scale_and_pii_figures(full) -> None:
    m = full["model"]
    sql_scale = m["method"]["sql"]["scale"]
    sql_pii = m["method"]["sql"]["pii"]
    con = duckdb.connect(str(full["result"].db), read_only=True)
    try:
        scale = con.execute(sql_scale["text"], [sql_scale["parameters"]["1"]]).fetchall()
        cols = [d[0] for d in con.description]
        pii = con.execute(sql_pii["text"], sql_pii["parameters"]).fetchall()
        pii_cols = [d[0] for d in con.description]
    finally:
        con.close()
    by_id = {r[cols.index("source_id")]: dict(zip(cols, r)) for r in scale}
    for s in m["sources"]:
        assert by_id[s["id"]]["documents"] == s["scale"]["documents"]
        assert by_id[s["id"]]["bytes"] == s["scale"]["bytes"]
    for row in pii:
        r = dict(zip(pii_cols, row))
        assert _source(m, r["source_id"])["pii"]["documents_with_pii"] == r["documents_with_pii"]


def test_history_has_this_run_last(full) -> None:
    h = full["model"]["history"]
    assert h[-1]["run_id"] == full["model"]["run"]["id"]
    assert h[-1]["documents"] == full["model"]["totals"]["all"]["documents"]


# -- checklist ---------------------------------------------------------------------------------------------------

def _status(model: dict, item: str) -> str:
    return next(c["status"] for c in model["checklist"] if c["id"] == item)


def test_checklist_on_the_samples(full) -> None:
    m = full["model"]
    assert _status(m, "licences") == "not_met"          # en-books is CC BY-NC in a commercial corpus
    assert _status(m, "pi_basis") == "not_met"          # en-forum: PII, consent unknown
    assert _status(m, "review_sample") == "not_evidenced"
    assert _status(m, "foundation_model") == "not_evidenced"  # filing reference unknown
    assert _status(m, "data_description") == "met"
    licences = next(c for c in m["checklist"] if c["id"] == "licences")
    assert "en-books" in licences["evidence"]["en"] and "en-books" in licences["evidence"]["zh"]


def test_checklist_never_meets_what_did_not_run(scan_only) -> None:
    m = scan_only["model"]
    for item in ("licences", "pi_basis", "pi_sensitive", "quality", "sources_per_language", "ip_notices"):
        assert _status(m, item) == "not_evidenced", item


def test_checklist_rules_follow_the_model(full) -> None:
    m = copy.deepcopy(full["model"])
    m["findings"] = [f for f in m["findings"] if not f["code"].startswith(("LIC_", "PII_"))]
    m["review_sample"] = {"status": "complete", "size": 4000, "reviewed": 4000, "passed": 3900, "failed": 100,
                          "pass_rate": 0.975, "meets_size": True, "meets_rate": True}
    m["foundation_model"] = {"status": "none_declared"}
    statuses = {c["id"]: c["status"] for c in build_checklist(m)}
    assert statuses["licences"] == "met" and statuses["pi_basis"] == "met"
    assert statuses["review_sample"] == "met" and statuses["foundation_model"] == "not_applicable"
    m["review_sample"].update(pass_rate=0.95, meets_rate=False)
    assert {c["id"]: c["status"] for c in build_checklist(m)}["review_sample"] == "not_met"


# -- renderings --------------------------------------------------------------------------------------------------

def _md_row(md: str, section: str, first_cell: str) -> list[str]:
    """The cells of the first table row starting with `first_cell` after the anchor of `section`."""
    start = md.index(f'<a id="{section}"></a>')
    for line in md[start:].splitlines():
        if line.startswith(f"| {first_cell} |"):
            return [c.strip() for c in line.strip("|").split(" | ")]
    raise AssertionError(f"no row {first_cell} in {section}")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_markdown_tables_carry_the_model_figures(full, lang) -> None:
    m = full["model"]
    md = (full["out"] / f"disclosure.{lang}.md").read_text(encoding="utf-8")
    f = Fmt(lang)
    for s in m["sources"]:
        row = _md_row(md, f"scale-{s['stage']}", s["id"])
        assert row[1:] == [f.n(s["scale"][k]) for k in ("files", "documents", "bytes", "characters",
                                                        "tokens_estimated")]
        pii = _md_row(md, f"pii-{s['stage']}", s["id"])
        assert pii[2:5] == [f.n(s["pii"]["documents_scanned"]), f.n(s["pii"]["documents_with_pii"]),
                            f.pct(s["pii"]["rate"], 2)]
    assert f.n(m["totals"]["all"]["tokens_estimated"]) in md
    for item in m["checklist"]:
        assert item["requirement"][lang] in md


def test_markdown_has_no_english_section_titles_in_chinese(full) -> None:
    zh = (full["out"] / "disclosure.zh.md").read_text(encoding="utf-8")
    for title in ("## 数据来源", "## 数据规模", "## 数据类型", "## 数据质量", "## 个人信息", "## 数据标注", "## 方法说明"):
        assert title in zh
    assert "## Scale" not in zh and "预训练数据" in zh and "优化训练数据" in zh


def test_not_run_sections_say_so(scan_only) -> None:
    en = (scan_only["out"] / "disclosure.en.md").read_text(encoding="utf-8")
    zh = (scan_only["out"] / "disclosure.zh.md").read_text(encoding="utf-8")
    for stage in ("license", "pii", "duplicates", "diversity"):
        assert f"The {stage} stage did not run in this audit" in en
        assert f"本次审计未运行 {stage} 阶段" in zh
    assert all(s["pii"]["status"] == "not_run" for s in scan_only["model"]["sources"])


def test_findings_csv_lists_the_report_findings_in_both_languages(full) -> None:
    rows = list(csv.DictReader(io.StringIO((full["out"] / "findings.csv").read_text(encoding="utf-8"))))
    assert len(rows) == len(full["model"]["findings"])
    first = rows[0]
    assert first["severity"] == "critical" and first["code"] == "LIC_NOT_COMMERCIAL"
    assert first["title_zh"] and first["title_en"] and first["clause"]


def test_eu_summary_places_sources_in_the_template_sections(full) -> None:
    eu = (full["out"] / "eu-ai-act-summary.en.md").read_text(encoding="utf-8")
    sections = {}
    current = None
    for line in eu.splitlines():
        if line.startswith("### "):
            current = line[4:].split(" ", 1)[0]
        elif current and line.startswith("| ") and not line.startswith("| Dataset") and "---" not in line:
            sections.setdefault(current, []).append(line.split(" | ")[0].lstrip("| "))
    names = {s["acquisition"]["method"]: s["name"] for s in full["model"]["sources"]}
    assert names["self_collected"] in sections["2.3"]
    assert names["commercial_contract"] in sections["2.2.1"]
    assert names["synthetic"] in sections["2.5"] and names["user_data"] in sections["2.4"]
    assert "2.6" not in sections and "to be completed by the provider" in eu
    assert "Size band" in eu and "<1B" in eu.replace("&lt;", "<")


# -- the report command ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,lang,name", [("md", "zh", "disclosure.zh.md"), ("md", "en", "disclosure.en.md"),
                                           ("eu-ai-act", "en", "eu-ai-act-summary.en.md"),
                                           ("csv", "zh", "findings.csv"), ("json", "zh", "disclosure.json")])
def test_report_command_rebuilds_the_audit_outputs_from_the_catalog(full, fmt, lang, name) -> None:
    res = CliRunner().invoke(cli, ["report", "--db", str(full["result"].db), "--format", fmt, "--lang", lang])
    assert res.exit_code == 0, res.output
    assert res.output == (full["out"] / name).read_text(encoding="utf-8")


def test_report_command_all_and_errors(full, tmp_path) -> None:
    db = str(full["result"].db)
    res = CliRunner().invoke(cli, ["report", "--db", db, "--all", "--out", str(tmp_path / "again")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "again" / "disclosure.html").read_text(encoding="utf-8") == \
        (full["out"] / "disclosure.html").read_text(encoding="utf-8")
    res = CliRunner().invoke(cli, ["report", "--db", db, "--run", "no-such-run"])
    assert res.exit_code == 2 and "no run no-such-run" in res.output
    res = CliRunner().invoke(cli, ["report", "--db", db, "--format", "pdf"])
    assert res.exit_code == 2


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_figures_agree_between_json_markdown_and_html(full, lang) -> None:
    m = full["model"]
    md = (full["out"] / f"disclosure.{lang}.md").read_text(encoding="utf-8")
    html = (full["out"] / "disclosure.html").read_text(encoding="utf-8")
    f = Fmt(lang)
    checked = 0
    for s in m["sources"]:
        for section, expected, cells in ((f"scale-{s['stage']}", expected_scale_row(s, f), slice(None)),
                                         (f"pii-{s['stage']}", expected_pii_cells(s, f), slice(2, 5))):
            in_md = markdown_rows(md, section)[s["id"]][cells]
            in_html = html_rows(html, lang, section)[s["id"]][cells]
            assert in_md == in_html == expected, (section, s["id"])
            checked += 1
    assert checked == 2 * len(m["sources"])
    # the checklist's statuses, as the reader sees them in both renderings
    md_check = markdown_rows(md, "checklist")
    html_check = html_rows(html, lang, "checklist")
    for item in m["checklist"]:
        label = f.t(item["status"])
        assert md_check[item["requirement"][lang]][-1].endswith(label)
        assert html_check[item["requirement"][lang]][-1].endswith(label)


# -- the real report in headless Chromium ----------------------------------------------------------------------

@pytest.mark.timeout(120)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_real_report_renders_in_chromium(full, lang, tmp_path) -> None:
    """The audit's disclosure.html opened in Debian's headless Chromium: the selected language shows with its
    section headings, the other is hidden, every chart is drawn with one mark per value, the screenshot has ink."""
    import os
    import re

    from provenance.report_layout import LABELS
    from tests.chromium import chromium_or_skip, dump_dom, png_is_not_blank, screenshot

    chromium_or_skip()
    html = full["out"] / "disclosure.html"
    dom = dump_dom(html, f"#{lang}")
    other = "en" if lang == "zh" else "zh"
    shown = re.search(rf'<article lang="{lang}"[^>]*>.*?</article>', dom, re.S).group(0)
    hidden = re.search(rf'<article lang="{other}"[^>]*>', dom).group(0)
    assert " hidden" not in shown.split(">", 1)[0] and " hidden" in hidden
    i = 1 if lang == "zh" else 0
    for key in ("s_checklist", "s_sources", "s_scale", "s_type", "s_quality", "s_pii", "s_method"):
        assert re.search(rf"<h2>{re.escape(LABELS[key][i])}</h2>", shown), key
    svgs = re.findall(r"<svg\b.*?</svg>", shown, re.S)
    assert len(svgs) >= 6  # source mix, scale, languages, near-duplicates, lengths, use classes, PII
    n_sources = len(full["model"]["sources"])
    pii = next(s for s in svgs if 'data-chart-id="pii-rate"' in s.split(">", 1)[0])
    assert len(re.findall(r'class="mark"', pii)) == n_sources
    png = screenshot(html, tmp_path / f"disclosure-{lang}.png", f"#{lang}", width=1280, height=3000)
    assert png_is_not_blank(png)
    keep = os.environ.get("PROVENANCE_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / f"real-{png.name}").write_bytes(png.read_bytes())


def test_declared_content_domains_reach_the_type_section_and_the_eu_summary(full) -> None:
    m = full["model"]
    wiki = _source(m, "zh-wiki")
    assert wiki["type"]["content_domains"] == ["encyclopedia", "question answering"]
    assert isinstance(wiki["type"]["url_domains"], dict)  # computed by the diversity stage, separately
    row = markdown_rows((full["out"] / "disclosure.en.md").read_text(encoding="utf-8"), "type-finetuning")["zh-wiki"]
    assert row[2] == "encyclopedia, question answering"
    eu = (full["out"] / "eu-ai-act-summary.en.md").read_text(encoding="utf-8")
    assert "**Types of content**: chat, customer service, encyclopedia" in eu
