"""The DuckDB catalog: one file per corpus, schema from numbered .sql migrations, one writer.

Workers never open the catalog; the orchestrator calls `load_unit` with what a worker returned. Each unit is
loaded in one transaction, so a run killed at any point leaves whole units behind and a rerun skips them.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable

import duckdb
import pyarrow as pa

from provenance import __version__
from provenance.errors import CatalogError, CatalogInUse, InputError
from provenance.findings import Finding
from provenance.manifest import LoadedManifest
from provenance.scan import ScanUnitResult, no_checkpoint

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def sql(name: str) -> str:
    """A query from provenance/sql/NAME.sql."""
    return resources.files("provenance.sql").joinpath(f"{name}.sql").read_text(encoding="utf-8")


def migrations() -> list[tuple[int, str, str]]:
    out = []
    for entry in resources.files("provenance.sql.migrations").iterdir():
        m = _MIGRATION_NAME.match(entry.name)
        if m:
            out.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(out)


SCHEMA_VERSION = migrations()[-1][0]

# Runs this process is auditing now. With the catalog's write lock held no other process can be writing it, so a
# run still `running` that is not in here was left by a process that died (killed, power lost): it is interrupted.
_ACTIVE_RUNS: set[str] = set()

MEMORY_ENV = "PROVENANCE_DUCKDB_MEMORY"
DEFAULT_MEMORY = "1GB"


def duckdb_config() -> dict[str, str]:
    """DuckDB's memory cap: its default (80% of RAM) lets the corpus-wide passes (band keys, pair joins) grow with
    the corpus; under a cap DuckDB spills to disk next to the catalog instead, so an audit's memory stays flat as
    the corpus grows. `$PROVENANCE_DUCKDB_MEMORY` (e.g. 4GB) raises it on a big machine."""
    return {"memory_limit": os.environ.get(MEMORY_ENV, DEFAULT_MEMORY)}


@dataclass(frozen=True)
class PreviousFile:
    """The latest catalog state of one path on disk, used to decide what a new run must read."""

    source_id: str
    path: str
    run_id: str
    read_config: str | None
    disk_bytes: int | None
    disk_mtime_ns: int | None
    disk_sha256: str | None
    failed: bool


class Catalog:
    def __init__(self, con: duckdb.DuckDBPyConnection, path: str):
        self.con = con
        self.path = path

    # -- opening -----------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False) -> "Catalog":
        path = str(path)
        if read_only and not Path(path).exists():
            raise CatalogError(f"no catalog at {path}", fix="run `provenance audit MANIFEST --db PATH` first, "
                               "or pass the --db of an earlier audit")
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            con = duckdb.connect(path, read_only=read_only, config=duckdb_config())
        except duckdb.IOException as e:
            if "lock" in str(e).lower():
                raise CatalogInUse(f"catalog {path} is in use by another process",
                                   fix="wait for the running audit to finish, or use another --db") from None
            raise CatalogError(f"cannot open catalog {path}: {e}",
                               fix="check the path; if the file is damaged, start a new catalog with another --db") \
                from None
        except duckdb.Error as e:
            if os.environ.get(MEMORY_ENV) and "memory" in str(e).lower():
                raise InputError(f"${MEMORY_ENV} = {os.environ[MEMORY_ENV]!r} is not a memory size: {e}",
                                 where=MEMORY_ENV, fix="write a size such as 2GB or 512MB, or unset it") from None
            raise CatalogError(f"cannot open catalog {path}: {e}",
                               fix="the file may not be a DuckDB catalog; use another --db") from None
        catalog = cls(con, path)
        catalog._migrate(read_only)
        return catalog

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Catalog":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def schema_version(self) -> int:
        exists = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'").fetchone()[0]
        if not exists:
            return 0
        return self.con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]

    def _migrate(self, read_only: bool) -> None:
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise CatalogError(f"catalog {self.path} has schema v{current}, newer than this tool's v{SCHEMA_VERSION}",
                               fix="upgrade provenance-auditor, or audit into a new --db")
        if current == SCHEMA_VERSION:
            return
        if read_only:
            raise CatalogError(f"catalog {self.path} has schema v{current}; this tool needs v{SCHEMA_VERSION}",
                               fix="run any `provenance audit` on it once to upgrade it")
        self.con.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                         "(version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMPTZ)")
        for version, name, text in migrations():
            if version <= current:
                continue
            self.con.execute("BEGIN TRANSACTION")
            try:
                self.con.execute(text)
                self.con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, _now()])
                self.con.execute("COMMIT")
            except duckdb.Error as e:
                self.con.execute("ROLLBACK")
                raise CatalogError(f"migration {name} failed on {self.path}: {e}",
                                   fix="report this as a bug; the catalog was left at the previous version") from None

    # -- runs --------------------------------------------------------------------------------------

    def start_run(self, loaded: LoadedManifest, stages: list[str], options: dict[str, Any]) -> str:
        run_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]
        m = loaded.manifest
        with self.transaction():
            self.con.execute(
                "INSERT INTO runs VALUES (?, ?, NULL, 'running', ?, ?, ?, ?, ?, ?)",
                [run_id, _now(), str(loaded.path), loaded.sha256, m.dataset.name, __version__, stages,
                 json.dumps(options)])
            for s in m.sources:
                self.con.execute("INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 [run_id, s.id, s.name, s.stage, s.modality, s.languages,
                                  s.model_dump_json(exclude_none=True)])
        _ACTIVE_RUNS.add(run_id)
        return run_id

    def finish_run(self, run_id: str, status: str) -> None:
        self.con.execute("UPDATE runs SET status = ?, finished_at = ? WHERE run_id = ?", [status, _now(), run_id])
        _ACTIVE_RUNS.discard(run_id)

    def interrupt_dead_runs(self) -> list[str]:
        """Mark runs left `running` by a process that is gone as `interrupted`; returns their ids.

        Only valid on a catalog opened for writing: DuckDB's file lock then guarantees no other process has it
        open, so a `running` run that is not one of this process's is dead. Its finished_at stays NULL: when it
        died is not known. What it loaded stays and is picked up by the next run (see previous_files).
        """
        active = sorted(_ACTIVE_RUNS) or [""]
        rows = self.con.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running' "
                                "AND NOT list_contains(?, run_id) RETURNING run_id", [active]).fetchall()
        return sorted(r[0] for r in rows)

    def inactive_runs(self) -> set[str]:
        """Runs not being audited now (write lock held): whatever they left in temporary space can go, whatever
        their status (a run killed after it was recorded complete, before it cleaned up, is `completed`)."""
        return {r[0] for r in self.con.execute("SELECT run_id FROM runs").fetchall()} - _ACTIVE_RUNS

    def latest_run(self, status: str | None = "completed") -> str | None:
        query = "SELECT run_id FROM runs" + (" WHERE status = ?" if status else "") + " ORDER BY started_at DESC LIMIT 1"
        row = self.con.execute(query, [status] if status else []).fetchone()
        return row[0] if row else None

    def run_options(self, run_id: str) -> dict[str, Any]:
        """The options a run recorded (runs.options), {} for an unknown run."""
        row = self.con.execute("SELECT options FROM runs WHERE run_id = ?", [run_id]).fetchall()
        return json.loads(row[0][0]) if row and row[0][0] else {}

    def run_exists(self, run_id: str) -> bool:
        return self.con.execute("SELECT count(*) FROM runs WHERE run_id = ?", [run_id]).fetchone()[0] > 0

    # -- what earlier runs saw -------------------------------------------------------------------------

    def previous_files(self, exclude_run: str, *, completed_only: bool = True) -> dict[tuple[str, str], PreviousFile]:
        """For each (source, path), its state in the most recent run that saw it (paths removed there excluded).

        By default only completed runs count: file statuses (added, changed, unchanged, removed) are relative to the
        last complete audit, whatever runs died in between. `completed_only=False` also sees interrupted and failed
        runs, whose loaded paths a rerun picks up instead of reading them again (`resume_units`).
        """
        rows = self.con.execute(sql("previous_files"), [exclude_run, completed_only]).fetchall()
        return {(r[0], r[1]): PreviousFile(*r) for r in rows}

    def previous_members(self, prev: PreviousFile) -> dict[str, str | None]:
        """member → version id of a path in the run that last saw it (only needed for paths read again)."""
        rows = self.con.execute("SELECT member, version_id FROM files WHERE run_id = ? AND source_id = ? AND path = ? "
                                "AND status <> 'removed'", [prev.run_id, prev.source_id, prev.path]).fetchall()
        return dict(rows)

    def paths_missing_stage(self, stage: str, config_hash: str, exclude_run: str, *,
                            completed_only: bool = True) -> set[tuple[str, str]]:
        """Paths whose latest file versions (as `previous_files` picks them) lack results of a stage at this config
        (they must be read again)."""
        rows = self.con.execute(sql("paths_missing_stage"), [exclude_run, stage, config_hash, completed_only]
                                ).fetchall()
        return {(r[0], r[1]) for r in rows}

    # -- loading a worker's results ------------------------------------------------------------------

    def transaction(self) -> "_Transaction":
        return _Transaction(self.con)

    def reuse_units(self, run_id: str, reused: list[tuple[str, str, str, int, int]]) -> None:
        """Many unchanged paths at once: (source_id, path, previous run_id, disk_bytes, disk_mtime_ns)."""
        if not reused:
            return
        table = pa.table({
            "source_id": [r[0] for r in reused], "path": [r[1] for r in reused], "prev_run": [r[2] for r in reused],
            "disk_bytes": pa.array([r[3] for r in reused], pa.int64()),
            "disk_mtime_ns": pa.array([r[4] for r in reused], pa.int64())})
        with self.transaction():
            self.con.register("reused_paths", table)
            self.con.execute(sql("reuse_paths"), [run_id])
            self.con.unregister("reused_paths")

    def resume_units(self, run_id: str, resumed: list[tuple[str, str, str, str | None, int, int]]) -> None:
        """Paths an unfinished run already loaded, unchanged on disk since: (source_id, path, that run, the baseline
        run or None, disk_bytes, disk_mtime_ns). Their versions are taken over without reading them again; their
        statuses are worked out against the baseline (the last completed run), as if the unfinished run had not been.
        """
        if not resumed:
            return
        table = pa.table({
            "source_id": [r[0] for r in resumed], "path": [r[1] for r in resumed],
            "resume_run": [r[2] for r in resumed], "base_run": pa.array([r[3] for r in resumed], pa.string()),
            "disk_bytes": pa.array([r[4] for r in resumed], pa.int64()),
            "disk_mtime_ns": pa.array([r[5] for r in resumed], pa.int64())})
        with self.transaction():
            self.con.register("resumed_paths", table)
            self.con.execute(sql("resume_paths"), [run_id])
            self.con.unregister("resumed_paths")

    def load_unit(self, run_id: str, result: ScanUnitResult, prev: PreviousFile | None,
                  detector_tables: dict[str, tuple[str, ...]] | None = None,
                  checkpoint: Callable[[str], None] = no_checkpoint) -> None:
        """Load one worker result in one transaction: versions, documents, issues, files rows, detector results.

        Everything goes in as set-based INSERT ... SELECT from Arrow tables: an archive can hold 20,000 members,
        and a statement per member costs minutes.
        """
        detector_tables = detector_tables or {}
        if result.unchanged and prev is not None:
            # the worker hashed it: same content under a new mtime
            self.reuse_units(run_id, [(result.source_id, result.path, prev.run_id, result.disk_bytes,
                                       result.disk_mtime_ns)])
            return
        prev_versions = self.previous_members(prev) if prev else {}
        versions = [fr.version_id(result.source_id, result.read_config) for fr in result.files]
        with self.transaction():
            if result.files:
                self._register("unit_versions", _versions_table(result, versions, run_id))
                self._register("unit_issues", _issues_table(result))
                self._register("unit_counts", _counts_table(result))
                self.con.execute(sql("load_unit_versions"))
            if result.license_texts and result.disk_sha256:
                self.con.executemany(
                    "INSERT INTO license_texts SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM license_texts "
                    "WHERE source_id = ? AND path = ? AND member = ? AND disk_sha256 = ?)",
                    [(result.source_id, result.path, m, result.disk_sha256, t, result.source_id, result.path, m,
                      result.disk_sha256) for m, t in result.license_texts])
            files = _files_rows(run_id, result, versions, prev, prev_versions)
            if files["path"]:
                self._register("unit_files", pa.table(files, schema=_FILES_SCHEMA))
                self.con.execute("INSERT INTO files BY NAME SELECT * FROM unit_files")
            if not result.files:
                return
            if result.documents_shard:
                self.con.execute(sql("load_documents"), [result.documents_shard])
            for stage, config_hash in result.detector_configs.items():
                # a version may exist already (read again only because this stage is new for it)
                self.con.execute(sql("mark_stage_pending"), [stage, config_hash])
                shards = result.detector_shards.get(stage, {})
                # rows of another config of this stage (e.g. a sample, now the full set) are replaced, not added to
                self.con.execute("DELETE FROM stage_results WHERE stage = ? AND version_id IN "
                                 "(SELECT version_id FROM unit_map WHERE pending)", [stage])
                for table in detector_tables.get(stage, ()):
                    self.con.execute(f"DELETE FROM {table} WHERE version_id IN "
                                     "(SELECT version_id FROM unit_map WHERE pending)")
                    if table in shards:
                        self.con.execute(f"INSERT INTO {table} BY NAME SELECT * EXCLUDE (file_index, is_new, pending) "
                                         "FROM read_parquet(?) JOIN unit_map USING (file_index) WHERE pending",
                                         [shards[table]])
                self.con.execute("INSERT INTO stage_results SELECT version_id, ?, ?, ? FROM unit_map WHERE pending",
                                 [stage, config_hash, run_id])
            self.con.execute("DROP TABLE IF EXISTS unit_map")
            checkpoint("before_load_commit")  # a process killed here loses this whole unit, never part of it

    def _register(self, name: str, table: pa.Table) -> None:
        self.con.register(name, table)

    def record_removed_paths(self, run_id: str, removed: list[tuple[str, str, PreviousFile]]) -> None:
        with self.transaction():
            for source_id, path, prev in removed:
                self.con.execute(sql("remove_files"), [run_id, prev.run_id, source_id, path])

    # -- findings ----------------------------------------------------------------------------------------

    def add_findings(self, run_id: str, findings: Iterable[Finding]) -> None:
        rows = [f.row(run_id) for f in findings]
        if not rows:
            return
        names = ["run_id", "stage", "code", "severity", "source_id", "path", "member", "line", "doc_id", "count",
                 "message", "clause", "fix"]
        table = pa.table({n: pa.array([r[i] for r in rows], pa.int64() if n in ("line", "count") else pa.string())
                          for i, n in enumerate(names)})
        self.con.register("new_findings", table)  # executemany costs ~3 ms a row in DuckDB
        self.con.execute("INSERT INTO findings BY NAME SELECT * FROM new_findings")
        self.con.unregister("new_findings")

    def query(self, query: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        cur = self.con.execute(query, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


class _Transaction:
    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def __enter__(self) -> None:
        self.con.execute("BEGIN TRANSACTION")

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        self.con.execute("ROLLBACK" if exc_type else "COMMIT")


def _now() -> datetime:
    return datetime.now(timezone.utc)


_FILES_SCHEMA = pa.schema([
    ("run_id", pa.string()), ("source_id", pa.string()), ("path", pa.string()), ("member", pa.string()),
    ("status", pa.string()), ("version_id", pa.string()), ("disk_bytes", pa.int64()), ("disk_mtime_ns", pa.int64()),
    ("disk_sha256", pa.string()), ("read_config", pa.string()), ("error_code", pa.string()), ("error", pa.string()),
])


def _versions_table(result: ScanUnitResult, versions: list[str], run_id: str) -> pa.Table:
    f = result.files
    return pa.table({
        "file_index": pa.array(range(len(f)), pa.int32()),
        "version_id": versions,
        "source_id": [result.source_id] * len(f),
        "path": [fr.path for fr in f],
        "member": [fr.member for fr in f],
        "format": pa.array([fr.format for fr in f], pa.string()),
        "compression": pa.array([fr.compression for fr in f], pa.string()),
        "read_config": [result.read_config] * len(f),
        "sha256": pa.array([fr.sha256 for fr in f], pa.string()),
        "bytes": pa.array([fr.bytes for fr in f], pa.int64()),
        "records_ok": pa.array([fr.records_ok for fr in f], pa.int64()),
        "records_rejected": pa.array([fr.records_rejected for fr in f], pa.int64()),
        "records_replaced": pa.array([fr.records_replaced for fr in f], pa.int64()),
        "chars": pa.array([fr.chars for fr in f], pa.int64()),
        "text_bytes": pa.array([fr.text_bytes for fr in f], pa.int64()),
        "error_code": pa.array([fr.error_code for fr in f], pa.string()),
        "error": pa.array([fr.error for fr in f], pa.string()),
        "scanned_run_id": [run_id] * len(f),
        "scan_seconds": pa.array([result.seconds] * len(f), pa.float64()),
    })


def _issues_table(result: ScanUnitResult) -> pa.Table:
    rows = [(i, o, ln, c, m) for i, fr in enumerate(result.files) for o, ln, c, m in fr.issues]
    return pa.table({
        "file_index": pa.array([r[0] for r in rows], pa.int32()),
        "ordinal": pa.array([r[1] for r in rows], pa.int64()),
        "line": pa.array([r[2] for r in rows], pa.int64()),
        "code": pa.array([r[3] for r in rows], pa.string()),
        "message": pa.array([r[4] for r in rows], pa.string()),
    })


def _counts_table(result: ScanUnitResult) -> pa.Table:
    rows = [(i, code, ic) for i, fr in enumerate(result.files) for code, ic in fr.issue_counts.items()]
    return pa.table({
        "file_index": pa.array([r[0] for r in rows], pa.int32()),
        "code": pa.array([r[1] for r in rows], pa.string()),
        "count": pa.array([r[2].count for r in rows], pa.int64()),
        "first_line": pa.array([r[2].first_line for r in rows], pa.int64()),
        "first_ordinal": pa.array([r[2].first_ordinal for r in rows], pa.int64()),
        "first_message": pa.array([r[2].first_message for r in rows], pa.string()),
    })


def _files_rows(run_id: str, result: ScanUnitResult, versions: list[str], prev: PreviousFile | None,
                prev_versions: dict[str, str | None]) -> dict[str, list[Any]]:
    rows: dict[str, list[Any]] = {name: [] for name in _FILES_SCHEMA.names}

    def add(member: str, status: str, version_id: str | None, error_code: str | None = None,
            error: str | None = None, on_disk: bool = True) -> None:
        for key, value in (("run_id", run_id), ("source_id", result.source_id), ("path", result.path),
                           ("member", member), ("status", status), ("version_id", version_id),
                           ("disk_bytes", result.disk_bytes if on_disk else None),
                           ("disk_mtime_ns", result.disk_mtime_ns if on_disk else None),
                           ("disk_sha256", result.disk_sha256 if on_disk else None),
                           ("read_config", result.read_config if on_disk else None),
                           ("error_code", error_code), ("error", error)):
            rows[key].append(value)

    for fr, version_id in zip(result.files, versions):
        if prev is None:
            status = "added"
        elif fr.member in prev_versions:
            status = "unchanged" if prev_versions[fr.member] == version_id else "changed"
        else:
            status = "added" if fr.member else "changed"  # a new member of an archive we had
        add(fr.member, status, version_id)
    if result.error_code:
        # the path itself failed (or an archive broke after some members, which were kept)
        add("", "failed", None, result.error_code, result.error)
    if prev is not None:
        seen = {fr.member for fr in result.files}
        for member, version_id in prev_versions.items():
            if member not in seen and version_id is not None:
                add(member, "removed", None, on_disk=False)
    return rows
