"""Where the audit's per-file tasks run: threads (default), a process pool, or Dask (a local cluster or a scheduler).

The tasks only read files and write Parquet shards under OUT/.shards-RUN; the flow, the one writer, loads those
shards into DuckDB. So whatever runs the tasks must see the data and OUT at the same paths as the flow: always true
for threads, processes and a LocalCluster on this machine; for an existing Dask cluster it is checked before the
run starts (`check_workers`), because a worker that writes its shards where the flow cannot read them would only
fail at the first load, after the run was recorded.
"""

from __future__ import annotations

import logging
import os
import secrets
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from flows import prefect_env  # noqa: F401  (settings must be in place before prefect is imported)

# distributed logs every cluster start and stop at INFO on stderr, which the CLI keeps for errors and the progress
# bar; only a default (read when distributed is first imported, and inherited by LocalCluster workers): a user's
# own DASK_LOGGING__DISTRIBUTED wins
os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")

from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner  # noqa: E402

from provenance.errors import InputError  # noqa: E402

RUNNERS = ("thread", "process", "dask")
# `--dask-address` with nothing listening: distributed retries until this, then we exit 2 (a scheduler that is up
# answers in milliseconds; a slow network or a scheduler under load still fits)
DASK_CONNECT_SECONDS = 10
# a worker asked to reach the Prefect API: the API answers /health in milliseconds when it is reachable at all
API_PROBE_SECONDS = 5


@dataclass(frozen=True)
class RunnerChoice:
    """`--runner`, `--workers` and `--dask-address` of `provenance audit`."""

    kind: str = "thread"
    workers: int = 2                  # threads, processes, or LocalCluster worker processes; unused with an address
    dask_address: str | None = None   # an existing scheduler, e.g. tcp://10.0.0.5:8786

    def check(self) -> None:
        """Bad options exit 2 before any work starts."""
        if self.kind not in RUNNERS:
            raise InputError(f"unknown runner {self.kind!r}", where="--runner", fix=f"choose from: {', '.join(RUNNERS)}")
        if self.workers < 1:
            raise InputError("--workers must be at least 1", where="--workers", fix="pass --workers 1 or more")
        if self.dask_address is not None:
            if self.kind != "dask":
                raise InputError(f"--dask-address needs --runner dask (got --runner {self.kind})",
                                 where="--dask-address", fix="add --runner dask, or drop --dask-address")
            scheme, sep, rest = self.dask_address.partition("://")
            if not sep or not rest or scheme not in ("tcp", "tls", "ws", "wss", "inproc", "ucx"):
                raise InputError(f"--dask-address {self.dask_address!r} is not a Dask scheduler address",
                                 where="--dask-address", fix="write it as the scheduler prints it, e.g. "
                                 "tcp://10.0.0.5:8786")


def task_runner(choice: RunnerChoice) -> TaskRunner:
    """The Prefect task runner for a choice (its Dask cluster, if any, starts when the flow starts)."""
    if choice.kind == "thread":
        return ThreadPoolTaskRunner(max_workers=choice.workers)
    if choice.kind == "process":
        # Prefect 3's pool starts its processes with `spawn`: each imports flows.audit and builds its detectors
        # once, and the task's arguments and results travel pickled (ScanBatch, Source, ReadSpec, the configs)
        return ProcessPoolTaskRunner(max_workers=choice.workers)
    from prefect_dask import DaskTaskRunner

    # the nannies of a LocalCluster warn "still alive after 4.0 seconds, killing" when it closes after the flow:
    # the workers hold Prefect's client threads; nothing is lost then (every task has returned), so keep it quiet
    logging.getLogger("distributed.nanny").setLevel(logging.ERROR)
    if choice.dask_address:
        return DaskTaskRunner(address=choice.dask_address)
    # one thread per worker process: the scan is CPU-bound Python (the GIL), so processes are the parallelism;
    # loopback only and no dashboard, so an audit opens no port to the network
    return DaskTaskRunner(cluster_kwargs={"n_workers": choice.workers, "threads_per_worker": 1, "processes": True,
                                          "host": "127.0.0.1", "dashboard_address": None})


@contextmanager
def api_for_workers(choice: RunnerChoice) -> Iterator[str | None]:
    """Give worker processes the flow's Prefect API; yields its URL (None for threads, which share the flow's).

    Without it every pool process and Dask worker would start an ephemeral API of its own (seconds each, and on a
    busy machine they time out) and record its task runs apart from the flow run (flows.prefect_env.prefect_api).
    """
    if choice.kind == "thread":
        yield None
        return
    with prefect_env.prefect_api(stop_after=False) as (url, _):
        yield url


def connect_dask(address: str) -> Any:
    """A distributed.Client on an existing scheduler, or a clear error (exit 2) when none answers."""
    from distributed import Client

    try:
        return Client(address, timeout=DASK_CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as e:
        raise InputError(f"no Dask scheduler answers at {address} within {DASK_CONNECT_SECONDS} s "
                         f"({type(e).__name__}: {str(e).splitlines()[0] if str(e) else 'no detail'})",
                         where="--dask-address",
                         fix="start one (`dask scheduler`, then `dask worker ADDRESS` on each host), check the "
                             "host and port, or drop --dask-address to run a local cluster") from None


def check_workers(client: Any, out_dir: Path, read_paths: list[Path], api_url: str | None) -> int:
    """Ask every worker of the cluster whether it can run this audit; returns the number of workers.

    Each worker must import the auditor, read a token the flow wrote under OUT (the same folder, not a local one
    of the same name), write there a file the flow then reads (its shards go there), read the manifest and the
    folders of the sources, and reach the Prefect API the flow reports to.
    """
    from provenance import __version__

    try:
        client.wait_for_workers(1, timeout=DASK_CONNECT_SECONDS)
    except TimeoutError:
        raise InputError(f"the Dask scheduler at {client.scheduler.address} has no workers",
                         where="--dask-address",
                         fix="start workers on it (`dask worker ADDRESS` on each host), then run the audit again") \
            from None
    out_dir.mkdir(parents=True, exist_ok=True)
    probe_dir = out_dir / f".probe-{uuid.uuid4().hex[:12]}"
    probe_dir.mkdir()
    token = secrets.token_hex(16)
    (probe_dir / "token").write_text(token, encoding="utf-8")
    try:
        answers = client.run(probe_worker, str(probe_dir), token, [str(p) for p in read_paths], api_url,
                             __version__, on_error="return")
        problems: list[str] = []
        for worker, answer in sorted(answers.items()):
            if isinstance(answer, BaseException):
                problems.append(f"{worker}: {_worker_error(answer)}")
                continue
            problems += [f"{worker}: {p}" for p in answer["problems"]]
            written = probe_dir / answer["wrote"] if answer.get("wrote") else None
            if written is not None and not (written.is_file() and written.read_text(encoding="utf-8") == token):
                problems.append(f"{worker}: a file it wrote under {out_dir} is not visible here (the flow could "
                                "not load its shards)")
    finally:
        for p in probe_dir.iterdir():
            p.unlink(missing_ok=True)
        probe_dir.rmdir()
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise InputError(f"Dask workers cannot run this audit: {shown}", where="--dask-address",
                         fix="workers must run the same provenance-auditor with prefect-dask installed, see the data "
                             "and --out at the same paths as this machine (shared storage), and reach "
                             "PREFECT_API_URL (a Prefect server they can reach, e.g. `prefect server start --host "
                             "0.0.0.0`)")
    return len(answers)


def _worker_error(e: BaseException) -> str:
    if isinstance(e, ModuleNotFoundError):
        return f"cannot import {e.name!r}: install provenance-auditor and prefect-dask in the workers' environment"
    return f"{type(e).__name__}: {e}"


def probe_worker(probe_dir: str, token: str, read_paths: list[str], api_url: str | None,
                 version: str) -> dict[str, Any]:
    """Runs on each Dask worker (importing this module there is the first check): what would stop an audit."""
    import flows.audit  # noqa: F401  (the task's own module, with its readers and detectors)
    from provenance import __version__

    problems = []
    if __version__ != version:
        problems.append(f"runs provenance-auditor {__version__}, the flow {version}")
    folder = Path(probe_dir)
    try:
        seen = (folder / "token").read_text(encoding="utf-8")
    except OSError as e:
        seen = None
        problems.append(f"cannot read {folder} ({e.strerror or e}): --out is not on storage it shares")
    if seen is not None and seen != token:
        problems.append(f"{folder} holds another token: its --out is another folder of the same name")
    wrote = f"worker-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        (folder / wrote).write_text(token, encoding="utf-8")
    except OSError as e:
        wrote = ""
        problems.append(f"cannot write under {folder.parent} ({e.strerror or e}): its shards go there")
    for path in read_paths:
        if not os.access(path, os.R_OK):
            problems.append(f"cannot read {path}: the data must be at the same path on every worker")
    if api_url:
        import httpx

        try:
            httpx.get(f"{api_url.rstrip('/')}/health", timeout=API_PROBE_SECONDS).raise_for_status()
        except httpx.HTTPError as e:
            problems.append(f"cannot reach the Prefect API at {api_url} ({type(e).__name__})")
    return {"problems": problems, "wrote": wrote}


def source_folders(manifest: Any) -> list[Path]:
    """The manifest file and the fixed folder each source's globs start from: what a worker must be able to read."""
    out = [Path(manifest.path)]
    for source in manifest.manifest.sources:
        for pattern in source.paths:
            fixed = []
            for part in Path(pattern).parts:
                if any(ch in part for ch in "*?["):
                    break
                fixed.append(part)
            folder = Path(manifest.resolve(str(Path(*fixed)) if fixed else "."))
            out.append(folder if folder.is_dir() or not folder.exists() else folder.parent)
    return [p for p in dict.fromkeys(out) if p.exists()]
