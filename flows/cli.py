"""The console script: provenance's commands plus those that run flows (`audit`)."""

from __future__ import annotations

import sys

import click

from flows.cli_options import audit_options
from provenance.cli import cli, exit_code_for, stderr_is_tty
from provenance.errors import InputError
from provenance.findings import SEVERITIES


@cli.command()
@click.argument("manifest_file", type=click.Path())
@audit_options
@click.option("--fail-on", type=click.Choice(["none", *SEVERITIES]), default="none", show_default=True,
              help="Exit 1 when a finding at or above this severity exists (for CI gates).")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when a terminal).")
def audit(manifest_file: str, db: str | None, out_dir: str, stages: str, workers: int, runner: str,
          dask_address: str | None, fail_on: str,
          allow_outside: bool, max_record_mb: int, progress: bool | None, pii_sample: int, pii_seed: int,
          pii_lang: str, pii_ner: tuple[str, ...], dup_threshold: str, dup_bands: str, dup_verify: str,
          worse_pii_margin: float, worse_dup_margin: float) -> None:
    """Audit the sources of MANIFEST_FILE into the catalog and write OUT/disclosure.json."""
    from flows.audit import PiiOptions, parse_stages, run_audit
    from provenance.dup_stage import DupOptions
    from provenance.regression import WorseOptions

    pii = PiiOptions(language=pii_lang, sample=pii_sample, seed=pii_seed, ner_models=parse_ner(pii_ner))
    bands, rows = parse_banding(dup_bands)
    dup = DupOptions(threshold=float(dup_threshold), bands=bands, rows=rows, verify=dup_verify)
    worse = WorseOptions(pii_margin=worse_pii_margin, dup_margin=worse_dup_margin)
    result = run_audit(manifest_file, db=db, out=out_dir, stages=parse_stages(stages), workers=workers,
                       allow_outside=allow_outside, max_record_mb=max_record_mb,
                       show_progress=stderr_is_tty() if progress is None else progress, pii=pii, dup=dup,
                       worse=worse, runner=runner, dask_address=dask_address)
    counts = ", ".join(f"{n} {sev}" for sev, n in result.findings_by_severity.items() if n) or "none"
    click.echo(f"run {result.run_id}: {result.documents:,} documents; files read {result.files_read}, "
               f"reused {result.files_reused}; {result.seconds:.1f} s")
    click.echo(f"findings: {counts}")
    click.echo(f"catalog:    {result.db}")
    click.echo(f"disclosure: {result.disclosure}")
    click.echo(f"report:     {result.disclosure.with_name('disclosure.html')} "
               "(also disclosure.zh.md, disclosure.en.md, findings.csv, eu-ai-act-summary.*.md)")
    sys.exit(exit_code_for(result.findings_by_severity, fail_on))


def parse_banding(text: str) -> tuple[int, int]:
    """`16x8` → (16, 8)."""
    bands, sep, rows = text.lower().partition("x")
    if not sep or not bands.isdigit() or not rows.isdigit():
        raise InputError(f"--dup-bands {text!r} is not BxR", where="--dup-bands", fix="write e.g. --dup-bands 16x8")
    return int(bands), int(rows)


def parse_ner(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """`en=en_core_web_sm` → (("en", "en_core_web_sm"),), checked against what is installed."""
    import spacy.util

    out = []
    for value in values:
        lang, sep, model = value.partition("=")
        if not sep or lang not in ("zh", "en") or not model:
            raise InputError(f"--pii-ner {value!r} is not LANG=MODEL", where="--pii-ner",
                             fix="write e.g. --pii-ner en=en_core_web_sm (LANG is zh or en)")
        if not spacy.util.is_package(model):
            raise InputError(f"spaCy model {model!r} is not installed", where="--pii-ner",
                             fix=f"install it into this environment first (pip install {model}); the auditor never "
                                 "downloads models")
        out.append((lang, model))
    return tuple(sorted(out))


@cli.group()
def pii() -> None:
    """Personal-information detection outside an audit."""


@pii.command("scan")
@click.argument("file", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["auto", "jsonl", "json", "csv", "tsv", "parquet", "txt", "text"]),
              default="auto", show_default=True, help="Record format (txt: one document per line; text: whole file).")
@click.option("--text-field", default=None, help="Field holding the text (JSON path such as data[].text, or column).")
@click.option("--lang", type=click.Choice(["auto", "zh", "en"]), default="auto", show_default=True)
@click.option("--pii-ner", "pii_ner", multiple=True, metavar="LANG=MODEL",
              help="Use an installed spaCy model for person names, e.g. en=en_core_web_sm.")
@click.option("--only-found", is_flag=True, help="Print only documents with at least one finding.")
@click.option("--progress/--no-progress", "progress_flag", default=None,
              help="Records and MB of text analysed so far, on stderr (default: when stderr is a terminal).")
def pii_scan(file: str, fmt: str, text_field: str | None, lang: str, pii_ner: tuple[str, ...],
             only_found: bool, progress_flag: bool | None) -> None:
    """One JSON line per document of FILE with the personal information found (masked; offsets are characters)."""
    from rich.progress import TextColumn, TimeElapsedColumn, TransferSpeedColumn

    from flows.pii_scan import scan_file
    from flows.progress import stderr_progress

    seen = [0, 0]  # records, bytes of text

    def on_batch(records: int, text_bytes: int) -> None:
        seen[0] += records
        seen[1] += text_bytes
        progress(completed=seen[1], records=seen[0], mb=seen[1] / 1e6)

    with stderr_progress(stderr_is_tty() if progress_flag is None else progress_flag,
                         TextColumn("pii scan: {task.fields[records]:,} records, {task.fields[mb]:,.1f} MB of text"),
                         TransferSpeedColumn(), TimeElapsedColumn(), records=0, mb=0.0) as progress:
        summary = _print_scan(scan_file(file, fmt, text_field, lang, dict(parse_ner(pii_ner)), on_batch=on_batch),
                              file, only_found)
    click.echo(summary, err=True)


def _print_scan(rows, file: str, only_found: bool) -> str:
    """Print `pii scan`'s rows; return its summary line (printed once the progress display is gone)."""
    import json

    found = docs = rejected = 0
    first_rejection = ""
    held: list[dict] = []  # rejections before the first document: a wrong --text-field stops before printing them
    for row in rows:
        if "rejected" in row:
            rejected += 1
            first_rejection = first_rejection or f"line {row['line']}: {row['message']}"
            if not docs:
                held.append(row)
                if len(held) >= 100:
                    break
                continue
        else:
            docs += 1
            found += bool(row["findings"])
        for earlier in held:
            if not only_found:
                click.echo(json.dumps(earlier, ensure_ascii=False))
        held = []
        if only_found and not row.get("findings"):
            continue
        click.echo(json.dumps(row, ensure_ascii=False))
    if rejected and not docs:
        raise InputError(f"none of the first {rejected:,} records of {file} has text to analyse: {first_rejection}",
                         where=file,
                         fix="pass --text-field (a column name, or a JSON path such as data[].text), or --format")
    return (f"{docs + rejected:,} records: {docs:,} analysed, {found:,} with personal information, "
            f"{rejected:,} rejected" + (f" (first: {first_rejection})" if rejected else ""))


@pii.command("entities")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def pii_entities(as_json: bool) -> None:
    """The entity types the PII stage finds: languages, sensitive or not, and how each is validated."""
    import json

    from detectors.pii.detector import engine_for

    rows = engine_for((), 0.4, 64).entity_table()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r['entity_type']:<20} {','.join(r['languages']):<6} {'sensitive' if r['sensitive'] else '':<10}"
                   f"{r['validation']}")


@cli.command()
def stages() -> None:
    """List the audit stages available to --stages."""
    from flows.audit import available_stages

    for name in available_stages():
        click.echo(name)


import flows.dup_cli  # noqa: E402,F401  (near-dups, overlap, check-removed, clusters)
import flows.onboard_cli  # noqa: E402,F401  (onboard, onboard-policy)
import flows.schedule_cli  # noqa: E402,F401  (schedule)
import provenance.diff_cli  # noqa: E402,F401  (diff, trend)
import provenance.review_cli  # noqa: E402,F401  (sample, sample ingest)
import provenance.report_cli  # noqa: E402,F401  (report)


def main() -> None:
    cli(prog_name="provenance")


if __name__ == "__main__":
    main()
