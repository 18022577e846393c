"""Streaming record readers, one per format. Each takes a decompressed byte stream and a ReadSpec and yields
Records; a problem with one record is a rejected Record, a problem with the whole stream raises StreamError."""

from __future__ import annotations

import csv
import io
import json
from typing import Any, BinaryIO, Callable, Iterator

import orjson

from provenance.readers import fieldpath
from provenance.readers.records import (
    BOM,
    MALFORMED,
    MISSING_TEXT,
    RAGGED_ROW,
    TOO_LARGE,
    ReadSpec,
    Record,
    accept,
    decode,
    decode_escaped,
    unescape,
)
from provenance.readers.streams import CHUNK, StreamError, iter_lines

MAX_JSON_DOCUMENT = 1 << 30  # a JSON array is parsed whole; beyond this, JSONL is the format to use
DEFAULT_FIELD = "text"


def _too_large(ordinal: int, line: int | None, size: int, spec: ReadSpec) -> Record:
    return Record(ordinal, line, None, TOO_LARGE,
                  f"record of {size / 1e6:.1f} MB exceeds the {spec.max_record_bytes / 1e6:.0f} MB per-record "
                  "limit; raise --max-record-mb to read it")


def _sized(record: Record, spec: ReadSpec) -> Record:
    """Apply the per-record limit to formats that parse a whole document (JSON, Parquet) before records exist."""
    text = record.text
    if text is not None and len(text) * 4 > spec.max_record_bytes:  # UTF-8 needs at most 4 bytes a character
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > spec.max_record_bytes:
            return _too_large(record.ordinal, record.line, size, spec)
    return record


def _paths(spec: ReadSpec) -> list[fieldpath.FieldPath]:
    return [fieldpath.parse(f) for f in (spec.text_fields or (DEFAULT_FIELD,))]


def _text_from_record(obj: Any, paths: list[fieldpath.FieldPath]) -> tuple[str | None, str | None]:
    """First alternative path the record has. A nested path inside one record joins what it reaches."""
    last_problem = None
    for path in paths:
        if path.nested:
            values = [v for v in fieldpath.walk(obj, path) if isinstance(v, str)]
            if values:
                return "\n".join(values), None
            continue
        value = fieldpath.get(obj, path)
        if value is fieldpath.MISSING:
            continue
        text, problem = fieldpath.as_text(value)
        if text is not None:
            return text, None
        last_problem = f"field `{path.text}` {problem}"
    return None, last_problem or f"no field {' / '.join('`' + p.text + '`' for p in paths)} in the record"


def _record_lines(stream: BinaryIO, spec: ReadSpec) -> Iterator[tuple[int, int, bytes | None, int]]:
    """(ordinal, line number, bytes, length) of each non-blank line, BOM stripped; bytes None for a line over the
    limit (its length is still measured).

    Every line yielded is one record, so the caller's ordinal is simply its position here.
    """
    ordinal = 0
    for line in iter_lines(stream, spec.max_record_bytes):
        if line.too_long:
            yield ordinal, line.number, None, line.length
            ordinal += 1
            continue
        data = line.data
        if line.number == 1 and data.startswith(BOM):
            data = data[3:]
        if data.strip():
            yield ordinal, line.number, data, line.length
            ordinal += 1


def read_jsonl(stream: BinaryIO, spec: ReadSpec) -> Iterator[Record]:
    paths = _paths(spec)
    utf8 = spec.encoding == "utf-8"
    for ordinal, number, data, length in _record_lines(stream, spec):
        if data is None:
            yield _too_large(ordinal, number, length, spec)
            continue
        replaced = False
        obj: Any = None
        try:
            if not utf8:
                raise ValueError  # orjson reads UTF-8 only
            obj = orjson.loads(data)
        except (orjson.JSONDecodeError, ValueError):
            text, replaced = decode_escaped(data, spec.encoding)
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as e:
                yield Record(ordinal, number, None, MALFORMED, f"not valid JSON: {e.msg} (column {e.colno})")
                continue
        if not isinstance(obj, dict):
            yield Record(ordinal, number, None, MALFORMED, f"line holds a JSON {type(obj).__name__}, not an object")
            continue
        text, problem = _text_from_record(obj, paths)
        if text is None:
            yield Record(ordinal, number, None, MISSING_TEXT, problem)
        else:
            if replaced:
                text, replaced = unescape(text)
            yield accept(ordinal, number, text, replaced)


def read_json(stream: BinaryIO, spec: ReadSpec) -> Iterator[Record]:
    data = stream.read(MAX_JSON_DOCUMENT + 1)
    if len(data) > MAX_JSON_DOCUMENT:
        raise StreamError("SCAN_FILE_TOO_LARGE", "JSON document over 1 GiB cannot be parsed whole; "
                          "convert it to JSONL (one record per line)")
    if data.startswith(BOM):
        data = data[3:]
    if not data.strip():
        return
    text, replaced = decode_escaped(data, spec.encoding)
    try:
        root = orjson.loads(data) if not replaced and spec.encoding == "utf-8" else json.loads(text)
    except json.JSONDecodeError:  # orjson.JSONDecodeError is a subclass
        try:
            # orjson is stricter than the json module (a lone surrogate escape such as "\ud800", NaN), and a JSONL
            # line falls back on json.loads: the whole document was rejected for what one JSONL record survives
            root = json.loads(text)
        except json.JSONDecodeError as e:
            raise StreamError("SCAN_MALFORMED_FILE", f"not valid JSON: {e.msg} at line {e.lineno} column "
                              f"{e.colno}; if it holds one JSON object per line, set format: jsonl") from None
    del data, text
    paths = _paths(spec)
    # Alternatives in the order given: the first path the document has wins. (Nested paths used to be tried
    # before all simple ones, so `[text, items[].body]` read the items of a document that has `text`.) A simple
    # path is had by a top-level object holding it, or by a top-level array one of whose elements holds it.
    for path in paths:
        if path.nested:
            values = list(fieldpath.walk(root, path))
            if values:
                yield from _records_from_values(values, path.text, replaced)
                return
        elif isinstance(root, list):
            if any(fieldpath.get(item, path) is not fieldpath.MISSING for item in root):
                break
        elif fieldpath.get(root, path) is not fieldpath.MISSING:
            break
    simple = [p for p in paths if not p.nested]
    if isinstance(root, list):
        for ordinal, item in enumerate(root):
            text, problem = _text_from_record(item, simple) if simple else (None, "no nested path matched")
            if text is None:
                yield Record(ordinal, None, None, MISSING_TEXT if isinstance(item, dict) else MALFORMED,
                             problem if isinstance(item, dict) else f"element is a {type(item).__name__}, "
                             "not an object")
                continue
            if replaced:
                text, bad = unescape(text)
            else:
                bad = False
            yield accept(ordinal, None, text, bad)
        return
    if isinstance(root, dict) and simple:
        text, problem = _text_from_record(root, simple)
        if text is not None:
            text, bad = unescape(text) if replaced else (text, False)
            yield accept(0, None, text, bad)
            return
    keys = ", ".join(list(root)[:20]) if isinstance(root, dict) else type(root).__name__
    raise StreamError("SCAN_NO_TEXT_FIELD", f"no text found with {' / '.join(p.text for p in paths)}; the document's "
                      f"top level holds: {keys}; set text_field to a path such as `data[].paragraphs[].context`")


def _records_from_values(values: list[Any], path: str, replaced: bool) -> Iterator[Record]:
    for ordinal, value in enumerate(values):
        text, problem = fieldpath.as_text(value)
        if text is None:
            yield Record(ordinal, None, None, MISSING_TEXT, f"`{path}` {problem}")
            continue
        text, bad = unescape(text) if replaced else (text, False)
        yield accept(ordinal, None, text, bad)


class _LineFeed:
    """Feeds decoded physical lines to csv.reader and remembers which had bad bytes or were too long."""

    def __init__(self, stream: BinaryIO, spec: ReadSpec):
        self.lines = iter_lines(stream, spec.max_record_bytes)
        self.encoding = spec.encoding
        self.replaced: set[int] = set()
        self.too_long: dict[int, int] = {}

    def __iter__(self) -> Iterator[str]:
        for line in self.lines:
            if line.too_long:
                self.too_long[line.number] = line.length
                yield "\n"
                continue
            data = line.data
            if line.number == 1 and data.startswith(BOM):
                data = data[3:]
            text, bad = decode(data, self.encoding)
            if bad:
                self.replaced.add(line.number)
            yield text + "\n"


def read_delimited(stream: BinaryIO, spec: ReadSpec, delimiter: str) -> Iterator[Record]:
    feed = _LineFeed(stream, spec)
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL  # TSV has no quoting convention
    reader = csv.reader(iter(feed), delimiter=delimiter, quoting=quoting)
    csv.field_size_limit(max(spec.max_record_bytes, 1 << 17))
    header: list[str] | None = None
    column = -1
    ordinal = 0
    end = 0
    while True:
        start = end + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            end = reader.line_num
            yield Record(ordinal, start, None, MALFORMED, f"not a valid CSV row: {e}")
            ordinal += 1
            continue
        end = reader.line_num
        if not row:
            if start in feed.too_long:
                yield _too_large(ordinal, start, feed.too_long[start], spec)
                ordinal += 1
            continue  # blank lines are not records
        if header is None:
            header = [h.strip() for h in row]
            names = spec.text_fields or (DEFAULT_FIELD,)
            column = next((header.index(n) for n in names if n in header), -1)
            missing = (f"no column {' / '.join(names)}; the header has: {', '.join(header[:30])}; "
                       "set text_field to one of them")
            continue
        if len(row) != len(header):
            yield Record(ordinal, start, None, RAGGED_ROW, f"row has {len(row)} fields, the header has {len(header)}")
        elif column < 0:
            yield Record(ordinal, start, None, MISSING_TEXT, missing)
        else:
            bad = any(n in feed.replaced for n in range(start, end + 1))
            yield accept(ordinal, start, row[column], bad)
        ordinal += 1


def read_text(stream: BinaryIO, spec: ReadSpec) -> Iterator[Record]:
    """The whole file is one document."""
    data = stream.read(spec.max_record_bytes + 1)
    if not data:
        return
    if len(data) > spec.max_record_bytes:
        size = len(data)
        while chunk := stream.read(CHUNK):
            size += len(chunk)
        yield _too_large(0, 1, size, spec)
        return
    if data.startswith(BOM):
        data = data[3:]
    text, bad = decode(data, spec.encoding)
    yield accept(0, 1, text, bad)


def read_text_lines(stream: BinaryIO, spec: ReadSpec) -> Iterator[Record]:
    """One document per non-blank line."""
    for ordinal, number, data, length in _record_lines(stream, spec):
        if data is None:
            yield _too_large(ordinal, number, length, spec)
            continue
        text, bad = decode(data, spec.encoding)
        yield accept(ordinal, number, text, bad)


def read_parquet(stream: BinaryIO, spec: ReadSpec) -> Iterator[Record]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    source: Any = stream
    if not stream.seekable():  # a compressed file or archive member: Parquet needs random access
        source = io.BytesIO(stream.read())
    try:
        pf = pq.ParquetFile(source)
    except (pa.ArrowInvalid, OSError) as e:
        raise StreamError("SCAN_MALFORMED_FILE", f"not a readable Parquet file ({e})") from None
    names = pf.schema_arrow.names
    wanted = spec.text_fields or (DEFAULT_FIELD,)
    column = next((n for n in wanted if n in names), None)
    if column is None:
        problem = f"no column {' / '.join(wanted)}; the file has: {', '.join(names[:30])}; set text_field"
        for ordinal in range(pf.metadata.num_rows):
            yield Record(ordinal, None, None, MISSING_TEXT, problem)
        return
    ordinal = 0
    for batch in pf.iter_batches(columns=[column], batch_size=4096):
        for value in batch.column(0).to_pylist():
            text, problem = fieldpath.as_text(value)
            if text is None:
                yield Record(ordinal, None, None, MISSING_TEXT, f"column `{column}` {problem}")
            else:
                yield accept(ordinal, None, text, False)
            ordinal += 1


READERS: dict[str, Callable[[BinaryIO, ReadSpec], Iterator[Record]]] = {
    "jsonl": read_jsonl,
    "json": lambda s, spec: (_sized(r, spec) for r in read_json(s, spec)),
    "csv": lambda s, spec: read_delimited(s, spec, ","),
    "tsv": lambda s, spec: read_delimited(s, spec, "\t"),
    "text": read_text,
    "text-lines": read_text_lines,
    "parquet": lambda s, spec: (_sized(r, spec) for r in read_parquet(s, spec)),
}
