"""Is a completed audit worse than the previous one? (`provenance runs`, `provenance trend`, scheduled audits)

After every completed audit, scheduled or not, the run is compared with the previous completed run of the same
catalog. It is **worse** when any of these holds:

- it has high or critical findings whose (code, source) the previous run did not have at high or critical severity
  (sql/regression_new_findings.sql; findings of a stage the previous run did not run are not compared);
- the corpus PII rate (documents with personal information / documents analysed) rose by more than
  `WorseOptions.pii_margin` (absolute, default 0.01 = one percentage point);
- the corpus near-duplicate rate (documents a deduplication would remove / documents the stage saw) rose by more than
  `WorseOptions.dup_margin` (default 0.02).

The two rates are `report_diff.trend`'s, which reads them from the catalog tables in one query, so a check costs
milliseconds and agrees with `provenance trend`. A rate one of the two runs did not measure is listed in
`not_compared`, never read as 0. The verdict is stored in `run_checks` (migration 009) and stays what it was when it
was made. Reasons carry codes, source ids, counts and rates only: no finding message, no document text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from provenance.catalog import Catalog, sql
from provenance.errors import CatalogError, InputError
from provenance.report_diff import trend

__all__ = ["FINDINGS_LISTED", "RunCheck", "WorseOptions", "check_run", "describe", "mark_run", "record_check",
           "run_history"]

FINDINGS_LISTED = 20  # (code, source) groups listed in a reason; its `count` covers all of them


@dataclass(frozen=True)
class WorseOptions:
    """Margins of the worse-run marking (`--worse-*-margin` on `audit` and `schedule`): absolute rises of a rate."""

    pii_margin: float = 0.01
    dup_margin: float = 0.02

    def __post_init__(self) -> None:
        for name, option in (("pii_margin", "--worse-pii-margin"), ("dup_margin", "--worse-dup-margin")):
            value = getattr(self, name)
            if not 0 <= value < 1:
                raise InputError(f"{option} must be a share in [0, 1), got {value}", where=option,
                                 fix=f"pass an absolute rise of the rate, e.g. {option} 0.01 (one percentage point)")

    def margins(self) -> dict[str, float]:
        return {"pii_rate": self.pii_margin, "near_duplicate_rate": self.dup_margin}


@dataclass(frozen=True)
class RunCheck:
    run_id: str
    previous_run_id: str | None
    worse: bool | None                  # None: the catalog's first completed run, nothing to compare with
    reasons: list[dict[str, Any]] = field(default_factory=list)
    margins: dict[str, float] = field(default_factory=dict)
    not_compared: list[str] = field(default_factory=list)
    checked_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "previous_run_id": self.previous_run_id, "worse": self.worse,
                "reasons": self.reasons, "margins": self.margins, "not_compared": self.not_compared,
                "checked_at": self.checked_at.isoformat() if self.checked_at else None}


def check_run(catalog: Catalog, run_id: str, options: WorseOptions | None = None) -> RunCheck:
    """The verdict of completed run `run_id` against the completed run before it (nothing is written)."""
    options = options or WorseOptions()
    margins = options.margins()
    now = datetime.now(timezone.utc)
    rows = trend(catalog, last=2, up_to=run_id)
    if not rows or rows[-1]["run_id"] != run_id:
        raise CatalogError(f"run {run_id} is not a completed run of catalog {catalog.path}",
                           fix=f"pick a completed run from `provenance runs --db {catalog.path}`")
    if len(rows) == 1:
        return RunCheck(run_id, None, None, [], margins, [], now)
    before, after = rows
    reasons: list[dict[str, Any]] = []
    new = catalog.query(sql("regression_new_findings"), {"run": run_id, "previous": before["run_id"]})
    if new:
        reasons.append({
            "kind": "new_high_findings", "count": len(new),
            "findings": [{"code": r["code"], "source_id": r["source_id"], "severity": r["severity"],
                          "findings": int(r["findings"]), "instances": int(r["instances"])}
                         for r in new[:FINDINGS_LISTED]],
            "more": max(0, len(new) - FINDINGS_LISTED)})
    not_compared = []
    for key, margin in margins.items():
        b, a = before[key], after[key]
        if b is None or a is None:
            not_compared.append(key)
            continue
        delta = round(a - b, 6)  # both are rounded to 6 places: compare at that precision, not float noise
        if delta > margin:
            reasons.append({"kind": key, "before": b, "after": a, "delta": delta, "margin": margin})
    return RunCheck(run_id, before["run_id"], bool(reasons), reasons, margins, not_compared, now)


def record_check(catalog: Catalog, check: RunCheck) -> None:
    catalog.con.execute(sql("regression_record"), {
        "run_id": check.run_id, "previous_run_id": check.previous_run_id, "worse": check.worse,
        "reasons": json.dumps(check.reasons), "margins": json.dumps(check.margins),
        "not_compared": check.not_compared, "checked_at": check.checked_at or datetime.now(timezone.utc)})


def mark_run(catalog: Catalog, run_id: str, options: WorseOptions | None = None) -> RunCheck:
    """check_run, then store the verdict in run_checks (replacing an earlier verdict of the same run)."""
    check = check_run(catalog, run_id, options)
    record_check(catalog, check)
    return check


def describe(reasons: list[dict[str, Any]]) -> str:
    """The reasons as one line, e.g. for a log or a CSV cell: codes, sources and rates, no values."""
    parts = []
    for r in reasons:
        if r["kind"] == "new_high_findings":
            listed = ", ".join(f"{f['code']} ({f['source_id'] or 'corpus'})" for f in r["findings"])
            more = f", +{r['more']} more" if r.get("more") else ""
            parts.append(f"{r['count']} new high/critical finding group(s): {listed}{more}")
        else:
            label = "PII rate" if r["kind"] == "pii_rate" else "near-duplicate rate"
            parts.append(f"{label} {r['before']:.2%} → {r['after']:.2%} (+{r['delta'] * 100:.2f} pp, margin "
                         f"{r['margin'] * 100:.2f} pp)")
    return "; ".join(parts)


def run_history(catalog: Catalog, last: int | None = None) -> list[dict[str, Any]]:
    """The runs of `provenance runs`, newest first: status and scale from sql/runs.sql, the rates of completed runs
    from `trend` (failed and running runs have none), and the stored verdict."""
    rows = catalog.query(sql("runs"), {"last": last})
    if not rows:
        return []
    rates = {r["run_id"]: r for r in trend(catalog, last=len(rows))}  # the newest N runs hold at most N completed
    out = []
    for r in rows:
        t = rates.get(r["run_id"], {})
        reasons = json.loads(r["worse_reasons"]) if r["worse_reasons"] else []
        out.append({
            "run_id": r["run_id"], "status": r["status"],
            "started_at": r["started_at"].isoformat() if r["started_at"] else None,
            "finished_at": r["finished_at"].isoformat() if r["finished_at"] else None,
            "seconds": r["seconds"], "dataset_name": r["dataset_name"], "sources": int(r["sources"]),
            "files": int(r["files"]), "documents": int(r["documents"]), "bytes": int(r["bytes"]),
            "pii_rate": t.get("pii_rate"), "near_duplicate_rate": t.get("near_duplicate_rate"),
            "high_findings": int(r["high_findings"]), "findings": int(r["findings"]),
            "worse": r["worse"], "compared_with": r["previous_run_id"], "worse_reasons": reasons,
        })
    return out
