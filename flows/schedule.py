"""Scheduled audits (`provenance schedule`) and the worse-run alert every completed audit raises.

`scheduled-audit` is a thin flow around `run_audit`: a deployment's parameters travel as JSON through the Prefect API,
so the audit's option dataclasses (PiiOptions, DupOptions, WorseOptions) cannot be deployment parameters (they would
arrive as dicts; `audit-corpus` does not validate its parameters). Its parameters are their fields, and each run
rebuilds them and calls `run_audit`, which validates the manifest and the catalog first, as `provenance audit` does;
`audit-corpus` then shows as its subflow. Every run audits into the same catalog, so each is incremental.

`serve_deployment` registers the deployment and serves it from this process (`prefect.serve`): runs execute here, one
at a time (two audits of one catalog would only wait on its lock), until Ctrl-C, which also pauses the schedule. The
Prefect server's scheduler service is what turns a cron schedule into flow runs, and neither Prefect's ephemeral API
(used when PREFECT_API_URL is unset) nor a test API runs it: a keeper thread here asks the API to schedule the
deployment's upcoming runs (the scheduler's own endpoint, idempotent per run time) when serving starts and every
minute, so the schedule holds with or without `prefect server start`.

`flag_worse_run` is called by `audit-corpus` after every completed run: the verdict (provenance/regression.py) goes
into the catalog, and a worse run logs a warning and emits the Prefect event `provenance.audit.worse`, which a Prefect
automation can turn into a notification.
"""

from __future__ import annotations

import contextvars
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from flows import prefect_env  # noqa: F401  (settings must be in place before prefect is imported)

from prefect import flow
from prefect.events import emit_event

from provenance.catalog import Catalog
from provenance.errors import InputError
from provenance.regression import RunCheck, WorseOptions, describe, mark_run

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

FLOW_NAME = "scheduled-audit"
WORSE_EVENT = "provenance.audit.worse"
KEEP_SCHEDULED_SECONDS = 60.0  # how often the keeper asks for upcoming runs; the API keeps at least 3 scheduled
BANNED_NAME_CHARACTERS = "/%&><"  # prefect.types.names.BANNED_CHARACTERS: a deployment name is part of a URL


# -- the worse-run alert (called by audit-corpus) -------------------------------------------------------------------

def catalog_resource_id(db: str | Path) -> str:
    """The Prefect resource an audit's events concern: the catalog, by its absolute path."""
    return f"provenance.catalog.{Path(db).resolve()}"


def flag_worse_run(catalog: Catalog, run_id: str, options: WorseOptions, log: Any) -> RunCheck:
    """Compare a completed run with the previous one, store the verdict; warn and emit an event when it is worse."""
    check = mark_run(catalog, run_id, options)
    if check.worse:
        log.warning("run %s is worse than run %s: %s", run_id, check.previous_run_id, describe(check.reasons))
        emit_event(event=WORSE_EVENT,
                   resource={"prefect.resource.id": catalog_resource_id(catalog.path),
                             "prefect.resource.name": Path(catalog.path).name},
                   payload={"run_id": run_id, "previous_run_id": check.previous_run_id, "catalog": catalog.path,
                            "reasons": check.reasons, "summary": describe(check.reasons),
                            "margins": check.margins})
    return check


# -- the scheduled flow ----------------------------------------------------------------------------------------------

@flow(name=FLOW_NAME, log_prints=False)
def scheduled_audit(manifest_path: str, db: str, out: str, stages: list[str], workers: int = 2,
                    runner: str = "thread", dask_address: str | None = None,
                    allow_outside: bool = False, max_record_mb: int = 16, pii_sample: int = 0, pii_seed: int = 0,
                    pii_lang: str = "auto", pii_ner: list[list[str]] | None = None, dup_threshold: float = 0.8,
                    dup_bands: int = 16, dup_rows: int = 8, dup_verify: str = "exact",
                    worse_pii_margin: float = 0.01, worse_dup_margin: float = 0.02) -> dict[str, Any]:
    """One audit of a scheduled deployment, incremental on its catalog."""
    from flows.audit import PiiOptions, run_audit
    from provenance.dup_stage import DupOptions

    result = run_audit(manifest_path, db=db, out=out, stages=stages, workers=workers, allow_outside=allow_outside,
                       max_record_mb=max_record_mb, runner=runner, dask_address=dask_address,
                       pii=PiiOptions(language=pii_lang, sample=pii_sample, seed=pii_seed,
                                      ner_models=tuple(tuple(pair) for pair in pii_ner or ())),
                       dup=DupOptions(threshold=dup_threshold, bands=dup_bands, rows=dup_rows, verify=dup_verify),
                       worse=WorseOptions(pii_margin=worse_pii_margin, dup_margin=worse_dup_margin))
    return {"run_id": result.run_id, "documents": result.documents, "files_read": result.files_read,
            "files_reused": result.files_reused, "findings_by_severity": result.findings_by_severity,
            "disclosure": str(result.disclosure)}


# -- building and serving the deployment -----------------------------------------------------------------------------

def check_cron(cron: str, timezone: str) -> list[datetime]:
    """The next three run times of `cron` in `timezone`; an InputError naming the option when either is invalid."""
    from pydantic import ValidationError
    from prefect.server.schemas.schedules import CronSchedule  # the server's model: the same checks, and get_dates

    try:
        schedule = CronSchedule(cron=cron, timezone=timezone)
    except ValidationError as e:
        message = "; ".join(str(err.get("msg", err)) for err in e.errors())
        if "timezone" in message.lower():
            raise InputError(f"--timezone {timezone!r} is not a time zone: {message}", where="--timezone",
                             fix="use an IANA name such as UTC, Asia/Shanghai or Europe/Berlin") from None
        raise InputError(f"--cron {cron!r} is not a cron expression: {message}", where="--cron",
                         fix='write five fields: minute hour day-of-month month day-of-week, e.g. --cron "0 3 * * 1" '
                             "(Mondays at 03:00)") from None
    import asyncio
    import inspect

    dates = schedule.get_dates(3)
    if inspect.isawaitable(dates):  # async in some Prefect 3 releases
        dates = asyncio.run(dates)
    return list(dates)


def check_name(name: str) -> str:
    bad = sorted({c for c in name if c in BANNED_NAME_CHARACTERS})
    if not name.strip() or bad:
        raise InputError(f"--name {name!r} " + (f"contains {' '.join(bad)}" if bad else "is empty"), where="--name",
                         fix=f"use letters, digits, - or _ (not {' '.join(BANNED_NAME_CHARACTERS)}), "
                             "e.g. --name weekly-audit")
    return name


def default_name(dataset_name: str) -> str:
    """A deployment name from the manifest's dataset name, without the characters Prefect refuses."""
    cleaned = "".join("-" if c in BANNED_NAME_CHARACTERS or c.isspace() else c for c in dataset_name).strip("-")
    return cleaned or "audit"


def build_deployment(name: str, cron: str, timezone: str, parameters: dict[str, Any]) -> "RunnerDeployment":
    """The `scheduled-audit` flow as a deployment with a cron schedule (paths in `parameters` must be absolute:
    runs start in whatever folder the runner is in)."""
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    return scheduled_audit.to_deployment(
        name=check_name(name), schedule=Cron(cron, timezone=timezone), parameters=parameters, paused=False,
        description=f"provenance audit of {parameters['manifest_path']} into {parameters['db']}",
        tags=["provenance"],
        # runs import flows.schedule from the installed package, wherever the runner was started
        entrypoint_type=EntrypointType.MODULE_PATH)


def schedule_upcoming_runs(deployment_id: UUID) -> None:
    """Ask the API for the deployment's upcoming scheduled runs: what the server's scheduler service does."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        response = client.request("POST", "/deployments/{id}/schedule", path_params={"id": str(deployment_id)},
                                  json={})
        response.raise_for_status()


class _Keeper:
    """Keeps the deployment's upcoming runs scheduled while it is served (see the module docstring)."""

    def __init__(self, deployment_id: UUID, every: float = KEEP_SCHEDULED_SECONDS):
        self.deployment_id = deployment_id
        self.every = every
        self.stopped = threading.Event()
        # the thread must see the API URL of prefect_env.prefect_api(), which lives in this thread's context
        context = contextvars.copy_context()
        self.thread = threading.Thread(target=context.run, args=(self._loop,), name="provenance-schedule-keeper",
                                       daemon=True)

    def start(self) -> None:
        schedule_upcoming_runs(self.deployment_id)  # now, so that the first runs exist before serving starts
        self.thread.start()

    def _loop(self) -> None:
        import logging

        log = logging.getLogger("provenance.schedule")
        while not self.stopped.wait(self.every):
            try:
                schedule_upcoming_runs(self.deployment_id)
            except Exception as e:  # the API may be restarting: try again next time rather than stop scheduling
                log.warning("could not schedule upcoming runs of deployment %s: %s", self.deployment_id, e)

    def stop(self) -> None:
        self.stopped.set()


def serve_deployment(deployment: "RunnerDeployment", on_ready: Any = None) -> None:
    """Register `deployment`, keep its runs scheduled and serve it until Ctrl-C (or SIGTERM). `on_ready(id)` is
    called once it is registered and its first runs are scheduled, before serving blocks."""
    from prefect import serve

    deployment_id = deployment.apply()  # serve() applies it again (an upsert); the id is needed first
    keeper = _Keeper(deployment_id)
    keeper.start()
    try:
        if on_ready is not None:
            on_ready(deployment_id)
        # limit=1: two audits of one catalog cannot run at once (its write lock); a run due while one is still going
        # waits for it instead of failing
        serve(deployment, limit=1, pause_on_shutdown=True, print_starting_message=False)
    finally:
        keeper.stop()
