"""Prefect settings for an offline, embedded run. Imported before prefect itself.

With no PREFECT_API_URL, Prefect starts its ephemeral local API: nothing to install or start. We only change
defaults, so a user's own settings (a real server, other log levels) still win.
"""

import os
from contextlib import contextmanager
from typing import Iterator

# The machine has no internet: telemetry would fail and log an error on every run.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# The CLI owns stdout; Prefect's per-task INFO lines would drown the progress bar and the summary.
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# The ephemeral API's start gives up after 20 s of waiting by default; on a busy 2-core machine (other audits,
# tests, Dask workers importing) it measured longer, and the audit then died with a traceback before any work.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


@contextmanager
def prefect_api(stop_after: bool = True) -> Iterator[tuple[str, bool]]:
    """(API URL, whether it is a local API started here) for everything run inside the block.

    Without PREFECT_API_URL, Prefect starts its ephemeral API in each process that first needs one: in every pool
    process, Dask worker and flow-run process (seconds each, and apart from the flow run). One is started here and
    its URL set in the settings, which Prefect hands on to the processes it starts. `stop_after=False` leaves it
    running for the rest of this process, as Prefect's own ephemeral API would be (later audits reuse it).
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    url = PREFECT_API_URL.value()
    if url:
        yield url, False
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # one per process (keyed by port): the one Prefect itself would have started
    server.start()  # waits PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS (raised above)
    try:
        with temporary_settings({PREFECT_API_URL: server.api_url}):
            yield server.api_url, True
    finally:
        if stop_after:
            server.stop()
