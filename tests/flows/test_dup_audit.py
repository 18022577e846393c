"""The duplicates stage inside real audits: rates within sources, clusters across them, the overlap matrix,
findings, the disclosure blocks, and an incremental audit that reuses stored signatures."""

from __future__ import annotations

import json
import random
from pathlib import Path

import duckdb
import pytest

from detectors.dedup.normalize import normalize
from detectors.dedup.shingles import shingle_strings
from flows.audit import run_audit
from provenance.dup_stage import DupOptions
from provenance.errors import InputError

pytestmark = pytest.mark.usefixtures("prefect_api")

WORDS = ("river stone quiet market lantern harbor meadow copper violet engine orchard signal winter amber "
         "thunder canvas garden pillar velvet comet shadow maple falcon ribbon summit tide ember cedar").split()


def _doc(rng: random.Random, n: int = 200) -> str:
    return " ".join(rng.choice(WORDS) + str(rng.randint(0, 99)) for _ in range(n))


def _edit(text: str, rng: random.Random, k: int) -> str:
    words = text.split()
    for i in rng.sample(range(len(words)), k):
        words[i] = "changed" + str(i)
    return " ".join(words)


def _write(path: Path, texts: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")


MANIFEST = """
dataset: {name: dup-test, provider: Test Co., intended_use: research}
sources:
  - {id: alpha, name: Alpha, stage: pretraining, modality: text, paths: [alpha/*.jsonl], format: jsonl,
     text_field: text, language: en, license: {declared: CC0-1.0}, personal_information: {consent_basis: not_applicable},
     acquisition: {method: open_licence, evidence: https://example.org/alpha}}
  - {id: beta, name: Beta, stage: pretraining, modality: text, paths: [beta/*.jsonl], format: jsonl,
     text_field: text, language: en, license: {declared: CC0-1.0}, personal_information: {consent_basis: not_applicable},
     acquisition: {method: open_licence, evidence: https://example.org/beta}}
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict:
    rng = random.Random(11)
    root = tmp_path_factory.mktemp("dups")
    base = [_doc(rng) for _ in range(40)]
    alpha = base[:30] + [base[0], base[0].upper(), _edit(base[1], rng, 1), _edit(base[2], rng, 40)]
    # beta: 10 documents of its own, 5 copied from alpha (2 exact, 3 lightly edited), and base[3] a second time: its
    # first copy in the corpus is alpha's, yet beta's two copies must count as a duplicate inside beta
    beta = base[30:40] + [base[3], base[4], _edit(base[5], rng, 1), _edit(base[6], rng, 1), _edit(base[7], rng, 1),
                          base[3]]
    _write(root / "alpha" / "a.jsonl", alpha[:20])
    _write(root / "alpha" / "b.jsonl", alpha[20:])
    _write(root / "beta" / "a.jsonl", beta)
    (root / "manifest.yaml").write_text(MANIFEST, encoding="utf-8")
    out = root / "out"
    first = run_audit(root / "manifest.yaml", out=out, stages=["scan", "duplicates"])
    return {"root": root, "out": out, "first": first, "alpha": alpha, "beta": beta,
            "doc": json.loads(first.disclosure.read_text(encoding="utf-8"))}


def _block(doc: dict, source_id: str) -> dict:
    return next(s for s in doc["sources"] if s["id"] == source_id)["duplicates"]


def test_rates_within_a_source(corpus) -> None:
    alpha = _block(corpus["doc"], "alpha")
    assert alpha["documents"] == 34
    assert alpha["exact_duplicates"] == 2                      # base[0] twice more (one upper-cased)
    # one word of 200 edited: Jaccard ≈ 0.95, counted at every threshold; forty edited: ≈ 0.2, at none. (Pairs
    # near a threshold are left out: the estimate's standard error is ≈ 0.035 with 128 permutations.)
    assert alpha["near_duplicates"] == {"0.7": 3, "0.8": 3, "0.9": 3}
    assert alpha["near_duplicate_rate"]["0.8"] == round(3 / 34, 6)
    assert alpha["clusters"] == 2
    beta = _block(corpus["doc"], "beta")
    assert beta["exact_duplicates"] == 1 and beta["near_duplicates"]["0.8"] == 1


def test_overlap_matrix_and_clusters_across_sources(corpus) -> None:
    corpus_block = corpus["doc"]["corpus"]["duplicates"]
    overlap = {(o["source_a"], o["source_b"]): o for o in corpus_block["overlap"]}
    assert overlap[("beta", "alpha")]["documents"] == 6
    assert overlap[("beta", "alpha")]["share_of_a"] == round(6 / 16, 6)
    assert overlap[("alpha", "beta")]["documents"] == 5
    assert overlap[("beta", "alpha")]["example_doc_a"].startswith("beta:")
    assert _block(corpus["doc"], "beta")["in_other_sources"] == 6
    # clusters across sources: base[0]×3 and base[1]+edit inside alpha, five alpha–beta pairs
    con = duckdb.connect(str(corpus["out"] / "audit.duckdb"), read_only=True)
    run = corpus["first"].run_id
    sizes = sorted(r[0] for r in con.execute(
        "SELECT count(*) FROM dup_clusters WHERE run_id = ? GROUP BY cluster_id", [run]).fetchall())
    reps = con.execute("SELECT count(*) FROM dup_clusters WHERE run_id = ? AND representative", [run]).fetchone()[0]
    pairs_ok = con.execute("SELECT bool_and(doc_a < doc_b) FROM dup_pairs WHERE run_id = ?", [run]).fetchone()[0]
    con.close()
    assert sizes == [2, 2, 2, 2, 2, 3, 3] and reps == 7 and pairs_ok
    assert corpus_block["near_duplicates"] == sum(sizes) - len(sizes)


def test_findings(corpus) -> None:
    codes = {(f["code"], f["source"]) for f in corpus["doc"]["findings"]}
    assert ("DUP_SOURCE_OVERLAP", "beta") in codes          # a third of beta is in alpha
    assert ("DUP_SOURCE_OVERLAP", "alpha") in codes         # 5 of 34 = 14.7% ≥ 10%
    assert ("DUP_HIGH_RATE", "alpha") not in codes          # 3 of 34 = 8.8% < 10%
    overlap = next(f for f in corpus["doc"]["findings"] if f["code"] == "DUP_SOURCE_OVERLAP" and f["source"] == "beta")
    assert overlap["count"] == 6 and "37.5%" in overlap["message"]


def test_high_rate_finding_follows_the_option(corpus, tmp_path) -> None:
    run = run_audit(corpus["root"] / "manifest.yaml", out=tmp_path / "o", stages=["scan", "duplicates"],
                    dup=DupOptions(high_rate=0.07))  # alpha 8.8%, beta 6.3%
    doc = json.loads(run.disclosure.read_text(encoding="utf-8"))
    assert {f["source"] for f in doc["findings"] if f["code"] == "DUP_HIGH_RATE"} == {"alpha"}


def test_incremental_audit_reuses_signatures(corpus) -> None:
    root, out = corpus["root"], corpus["out"]
    con = duckdb.connect(str(out / "audit.duckdb"), read_only=True)
    before = con.execute("SELECT count(*) FROM dup_documents").fetchone()[0]
    con.close()
    # a new file in beta with a copy of an alpha document; the other files are unchanged
    _write(root / "beta" / "b.jsonl", [corpus["alpha"][8]])
    second = run_audit(root / "manifest.yaml", out=out, stages=["scan", "duplicates"])
    assert second.files_read == 1 and second.files_reused == 3
    con = duckdb.connect(str(out / "audit.duckdb"), read_only=True)
    after = con.execute("SELECT count(*) FROM dup_documents").fetchone()[0]
    con.close()
    assert after == before + 1  # only the new document was hashed
    doc = json.loads(second.disclosure.read_text(encoding="utf-8"))
    assert _block(doc, "beta")["in_other_sources"] == 7
    (root / "beta" / "b.jsonl").unlink()


def _texts(corpus) -> dict[str, str]:
    return {**{f"alpha:alpha/{'a' if i < 20 else 'b'}.jsonl#{i % 20}": t for i, t in enumerate(corpus["alpha"])},
            **{f"beta:beta/a.jsonl#{i}": t for i, t in enumerate(corpus["beta"])}}


def test_pairs_carry_their_exact_jaccard(corpus) -> None:
    texts = _texts(corpus)
    con = duckdb.connect(str(corpus["out"] / "audit.duckdb"), read_only=True)
    pairs = con.execute("SELECT doc_a, doc_b, jaccard, estimated_jaccard, verified, exact FROM dup_pairs "
                        "WHERE run_id = ?", [corpus["first"].run_id]).fetchall()
    con.close()
    assert pairs and all(verified for *_, verified, _ in pairs)
    for doc_a, doc_b, jaccard, estimated, _, exact in pairs:
        sa, sb = shingle_strings(texts[doc_a]), shingle_strings(texts[doc_b])
        assert jaccard == pytest.approx(len(sa & sb) / len(sa | sb)), (doc_a, doc_b)
        assert exact == (normalize(texts[doc_a]) == normalize(texts[doc_b]))
        assert abs(estimated - jaccard) < 0.2


def test_estimate_mode_keeps_the_estimate(corpus, tmp_path) -> None:
    run = run_audit(corpus["root"] / "manifest.yaml", out=tmp_path / "e", stages=["scan", "duplicates"],
                    dup=DupOptions(verify="estimate"))
    con = duckdb.connect(str(run.db), read_only=True)
    rows = con.execute("SELECT jaccard = estimated_jaccard, verified, exact FROM dup_pairs").fetchall()
    con.close()
    assert rows and all(same and verified == exact for same, verified, exact in rows)


def test_options_are_validated() -> None:
    with pytest.raises(InputError, match="one of 0.7, 0.8, 0.9"):
        DupOptions(threshold=0.75)
    with pytest.raises(InputError, match="needs 160 hash values"):
        DupOptions(bands=20, rows=8)
    with pytest.raises(InputError, match="exact or estimate"):
        DupOptions(verify="maybe")
