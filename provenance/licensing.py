"""The licence stage: declared vs detected licence per source, classification, evidence checks, findings.

Inputs are the manifest, the licence files found on disk next to each source, the licence files and dataset cards
found inside archives by the scan (catalog table license_texts), and the notices detector's counts when it ran.
Nothing here reads the documents themselves; `provenance license check` runs it without a scan.
"""

from __future__ import annotations

import glob
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Iterable

from provenance.findings import Finding
from provenance.licenses.detect import (
    identify_license_text,
    is_dataset_card_name,
    is_license_file_name,
    license_from_dataset_card,
)
from provenance.licenses.normalize import LicenseClass, NormalizedLicense, combine, normalize
from provenance.manifest import Dataset, LoadedManifest, Source, is_known

FLAGS = tuple(f.name for f in fields(LicenseClass) if f.name != "use_class")
PUBLIC_DOMAIN = {"CC0-1.0", "PDDL-1.0", "LicenseRef-Public-Domain", "Unlicense"}
NOTICE_KINDS_AGAINST_PD = {"all_rights_reserved", "copyright_line", "zh_copyright", "zh_no_reprint"}
LICENSE_FILE_MAX = 256 << 10
SEARCH_LEVELS_OUTSIDE = 2  # folders searched above a glob's fixed part when the data is outside the manifest's


@dataclass(frozen=True)
class DetectedLicense:
    """A licence identified in a file of the source (a licence file, a dataset card, or notices in documents)."""

    path: str  # as shown in reports: relative to the manifest, `archive!member` inside archives
    spdx: str
    confidence: float
    matched: str
    method: str


@dataclass
class SourceLicense:
    source_id: str
    declared: str | None
    declared_spdx: str
    spdx: str  # the licence the classification uses (see `effective`)
    use_class: str
    attribution: bool
    share_alike: bool
    no_derivatives: bool
    use_restrictions: bool
    terms_of_service_restricted: bool
    confidence: float
    matched_by: str
    status: str  # consistent | declared-only | detected-only | conflict | unspecified | unknown
    detected: list[DetectedLicense] = field(default_factory=list)
    notices: dict[str, Any] = field(default_factory=dict)  # {documents, kinds: {kind: {documents, hits, examples}}}

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["detected_files"] = d.pop("detected")
        return d


def license_files_on_disk(loaded: LoadedManifest, source: Source) -> list[tuple[str, str]]:
    """(shown path, text) of licence files and dataset cards next to a source's data.

    Looked for in `license.files`, and in the fixed folder part of each `paths` glob and the folders above it: up
    to the manifest's folder when the data is inside it (not the manifest's own folder, unless the data is there),
    or SEARCH_LEVELS_OUTSIDE levels when it is outside.
    """
    found: dict[str, None] = {}
    for declared in source.license.files:
        found.setdefault(loaded.resolve(declared), None)
    base = str(loaded.base_dir)
    for pattern in source.paths:
        for folder in _search_folders(_fixed_folder(loaded.resolve(pattern)), base):
            # a README beside the manifest describes the whole collection, not this source: only licence files there
            cards = folder != base
            for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
                full = os.path.join(folder, name)
                if os.path.isfile(full) and (is_license_file_name(name) or (cards and is_dataset_card_name(name))):
                    found.setdefault(full, None)
    out = []
    for full in found:
        try:
            with open(full, "rb") as f:
                text = f.read(LICENSE_FILE_MAX).decode("utf-8", "replace")
        except OSError:
            continue  # a declared licence file that is missing shows as "nothing detected" and in evidence checks
        out.append((loaded.relative(full), text))
    return out


def _search_folders(start: str, base: str) -> list[str]:
    inside = os.path.commonpath([start, base]) == base
    out, current = [start], start
    while True:
        parent = os.path.dirname(current)
        if parent == current:
            break
        if inside and (current == base or parent == base):
            break  # the manifest's own folder is searched only when the data sits in it
        if not inside and len(out) > SEARCH_LEVELS_OUTSIDE:
            break
        out.append(parent)
        current = parent
    return out


def _fixed_folder(pattern: str) -> str:
    """The folder part of a glob before its first wildcard."""
    parts = Path(pattern).parts
    fixed = []
    for part in parts:
        if glob.has_magic(part):
            break
        fixed.append(part)
    path = os.path.join(*fixed) if fixed else os.sep
    return path if os.path.isdir(path) else os.path.dirname(path)


def identify(path: str, text: str) -> DetectedLicense | None:
    """A licence file's or dataset card's licence, normalised."""
    name = path.rsplit("!", 1)[-1].rsplit("/", 1)[-1]
    match = license_from_dataset_card(text) if is_dataset_card_name(name) else identify_license_text(text)
    if match is None and is_dataset_card_name(name):
        match = identify_license_text(text)
    if match is None:
        return None
    spdx = match.spdx
    if spdx is None:  # a card that names the licence in words
        normalized = normalize(match.matched)
        if normalized.spdx in ("unknown", "NOASSERTION"):
            return None
        spdx = normalized.spdx
    return DetectedLicense(path, spdx, match.confidence, match.matched[:120], match.method)


def assess_source(source: Source, detected: list[DetectedLicense], notices: dict[str, Any] | None = None
                  ) -> SourceLicense:
    """Classify a source from its declared licence and what was found; conflicts resolve to the stricter."""
    declared = normalize(source.license.declared if is_known(source.license.declared) else None)
    found = [normalize(d.spdx) for d in detected]
    declared_known = declared.spdx not in ("NOASSERTION", "unknown")
    if not found:
        status = "declared-only" if declared_known else ("unknown" if declared.spdx == "unknown" else "unspecified")
        effective = [declared]
    elif not declared_known:
        status = "detected-only"
        effective = found
    elif any(f.spdx == declared.spdx for f in found):
        status = "consistent"
        effective = [declared]
    else:
        status = "conflict"
        effective = [declared, *found]  # until a person decides, the stricter reading holds
    combined = most_restrictive(effective)
    spdx = declared.spdx if status in ("consistent", "declared-only", "unknown", "unspecified") else \
        " AND ".join(sorted({e.spdx for e in effective}))
    return SourceLicense(
        source_id=source.id, declared=source.license.declared, declared_spdx=declared.spdx, spdx=spdx,
        use_class=combined["use_class"], **{f: combined[f] for f in FLAGS},
        confidence=min(e.confidence for e in effective), matched_by=declared.matched_by, status=status,
        detected=detected, notices=notices or {})


def most_restrictive(licenses: Iterable[NormalizedLicense | dict[str, Any]]) -> dict[str, Any]:
    """The most restrictive use class and the union of flags (the normaliser's `combine`), from licences or from
    report dicts that carry `use_class` and the flags."""
    classes = [x if isinstance(x, NormalizedLicense) else
               LicenseClass(x["use_class"], **{f: bool(x.get(f)) for f in FLAGS}) for x in licenses]
    return asdict(combine(classes))


def source_findings(source: Source, lic: SourceLicense, intended_use: str) -> list[Finding]:
    out: list[Finding] = []
    sid = source.id

    def add(code: str, message: str, **kw: Any) -> None:
        out.append(Finding("license", code, message, sid, **kw))

    if lic.status == "conflict":
        found = ", ".join(f"{d.spdx} in {d.path}" for d in lic.detected)
        add("LIC_CONFLICT", f"declared '{lic.declared}' ({lic.declared_spdx}) but found {found}")
    if lic.use_class == "unknown":
        what = "cannot be resolved" if lic.spdx == "unknown" else f"({lic.spdx}) has no known use class"
        add("LIC_UNKNOWN", f"licence '{lic.declared}' {what}; it is not cleared until reviewed")
    elif lic.use_class == "unspecified":
        add("LIC_UNSPECIFIED", "no licence declared and none found in the source's files")
    if intended_use == "commercial" and lic.use_class in ("non-commercial", "research-only"):
        add("LIC_NOT_COMMERCIAL", f"{lic.spdx} is {lic.use_class}; the dataset's intended use is commercial")
    if lic.no_derivatives:
        add("LIC_NO_DERIVATIVES", f"{lic.spdx} forbids derivatives")
    if lic.share_alike:
        add("LIC_SHARE_ALIKE", f"{lic.spdx} is share-alike")
    if lic.use_restrictions:
        add("LIC_USE_RESTRICTIONS", f"{lic.spdx} carries use restrictions")
    if lic.terms_of_service_restricted:
        add("LIC_TOS_RESTRICTED", f"{lic.spdx}: terms of service restrict the data's use")
    if lic.attribution:
        add("LIC_ATTRIBUTION", f"{lic.spdx} requires attribution; the source is listed in ATTRIBUTION.md")
    out += evidence_findings(source, lic)
    kinds = (lic.notices or {}).get("kinds", {})
    against_pd = {k: n for k, n in kinds.items() if k in NOTICE_KINDS_AGAINST_PD}
    if against_pd and (lic.declared_spdx in PUBLIC_DOMAIN or lic.spdx in PUBLIC_DOMAIN):
        most = max(n["documents"] for n in against_pd.values())
        add("LIC_NOTICES_IN_PUBLIC_DOMAIN", f"at least {most} document(s) carry copyright notices in a source "
            f"declared {lic.declared_spdx}; e.g. {_examples(against_pd)}", count=most)
    documents = (lic.notices or {}).get("documents", 0)
    if documents:
        listed = ", ".join(f"{k} {n['documents']}" for k, n in sorted(kinds.items()))
        add("LIC_COPYRIGHT_NOTICES", f"{documents} document(s) with notices ({listed}); e.g. {_examples(kinds)}",
            count=documents)
    return out


def _examples(kinds: dict[str, Any]) -> str:
    examples = [e for n in kinds.values() for e in n.get("examples", [])][:3]
    return "; ".join(f"{e['doc_id']}: “{e['excerpt']}”" for e in examples)


def evidence_findings(source: Source, lic: SourceLicense) -> list[Finding]:
    """TC260-003 5.1 c: the traceability evidence each acquisition method needs."""
    acq = source.acquisition
    has_evidence = is_known(acq.evidence)
    out: list[Finding] = []

    def add(code: str, message: str) -> None:
        out.append(Finding("license", code, message, source.id))

    if acq.method == "open_licence":
        if lic.use_class == "unspecified" or (lic.declared_spdx in ("NOASSERTION",) and not lic.detected):
            add("EVID_NO_LICENCE", "acquired under an open licence, but no licence is declared or found")
    elif acq.method == "self_collected":
        if not has_evidence:
            add("EVID_NO_COLLECTION_RECORDS", "self-collected without collection records (`acquisition.evidence`)")
        if acq.robots_respected == "no":
            add("EVID_ROBOTS_NOT_RESPECTED", "collected without respecting robots.txt / opt-outs")
        elif acq.robots_respected == "unknown":
            add("EVID_ROBOTS_UNKNOWN", "robots.txt / opt-out compliance is not stated")
    elif acq.method == "commercial_contract":
        if not has_evidence:
            add("EVID_NO_CONTRACT", "commercial acquisition without a contract reference (`acquisition.evidence`)")
    elif acq.method == "user_data":
        if not has_evidence:
            add("EVID_NO_AUTHORISATION", "user data without authorisation records (`acquisition.evidence`)")
    elif acq.method == "synthetic":
        if not is_known(acq.generator_model):
            add("EVID_NO_GENERATOR", "synthetic data without the generating model (`acquisition.generator_model`)")
    elif not has_evidence:
        add("EVID_NO_EVIDENCE", f"acquisition method '{acq.method}' with no evidence")
    return out


def dataset_findings(dataset: Dataset) -> list[Finding]:
    model = dataset.foundation_model
    out = []
    if model is not None:
        if not is_known(model.license):
            out.append(Finding("license", "MODEL_LICENSE_MISSING", f"foundation model '{model.name}' has no licence"))
        if not is_known(model.filing_reference):
            out.append(Finding("license", "MODEL_FILING_MISSING",
                               f"foundation model '{model.name}' has no filing reference"))
    return out


def attribution_markdown(dataset_name: str, rows: list[dict[str, Any]]) -> str:
    """ATTRIBUTION.md: every source whose licence requires attribution, with what to credit."""
    lines = [f"# Attribution — {dataset_name}", "",
             "The training data of this model includes the following sources, whose licences require attribution.",
             ""]
    if not rows:
        lines.append("No source in this corpus requires attribution.")
    for r in rows:
        lines += [f"## {r['name']}", "",
                  f"- Licence: {r['spdx']}" + (f" ({r['license_url']})" if r.get("license_url") else ""),
                  f"- Publisher: {r.get('publisher') or 'not declared'}",
                  f"- Source: {r.get('url') or 'not declared'}",
                  ""]
    return "\n".join(lines)
