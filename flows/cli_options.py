"""Options shared by `provenance audit` and `provenance schedule`: declared once so the two commands cannot drift.

A scheduled audit is the same audit on a timer; every option that shapes the audit belongs here, with its default.
"""

from __future__ import annotations

from typing import Callable

import click

AUDIT_OPTIONS: list[Callable] = [
    click.option("--db", type=click.Path(dir_okay=False), default=None,
                 help="Catalog file (default: OUT/audit.duckdb). Reuse it to audit incrementally."),
    click.option("--out", "out_dir", type=click.Path(file_okay=False), default="out", show_default=True,
                 help="Folder for disclosure.json and the other outputs."),
    click.option("--stages", default="all", show_default=True,
                 help="Comma-separated stages to run; `scan` always runs. See `provenance stages`."),
    click.option("--workers", type=int, default=2, show_default=True,
                 help="Files read in parallel: threads, processes or local Dask workers (--runner)."),
    click.option("--runner", type=click.Choice(["thread", "process", "dask"]), default="thread", show_default=True,
                 help="Where files are read: a thread pool, a process pool, or Dask workers (a local cluster of "
                      "--workers processes, or --dask-address)."),
    click.option("--dask-address", default=None, metavar="tcp://HOST:8786",
                 help="With --runner dask: an existing Dask scheduler; its workers must see the data and --out at "
                      "the same paths (shared storage)."),
    click.option("--allow-outside", is_flag=True, help="Allow manifest paths outside the manifest's folder."),
    click.option("--max-record-mb", type=click.IntRange(1, 4096), default=16, show_default=True,
                 help="Records larger than this are rejected (and counted) instead of read."),
    click.option("--pii-sample", type=click.IntRange(0), default=0, show_default=True,
                 help="PII stage on a seeded sample of N documents per source (0: every document)."),
    click.option("--pii-seed", type=int, default=0, show_default=True, help="Seed of the PII sample."),
    click.option("--pii-lang", type=click.Choice(["auto", "zh", "en"]), default="auto", show_default=True,
                 help="Recognizer set: per document by its script (auto), or one for all."),
    click.option("--pii-ner", "pii_ner", multiple=True, metavar="LANG=MODEL",
                 help="Use an installed spaCy model for person names, e.g. en=en_core_web_sm (never downloaded)."),
    click.option("--dup-threshold", type=click.Choice(["0.7", "0.8", "0.9"]), default="0.8", show_default=True,
                 help="Jaccard similarity at which documents form a near-duplicate cluster."),
    click.option("--dup-bands", default="16x8", show_default=True, metavar="BxR",
                 help="LSH banding: B bands of R rows (B × R ≤ 128); 16x8 finds 99.5% of pairs at Jaccard ≥ 0.8."),
    click.option("--dup-verify", type=click.Choice(["exact", "estimate"]), default="exact", show_default=True,
                 help="Near-duplicate pairs: exact Jaccard (the pairs' documents are read again) or the MinHash "
                      "estimate."),
    click.option("--worse-pii-margin", type=float, default=0.01, show_default=True,
                 help="The run is marked worse when the PII rate rose by more than this (absolute) since the last "
                      "run."),
    click.option("--worse-dup-margin", type=float, default=0.02, show_default=True,
                 help="The run is marked worse when the near-duplicate rate rose by more than this (absolute)."),
]


def audit_options(command: Callable) -> Callable:
    """Add AUDIT_OPTIONS to a click command, in the order listed (click shows options in decoration order)."""
    for option in reversed(AUDIT_OPTIONS):
        command = option(command)
    return command
