"""Annotation quality checks (Interim Measures Art. 8; TC260-003 5.3): the check files a manifest declares under
`annotation.checks`, read and scored.

A check file holds one row per checked item: the annotator's label and the checker's label (a spot check), and
optionally a second annotator's label of the same item (a double annotation). Per file: rows read = accepted +
rejected (each rejection with its line), the share of items whose label the checker confirmed with its 95% Wilson
interval, Cohen's kappa, the labels' counts, and the same agreement between the two annotators. The flow runs this
after the licence stage (it reads declared files, not documents); results go to the catalog table
`annotation_checks` and findings ANN_*.

Pure functions and the catalog: no Prefect. Labels are annotation classes (`answerable`, `refund_request`), never
personal data: a label longer than MAX_LABEL_CHARS means the file holds free text, and it is then not read as a
label file at all, so no free text reaches the catalog or the report. Item ids are never stored.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

from provenance.catalog import Catalog, sql
from provenance.findings import Finding
from provenance.manifest import AnnotationCheck, LoadedManifest
from provenance.pii_stage import wilson_interval

STAGE = "annotation"
LOW_AGREEMENT_UPPER = 0.9   # agreement below this even at its 95% interval's upper end: ANN_LOW_AGREEMENT
MAX_LABEL_CHARS = 64        # a longer "label" is free text, not an annotation class
TOP_LABELS = 10             # labels kept per file in the catalog and the report, by count
MAX_CHECK_BYTES = 256 << 20  # a check file is a table of labels; a bigger file is a mistaken path, not read whole
ENCODINGS = ("utf-8-sig", "gb18030")  # Excel on Chinese Windows saves CSV in the ANSI code page (GBK)
_DELIMITED = {".csv": ",", ".tsv": "\t", ".tab": "\t"}


class CheckFileError(Exception):
    """A check file that cannot be read as a whole (missing, not text, header without the declared columns)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


# -- statistics --------------------------------------------------------------------------------------------------

def agreement(pairs: Sequence[tuple[str, str]]) -> tuple[int, int]:
    """(agreed, items): how many pairs carry the same label on both sides, out of all pairs."""
    return sum(1 for a, b in pairs if a == b), len(pairs)


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Cohen's kappa of two raters' labels of the same items: (p_o - p_e) / (1 - p_e).

    p_o is the observed share of items with the same label; p_e the agreement expected by chance, the sum over
    labels of the product of each rater's share of items given that label. 1 is perfect agreement, 0 no better
    than chance, below 0 worse than chance. Undefined (None) without items, and when p_e = 1: both raters gave
    every item one and the same label, so chance explains all the agreement and there is nothing to measure.
    """
    n = len(pairs)
    if n == 0:
        return None
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    p_o = sum(1 for a, b in pairs if a == b) / n
    p_e = sum(first[label] * second[label] for label in first) / (n * n)
    if p_e >= 1.0:
        return None
    return round((p_o - p_e) / (1 - p_e), 6)


# -- reading a check file ----------------------------------------------------------------------------------------

@dataclass
class CheckRead:
    """What one check file gave: rows read = accepted (`pairs`) + rejected, each rejection with its line."""

    rows_read: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)   # (line, reason)
    pairs: list[tuple[str, str]] = field(default_factory=list)       # (label, check label) per accepted row
    second_pairs: list[tuple[str, str]] = field(default_factory=list)  # (label, second label) per accepted row
    not_labels: tuple[int, str] | None = None                        # (line, field) of the first over-long label


def read_check_file(path: str | Path, check: AnnotationCheck) -> CheckRead:
    """Read and validate the rows of a check file; raise CheckFileError when the file as a whole cannot be read."""
    path = Path(path)
    text = _text(path)
    suffix = path.suffix.lower()
    fields = [("item", check.item_field), ("label", check.label_field), ("check", check.check_field)]
    if check.second_label_field:
        fields.append(("second", check.second_label_field))
    if suffix in _DELIMITED:
        rows = _delimited_rows(text, _DELIMITED[suffix], [name for _, name in fields])
    else:
        rows = _jsonl_rows(text)
    out = CheckRead()
    first_line: dict[str, int] = {}
    for line, row, reason in rows:
        out.rows_read += 1
        values: dict[str, str] = {}
        if row is not None:
            for role, name in fields:
                value, reason = _value(row, name)
                if reason:
                    break
                if role != "item" and len(value) > MAX_LABEL_CHARS and out.not_labels is None:
                    out.not_labels = (line, name)
                values[role] = value
        if reason is None and values["item"] in first_line:
            reason = f"item repeated (first at line {first_line[values['item']]})"
        if reason is not None:
            out.rejected.append((line, reason))
            continue
        first_line[values["item"]] = line
        out.pairs.append((values["label"], values["check"]))
        if "second" in values:
            out.second_pairs.append((values["label"], values["second"]))
    if out.not_labels is not None:
        # free text in a label column: nothing of this file is kept, so no text reaches the catalog
        first = min([ln for ln, _ in out.rejected] + list(first_line.values()))
        out.rejected = [(first, "not a label file")] * out.rows_read
        out.pairs, out.second_pairs = [], []
    return out


def _text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise CheckFileError("a folder, not a file")
        if size > MAX_CHECK_BYTES:
            raise CheckFileError(f"{size:,} bytes, more than a file of labels holds "
                                 f"({MAX_CHECK_BYTES >> 20} MiB at most)")
        data = path.read_bytes()
    except FileNotFoundError:
        raise CheckFileError("file not found") from None
    except OSError as e:
        raise CheckFileError(f"cannot be read: {e.strerror or e}") from None
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CheckFileError("neither UTF-8 nor GB 18030 text")


def _delimited_rows(text: str, delimiter: str, needed: list[str]
                    ) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line where the row starts, row by header name, or None and why it is rejected); blank lines skipped.
    TSV has no quoting, as the scan reads it."""
    quoting = csv.QUOTE_MINIMAL if delimiter == "," else csv.QUOTE_NONE
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise CheckFileError("empty: no header row") from None
    except csv.Error as e:
        raise CheckFileError(f"the header row is not readable as CSV: {e}", 1) from None
    missing = [n for n in dict.fromkeys(needed) if n not in header]
    if missing:
        raise CheckFileError(f"the header lacks column(s) {', '.join(missing)} (found: {', '.join(header) or 'none'})",
                             1)
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise CheckFileError(f"not readable as CSV from line {line}: {e}", line) from None
        start, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            yield start, None, f"{len(cells)} fields, the header has {len(header)}"
        else:
            yield start, dict(zip(header, cells)), None


def _jsonl_rows(text: str) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    # split on \n only: str.splitlines also breaks at U+2028 and friends, which would shift the line numbers
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as e:
            yield number, None, f"not JSON ({e.msg})"
            continue
        if not isinstance(obj, dict):
            yield number, None, "not a JSON object"
            continue
        yield number, obj, None


def _value(row: dict[str, Any], name: str) -> tuple[str, str | None]:
    """A field of a row as label text, or why the row is rejected."""
    value = row.get(name)
    if isinstance(value, (dict, list)):
        return "", f"`{name}` is not a single value"
    if isinstance(value, bool):
        value = "true" if value else "false"
    text = "" if value is None else str(value).strip()
    if not text:
        return "", f"`{name}` is missing or empty"
    return text, None


# -- scoring -----------------------------------------------------------------------------------------------------

@dataclass
class CheckResult:
    """One row of the catalog table annotation_checks."""

    source_id: str
    file: str
    kind: str
    rows_read: int = 0
    rows_rejected: int = 0
    items: int = 0
    agreed: int = 0
    agreement: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    kappa: float | None = None
    second_agreement: float | None = None
    second_kappa: float | None = None
    labels: list[dict[str, Any]] = field(default_factory=list)
    first_rejected_line: int | None = None
    error: str | None = None
    error_line: int | None = None   # for the finding only

    def row(self, run_id: str) -> list[Any]:
        return [run_id, self.source_id, self.file, self.kind, self.rows_read, self.rows_rejected, self.items,
                self.agreed, self.agreement, self.ci_low, self.ci_high, self.kappa, self.second_agreement,
                self.second_kappa, json.dumps(self.labels, ensure_ascii=False), self.first_rejected_line, self.error]


def label_counts(pairs: Sequence[tuple[str, str]], top: int = TOP_LABELS) -> list[dict[str, Any]]:
    """Per label: items the annotator gave it, items the checker gave it, items both gave it; the `top` labels by
    count (annotator's + checker's), then by name."""
    annotated = Counter(a for a, _ in pairs)
    checked = Counter(b for _, b in pairs)
    agreed = Counter(a for a, b in pairs if a == b)
    labels = sorted(set(annotated) | set(checked), key=lambda x: (-(annotated[x] + checked[x]), x))
    return [{"label": x, "annotated": annotated[x], "checked": checked[x], "agreed": agreed[x]}
            for x in labels[:top]]


def evaluate_check(source_id: str, shown: str, path: str | Path, check: AnnotationCheck) -> CheckResult:
    """Read one check file and compute its figures; a file that cannot be used gives `error`, never an exception."""
    result = CheckResult(source_id, shown, check.kind)
    try:
        read = read_check_file(path, check)
    except CheckFileError as e:
        result.error, result.error_line = f"{shown}: {e}", e.line
        return result
    result.rows_read, result.rows_rejected = read.rows_read, len(read.rejected)
    result.first_rejected_line = min((ln for ln, _ in read.rejected), default=None)
    agreed, items = agreement(read.pairs)
    result.items, result.agreed = items, agreed
    if read.not_labels is not None:
        line, name = read.not_labels
        result.error, result.error_line = (f"{shown}: `{name}` at line {line} holds more than {MAX_LABEL_CHARS} "
                                           "characters, so this is not a file of class labels; no row was used",
                                           line)
        return result
    if not items:
        first = min(read.rejected, default=None)
        result.error = f"{shown}: no usable row" + (
            f": {result.rows_read} rows read, all rejected (first at line {first[0]}: {first[1]})" if first
            else ": the file holds no data row")
        result.error_line = first[0] if first else None
        return result
    result.agreement = round(agreed / items, 6)
    result.ci_low, result.ci_high = wilson_interval(agreed, items)
    result.kappa = cohen_kappa(read.pairs)
    result.labels = label_counts(read.pairs)
    if read.second_pairs:
        second_agreed, _ = agreement(read.second_pairs)
        result.second_agreement = round(second_agreed / items, 6)
        result.second_kappa = cohen_kappa(read.second_pairs)
    return result


def check_findings(results: list[CheckResult], unchecked: list[str],
                   threshold: float = LOW_AGREEMENT_UPPER) -> list[Finding]:
    """ANN_CHECK_UNREADABLE per unusable file, ANN_LOW_AGREEMENT per file whose agreement is below `threshold`
    even at the upper end of its 95% interval, ANN_NO_CHECKS per annotated source without a check file."""
    findings: list[Finding] = []
    for r in results:
        if r.error:
            findings.append(Finding(STAGE, "ANN_CHECK_UNREADABLE", r.error, source_id=r.source_id, path=r.file,
                                    line=r.error_line))
        elif r.ci_high is not None and r.ci_high < threshold:
            findings.append(Finding(
                STAGE, "ANN_LOW_AGREEMENT",
                f"{r.file}: the checker confirmed {r.agreed:,} of {r.items:,} labels ({r.agreement:.1%}, 95% interval "
                f"{r.ci_low:.1%}–{r.ci_high:.1%}); below {threshold:.0%} even at the interval's upper end",
                source_id=r.source_id, path=r.file, count=r.items - r.agreed))
    for source_id in unchecked:
        findings.append(Finding(STAGE, "ANN_NO_CHECKS", "the source declares annotation but no `annotation.checks` "
                                "file with the results of checking it", source_id=source_id))
    return findings


def run_annotation_checks(catalog: Catalog, loaded: LoadedManifest, run_id: str) -> list[Finding]:
    """Evaluate every declared check file of the run's manifest, store the results, return the findings."""
    results: list[CheckResult] = []
    unchecked: list[str] = []
    for source in loaded.manifest.sources:
        if source.annotation is None:
            continue
        if not source.annotation.checks:
            unchecked.append(source.id)
        for check in source.annotation.checks:
            path = loaded.resolve(check.file)
            results.append(evaluate_check(source.id, loaded.relative(path), path, check))
    if results:
        with catalog.transaction():
            catalog.con.executemany(sql("annotation_insert"), [r.row(run_id) for r in results])
    return check_findings(results, unchecked)


# -- reading the results back ------------------------------------------------------------------------------------

def annotation_summary(catalog: Catalog, run_id: str) -> dict[str, dict[str, Any]]:
    """Per source with check files in this run: the pooled figures and `files`, one entry per check file.

    Pooled over a source's files: items, agreed, agreement = agreed / items with its 95% Wilson interval, and the
    smallest kappa of its files (kappas are not pooled: each file has its own label mix)."""
    out: dict[str, dict[str, Any]] = {}
    for r in catalog.query(sql("annotation_run_checks"), [run_id]):
        entry = {
            "file": r["file"], "kind": r["kind"], "rows_read": r["rows_read"], "rows_rejected": r["rows_rejected"],
            "first_rejected_line": r["first_rejected_line"], "items": r["items"], "agreed": r["agreed"],
            "agreement": r["agreement"],
            "ci95": [r["ci_low"], r["ci_high"]] if r["ci_low"] is not None else None,
            "kappa": r["kappa"], "second_agreement": r["second_agreement"], "second_kappa": r["second_kappa"],
            "labels": json.loads(r["labels"]) if r["labels"] else [], "error": r["error"]}
        out.setdefault(r["source_id"], {"files": []})["files"].append(entry)
    for block in out.values():
        block.update(pooled(block["files"]))
    return out


def pooled(files: list[dict[str, Any]]) -> dict[str, Any]:
    """items, agreed, agreement, ci95 and min_kappa over check files (entries as annotation_summary gives them)."""
    items = sum(f["items"] for f in files)
    agreed = sum(f["agreed"] for f in files)
    kappas = [f["kappa"] for f in files if f["kappa"] is not None]
    return {"items": items, "agreed": agreed, "agreement": round(agreed / items, 6) if items else None,
            "ci95": list(wilson_interval(agreed, items)) if items else None,
            "min_kappa": min(kappas) if kappas else None}

