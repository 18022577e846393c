"""Scheduled audits, the worse-run marking and `provenance runs`, on a real Prefect API, real DuckDB and real files.

The worse-run tests audit a copy of data_samples three times into one catalog: as it is, unchanged, then with
made-up personal data appended to a source declared anonymised and a mirror of another source added. The schedule
test runs `provenance schedule` as a subprocess against the session's Prefect API, triggers the served deployment
twice and reads the catalog.
"""

from __future__ import annotations

import copy
import json
import os
import queue
import random
import re
import shutil
import signal
import string
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
import yaml
from click.testing import CliRunner, Result

from detectors.pii.validators import cn_mobile_valid
from flows.cli import cli
from provenance.catalog import Catalog
from provenance.errors import CatalogError
from provenance.regression import WorseOptions, check_run, describe
from tests.conftest import ROOT, SAMPLES

STAGES = ["scan", "license", "pii", "duplicates"]  # what the verdict reads; notices and diversity add only time


def copy_samples(dest: Path) -> Path:
    shutil.copytree(SAMPLES, dest, ignore=shutil.ignore_patterns("generate.py", "*.md", "EXPECTED.json"))
    return dest


def run_cli(*args) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


MOBILE_PREFIXES = ("136", "138", "151", "187", "189")
NOTES = ["退货请联系售后专员，电话{m}，邮箱{e}。", "物流延误可拨打{m}咨询，或发邮件至{e}。",
         "发票问题请致电{m}，资料发送到{e}。", "会员积分兑换请联系{m}，或写信至{e}。",
         "以旧换新活动报名电话{m}，邮箱{e}。", "维修预约请拨打{m}，确认信将发到{e}。"]


def fabricated_contacts(n: int, seed: int) -> list[tuple[str, str]]:
    """n (mobile, e-mail) pairs made up here: numbers in allocated mainland blocks (the PII stage's validator must
    accept them) and addresses at example.cn, which nobody can own."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        mobile = rng.choice(MOBILE_PREFIXES) + "".join(rng.choice(string.digits) for _ in range(8))
        assert cn_mobile_valid(mobile), mobile
        out.append((mobile, "".join(rng.choice(string.ascii_lowercase) for _ in range(7)) + "@example.cn"))
    return out


def stored_check(db: Path, run_id: str) -> dict:
    with Catalog.open(db, read_only=True) as catalog:
        rows = catalog.query("SELECT * FROM run_checks WHERE run_id = ?", [run_id])
    assert len(rows) == 1, rows
    row = rows[0]
    row["reasons"] = json.loads(row["reasons"])
    row["margins"] = json.loads(row["margins"])
    return row


# -- worse-run marking -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def audits(tmp_path_factory, prefect_api) -> dict:
    from flows.audit import run_audit

    tmp = tmp_path_factory.mktemp("worse")
    samples = copy_samples(tmp / "samples")
    db = tmp / "audit.duckdb"
    first = run_audit(samples / "manifest.yaml", db=db, out=tmp / "out", stages=STAGES)
    same = run_audit(samples / "manifest.yaml", db=db, out=tmp / "out", stages=STAGES)

    contacts = fabricated_contacts(len(NOTES), seed=20261207)
    with open(samples / "en_tsv" / "reviews.tsv", "a", encoding="utf-8") as f:  # en-tsv is declared anonymised
        for note, (mobile, email) in zip(NOTES, contacts):
            f.write("neg\t" + note.format(m=mobile, e=email) + "\n")
    manifest = yaml.safe_load((samples / "manifest.yaml").read_text(encoding="utf-8"))
    forum = next(s for s in manifest["sources"] if s["id"] == "en-forum")
    (samples / "mirror").mkdir()
    shutil.copy(samples / "en_forum" / "posts.csv", samples / "mirror" / "posts.csv")
    manifest["sources"].append({**copy.deepcopy(forum), "id": "en-forum-mirror", "name": "Mirror of the forum",
                                "paths": ["mirror/posts.csv"]})
    (samples / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False),
                                           encoding="utf-8")
    worse = run_audit(samples / "manifest.yaml", db=db, out=tmp / "out", stages=STAGES)
    return {"tmp": tmp, "db": db, "runs": [first.run_id, same.run_id, worse.run_id],
            "planted": [v for pair in contacts for v in pair]}


def test_the_first_run_has_nothing_to_compare_with(audits) -> None:
    check = stored_check(audits["db"], audits["runs"][0])
    assert check["previous_run_id"] is None and check["worse"] is None and check["reasons"] == []
    assert check["margins"] == {"pii_rate": 0.01, "near_duplicate_rate": 0.02}


def test_an_unchanged_rerun_is_not_worse(audits) -> None:
    first, same, _ = audits["runs"]
    check = stored_check(audits["db"], same)
    assert check["previous_run_id"] == first
    assert check["worse"] is False and check["reasons"] == [] and check["not_compared"] == []


def test_added_personal_data_and_a_mirror_make_the_run_worse(audits) -> None:
    from provenance.report_diff import trend

    _, same, worse = audits["runs"]
    check = stored_check(audits["db"], worse)
    assert check["previous_run_id"] == same and check["worse"] is True
    by_kind = {r["kind"]: r for r in check["reasons"]}
    assert set(by_kind) == {"new_high_findings", "pii_rate", "near_duplicate_rate"}
    new = {(f["code"], f["source_id"]): f for f in by_kind["new_high_findings"]["findings"]}
    # the planted contacts: personal information in a source declared anonymised, which it had none of before
    assert new[("PII_IN_ANONYMISED", "en-tsv")]["severity"] == "high"
    # the mirror brings its own findings; findings en-forum already had are not new
    assert ("PII_NO_CONSENT", "en-forum-mirror") in new and not any(s == "en-forum" for _, s in new)
    assert by_kind["new_high_findings"]["count"] == len(new)
    with Catalog.open(audits["db"], read_only=True) as catalog:
        rows = {r["run_id"]: r for r in trend(catalog)}
    for key in ("pii_rate", "near_duplicate_rate"):  # the rates are trend's, compared with their margins
        reason = by_kind[key]
        assert (reason["before"], reason["after"]) == (rows[same][key], rows[worse][key])
        assert reason["delta"] == pytest.approx(reason["after"] - reason["before"]) and reason["delta"] > reason[
            "margin"]
    # the planted contacts add len(NOTES) documents with PII to the analysed ones
    assert rows[worse]["pii_documents_with_pii"] - rows[same]["pii_documents_with_pii"] >= len(NOTES)
    assert rows[worse]["worse"] is True and rows[same]["worse"] is False and rows[audits["runs"][0]]["worse"] is None


def test_the_margins_decide_the_rate_reasons(audits) -> None:
    _, same, worse = audits["runs"]
    with Catalog.open(audits["db"], read_only=True) as catalog:  # check_run computes only: read-only is enough
        wide = check_run(catalog, worse, WorseOptions(pii_margin=0.5, dup_margin=0.5))
        zero = check_run(catalog, same, WorseOptions(pii_margin=0.0, dup_margin=0.0))
        with pytest.raises(CatalogError, match="not a completed run"):
            check_run(catalog, "20990101T000000Z-nope00")
    assert wide.worse is True and [r["kind"] for r in wide.reasons] == ["new_high_findings"]
    assert zero.worse is False  # nothing rose at all: even a zero margin is not exceeded
    assert stored_check(audits["db"], worse)["margins"] == {"pii_rate": 0.01, "near_duplicate_rate": 0.02}


def test_runs_command_shows_the_verdicts_and_their_reasons(audits) -> None:
    first, same, worse = audits["runs"]
    result = run_cli("runs", "--db", audits["db"], "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["run_id"] for r in rows] == [worse, same, first]
    assert [r["worse"] for r in rows] == [True, False, None]
    assert [r["compared_with"] for r in rows] == [same, first, None]
    assert {r["kind"] for r in rows[0]["worse_reasons"]} == {"new_high_findings", "pii_rate", "near_duplicate_rate"}
    assert rows[0]["sources"] == rows[1]["sources"] + 1 and rows[0]["documents"] > rows[1]["documents"]
    assert rows[0]["pii_rate"] > rows[1]["pii_rate"] == rows[2]["pii_rate"]
    assert all(r["status"] == "completed" and r["bytes"] > 0 and r["high_findings"] > 0 for r in rows)

    last = run_cli("runs", "--db", audits["db"], "--format", "json", "--last", "2")
    assert [r["run_id"] for r in json.loads(last.stdout)] == [worse, same]

    csv = run_cli("runs", "--db", audits["db"], "--format", "csv")
    assert csv.exit_code == 0, csv.output
    header, *lines = csv.stdout.splitlines()
    assert header.split(",")[-3:] == ["worse", "compared_with", "worse_reasons"]
    assert lines[0].startswith(worse) and ",yes," in lines[0] and "PII_IN_ANONYMISED (en-tsv)" in lines[0]
    assert "PII rate" in lines[0] and ",no," in lines[1]

    table = run_cli("runs", "--db", audits["db"])
    assert table.exit_code == 0 and "yes" in table.stdout and "—" in table.stdout
    # no value the PII stage found reaches any form of the history
    for text in (result.stdout, csv.stdout, table.stdout):
        assert not any(v in text for v in audits["planted"])


def test_trend_shows_the_verdict(audits) -> None:
    first, same, worse = audits["runs"]
    result = run_cli("trend", "--db", audits["db"], "--format", "json")
    rows = json.loads(result.stdout)
    assert [(r["run_id"], r["worse"]) for r in rows] == [(first, None), (same, False), (worse, True)]
    md = run_cli("trend", "--db", audits["db"], "--format", "md")
    assert "Worse than previous" in md.stdout
    assert re.search(rf"`{worse}`.*\| yes \|", md.stdout) and re.search(rf"`{same}`.*\| no \|", md.stdout)
    zh = run_cli("trend", "--db", audits["db"], "--format", "md", "--lang", "zh")
    assert "较上次变差" in zh.stdout and re.search(rf"`{worse}`.*\| 是 \|", zh.stdout)


def test_a_worse_run_emits_the_prefect_event(audits) -> None:
    from prefect.client.orchestration import get_client
    from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter

    from flows.schedule import WORSE_EVENT, catalog_resource_id

    _, same, worse = audits["runs"]
    wanted = EventFilter(event=EventNameFilter(name=[WORSE_EVENT]),
                         resource=EventResourceFilter(id=[catalog_resource_id(audits["db"])]))
    deadline = time.monotonic() + 120  # events are written by the API's event persister, in batches
    events = []
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            events = client.read_events(filter=wanted, limit=10).events  # the client's default 100 > the API's 50
            if events:
                break
            time.sleep(1)
    assert len(events) == 1, "exactly one run (the worse one) emits the event"
    payload = events[0].payload
    assert (payload["run_id"], payload["previous_run_id"]) == (worse, same)
    assert payload["catalog"] == str(audits["db"]) and "PII_IN_ANONYMISED (en-tsv)" in payload["summary"]
    assert {r["kind"] for r in payload["reasons"]} == {"new_high_findings", "pii_rate", "near_duplicate_rate"}
    assert not any(v in json.dumps(payload, ensure_ascii=False) for v in audits["planted"])
    # the audit's flow run is attached, so an automation's notification can link to it
    assert any(r.get("prefect.resource.role") == "flow-run" for r in events[0].related)


def test_describe_gives_one_line_without_values() -> None:
    text = describe([{"kind": "new_high_findings", "count": 2, "more": 0,
                      "findings": [{"code": "LIC_UNKNOWN", "source_id": "a"}, {"code": "X", "source_id": None}]},
                     {"kind": "near_duplicate_rate", "before": 0.03, "after": 0.1, "delta": 0.07, "margin": 0.02}])
    assert text == ("2 new high/critical finding group(s): LIC_UNKNOWN (a), X (corpus); near-duplicate rate "
                    "3.00% → 10.00% (+7.00 pp, margin 2.00 pp)")


@pytest.mark.parametrize("option", ["--worse-pii-margin", "--worse-dup-margin"])
def test_a_margin_outside_0_1_is_a_usage_error(tmp_path: Path, option: str) -> None:
    result = run_cli("audit", SAMPLES / "manifest.yaml", "--out", tmp_path / "out", option, "1.5")
    assert result.exit_code == 2, result.output
    assert f"Error: {option}:" in result.stderr and "fix:" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()  # refused before anything was written


def test_the_readme_automation_example_is_a_valid_prefect_automation() -> None:
    from prefect.events.schemas.automations import AutomationCore

    from flows.schedule import WORSE_EVENT, catalog_resource_id

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(# provenance-worse-automation\.yaml.*?)```", readme, re.S)
    assert block, "the automation example is missing from README.md"
    automation = AutomationCore.model_validate(yaml.safe_load(block.group(1)))
    assert automation.trigger.expect == {WORSE_EVENT}
    pattern = automation.trigger.match.root["prefect.resource.id"]
    assert re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), catalog_resource_id("/data/corpus.duckdb"))
    assert automation.actions[0].type == "send-notification"


# -- provenance schedule ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, option, hint", [
    (["--cron", "61 3 * * 1"], "--cron", '--cron "0 3 * * 1"'),
    (["--cron", "every monday"], "--cron", '--cron "0 3 * * 1"'),
    (["--cron", "0 3 * * 1", "--timezone", "Mars/Olympus"], "--timezone", "Asia/Shanghai"),
    (["--cron", "0 3 * * 1", "--name", "weekly/audit"], "--name", "--name weekly-audit"),
    (["--cron", "0 3 * * 1", "--worse-dup-margin", "-0.1"], "--worse-dup-margin", "--worse-dup-margin 0.01"),
    (["--cron", "0 3 * * 1", "--stages", "scan,nope"], "--stages", "choose from"),
    (["--cron", "0 3 * * 1", "--dask-address", "tcp://127.0.0.1:8786"], "--dask-address", "add --runner dask"),
    (["--cron", "0 3 * * 1", "--runner", "dask", "--dask-address", "10.0.0.5"], "--dask-address", "tcp://"),
    (["--cron", "0 3 * * 1", "--workers", "0"], "--workers", "--workers 1"),
    (["--cron", "0 3 * * 1", "--pii-ner", "en=no_such_model_xx"], "--pii-ner", "never downloads"),
])
def test_bad_schedule_input_exits_2_naming_the_option(tmp_path: Path, args: list, option: str, hint: str) -> None:
    result = run_cli("schedule", SAMPLES / "manifest.yaml", "--db", tmp_path / "c.duckdb", *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: {option}:") and hint in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "c.duckdb").exists()  # nothing registered, no catalog created


def test_schedule_without_cron_or_with_a_bad_manifest_exits_2(tmp_path: Path) -> None:
    assert run_cli("schedule", SAMPLES / "manifest.yaml").exit_code == 2  # --cron is required
    bad = tmp_path / "manifest.yaml"
    bad.write_text("dataset: {name: x}\nsources: []\n", encoding="utf-8")
    result = run_cli("schedule", bad, "--cron", "0 3 * * 1", "--db", tmp_path / "c.duckdb")
    assert result.exit_code == 2 and "problem" in result.stderr and not (tmp_path / "c.duckdb").exists()


def test_schedule_takes_every_audit_option_and_hands_each_to_the_flow() -> None:
    # a scheduled audit is the same audit on a timer: the options cannot drift apart (they are declared once, in
    # flows/cli_options.py), and each reaches the deployment's flow as a parameter it declares
    from flows.cli import audit
    from flows.schedule import scheduled_audit
    from flows.schedule_cli import schedule

    audit_names = {p.name for p in audit.params} - {"fail_on", "progress"}  # a served run has no exit code or tty
    schedule_names = {p.name for p in schedule.params}
    assert audit_names <= schedule_names
    assert schedule_names - audit_names == {"cron", "name", "timezone"}
    flow_parameters = set(scheduled_audit.parameters.properties)
    renamed = {"manifest_file": "manifest_path", "out_dir": "out", "dup_bands": "dup_rows"}
    for name in sorted(audit_names):
        assert renamed.get(name, name) in flow_parameters, name
    assert {"runner", "dask_address", "pii_ner"} <= flow_parameters


def test_the_deployment_carries_a_cron_schedule_and_json_parameters(tmp_path: Path) -> None:
    from flows.schedule import FLOW_NAME, build_deployment, check_cron, scheduled_audit

    parameters = {"manifest_path": str(SAMPLES / "manifest.yaml"), "db": str(tmp_path / "c.duckdb"),
                  "out": str(tmp_path / "out"), "stages": ["scan"], "pii_sample": 5, "worse_pii_margin": 0.05}
    deployment = build_deployment("nightly", "30 2 * * *", "Asia/Shanghai", parameters)
    assert (deployment.name, deployment.flow_name) == ("nightly", FLOW_NAME)
    (schedule,) = deployment.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("30 2 * * *", "Asia/Shanghai")
    assert json.loads(json.dumps(deployment.parameters)) == parameters
    assert deployment.entrypoint == "flows.schedule.scheduled_audit" and not deployment.paused
    # every parameter is one the flow declares (the API enforces the flow's parameter schema)
    assert set(parameters) <= set(scheduled_audit.parameters.properties)
    dates = check_cron("30 2 * * *", "Asia/Shanghai")
    assert len(dates) == 3 and all((d.hour, d.minute) == (2, 30) for d in dates) and dates == sorted(dates)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Served:
    """`provenance schedule` in a subprocess, its stdout read line by line in a thread."""

    def __init__(self, args: list[str], env: dict[str, str]):
        # SIGINT back to its default in the child: a test run started in the background by a shell without job
        # control (`(make test &)`) inherits SIGINT ignored, Python then installs no Ctrl-C handler, and stop()'s
        # SIGINT was lost (reproduced: the served process hung until killed); in a terminal, where a user presses
        # Ctrl-C, it is never ignored
        self.proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "schedule", *args], cwd=ROOT, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     preexec_fn=_default_sigint)
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    break
                continue
            self.output.append(line)
            if text in line:
                return
        raise AssertionError(f"{text!r} not printed; output so far:\n{''.join(self.output)}")

    def rest(self) -> str:
        while not self.lines.empty():
            self.output.append(self.lines.get())
        return "".join(self.output)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
            try:
                self.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                # still running: SIGABRT makes Python's faulthandler (PYTHONFAULTHANDLER=1, set by the test) print
                # every thread's stack into the output, so a failure shows where shutting down hung
                self.proc.send_signal(signal.SIGABRT)
                try:
                    self.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        time.sleep(0.2)  # let the reader thread drain the pipe
        return self.proc.returncode


def test_served_schedule_runs_incremental_audits_into_one_catalog(tmp_path: Path, prefect_api) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL

    from flows.schedule import FLOW_NAME, check_cron

    samples = copy_samples(tmp_path / "samples")
    db, out = tmp_path / "catalog" / "audit.duckdb", tmp_path / "report"
    name = f"test-weekly-{tmp_path.name}"
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PYTHONUNBUFFERED": "1",
           "PYTHONFAULTHANDLER": "1",  # see Served.stop
           "PREFECT_RUNNER_POLL_FREQUENCY": "1"}  # pick triggered runs up promptly
    served = Served([str(samples / "manifest.yaml"), "--cron", "0 3 * * 1", "--name", name, "--db", str(db),
                     "--out", str(out), "--stages", "scan,pii", "--pii-sample", "7"], env)
    try:
        served.wait_for("serving; Ctrl-C stops", 600)
        printed = "".join(served.output)
        assert f"deployment: {FLOW_NAME}/{name}" in printed and f"catalog {db}" in printed
        assert "next runs: " + check_cron("0 3 * * 1", "UTC")[0].strftime("%Y-%m-%d %H:%M") in printed

        with get_client(sync_client=True) as client:
            deployment = client.read_deployment_by_name(f"{FLOW_NAME}/{name}")
            (schedule,) = deployment.schedules
            assert (schedule.schedule.cron, schedule.schedule.timezone, schedule.active) == ("0 3 * * 1", "UTC", True)
            assert deployment.parameters["db"] == str(db) and deployment.parameters["pii_sample"] == 7
            # the upcoming runs exist, at the cron's times, although the test API runs no scheduler service
            upcoming = client.read_flow_runs(deployment_filter=DeploymentFilter(
                id=DeploymentFilterId(any_=[deployment.id])))
            times = sorted(r.expected_start_time for r in upcoming if r.state_type.value == "SCHEDULED")
            assert times[:3] == check_cron("0 3 * * 1", "UTC")

        runs = []
        for _ in range(2):
            flow_run = run_deployment(f"{FLOW_NAME}/{name}", timeout=900, poll_interval=1)
            assert flow_run.state.is_completed(), (flow_run.state, served.rest())
            runs.append(flow_run)
    finally:
        code = served.stop()
    output = served.rest()
    assert code == 0 and output.rstrip().endswith("stopped"), output

    con = duckdb.connect(str(db), read_only=True)
    try:
        audit_runs = con.execute("SELECT run_id, status, options FROM runs ORDER BY started_at").fetchall()
        statuses = con.execute("SELECT f.run_id, f.status, count(*) FROM files f GROUP BY ALL").fetchall()
        checks = dict(con.execute("SELECT run_id, worse FROM run_checks").fetchall())
    finally:
        con.close()
    assert [r[1] for r in audit_runs] == ["completed", "completed"]
    assert all(json.loads(r[2])["pii"]["sample"] == 7 for r in audit_runs)  # the options made it through the API
    first, second = (r[0] for r in audit_runs)
    by_run: dict[str, dict[str, int]] = {}
    for run_id, status, n in statuses:
        by_run.setdefault(run_id, {})[status] = n
    assert by_run[first].get("added", 0) > 0 and "unchanged" not in by_run[first]
    # the second scheduled run is incremental: every file it saw was reused, none read again
    assert set(by_run[second]) == {"unchanged"} and by_run[second]["unchanged"] == by_run[first]["added"]
    assert checks == {first: None, second: False}
    assert (out / "disclosure.json").exists()

    with get_client(sync_client=True) as client:  # Ctrl-C paused the schedule: nobody is serving it
        assert client.read_deployment_by_name(f"{FLOW_NAME}/{name}").paused
