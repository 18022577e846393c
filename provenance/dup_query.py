"""Questions asked of an audited corpus's duplicate signatures, without reading the corpus again.

The `duplicates` stage stored a normalised-text hash and a MinHash signature for every document of a run
(dup_documents). Documents from outside the corpus — a dataset to onboard, content reported as non-compliant — are
hashed here with the very detector the audit ran (same normalisation, shingles, 128 permutations, seed 1) and matched
against a run in DuckDB (sql/dup_match.sql): band keys of both sides joined on (band, key), candidates verified by
the share of equal signature values, exact matches by the normalised-text hash. Only the query documents'
signatures are in memory (or, for a whole dataset, in Parquet shards DuckDB reads), never the corpus index.

Also here: where documents are (`document_locations`), a run's clusters with their locations and the keep-list
(`cluster_table`, `keep_doc_ids`), and the overlap report of a new dataset (`overlap_report`), which the
commands in flows/dup_cli.py render.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import pyarrow as pa
import pyarrow.parquet as pq

from detectors.dedup.detector import RESULT_SCHEMA, DedupConfig, DuplicateDetector
from detectors.dedup.lsh import banding_for
from provenance.catalog import Catalog, sql
from provenance.errors import InputError
from provenance.findings import CODES, Finding
from provenance.readers import StreamError, open_stream
from provenance.readers.single import TEXT_FIELD_FIX, check_data_file, read_file_records
from provenance.readers.fieldpath import MISSING, get, parse
from provenance.readers.records import Record
from provenance.readers.streams import CHUNK

__all__ = ["MATCH_SCHEMA", "ReadCounts", "ReportedItem", "banding", "check_removed", "check_signatures",
           "cluster_table", "document_locations", "duplicates_run", "is_manifest_path", "iter_file_documents",
           "keep_doc_ids", "match_against_run", "matched_documents", "overlap_report", "parquet_literal",
           "query_signatures", "read_reported", "ready_connection", "rows_of", "run_documents"]

MATCH_SCHEMA = pa.schema([
    ("qid", pa.int64()),          # the query document (its index, or the qid column given)
    ("doc_id", pa.string()),      # the corpus document it matches
    ("source_id", pa.string()),
    ("jaccard", pa.float64()),    # estimated from the signatures; 1.0 for an exact match
    ("exact", pa.bool_()),        # same normalised text
])
PRESENT_SHARE = 0.5     # DUP_ALREADY_PRESENT when this share of a new source is already in the corpus
FIRST_REJECTIONS = 100  # a file whose first this-many records are all rejected is read with the wrong options
BATCH_DOCS = 2048


# -- runs --------------------------------------------------------------------------------------------------------

def duplicates_run(catalog: Catalog, run: str | None = None, *, completed: bool = False) -> str:
    """The run to query: `run` when it included the duplicates stage, else the latest completed run that did."""
    if run is None:
        rows = catalog.query("SELECT run_id FROM runs WHERE list_contains(stages, 'duplicates') "
                             "AND status = 'completed' ORDER BY started_at DESC LIMIT 1")
        if not rows:
            raise InputError("no completed run in the catalog included the duplicates stage",
                             where=catalog.path,
                             fix="audit with the duplicates stage (`provenance audit MANIFEST --db PATH`, whose "
                                 "default --stages all includes it)")
        return rows[0]["run_id"]
    rows = catalog.query("SELECT stages, status FROM runs WHERE run_id = ?", [run])
    if not rows:
        raise InputError(f"no run {run} in catalog {catalog.path}", where="--run",
                         fix="omit --run for the latest run, or pick a run id from `provenance runs --db`")
    if "duplicates" not in (rows[0]["stages"] or []):
        raise InputError(f"run {run} did not include the duplicates stage (stages: "
                         f"{', '.join(rows[0]['stages'] or [])})", where="--run",
                         fix="omit --run to use the latest run that did, or audit again with the duplicates stage "
                             "(`--stages all` or a list that names duplicates)")
    if completed and rows[0]["status"] != "completed":
        raise InputError(f"run {run} is {rows[0]['status']}, so its clusters are incomplete", where="--run",
                         fix="pick a completed run from `provenance runs --db`, or audit again")
    return run


def check_signatures(catalog: Catalog, run_id: str) -> None:
    """Refuse a run whose signatures were made with another configuration: they would never match ours."""
    expected = DuplicateDetector(DedupConfig()).config_hash()
    rows = catalog.query("SELECT DISTINCT s.config_hash FROM files AS f JOIN stage_results AS s USING (version_id) "
                         "WHERE f.run_id = ? AND s.stage = 'duplicates' AND f.status NOT IN ('removed', 'failed')",
                         [run_id])
    other = sorted(r["config_hash"] for r in rows if r["config_hash"] != expected)
    if other:
        raise InputError(f"run {run_id} holds duplicate signatures of another configuration ({', '.join(other)}; "
                         f"this tool makes {expected})", where="--run",
                         fix="audit the corpus again with this version (only the duplicates stage is recomputed)")


# -- query documents -------------------------------------------------------------------------------------------------

def _detector() -> DuplicateDetector:
    # the audit's own detector and config (128 permutations, seed 1): query signatures equal stored ones
    return DuplicateDetector(DedupConfig())


def query_signatures(texts: Sequence[str], qids: Sequence[Any] | None = None) -> pa.Table:
    """(qid, norm_hash, signature) of texts, as the audit stores them; signature NULL without shingles."""
    detector = _detector()
    qid = pa.array(range(len(texts)), pa.int64()) if qids is None else pa.array(list(qids))
    if len(qid) != len(texts):
        raise ValueError(f"{len(qid)} qids for {len(texts)} texts")
    parts = []
    for start in range(0, len(texts), BATCH_DOCS):
        chunk = list(texts[start:start + BATCH_DOCS])
        batch = pa.record_batch({"doc_id": [str(i) for i in range(len(chunk))], "text": pa.array(chunk, pa.string())})
        parts.append(detector.process(batch).select(["norm_hash", "signature"]))
    sig = pa.concat_tables(parts) if parts else RESULT_SCHEMA.empty_table().select(["norm_hash", "signature"])
    return pa.table({"qid": qid, "norm_hash": sig.column("norm_hash"),
                     "signature": sig.column("signature")})


def _as_query_table(texts_or_table: Sequence[str] | pa.Table) -> pa.Table:
    if not isinstance(texts_or_table, pa.Table):
        return query_signatures(list(texts_or_table))
    table = texts_or_table
    has_qid = "qid" in table.column_names
    if "signature" in table.column_names and "norm_hash" in table.column_names:
        qid = table.column("qid") if has_qid else pa.array(range(table.num_rows), pa.int64())
        # as the detector stores them (BIGINT, UINTEGER[]), whatever the caller built
        return pa.table({"qid": qid, "norm_hash": table.column("norm_hash").cast(pa.int64()),
                         "signature": table.column("signature").cast(pa.list_(pa.uint32()))})
    if "text" in table.column_names:
        return query_signatures(table.column("text").to_pylist(),
                                table.column("qid").to_pylist() if has_qid else None)
    raise ValueError("a query table needs a `text` column, or `norm_hash` and `signature` columns")


def ready_connection(catalog: Catalog) -> Any:
    """The catalog's connection, ready for register() and sql(): DuckDB 2.0 refuses both while a result of an
    earlier execute() (e.g. a fetchone() in Catalog.open) is unfinished."""
    catalog.con.complete()
    return catalog.con


@contextmanager
def _registered(catalog: Catalog, name: str, table: pa.Table) -> Iterator[None]:
    ready_connection(catalog).register(name, table)
    try:
        yield
    finally:
        catalog.con.unregister(name)


def banding(threshold: float, bands: int | None, rows: int | None) -> tuple[int, int]:
    if not 0.0 < threshold < 1.0:
        raise InputError(f"threshold {threshold} is not between 0 and 1", where="--threshold",
                         fix="pass a Jaccard similarity such as 0.8")
    if (bands is None) != (rows is None):
        raise ValueError("give both bands and rows, or neither")
    if bands is None or rows is None:
        return banding_for(threshold, DedupConfig().num_perm)
    if bands < 1 or rows < 1 or bands * rows > DedupConfig().num_perm:
        raise InputError(f"{bands} bands × {rows} rows need {bands * rows} hash values; signatures have "
                         f"{DedupConfig().num_perm}", where="bands", fix="use bands × rows ≤ 128, e.g. 16 × 8")
    return bands, rows


def _match_sql(run_id: str, threshold: float, bands: int, rows: int, best: bool) -> tuple[str, dict[str, Any]]:
    return sql("dup_match"), {"run_id": run_id, "bands": bands, "rows": rows, "threshold": threshold, "best": best}


def match_against_run(catalog: Catalog, run_id: str, texts_or_table: Sequence[str] | pa.Table,
                      threshold: float = 0.8, bands: int | None = None, rows: int | None = None, *,
                      best: bool = False) -> pa.Table:
    """Corpus documents of a run that are exact or near (estimated Jaccard ≥ threshold) copies of given documents.

    `texts_or_table`: texts (qid = their index), or an Arrow table with `text` (and optionally `qid`), or with
    `norm_hash` and `signature` as the duplicates detector writes them. Returns (qid, doc_id, source_id, jaccard,
    exact), every match, or with `best` only each query document's best (exact first, then highest Jaccard).
    Banding: `banding_for(threshold)` (16 × 8 at 0.8) unless bands and rows are given.
    """
    bands, rows = banding(threshold, bands, rows)
    check_signatures(catalog, run_id)
    query = _as_query_table(texts_or_table)
    text, params = _match_sql(run_id, threshold, bands, rows, best)
    with _registered(catalog, "dup_query_docs", query):
        out = ready_connection(catalog).sql(text, params=params).to_arrow_table()
    schema = MATCH_SCHEMA.set(0, pa.field("qid", query.schema.field("qid").type))
    return out.cast(schema) if out.num_rows else schema.empty_table()


def rows_of(catalog: Catalog, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    cur = catalog.con.execute(query, params or {})
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def document_locations(catalog: Catalog, doc_ids: Iterable[str],
                       run_id: str | None = None) -> dict[str, dict[str, Any]]:
    """doc_id → {source_id, path, member, line} (member '' for plain files); unknown ids are left out."""
    ids = pa.table({"doc_id": pa.array(sorted(set(doc_ids)), pa.string())})
    if not ids.num_rows:
        return {}
    with _registered(catalog, "dup_query_ids", ids):
        rows = rows_of(catalog, sql("dup_query_locations"), {"run_id": run_id})
    return {r["doc_id"]: {"source_id": r["source_id"], "path": r["path"], "member": r["member"], "line": r["line"]}
            for r in rows}


# -- reading documents outside the corpus -----------------------------------------------------------------------------

@dataclass
class ReadCounts:
    """Records read from one input: every record is accepted (a document) or rejected."""

    records: int = 0
    documents: int = 0
    rejected: int = 0
    first_rejection: str = ""
    problems: list[dict[str, Any]] = field(default_factory=list)  # files that could not be read (manifests)

    def as_dict(self) -> dict[str, Any]:
        return {"records": self.records, "documents": self.documents, "rejected": self.rejected,
                "first_rejection": self.first_rejection or None, "problems": self.problems}


def iter_file_documents(path: str | Path, fmt: str = "auto", text_field: str | None = None,
                        counts: ReadCounts | None = None, encoding: str = "utf-8") -> Iterator[Record]:
    """The accepted records of one data file (any format and compression the audit reads; not an archive).

    `fmt` is a reader format (auto, jsonl, json, csv, tsv, parquet, text, text-lines). Rejected records are
    counted in `counts`. A file whose first records are all rejected, or that yields no document at all while
    rejecting some, raises InputError naming --text-field: the options, not the data, are wrong.
    """
    path = check_data_file(path)
    counts = counts if counts is not None else ReadCounts()
    documents_before = counts.documents
    rejected_here = 0
    for rec in read_file_records(path, fmt, text_field, encoding):
        counts.records += 1
        if rec.text is None:
            counts.rejected += 1
            rejected_here += 1
            counts.first_rejection = (counts.first_rejection
                                      or f"{path.name} {_at(rec.line, rec.ordinal)}: {rec.message}")
            if counts.documents == documents_before and rejected_here >= FIRST_REJECTIONS:
                break
            continue
        counts.documents += 1
        yield rec
    if counts.documents == documents_before and rejected_here:
        raise InputError(f"none of the first {rejected_here:,} records of {path.name} has text: "
                         f"{counts.first_rejection}", where=str(path), fix=TEXT_FIELD_FIX)


def _at(line: int | None, ordinal: int | None) -> str:
    """Where a record is: its line where the format has lines, else its record number."""
    return f"line {line}" if line is not None else f"record #{ordinal}"


def _write_file_signatures(path: Path, name: str, fmt: str, text_field: str | None, shard_dir: str,
                           counts: ReadCounts) -> str | None:
    """Signatures of one data file's documents into a Parquet shard (doc ids `NAME#ordinal`); its path or None."""
    detector = _detector()
    shard = os.path.join(shard_dir, f"file-{len(os.listdir(shard_dir))}.parquet")
    writer: pq.ParquetWriter | None = None
    ids: list[str] = []
    texts: list[str] = []

    def flush() -> None:
        nonlocal writer, ids, texts
        if not ids:
            return
        rows = detector.process(pa.record_batch({"doc_id": ids, "text": texts}))
        if writer is None:
            writer = pq.ParquetWriter(shard, rows.schema)
        writer.write_table(rows)
        ids, texts = [], []

    try:
        for rec in iter_file_documents(path, fmt, text_field, counts):
            ids.append(f"{name}#{rec.ordinal}")
            texts.append(rec.text or "")
            if len(ids) >= BATCH_DOCS:
                flush()
        flush()
    finally:
        if writer is not None:
            writer.close()
    return shard if writer is not None else None


def _write_manifest_signatures(manifest_file: str | Path, shard_dir: str, allow_outside: bool,
                               max_record_mb: int) -> tuple[dict[str, ReadCounts], list[tuple[str, str]]]:
    """Every source of a manifest read as an audit reads it (archives, members, formats, text fields), through the
    scanner with only the duplicates detector; returns counts per source and (shard, source) pairs."""
    from provenance.manifest import load_manifest
    from provenance.scan import PlannedFile, expand_paths, read_spec, scan_unit

    loaded = load_manifest(manifest_file, allow_outside=allow_outside)
    counts: dict[str, ReadCounts] = {}
    shards: list[tuple[str, str]] = []
    for source in loaded.manifest.sources:
        detector = _detector()
        c = counts[source.id] = ReadCounts()
        files, empty = expand_paths(loaded, source)
        c.problems += [{"path": p, "code": "SCAN_NO_FILES", "message": "the glob matches no file"} for p in empty]
        spec = read_spec(source, max_record_mb << 20)
        unit_dir = os.path.join(shard_dir, f"source-{len(counts)}")
        os.makedirs(unit_dir, exist_ok=True)
        for abs_path in files:
            st = os.stat(abs_path)
            planned = PlannedFile(source.id, abs_path, loaded.relative(abs_path), st.st_size, st.st_mtime_ns)
            result = scan_unit(planned, source, spec, unit_dir, [detector], source.members)
            if result.error_code:
                c.problems.append({"path": result.path, "code": result.error_code, "message": result.error})
            for fr in result.files:
                c.records += fr.records_ok + fr.records_rejected
                c.documents += fr.records_ok
                c.rejected += fr.records_rejected
                where = fr.path + (f"!{fr.member}" if fr.member else "")
                if fr.error_code:
                    c.problems.append({"path": where, "code": fr.error_code, "message": fr.error})
                for code, ic in fr.issue_counts.items():
                    if code != "SCAN_INVALID_ENCODING" and not c.first_rejection:
                        c.first_rejection = f"{where} {_at(ic.first_line, ic.first_ordinal)}: {ic.first_message}"
            shard = result.detector_shards.get(detector.name, {}).get(detector.result_table)
            if shard:
                shards.append((shard, source.id))
    return counts, shards


# -- overlap of a new dataset with the corpus ------------------------------------------------------------------------

def is_manifest_path(path: str | Path) -> bool:
    return Path(path).suffix.lower() in (".yaml", ".yml")


def overlap_report(catalog: Catalog, run_id: str, new_input: str | Path, *, threshold: float = 0.8,
                   fmt: str = "auto", text_field: str | None = None, allow_outside: bool = False,
                   max_record_mb: int = 16, present_share: float = PRESENT_SHARE, bands: int | None = None,
                   rows: int | None = None) -> dict[str, Any]:
    """How much of a new dataset (a manifest, or one data file) a run of the corpus already holds, per new source.

    For each new source: documents, exactly present (same normalised text as a corpus document), near present
    (estimated Jaccard ≥ threshold, not exact), the share present, the corpus sources matched (documents per
    source, one example pair) and the documents it adds (documents − present; duplicates inside the new source are
    not deducted). A source at or above `present_share` present gets a DUP_ALREADY_PRESENT finding. `fmt` is a
    reader format and `text_field` a field path, both for a single data file (a manifest declares its own).
    """
    bands, rows = banding(threshold, bands, rows)
    check_signatures(catalog, run_id)
    new_input = Path(new_input)
    kind = "manifest" if is_manifest_path(new_input) else "file"
    with tempfile.TemporaryDirectory(prefix="provenance-overlap-") as shard_dir:
        if kind == "manifest":
            counts, shards = _write_manifest_signatures(new_input, shard_dir, allow_outside, max_record_mb)
            if counts and not any(c.documents for c in counts.values()) and any(c.rejected for c in counts.values()):
                first = next(c.first_rejection for c in counts.values() if c.first_rejection)
                raise InputError(f"no source of {new_input.name} yielded a document: {first}", where=str(new_input),
                                 fix="check the sources' `text_field:` and `format:` "
                                     "(`provenance manifest validate` checks the rest)")
        else:
            c = ReadCounts()
            shard = _write_file_signatures(new_input, new_input.name, fmt, text_field, shard_dir, c)
            counts, shards = {new_input.name: c}, ([(shard, new_input.name)] if shard else [])
        per_source, matched = _overlap_counts(catalog, run_id, shards, threshold, bands, rows)

    sources = []
    findings: list[Finding] = []
    for name, c in counts.items():
        got = per_source.get(name, {})
        documents = got.get("documents", 0)
        exact, near = got.get("exact_present", 0), got.get("near_present", 0)
        share = (exact + near) / documents if documents else 0.0
        entry = {
            "source": name, **c.as_dict(),
            "without_shingles": got.get("without_shingles", 0),
            "exact_present": exact, "near_present": near, "present": exact + near,
            "share_present": round(share, 6), "adds": documents - exact - near,
            "matches": matched.get(name, []),
        }
        sources.append(entry)
        if documents and share >= present_share:
            top = ", ".join(f"{m['source_id']} ({m['documents']:,})" for m in entry["matches"][:3])
            findings.append(Finding(
                "duplicates", "DUP_ALREADY_PRESENT",
                f"{exact + near:,} of {documents:,} documents ({share:.1%}) of {name} are already in the corpus "
                f"({exact:,} exact, {near:,} near at Jaccard ≥ {threshold}), in {top}; it adds "
                f"{entry['adds']:,} documents", source_id=name, count=exact + near))
    finding_rows = [_finding_dict(f) for f in findings]
    by_severity: dict[str, int] = {}
    for f in finding_rows:
        by_severity[f["severity"]] = by_severity.get(f["severity"], 0) + 1
    return {
        "run_id": run_id, "catalog": catalog.path, "input": str(new_input), "kind": kind,
        "threshold": threshold, "bands": bands, "rows": rows, "present_share": present_share,
        "sources": sources, "findings": finding_rows, "findings_by_severity": by_severity,
    }


def _finding_dict(f: Finding) -> dict[str, Any]:
    spec = CODES[f.code]
    return {"code": f.code, "severity": f.severity or spec.severity, "stage": f.stage, "source": f.source_id,
            "count": f.count, "message": f.message, "clause": spec.clause, "fix": spec.fix}


@contextmanager
def matched_documents(catalog: Catalog, run_id: str, docs_query: str, threshold: float, bands: int, rows: int
                      ) -> Iterator[None]:
    """While open: the temp view dup_query_docs (`docs_query`, a SELECT with qid, norm_hash, signature and any
    columns the caller's SQL needs) and the temp table dup_query_matches (sql/dup_match.sql of those documents
    against the run), both dropped on exit."""
    con = ready_connection(catalog)
    con.execute(f"CREATE OR REPLACE TEMP VIEW dup_query_docs AS {docs_query}")
    try:
        text, params = _match_sql(run_id, threshold, bands, rows, False)
        con.execute("CREATE OR REPLACE TEMP TABLE dup_query_matches AS " + text.rstrip().rstrip(";"), params)
        yield
    finally:
        con.execute("DROP TABLE IF EXISTS dup_query_matches")
        con.execute("DROP VIEW IF EXISTS dup_query_docs")


def parquet_literal(path: str | Path) -> str:
    """A file path as a SQL string literal (a view cannot take parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def _overlap_counts(catalog: Catalog, run_id: str, shards: list[tuple[str, str]], threshold: float, bands: int,
                    rows: int) -> tuple[dict[str, dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    if not shards:
        return {}, {}
    files = pa.table({"filename": [s for s, _ in shards], "source": [n for _, n in shards]})
    # a view reads the shards where they are
    paths = ", ".join(parquet_literal(s) for s, _ in shards)
    docs = ("SELECT m.source, q.doc_id AS qid, q.norm_hash, q.signature "
            f"FROM read_parquet([{paths}], filename = true) AS q JOIN dup_query_shards AS m USING (filename)")
    with _registered(catalog, "dup_query_shards", files), \
            matched_documents(catalog, run_id, docs, threshold, bands, rows):
        per_source = {r["source"]: r for r in rows_of(catalog, sql("dup_query_overlap"))}
        matched: dict[str, list[dict[str, Any]]] = {}
        for r in rows_of(catalog, sql("dup_query_overlap_sources")):
            matched.setdefault(r.pop("source"), []).append(r)
    return per_source, matched


# -- content reported as non-compliant -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReportedItem:
    id: str
    line: int
    text: str


def read_reported(path: str | Path, text_field: str = "text") -> tuple[list[ReportedItem], list[dict[str, Any]]]:
    """Items of a JSONL file of reported content (one object per line with the text, optional `id`) and the lines
    that could not be used [{line, message}]. Raises InputError when no line is usable."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such file: {path}", where=str(path),
                         fix="give a JSONL file with one reported item per line, e.g. {\"id\": \"R-1\", \"text\": …}")
    fp = parse(text_field)
    items: list[ReportedItem] = []
    bad: list[dict[str, Any]] = []
    try:
        with open(path, "rb") as raw:
            stream, _ = open_stream(io.BufferedReader(raw, CHUNK), path.name)
            for number, data in enumerate(io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace"), 1):
                if not data.strip():
                    continue
                try:
                    obj = json.loads(data)
                except json.JSONDecodeError as e:
                    bad.append({"line": number, "message": f"not valid JSON: {e.msg} (column {e.colno})"})
                    continue
                if not isinstance(obj, dict):
                    bad.append({"line": number, "message": f"a JSON {type(obj).__name__}, not an object"})
                    continue
                value = get(obj, fp)
                if isinstance(value, list) and all(isinstance(v, str) for v in value):
                    value = "\n".join(value)
                if value is MISSING or not isinstance(value, str):
                    bad.append({"line": number, "message": f"no text in field {text_field!r}"
                                + ("" if value is MISSING else f" (it holds a {type(value).__name__})")})
                    continue
                if not value.strip():
                    bad.append({"line": number, "message": "the text is empty"})
                    continue
                ident = obj.get("id")
                items.append(ReportedItem(str(ident) if ident is not None else f"line {number}", number, value))
    except StreamError as e:
        raise InputError(f"cannot read {path.name}: {e}", where=str(path), fix="give an uncompressed or gzip "
                         "JSONL file") from e
    if not items:
        first = f"line {bad[0]['line']}: {bad[0]['message']}" if bad else "the file holds no items"
        missing = any("no text in field" in b["message"] for b in bad)
        raise InputError(f"no usable item in {path.name} ({len(bad):,} bad lines; first: {first})", where=str(path),
                         fix=f"pass --text-field with the field that holds the text (now {text_field!r})" if missing
                         else "write one JSON object per line with the reported text, e.g. "
                              "{\"id\": \"R-1\", \"text\": \"…\"}")
    return items, bad


def check_removed(catalog: Catalog, run_id: str, items: Sequence[ReportedItem], threshold: float = 0.8
                  ) -> list[dict[str, Any]]:
    """For each reported item, the corpus documents of the run that are still exact or near copies of it, with
    where they are: [{id, line, present, matches: [{doc_id, source_id, path, member, line, jaccard, exact}]}]."""
    matches = match_against_run(catalog, run_id, [i.text for i in items], threshold)
    where = document_locations(catalog, matches.column("doc_id").to_pylist(), run_id)
    found: dict[int, list[dict[str, Any]]] = {}
    for m in matches.to_pylist():
        loc = where.get(m["doc_id"], {})
        found.setdefault(m["qid"], []).append({
            "doc_id": m["doc_id"], "source_id": m["source_id"], "path": loc.get("path"),
            "member": loc.get("member"), "line": loc.get("line"), "jaccard": round(m["jaccard"], 6),
            "exact": m["exact"]})
    return [{"id": item.id, "line": item.line, "present": bool(found.get(i)), "matches": found.get(i, [])}
            for i, item in enumerate(items)]


# -- clusters and the keep-list --------------------------------------------------------------------------------------

def cluster_table(catalog: Catalog, run_id: str) -> pa.Table:
    """The run's clusters (run_id, cluster_id, cluster_size, representative, doc_id, source_id, path, member, line)."""
    return ready_connection(catalog).sql(sql("dup_query_clusters"), params={"run_id": run_id}).to_arrow_table()


def keep_doc_ids(catalog: Catalog, run_id: str) -> Iterator[str]:
    """Doc ids to keep for training: one per cluster (its representative) and every document in no cluster."""
    reader = ready_connection(catalog).sql(sql("dup_query_keep"), params={"run_id": run_id}).to_arrow_reader(65536)
    for batch in reader:
        yield from batch.column(0).to_pylist()


def run_documents(catalog: Catalog, run_id: str) -> int:
    # fetchall, not fetchone: DuckDB 2.0 keeps a result unfinished until a fetch returns nothing, and refuses the
    # next con.sql() on the connection until then
    rows = catalog.con.execute("SELECT count(*) FROM files AS f JOIN documents AS d USING (version_id) "
                               "WHERE f.run_id = ? AND f.status NOT IN ('removed', 'failed')", [run_id]).fetchall()
    return rows[0][0]

