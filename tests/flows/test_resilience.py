"""Resilience under faults: real audit processes killed with SIGKILL and run again, a catalog in use, sources that
fail (unreadable, permission denied, disk full) and transient I/O errors retried by Prefect.

Faults are made real: the process is killed by the kernel (flows/faults.py only picks the moment), permissions are
enforced by the kernel on a process without the capabilities that let root ignore them, the disk is a real tmpfs
that fills up, and the unreadable file gives a real EIO. Subprocess audits talk to the session's Prefect test API
(no ephemeral server start per process). Every audit runs on a private copy of data_samples.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows import faults
from flows.audit import _retry_transient, run_audit
from provenance.errors import InputError
from provenance.scan import ShardWriteError, is_transient
from tests.conftest import ROOT, SAMPLES

pytestmark = pytest.mark.usefixtures("prefect_api")
EXPECTED = json.loads((SAMPLES / "EXPECTED.json").read_text(encoding="utf-8"))
TIMEOUT = 600  # seconds; a hung audit fails the test instead of the suite's timeout


@pytest.fixture()
def samples(tmp_path: Path) -> Path:
    dest = tmp_path / "samples"
    shutil.copytree(SAMPLES, dest, ignore=shutil.ignore_patterns("generate.py", "*.md", "EXPECTED.json"))
    return dest


@pytest.fixture(scope="module")
def baseline(prefect_api: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """An uninterrupted audit of the sample data: what every recovered audit must equal (done once per module)."""
    root = tmp_path_factory.mktemp("baseline")
    shutil.copytree(SAMPLES, root / "samples", ignore=shutil.ignore_patterns("generate.py", "*.md", "EXPECTED.json"))
    result = run_audit(root / "samples" / "manifest.yaml", out=root / "out")
    return json.loads(result.disclosure.read_text(encoding="utf-8"))


def _env(**extra: str) -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    env = {k: v for k, v in os.environ.items() if k != faults.ENV}
    env["PREFECT_API_URL"] = PREFECT_API_URL.value()  # the session's test API: no server start per process
    env["PROVENANCE_SCAN_RETRY_DELAYS"] = "0"
    env.update(extra)
    return env


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("provenance")
    return [str(script)] if script.exists() else [sys.executable, "-m", "flows.cli"]


def _audit(manifest: Path, out: Path, *args: str, fault: str | None = None, prefix: list[str] | None = None,
           **kwargs: Any) -> subprocess.CompletedProcess:
    env = _env(**({faults.ENV: fault} if fault else {}))
    return subprocess.run([*(prefix or []), *_cli(), "audit", str(manifest), "--out", str(out), "--no-progress",
                           *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT, **kwargs)


def _query(db: Path, query: str, params: list[Any] | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, params or []).fetchall()
    finally:
        con.close()


def _figures(doc: dict[str, Any], *, statuses: bool = True) -> dict[str, Any]:
    """What an audit found: per source scale, file statuses, licence, PII, duplicates, diversity; totals; findings."""
    keys = ["scale", "license", "pii", "duplicates", "diversity", "quality", "type"] + (["files_status"] * statuses)
    return {
        "sources": {s["id"]: {k: s[k] for k in keys} for s in doc["sources"]},
        "totals": doc["totals"],
        "corpus": doc["corpus"],
        "findings_summary": doc["findings_summary"],
        "findings": sorted(json.dumps(f, sort_keys=True, ensure_ascii=False) for f in doc["findings"]),
    }


def _assert_documents_whole(db: Path) -> None:
    """Every file version holds exactly its accepted records, once: nothing lost, nothing counted twice."""
    bad = _query(db, "SELECT v.version_id, v.records_ok, count(d.ordinal), count(DISTINCT d.ordinal) "
                     "FROM file_versions v LEFT JOIN documents d USING (version_id) GROUP BY ALL "
                     "HAVING v.records_ok <> count(d.ordinal) OR count(d.ordinal) <> count(DISTINCT d.ordinal)")
    assert bad == []


def _run_files(db: Path, run_id: str) -> dict[str, tuple]:
    rows = _query(db, "SELECT f.path, f.member, f.status, v.records_ok, v.records_rejected, f.error_code, f.error "
                      "FROM files f LEFT JOIN file_versions v USING (version_id) WHERE f.run_id = ?", [run_id])
    return {p + (f"!{m}" if m else ""): (s, ok, rej, code, err) for p, m, s, ok, rej, code, err in rows}


def _latest_scan_attempts() -> list[int]:
    """run_count of each scan task of the latest audit flow run, read back from the Prefect API."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, TaskRunFilter, TaskRunFilterName
    from prefect.client.schemas.sorting import FlowRunSort

    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=1)[0]
        task_runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run.id])),
                                          task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_="scan-files")))
    return sorted(t.run_count for t in task_runs)


# -- the fault seam and the retry condition ------------------------------------------------------------------------

def test_fault_spec_is_checked_and_a_misspelt_one_stops_the_audit(samples: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    assert faults.parse("kill:after_load:2, ioerror:scan_unit:1") == {
        "after_load": [faults.Fault("kill", "after_load", 2)], "scan_unit": [faults.Fault("ioerror", "scan_unit", 1)]}
    for bad in ("kill:after_lod:1", "explode:after_load:1", "kill:after_load", "kill:after_load:0"):
        with pytest.raises(InputError, match="ACTION:POINT:N"):
            faults.parse(bad)
    monkeypatch.setenv(faults.ENV, "kill:after_lod:1")
    with pytest.raises(InputError, match="after_lod"):
        run_audit(samples / "manifest.yaml", out=tmp_path / "out")
    assert not (tmp_path / "out" / "audit.duckdb").exists(), "rejected before any work starts"


@pytest.mark.parametrize("exc, retried", [
    (OSError(errno.EIO, "eio"), True), (OSError(errno.EAGAIN, "again"), True), (TimeoutError(errno.ETIMEDOUT, "t"), True),
    (OSError(errno.ESTALE, "stale"), True), (OSError(errno.EBUSY, "busy"), True),
    (FileNotFoundError(errno.ENOENT, "gone"), False), (PermissionError(errno.EACCES, "denied"), False),
    (ShardWriteError(errno.ENOSPC, "full"), False), (ValueError("a bug"), False), (None, False)])
def test_only_transient_io_errors_are_retried(exc: BaseException | None, retried: bool) -> None:
    from prefect.states import Failed

    assert is_transient(exc) is retried
    assert _retry_transient(None, None, Failed(data=exc)) is retried


# -- kill and rerun ----------------------------------------------------------------------------------------------------

# one audit process per kill, each on what the runs killed before it left; after_license is the kill of the test
# after this one (a subprocess audit costs seconds of start-up, so no point is killed twice)
KILLS = ["kill:after_planning:1", "kill:before_shard_write:2", "kill:before_load_commit:2", "kill:after_load:2",
         "kill:after_pii:1", "kill:during_duplicates:1", "kill:before_report:1"]


def test_killed_at_every_point_then_rerun_equals_an_uninterrupted_audit(samples: Path, tmp_path: Path,
                                                                        baseline: dict[str, Any]) -> None:
    # every point of the seam is exercised: killed here or in the next test, or (scan_unit) given an I/O error
    assert {k.split(":")[1] for k in KILLS} | {"after_license", "scan_unit"} == set(faults.POINTS)
    out = tmp_path / "out"
    db = out / "audit.duckdb"
    foreign = out / ".shards-20990101T000000Z-0ther0"  # not a run of this catalog: another audit's, left alone
    foreign.mkdir(parents=True)
    killed: list[str] = []
    for fault in KILLS:
        proc = _audit(samples / "manifest.yaml", out, fault=fault)
        assert proc.returncode == -signal.SIGKILL, (fault, proc.returncode, proc.stderr[-2000:])
        run_id, status = _query(db, "SELECT run_id, status FROM runs ORDER BY started_at DESC LIMIT 1")[0]
        assert run_id not in killed and status == ("completed" if fault == KILLS[-1] else "running"), fault
        assert (out / f".shards-{run_id}").is_dir(), "SIGKILL leaves the shard folder behind"
        if killed:  # the run before died: this one marked it and removed its shards
            assert "left running by a process that is gone" in proc.stderr, fault
            assert _query(db, "SELECT status FROM runs WHERE run_id = ?", [killed[-1]]) == [("interrupted",)]
            assert not (out / f".shards-{killed[-1]}").exists()
        _assert_documents_whole(db)  # a killed load leaves whole files or nothing
        killed.append(run_id)
    assert not (out / "disclosure.json").exists(), "no killed run got as far as writing its report"

    last = run_audit(samples / "manifest.yaml", out=out).run_id  # in this process: the dead one's lock is gone
    runs = dict(_query(db, "SELECT run_id, status FROM runs"))
    assert [runs[r] for r in killed] == ["interrupted"] * (len(KILLS) - 1) + ["completed"]
    assert runs[last] == "completed"
    assert sorted(p.name for p in out.glob(".shards-*")) == [foreign.name], "dead runs' shards are removed"

    doc = json.loads((out / "disclosure.json").read_text(encoding="utf-8"))
    assert doc["run"]["id"] == last
    # the before_report run completed: it is the baseline of the last run, whose files are all unchanged
    assert _figures(doc, statuses=False) == _figures(baseline, statuses=False)
    assert {s["id"]: s["files_status"] for s in doc["sources"]} == {
        s["id"]: {**s["files_status"], "added": 0, "unchanged": s["files_status"]["added"]} for s in baseline["sources"]}
    # the completed run that was killed before its report: statuses as in an uninterrupted first audit, although
    # it took over what the dead runs had loaded
    complete_killed = killed[-1]
    assert {v[0] for v in _run_files(db, complete_killed).values()} == {"added"}
    files = _run_files(db, last)
    assert set(files) == set(EXPECTED["files"]), "no file missing"
    for name, exp in EXPECTED["files"].items():
        assert files[name][1:3] == (exp["accepted"], exp["rejected"]), name
    _assert_documents_whole(db)
    assert _query(db, "SELECT count(*) FROM documents") == [(EXPECTED["total"]["accepted"],)], "each document once"


def test_rerun_after_a_kill_reports_changes_against_the_last_completed_audit(samples: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_audit(samples / "manifest.yaml", out=out)
    tsv = samples / "en_tsv" / "reviews.tsv"
    tsv.write_bytes(tsv.read_bytes() + b"1\tone more review, added later\n")
    (samples / "zh_news" / "part-0003.jsonl").write_text('{"text": "新增的一条新闻。"}\n', encoding="utf-8")
    (samples / "qa_pairs.parquet").unlink()
    # the changed and the added file are loaded, the licence stage is done, then the process dies
    proc = _audit(samples / "manifest.yaml", out, fault="kill:after_license:1")
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    rerun = run_audit(samples / "manifest.yaml", out=out)
    assert rerun.files_read == 0, "what the killed run loaded is taken over, not read again"
    statuses = {name: row[0] for name, row in _run_files(out / "audit.duckdb", rerun.run_id).items()}
    assert statuses.pop("en_tsv/reviews.tsv") == "changed", "against the completed run, not the killed one"
    assert statuses.pop("zh_news/part-0003.jsonl") == "added"
    assert statuses.pop("qa_pairs.parquet") == "removed", "the killed run had recorded it; the rerun must too"
    assert set(statuses.values()) == {"unchanged"}
    assert rerun.documents == first.documents + 2 - EXPECTED["files"]["qa_pairs.parquet"]["accepted"]
    _assert_documents_whole(out / "audit.duckdb")


# -- catalog in use ------------------------------------------------------------------------------------------------

def test_second_audit_on_a_catalog_in_use_by_a_running_audit_exits_2(samples: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = subprocess.Popen([*_cli(), "audit", str(samples / "manifest.yaml"), "--out", str(out), "--no-progress"],
                             env=_env(**{faults.ENV: "pause:after_planning:1"}), cwd=ROOT, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in first.stderr:  # the first audit holds the catalog, paused after planning
            if "paused at after_planning" in line:
                break
        else:
            pytest.fail(f"the first audit ended before pausing: {first.wait()}")
        second = _audit(samples / "manifest.yaml", tmp_path / "other-out", "--db", str(out / "audit.duckdb"))
        assert second.returncode == 2, second.stderr[-2000:]
        assert "is in use" in second.stderr and "fix:" in second.stderr and "Traceback" not in second.stderr
        stdout, stderr = first.communicate("\n", timeout=TIMEOUT)  # resume: the refused audit disturbed nothing
        assert first.returncode == 0, stderr[-3000:]
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert [r[0] for r in _query(out / "audit.duckdb", "SELECT status FROM runs")] == ["completed"]
    assert not (tmp_path / "other-out" / "audit.duckdb").exists()


# -- a failing source fails alone ------------------------------------------------------------------------------------

def _source_figures(doc: dict[str, Any]) -> dict[str, Any]:
    return {s["id"]: {k: s[k] for k in ("scale", "pii", "duplicates", "diversity")} for s in doc["sources"]}


def _without_caps_prefix() -> list[str]:
    """A command prefix that runs what follows without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH, so file modes apply.

    Tests run as root, which ignores modes. Switching to `nobody` is not possible here: the interpreter lives under
    /root (mode 700). Dropping the two capabilities from the bounding set before exec makes root as bound by
    permissions as any user, for the audit process and its children."""
    if os.geteuid() != 0:
        return []
    code = ("import ctypes, os, sys; libc = ctypes.CDLL(None, use_errno=True)\n"
            "for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH\n"
            "    if libc.prctl(24, cap, 0, 0, 0): sys.exit(f'PR_CAPBSET_DROP failed: {ctypes.get_errno()}')\n"
            "os.execvp(sys.argv[1], sys.argv[1:])")
    return [sys.executable, "-c", code]


def test_unreadable_file_fails_alone_and_is_reported(samples: Path, tmp_path: Path, baseline: dict[str, Any]) -> None:
    locked = samples / "zh_news" / "part-0009.jsonl"
    locked.write_text('{"text": "nobody may read this"}\n', encoding="utf-8")
    locked.chmod(0)
    prefix = _without_caps_prefix()
    probe = subprocess.run([*prefix, sys.executable, "-c", f"open({str(locked)!r}).read()"], capture_output=True,
                           text=True, timeout=60)
    if "PermissionError" not in probe.stderr:
        pytest.skip(f"cannot run a process that file modes apply to here: {probe.stderr.strip()[-300:]}")
    proc = _audit(samples / "manifest.yaml", tmp_path / "out", prefix=prefix)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert _latest_scan_attempts()[-1] == 1, "permission denied is not retried"
    doc = json.loads((tmp_path / "out" / "disclosure.json").read_text(encoding="utf-8"))
    files = _run_files(tmp_path / "out" / "audit.duckdb", doc["run"]["id"])
    assert files["zh_news/part-0009.jsonl"][0] == "failed"
    assert files["zh_news/part-0009.jsonl"][3:] == ("SCAN_UNREADABLE_FILE", "permission denied")
    found = [f for f in doc["findings"] if f["code"] == "SCAN_UNREADABLE_FILE"]
    assert [(f["source"], f["path"], f["severity"]) for f in found] == [("zh-news", "zh_news/part-0009.jsonl", "high")]
    # everything else is complete: every other file's records, and every source's figures, as without the file
    for name, exp in EXPECTED["files"].items():
        assert files[name][1:3] == (exp["accepted"], exp["rejected"]), name
    assert _source_figures(doc) == _source_figures(baseline)
    news = next(s for s in doc["sources"] if s["id"] == "zh-news")
    assert news["files_status"]["failed"] == 1


def test_file_with_persistent_io_errors_is_retried_then_fails_alone(samples: Path, tmp_path: Path,
                                                                     baseline: dict[str, Any],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # reading /proc/self/mem at offset 0 fails with EIO every time: a real, lasting I/O error (a bad sector, a dead
    # network mount), which the scan task retries like a transient one and then gives up on, for this file only
    (samples / "zh_news" / "part-0009.jsonl").symlink_to("/proc/self/mem")
    monkeypatch.setenv("PROVENANCE_SCAN_RETRY_DELAYS", "0")
    result = run_audit(samples / "manifest.yaml", out=tmp_path / "out")
    assert _latest_scan_attempts()[-1] == 3, "the batch holding the file was tried three times"
    files = _run_files(result.db, result.run_id)
    assert files["zh_news/part-0009.jsonl"][0] == "failed"
    assert files["zh_news/part-0009.jsonl"][3:] == ("SCAN_UNREADABLE_FILE", "cannot read: Input/output error")
    for name, exp in EXPECTED["files"].items():
        assert files[name][1:3] == (exp["accepted"], exp["rejected"]), name
    doc = json.loads(result.disclosure.read_text(encoding="utf-8"))
    assert _source_figures(doc) == _source_figures(baseline)
    assert [f["path"] for f in doc["findings"] if f["code"] == "SCAN_UNREADABLE_FILE"] == ["zh_news/part-0009.jsonl"]
    _assert_documents_whole(result.db)


@pytest.fixture()
def small_disk(tmp_path: Path):
    """A real 1 MiB file system (tmpfs) for the audit's --out folder, or a skip saying why there is none."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_disk_full_fails_the_file_that_needs_the_space_alone(samples: Path, tmp_path: Path, small_disk: Path,
                                                             baseline: dict[str, Any]) -> None:
    # 70,000 records: their documents shard (~3.5 MB) cannot fit on the 1 MiB disk; the other shards and the
    # report can, once the failed file's partial shard is deleted
    (samples / "bulk").mkdir()
    with open(samples / "bulk" / "many.jsonl", "w", encoding="utf-8") as f:
        f.writelines(f'{{"text": "record {i}"}}\n' for i in range(70_000))
    manifest = samples / "manifest.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + """
  - id: bulk
    name: Many small records
    stage: pretraining
    paths: [bulk/many.jsonl]
    format: jsonl
    text_field: text
    license: {declared: CC0-1.0}
    personal_information: {consent_basis: not_applicable}
""", encoding="utf-8")
    db = tmp_path / "catalog" / "audit.duckdb"  # on the big disk: only the shards and the report are on the small one
    result = run_audit(manifest, db=db, out=small_disk, stages=["scan", "license"], workers=1)
    files = _run_files(db, result.run_id)
    status, _, _, code, error = files["bulk/many.jsonl"]
    assert (status, code) == ("failed", "SCAN_WRITE_FAILED") and "No space left on device" in error
    for name, exp in EXPECTED["files"].items():
        assert files[name][1:3] == (exp["accepted"], exp["rejected"]), name
    doc = json.loads(result.disclosure.read_text(encoding="utf-8"))
    fields = ("files", "documents", "bytes", "text_bytes", "characters", "rejected_records", "replaced_records")
    scale = {s["id"]: {k: s["scale"][k] for k in fields} for s in doc["sources"]}
    assert scale.pop("bulk") == dict.fromkeys(fields, 0)
    assert scale == {s["id"]: {k: s["scale"][k] for k in fields} for s in baseline["sources"]}
    found = [f for f in doc["findings"] if f["code"] == "SCAN_WRITE_FAILED"]
    assert [(f["source"], f["path"]) for f in found] == [("bulk", "bulk/many.jsonl")]
    assert not list(small_disk.glob(".shards-*")), "temporary space is given back"
    _assert_documents_whole(db)


# -- transient errors and temporary space ------------------------------------------------------------------------

def test_transient_io_error_is_retried_and_leaves_no_trace(samples: Path, tmp_path: Path, baseline: dict[str, Any],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    faults.reset()
    monkeypatch.setenv(faults.ENV, "ioerror:scan_unit:1")
    monkeypatch.setenv("PROVENANCE_SCAN_RETRY_DELAYS", "0")
    result = run_audit(samples / "manifest.yaml", out=tmp_path / "out")
    attempts = _latest_scan_attempts()
    assert attempts[-1] == 2 and attempts.count(2) == 1, "one batch was tried again, once"
    doc = json.loads(result.disclosure.read_text(encoding="utf-8"))
    assert _figures(doc) == _figures(baseline)
    assert not any(f["code"] == "SCAN_UNREADABLE_FILE" for f in doc["findings"])
    _assert_documents_whole(result.db)
    assert not list((tmp_path / "out").glob(".shards-*")), "a completed run removes its shards"


def test_shards_are_removed_when_a_run_fails(samples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    faults.reset()
    out = tmp_path / "out"
    monkeypatch.setenv(faults.ENV, "ioerror:after_license:1")  # an error in the flow itself fails the run
    with pytest.raises(OSError, match="injected I/O error"):
        run_audit(samples / "manifest.yaml", out=out)
    assert _query(out / "audit.duckdb", "SELECT status FROM runs") == [("failed",)]
    assert not list(out.glob(".shards-*"))
