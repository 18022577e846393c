"""The licence stage's logic: declared vs detected, classification, evidence checks, licence files next to data."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.licensing import (
    DetectedLicense,
    assess_source,
    dataset_findings,
    evidence_findings,
    license_files_on_disk,
    most_restrictive,
    source_findings,
)
from provenance.manifest import Dataset, Source, load_manifest


def src(**kw) -> Source:
    base = {"id": "s", "name": "S", "stage": "pretraining", "paths": ["data/*.txt"]}
    return Source.model_validate(base | kw)


def found(spdx: str, path: str = "LICENSE") -> DetectedLicense:
    return DetectedLicense(path, spdx, 0.9, "title", "title")


@pytest.mark.parametrize("declared, detected, status, use_class", [
    ("MIT", [found("MIT")], "consistent", "commercial"),  # the file agrees with the manifest
    ("MIT", [], "declared-only", "commercial"),  # nothing to compare with
    ("unknown", [found("CC-BY-SA-4.0")], "detected-only", "commercial"),  # the file fills the gap
    ("CC BY 4.0", [found("CC-BY-NC-4.0")], "conflict", "non-commercial"),  # a conflict takes the stricter licence
    (None, [], "unspecified", "unspecified"),  # nothing at all is not cleared
    ("unknown", [], "unspecified", "unspecified"),  # 'unknown' is the same as not declaring
    ("qwertyuiop licence", [], "unknown", "unknown"),  # garbage is never guessed
])
def test_declared_vs_detected(declared, detected, status, use_class) -> None:
    lic = assess_source(src(license={"declared": declared} if declared else {}), detected)
    assert (lic.status, lic.use_class) == (status, use_class)


def test_conflict_is_a_high_finding_naming_both_licences() -> None:
    lic = assess_source(src(license="CC BY 4.0"), [found("CC-BY-NC-4.0", "LICENCE")])
    codes = {f.code: f for f in source_findings(src(license="CC BY 4.0"), lic, "commercial")}
    assert "LIC_CONFLICT" in codes and "CC-BY-NC-4.0 in LICENCE" in codes["LIC_CONFLICT"].message
    assert "LIC_NOT_COMMERCIAL" in codes, "the stricter reading makes it non-commercial"


@pytest.mark.parametrize("declared, intended, expected, absent", [
    ("CC-BY-NC-4.0", "commercial", {"LIC_NOT_COMMERCIAL", "LIC_ATTRIBUTION"}, set()),  # NC into a commercial model
    ("CC-BY-NC-4.0", "research", {"LIC_ATTRIBUTION"}, {"LIC_NOT_COMMERCIAL"}),  # fine for research
    ("CC-BY-ND-4.0", "commercial", {"LIC_NO_DERIVATIVES"}, {"LIC_NOT_COMMERCIAL"}),  # ND is commercial but risky
    ("CC-BY-SA-4.0", "commercial", {"LIC_SHARE_ALIKE", "LIC_ATTRIBUTION"}, {"LIC_NOT_COMMERCIAL"}),  # obligations
    ("CC0-1.0", "commercial", set(), {"LIC_ATTRIBUTION", "LIC_SHARE_ALIKE", "LIC_UNSPECIFIED"}),  # nothing owed
])
def test_classification_findings(declared, intended, expected, absent) -> None:
    s = src(license=declared, acquisition={"method": "open_licence"})
    codes = {f.code for f in source_findings(s, assess_source(s, []), intended)}
    assert expected <= codes and not (absent & codes), codes


@pytest.mark.parametrize("acquisition, code", [
    ({"method": "open_licence"}, "EVID_NO_LICENCE"),  # open licence, but none declared or found
    ({"method": "self_collected", "robots_respected": True}, "EVID_NO_COLLECTION_RECORDS"),  # no crawl log
    ({"method": "self_collected", "evidence": "log", "robots_respected": "no"}, "EVID_ROBOTS_NOT_RESPECTED"),
    ({"method": "self_collected", "evidence": "log"}, "EVID_ROBOTS_UNKNOWN"),  # unknown is not evidence
    ({"method": "commercial_contract"}, "EVID_NO_CONTRACT"),  # no contract reference
    ({"method": "commercial_contract", "evidence": "unknown"}, "EVID_NO_CONTRACT"),  # 'unknown' is not one
    ({"method": "user_data"}, "EVID_NO_AUTHORISATION"),  # no authorisation records
    ({"method": "synthetic"}, "EVID_NO_GENERATOR"),  # which model made it?
    ({"method": "other"}, "EVID_NO_EVIDENCE"),  # nothing stated
])
def test_evidence_checks(acquisition, code) -> None:
    s = src(acquisition=acquisition)
    assert code in {f.code for f in evidence_findings(s, assess_source(s, []))}


@pytest.mark.parametrize("acquisition", [
    {"method": "self_collected", "evidence": "crawl log 2024-03", "robots_respected": "yes"},
    {"method": "commercial_contract", "evidence": "contract C-17"},
    {"method": "user_data", "evidence": "consent records v2"},
    {"method": "synthetic", "generator_model": "model-x"},
])
def test_evidence_present_gives_no_finding(acquisition) -> None:
    s = src(acquisition=acquisition, license="MIT")
    assert evidence_findings(s, assess_source(s, [])) == []


def test_open_licence_with_a_found_licence_file_is_evidenced() -> None:
    s = src(acquisition={"method": "open_licence"})
    assert evidence_findings(s, assess_source(s, [found("MIT")])) == []


def test_most_restrictive_and_union_of_flags() -> None:
    combined = most_restrictive([
        {"use_class": "commercial", "attribution": True, "share_alike": False},
        {"use_class": "non-commercial", "share_alike": True},
    ])
    assert combined["use_class"] == "non-commercial" and combined["attribution"] and combined["share_alike"]
    assert most_restrictive([{"use_class": "commercial"}, {"use_class": "unknown"}])["use_class"] == "unknown"
    assert most_restrictive([])["use_class"] == "unspecified"


def test_foundation_model_findings() -> None:
    ds = Dataset.model_validate({"name": "d", "provider": "p", "intended_use": "commercial",
                                 "foundation_model": {"name": "m", "license": "unknown"}})
    assert {f.code for f in dataset_findings(ds)} == {"MODEL_LICENSE_MISSING", "MODEL_FILING_MISSING"}
    ds = Dataset.model_validate({"name": "d", "provider": "p", "intended_use": "commercial",
                                 "foundation_model": {"name": "m", "license": "apache-2.0", "filing_reference": "F1"}})
    assert dataset_findings(ds) == []


def test_licence_files_are_found_next_to_the_data_but_not_in_unrelated_folders(tmp_path: Path) -> None:
    (tmp_path / "a" / "data").mkdir(parents=True)
    (tmp_path / "a" / "data" / "x.txt").write_text("doc")
    (tmp_path / "a" / "LICENCE").write_text("licence of a")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "LICENSE").write_text("licence of b")
    (tmp_path / "LICENSE").write_text("the manifest folder's own licence")
    (tmp_path / "m.yaml").write_text(
        "dataset: {name: d, provider: p, intended_use: research}\n"
        "sources:\n  - {id: a, name: A, stage: pretraining, paths: [a/data/*.txt], license: {files: [b/LICENSE]}}\n")
    loaded = load_manifest(tmp_path / "m.yaml")
    found_paths = [p for p, _ in license_files_on_disk(loaded, loaded.manifest.sources[0])]
    assert sorted(found_paths) == ["a/LICENCE", "b/LICENSE"]  # declared file + the one above the data


NOTICES = {"documents": 2, "kinds": {
    "all_rights_reserved": {"documents": 2, "hits": 3, "examples": [{"doc_id": "s:a.txt#0", "excerpt": "A** rights"}]},
    "copyright_line": {"documents": 1, "hits": 1, "examples": [{"doc_id": "s:a.txt#0", "excerpt": "© ****"}]},
}}


def test_notices_count_documents_once_and_flag_public_domain_sources() -> None:
    s = src(license="public domain", acquisition={"method": "open_licence"})
    findings = {f.code: f for f in source_findings(s, assess_source(s, [], NOTICES), "commercial")}
    assert findings["LIC_COPYRIGHT_NOTICES"].count == 2, "a document with two kinds of notice counts once"
    assert "s:a.txt#0" in findings["LIC_COPYRIGHT_NOTICES"].message, "examples name the document"
    assert findings["LIC_NOTICES_IN_PUBLIC_DOMAIN"].severity is None  # the code's own severity (high) applies
    mit = src(license="MIT")
    assert "LIC_NOTICES_IN_PUBLIC_DOMAIN" not in {
        f.code for f in source_findings(mit, assess_source(mit, [], NOTICES), "commercial")}
