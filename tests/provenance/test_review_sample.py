"""The TC260-003 §9.2 review sample (`provenance sample`, `sample ingest`, `review_summary`) on a real audit of
data_samples: real Prefect, DuckDB, files and PII engine, no mocks. The module audits a copy of data_samples three
times into one catalog (runs A < B < C; C reuses every file): samples are drawn from B only, so A has none and C
shows B's through the fallback to an earlier run."""

from __future__ import annotations

import csv
import hashlib
import json
import math
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner, Result

from flows.audit import run_audit
from flows.cli import cli
from provenance.catalog import Catalog
from provenance.review_sample import COLUMNS, allocate, mask_spans, review_summary, sample_stats
from tests.conftest import SAMPLES
from tests.flows.test_pii_audit import GEN, VARIANTS

pytestmark = pytest.mark.usefixtures("prefect_api")

# presidio's US SSN recognizer rejects the planted specimen (078-05-1120, the long-invalidated Woolworth card
# number) by design, so the engine never reports it and the review text keeps it; every other planted value must be
# masked. That the engine finds nothing at all in the CSV is checked separately.
NOT_DETECTED_BY_DESIGN = {v for v in VARIANTS if v.replace("-", "") == GEN.FAKE_US_SSN.replace("-", "")}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("review")
    samples = tmp / "samples"
    shutil.copytree(SAMPLES, samples, ignore=shutil.ignore_patterns("generate.py", "*.md", "EXPECTED.json"))
    db = tmp / "out" / "audit.duckdb"
    runs = [run_audit(samples / "manifest.yaml", db=db, out=tmp / "out", stages=["scan"]).run_id for _ in range(3)]
    con = duckdb.connect(str(db), read_only=True)
    try:
        docs = con.execute("SELECT f.source_id, d.doc_id FROM files f JOIN documents d USING (version_id) "
                           "WHERE f.run_id = ? AND f.status NOT IN ('removed', 'failed')", [runs[1]]).fetchall()
    finally:
        con.close()
    by_source: dict[str, list[str]] = {}
    for source_id, doc_id in docs:
        by_source.setdefault(source_id, []).append(doc_id)
    return {"tmp": tmp, "samples": samples, "db": db, "runs": runs, "docs": by_source}


def run(*args) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def draw(corpus: dict, out: Path, *extra) -> tuple[Result, list[dict]]:
    res = run("sample", "--db", corpus["db"], "--run", corpus["runs"][1], "--out", out, *extra)
    assert res.exit_code == 0, res.output
    return res, read_csv(out)


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, rows: list[dict], encoding: str = "utf-8-sig", delimiter: str = ",") -> None:
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)


def csv_line(path: Path, index: int) -> int:
    """The physical line where data row `index` (0-based) of a CSV starts: texts with line breaks span lines."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        start = reader.line_num + 1
        for i, _ in enumerate(reader):
            if i == index:
                return start
            start = reader.line_num + 1
    raise IndexError(index)


def stats(corpus: dict, sample_id: str) -> dict:
    with Catalog.open(corpus["db"], read_only=True) as catalog:
        return sample_stats(catalog, sample_id)


def summary(corpus: dict, run_id: str) -> dict:
    with Catalog.open(corpus["db"], read_only=True) as catalog:
        return review_summary(catalog, run_id)


def wilson(k: int, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval, written out here from its formula."""
    z = 1.959964
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


# -- pure parts --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("documents, n", [
    ({"a": 1000, "b": 100, "c": 10, "d": 1}, 50),
    ({"a": 1000, "b": 100, "c": 10, "d": 1}, 4),
    ({"a": 7, "b": 7, "c": 7}, 10),
    ({"a": 3, "b": 0, "c": 500}, 100),
    ({"a": 37, "b": 29, "c": 11, "d": 4}, 40),
])
def test_allocation_is_proportional_with_one_per_source(documents: dict[str, int], n: int) -> None:
    alloc = allocate(documents, n)
    total = sum(documents.values())
    assert sum(alloc.values()) == n
    # largest remainder keeps each source within one item of its exact quota; each source raised to its minimum of
    # one may cost another source one more
    slack = 1 + sum(1 for d in documents.values() if 0 < n * d / total < 1)
    for s, d in documents.items():
        assert 0 <= alloc[s] <= d
        if d:
            assert alloc[s] >= 1  # n is at least the number of non-empty sources in every case above
        assert abs(alloc[s] - n * d / total) < slack
    assert allocate(documents, n) == alloc  # deterministic


def test_allocation_edges() -> None:
    assert allocate({"a": 5, "b": 2}, 100) == {"a": 5, "b": 2}  # n above the total: everything
    assert allocate({"a": 90, "b": 9, "c": 1}, 2) == {"a": 2, "b": 0, "c": 0}  # too few for one each
    assert allocate({"a": 90, "b": 9, "c": 1}, 3) == {"a": 1, "b": 1, "c": 1}
    assert allocate({"a": 2, "b": 1000}, 1000) == {"a": 2, "b": 998}
    assert allocate({"x": 1, "y": 1}, 1) == {"x": 1, "y": 0}  # tie: the source id decides, the same everywhere


def test_mask_spans_covers_overlaps_and_the_cut() -> None:
    text = "call 0123456789 or mail abc@example.test now"
    spans = [(5, 15, "PHONE"), (8, 12, "OTHER"), (24, 40, "EMAIL")]
    assert mask_spans(text, spans) == "call <PHONE> or mail <EMAIL> now"
    # overlapping spans of different lengths: nothing of the longer one's tail shows
    assert mask_spans("ab123456cd", [(2, 6, "A"), (4, 8, "B")]) == "ab<A>cd"
    # a value cut by the limit is replaced whole, never shown in part
    assert mask_spans(text, spans, limit=10) == "call <PHONE>"
    assert mask_spans(text, spans, limit=5) == "call "


# -- drawing -----------------------------------------------------------------------------------------------------------

def test_sample_is_stratified_seeded_and_recorded(corpus: dict, tmp_path: Path) -> None:
    res, rows = draw(corpus, tmp_path / "a.csv", "--n", 40, "--seed", 1)
    assert list(rows[0]) == COLUMNS and len(rows) == 40
    documents = {s: len(d) for s, d in corpus["docs"].items()}
    drawn: dict[str, list[str]] = {}
    for r in rows:
        drawn.setdefault(r["source_id"], []).append(r["doc_id"])
    assert {s: len(v) for s, v in drawn.items()} == {s: k for s, k in allocate(documents, 40).items() if k}
    assert all(len(drawn.get(s, [])) >= 1 for s in documents)  # every source looked at
    # in each source, the documents with the smallest md5("seed:doc_id"): reproducible without DuckDB
    for source_id, ids in drawn.items():
        keyed = sorted(corpus["docs"][source_id], key=lambda d: (hashlib.md5(f"1:{d}".encode()).hexdigest(), d))
        assert sorted(ids) == sorted(keyed[:len(ids)])
    assert [int(r["item"]) for r in rows] == list(range(1, 41))
    assert len({r["sample_id"] for r in rows}) == 1 and "40 of 166 documents" in res.output

    _, again = draw(corpus, tmp_path / "b.csv", "--n", 40, "--seed", 1)
    assert [(r["doc_id"], r["text"]) for r in again] == [(r["doc_id"], r["text"]) for r in rows]
    assert again[0]["sample_id"] != rows[0]["sample_id"]  # a new sample, the same documents
    _, other = draw(corpus, tmp_path / "c.csv", "--n", 40, "--seed", 2)
    assert {r["doc_id"] for r in other} != {r["doc_id"] for r in rows}

    con = duckdb.connect(str(corpus["db"]), read_only=True)
    try:
        head = con.execute("SELECT run_id, n_requested, n_drawn, seed, strata, csv_path FROM review_samples "
                           "WHERE sample_id = ?", [rows[0]["sample_id"]]).fetchone()
        items = con.execute("SELECT item, source_id, doc_id, verdict FROM review_items WHERE sample_id = ? "
                            "ORDER BY item", [rows[0]["sample_id"]]).fetchall()
    finally:
        con.close()
    assert head[:4] == (corpus["runs"][1], 40, 40, 1)
    strata = json.loads(head[4])
    assert {s: v["drawn"] for s, v in strata.items()} == allocate(documents, 40)
    assert {s: v["documents"] for s, v in strata.items()} == documents
    assert head[5] == str((tmp_path / "a.csv").resolve())
    assert [(i, s, d) for i, s, d, _ in items] == [(int(r["item"]), r["source_id"], r["doc_id"]) for r in rows]
    assert all(v is None for *_, v in items)


def test_more_than_the_run_has_takes_all_and_masks_personal_information(corpus: dict, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    res, rows = draw(corpus, out, "--n", 4000, "--seed", 5)
    total = sum(len(d) for d in corpus["docs"].values())
    assert len(rows) == total == 166
    assert "all are in the sample" in res.output and "below the 4,000" in res.output
    assert {r["doc_id"] for r in rows} == {d for ds in corpus["docs"].values() for d in ds}
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    raw = out.read_text(encoding="utf-8-sig")
    # the planted identifiers are there in the corpus, and masked in the sample
    for placeholder in ("<CN_RESIDENT_ID>", "<CN_MOBILE_PHONE>", "<EMAIL_ADDRESS>", "<CN_BANK_CARD>", "<CN_QQ>"):
        assert placeholder in raw
    leaks = [v for v in VARIANTS if v in raw and v not in NOT_DETECTED_BY_DESIGN]
    assert not leaks, f"raw planted values in review.csv: {['*' * len(v) for v in leaks]}"
    from detectors.pii.detector import engine_for

    found = engine_for((), 0.4, 64).analyze_many([r["text"] for r in rows])
    assert not [r["doc_id"] for r, f in zip(rows, found) if f], "the PII engine still finds values in review.csv"
    assert "personal information masked:" in res.output and all(not r["note"] for r in rows)
    # every document fits under the default 2,000 characters: full texts, no ellipsis
    assert all(not r["text"].endswith("…") for r in rows)

    # no review table of the catalog holds a planted value either
    con = duckdb.connect(str(corpus["db"]), read_only=True)
    try:
        text = "\n".join(str(row) for table in ("review_samples", "review_items")
                         for row in con.execute(f"SELECT CAST(COLUMNS(*) AS VARCHAR) FROM {table}").fetchall())
    finally:
        con.close()
    assert not [v for v in VARIANTS if v in text]


def test_max_chars_cuts_text(corpus: dict, tmp_path: Path) -> None:
    _, rows = draw(corpus, tmp_path / "short.csv", "--n", 4000, "--max-chars", 40)
    long = [r for r in rows if int(r["chars"]) > 40]
    assert long and all(r["text"].endswith("…") for r in long)
    assert all(len(r["text"]) == 41 for r in long if "<" not in r["text"])
    assert all(r["text"] and not r["text"].endswith("…") for r in rows if int(r["chars"]) <= 40)
    leaks = [v for v in VARIANTS if any(v in r["text"] for r in rows) and v not in NOT_DETECTED_BY_DESIGN]
    assert not leaks


def test_changed_or_gone_file_leaves_text_empty_with_a_note(corpus: dict, tmp_path: Path) -> None:
    chat = corpus["samples"] / "zh_chat" / "chat.txt"
    tsv = corpus["samples"] / "en_tsv" / "reviews.tsv"
    moved = tsv.with_name("reviews.tsv.away")
    original = chat.read_bytes()
    try:
        chat.write_bytes(original + "用户：追加的一行。\n".encode("utf-8"))
        tsv.rename(moved)
        res, rows = draw(corpus, tmp_path / "changed.csv", "--n", 4000)
    finally:
        chat.write_bytes(original)
        moved.rename(tsv)
    by_source: dict[str, list[dict]] = {}
    for r in rows:
        by_source.setdefault(r["source_id"], []).append(r)
    assert all(r["text"] == "" and "changed on disk" in r["note"] for r in by_source["zh-chat"])
    assert all(r["text"] == "" and "no longer on disk" in r["note"] for r in by_source["en-tsv"])
    assert all(r["text"] and not r["note"] for s, rs in by_source.items() if s not in ("zh-chat", "en-tsv")
               for r in rs)
    empty = len(by_source["zh-chat"]) + len(by_source["en-tsv"])
    assert f"texts left empty: {empty}" in res.output
    assert stats(corpus, rows[0]["sample_id"])["unavailable"] == empty

    # restored: read again, the same texts as before
    _, again = draw(corpus, tmp_path / "restored.csv", "--n", 4000)
    assert all(r["text"] for r in again)


# -- ingesting verdicts ------------------------------------------------------------------------------------------------

VERDICT_PLAN = ["pass"] * 20 + ["fail"] * 5 + ["通过"] * 5 + ["不合格"] * 3 + ["PASS", " 合格 ", "不通过"] + [""] * 4


def filled(rows: list[dict]) -> list[dict]:
    out = []
    for i, r in enumerate(rows):
        verdict = VERDICT_PLAN[i % len(VERDICT_PLAN)]
        out.append({**r, "verdict": verdict, "reviewer": "reviewer-1" if verdict else "",
                    "note": "off-topic" if verdict in ("fail", "不合格", "不通过") else ""})
    return out


def test_ingest_gives_pass_rate_with_wilson_interval_and_is_idempotent(corpus: dict, tmp_path: Path) -> None:
    out = tmp_path / "review.csv"
    _, rows = draw(corpus, out, "--n", 40, "--seed", 3)
    write_csv(out, filled(rows))
    res = run("sample", "ingest", out, "--db", corpus["db"])
    assert res.exit_code == 0, res.output
    passed, failed = 20 + 5 + 1 + 1, 5 + 3 + 1
    s = stats(corpus, rows[0]["sample_id"])
    assert (s["size"], s["reviewed"], s["passed"], s["failed"]) == (40, 36, passed, failed)
    assert s["pass_rate"] == pytest.approx(passed / 36, abs=1e-6)
    lo, hi = wilson(passed, 36)
    assert s["ci95"][0] == pytest.approx(lo, abs=1e-5) and s["ci95"][1] == pytest.approx(hi, abs=1e-5)
    assert s["status"] == "in_progress" and not s["meets_size"] and not s["meets_rate"]
    assert not s["meets_rate_lower_bound"]
    assert sum(v["size"] for v in s["by_source"].values()) == 40
    assert sum(v["passed"] for v in s["by_source"].values()) == passed
    assert f"{passed} passed, {failed} failed" in res.output and f"{passed / 36:.2%}" in res.output
    assert "size >= 4,000: no" in res.output and "pass rate >= 96%: no" in res.output

    con = duckdb.connect(str(corpus["db"]), read_only=True)
    query = "SELECT doc_id, verdict, reviewer, note FROM review_items WHERE sample_id = ? ORDER BY item"
    try:
        first = con.execute(query, [rows[0]["sample_id"]]).fetchall()
    finally:
        con.close()
    assert [v for _, v, _, _ in first] == [{"pass": "pass", "PASS": "pass", " 合格 ": "pass", "通过": "pass",
                                            "fail": "fail", "不合格": "fail", "不通过": "fail", "": None}[p]
                                           for p in VERDICT_PLAN]

    res = run("sample", "ingest", out, "--db", corpus["db"])  # the same file again: nothing changes
    assert res.exit_code == 0, res.output
    con = duckdb.connect(str(corpus["db"]), read_only=True)
    try:
        assert con.execute(query, [rows[0]["sample_id"]]).fetchall() == first
    finally:
        con.close()
    assert stats(corpus, rows[0]["sample_id"]) == s

    # as Excel on Chinese Windows saves it (GBK, no BOM) and with ';' separators: read the same
    write_csv(out, filled(rows), encoding="gb18030", delimiter=";")
    assert run("sample", "ingest", out, "--db", corpus["db"]).exit_code == 0
    assert stats(corpus, rows[0]["sample_id"]) == s


def test_bad_rows_are_refused_with_their_line(corpus: dict, tmp_path: Path) -> None:
    out = tmp_path / "review.csv"
    _, rows = draw(corpus, out, "--n", 4000, "--seed", 9)
    rows = filled(rows)
    # a row after texts with line breaks, so that its CSV line differs from its row number
    target = next(i for i, r in enumerate(rows) if i > 0 and any("\n" in x["text"] for x in rows[:i]))
    bad = [dict(r) for r in rows]
    bad[target]["verdict"] = "maybe"
    write_csv(out, bad)
    start = csv_line(out, target)
    assert start != target + 2  # the line is not the row number here
    res = run("sample", "ingest", out, "--db", corpus["db"])
    assert res.exit_code == 2
    assert f"line {start} (spreadsheet row {target + 2}, item {target + 1})" in res.output
    assert "'maybe'" in res.output and "通过" in res.output and "nothing was written" in res.output
    assert stats(corpus, rows[0]["sample_id"])["reviewed"] == 0

    bad = [dict(r) for r in rows]
    bad[3]["doc_id"] = "zh-chat:zh_chat/chat.txt#999"
    write_csv(out, bad)
    res = run("sample", "ingest", out, "--db", corpus["db"])
    assert res.exit_code == 2 and f"line {csv_line(out, 3)} (spreadsheet row 5, item 4)" in res.output
    assert "zh-chat:zh_chat/chat.txt#999" in res.output and "is not in sample" in res.output

    bad = [{**r, "sample_id": "rs-20000101T000000Z-000000"} for r in rows]
    write_csv(out, bad)
    res = run("sample", "ingest", out, "--db", corpus["db"])
    assert res.exit_code == 2
    assert "sample rs-20000101T000000Z-000000 is not in catalog" in res.output and "fix:" in res.output

    res = run("sample", "ingest", tmp_path / "none.csv", "--db", corpus["db"])
    assert res.exit_code == 2 and "no such file" in res.output
    assert stats(corpus, rows[0]["sample_id"])["reviewed"] == 0


# -- the report block --------------------------------------------------------------------------------------------------

def test_review_summary_states(corpus: dict, tmp_path: Path) -> None:
    a, b, c = corpus["runs"]
    assert summary(corpus, a) == {"status": "not_run"}  # nothing drawn from A or before it

    out = tmp_path / "summary.csv"
    _, rows = draw(corpus, out, "--n", 30, "--seed", 11)  # the latest sample of B
    s = summary(corpus, b)
    assert s["status"] == "in_progress" and s["sample_id"] == rows[0]["sample_id"]
    assert s["drawn_from_run"] == b and s["same_run"] is True and s["seed"] == 11
    assert (s["size"], s["reviewed"], s["pass_rate"], s["ci95"]) == (30, 0, None, None)
    assert s["thresholds"] == {"size": 4000, "pass_rate": 0.96, "clause": "TC260-003 9.2"}
    assert s["meets_size"] is False and s["meets_rate"] is False and s["meets_rate_lower_bound"] is False

    write_csv(out, [{**r, "verdict": "pass" if i else "fail"} for i, r in enumerate(rows)])
    assert run("sample", "ingest", out, "--db", corpus["db"]).exit_code == 0
    s = summary(corpus, b)
    assert s["status"] == "complete" and (s["reviewed"], s["passed"], s["failed"]) == (30, 29, 1)
    assert s["pass_rate"] == pytest.approx(29 / 30, abs=1e-6) and s["meets_rate"] is True
    assert s["ci95"][0] == pytest.approx(wilson(29, 30)[0], abs=1e-5) and s["meets_rate_lower_bound"] is False
    assert s["meets_size"] is False  # 30 items, not 4,000
    assert {k: v["size"] for k, v in s["by_source"].items()} == \
        {k: v for k, v in allocate({k: len(v) for k, v in corpus["docs"].items()}, 30).items() if v}
    json.dumps(s)  # the report model serialises it as it is

    later = summary(corpus, c)  # C has no sample of its own: B's is shown, and said to be B's
    assert later["sample_id"] == s["sample_id"] and later["drawn_from_run"] == b and later["same_run"] is False
    assert summary(corpus, a) == {"status": "not_run"}


# -- usage -------------------------------------------------------------------------------------------------------------

def test_usage_errors_and_the_draw_subcommand(corpus: dict, tmp_path: Path) -> None:
    res = run("sample", "--n", 5, "--out", tmp_path / "x.csv")
    assert res.exit_code == 2 and "missing --db" in res.output
    res = run("sample", "--db", corpus["db"], "--out", tmp_path / "x.csv", "--run", "no-such-run")
    assert res.exit_code == 2 and "no run no-such-run" in res.output and "fix:" in res.output
    res = run("sample", "--db", tmp_path / "none.duckdb", "--out", tmp_path / "x.csv")
    assert res.exit_code == 2 and "no catalog" in res.output and not (tmp_path / "none.duckdb").exists()
    res = run("sample", "--db", corpus["db"], "ingest", tmp_path / "x.csv")
    assert res.exit_code == 2

    out = tmp_path / "d.csv"
    res = run("sample", "draw", "--db", corpus["db"], "--run", corpus["runs"][1], "--n", 3, "--out", out)
    assert res.exit_code == 0, res.output
    assert len(read_csv(out)) == 3
    res = run("sample", "draw", "--db", corpus["db"], "--run", corpus["runs"][1], "--n", 3, "--out", out)
    assert res.exit_code == 2 and "--force" in res.output  # a filled review.csv is never overwritten by mistake
    res = run("sample", "--db", corpus["db"], "--run", corpus["runs"][1], "--n", 3, "--out", out, "--force")
    assert res.exit_code == 0
    assert "verdict" in run("sample", "--help").output and "4,000" in run("sample", "ingest", "--help").output
