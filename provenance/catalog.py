"""The DuckDB catalog: one file per corpus, schema from numbered .sql migrations, one writer.

Workers never open the catalog; the orchestrator calls `load_unit` with what a worker returned. Each unit is
loaded in one transaction, so a run killed at any point leaves whole units behind and a rerun skips them.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

import duckdb
import pyarrow as pa

from provenance import __version__
from provenance.errors import CatalogError, CatalogInUse
from provenance.findings import Finding
from provenance.manifest import LoadedManifest
from provenance.scan import ScanUnitResult

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


@dataclass(frozen=True)
class PreviousFile:
    """The latest catalog state of one path on disk, used to decide what a new run must read."""

    run_id: str
    read_config: str | None
    disk_bytes: int | None
    disk_mtime_ns: int | None
    disk_sha256: str | None
    members: tuple[tuple[str, str | None, str], ...]  # (member, version_id, status)
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
            con = duckdb.connect(path, read_only=read_only)
        except duckdb.IOException as e:
            if "lock" in str(e).lower():
                raise CatalogInUse(f"catalog {path} is in use by another process",
                                   fix="wait for the running audit to finish, or use another --db") from None
            raise CatalogError(f"cannot open catalog {path}: {e}",
                               fix="check the path; if the file is damaged, start a new catalog with another --db") \
                from None
        except duckdb.Error as e:
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
        return run_id

    def finish_run(self, run_id: str, status: str) -> None:
        self.con.execute("UPDATE runs SET status = ?, finished_at = ? WHERE run_id = ?", [status, _now(), run_id])

    def latest_run(self, status: str | None = "completed") -> str | None:
        query = "SELECT run_id FROM runs" + (" WHERE status = ?" if status else "") + " ORDER BY started_at DESC LIMIT 1"
        row = self.con.execute(query, [status] if status else []).fetchone()
        return row[0] if row else None

    def run_exists(self, run_id: str) -> bool:
        return self.con.execute("SELECT count(*) FROM runs WHERE run_id = ?", [run_id]).fetchone()[0] > 0

    # -- what earlier runs saw -------------------------------------------------------------------------

    def previous_files(self, exclude_run: str) -> dict[tuple[str, str], PreviousFile]:
        """For each (source, path), its rows from the most recent run that saw it (removals excluded)."""
        rows = self.con.execute(sql("previous_files"), [exclude_run]).fetchall()
        grouped: dict[tuple[str, str], list[tuple]] = {}
        for row in rows:
            grouped.setdefault((row[0], row[1]), []).append(row)
        out = {}
        for key, group in grouped.items():
            live = [r for r in group if r[9] != "removed"]
            if not live:
                continue  # removed last time: a file there now is new
            first = live[0]
            out[key] = PreviousFile(
                run_id=first[2], read_config=first[3], disk_bytes=first[4], disk_mtime_ns=first[5],
                disk_sha256=first[6],
                members=tuple((r[7], r[8], r[9]) for r in live),
                failed=any(r[9] == "failed" or r[10] is not None for r in live))
        return out

    def stages_done(self, stage_names: Iterable[str]) -> set[tuple[str, str, str]]:
        names = list(stage_names)
        if not names:
            return set()
        rows = self.con.execute("SELECT version_id, stage, config_hash FROM stage_results WHERE stage IN "
                                f"({','.join('?' * len(names))})", names).fetchall()
        return {tuple(r) for r in rows}

    # -- loading a worker's results ------------------------------------------------------------------

    def transaction(self) -> "_Transaction":
        return _Transaction(self.con)

    def reuse_unit(self, run_id: str, source_id: str, path: str, prev: PreviousFile, disk_bytes: int,
                   disk_mtime_ns: int, disk_sha256: str | None) -> None:
        """An unchanged path: its members' versions (and so documents and results) carry over."""
        with self.transaction():
            for member, version_id, _status in prev.members:
                self.con.execute("INSERT INTO files VALUES (?, ?, ?, ?, 'unchanged', ?, ?, ?, ?, ?, NULL, NULL)",
                                 [run_id, source_id, path, member, version_id, disk_bytes, disk_mtime_ns,
                                  disk_sha256 or prev.disk_sha256, prev.read_config])

    def load_unit(self, run_id: str, result: ScanUnitResult, prev: PreviousFile | None,
                  detector_tables: dict[str, str] | None = None) -> None:
        """Load one worker result in one transaction: versions, documents, issues, files rows, detector results."""
        detector_tables = detector_tables or {}
        if result.unchanged and prev is not None:
            self.reuse_unit(run_id, result.source_id, result.path, prev, result.disk_bytes, result.disk_mtime_ns,
                            result.disk_sha256)
            return
        prev_versions = {m: v for m, v, _ in prev.members} if prev else {}
        with self.transaction():
            mapping = {"file_index": [], "version_id": [], "is_new": []}
            for index, fr in enumerate(result.files):
                version_id = fr.version_id(result.source_id, result.read_config)
                is_new = not self.con.execute("SELECT count(*) FROM file_versions WHERE version_id = ?",
                                              [version_id]).fetchone()[0]
                mapping["file_index"].append(index)
                mapping["version_id"].append(version_id)
                mapping["is_new"].append(is_new)
                if is_new:
                    self.con.execute(
                        "INSERT INTO file_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [version_id, result.source_id, fr.path, fr.member, fr.format, fr.compression,
                         result.read_config, fr.sha256, fr.bytes, fr.records_ok, fr.records_rejected,
                         fr.records_replaced, fr.chars, fr.text_bytes, fr.error_code, fr.error, run_id,
                         result.seconds])
                    if fr.issues:
                        self.con.executemany("INSERT INTO record_issues VALUES (?, ?, ?, ?, ?)",
                                             [(version_id, o, ln, c, msg) for o, ln, c, msg in fr.issues])
                    if fr.issue_counts:
                        self.con.executemany(
                            "INSERT INTO issue_counts VALUES (?, ?, ?, ?, ?, ?)",
                            [(version_id, code, ic.count, ic.first_line, ic.first_ordinal, ic.first_message)
                             for code, ic in fr.issue_counts.items()])
                if prev is None:
                    status = "added"
                elif fr.member in prev_versions:
                    status = "unchanged" if prev_versions[fr.member] == version_id else "changed"
                else:
                    status = "added" if fr.member else "changed"  # a new member of an archive we had
                self.con.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                                 [run_id, result.source_id, fr.path, fr.member, status, version_id,
                                  result.disk_bytes, result.disk_mtime_ns, result.disk_sha256, result.read_config])
            if result.error_code:
                # the path itself failed (or an archive broke after some members, which were kept)
                self.con.execute("INSERT INTO files VALUES (?, ?, ?, '', 'failed', NULL, ?, ?, ?, ?, ?, ?)",
                                 [run_id, result.source_id, result.path, result.disk_bytes, result.disk_mtime_ns,
                                  result.disk_sha256, result.read_config, result.error_code, result.error])
            if prev is not None:
                seen = {fr.member for fr in result.files}
                for member, version_id, status in prev.members:
                    if member not in seen and status != "removed" and version_id is not None:
                        self.con.execute("INSERT INTO files VALUES (?, ?, ?, ?, 'removed', NULL, NULL, NULL, NULL, "
                                         "NULL, NULL, NULL)", [run_id, result.source_id, result.path, member])
            if not result.files:
                return
            self.con.register("unit_map", pa.table(mapping))
            try:
                if result.documents_shard:
                    self.con.execute(sql("load_documents"), [result.documents_shard])
                for stage, shard in result.detector_shards.items():
                    table = detector_tables.get(stage)
                    if table:
                        self.con.execute(f"INSERT INTO {table} BY NAME SELECT * EXCLUDE (file_index, is_new) "
                                         "FROM read_parquet(?) JOIN unit_map USING (file_index) WHERE is_new",
                                         [shard])
                for stage, config_hash in result.detector_configs.items():
                    self.con.execute("INSERT INTO stage_results SELECT version_id, ?, ?, ? FROM unit_map",
                                     [stage, config_hash, run_id])
            finally:
                self.con.unregister("unit_map")

    def record_removed_paths(self, run_id: str, removed: list[tuple[str, str, PreviousFile]]) -> None:
        with self.transaction():
            for source_id, path, prev in removed:
                for member, _version, status in prev.members:
                    if status != "removed":
                        self.con.execute("INSERT INTO files VALUES (?, ?, ?, ?, 'removed', NULL, NULL, NULL, NULL, "
                                         "NULL, NULL, NULL)", [run_id, source_id, path, member])

    # -- findings ----------------------------------------------------------------------------------------

    def add_findings(self, run_id: str, findings: Iterable[Finding]) -> None:
        rows = [f.row(run_id) for f in findings]
        if rows:
            self.con.executemany("INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

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
