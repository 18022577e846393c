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


class StreamError(Exception):
    """A stream could not be read to its end: truncated, corrupt, or unreadable. `code` names the finding."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


class HashingReader(io.RawIOBase):
    """Passes bytes through while computing their sha256 and counting them."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.sha = hashlib.sha256()
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
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
        inner = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
    else:
        raise ValueError(compression)
    return io.BufferedReader(_GuardedReader(inner, compression), CHUNK)


class _GuardedReader(io.RawIOBase):
    """Turns the different decompressors' truncation and corruption errors into one StreamError."""

    def __init__(self, inner: BinaryIO, compression: str):
        self.inner = inner
        self.compression = compression

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        try:
            data = self.inner.read(len(buffer))
        except EOFError as e:
            raise StreamError("SCAN_TRUNCATED_FILE", f"{self.compression} stream ends early ({e}); "
                              "the file is truncated: copy or download it again") from None
        except (OSError, lzma.LZMAError, zstandard.ZstdError, ValueError) as e:
            raise StreamError("SCAN_CORRUPT_FILE", f"{self.compression} data is corrupt ({e}); "
                              "the file is damaged: copy or download it again") from None
        n = len(data)
        buffer[:n] = data
        return n


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
                    with zf.open(info) as stream:
                        yield Member(info.filename, info.file_size, stream)  # type: ignore[arg-type]
                except (zipfile.BadZipFile, zlib_error()) as e:
                    raise StreamError("SCAN_CORRUPT_FILE", f"zip member {info.filename} is corrupt ({e})") from None
        return
    try:
        tf = tarfile.open(fileobj=raw, mode="r|*")
    except tarfile.ReadError as e:
        raise StreamError("SCAN_CORRUPT_FILE", f"not a readable tar archive ({e})") from None
    try:
        for info in tf:
            if not info.isfile():
                continue
            stream = tf.extractfile(info)
            if stream is None:
                continue
            yield Member(info.name, info.size, stream)  # type: ignore[arg-type]
    except (tarfile.ReadError, EOFError) as e:
        raise StreamError("SCAN_TRUNCATED_FILE", f"tar archive ends early or is corrupt ({e}); "
                          "copy or download it again") from None
    finally:
        tf.close()


def zlib_error() -> type[Exception]:
    import zlib

    return zlib.error


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


@dataclass
class Line:
    number: int  # 1-based physical line number where this line starts
    data: bytes  # without the line terminator; empty when too_long
    too_long: bool = False
    length: int = 0  # bytes in the line including what was skipped


def iter_lines(stream: BinaryIO, max_bytes: int) -> Iterator[Line]:
    """Physical lines, never holding more than max_bytes of one line in memory (long lines are skipped)."""
    number = 0
    while True:
        data = stream.readline(max_bytes + 1)
        if not data:
            return
        number += 1
        if len(data) > max_bytes and not data.endswith(b"\n"):
            length = len(data)
            while True:  # skip the rest of the oversized line without keeping it
                more = stream.readline(CHUNK)
                length += len(more)
                if not more or more.endswith(b"\n"):
                    break
            yield Line(number, b"", True, length)
            continue
        if data.endswith(b"\n"):
            data = data[:-2] if data.endswith(b"\r\n") else data[:-1]
        yield Line(number, data, False, len(data))
