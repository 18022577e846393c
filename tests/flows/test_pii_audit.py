"""The PII stage inside an audit of data_samples: per-source results, findings, the sample, and no raw value in
any artefact (reports, catalog text, logs)."""

from __future__ import annotations

import importlib.util
import json
import logging
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from flows.audit import PiiOptions, run_audit
from flows.cli import cli
from tests.conftest import SAMPLES

pytestmark = pytest.mark.usefixtures("prefect_api")


def _generator():
    spec = importlib.util.spec_from_file_location("samples_generate", SAMPLES / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _generator()
# the invented values planted in data_samples (see generate.py), in the spellings they could leak in
PLANTED = [GEN.FAKE_CN_ID, GEN.FAKE_CN_MOBILE, GEN.FAKE_CN_MOBILE_FW, GEN.FAKE_CN_EMAIL, GEN.FAKE_USCC,
           GEN.FAKE_CN_CARD, GEN.FAKE_QQ, GEN.FAKE_WECHAT, GEN.FAKE_US_EMAIL, GEN.FAKE_US_PHONE_1,
           GEN.FAKE_US_PHONE_2, GEN.FAKE_US_CARD, GEN.FAKE_US_SSN]
VARIANTS = sorted({v for p in PLANTED for v in (p, p.replace(" ", ""), p.translate({0xFF10 + i: 0x30 + i
                                                                                    for i in range(10)}))})


@pytest.fixture(scope="module")
def audited(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("pii")
    samples = tmp / "samples"
    shutil.copytree(SAMPLES, samples, ignore=shutil.ignore_patterns("generate.py", "*.md", "EXPECTED.json"))
    out = tmp / "out"
    log_records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            log_records.append(record)

    handler = Keep(level=logging.DEBUG)
    logging.getLogger().addHandler(handler)
    try:
        result = run_audit(samples / "manifest.yaml", out=out, stages=["scan", "pii"])
    finally:
        logging.getLogger().removeHandler(handler)
    doc = json.loads(result.disclosure.read_text(encoding="utf-8"))
    return {"result": result, "doc": doc, "out": out, "logs": [r.getMessage() for r in log_records]}


def _source(doc: dict, source_id: str) -> dict:
    return next(s for s in doc["sources"] if s["id"] == source_id)


def test_pii_block_per_source(audited) -> None:
    doc = audited["doc"]
    news = _source(doc, "zh-news")["pii"]
    assert news["documents_scanned"] == _source(doc, "zh-news")["scale"]["documents"]
    assert news["sampled"] is False and "rate_ci95" not in news
    for entity in ("CN_RESIDENT_ID", "CN_MOBILE_PHONE", "EMAIL_ADDRESS", "CN_BANK_CARD"):
        assert news["by_entity"][entity]["mentions"] >= 1, entity
    # the fullwidth and the halfwidth planted mobiles are two different numbers: two distinct values
    assert news["by_entity"]["CN_MOBILE_PHONE"]["distinct_values"] == 2
    assert news["sensitive"] is True and "CN_RESIDENT_ID" in news["sensitive_types"]
    assert news["consent_basis"] == "public" and news["status"] == "not_covered"
    assert 0 < news["rate"] == round(news["documents_with_pii"] / news["documents_scanned"], 6)

    chat = _source(doc, "zh-chat")["pii"]
    assert {"CN_QQ", "CN_WECHAT"} <= set(chat["by_entity"])
    assert chat["consent_basis"] == "separate_consent" and chat["status"] == "covered"

    forum = _source(doc, "en-forum")["pii"]
    assert {"EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD"} <= set(forum["by_entity"])
    assert forum["status"] == "not_covered"


def test_pii_findings_follow_the_consent_basis(audited) -> None:
    con = duckdb.connect(str(audited["result"].db), read_only=True)
    try:
        rows = con.execute("SELECT code, source_id, severity FROM findings WHERE run_id = ? AND stage = 'pii'",
                           [audited["result"].run_id]).fetchall()
    finally:
        con.close()
    found = {(code, source) for code, source, _ in rows}
    assert ("PII_NO_CONSENT", "en-forum") in found                       # consent basis unknown
    assert ("PII_SENSITIVE_NO_SEPARATE_CONSENT", "zh-news") in found     # ID card and bank card, basis public
    assert ("PII_FOUND", "zh-chat") in found                             # separate consent covers it
    assert ("PII_NO_CONSENT", "zh-chat") not in found
    assert all(sev == "high" for code, _, sev in rows if code != "PII_FOUND")


def test_no_planted_value_in_any_artefact(audited) -> None:
    texts: dict[str, str] = {}
    for path in audited["out"].rglob("*"):
        if path.is_file() and path.suffix in (".json", ".md", ".html", ".csv", ".txt"):
            texts[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    con = duckdb.connect(str(audited["result"].db), read_only=True)
    try:
        tables = [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_schema = 'main'").fetchall()]
        for table in tables:
            # every column as text, lists and structs included
            rows = con.execute(f'SELECT CAST(COLUMNS(*) AS VARCHAR) FROM "{table}"').fetchall()
            texts[f"catalog:{table}"] = "\n".join("\t".join(str(v) for v in row) for row in rows)
    finally:
        con.close()
    texts["logs"] = "\n".join(audited["logs"])
    assert any("<CN_MOBILE_PHONE>" in t for t in texts.values())  # the excerpts are there, masked
    leaks = [(where, value) for where, t in texts.items() for value in VARIANTS if value in t]
    assert not leaks, f"raw planted values found: {[(w, '*' * len(v)) for w, v in leaks]}"


def test_pii_sample_is_seeded_and_reported_with_an_interval(tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    shutil.copytree(SAMPLES, samples, ignore=shutil.ignore_patterns("generate.py", "*.md", "EXPECTED.json"))
    docs = []
    for run in range(2):
        result = run_audit(samples / "manifest.yaml", out=tmp_path / f"out{run}", stages=["scan", "pii"],
                           pii=PiiOptions(sample=5, seed=11))
        doc = json.loads(result.disclosure.read_text(encoding="utf-8"))
        docs.append(doc)
        news = _source(doc, "zh-news")["pii"]
        assert news["documents_scanned"] == 5 and news["sampled"] is True
        lo, hi = news["rate_ci95"]
        assert 0 <= lo <= news["rate"] <= hi <= 1
        assert doc["run"]["stages"] == ["scan", "pii"]
    assert [_source(d, "zh-news")["pii"] for d in docs][0] == [_source(d, "zh-news")["pii"] for d in docs][1]


def test_pii_cli_scan_and_entities(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["pii", "scan", str(SAMPLES / "zh_news" / "part-0001.jsonl"), "--only-found"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert lines and all(line["findings"] for line in lines)
    types = {f["entity_type"] for line in lines for f in line["findings"]}
    assert {"CN_RESIDENT_ID", "CN_MOBILE_PHONE"} <= types
    assert not any(v in res.output for v in VARIANTS)
    assert any(line.get("rejected") for line in map(json.loads, runner.invoke(
        cli, ["pii", "scan", str(SAMPLES / "zh_news" / "part-0001.jsonl")]).stdout.splitlines()))

    res = runner.invoke(cli, ["pii", "entities", "--json"])
    assert res.exit_code == 0
    table = {r["entity_type"]: r for r in json.loads(res.output)}
    assert table["CN_RESIDENT_ID"]["sensitive"] is True and table["EMAIL_ADDRESS"]["languages"] == ["zh", "en"]
    assert "URL" not in table and "DATE_TIME" not in table

    res = runner.invoke(cli, ["pii", "scan", str(tmp_path / "missing.jsonl")])
    assert res.exit_code == 2 and "no such file" in res.output

    # a CSV whose text column is not `text`: refused with the columns named, before any line is printed
    posts = str(SAMPLES / "en_forum" / "posts.csv")
    res = runner.invoke(cli, ["pii", "scan", posts])
    assert res.exit_code == 2 and "--text-field" in res.output and "body" in res.output
    assert '"rejected"' not in res.stdout
    res = runner.invoke(cli, ["pii", "scan", posts, "--text-field", "body", "--only-found"])
    assert res.exit_code == 0
    found = {f["entity_type"] for line in res.stdout.splitlines() for f in json.loads(line)["findings"]}
    assert {"EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD"} <= found
    assert "2 rejected" in res.stderr and not any(v in res.output for v in VARIANTS)


def test_pii_ner_model_must_be_installed_and_is_never_downloaded(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["audit", str(SAMPLES / "manifest.yaml"), "--out", str(tmp_path / "o"),
                              "--pii-ner", "en=en_core_web_notinstalled"])
    assert res.exit_code == 2
    assert "not installed" in res.output and "never" in res.output
    assert not (tmp_path / "o").exists()  # refused before any work
    res = runner.invoke(cli, ["pii", "scan", str(SAMPLES / "zh_news" / "part-0001.jsonl"), "--pii-ner", "english"])
    assert res.exit_code == 2 and "LANG=MODEL" in res.output


def test_changing_the_pii_config_replaces_rows_instead_of_adding(tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    shutil.copytree(SAMPLES, samples, ignore=shutil.ignore_patterns("generate.py", "*.md", "EXPECTED.json"))
    db = tmp_path / "catalog.duckdb"
    full = run_audit(samples / "manifest.yaml", db=db, out=tmp_path / "o1", stages=["scan", "pii"])
    sampled = run_audit(samples / "manifest.yaml", db=db, out=tmp_path / "o2", stages=["scan", "pii"],
                        pii=PiiOptions(sample=3, seed=1))
    again = run_audit(samples / "manifest.yaml", db=db, out=tmp_path / "o3", stages=["scan", "pii"])
    con = duckdb.connect(str(db), read_only=True)
    try:
        dup = con.execute("SELECT count(*) FROM (SELECT version_id, doc_id FROM pii_documents "
                          "GROUP BY ALL HAVING count(*) > 1)").fetchone()[0]
        stage_rows = con.execute("SELECT count(*) FROM (SELECT version_id FROM stage_results WHERE stage = 'pii' "
                                 "GROUP BY ALL HAVING count(*) > 1)").fetchone()[0]
    finally:
        con.close()
    assert dup == 0 and stage_rows == 0
    docs = [json.loads(r.disclosure.read_text(encoding="utf-8")) for r in (full, sampled, again)]
    news = [_source(d, "zh-news")["pii"] for d in docs]
    assert news[1]["documents_scanned"] == 3 and news[1]["sampled"]
    assert news[0]["documents_scanned"] == news[2]["documents_scanned"] == _source(docs[0], "zh-news")["scale"]["documents"]
    assert news[0]["by_entity"] == news[2]["by_entity"]
