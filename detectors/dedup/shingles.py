"""Shingles that suit the script, chosen per document, and their 32-bit hashes.

A document is *CJK* when at least 30% of its word characters are Han, kana or hangul: its shingles are 5 consecutive
word characters (whitespace and punctuation dropped, so line splits and punctuation variants do not matter). Any
other document is split into words (maximal runs of letters and digits) and its shingles are 5 consecutive words.
Word n-grams make Chinese pairs look unrelated; character n-grams of English are mostly shared by every text.
A document with fewer than 5 units has one shingle of all of them; one with none has no shingles.

Hashing: a unit (a character, or a word) is a 64-bit polynomial of its code points, a shingle a 64-bit polynomial of
its units, finished by splitmix64 and cut to 32 bits (datasketch's MinHash expects 32-bit hash values). Written twice:
`shingle_hashes` scalar, per document (the reference; also what a test feeds datasketch as `hashfunc`), and
`batch_shingle_hashes` vectorised with numpy over a whole batch; a test holds them equal.

This module imports neither `provenance` nor `flows`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from detectors.dedup.normalize import normalize
from detectors.textcode import M64 as _M64, P as _P, isalnum_table, mix64, mix64_np, powers as _powers

__all__ = ["N", "CJK_SHARE", "is_cjk_text", "units", "shingle_strings", "shingle_hashes", "batch_shingle_hashes",
           "BatchShingles"]

N = 5
CJK_SHARE = 0.3
_P_INV = pow(_P, -1, 1 << 64)
_Q = 0x9E3779B97F4A7C15     # shingle polynomial base


def _cjk(cp: int) -> bool:
    return (0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x3134F
            or 0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF or 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF)


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray]:
    """word[cp]: cp is a letter or digit (str.isalnum); cjk[cp]: cp is a Han, kana or hangul letter or digit."""
    word = isalnum_table()
    cjk = np.zeros(0x110000, dtype=bool)
    for lo, hi in ((0x3400, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F), (0x3040, 0x30FF), (0x31F0, 0x31FF),
                   (0xAC00, 0xD7AF), (0x1100, 0x11FF)):
        cjk[lo:hi + 1] = True
    cjk &= word
    return word, cjk


# -- the reference: one document, plain Python ---------------------------------------------------------------------

def is_cjk_text(normalized: str) -> bool:
    word = [c for c in normalized if c.isalnum()]
    return bool(word) and sum(_cjk(ord(c)) for c in word) >= CJK_SHARE * len(word)


def units(normalized: str) -> list[str]:
    """The document's units: word characters of a CJK text, else its words."""
    if is_cjk_text(normalized):
        return [c for c in normalized if c.isalnum()]
    out, cur = [], []
    for c in normalized:
        if c.isalnum():
            cur.append(c)
        elif cur:
            out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out


def _grams(items: list) -> list[tuple]:
    if not items:
        return []
    if len(items) < N:
        return [tuple(items)]
    return [tuple(items[i:i + N]) for i in range(len(items) - N + 1)]


def shingle_strings(text: str) -> set[str]:
    """The document's shingles as strings (units joined by a space): exact Jaccard is computed on these sets."""
    return {" ".join(g) for g in _grams(units(normalize(text)))}


def _unit_hash(unit: str) -> int:
    h, p = 0, 1
    for c in unit:
        h = (h + ord(c) * p) & _M64
        p = (p * _P) & _M64
    return h


def _mix32(h: int) -> int:
    return mix64(h) & 0xFFFFFFFF


def shingle_hash(gram: tuple[str, ...]) -> int:
    """32-bit hash of one shingle (a tuple of units); usable as datasketch's `hashfunc`."""
    h = 0
    for u in gram:
        h = (h * _Q + _unit_hash(u)) & _M64
    return _mix32(h)


def shingle_hashes(text: str) -> list[int]:
    """Hashes of the document's shingles, in order, repeats kept (MinHash ignores them)."""
    return [shingle_hash(g) for g in _grams(units(normalize(text)))]


# -- the fast path: a batch of documents, numpy ----------------------------------------------------------------------

@dataclass(frozen=True)
class BatchShingles:
    hashes: np.ndarray   # uint64 (values < 2^32), every document's shingles one after another
    offsets: np.ndarray  # int64, len(docs) + 1: document i's shingles are hashes[offsets[i]:offsets[i+1]]
    cjk: np.ndarray      # bool per document: shingled by characters


def _mix32_np(h: np.ndarray) -> np.ndarray:
    return mix64_np(h) & np.uint64(0xFFFFFFFF)


def batch_shingle_hashes(normalized: list[str]) -> BatchShingles:
    """The shingle hashes of every (already normalised) document of a batch, vectorised; equal to `shingle_hashes`."""
    word_t, cjk_t = _tables()
    n_docs = len(normalized)
    if n_docs == 0:
        return BatchShingles(np.zeros(0, np.uint64), np.zeros(1, np.int64), np.zeros(0, bool))
    # NUL-separated so no unit crosses a document boundary (NUL is not a word character); surrogatepass keeps lone
    # surrogates as their code points, so every value indexes the 0x110000-entry tables
    cp = np.frombuffer(("\0".join(normalized) + "\0").encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    lengths = np.fromiter((len(t) + 1 for t in normalized), dtype=np.int64, count=n_docs)
    bounds = np.concatenate(([0], np.cumsum(lengths)))
    is_word = word_t[cp]
    # per-document counts from running sums at the boundaries (cheaper than bincount over every character)
    word_count = np.diff(np.concatenate(([0], np.cumsum(is_word, dtype=np.int64)))[bounds])
    cjk_count = np.diff(np.concatenate(([0], np.cumsum(cjk_t[cp], dtype=np.int64)))[bounds])
    cjk_doc = (word_count > 0) & (cjk_count >= CJK_SHARE * word_count)
    cjk_pos = np.repeat(cjk_doc, lengths)

    # units of CJK documents: their word characters, hashed as a one-character unit (= the code point)
    char_pos = np.flatnonzero(is_word & cjk_pos)
    char_units = cp[char_pos].astype(np.uint64)
    char_docs = np.searchsorted(bounds, char_pos, side="right") - 1

    # units of other documents: words (runs of word characters), a polynomial of their code points
    w = is_word & ~cjk_pos
    # a word starts where a word character follows a non-word one; cp ends with NUL, so every word ends inside
    starts = np.flatnonzero(w[1:] & ~w[:-1]) + 1
    if len(w) and w[0]:
        starts = np.concatenate(([0], starts))
    ends = np.flatnonzero(w[:-1] & ~w[1:]) + 1  # exclusive
    if len(starts):
        span = slice(int(starts[0]), int(ends[-1]))
        base = int(starts[0])
        local = cp[span].astype(np.uint64) * _powers(_P, span.stop - span.start)
        prefix = np.concatenate(([np.uint64(0)], np.cumsum(local, dtype=np.uint64)))
        s0, e0 = starts - base, ends - base
        word_units = (prefix[e0] - prefix[s0]) * _powers(_P_INV, span.stop - span.start)[s0]
    else:
        word_units = np.zeros(0, np.uint64)
    word_docs = np.searchsorted(bounds, starts, side="right") - 1

    # one stream of units in document order (each document is all-char or all-word)
    unit = np.concatenate((char_units, word_units))
    docs = np.concatenate((char_docs, word_docs))
    if len(char_units) and len(word_units):  # each part is in document order already
        order = np.argsort(docs, kind="stable")
        unit, docs = unit[order], docs[order]
    counts = np.bincount(docs, minlength=n_docs)
    first = np.concatenate(([0], np.cumsum(counts)))[:-1]

    # full shingles: N consecutive units of one document
    m = len(unit)
    if m >= N:
        h = np.zeros(m - N + 1, dtype=np.uint64)
        for k in range(N):
            h = h * np.uint64(_Q) + unit[k:m - N + 1 + k]
        ok = docs[:m - N + 1] == docs[N - 1:]
        full, full_docs = h[ok], docs[:m - N + 1][ok]
    else:
        full, full_docs = np.zeros(0, np.uint64), np.zeros(0, np.int64)
    # short documents (1 … N-1 units): one shingle of all their units
    short = np.flatnonzero((counts > 0) & (counts < N))
    short_h = np.zeros(len(short), dtype=np.uint64)
    for k in range(N - 1):
        has = counts[short] > k
        idx = first[short][has] + k
        short_h[has] = short_h[has] * np.uint64(_Q) + unit[idx]

    hashes = np.concatenate((full, short_h))
    hash_docs = np.concatenate((full_docs, short))
    if len(short):
        order = np.argsort(hash_docs, kind="stable")
        hashes = hashes[order]
    hashes = _mix32_np(hashes)
    per_doc = np.bincount(hash_docs, minlength=n_docs)
    offsets = np.concatenate(([0], np.cumsum(per_doc))).astype(np.int64)
    return BatchShingles(hashes, offsets, cjk_doc)
