"""The audit on real third-party corpora (../shared/corpora): every record of every file accounted for.

Records in each file are counted here independently of the readers (pandas for CSV, the json module, tarfile and
PurePosixPath.match for archive members), then compared with records_ok + records_rejected in the catalog.
Skipped with a reason when the corpora are absent.
"""

from __future__ import annotations

import csv
import json
import tarfile
from pathlib import Path, PurePosixPath

import duckdb
import pandas as pd
import pytest

from tests.conftest import ROOT, corpora_or_skip

# the first audit of the 15 shared corpora runs every stage (scan, licence, notices, PII, duplicates, diversity):
# several minutes on 2 shared cores, over the suite-wide 600 s per-test timeout
pytestmark = [pytest.mark.corpora, pytest.mark.usefixtures("prefect_api"), pytest.mark.timeout(1500)]
MANIFEST = ROOT / "benchmarks" / "shared.manifest.yaml"


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory):
    corpora_or_skip()
    from flows.audit import run_audit

    out = tmp_path_factory.mktemp("shared")
    return run_audit(MANIFEST, out=out, allow_outside=True)


def _rows(db: Path, run_id: str) -> list[dict]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute("SELECT f.source_id, f.path, f.member, f.status, v.records_ok, v.records_rejected, "
                          "v.records_replaced, v.error_code FROM files f LEFT JOIN file_versions v USING (version_id) "
                          "WHERE f.run_id = ? ORDER BY ALL", [run_id])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]
    finally:
        con.close()


def _count_csv(path: Path) -> int:
    bad = []
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, engine="python", on_bad_lines=lambda row: bad.append(row))
    return len(frame) + len(bad)


def _count_lines(data: bytes) -> int:
    return sum(1 for line in data.split(b"\n") if line.strip())


def _count_json(data: bytes) -> int:
    doc = json.loads(data.decode("utf-8-sig"))
    if isinstance(doc, dict) and "data" in doc:  # SQuAD layout: one record per paragraph context
        return sum(len(article["paragraphs"]) for article in doc["data"])
    return len(doc)


def _member_matches(name: str, patterns: list[str]) -> bool:
    path = PurePosixPath(name.removeprefix("./"))
    return any(path.match(p) and len(path.parts) == len(PurePosixPath(p).parts) for p in patterns)


def _archive_counts(disk: Path, fmt: str) -> dict[str, int]:
    """Records per member, reading the archive once (random access into a .tar.gz re-reads it from the start)."""
    counts = {}
    with tarfile.open(disk, "r|*") as tf:
        for member in tf:
            if member.isfile():
                data = tf.extractfile(member).read()
                try:
                    counts[member.name] = (1 if data else 0) if fmt == "text" else _count_json(data)
                except ValueError:
                    counts[member.name] = -1  # not JSON: a member the manifest's globs leave out
    return counts


def _expected_records(source: dict, path: str, member: str, archives: dict) -> int:
    fmt = source.get("format", "auto")
    disk = (MANIFEST.parent / path).resolve()
    if member:
        if path not in archives:
            archives[path] = _archive_counts(disk, fmt)
        return archives[path][member]
    data = disk.read_bytes()
    if fmt == "text":
        return 1 if data else 0
    if fmt == "text-lines":
        return _count_lines(data)
    if path.endswith(".csv"):
        return _count_csv(disk)
    if path.endswith(".jsonl"):
        return _count_lines(data)
    return _count_json(data)


def test_every_file_records_read_equal_accepted_plus_rejected(audit) -> None:
    import yaml

    corpora_or_skip()
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    sources = {s["id"]: s for s in manifest["sources"]}
    archives: dict[str, dict[str, int]] = {}
    rows = _rows(audit.db, audit.run_id)
    assert {r["source_id"] for r in rows} == set(sources), "every declared source produced files"
    mismatches = []
    for r in rows:
        assert r["status"] == "added" and r["error_code"] in (None, "SCAN_EMPTY_FILE"), r
        expected = _expected_records(sources[r["source_id"]], r["path"], r["member"], archives)
        if r["records_ok"] + r["records_rejected"] != expected:
            mismatches.append((r["path"], r["member"], r["records_ok"], r["records_rejected"], expected))
    assert not mismatches, mismatches[:10]


def test_archive_members_are_all_read(audit) -> None:
    import yaml

    corpora_or_skip()
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    rows = _rows(audit.db, audit.run_id)
    for source in manifest["sources"]:
        if not source.get("members"):
            continue
        archive = (MANIFEST.parent / source["paths"][0]).resolve()
        with tarfile.open(archive, "r:*") as tf:
            wanted = {m.name for m in tf.getmembers() if m.isfile() and _member_matches(m.name, source["members"])}
        got = {r["member"] for r in rows if r["source_id"] == source["id"]}
        assert got == wanted, source["id"]


def test_invalid_utf8_files_are_read_with_replacement(audit) -> None:
    rows = _rows(audit.db, audit.run_id)
    weibo = [r for r in rows if r["source_id"] == "weibo-conll"]
    assert sum(r["records_replaced"] for r in weibo) > 0, "weibo_ner_zh/data holds CESU-8 bytes"
    assert all(r["records_rejected"] == 0 for r in weibo), "bad bytes are replaced, not rejected"
    spam = [r for r in rows if r["source_id"] == "enron-spam"]
    assert sum(r["records_replaced"] for r in spam) > 0


def test_disclosure_scale_matches_catalog(audit) -> None:
    doc = json.loads(audit.disclosure.read_text(encoding="utf-8"))
    rows = _rows(audit.db, audit.run_id)
    for source in doc["sources"]:
        mine = [r for r in rows if r["source_id"] == source["id"]]
        assert source["scale"]["documents"] == sum(r["records_ok"] for r in mine)
        assert source["scale"]["rejected_records"] == sum(r["records_rejected"] for r in mine)
        assert source["scale"]["files"] == len(mine)
    assert doc["totals"]["all"]["documents"] == audit.documents > 500_000
    spam = [f for f in doc["findings"] if f["source"] == "enron-spam" and f["code"] == "SCAN_INVALID_ENCODING"]
    replaced = sum(r["records_replaced"] for r in rows if r["source_id"] == "enron-spam")
    assert len(spam) <= 21 and sum(f["count"] for f in spam) == replaced, "summarised, with nothing lost"


def test_csv_counts_agree_with_the_csv_module_too(audit) -> None:
    """A second opinion on one CSV: the stdlib reader's row count (blank lines are not records)."""
    corpora = corpora_or_skip()
    path = corpora / "chinese_nlp_corpus_sophonplus" / "datasets" / "waimai_10k" / "waimai_10k.csv"
    with open(path, encoding="utf-8-sig", newline="") as f:
        n = sum(1 for row in csv.reader(f) if row) - 1
    rows = [r for r in _rows(audit.db, audit.run_id) if r["path"].endswith("waimai_10k.csv")]
    assert rows[0]["records_ok"] + rows[0]["records_rejected"] == n


# -- the disclosure report of the 15 shared corpora: a filing annex, the same figures in every rendering ---------

def test_report_is_a_complete_annex(audit) -> None:
    """Every section is filled or says why not; the model validates; the checklist's evidence names its figures."""
    import jsonschema

    from provenance.report_model import load_schema

    out = audit.disclosure.parent
    model = json.loads(audit.disclosure.read_text(encoding="utf-8"))
    errors = [e.message for e in jsonschema.Draft202012Validator(load_schema()).iter_errors(model)]
    assert not errors, errors[:3]
    assert len(model["sources"]) == 15
    for s in model["sources"]:
        assert s["scale"]["documents"] > 0, s["id"]
        assert s["pii"]["status"] in ("none_found", "covered", "not_covered"), s["id"]
        assert s["duplicates"]["status"] == "ok" and s["diversity"]["status"] == "ok", s["id"]
        assert s["license"]["status"] != "not run" and s["type"]["languages_detected"], s["id"]
        assert s["scale"]["tokens_method"] == "counted"
    assert model["scale"]["eu_size_band"]["text"] == "<1B"
    assert {c["status"] for c in model["checklist"]} <= {"met", "not_met", "not_evidenced", "not_applicable"}
    assert not [c for c in model["checklist"] if "did not run" in c["evidence"]["en"]]  # every stage ran
    for name in ("disclosure.en.md", "disclosure.zh.md"):
        text = (out / name).read_text(encoding="utf-8")
        assert "did not run in this audit" not in text and "本次审计未运行" not in text
    assert (out / "eu-ai-act-summary.en.md").stat().st_size > 0 and (out / "disclosure.html").stat().st_size > 0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_figures_agree_across_json_markdown_and_html(audit, lang) -> None:
    from provenance.report_layout import Fmt
    from tests.report_tables import expected_pii_cells, expected_scale_row, html_rows, markdown_rows

    out = audit.disclosure.parent
    model = json.loads(audit.disclosure.read_text(encoding="utf-8"))
    md = (out / f"disclosure.{lang}.md").read_text(encoding="utf-8")
    html = (out / "disclosure.html").read_text(encoding="utf-8")
    f = Fmt(lang)
    for s in model["sources"]:
        for section, expected, cells in ((f"scale-{s['stage']}", expected_scale_row(s, f), slice(None)),
                                         (f"pii-{s['stage']}", expected_pii_cells(s, f), slice(2, 5))):
            assert markdown_rows(md, section)[s["id"]][cells] == html_rows(html, lang, section)[s["id"]][cells] \
                == expected, (section, s["id"])
    total = f.n(model["totals"]["all"]["tokens_estimated"])
    assert total in md and total in html
