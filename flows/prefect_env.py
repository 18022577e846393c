"""Prefect settings for an offline, embedded run. Imported before prefect itself.

With no PREFECT_API_URL, Prefect starts its ephemeral local API: nothing to install or start. We only change
defaults, so a user's own settings (a real server, other log levels) still win.
"""

import os

# The machine has no internet: telemetry would fail and log an error on every run.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# The CLI owns stdout; Prefect's per-task INFO lines would drown the progress bar and the summary.
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# The ephemeral API's start gives up after 20 s of waiting by default; on a busy 2-core machine (other audits,
# tests, Dask workers importing) it measured longer, and the audit then died with a traceback before any work.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
