"""`provenance report`: the disclosure report of any run in a catalog, in any format and language."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from provenance.cli import DB, RUN, _open_run, cli
from provenance.report_model import build_report
from provenance.report_write import FORMATS, LANGS, render, write_report


@cli.command()
@DB
@RUN
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True,
              help="json: the report model; md: Markdown; html: one self-contained page with both languages and "
                   "charts; eu-ai-act: the EU AI Act public summary (template sections 1-3); csv: the findings.")
@click.option("--lang", type=click.Choice(LANGS), default="zh", show_default=True,
              help="Language of md and eu-ai-act, and the language html opens in.")
@click.option("--out", "out_path", type=click.Path(), default=None,
              help="Write to this file instead of standard output; with --all, the folder for every output.")
@click.option("--all", "write_all", is_flag=True,
              help="Write the whole set an audit writes (disclosure.json, .zh.md, .en.md, .html, findings.csv, "
                   "eu-ai-act-summary.*.md) into --out.")
def report(db: str, run: str | None, fmt: str, lang: str, out_path: str | None, write_all: bool) -> None:
    """The disclosure report of a run (the latest by default), rebuilt from the catalog.

    Every format is rendered from the same report model, so figures agree between them.
    """
    catalog, run_id = _open_run(db, run)
    with catalog:
        model = build_report(catalog, run_id)
    if write_all:
        if not out_path:
            raise click.UsageError("--all needs --out FOLDER")
        for path in write_report(model, Path(out_path)).values():
            click.echo(str(path))
        return
    text = render(model, fmt, lang)
    if out_path:
        Path(out_path).parent.mkdir(parents=True, exist_ok=True)
        Path(out_path).write_text(text, encoding="utf-8")
        click.echo(out_path, err=True)
    else:
        sys.stdout.write(text)
