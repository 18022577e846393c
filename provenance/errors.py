"""One family of exceptions: each says what went wrong, where, and what to do next.

The CLI prints them without a traceback and maps them to exit codes (see `exit_code`).
"""

from __future__ import annotations

from dataclasses import dataclass


class ProvenanceError(Exception):
    """Base error. `where` is a file/line or a manifest path; `fix` is the next step for the user."""

    exit_code = 2

    def __init__(self, what: str, where: str | None = None, fix: str | None = None):
        self.what = what
        self.where = where
        self.fix = fix
        super().__init__(self.render())

    def render(self) -> str:
        head = f"{self.where}: {self.what}" if self.where else self.what
        return f"{head}\n  fix: {self.fix}" if self.fix else head


@dataclass(frozen=True)
class ManifestIssue:
    """One problem in a manifest, at a YAML path such as `sources[2].acquisition.method`."""

    path: str
    message: str
    fix: str | None = None
    line: int | None = None

    def render(self, manifest_file: str | None = None) -> str:
        where = self.path or "(top level)"
        if manifest_file and self.line:
            where = f"{manifest_file}:{self.line}: {where}"
        elif manifest_file:
            where = f"{manifest_file}: {where}"
        text = f"{where}: {self.message}"
        return f"{text}\n    fix: {self.fix}" if self.fix else text


class ManifestError(ProvenanceError):
    """The manifest cannot be used; carries every issue found, not only the first."""

    def __init__(self, manifest_file: str, issues: list[ManifestIssue]):
        self.manifest_file = manifest_file
        self.issues = issues
        n = len(issues)
        super().__init__(
            f"{n} problem{'s' if n != 1 else ''} in the manifest",
            where=manifest_file,
            fix="correct the fields named above, then run `provenance manifest validate` again",
        )

    def render(self) -> str:
        lines = [f"{self.manifest_file}: {len(self.issues)} problem(s) in the manifest"]
        lines += ["  " + issue.render(self.manifest_file) for issue in self.issues]
        return "\n".join(lines)


class InputError(ProvenanceError):
    """A file or option the user gave cannot be used (bad CLI input, unreadable import file)."""


class CatalogError(ProvenanceError):
    """The DuckDB catalog cannot be opened or is not one this version understands."""


class CatalogInUse(CatalogError):
    """Another process holds the catalog's write lock."""
