"""Readers: from a file on disk (plain, compressed, or an archive of such files) to Records.

Python streaming readers are used for every format (DuckDB's readers stop at the first bad record or skip it
without a line number; we need each broken record counted with its line). `read_member_records` is the single
entry point the scanner calls.
"""

from __future__ import annotations

import json
import posixpath
from typing import BinaryIO, Iterator

from provenance.readers.formats import READERS
from provenance.readers.records import BOM, ReadSpec, Record
from provenance.readers.streams import (
    StreamError,
    decompressed,
    is_archive_name,
    sniff_compression,
    strip_compression_suffix,
)

FORMATS = tuple(READERS)
FORMAT_BY_SUFFIX = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
}
SNIFF_BYTES = 1 << 16

__all__ = ["FORMATS", "ReadSpec", "Record", "StreamError", "detect_format", "is_archive_name", "open_stream",
           "read_records"]


class FormatUnknown(StreamError):
    def __init__(self, message: str):
        super().__init__("SCAN_UNKNOWN_FORMAT", message)


def open_stream(raw: BinaryIO, name: str) -> tuple[BinaryIO, str | None]:
    """The decompressed stream of a file or member and its compression (by magic bytes, not by name)."""
    stream = decompressed(raw, None)
    head = stream.peek(8)[:8]  # type: ignore[attr-defined]
    compression = sniff_compression(head)
    if compression is None:
        return stream, None
    return decompressed(stream, compression), compression


def detect_format(name: str, stream: BinaryIO) -> str:
    """Format from the name (after any compression suffix), checked against the first bytes."""
    base, _ = strip_compression_suffix(posixpath.basename(name))
    head = stream.peek(SNIFF_BYTES)[:SNIFF_BYTES]  # type: ignore[attr-defined]
    if head.startswith(b"PAR1"):
        return "parquet"
    ext = posixpath.splitext(base)[1].lower()
    fmt = FORMAT_BY_SUFFIX.get(ext)
    if fmt == "json" and _looks_like_jsonl(head):
        return "jsonl"
    if fmt:
        return fmt
    if ext and not ext[1:].isdigit():
        raise FormatUnknown(f"cannot tell the format of a '{ext}' file; set `format:` on the source "
                            f"(one of: {', '.join(FORMATS)}) or narrow its paths/members globs")
    if b"\x00" in head:
        raise FormatUnknown("the file looks binary (it holds NUL bytes) and has no known extension; "
                            "set `format:` on the source or exclude the file")
    return "text"  # e.g. Usenet posts and mail files named by number


def _looks_like_jsonl(head: bytes) -> bool:
    first, sep, rest = head.removeprefix(BOM).lstrip().partition(b"\n")
    if not sep or not rest.strip():
        return False
    try:
        return isinstance(json.loads(first), dict)
    except ValueError:
        return False


def read_records(stream: BinaryIO, fmt: str, spec: ReadSpec) -> Iterator[Record]:
    return READERS[fmt](stream, spec)
