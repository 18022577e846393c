"""The duplicate commands (`near-dups`, `overlap`, `check-removed`, `clusters`) through the console script's group,
against a real audit of the two-source corpus of tests/provenance/test_dup_query.py: exact output where it is
the contract (CSV columns, keep-list, exit codes) and clean errors that name the fix."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

from flows.cli import cli
from tests.provenance.test_dup_query import (
    DROPPED,
    D,
    E,
    FRESH,
    SOURCE_A,
    SOURCE_B,
    _doc,
    _near,
    audit_corpus,
    write_jsonl,
)

pytestmark = pytest.mark.usefixtures("prefect_api")


@pytest.fixture(scope="module")
def audited(tmp_path_factory) -> dict:
    return audit_corpus(tmp_path_factory.mktemp("dupcli"))


def run(*args) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_clean_error(result: Result, *parts: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.output, result.output
    for part in parts:
        assert part in result.stderr, f"{part!r} not in {result.stderr!r}"


def _pairs(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


# -- near-dups ---------------------------------------------------------------------------------------------------

def test_near_dups_finds_the_planted_pairs(audited) -> None:
    a = audited["tmp"] / "corpus" / "a.jsonl"
    result = run("near-dups", a)
    assert result.exit_code == 0, result.output
    pairs = _pairs(result.stdout)
    assert list(pairs[0]) == ["doc_a", "doc_b", "estimated_jaccard", "jaccard"]
    assert [(p["doc_a"], p["doc_b"]) for p in pairs] == [(f"{a}#0", f"{a}#8"), (f"{a}#1", f"{a}#9")]
    assert all(float(p["jaccard"]) >= 0.8 and float(p["estimated_jaccard"]) >= 0.8 for p in pairs)
    assert pairs[1]["jaccard"] == "1.000000"  # an exact copy after normalisation
    assert "10 records: 10 documents, 0 rejected; 2 near-duplicate pairs at Jaccard ≥ 0.8" in result.stderr


def test_near_dups_across_files_counts_rejected_records_and_writes_a_file(audited, tmp_path) -> None:
    corpus = audited["tmp"] / "corpus"
    out = tmp_path / "pairs.csv"
    result = run("near-dups", corpus / "a.jsonl", corpus / "b.jsonl", "--output", out, "--no-verify")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    pairs = {(p["doc_a"].rsplit("/", 1)[-1], p["doc_b"].rsplit("/", 1)[-1]): p
             for p in _pairs(out.read_text(encoding="utf-8"))}
    assert set(pairs) == {("a.jsonl#0", "a.jsonl#8"), ("a.jsonl#1", "a.jsonl#9"), ("a.jsonl#2", "b.jsonl#0"),
                          ("a.jsonl#3", "b.jsonl#1")}
    assert all(p["jaccard"] == "" and float(p["estimated_jaccard"]) >= 0.8 for p in pairs.values())
    records = len(SOURCE_A) + len(SOURCE_B)
    assert f"{records} records: {records - 1} documents, 1 rejected (first: b.jsonl line 3:" in result.stderr


def test_near_dups_with_the_wrong_text_field_names_the_option(tmp_path) -> None:
    data = write_jsonl(tmp_path / "body.jsonl", [FRESH[0], FRESH[1]], field="body")
    assert_clean_error(run("near-dups", data), "none of the first 2 records of body.jsonl has text", "--text-field")
    result = run("near-dups", data, "--text-field", "body")
    assert result.exit_code == 0 and _pairs(result.stdout) == []
    assert_clean_error(run("near-dups", tmp_path / "absent.jsonl"), "no such file")


# -- overlap ---------------------------------------------------------------------------------------------------------

def _new_file(tmp_path: Path) -> Path:
    """3 of 5 documents already in the corpus: 2 exact (src-a, src-b), 1 near (src-a)."""
    return write_jsonl(tmp_path / "new.jsonl", [D[4], _near(D[5], 7), E[0], FRESH[2], FRESH[3]])


def test_overlap_of_a_file_reports_shares_and_the_finding(audited, tmp_path) -> None:
    new = _new_file(tmp_path)
    result = run("overlap", new, "--db", audited["db"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"overlap of {new} with run {audited['run_id']}")
    assert lines[1].split() == ["source", "documents", "exact", "near", "present", "share", "adds"]
    assert lines[2].split() == ["new.jsonl", "5", "2", "1", "3", "60.0%", "2"]
    assert any(line.startswith("new.jsonl: matches src-a 2 (1 exact;") and "src-b 1 (1 exact;" in line
               for line in lines)
    assert any(line.startswith("medium DUP_ALREADY_PRESENT new.jsonl: 3 of 5 documents (60.0%)") for line in lines)
    assert "5 documents (0 rejected records): 3 already in run" in result.stderr

    assert run("overlap", new, "--db", audited["db"], "--fail-on", "medium").exit_code == 1
    assert run("overlap", new, "--db", audited["db"], "--fail-on", "high").exit_code == 0

    as_json = run("overlap", new, "--db", audited["db"], "--json")
    report = json.loads(as_json.stdout)
    (s,) = report["sources"]
    assert (s["documents"], s["exact_present"], s["near_present"], s["adds"], s["share_present"]) == (5, 2, 1, 2, 0.6)
    assert [f["code"] for f in report["findings"]] == ["DUP_ALREADY_PRESENT"]


def test_overlap_below_half_has_no_finding(audited, tmp_path) -> None:
    new = write_jsonl(tmp_path / "fresh.jsonl", [E[3], FRESH[4], FRESH[5], _doc(3000), _doc(3001)])
    result = run("overlap", new, "--db", audited["db"], "--fail-on", "info")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2].split() == ["fresh.jsonl", "5", "1", "0", "1", "20.0%", "4"]
    assert "DUP_ALREADY_PRESENT" not in result.stdout


def test_overlap_of_a_manifest(audited, tmp_path) -> None:
    _new_file(tmp_path)
    manifest = tmp_path / "candidate.yaml"
    manifest.write_text("dataset: {name: candidate, provider: Test Co., intended_use: research}\n"
                        "sources:\n  - {id: cand, name: Candidate, stage: finetuning, paths: [new.jsonl]}\n",
                        encoding="utf-8")
    result = run("overlap", manifest, "--db", audited["db"], "--json")
    assert result.exit_code == 0, result.output
    (s,) = json.loads(result.stdout)["sources"]
    assert (s["source"], s["documents"], s["present"]) == ("cand", 5, 3)
    assert_clean_error(run("overlap", manifest, "--db", audited["db"], "--text-field", "body"),
                       "--text-field and --format apply to a data file", "text_field:")


def test_overlap_errors_name_the_fix(audited, tmp_path) -> None:
    body = write_jsonl(tmp_path / "body.jsonl", [FRESH[0]], field="body")
    assert_clean_error(run("overlap", body, "--db", audited["db"]), "has text", "--text-field")
    assert_clean_error(run("overlap", tmp_path / "absent.jsonl", "--db", audited["db"]), "no such file")
    result = run("overlap", body)
    assert result.exit_code == 2 and "Missing option '--db'" in result.output
    assert_clean_error(run("overlap", body, "--db", tmp_path / "none.duckdb", "--text-field", "body"),
                       "no catalog at", "fix: run `provenance audit")


# -- check-removed ---------------------------------------------------------------------------------------------------

def test_check_removed_fails_while_reported_content_is_present(audited, tmp_path) -> None:
    reported = tmp_path / "reported.jsonl"
    reported.write_text("\n".join([
        json.dumps({"id": "R-1", "text": _near(D[6], 90)}),  # a near copy of a.jsonl#6
        json.dumps({"id": "R-2", "text": FRESH[0]}),          # never in the corpus
        "{broken",
        json.dumps({"id": "R-4", "text": E[2]}),              # b.jsonl#5, exactly
    ]) + "\n", encoding="utf-8")
    result = run("check-removed", reported, "--db", audited["db"])
    assert result.exit_code == 1, result.output
    out = result.stdout.splitlines()
    assert out[0] == "PRESENT  R-1 (line 1): 1 corpus document(s)"
    assert out[1].split()[:3] == ["src-a", "a.jsonl:7", "src-a:a.jsonl#6"] and "exact" not in out[1]
    assert out[2] == "removed  R-2 (line 2)"
    assert out[3] == "PRESENT  R-4 (line 4): 1 corpus document(s)"
    assert out[4].split() == ["src-b", "b.jsonl:6", "src-b:b.jsonl#5", "jaccard", "1.000", "exact"]
    assert f"{reported}:3: skipped: not valid JSON" in result.stderr
    assert "3 reported items checked" in result.stderr and "2 still present in 2 corpus document(s)" in result.stderr
    assert FRESH[0][:40] not in result.output and E[2][:40] not in result.output  # reported text is never printed

    as_json = json.loads(run("check-removed", reported, "--db", audited["db"], "--json").stdout)
    assert as_json["present"] == 2 and as_json["bad_lines"][0]["line"] == 3
    assert as_json["items"][0]["matches"][0]["path"] == "a.jsonl"


def test_check_removed_passes_when_nothing_is_left(audited, tmp_path) -> None:
    reported = write_jsonl(tmp_path / "gone.jsonl", [FRESH[1], FRESH[2]], field="content")
    result = run("check-removed", reported, "--db", audited["db"], "--text-field", "content")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["removed  0 (line 1)", "removed  1 (line 2)"]
    assert_clean_error(run("check-removed", reported, "--db", audited["db"]), "no usable item", "--text-field")
    assert_clean_error(run("check-removed", tmp_path / "absent.jsonl", "--db", audited["db"]), "no such file")


# -- clusters --------------------------------------------------------------------------------------------------------

def test_clusters_export_and_keep_list(audited, tmp_path) -> None:
    out, keep = tmp_path / "c" / "clusters.parquet", tmp_path / "keep.txt"
    result = run("clusters", "--db", audited["db"], "--out", out, "--keep-list", keep)
    assert result.exit_code == 0, result.output
    documents = len(SOURCE_A) + len(SOURCE_B) - 1
    assert result.stdout.splitlines()[0] == (f"run {audited['run_id']}: {documents} documents; 4 clusters of 8 "
                                             f"documents; deduplication keeps {documents - 4} and drops 4")
    table = pq.read_table(out)
    assert table.column_names == ["run_id", "cluster_id", "cluster_size", "representative", "doc_id", "source_id",
                                  "path", "member", "line"]
    assert {r["doc_id"] for r in table.to_pylist() if not r["representative"]} == DROPPED
    every = {f"src-a:a.jsonl#{i}" for i in range(len(SOURCE_A))} | {
        f"src-b:b.jsonl#{i}" for i, t in enumerate(SOURCE_B) if t is not None}
    kept = keep.read_text(encoding="utf-8").splitlines()
    assert kept == sorted(every - DROPPED)


def test_clusters_of_a_run_without_the_duplicates_stage_is_an_error(audited, tmp_path) -> None:
    assert_clean_error(run("clusters", "--db", audited["db"], "--run", audited["scan_run_id"], "--out",
                           tmp_path / "c.parquet"), "did not include the duplicates stage", "fix:", "--stages")
    assert not (tmp_path / "c.parquet").exists()
    assert_clean_error(run("clusters", "--db", tmp_path / "none.duckdb", "--out", tmp_path / "c.parquet"),
                       "no catalog at")
    result = run("clusters", "--out", tmp_path / "c.parquet")
    assert result.exit_code == 2 and "Missing option '--db'" in result.output
