"""The console script: provenance's commands plus those that run flows (`audit`)."""

from __future__ import annotations

import sys

import click

from provenance.cli import cli, exit_code_for, stderr_is_tty
from provenance.findings import SEVERITIES


@cli.command()
@click.argument("manifest_file", type=click.Path())
@click.option("--db", type=click.Path(dir_okay=False), default=None,
              help="Catalog file (default: OUT/audit.duckdb). Reuse it to audit incrementally.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="out", show_default=True,
              help="Folder for disclosure.json and the other outputs.")
@click.option("--stages", default="all", show_default=True,
              help="Comma-separated stages to run; `scan` always runs. See `provenance stages`.")
@click.option("--workers", type=int, default=2, show_default=True, help="Files read in parallel.")
@click.option("--fail-on", type=click.Choice(["none", *SEVERITIES]), default="none", show_default=True,
              help="Exit 1 when a finding at or above this severity exists (for CI gates).")
@click.option("--allow-outside", is_flag=True, help="Allow manifest paths outside the manifest's folder.")
@click.option("--max-record-mb", type=click.IntRange(1, 4096), default=16, show_default=True,
              help="Records larger than this are rejected (and counted) instead of read.")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when a terminal).")
def audit(manifest_file: str, db: str | None, out_dir: str, stages: str, workers: int, fail_on: str,
          allow_outside: bool, max_record_mb: int, progress: bool | None) -> None:
    """Audit the sources of MANIFEST_FILE into the catalog and write OUT/disclosure.json."""
    from flows.audit import parse_stages, run_audit

    result = run_audit(manifest_file, db=db, out=out_dir, stages=parse_stages(stages), workers=workers,
                       allow_outside=allow_outside, max_record_mb=max_record_mb,
                       show_progress=stderr_is_tty() if progress is None else progress)
    counts = ", ".join(f"{n} {sev}" for sev, n in result.findings_by_severity.items() if n) or "none"
    click.echo(f"run {result.run_id}: {result.documents:,} documents; files read {result.files_read}, "
               f"reused {result.files_reused}; {result.seconds:.1f} s")
    click.echo(f"findings: {counts}")
    click.echo(f"catalog:    {result.db}")
    click.echo(f"disclosure: {result.disclosure}")
    sys.exit(exit_code_for(result.findings_by_severity, fail_on))


@cli.command()
def stages() -> None:
    """List the audit stages available to --stages."""
    from flows.audit import available_stages

    for name in available_stages():
        click.echo(name)


def main() -> None:
    cli(prog_name="provenance")


if __name__ == "__main__":
    main()
