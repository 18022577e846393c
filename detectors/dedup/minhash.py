"""MinHash signatures of a whole batch at once, identical to datasketch's.

datasketch (2.x, its default "affine32" scheme) pre-mixes each 32-bit shingle hash with the MurmurHash3 finalizer,
then permutes it as a·h + b mod 2^32 for each of num_perm odd a, and keeps the minimum per permutation. This module
does the same arithmetic (numpy's uint32 wraps like datasketch's does, and the finalizer is datasketch's own
function) over the shingles of many documents: permutations × shingles in cache-sized chunks, and one
`minimum.reduceat` per chunk for the per-document minima. A test holds every signature equal to datasketch's
`MinHash(num_perm, seed, hashfunc=shingle_hash)` updated with the same shingles; the benchmark compares the speed
with datasketch's per-shingle `update` loop.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from datasketch import MinHash
from datasketch.minhash import _fmix  # the scheme's pre-mix; a parity test fails if datasketch changes it

__all__ = ["SCHEME", "EMPTY", "permutations", "signatures"]

SCHEME = "affine32"
EMPTY = (1 << 32) - 1  # datasketch's initial hash value; an all-EMPTY signature means "no shingles"
CHUNK = 16384          # shingles per chunk: 128 × 16384 × 4 bytes = 8 MB of work array


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's own (a, b) for this num_perm and seed, as uint32 columns."""
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
    return a.astype(np.uint32)[:, None], b.astype(np.uint32)[:, None]


def signatures(hashes: np.ndarray, offsets: np.ndarray, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """uint32 array (documents × num_perm): the MinHash of hashes[offsets[i]:offsets[i+1]] for each document i.

    `hashes` are 32-bit values (any unsigned dtype). A document without shingles gets all EMPTY, as datasketch's
    MinHash of nothing."""
    a, b = permutations(num_perm, seed)
    n_docs = len(offsets) - 1
    sig = np.full((num_perm, n_docs), EMPTY, dtype=np.uint32)
    mixed = _fmix(hashes.astype(np.uint32), 32)
    total = len(mixed)
    ends = offsets[1:]
    for start in range(0, total, CHUNK):
        stop = min(start + CHUNK, total)
        x = a * mixed[None, start:stop]
        x += b
        # documents with shingles in [start, stop), and where each begins inside the chunk
        first = int(np.searchsorted(ends, start, side="right"))
        last = int(np.searchsorted(ends, stop - 1, side="right"))
        docs = np.arange(first, last + 1)
        docs = docs[offsets[docs + 1] > offsets[docs]]  # an empty document owns no column
        local = np.maximum(offsets[docs], start) - start
        mins = np.minimum.reduceat(x, local, axis=1)
        sig[:, docs] = np.minimum(sig[:, docs], mins)
    return np.ascontiguousarray(sig.T)
