"""Byte streams under the readers: compression by magic bytes, hashing while reading, archives, bounded lines."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import re
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import BinaryIO, Iterator

import zstandard

MAGIC = {
    "gzip": b"\x1f\x8b",
    "zstd": b"\x28\xb5\x2f\xfd",
    "bz2": b"BZh",
    "xz": b"\xfd7zXZ\x00",
}
COMPRESSION_SUFFIXES = {".gz": "gzip", ".gzip": "gzip", ".zst": "zstd", ".zstd": "zstd", ".bz2": "bz2", ".xz": "xz"}
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".zip")
CHUNK = 1 << 20
MEMBER_STEP = 1 << 14  # archive members are read in steps this size (see _MemberReader)


class StreamError(Exception):
    """A stream could not be read to its end: truncated, corrupt, or unreadable. `code` names the finding."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


class HashingReader(io.RawIOBase):
    """Passes bytes through while computing their sha256 and counting them."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        # read1 where there is one: a buffered read(n) of a decompressing stream that fails part-way drops the
        # bytes it had gathered, so the records decoded before a truncation point would never reach the reader
        self._read = getattr(raw, "read1", raw.read)
        self.sha = hashlib.sha256()
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self._read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.sha.update(data)
        self.count += n
        return n

    def drain(self) -> None:
        """Read what is left so the hash covers the whole stream, even if the parser stopped early."""
        while True:
            data = self.raw.read(CHUNK)
            if not data:
                return
            self.sha.update(data)
            self.count += len(data)

    def hexdigest(self) -> str:
        return self.sha.hexdigest()


def sniff_compression(head: bytes) -> str | None:
    for name, magic in MAGIC.items():
        if head.startswith(magic):
            return name
    return None


def decompressed(raw: BinaryIO, compression: str | None) -> BinaryIO:
    """A buffered reader of the decompressed bytes; errors surface as StreamError while reading."""
    if compression is None:
        return raw if isinstance(raw, io.BufferedIOBase) else io.BufferedReader(raw, CHUNK)  # type: ignore[arg-type]
    if compression == "gzip":
        inner: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb")
    elif compression == "bz2":
        inner = bz2.BZ2File(raw, mode="rb")
    elif compression == "xz":
        inner = lzma.LZMAFile(raw, mode="rb")
    elif compression == "zstd":
        frames = _ZstdFrames(raw)
        inner = zstandard.ZstdDecompressor().stream_reader(frames, read_across_frames=True)
        return io.BufferedReader(_GuardedReader(inner, compression, frames), CHUNK)
    else:
        raise ValueError(compression)
    return io.BufferedReader(_GuardedReader(inner, compression), CHUNK)


class _FillingReader(io.RawIOBase):
    """Fills each read from small `_step`s. A StreamError after some bytes were gathered is held back until the
    next read: a decompressor's read(n) that fails part-way drops what it had decoded, so without this the
    records just before a truncation point never reached the reader."""

    def __init__(self) -> None:
        self._error: StreamError | None = None

    def readable(self) -> bool:
        return True

    def _step(self, size: int) -> bytes:
        raise NotImplementedError

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        view = memoryview(buffer).cast("B")
        n = 0
        while n < len(view):
            try:
                data = self._step(len(view) - n)
            except StreamError as e:
                if not n:
                    raise
                self._error = e
                break
            if not data:
                break
            view[n : n + len(data)] = data
            n += len(data)
        return n


class _GuardedReader(_FillingReader):
    """Turns the different decompressors' truncation and corruption errors into one StreamError."""

    def __init__(self, inner: BinaryIO, compression: str, frames: "_ZstdFrames | None" = None):
        super().__init__()
        self.inner = inner
        self.compression = compression
        self.frames = frames

    def _step(self, size: int) -> bytes:
        try:
            if self.frames is None:
                # read1: one decoding step, so what was decoded before a truncation point comes out first
                return self.inner.read1(size)  # type: ignore[attr-defined]
            data = self.inner.read(size)  # zstd's read keeps what it decoded: it does not raise on truncation
            if not data and not self.frames.complete():
                # python-zstandard's stream_reader ends cleanly on a truncated frame: check the frame layout
                raise EOFError("the input ends inside a zstd frame")
            return data
        except EOFError as e:
            raise StreamError("SCAN_TRUNCATED_FILE", f"{self.compression} stream ends early ({e}); "
                              "the file is truncated: copy or download it again") from None
        except (OSError, zlib.error, lzma.LZMAError, zstandard.ZstdError, ValueError) as e:
            # zlib.error: a damaged deflate stream inside gzip (it is no OSError, so it used to escape the scan)
            raise StreamError("SCAN_CORRUPT_FILE", f"{self.compression} data is corrupt ({e}); "
                              "the file is damaged: copy or download it again") from None


class _ZstdFrames:
    """The compressed source of a zstd stream_reader, followed through the zstd frame layout (headers only, block
    contents are skipped by length) so that input ending inside a frame can be told from a complete stream."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.state = "magic"  # magic | skippable | header | header_rest | block | unknown
        self.need = 4  # bytes wanted for the current state
        self.skip = 0  # bytes to pass over (block contents, checksum, skippable frames)
        self.pending = b""
        self.checksum = False

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        if self.state != "unknown":
            self._feed(data)
        return data

    def complete(self) -> bool:
        return self.state == "unknown" or (self.state == "magic" and not self.skip and not self.pending)

    def _feed(self, data: bytes) -> None:
        pos = 0
        while self.state != "unknown":
            if self.skip:
                take = min(self.skip, len(data) - pos)
                self.skip -= take
                pos += take
                if self.skip:
                    return
            if len(self.pending) + len(data) - pos < self.need:
                self.pending += data[pos:]
                return
            take = self.need - len(self.pending)
            head, self.pending = self.pending + data[pos : pos + take], b""
            pos += take
            self._step(head)

    def _step(self, head: bytes) -> None:
        if self.state == "magic":
            if head == MAGIC["zstd"]:
                self.state, self.need = "header", 1
            elif head[1:] == b"\x2a\x4d\x18" and head[0] & 0xF0 == 0x50:
                self.state, self.need = "skippable", 4
            else:
                self.state = "unknown"  # not a frame: the decompressor reports it
        elif self.state == "skippable":
            self.skip = int.from_bytes(head, "little")
            self.state, self.need = "magic", 4
        elif self.state == "header":
            fhd = head[0]
            single = fhd >> 5 & 1
            self.checksum = bool(fhd >> 2 & 1)
            rest = (0 if single else 1) + (0, 1, 2, 4)[fhd & 3] + ((1 if single else 0), 2, 4, 8)[fhd >> 6]
            self.state, self.need = ("header_rest", rest) if rest else ("block", 3)
        elif self.state == "header_rest":
            self.state, self.need = "block", 3
        elif self.state == "block":
            h = int.from_bytes(head, "little")
            kind = h >> 1 & 3
            if kind == 3:
                self.state = "unknown"  # reserved block type: corrupt, the decompressor reports it
                return
            self.skip = 1 if kind == 1 else h >> 3
            if h & 1:  # last block of the frame
                self.skip += 4 if self.checksum else 0
                self.state, self.need = "magic", 4


def is_archive_name(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def strip_compression_suffix(name: str) -> tuple[str, str | None]:
    lower = name.lower()
    for suffix, kind in COMPRESSION_SUFFIXES.items():
        if lower.endswith(suffix):
            return name[: -len(suffix)], kind
    return name, None


@dataclass
class Member:
    name: str
    size: int
    stream: BinaryIO


def iter_archive(path: str, raw: BinaryIO) -> Iterator[Member]:
    """Regular-file members of a tar (any compression) or zip archive, in archive order."""
    if path.lower().endswith(".zip"):
        try:
            zf = zipfile.ZipFile(path)
        except zipfile.BadZipFile as e:
            raise StreamError("SCAN_CORRUPT_FILE", f"not a readable zip archive ({e})") from None
        with zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                try:
                    stream = zf.open(info)
                except (zipfile.BadZipFile, zlib.error) as e:
                    raise StreamError("SCAN_CORRUPT_FILE", f"zip member {info.filename} is corrupt ({e})") from None
                except (NotImplementedError, RuntimeError) as e:  # unsupported compression method, encrypted
                    raise StreamError("SCAN_UNREADABLE_FILE", f"zip member {info.filename} cannot be read ({e})") \
                        from None
                with stream:
                    # a bad CRC or deflate stream surfaces while the consumer reads, not here: guard the reads
                    guarded = _MemberReader(stream, (zipfile.BadZipFile, zlib.error, EOFError), "SCAN_CORRUPT_FILE",
                                            f"zip member {info.filename} is corrupt")
                    yield Member(info.filename, info.file_size, io.BufferedReader(guarded, CHUNK))
        return
    # Compression by magic bytes through `decompressed` (tarfile's "r|*" knows no zstd before Python 3.14, so a
    # .tar.zst was reported corrupt), which also turns truncated compressed data into StreamError.
    stream = decompressed(raw, None)
    compression = sniff_compression(stream.peek(8)[:8])  # type: ignore[attr-defined]
    if compression is not None:
        stream = decompressed(stream, compression)
    try:
        tf = tarfile.open(fileobj=stream, mode="r|")
    except tarfile.ReadError as e:
        raise StreamError("SCAN_CORRUPT_FILE", f"not a readable tar archive ({e})") from None
    try:
        for info in tf:
            if not info.isfile():
                continue
            member = tf.extractfile(info)
            if member is None:
                continue
            # a member cut short raises tarfile.ReadError while the consumer reads it: guard the reads
            guarded = _MemberReader(member, (tarfile.ReadError, EOFError), "SCAN_TRUNCATED_FILE",
                                    f"tar member {info.name} ends early; copy or download the archive again")
            yield Member(info.name, info.size, io.BufferedReader(guarded, CHUNK))
    except (tarfile.ReadError, EOFError) as e:
        raise StreamError("SCAN_TRUNCATED_FILE", f"tar archive ends early or is corrupt ({e}); "
                          "copy or download it again") from None
    finally:
        tf.close()


class _MemberReader(_FillingReader):
    """An archive member's stream whose read errors become a StreamError with the given code."""

    def __init__(self, inner: BinaryIO, errors: tuple[type[BaseException], ...], code: str, message: str):
        super().__init__()
        self.inner = inner
        self.errors = errors
        self.code = code
        self.message = message

    def _step(self, size: int) -> bytes:
        try:
            # small steps: a tar/zip read that fails drops what it had gathered, so a member cut short loses at
            # most this much (plus tarfile's own 10 KiB record) of the records before the break
            return self.inner.read1(min(size, MEMBER_STEP))  # type: ignore[attr-defined]
        except self.errors as e:
            raise StreamError(self.code, f"{self.message} ({e})") from None


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """Glob semantics for paths: `*` and `?` stay inside one folder, `**` crosses folders."""
    out, i = "", 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
            continue
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
            continue
        if c == "*":
            out += "[^/]*"
        elif c == "?":
            out += "[^/]"
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out += re.escape(c)
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out += f"[{body}]"
                i = end
        else:
            out += re.escape(c)
        i += 1
    return re.compile(out + r"\Z")


def matches_any(name: str, patterns: list[str] | tuple[str, ...]) -> bool:
    return any(glob_regex(p).match(name) for p in patterns)


@dataclass(slots=True)
class Line:
    number: int  # 1-based physical line number where this line starts
    data: bytes  # without the line terminator; empty when too_long
    too_long: bool = False
    length: int = 0  # bytes in the line including what was skipped


def iter_lines(stream: BinaryIO, max_bytes: int) -> Iterator[Line]:
    """Physical lines, never holding more than max_bytes of one line in memory (long lines are skipped)."""
    # room for max_bytes of content and a "\r\n" (with max_bytes + 1, a line of exactly max_bytes that ends in
    # \r\n was cut before its \n and called too long, unlike the same line ending in \n)
    limit = max_bytes + 2
    first = min(limit, CHUNK)
    readline = stream.readline
    number = 0
    while True:
        data = readline(first)
        if data.endswith(b"\n"):  # the common case, without the slower general path
            number += 1
            data = data[:-2] if data.endswith(b"\r\n") else data[:-1]
            if len(data) > max_bytes:
                yield Line(number, b"", True, len(data))
            else:
                yield Line(number, data, False, len(data))
            continue
        data, length = _continue_line(stream, limit, data)
        if not length:
            return
        number += 1
        if data is None:
            while True:  # skip the rest of the oversized line without keeping it
                more = stream.readline(CHUNK)
                length += len(more)
                if not more or more.endswith(b"\n"):
                    break
            yield Line(number, b"", True, length)
            continue
        if data.endswith(b"\n"):
            data = data[:-2] if data.endswith(b"\r\n") else data[:-1]
        if len(data) > max_bytes:
            yield Line(number, b"", True, len(data))
            continue
        yield Line(number, data, False, len(data))


def _continue_line(stream: BinaryIO, limit: int, data: bytes) -> tuple[bytes | None, int]:
    """The line begun with `data` if it ends (newline or end of stream) within `limit` bytes, else None; and the
    bytes read.

    Read in CHUNK pieces: BufferedReader.readline(limit) gathers pieces and then joins them, holding twice the
    limit at its peak, and a line found too long was then held whole for nothing (only its length is kept).
    """
    if len(data) < min(limit, CHUNK) or data.endswith(b"\n"):
        return data, len(data)
    parts, size = [data], len(data)
    while size < limit:
        piece = stream.readline(min(limit - size, CHUNK))
        if not piece:
            break
        parts.append(piece)
        size += len(piece)
        if piece.endswith(b"\n"):
            break
    if size == limit and not parts[-1].endswith(b"\n"):
        return None, size
    return b"".join(parts), size
