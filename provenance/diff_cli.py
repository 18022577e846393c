"""The `diff` and `trend` commands, added to the `provenance` group when flows/cli.py imports this module.

Both only read the catalog (opened read-only, so they can run beside other readers). Exit codes: 0, or 2 for bad
input (no catalog, an unknown run id).
"""

from __future__ import annotations

from pathlib import Path

import click

from provenance.catalog import Catalog
from provenance.cli import DB, _emit, cli
from provenance.errors import InputError
from provenance.report_diff import (T, diff_runs, render_diff_json, render_diff_markdown, render_trend_markdown,
                                    trend as trend_rows)

LANG = click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
                    help="Language of the Markdown output.")


@cli.command()
@DB
@click.argument("run_a")
@click.argument("run_b")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True,
              help="Markdown (in --lang) or JSON.")
@LANG
@click.option("--out", "out_file", type=click.Path(dir_okay=False), default=None,
              help="Write to this file instead of stdout.")
def diff(db: str, run_a: str, run_b: str, fmt: str, lang: str, out_file: str | None) -> None:
    """What changed from RUN_A to RUN_B: sources, scale, licences, PII and duplicate rates, new and resolved findings.

    Run ids are those of `provenance runs --db PATH`. Findings are compared over every finding in the catalog,
    keyed by code, source, path and archive member, and grouped per code and source.
    """
    with Catalog.open(db, read_only=True) as catalog:
        result = diff_runs(catalog, run_a, run_b)
    text = render_diff_json(result) if fmt == "json" else render_diff_markdown(result, lang)
    if out_file is None:
        click.echo(text, nl=False)
        return
    path = Path(out_file)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write {path}: {e.strerror or e}", where="--out",
                         fix="pass a file in a folder you can write to") from None
    added, removed = len(result["sources"]["added"]), len(result["sources"]["removed"])
    f = result["findings"]["counts"]
    click.echo(f"{run_a} → {run_b}: sources +{added} −{removed}, {len(result['sources']['changed'])} changed; "
               f"findings {f['new']} new, {f['resolved']} resolved, {f['changed']} changed")
    click.echo(f"diff: {path}")


@cli.command()
@DB
@click.option("--last", type=click.IntRange(1), default=10, show_default=True, help="How many completed runs.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "md"]), default="table", show_default=True,
              help="Output format.")
@LANG
def trend(db: str, last: int, fmt: str, lang: str) -> None:
    """Key figures of the last completed runs, oldest first, each with its change vs the run before: sources,
    documents, bytes, PII rate, near-duplicate rate, high and critical findings."""
    import json

    with Catalog.open(db, read_only=True) as catalog:
        rows = trend_rows(catalog, last)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "md":
        click.echo(render_trend_markdown(rows, lang), nl=False)
    else:
        _emit([_table_row(r) for r in rows], ["run_id", "finished_at", "sources", "documents", "bytes", "pii_rate",
                                             "near_dup_rate", "high_critical", "worse"], "table", f"trend of {db}")


def _table_row(r: dict) -> dict:
    change = r["change"] or {}

    def with_change(key: str, rate: bool = False) -> str:
        value, delta = r[key], change.get(key)
        if value is None:
            return "—"
        text = f"{value:.2%}" if rate else f"{value:,}"
        if delta:
            text += f" ({delta * 100:+.2f} pp)" if rate else f" ({delta:+,})"
        return text

    return {"run_id": r["run_id"], "finished_at": (r["finished_at"] or "")[:19].replace("T", " "),
            "sources": with_change("sources"), "documents": with_change("documents"), "bytes": with_change("bytes"),
            "pii_rate": with_change("pii_rate", True), "near_dup_rate": with_change("near_duplicate_rate", True),
            "high_critical": with_change("findings_high_critical"),
            "worse": T["en"]["worse"].get(r.get("worse"), "—")}
