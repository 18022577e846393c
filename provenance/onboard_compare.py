"""What a candidate dataset adds to an audited corpus, from two catalogs and without reading the corpus again.

The candidate was audited into its own catalog (scan, licence, PII sample, duplicate signatures, languages). Its
documents' signatures are exported to Parquet (sql/onboard_candidate_docs.sql) and matched in the corpus catalog's
connection against the corpus run's stored signatures with the same SQL `provenance overlap` uses
(sql/dup_match.sql). What stays in Python is per source and per language: counts, never per-document state.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from provenance.catalog import Catalog, sql
from provenance.diversity_stage import (
    languages_of,
    count_shares,
    language_family,
    mix_indices,
    sources_by_language_modality,
)
from provenance.dup_query import (
    banding,
    check_signatures,
    matched_documents,
    parquet_literal,
    ready_connection,
    rows_of,
)

__all__ = ["candidate_overlap", "corpus_profile", "export_candidate", "what_it_adds"]


def export_candidate(catalog: Catalog, run_id: str, parquet_path: str | Path) -> int:
    """Write the candidate run's documents with signatures, sizes and languages to Parquet; the row count."""
    text = sql("onboard_candidate_docs").rstrip().rstrip(";")
    copied = ready_connection(catalog).execute(f"COPY ({text}) TO {parquet_literal(parquet_path)} (FORMAT parquet)",
                                               {"run_id": run_id}).fetchall()
    return copied[0][0]  # COPY answers with the number of rows written


def corpus_profile(catalog: Catalog, run_id: str) -> dict[str, Any]:
    """The corpus run as onboarding needs it: scale per source, languages, sources per language and modality."""
    options = catalog.run_options(run_id)
    stages = catalog.query("SELECT stages FROM runs WHERE run_id = ?", [run_id])[0]["stages"] or []
    scale = catalog.query(sql("source_scale"), [run_id])
    declared = {r["source_id"]: {"languages": list(r["languages"] or []), "modality": r["modality"]} for r in scale}
    profile: dict[str, Any] = {
        "run_id": run_id,
        "catalog": catalog.path,
        "dataset": options.get("dataset", {}).get("name"),
        "intended_use": options.get("dataset", {}).get("intended_use"),
        "stages": list(stages),
        # bytes of text (UTF-8), as the candidate's documents are counted
        "sources": {r["source_id"]: {"documents": r["documents"], "bytes": r["text_bytes"], "modality": r["modality"]}
                    for r in scale},
        "documents": sum(r["documents"] for r in scale),
        "bytes": sum(r["text_bytes"] for r in scale),
        "languages": None,
        "sources_by_language_and_modality": None,
    }
    if "diversity" in stages:
        per_source: dict[str, dict[str, int]] = defaultdict(dict)
        for r in catalog.query(sql("div_source_groups"), {"run_id": run_id}):  # type: ignore[arg-type]
            if r["kind"] == "language":
                per_source[r["source_id"]][r["key"]] = int(r["n"])
        families: dict[str, int] = defaultdict(int)
        for langs in per_source.values():
            for lang, k in langs.items():
                families[language_family(lang)] += k
        profile["languages"] = dict(families)
        # the diversity stage's own rule for which languages a source counts for
        blocks = {s: {"languages": count_shares(langs, sum(langs.values()))} for s, langs in per_source.items()}
        profile["sources_by_language_and_modality"] = sources_by_language_modality(declared, blocks)
    return profile


def candidate_overlap(catalog: Catalog, run_id: str, export: str | Path, threshold: float = 0.8
                      ) -> dict[str, Any]:
    """Match the exported candidate documents against the corpus run: per candidate source the counts of
    onboard_overlap.sql with the corpus sources matched, and what the candidate adds by language and URL domain."""
    bands, rows = banding(threshold, None, None)
    check_signatures(catalog, run_id)
    docs = f"SELECT * FROM read_parquet({parquet_literal(export)})"
    with matched_documents(catalog, run_id, docs, threshold, bands, rows):
        per_source = {r.pop("source"): r for r in rows_of(catalog, sql("onboard_overlap"))}
        matched: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows_of(catalog, sql("dup_query_overlap_sources")):
            matched[r.pop("source")].append(r)
        languages: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for r in rows_of(catalog, sql("onboard_adds_languages")):
            languages[r["source"]][language_family(r["language"])] += r["documents"]
        domains = rows_of(catalog, sql("onboard_adds_domains"), {"run_id": run_id})
    for name, r in per_source.items():
        present = r["exact_present"] + r["near_present"]
        r["present"] = present
        r["share_present"] = round(present / r["documents"], 6) if r["documents"] else 0.0
        r["adds_deduplicated"] = r["adds_documents"] - r["adds_internal_duplicates"]
        r["matches"] = matched.get(name, [])
        r["adds_languages"] = dict(sorted(languages.get(name, {}).items(), key=lambda kv: (-kv[1], kv[0])))
    return {"threshold": threshold, "bands": bands, "rows": rows, "sources": per_source, "domains": domains}


def what_it_adds(corpus: dict[str, Any], candidate_sources: list[dict[str, Any]], overlap: dict[str, Any]
                 ) -> dict[str, Any]:
    """Languages added or strengthened, the source-mix indices before and after, and for each language and
    modality whether the candidate gives it its first, second or a further source (TC260-003 5.1 b).

    `candidate_sources` are the candidate disclosure's `sources` entries (id, modality, languages_declared and the
    diversity block); counts are of the documents the candidate adds (not already in the corpus).
    """
    per = overlap["sources"]
    adds_docs = sum(s["adds_documents"] for s in per.values())
    total_docs = sum(s["documents"] for s in per.values())
    out: dict[str, Any] = {
        "documents": total_docs,
        "bytes": sum(s["bytes"] for s in per.values()),
        "present": sum(s["present"] for s in per.values()),
        "adds_documents": adds_docs,
        "adds_bytes": sum(s["adds_bytes"] for s in per.values()),
        "adds_characters": sum(s["adds_characters"] for s in per.values()),
        "adds_deduplicated": sum(s["adds_deduplicated"] for s in per.values()),
        "adds_share": round(adds_docs / total_docs, 6) if total_docs else 0.0,
    }
    # the source mix before and after, over documents and bytes (the candidate counted by what it adds)
    before_docs = [s["documents"] for s in corpus["sources"].values()]
    before_bytes = [s["bytes"] for s in corpus["sources"].values()]
    after_docs = before_docs + [per.get(c["id"], {}).get("adds_documents", 0) for c in candidate_sources]
    after_bytes = before_bytes + [per.get(c["id"], {}).get("adds_bytes", 0) for c in candidate_sources]
    out["source_mix"] = {
        "before": {"documents": mix_indices(before_docs), "bytes": mix_indices(before_bytes)},
        "after": {"documents": mix_indices(after_docs), "bytes": mix_indices(after_bytes)},
    }
    if corpus["languages"] is None:
        out["languages"] = {"status": "not_run", "reason": "the corpus run did not include the diversity stage"}
        out["second_sources"] = {"status": "not_run",
                                 "reason": "the corpus run did not include the diversity stage"}
    else:
        out["languages"] = {"status": "ok", "rows": _language_rows(corpus, per)}
        out["second_sources"] = {"status": "ok", "rows": _second_sources(corpus, candidate_sources, per)}
    out["domains"] = [{**d, "new": d["corpus_documents"] == 0} for d in overlap["domains"]]
    return out


def _language_rows(corpus: dict[str, Any], per: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    before: dict[str, int] = dict(corpus["languages"])
    adds: dict[str, int] = defaultdict(int)
    for s in per.values():
        for lang, n in s["adds_languages"].items():
            adds[lang] += n
    total_before = sum(before.values())
    total_after = total_before + sum(adds.values())
    rows = []
    for lang in sorted(adds, key=lambda x: (-adds[x], x)):
        if lang == "und":
            continue
        b = before.get(lang, 0)
        share_before = b / total_before if total_before else 0.0
        share_after = (b + adds[lang]) / total_after if total_after else 0.0
        change = ("new" if b == 0 else "strengthened" if share_after > share_before + 1e-12 else
                  "unchanged" if abs(share_after - share_before) <= 1e-12 else "diluted")
        rows.append({"language": lang, "corpus_documents": b, "adds_documents": adds[lang],
                     "share_before": round(share_before, 6), "share_after": round(share_after, 6),
                     "change": change})
    return rows


def _second_sources(corpus: dict[str, Any], candidate_sources: list[dict[str, Any]],
                    per: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    existing = corpus["sources_by_language_and_modality"] or {}
    rows = []
    for c in candidate_sources:
        got = per.get(c["id"])
        if not got or not got["adds_documents"]:
            continue  # a source that adds nothing gives no language a new source
        block = c.get("diversity") if isinstance(c.get("diversity"), dict) and c["diversity"].get("status") == "ok" \
            else None
        for lang in languages_of({"languages": c.get("languages_declared") or []}, block):
            have = existing.get(lang, {}).get(c["modality"], [])
            n = len(have)
            rows.append({"language": lang, "modality": c["modality"], "source": c["id"], "corpus_sources": have,
                         "gives": "first source" if n == 0 else "second source" if n == 1 else "another source"})
    return rows

