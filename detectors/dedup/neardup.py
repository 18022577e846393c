"""Near-duplicate pairs among documents held in memory: signatures → LSH candidates → verified Jaccard.

What `provenance near-dups` and the accuracy benchmark call. Verification is the exact Jaccard of the two
documents' shingle-hash sets (32-bit hashes; a chance collision inside one document of 10⁵ shingles is about one
shingle, well under 10⁻³ of the Jaccard).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detectors.dedup.lsh import banding_for, candidate_pairs, estimated_jaccard, exact_jaccard
from detectors.dedup.minhash import signatures
from detectors.dedup.normalize import normalize
from detectors.dedup.shingles import batch_shingle_hashes

__all__ = ["NearDuplicate", "find_near_duplicates"]


@dataclass(frozen=True)
class NearDuplicate:
    a: int                    # index of the first document (a < b)
    b: int
    estimated_jaccard: float  # from the MinHash signatures
    jaccard: float | None     # exact, on the shingle sets (None when not verified)


def find_near_duplicates(texts: list[str], threshold: float = 0.8, *, bands: int | None = None,
                         rows: int | None = None, num_perm: int = 128, seed: int = 1, verify: bool = True,
                         batch_docs: int = 4096) -> list[NearDuplicate]:
    """Pairs of documents whose Jaccard similarity is at least `threshold` (exact when verify, else estimated)."""
    if (bands is None) != (rows is None):
        raise ValueError("give both bands and rows, or neither")
    if bands is None:
        bands, rows = banding_for(threshold, num_perm)
    sigs = np.zeros((len(texts), num_perm), dtype=np.uint32)
    kept: list[np.ndarray] = []
    counts = np.zeros(len(texts), dtype=np.int64)
    for start in range(0, len(texts), batch_docs):
        sh = batch_shingle_hashes([normalize(t) for t in texts[start:start + batch_docs]])
        sigs[start:start + len(sh.offsets) - 1] = signatures(sh.hashes, sh.offsets, num_perm, seed)
        counts[start:start + len(sh.offsets) - 1] = np.diff(sh.offsets)
        if verify:
            kept += [sh.hashes[sh.offsets[i]:sh.offsets[i + 1]] for i in range(len(sh.offsets) - 1)]
    pairs = candidate_pairs(sigs, bands, rows, valid=counts > 0)
    est = estimated_jaccard(sigs, pairs)
    out = []
    for (a, b), e in zip(pairs.tolist(), est.tolist()):
        j = exact_jaccard(kept[a], kept[b]) if verify else None
        if (j if j is not None else e) >= threshold:
            out.append(NearDuplicate(a, b, e, j))
    return out
