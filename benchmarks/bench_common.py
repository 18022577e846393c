"""Helpers shared by the benchmarks that run commands in child processes (onboard_bench.py, audit_bench.py).

- `bench_manifest`: a copy of benchmarks/shared.manifest.yaml with some of its sources, absolute paths, and some
  sources listed a second time under another id (the same files: twice the documents);
- `files_mb`: MB of files on disk a manifest points to;
- `run_measured`: one command in its own process, its wall time and peak RSS.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import yaml

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"  # what make bench writes
ROOT = HERE.parent
CORPORA = Path(os.environ.get("PROVENANCE_CORPORA", ROOT.parent / "shared" / "corpora")).resolve()
BIN = Path(sys.executable).parent / "provenance"
SHARED_MANIFEST = HERE / "shared.manifest.yaml"


def shared_source_ids() -> list[str]:
    """The source ids of benchmarks/shared.manifest.yaml, in its order."""
    return [s["id"] for s in yaml.safe_load(SHARED_MANIFEST.read_text(encoding="utf-8"))["sources"]]


def bench_manifest(path: Path, name: str, keep: Callable[[str], bool], intended_use: str | None = None,
                   twice: Callable[[str], bool] = lambda source_id: False) -> Path:
    """Write to `path` a copy of the shared manifest with the sources `keep` accepts and absolute paths (pointing at
    $PROVENANCE_CORPORA when set); the sources `twice` accepts are listed a second time under another id (`-copy`).
    `intended_use` None keeps the shared manifest's."""
    data = yaml.safe_load(SHARED_MANIFEST.read_text(encoding="utf-8"))
    shared_dir = str((HERE / "../../shared/corpora").resolve())

    def absolute(p: str) -> str:
        return (p if Path(p).is_absolute() else str((HERE / p).resolve())).replace(shared_dir, str(CORPORA))

    sources = []
    for s in data["sources"]:
        if not keep(s["id"]):
            continue
        s = dict(s)
        s["paths"] = [absolute(p) for p in s["paths"]]
        lic = s.get("license")
        if isinstance(lic, dict) and lic.get("files"):
            s["license"] = dict(lic, files=[absolute(f) for f in lic["files"]])
        sources.append(s)
        if twice(s["id"]):
            sources.append(dict(s, id=s["id"] + "-copy", name=s["name"] + " (copy)"))
    dataset = {**data["dataset"], "name": name}
    if intended_use:
        dataset["intended_use"] = intended_use
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"dataset": dataset, "sources": sources}, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


def files_mb(manifest: Path) -> float:
    """MB on disk of the files a manifest's sources point to (a file listed by two sources counts twice)."""
    sys.path.insert(0, str(ROOT))
    from provenance.manifest import load_manifest
    from provenance.scan import expand_paths

    loaded = load_manifest(manifest, allow_outside=True)
    return sum(os.path.getsize(p) for s in loaded.manifest.sources for p in expand_paths(loaded, s)[0]) / 1e6


# each command runs under a fresh wrapper process, whose RUSAGE_CHILDREN then covers that one command only (the
# largest process of its tree: the audit, not Prefect's API server beside it)
_WRAPPER = ("import resource, subprocess, sys\n"
            "code = subprocess.run(sys.argv[1:]).returncode\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
            "sys.exit(code)\n")


def run_measured(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds and peak RSS (MB) of one command; exit codes 0 and 1 (findings) count as success."""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _WRAPPER, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=env)
    seconds = time.perf_counter() - t0
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{' '.join(args[:3])} … failed with exit code {done.returncode}")
    peak_kb = int(done.stderr.strip().splitlines()[-1])
    return seconds, peak_kb / 1024, done


def emit_section(heading: str, lines: list[str], write: bool) -> None:
    """Print a benchmark's Markdown section; with `write` (its --write-results), also put it in RESULTS.md."""
    print("\n".join(lines))
    if write:
        replace_section(RESULTS, heading, lines)


def replace_section(results: Path, heading: str, lines: list[str]) -> None:
    """Replace a benchmark's section of a results file (from `heading` up to the next top-level heading), or
    append it."""
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    body = "\n".join(lines).rstrip("\n") + "\n"
    start = text.find(heading + "\n")
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + body
    else:
        nxt = text.find("\n# ", start + len(heading))
        text = text[:start] + body + ("\n" + text[nxt + 1:] if nxt >= 0 else "")
    results.write_text(text, encoding="utf-8")
