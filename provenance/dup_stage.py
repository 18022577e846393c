"""The duplicates stage's corpus-wide pass: band grouping, verification, clusters, rates and overlap, in DuckDB.

The detector (detectors/dedup) stored a normalised-text hash and a MinHash signature per document. After the scan,
over the documents of the run's file versions (reused ones included, so nothing is hashed twice):
1. LSH candidates: band keys grouped in DuckDB (sql/dup_candidates.sql), for the run's banding (default 16 × 8,
   tuned for 0.8) and the banding with the same sensitivity at 0.7 (25 × 5), so the 0.7 rate is not cut short;
2. verification: the estimated Jaccard of each candidate pair (the share of equal signature values; standard error
   √(J(1−J)/128) ≈ 0.035 at J = 0.8 with 128 permutations) keeps pairs from 0.6 up; then the documents of those
   pairs are read again (only the files that hold them, through the scanner) and each pair gets its exact Jaccard on
   shingle sets, kept from 0.7 up. The estimate alone reaches only ~95% precision where many pairs sit near 0.8
   (benchmarks/RESULTS.md); `--dup-verify estimate` skips the second read and keeps pairs on the estimate;
3. connected components (scipy) of the pairs at each threshold: within each source for the rates, across sources
   for the clusters and their representatives;
4. the overlap matrix between sources (sql/dup_overlap.sql).
Only the pairs (not the band index) are held in memory.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from detectors.dedup.detector import ShingleSetCollector
from detectors.dedup.lsh import BUCKET_PAIRS_MAX, banding_for
from provenance.catalog import Catalog, sql
from provenance.errors import InputError
from provenance.findings import Finding
from provenance.manifest import LoadedManifest
from provenance.scan import PlannedFile, no_checkpoint, read_spec, scan_unit

RATE_THRESHOLDS = (0.7, 0.8, 0.9)


@dataclass(frozen=True)
class DupOptions:
    """Options of the duplicates stage (`--dup-*` on the command line); recorded with the run."""

    threshold: float = 0.8      # clusters, overlap and findings
    bands: int = 16
    rows: int = 8
    verify: str = "exact"       # exact: read candidate pairs' documents again for their exact Jaccard; estimate
    high_rate: float = 0.10     # DUP_HIGH_RATE when a source would lose this share to deduplication
    overlap_share: float = 0.10  # DUP_SOURCE_OVERLAP when this share of a source is also in another

    def __post_init__(self) -> None:
        if self.threshold not in RATE_THRESHOLDS:
            raise InputError(f"--dup-threshold must be one of {', '.join(map(str, RATE_THRESHOLDS))}, got "
                             f"{self.threshold}", where="--dup-threshold",
                             fix="rates are computed at 0.7, 0.8 and 0.9; pick one of them for clusters")
        if self.bands < 1 or self.rows < 1 or self.bands * self.rows > 128:
            raise InputError(f"--dup-bands {self.bands}x{self.rows} needs {self.bands * self.rows} hash values; "
                             "signatures have 128", where="--dup-bands", fix="use bands × rows ≤ 128, e.g. 16x8")
        if self.verify not in ("exact", "estimate"):
            raise InputError(f"--dup-verify must be exact or estimate, got {self.verify!r}", where="--dup-verify",
                             fix="use exact (default) or estimate")
        for name in ("high_rate", "overlap_share"):
            if not 0 < getattr(self, name) <= 1:
                raise InputError(f"{name} must be in (0, 1]", where=f"--dup-{name.replace('_', '-')}",
                                 fix="pass a share such as 0.1")

    def recorded(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "bands": self.bands, "rows": self.rows, "verify": self.verify,
                "high_rate": self.high_rate, "overlap_share": self.overlap_share}


def load_run_documents(catalog: Catalog, run_id: str) -> int:
    """Create the temp table dup_run_docs for a run; returns its size."""
    catalog.con.execute(sql("dup_run_documents"), {"run_id": run_id})
    return catalog.con.execute("SELECT count(*) FROM dup_run_docs").fetchone()[0]


def candidate_pairs(catalog: Catalog, bandings: list[tuple[int, int]]) -> None:
    """Fill the temp table dup_candidates(a, b) from dup_run_docs with the union of the bandings' candidates."""
    con = catalog.con
    con.execute("CREATE OR REPLACE TEMP TABLE dup_candidates (a BIGINT, b BIGINT)")
    for bands, rows in bandings:
        con.execute("INSERT INTO dup_candidates " + sql("dup_candidates"),
                    {"bands": bands, "rows": rows, "bucket_max": BUCKET_PAIRS_MAX})
    con.execute("CREATE OR REPLACE TEMP TABLE dup_candidates AS SELECT DISTINCT a, b FROM dup_candidates")


VERIFY_FROM = 0.6  # candidates whose estimate is at least this are verified: 0.7 minus ~3 standard errors


def run_duplicates_stage(catalog: Catalog, run_id: str, options: DupOptions, loaded: LoadedManifest,
                         max_record_bytes: int, *, work_dir: str | None = None,
                         checkpoint: Callable[[str], None] = no_checkpoint) -> tuple[dict[str, Any], list[Finding]]:
    """Run the corpus-wide pass into the catalog; returns the run's summary (dup_summary) and its findings.

    `work_dir` holds the files read again for verification (the audit passes its run's shard folder, which it
    cleans up even after a killed run); `checkpoint` is the audit's fault seam (flows/faults.py)."""
    con = catalog.con
    n = load_run_documents(catalog, run_id)
    bandings = sorted({(options.bands, options.rows), banding_for(min(RATE_THRESHOLDS))})
    candidate_pairs(catalog, bandings)
    checkpoint("during_duplicates")
    exact_mode = options.verify == "exact"
    scored = con.sql(sql("dup_verify"), params={"min_jaccard": VERIFY_FROM if exact_mode else min(RATE_THRESHOLDS)}
                     ).to_arrow_table()
    if exact_mode:
        edges = _verified(catalog, run_id, scored, loaded, max_record_bytes, work_dir)
    else:  # only copies of the same normalised text have a known Jaccard (1.0)
        edges = scored.append_column("jaccard", scored.column("estimated")).append_column(
            "verified", scored.column("exact"))
    edges = edges.filter(pa.compute.greater_equal(edges.column("jaccard"), min(RATE_THRESHOLDS) - 1e-9))
    del scored  # pair tables grow faster than the corpus (a doubled corpus has ~4x the pairs): one alive at a time
    # per document only integers on the Python side (ids are 0..n-1; doc ids and sources stay in DuckDB)
    sources = [r[0] for r in con.execute("SELECT DISTINCT source_id FROM dup_run_docs ORDER BY 1").fetchall()]
    source_of = con.sql("SELECT (dense_rank() OVER (ORDER BY source_id) - 1)::BIGINT AS s FROM dup_run_docs "
                        "ORDER BY id").fetchnumpy()["s"].astype(np.int64)
    a = edges.column("a").to_numpy().astype(np.int64)
    b = edges.column("b").to_numpy().astype(np.int64)
    jac = edges.column("jaccard").to_numpy().astype(float)

    with catalog.transaction():
        for table in ("dup_pairs", "dup_clusters", "dup_source_stats", "dup_overlap"):
            con.execute(f"DELETE FROM {table} WHERE run_id = ?", [run_id])
        con.register("dup_edges", edges)
        con.execute("""INSERT INTO dup_pairs
                       SELECT ?, x.doc_id, y.doc_id, x.source_id, y.source_id, e.jaccard, e.estimated, e.verified,
                              e.exact
                       FROM dup_edges AS e JOIN dup_run_docs AS x ON x.id = e.a JOIN dup_run_docs AS y ON y.id = e.b""",
                    [run_id])
        con.unregister("dup_edges")
        del edges  # a, b and jac are what the rest needs

        same = source_of[a] == source_of[b] if len(a) else np.zeros(0, bool)
        removable, within_labels = {}, {}
        for t in RATE_THRESHOLDS:
            keep = same & (jac >= t - 1e-9)
            within_labels[t] = _components(n, a[keep], b[keep])
            removable[t] = _removable_per_source(within_labels[t], source_of, len(sources))
        labels = _components(n, a[jac >= options.threshold - 1e-9], b[jac >= options.threshold - 1e-9])
        con.register("dup_cluster_rows", _cluster_rows(labels))
        con.execute("INSERT INTO dup_clusters SELECT ?, c.cluster_id, d.doc_id, d.source_id, c.representative "
                    "FROM dup_cluster_rows AS c JOIN dup_run_docs AS d USING (id)", [run_id])
        con.unregister("dup_cluster_rows")
        clusters_in_source = _clusters_per_source(within_labels[options.threshold], source_of, len(sources))

        stats = con.execute(sql("dup_source_counts"), {"run_id": run_id, "threshold": options.threshold}).fetchall()
        by_source = {r[0]: r for r in stats}
        con.execute("INSERT INTO dup_overlap SELECT $run_id, * FROM (" + sql("dup_overlap").rstrip().rstrip(";") + ")",
                    {"run_id": run_id, "threshold": options.threshold})
        rows = []
        for i, s in enumerate(sources):
            _, documents, without, distinct, in_other = by_source[s]
            rows.append((run_id, s, documents, without, documents - distinct, int(removable[0.7][i]),
                         int(removable[0.8][i]), int(removable[0.9][i]), int(clusters_in_source[i]), in_other))
        if rows:
            con.executemany("INSERT INTO dup_source_stats VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    summary = dup_summary(catalog, run_id, options)
    return summary, duplicate_findings(summary, options)


def _verified(catalog: Catalog, run_id: str, scored: pa.Table, loaded: LoadedManifest,
              max_record_bytes: int, work_dir: str | None = None) -> pa.Table:
    """`scored` with `jaccard` = the exact Jaccard of each non-exact pair's shingle sets, and `verified`.

    The documents of those pairs are read again: only the files that hold them, through scan_unit (so archives,
    members and formats are read exactly as in the scan), each checked to be the version the run loaded. Their
    shingles go to a DuckDB temp table (under DuckDB's memory cap however many documents there are), their exact
    Jaccard is computed in numpy (`_exact_jaccard`) and joined to the pairs (sql/dup_exact_jaccard.sql). A pair
    whose file changed on disk since, or could not be read, keeps its estimate (verified = false)."""
    con = catalog.con
    con.register("dup_scored", scored)
    wanted = {r[0] for r in con.execute(
        "SELECT d.doc_id FROM dup_run_docs AS d WHERE d.id IN (SELECT a FROM dup_scored WHERE NOT exact "
        "UNION SELECT b FROM dup_scored WHERE NOT exact)").fetchall()}
    con.execute("CREATE OR REPLACE TEMP TABLE dup_shingles (doc_id VARCHAR, shingles UINTEGER[])")
    if wanted:
        _load_shingles(catalog, run_id, wanted, loaded, max_record_bytes, work_dir)
    con.register("dup_jaccard", _exact_jaccard(catalog))
    out = con.sql(sql("dup_exact_jaccard")).to_arrow_table()
    con.unregister("dup_jaccard")
    con.unregister("dup_scored")
    con.execute("DROP TABLE dup_shingles")
    return out


def _exact_jaccard(catalog: Catalog) -> pa.Table:
    """(a, b, jaccard) of the non-exact scored pairs whose two documents were read again: |A ∩ B| / |A ∪ B| of
    their distinct shingle hashes, in numpy, one pair at a time.

    Not in SQL: DuckDB's list_intersect / list_distinct over the pairs' shingle lists held hundreds of MB per chunk
    of 2,048 pairs of long documents (+800 MB on the doubled shared corpora, the audit's peak); here memory is the
    documents' distinct shingles once (4 bytes each) and the result. Same value as the SQL had: the quotient of the
    same two integers (NaN for 0 / 0)."""
    con = catalog.con
    sets = con.sql(sql("dup_shingle_sets")).to_arrow_table()
    lists = sets.column("shingles").combine_chunks()
    flat = lists.flatten().to_numpy()
    ends = np.cumsum(pa.compute.list_value_length(lists).fill_null(0).to_numpy())
    distinct = {int(i): np.unique(flat[e - n:e]) for i, e, n in
                zip(sets.column("id").to_numpy(), ends, np.diff(ends, prepend=0))}
    del sets, lists, flat
    pairs = con.execute("SELECT a, b FROM dup_scored WHERE NOT exact ORDER BY a, b").fetchnumpy()
    out_a, out_b, out_j = [], [], []
    for a, b in zip(pairs["a"].tolist(), pairs["b"].tolist()):
        x, y = distinct.get(a), distinct.get(b)
        if x is None or y is None:
            continue
        common = np.intersect1d(x, y, assume_unique=True).size
        union = x.size + y.size - common
        out_a.append(a)
        out_b.append(b)
        out_j.append(common / union if union else float("nan"))
    return pa.table({"a": pa.array(out_a, pa.int64()), "b": pa.array(out_b, pa.int64()),
                     "jaccard": pa.array(out_j, pa.float64())})


def _load_shingles(catalog: Catalog, run_id: str, wanted: set[str], loaded: LoadedManifest,
                   max_record_bytes: int, work_dir: str | None = None) -> None:
    """Read the files holding `wanted` documents again; their shingle hashes into the temp table dup_shingles."""
    sources = {s.id: s for s in loaded.manifest.sources}
    catalog.con.register("dup_wanted", pa.table({"doc_id": sorted(wanted)}))
    units = catalog.con.execute(sql("dup_verify_units"), {"run_id": run_id}).fetchall()
    catalog.con.unregister("dup_wanted")
    collector = ShingleSetCollector(frozenset(wanted))
    with tempfile.TemporaryDirectory(prefix="dup-verify-", dir=work_dir) as shard_dir:
        for source_id, path, disk_sha256 in units:
            source = sources.get(source_id)
            abs_path = loaded.resolve(path)
            if source is None or not os.path.isfile(abs_path):
                continue
            st = os.stat(abs_path)
            planned = PlannedFile(source_id, abs_path, path, st.st_size, st.st_mtime_ns)
            unit = scan_unit(planned, source, read_spec(source, max_record_bytes), shard_dir, [collector],
                             source.members)
            shard = unit.detector_shards.get(collector.name, {}).get(collector.result_table)
            if unit.disk_sha256 == disk_sha256 and shard:
                catalog.con.execute("INSERT INTO dup_shingles SELECT doc_id, shingles FROM read_parquet(?)", [shard])
            for leftover in [unit.documents_shard, shard]:
                if leftover:
                    os.unlink(leftover)


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if n == 0:
        return np.zeros(0, np.int64)
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _removable_per_source(labels: np.ndarray, source_of: np.ndarray, n_sources: int) -> np.ndarray:
    """Documents minus distinct components, per source: what keeping one document per cluster would remove."""
    docs = np.bincount(source_of, minlength=n_sources)
    pairs = np.unique(np.stack((source_of, labels), axis=1), axis=0) if len(labels) else np.zeros((0, 2), np.int64)
    distinct = np.bincount(pairs[:, 0], minlength=n_sources)
    return docs - distinct


def _clusters_per_source(labels: np.ndarray, source_of: np.ndarray, n_sources: int) -> np.ndarray:
    if not len(labels):
        return np.zeros(n_sources, np.int64)
    sizes = np.bincount(labels)
    multi = sizes[labels] > 1
    pairs = np.unique(np.stack((source_of[multi], labels[multi]), axis=1), axis=0)
    return np.bincount(pairs[:, 0], minlength=n_sources) if len(pairs) else np.zeros(n_sources, np.int64)


def _cluster_rows(labels: np.ndarray) -> pa.Table:
    """Members of clusters of two or more; representative = the smallest doc_id (documents are ordered by it)."""
    if not len(labels):
        idx = np.zeros(0, np.int64)
    else:
        sizes = np.bincount(labels)
        idx = np.flatnonzero(sizes[labels] > 1)
    lab = labels[idx]
    first = np.zeros(len(idx), bool)
    if len(idx):
        _, first_pos = np.unique(lab, return_index=True)  # ids ascend, so the first of a label is its smallest doc
        first[first_pos] = True
    return pa.table({"id": pa.array(idx, pa.int64()), "cluster_id": pa.array(lab, pa.int64()),
                     "representative": pa.array(first, pa.bool_())})


def dup_summary(catalog: Catalog, run_id: str, options: DupOptions | None = None) -> dict[str, Any]:
    """The `sources[].duplicates` blocks and the corpus `duplicates` section of the disclosure, from the catalog."""
    options = options or _recorded_options(catalog, run_id)
    threshold = options.threshold
    sources: dict[str, Any] = {}
    for r in catalog.query("SELECT * FROM dup_source_stats WHERE run_id = ? ORDER BY source_id", [run_id]):
        docs = r["documents"] or 1
        sources[r["source_id"]] = {
            "status": "ok",
            "documents": r["documents"],
            "without_shingles": r["without_shingles"],
            "exact_duplicates": r["exact_duplicates"],
            "exact_duplicate_rate": round(r["exact_duplicates"] / docs, 6),
            "near_duplicates": {str(t): r[f"near_duplicates_{int(t * 10):02d}"] for t in RATE_THRESHOLDS},
            "near_duplicate_rate": {str(t): round(r[f"near_duplicates_{int(t * 10):02d}"] / docs, 6)
                                    for t in RATE_THRESHOLDS},
            "clusters": r["clusters"],
            "in_other_sources": r["in_other_sources"],
            "in_other_sources_rate": round(r["in_other_sources"] / docs, 6),
        }
    overlap = [{**row, "share_of_a": round(row["documents"] / max(1, sources[row["source_a"]]["documents"]), 6)}
               for row in catalog.query("SELECT source_a, source_b, documents, example_doc_a, example_doc_b "
                                        "FROM dup_overlap WHERE run_id = ? ORDER BY source_a, source_b", [run_id])
               if row["source_a"] in sources]
    totals = catalog.query("SELECT count(*) AS members, count(DISTINCT cluster_id) AS clusters "
                           "FROM dup_clusters WHERE run_id = ?", [run_id])[0]
    documents = sum(s["documents"] for s in sources.values())
    removable = totals["members"] - totals["clusters"]
    corpus = {
        "status": "ok" if sources else "not_run",
        "threshold": threshold,
        "documents": documents,
        "clusters": totals["clusters"],
        "near_duplicates": removable,
        "near_duplicate_rate": round(removable / documents, 6) if documents else 0.0,
        "overlap": overlap,
        "method": "MinHash (datasketch affine32, 128 permutations, seed 1) over character 5-grams of CJK text and "
                  "word 5-grams otherwise, after NFKC, casefolding and whitespace folding; LSH bands grouped in "
                  f"DuckDB ({options.bands} x {options.rows} bands, and 25 x 5 for 0.7); "
                  + ("candidates with an estimated Jaccard >= 0.6 verified by the exact Jaccard of their shingle sets "
                     "(their documents read again)" if options.verify == "exact" else
                     "pairs kept on the estimated Jaccard of their signatures (standard error ~0.035 at 0.8)")
                  + "; rates = documents a "
                  "deduplication keeping one document per cluster would remove, within each source",
    }
    return {"sources": sources, "corpus": corpus}


def _recorded_options(catalog: Catalog, run_id: str) -> DupOptions:
    recorded = catalog.run_options(run_id).get("duplicates", {})
    return DupOptions(**recorded) if recorded else DupOptions()


def duplicate_findings(summary: dict[str, Any], options: DupOptions) -> list[Finding]:
    findings: list[Finding] = []
    t = str(options.threshold)
    for source_id, s in summary["sources"].items():
        near, exact = s["near_duplicate_rate"][t], s["exact_duplicate_rate"]
        if max(near, exact) >= options.high_rate:
            findings.append(Finding(
                "duplicates", "DUP_HIGH_RATE",
                f"{s['near_duplicates'][t]:,} of {s['documents']:,} documents ({near:.1%}) are near duplicates "
                f"(Jaccard ≥ {t}) of others in the source, {s['exact_duplicates']:,} ({exact:.1%}) exact copies; "
                f"the source's scale is overstated by that much", source_id=source_id,
                count=s["near_duplicates"][t]))
    for row in summary["corpus"]["overlap"]:
        if row["share_of_a"] >= options.overlap_share:
            findings.append(Finding(
                "duplicates", "DUP_SOURCE_OVERLAP",
                f"{row['documents']:,} documents ({row['share_of_a']:.1%}) of {row['source_a']} are also in "
                f"{row['source_b']} (exact or Jaccard ≥ {t}), e.g. {row['example_doc_a']} ~ {row['example_doc_b']}; "
                "the corpus counts them twice", source_id=row["source_a"], doc_id=row["example_doc_a"],
                count=row["documents"]))
    return findings
