"""Scanning: enumerate a source's files, read each into documents, and write the results as Parquet shards.

`plan_source` runs in the orchestrator (it only lists and stats files). `scan_unit` runs in a worker: it never
touches the catalog, it returns a ScanUnitResult that names its shard files; one writer loads them.
"""

from __future__ import annotations

import errno
import glob
import hashlib
import io
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from hashlib import blake2b
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from provenance.manifest import LoadedManifest, Source
from provenance.readers import ReadSpec, StreamError, detect_format, is_archive_name, open_stream, read_records
from provenance.readers.records import INVALID_ENCODING, REJECT_CODES
from provenance.licenses.detect import is_dataset_card_name, is_license_file_name
from provenance.readers.streams import CHUNK, HashingReader, Member, iter_archive, matches_any

ISSUES_KEPT_PER_CODE = 200  # per file: every record is counted, only the first few are itemised

# I/O errors that may go away when tried again (a network file system timing out or failing over, a device busy):
# the scan task retries them. Anything else (ENOENT, EACCES, a full disk) would fail again the same way.
TRANSIENT_ERRNOS = frozenset({errno.EIO, errno.EAGAIN, errno.ETIMEDOUT, errno.ESTALE, errno.EBUSY})
NO_SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})


def is_transient(exc: BaseException | None) -> bool:
    """An OSError worth trying again (see TRANSIENT_ERRNOS)."""
    return isinstance(exc, OSError) and exc.errno in TRANSIENT_ERRNOS


class ShardWriteError(OSError):
    """Writing a shard file failed (disk full, quota, file size limit): the path's results cannot be kept.

    Kept apart from read errors so that it is not reported as an unreadable input file, and so that a reader's own
    error handling (which keeps what was read before a bad record) does not swallow it.
    """


def no_checkpoint(name: str) -> None:
    """The default fault seam of scan_unit, Catalog.load_unit and the duplicates stage: nothing (the audit flow
    passes flows.faults.checkpoint)."""
TEXT_BATCH_DOCS = 2048
# Detectors vectorise over a whole batch (the duplicates detector holds ~55 bytes per character in numpy arrays),
# so a worker's memory follows this size: 1 MB keeps it to tens of MB per worker at no measurable cost in speed,
# where a batch of 8 MB of e-mail held ~470 MB (tests/provenance/test_scan_memory.py holds the bound).
TEXT_BATCH_BYTES = 1 << 20

DOC_SCHEMA = pa.schema([
    ("file_index", pa.int32()),
    ("ordinal", pa.int64()),
    ("doc_id", pa.string()),
    ("line", pa.int64()),
    ("chars", pa.int64()),
    ("bytes", pa.int64()),
    ("text_hash", pa.string()),
])


class BatchDetector(Protocol):
    """What the scanner needs of a detector (see detectors.base.Detector)."""

    name: str

    def config_hash(self) -> str: ...

    @classmethod
    def tables(cls) -> tuple[str, ...]: ...

    def process(self, batch: pa.RecordBatch) -> pa.Table | dict[str, pa.Table] | None: ...

    def files_complete(self, below: int) -> pa.Table | dict[str, pa.Table] | None: ...

    def finish(self) -> pa.Table | dict[str, pa.Table] | None: ...


@dataclass(frozen=True)
class PlannedFile:
    """One path on disk to read, with what the previous run knew about it."""

    source_id: str
    abs_path: str
    path: str  # relative to the manifest, `/`-separated
    disk_bytes: int
    disk_mtime_ns: int
    prev_disk_sha256: str | None = None
    prev_disk_bytes: int | None = None


@dataclass
class IssueCount:
    count: int
    first_line: int | None
    first_ordinal: int | None
    first_message: str


@dataclass
class FileResult:
    """One record-bearing file: a plain file, or one member of an archive."""

    path: str
    member: str
    format: str | None
    compression: str | None
    sha256: str | None = None
    bytes: int = 0
    records_ok: int = 0
    records_rejected: int = 0
    records_replaced: int = 0
    chars: int = 0
    text_bytes: int = 0
    error_code: str | None = None
    error: str | None = None
    issue_counts: dict[str, IssueCount] = field(default_factory=dict)
    issues: list[tuple[int | None, int | None, str, str]] = field(default_factory=list)

    def version_id(self, source_id: str, read_config: str) -> str:
        key = "\0".join([source_id, self.path, self.member, self.sha256 or "", read_config])
        return hashlib.sha256(key.encode()).hexdigest()[:32]

    def note(self, ordinal: int | None, line: int | None, code: str, message: str) -> None:
        seen = self.issue_counts.get(code)
        if seen is None:
            self.issue_counts[code] = IssueCount(1, line, ordinal, message)
        else:
            seen.count += 1
        if (seen.count if seen else 1) <= ISSUES_KEPT_PER_CODE:
            self.issues.append((ordinal, line, code, message))


@dataclass
class ScanUnitResult:
    """What a worker hands back for one path on disk. Small: the documents are in the shard files."""

    source_id: str
    path: str
    read_config: str
    disk_bytes: int
    disk_mtime_ns: int
    disk_sha256: str | None
    unchanged: bool = False  # the content hash equals the previous run's: nothing was read
    files: list[FileResult] = field(default_factory=list)
    documents_shard: str | None = None
    detector_shards: dict[str, dict[str, str]] = field(default_factory=dict)  # stage → {table: shard path}
    detector_configs: dict[str, str] = field(default_factory=dict)
    error_code: str | None = None
    error: str | None = None
    seconds: float = 0.0
    license_texts: list[tuple[str, str]] = field(default_factory=list)  # (archive member, text) of licence files


LICENSE_TEXT_MAX = 256 << 10  # licence files and dataset cards are small; a bigger "LICENSE" is not one


def read_spec(source: Source, max_record_bytes: int) -> ReadSpec:
    return ReadSpec(source.format, tuple(source.text_fields), source.encoding, max_record_bytes)


def expand_paths(loaded: LoadedManifest, source: Source) -> tuple[list[str], list[str]]:
    """Files matched by a source's globs (sorted, deduplicated) and the patterns that matched nothing."""
    found: dict[str, None] = {}
    empty: list[str] = []
    for pattern in source.paths:
        matched = []
        for hit in sorted(glob.glob(loaded.resolve(pattern), recursive=True)):
            if os.path.isdir(hit):
                matched += sorted(str(p) for p in Path(hit).rglob("*") if p.is_file())
            elif os.path.isfile(hit):
                matched.append(hit)
        if not matched:
            empty.append(pattern)
        for m in matched:
            found.setdefault(os.path.normpath(m), None)
    return list(found), empty


def disk_sha256(path: str) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


class _Sink:
    """Collects document rows and text batches for one unit and writes them as Parquet shards."""

    def __init__(self, shard_dir: str, stem: str, detectors: list[BatchDetector]):
        self.shard_dir = shard_dir
        self.stem = stem
        self.detectors = detectors
        self._new_rows()
        self.writer: pq.ParquetWriter | None = None
        self.doc_path = os.path.join(shard_dir, f"{stem}.documents.parquet")
        self.texts: list[str] = []
        self.text_ids: list[str] = []
        self.text_files: list[int] = []
        self.text_bytes = 0
        self.det_writers: dict[tuple[str, str], pq.ParquetWriter] = {}
        self.det_paths: list[str] = []
        self.file_of: dict[str, int] = {}  # doc_id → file index, for detector rows
        # a detector that keeps documents back until finish() needs the file index of any document of the unit
        self.detectors_keep_texts = any(getattr(d, "keeps_documents", False) for d in detectors)

    def add(self, file_index: int, ordinal: int, doc_id: str, line: int | None, text: str) -> int:
        """Record one document; returns its UTF-8 size."""
        data = text.encode("utf-8", "surrogatepass")
        self.file_index.append(file_index)
        self.ordinal.append(ordinal)
        self.doc_id.append(doc_id)
        self.line.append(line)
        self.chars.append(len(text))
        self.bytes.append(len(data))
        self.text_hash.append(blake2b(data, digest_size=16).hexdigest())
        if len(self.ordinal) >= 65536:
            self._flush_docs()
        if self.detectors:
            self.texts.append(text)
            self.text_ids.append(doc_id)
            self.text_files.append(file_index)
            self.text_bytes += len(data)
            if len(self.texts) >= TEXT_BATCH_DOCS or self.text_bytes >= TEXT_BATCH_BYTES:
                self._flush_texts()
        return len(data)

    def _new_rows(self) -> None:
        # one list attribute per column: this runs once per document, and attribute appends beat dict lookups
        self.file_index: list[int] = []
        self.ordinal: list[int] = []
        self.doc_id: list[str] = []
        self.line: list[int | None] = []
        self.chars: list[int] = []
        self.bytes: list[int] = []
        self.text_hash: list[str] = []

    def _flush_docs(self) -> None:
        if not self.ordinal:
            return
        table = pa.table({name: getattr(self, name) for name in DOC_SCHEMA.names}, schema=DOC_SCHEMA)
        with _shard_write():
            if self.writer is None:
                self.writer = pq.ParquetWriter(self.doc_path, DOC_SCHEMA)
            self.writer.write_table(table)
        self._new_rows()

    def _flush_texts(self) -> None:
        if not self.texts:
            return
        batch = pa.record_batch({"doc_id": self.text_ids, "text": self.texts,
                                 "file_index": pa.array(self.text_files, pa.int32())})
        self.file_of.update(zip(self.text_ids, self.text_files))
        for det in self.detectors:
            self._write_detector(det, det.process(batch))
            # files are read one after another and numbered in that order: those before the batch's last one are
            # complete, and their per-file rows can go out now rather than when an archive of thousands ends
            self._write_detector(det, det.files_complete(self.text_files[-1]))
        self.texts, self.text_ids, self.text_files, self.text_bytes = [], [], [], 0
        if not self.detectors_keep_texts:
            self.file_of = {}

    def _write_detector(self, det: BatchDetector, out: pa.Table | dict[str, pa.Table] | None) -> None:
        if out is None:
            return
        tables = out if isinstance(out, dict) else {det.tables()[0]: out}
        for table_name, rows in tables.items():
            if table_name not in det.tables():
                raise ValueError(f"detector {det.name!r} returned rows for {table_name!r}, not one of its tables")
            if rows.num_rows == 0:
                continue
            if "file_index" not in rows.column_names:
                ids = rows.column("doc_id").to_pylist()
                rows = rows.append_column("file_index", pa.array([self.file_of[i] for i in ids], pa.int32()))
            key = (det.name, table_name)
            writer = self.det_writers.get(key)
            path = os.path.join(self.shard_dir, f"{self.stem}.{det.name}.{table_name}.parquet")
            with _shard_write():
                if writer is None:
                    self.det_paths.append(path)
                    writer = self.det_writers[key] = pq.ParquetWriter(path, rows.schema)
                writer.write_table(rows)

    def close(self, result: ScanUnitResult) -> None:
        self._flush_docs()
        self._flush_texts()
        for det in self.detectors:
            self._write_detector(det, det.finish())
        if self.writer is not None:
            with _shard_write():
                self.writer.close()
            result.documents_shard = self.doc_path
        for (name, table_name), writer in self.det_writers.items():
            with _shard_write():
                writer.close()
            result.detector_shards.setdefault(name, {})[table_name] = writer.where  # type: ignore[attr-defined]
        result.detector_configs = {d.name: d.config_hash() for d in self.detectors}

    def discard(self) -> None:
        """After a failure: drop what detectors hold back for this path, close and delete the partial shards.

        Deleting them at once matters when the disk is full: the space goes back to the paths read next.
        """
        for det in self.detectors:
            try:
                det.finish()  # a detector keeping documents until finish() would hand them to the next path
            except Exception:  # noqa: BLE001 (the path has failed already; its detector output is dropped anyway)
                pass
        for path in [self.doc_path, *self.det_paths]:
            try:
                os.unlink(path)
            except OSError:
                pass
        for writer in [self.writer, *self.det_writers.values()]:
            if writer is not None:
                try:
                    writer.close()
                except Exception:  # noqa: BLE001 (a writer that failed may fail again on close; it is unlinked)
                    pass
        self.writer, self.det_writers = None, {}


@contextmanager
def _shard_write() -> Iterator[None]:
    """Turn an OSError of writing a shard file into a ShardWriteError (with the same errno)."""
    try:
        yield
    except ShardWriteError:
        raise
    except OSError as e:
        # no path in the message: it ends up in the disclosure, and the shard folder is a detail of this machine
        raise ShardWriteError(e.errno, "cannot write its results to temporary space (the --out folder): "
                                       f"{os.strerror(e.errno) if e.errno else e}") from e


def doc_id_for(source_id: str, path: str, member: str, ordinal: int) -> str:
    return f"{source_id}:{path}{'!' + member if member else ''}#{ordinal}"


def _read_one(result: FileResult, stream: Any, name: str, spec: ReadSpec, source_id: str, file_index: int,
              sink: _Sink) -> None:
    """Read one file or member into the sink; every record read is accepted or rejected, never dropped."""
    try:
        stream, result.compression = open_stream(stream, name)
        fmt = spec.format if spec.format != "auto" else detect_format(name, stream)
        result.format = fmt
        counted = HashingReader(stream)
        body = io.BufferedReader(counted, CHUNK)
        for rec in read_records(body, fmt, spec):
            if rec.text is None:
                result.records_rejected += 1
                result.note(rec.ordinal, rec.line, rec.code or "SCAN_MALFORMED_RECORD", rec.message or "")
                continue
            result.records_ok += 1
            if rec.code == INVALID_ENCODING:
                result.records_replaced += 1
                result.note(rec.ordinal, rec.line, rec.code, f"invalid {spec.encoding} bytes decoded as U+FFFD")
            result.chars += len(rec.text)
            result.text_bytes += sink.add(file_index, rec.ordinal,
                                          doc_id_for(source_id, result.path, result.member, rec.ordinal),
                                          rec.line, rec.text)
        counted.drain()
        result.bytes = counted.count
        result.sha256 = counted.hexdigest()
        if result.bytes == 0:
            result.error_code, result.error = "SCAN_EMPTY_FILE", "the file is empty"
        elif result.records_ok + result.records_rejected == 0:
            result.error_code, result.error = "SCAN_EMPTY_FILE", "the file holds no records (only blank lines)"
    except StreamError as e:
        result.error_code, result.error = e.code, str(e)
    except OSError as e:
        if isinstance(e, ShardWriteError) or is_transient(e):
            raise  # the path as a whole fails (or is tried again): scan_unit decides
        result.error_code, result.error = "SCAN_UNREADABLE_FILE", f"cannot read: {e.strerror or e}"
    except MemoryError:
        result.error_code, result.error = "SCAN_FILE_TOO_LARGE", "ran out of memory reading this file"
    assert all(code in REJECT_CODES or code == INVALID_ENCODING for code in result.issue_counts)


def scan_unit(planned: PlannedFile, source: Source, spec: ReadSpec, shard_dir: str,
              detectors: Iterable[BatchDetector] = (), members: list[str] | None = None, *,
              raise_transient: bool = False, checkpoint: Callable[[str], None] = no_checkpoint) -> ScanUnitResult:
    """Read one path on disk (a file or an archive of files) into shard files. Runs in a worker.

    A path that cannot be read as a whole, or whose results cannot be written (disk full), fails alone: its result
    holds the error and nothing else (no partial counts without their documents), its partial shards are deleted.
    With `raise_transient`, a transient I/O error (TRANSIENT_ERRNOS) is raised instead, for the caller to retry.
    """
    started = time.perf_counter()
    result = ScanUnitResult(planned.source_id, planned.path, spec.key(), planned.disk_bytes, planned.disk_mtime_ns,
                            None)
    stem = hashlib.sha1(f"{planned.source_id}\0{planned.path}".encode()).hexdigest()[:16]
    sink: _Sink | None = None
    try:
        checkpoint("scan_unit")
        if planned.prev_disk_sha256 and planned.prev_disk_bytes == planned.disk_bytes:
            # same size, new mtime: hash before reading; a touched-but-identical file is reused
            result.disk_sha256 = disk_sha256(planned.abs_path)
            if result.disk_sha256 == planned.prev_disk_sha256:
                result.unchanged = True
                result.seconds = time.perf_counter() - started
                return result
        sink = _Sink(shard_dir, stem, list(detectors))
        with open(planned.abs_path, "rb") as raw:
            hashed = HashingReader(raw)
            disk = io.BufferedReader(hashed, CHUNK)
            if is_archive_name(planned.path):
                _scan_archive(planned, source, spec, disk, sink, result, members)
            else:
                fr = FileResult(planned.path, "", None, None)
                result.files.append(fr)
                _read_one(fr, disk, planned.path, spec, planned.source_id, 0, sink)
            try:
                hashed.drain()
            except OSError:
                pass
            result.disk_sha256 = hashed.hexdigest()
        checkpoint("before_shard_write")
        sink.close(result)
    except OSError as e:
        if sink is not None:
            sink.discard()
        if raise_transient and is_transient(e):
            raise
        _failed_as_a_whole(result, e)
    result.seconds = time.perf_counter() - started
    return result


def _failed_as_a_whole(result: ScanUnitResult, e: OSError) -> None:
    """Record why a path failed and drop what was read of it: counts without their documents would not add up."""
    result.files, result.documents_shard, result.detector_shards, result.detector_configs = [], None, {}, {}
    result.license_texts = []
    if isinstance(e, ShardWriteError):
        result.error_code, result.error = "SCAN_WRITE_FAILED", e.strerror or str(e)
    elif isinstance(e, PermissionError):
        result.error_code, result.error = "SCAN_UNREADABLE_FILE", "permission denied"
    else:
        result.error_code, result.error = "SCAN_UNREADABLE_FILE", f"cannot read: {e.strerror or e}"


def _scan_archive(planned: PlannedFile, source: Source, spec: ReadSpec, disk: Any, sink: _Sink,
                  result: ScanUnitResult, members: list[str] | None) -> None:
    try:
        for member in iter_archive(planned.abs_path, disk):
            stream = member.stream
            data = license_member_bytes(member)
            if data is not None:
                # kept for the licence stage even when the members globs leave the file out of the data
                result.license_texts.append((member.name, data.decode("utf-8", "replace")))
                stream = io.BufferedReader(io.BytesIO(data))  # type: ignore[arg-type]
            # `tar -C dir .` writes members as ./dir/...; globs are written without the ./
            if members and not matches_any(member.name.removeprefix("./"), members):
                continue
            fr = FileResult(planned.path, member.name, None, None)
            result.files.append(fr)
            if is_archive_name(member.name):
                fr.error_code, fr.error = "SCAN_UNKNOWN_FORMAT", "archives inside archives are not read; unpack it"
                continue
            _read_one(fr, stream, member.name, spec, planned.source_id, len(result.files) - 1, sink)
    except StreamError as e:
        result.error_code, result.error = e.code, f"{e} (after {len(result.files)} members)"
    if not result.files and result.error_code is None:
        result.error_code = "SCAN_NO_FILES"
        result.error = ("no archive member matches " + ", ".join(members) if members else "the archive is empty")


def license_member_bytes(member: Member) -> bytes | None:
    """The bytes of an archive member that is a licence file or dataset card (by name, and small), else None."""
    name = member.name.rsplit("/", 1)[-1]
    if member.size > LICENSE_TEXT_MAX or not (is_license_file_name(name) or is_dataset_card_name(name)):
        return None
    return member.stream.read()
