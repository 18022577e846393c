"""The duplicates detector's pieces: normalisation, shingles (vectorised = reference), signatures (= datasketch),
LSH banding and the in-memory near-duplicate search."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest
from datasketch import MinHash

from detectors import create
from detectors.dedup.detector import DedupConfig, DuplicateDetector
from detectors.dedup.lsh import banding_for, candidate_pairs, candidate_probability, estimated_jaccard, exact_jaccard
from detectors.dedup.minhash import EMPTY, signatures
from detectors.dedup.neardup import find_near_duplicates
from detectors.dedup.normalize import exact_hash, normalize
from detectors.dedup.shingles import (_grams, batch_shingle_hashes, is_cjk_text, shingle_hash, shingle_hashes,
                                      shingle_strings, units)

EN = ("The committee met on Tuesday to review the proposal for the new library building, and after a long "
      "discussion about costs and the timetable it agreed to ask the architects for a revised plan.")
ZH = "会议于周二召开，审议新图书馆大楼的建设方案。经过对成本和工期的长时间讨论，会议决定请建筑师提交修订后的方案。"


def _random_text(rng: random.Random) -> str:
    pools = ["abcdefghij KLMNOP 0123 ", "的一是在不了有和人这中大为上个国 ", "ｆｕｌｌ１２３　", "\u00e9\u0301\u00df ",
             "🙂😀 \t\n", "「」，。！？,.;:-", "ひらがなカタカナ한국어 "]
    pool = "".join(rng.sample(pools, rng.randint(1, len(pools))))
    return "".join(rng.choice(pool) for _ in range(rng.randint(0, 120)))


# -- normalisation -------------------------------------------------------------------------------------------------

def test_normalize_folds_width_case_and_whitespace() -> None:
    assert normalize("  Ｈｅｌｌｏ\u3000WORLD\n\tagain  ") == "hello world again"
    assert exact_hash(normalize("A  b")) == exact_hash(normalize("a b"))
    assert exact_hash(normalize("a b")) != exact_hash(normalize("a c"))


# -- shingles --------------------------------------------------------------------------------------------------------

def test_script_decides_the_shingles() -> None:
    assert is_cjk_text(normalize(ZH)) and not is_cjk_text(normalize(EN))
    assert units(normalize(ZH))[:3] == ["会", "议", "于"]  # punctuation dropped, one unit per character
    assert units(normalize("Hello, world-wide web!")) == ["hello", "world", "wide", "web"]
    assert shingle_strings("one two three four five six") == {"one two three four five", "two three four five six"}
    assert shingle_strings("too short") == {"too short"}
    assert shingle_strings(" ,.。 ") == set()


def test_vectorised_shingles_equal_the_reference() -> None:
    rng = random.Random(7)
    texts = [_random_text(rng) for _ in range(400)] + [EN, ZH, "", "a", "中", "x" * 5, "\ud800 lone surrogate"]
    batch = batch_shingle_hashes([normalize(t) for t in texts])
    for i, text in enumerate(texts):
        got = batch.hashes[batch.offsets[i]:batch.offsets[i + 1]].tolist()
        assert got == shingle_hashes(text), repr(text)
        assert bool(batch.cjk[i]) == is_cjk_text(normalize(text))


# -- signatures ------------------------------------------------------------------------------------------------------

def test_signatures_equal_datasketch() -> None:
    rng = random.Random(3)
    texts = [EN, ZH, "", "short", EN * 50] + [_random_text(rng) for _ in range(60)]
    batch = batch_shingle_hashes([normalize(t) for t in texts])
    sigs = signatures(batch.hashes, batch.offsets, 128, 1)
    for i, text in enumerate(texts):
        reference = MinHash(num_perm=128, seed=1, hashfunc=shingle_hash)
        grams = _grams(units(normalize(text)))
        if grams:
            reference.update_batch(grams)
        assert np.array_equal(reference.hashvalues, sigs[i]), repr(text[:40])
    assert (sigs[2] == EMPTY).all()


def test_signatures_across_chunk_boundaries() -> None:
    # a document spanning several chunks, and many tiny ones around it, against one-document-at-a-time
    rng = np.random.default_rng(5)
    hashes = rng.integers(0, 2**32, size=50_000, dtype=np.uint64)
    offsets = np.array([0, 3, 3, 40_000, 40_001, 50_000])
    together = signatures(hashes, offsets)
    for i in range(len(offsets) - 1):
        alone = signatures(hashes[offsets[i]:offsets[i + 1]], np.array([0, offsets[i + 1] - offsets[i]]))
        assert np.array_equal(together[i], alone[0])


# -- LSH -------------------------------------------------------------------------------------------------------------

def test_banding_default_and_same_sensitivity_elsewhere() -> None:
    assert banding_for(0.8) == (16, 8)
    target = candidate_probability(0.8, 16, 8)
    for t in (0.5, 0.7, 0.9):
        bands, rows = banding_for(t)
        assert bands * rows <= 128 and candidate_probability(t, bands, rows) >= target
        assert candidate_probability(t, 128 // (rows + 1), rows + 1) < target  # the largest such r
    with pytest.raises(ValueError, match="between 0 and 1"):
        banding_for(1.0)


def test_candidates_estimates_and_big_buckets() -> None:
    sigs = np.zeros((100, 128), dtype=np.uint32)
    sigs[:, :] = np.arange(100)[:, None] * 1000 + np.arange(128)  # all different
    sigs[1] = sigs[0]
    sigs[2, :64] = sigs[0, :64]                                      # half equal: shares 8 of 16 bands with doc 0
    sigs[10:90] = 7                                                  # 80 identical: a bucket over the pair limit
    pairs = candidate_pairs(sigs, 16, 8)
    as_set = {tuple(p) for p in pairs.tolist()}
    assert {(0, 1), (0, 2), (1, 2)} <= as_set
    big = [p for p in as_set if p[0] >= 10]
    assert len(big) == 79 and all(p[0] == 10 for p in big)  # a star on the bucket's first document
    est = dict(zip(map(tuple, pairs.tolist()), estimated_jaccard(sigs, pairs)))
    assert est[(0, 1)] == 1.0 and est[(0, 2)] == 0.5
    assert exact_jaccard(np.array([1, 2, 3]), np.array([2, 3, 4, 4])) == 0.5


def test_find_near_duplicates_verifies_with_exact_jaccard() -> None:
    words = EN.split()
    edited = " ".join(words[:-1] + ["tomorrow."])            # one word of 36 changed at the end
    far = " ".join(words[::-1])
    zh_edit = ZH.replace("周二", "周三")
    found = {(p.a, p.b): p for p in find_near_duplicates([EN, edited, far, ZH, zh_edit, EN.upper()], 0.8)}
    assert set(found) == {(0, 1), (0, 5), (1, 5), (3, 4)}
    for p in found.values():
        assert p.jaccard >= 0.8
        sa, sb = [shingle_strings(t) for t in ([EN, edited, far, ZH, zh_edit, EN.upper()][i] for i in (p.a, p.b))]
        assert p.jaccard == pytest.approx(len(sa & sb) / len(sa | sb))


# -- the detector ----------------------------------------------------------------------------------------------------

def test_detector_rows() -> None:
    det = create("duplicates")
    assert isinstance(det, DuplicateDetector) and det.tables() == ("dup_documents",)
    batch = pa.record_batch({"doc_id": ["a", "b", "c", "d"], "text": [EN, "", ZH, EN.upper()],
                             "file_index": pa.array([0, 0, 1, 1], pa.int32())})
    rows = det.process(batch).to_pylist()
    assert [r["shingling"] for r in rows] == ["word", "none", "char", "word"]
    assert rows[1]["signature"] is None and rows[1]["shingles"] == 0
    assert rows[0]["signature"] == rows[3]["signature"] and rows[0]["norm_hash"] == rows[3]["norm_hash"]
    assert len(rows[2]["signature"]) == 128 and rows[2]["shingles"] == len(units(normalize(ZH))) - 4


def test_config_is_recorded_and_validated() -> None:
    assert DedupConfig().recorded()["shingle"] == 5
    assert create("duplicates", DedupConfig(seed=2)).config_hash() != create("duplicates").config_hash()
    with pytest.raises(ValueError, match="num_perm"):
        DedupConfig(num_perm=4)
