"""The PII stage's side in the catalog: the key for value hashes, per-source summaries and findings.

The detector (detectors/pii) runs in the scan workers and writes pii_documents; this module reads it back.
"""

from __future__ import annotations

import json
import math
import os
import secrets
from pathlib import Path
from typing import Any

from provenance.catalog import Catalog, sql
from provenance.errors import InputError
from provenance.findings import Finding

KEY_ENV = "PROVENANCE_PII_KEY"
NO_BASIS = ("none", "unknown")
DECLARED_CLEAN = ("anonymised", "not_applicable")


def key_path(db: str | Path) -> Path:
    return Path(f"{db}.pii-key")


def pii_key(db: str | Path) -> bytes:
    """The HMAC key of value hashes: $PROVENANCE_PII_KEY, else a random key in <catalog>.pii-key (mode 600).

    The key is kept out of the catalog on purpose: with it, anyone holding the catalog could hash every possible
    phone number and read the values back. Keep the key file with the catalog's owner; hashes made under different
    keys do not match (counts of distinct values across catalogs need the same key).
    """
    env = os.environ.get(KEY_ENV)
    if env:
        if len(env) < 16:
            raise InputError(f"${KEY_ENV} is too short ({len(env)} characters)", where=KEY_ENV,
                             fix="use at least 16 random characters, e.g. `openssl rand -hex 32`")
        return env.encode()
    path = key_path(db)
    if path.exists() and path.read_bytes().strip():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    # written whole under a temporary name, then linked in: an audit killed half-way leaves no empty key behind
    # (an empty key would silently hash every value without a secret); link() fails if another writer won
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_hex(32).encode())
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            path.unlink()  # empty: left by an earlier version killed while writing it
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_bytes().strip()


def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion k/n (sound for small n and for k = 0)."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (round(max(0.0, centre - half), 6), round(min(1.0, centre + half), 6))


def pii_summary(catalog: Catalog, run_id: str) -> dict[str, dict[str, Any]]:
    """Per source: the `sources[].pii` block of the disclosure (see README, "disclosure.json").

    Everything comes from the catalog: the sample size from the run's options, each source's consent basis from
    its declared manifest entry, its document count from the scan.
    """
    sample = int(catalog.run_options(run_id).get("pii", {}).get("sample", 0))
    consent = {r["source_id"]: json.loads(r["declared"]).get("personal_information", {}).get("consent_basis",
                                                                                            "unknown")
               for r in catalog.query("SELECT source_id, declared FROM sources WHERE run_id = ?", [run_id])}
    documents = {r["source_id"]: r["documents"] for r in catalog.query(sql("source_scale"), [run_id])}
    params = {"run_id": run_id, "sample": sample}
    sources = {r["source_id"]: r for r in catalog.query(sql("run_pii_sources"), params)}
    types: dict[str, dict[str, Any]] = {}
    for r in catalog.query(sql("run_pii_entities"), params):
        types.setdefault(r["source_id"], {})[r["entity_type"]] = {
            "mentions": r["mentions"], "documents": r["documents"], "distinct_values": r["distinct_values"],
            "sensitive": bool(r["sensitive"]), "examples": r["examples"]}
    out = {}
    for source_id, basis in consent.items():
        row = sources.get(source_id)
        total = documents.get(source_id, 0)
        if row is None:
            out[source_id] = {"status": "not_scanned", "consent_basis": basis, "documents": total}
            continue
        n, k = row["documents_scanned"], row["documents_with_pii"]
        by_entity = types.get(source_id, {})
        sensitive = sorted(t for t, v in by_entity.items() if v["sensitive"])
        sampled = n < total
        block = {
            "documents": total,
            "documents_scanned": n,
            "sampled": sampled,
            "documents_with_pii": k,
            "documents_with_sensitive": row["documents_with_sensitive"],
            "rate": round(k / n, 6) if n else 0.0,
            "by_entity": by_entity,
            "distinct_values": sum(v["distinct_values"] for v in by_entity.values()),
            "sensitive": bool(sensitive),
            "sensitive_types": sensitive,
            "consent_basis": basis,
            "status": _status(k, bool(sensitive), basis),
        }
        if sampled:
            block["rate_ci95"] = list(wilson_interval(k, n))
        out[source_id] = block
    return out


def _status(with_pii: int, sensitive: bool, basis: str) -> str:
    if not with_pii:
        return "none_found"
    if basis in NO_BASIS or basis in DECLARED_CLEAN or (sensitive and basis != "separate_consent"):
        return "not_covered"
    return "covered"


def pii_findings(summary: dict[str, dict[str, Any]]) -> list[Finding]:
    findings: list[Finding] = []
    for source_id, s in summary.items():
        k = s.get("documents_with_pii", 0)
        if not k:
            continue
        basis = s["consent_basis"]
        share = f"{k:,} of {s['documents_scanned']:,} documents{' sampled' if s['sampled'] else ''}"
        kinds = ", ".join(f"{t} ({v['mentions']:,})" for t, v in s["by_entity"].items())
        if basis in DECLARED_CLEAN:
            findings.append(Finding("pii", "PII_IN_ANONYMISED", f"declared {basis}, but {share} hold personal "
                                    f"information: {kinds}", source_id=source_id, count=k))
        elif basis in NO_BASIS:
            findings.append(Finding("pii", "PII_NO_CONSENT", f"consent basis {basis}; {share} hold personal "
                                    f"information: {kinds}", source_id=source_id, count=k))
        if s["sensitive"] and basis != "separate_consent" and basis not in DECLARED_CLEAN:
            sens = ", ".join(f"{t} ({s['by_entity'][t]['mentions']:,})" for t in s["sensitive_types"])
            findings.append(Finding("pii", "PII_SENSITIVE_NO_SEPARATE_CONSENT",
                                    f"consent basis {basis}; {s['documents_with_sensitive']:,} documents hold "
                                    f"sensitive personal information: {sens}", source_id=source_id,
                                    count=s["documents_with_sensitive"]))
        if s["status"] == "covered":
            findings.append(Finding("pii", "PII_FOUND", f"consent basis {basis}; {share} hold personal "
                                    f"information: {kinds}", source_id=source_id, count=k))
    return findings
