"""Shared fixtures: paths to the sample data and the shared corpora, and one Prefect test API per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data_samples"
CORPORA = Path(os.environ.get("PROVENANCE_CORPORA", ROOT.parent / "shared" / "corpora"))


def corpora_or_skip() -> Path:
    if not (CORPORA / "INDEX.md").exists():
        pytest.skip(f"shared corpora not found at {CORPORA} (set PROVENANCE_CORPORA to their folder)")
    return CORPORA


@pytest.fixture(scope="session")
def corpora() -> Path:
    return corpora_or_skip()


@pytest.fixture(scope="session")
def prefect_api():
    """A real Prefect API (temporary, on loopback) shared by every test that runs a flow."""
    import flows.prefect_env  # noqa: F401
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
