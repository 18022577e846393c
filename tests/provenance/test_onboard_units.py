"""Unit tests of the onboarding modules on small synthetic inputs: policy, verdict, what it adds, report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from provenance.errors import InputError
from provenance.findings import CODES
from provenance.onboard_compare import what_it_adds
from provenance.onboard_policy import Policy, load_policy
from provenance.onboard_report import build_onboarding, render_markdown
from provenance.pii_stage import wilson_interval
from provenance.onboard_verdict import decide, reasons_for


def _policy_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _bad_policy(tmp_path: Path, text: str) -> str:
    with pytest.raises(InputError) as e:
        load_policy(_policy_file(tmp_path, text))
    return str(e.value)


# -- policy --------------------------------------------------------------------------------------------------------


def test_default_policy_has_the_documented_values() -> None:
    p = load_policy(None)
    assert isinstance(p, Policy)
    assert p.outcomes["LIC_NOT_COMMERCIAL"] == "reject"
    assert p.outcomes["LIC_SHARE_ALIKE"] == "conditions"
    assert p.overlap.reject_at == 0.8 and p.overlap.conditions_at == 0.1
    assert p.pii.reject_at_rate == 0.01
    assert "DIV_SINGLE_SOURCE" in p.ignore
    assert p.by_severity["critical"] == "reject" and p.by_severity["info"] == "accept"
    # every code the defaults name is a real finding code
    assert set(p.outcomes) <= set(CODES) and set(p.ignore) <= set(CODES)


def test_a_user_file_with_one_threshold_keeps_every_other_default(tmp_path: Path) -> None:
    default = load_policy()
    p = load_policy(_policy_file(tmp_path, "overlap:\n  reject_at: 0.5\n"))
    assert p.overlap.reject_at == 0.5
    assert p.overlap.conditions_at == default.overlap.conditions_at
    assert p.outcomes == default.outcomes and p.ignore == default.ignore and p.pii == default.pii


def test_a_user_file_with_one_outcome_merges_into_the_default_outcomes(tmp_path: Path) -> None:
    default = load_policy()
    p = load_policy(_policy_file(tmp_path, "outcomes:\n  LIC_SHARE_ALIKE: review\n"))
    assert p.outcomes["LIC_SHARE_ALIKE"] == "review"
    assert p.outcomes["LIC_NOT_COMMERCIAL"] == "reject"
    assert {k: v for k, v in p.outcomes.items() if k != "LIC_SHARE_ALIKE"} == \
        {k: v for k, v in default.outcomes.items() if k != "LIC_SHARE_ALIKE"}


def test_an_empty_user_file_is_the_default_policy(tmp_path: Path) -> None:
    assert load_policy(_policy_file(tmp_path, "# nothing set\n")) == load_policy()


@pytest.mark.parametrize("text, expected", [
    ("outcomes:\n  LIC_SHARE_ALIKE: maybe\n", "outcomes.LIC_SHARE_ALIKE: 'maybe' is not an outcome"),
    ("by_severity:\n  high: later\n", "by_severity.high: 'later' is not an outcome"),
    ("overlaps:\n  reject_at: 0.5\n", "overlaps: unknown key"),
    ("overlap:\n  reject: 0.5\n", "overlap.reject: unknown key"),
    ("outcomes:\n  LIC_NOT_COMERCIAL: accept\n",
     "outcomes: unknown finding code 'LIC_NOT_COMERCIAL' (did you mean LIC_NOT_COMMERCIAL?)"),
    ("ignore:\n  - NOT_A_CODE_AT_ALL\n", "ignore: unknown finding code 'NOT_A_CODE_AT_ALL'"),
    ("overlap:\n  reject_at: 1.5\n", "overlap.reject_at: Input should be less than or equal to 1"),
    ("overlap:\n  conditions_at: 0\n", "overlap.conditions_at: Input should be greater than 0"),
    ("pii:\n  reject_at_rate: 2\n", "pii.reject_at_rate: Input should be less than or equal to 1"),
    ("overlap:\n  reject_at: [0.5\n", "not valid YAML at line "),
    ("- reject\n- accept\n", "the policy must be a mapping of keys"),
])
def test_a_bad_policy_file_is_an_input_error_naming_the_key(tmp_path: Path, text: str, expected: str) -> None:
    msg = _bad_policy(tmp_path, text)
    assert msg.splitlines()[0].startswith(f"{tmp_path / 'policy.yaml'}: {expected}")
    assert "fix:" in msg


def test_a_missing_file_is_an_input_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(InputError) as e:
        load_policy(missing)
    assert "cannot read the policy file" in str(e.value) and str(missing) in str(e.value)


def test_no_derivatives_depends_on_the_intended_use_unless_listed(tmp_path: Path) -> None:
    p = load_policy()
    assert p.outcome_of("LIC_NO_DERIVATIVES", "high", "commercial") == "reject"
    assert p.outcome_of("LIC_NO_DERIVATIVES", "high", "research") == "review"
    user = load_policy(_policy_file(tmp_path, "outcomes:\n  LIC_NO_DERIVATIVES: accept\n"))
    assert user.outcome_of("LIC_NO_DERIVATIVES", "high", "commercial") == "accept"
    assert user.outcome_of("LIC_NO_DERIVATIVES", "high", "research") == "accept"


def test_unlisted_codes_follow_by_severity(tmp_path: Path) -> None:
    p = load_policy()
    assert "SCAN_EMPTY_FILE" not in p.outcomes and "SCAN_MALFORMED_RECORD" not in p.outcomes
    assert p.outcome_of("SCAN_MALFORMED_RECORD", "medium", "commercial") == "conditions"
    assert p.outcome_of("SCAN_NO_FILES", "high", "research") == "review"
    assert p.outcome_of("SCAN_EMPTY_FILE", "low", "commercial") == "accept"
    # a listed code ignores its severity
    assert p.outcome_of("LIC_NOT_COMMERCIAL", "info", "commercial") == "reject"
    stricter = load_policy(_policy_file(tmp_path, "by_severity:\n  medium: reject\n"))
    assert stricter.outcome_of("SCAN_MALFORMED_RECORD", "medium", "commercial") == "reject"
    assert stricter.by_severity["high"] == "review"


# -- verdict -------------------------------------------------------------------------------------------------------


def _finding(code: str, source: str | None = "s1", count: int | None = 1) -> dict[str, Any]:
    spec = CODES[code]
    return {"code": code, "severity": spec.severity, "source": source, "message": f"synthetic {code}",
            "clause": spec.clause, "fix": spec.fix, "count": count}


def _pii_block(scanned: int, with_pii: int, sampled: bool = True) -> dict[str, Any]:
    """Shaped as pii_stage.pii_summary writes it: the 95% interval only when sampled."""
    block = {"documents": scanned * 10 if sampled else scanned, "documents_scanned": scanned, "sampled": sampled,
             "documents_with_pii": with_pii, "rate": round(with_pii / scanned, 6), "consent_basis": "unknown"}
    if sampled:
        block["rate_ci95"] = list(wilson_interval(with_pii, scanned))
    return block


def _disclosure(findings: list[dict[str, Any]], pii: dict[str, Any] | None = None,
                documents: int = 100) -> dict[str, Any]:
    scale = {"files": 1, "documents": documents, "rejected_records": 3}
    return {"sources": [{"id": "s1", "pii": pii, "scale": scale}], "findings": findings}


def _overlap_source(documents: int, exact: int, near: int) -> dict[str, Any]:
    present = exact + near
    return {"documents": documents, "bytes": documents * 100, "exact_present": exact, "near_present": near,
            "present": present, "share_present": round(present / documents, 6), "adds_documents": documents - present,
            "adds_bytes": (documents - present) * 100, "adds_characters": (documents - present) * 40,
            "adds_internal_duplicates": 0, "adds_deduplicated": documents - present, "adds_languages": {},
            "matches": [{"source_id": "corpus-a", "documents": present, "exact": exact, "example_qid": "1",
                         "example_doc_id": "corpus-a:0"}] if present else []}


def _overlap(**sources: dict[str, Any]) -> dict[str, Any]:
    return {"threshold": 0.8, "bands": 16, "rows": 8, "sources": sources, "domains": []}


NO_OVERLAP = _overlap()


def test_ignored_codes_give_no_reason() -> None:
    policy = load_policy()
    reasons = reasons_for(_disclosure([_finding("DIV_SINGLE_SOURCE"), _finding("MODEL_LICENSE_MISSING", None)]),
                          NO_OVERLAP, policy, "commercial")
    assert reasons == []
    assert decide(reasons) == {"verdict": "accept", "label": "accept", "exit_code": 0,
                               "reasons_by_outcome": {"accept": 0, "conditions": 0, "review": 0, "reject": 0}}


def test_findings_become_reasons_with_the_policy_outcome() -> None:
    reasons = reasons_for(_disclosure([_finding("LIC_SHARE_ALIKE"), _finding("LIC_NO_DERIVATIVES")]),
                          NO_OVERLAP, load_policy(), "research")
    by_code = {r["code"]: r for r in reasons}
    assert by_code["LIC_SHARE_ALIKE"]["outcome"] == "conditions"
    assert by_code["LIC_NO_DERIVATIVES"]["outcome"] == "review"
    r = by_code["LIC_SHARE_ALIKE"]
    assert r["source"] == "s1" and r["clause"] == CODES["LIC_SHARE_ALIKE"].clause and r["count"] == 1


def test_many_documents_with_pii_and_no_consent_is_reject() -> None:
    # 200 of 2,000 sampled: the lower 95% Wilson bound (~8.8%) is above the default 1%
    reasons = reasons_for(_disclosure([_finding("PII_NO_CONSENT", count=200)], _pii_block(2000, 200)),
                          NO_OVERLAP, load_policy(), "commercial")
    assert [(r["code"], r["outcome"]) for r in reasons] == [("PII_NO_CONSENT", "reject")]
    assert "2,000 documents sampled" in reasons[0]["message"]


@pytest.mark.parametrize("code", ["PII_NO_CONSENT", "PII_IN_ANONYMISED"])
@pytest.mark.parametrize("k", [3, 20])  # 20 of 2,000 is a 1% point estimate, but the low end (~0.65%) is below 1%
def test_a_few_pii_hits_without_consent_is_review(k: int, code: str) -> None:
    reasons = reasons_for(_disclosure([_finding(code, count=k)], _pii_block(2000, k)),
                          NO_OVERLAP, load_policy(), "commercial")
    assert [(r["code"], r["outcome"]) for r in reasons] == [(code, "review")]
    assert "a person checks" in reasons[0]["message"]


@pytest.mark.parametrize("code", ["PII_NO_CONSENT", "PII_IN_ANONYMISED"])
def test_an_isolated_pii_hit_below_the_negligible_rate_is_a_note(code: str, tmp_path: Path) -> None:
    # 1 of 2,000 (0.05%) is under the default negligible rate of 0.1%: accepted, the finding kept as a note
    reasons = reasons_for(_disclosure([_finding(code, count=1)], _pii_block(2000, 1)), NO_OVERLAP, load_policy(),
                          "commercial")
    assert [(r["code"], r["outcome"]) for r in reasons] == [(code, "accept")]
    assert "negligible rate 0.10%" in reasons[0]["message"] and decide(reasons)["verdict"] == "accept"
    strict = load_policy(_policy_file(tmp_path, "pii:\n  negligible_rate: 0.0\n"))
    reasons = reasons_for(_disclosure([_finding(code, count=1)], _pii_block(2000, 1)), NO_OVERLAP, strict,
                          "commercial")
    assert reasons[0]["outcome"] == "review"


def test_pii_rate_threshold_comes_from_the_policy(tmp_path: Path) -> None:
    lenient = load_policy(_policy_file(tmp_path, "pii:\n  reject_at_rate: 0.2\n"))
    reasons = reasons_for(_disclosure([_finding("PII_NO_CONSENT", count=200)], _pii_block(2000, 200)),
                          NO_OVERLAP, lenient, "commercial")
    assert reasons[0]["outcome"] == "review"


def test_pii_scanned_in_full_uses_the_rate_itself() -> None:
    reasons = reasons_for(_disclosure([_finding("PII_NO_CONSENT", count=20)], _pii_block(2000, 20, sampled=False)),
                          NO_OVERLAP, load_policy(), "commercial")
    assert reasons[0]["outcome"] == "reject" and "over all 2,000 documents" in reasons[0]["message"]


def test_pii_no_consent_listed_in_outcomes_overrides_the_rate(tmp_path: Path) -> None:
    p = load_policy(_policy_file(tmp_path, "outcomes:\n  PII_NO_CONSENT: conditions\n"))
    reasons = reasons_for(_disclosure([_finding("PII_NO_CONSENT", count=200)], _pii_block(2000, 200)),
                          NO_OVERLAP, p, "commercial")
    assert reasons[0]["outcome"] == "conditions"


@pytest.mark.parametrize("present, outcome", [(80, "reject"), (95, "reject"), (10, "conditions"), (79, "conditions"),
                                              (9, None), (0, None)])
def test_overlap_share_decides_dup_already_present(present: int, outcome: str | None) -> None:
    overlap = _overlap(s1=_overlap_source(100, exact=present // 2, near=present - present // 2))
    reasons = reasons_for(_disclosure([]), overlap, load_policy(), "commercial")
    if outcome is None:
        assert reasons == []
        return
    assert [(r["code"], r["outcome"], r["source"]) for r in reasons] == [("DUP_ALREADY_PRESENT", outcome, "s1")]
    r = reasons[0]
    assert r["count"] == present and r["clause"] == CODES["DUP_ALREADY_PRESENT"].clause
    assert f"{present:,} of 100 documents" in r["message"] and f"adds {100 - present:,} documents" in r["message"]


def test_overlap_thresholds_come_from_the_policy(tmp_path: Path) -> None:
    p = load_policy(_policy_file(tmp_path, "overlap:\n  reject_at: 0.5\n"))
    reasons = reasons_for(_disclosure([]), _overlap(s1=_overlap_source(100, 30, 30)), p, "commercial")
    assert reasons[0]["outcome"] == "reject"


def test_a_reject_threshold_below_the_conditions_threshold_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"overlap: conditions_at \(0.1\) is above reject_at \(0.05\)"):
        load_policy(_policy_file(tmp_path, "overlap:\n  reject_at: 0.05\n"))  # conditions_at keeps 0.1


def test_reasons_are_sorted_worst_first_and_decide_takes_the_worst() -> None:
    findings = [_finding("LIC_ATTRIBUTION", "s1"), _finding("LIC_SHARE_ALIKE", "s2"),
                _finding("LIC_UNKNOWN", "s1"), _finding("LIC_NOT_COMMERCIAL", "s2")]
    overlap = _overlap(s3=_overlap_source(1000, 200, 0))
    reasons = reasons_for(_disclosure(findings), overlap, load_policy(), "commercial")
    assert [(r["outcome"], r["code"]) for r in reasons] == [
        ("reject", "LIC_NOT_COMMERCIAL"), ("review", "LIC_UNKNOWN"), ("conditions", "LIC_SHARE_ALIKE"),
        ("conditions", "DUP_ALREADY_PRESENT"), ("accept", "LIC_ATTRIBUTION")]
    v = decide(reasons)
    assert v["verdict"] == "reject" and v["label"] == "reject" and v["exit_code"] == 1
    assert v["reasons_by_outcome"] == {"accept": 1, "conditions": 2, "review": 1, "reject": 1}


@pytest.mark.parametrize("outcomes, verdict, label, code", [
    (["accept", "accept"], "accept", "accept", 0),
    (["accept", "conditions"], "conditions", "accept with conditions", 1),
    (["conditions", "review", "accept"], "review", "needs review", 1),
    (["reject", "review"], "reject", "reject", 1)])
def test_decide_labels_and_exit_codes(outcomes: list[str], verdict: str, label: str, code: int) -> None:
    v = decide([{"outcome": o} for o in outcomes])
    assert (v["verdict"], v["label"], v["exit_code"]) == (verdict, label, code)
    assert sum(v["reasons_by_outcome"].values()) == len(outcomes)


# -- what it adds --------------------------------------------------------------------------------------------------


def _corpus(languages: dict[str, int] | None = None) -> dict[str, Any]:
    return {"run_id": "run-corpus", "catalog": "corpus.duckdb", "dataset": "corpus-ds", "intended_use": "commercial",
            "stages": ["scan", "diversity"], "documents": 100, "bytes": 1000,
            "sources": {"a": {"documents": 100, "bytes": 1000, "modality": "text"}},
            "languages": languages,
            "sources_by_language_and_modality": None if languages is None else {"zh": {"text": ["a"]}}}


def _candidate_source(source_id: str, lang: str) -> dict[str, Any]:
    return {"id": source_id, "modality": "text", "languages_declared": [lang],
            "diversity": {"status": "ok", "languages": {lang: {"documents": 50, "share": 1.0}}}}


def _adds_overlap(adds: dict[str, int], documents: int = 50) -> dict[str, Any]:
    sources = {}
    for source_id, n in adds.items():
        s = _overlap_source(documents, exact=documents - n, near=0)
        s["adds_languages"] = {"en": n} if n else {}
        sources[source_id] = s
    return _overlap(**sources)


def test_a_language_the_corpus_lacks_is_new_and_gives_its_first_source() -> None:
    adds = what_it_adds(_corpus({"zh": 100}), [_candidate_source("c", "en")], _adds_overlap({"c": 40}))
    assert adds["languages"]["status"] == "ok"
    (row,) = adds["languages"]["rows"]
    assert row["language"] == "en" and row["change"] == "new" and row["corpus_documents"] == 0
    assert row["adds_documents"] == 40 and row["share_before"] == 0.0 and row["share_after"] == round(40 / 140, 6)
    (second,) = adds["second_sources"]["rows"]
    assert (second["language"], second["gives"], second["corpus_sources"]) == ("en", "first source", [])
    assert adds["adds_documents"] == 40 and adds["present"] == 10 and adds["adds_share"] == 0.8


def test_a_zh_candidate_gives_zh_text_its_second_source() -> None:
    overlap = _adds_overlap({"c": 40})
    overlap["sources"]["c"]["adds_languages"] = {"zh": 40}
    adds = what_it_adds(_corpus({"zh": 60, "en": 40}), [_candidate_source("c", "zh")], overlap)
    (row,) = adds["second_sources"]["rows"]
    assert (row["language"], row["modality"], row["source"]) == ("zh", "text", "c")
    assert row["gives"] == "second source" and row["corpus_sources"] == ["a"]
    (lang,) = adds["languages"]["rows"]
    assert lang["change"] == "strengthened" and lang["corpus_documents"] == 60
    assert lang["share_before"] == 0.6 and lang["share_after"] == round(100 / 140, 6)


def test_a_language_added_below_its_corpus_share_is_diluted_and_und_gets_no_row() -> None:
    overlap = _adds_overlap({"c": 40})
    overlap["sources"]["c"]["adds_languages"] = {"zh": 30, "und": 9, "en": 1}
    adds = what_it_adds(_corpus({"zh": 50, "en": 50}), [_candidate_source("c", "zh")], overlap)
    assert [(r["language"], r["change"]) for r in adds["languages"]["rows"]] == [("zh", "strengthened"),
                                                                                 ("en", "diluted")]


def test_a_candidate_source_that_adds_nothing_gives_no_row_and_no_new_source() -> None:
    adds = what_it_adds(_corpus({"zh": 100}), [_candidate_source("c", "en")], _adds_overlap({"c": 0}))
    assert adds["second_sources"]["rows"] == [] and adds["languages"]["rows"] == []
    assert adds["source_mix"]["after"] == adds["source_mix"]["before"]
    assert adds["adds_documents"] == 0 and adds["adds_share"] == 0.0


def test_the_source_mix_after_counts_what_the_candidate_adds() -> None:
    adds = what_it_adds(_corpus({"zh": 100}), [_candidate_source("c", "en")], _adds_overlap({"c": 40}))
    before, after = adds["source_mix"]["before"], adds["source_mix"]["after"]
    for basis in ("documents", "bytes"):
        assert after[basis]["sources"] == before[basis]["sources"] + 1 == 2
        assert after[basis]["shannon"] > before[basis]["shannon"] == 0.0
        assert after[basis]["gini_simpson"] > before[basis]["gini_simpson"]


def test_languages_not_run_when_the_corpus_had_no_diversity_stage() -> None:
    adds = what_it_adds(_corpus(None), [_candidate_source("c", "en")], _adds_overlap({"c": 40}))
    assert adds["languages"]["status"] == "not_run" and "diversity" in adds["languages"]["reason"]
    assert adds["second_sources"]["status"] == "not_run"
    assert adds["source_mix"]["after"]["documents"]["sources"] == 2  # the mix needs no languages


def test_new_domains_are_marked() -> None:
    overlap = _adds_overlap({"c": 40})
    overlap["domains"] = [{"domain": "example.org", "documents": 5, "corpus_documents": 0},
                          {"domain": "example.com", "documents": 3, "corpus_documents": 7}]
    adds = what_it_adds(_corpus({"zh": 100}), [_candidate_source("c", "en")], overlap)
    assert [(d["domain"], d["new"]) for d in adds["domains"]] == [("example.org", True), ("example.com", False)]


# -- report --------------------------------------------------------------------------------------------------------

MARKER = "EXAMPLE-VALUE-NOT-FOR-REPORTS"  # stands for a masked example: it must not reach the report


def _report_disclosure(findings: list[dict[str, Any]]) -> dict[str, Any]:
    pii = {**_pii_block(2000, 200), "status": "not_covered", "sensitive": False, "sensitive_types": [],
           "rate_ci95": [0.087609, 0.113925], "documents_with_sensitive": 0,
           "by_entity": {"PHONE_NUMBER": {"mentions": 250, "documents": 200, "distinct_values": 180,
                                          "sensitive": False, "examples": [MARKER]}}}
    source = {"id": "s1", "name": "Synthetic source", "stage": "raw", "modality": "text", "languages_declared": ["en"],
              "diversity": {"status": "ok", "languages": {"en": {"documents": 20000, "share": 1.0}}},
              "license": {"declared": "CC-BY-NC-4.0", "spdx": "CC-BY-NC-4.0", "use_class": "non_commercial",
                          "status": "ok", "attribution": True, "share_alike": False, "no_derivatives": False},
              "acquisition": {"method": "crawl", "evidence": None},
              "personal_information": {"consent_basis": "unknown"},
              "scale": {"files": 3, "documents": 20000, "bytes": 2_000_000, "characters": 800_000,
                        "rejected_records": 0},
              "pii": pii, "duplicates": None}
    return {"sources": [source], "findings": findings, "findings_summary": {"total": len(findings)},
            "totals": {"all": {"documents": 20000, "text_bytes": 2_000_000, "rejected_records": 0}}}


def _report_doc(languages: dict[str, int] | None) -> dict[str, Any]:
    disclosure = _report_disclosure([_finding("LIC_NOT_COMMERCIAL"), _finding("PII_NO_CONSENT", count=200)])
    overlap = _overlap(s1=_overlap_source(20000, exact=3000, near=1655))  # adds 15,345
    overlap["sources"]["s1"]["adds_languages"] = {"en": 15345}
    policy = load_policy()
    corpus = _corpus(languages)
    adds = what_it_adds(corpus, disclosure["sources"], overlap)
    reasons = reasons_for(disclosure, overlap, policy, "commercial")
    return build_onboarding(
        candidate={"input": "candidate.jsonl", "kind": "file", "intended_use": "commercial",
                   "intended_use_from": "corpus", "dataset": "candidate-ds"},
        corpus=corpus, disclosure=disclosure, overlap=overlap, adds=adds, reasons=reasons, verdict=decide(reasons),
        policy=policy, policy_file=None, options={"sample": 2000, "seed": 0, "threshold": 0.8}, seconds=1.234)


def test_the_onboarding_document_records_the_verdict_and_no_examples() -> None:
    doc = _report_doc({"zh": 100})
    assert doc["verdict"] == "reject" and doc["exit_code"] == 1
    assert {r["code"] for r in doc["reasons"]} == {"LIC_NOT_COMMERCIAL", "PII_NO_CONSENT", "DUP_ALREADY_PRESENT"}
    assert doc["candidate"]["documents"] == 20000 and doc["corpus"]["sources"] == 1
    assert doc["sources"][0]["overlap"]["adds_documents"] == 15345
    assert "adds_languages" not in doc["sources"][0]["overlap"]
    assert MARKER not in json.dumps(doc, ensure_ascii=False)


@pytest.mark.parametrize("lang, label", [("en", "reject"), ("zh", "拒绝")])
def test_markdown_shows_verdict_reasons_and_adds(lang: str, label: str) -> None:
    doc = _report_doc({"zh": 100})
    md = render_markdown(doc, lang)
    verdict_line = next(line for line in md.splitlines() if line.startswith("**"))
    assert verdict_line.startswith(f"**{'Verdict' if lang == 'en' else '结论'}: {label}** (")
    assert verdict_line.split("(")[1].startswith(("exit code 1)", "退出码 1)"))
    for r in doc["reasons"]:
        assert f"`{r['code']}`" in md
    assert "| s1 | 20,000 | 3,000 / 1,655 |" in md and "15,345" in md
    assert "200 / 2,000" in md  # PII counts (never values), with the thousands separator
    assert MARKER not in md
    assert ("not run" if lang == "en" else "未运行") not in md


@pytest.mark.parametrize("lang, not_run", [("en", "not run"), ("zh", "未运行")])
def test_markdown_says_not_run_when_languages_were_not_run(lang: str, not_run: str) -> None:
    md = render_markdown(_report_doc(None), lang)
    lines = md.splitlines()
    heading = lines.index("### " + ("Languages" if lang == "en" else "语言"))
    assert lines[heading + 2].startswith(f"{not_run}:")


def test_markdown_without_reasons_says_so() -> None:
    doc = _report_doc({"zh": 100})
    doc = {**doc, "reasons": [], "verdict": "accept", "exit_code": 0,
           "reasons_by_outcome": {"accept": 0, "conditions": 0, "review": 0, "reject": 0}}
    assert "No finding and no overlap stands in the way." in render_markdown(doc, "en")
    assert "**结论: 接受** (退出码 0)" in render_markdown(doc, "zh")


def test_repeated_findings_of_a_source_become_one_reason() -> None:
    # the scan reports SCAN_INVALID_ENCODING once per file: onboarding lists it once per source, counts summed
    findings = [_finding("SCAN_INVALID_ENCODING", "s1", count=1) for _ in range(5)] + \
        [_finding("SCAN_INVALID_ENCODING", "s2", count=2)]
    reasons = reasons_for(_disclosure(findings), NO_OVERLAP, load_policy(), "commercial")
    assert [(r["source"], r["count"]) for r in reasons] == [("s1", 5), ("s2", 2)]
    assert "and 4 more such findings" in reasons[0]["message"] and "more such" not in reasons[1]["message"]


def test_a_source_that_yields_no_document_needs_review() -> None:
    reasons = reasons_for(_disclosure([], documents=0), NO_OVERLAP, load_policy(), "commercial")
    assert [(r["code"], r["outcome"], r["source"]) for r in reasons] == [("ONB_NO_DOCUMENTS", "review", "s1")]
    assert "3 record(s) read, none accepted" in reasons[0]["message"]
    assert reasons_for(_disclosure([], documents=1), NO_OVERLAP, load_policy(), "commercial") == []
