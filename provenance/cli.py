"""The `provenance` command line: each command is a few lines around one library call.

Commands that need Prefect (audit, later schedule) are added by flows/cli.py, which is the console script, so that
this package never imports the orchestration layer. Exit codes: 0 clean, 1 findings at or above --fail-on, 2 bad
input or usage.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from typing import Any, Sequence

import click
from rich.console import Console
from rich.table import Table

from provenance import __version__
from provenance.catalog import Catalog, sql
from provenance.errors import ProvenanceError
from provenance.findings import SEVERITIES, severity_rank
from provenance.manifest import load_manifest, manifest_json_schema


class Group(click.Group):
    """Prints our errors as `Error: what / fix: next step` with no traceback, and exits 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ProvenanceError as e:
            click.echo(f"Error: {e.render()}", err=True)
            ctx.exit(e.exit_code)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="provenance")
def cli() -> None:
    """Audit where training data came from and what is in it; write the disclosure report."""


# -- catalog queries -----------------------------------------------------------------------------------------------

def _open_run(db: str, run: str | None) -> tuple[Catalog, str]:
    catalog = Catalog.open(db, read_only=True)
    run_id = run or catalog.latest_run(status=None)
    if run_id is None or not catalog.run_exists(run_id):
        catalog.close()
        raise ProvenanceError(f"no run {run or ''} in catalog {db}".replace("  ", " "),
                              fix="omit --run for the latest run, or pick a run id from `provenance runs --db`")
    return catalog, run_id


def _emit(rows: list[dict[str, Any]], columns: Sequence[str], fmt: str, title: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(buf.getvalue(), nl=False)
    else:
        table = Table(title=title, title_justify="left")
        for c in columns:
            table.add_column(c, overflow="fold", justify="right" if rows and isinstance(rows[0].get(c), int) else
                             "left")
        for r in rows:
            table.add_row(*("" if r.get(c) is None else str(r.get(c)) for c in columns))
        # a pipe or CI log has no width: use a wide one rather than folding every cell
        Console(width=None if sys.stdout.isatty() else 200).print(table)


FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
                      show_default=True, help="Output format.")
DB = click.option("--db", required=True, type=click.Path(dir_okay=False), help="Catalog file of an audit.")
RUN = click.option("--run", default=None, help="Run id (default: the latest run).")


@cli.command()
@DB
@click.option("--last", type=click.IntRange(1), default=None, help="Only the N most recent runs.")
@FORMAT
def runs(db: str, last: int | None, fmt: str) -> None:
    """Audit runs in a catalog, newest first: status, scale, PII and near-duplicate rates, high and critical
    findings, and whether the run was worse than the completed run before it (with the reasons in csv and json)."""
    from provenance.regression import describe, run_history
    from provenance.report_diff import T

    worse_labels = T["en"]["worse"]  # the words `provenance trend` uses

    with Catalog.open(db, read_only=True) as catalog:
        rows = run_history(catalog, last)
    if fmt == "json":
        _emit(rows, [], fmt, "")
        return
    for r in rows:
        # csv keeps numbers as numbers; the table shows percentages. worse: yes / no / — (first run, or not checked)
        r["worse"] = worse_labels.get(r["worse"], "—" if fmt == "table" else "")
        r["worse_reasons"] = describe(r["worse_reasons"])
        if fmt == "table":
            for key in ("pii_rate", "near_duplicate_rate"):
                r[key] = "—" if r[key] is None else f"{r[key]:.2%}"
            r["started_at"] = (r["started_at"] or "")[:19].replace("T", " ")
    columns = ["run_id", "status", "started_at", "seconds", "sources", "files", "documents", "bytes", "pii_rate",
               "near_duplicate_rate", "high_findings", "findings", "worse"]
    if fmt == "csv":
        columns += ["compared_with", "worse_reasons"]
    _emit(rows, columns, fmt, f"runs in {db}")


@cli.command()
@DB
@RUN
@FORMAT
def sources(db: str, run: str | None, fmt: str) -> None:
    """Sources of a run with their scale and file status."""
    catalog, run_id = _open_run(db, run)
    with catalog:
        rows = catalog.query(sql("source_scale"), [run_id])
    for r in rows:
        r["status"] = ("no files" if r["files"] == 0 else "errors" if r["files_failed"] else "ok")
    _emit(rows, ["source_id", "stage", "files", "documents", "rejected_records", "bytes", "characters",
                 "files_added", "files_changed", "files_unchanged", "files_removed", "files_failed", "status"], fmt,
          f"sources of run {run_id}")


@cli.command()
@DB
@RUN
@click.option("--severity", type=click.Choice(SEVERITIES), default=None, help="Only findings at or above this.")
@click.option("--code", "codes", multiple=True, help="Only these codes (repeatable).")
@click.option("--source", "source_ids", multiple=True, help="Only these sources (repeatable).")
@FORMAT
def findings(db: str, run: str | None, severity: str | None, codes: tuple[str, ...], source_ids: tuple[str, ...],
             fmt: str) -> None:
    """Findings of a run, most severe first."""
    catalog, run_id = _open_run(db, run)
    with catalog:
        rows = catalog.query(sql("run_findings"), [run_id])
    if severity:
        rows = [r for r in rows if severity_rank(r["severity"]) >= severity_rank(severity)]
    if codes:
        rows = [r for r in rows if r["code"] in codes]
    if source_ids:
        rows = [r for r in rows if r["source_id"] in source_ids]
    if fmt == "table":
        for r in rows:
            r["location"] = (r["path"] or "") + (f"!{r['member']}" if r["member"] else "") + (
                f":{r['line']}" if r["line"] else "")
        _emit(rows, ["severity", "code", "source_id", "location", "count", "message"], fmt, f"findings of run {run_id}")
    else:
        _emit(rows, ["severity", "code", "stage", "source_id", "path", "member", "line", "doc_id", "count", "message",
                     "clause", "fix"], fmt, f"findings of run {run_id}")


# -- manifest ------------------------------------------------------------------------------------------------------

@cli.group(cls=Group)
def manifest() -> None:
    """Validate a manifest, print its JSON Schema, or import a source from dataset metadata."""


@manifest.command("validate")
@click.argument("manifest_file", type=click.Path())
@click.option("--allow-outside", is_flag=True, help="Allow paths outside the manifest's folder.")
def manifest_validate(manifest_file: str, allow_outside: bool) -> None:
    """Check a manifest; print every problem with its YAML path and line."""
    loaded = load_manifest(manifest_file, allow_outside=allow_outside)
    m = loaded.manifest
    click.echo(f"{manifest_file}: valid — dataset '{m.dataset.name}', {len(m.sources)} source(s): "
               + ", ".join(s.id for s in m.sources))


@manifest.command("schema")
def manifest_schema() -> None:
    """Print the manifest's JSON Schema."""
    click.echo(json.dumps(manifest_json_schema(), indent=2, ensure_ascii=False))


@manifest.command("import-hf")
@click.argument("card", type=click.Path())
def manifest_import_hf(card: str) -> None:
    """Hugging Face dataset card (README.md front matter) → a manifest source entry (YAML)."""
    from provenance.importers import render_yaml, source_from_hf_card

    click.echo(render_yaml(source_from_hf_card(card)), nl=False)


@manifest.command("import-croissant")
@click.argument("croissant_file", type=click.Path())
def manifest_import_croissant(croissant_file: str) -> None:
    """Croissant JSON-LD (with rai:* fields) → a manifest source entry (YAML)."""
    from provenance.importers import render_yaml, source_from_croissant

    click.echo(render_yaml(source_from_croissant(croissant_file)), nl=False)


# -- licence ---------------------------------------------------------------------------------------------------------

@cli.group(cls=Group)
def license() -> None:  # noqa: A001 (the command's name)
    """Normalise licence strings; check a manifest's licences and acquisition evidence without a scan."""


@license.command("normalize")
@click.argument("text")
def license_normalize(text: str) -> None:
    """Licence TEXT as written (an SPDX id, a name, a URL, a Chinese name) → SPDX id, use class and flags (JSON)."""
    from provenance.licenses.normalize import normalize

    click.echo(json.dumps(normalize(text).as_dict(), ensure_ascii=False, indent=2))


@license.command("check")
@click.argument("manifest_file", type=click.Path())
@click.option("--allow-outside", is_flag=True, help="Allow manifest paths outside the manifest's folder.")
@click.option("--fail-on", type=click.Choice(["none", *SEVERITIES]), default="none", show_default=True,
              help="Exit 1 when a finding at or above this severity exists.")
@FORMAT
def license_check(manifest_file: str, allow_outside: bool, fail_on: str, fmt: str) -> None:
    """The licence stage alone, for onboarding reviews: declared vs found licences, classes, evidence findings.

    Licence files next to the data and inside archives are read; documents are not (copyright notices inside
    documents need a full `provenance audit`).
    """
    from provenance.license_stage import archive_license_texts, assess_manifest

    loaded = load_manifest(manifest_file, allow_outside=allow_outside)
    results, found = assess_manifest(loaded, archive_license_texts(loaded))
    rows = [{**r.as_dict(), "detected": ", ".join(f"{d.spdx} ({d.path})" for d in r.detected)} for r in results]
    counts: dict[str, int] = {}
    finding_rows = []
    for f in found:
        row = dict(zip(["run_id", "stage", "code", "severity", "source_id", "path", "member", "line", "doc_id",
                        "count", "message", "clause", "fix"], f.row("")))
        counts[row["severity"]] = counts.get(row["severity"], 0) + 1
        finding_rows.append(row)
    finding_rows.sort(key=lambda r: (-severity_rank(r["severity"]), r["source_id"] or "", r["code"]))
    if fmt == "json":
        click.echo(json.dumps({"sources": [r.as_dict() for r in results], "findings": finding_rows},
                              ensure_ascii=False, indent=2))
    else:
        _emit(rows, ["source_id", "declared", "spdx", "use_class", "status", "attribution", "share_alike",
                     "no_derivatives", "detected"], fmt, f"licences in {manifest_file}")
        if fmt == "table":
            _emit(finding_rows, ["severity", "code", "source_id", "message"], fmt, "findings")
    sys.exit(exit_code_for(counts, fail_on))


def exit_code_for(findings_by_severity: dict[str, int], fail_on: str) -> int:
    if fail_on == "none":
        return 0
    return 1 if any(n and severity_rank(s) >= severity_rank(fail_on) for s, n in findings_by_severity.items()) else 0


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()

