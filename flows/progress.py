"""A progress display on stderr for the CLI's long commands (audit, pii scan), or nothing."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterator


@contextmanager
def stderr_progress(enabled: bool, *columns, total: float | None = None,
                    **fields) -> Iterator[Callable[..., None]]:
    """A rich progress display of one task with `columns`, on stderr while the block runs. Yields `update(**changes)`
    (rich's `Progress.update` of the task: advance=, completed=, or the task's `fields`); a no-op when not
    `enabled`."""
    if not enabled:
        yield lambda **changes: None
        return
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(*columns, console=Console(file=sys.stderr))
    bar.start()
    task = bar.add_task("", total=total, **fields)
    try:
        yield lambda **changes: bar.update(task, **changes)
    finally:
        bar.stop()
