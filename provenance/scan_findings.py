"""Scan findings of a run, derived from the catalog so that carried-over files report their issues again."""

from __future__ import annotations

from provenance.catalog import Catalog, sql
from provenance.findings import Finding
from provenance.readers.records import INVALID_ENCODING, MISSING_TEXT


def scan_findings(catalog: Catalog, run_id: str) -> list[Finding]:
    out: list[Finding] = []
    for r in catalog.query(sql("scan_file_errors"), [run_id]):
        out.append(Finding("scan", r["code"], r["message"], r["source_id"], r["path"], r["member"] or None))
    for r in catalog.query(sql("scan_issue_counts"), [run_id]):
        code, n = r["code"], r["count"]
        where = f" (first at line {r['first_line']})" if r["first_line"] else (
            f" (first at record {r['first_ordinal'] + 1})" if r["first_ordinal"] is not None else "")
        if code == MISSING_TEXT and r["records_ok"] == 0:
            code = "SCAN_NO_TEXT_FIELD"  # not a few bad records: the whole file yields nothing
            message = f"all {n} records rejected: {r['first_message']}"
        elif code == INVALID_ENCODING:
            message = f"{n} record(s) held invalid bytes, kept with U+FFFD replacements{where}"
        else:
            message = f"{n} record(s) rejected: {r['first_message']}{where}"
        out.append(Finding("scan", code, message, r["source_id"], r["path"], r["member"] or None,
                           line=r["first_line"], count=n))
    return out
