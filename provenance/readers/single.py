"""One data file read outside a manifest (`pii scan`, `near-dups`, `overlap FILE`): every record, accepted or
rejected, with the same readers the audit uses; a missing file, an archive or an unreadable file is an InputError."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Iterator

from provenance.errors import InputError
from provenance.readers import StreamError, detect_format, is_archive_name, open_stream, read_records
from provenance.readers.records import ReadSpec, Record
from provenance.readers.streams import CHUNK

# command-line --format names → reader formats
CLI_FORMATS = {"auto": "auto", "jsonl": "jsonl", "json": "json", "csv": "csv", "tsv": "tsv", "parquet": "parquet",
           "txt": "text-lines", "text": "text"}
TEXT_FIELD_FIX = ("pass --text-field (a column name, or a JSON path such as data[].paragraphs[].context), or name the "
                  "format with --format")


def check_data_file(path: str | Path) -> Path:
    """The path, if it names a plain data file; else the InputError a command prints (before any slow set-up)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such file: {path}", where=str(path), fix="give the path of a data file")
    if is_archive_name(path.name):
        raise InputError(f"{path.name} is an archive", where=str(path),
                         fix="unpack it, or list it in a manifest (with `members:`), which is read archive and all")
    return path


def read_file_records(path: str | Path, fmt: str = "auto", text_field: str | None = None,
                      encoding: str = "utf-8") -> Iterator[Record]:
    """Every record of one plain (possibly compressed) data file; `fmt` is a reader format (see CLI_FORMATS)."""
    path = check_data_file(path)
    spec = ReadSpec(fmt, (text_field,) if text_field else (), encoding)
    try:
        with open(path, "rb") as raw:
            stream, _ = open_stream(io.BufferedReader(raw, CHUNK), path.name)
            yield from read_records(stream, spec.format if spec.format != "auto" else detect_format(path.name, stream),
                                    spec)
    except StreamError as e:
        raise InputError(f"cannot read {path.name}: {e}", where=str(path), fix=TEXT_FIELD_FIX) from e
