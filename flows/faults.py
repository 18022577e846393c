"""The fault seam: named points in the audit where a test can make the process die or an I/O call fail.

Resilience is only believable when it is exercised against the real thing, so the tests kill a real audit process
at these points (SIGKILL: no cleanup code runs, as when a machine loses power or the OOM killer strikes) and run it
again. Nothing here is mocked: the seam only decides *when* a real signal or a real OSError happens.

    PROVENANCE_FAULT="ACTION:POINT:N[,ACTION:POINT:N...]"

- `kill:POINT:N`    SIGKILL this process the Nth time POINT is reached (counted per process, over all threads).
- `ioerror:POINT:N` raise OSError(EIO) the Nth time POINT is reached, once: a transient I/O error, which the scan
                    task retries (see flows/audit.py).
- `pause:POINT:N`   the Nth time POINT is reached, print `PROVENANCE_FAULT paused at POINT` on stderr and wait for a
                    line on stdin (a test holds an audit there, e.g. to start a second one on the same catalog).

An unknown action or point is an input error (exit 2): a misspelt fault would otherwise never fire and a test of it
would pass without testing anything. With the variable unset, `checkpoint` is one dictionary lookup.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
import threading
from dataclasses import dataclass

from provenance.errors import InputError

ENV = "PROVENANCE_FAULT"

# Where the audit can be interrupted, in the order a run reaches them.
POINTS = {
    "after_planning": "the run is recorded and planned (unchanged and removed paths copied), nothing read yet",
    "scan_unit": "a worker starts reading one path (the place of a transient read error)",
    "before_shard_write": "a worker has read one path and is about to finish writing its shard files",
    "before_load_commit": "inside the catalog transaction that loads one path, before COMMIT",
    "after_load": "one path's results are committed to the catalog",
    "after_license": "the licence stage's findings are written",
    "after_pii": "the PII summary and its findings are written",
    "during_duplicates": "the duplicates stage has built its candidate pairs, nothing of it written yet",
    "before_report": "the run is recorded complete, the report files are not written yet",
}
ACTIONS = ("kill", "ioerror", "pause")


@dataclass(frozen=True)
class Fault:
    action: str
    point: str
    nth: int


_lock = threading.Lock()
_reached: dict[str, int] = {}
_parsed: tuple[str, dict[str, list[Fault]]] | None = None


def parse(text: str) -> dict[str, list[Fault]]:
    """`kill:after_load:2,ioerror:scan_unit:1` → {point: [Fault, ...]}; raises InputError naming what is wrong."""
    out: dict[str, list[Fault]] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        action, _, rest = item.partition(":")
        point, _, nth = rest.partition(":")
        if action not in ACTIONS or point not in POINTS or not nth.isdigit() or int(nth) < 1:
            raise InputError(f"${ENV} entry {item!r} is not ACTION:POINT:N", where=ENV,
                             fix=f"ACTION is one of {', '.join(ACTIONS)}; POINT one of {', '.join(POINTS)}; "
                                 "N counts from 1 (or unset the variable)")
        out.setdefault(point, []).append(Fault(action, point, int(nth)))
    return out


def _faults() -> dict[str, list[Fault]]:
    global _parsed
    text = os.environ.get(ENV, "")
    if _parsed is None or _parsed[0] != text:
        _parsed = (text, parse(text))
    return _parsed[1]


def checkpoint(name: str) -> None:
    """Mark that the audit reached point `name`; fires the fault $PROVENANCE_FAULT sets there, if any."""
    if ENV not in os.environ:
        return
    if name not in POINTS:
        raise ValueError(f"checkpoint {name!r} is not in flows.faults.POINTS")  # a programming error, not input
    faults = _faults().get(name)
    if not faults:
        return
    with _lock:
        _reached[name] = count = _reached.get(name, 0) + 1
    for fault in faults:
        if fault.nth != count:
            continue
        if fault.action == "kill":
            sys.stderr.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        elif fault.action == "ioerror":
            raise OSError(errno.EIO, f"injected I/O error at {name} ({ENV})")
        elif fault.action == "pause":
            print(f"{ENV} paused at {name}", file=sys.stderr, flush=True)
            sys.stdin.readline()


def reset() -> None:
    """Forget how often each point was reached (tests that run several audits in one process)."""
    with _lock:
        _reached.clear()
