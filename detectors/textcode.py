"""Pieces both the duplicates and the diversity detectors hash text with: a code point table of letters and digits,
the splitmix64 finaliser (scalar and numpy) and powers of a polynomial base mod 2^64.

The hashes they feed are stored in the catalog (signatures, diversity terms), so these functions must not change
without bumping the detectors' config versions; tests pin values.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["M64", "P", "isalnum_table", "mix64", "mix64_np", "powers"]

M64 = (1 << 64) - 1
P = 0x100000001B3  # polynomial base over code points (odd, so invertible mod 2^64)


@lru_cache(maxsize=1)
def isalnum_table() -> np.ndarray:
    """bool per code point (0x110000 entries): str.isalnum. Built once per process (~0.2 s)."""
    return np.fromiter((chr(c).isalnum() for c in range(0x110000)), dtype=bool, count=0x110000)


def mix64(h: int) -> int:
    """splitmix64's finaliser of a 64-bit integer."""
    h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & M64
    h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & M64
    return h ^ (h >> 31)


def mix64_np(h: np.ndarray) -> np.ndarray:
    """mix64 element-wise over uint64 (a new array)."""
    h = h ^ (h >> np.uint64(30))
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


_POWERS: dict[int, np.ndarray] = {}


def powers(base: int, n: int) -> np.ndarray:
    """base^0 … base^(n-1) mod 2^64, from a read-only table grown by doubling and kept (batches reuse it)."""
    table = _POWERS.get(base)
    if table is None or len(table) < n:
        size = max(n, 2 * len(table) if table is not None else 1 << 20)
        table = np.full(size, base, dtype=np.uint64)
        table[0] = 1
        np.cumprod(table, out=table)
        table.flags.writeable = False
        _POWERS[base] = table
    return table[:n]
