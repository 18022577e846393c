"""What a reader yields: one Record per record read, accepted (text set) or rejected (text None)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Record-level issue codes. Rejected records carry one of the first five; an accepted record whose bytes were
# not valid in its encoding carries SCAN_INVALID_ENCODING (decoded with U+FFFD replacement, kept).
MALFORMED = "SCAN_MALFORMED_RECORD"
MISSING_TEXT = "SCAN_MISSING_TEXT"
EMPTY_TEXT = "SCAN_EMPTY_TEXT"
RAGGED_ROW = "SCAN_RAGGED_ROW"
TOO_LARGE = "SCAN_RECORD_TOO_LARGE"
INVALID_ENCODING = "SCAN_INVALID_ENCODING"

REJECT_CODES = (MALFORMED, MISSING_TEXT, EMPTY_TEXT, RAGGED_ROW, TOO_LARGE)

BOM = b"\xef\xbb\xbf"
READER_VERSION = 1  # bump when readers change what they yield: stored file versions are then read again
_ESCAPED = re.compile("[\udc80-\udcff]")


@dataclass(slots=True)
class Record:
    ordinal: int  # 0-based, counts every record read in the file, accepted or rejected
    line: int | None  # 1-based line where the record starts, where the format has lines
    text: str | None  # None when rejected
    code: str | None = None
    message: str | None = None

    @property
    def accepted(self) -> bool:
        return self.text is not None


@dataclass(frozen=True)
class ReadSpec:
    """How to read one source's files; part of the file's version id, so changing it re-reads the file."""

    format: str = "auto"
    text_fields: tuple[str, ...] = ()
    encoding: str = "utf-8"
    max_record_bytes: int = 16 << 20

    def key(self) -> str:
        return f"r{READER_VERSION}|{self.format}|{','.join(self.text_fields)}|{self.encoding}|{self.max_record_bytes}"


def decode(data: bytes, encoding: str) -> tuple[str, bool]:
    """Text and whether invalid bytes had to be replaced with U+FFFD."""
    try:
        return data.decode(encoding), False
    except UnicodeDecodeError:
        return data.decode(encoding, errors="replace"), True


def decode_escaped(data: bytes, encoding: str) -> tuple[str, bool]:
    """Like decode, but invalid bytes become lone surrogates so a parser can run first and each record be
    checked afterwards with `unescape` (which bytes were bad is then known per record)."""
    try:
        return data.decode(encoding), False
    except UnicodeDecodeError:
        return data.decode(encoding, errors="surrogateescape"), True


def unescape(text: str) -> tuple[str, bool]:
    if _ESCAPED.search(text) is None:
        return text, False
    return _ESCAPED.sub("\ufffd", text), True


def accept(ordinal: int, line: int | None, text: str, replaced: bool) -> Record:
    if not text.strip():
        return Record(ordinal, line, None, EMPTY_TEXT, "text is empty or only whitespace")
    if replaced:
        return Record(ordinal, line, text, INVALID_ENCODING, "invalid bytes decoded as U+FFFD")
    return Record(ordinal, line, text)
