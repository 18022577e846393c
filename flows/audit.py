"""The `audit-corpus` flow: load manifest → plan → scan files in workers → load catalog → findings → report.

Orchestration only: the work is in provenance.* and detectors.*. Workers get references (paths, a source, a read
spec) and return small results naming Parquet shards; only this flow writes the catalog.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flows import prefect_env  # noqa: F401  (settings must be in place before prefect is imported)
from flows import faults
from flows.progress import stderr_progress

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.futures import as_completed
from prefect.runtime import task_run as current_task_run
from rich.progress import BarColumn, DownloadColumn, TextColumn, TimeElapsedColumn, TransferSpeedColumn

import detectors
from detectors.base import DetectorConfig, config_hash
from provenance.annotation_stage import run_annotation_checks
from provenance.catalog import Catalog
from provenance.diversity_stage import diversity_findings, diversity_summary
from provenance.dup_stage import DupOptions, run_duplicates_stage
from provenance.errors import InputError
from provenance.license_stage import run_license_stage, write_attribution
from provenance.manifest import Source, load_manifest
from provenance.pii_stage import pii_findings, pii_key, pii_summary
from provenance.report_model import build_report
from provenance.report_write import write_report
from provenance.planning import ScanBatch, plan_audit
from provenance.readers import ReadSpec
from provenance.scan import ScanUnitResult, is_transient, read_spec, scan_unit
from provenance.scan_findings import scan_findings
from provenance.regression import WorseOptions
from flows.schedule import flag_worse_run
from flows.runners import (RunnerChoice, api_for_workers, check_workers, connect_dask, source_folders,
                           task_runner)

BUILTIN_STAGES = ("scan", "license")  # stages run by the flow itself; detectors (per batch) are the others


def available_stages() -> list[str]:
    return [*BUILTIN_STAGES, *sorted(detectors.available())]


def parse_stages(text: str | None) -> list[str]:
    """`--stages scan,pii` → validated stage names; scan always runs (everything else reads what it finds)."""
    known = available_stages()
    if not text or text == "all":
        return known
    names = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InputError(f"unknown stage(s): {', '.join(unknown)}", where="--stages",
                         fix=f"choose from: {', '.join(known)}")
    return ["scan", *[n for n in names if n != "scan"]]


@dataclass(frozen=True)
class AuditResult:
    run_id: str
    db: Path
    disclosure: Path
    findings_by_severity: dict[str, int]
    documents: int
    files_read: int
    files_reused: int
    seconds: float


@dataclass(frozen=True)
class PiiOptions:
    """Options of the PII stage (`--pii-*` on the command line)."""

    language: str = "auto"
    sample: int = 0           # documents per source; 0 = all
    seed: int = 0
    ner_models: tuple[tuple[str, str], ...] = ()

    def recorded(self) -> dict[str, Any]:
        return {"language": self.language, "sample": self.sample, "seed": self.seed,
                "ner_models": dict(self.ner_models)}


def detector_configs(names: list[str], db: str, pii: PiiOptions) -> dict[str, DetectorConfig]:
    """Each detector stage's config; the PII key is read here, in the flow, and never becomes a flow parameter."""
    configs: dict[str, DetectorConfig] = {}
    for name in names:
        if name == "pii":
            from detectors.pii.detector import PiiConfig

            configs[name] = PiiConfig(language=pii.language, sample=pii.sample, seed=pii.seed,
                                      ner_models=pii.ner_models, key=pii_key(db))
        else:
            configs[name] = detectors.available()[name].config_class()  # type: ignore[attr-defined]
    return configs


# Transient I/O errors (provenance.scan.TRANSIENT_ERRNOS: EIO, EAGAIN, ETIMEDOUT, ESTALE, EBUSY) are tried again: a
# network file system that timed out or failed over usually answers seconds later. After the last retry the path
# fails alone (a finding), the rest of the batch is kept. Other errors (ENOENT, EACCES, disk full) are not retried.
SCAN_RETRIES = 2
SCAN_RETRY_DELAYS_ENV = "PROVENANCE_SCAN_RETRY_DELAYS"  # seconds, one per retry, e.g. "2,10"; the tests use "0"
SCAN_RETRY_DELAYS = (2.0, 10.0)


def scan_retry_delays() -> list[float]:
    text = os.environ.get(SCAN_RETRY_DELAYS_ENV)
    if not text:
        return list(SCAN_RETRY_DELAYS)
    try:
        delays = [float(x) for x in text.split(",")]
    except ValueError:
        delays = []
    if not delays or any(d < 0 for d in delays):
        raise InputError(f"${SCAN_RETRY_DELAYS_ENV} = {text!r} is not a list of seconds", where=SCAN_RETRY_DELAYS_ENV,
                         fix="write e.g. 2,10 (one delay per retry), or unset it")
    return delays


def _retry_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect's retry condition of the scan task: only a transient OSError is worth another attempt."""
    exc = state.data if isinstance(state.data, BaseException) else None
    return is_transient(exc)


@task(name="scan-files", cache_policy=NONE, retries=SCAN_RETRIES, retry_delay_seconds=list(SCAN_RETRY_DELAYS),
      retry_condition_fn=_retry_transient)
def scan_files(batch: ScanBatch, source: Source, spec: ReadSpec, shard_dir: str,
               configs: dict[str, DetectorConfig]) -> list[ScanUnitResult]:
    """Read a batch of one source's files into shard files; detectors are built here, in the worker.

    A transient I/O error fails the attempt (Prefect retries the batch); on the last attempt it fails that path only.
    """
    last_attempt = current_task_run.run_count > SCAN_RETRIES
    stage_detectors = [detectors.create(n, c) for n, c in configs.items()]
    return [scan_unit(planned, source, spec, shard_dir, stage_detectors, source.members,
                      raise_transient=not last_attempt, checkpoint=faults.checkpoint) for planned in batch.files]


def _settle_dead_runs(catalog: Catalog, out_dir: Path, log: Any) -> None:
    """Before a run starts: mark runs whose process died as interrupted and delete their leftover shard folders.

    Called with the catalog's write lock held, so no other process is auditing into it. Only folders named after a
    run of this catalog are removed: another catalog's audit may share the --out folder.
    """
    interrupted = catalog.interrupt_dead_runs()
    if interrupted:
        log.warning("run(s) %s were left running by a process that is gone: marked interrupted; what they loaded "
                    "is reused", ", ".join(interrupted))
    inactive = catalog.inactive_runs()
    for leftover in out_dir.glob(".shards-*"):
        if leftover.name.removeprefix(".shards-") in inactive:
            shutil.rmtree(leftover, ignore_errors=True)


@flow(name="audit-corpus", log_prints=False, validate_parameters=False)
def audit_corpus(manifest_path: str, db: str, out: str, stages: list[str], allow_outside: bool = False,
                 max_record_mb: int = 16, show_progress: bool = False,
                 pii: PiiOptions = PiiOptions(), dup: DupOptions = DupOptions(),
                 intended_use: str | None = None, base_dir: str | None = None,
                 worse: WorseOptions = WorseOptions()) -> dict[str, Any]:
    started = time.perf_counter()
    log = get_run_logger()
    loaded = load_manifest(manifest_path, allow_outside=allow_outside, base_dir=base_dir)
    if intended_use:
        loaded = loaded.with_intended_use(intended_use)
    sources = {s.id: s for s in loaded.manifest.sources}
    max_record_bytes = max_record_mb << 20
    detector_names = [s for s in stages if s not in BUILTIN_STAGES]
    detector_tables = {n: detectors.available()[n].tables() for n in detector_names}  # type: ignore[attr-defined]
    configs = detector_configs(detector_names, db, pii)
    config_hashes = {n: config_hash(n, c) for n, c in configs.items()}
    out_dir = Path(out)
    catalog = Catalog.open(db)
    _settle_dead_runs(catalog, out_dir, log)
    run_id = catalog.start_run(loaded, stages, {
        "dataset": loaded.manifest.dataset.model_dump(exclude_none=True),
        "max_record_mb": max_record_mb, "allow_outside": allow_outside,
        **({"pii": pii.recorded()} if "pii" in stages else {}),
        **({"duplicates": dup.recorded()} if "duplicates" in stages else {})})
    shard_dir = out_dir / f".shards-{run_id}"
    completed = False  # once the catalog says completed, a later error (report, worse check) must not undo that
    try:
        plan = plan_audit(loaded, catalog, run_id, max_record_bytes, config_hashes)
        log.info("run %s: %d files to read (%.1f MB) in %d tasks, %d unchanged, %d taken over from unfinished runs",
                 run_id, plan.files_to_read, plan.bytes_to_read / 1e6, len(plan.batches), len(plan.reuse),
                 len(plan.resume))
        catalog.reuse_units(run_id, [(p.source_id, p.path, prev.run_id, p.disk_bytes, p.disk_mtime_ns)
                                     for p, prev in plan.reuse])
        catalog.resume_units(run_id, [(p.source_id, p.path, part.run_id, prev.run_id if prev else None,
                                       p.disk_bytes, p.disk_mtime_ns) for p, part, prev in plan.resume])
        catalog.record_removed_paths(run_id, plan.removed)
        shard_dir.mkdir(parents=True, exist_ok=True)
        faults.checkpoint("after_planning")
        files_read = 0
        scan = scan_files.with_options(retry_delay_seconds=scan_retry_delays())
        with stderr_progress(show_progress and plan.bytes_to_read > 0, TextColumn("scanning"), BarColumn(),
                             DownloadColumn(), TransferSpeedColumn(), TimeElapsedColumn(),
                             total=plan.bytes_to_read) as progress:
            futures = [scan.submit(batch, sources[batch.source_id],
                                   read_spec(sources[batch.source_id], max_record_bytes), str(shard_dir),
                                   configs) for batch in plan.batches]
            for future in as_completed(futures):
                for unit in future.result():
                    catalog.load_unit(run_id, unit, plan.previous.get((unit.source_id, unit.path)), detector_tables,
                                      checkpoint=faults.checkpoint)
                    faults.checkpoint("after_load")
                    files_read += 0 if unit.unchanged else 1
                    for path in [unit.documents_shard, *(p for s in unit.detector_shards.values() for p in s.values())]:
                        if path:
                            Path(path).unlink(missing_ok=True)  # loaded: free the space now
                    # Prefect keeps every task's result until the flow ends (futures or not): drop the loaded file
                    # list (~2 KB a file, ~40 MB for an archive of 20,000 members), or the corpus's stays in memory
                    unit.files.clear()
                    unit.license_texts.clear()
                    progress(advance=unit.disk_bytes)
        catalog.add_findings(run_id, plan.findings)
        catalog.add_findings(run_id, scan_findings(catalog, run_id))
        if "license" in stages:
            catalog.add_findings(run_id, run_license_stage(catalog, loaded, run_id, notices_ran="notices" in stages))
            # annotation checks read declared files, as the licence stage does: they run with it, not as a stage
            catalog.add_findings(run_id, run_annotation_checks(catalog, loaded, run_id))
            faults.checkpoint("after_license")
        summaries: dict[str, Any] = {}  # computed once, for the findings and the disclosure
        if "pii" in stages:
            summaries["pii"] = pii_summary(catalog, run_id)
            catalog.add_findings(run_id, pii_findings(summaries["pii"]))
            faults.checkpoint("after_pii")
        if "duplicates" in stages:
            summaries["duplicates"], found = run_duplicates_stage(catalog, run_id, dup, loaded, max_record_bytes,
                                                                  work_dir=str(shard_dir),
                                                                  checkpoint=faults.checkpoint)
            catalog.add_findings(run_id, found)
        if "diversity" in stages:
            summaries["diversity"] = diversity_summary(catalog, run_id)
            catalog.add_findings(run_id, diversity_findings(summaries["diversity"]))
        catalog.finish_run(run_id, "completed")
        completed = True
        try:
            flag_worse_run(catalog, run_id, worse, log)  # vs the previous completed run: stored, warned, an event
        except Exception as e:  # the audit itself is done and recorded; a failed comparison is only reported
            log.warning("run %s: could not compare with the previous run: %s", run_id, e)
        document = build_report(catalog, run_id, summaries)
        faults.checkpoint("before_report")  # killed here: the run is complete; `provenance report --all` writes it
        disclosure = write_report(document, out_dir)["disclosure.json"]
        if "license" in stages:
            write_attribution(loaded, [s["license"] | {"source_id": s["id"]} for s in document["sources"]], out_dir)
        else:
            (out_dir / "ATTRIBUTION.md").unlink(missing_ok=True)  # an earlier run's list would not match this report
    except BaseException:
        if not completed:
            catalog.finish_run(run_id, "failed")
        raise
    finally:
        shutil.rmtree(shard_dir, ignore_errors=True)
        catalog.close()
    seconds = time.perf_counter() - started
    log.info("run %s completed in %.1f s", run_id, seconds)
    return {
        "run_id": run_id,
        "db": str(db),
        "disclosure": str(disclosure),
        "findings_by_severity": document["findings_summary"],
        "documents": document["totals"]["all"]["documents"],
        "files_read": files_read,
        "files_reused": len(plan.reuse) + len(plan.resume),
        "seconds": seconds,
    }


def run_audit(manifest: str | Path, *, db: str | Path | None = None, out: str | Path = "out",
              stages: list[str] | None = None, workers: int = 2, allow_outside: bool = False,
              max_record_mb: int = 16, show_progress: bool = False, pii: PiiOptions | None = None,
              dup: DupOptions | None = None, intended_use: str | None = None,
              base_dir: str | Path | None = None, worse: WorseOptions | None = None, runner: str = "thread",
              dask_address: str | None = None) -> AuditResult:
    """Validate inputs without starting Prefect, then run the flow with `workers` threads (or processes, or Dask
    workers: `runner`, see flows/runners.py; `dask_address` is an existing Dask scheduler).

    `intended_use` judges the manifest's licences for another use than its `dataset.intended_use`, and `base_dir`
    is the folder its paths are relative to instead of its own (both for onboarding).
    """
    load_manifest(manifest, allow_outside=allow_outside, base_dir=base_dir)  # errors exit before any work starts
    faults.parse(os.environ.get(faults.ENV, ""))  # a misspelt $PROVENANCE_FAULT is an error, not a fault that never fires
    scan_retry_delays()
    out_dir = Path(out).resolve()
    db_path = Path(db).resolve() if db else out_dir / "audit.duckdb"
    Catalog.open(db_path).close()  # a catalog in use or too new fails here, with its own message
    choice = RunnerChoice(runner, workers, dask_address)
    choice.check()
    # an existing cluster is asked first (exit 2 before a run is recorded) whether its workers can run this audit
    client = connect_dask(dask_address) if dask_address else None
    with api_for_workers(choice) as api_url:
        if client is not None:
            with client:
                check_workers(client, out_dir, source_folders(load_manifest(
                    manifest, allow_outside=allow_outside, base_dir=base_dir)), api_url)
        summary = audit_corpus.with_options(task_runner=task_runner(choice))(
            str(Path(manifest).resolve()), str(db_path), str(out_dir), stages or available_stages(), allow_outside,
            max_record_mb, show_progress, pii or PiiOptions(), dup or DupOptions(), intended_use,
            str(Path(base_dir).resolve()) if base_dir else None, worse=worse or WorseOptions())
    return AuditResult(summary["run_id"], Path(summary["db"]), Path(summary["disclosure"]),
                       summary["findings_by_severity"], summary["documents"], summary["files_read"],
                       summary["files_reused"], summary["seconds"])
