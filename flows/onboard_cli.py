"""The `onboard` and `onboard-policy` commands, added to the `provenance` group when flows/cli.py imports this.

Exit codes of `onboard`: 0 accept, 1 any other verdict (accept with conditions, needs review, reject), 2 bad input.
"""

from __future__ import annotations

import sys

import click

from provenance.cli import cli, stderr_is_tty
from provenance.findings import CODES
from provenance.readers.single import CLI_FORMATS


@cli.command()
@click.argument("candidate", metavar="CANDIDATE.yaml|DATA_FILE", type=click.Path())
@click.option("--against", "against", required=True, type=click.Path(dir_okay=False),
              help="Catalog of the corpus's last full audit (its --db); only its stored results are read.")
@click.option("--run", default=None, help="Corpus run (default: its latest completed run with the duplicates stage).")
@click.option("--sample", type=click.IntRange(0), default=2000, show_default=True,
              help="Documents per file analysed for personal information (seeded; 0: every document).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the PII sample.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="out/onboarding", show_default=True,
              help="Folder for onboarding.json, onboarding.zh.md, onboarding.en.md and the candidate's catalog.")
@click.option("--intended-use", type=click.Choice(["commercial", "research"]), default=None,
              help="Judge licences for this use (default: the corpus audit's intended use).")
@click.option("--policy", "policy_file", type=click.Path(dir_okay=False), default=None,
              help="Policy YAML overriding the defaults (`provenance onboard-policy` prints them).")
@click.option("--threshold", type=click.Choice(["0.7", "0.8", "0.9"]), default="0.8", show_default=True,
              help="Jaccard similarity at which a candidate document counts as already present (and at which its "
                   "own near duplicates are counted).")
@click.option("--workers", type=click.IntRange(1), default=2, show_default=True, help="Files read in parallel.")
@click.option("--allow-outside", is_flag=True, help="Allow manifest paths outside the manifest's folder.")
@click.option("--progress/--no-progress", default=None, help="Steps and a progress bar on stderr (default: when a "
                                                              "terminal).")
@click.option("--license", "license_", default=None, help="Data file only: the licence it comes under.")
@click.option("--origin", default=None, help="Data file only: where it comes from (URL).")
@click.option("--publisher", default=None, help="Data file only: who publishes it.")
@click.option("--jurisdiction", type=click.Choice(["domestic", "foreign", "unknown"]), default=None,
              help="Data file only: domestic or foreign origin.")
@click.option("--acquisition", type=click.Choice(["open_licence", "commercial_contract", "self_collected", "user_data",
                                                  "synthetic", "other", "unknown"]), default=None,
              help="Data file only: how it was acquired.")
@click.option("--evidence", default=None, help="Data file only: the acquisition evidence (contract id, licence "
                                               "file, collection log).")
@click.option("--consent", type=click.Choice(["consent", "separate_consent", "contract", "public", "anonymised",
                                              "none", "unknown", "not_applicable"]), default=None,
              help="Data file only: the consent basis for personal information in it.")
@click.option("--language", default=None, help="Data file only: declared language(s), comma-separated (zh,en).")
@click.option("--stage", type=click.Choice(["pretraining", "finetuning"]), default=None,
              help="Data file only: the training stage it is for (default pretraining).")
@click.option("--text-field", default=None, help="Data file only: the field or column holding the text.")
@click.option("--format", "fmt", type=click.Choice(list(CLI_FORMATS)), default=None,
              help="Data file only: its record format (default: from the name).")
@click.option("--name", default=None, help="Data file only: a name for the source.")
def onboard(candidate: str, against: str, run: str | None, sample: int, seed: int, out_dir: str,
            intended_use: str | None, policy_file: str | None, threshold: str, workers: int, allow_outside: bool,
            progress: bool | None, license_: str | None, origin: str | None, publisher: str | None,
            jurisdiction: str | None, acquisition: str | None, evidence: str | None, consent: str | None,
            language: str | None, stage: str | None, text_field: str | None, fmt: str | None,
            name: str | None) -> None:
    """May we add CANDIDATE to the corpus audited in --against, and what does it bring?

    CANDIDATE is a manifest with one or more candidate sources, or one data file described by the `Data file
    only` options (what is not given is `unknown` and reported as such). The candidate is audited on its own
    (scan, licence, PII sample, signatures, languages), matched against the corpus's stored signatures, and judged
    by the policy. Writes onboarding.json, onboarding.zh.md and onboarding.en.md to --out and prints the verdict.
    Exit 0 accept, 1 accept with conditions / needs review / reject, 2 bad input.
    """
    from flows.onboard import QuickSource, run_onboarding

    quick = QuickSource(license=license_, origin_url=origin, publisher=publisher, jurisdiction=jurisdiction,
                        acquisition=acquisition, evidence=evidence, consent=consent, language=language, stage=stage,
                        text_field=text_field, format=CLI_FORMATS[fmt] if fmt else None, name=name)
    result = run_onboarding(candidate, against, out=out_dir, run=run, sample=sample, seed=seed,
                            intended_use=intended_use, policy_file=policy_file, threshold=float(threshold),
                            workers=workers,
                            allow_outside=allow_outside, quick=quick,
                            show_progress=stderr_is_tty() if progress is None else progress)
    doc = result.document
    adds = doc["adds"]
    click.echo(f"verdict: {result.label.upper()}")
    for r in doc["reasons"]:
        if r["outcome"] != "accept":
            click.echo(f"  {r['outcome']:<10} {r['code']:<34} {r['source'] or '':<20} {r['message']}")
    notes = [r for r in doc["reasons"] if r["outcome"] == "accept"]
    if notes:
        click.echo("  notes: " + ", ".join(sorted({r["code"] for r in notes})))
    click.echo(f"adds {adds['adds_documents']:,} of {adds['documents']:,} documents "
               f"({adds['adds_bytes'] / 1e6:,.1f} of {adds['bytes'] / 1e6:,.1f} MB); "
               f"{adds['present']:,} already in corpus run {doc['corpus']['run_id']}")
    for key in ("json", "en", "zh"):
        click.echo(f"{key + ':':<6}{result.outputs[key]}")
    sys.exit(result.exit_code)


@cli.command("onboard-policy")
@click.option("--codes", is_flag=True, help="List every finding code with its severity, default outcome and clause.")
def onboard_policy(codes: bool) -> None:
    """Print the default onboarding policy (YAML) to copy and edit for `onboard --policy`."""
    from provenance.onboard_policy import default_policy_text, load_policy

    if not codes:
        click.echo(default_policy_text(), nl=False)
        return
    policy = load_policy()
    for code, spec in CODES.items():
        click.echo(f"{code:<34} {spec.severity:<9} {policy.rule(code, spec.severity):<16} {spec.clause}")
