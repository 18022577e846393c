"""Finding codes: stable names, a severity, the clause each answers, and what to do next.

Codes are like a linter's: users filter on them, suppress them with a reason, and gate CI on severity.
Later stages add their codes here, next to the scan's, so every code is defined in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

SEVERITIES = ("info", "low", "medium", "high", "critical")


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Code:
    code: str
    stage: str
    severity: str
    clause: str
    title: str
    fix: str


# Clause references by number only; wording is in docs (REGULATION.md asks for that until texts are verified).
_SOURCE = "Final Art. 19; Draft Art. 17; TC260-003 5.1 c"
_QUALITY = "Final Art. 7(4); Draft Art. 7(4)"

CODES: dict[str, Code] = {c.code: c for c in [
    Code("SCAN_NO_FILES", "scan", "high", _SOURCE, "a declared path matches no files",
         "correct the glob in the manifest, or add the missing files"),
    Code("SCAN_UNREADABLE_FILE", "scan", "high", _SOURCE, "a file cannot be opened",
         "check the file's permissions and that it still exists"),
    Code("SCAN_TRUNCATED_FILE", "scan", "high", _SOURCE, "a compressed file or archive ends early",
         "copy or download the file again; the records before the break were kept"),
    Code("SCAN_CORRUPT_FILE", "scan", "high", _SOURCE, "compressed data or an archive is corrupt",
         "copy or download the file again"),
    Code("SCAN_MALFORMED_FILE", "scan", "high", _QUALITY, "a whole file cannot be parsed in its format",
         "fix the file, or set the source's `format:` to the one it really has"),
    Code("SCAN_UNKNOWN_FORMAT", "scan", "high", _SOURCE, "the format of a file cannot be told",
         "set `format:` on the source, or narrow its `paths`/`members` globs"),
    Code("SCAN_FILE_TOO_LARGE", "scan", "high", _QUALITY, "a file is too large for its format's reader",
         "convert it to JSONL or Parquet, which are read as streams"),
    Code("SCAN_NO_TEXT_FIELD", "scan", "high", _QUALITY, "no record of a file has the declared text field",
         "set `text_field:` on the source to the field or column that holds the text"),
    Code("SCAN_EMPTY_FILE", "scan", "low", _QUALITY, "a file is empty or holds only blank lines",
         "remove it from the source, or find out why it is empty"),
    Code("SCAN_MALFORMED_RECORD", "scan", "medium", _QUALITY, "records that cannot be parsed were rejected",
         "fix the lines named; the other records were read"),
    Code("SCAN_RAGGED_ROW", "scan", "medium", _QUALITY, "CSV/TSV rows with the wrong number of fields were rejected",
         "quote fields that contain the delimiter, or fix the rows named"),
    Code("SCAN_MISSING_TEXT", "scan", "medium", _QUALITY, "records without the text field were rejected",
         "check `text_field:`, or accept that these records hold no text"),
    Code("SCAN_EMPTY_TEXT", "scan", "low", _QUALITY, "records with empty text were rejected",
         "nothing to do unless empty records are unexpected"),
    Code("SCAN_RECORD_TOO_LARGE", "scan", "medium", _QUALITY, "records over the per-record size limit were rejected",
         "raise --max-record-mb if such records are legitimate"),
    Code("SCAN_INVALID_ENCODING", "scan", "low", _QUALITY,
         "records with bytes invalid in the declared encoding were kept with U+FFFD replacements",
         "set `encoding:` on the source if the file is not UTF-8, or repair the bytes"),
]}


@dataclass
class Finding:
    stage: str
    code: str
    message: str
    source_id: str | None = None
    path: str | None = None
    member: str | None = None
    line: int | None = None
    doc_id: str | None = None
    count: int = 1
    severity: str | None = None  # defaults to the code's

    def row(self, run_id: str) -> tuple:
        spec = CODES[self.code]
        return (run_id, self.stage, self.code, self.severity or spec.severity, self.source_id, self.path, self.member,
                self.line, self.doc_id, self.count, self.message, spec.clause, spec.fix)
