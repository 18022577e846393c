"""Onboarding review: audit a candidate dataset on its own, compare it with an audited corpus, give a verdict.

Orchestration only. The candidate is audited by the audit flow itself (scan, licence, notices, a seeded PII sample,
duplicate signatures, languages) into OUT/candidate.duckdb, judged for the corpus's intended use; its signatures are
then matched against the corpus catalog's stored ones (provenance.onboard_compare), the findings and the overlap
become reasons (provenance.onboard_verdict), and provenance.onboard_report writes onboarding.json and the Markdown.
Nothing in the corpus is read again: only its catalog.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from provenance.catalog import Catalog
from provenance.dup_query import duplicates_run, is_manifest_path
from provenance.errors import InputError
from provenance.manifest import load_manifest
from provenance.onboard_compare import candidate_overlap, corpus_profile, export_candidate, what_it_adds
from provenance.onboard_policy import load_policy
from provenance.onboard_report import build_onboarding, write_onboarding
from provenance.onboard_verdict import decide, reasons_for

CANDIDATE_STAGES = ["scan", "license", "notices", "pii", "duplicates", "diversity"]
STEPS = 4


@dataclass(frozen=True)
class QuickSource:
    """A single data file described on the command line instead of in a manifest (`onboard PATH --license …`)."""

    license: str | None = None
    origin_url: str | None = None
    publisher: str | None = None
    jurisdiction: str | None = None
    acquisition: str | None = None
    evidence: str | None = None
    consent: str | None = None
    language: str | None = None
    stage: str | None = None
    text_field: str | None = None
    format: str | None = None
    name: str | None = None

    def given(self) -> list[str]:
        return [k for k, v in self.__dict__.items() if v is not None]


@dataclass
class OnboardingResult:
    verdict: str
    label: str
    exit_code: int
    document: dict[str, Any]
    outputs: dict[str, Path] = field(default_factory=dict)


def quick_manifest(data_path: Path, out_dir: Path, quick: QuickSource, intended_use: str) -> tuple[Path, Path]:
    """Write OUT/candidate.manifest.yaml describing one data file (or a folder's files) from the options given;
    what is not given stays `unknown` and becomes a finding, as in any manifest. Returns the manifest and the folder
    its paths are read from: the data's own (so licence files are looked for next to the data, not in the folders
    above it, and documents are named after the file alone)."""
    if not data_path.exists():
        raise InputError(f"no such file or folder: {data_path}", where=str(data_path),
                         fix="give a manifest (.yaml) or a data file (JSONL, JSON, CSV, TSV, Parquet, text, archive)")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = data_path.resolve()
    base = target if target.is_dir() else target.parent
    stem = data_path.name.split(".")[0] or "candidate"
    source_id = re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-._")[:64] or "candidate"
    source: dict[str, Any] = {
        "id": source_id, "name": quick.name or data_path.name, "stage": quick.stage or "pretraining",
        # absolute, so that the written manifest also works on its own (`provenance audit … --allow-outside`)
        "paths": [(target / "**" / "*").as_posix() if target.is_dir() else target.as_posix()],
    }
    if quick.format:
        source["format"] = quick.format
    if quick.text_field:
        source["text_field"] = quick.text_field
    if quick.language:
        source["language"] = [x.strip() for x in quick.language.split(",") if x.strip()]
    origin = {k: v for k, v in {"url": quick.origin_url, "publisher": quick.publisher,
                                "jurisdiction": quick.jurisdiction}.items() if v}
    if origin:
        source["origin"] = origin
    acquisition = {k: v for k, v in {"method": quick.acquisition, "evidence": quick.evidence}.items() if v}
    if acquisition:
        source["acquisition"] = acquisition
    if quick.license:
        source["license"] = {"declared": quick.license}
    if quick.consent:
        source["personal_information"] = {"consent_basis": quick.consent}
    manifest = {"dataset": {"name": f"onboarding-{source_id}", "provider": "unknown", "intended_use": intended_use},
                "sources": [source]}
    path = out_dir / "candidate.manifest.yaml"
    path.write_text("# Written by `provenance onboard` from the command line's options; edit it and pass it instead\n"
                    "# of the data file (with --allow-outside) to declare what the options do not cover.\n"
                    + yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")
    return path, base


def _step(show: bool, n: int, text: str) -> None:
    if show:
        print(f"[{n}/{STEPS}] {text}", file=sys.stderr, flush=True)


def run_onboarding(candidate: str | Path, against: str | Path, *, out: str | Path = "out/onboarding",
                   run: str | None = None, sample: int = 2000, seed: int = 0, intended_use: str | None = None,
                   policy_file: str | Path | None = None, threshold: float = 0.8, workers: int = 2,
                   allow_outside: bool = False, max_record_mb: int = 16, quick: QuickSource | None = None,
                   show_progress: bool = False) -> OnboardingResult:
    """Review CANDIDATE (a manifest, or one data file with `quick`) against the corpus catalog AGAINST."""
    from flows.audit import PiiOptions, run_audit
    from provenance.dup_stage import RATE_THRESHOLDS, DupOptions

    started = time.perf_counter()
    quick = quick or QuickSource()
    out_dir = Path(out).resolve()
    policy = load_policy(policy_file)
    against = Path(against)
    if not against.is_file():
        raise InputError(f"no corpus catalog at {against}", where="--against",
                         fix="pass the --db of the corpus's last full audit (`provenance audit MANIFEST --db PATH`)")
    candidate = Path(candidate)
    candidate_db = out_dir / "candidate.duckdb"
    if candidate_db.resolve() == against.resolve():
        raise InputError("--out would write the candidate's catalog over the corpus catalog", where="--out",
                         fix="choose another --out folder")
    if sample < 0:
        raise InputError("--sample must be 0 (every document) or more", where="--sample", fix="e.g. --sample 2000")
    if threshold not in RATE_THRESHOLDS:
        raise InputError(f"--threshold {threshold} is not one the duplicates stage reports", where="--threshold",
                         fix=f"use one of {', '.join(map(str, RATE_THRESHOLDS))}")

    timings: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        timings[name] = round(now - mark, 2)
        mark = now

    _step(show_progress, 1, f"reading the corpus catalog {against}")
    with Catalog.open(against, read_only=True) as corpus_catalog:
        corpus_run = duplicates_run(corpus_catalog, run, completed=True)
        corpus = corpus_profile(corpus_catalog, corpus_run)
    # the candidate is judged for the corpus's use unless told otherwise; a candidate manifest's own is the last word
    use, use_from = ((intended_use, "--intended-use") if intended_use else
                     (corpus["intended_use"], "corpus") if corpus["intended_use"] else (None, "candidate"))

    if is_manifest_path(candidate):
        if quick.given():
            raise InputError(f"--{quick.given()[0].replace('_', '-')} describes a data file; a manifest declares it "
                             "per source", where=str(candidate),
                             fix="set the field in the candidate manifest instead, or pass the data file itself")
        manifest_path, base_dir = candidate, None
        loaded = load_manifest(manifest_path, allow_outside=allow_outside)
        kind = "manifest"
    else:
        manifest_path, base_dir = quick_manifest(candidate, out_dir, quick, use or "commercial")
        allow_outside = True
        loaded = load_manifest(manifest_path, allow_outside=allow_outside, base_dir=base_dir)
        kind = "file"
    use = use or loaded.manifest.dataset.intended_use
    lap("corpus_profile")

    _step(show_progress, 2, f"auditing the candidate's {len(loaded.manifest.sources)} source(s): scan, licence, "
                            f"PII sample of {sample or 'all'} documents per file, signatures, languages")
    audit = run_audit(manifest_path, db=candidate_db, out=out_dir / "candidate", stages=CANDIDATE_STAGES,
                      workers=workers, allow_outside=allow_outside, max_record_mb=max_record_mb,
                      show_progress=show_progress, pii=PiiOptions(sample=sample, seed=seed),
                      dup=DupOptions(threshold=threshold, verify="estimate"), intended_use=use, base_dir=base_dir)
    disclosure = json.loads(audit.disclosure.read_text(encoding="utf-8"))
    lap("candidate_audit")

    with tempfile.TemporaryDirectory(prefix="provenance-onboard-") as tmp:
        export = Path(tmp) / "candidate.parquet"
        with Catalog.open(candidate_db, read_only=True) as cat:
            exported = export_candidate(cat, audit.run_id, export)
        _step(show_progress, 3, f"matching {exported:,} candidate documents against the {corpus['documents']:,} "
                                f"documents of corpus run {corpus_run} (stored signatures only)")
        with Catalog.open(against, read_only=True) as corpus_catalog:
            overlap = candidate_overlap(corpus_catalog, corpus_run, export, threshold)
    adds = what_it_adds(corpus, disclosure["sources"], overlap)
    reasons = reasons_for(disclosure, overlap, policy, use)
    verdict = decide(reasons)
    lap("overlap_and_verdict")

    _step(show_progress, 4, f"writing the report to {out_dir}")
    document = build_onboarding(
        candidate={"input": str(candidate), "kind": kind, "manifest": str(manifest_path), "catalog": str(candidate_db),
                   "run_id": audit.run_id, "disclosure": str(audit.disclosure), "intended_use": use,
                   "intended_use_from": use_from, "dataset": loaded.manifest.dataset.name},
        corpus=corpus, disclosure=disclosure, overlap=overlap, adds=adds, reasons=reasons, verdict=verdict,
        policy=policy, policy_file=str(policy_file) if policy_file else None,
        options={"sample": sample, "seed": seed, "threshold": threshold},
        seconds=time.perf_counter() - started, timings=timings)
    outputs = write_onboarding(document, out_dir)
    return OnboardingResult(verdict["verdict"], verdict["label"], verdict["exit_code"], document, outputs)
