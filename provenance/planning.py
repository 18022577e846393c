"""Deciding what a run must read: list and stat every declared file, compare with the catalog, group the work.

A path whose size and mtime equal the previous run's (and whose read settings and stage results are there) is not
read at all. Same size but a new mtime: the worker hashes it first and reads it only if the content changed.

"The previous run" is the last *completed* one: statuses are relative to it. A run that died part-way (killed,
failed) still left whole paths in the catalog; those unchanged since are taken over (`resume`) instead of read again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from provenance.catalog import Catalog, PreviousFile
from provenance.findings import Finding
from provenance.manifest import LoadedManifest
from provenance.scan import PlannedFile, expand_paths, read_spec

BATCH_BYTES = 64 << 20  # a task reads up to this much, so a folder of small files is not a task per file
BATCH_FILES = 256


@dataclass
class ScanBatch:
    source_id: str
    files: list[PlannedFile] = field(default_factory=list)
    bytes: int = 0


@dataclass
class AuditPlan:
    batches: list[ScanBatch] = field(default_factory=list)
    reuse: list[tuple[PlannedFile, PreviousFile]] = field(default_factory=list)
    # loaded by an unfinished run, unchanged since: (file, that run's state, the baseline's state or None)
    resume: list[tuple[PlannedFile, PreviousFile, PreviousFile | None]] = field(default_factory=list)
    removed: list[tuple[str, str, PreviousFile]] = field(default_factory=list)
    previous: dict[tuple[str, str], PreviousFile] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def bytes_to_read(self) -> int:
        return sum(b.bytes for b in self.batches)

    @property
    def files_to_read(self) -> int:
        return sum(len(b.files) for b in self.batches)


def plan_audit(loaded: LoadedManifest, catalog: Catalog, run_id: str, max_record_bytes: int,
               detector_configs: dict[str, str]) -> AuditPlan:
    plan = AuditPlan(previous=catalog.previous_files(exclude_run=run_id))
    latest = catalog.previous_files(exclude_run=run_id, completed_only=False)  # includes unfinished runs
    incomplete: set[tuple[str, str]] = set()
    incomplete_latest: set[tuple[str, str]] = set()
    for stage, config_hash in detector_configs.items():
        incomplete |= catalog.paths_missing_stage(stage, config_hash, exclude_run=run_id)
        incomplete_latest |= catalog.paths_missing_stage(stage, config_hash, exclude_run=run_id, completed_only=False)
    seen: set[tuple[str, str]] = set()
    for source in loaded.manifest.sources:
        spec_key = read_spec(source, max_record_bytes).key()
        files, empty = expand_paths(loaded, source)
        for pattern in empty:
            plan.findings.append(Finding("scan", "SCAN_NO_FILES", f"`{pattern}` matches no files", source.id,
                                         path=pattern))
        batch = ScanBatch(source.id)
        for abs_path in files:
            rel = loaded.relative(abs_path)
            seen.add((source.id, rel))
            try:
                st = os.stat(abs_path)
            except OSError as e:
                st = None
                plan.findings.append(Finding("scan", "SCAN_UNREADABLE_FILE", f"cannot stat: {e.strerror}",
                                             source.id, rel))
                continue
            prev = plan.previous.get((source.id, rel))
            usable = prev is not None and prev.read_config == spec_key and not prev.failed
            stages_complete = (source.id, rel) not in incomplete
            if usable and prev.disk_bytes == st.st_size and prev.disk_mtime_ns == st.st_mtime_ns \
                    and stages_complete:
                plan.reuse.append((PlannedFile(source.id, abs_path, rel, st.st_size, st.st_mtime_ns), prev))
                continue
            part = latest.get((source.id, rel))
            if part is not None and (prev is None or part.run_id != prev.run_id) and part.read_config == spec_key \
                    and not part.failed and part.disk_bytes == st.st_size and part.disk_mtime_ns == st.st_mtime_ns \
                    and (source.id, rel) not in incomplete_latest:
                plan.resume.append((PlannedFile(source.id, abs_path, rel, st.st_size, st.st_mtime_ns), part, prev))
                continue
            planned = PlannedFile(source.id, abs_path, rel, st.st_size, st.st_mtime_ns,
                                  prev_disk_sha256=prev.disk_sha256 if usable and stages_complete else None,
                                  prev_disk_bytes=prev.disk_bytes if usable else None)
            if batch.files and (batch.bytes + st.st_size > BATCH_BYTES or len(batch.files) >= BATCH_FILES):
                plan.batches.append(batch)
                batch = ScanBatch(source.id)
            batch.files.append(planned)
            batch.bytes += st.st_size
        if batch.files:
            plan.batches.append(batch)
    source_ids = {s.id for s in loaded.manifest.sources}
    for (source_id, path), prev in plan.previous.items():
        if source_id in source_ids and (source_id, path) not in seen:
            plan.removed.append((source_id, path, prev))
    # largest tasks first: a big archive is one task, and started last it would run alone while the other workers
    # idle (longest-first keeps the pool busy to the end). The flow loads results as they complete, so the order
    # changes no result.
    plan.batches.sort(key=lambda b: b.bytes, reverse=True)
    return plan

