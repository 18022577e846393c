"""The TC260-003 §9.2 manual review sample: draw it, write review.csv, read the verdicts back, summarise.

§9.2 asks a provider to check by hand a random sample of at least 4,000 items of its training corpus and to find
at least 96% of them acceptable. This module makes that sample reproducible and auditable:

- `draw_sample` takes a run's accepted documents (the catalog's documents of the run's files), allocates the sample
  to sources in proportion to their documents (largest remainder; at least one per non-empty source when n allows;
  never more than a source has), and in each source takes the documents with the smallest keyed hash
  md5("seed:doc_id"), computed in DuckDB (sql/review_draw.sql): the same seed gives the same sample on any machine.
  Each document's text is read again from its file with the run's own read settings (the declared source in
  `sources.declared`, paths relative to `runs.manifest_path`) and checked against the run (disk sha256, text hash);
  a file changed or gone since gives an empty text and a note. The text is cut to `max_chars` and every value the
  PII engine (detectors/pii) finds becomes its `<ENTITY_TYPE>` placeholder — the placeholder the project's masked
  excerpts use — so review.csv never holds a raw identifier the engine detects. The sample and its items go to the
  catalog tables review_samples / review_items (migration 007).
- `ingest_review` reads a filled review.csv back: verdicts pass/fail, 通过/不通过, 合格/不合格; empty = not reviewed.
- `review_summary` is the block the report shows: the latest sample of a run (or of the most recent earlier run),
  with the pass rate, its 95% Wilson interval and the §9.2 checks.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from hashlib import blake2b
from pathlib import Path
from typing import Any, Callable

import pyarrow as pa

from detectors.base import Detector
from provenance.catalog import Catalog, sql
from provenance.errors import CatalogError, InputError
from provenance.manifest import Source
from provenance.pii_stage import wilson_interval

__all__ = ["COLUMNS", "THRESHOLDS", "VERDICTS", "DrawResult", "allocate", "draw_sample", "ingest_review",
           "mask_spans", "review_summary", "sample_stats"]

THRESHOLDS = {"size": 4000, "pass_rate": 0.96, "clause": "TC260-003 9.2"}
COLUMNS = ["sample_id", "item", "source_id", "doc_id", "path", "member", "line", "chars", "text", "verdict",
           "reviewer", "note"]
# what reviewers may write, lower-cased; everything else in `verdict` is an error (a typo must not count as a pass)
VERDICTS = {"pass": "pass", "fail": "fail", "通过": "pass", "不通过": "fail", "合格": "pass", "不合格": "fail"}
ALLOWED_VERDICTS = "pass, fail, 通过, 不通过, 合格, 不合格 (any case), or empty for not reviewed"
# Excel opens a CSV without a BOM in the ANSI code page (GBK on Chinese Windows) and garbles Chinese; with the
# UTF-8 BOM it reads UTF-8. Python, pandas and DuckDB read it either way (ingest strips it).
CSV_ENCODING = "utf-8-sig"
# characters beyond --max-chars given to the PII engine, so that a value cut by the limit is still found whole
# (the longest identifiers and the keyword-led names/addresses fit well inside this)
MASK_MARGIN = 256
# a cell starting with one of these is a formula to Excel/LibreOffice: corpus text must never run as one
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# -- allocation ------------------------------------------------------------------------------------------------------

def allocate(documents: dict[str, int], n: int) -> dict[str, int]:
    """Sample size per source: proportional to its documents, by largest remainder.

    Every non-empty source gets at least one when n is at least the number of non-empty sources (a source that
    contributes data must be looked at, however small), taken from the sources that are over their exact quota by
    the most; no source gets more than it has. With n at or above the total, every document. Ties go to the larger
    source, then the source id, so the allocation is the same everywhere.
    """
    total = sum(documents.values())
    if n >= total:
        return dict(documents)
    quota = {s: n * d / total for s, d in documents.items()}
    alloc = {s: int(q) for s, q in quota.items()}
    non_empty = [s for s, d in documents.items() if d > 0]
    if n >= len(non_empty):
        for s in non_empty:
            alloc[s] = max(alloc[s], 1)
    while sum(alloc.values()) > n:  # the minimum of one pushed the total over n
        s = min((s for s in alloc if alloc[s] > 1), key=lambda s: (quota[s] - alloc[s], -documents[s], s))
        alloc[s] -= 1
    while sum(alloc.values()) < n:
        s = min((s for s in alloc if alloc[s] < documents[s]),
                key=lambda s: (alloc[s] - quota[s], -documents[s], s))
        alloc[s] += 1
    return alloc


# -- masking ---------------------------------------------------------------------------------------------------------

def mask_spans(text: str, spans: list[tuple[int, int, str]], limit: int | None = None) -> str:
    """`text` cut to `limit` characters with each (start, end, entity_type) span replaced by `<ENTITY_TYPE>`.

    Overlapping spans are covered by the first placeholder up to the furthest end (so no tail of a longer value
    shows); a span that crosses the limit is replaced whole, never cut into a visible prefix of the value.
    """
    limit = len(text) if limit is None else limit
    out: list[str] = []
    pos = 0
    for s, e, entity in sorted(spans):
        if s >= limit:
            break
        if s < pos:  # overlaps the value just masked
            pos = max(pos, e)
            continue
        out.append(text[pos:s])
        out.append(f"<{entity}>")
        pos = e
    if pos < limit:
        out.append(text[pos:limit])
    return "".join(out)


def _cell(value: str) -> str:
    # a leading apostrophe makes Excel show the cell as text; it is visible, and harmless to a reader
    return "'" + value if value.startswith(_FORMULA_START) else value


# -- drawing ---------------------------------------------------------------------------------------------------------

@dataclass
class DrawResult:
    sample_id: str
    run_id: str
    csv_path: Path
    seed: int
    n_requested: int
    n_drawn: int
    documents: int                  # the run's accepted documents
    strata: dict[str, dict[str, Any]]
    unavailable: dict[str, int] = field(default_factory=dict)  # reason → items left without text
    masked_values: int = 0          # values the PII engine replaced
    masked_items: int = 0           # items with at least one

    @property
    def took_all(self) -> bool:
        return self.n_requested >= self.documents


class _TextCollector(Detector):
    """Not a stage (unregistered): keeps the start of the wanted documents as the scanner reads a file again, and
    the hash of their whole text (compared with the catalog's, so a document that differs is never shown)."""

    name = "review-texts"
    result_table = "review_texts"  # nothing is written: process() keeps what it needs and returns None

    def __init__(self, wanted: set[str], keep_chars: int):
        super().__init__()
        self.wanted = wanted
        self.keep_chars = keep_chars
        self.found: dict[str, tuple[str, str]] = {}  # doc_id → (text prefix, blake2b-128 of the whole text)

    def process(self, batch: pa.RecordBatch) -> None:
        ids = batch.column("doc_id").to_pylist()
        hits = [i for i, d in enumerate(ids) if d in self.wanted]
        if hits:
            texts = batch.column("text")
            for i in hits:
                text = texts[i].as_py()
                digest = blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
                self.found[ids[i]] = (text[:self.keep_chars], digest)
        return None


def draw_sample(db: str | Path, out: str | Path, *, n: int = 4000, seed: int = 0, run: str | None = None,
                max_chars: int = 2000, force: bool = False,
                progress: Callable[[int, int], None] | None = None) -> DrawResult:
    """Draw the review sample of a run (default: the latest completed one) into `out` and the catalog.

    `progress(done, total)` is called after each file read again. Refuses to overwrite an existing `out` unless
    `force` (it may hold a reviewer's verdicts).
    """
    if n < 1:
        raise InputError(f"--n {n} is not a sample size", where="--n", fix="pass --n 4000 (TC260-003 9.2's minimum)")
    if max_chars < 1:
        raise InputError(f"--max-chars {max_chars} keeps no text", where="--max-chars", fix="pass e.g. --max-chars 2000")
    out = Path(out)
    if out.is_dir():
        raise InputError(f"{out} is a folder", where="--out", fix="name the CSV file to write, e.g. --out review.csv")
    if out.exists() and not force:
        raise InputError(f"{out} exists and may hold a reviewer's verdicts", where="--out",
                         fix="ingest it first (`provenance sample ingest`), pass another --out, or --force to "
                             "overwrite it")
    if not Path(db).exists():
        raise CatalogError(f"no catalog at {db}", fix="run `provenance audit MANIFEST --db PATH` first, or pass the "
                                                      "--db of an earlier audit")
    with Catalog.open(db) as catalog:  # read-write: the sample is recorded (and migration 007 applied if needed)
        run_id = _sample_run(catalog, run)
        documents = {r["source_id"]: int(r["documents"]) for r in catalog.query(sql("review_strata"),
                                                                                 {"run_id": run_id})}
        total = sum(documents.values())
        if total == 0:
            raise InputError(f"run {run_id} has no accepted documents to sample", where="--run",
                             fix="audit a manifest whose sources yield documents, or pick another run")
        drawn = allocate(documents, n)
        catalog.con.register("review_allocation", pa.table({"source_id": list(drawn),
                                                            "drawn": pa.array(list(drawn.values()), pa.int64())}))
        picks = catalog.query(sql("review_draw"), {"run_id": run_id, "seed": seed})
        catalog.con.unregister("review_allocation")
        run_row = catalog.query("SELECT manifest_path, options FROM runs WHERE run_id = ?", [run_id])[0]
        declared = {r["source_id"]: r["declared"] for r in
                    catalog.query("SELECT source_id, declared FROM sources WHERE run_id = ?", [run_id])}
        options = json.loads(run_row["options"]) if run_row["options"] else {}

        texts, notes = _read_again(picks, run_id, Path(run_row["manifest_path"]).parent, declared,
                                   int(options.get("max_record_mb", 16)), max_chars + MASK_MARGIN, progress)
        masked, masked_values, masked_items = _mask(texts, options.get("pii", {}), max_chars, picks)

        sample_id = "rs-" + datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]
        strata = {s: {"documents": d, "quota": round(min(n, total) * d / total, 3), "drawn": drawn[s]}
                  for s, d in documents.items()}
        result = DrawResult(sample_id, run_id, out.resolve(), seed, n, len(picks), total, strata,
                            dict(Counter(kind for kind, _ in notes.values())), masked_values, masked_items)
        rows = [{"sample_id": sample_id, "item": i, "source_id": p["source_id"], "doc_id": p["doc_id"],
                 "path": _cell(p["path"]), "member": _cell(p["member"]), "line": p["line"], "chars": p["chars"],
                 "text": _cell(masked.get(p["doc_id"], "")), "verdict": "", "reviewer": "",
                 "note": notes[p["doc_id"]][1] if p["doc_id"] in notes else ""}
                for i, p in enumerate(picks, start=1)]
        # the CSV goes next to its final name first: a failed write leaves no sample in the catalog, and a failed
        # catalog write leaves no CSV claiming a sample id the catalog does not know
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
        try:
            with os.fdopen(fd, "w", encoding=CSV_ENCODING, newline="") as f:
                writer = csv.DictWriter(f, fieldnames=COLUMNS)
                writer.writeheader()
                writer.writerows(rows)
            with catalog.transaction():
                catalog.con.execute("INSERT INTO review_samples VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                    [sample_id, run_id, datetime.now(timezone.utc), n, len(picks), seed,
                                     json.dumps(strata), str(result.csv_path), max_chars, len(notes)])
                catalog.con.register("new_review_items", pa.table({
                    "sample_id": [sample_id] * len(rows),
                    "item": pa.array([r["item"] for r in rows], pa.int64()),
                    "source_id": [r["source_id"] for r in rows],
                    "doc_id": [r["doc_id"] for r in rows],
                    "note": pa.array([r["note"] or None for r in rows], pa.string())}))
                catalog.con.execute("INSERT INTO review_items BY NAME SELECT * FROM new_review_items")
                catalog.con.unregister("new_review_items")
            os.replace(tmp, out)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return result


def _sample_run(catalog: Catalog, run: str | None) -> str:
    if run is None:
        run_id = catalog.latest_run("completed")
        if run_id is None:
            raise InputError(f"no completed run in catalog {catalog.path}", where="--db",
                             fix="run `provenance audit MANIFEST --db PATH` to completion first")
        return run_id
    rows = catalog.query("SELECT status FROM runs WHERE run_id = ?", [run])
    if not rows:
        raise InputError(f"no run {run} in catalog {catalog.path}", where="--run",
                         fix="omit --run for the latest completed run, or pick one from `provenance runs --db`")
    if rows[0]["status"] != "completed":
        # a failed or running run holds part of the corpus: a sample of it would not represent the corpus
        raise InputError(f"run {run} is {rows[0]['status']}: its documents are not the whole corpus", where="--run",
                         fix="pick a completed run from `provenance runs --db`, or audit again")
    return run


def _read_again(picks: list[dict[str, Any]], run_id: str, base_dir: Path, declared: dict[str, str],
                max_record_mb: int, keep_chars: int, progress: Callable[[int, int], None] | None
                ) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Texts (prefixes of keep_chars) of the picked documents, read again file by file through the scanner (so
    archives, members, formats and text fields are read exactly as the audit read them); and for those that could
    not be shown, (reason, note). Each path on disk is read once, whatever number of its documents were picked."""
    from provenance.scan import PlannedFile, read_spec, scan_unit

    by_path: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for p in picks:
        by_path.setdefault((p["source_id"], p["path"]), []).append(p)
    texts: dict[str, str] = {}
    notes: dict[str, tuple[str, str]] = {}
    total = len(by_path)
    with tempfile.TemporaryDirectory(prefix="review-sample-") as shard_dir:
        for done, ((source_id, path), docs) in enumerate(by_path.items(), start=1):
            source = Source.model_validate(json.loads(declared[source_id]))
            abs_path = os.path.normpath(os.path.join(base_dir, path))
            problem = None
            collector = _TextCollector({d["doc_id"] for d in docs}, keep_chars)
            if not os.path.isfile(abs_path):
                problem = ("gone", f"text left empty: {path} is no longer on disk (looked for {abs_path})")
            else:
                st = os.stat(abs_path)
                spec = read_spec(source, max_record_mb << 20)
                unit = scan_unit(PlannedFile(source_id, abs_path, path, st.st_size, st.st_mtime_ns), source, spec,
                                 shard_dir, [collector], source.members)
                for leftover in [unit.documents_shard]:
                    if leftover:
                        os.unlink(leftover)
                recorded = {d["disk_sha256"] for d in docs}
                if unit.disk_sha256 is None:
                    problem = ("unreadable", f"text left empty: {path} cannot be read again: {unit.error}")
                elif unit.disk_sha256 not in recorded:
                    problem = ("changed", f"text left empty: {path} changed on disk since run {run_id} (sha256 "
                                          "differs); review it from the audited copy, or audit again and draw a "
                                          "new sample")
            for d in docs:
                if problem is not None:
                    notes[d["doc_id"]] = problem
                    continue
                got = collector.found.get(d["doc_id"])
                if got is None:
                    notes[d["doc_id"]] = ("missing", f"text left empty: the document was not found when {path} "
                                                     "was read again")
                elif got[1] != d["text_hash"]:
                    notes[d["doc_id"]] = ("changed", "text left empty: the document read again differs from the "
                                                     f"one run {run_id} audited")
                else:
                    texts[d["doc_id"]] = got[0]
            if progress is not None:
                progress(done, total)
    return texts, notes


def _mask(texts: dict[str, str], pii_options: dict[str, Any], max_chars: int, picks: list[dict[str, Any]]
          ) -> tuple[dict[str, str], int, int]:
    """Each text cut to max_chars (+ '…' when cut) with every value the PII engine finds masked; the run's own
    recognizer choice (--pii-lang, --pii-ner) is used, so the sample is masked at least as the audit looked."""
    from detectors.pii.detector import engine_for

    if not texts:
        return {}, 0, 0
    ner = tuple(sorted((pii_options.get("ner_models") or {}).items()))
    if ner:
        import spacy.util

        absent = [model for _, model in ner if not spacy.util.is_package(model)]
        if absent:
            raise InputError(f"the run found names with spaCy model(s) {', '.join(absent)}, not installed here",
                             where="--run", fix="install them into this environment (the sample's texts must be "
                                                "masked as the audit's were); the auditor never downloads models")
    engine = engine_for(ner, 0.4, 64)
    language = pii_options.get("language", "auto")
    chars = {p["doc_id"]: p["chars"] for p in picks}
    ids = list(texts)
    found = engine.analyze_many([texts[d] for d in ids], language)
    out: dict[str, str] = {}
    values = items = 0
    for doc_id, results in zip(ids, found):
        spans = [(r.start, r.end, r.entity_type) for r in results if r.start < max_chars]
        values += len(spans)
        items += bool(spans)
        cut = chars[doc_id] > max_chars
        out[doc_id] = mask_spans(texts[doc_id], spans, max_chars) + ("…" if cut else "")
    return out, values, items


# -- ingesting verdicts ----------------------------------------------------------------------------------------------

@dataclass
class _Row:
    line: int        # physical line where the record starts (a text with newlines spans several)
    index: int       # 1-based data row: the spreadsheet row is index + 1 (the header is row 1)
    cells: dict[str, str]

    def where(self) -> str:
        item = self.cells.get("item", "").strip()
        return f"line {self.line} (spreadsheet row {self.index + 1}{', item ' + item if item else ''})"


def ingest_review(db: str | Path, csv_path: str | Path) -> dict[str, Any]:
    """Set the verdicts of a filled review.csv in the catalog; returns `sample_stats` of its sample.

    Only the rows the file holds are set (an empty verdict clears one), so re-ingesting a file changes nothing
    and a sample split between reviewers can be ingested file by file. Nothing is written unless every row is
    valid; all bad rows are named at once.
    """
    csv_path = Path(csv_path)
    rows = _read_review_csv(csv_path)
    if not Path(db).exists():
        raise CatalogError(f"no catalog at {db}", fix="pass the --db the sample was drawn with")
    sample_ids = {r.cells.get("sample_id", "").strip() for r in rows} - {""}
    blank = [r for r in rows if not r.cells.get("sample_id", "").strip()]
    if blank:
        raise InputError(f"{blank[0].where()} has no sample_id", where=f"{csv_path}:{blank[0].line}",
                         fix="keep the sample_id column as `provenance sample` wrote it")
    if len(sample_ids) > 1:
        raise InputError(f"the file mixes samples {', '.join(sorted(sample_ids))}", where=str(csv_path),
                         fix="ingest one sample's rows per file")
    if not sample_ids:
        raise InputError("the file holds no rows", where=str(csv_path),
                         fix="pass the review.csv `provenance sample` wrote, with its verdicts filled in")
    sample_id = sample_ids.pop()
    with Catalog.open(db) as catalog:
        known = catalog.query("SELECT run_id FROM review_samples WHERE sample_id = ?", [sample_id])
        if not known:
            raise InputError(f"sample {sample_id} is not in catalog {db}", where=f"{csv_path}:{rows[0].line}",
                             fix="pass the --db the sample was drawn with (its review_samples table lists it), or "
                                 "draw a new sample with `provenance sample --db PATH --out review.csv`")
        in_sample = {r[0] for r in catalog.con.execute(
            "SELECT doc_id FROM review_items WHERE sample_id = ?", [sample_id]).fetchall()}
        updates, problems = _updates(rows, sample_id, in_sample)
        if problems:
            shown = problems[:20] + ([f"… and {len(problems) - 20} more"] if len(problems) > 20 else [])
            raise InputError(f"{len(problems)} row(s) cannot be ingested (nothing was written):\n    "
                             + "\n    ".join(shown), where=str(csv_path),
                             fix=f"correct those rows; verdict accepts {ALLOWED_VERDICTS}")
        with catalog.transaction():
            catalog.con.register("review_updates", pa.table({
                "sample_id": [sample_id] * len(updates),
                "doc_id": [u[0] for u in updates],
                "verdict": pa.array([u[1] for u in updates], pa.string()),
                "reviewer": pa.array([u[2] for u in updates], pa.string()),
                "note": pa.array([u[3] for u in updates], pa.string())}))
            catalog.con.execute(sql("review_ingest"), {"ingested_at": datetime.now(timezone.utc)})
            catalog.con.unregister("review_updates")
        return sample_stats(catalog, sample_id)


def _updates(rows: list[_Row], sample_id: str, in_sample: set[str]
             ) -> tuple[list[tuple[str, str | None, str | None, str | None]], list[str]]:
    updates = []
    problems = []
    first_line: dict[str, int] = {}
    for r in rows:
        doc_id = r.cells.get("doc_id", "").strip()
        raw = r.cells.get("verdict", "").strip()
        verdict = VERDICTS.get(raw.lower()) if raw else None
        if raw and verdict is None:
            shown = raw if len(raw) <= 20 else raw[:20] + "…"
            problems.append(f"{r.where()}: verdict {shown!r} is not one of {ALLOWED_VERDICTS}")
        if doc_id not in in_sample:
            problems.append(f"{r.where()}: doc_id {doc_id!r} is not in sample {sample_id}")
        elif doc_id in first_line:
            problems.append(f"{r.where()}: doc_id {doc_id} is also on line {first_line[doc_id]}")
        else:
            first_line[doc_id] = r.line
        updates.append((doc_id, verdict, r.cells.get("reviewer", "").strip() or None,
                        r.cells.get("note", "").strip() or None))
    return updates, problems


def _read_review_csv(path: Path) -> list[_Row]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such file: {path}", where=str(path),
                         fix="pass the review.csv `provenance sample` wrote") from None
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}", where=str(path),
                         fix="check the path and its permissions") from None
    try:
        text = data.decode(CSV_ENCODING)
    except UnicodeDecodeError:
        # Excel on Chinese Windows saves "CSV (逗号分隔)" in the ANSI code page, GBK; GB 18030 reads it
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise InputError(f"{path} is neither UTF-8 nor GB 18030 text", where=str(path),
                             fix="save it as \"CSV UTF-8\" from the spreadsheet program") from None
    header_line = text.split("\n", 1)[0]
    # a spreadsheet in a locale with decimal commas saves with ';'; some tools save tab-separated
    delimiter = max([",", ";", "\t"], key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InputError(f"{path} is empty", where=str(path), fix="pass the review.csv `provenance sample` wrote") \
            from None
    missing = [c for c in ("sample_id", "doc_id", "verdict") if c not in header]
    if missing:
        raise InputError(f"the header lacks column(s) {', '.join(missing)} (found: {', '.join(header) or 'none'})",
                         where=f"{path}:1", fix="keep the header row `provenance sample` wrote; columns: "
                                                + ", ".join(COLUMNS))
    rows = []
    line = reader.line_num + 1
    index = 0
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue  # spreadsheets leave blank rows at the end
            index += 1
            rows.append(_Row(start, index, dict(zip(header, cells))))
    except csv.Error as e:
        raise InputError(f"line {line}: not readable as CSV: {e}", where=f"{path}:{line}",
                         fix="save the file again as CSV from the spreadsheet program") from None
    return rows


# -- summaries -------------------------------------------------------------------------------------------------------

def sample_stats(catalog: Catalog, sample_id: str) -> dict[str, Any]:
    """Size, verdict counts, pass rate with its 95% Wilson interval and the §9.2 checks of one sample."""
    head = catalog.query("SELECT run_id, seed, created_at, n_drawn, unavailable FROM review_samples "
                         "WHERE sample_id = ?", [sample_id])
    if not head:
        raise InputError(f"sample {sample_id} is not in catalog {catalog.path}", where=catalog.path,
                         fix="pick a sample id from the catalog's review_samples table")
    h = head[0]
    by_source = {r["source_id"]: {"size": r["size"], "reviewed": r["reviewed"], "passed": r["passed"],
                                  "failed": r["failed"]}
                 for r in catalog.query(sql("review_stats"), {"sample_id": sample_id})}
    size = int(h["n_drawn"])
    reviewed = sum(s["reviewed"] for s in by_source.values())
    passed = sum(s["passed"] for s in by_source.values())
    pass_rate = round(passed / reviewed, 6) if reviewed else None
    ci95 = list(wilson_interval(passed, reviewed)) if reviewed else None
    return {
        "status": "complete" if reviewed == size else "in_progress",
        "sample_id": sample_id,
        "drawn_from_run": h["run_id"],
        "seed": int(h["seed"]),
        "created_at": h["created_at"].isoformat(),
        "size": size,
        "reviewed": reviewed,
        "passed": passed,
        "failed": reviewed - passed,
        "pass_rate": pass_rate,
        "ci95": ci95,
        "meets_size": size >= THRESHOLDS["size"],
        "meets_rate": pass_rate is not None and pass_rate >= THRESHOLDS["pass_rate"],
        "meets_rate_lower_bound": ci95 is not None and ci95[0] >= THRESHOLDS["pass_rate"],
        "unavailable": int(h["unavailable"]),
        "by_source": by_source,
        "thresholds": dict(THRESHOLDS),
    }


def review_summary(catalog: Catalog, run_id: str) -> dict[str, Any]:
    """The review-sample block of a run's report: `{"status": "not_run"}`, or `sample_stats` of the latest sample
    drawn from this run — else from the most recent earlier run that has one — with `drawn_from_run` naming the
    run sampled and `same_run` whether that is `run_id`."""
    exists = catalog.con.execute("SELECT count(*) FROM information_schema.tables "
                                 "WHERE table_name = 'review_samples'").fetchone()[0]
    if not exists:
        return {"status": "not_run"}
    rows = catalog.query(sql("review_latest"), {"run_id": run_id})
    if not rows:
        return {"status": "not_run"}
    stats = sample_stats(catalog, rows[0]["sample_id"])
    stats["same_run"] = stats["drawn_from_run"] == run_id
    return stats
