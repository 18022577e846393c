"""Task runners: wall time of the full audit of the shared corpora under threads and under Dask (2 workers each).

Prints a Markdown section (benchmarks/run.py appends it to RESULTS.md; `--write-results` replaces it there).

Run: `.venv/bin/python benchmarks/runner_bench.py [--runners thread,dask] [--workers 2] [--manifest FILE]
[--work DIR] [--write-results]`. Without `--manifest` it audits benchmarks/shared.manifest.yaml and exits 2 when
../shared/corpora is absent; `--manifest data_samples/manifest.yaml` checks the script in a minute.

Each runner: `provenance audit MANIFEST --allow-outside --runner R --workers N` with every stage, in its own child
process, into a new catalog (so nothing is reused): wall time (interpreter, Prefect's API and, for Dask, the
LocalCluster's start and stop included, as the user waits for them), the flow's own seconds, peak RSS of the
largest process of the command (for Dask the orchestrator or one worker, not their sum). The disclosures of the
runs are then compared, run ids, times and paths left out: the section says whether they are identical.

The corpora hold real personal data: this script prints counts and timings, never a text.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_common import BIN, CORPORA, SHARED_MANIFEST, emit_section, files_mb, run_measured  # noqa: E402

WORK = HERE / ".work" / "runners"
HEADING = "# Task runners"
# `run RUN: 1,234 documents; files read 8, reused 0; 5.8 s` (flows/cli.py)
_SUMMARY = re.compile(r"^run (\S+): ([\d,]+) documents; files read (\d+), reused (\d+); ([\d.]+) s$", re.M)


def audit(manifest: Path, out: Path, runner: str, workers: int) -> dict[str, Any]:
    """One `provenance audit` with every stage under `runner`, in its own process, into a new catalog."""
    shutil.rmtree(out, ignore_errors=True)
    wall, peak_mb, done = run_measured([str(BIN), "audit", str(manifest), "--allow-outside", "--out", str(out),
                                        "--runner", runner, "--workers", str(workers), "--no-progress"])
    m = _SUMMARY.search(done.stdout)
    if not m:
        raise SystemExit(f"unexpected output of provenance audit --runner {runner}:\n{done.stdout}")
    return {"runner": runner, "wall": wall, "flow_seconds": float(m.group(5)), "peak_mb": peak_mb,
            "documents": int(m.group(2).replace(",", "")), "files_read": int(m.group(3)),
            "figures": figures(out / "disclosure.json")}


def figures(disclosure: Path) -> Any:
    """disclosure.json without what differs between two runs of the same data: run ids, times, the output folder."""
    doc = json.loads(disclosure.read_text(encoding="utf-8"))
    text = json.dumps(doc, ensure_ascii=False).replace(doc["run"]["id"], "RUN")
    text = text.replace(json.dumps(str(disclosure.parent))[1:-1], "OUT")

    def drop_times(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: drop_times(x) for k, x in v.items() if not k.endswith("_at")}
        return [drop_times(x) for x in v] if isinstance(v, list) else v

    return drop_times(json.loads(text))


def section(manifest: Path, disk_mb: float, workers: int, runs: list[dict[str, Any]], seconds: float) -> list[str]:
    base = runs[0]
    same = all(r["figures"] == base["figures"] for r in runs[1:])
    lines = [
        HEADING,
        "",
        f"Written by `benchmarks/runner_bench.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.machine()}, "
        f"2 cores shared, Python {platform.python_version()}. The full audit (every stage) of "
        f"`{_shown(manifest)}` ({disk_mb:,.1f} MB on disk, {base['documents']:,} documents), `--workers {workers}`, "
        "each runner in its own child process with a new catalog. One run each on a shared, noisy machine: read "
        "the ratios, not the absolute speeds.",
        "",
        "| runner | wall time | flow | peak RSS (largest process) | vs thread |",
        "|---|---|---|---|---|",
    ]
    for r in runs:
        lines.append(f"| `--runner {r['runner']}` | {r['wall']:.1f} s | {r['flow_seconds']:.1f} s | "
                     f"{r['peak_mb']:,.0f} MB | {r['wall'] / base['wall']:.2f}× |")
    lines += [
        "",
        f"Disclosures identical across runners (run ids, times and paths left out): **{'yes' if same else 'NO'}**.",
        "Wall time includes the interpreter, Prefect's API and, for Dask, starting and stopping a LocalCluster of "
        f"{workers} worker processes (each imports the auditor and builds its detectors once); `flow` is the audit "
        "flow's own time. Threads share one interpreter, so the Python parts of the stages (presidio on candidate "
        "windows, readers, shingling) take turns under its lock; worker processes do not, which is why processes "
        "or Dask can beat threads on the same 2 cores. Beyond one machine, Dask's workers must see the data and "
        "`--out` on shared storage (`--dask-address`).",
        "",
        f"Benchmark wall time {seconds:.0f} s.",
        "",
    ]
    return lines


def _shown(manifest: Path) -> str:
    try:
        return str(manifest.resolve().relative_to(ROOT))
    except ValueError:
        return manifest.name



def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runners", default="thread,dask", help="comma-separated: thread, process, dask (the first is "
                    "the reference; default thread,dask)")
    ap.add_argument("--workers", type=int, default=2, help="threads, processes or Dask workers (default 2)")
    ap.add_argument("--manifest", type=Path, default=None, help="audit this manifest instead of the shared corpora")
    ap.add_argument("--work", type=Path, default=WORK, help=f"folder for the catalogs (default {WORK})")
    ap.add_argument("--write-results", action="store_true", help="replace its section in RESULTS.md")
    args = ap.parse_args(argv)
    runners = [r.strip() for r in args.runners.split(",") if r.strip()]
    if not runners or not set(runners) <= {"thread", "process", "dask"}:
        ap.error(f"--runners {args.runners!r}: choose from thread, process, dask")
    manifest = args.manifest or SHARED_MANIFEST
    if args.manifest is None and not (CORPORA / "INDEX.md").exists():
        print(f"shared corpora not found at {CORPORA}; set PROVENANCE_CORPORA", file=sys.stderr)
        return 2
    started = time.perf_counter()
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    runs = []
    for runner in runners:
        runs.append(audit(manifest, args.work / runner, runner, args.workers))
        print(f"{runner}: {runs[-1]['wall']:.1f} s wall, {runs[-1]['documents']:,} documents", file=sys.stderr)
    lines = section(manifest, files_mb(manifest), args.workers, runs, time.perf_counter() - started)
    emit_section(HEADING, lines, args.write_results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
