"""`provenance onboard` end to end on data_samples: a real audit of the sample corpus is the corpus, candidates are
a copy of one of its sources, new invented text under several licences, and broken inputs. Real Prefect, presidio,
DuckDB and files; the verdicts and figures are checked against what the candidate holds."""

from __future__ import annotations

import csv
import json
import random
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from flows.audit import run_audit
from flows.cli import cli
from provenance.manifest import load_manifest
from provenance.onboard_report import T
from tests.conftest import SAMPLES
from tests.flows.test_pii_audit import VARIANTS

pytestmark = pytest.mark.usefixtures("prefect_api")

WORDS = ("garden river bridge library harbour orchard meadow workshop market valley lantern window pebble kettle "
         "ladder candle willow thistle compass ribbon saddle anchor basket blanket chimney cobble dune ember feather "
         "fence fiddle glacier gravel hammock hedge hollow island ivy jetty juniper kiln lagoon lattice marsh mill "
         "mosaic nettle oak paddle parlour pier plank quarry quill rafter reed ridge rust satchel shingle shutter "
         "sled spindle spruce stable steeple stream tannery thatch timber trellis tunnel vane vessel wagon wharf "
         "wick yarn yard zephyr amber brisk calm dusky early faint gentle hazy idle keen lofty mellow narrow open "
         "pale quiet rough silent tall tidy warm wide young carries follows gathers holds keeps mends opens "
         "paints rests shapes sorts tends turns walks washes weaves").split()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("onboard")
    samples = tmp / "samples"
    shutil.copytree(SAMPLES, samples, ignore=shutil.ignore_patterns("generate.py", "*.md", "EXPECTED.json"))
    result = run_audit(samples / "manifest.yaml", out=tmp / "corpus")
    doc = json.loads(result.disclosure.read_text(encoding="utf-8"))
    return {"tmp": tmp, "samples": samples, "db": result.db, "doc": doc, "run_id": result.run_id}


def run(*args) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def new_text(n: int, seed: int = 0) -> list[str]:
    """Invented English paragraphs of seeded random words: distinct from each other and from the sample corpus,
    with no personal data (no digits, no names)."""
    out = []
    for i in range(n):
        rng = random.Random(seed * 100_003 + i)
        sentences = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 14))).capitalize() + "."
                     for _ in range(4)]
        out.append(" ".join(sentences))
    return out


def candidate(tmp: Path, name: str, license: str, *, n: int = 30, consent: str = "not_applicable",
              intended_use: str = "commercial", seed: int = 0, copies: list[str] = ()) -> Path:
    folder = tmp / name
    folder.mkdir()
    with open(folder / "texts.jsonl", "w", encoding="utf-8") as f:
        for text in [*new_text(n, seed), *copies]:
            f.write(json.dumps({"text": text}) + "\n")
    manifest = {
        "dataset": {"name": f"{name}-offer", "provider": "Offer Ltd", "intended_use": intended_use},
        "sources": [{"id": name, "name": f"{name} texts", "stage": "pretraining", "paths": ["texts.jsonl"],
                     "text_field": "text", "language": "en", "license": license,
                     "acquisition": {"method": "open_licence", "evidence": "licence page saved 2026-11-01"},
                     "personal_information": {"consent_basis": consent}}],
    }
    path = folder / "candidate.yaml"
    path.write_text(yaml.safe_dump(manifest), encoding="utf-8")
    return path


def onboard(corpus: dict, cand: Path | str, out: str, *extra: str) -> tuple[Result, dict, Path]:
    out_dir = corpus["tmp"] / out
    result = run("onboard", cand, "--against", corpus["db"], "--out", out_dir, "--no-progress", *extra)
    report = out_dir / "onboarding.json"
    doc = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    return result, doc, out_dir


def codes(doc: dict, outcome: str | None = None) -> set[str]:
    return {r["code"] for r in doc["reasons"] if outcome is None or r["outcome"] == outcome}


# -- verdicts ------------------------------------------------------------------------------------------------------

def test_a_clean_new_dataset_is_accepted_and_what_it_adds_is_counted(corpus) -> None:
    result, doc, out = onboard(corpus, candidate(corpus["tmp"], "clean", "MIT"), "o-clean")
    assert result.exit_code == 0, result.output
    assert doc["verdict"] == "accept" and result.stdout.startswith("verdict: ACCEPT\n")
    assert codes(doc, "reject") == codes(doc, "review") == codes(doc, "conditions") == set()
    adds = doc["adds"]
    assert adds["documents"] == 30 and adds["adds_documents"] == 30 and adds["present"] == 0
    assert doc["sources"][0]["overlap"]["exact_present"] == 0
    # English gains documents: its share goes up; the corpus has several English text sources already
    (en,) = [r for r in adds["languages"]["rows"] if r["language"] == "en"]
    assert en["adds_documents"] == 30 and en["share_after"] > en["share_before"] and en["change"] == "strengthened"
    (gives,) = adds["second_sources"]["rows"]
    assert gives["language"] == "en" and gives["gives"] == "another source" and len(gives["corpus_sources"]) >= 2
    before, after = adds["source_mix"]["before"]["documents"], adds["source_mix"]["after"]["documents"]
    assert after["sources"] == before["sources"] + 1
    assert doc["corpus"]["documents"] == corpus["doc"]["totals"]["all"]["documents"]
    assert doc["candidate"]["intended_use"] == "commercial" and doc["candidate"]["intended_use_from"] == "corpus"


def test_a_copy_of_an_audited_source_is_present_and_rejected(corpus) -> None:
    posts = corpus["samples"] / "en_forum" / "posts.csv"
    result, doc, out = onboard(corpus, posts, "o-copy", "--text-field", "body", "--license", "CC-BY-4.0",
                               "--acquisition", "self_collected", "--evidence", "crawl log", "--consent", "unknown")
    assert result.exit_code == 1, result.output
    forum = next(s for s in corpus["doc"]["sources"] if s["id"] == "en-forum")
    (source,) = doc["sources"]
    o = source["overlap"]
    # every document the file yields is in the corpus's en-forum source, exactly
    assert o["documents"] == forum["scale"]["documents"] == o["exact_present"] and o["adds_documents"] == 0
    assert [m["source_id"] for m in o["matches"]] == ["en-forum"]
    dup = next(r for r in doc["reasons"] if r["code"] == "DUP_ALREADY_PRESENT")
    assert dup["outcome"] == "reject" and dup["source"] == source["id"] and "100.0%" in dup["message"]
    assert doc["verdict"] == "reject"
    # the quick case wrote a manifest a user can complete and pass instead
    written = load_manifest(out / "candidate.manifest.yaml", allow_outside=True).manifest.sources[0]
    assert (written.license.declared, written.acquisition.method, written.text_field) == \
        ("CC-BY-4.0", "self_collected", "body")
    # the forum's planted personal data without consent: a reason, and never a raw value in any output
    assert "PII_NO_CONSENT" in codes(doc)
    texts = [p.read_text(encoding="utf-8") for p in [out / "onboarding.json", out / "onboarding.en.md",
                                                      out / "onboarding.zh.md", out / "candidate" / "disclosure.json"]]
    texts.append(result.output)
    for value in VARIANTS:
        assert not any(value in t for t in texts), "a planted value leaked into an onboarding output"


def test_a_non_commercial_licence_is_judged_for_the_corpus_intended_use(corpus) -> None:
    # the candidate's own manifest says research; the corpus is for commercial use, and that is what counts
    cand = candidate(corpus["tmp"], "nc", "CC-BY-NC-4.0", intended_use="research", seed=3)
    result, doc, _ = onboard(corpus, cand, "o-nc")
    assert result.exit_code == 1 and doc["verdict"] == "reject"
    assert codes(doc, "reject") == {"LIC_NOT_COMMERCIAL"}
    reason = next(r for r in doc["reasons"] if r["code"] == "LIC_NOT_COMMERCIAL")
    assert reason["clause"].startswith("Final Art. 7(2)") and "commercial" in reason["message"]
    # judged for research use instead, the same licence is no obstacle
    result, doc, _ = onboard(corpus, cand, "o-nc-research", "--intended-use", "research")
    assert "LIC_NOT_COMMERCIAL" not in codes(doc) and doc["verdict"] == "accept", doc["reasons"]
    assert doc["candidate"]["intended_use_from"] == "--intended-use" and result.exit_code == 0


def test_share_alike_is_a_condition_and_a_policy_file_can_accept_it(corpus) -> None:
    cand = candidate(corpus["tmp"], "sa", "CC-BY-SA-4.0", seed=5)
    result, doc, out = onboard(corpus, cand, "o-sa")
    assert result.exit_code == 1 and doc["verdict"] == "conditions", doc["reasons"]
    assert codes(doc, "conditions") == {"LIC_SHARE_ALIKE"}
    policy = corpus["tmp"] / "policy.yaml"
    policy.write_text("outcomes:\n  LIC_SHARE_ALIKE: accept\n", encoding="utf-8")
    result, doc, _ = onboard(corpus, cand, "o-sa-policy", "--policy", policy)
    assert result.exit_code == 0 and doc["verdict"] == "accept"
    assert doc["policy"]["outcomes"]["LIC_SHARE_ALIKE"] == "accept" and doc["policy_file"] == str(policy)
    # the default policy is still in force for everything the file does not set
    assert doc["policy"]["outcomes"]["LIC_NOT_COMMERCIAL"] == "reject"


def test_figures_agree_between_the_json_and_both_markdown_files(corpus) -> None:
    # 40 new documents and copies of the first 10 posts of the corpus's forum source (some of them with the
    # planted personal data, in a source declared free of it)
    with open(corpus["samples"] / "en_forum" / "posts.csv", encoding="utf-8", newline="") as f:
        bodies = [r["body"] for r in csv.DictReader(f) if r.get("body") and r["body"].strip()][:10]
    cand = candidate(corpus["tmp"], "mixed", "CC-BY-SA-4.0", n=40, seed=7, copies=bodies)
    result, doc, out = onboard(corpus, cand, "o-figures")
    o = doc["sources"][0]["overlap"]
    assert o["documents"] == 50 and o["present"] == 10 and o["adds_documents"] == 40
    en = (out / "onboarding.en.md").read_text(encoding="utf-8")
    zh = (out / "onboarding.zh.md").read_text(encoding="utf-8")
    row = f"| mixed | 50 | {o['exact_present']:,} / {o['near_present']:,} | 20.0% | 40 |"
    assert row in en and row in zh
    assert f"**Verdict: {T['en'][doc['verdict']]}** (exit code {result.exit_code})" in en
    assert f"**结论: {T['zh'][doc['verdict']]}** (退出码 {result.exit_code})" in zh
    assert {"DUP_ALREADY_PRESENT", "LIC_SHARE_ALIKE"} <= codes(doc, "conditions")
    for r in doc["reasons"]:
        assert f"`{r['code']}`" in en and f"`{r['code']}`" in zh


# -- bad input: exit 2, before any work ----------------------------------------------------------------------------

def assert_clean_error(result: Result, *parts: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.output, result.output
    for part in parts:
        assert part in result.stderr, f"{part!r} not in {result.stderr!r}"


def test_a_missing_corpus_catalog_is_a_clean_error(corpus, tmp_path) -> None:
    result = run("onboard", candidate(tmp_path, "x", "MIT"), "--against", tmp_path / "nope.duckdb")
    assert_clean_error(result, "no corpus catalog", "--db of the corpus's last full audit")


def test_data_file_options_with_a_manifest_are_refused(corpus, tmp_path) -> None:
    result = run("onboard", candidate(tmp_path, "x", "MIT"), "--against", corpus["db"], "--license", "MIT")
    assert_clean_error(result, "--license describes a data file", "set the field in the candidate manifest")


def test_a_broken_candidate_manifest_names_the_field(corpus, tmp_path) -> None:
    cand = candidate(tmp_path, "x", "MIT")
    cand.write_text(cand.read_text(encoding="utf-8").replace("stage: pretraining", "stage: pre-training"),
                    encoding="utf-8")
    result = run("onboard", cand, "--against", corpus["db"], "--out", tmp_path / "o")
    assert_clean_error(result, "sources[0].stage", "'pre-training' is not an allowed value")
    assert not (tmp_path / "o" / "candidate.duckdb").exists()


def test_a_corpus_run_without_signatures_is_refused(corpus, tmp_path) -> None:
    scan_only = run_audit(corpus["samples"] / "manifest.yaml", out=tmp_path / "scan-only", stages=["scan"])
    result = run("onboard", candidate(tmp_path, "x", "MIT"), "--against", scan_only.db)
    assert_clean_error(result, "no completed run in the catalog included the duplicates stage")


def test_out_must_not_overwrite_the_corpus_catalog(corpus, tmp_path) -> None:
    db = tmp_path / "candidate.duckdb"
    shutil.copy(corpus["db"], db)
    result = run("onboard", candidate(tmp_path, "x", "MIT"), "--against", db, "--out", tmp_path)
    assert_clean_error(result, "over the corpus catalog", "choose another --out")


def test_a_bad_policy_file_is_refused_before_any_work(corpus, tmp_path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text("outcomes:\n  LIC_SHARE_ALIKE: maybe\n", encoding="utf-8")
    result = run("onboard", candidate(tmp_path, "x", "MIT"), "--against", corpus["db"], "--policy", policy,
                 "--out", tmp_path / "o")
    assert_clean_error(result, "outcomes.LIC_SHARE_ALIKE: 'maybe' is not an outcome")
    assert not (tmp_path / "o").exists()


def test_onboard_policy_prints_a_policy_that_loads(tmp_path) -> None:
    result = run("onboard-policy")
    assert result.exit_code == 0 and "reject_at:" in result.stdout
    (tmp_path / "p.yaml").write_text(result.stdout, encoding="utf-8")
    from provenance.onboard_policy import load_policy

    assert load_policy(tmp_path / "p.yaml") == load_policy()
    listing = run("onboard-policy", "--codes").stdout
    assert "LIC_NOT_COMMERCIAL" in listing and "by rate" in listing and "ignored" in listing


def test_a_threshold_the_duplicates_stage_does_not_report_is_refused(corpus, tmp_path) -> None:
    result = run("onboard", candidate(tmp_path, "x", "MIT"), "--against", corpus["db"], "--threshold", "0.75")
    assert result.exit_code == 2 and "Invalid value for '--threshold'" in result.stderr
    from flows.onboard import run_onboarding
    from provenance.errors import InputError

    with pytest.raises(InputError, match="--threshold 0.75 is not one the duplicates stage reports"):
        run_onboarding(candidate(tmp_path, "y", "MIT"), corpus["db"], out=tmp_path / "o", threshold=0.75)


MIT_TEXT = """MIT License

Copyright (c) 2026 Offer Ltd

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
documentation files (the "Software"), to deal in the Software without restriction, including without limitation the
rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit
persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of the
Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE
WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.
"""


def test_a_data_file_is_read_from_its_own_folder_with_the_licence_beside_it(corpus, tmp_path) -> None:
    # the quick case: a licence file next to the data is found (and contradicts the declared licence); the folders
    # above it are not searched, and documents are named after the file alone
    folder = tmp_path / "offer"
    folder.mkdir()
    (folder / "LICENSE").write_text(MIT_TEXT, encoding="utf-8")
    (tmp_path / "README.md").write_text("Licensed under CC BY-NC-SA 4.0.\n", encoding="utf-8")  # one level up
    with open(folder / "texts.jsonl", "w", encoding="utf-8") as f:
        for text in new_text(12, seed=11):
            f.write(json.dumps({"text": text}) + "\n")
    result, doc, out = onboard(corpus, folder / "texts.jsonl", "o-quick", "--license", "Apache-2.0",
                               "--acquisition", "open_licence", "--evidence", "LICENSE", "--consent", "not_applicable")
    conflict = next(r for r in doc["reasons"] if r["code"] == "LIC_CONFLICT")
    assert "MIT in LICENSE" in conflict["message"] and "CC-BY-NC" not in conflict["message"], conflict["message"]
    report = json.loads((out / "candidate" / "disclosure.json").read_text(encoding="utf-8"))
    assert [d["path"] for d in report["sources"][0]["license"]["detected_files"]] == ["LICENSE"]
    assert doc["sources"][0]["scale"]["documents"] == 12 and result.exit_code == 1
