"""The duplicate commands: `near-dups`, `overlap`, `check-removed` and `clusters`.

Each is a few lines around one call into provenance.dup_query (or detectors.dedup for files in memory); they are
added to the `provenance` group when flows/cli.py imports this module. Exit codes as everywhere: 0 clean, 1 what
the command gates on (findings at or above --fail-on; reported content still present), 2 bad input or usage.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import click

from provenance.readers.single import CLI_FORMATS as FORMATS
from provenance.catalog import Catalog
from provenance.cli import DB, cli, exit_code_for
from provenance.errors import InputError
from provenance.findings import SEVERITIES

THRESHOLD = click.option("--threshold", type=click.FloatRange(0.0, 1.0, min_open=True, max_open=True), default=0.8,
                         show_default=True, help="Jaccard similarity at or above which two documents are near "
                                                 "duplicates.")
TEXT_FORMAT = click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="auto", show_default=True,
                           help="Record format (txt: one document per line; text: whole file).")
TEXT_FIELD = click.option("--text-field", default=None,
                          help="Field holding the text (JSON path such as data[].text, or column).")
RUN = click.option("--run", default=None,
                   help="Run id (default: the latest completed run that included the duplicates stage).")
JSON_OUT = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
BAD_LINES_SHOWN = 20


@cli.command("near-dups")
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@THRESHOLD
@TEXT_FIELD
@TEXT_FORMAT
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="CSV file for the pairs (default: stdout).")
@click.option("--no-verify", is_flag=True,
              help="Keep pairs by their estimated Jaccard and leave the exact Jaccard column empty (faster).")
def near_dups(inputs: tuple[str, ...], threshold: float, text_field: str | None, fmt: str, output: str | None,
              no_verify: bool) -> None:
    """Near-duplicate pairs among the records of INPUT files, in memory, no manifest or catalog.

    CSV columns: doc_a, doc_b (`path#ordinal`, ordinal = record number in the file), estimated_jaccard (MinHash)
    and jaccard (exact, on the shingle sets; empty with --no-verify). A summary goes to stderr.
    """
    from detectors.dedup.neardup import find_near_duplicates
    from provenance.dup_query import ReadCounts, iter_file_documents

    counts = ReadCounts()
    ids: list[str] = []
    texts: list[str] = []
    for path in inputs:
        for rec in iter_file_documents(path, FORMATS[fmt], text_field, counts):
            ids.append(f"{path}#{rec.ordinal}")
            texts.append(rec.text or "")
    pairs = find_near_duplicates(texts, threshold, verify=not no_verify)
    out = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["doc_a", "doc_b", "estimated_jaccard", "jaccard"])
        for p in pairs:
            writer.writerow([ids[p.a], ids[p.b], f"{p.estimated_jaccard:.6f}",
                             "" if p.jaccard is None else f"{p.jaccard:.6f}"])
    finally:
        if output:
            out.close()
    docs_in_pairs = len({i for p in pairs for i in (p.a, p.b)})
    click.echo(f"{counts.records:,} records: {counts.documents:,} documents, {counts.rejected:,} rejected"
               + (f" (first: {counts.first_rejection})" if counts.rejected else "")
               + f"; {len(pairs):,} near-duplicate pairs at Jaccard ≥ {threshold} among {docs_in_pairs:,} documents"
               + ("" if not no_verify else " (estimated, not verified)")
               + (f"; written to {output}" if output else ""), err=True)


@cli.command()
@click.argument("new_input", metavar="NEW_MANIFEST_OR_FILE", type=click.Path())
@DB
@RUN
@THRESHOLD
@TEXT_FIELD
@TEXT_FORMAT
@click.option("--allow-outside", is_flag=True, help="Allow manifest paths outside the manifest's folder.")
@click.option("--fail-on", type=click.Choice(["none", *SEVERITIES]), default="none", show_default=True,
              help="Exit 1 when a finding at or above this severity exists (DUP_ALREADY_PRESENT is medium).")
@JSON_OUT
def overlap(new_input: str, db: str, run: str | None, threshold: float, text_field: str | None, fmt: str,
            allow_outside: bool, fail_on: str, as_json: bool) -> None:
    """How much of a new dataset an audited corpus already holds, from the catalog's stored signatures.

    NEW_MANIFEST_OR_FILE is a manifest (.yaml: its sources are read as an audit reads them) or one data file (one
    source named by its file name; --format and --text-field apply to it). Per new source: documents, exactly
    present, near present (Jaccard ≥ threshold, not exact), share present, the corpus sources matched, and the
    documents it adds. A source at least half present gets a DUP_ALREADY_PRESENT finding.
    """
    from provenance.dup_query import duplicates_run, is_manifest_path, overlap_report

    if not Path(new_input).is_file():
        raise InputError(f"no such file: {new_input}", where=new_input,
                         fix="give a manifest (.yaml) or a data file (JSONL, JSON, CSV, TSV, Parquet, text)")
    if is_manifest_path(new_input) and (text_field or fmt != "auto"):
        raise InputError("--text-field and --format apply to a data file; a manifest declares them per source",
                         where=new_input, fix="set `text_field:` and `format:` on the manifest's sources instead")
    with Catalog.open(db, read_only=True) as catalog:
        run_id = duplicates_run(catalog, run)
        report = overlap_report(catalog, run_id, new_input, threshold=threshold, fmt=FORMATS[fmt],
                                text_field=text_field, allow_outside=allow_outside)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    else:
        _render_overlap(report)
    documents = sum(s["documents"] for s in report["sources"])
    present = sum(s["present"] for s in report["sources"])
    rejected = sum(s["rejected"] for s in report["sources"])
    click.echo(f"{len(report['sources'])} new source(s), {documents:,} documents ({rejected:,} rejected records): "
               f"{present:,} already in run {run_id} ({present / documents if documents else 0:.1%}), "
               f"{documents - present:,} new", err=True)
    sys.exit(exit_code_for(report["findings_by_severity"], fail_on))


def _render_overlap(report: dict[str, Any]) -> None:
    click.echo(f"overlap of {report['input']} with run {report['run_id']} of {report['catalog']} "
               f"(Jaccard ≥ {report['threshold']}, {report['bands']} bands × {report['rows']} rows)")
    width = max([len("source"), *(len(s["source"]) for s in report["sources"])])
    click.echo(f"{'source':<{width}}  {'documents':>9}  {'exact':>7}  {'near':>7}  {'present':>7}  {'share':>6}  "
               f"{'adds':>9}")
    for s in report["sources"]:
        click.echo(f"{s['source']:<{width}}  {s['documents']:>9,}  {s['exact_present']:>7,}  {s['near_present']:>7,}  "
                   f"{s['present']:>7,}  {s['share_present']:>6.1%}  {s['adds']:>9,}")
    for s in report["sources"]:
        if s["matches"]:
            click.echo(f"{s['source']}: matches " + "; ".join(
                f"{m['source_id']} {m['documents']:,} ({m['exact']:,} exact; e.g. {m['example_qid']} ~ "
                f"{m['example_doc_id']})" for m in s["matches"]))
        if s["rejected"]:
            click.echo(f"{s['source']}: {s['records']:,} records read, {s['rejected']:,} rejected "
                       f"(first: {s['first_rejection']})")
        for p in s["problems"]:
            click.echo(f"{s['source']}: {p['code']} {p['path']}: {p['message']}")
    for f in report["findings"]:
        click.echo(f"{f['severity']} {f['code']} {f['source']}: {f['message']}")
        click.echo(f"  fix: {f['fix']}")


@cli.command("check-removed")
@click.argument("reported", metavar="REPORTED.jsonl", type=click.Path())
@DB
@RUN
@THRESHOLD
@click.option("--text-field", default="text", show_default=True,
              help="Field of each JSON object holding the reported text (a path such as item.body works).")
@JSON_OUT
def check_removed_cmd(reported: str, db: str, run: str | None, threshold: float, text_field: str,
                      as_json: bool) -> None:
    """Gate on content reported as non-compliant: is any of it still in the corpus, exactly or nearly?

    REPORTED.jsonl holds one JSON object per line with the text (--text-field) and an optional `id`. For each item,
    the corpus documents of the run that are still exact or near copies (Jaccard ≥ threshold), with their source,
    path, member, line and doc id; the reported text is never printed. Exit 1 when any item is still present, 0
    when none is; unreadable lines are listed with their line numbers and skipped.
    """
    from provenance.dup_query import check_removed, duplicates_run, read_reported

    items, bad = read_reported(reported, text_field)
    with Catalog.open(db, read_only=True) as catalog:
        run_id = duplicates_run(catalog, run)
        results = check_removed(catalog, run_id, items, threshold)
    present = [r for r in results if r["present"]]
    copies = len({m["doc_id"] for r in present for m in r["matches"]})
    if as_json:
        click.echo(json.dumps({"run_id": run_id, "threshold": threshold, "items": results, "bad_lines": bad,
                               "present": len(present)}, ensure_ascii=False, indent=2))
    else:
        for r in results:
            if not r["present"]:
                click.echo(f"removed  {r['id']} (line {r['line']})")
                continue
            click.echo(f"PRESENT  {r['id']} (line {r['line']}): {len(r['matches']):,} corpus document(s)")
            for m in r["matches"]:
                where = m["path"] + (f"!{m['member']}" if m["member"] else "") + f":{m['line']}"
                click.echo(f"    {m['source_id']}  {where}  {m['doc_id']}  jaccard {m['jaccard']:.3f}"
                           + ("  exact" if m["exact"] else ""))
    for b in bad[:BAD_LINES_SHOWN]:
        click.echo(f"{reported}:{b['line']}: skipped: {b['message']}", err=True)
    if len(bad) > BAD_LINES_SHOWN:
        click.echo(f"{reported}: … and {len(bad) - BAD_LINES_SHOWN:,} more lines skipped", err=True)
    click.echo(f"{len(items):,} reported items checked against run {run_id} ({len(bad):,} lines skipped): "
               f"{len(present):,} still present in {copies:,} corpus document(s) at Jaccard ≥ {threshold}", err=True)
    sys.exit(1 if present else 0)


@cli.command()
@DB
@RUN
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False),
              help="Parquet file of the cluster members with their locations.")
@click.option("--keep-list", type=click.Path(dir_okay=False), default=None,
              help="Also write the doc ids to keep for training (one per cluster plus every singleton), one a line.")
def clusters(db: str, run: str | None, out_file: str, keep_list: str | None) -> None:
    """Export a run's near-duplicate clusters (and the keep-list for deduplicated training).

    Parquet columns: run_id, cluster_id, cluster_size, representative, doc_id, source_id, path, member, line.
    Only documents in a cluster of two or more are listed; the representative is the cluster's smallest doc id.
    """
    import pyarrow.parquet as pq

    from provenance.dup_query import cluster_table, duplicates_run, keep_doc_ids, run_documents

    with Catalog.open(db, read_only=True) as catalog:
        run_id = duplicates_run(catalog, run, completed=True)
        table = cluster_table(catalog, run_id)
        documents = run_documents(catalog, run_id)
        Path(out_file).parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, out_file)
        kept = None
        if keep_list:
            Path(keep_list).parent.mkdir(parents=True, exist_ok=True)
            kept = 0
            with open(keep_list, "w", encoding="utf-8") as f:
                for doc_id in keep_doc_ids(catalog, run_id):
                    f.write(doc_id + "\n")
                    kept += 1
    members = table.num_rows
    n_clusters = len(set(table.column("cluster_id").to_pylist()))
    click.echo(f"run {run_id}: {documents:,} documents; {n_clusters:,} clusters of {members:,} documents; "
               f"deduplication keeps {documents - members + n_clusters:,} and drops {members - n_clusters:,}")
    click.echo(f"clusters:  {out_file}")
    if keep_list:
        click.echo(f"keep-list: {keep_list} ({kept:,} doc ids)")
