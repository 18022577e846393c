"""The `schedule` command, added to the `provenance` group when flows/cli.py imports this module.

Everything is checked before anything is registered (manifest, cron, time zone, name, stages, options, the catalog),
so a typo exits 2 at once instead of failing at 03:00 next Monday.
"""

from __future__ import annotations

from pathlib import Path

import click

from flows.cli_options import audit_options
from provenance.cli import cli


@cli.command()
@click.argument("manifest_file", type=click.Path())
@click.option("--cron", required=True,
              help='When to audit: a cron expression in --timezone, e.g. "0 3 * * 1" (Mondays at 03:00).')
@click.option("--name", default=None, help="Deployment name (default: the manifest's dataset name).")
@click.option("--timezone", default="UTC", show_default=True, help="Time zone of --cron (IANA name).")
@audit_options
def schedule(manifest_file: str, cron: str, name: str | None, timezone: str, db: str | None, out_dir: str,
             stages: str, workers: int, runner: str, dask_address: str | None, allow_outside: bool,
             max_record_mb: int, pii_sample: int, pii_seed: int, pii_lang: str, pii_ner: tuple[str, ...],
             dup_threshold: str, dup_bands: str, dup_verify: str, worse_pii_margin: float,
             worse_dup_margin: float) -> None:
    """Audit MANIFEST_FILE on a cron schedule: a Prefect deployment served from this process (Ctrl-C stops).

    Each run is incremental on the same catalog and marked worse or not against the run before (see `provenance
    runs`). Runs show in the Prefect UI: start `prefect server start` first and set PREFECT_API_URL to its API.
    """
    from flows.audit import parse_stages
    from flows.cli import parse_banding, parse_ner
    from flows.runners import RunnerChoice
    from flows.prefect_env import prefect_api
    from flows.schedule import FLOW_NAME, build_deployment, check_cron, check_name, default_name, serve_deployment
    from provenance.catalog import Catalog
    from provenance.dup_stage import DupOptions
    from provenance.manifest import load_manifest
    from provenance.regression import WorseOptions

    loaded = load_manifest(manifest_file, allow_outside=allow_outside)
    next_runs = check_cron(cron, timezone)
    name = check_name(name or default_name(loaded.manifest.dataset.name))
    stage_list = parse_stages(stages)
    bands, rows = parse_banding(dup_bands)
    DupOptions(threshold=float(dup_threshold), bands=bands, rows=rows, verify=dup_verify)  # checks them now
    WorseOptions(pii_margin=worse_pii_margin, dup_margin=worse_dup_margin)
    RunnerChoice(kind=runner, workers=workers, dask_address=dask_address).check()
    ner_models = parse_ner(pii_ner)  # installed now, or exit 2 now
    out_path = Path(out_dir).resolve()
    db_path = Path(db).resolve() if db else out_path / "audit.duckdb"
    Catalog.open(db_path).close()  # in use by an audit, or too new: say so now, not at the first run
    parameters = {
        "manifest_path": str(Path(manifest_file).resolve()), "db": str(db_path), "out": str(out_path),
        "stages": stage_list, "workers": workers, "allow_outside": allow_outside, "max_record_mb": max_record_mb,
        "runner": runner, "dask_address": dask_address, "pii_sample": pii_sample, "pii_seed": pii_seed,
        "pii_lang": pii_lang, "pii_ner": [list(pair) for pair in ner_models], "dup_threshold": float(dup_threshold),
        "dup_bands": bands, "dup_rows": rows, "dup_verify": dup_verify, "worse_pii_margin": worse_pii_margin,
        "worse_dup_margin": worse_dup_margin}
    deployment = build_deployment(name, cron, timezone, parameters)
    full_name = f"{FLOW_NAME}/{name}"

    with prefect_api() as (api_url, temporary):
        def ready(deployment_id: object) -> None:
            click.echo(f"deployment: {full_name} ({deployment_id})")
            click.echo(f"schedule:   {cron} ({timezone}); next runs: "
                       + ", ".join(d.strftime("%Y-%m-%d %H:%M %Z") for d in next_runs))
            click.echo(f"audits:     {parameters['manifest_path']} → catalog {db_path}, reports in {out_path}")
            if temporary:
                click.echo(f"Prefect:    a temporary local API at {api_url} (PREFECT_API_URL is not set); runs are "
                           "kept in Prefect's local database and show in the UI of `prefect server start`; to watch "
                           "them live, start it first and export PREFECT_API_URL=http://127.0.0.1:4200/api")
            else:
                ui = api_url[:-len("/api")] if api_url.endswith("/api") else api_url
                click.echo(f"Prefect:    {api_url}; runs in the UI: {ui}/deployments")
            env = f"PREFECT_API_URL={api_url} " if temporary else ""  # the shell does not know the temporary API
            click.echo(f"run now:    {env}prefect deployment run '{full_name}'")
            click.echo(f"history:    provenance runs --db {db_path}")
            click.echo("serving; Ctrl-C stops (and pauses the schedule until the next `provenance schedule`)")

        serve_deployment(deployment, on_ready=ready)
    click.echo("stopped")
