"""Matching documents against a run's stored signatures (provenance.dup_query), on a real audit of a small corpus
written here: two sources with copies and near copies planted within and across them.

The text is invented (pseudo-words from a seeded generator), so nothing personal is read or printed.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from flows.audit import run_audit
from provenance import dup_query
from provenance.catalog import Catalog
from provenance.errors import InputError

pytestmark = pytest.mark.usefixtures("prefect_api")

WORDS_PER_DOC = 120  # one changed word leaves Jaccard (116 − 5) / (116 + 5) ≈ 0.92 on word 5-grams
_SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zu", "pe", "shi", "an", "or", "el", "du", "fi", "go"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))


def _doc(seed: int) -> str:
    rng = random.Random(seed)
    return " ".join(_word(rng) for _ in range(WORDS_PER_DOC))


def _near(text: str, position: int = WORDS_PER_DOC // 2) -> str:
    """The same text with one word replaced: a near duplicate well above 0.8."""
    words = text.split()
    words[position] = "zzzplanted"
    return " ".join(words)


D = [_doc(i) for i in range(10)]          # documents of source a
E = [_doc(100 + i) for i in range(4)]     # documents only in source b
FRESH = [_doc(1000 + i) for i in range(6)]  # in no source

# a.jsonl: D0..D7, then a near copy of D0 (#8) and D1 again in other case and spacing (#9, an exact copy after
# normalisation). b.jsonl: D2 copied (#0), a near copy of D3 (#1), a record without text (#2), then E0..E3.
SOURCE_A = [*D[:8], _near(D[0]), "  " + D[1].upper().replace(" ", "   ") + "\n"]
SOURCE_B = [D[2], _near(D[3], 10), None, *E]
# the clusters at 0.8 and the non-representative member of each (the representative is the smallest doc_id)
DROPPED = {"src-a:a.jsonl#8", "src-a:a.jsonl#9", "src-b:b.jsonl#0", "src-b:b.jsonl#1"}


def write_jsonl(path: Path, texts: list[str | None], field: str = "text") -> Path:
    with open(path, "w", encoding="utf-8") as f:
        for i, text in enumerate(texts):
            f.write(json.dumps({"id": i, field: text} if text is not None else {"id": i}) + "\n")
    return path


def write_corpus(folder: Path) -> Path:
    """The two-source corpus and its manifest; returns the manifest's path."""
    folder.mkdir(parents=True, exist_ok=True)
    write_jsonl(folder / "a.jsonl", SOURCE_A)
    write_jsonl(folder / "b.jsonl", SOURCE_B)
    manifest = folder / "manifest.yaml"
    manifest.write_text("""\
dataset: {name: dup-query-test, provider: Test Co., intended_use: research}
sources:
  - id: src-a
    name: Source A
    stage: pretraining
    paths: [a.jsonl]
    format: jsonl
    acquisition: {method: synthetic, generator_model: seeded pseudo-words}
    license: CC0-1.0
  - id: src-b
    name: Source B
    stage: pretraining
    paths: [b.jsonl]
    format: jsonl
    acquisition: {method: synthetic, generator_model: seeded pseudo-words}
    license: CC0-1.0
""", encoding="utf-8")
    return manifest


def audit_corpus(tmp: Path) -> dict:
    """One audit with the duplicates stage, then a scan-only run into the same catalog (the newest run)."""
    manifest = write_corpus(tmp / "corpus")
    db = tmp / "out" / "audit.duckdb"
    dup = run_audit(manifest, db=db, out=tmp / "out", stages=["scan", "duplicates"])
    scan_only = run_audit(manifest, db=db, out=tmp / "out-scan", stages=["scan"])
    return {"db": db, "run_id": dup.run_id, "scan_run_id": scan_only.run_id, "tmp": tmp}


@pytest.fixture(scope="module")
def audited(tmp_path_factory) -> dict:
    return audit_corpus(tmp_path_factory.mktemp("dupquery"))


@pytest.fixture()
def catalog(audited):
    with Catalog.open(audited["db"], read_only=True) as cat:
        yield cat


def test_the_default_run_is_the_latest_with_the_duplicates_stage(audited, catalog) -> None:
    assert dup_query.duplicates_run(catalog) == audited["run_id"]
    assert dup_query.duplicates_run(catalog, audited["run_id"]) == audited["run_id"]
    with pytest.raises(InputError, match="did not include the duplicates stage") as e:
        dup_query.duplicates_run(catalog, audited["scan_run_id"])
    assert "--stages" in e.value.fix
    with pytest.raises(InputError, match="no run nope"):
        dup_query.duplicates_run(catalog, "nope")


def test_match_finds_exact_and_near_copies_and_nothing_else(audited, catalog) -> None:
    texts = [D[4], _near(D[5], 3), E[1].lower(), FRESH[0], "", "!!!"]
    m = dup_query.match_against_run(catalog, audited["run_id"], texts)
    assert m.schema.names == ["qid", "doc_id", "source_id", "jaccard", "exact"]
    rows = {(r["qid"], r["doc_id"]): r for r in m.to_pylist()}
    assert set(rows) == {(0, "src-a:a.jsonl#4"), (1, "src-a:a.jsonl#5"), (2, "src-b:b.jsonl#4")}
    assert rows[(0, "src-a:a.jsonl#4")]["exact"] and rows[(0, "src-a:a.jsonl#4")]["jaccard"] == 1.0
    assert rows[(2, "src-b:b.jsonl#4")]["exact"]                            # case is normalised away
    near = rows[(1, "src-a:a.jsonl#5")]
    assert not near["exact"] and 0.8 <= near["jaccard"] < 1.0


def test_match_returns_every_copy_or_only_the_best(audited, catalog) -> None:
    run = audited["run_id"]
    every = dup_query.match_against_run(catalog, run, [D[0], D[2]]).to_pylist()
    # D0 is a.jsonl#0 exactly and a.jsonl#8 nearly; D2 is in both sources
    assert [(r["qid"], r["doc_id"], r["exact"]) for r in every] == [
        (0, "src-a:a.jsonl#0", True), (0, "src-a:a.jsonl#8", False),
        (1, "src-a:a.jsonl#2", True), (1, "src-b:b.jsonl#0", True)]
    best = dup_query.match_against_run(catalog, run, [D[0], D[2]], best=True).to_pylist()
    assert [(r["qid"], r["doc_id"]) for r in best] == [(0, "src-a:a.jsonl#0"), (1, "src-a:a.jsonl#2")]


def test_match_takes_precomputed_signatures_and_own_qids(audited, catalog) -> None:
    table = dup_query.query_signatures([FRESH[1], D[6]], qids=["x", "y"])
    assert table.schema.field("signature").type == pa.list_(pa.uint32())
    m = dup_query.match_against_run(catalog, audited["run_id"], table)
    assert m.column("qid").to_pylist() == ["y"] and m.column("doc_id").to_pylist() == ["src-a:a.jsonl#6"]
    texts = pa.table({"qid": [7], "text": [D[7]]})
    assert dup_query.match_against_run(catalog, audited["run_id"], texts).column("qid").to_pylist() == [7]
    assert dup_query.match_against_run(catalog, audited["run_id"], []).num_rows == 0


def test_a_lower_threshold_uses_its_own_banding_and_finds_looser_copies(audited, catalog) -> None:
    words = D[7].split()
    for i in (20, 50, 80):  # three changed words: Jaccard ≈ (116 − 15) / (116 + 15) ≈ 0.77
        words[i] = "zzzloose"
    loose = " ".join(words)
    assert dup_query.match_against_run(catalog, audited["run_id"], [loose], 0.9).num_rows == 0
    found = dup_query.match_against_run(catalog, audited["run_id"], [loose], 0.6).to_pylist()
    assert [r["doc_id"] for r in found] == ["src-a:a.jsonl#7"] and 0.6 <= found[0]["jaccard"] < 0.9


def test_document_locations(audited, catalog) -> None:
    where = dup_query.document_locations(catalog, ["src-b:b.jsonl#6", "src-a:a.jsonl#0", "missing#1"],
                                         audited["run_id"])
    assert where == {"src-a:a.jsonl#0": {"source_id": "src-a", "path": "a.jsonl", "member": "", "line": 1},
                     "src-b:b.jsonl#6": {"source_id": "src-b", "path": "b.jsonl", "member": "", "line": 7}}
    assert dup_query.document_locations(catalog, ["src-a:a.jsonl#0"]) == {k: v for k, v in where.items()
                                                                          if k == "src-a:a.jsonl#0"}


def test_overlap_report_of_a_file(audited, catalog, tmp_path) -> None:
    new = write_jsonl(tmp_path / "new.jsonl", [D[4], _near(D[5], 7), E[0], FRESH[2], FRESH[3], None])
    report = dup_query.overlap_report(catalog, audited["run_id"], new)
    (s,) = report["sources"]
    assert s["source"] == "new.jsonl"
    assert (s["records"], s["documents"], s["rejected"]) == (6, 5, 1)
    assert (s["exact_present"], s["near_present"], s["present"], s["adds"]) == (2, 1, 3, 2)
    assert s["share_present"] == 0.6
    assert [(m["source_id"], m["documents"], m["exact"]) for m in s["matches"]] == [("src-a", 2, 1),
                                                                                     ("src-b", 1, 1)]
    (finding,) = report["findings"]
    assert finding["code"] == "DUP_ALREADY_PRESENT" and finding["severity"] == "medium"
    assert finding["source"] == "new.jsonl" and "3 of 5 documents (60.0%)" in finding["message"]
    assert report["findings_by_severity"] == {"medium": 1}


def test_overlap_report_of_a_manifest_per_source(audited, catalog, tmp_path) -> None:
    write_jsonl(tmp_path / "mostly_old.jsonl", [D[1], D[2], D[3], FRESH[4]], field="body")
    write_jsonl(tmp_path / "mostly_new.jsonl", [E[3], FRESH[4], FRESH[5], _doc(2000), _doc(2001)])
    manifest = tmp_path / "new.yaml"
    manifest.write_text("""\
dataset: {name: candidate, provider: Test Co., intended_use: research}
sources:
  - id: old-ish
    name: Mostly old
    stage: finetuning
    paths: [mostly_old.jsonl]
    text_field: body
  - id: new-ish
    name: Mostly new
    stage: finetuning
    paths: [mostly_new.jsonl, missing/*.jsonl]
""", encoding="utf-8")
    report = dup_query.overlap_report(catalog, audited["run_id"], manifest)
    assert report["kind"] == "manifest"
    by = {s["source"]: s for s in report["sources"]}
    assert (by["old-ish"]["documents"], by["old-ish"]["present"], by["old-ish"]["share_present"]) == (4, 3, 0.75)
    assert by["old-ish"]["exact_present"] == 3
    assert (by["new-ish"]["documents"], by["new-ish"]["present"], by["new-ish"]["adds"]) == (5, 1, 4)
    assert by["new-ish"]["problems"] == [{"path": "missing/*.jsonl", "code": "SCAN_NO_FILES",
                                          "message": "the glob matches no file"}]
    assert [f["source"] for f in report["findings"]] == ["old-ish"]


def test_overlap_of_a_file_with_the_wrong_text_field_names_the_option(audited, catalog, tmp_path) -> None:
    new = write_jsonl(tmp_path / "body.jsonl", [FRESH[0], FRESH[1]], field="body")
    with pytest.raises(InputError, match="none of the first 2 records") as e:
        dup_query.overlap_report(catalog, audited["run_id"], new)
    assert "--text-field" in e.value.fix
    assert dup_query.overlap_report(catalog, audited["run_id"], new, text_field="body")["sources"][0]["adds"] == 2


def test_check_removed_locates_the_copies(audited, catalog, tmp_path) -> None:
    reported = tmp_path / "reported.jsonl"
    reported.write_text("\n".join([
        json.dumps({"id": "R-1", "text": _near(D[6], 90)}),
        json.dumps({"id": "R-2", "text": E[2]}),
        "{not json",
        json.dumps({"text": FRESH[5]}),
        json.dumps({"id": "R-5", "body": "no text field"}),
        "",
    ]), encoding="utf-8")
    items, bad = dup_query.read_reported(reported)
    assert [i.id for i in items] == ["R-1", "R-2", "line 4"]
    assert [b["line"] for b in bad] == [3, 5]
    results = dup_query.check_removed(catalog, audited["run_id"], items)
    assert [r["present"] for r in results] == [True, True, False]
    (m,) = results[0]["matches"]
    assert (m["doc_id"], m["source_id"], m["path"], m["member"], m["line"], m["exact"]) == (
        "src-a:a.jsonl#6", "src-a", "a.jsonl", "", 7, False)
    assert results[1]["matches"][0]["exact"] and results[1]["matches"][0]["doc_id"] == "src-b:b.jsonl#5"


def test_read_reported_without_a_usable_line_names_the_text_field(tmp_path) -> None:
    reported = write_jsonl(tmp_path / "r.jsonl", ["a", "b"], field="content")
    with pytest.raises(InputError, match="no usable item") as e:
        dup_query.read_reported(reported)
    assert "--text-field" in e.value.fix
    assert len(dup_query.read_reported(reported, "content")[0]) == 2
    with pytest.raises(InputError, match="no such file"):
        dup_query.read_reported(tmp_path / "absent.jsonl")


def test_clusters_and_keep_list(audited, catalog) -> None:
    table = dup_query.cluster_table(catalog, audited["run_id"])
    rows = table.to_pylist()
    assert len(rows) == 8 and len({r["cluster_id"] for r in rows}) == 4
    assert {r["doc_id"] for r in rows if not r["representative"]} == DROPPED
    assert all(r["cluster_size"] == 2 and r["path"] in ("a.jsonl", "b.jsonl") and r["line"] for r in rows)
    keep = list(dup_query.keep_doc_ids(catalog, audited["run_id"]))
    documents = dup_query.run_documents(catalog, audited["run_id"])
    assert documents == len(SOURCE_A) + len(SOURCE_B) - 1
    assert len(keep) == documents - len(DROPPED) and not DROPPED & set(keep)


def test_signatures_of_another_configuration_are_refused(audited, tmp_path) -> None:
    db = tmp_path / "other.duckdb"
    shutil.copy(audited["db"], db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE stage_results SET config_hash = '0000000000000000' WHERE stage = 'duplicates'")
    con.close()
    with Catalog.open(db, read_only=True) as cat, pytest.raises(InputError, match="another configuration"):
        dup_query.match_against_run(cat, audited["run_id"], [D[0]])
