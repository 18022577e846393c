"""The audit flow end to end on a real Prefect API, real DuckDB and real files."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from click.testing import CliRunner

import detectors.base
from flows.audit import parse_stages, run_audit
from flows.cli import cli
from provenance.errors import CatalogInUse, InputError
from tests.conftest import SAMPLES

pytestmark = pytest.mark.usefixtures("prefect_api")
EXPECTED = json.loads((SAMPLES / "EXPECTED.json").read_text(encoding="utf-8"))


@pytest.fixture()
def samples(tmp_path: Path) -> Path:
    """A private copy of data_samples, so tests can change files."""
    dest = tmp_path / "samples"
    shutil.copytree(SAMPLES, dest, ignore=shutil.ignore_patterns("generate.py", "*.md", "EXPECTED.json"))
    return dest


def _files(db: Path, run_id: str) -> dict[str, dict]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT f.path, f.member, f.status, v.records_ok, v.records_rejected, v.error_code "
            "FROM files f LEFT JOIN file_versions v USING (version_id) WHERE f.run_id = ?", [run_id]).fetchall()
    finally:
        con.close()
    return {(p + (f"!{m}" if m else "")): {"status": s, "ok": ok, "rejected": rej, "error": err}
            for p, m, s, ok, rej, err in rows}


def test_sample_audit_counts_every_record(samples: Path, tmp_path: Path) -> None:
    result = run_audit(samples / "manifest.yaml", out=tmp_path / "out")
    files = _files(result.db, result.run_id)
    assert set(files) == set(EXPECTED["files"])
    for name, expected in EXPECTED["files"].items():
        got = files[name]
        assert (got["ok"], got["rejected"]) == (expected["accepted"], expected["rejected"]), name
        assert got["ok"] + got["rejected"] == expected["records"], name
    assert result.documents == EXPECTED["total"]["accepted"]


def test_disclosure_has_run_sources_scale_and_findings(samples: Path, tmp_path: Path) -> None:
    result = run_audit(samples / "manifest.yaml", out=tmp_path / "out")
    doc = json.loads(result.disclosure.read_text(encoding="utf-8"))
    run = doc["run"]
    assert run["id"] == result.run_id and run["status"] == "completed"
    assert run["manifest_sha256"] == __import__("hashlib").sha256((samples / "manifest.yaml").read_bytes()).hexdigest()
    assert run["started_at"] <= run["finished_at"] and run["tool_version"]
    by_id = {s["id"]: s for s in doc["sources"]}
    assert set(by_id) == set(EXPECTED["sources"])
    for sid, exp in EXPECTED["sources"].items():
        scale = by_id[sid]["scale"]
        assert scale["files"] == exp["files"] and scale["documents"] == exp["accepted"]
        assert scale["rejected_records"] == exp["rejected"]
        assert scale["bytes"] > 0 and 0 < scale["characters"] <= scale["text_bytes"]
        assert by_id[sid]["stage"] in ("pretraining", "finetuning") and by_id[sid]["name"]
    codes = {(f["code"], f["source"]) for f in doc["findings"]}
    assert ("SCAN_MALFORMED_RECORD", "zh-news") in codes
    assert ("SCAN_RAGGED_ROW", "en-forum") in codes
    assert ("SCAN_INVALID_ENCODING", "zh-chat") in codes
    assert all({"code", "severity", "source", "message"} <= set(f) for f in doc["findings"])
    assert doc["totals"]["all"]["documents"] == EXPECTED["total"]["accepted"]


def test_second_audit_rereads_nothing_and_counts_nothing_twice(samples: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_audit(samples / "manifest.yaml", out=out)
    second = run_audit(samples / "manifest.yaml", out=out)
    assert first.files_read > 0
    assert second.files_read == 0 and second.files_reused == first.files_read
    assert second.documents == first.documents
    assert {v["status"] for v in _files(second.db, second.run_id).values()} == {"unchanged"}
    con = duckdb.connect(str(second.db), read_only=True)
    try:
        docs = con.execute("SELECT count(*), count(DISTINCT (version_id, ordinal)) FROM documents").fetchone()
    finally:
        con.close()
    assert docs[0] == docs[1] == EXPECTED["total"]["accepted"]
    doc = json.loads(second.disclosure.read_text(encoding="utf-8"))
    assert any(f["code"] == "SCAN_MALFORMED_RECORD" for f in doc["findings"]), "carried-over files keep findings"


def test_changed_added_removed_and_touched_files(samples: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_audit(samples / "manifest.yaml", out=out)
    tsv = samples / "en_tsv" / "reviews.tsv"
    tsv.write_bytes(tsv.read_bytes() + b"1\tone more review, added later\n")  # changed: one more record
    chat = samples / "zh_chat" / "chat.txt"
    os.utime(chat, ns=(time.time_ns(), time.time_ns() + 10**9))  # touched, same bytes
    (samples / "zh_news" / "part-0003.jsonl").write_text('{"text": "新增的一条新闻。"}\n', encoding="utf-8")
    (samples / "qa_pairs.parquet").unlink()
    third = run_audit(samples / "manifest.yaml", out=out)
    files = _files(third.db, third.run_id)
    assert files["en_tsv/reviews.tsv"]["status"] == "changed"
    assert files["en_tsv/reviews.tsv"]["ok"] == EXPECTED["files"]["en_tsv/reviews.tsv"]["accepted"] + 1
    assert files["zh_chat/chat.txt"]["status"] == "unchanged"
    assert files["zh_news/part-0003.jsonl"]["status"] == "added"
    assert files["qa_pairs.parquet"]["status"] == "removed"
    assert files["zh_news/part-0001.jsonl"]["status"] == "unchanged"
    assert third.files_read == 2  # the changed and the added file; the touched one was hashed, not read
    expected_docs = EXPECTED["total"]["accepted"] + 1 + 1 - EXPECTED["files"]["qa_pairs.parquet"]["accepted"]
    assert third.documents == expected_docs


BAD_INPUTS = {
    # file name → (bytes, expected (accepted, rejected) or None for a file-level error, expected finding code)
    "empty.jsonl": (b"", (0, 0), "SCAN_EMPTY_FILE"),
    "malformed.jsonl": (b'{"text": "ok one"}\n{"text": "broken\n{"text": "ok two"}\n', (2, 1), "SCAN_MALFORMED_RECORD"),
    "ragged.csv": (b"id,text\n1,fine\n2,too,many\n3,also fine\n", (2, 1), "SCAN_RAGGED_ROW"),
    "invalid.txt": (b"good line\nbad \xff\xfe line\n", (1, 0), "SCAN_INVALID_ENCODING"),  # .txt: one doc per file
    "data.xyz": (b"whatever", (0, 0), "SCAN_UNKNOWN_FORMAT"),
}


def _bad_corpus(root: Path) -> Path:
    (root / "bad").mkdir(parents=True)
    for name, (data, _, _) in BAD_INPUTS.items():
        (root / "bad" / name).write_bytes(data)
    whole = gzip.compress(b"".join(b'{"text": "record %d"}\n' % i for i in range(2000)))
    (root / "bad" / "truncated.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    with open(root / "bad" / "long.jsonl", "wb") as f:  # one 50 MB line between two normal ones
        f.write(b'{"text": "before"}\n{"text": "' + b"x" * (50 << 20) + b'"}\n{"text": "after"}\n')
    (root / "good.jsonl").write_text('{"text": "a good source still gets audited"}\n', encoding="utf-8")
    manifest = root / "manifest.yaml"
    manifest.write_text("""
dataset: {name: bad-inputs, provider: test, intended_use: research}
sources:
  - {id: bad, name: Bad inputs, stage: pretraining, paths: ["bad/*"], language: en}
  - {id: missing, name: Missing files, stage: pretraining, paths: ["nowhere/*.jsonl", "absent.csv"]}
  - {id: good, name: Good, stage: finetuning, paths: [good.jsonl]}
""", encoding="utf-8")
    return manifest


def test_bad_inputs_are_counted_reported_and_the_audit_goes_on(tmp_path: Path) -> None:
    manifest = _bad_corpus(tmp_path)
    result = run_audit(manifest, out=tmp_path / "out")
    files = _files(result.db, result.run_id)
    for name, (_, counts, _) in BAD_INPUTS.items():
        got = files[f"bad/{name}"]
        assert (got["ok"], got["rejected"]) == counts, name
    truncated = files["bad/truncated.jsonl.gz"]
    assert truncated["error"] == "SCAN_TRUNCATED_FILE" and truncated["ok"] > 0 and truncated["rejected"] == 0
    assert (files["bad/long.jsonl"]["ok"], files["bad/long.jsonl"]["rejected"]) == (2, 1)
    doc = json.loads(result.disclosure.read_text(encoding="utf-8"))
    found = {(f["code"], f["path"]): f for f in doc["findings"]}
    for name, (_, _, code) in BAD_INPUTS.items():
        assert (code, f"bad/{name}") in found, (code, name)
    assert found[("SCAN_MALFORMED_RECORD", "bad/malformed.jsonl")]["line"] == 2
    assert found[("SCAN_RAGGED_ROW", "bad/ragged.csv")]["line"] == 3
    assert found[("SCAN_RECORD_TOO_LARGE", "bad/long.jsonl")]["line"] == 2
    assert "--max-record-mb" in found[("SCAN_RECORD_TOO_LARGE", "bad/long.jsonl")]["message"]
    assert found[("SCAN_TRUNCATED_FILE", "bad/truncated.jsonl.gz")]["severity"] == "high"
    missing = {f["path"] for f in doc["findings"] if f["code"] == "SCAN_NO_FILES"}
    assert missing == {"nowhere/*.jsonl", "absent.csv"}
    good = next(s for s in doc["sources"] if s["id"] == "good")
    assert good["scale"]["documents"] == 1


def test_cli_exit_codes(tmp_path: Path) -> None:
    manifest = _bad_corpus(tmp_path)
    runner = CliRunner()
    clean = runner.invoke(cli, ["audit", str(manifest), "--out", str(tmp_path / "o1"), "--no-progress"])
    assert clean.exit_code == 0, clean.output
    assert "disclosure.json" in clean.output
    gated = runner.invoke(cli, ["audit", str(manifest), "--out", str(tmp_path / "o1"), "--fail-on", "high",
                                "--no-progress"])
    assert gated.exit_code == 1, gated.output
    lenient = runner.invoke(cli, ["audit", str(manifest), "--out", str(tmp_path / "o1"), "--fail-on", "critical",
                                  "--no-progress"])
    assert lenient.exit_code == 0, lenient.output
    manifest.write_text(manifest.read_text().replace("stage: finetuning", "stage: fine-tuning"))
    bad = runner.invoke(cli, ["audit", str(manifest), "--out", str(tmp_path / "o2")])
    assert bad.exit_code == 2
    assert "sources[2].stage" in bad.output and "Traceback" not in bad.output
    assert not (tmp_path / "o2" / "audit.duckdb").exists(), "a bad manifest starts no work"


def test_unknown_stage_is_a_usage_error() -> None:
    with pytest.raises(InputError, match="unknown stage"):
        parse_stages("scan,nonesuch")
    assert parse_stages("all")[0] == "scan"


def test_catalog_in_use_is_a_clear_error(samples: Path, tmp_path: Path) -> None:
    db = tmp_path / "busy.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('locked', flush=True); time.sleep(60)", str(db)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(CatalogInUse, match="in use"):
            run_audit(samples / "manifest.yaml", db=db, out=tmp_path / "out")
        result = CliRunner().invoke(cli, ["audit", str(samples / "manifest.yaml"), "--db", str(db)])
        assert result.exit_code == 2 and "in use" in result.output
    finally:
        holder.kill()
        holder.wait()


class CharCount(detectors.base.Detector):
    """A real (small) detector, to test the plumbing that later stages use."""

    name = "test-chars"
    result_table = "test_chars"

    def process(self, batch: pa.RecordBatch) -> pa.Table:
        texts = batch.column("text").to_pylist()
        return pa.table({"doc_id": batch.column("doc_id"), "n": [len(t) for t in texts]})


def test_detector_stage_results_are_loaded_once_and_reused(samples: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(detectors.base._REGISTRY, CharCount.name, CharCount)
    db = tmp_path / "out" / "audit.duckdb"
    db.parent.mkdir()
    con = duckdb.connect(str(db))
    con.close()
    first = run_audit(samples / "manifest.yaml", out=tmp_path / "out", stages=["scan"])
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE test_chars (version_id VARCHAR, doc_id VARCHAR, n BIGINT)")
    con.close()
    # the stage is new: unchanged files must be read again for it, but their documents are not duplicated
    second = run_audit(samples / "manifest.yaml", out=tmp_path / "out", stages=["scan", "test-chars"])
    assert second.files_read == first.files_read
    third = run_audit(samples / "manifest.yaml", out=tmp_path / "out", stages=["scan", "test-chars"])
    assert third.files_read == 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        n, docs, same = con.execute(
            "SELECT count(*), (SELECT count(*) FROM documents), "
            "count(*) FILTER (WHERE t.n = d.chars) FROM test_chars t JOIN documents d USING (version_id, doc_id)"
        ).fetchone()
    finally:
        con.close()
    assert n == docs == same == EXPECTED["total"]["accepted"]


LICENSE_KEYS = {"declared", "spdx", "use_class", "attribution", "share_alike", "no_derivatives", "detected_files",
                "status"}


def test_license_stage_fills_the_disclosure_and_writes_attribution(samples: Path, tmp_path: Path) -> None:
    result = run_audit(samples / "manifest.yaml", out=tmp_path / "out")
    doc = json.loads(result.disclosure.read_text(encoding="utf-8"))
    assert "license" in doc["run"]["stages"]
    by_id = {s["id"]: s for s in doc["sources"]}
    for source in by_id.values():
        assert LICENSE_KEYS <= set(source["license"]), source["id"]
    wiki = by_id["zh-wiki"]["license"]
    assert (wiki["spdx"], wiki["status"], wiki["share_alike"]) == ("CC-BY-SA-4.0", "consistent", True)
    assert [d["path"] for d in wiki["detected_files"]] == ["zh_wiki/LICENSE"]
    assert by_id["en-books"]["license"]["use_class"] == "non-commercial"
    codes = {(f["code"], f["source"]) for f in doc["findings"]}
    assert ("LIC_NOT_COMMERCIAL", "en-books") in codes, "NC source in a commercial corpus"
    assert ("LIC_UNSPECIFIED", "zh-chat") in codes, "no licence at all"
    assert ("MODEL_FILING_MISSING", None) in codes
    notices = next(f for f in doc["findings"] if f["code"] == "LIC_COPYRIGHT_NOTICES" and f["source"] == "en-books")
    assert notices["count"] == 1, "book_03 is the one document with notices (several kinds count once)"
    examples = [e["excerpt"] for k in by_id["en-books"]["license"]["notices"]["kinds"].values() for e in k["examples"]]
    assert examples and not any(ch.isdigit() for e in examples for ch in e), "excerpts are masked (no year, no id)"
    corpus = doc["corpus"]["license"]
    assert corpus["use_class"] == "unknown", "the most restrictive source decides (zh-news: proprietary terms)"
    assert corpus["share_alike"] and corpus["attribution"]
    assert sum(v["documents"] for v in corpus["by_use_class"].values()) == doc["totals"]["all"]["documents"]
    assert set(doc["corpus"]["origin"]) <= {"domestic", "foreign", "unknown"}
    attribution = (result.disclosure.parent / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for sid in corpus["needs_attribution"]:
        source_name = next(s["name"] for s in doc["sources"] if s["id"] == sid)
        assert f"## {source_name}" in attribution
    assert by_id["zh-chat"]["name"] not in attribution


def test_scan_only_audit_says_the_license_stage_did_not_run(samples: Path, tmp_path: Path) -> None:
    result = run_audit(samples / "manifest.yaml", out=tmp_path / "out", stages=["scan"])
    doc = json.loads(result.disclosure.read_text(encoding="utf-8"))
    assert all(s["license"]["status"] == "not run" for s in doc["sources"])
    assert doc["corpus"]["license"] == {"status": "not run"}
    assert not (result.disclosure.parent / "ATTRIBUTION.md").exists()
    assert not any(f["stage"] == "license" for f in doc["findings"])
