"""The core of the disclosure document (disclosure.json), built only from the catalog.

This holds the run, the dataset as declared, each source's declared provenance, computed scale and stage results,
totals per training stage, and the findings. provenance.report_model adds the report's own sections on top (the
report model, version 2); `run.stages` says which stages ran, and a stage that did not run gives `not_run`.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

from provenance.catalog import Catalog, sql
from provenance.errors import CatalogError
from provenance.findings import SEVERITIES
from provenance.licensing import FLAGS, most_restrictive
from provenance.diversity_stage import diversity_summary
from provenance.dup_stage import dup_summary
from provenance.pii_stage import pii_summary

DISCLOSURE_VERSION = "1"
FINDINGS_LISTED = 20  # per source and code in disclosure.json; the catalog holds every one
SCALE_FIELDS = ("files", "documents", "bytes", "characters", "rejected_records")


def build_disclosure(catalog: Catalog, run_id: str, summaries: dict[str, Any] | None = None) -> dict[str, Any]:
    """`summaries`: the stage summaries ("pii", "duplicates", "diversity") the caller has already computed for
    this run, so they are not computed twice; the others are computed here from the catalog."""
    runs = catalog.query("SELECT * FROM runs WHERE run_id = ?", [run_id])
    if not runs:
        raise CatalogError(f"no run {run_id} in {catalog.path}", fix="list runs with `provenance sources --db`")
    run = runs[0]
    sources = []
    totals: dict[str, Counter] = {"pretraining": Counter(), "finetuning": Counter(), "all": Counter()}
    declared_by_id = {r["source_id"]: json.loads(r["declared"]) for r in
                      catalog.query("SELECT source_id, declared FROM sources WHERE run_id = ?", [run_id])}
    licenses = {r["source_id"]: r for r in catalog.query("SELECT * FROM source_licenses WHERE run_id = ?", [run_id])}
    for row in catalog.query(sql("source_scale"), [run_id]):
        declared = declared_by_id[row["source_id"]]
        scale = {
            "files": row["files"],
            "documents": row["documents"],
            "bytes": row["bytes"],
            "text_bytes": row["text_bytes"],
            "characters": row["characters"],
            "rejected_records": row["rejected_records"],
            "replaced_records": row["replaced_records"],
        }
        for key in (row["stage"], "all"):
            totals[key].update(scale)
        sources.append({
            "id": row["source_id"],
            "name": row["name"],
            "stage": row["stage"],
            "modality": row["modality"],
            "languages_declared": row["languages"] or [],
            "content_domains": declared.get("content_domains") or [],
            "origin": declared.get("origin", {}),
            "acquisition": declared.get("acquisition", {}),
            "license": _source_license(declared.get("license", {}), licenses.get(row["source_id"])),
            "personal_information": declared.get("personal_information", {}),
            "annotation": declared.get("annotation"),
            "scale": scale,
            "files_status": {k: row[f"files_{k}"] for k in ("added", "changed", "unchanged", "removed", "failed")},
        })
    done = summaries or {}
    ran = list(run["stages"])
    empty = {"sources": {}, "corpus": {}}
    pii = done.get("pii") or (pii_summary(catalog, run_id) if "pii" in ran else {})
    dups = done.get("duplicates") or (dup_summary(catalog, run_id) if "duplicates" in ran else empty)
    div = done.get("diversity") or (diversity_summary(catalog, run_id) if "diversity" in ran else empty)
    for source in sources:
        source["pii"] = pii.get(source["id"], {"status": "not_run"})
        source["duplicates"] = dups["sources"].get(source["id"], {"status": "not_run"})
        source["diversity"] = div["sources"].get(source["id"], {"status": "not_run"})
    findings = catalog.query(sql("run_findings"), [run_id])
    manifest_dataset = _declared_dataset(run)
    return {
        "disclosure_version": DISCLOSURE_VERSION,
        "run": {
            "id": run["run_id"],
            "started_at": _iso(run["started_at"]),
            "finished_at": _iso(run["finished_at"]),
            "status": run["status"],
            "manifest_path": run["manifest_path"],
            "manifest_sha256": run["manifest_sha256"],
            "tool_version": run["tool_version"],
            "stages": list(run["stages"]),
        },
        "dataset": manifest_dataset,
        "sources": sources,
        "totals": {k: {f: v.get(f, 0) for f in (*SCALE_FIELDS, "text_bytes", "replaced_records")}
                   for k, v in totals.items()},
        "corpus": {
            "license": _corpus_license(sources) if licenses else {"status": "not run"},
            "origin": _origin_mix(sources),
            "duplicates": dups["corpus"] or {"status": "not_run"},
            "diversity": div["corpus"] or {"status": "not_run"},
        },
        "findings_summary": {sev: sum(1 for f in findings if f["severity"] == sev) for sev in reversed(SEVERITIES)},
        "findings": _listed_findings(findings),
    }


def _listed_findings(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings as listed in the report: per source and code, the first FINDINGS_LISTED, then one summary row.

    A corpus of 20,000 mail files with stray bytes would otherwise list 20,000 rows; the catalog keeps them all.
    """
    listed: list[dict[str, Any]] = []
    groups: dict[tuple[Any, str], list[dict[str, Any]]] = {}
    for f in findings:
        groups.setdefault((f["source_id"], f["code"]), []).append(f)
    for (source_id, code), group in groups.items():
        listed += [_finding_entry(f) for f in group[:FINDINGS_LISTED]]
        rest = group[FINDINGS_LISTED:]
        if rest:
            listed.append({**_finding_entry(rest[0]), "path": None, "member": None, "line": None,
                           "count": sum(g["count"] for g in rest),
                           "message": f"and {len(rest)} more files with {code} in this source; list them with "
                                      f"`provenance findings --db CATALOG --source {source_id} --code {code}`"})
    return listed


def _finding_entry(f: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": f["code"],
        "severity": f["severity"],
        "stage": f["stage"],
        "source": f["source_id"],
        "path": f["path"],
        "member": f["member"],
        "line": f["line"],
        "count": f["count"],
        "message": f["message"],
        "clause": f["clause"],
        "fix": f["fix"],
    }


LICENSE_FIELDS = ("spdx", "use_class", "attribution", "share_alike", "no_derivatives", "use_restrictions",
                  "terms_of_service_restricted", "status", "declared_spdx", "confidence", "matched_by")


def _source_license(declared: dict[str, Any], row: dict[str, Any] | None) -> dict[str, Any]:
    """The declared licence and, when the licence stage ran, what it found and concluded."""
    out: dict[str, Any] = {"declared": declared.get("declared"), "url": declared.get("url"),
                           "files": declared.get("files", [])}
    if row is None:
        return out | {"status": "not run"}
    out |= {k: row[k] for k in LICENSE_FIELDS}
    out["detected_files"] = json.loads(row["detected_files"]) if row["detected_files"] else []
    out["notices"] = json.loads(row["notices"]) if row["notices"] else {}
    return out


def _corpus_license(sources: list[dict[str, Any]]) -> dict[str, Any]:
    """Most restrictive use class and union of flags across sources; documents and bytes per use class."""
    combined = most_restrictive(s["license"] for s in sources)
    return {
        "use_class": combined["use_class"],
        **{f: combined[f] for f in FLAGS},
        "by_use_class": _shares(sources, lambda s: s["license"]["use_class"]),
        "needs_attribution": [s["id"] for s in sources if s["license"]["attribution"]],
        "status": "ok",
    }


def _origin_mix(sources: list[dict[str, Any]]) -> dict[str, Any]:
    """Domestic vs foreign share of documents and bytes (TC260-003 5.1 b), from the declared jurisdiction."""
    return _shares(sources, lambda s: (s["origin"] or {}).get("jurisdiction", "unknown"))


def _shares(sources: list[dict[str, Any]], key: Any) -> dict[str, dict[str, float]]:
    """Sources, documents and bytes per group, with each group's share of the corpus."""
    docs = sum(s["scale"]["documents"] for s in sources) or 1
    size = sum(s["scale"]["bytes"] for s in sources) or 1
    out: dict[str, dict[str, float]] = {}
    for s in sources:
        entry = out.setdefault(key(s), {"sources": 0, "documents": 0, "bytes": 0})
        entry["sources"] += 1
        entry["documents"] += s["scale"]["documents"]
        entry["bytes"] += s["scale"]["bytes"]
    for entry in out.values():
        entry["documents_share"] = round(entry["documents"] / docs, 4)
        entry["bytes_share"] = round(entry["bytes"] / size, 4)
    return out


def _declared_dataset(run: dict[str, Any]) -> dict[str, Any]:
    options = json.loads(run["options"]) if run["options"] else {}
    return options.get("dataset", {"name": run["dataset_name"]})


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
