"""The report model (disclosure.json, version 2): the v1 disclosure plus the sections a filing annex needs.

`build_report(catalog, run_id)` is the one entry point: every renderer (Markdown, HTML, EU AI Act summary,
findings.csv) reads only what it returns. Added over v1, all computed from the catalog and the declared manifest:

- `scale`: estimated tokens per source and in total (method stated), the EU AI Act size band;
- `sources[].type` and `sources[].quality`: the Art. 17/19 "type" and "quality" of each source in one place;
- `by_stage`: sources, scale and quality per training stage (pre-training / fine-tuning);
- `annotation`, `review_sample`, `foundation_model`, `algorithm_mechanism`;
- `history`: a short trend over the catalog's completed runs;
- `checklist`: requirement (clause) → evidence → status;
- `method`: tool version, configuration, what each figure means and the SQL it comes from.

Sections whose stage did not run say `"status": "not_run"`; nothing is filled with a guess.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from provenance.annotation_stage import LOW_AGREEMENT_UPPER, annotation_summary, pooled
from provenance.catalog import Catalog, sql
from provenance.checklist import build_checklist
from provenance.disclosure import build_disclosure
from provenance.manifest import is_known
from provenance.report_diff import trend

REPORT_VERSION = "2"
SCHEMA_PATH = Path(__file__).with_name("report_schema.json")

# EU AI Act public-summary template (2025-07-24), section 1.3: size bands for text, in tokens
EU_TEXT_BANDS = ((1_000_000_000, "<1B"), (10_000_000_000_000, "1B-10T"))
EU_TOP_BAND = ">10T"
CHARS_PER_TOKEN = 4  # fallback when the diversity stage did not count tokens: the usual English rule of thumb
HISTORY_RUNS = 8

METHOD_SQL = {  # figure → the SQL file (provenance/sql/) it is computed with, shown in the method section
    "scale": "source_scale",
    "findings": "run_findings",
    "pii": "run_pii_sources",
    "pii_entities": "run_pii_entities",
    "language_mix": "div_source_groups",
    "length": "div_source_documents",
    "history": "trend_runs",
    "annotation": "annotation_run_checks",
}


def build_report(catalog: Catalog, run_id: str, summaries: dict[str, Any] | None = None) -> dict[str, Any]:
    """The full report model for one run. `summaries`: stage summaries the audit already computed (see
    build_disclosure), so they are not computed twice."""
    model = build_disclosure(catalog, run_id, summaries)
    model["disclosure_version"] = REPORT_VERSION
    stages = set(model["run"]["stages"])
    manifest_dir = Path(model["run"]["manifest_path"]).parent
    for source in model["sources"]:
        source["scale"].update(_tokens(source))
        source["type"] = _type(source)
        source["quality"] = _quality(source, stages)
    model["scale"] = _scale(model)
    model["by_stage"] = _by_stage(model)
    model["annotation"] = _annotation(model, manifest_dir, catalog, run_id)
    model["review_sample"] = _review_sample(catalog, run_id)
    model["foundation_model"] = _foundation_model(model["dataset"])
    model["algorithm_mechanism"] = model["dataset"].get("algorithm_mechanism")
    model["history"] = history(catalog, run_id)
    model["checklist"] = build_checklist(model)
    model["method"] = _method(catalog, run_id, model)
    return model


# -- scale -------------------------------------------------------------------------------------------------------

def _tokens(source: dict[str, Any]) -> dict[str, Any]:
    div = source.get("diversity") or {}
    if div.get("status") == "ok" and div.get("tokens"):
        return {"tokens_estimated": int(div["tokens"]), "tokens_method": "counted"}
    return {"tokens_estimated": int(source["scale"]["characters"] // CHARS_PER_TOKEN), "tokens_method": "chars/4"}


def eu_size_band(tokens: int) -> str:
    for limit, band in EU_TEXT_BANDS:
        if tokens < limit:
            return band
    return EU_TOP_BAND


def _scale(model: dict[str, Any]) -> dict[str, Any]:
    """Corpus and per-stage token estimates with the EU band; `totals` keeps the v1 counts."""
    out: dict[str, Any] = {}
    for stage in ("all", "pretraining", "finetuning"):
        members = [s for s in model["sources"] if stage == "all" or s["stage"] == stage]
        tokens = sum(s["scale"]["tokens_estimated"] for s in members)
        model["totals"][stage]["tokens_estimated"] = tokens
        out[stage] = {"sources": len(members), "tokens_estimated": tokens}
    methods = {s["scale"]["tokens_method"] for s in model["sources"]}
    out["tokens_method"] = "counted" if methods == {"counted"} else ("chars/4" if methods == {"chars/4"} else "mixed")
    text_tokens = sum(s["scale"]["tokens_estimated"] for s in model["sources"] if s["modality"] in ("text", "code"))
    out["eu_size_band"] = {"text": eu_size_band(text_tokens), "text_tokens": text_tokens}
    return out


# -- type and quality per source ---------------------------------------------------------------------------------

def _type(source: dict[str, Any]) -> dict[str, Any]:
    div = source.get("diversity") or {}
    detected = None
    url_domains = None
    if div.get("status") == "ok":
        detected = {k: v["share"] for k, v in list(div.get("languages", {}).items())[:5]}
        url_domains = div.get("domains") or {}
    return {"modality": source["modality"], "languages_declared": source["languages_declared"],
            "languages_detected": detected, "language_check": (div.get("language_check") or {}).get("status"),
            "content_domains": source.get("content_domains") or [],  # declared in the manifest
            "url_domains": url_domains,  # computed: the web domains the documents cite most
            "annotated": bool(source.get("annotation"))}


def _quality(source: dict[str, Any], stages: set[str]) -> dict[str, Any]:
    """One row of quality figures per source; None where the stage did not run."""
    scale = source["scale"]
    read = scale["documents"] + scale["rejected_records"]
    dups = source.get("duplicates") or {}
    pii = source.get("pii") or {}
    div = source.get("diversity") or {}
    ok_dups = dups.get("status") == "ok"
    return {
        "rejected_rate": round(scale["rejected_records"] / read, 6) if read else 0.0,
        "exact_duplicate_rate": dups.get("exact_duplicate_rate") if ok_dups else None,
        "near_duplicate_rate": (dups.get("near_duplicate_rate") or {}).get("0.8") if ok_dups else None,
        "in_other_sources_rate": dups.get("in_other_sources_rate") if ok_dups else None,
        "pii_rate": pii.get("rate") if "rate" in pii else None,
        "pii_status": pii.get("status", "not_run"),
        "license_status": source["license"].get("status", "not run"),
        "use_class": source["license"].get("use_class"),
        "type_token_ratio": div.get("type_token_ratio") if div.get("status") == "ok" else None,
        "mean_length": (div.get("length") or {}).get("mean") if div.get("status") == "ok" else None,
    }


def _by_stage(model: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for stage in ("pretraining", "finetuning"):
        members = [s for s in model["sources"] if s["stage"] == stage]
        out[stage] = {"sources": [s["id"] for s in members], "scale": model["totals"][stage],
                      "quality": _weighted_quality(members)}
    return out


def _weighted_quality(sources: list[dict[str, Any]]) -> dict[str, Any]:
    """Stage-level rates: counts summed over sources, then divided (not an average of rates)."""
    read = sum(s["scale"]["documents"] + s["scale"]["rejected_records"] for s in sources)
    rejected = sum(s["scale"]["rejected_records"] for s in sources)
    dup_sources = [s for s in sources if (s.get("duplicates") or {}).get("status") == "ok"]
    dup_docs = sum(s["duplicates"]["documents"] for s in dup_sources)
    pii_sources = [s for s in sources if "documents_scanned" in (s.get("pii") or {})]
    scanned = sum(s["pii"]["documents_scanned"] for s in pii_sources)
    return {
        "rejected_rate": round(rejected / read, 6) if read else 0.0,
        "exact_duplicate_rate": round(sum(s["duplicates"]["exact_duplicates"] for s in dup_sources) / dup_docs, 6)
        if dup_docs else None,
        "near_duplicate_rate": round(sum(s["duplicates"]["near_duplicates"]["0.8"] for s in dup_sources) / dup_docs,
                                     6) if dup_docs else None,
        "pii_documents_scanned": scanned if pii_sources else None,
        "pii_rate": round(sum(s["pii"]["documents_with_pii"] for s in pii_sources) / scanned, 6) if scanned else None,
        "sources_with_pii": sum(1 for s in pii_sources if s["pii"]["documents_with_pii"]),
    }


# -- annotation, review sample, foundation model -----------------------------------------------------------------

def _annotation(model: dict[str, Any], manifest_dir: Path, catalog: Catalog, run_id: str) -> dict[str, Any]:
    """Declared annotation per source (Art. 8/17): rules document (and whether it is where the manifest says),
    type, annotated scale, vendor, and the results of its check files (`checks`, from the catalog's
    annotation_checks); `accuracy_checks` pools them over the corpus."""
    checked = annotation_summary(catalog, run_id)
    rows = []
    for s in model["sources"]:
        a = s.get("annotation")
        if not a:
            continue
        rules = a.get("rules_document") if is_known(a.get("rules_document")) else None
        rows.append({"source": s["id"], "stage": s["stage"], "type": a.get("type"), "rules_document": rules,
                     "rules_document_found": _document_found(rules, manifest_dir), "annotated_count":
                     a.get("annotated_count"), "vendor": a.get("vendor"), "documents": s["scale"]["documents"],
                     "checks": checked.get(s["id"], {}).get("files", [])})
    finetuning = [s["id"] for s in model["sources"] if s["stage"] == "finetuning"]
    files = [c for r in rows for c in r["checks"]]
    figures = pooled(files)
    return {
        "status": "declared" if rows else "none_declared",
        "sources": rows,
        "annotated_total": sum(r["annotated_count"] or 0 for r in rows),
        "finetuning_sources_without_annotation": [i for i in finetuning if i not in {r["source"] for r in rows}],
        "accuracy_checks": {
            "status": "evidenced" if figures["items"] else "not_evidenced",
            "files": len(files),
            "items": figures["items"],
            "agreed": figures["agreed"],
            "agreement": figures["agreement"],
            "ci95": figures["ci95"],
            "min_kappa": figures["min_kappa"],
            "threshold": LOW_AGREEMENT_UPPER,
            # a source is checked when one of its files gave items; an unreadable file evidences nothing
            "sources_without_checks": [r["source"] for r in rows if not any(c["items"] for c in r["checks"])],
        },
    }


def _document_found(reference: str | None, manifest_dir: Path) -> bool | None:
    """True/False for a file path relative to the manifest; None for a URL or nothing (cannot be checked here)."""
    if not is_known(reference) or "://" in reference:
        return None
    return (manifest_dir / reference).exists()


def _review_sample(catalog: Catalog, run_id: str) -> dict[str, Any]:
    from provenance.review_sample import review_summary  # the §9.2 sample lives with its own commands

    return review_summary(catalog, run_id)


def _foundation_model(dataset: dict[str, Any]) -> dict[str, Any]:
    fm = dataset.get("foundation_model")
    if not fm:
        return {"status": "none_declared"}
    known = {k: fm.get(k) not in (None, "", "unknown") for k in ("license", "filing_reference")}
    return {**fm, "status": "declared" if all(known.values()) else "incomplete",
            "missing": [k for k, ok in known.items() if not ok]}


# -- history -----------------------------------------------------------------------------------------------------

def history(catalog: Catalog, run_id: str, last: int = HISTORY_RUNS) -> list[dict[str, Any]]:
    """Key figures of the catalog's last completed runs up to this one (oldest first): `provenance trend`'s rows."""
    keep = ("run_id", "finished_at", "sources", "documents", "bytes", "pii_rate", "near_duplicate_rate",
            "findings_high_critical")
    return [{k: row[k] for k in keep} for row in trend(catalog, last, up_to=run_id)]


# -- method ------------------------------------------------------------------------------------------------------

def _method(catalog: Catalog, run_id: str, model: dict[str, Any]) -> dict[str, Any]:
    options = catalog.run_options(run_id)
    stages = model["run"]["stages"]
    return {
        "tool_version": model["run"]["tool_version"],
        "catalog": str(catalog.path),
        "run_id": run_id,
        "stages": stages,
        "configuration": {k: v for k, v in options.items() if k != "dataset"},
        "manifest_sha256": model["run"]["manifest_sha256"],
        "tokens_method": model["scale"]["tokens_method"],
        "duplicates": (model["corpus"]["duplicates"] or {}).get("method"),
        "diversity": (model["corpus"]["diversity"] or {}).get("method"),
        "sql": {name: {"file": f"provenance/sql/{file}.sql", "text": sql(file).strip(),
                       "parameters": _sql_parameters(file, run_id, options)} for name, file in METHOD_SQL.items()},
    }


def _sql_parameters(file: str, run_id: str, options: dict[str, Any]) -> dict[str, Any]:
    if file in ("source_scale", "run_findings", "annotation_run_checks"):  # positional parameter
        return {"1": run_id}
    if file.startswith("run_pii"):
        return {"run_id": run_id, "sample": int(options.get("pii", {}).get("sample", 0))}
    if file == "trend_runs":
        return {"last": HISTORY_RUNS, "up_to": run_id}
    return {"run_id": run_id}


def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
