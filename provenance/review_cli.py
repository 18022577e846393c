"""The `sample` commands (TC260-003 §9.2 manual review sample), added to the `provenance` group when flows/cli.py
imports this module. The work is in provenance/review_sample.py.

    provenance sample --db PATH [--run RUN] --n 4000 --seed S --out review.csv [--max-chars 2000]
    provenance sample ingest review.csv --db PATH

(`provenance sample draw ...` is the same as the first form.) Exit codes: 0 done, 2 bad input.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Callable

import click

from provenance.cli import Group, cli, stderr_is_tty
from provenance.review_sample import ALLOWED_VERDICTS, THRESHOLDS, draw_sample, ingest_review

SAMPLE_HELP = f"""Draw the TC260-003 §9.2 manual review sample of a run into a CSV for reviewers.

§9.2 asks for a random sample of at least {THRESHOLDS['size']:,} items checked by hand, with at least
{THRESHOLDS['pass_rate']:.0%} of them passing. The sample is drawn from the run's accepted documents, stratified by
source (proportional to documents, largest remainder, at least 1 per non-empty source), and seeded: the same --seed
gives the same documents on any machine (a document's place is md5 of "SEED:doc_id").

\b
review.csv (UTF-8 with a BOM, so that Excel shows Chinese) has one row per item:
  sample_id  the sample (recorded in the catalog's review_samples)
  item       1..n, in seeded order (sources mixed)
  source_id, doc_id, path, member, line   where the document is
  chars      its length in characters (the text is cut to --max-chars and then ends with …)
  text       the document read again from its file, every value the PII engine finds masked as <ENTITY_TYPE>;
             empty when the file changed or is gone since the run (the reason is in note)
  verdict    to fill: {ALLOWED_VERDICTS}
  reviewer   to fill: who judged it
  note       to fill: why (a fail especially)
A cell starting with = + - or @ gets a leading ' so that a spreadsheet never runs it as a formula.

\b
Then: `provenance sample ingest review.csv --db PATH`.
"""

DB = click.option("--db", type=click.Path(dir_okay=False), default=None, help="Catalog file of an audit.")
RUN = click.option("--run", default=None, help="Run to sample (default: the latest completed run).")
N = click.option("--n", "n", type=click.IntRange(1), default=THRESHOLDS["size"], show_default=True,
                 help="Items to draw (§9.2: at least 4,000). More than the run's documents takes them all.")
SEED = click.option("--seed", type=int, default=0, show_default=True,
                    help="Seed of the sample; record it: the same seed gives the same sample.")
OUT = click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
                   help="CSV to write (never overwritten without --force).")
MAX_CHARS = click.option("--max-chars", type=click.IntRange(1), default=2000, show_default=True,
                         help="Characters of each document's text kept in the CSV.")
FORCE = click.option("--force", is_flag=True, help="Overwrite an existing --out (it may hold verdicts).")
PROGRESS = click.option("--progress/--no-progress", default=None,
                        help="Progress on stderr while files are read again (default: when a terminal).")


def _draw_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([DB, RUN, N, SEED, OUT, MAX_CHARS, FORCE, PROGRESS]):
        f = option(f)
    return f


@cli.group(cls=Group, invoke_without_command=True, help=SAMPLE_HELP,
           short_help="TC260-003 9.2 manual review sample: draw review.csv, ingest its verdicts.")
@_draw_options
@click.pass_context
def sample(ctx: click.Context, db: str | None, run: str | None, n: int, seed: int, out: str | None,
           max_chars: int, force: bool, progress: bool | None) -> None:
    if ctx.invoked_subcommand is not None:
        if db or out or run:
            # `sample --db X ingest FILE` would silently ignore X: the subcommand has its own options
            raise click.UsageError(f"put the options after `{ctx.invoked_subcommand}`, e.g. "
                                   f"`provenance sample {ctx.invoked_subcommand} ... --db PATH`", ctx)
        return
    _draw(ctx, db, run, n, seed, out, max_chars, force, progress)


@sample.command("draw", help=SAMPLE_HELP, short_help="Draw the sample (same as `provenance sample --db ... --out`).")
@_draw_options
@click.pass_context
def sample_draw(ctx: click.Context, db: str | None, run: str | None, n: int, seed: int, out: str | None,
                max_chars: int, force: bool, progress: bool | None) -> None:
    _draw(ctx, db, run, n, seed, out, max_chars, force, progress)


def _draw(ctx: click.Context, db: str | None, run: str | None, n: int, seed: int, out: str | None, max_chars: int,
          force: bool, progress: bool | None) -> None:
    if db is None or out is None:
        missing = " and ".join(o for o, v in (("--db", db), ("--out", out)) if v is None)
        raise click.UsageError(f"missing {missing}: `provenance sample --db PATH --out review.csv [--n 4000] "
                               "[--seed S]` draws a sample; `provenance sample ingest review.csv --db PATH` reads "
                               "its verdicts", ctx)
    show = stderr_is_tty() if progress is None else progress
    with _Progress(show) as report:
        result = draw_sample(db, out, n=n, seed=seed, run=run, max_chars=max_chars, force=force, progress=report)
    click.echo(f"sample {result.sample_id}: {result.n_drawn:,} of {result.documents:,} documents of run "
               f"{result.run_id} (seed {result.seed}), {sum(1 for s in result.strata.values() if s['drawn'])} "
               "source(s)")
    if result.took_all:
        click.echo(f"  asked for {result.n_requested:,}, the run has {result.documents:,} documents: all are in the "
                   "sample")
    if result.n_drawn < THRESHOLDS["size"]:
        click.echo(f"  below the {THRESHOLDS['size']:,} items TC260-003 9.2 asks for")
    for source_id, s in result.strata.items():
        click.echo(f"  {source_id:<24} {s['drawn']:>7,} of {s['documents']:>10,}")
    if result.unavailable:
        reasons = ", ".join(f"{k}: {v:,}" for k, v in sorted(result.unavailable.items()))
        click.echo(f"texts left empty: {sum(result.unavailable.values()):,} ({reasons}; reason in `note`)")
    click.echo(f"personal information masked: {result.masked_values:,} value(s) in {result.masked_items:,} item(s)")
    click.echo(f"review.csv: {result.csv_path}")
    click.echo(f"next: fill `verdict` ({ALLOWED_VERDICTS}), then `provenance sample ingest {out} --db {db}`")


INGEST_HELP = f"""Read the verdicts of a filled REVIEW.csv into the catalog and print the pass rate.

\b
verdict: {ALLOWED_VERDICTS}.
Only the rows in the file are set (an empty verdict clears one): ingesting the same file again changes nothing, and
a sample split between reviewers can be ingested file by file. Any bad row (unknown verdict, doc_id not in the
sample) stops the ingest with its line, and nothing is written. A file saved by Excel as GBK or with ';' separators
is read too. Prints the reviewed, passed and failed items, the pass rate with its 95% Wilson interval, and whether
the sample meets TC260-003 9.2 (at least {THRESHOLDS['size']:,} items, pass rate at least
{THRESHOLDS['pass_rate']:.0%}; also judged on the interval's lower end).
"""


@sample.command("ingest", help=INGEST_HELP, short_help="Read a filled review.csv's verdicts; print the pass rate.")
@click.argument("csv_file", metavar="REVIEW.csv", type=click.Path(dir_okay=False))
@click.option("--db", required=True, type=click.Path(dir_okay=False), help="Catalog the sample was drawn in.")
def sample_ingest(csv_file: str, db: str) -> None:
    s = ingest_review(db, csv_file)
    click.echo(f"sample {s['sample_id']} (run {s['drawn_from_run']}): {s['reviewed']:,} of {s['size']:,} items "
               f"reviewed ({s['status'].replace('_', ' ')}): {s['passed']:,} passed, {s['failed']:,} failed")
    if s["pass_rate"] is None:
        click.echo("pass rate: no verdicts yet")
    else:
        lo, hi = s["ci95"]
        click.echo(f"pass rate: {s['pass_rate']:.2%} (95% Wilson interval {lo:.2%}–{hi:.2%})")
    click.echo(f"TC260-003 9.2: size >= {THRESHOLDS['size']:,}: {_yes(s['meets_size'])}; "
               f"pass rate >= {THRESHOLDS['pass_rate']:.0%}: {_yes(s['meets_rate'])} "
               f"(interval's lower end: {_yes(s['meets_rate_lower_bound'])})")


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


class _Progress:
    """Files read again, on stderr: a bar on a terminal, a line every ~5 s otherwise (CI logs), nothing when off."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar: Any = None
        self.last = 0.0

    def __enter__(self) -> Callable[[int, int], None]:
        return self.update

    def update(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if sys.stderr.isatty():
            if self.bar is None:
                from rich.console import Console
                from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

                self.bar = Progress(TextColumn("reading files again"), BarColumn(), MofNCompleteColumn(),
                                    TimeElapsedColumn(), console=Console(file=sys.stderr))
                self.bar.start()
                self.task = self.bar.add_task("read", total=total)
            self.bar.update(self.task, completed=done)
        elif time.monotonic() - self.last >= 5 or done == total:
            self.last = time.monotonic()
            click.echo(f"reading files again: {done:,}/{total:,}", err=True)

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.stop()
