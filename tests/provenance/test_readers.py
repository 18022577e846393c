"""Readers: bytes in, Records out.

Table-driven: every case builds its input from bytes written to tmp_path, reads it the way the scanner does
(open_stream, detect_format, read_records) and compares every record (line, text, code) with the table. Each case
carries a one-line reason. Every read also checks the invariants: ordinals 0..n-1 without gaps, an accepted
record has non-blank text and no reject code, a rejected record has a reject code and a message.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tracemalloc
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from provenance.readers import ReadSpec, StreamError, detect_format, open_stream, read_records
from provenance.readers.records import (
    EMPTY_TEXT,
    INVALID_ENCODING,
    MALFORMED,
    MISSING_TEXT,
    RAGGED_ROW,
    REJECT_CODES,
    TOO_LARGE,
    Record,
)
from provenance.readers.streams import glob_regex, iter_lines

BOM = b"\xef\xbb\xbf"
MiB = 1 << 20

COMPRESS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "zstd": lambda d: zstandard.ZstdCompressor().compress(d),
    "bz2": lambda d: bz2.compress(d, 1),  # 100 kB blocks: a truncated file still holds whole blocks
    "xz": lzma.compress,
}
SUFFIX = {"gzip": ".gz", "zstd": ".zst", "bz2": ".bz2", "xz": ".xz"}


# ------------------------------------------------------------------------------------------------------------
# helpers


def ok(line: int | None, text: str) -> tuple:
    return (line, text, None)


def fixed(line: int | None, text: str) -> tuple:
    """Accepted, with invalid bytes replaced by U+FFFD."""
    return (line, text, INVALID_ENCODING)


def bad(line: int | None, code: str) -> tuple:
    return (line, None, code)


@dataclass
class Read:
    fmt: str | None
    compression: str | None
    records: list[Record]
    error: StreamError | None = None

    @property
    def rows(self) -> list[tuple]:
        return [(r.line, r.text, r.code) for r in self.records]


def check_invariants(records: list[Record]) -> None:
    assert [r.ordinal for r in records] == list(range(len(records))), "ordinals must be 0..n-1 without gaps"
    accepted = [r for r in records if r.accepted]
    rejected = [r for r in records if not r.accepted]
    assert len(accepted) + len(rejected) == len(records)
    for r in accepted:
        assert r.text is not None and r.text.strip(), r
        assert r.code in (None, INVALID_ENCODING), r
        assert (r.code == INVALID_ENCODING) == ("\ufffd" in r.text), r  # flagged exactly when replaced
    for r in rejected:
        assert r.code in REJECT_CODES and r.message, r


def read_path(path: Path, **spec: Any) -> Read:
    """Read a file as the scanner does, keeping the records read before a StreamError."""
    read_spec = ReadSpec(**spec)
    records: list[Record] = []
    fmt = compression = None
    with open(path, "rb") as raw:
        try:
            stream, compression = open_stream(raw, path.name)
            fmt = read_spec.format if read_spec.format != "auto" else detect_format(path.name, stream)
            for rec in read_records(stream, fmt, read_spec):
                records.append(rec)
        except StreamError as e:
            check_invariants(records)
            return Read(fmt, compression, records, e)
    check_invariants(records)
    return Read(fmt, compression, records)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def parquet(columns: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.table(columns), buf)
    return buf.getvalue()


def jsonl(*texts: str) -> bytes:
    return b"".join(b'{"text": "%s"}\n' % t.encode() for t in texts)


# ------------------------------------------------------------------------------------------------------------
# every format, record by record


@dataclass
class Case:
    id: str
    name: str  # file name: its extension drives format detection unless spec sets `format`
    data: bytes
    expected: list[tuple]  # (line, text, code) per record
    why: str
    spec: dict[str, Any] = field(default_factory=dict)
    fmt: str | None = None  # the format detection must choose (defaults to spec's or the extension's)


SQUAD = (b'{"version": "1", "data": ['
         b'{"title": "A", "paragraphs": [{"context": "first", "qas": []}, {"context": ["line 1", "line 2"]}]},'
         b'{"title": "B", "paragraphs": [{"context": "  "}, {"context": null}, {"context": "last"}]}]}')

CASES = [
    # --- JSONL
    Case("jsonl-basic", "a.jsonl", jsonl("one", "two"), [ok(1, "one"), ok(2, "two")],
         "one record per line, lines numbered from 1"),
    Case("jsonl-bom-no-final-newline", "a.jsonl", BOM + b'{"text": "one"}\n{"text": "two"}',
         [ok(1, "one"), ok(2, "two")],
         "a UTF-8 BOM before the first record is not part of it; the last line needs no newline"),
    Case("jsonl-blank-lines-crlf", "a.jsonl", b'{"text": "a"}\r\n\r\n   \n{"text": "b"}\r\n', [ok(1, "a"), ok(4, "b")],
         "blank and whitespace lines are not records but still count as lines; CRLF is a line end"),
    Case("jsonl-malformed-line", "a.jsonl", b'{"text": "a"}\n{"text": "broken\n{"text": "c"}\n',
         [ok(1, "a"), bad(2, MALFORMED), ok(3, "c")], "a broken line is rejected at its line; reading goes on"),
    Case("jsonl-array-and-scalar-lines", "a.jsonl", b'{"text": "a"}\n["text", "b"]\n"just a string"\n{"text": "d"}\n',
         [ok(1, "a"), bad(2, MALFORMED), bad(3, MALFORMED), ok(4, "d")], "a JSONL line must hold an object"),
    Case("jsonl-missing-empty-not-text", "a.jsonl",
         b'{"body": "x"}\n{"text": ""}\n{"text": " \\t\\n"}\n{"text": 5}\n{"text": null}\n{"text": {"a": 1}}\n',
         [bad(1, MISSING_TEXT), bad(2, EMPTY_TEXT), bad(3, EMPTY_TEXT), bad(4, MISSING_TEXT), bad(5, MISSING_TEXT),
          bad(6, MISSING_TEXT)], "no text field, or one that is empty, whitespace or not a string, is rejected"),
    Case("jsonl-alternatives-per-record", "a.jsonl",
         b'{"content": "c", "text": "t"}\n{"text": "t2"}\n{"other": "o"}\n',
         [ok(1, "c"), ok(2, "t2"), bad(3, MISSING_TEXT)], "text_fields are alternatives: the first one a record has",
         spec={"text_fields": ("content", "text")}),
    Case("jsonl-dotted-path", "a.jsonl", b'{"meta": {"body": "b"}}\n{"meta": "flat"}\n{"body": "top"}\n',
         [ok(1, "b"), bad(2, MISSING_TEXT), bad(3, MISSING_TEXT)], "`a.b` walks into objects only",
         spec={"text_fields": ("meta.body",)}),
    Case("jsonl-list-of-strings", "a.jsonl", b'{"text": ["l1", "l2"]}\n{"text": ["a", 1]}\n{"text": []}\n',
         [ok(1, "l1\nl2"), bad(2, MISSING_TEXT), bad(3, EMPTY_TEXT)],
         "a list of strings is one text joined with newlines; a mixed list is not text; an empty one is empty"),
    Case("jsonl-nested-path-in-record", "a.jsonl",
         b'{"turns": [{"content": "hi"}, {"content": "yo"}]}\n{"turns": []}\n',
         [ok(1, "hi\nyo"), bad(2, MISSING_TEXT)], "in JSONL a nested path joins what it reaches in one record",
         spec={"text_fields": ("turns[].content",)}),
    Case("jsonl-invalid-utf8", "a.jsonl", b'{"text": "ok"}\n{"text": "bad \xff byte"}\n{"text": "ok again"}\n',
         [ok(1, "ok"), fixed(2, "bad \ufffd byte"), ok(3, "ok again")],
         "a bad byte is replaced and flagged on its own record only"),
    Case("jsonl-invalid-utf8-outside-text", "a.jsonl", b'{"id": "\xff", "text": "clean"}\n',
         [ok(1, "clean")], "bad bytes in a field that is not kept leave the text clean: nothing is replaced"),
    Case("jsonl-nul-byte", "a.jsonl", b'{"text": "a\x00b"}\n{"text": "c"}\n', [bad(1, MALFORMED), ok(2, "c")],
         "a raw NUL inside a JSON string is invalid JSON"),
    Case("jsonl-lone-surrogate-escape", "a.jsonl", b'{"text": "half \\ud83d emoji"}\n',
         [ok(1, "half \ud83d emoji")], "orjson refuses a lone surrogate escape; the json fallback keeps the record"),
    Case("jsonl-gb18030", "a.jsonl", '{"text": "中文"}\n'.encode("gb18030"), [ok(1, "中文")],
         "a declared encoding other than UTF-8 is decoded", spec={"encoding": "gb18030"}),
    Case("jsonl-ndjson-extension", "a.ndjson", jsonl("n"), [ok(1, "n")], ".ndjson is JSONL"),
    # --- JSON
    Case("json-array", "a.json", b'[{"text": "a"}, {"text": " "}, {"body": "x"}, 7, {"text": "e"}]',
         [ok(None, "a"), bad(None, EMPTY_TEXT), bad(None, MISSING_TEXT), bad(None, MALFORMED), ok(None, "e")],
         "each array element is a record; JSON has no line per record"),
    Case("json-top-level-object", "a.json", b'{"text": "the whole document", "id": 1}',
         [ok(None, "the whole document")],
         "a top-level object with the text field is one record"),
    Case("json-top-level-object-list", "a.json", b'{"text": ["p1", "p2"]}', [ok(None, "p1\np2")],
         "a list of strings is joined with newlines"),
    Case("json-squad-nested", "squad.json", SQUAD,
         [ok(None, "first"), ok(None, "line 1\nline 2"), bad(None, EMPTY_TEXT), bad(None, MISSING_TEXT),
          ok(None, "last")], "each value a nested path reaches is one record, in document order",
         spec={"text_fields": ("data[].paragraphs[].context",)}),
    Case("json-alternative-file-level", "a.json", b'[{"text": "a"}, {"text": "b"}]', [ok(None, "a"), ok(None, "b")],
         "a nested alternative the file lacks gives way to the next one",
         spec={"text_fields": ("data[].paragraphs[].context", "text")}),
    Case("json-alternatives-in-order", "a.json", b'{"text": "top", "items": [{"body": "i1"}, {"body": "i2"}]}',
         [ok(None, "top")], "the first alternative the document has wins, even when a later nested one matches",
         spec={"text_fields": ("text", "items[].body")}),
    Case("json-alternatives-nested-first", "a.json", b'{"text": "top", "items": [{"body": "i1"}, {"body": "i2"}]}',
         [ok(None, "i1"), ok(None, "i2")], "listed first, the nested path wins",
         spec={"text_fields": ("items[].body", "text")}),
    Case("json-dotted-path", "a.json", b'[{"meta": {"body": "b"}}, {"meta": {}}]',
         [ok(None, "b"), bad(None, MISSING_TEXT)],
         "a dotted path in each element", spec={"text_fields": ("meta.body",)}),
    Case("json-bom", "a.json", BOM + b'[{"text": "a"}]', [ok(None, "a")], "a BOM before a JSON document is skipped"),
    Case("json-invalid-utf8", "a.json", b'[{"text": "a"}, {"text": "b \xff"}, {"text": "c"}]',
         [ok(None, "a"), fixed(None, "b \ufffd"), ok(None, "c")], "only the element with the bad byte is flagged"),
    Case("json-lone-surrogate-escape", "a.json", b'[{"text": "half \\ud83d emoji"}, {"text": "c"}]',
         [ok(None, "half \ud83d emoji"), ok(None, "c")],
         "a lone surrogate escape (orjson refuses it) must not lose the whole document"),
    Case("json-really-jsonl", "data.json", jsonl("x", "y"), [ok(1, "x"), ok(2, "y")],
         "a .json file holding one object per line is read as JSONL", fmt="jsonl"),
    Case("json-really-jsonl-bom", "data.json", BOM + jsonl("x", "y"), [ok(1, "x"), ok(2, "y")],
         "the JSONL sniff looks past a BOM", fmt="jsonl"),
    Case("json-one-line-object", "data.json", b'{"text": "x"}\n', [ok(None, "x")],
         "a single object on one line is JSON, not JSONL", fmt="json"),
    Case("json-pretty-printed", "data.json", b'{\n  "text": "x"\n}\n', [ok(None, "x")],
         "a pretty-printed object is JSON", fmt="json"),
    Case("json-whitespace-only", "a.json", b" \n\t\n", [], "a blank JSON file holds no records"),
    # --- CSV
    Case("csv-basic-blank-lines", "a.csv", b"id,text\n1,a\n\n2,b\n", [ok(2, "a"), ok(4, "b")],
         "one record per data row; the header is line 1; blank lines are skipped but counted"),
    Case("csv-quoted-newline", "a.csv", b'id,text\n1,"x\ny"\n2,b\n3,"q ""z"", w"\n4,c',
         [ok(2, "x\ny"), ok(4, "b"), ok(5, 'q "z", w'), ok(6, "c")],
         "a quoted newline stays in the text and the rows after it keep their physical line numbers"),
    Case("csv-quoted-newline-crlf", "a.csv", b'id,text\r\n1,"x\r\ny"\r\n2,b\r\n', [ok(2, "x\ny"), ok(4, "b")],
         "the same with CRLF line ends"),
    Case("csv-bom-header", "a.csv", BOM + b"text,id\nhello,1\n", [ok(2, "hello")],
         "a BOM must not stick to the first header name"),
    Case("csv-ragged", "a.csv", b"id,text\n1,a,extra\n2\n3,c\n", [bad(2, RAGGED_ROW), bad(3, RAGGED_ROW), ok(4, "c")],
         "more or fewer fields than the header is a ragged row, rejected at its line"),
    Case("csv-empty-text", "a.csv", b'id,text\n1,\n2,"  "\n3,x\n', [bad(2, EMPTY_TEXT), bad(3, EMPTY_TEXT), ok(4, "x")],
         "an empty or whitespace text cell is rejected"),
    Case("csv-alternatives-first-listed", "a.csv", b"id,text,body\n1,T,B\n", [ok(2, "B")],
         "the first alternative column the header has wins", spec={"text_fields": ("body", "text")}),
    Case("csv-alternatives-fallback", "a.csv", b"id,text\n1,T\n", [ok(2, "T")],
         "a missing first alternative gives way to the next", spec={"text_fields": ("body", "text")}),
    Case("csv-no-text-column", "a.csv", b"id,body\n1,x\n2,y\n", [bad(2, MISSING_TEXT), bad(3, MISSING_TEXT)],
         "without the text column every row is rejected"),
    Case("csv-invalid-utf8", "a.csv", b'id,text\n1,"bad \xff\nmore"\n2,ok\n3,bad \xfe\n',
         [fixed(2, "bad \ufffd\nmore"), ok(4, "ok"), fixed(5, "bad \ufffd")],
         "bad bytes are flagged on the rows that hold them, also inside a multi-line field"),
    Case("csv-invalid-utf8-continuation", "a.csv", b'id,text\n1,"fine\nbad \xff"\n2,ok\n',
         [fixed(2, "fine\nbad \ufffd"), ok(4, "ok")],
         "a bad byte on a quoted field's second line flags the row that started above"),
    Case("csv-header-only", "a.csv", b"id,text\n", [], "a header is not a record"),
    Case("csv-stray-quote-mid-field", "a.csv", b'id,text\n1,say "hi" now\n2,b\n', [ok(2, 'say "hi" now'), ok(3, "b")],
         "a quote inside an unquoted field is literal and does not swallow the next rows"),
    # --- TSV
    Case("tsv-basic", "a.tsv", b"label\treview\n1\tgood\n0\t\n", [ok(2, "good"), bad(3, EMPTY_TEXT)],
         "tab-separated, one record per row", spec={"text_fields": ("review",)}),
    Case("tsv-stray-quote", "a.tsv", b'label\treview\n1\t"unbalanced start\n0\tnext\n1\tend"\n',
         [ok(2, '"unbalanced start'), ok(3, "next"), ok(4, 'end"')],
         "TSV has no quoting: a stray quote is text and the next rows stay rows",
         spec={"text_fields": ("review",)}),
    Case("tsv-ragged", "a.tab", b"label\treview\n1\ta\tb\n0\tc\n", [bad(2, RAGGED_ROW), ok(3, "c")],
         ".tab is TSV; an extra tab makes a ragged row", spec={"text_fields": ("review",)}),
    # --- text (whole file)
    Case("text-whole-file", "a.txt", b"line one\n\nline three\n", [ok(1, "line one\n\nline three\n")],
         "a .txt file is one document, newlines kept"),
    Case("text-bom", "a.md", BOM + b"# title\n", [ok(1, "# title\n")], "a .md file is text; the BOM is stripped"),
    Case("text-whitespace", "a.txt", b"  \n\t\n", [bad(1, EMPTY_TEXT)], "a whitespace-only document is rejected"),
    Case("text-invalid-utf8", "a.txt", b"caf\xe9\n", [fixed(1, "caf\ufffd\n")],
         "latin-1 bytes read as UTF-8 are flagged"),
    Case("text-no-extension", "12345", b"Path: news\n\nBody\n", [ok(1, "Path: news\n\nBody\n")],
         "a file named by number (Usenet, mail) is text", fmt="text"),
    Case("text-numeric-extension", "post.0042", b"hello", [ok(1, "hello")], "a numeric extension is not a format",
         fmt="text"),
    Case("text-too-large", "a.txt", b"x" * 11, [bad(1, TOO_LARGE)], "a whole-file record over the limit is rejected",
         spec={"max_record_bytes": 10}),
    # --- text-lines
    Case("text-lines-blank", "chat.txt", BOM + b"one\n\n  \ntwo\r\nthree", [ok(1, "one"), ok(4, "two"), ok(5, "three")],
         "one record per non-blank line; BOM stripped; blank lines counted", spec={"format": "text-lines"}),
    Case("text-lines-invalid-utf8", "chat.txt", b"good\nbad \xe5\x9b\xff end\nalso good\n",
         [ok(1, "good"), fixed(2, "bad \ufffd\ufffd end"), ok(3, "also good")],
         "a truncated sequence and a lone 0xFF are replaced on that line only", spec={"format": "text-lines"}),
    Case("text-lines-limit-boundary", "chat.txt", b"abcd\r\nabcd\nabcde\r\nab\n",
         [ok(1, "abcd"), ok(2, "abcd"), bad(3, TOO_LARGE), ok(4, "ab")],
         "the limit counts the content, not the line end: CRLF and LF lines of exactly the limit both pass",
         spec={"format": "text-lines", "max_record_bytes": 4}),
    Case("jsonl-limit-boundary", "a.jsonl", b'{"text":"1"}\r\n{"text":"12"}\n{"text":"1"}\n',
         [ok(1, "1"), bad(2, TOO_LARGE), ok(3, "1")], "a JSONL line over the limit is rejected, the next one read",
         spec={"max_record_bytes": 12}),
    Case("csv-line-too-large", "a.csv", b"id,text\n1,aaaaaaaaaa\n2,b\n", [bad(2, TOO_LARGE), ok(3, "b")],
         "a CSV line over the limit is rejected at its line", spec={"max_record_bytes": 8}),
    # --- Parquet
    Case("parquet-null-empty", "a.parquet", parquet({"text": ["a", None, "", "  ", "b"]}),
         [ok(None, "a"), bad(None, MISSING_TEXT), bad(None, EMPTY_TEXT), bad(None, EMPTY_TEXT), ok(None, "b")],
         "one record per row; a null is missing text, an empty string empty text"),
    Case("parquet-list-column", "a.parquet", parquet({"text": pa.array([["x", "y"], []], pa.list_(pa.string()))}),
         [ok(None, "x\ny"), bad(None, EMPTY_TEXT)], "a list<string> cell is joined with newlines"),
    Case("parquet-alternatives", "a.parquet", parquet({"text": ["t"], "answer": ["a"]}), [ok(None, "a")],
         "the first alternative column the file has wins", spec={"text_fields": ("answer", "text")}),
    Case("parquet-missing-column", "a.parquet", parquet({"body": ["x", "y"]}),
         [bad(None, MISSING_TEXT), bad(None, MISSING_TEXT)], "without the column every row is rejected"),
    Case("parquet-not-text", "a.parquet", parquet({"text": [1, 2]}), [bad(None, MISSING_TEXT)] * 2,
         "an integer column is not text"),
    Case("parquet-by-magic", "export.bin", parquet({"text": ["m"]}), [ok(None, "m")],
         "PAR1 magic wins over an unknown extension", fmt="parquet"),
    Case("parquet-gzipped", "a.parquet.gz", gzip.compress(parquet({"text": ["z"]})), [ok(None, "z")],
         "a compressed Parquet file is decompressed into memory and read", fmt="parquet"),
    Case("parquet-batches", "big.parquet", parquet({"text": [None if i == 4500 else f"r{i}" for i in range(5000)]}),
         [bad(None, MISSING_TEXT) if i == 4500 else ok(None, f"r{i}") for i in range(5000)],
         "ordinals continue across 4096-row batches"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_format(case: Case, tmp_path: Path) -> None:
    got = read_path(write(tmp_path, case.name, case.data), **case.spec)
    assert got.error is None, f"{case.why}: {got.error}"
    if case.fmt:
        assert got.fmt == case.fmt, case.why
    assert got.rows == case.expected, case.why


# ------------------------------------------------------------------------------------------------------------
# whole-stream problems: StreamError with its code, after the records read before it


STREAM_ERRORS = [
    # (id, name, data, spec, code, records read before the error, why)
    ("json-malformed", "a.json", b'[{"text": "a"},]', {}, "SCAN_MALFORMED_FILE", [],
     "a JSON document that does not parse is one file-level problem"),
    ("json-jsonl-explicit-json", "a.json", jsonl("a", "b"), {"format": "json"}, "SCAN_MALFORMED_FILE", [],
     "set to json explicitly, JSONL content is not parsed as JSONL"),
    ("json-object-without-text", "a.json", b'{"title": "t", "body": "b"}', {}, "SCAN_NO_TEXT_FIELD", [],
     "a top-level object without the field names what it holds"),
    ("parquet-corrupt", "a.parquet", b"PAR1 this is not parquet PAR1", {}, "SCAN_MALFORMED_FILE", [],
     "Parquet magic with garbage inside"),
    ("parquet-truncated", "a.parquet", parquet({"text": ["a", "b"]})[:-30], {}, "SCAN_MALFORMED_FILE", [],
     "a Parquet file without its footer"),
    ("unknown-extension", "data.xyz", b"whatever", {}, "SCAN_UNKNOWN_FORMAT", [],
     "an extension no reader knows"),
    ("binary-no-extension", "blob", b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)), {}, "SCAN_UNKNOWN_FORMAT",
     [], "NUL bytes in a file without extension: binary, not text"),
    ("gzip-corrupt", "a.jsonl.gz", b"\x1f\x8b\x08\x00" + b"\xff" * 64, {}, "SCAN_CORRUPT_FILE", [],
     "gzip magic followed by garbage"),
    ("xz-corrupt", "a.jsonl.xz", b"\xfd7zXZ\x00" + b"\x00" * 64, {}, "SCAN_CORRUPT_FILE", [],
     "xz magic followed by garbage"),
    ("zstd-header-only", "a.jsonl.zst", b"\x28\xb5\x2f\xfd", {}, "SCAN_TRUNCATED_FILE", [],
     "a zstd frame cut inside its header is truncated, not an empty file"),
]


@pytest.mark.parametrize("name, data, spec, code, before, why", [s[1:] for s in STREAM_ERRORS],
                         ids=[s[0] for s in STREAM_ERRORS])
def test_stream_error(name: str, data: bytes, spec: dict, code: str, before: list, why: str, tmp_path: Path) -> None:
    got = read_path(write(tmp_path, name, data), **spec)
    assert got.error is not None and got.error.code == code, f"{why}: {got.error!r}"
    assert got.rows == before, why


def test_empty_files_hold_no_records(tmp_path: Path) -> None:
    for name, spec in [("e.jsonl", {}), ("e.json", {}), ("e.csv", {}), ("e.tsv", {}), ("e.txt", {}),
                       ("e.txt", {"format": "text-lines"}), ("e.jsonl.gz", {}), ("e", {})]:
        got = read_path(write(tmp_path, name, b""), **spec)
        assert (got.error, got.rows) == (None, []), name
    got = read_path(write(tmp_path, "z.jsonl.gz", gzip.compress(b"")))
    assert (got.compression, got.error, got.rows) == ("gzip", None, [])


# ------------------------------------------------------------------------------------------------------------
# compression: by magic bytes, never by name; the same records whatever the compression


CONTENTS = {
    # name → (bytes, spec): each holds good and bad records so the comparison covers rejections too
    "mixed.jsonl": (jsonl("one", "two") + b"broken\n\n" + b'{"text": "bad \xff"}\n' + b'{"text": ""}\n', {}),
    "rows.csv": (b'id,text\n1,"multi\nline"\n2,b,extra\n3,c\n', {}),
    "chat.txt": (b"hello\n\nworld \xfe\n", {"format": "text-lines"}),
    "doc.json": (SQUAD, {"text_fields": ("data[].paragraphs[].context",)}),
}


@pytest.mark.parametrize("content", list(CONTENTS))  # line-based, CSV and whole-document readers
@pytest.mark.parametrize("compression", list(COMPRESS))  # each compression, by suffix and misnamed
def test_compression_gives_identical_records(content: str, compression: str, tmp_path: Path) -> None:
    data, spec = CONTENTS[content]
    plain = read_path(write(tmp_path / "plain", content, data), **spec)
    assert plain.compression is None and plain.records
    packed = COMPRESS[compression](data)
    with_suffix = read_path(write(tmp_path / "suffix", content + SUFFIX[compression], packed), **spec)
    misnamed = read_path(write(tmp_path / "misnamed", content, packed), **spec)  # e.g. a gzip file named .jsonl
    for got in (with_suffix, misnamed):
        assert got.error is None
        assert (got.compression, got.fmt) == (compression, plain.fmt)
        assert got.records == plain.records


def test_plain_file_named_gz_is_read_plain(tmp_path: Path) -> None:
    got = read_path(write(tmp_path, "a.jsonl.gz", jsonl("plain")))
    assert (got.compression, got.fmt, got.rows) == (None, "jsonl", [ok(1, "plain")])


def test_concatenated_frames_and_members(tmp_path: Path) -> None:
    """Multi-member gzip and multi-frame zstd (with a skippable frame) are one stream."""
    first, second = jsonl("a", "b"), jsonl("c")
    gz = gzip.compress(first) + gzip.compress(second)
    skippable = (0x184D2A50).to_bytes(4, "little") + (3).to_bytes(4, "little") + b"xyz"
    zobj = zstandard.ZstdCompressor(write_content_size=False).compressobj()
    zst = (zstandard.ZstdCompressor(write_checksum=True).compress(first) + skippable
           + zobj.compress(second) + zobj.flush())
    for name, data in [("a.jsonl.gz", gz), ("a.jsonl.zst", zst)]:
        got = read_path(write(tmp_path, name, data))
        assert got.error is None, name
        assert got.rows == [ok(1, "a"), ok(2, "b"), ok(3, "c")], name


def _decodable_prefix(compression: str, data: bytes) -> bytes:
    """What the stdlib (or zstandard) decodes from a cut compressed stream: the reference for what must be kept."""
    if compression == "gzip":
        return zlib.decompressobj(31).decompress(data)
    if compression == "bz2":
        return bz2.BZ2Decompressor().decompress(data)
    if compression == "xz":
        return lzma.LZMADecompressor().decompress(data)
    return zstandard.ZstdDecompressor().decompressobj().decompress(data)


@pytest.mark.parametrize("compression", list(COMPRESS))  # each decompressor reports truncation its own way
def test_truncated_stream_keeps_records_before_the_break(compression: str, tmp_path: Path) -> None:
    lines = [f"record {i} " + format(i * 2654435761 % 2**32, "08x") * 8 for i in range(4000)]
    data = jsonl(*lines)
    packed = COMPRESS[compression](data)
    cut = packed[: len(packed) * 3 // 5]
    whole_lines = _decodable_prefix(compression, cut).count(b"\n")
    assert 0 < whole_lines < len(lines)  # the cut falls inside the data, after some whole records
    got = read_path(write(tmp_path, "cut.jsonl" + SUFFIX[compression], cut))
    assert got.error is not None and got.error.code == "SCAN_TRUNCATED_FILE"
    assert got.rows == [ok(i + 1, lines[i]) for i in range(whole_lines)]


def test_truncated_small_gzip_keeps_its_records(tmp_path: Path) -> None:
    """A file far smaller than the read size: the records before the break must not vanish with the error."""
    data = jsonl(*[f"record {i}" for i in range(2000)])
    packed = gzip.compress(data)
    cut = packed[: len(packed) // 2]
    whole_lines = _decodable_prefix("gzip", cut).count(b"\n")
    got = read_path(write(tmp_path, "small.jsonl.gz", cut))
    assert got.error is not None and got.error.code == "SCAN_TRUNCATED_FILE"
    assert whole_lines > 0 and got.rows == [ok(i + 1, f"record {i}") for i in range(whole_lines)]


# ------------------------------------------------------------------------------------------------------------
# a 50 MB line: rejected without holding it, and the next line still read with its number


def _write_long_line_file(path: Path, before: bytes, prefix: bytes, suffix: bytes, after: bytes) -> None:
    with open(path, "wb") as f:
        f.write(before + prefix)
        block = b"x" * MiB
        for _ in range(50):
            f.write(block)
        f.write(suffix + after)


@pytest.mark.parametrize("name, spec, prefix, suffix, before, after, expected", [
    # a JSON object whose text is 50 MB: the line after it is line 3
    pytest.param("long.jsonl", {}, b'{"text": "', b'"}\n', jsonl("before"), jsonl("after"),
                 [ok(1, "before"), bad(2, TOO_LARGE), ok(3, "after")], id="jsonl"),
    # a bare 50 MB line, then a blank line: the next record is line 4
    pytest.param("long.txt", {"format": "text-lines"}, b"", b"\n", b"before\n", b"\nafter\n",
                 [ok(1, "before"), bad(2, TOO_LARGE), ok(4, "after")], id="text-lines"),
])
def test_50mb_line_is_rejected_in_bounded_memory(name: str, spec: dict, prefix: bytes, suffix: bytes, before: bytes,
                                                 after: bytes, expected: list, tmp_path: Path) -> None:
    path = tmp_path / name
    _write_long_line_file(path, before, prefix, suffix, after)
    limit = 16 * MiB
    tracemalloc.start()
    try:
        got = read_path(path, max_record_bytes=limit, **spec)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert got.error is None
    assert got.rows == expected
    assert "record of 52.4 MB" in got.records[1].message  # says how large the whole line was
    # the limit's worth of the line is held while deciding, never the 50 MB (BufferedReader.readline(limit)
    # alone held twice the limit)
    assert peak < limit + 4 * MiB, f"peak {peak / 1e6:.1f} MB"


# ------------------------------------------------------------------------------------------------------------
# format detection and globs


@pytest.mark.parametrize("name, head, expected, why", [
    ("a.JSONL", b'{"text": "a"}\n', "jsonl", "extensions are case-insensitive"),
    ("a.jsonl.gz", b'{"text": "a"}\n', "jsonl", "the compression suffix is looked through"),
    ("a.json", b'[{"text": "a"},\n{"text": "b"}]', "json", "an array over several lines is JSON"),
    ("a.json", b'{"text": "a"}\n{"text": "b"}\n', "jsonl", "objects line by line are JSONL"),
    ("a.json", b"[1]\n[2]\n", "json", "only lines of objects count as JSONL"),
    ("a.tsv", b"a\tb\n", "tsv", "by extension"),
    ("a.pq", b"PAR1....", "parquet", ".pq is Parquet"),
    ("notes", b"plain words\n", "text", "no extension and no NUL: text"),
    ("a.csv", b"PAR1....", "parquet", "Parquet magic wins over the name"),
])
def test_detect_format(name: str, head: bytes, expected: str, why: str) -> None:
    assert detect_format(name, io.BufferedReader(io.BytesIO(head))) == expected, why


@pytest.mark.parametrize("pattern, name, matches, why", [
    ("docs/*.txt", "docs/a.txt", True, "`*` matches inside one folder"),
    ("docs/*.txt", "docs/sub/a.txt", False, "`*` does not cross `/`"),
    ("docs/**/*.txt", "docs/a.txt", True, "`**/` may match no folder at all"),
    ("docs/**/*.txt", "docs/sub/deeper/a.txt", True, "`**` crosses folders"),
    ("**", "any/thing/at/all.bin", True, "`**` alone matches everything"),
    ("*.txt", "docs/a.txt", False, "a root-level `*` does not reach into folders"),
    ("docs/?.txt", "docs/ab.txt", False, "`?` is one character"),
    ("docs/[ab].txt", "docs/b.txt", True, "character classes"),
    ("docs/[!ab].txt", "docs/b.txt", False, "negated character classes"),
])
def test_member_glob(pattern: str, name: str, matches: bool, why: str) -> None:
    assert bool(glob_regex(pattern).match(name)) is matches, why


def test_iter_lines_counts_skipped_bytes() -> None:
    lines = list(iter_lines(io.BufferedReader(io.BytesIO(b"ok\n" + b"y" * 100 + b"\r\nlast"), 8), 10))
    assert [(ln.number, ln.data, ln.too_long) for ln in lines] == [
        (1, b"ok", False), (2, b"", True), (3, b"last", False)]
    assert lines[1].length == 102  # the whole line was measured although only 12 bytes were ever held
