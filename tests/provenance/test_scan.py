"""scan_unit: one path on disk (plain, compressed, or an archive) into FileResults and a documents shard.

Inputs are written to tmp_path from bytes; the sample corpus is checked against data_samples/EXPECTED.json.
Every scan also checks the invariants: per file, records read = accepted + rejected, the ordinals of the
documents in the shard and of the rejected records together are 0..n-1 without gaps, and the counters agree
with the shard and the issue counts.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import json
import lzma
import tarfile
import tracemalloc
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import zstandard

from provenance.manifest import Source, load_manifest
from provenance.readers.records import (
    EMPTY_TEXT,
    INVALID_ENCODING,
    MALFORMED,
    MISSING_TEXT,
    RAGGED_ROW,
    REJECT_CODES,
    TOO_LARGE,
)
from provenance.scan import FileResult, PlannedFile, ScanUnitResult, doc_id_for, expand_paths, read_spec, scan_unit
from tests.conftest import SAMPLES

EXPECTED = json.loads((SAMPLES / "EXPECTED.json").read_text(encoding="utf-8"))
MiB = 1 << 20
COMPRESS = {
    "gzip": (".gz", gzip.compress),
    "zstd": (".zst", lambda d: zstandard.ZstdCompressor().compress(d)),
    "bz2": (".bz2", bz2.compress),
    "xz": (".xz", lzma.compress),
}


# ------------------------------------------------------------------------------------------------------------
# helpers


def source(**kw: Any) -> Source:
    return Source(id="src", name="Test source", stage="pretraining", paths=["*"], **kw)


def shard_rows(result: ScanUnitResult) -> list[dict]:
    return pq.read_table(result.documents_shard).to_pylist() if result.documents_shard else []


def check_invariants(result: ScanUnitResult) -> None:
    rows = shard_rows(result)
    assert {r["file_index"] for r in rows} <= set(range(len(result.files)))
    for index, fr in enumerate(result.files):
        docs = [r for r in rows if r["file_index"] == index]
        rejected = [issue for issue in fr.issues if issue[2] in REJECT_CODES]
        assert fr.records_ok == len(docs), fr
        assert fr.records_rejected == len(rejected) == sum(
            c.count for code, c in fr.issue_counts.items() if code in REJECT_CODES), fr
        ordinals = sorted([d["ordinal"] for d in docs] + [issue[0] for issue in rejected])
        assert ordinals == list(range(fr.records_ok + fr.records_rejected)), "ordinals 0..n-1 without gaps"
        replaced = fr.issue_counts.get(INVALID_ENCODING)
        assert fr.records_replaced == (replaced.count if replaced else 0)
        assert fr.chars == sum(d["chars"] for d in docs) and fr.text_bytes == sum(d["bytes"] for d in docs)
        assert [d["doc_id"] for d in docs] == [doc_id_for(result.source_id, fr.path, fr.member, d["ordinal"])
                                              for d in docs]
        for code, count in fr.issue_counts.items():  # the first line/ordinal is the first itemised issue's
            first = next(issue for issue in fr.issues if issue[2] == code)
            assert (count.first_ordinal, count.first_line) == (first[0], first[1])


def scan(path: Path, shard_dir: Path, src: Source | None = None, max_record_bytes: int = 16 * MiB,
         members: list[str] | None = None, rel: str | None = None) -> ScanUnitResult:
    src = src or source()
    st = path.stat()
    planned = PlannedFile(src.id, str(path), rel or path.name, st.st_size, st.st_mtime_ns)
    shard_dir.mkdir(parents=True, exist_ok=True)
    result = scan_unit(planned, src, read_spec(src, max_record_bytes), str(shard_dir),
                       members=members if members is not None else src.members)
    check_invariants(result)
    assert result.disk_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()  # the whole file, however it went
    return result


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / "in" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def jsonl(*texts: str) -> bytes:
    return b"".join(b'{"text": "%s"}\n' % t.encode() for t in texts)


def counts(fr: FileResult) -> tuple[int, int, int]:
    return fr.records_ok, fr.records_rejected, fr.records_replaced


def firsts(fr: FileResult) -> dict[str, tuple[int, int | None]]:
    return {code: (c.count, c.first_line) for code, c in fr.issue_counts.items()}


# ------------------------------------------------------------------------------------------------------------
# the sample corpus against EXPECTED.json


REASON_CODES = {  # EXPECTED.json's reasons → the codes that implement them
    "invalid_json": {MALFORMED},
    "empty_text": {EMPTY_TEXT},
    "field_count": {RAGGED_ROW},
    "null_or_empty_text": {MISSING_TEXT, EMPTY_TEXT},
}


def _where(entry: dict) -> tuple[str, int]:
    """EXPECTED's 1-based position of a rejected record, as the issue field that holds it."""
    if "line" in entry:
        return "line", entry["line"]
    if "index" in entry:
        return "ordinal", entry["index"] - 1
    return "ordinal", entry["row"] - 1


@pytest.fixture(scope="module")
def sample_scans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, FileResult]]:
    """Every file and member of data_samples, scanned once: key as in EXPECTED.json → (source id, result)."""
    loaded = load_manifest(SAMPLES / "manifest.yaml")
    shard_dir = tmp_path_factory.mktemp("shards")
    out: dict[str, tuple[str, FileResult]] = {}
    for src in loaded.manifest.sources:
        files, empty = expand_paths(loaded, src)
        assert files and not empty, src.id
        for abs_path in files:
            result = scan(Path(abs_path), shard_dir, src, rel=loaded.relative(abs_path))
            assert result.error_code is None, (abs_path, result.error)
            for fr in result.files:
                key = f"{fr.path}!{fr.member}" if fr.member else fr.path
                assert key not in out, key
                out[key] = (src.id, fr)
    return out


def test_samples_read_exactly_the_expected_files(sample_scans: dict) -> None:
    assert sorted(sample_scans) == sorted(EXPECTED["files"])
    assert not set(EXPECTED["excluded_archive_members"]) & set(sample_scans)  # members globs held them out


@pytest.mark.parametrize("key", sorted(EXPECTED["files"]))  # each sample file and archive member
def test_sample_file_matches_expected(key: str, sample_scans: dict) -> None:
    want = EXPECTED["files"][key]
    source_id, fr = sample_scans[key]
    assert source_id == want["source"]
    assert fr.error_code is None, fr.error
    assert fr.format == want["format"]
    assert (fr.records_ok + fr.records_rejected, fr.records_ok, fr.records_rejected) == (
        want["records"], want["accepted"], want["rejected"])
    rejected = [issue for issue in fr.issues if issue[2] in REJECT_CODES]
    for entry in want["rejected_at"]:
        field, value = _where(entry)
        at = [issue for issue in rejected if (issue[1] if field == "line" else issue[0]) == value]
        assert len(at) == 1, (entry, rejected)
        assert at[0][2] in REASON_CODES[entry["reason"]], (entry, at[0])
    # invalid bytes planted in a sample are flagged at their line, and nothing else is
    planted = [p["line"] for p in EXPECTED["planted"] if p["file"] == key and "invalid UTF-8" in p["what"]]
    assert [issue[1] for issue in fr.issues if issue[2] == INVALID_ENCODING] == planted


def test_sample_source_totals(sample_scans: dict) -> None:
    totals: dict[str, list[int]] = {}
    for source_id, fr in sample_scans.values():
        t = totals.setdefault(source_id, [0, 0, 0, 0])
        t[0] += 1
        t[1] += fr.records_ok + fr.records_rejected
        t[2] += fr.records_ok
        t[3] += fr.records_rejected
    assert totals == {sid: [s["files"], s["records"], s["accepted"], s["rejected"]]
                      for sid, s in EXPECTED["sources"].items()}


# ------------------------------------------------------------------------------------------------------------
# one file per case: counts, file-level code, and the first line of each issue


BAD_FILES = [
    # (id, name, data, source kwargs, (ok, rejected, replaced), file error code, {code: (count, first line)}, why)
    ("empty-jsonl", "empty.jsonl", b"", {}, (0, 0, 0), "SCAN_EMPTY_FILE", {}, "a 0-byte file holds no records"),
    ("blank-jsonl", "blank.jsonl", b"\n  \n\r\n", {}, (0, 0, 0), "SCAN_EMPTY_FILE", {},
     "only blank lines: no records either"),
    ("empty-csv", "empty.csv", b"", {}, (0, 0, 0), "SCAN_EMPTY_FILE", {}, "an empty CSV has not even a header"),
    ("malformed-jsonl", "m.jsonl", b'{"text": "a"}\n{"text": "broken\n{"text": "c"}\n', {}, (2, 1, 0), None,
     {MALFORMED: (1, 2)}, "the broken line is rejected at line 2, the others kept"),
    ("array-jsonl", "arr.jsonl", b'{"text": "a"}\n\n[{"text": "b"}]\n', {}, (1, 1, 0), None, {MALFORMED: (1, 3)},
     "a JSONL line holding an array is malformed, at its physical line"),
    ("ragged-csv", "r.csv", b'id,text\n1,"two\nlines"\n2,a,b\n3,c\n4\n', {}, (2, 2, 0), None,
     {RAGGED_ROW: (2, 4)}, "ragged rows counted, the first at line 4 after a two-line row"),
    ("invalid-utf8-text-lines", "chat.txt", b"fine\nbad \xff\n\nbad \xfe again\n", {"format": "text-lines"},
     (3, 0, 2), None, {INVALID_ENCODING: (2, 2)}, "replaced records are kept and counted with their first line"),
    ("invalid-utf8-csv", "r.csv", b"id,text\n1,ok\n2,caf\xe9\n", {}, (2, 0, 1), None, {INVALID_ENCODING: (1, 3)},
     "one CSV row with a latin-1 byte"),
    ("invalid-utf8-json", "a.json", b'[{"text": "ok"}, {"text": "caf\xe9"}]', {}, (2, 0, 1), None,
     {INVALID_ENCODING: (1, None)}, "JSON records have no line"),
    ("nul-jsonl", "nul.jsonl", b'{"text": "a\x00"}\n{"text": "b"}\n', {}, (1, 1, 0), None, {MALFORMED: (1, 1)},
     "a raw NUL makes a JSON line invalid"),
    ("unknown-extension", "data.xyz", b"whatever", {}, (0, 0, 0), "SCAN_UNKNOWN_FORMAT", {},
     "no reader for .xyz"),
    ("binary-no-extension", "blob", b"\x00\x01\x02\x03binary", {}, (0, 0, 0), "SCAN_UNKNOWN_FORMAT", {},
     "NUL bytes and no extension"),
    ("corrupt-gzip", "c.jsonl.gz", b"\x1f\x8b\x08\x00" + b"\xff" * 64, {}, (0, 0, 0), "SCAN_CORRUPT_FILE", {},
     "a damaged deflate stream is a file-level error, not a crash"),
    ("json-missing-text", "o.json", b'{"title": "t"}', {}, (0, 0, 0), "SCAN_NO_TEXT_FIELD", {},
     "a top-level object without the field"),
    ("json-squad", "s.json", b'{"data": [{"paragraphs": [{"context": "a"}, {"context": ""}]}]}',
     {"text_field": "data[].paragraphs[].context"}, (1, 1, 0), None, {EMPTY_TEXT: (1, None)},
     "a nested path from the manifest's text_field"),
    ("tsv-stray-quote", "r.tsv", b'label\treview\n1\t"oops\n0\tnext\n', {"text_field": "review"}, (2, 0, 0), None, {},
     "a stray quote in TSV does not join rows"),
    ("too-large-csv", "big.csv", b"id,text\n1," + b"x" * 200 + b"\n2,b\n", {}, (1, 1, 0), None,
     {TOO_LARGE: (1, 2)}, "a CSV line over the limit (here 100 bytes)"),
]


@pytest.mark.parametrize("name, data, kw, want_counts, error_code, want_firsts, why",
                         [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_bad_file(name: str, data: bytes, kw: dict, want_counts: tuple, error_code: str | None,
                  want_firsts: dict, why: str, tmp_path: Path) -> None:
    limit = 100 if name == "big.csv" else 16 * MiB
    result = scan(write(tmp_path, name, data), tmp_path / "shards", source(**kw), max_record_bytes=limit)
    assert result.error_code is None  # a problem with one plain file is the file's, not the unit's
    (fr,) = result.files
    assert (counts(fr), fr.error_code, firsts(fr)) == (want_counts, error_code, want_firsts), f"{why}: {fr.error}"


def test_50mb_line_via_scan_unit(tmp_path: Path) -> None:
    path = tmp_path / "in" / "long.jsonl"
    path.parent.mkdir()
    with open(path, "wb") as f:
        f.write(b'{"text": "before"}\n{"text": "')
        for _ in range(50):
            f.write(b"x" * MiB)
        f.write(b'"}\n{"text": "after"}\n')
    src = source()
    scan(write(tmp_path, "warm.jsonl", jsonl("w")), tmp_path / "warm")  # one-time imports are not the line's
    planned = PlannedFile(src.id, str(path), path.name, path.stat().st_size, 0)
    tracemalloc.start()
    try:
        result = scan_unit(planned, src, read_spec(src, 16 * MiB), str(tmp_path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    check_invariants(result)
    (fr,) = result.files
    assert (counts(fr), fr.error_code, firsts(fr)) == ((2, 1, 0), None, {TOO_LARGE: (1, 2)})
    assert [r["line"] for r in shard_rows(result)] == [1, 3]
    assert fr.bytes == path.stat().st_size and fr.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    # the limit's worth (16 MiB) and the read buffers, never the 50 MB line nor twice the limit
    assert peak < 24 * MiB, f"peak {peak / 1e6:.1f} MB"


# ------------------------------------------------------------------------------------------------------------
# compression


MIXED = jsonl("one", "two") + b"broken\n\n" + b'{"text": "bad \xff"}\n' + b'{"text": ""}\n' + jsonl("last")


@pytest.mark.parametrize("compression", list(COMPRESS))  # by suffix and misnamed, each compression
def test_compressed_file_scans_like_plain(compression: str, tmp_path: Path) -> None:
    plain_result = scan(write(tmp_path, "p/data.jsonl", MIXED), tmp_path / "s1")
    plain = plain_result.files[0]
    plain_hashes = [r["text_hash"] for r in shard_rows(plain_result)]
    suffix, compress = COMPRESS[compression]
    packed = compress(MIXED)
    for name in ("c/data.jsonl" + suffix, "m/data.jsonl"):  # by suffix, and misnamed: detection is by magic
        result = scan(write(tmp_path, name, packed), tmp_path / "s2")
        (fr,) = result.files
        assert fr.compression == compression and fr.format == "jsonl"
        assert (counts(fr), firsts(fr), fr.chars, fr.text_bytes) == (
            counts(plain), firsts(plain), plain.chars, plain.text_bytes)
        assert (fr.bytes, fr.sha256) == (len(MIXED), hashlib.sha256(MIXED).hexdigest())  # of the content
        assert (fr.bytes, fr.sha256) == (plain.bytes, plain.sha256)
        assert [r["text_hash"] for r in shard_rows(result)] == plain_hashes


def test_truncated_gzip_keeps_counts_and_records(tmp_path: Path) -> None:
    data = jsonl(*[f"record {i}" for i in range(3000)])
    packed = gzip.compress(data)
    cut = packed[: len(packed) // 2]
    whole_lines = zlib.decompressobj(31).decompress(cut).count(b"\n")
    result = scan(write(tmp_path, "t.jsonl.gz", cut), tmp_path / "shards")
    assert result.error_code is None
    (fr,) = result.files
    assert fr.error_code == "SCAN_TRUNCATED_FILE" and "truncated" in (fr.error or "")
    assert 0 < whole_lines < 3000
    assert counts(fr) == (whole_lines, 0, 0)
    assert [r["line"] for r in shard_rows(result)] == list(range(1, whole_lines + 1))


@pytest.mark.parametrize("compression", ["zstd", "xz", "bz2"])  # cut 5 bytes short: inside the end of the stream
def test_truncated_other_compressions(compression: str, tmp_path: Path) -> None:
    suffix, compress = COMPRESS[compression]
    packed = compress(jsonl(*[f"r{i}" for i in range(50)]))
    result = scan(write(tmp_path, "t.jsonl" + suffix, packed[:-5]), tmp_path / "shards")
    assert result.files[0].error_code == "SCAN_TRUNCATED_FILE"  # zstd used to end cleanly, losing data unseen


# ------------------------------------------------------------------------------------------------------------
# archives


def _add(tf: tarfile.TarFile, name: str, data: bytes | None) -> None:
    info = tarfile.TarInfo(name.rstrip("/"))
    if data is None:
        info.type = tarfile.DIRTYPE
        tf.addfile(info)
    else:
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))


def _inner_tar() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        _add(tf, "x.txt", b"inside an inner archive")
    return buf.getvalue()


def _inner_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("x.txt", "inside an inner zip")
    return buf.getvalue()


MEMBERS: list[tuple[str, bytes | None]] = [  # archive order; None is a directory entry
    ("README.md", b"# readme\n"),
    ("d/", None),
    ("d/a.txt", b"document a\n"),
    ("d/sub/", None),
    ("d/sub/b.txt", b"\xef\xbb\xbfdocument b\n"),
    ("d/c.jsonl.gz", gzip.compress(jsonl("c1") + b"oops\n" + jsonl("c3"))),
    ("d/inner.tar.gz", _inner_tar()),
    ("d/inner.zip", _inner_zip()),
]
# member → (format, compression, (ok, rejected, replaced), error code)
MEMBER_RESULTS = {
    "README.md": ("text", None, (1, 0, 0), None),
    "d/a.txt": ("text", None, (1, 0, 0), None),
    "d/sub/b.txt": ("text", None, (1, 0, 0), None),
    "d/c.jsonl.gz": ("jsonl", "gzip", (2, 1, 0), None),
    "d/inner.tar.gz": (None, None, (0, 0, 0), "SCAN_UNKNOWN_FORMAT"),
    "d/inner.zip": (None, None, (0, 0, 0), "SCAN_UNKNOWN_FORMAT"),
}
FILES = [name for name, data in MEMBERS if data is not None]


def make_archive(kind: str, members: list[tuple[str, bytes | None]] = MEMBERS) -> bytes:
    buf = io.BytesIO()
    if kind == "zip":
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members:
                zf.writestr(name, data if data is not None else b"")
        return buf.getvalue()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in members:
            _add(tf, name, data)
    tar = buf.getvalue()
    return {"tar": tar, "tar.gz": gzip.compress(tar), "tgz": gzip.compress(tar), "tar.bz2": bz2.compress(tar),
            "tar.xz": lzma.compress(tar), "tar.zst": zstandard.ZstdCompressor().compress(tar)}[kind]


# every archive kind the scanner names: plain tar, tar under each compression (by magic bytes), zip
@pytest.mark.parametrize("kind", ["tar", "tar.gz", "tgz", "tar.bz2", "tar.xz", "tar.zst", "zip"])
def test_archive_members_all_read(kind: str, tmp_path: Path) -> None:
    result = scan(write(tmp_path, "corpus." + kind, make_archive(kind)), tmp_path / "shards")
    assert result.error_code is None, result.error  # .tar.zst used to be "not a readable tar archive"
    assert [fr.member for fr in result.files] == FILES  # archive order, no directory entries
    for fr in result.files:
        assert (fr.format, fr.compression, counts(fr), fr.error_code) == MEMBER_RESULTS[fr.member], fr.member
    texts = {fr.member: fr for fr in result.files}
    assert texts["d/sub/b.txt"].chars == len("document b\n")  # the member's BOM is stripped


@pytest.mark.parametrize("members, expected, why", [
    (["d/*.txt"], ["d/a.txt"], "`*` stays in its folder"),
    (["d/**/*.txt"], ["d/a.txt", "d/sub/b.txt"], "`**/` spans zero or more folders"),
    (["d/**"], [f for f in FILES if f.startswith("d/")], "`**` at the end takes everything below"),
    (["*.md", "d/*.gz"], ["README.md", "d/c.jsonl.gz", "d/inner.tar.gz"], "several globs: any may match"),
    (["**/*.zip"], ["d/inner.zip"], "a nested archive can be selected; it is reported, not read"),
])
@pytest.mark.parametrize("kind", ["tar.gz", "zip"])
def test_archive_member_globs(kind: str, members: list[str], expected: list[str], why: str, tmp_path: Path) -> None:
    result = scan(write(tmp_path, "corpus." + kind, make_archive(kind)), tmp_path / "shards", members=members)
    assert [fr.member for fr in result.files] == expected, why
    for fr in result.files:
        assert (fr.format, fr.compression, counts(fr), fr.error_code) == MEMBER_RESULTS[fr.member]


def test_archive_members_matching_nothing(tmp_path: Path) -> None:
    result = scan(write(tmp_path, "corpus.tar.gz", make_archive("tar.gz")), tmp_path / "shards",
                  members=["*.txt"])  # root level only: the .txt files are all in folders
    assert (result.files, result.error_code) == ([], "SCAN_NO_FILES")


@pytest.mark.parametrize("name, data, why", [
    ("garbage.zip", b"this is not a zip archive" * 10, "no zip structure at all"),
    ("cut.zip", make_archive("zip")[:200], "a zip without its central directory"),
    ("garbage.tar", b"this is not a tar archive" * 40, "no tar header"),
    ("garbage.tar.gz", b"\x1f\x8b\x08\x00" + b"\xff" * 100, "gzip magic over a damaged stream"),
])
def test_corrupt_archive(name: str, data: bytes, why: str, tmp_path: Path) -> None:
    result = scan(write(tmp_path, name, data), tmp_path / "shards")
    assert (result.files, result.error_code) == ([], "SCAN_CORRUPT_FILE"), why


def test_zip_member_with_bad_crc(tmp_path: Path) -> None:
    body = b"".join(b'{"text": "row %d %s"}\n' % (i, hashlib.sha1(b"%d" % i).hexdigest().encode())
                    for i in range(2000))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.jsonl", body)
        zf.writestr("b.jsonl", jsonl("b"))
    data = bytearray(buf.getvalue())
    data[len(body) // 2] ^= 0x01  # one flipped bit in a.jsonl's stored bytes
    result = scan(write(tmp_path, "crc.zip", bytes(data)), tmp_path / "shards")
    a, b = result.files
    assert a.error_code == "SCAN_CORRUPT_FILE" and "a.jsonl" in (a.error or "")  # used to escape as BadZipFile
    assert (b.member, counts(b), b.error_code) == ("b.jsonl", (1, 0, 0), None)


def test_truncated_tar_gz(tmp_path: Path) -> None:
    def body(m: int) -> bytes:
        return b"".join(b'{"text": "m%d r%d %s"}\n' % (m, i, hashlib.sha1(b"%d-%d" % (m, i)).hexdigest().encode())
                        for i in range(3000))

    whole = make_archive("tar.gz", [("m0.jsonl", body(0)), ("m1.jsonl", body(1)), ("m2.jsonl", body(2))])
    result = scan(write(tmp_path, "cut.tar.gz", whole[: len(whole) // 2]), tmp_path / "shards")
    assert result.error_code == "SCAN_TRUNCATED_FILE"  # used to escape as tarfile.ReadError
    m0, m1 = result.files
    assert (m0.member, counts(m0), m0.error_code) == ("m0.jsonl", (3000, 0, 0), None)
    assert m1.error_code == "SCAN_TRUNCATED_FILE"
    assert 0 < m1.records_ok < 3000 and m1.records_rejected == 0  # the records before the break were kept


def test_plain_file_ignores_member_globs(tmp_path: Path) -> None:
    result = scan(write(tmp_path, "a.jsonl", jsonl("x")), tmp_path / "shards", members=["nothing/*"])
    assert [(fr.member, counts(fr)) for fr in result.files] == [("", (1, 0, 0))]


def test_unchanged_file_is_not_read(tmp_path: Path) -> None:
    path = write(tmp_path, "a.jsonl", jsonl("x"))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    st = path.stat()
    src = source()
    planned = PlannedFile(src.id, str(path), path.name, st.st_size, st.st_mtime_ns, digest, st.st_size)
    result = scan_unit(planned, src, read_spec(src, MiB), str(tmp_path))
    assert (result.unchanged, result.files, result.documents_shard, result.disk_sha256) == (True, [], None, digest)
    path.write_bytes(jsonl("y"))  # same size, other bytes: read again
    result = scan_unit(planned, src, read_spec(src, MiB), str(tmp_path))
    assert not result.unchanged and counts(result.files[0]) == (1, 0, 0)


def test_record_limit_applies_to_json_and_parquet_records(tmp_path: Path) -> None:
    """A whole-document format must not let a record past the per-record limit that JSONL enforces."""
    import pyarrow as pa

    big = "字" * 400_000  # 1.2 MB of UTF-8, over a 1 MiB limit
    doc = json.dumps({"data": [{"paragraphs": [{"context": "short"}, {"context": big}]}]}, ensure_ascii=False)
    fr = scan(write(tmp_path, "squad.json", doc.encode()), tmp_path,
              source(text_field="data[].paragraphs[].context"), max_record_bytes=MiB).files[0]
    assert counts(fr)[:2] == (1, 1) and "SCAN_RECORD_TOO_LARGE" in fr.issue_counts
    pq.write_table(pa.table({"text": ["ok", big]}), tmp_path / "t.parquet")
    fr = scan(tmp_path / "t.parquet", tmp_path, max_record_bytes=MiB).files[0]
    assert counts(fr)[:2] == (1, 1) and fr.issue_counts["SCAN_RECORD_TOO_LARGE"].first_ordinal == 1


def test_archive_members_written_with_dot_slash_match_plain_globs(tmp_path: Path) -> None:
    """`tar -C dir .` stores ./dir/a.txt; a manifest's members glob dir/*.txt must still find it."""
    path = tmp_path / "a.tar"
    with tarfile.open(path, "w") as tf:
        for name in ("./dir/a.txt", "./dir/b.txt", "./other/c.txt"):
            data = f"text of {name}".encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    st = path.stat()
    result = scan_unit(PlannedFile("s", str(path), "a.tar", st.st_size, st.st_mtime_ns), source(format="text"),
                       read_spec(source(format="text"), 16 * MiB), str(tmp_path), members=["dir/*.txt"])
    assert sorted(fr.member for fr in result.files) == ["./dir/a.txt", "./dir/b.txt"]
