"""Run the licence stage of an audit against the catalog: gather what was found, assess, store, report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from provenance.catalog import Catalog, sql
from provenance.findings import Finding
from provenance.licensing import (
    DetectedLicense,
    SourceLicense,
    assess_source,
    attribution_markdown,
    dataset_findings,
    identify,
    license_files_on_disk,
    source_findings,
)
from provenance.manifest import LoadedManifest, is_known


def assess_manifest(loaded: LoadedManifest, archive_texts: dict[str, list[tuple[str, str]]] | None = None,
                    notices: dict[str, dict[str, Any]] | None = None) -> tuple[list[SourceLicense], list[Finding]]:
    """Every source's licence and the stage's findings; archive_texts maps source → [(shown path, text)]."""
    results, findings = [], dataset_findings(loaded.manifest.dataset)
    intended = loaded.manifest.dataset.intended_use
    for source in loaded.manifest.sources:
        texts = license_files_on_disk(loaded, source) + (archive_texts or {}).get(source.id, [])
        detected: list[DetectedLicense] = [d for d in (identify(p, t) for p, t in texts) if d is not None]
        lic = assess_source(source, detected, (notices or {}).get(source.id))
        results.append(lic)
        findings += source_findings(source, lic, intended)
    return results, findings


def archive_license_texts(loaded: LoadedManifest) -> dict[str, list[tuple[str, str]]]:
    """Licence files and cards inside each source's archives, read without a scan (for `license check`)."""
    from provenance.readers.streams import StreamError, is_archive_name, iter_archive
    from provenance.scan import expand_paths, license_member_bytes

    out: dict[str, list[tuple[str, str]]] = {}
    for source in loaded.manifest.sources:
        for path in expand_paths(loaded, source)[0]:
            if not is_archive_name(path):
                continue
            try:
                with open(path, "rb") as raw:
                    for member in iter_archive(path, raw):
                        data = license_member_bytes(member)
                        if data is not None:
                            out.setdefault(source.id, []).append(
                                (f"{loaded.relative(path)}!{member.name}", data.decode("utf-8", "replace")))
            except (OSError, StreamError):  # a broken archive is the scan's finding, not the licence check's
                continue
    return out


def run_license_stage(catalog: Catalog, loaded: LoadedManifest, run_id: str, notices_ran: bool) -> list[Finding]:
    archive_texts: dict[str, list[tuple[str, str]]] = {}
    for r in catalog.query(sql("run_license_texts"), [run_id]):
        archive_texts.setdefault(r["source_id"], []).append((f"{r['path']}!{r['member']}", r["text"]))
    notices: dict[str, dict[str, Any]] = {}
    if notices_ran:
        for r in catalog.query(sql("run_notice_documents"), [run_id]):
            notices[r["source_id"]] = {"documents": r["documents"], "kinds": {}}
        for r in catalog.query(sql("run_notices"), [run_id]):
            notices[r["source_id"]]["kinds"][r["kind"]] = {
                "documents": r["documents"], "hits": r["hits"], "examples": r["examples"] or []}
    results, findings = assess_manifest(loaded, archive_texts, notices)
    with catalog.transaction():
        for lic in results:
            d = lic.as_dict()
            catalog.con.execute(
                "INSERT INTO source_licenses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [run_id, lic.source_id, lic.declared, lic.declared_spdx, lic.spdx, lic.use_class, lic.attribution,
                 lic.share_alike, lic.no_derivatives, lic.use_restrictions, lic.terms_of_service_restricted,
                 lic.confidence, lic.matched_by, lic.status, json.dumps(d["detected_files"], ensure_ascii=False),
                 json.dumps(lic.notices, ensure_ascii=False)])
    return findings


def write_attribution(loaded: LoadedManifest, results: list[dict[str, Any]], out_dir: Path) -> Path:
    """ATTRIBUTION.md next to the report, from the stage's rows (a dict per source with spdx and attribution)."""
    sources = {s.id: s for s in loaded.manifest.sources}
    rows = []
    for r in results:
        if not r["attribution"]:
            continue
        s = sources[r["source_id"]]
        rows.append({"name": s.name, "spdx": r["spdx"], "license_url": s.license.url if is_known(s.license.url) else None,
                     "publisher": s.origin.publisher if is_known(s.origin.publisher) else None,
                     "url": s.origin.url if is_known(s.origin.url) else None})
    path = out_dir / "ATTRIBUTION.md"
    path.write_text(attribution_markdown(loaded.manifest.dataset.name, rows), encoding="utf-8")
    return path
