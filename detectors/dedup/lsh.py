"""LSH banding over MinHash signatures, in memory: candidate pairs, estimated and exact Jaccard.

Used where the documents fit in memory (`provenance near-dups` on a few files, the accuracy benchmark). The audit
groups the same band keys in DuckDB instead (provenance/sql/dup_*.sql), so its index never has to fit in memory.

Banding: b bands of r rows; two documents are candidates when all r values of any band are equal, which happens
with probability 1 − (1 − J^r)^b for Jaccard J. The default 16 × 8 finds a pair at J = 0.8 with probability 0.947
and 99.5% of the pairs at J ≥ 0.8 on real text (ARCHITECTURE.md). For another threshold `banding_for` picks the
largest r (b = num_perm // r) that keeps at least that same probability at the threshold.

A bucket of k documents gives k(k−1)/2 pairs; beyond BUCKET_PAIRS_MAX members it is linked as a star to its first
document instead (k − 1 pairs), which keeps the clusters (connected components) the same at linear cost.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BUCKET_PAIRS_MAX", "DEFAULT_BANDING", "banding_for", "candidate_probability", "band_keys",
           "candidate_pairs", "estimated_jaccard", "exact_jaccard"]

BUCKET_PAIRS_MAX = 64
DEFAULT_BANDING = (16, 8)


def candidate_probability(j: float, bands: int, rows: int) -> float:
    return 1.0 - (1.0 - j ** rows) ** bands


def banding_for(threshold: float, num_perm: int = 128) -> tuple[int, int]:
    """(bands, rows) for a Jaccard threshold: 16 × 8 at 0.8; elsewhere the same sensitivity at the threshold."""
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be between 0 and 1 (exclusive), got {threshold}")
    if abs(threshold - 0.8) < 1e-9 and num_perm >= 128:
        return DEFAULT_BANDING
    target = candidate_probability(0.8, *DEFAULT_BANDING)
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if candidate_probability(threshold, bands, rows) >= target:
            best = (bands, rows)
    return best


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(documents × bands) uint64: a 64-bit key per band (a polynomial of its r values; equal bands, equal keys)."""
    if bands * rows > signatures.shape[1]:
        raise ValueError(f"{bands} bands × {rows} rows need {bands * rows} hash values; signatures have "
                         f"{signatures.shape[1]}")
    sig = signatures[:, :bands * rows].astype(np.uint64).reshape(len(signatures), bands, rows)
    key = np.zeros((len(signatures), bands), dtype=np.uint64)
    for k in range(rows):
        key = key * np.uint64(0x100000001B3) + sig[:, :, k] + np.uint64(1)
    return key


def candidate_pairs(signatures: np.ndarray, bands: int = 16, rows: int = 8,
                    valid: np.ndarray | None = None) -> np.ndarray:
    """(k × 2) int64 index pairs (i < j), each once, of documents sharing a band. `valid` masks documents out
    (e.g. those without shingles, whose all-EMPTY signatures would all collide)."""
    keys = band_keys(signatures, bands, rows)
    idx = np.arange(len(signatures))
    if valid is not None:
        keys, idx = keys[valid], idx[valid]
    out: list[np.ndarray] = []
    for b in range(bands):
        order = np.argsort(keys[:, b], kind="stable")
        k, members = keys[order, b], idx[order]
        cut = np.flatnonzero(np.diff(k)) + 1
        starts = np.concatenate(([0], cut))
        sizes = np.diff(np.concatenate((starts, [len(k)])))
        for s, n in zip(starts[sizes > 1], sizes[sizes > 1]):
            group = np.sort(members[s:s + n])
            if n <= BUCKET_PAIRS_MAX:
                i, j = np.triu_indices(n, 1)
                out.append(np.stack((group[i], group[j]), axis=1))
            else:
                out.append(np.stack((np.full(n - 1, group[0]), group[1:]), axis=1))
    if not out:
        return np.zeros((0, 2), dtype=np.int64)
    return np.unique(np.concatenate(out).astype(np.int64), axis=0)


def estimated_jaccard(signatures: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Share of equal signature values per pair: datasketch's MinHash.jaccard, vectorised."""
    if len(pairs) == 0:
        return np.zeros(0)
    return (signatures[pairs[:, 0]] == signatures[pairs[:, 1]]).mean(axis=1)


def exact_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard of two sets of shingle hashes (arrays, repeats allowed)."""
    ua, ub = np.unique(a), np.unique(b)
    if len(ua) == 0 and len(ub) == 0:
        return 1.0
    inter = len(np.intersect1d(ua, ub, assume_unique=True))
    return inter / (len(ua) + len(ub) - inter)
