"""The `provenance` commands of provenance.cli (no Prefect): manifest validate/schema/import-*, sources, findings."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from provenance.catalog import Catalog
from provenance.cli import cli
from provenance.findings import SEVERITIES, severity_rank
from provenance.manifest import ManifestYamlLoader, Source, load_manifest
from provenance.planning import plan_audit
from provenance.scan import read_spec, scan_unit
from provenance.scan_findings import scan_findings
from tests.conftest import SAMPLES

EXPECTED = json.loads((SAMPLES / "EXPECTED.json").read_text(encoding="utf-8"))
IMPORTERS = Path(__file__).parents[1] / "fixtures" / "importers"
MAX_RECORD_BYTES = 16 << 20


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_clean_error(result: Result, *parts: str) -> None:
    """Exit 2, `Error:` on stderr, the given parts in it, and no traceback anywhere."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.stderr.startswith("Error: "), result.stderr
    assert "Traceback" not in result.output
    for part in parts:
        assert part in result.stderr, f"{part!r} not in {result.stderr!r}"


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A real catalog holding a scan-only audit of data_samples, made through the library (no Prefect)."""
    work = tmp_path_factory.mktemp("catalog")
    db = work / "c.duckdb"
    loaded = load_manifest(SAMPLES / "manifest.yaml")
    with Catalog.open(db) as catalog:
        run_id = catalog.start_run(loaded, ["scan"], {"max_record_mb": 16})
        plan = plan_audit(loaded, catalog, run_id, MAX_RECORD_BYTES, {})
        for batch in plan.batches:
            source = loaded.manifest.source(batch.source_id)
            for planned in batch.files:
                unit = scan_unit(planned, source, read_spec(source, MAX_RECORD_BYTES), str(work), (), source.members)
                catalog.load_unit(run_id, unit, plan.previous.get((unit.source_id, unit.path)))
        catalog.add_findings(run_id, plan.findings)
        catalog.add_findings(run_id, scan_findings(catalog, run_id))
        catalog.finish_run(run_id, "completed")
    return db, run_id


def findings_csv(db: Path, *extra: str) -> list[dict[str, str]]:
    result = run("findings", "--db", db, "--format", "csv", *extra)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


# -- manifest validate -------------------------------------------------------------------------------------------


def test_validate_sample() -> None:
    result = run("manifest", "validate", SAMPLES / "manifest.yaml")
    assert result.exit_code == 0, result.output
    assert "valid" in result.stdout
    assert "7 source(s)" in result.stdout
    for sid in EXPECTED["sources"]:
        assert sid in result.stdout
    assert result.stderr == ""


BAD_MANIFEST = textwrap.dedent("""\
    dataset: {name: d, provider: p, intended_use: commercial}
    sources:
      - id: news
        name: News
        stage: pretrain
        paths: [news/*.jsonl]
        acquisition: {methd: synthetic}
    """)


def test_validate_bad_manifest(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(BAD_MANIFEST, encoding="utf-8")
    result = run("manifest", "validate", manifest)
    assert_clean_error(result, "2 problem(s)",
                       f"{manifest}:5: sources[0].stage", "fix: use one of: 'pretraining' or 'finetuning'",
                       f"{manifest}:7: sources[0].acquisition.methd", "did you mean 'method'?")
    assert result.stdout == ""  # nothing claims the manifest is valid


def test_validate_allow_outside(tmp_path: Path) -> None:
    manifest = tmp_path / "sub" / "manifest.yaml"
    manifest.parent.mkdir()
    manifest.write_text(BAD_MANIFEST.replace("stage: pretrain", "stage: pretraining")
                        .replace("{methd: synthetic}", "{method: synthetic}")
                        .replace("[news/*.jsonl]", "[../news/*.jsonl]"), encoding="utf-8")
    assert_clean_error(run("manifest", "validate", manifest), "sources[0].paths[0]", "--allow-outside")
    result = run("manifest", "validate", "--allow-outside", manifest)
    assert result.exit_code == 0, result.output
    assert "valid" in result.stdout


@pytest.mark.parametrize("content, expected", [
    (None, "does not exist"),                                    # a missing file
    (b"dataset: [unclosed\n", "not valid YAML"),                 # broken YAML
    (b"name: \xff\xfe\n", "not valid UTF-8"),                    # not UTF-8
])
def test_validate_unusable_files(tmp_path: Path, content: bytes | None, expected: str) -> None:
    manifest = tmp_path / "manifest.yaml"
    if content is not None:
        manifest.write_bytes(content)
    assert_clean_error(run("manifest", "validate", manifest), expected, "fix:")


# -- manifest schema -----------------------------------------------------------------------------------------------


def test_schema_command() -> None:
    result = run("manifest", "schema")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert set(schema["properties"]) == {"dataset", "sources"}
    assert set(schema["required"]) == {"dataset", "sources"}
    assert {"Dataset", "Source", "Acquisition", "License"} <= set(schema["$defs"])
    assert schema["$defs"]["Source"]["additionalProperties"] is False  # typos are refused by editors too


# -- importers -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command, fixture, source_id", [
    ("import-hf", "bilingual_news/README.md", "bilingual-news-summaries-v2"),   # a full card
    ("import-hf", "hf_other_license/README.md", "hf_other_license"),           # other licence, `language: no`
    ("import-croissant", "forum_posts_rai.json", "forum-posts-2019-2022"),       # Croissant with rai:* fields
    ("import-croissant", "minimal_croissant.json", "tiny_corpus"),               # the least Croissant allows
])
def test_import_prints_a_valid_source(command: str, fixture: str, source_id: str) -> None:
    result = run("manifest", command, IMPORTERS / fixture)
    assert result.exit_code == 0, result.output
    doc = yaml.load(result.stdout, Loader=ManifestYamlLoader)
    (source,) = doc["sources"]
    assert source["id"] == source_id
    assert Source.model_validate(source).id == source_id  # a draft the manifest model accepts as it stands


def test_import_hf_without_front_matter() -> None:
    assert_clean_error(run("manifest", "import-hf", IMPORTERS / "hf_no_front_matter" / "README.md"),
                       "no YAML front matter", "fix:")


def test_import_missing_file(tmp_path: Path) -> None:
    assert_clean_error(run("manifest", "import-croissant", tmp_path / "missing.json"), "does not exist")


# -- sources ---------------------------------------------------------------------------------------------------------


def test_sources_json_matches_expected(audited: tuple[Path, str]) -> None:
    db, _ = audited
    result = run("sources", "--db", db, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["source_id"]: r for r in json.loads(result.stdout)}
    assert set(rows) == set(EXPECTED["sources"])
    for sid, expected in EXPECTED["sources"].items():
        row = rows[sid]
        assert (row["documents"], row["rejected_records"], row["files"]) == \
            (expected["accepted"], expected["rejected"], expected["files"]), sid
        assert row["status"] == "ok"
    assert sum(r["documents"] for r in rows.values()) == EXPECTED["total"]["accepted"]


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_sources_other_formats(audited: tuple[Path, str], fmt: str) -> None:
    db, run_id = audited
    result = run("sources", "--db", db, "--run", run_id, "--format", fmt)
    assert result.exit_code == 0, result.output
    for sid in EXPECTED["sources"]:
        assert sid in result.stdout


# -- findings --------------------------------------------------------------------------------------------------------


def test_findings_csv_has_malformed_json_row(audited: tuple[Path, str]) -> None:
    rows = findings_csv(audited[0])
    malformed = [r for r in rows if r["code"] == "SCAN_MALFORMED_RECORD"]
    assert [(r["source_id"], r["path"], r["line"], r["severity"]) for r in malformed] == \
        [("zh-news", "zh_news/part-0001.jsonl", "7", "medium")]
    # most severe first
    ranks = [severity_rank(r["severity"]) for r in rows]
    assert ranks == sorted(ranks, reverse=True)
    # every rejection EXPECTED.json lists with a line appears as a finding at that line
    lines = {(r["path"], r["line"]) for r in rows}
    for path, info in EXPECTED["files"].items():
        for rejected in info["rejected_at"]:
            if "line" in rejected:
                assert (path, str(rejected["line"])) in lines, (path, rejected)


def test_findings_severity_filter(audited: tuple[Path, str]) -> None:
    every = findings_csv(audited[0])
    assert any(r["severity"] == "low" for r in every)  # otherwise the filter below proves nothing
    medium_up = findings_csv(audited[0], "--severity", "medium")
    assert medium_up and all(severity_rank(r["severity"]) >= SEVERITIES.index("medium") for r in medium_up)
    assert len(medium_up) == sum(severity_rank(r["severity"]) >= SEVERITIES.index("medium") for r in every)


def test_findings_code_filter(audited: tuple[Path, str]) -> None:
    rows = findings_csv(audited[0], "--code", "SCAN_EMPTY_TEXT", "--code", "SCAN_RAGGED_ROW")
    assert {r["code"] for r in rows} == {"SCAN_EMPTY_TEXT", "SCAN_RAGGED_ROW"}
    assert findings_csv(audited[0], "--code", "NO_SUCH_CODE") == []


def test_findings_source_filter(audited: tuple[Path, str]) -> None:
    rows = findings_csv(audited[0], "--source", "en-forum")
    assert rows and {r["source_id"] for r in rows} == {"en-forum"}


def test_findings_table(audited: tuple[Path, str]) -> None:
    db, run_id = audited
    result = run("findings", "--db", db, "--format", "table")
    assert result.exit_code == 0, result.output
    assert run_id in result.stdout
    assert "zh_news/part-0001.jsonl:7" in result.stdout  # path:line location column
    assert "SCAN_MALFORMED_RECORD" in result.stdout


def test_findings_json_for_explicit_run(audited: tuple[Path, str]) -> None:
    db, run_id = audited
    result = run("findings", "--db", db, "--run", run_id, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and all(r["clause"] and r["fix"] for r in rows)


# -- catalog errors --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["sources", "findings"])
def test_missing_db(tmp_path: Path, command: str) -> None:
    db = tmp_path / "nothing.duckdb"
    assert_clean_error(run(command, "--db", db), f"no catalog at {db}", "fix:")
    assert not db.exists()  # a read-only query must not create a catalog


@pytest.mark.parametrize("command", ["sources", "findings"])
def test_unknown_run(audited: tuple[Path, str], command: str) -> None:
    assert_clean_error(run(command, "--db", audited[0], "--run", "nonexistent"), "no run nonexistent", "fix:")


def test_db_that_is_not_a_catalog(tmp_path: Path) -> None:
    db = tmp_path / "junk.duckdb"
    db.write_text("not a database\n")
    assert_clean_error(run("sources", "--db", db), "cannot open catalog", "fix:")


def test_runs_lists_the_run_with_its_scale(audited: tuple[Path, str]) -> None:
    db, run_id = audited
    result = run("runs", "--db", db, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["run_id"] for r in rows] == [run_id]
    assert rows[0]["status"] == "completed"
    assert rows[0]["documents"] == EXPECTED["total"]["accepted"]
    assert rows[0]["files"] == EXPECTED["total"]["files"]


def test_license_normalize_prints_the_classification() -> None:
    result = run("license", "normalize", "Creative Commons Attribution Non Commercial Share Alike 4.0")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert (got["spdx"], got["use_class"], got["share_alike"]) == ("CC-BY-NC-SA-4.0", "non-commercial", True)


def test_license_check_on_the_samples_and_its_gate() -> None:
    result = run("license", "check", SAMPLES / "manifest.yaml", "--format", "json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    by_id = {s["source_id"]: s for s in got["sources"]}
    assert by_id["zh-wiki"]["status"] == "consistent" and by_id["en-books"]["use_class"] == "non-commercial"
    assert any(f["code"] == "LIC_NOT_COMMERCIAL" and f["source_id"] == "en-books" for f in got["findings"])
    assert run("license", "check", SAMPLES / "manifest.yaml", "--fail-on", "critical").exit_code == 1
    bad = run("license", "check", SAMPLES / "nonexistent.yaml")
    assert_clean_error(bad, "does not exist")


def test_duckdb_memory_is_capped_and_the_cap_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "c.duckdb"
    with Catalog.open(db) as catalog:  # the default cap: DuckDB spills instead of growing with the corpus
        limit = catalog.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limit.endswith("MiB") and float(limit.split()[0]) < 1024
    monkeypatch.setenv("PROVENANCE_DUCKDB_MEMORY", "2GB")
    with Catalog.open(db) as catalog:
        assert catalog.con.execute("SELECT current_setting('memory_limit')").fetchone()[0].endswith("GiB")
    monkeypatch.setenv("PROVENANCE_DUCKDB_MEMORY", "lots")
    result = CliRunner().invoke(cli, ["runs", "--db", str(db)])
    assert result.exit_code == 2
    assert "PROVENANCE_DUCKDB_MEMORY" in result.output and "2GB or 512MB" in result.output
