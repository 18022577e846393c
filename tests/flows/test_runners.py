"""The audit under each task runner: threads, a process pool and a real Dask LocalCluster give the same disclosure.

Real Prefect API (the session harness), real DuckDB, real worker processes; each runner audits the same private copy
of data_samples into its own catalog.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from flows.audit import run_audit
from flows.cli import cli
from flows.runners import RunnerChoice, check_workers, probe_worker, task_runner
from provenance.errors import InputError
from tests.conftest import SAMPLES

pytestmark = pytest.mark.usefixtures("prefect_api")


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One private copy of data_samples for every runner of this module (none of them changes it)."""
    dest = tmp_path_factory.mktemp("runners") / "samples"
    shutil.copytree(SAMPLES, dest, ignore=shutil.ignore_patterns("generate.py", "*.md", "EXPECTED.json"))
    return dest


@pytest.fixture(scope="module")
def thread_figures(samples: Path, prefect_api: None) -> dict[str, Any]:
    """The default runner's disclosure, the reference the other runners must equal."""
    result = run_audit(samples / "manifest.yaml", out=samples.parent / "out-thread", workers=2)
    return _figures(result.disclosure)


def _figures(disclosure: Path) -> dict[str, Any]:
    """disclosure.json without what differs between two runs of the same data: run ids, times, catalog paths."""
    doc = json.loads(disclosure.read_text(encoding="utf-8"))
    text = json.dumps(doc, ensure_ascii=False).replace(doc["run"]["id"], "RUN")
    text = text.replace(json.dumps(str(disclosure.parent))[1:-1], "OUT")
    return _drop_times(json.loads(text))


def _drop_times(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_times(v) for k, v in value.items() if not k.endswith("_at")}
    if isinstance(value, list):
        return [_drop_times(v) for v in value]
    return value


def _assert_same(got: dict[str, Any], want: dict[str, Any]) -> None:
    """Block by block first (a failure names the source and block), then the whole model."""
    assert [s["id"] for s in got["sources"]] == [s["id"] for s in want["sources"]]
    for mine, ref in zip(got["sources"], want["sources"]):
        for block in ("scale", "files_status", "pii", "duplicates", "diversity", "license"):
            assert mine[block] == ref[block], (ref["id"], block)
    key = [(f["code"], f["source"], f["path"], f["member"], f["count"]) for f in want["findings"]]
    assert [(f["code"], f["source"], f["path"], f["member"], f["count"]) for f in got["findings"]] == key
    assert got["totals"] == want["totals"] and got["corpus"] == want["corpus"]
    assert got == want


def test_reference_run_has_every_stage_to_compare(thread_figures: dict[str, Any]) -> None:
    """The comparison below is only worth something if the reference has PII, duplicates and languages in it."""
    sources = thread_figures["sources"]
    assert sum(s["scale"]["documents"] for s in sources) == thread_figures["totals"]["all"]["documents"] > 0
    assert any(s["pii"].get("documents_with_pii") for s in sources), "the samples plant personal information"
    assert any(s["duplicates"].get("clusters") for s in sources), "the samples plant duplicates"
    assert all(s["diversity"].get("languages") for s in sources if s["scale"]["documents"])
    assert thread_figures["findings"]


def test_dask_local_cluster_gives_the_same_disclosure(samples: Path, thread_figures: dict[str, Any]) -> None:
    out = samples.parent / "out-dask"
    result = CliRunner().invoke(cli, ["audit", str(samples / "manifest.yaml"), "--out", str(out), "--runner", "dask",
                                      "--workers", "2", "--no-progress"])
    assert result.exit_code == 0, result.output
    _assert_same(_figures(out / "disclosure.json"), thread_figures)


def test_process_pool_gives_the_same_disclosure(samples: Path, thread_figures: dict[str, Any]) -> None:
    result = run_audit(samples / "manifest.yaml", out=samples.parent / "out-process", workers=2, runner="process")
    assert result.files_read > 0
    _assert_same(_figures(result.disclosure), thread_figures)


def test_unreachable_dask_scheduler_exits_2_before_any_run(tmp_path: Path) -> None:
    manifest = SAMPLES / "manifest.yaml"  # only validated: nothing is read before the scheduler answers
    result = CliRunner().invoke(cli, ["audit", str(manifest), "--out", str(tmp_path / "out"), "--runner", "dask",
                                      "--dask-address", "tcp://127.0.0.1:1"])
    assert result.exit_code == 2, result.output
    assert "no Dask scheduler answers at tcp://127.0.0.1:1" in result.output and "fix:" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "disclosure.json").exists()


@pytest.mark.parametrize("args, message", [
    (["--dask-address", "tcp://127.0.0.1:8786"], "needs --runner dask"),
    (["--runner", "dask", "--dask-address", "127.0.0.1:8786"], "is not a Dask scheduler address"),
    (["--runner", "process", "--workers", "0"], "--workers must be at least 1"),
])
def test_bad_runner_options_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["audit", str(SAMPLES / "manifest.yaml"), "--out", str(tmp_path / "o"), *args])
    assert result.exit_code == 2 and message in result.output, result.output


def test_runner_choice_builds_the_runner_asked_for() -> None:
    from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner
    from prefect_dask import DaskTaskRunner

    assert isinstance(task_runner(RunnerChoice("thread", 3)), ThreadPoolTaskRunner)
    assert isinstance(task_runner(RunnerChoice("process", 3)), ProcessPoolTaskRunner)
    local = task_runner(RunnerChoice("dask", 3))
    assert isinstance(local, DaskTaskRunner) and local.address is None
    assert local.cluster_kwargs["n_workers"] == 3 and local.cluster_kwargs["threads_per_worker"] == 1
    remote = task_runner(RunnerChoice("dask", 3, "tcp://127.0.0.1:8786"))
    assert remote.address == "tcp://127.0.0.1:8786" and not remote.cluster_kwargs


def test_task_arguments_survive_pickling_and_the_key_stays_out_of_reprs(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """What a process or Dask worker receives: the scan task's arguments, pickled as cloudpickle sends them."""
    import cloudpickle

    from flows.audit import PiiOptions, detector_configs, scan_files
    from provenance.manifest import load_manifest
    from provenance.scan import read_spec

    key = "k" * 24 + "-runner-test-key"
    monkeypatch.setenv("PROVENANCE_PII_KEY", key)
    configs = detector_configs(["notices", "pii", "duplicates", "diversity"], str(tmp_path / "c.duckdb"), PiiOptions())
    source = load_manifest(SAMPLES / "manifest.yaml").manifest.sources[0]
    args = (source, read_spec(source, 16 << 20), configs)
    back = cloudpickle.loads(cloudpickle.dumps(args))
    assert back == args and back[2]["pii"].key == key.encode()
    assert key not in repr(args) and key not in repr(back)
    assert cloudpickle.loads(cloudpickle.dumps(scan_files)).name == "scan-files"


def test_probe_names_what_a_worker_cannot_see(tmp_path: Path) -> None:
    probe = tmp_path / "out" / ".probe-x"
    probe.mkdir(parents=True)
    (probe / "token").write_text("t0k3n", encoding="utf-8")
    from provenance import __version__

    ok = probe_worker(str(probe), "t0k3n", [str(SAMPLES / "manifest.yaml")], None, __version__)
    assert ok["problems"] == [] and (probe / ok["wrote"]).read_text(encoding="utf-8") == "t0k3n"
    other = probe_worker(str(probe), "another", [str(tmp_path / "not-mounted")], "http://127.0.0.1:1/api", "0.0.0")
    text = " | ".join(other["problems"])
    assert "another token" in text and "not-mounted" in text and "Prefect API" in text and "0.0.0" in text
    gone = probe_worker(str(tmp_path / "elsewhere"), "t0k3n", [], None, __version__)
    assert any("not on storage it shares" in p for p in gone["problems"]) and not gone["wrote"]


def test_check_workers_asks_every_worker_of_a_real_cluster(tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    # worker threads in this process: the probe's round trip through a scheduler is what is tested here
    with LocalCluster(n_workers=2, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address=None) as cluster, \
            Client(cluster, set_as_default=False) as client:
        assert check_workers(client, tmp_path / "out", [SAMPLES / "manifest.yaml"], None) == 2
        assert [p.name for p in (tmp_path / "out").iterdir()] == [], "the probe folder is removed"
        with pytest.raises(InputError, match="cannot read .*not-mounted") as err:
            check_workers(client, tmp_path / "out", [tmp_path / "not-mounted"], None)
        assert err.value.where == "--dask-address" and "shared storage" in err.value.fix
