"""HyperLogLog registers built with numpy, bit for bit what datasketch's HyperLogLogPlusPlus holds.

datasketch updates one value at a time in Python (~1 µs each); a file's token bigrams are millions of values. Here
the registers of a whole array of 64-bit hashes are computed at once with datasketch's convention (see its
hyperloglog.py: `update`, `_get_rank`):

    index = hash & (m - 1)                      the low p bits choose the register
    rank  = (64 - p) - bit_length(hash >> p) + 1   the position of the leftmost 1 in the remaining 64 - p bits
    register[index] = max(register[index], rank)

and the cardinality is datasketch's own HyperLogLog++ estimator (linear counting below its threshold, empirical
bias correction above), by handing it the registers. Two sketches of the same p merge with an element-wise maximum,
which is what a sketch of the union would hold; so per-file sketches combine into per-source ones exactly.

Stored registers are zlib-compressed: most registers of a small file's sketch are zero.

This module imports neither `provenance` nor `flows`.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["DEFAULT_P", "count", "from_bytes", "merge", "registers", "to_bytes"]

DEFAULT_P = 12  # 4096 registers: a standard error of 1.04 / sqrt(4096) ≈ 1.6 %
_MIN_P, _MAX_P = 4, 16  # what datasketch accepts


def _check_p(p: int) -> None:
    if not _MIN_P <= p <= _MAX_P:
        raise ValueError(f"p must be between {_MIN_P} and {_MAX_P} (datasketch's range), got {p}")


def _bit_length(v: np.ndarray, bits: int) -> np.ndarray:
    """int.bit_length of every uint64 below 2**bits. A value below 2**53 converts to float64 exactly, so frexp's
    exponent is its bit length; a larger one need not (2**53 + 1 rounds), hence the split into halves."""
    if bits <= 53:  # p >= 11
        return np.frexp(v.astype(np.float64))[1]
    hi = (v >> np.uint64(32)).astype(np.float64)
    lo = (v & np.uint64(0xFFFFFFFF)).astype(np.float64)
    return np.where(hi > 0, 32 + np.frexp(hi)[1], np.frexp(lo)[1])


def registers(hashes: np.ndarray, p: int = DEFAULT_P) -> np.ndarray:
    """The 2**p int8 registers of a HyperLogLog++ sketch updated with every value of `hashes` (64-bit; signed
    values are taken as their unsigned bit pattern, as a BIGINT hash column holds them)."""
    _check_p(p)
    h = np.asarray(hashes)
    if h.dtype == np.int64:
        h = h.view(np.uint64)
    elif h.dtype != np.uint64:
        h = h.astype(np.uint64)
    h = h.ravel()
    m = 1 << p
    reg = np.zeros(m, dtype=np.int8)
    if h.size == 0:
        return reg
    index = (h & np.uint64(m - 1)).astype(np.intp)
    rank = ((64 - p + 1) - _bit_length(h >> np.uint64(p), 64 - p)).astype(np.int8)
    np.maximum.at(reg, index, rank)
    return reg


def merge(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The registers of the union of two sketches of the same precision."""
    if a.shape != b.shape:
        raise ValueError(f"cannot merge sketches of {a.size} and {b.size} registers (different p)")
    return np.maximum(a, b)


def _no_update(_value: object) -> int:
    raise TypeError("this sketch is read-only: registers are built with detectors.diversity.hll.registers")


def count(regs: np.ndarray) -> float:
    """Estimated number of distinct values, by datasketch's HyperLogLog++ estimator."""
    from datasketch import HyperLogLogPlusPlus

    reg = np.ascontiguousarray(regs, dtype=np.int8)
    _check_p(reg.size.bit_length() - 1)
    return float(HyperLogLogPlusPlus(reg=reg, hashfunc=_no_update).count())


def to_bytes(regs: np.ndarray) -> bytes:
    """The registers as stored in the catalog (zlib level 6 of the int8 array)."""
    return zlib.compress(np.ascontiguousarray(regs, dtype=np.int8).tobytes(), 6)


def from_bytes(data: bytes, p: int | None = None) -> np.ndarray:
    """Registers from `to_bytes`; `p`, when given, is checked against the number of registers."""
    reg = np.frombuffer(zlib.decompress(data), dtype=np.int8).copy()
    bits = reg.size.bit_length() - 1
    if reg.size == 0 or 1 << bits != reg.size:
        raise ValueError(f"not a HyperLogLog sketch: {reg.size} registers is not a power of two")
    _check_p(bits)
    if p is not None and bits != p:
        raise ValueError(f"sketch has p={bits}, expected p={p}")
    return reg
