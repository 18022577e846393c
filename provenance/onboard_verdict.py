"""The onboarding verdict: each reason tied to a finding code and its clause, the verdict the worst of them.

Reasons come from the candidate's own audit findings (licence and acquisition evidence, personal information,
scan problems, duplicates inside the candidate) and from its overlap with the corpus (DUP_ALREADY_PRESENT). The
policy (provenance/onboard_policy.py) maps each to accept, conditions, review or reject.
"""

from __future__ import annotations

from typing import Any

from provenance.findings import CODES
from provenance.onboard_policy import OUTCOMES, RATED_PII, VERDICT_NAMES, Policy, outcome_rank

__all__ = ["decide", "reasons_for"]


def reasons_for(candidate: dict[str, Any], overlap: dict[str, Any], policy: Policy, intended_use: str
                ) -> list[dict[str, Any]]:
    """Every reason with its outcome, most serious first. `candidate` is the candidate audit's disclosure."""
    pii = {s["id"]: s.get("pii") for s in candidate["sources"]}
    reasons = []
    for f in candidate["findings"]:
        code = f["code"]
        if code in policy.ignore:
            continue
        outcome = policy.outcome_of(code, f["severity"], intended_use)
        message = f["message"]
        if code in RATED_PII and code not in policy.outcomes:
            outcome, message = _pii_by_rate(pii.get(f["source"]) or {}, policy, message)
        reasons.append(_reason(outcome, code, f["severity"], f["source"], message, f["clause"], f["fix"],
                               f.get("count")))
    for c in candidate["sources"]:
        if not c["scale"]["documents"] and "ONB_NO_DOCUMENTS" not in policy.ignore:
            spec = CODES["ONB_NO_DOCUMENTS"]
            read = c["scale"]["documents"] + c["scale"]["rejected_records"]
            reasons.append(_reason(policy.outcome_of(spec.code, spec.severity, intended_use), spec.code,
                                   spec.severity, c["id"], f"{c['scale']['files']:,} file(s), {read:,} record(s) "
                                   "read, none accepted: nothing of this source was reviewed", spec.clause, spec.fix,
                                   1))
    for source_id, s in overlap["sources"].items():
        share = s["share_present"]
        if share < policy.overlap.conditions_at:
            continue
        outcome = "reject" if share >= policy.overlap.reject_at else "conditions"
        top = ", ".join(f"{m['source_id']} ({m['documents']:,})" for m in s["matches"][:3])
        message = (f"{s['present']:,} of {s['documents']:,} documents ({share:.1%}) are already in the corpus "
                   f"({s['exact_present']:,} exact, {s['near_present']:,} near at Jaccard ≥ {overlap['threshold']})"
                   + (f", in {top}" if top else "") + f"; it adds {s['adds_documents']:,} documents")
        threshold = policy.overlap.reject_at if outcome == "reject" else policy.overlap.conditions_at
        spec = CODES["DUP_ALREADY_PRESENT"]
        reasons.append(_reason(outcome, "DUP_ALREADY_PRESENT", spec.severity, source_id,
                               message + f" (policy: {outcome} at {threshold:.0%})", spec.clause, spec.fix,
                               s["present"]))
    reasons = _merge_repeats(reasons)
    reasons.sort(key=lambda r: (-outcome_rank(r["outcome"]), r["source"] or "", r["code"]))
    return reasons


def _merge_repeats(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One reason per (code, source): the scan reports some codes once per file, which says nothing more here."""
    merged: dict[tuple[str, str | None, str], dict[str, Any]] = {}
    repeats: dict[tuple[str, str | None, str], int] = {}
    for r in reasons:
        key = (r["code"], r["source"], r["outcome"])
        if key not in merged:
            merged[key] = dict(r)
            repeats[key] = 0
        else:
            repeats[key] += 1
            merged[key]["count"] = (merged[key]["count"] or 0) + (r["count"] or 0)
    for key, n in repeats.items():
        if n:
            merged[key]["message"] += (f" (and {n:,} more such finding{'s' if n > 1 else ''} for this source: "
                                       f"`provenance findings --db CANDIDATE_DB --code {key[0]}`)")
    return list(merged.values())


def _pii_by_rate(block: dict[str, Any], policy: Policy, message: str) -> tuple[str, str]:
    # the PII stage's own figures: the rate, and its 95% Wilson interval when sampled (exact otherwise)
    n, rate = block.get("documents_scanned", 0), block.get("rate", 0.0)
    low, high = block["rate_ci95"] if block.get("sampled") else (rate, rate)
    limit = policy.pii.reject_at_rate
    estimate = (f"rate {rate:.2%} (95% interval {low:.2%}–{high:.2%}, {n:,} documents sampled)" if block.get("sampled")
                else f"rate {rate:.2%} over all {n:,} documents")
    if n and low >= limit:
        return "reject", f"{message}; {estimate} ≥ the policy's {limit:.2%}"
    if rate < policy.pii.negligible_rate:
        return "accept", f"{message}; {estimate}: below the policy's negligible rate {policy.pii.negligible_rate:.2%} " \
                         "(isolated hits: check the masked examples in the candidate's disclosure)"
    return "review", f"{message}; {estimate}: below the policy's {limit:.2%} at the low end, so a person checks " \
                     "the masked examples"


def _reason(outcome: str, code: str, severity: str, source: str | None, message: str, clause: str, fix: str,
            count: int | None) -> dict[str, Any]:
    assert outcome in OUTCOMES
    return {"outcome": outcome, "code": code, "severity": severity, "source": source, "message": message,
            "clause": clause, "fix": fix, "count": count}


def decide(reasons: list[dict[str, Any]]) -> dict[str, Any]:
    """The verdict: the worst outcome among the reasons (accept when there is none), its label and exit code."""
    worst = max((r["outcome"] for r in reasons), key=outcome_rank, default="accept")
    counts = {o: sum(1 for r in reasons if r["outcome"] == o) for o in OUTCOMES}
    return {"verdict": worst, "label": VERDICT_NAMES[worst], "exit_code": 0 if worst == "accept" else 1,
            "reasons_by_outcome": counts}
