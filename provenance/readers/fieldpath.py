"""Field paths that say where the text is in a record: `text`, `meta.body`, `data[].paragraphs[].context`.

A path without `[]` names a field of each record. A path with `[]` is walked from the document root and every
value it reaches is one record (the SQuAD layout). A list value of strings is joined with newlines
(a poem stored as a list of lines is one document).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator

MISSING = object()


@dataclass(frozen=True)
class FieldPath:
    text: str
    steps: tuple[tuple[str, bool], ...]  # (key, iterate) — key "" with iterate=True is a bare `[]`

    @property
    def nested(self) -> bool:
        return any(iterate for _, iterate in self.steps)


@lru_cache(maxsize=512)
def parse(path: str) -> FieldPath:
    steps = []
    for part in path.split("."):
        iterate = part.endswith("[]")
        key = part[:-2] if iterate else part
        steps.append((key, iterate))
    return FieldPath(path, tuple(steps))


def get(record: Any, path: FieldPath) -> Any:
    """A simple path's value in one record, or MISSING."""
    cur = record
    for key, _ in path.steps:
        if not isinstance(cur, dict) or key not in cur:
            return MISSING
        cur = cur[key]
    return cur


def walk(root: Any, path: FieldPath) -> Iterator[Any]:
    """Every value a nested path reaches from the root, in document order."""
    yield from _walk(root, path.steps)


def _walk(cur: Any, steps: tuple[tuple[str, bool], ...]) -> Iterator[Any]:
    if not steps:
        yield cur
        return
    (key, iterate), rest = steps[0], steps[1:]
    if key:
        if not isinstance(cur, dict) or key not in cur:
            return
        cur = cur[key]
    if iterate:
        if isinstance(cur, list):
            for item in cur:
                yield from _walk(item, rest)
        return
    yield from _walk(cur, rest)


def as_text(value: Any) -> tuple[str | None, str | None]:
    """(text, None) or (None, why it is not text)."""
    if isinstance(value, str):
        return value, None
    if value is MISSING:
        return None, "missing"
    if value is None:
        return None, "is null"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n".join(value), None
    return None, f"holds a {type(value).__name__}, not text"
