"""The onboarding report: one model (onboarding.json) and its Markdown renderings in Chinese and English.

The model is built from the candidate's disclosure, the overlap with the corpus and the verdict; the renderers read
only the model, so the three files always agree. No raw personal data: PII appears as counts and rates only.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from provenance import __version__
from provenance import findings_zh as zh
from provenance.onboard_policy import Policy
from provenance.render_md import plain_table

__all__ = ["ONBOARDING_VERSION", "build_onboarding", "render_markdown", "write_onboarding"]

ONBOARDING_VERSION = "1"


def build_onboarding(*, candidate: dict[str, Any], corpus: dict[str, Any], disclosure: dict[str, Any],
                     overlap: dict[str, Any], adds: dict[str, Any], reasons: list[dict[str, Any]],
                     verdict: dict[str, Any], policy: Policy, policy_file: str | None, options: dict[str, Any],
                     seconds: float, timings: dict[str, float] | None = None) -> dict[str, Any]:
    totals = disclosure["totals"]["all"]
    sources = []
    for s in disclosure["sources"]:
        o = overlap["sources"].get(s["id"])
        sources.append({
            "id": s["id"], "name": s["name"], "stage": s["stage"], "modality": s["modality"],
            "languages_declared": s["languages_declared"],
            "languages_detected": _detected(s.get("diversity")),
            "license": {k: s["license"].get(k) for k in ("declared", "spdx", "use_class", "status", "attribution",
                                                          "share_alike", "no_derivatives")},
            "acquisition": {"method": s["acquisition"].get("method"), "evidence": s["acquisition"].get("evidence")},
            "consent_basis": s["personal_information"].get("consent_basis"),
            "scale": {k: s["scale"][k] for k in ("files", "documents", "bytes", "characters", "rejected_records")},
            "pii": _pii(s.get("pii")),
            "duplicates_inside": _inside(s.get("duplicates")),
            "overlap": None if o is None else {k: v for k, v in o.items() if k != "adds_languages"},
        })
    return {
        "onboarding_version": ONBOARDING_VERSION,
        "tool_version": __version__,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "verdict": verdict["verdict"],
        "verdict_label": verdict["label"],
        "exit_code": verdict["exit_code"],
        "reasons_by_outcome": verdict["reasons_by_outcome"],
        "reasons": reasons,
        "candidate": {**candidate, "documents": totals["documents"], "bytes": totals["text_bytes"],
                      "rejected_records": totals["rejected_records"], "sources": len(sources),
                      "findings_summary": disclosure["findings_summary"]},
        "corpus": {k: corpus[k] for k in ("run_id", "catalog", "dataset", "intended_use", "documents", "bytes",
                                          "stages")} | {"sources": len(corpus["sources"])},
        "sources": sources,
        "adds": adds,
        "policy": policy.recorded(),
        "policy_file": policy_file,
        "options": options,
        "method": _method(options, overlap),
        "seconds": round(seconds, 2),
        "timings": timings or {},  # seconds per step: corpus_profile, candidate_audit, overlap_and_verdict
    }


def _detected(block: dict[str, Any] | None) -> dict[str, float] | None:
    if not block or block.get("status") != "ok":
        return None
    return {k: v["share"] for k, v in list(block["languages"].items())[:5]}


def _pii(block: dict[str, Any] | None) -> dict[str, Any]:
    if not block or block.get("status") == "not_scanned" or "documents_scanned" not in block:
        return {"status": "not_scanned"}
    out = {k: block[k] for k in ("status", "documents", "documents_scanned", "sampled", "documents_with_pii", "rate",
                                 "sensitive", "sensitive_types", "consent_basis")}
    out["rate_ci95"] = block.get("rate_ci95")
    out["by_entity"] = {t: {"mentions": v["mentions"], "documents": v["documents"],
                            "distinct_values": v["distinct_values"]} for t, v in block["by_entity"].items()}
    return out


def _inside(block: dict[str, Any] | None) -> dict[str, Any] | None:
    if not block or block.get("status") != "ok":
        return None
    return {"exact_duplicates": block["exact_duplicates"], "near_duplicates": block["near_duplicates"],
            "near_duplicate_rate": block["near_duplicate_rate"]}


def _method(options: dict[str, Any], overlap: dict[str, Any]) -> list[str]:
    sample = options["sample"]
    return [
        "The candidate is audited on its own by the audit flow (stages scan, license, notices, pii, duplicates, "
        "diversity) into its own catalog; its licences are judged for the intended use shown.",
        "Personal information: presidio-analyzer with the Chinese recognizers on "
        + (f"a seeded sample of {sample:,} documents per file (seed {options['seed']}); rates carry a 95% Wilson "
           "interval" if sample else "every document") + ".",
        f"Overlap: each candidate document's MinHash signature (datasketch affine32, 128 permutations, seed 1) and "
        f"normalised-text hash are matched in DuckDB against the signatures the corpus audit stored "
        f"({overlap['bands']} bands × {overlap['rows']} rows); a document is present when its normalised text "
        f"equals a corpus document's (exact) or its estimated Jaccard with one is ≥ {overlap['threshold']} (near). "
        "The corpus is not read again.",
        "Adds = candidate documents with no exact or near match in the corpus; duplicates inside the candidate are "
        "from its own duplicates stage (estimated Jaccard).",
        "Languages: fastText lid.176 per document; a language's share before and after counts corpus documents "
        "and the documents the candidate adds (deduplicated). Source mix: Shannon entropy, evenness and "
        "Gini-Simpson over documents and bytes per source, the candidate counted by what it adds.",
        "Verdict: the worst outcome among the reasons under the policy shown (accept < conditions < review < "
        "reject).",
    ]


# -- Markdown ----------------------------------------------------------------------------------------------------

T = {
    "en": {
        "title": "Onboarding review", "verdict": "Verdict", "exit": "exit code",
        "scale": "{d:,} documents, {mb} MB of text, {s} source(s)",
        "accept": "accept", "conditions": "accept with conditions", "review": "needs review", "reject": "reject",
        "candidate": "Candidate", "corpus": "Corpus", "judged": "judged for intended use",
        "from": {"--intended-use": "given with --intended-use", "corpus": "the corpus's", "candidate":
                 "the candidate manifest's"},
        "reasons": "Reasons", "no_reasons": "No finding and no overlap stands in the way.",
        "h_reason": ["Outcome", "Code", "Clause", "Source", "What was found", "What to do"],
        "adds": "What it adds",
        "h_adds": ["Source", "Documents", "In the corpus (exact / near)", "Share present", "Adds", "Adds (MB)",
                   "Duplicates inside the candidate"],
        "total": "total",
        "languages": "Languages", "h_lang": ["Language", "Corpus documents", "Added", "Share before → after",
                                             "Change"],
        "change": {"new": "new", "strengthened": "strengthened", "unchanged": "share unchanged", "diluted": "diluted"},
        "second": "Sources per language and modality (TC260-003 5.1 b)",
        "h_second": ["Language", "Modality", "Candidate source", "Corpus sources", "It gives"],
        "gives": {"first source": "the first source", "second source": "its second source",
                  "another source": "another source"},
        "mix": "Source mix", "h_mix": ["Index", "Before", "After"],
        "domains": "URL domains the corpus does not have", "no_domains": "none",
        "not_run": "not run", "per_source": "Per source",
        "license": "Licence", "acquisition": "Acquisition", "pii": "Personal information",
        "consent": "consent basis", "sampled_of": "documents sampled", "all_of": "documents scanned",
        "with_pii": "with personal information", "sensitive": "sensitive",
        "matches": "Already in the corpus's sources", "method": "Method", "policy": "Policy",
        "policy_default": "the default policy (`provenance onboard-policy`)",
        "none": "none",
    },
    "zh": {
        "title": "数据引入评审", "verdict": "结论", "exit": "退出码",
        "scale": "{d:,} 份文档，文本 {mb} MB，{s} 个来源",
        "accept": "接受", "conditions": "附条件接受", "review": "需人工复核", "reject": "拒绝",
        "candidate": "候选数据集", "corpus": "现有语料", "judged": "按预期用途评估",
        "from": {"--intended-use": "由 --intended-use 指定", "corpus": "取自现有语料", "candidate": "取自候选清单"},
        "reasons": "原因", "no_reasons": "未发现妨碍引入的问题，亦无重复内容。",
        "h_reason": ["结论", "代码", "条款", "来源", "发现", "处理建议"],
        "adds": "新增内容",
        "h_adds": ["来源", "文档数", "语料中已有（完全/近似）", "已有比例", "新增文档", "新增（MB）", "候选内部重复"],
        "total": "合计",
        "languages": "语言", "h_lang": ["语言", "语料文档数", "新增", "占比 前 → 后", "变化"],
        "change": {"new": "新增语言", "strengthened": "增强", "unchanged": "占比不变", "diluted": "占比下降"},
        "second": "各语言与模态的来源数（TC260-003 5.1 b）",
        "h_second": ["语言", "模态", "候选来源", "语料中的来源", "带来"],
        "gives": {"first source": "第一个来源", "second source": "第二个来源", "another source": "又一个来源"},
        "mix": "来源构成", "h_mix": ["指标", "引入前", "引入后"],
        "domains": "语料中没有的网址域名", "no_domains": "无",
        "not_run": "未运行", "per_source": "各来源",
        "license": "许可", "acquisition": "获取方式", "pii": "个人信息",
        "consent": "同意依据", "sampled_of": "份抽样文档", "all_of": "份文档（全部）",
        "with_pii": "含个人信息", "sensitive": "敏感个人信息",
        "matches": "与语料中这些来源重复", "method": "方法", "policy": "策略",
        "policy_default": "默认策略（`provenance onboard-policy`）",
        "none": "无",
    },
}


def _mb(n: int) -> str:
    return f"{n / 1e6:,.2f}"


def render_markdown(doc: dict[str, Any], lang: str) -> str:
    t = T[lang]
    c, k = doc["candidate"], doc["corpus"]
    lines = [f"# {t['title']}: {c['dataset']} → {k['dataset'] or k['catalog']}", ""]
    counts = ", ".join(f"{n} {t[o]}" for o, n in doc["reasons_by_outcome"].items() if n)
    lines += [f"**{t['verdict']}: {t[doc['verdict']]}** ({t['exit']} {doc['exit_code']})"
              + (f" — {counts}" if counts else ""), ""]
    lines += [f"- {t['candidate']}: `{c['input']}` — " + t["scale"].format(d=c["documents"], mb=_mb(c["bytes"]),
                                                                            s=c["sources"])
              + f"; {t['judged']} **{c['intended_use']}** ({t['from'][c['intended_use_from']]})",
              f"- {t['corpus']}: `{k['catalog']}` run `{k['run_id']}` — "
              + t["scale"].format(d=k["documents"], mb=_mb(k["bytes"]), s=k["sources"]), ""]
    lines += [f"## {t['reasons']}", ""]
    if doc["reasons"]:
        # Chinese: the code's meaning and next step in Chinese (findings_zh), the measured detail as written
        lines += plain_table(t["h_reason"], [[t[r["outcome"]], f"`{r['code']}`", r["clause"], r["source"] or "",
                                         r["message"] if lang == "en" else f"{zh.title(r['code'], 'zh')}（{r['message']}）",
                                         r["fix"] if lang == "en" else zh.fix(r["code"], "zh")]
                                        for r in doc["reasons"]])
    else:
        lines += [t["no_reasons"], ""]

    a = doc["adds"]
    lines += [f"## {t['adds']}", ""]
    rows = []
    for s in doc["sources"]:
        o = s["overlap"]
        if o is None:
            continue
        rows.append([s["id"], f"{o['documents']:,}", f"{o['exact_present']:,} / {o['near_present']:,}",
                     f"{o['share_present']:.1%}", f"{o['adds_documents']:,}", _mb(o["adds_bytes"]),
                     f"{o['adds_internal_duplicates']:,}"])
    rows.append([f"**{t['total']}**", f"{a['documents']:,}", f"{a['present']:,}",
                 f"{1 - a['adds_share']:.1%}" if a["documents"] else "", f"{a['adds_documents']:,}",
                 _mb(a["adds_bytes"]), f"{a['adds_documents'] - a['adds_deduplicated']:,}"])
    lines += plain_table(t["h_adds"], rows)

    lines += [f"### {t['languages']}", ""]
    if a["languages"]["status"] != "ok":
        lines += [f"{t['not_run']}: {a['languages']['reason']}", ""]
    elif a["languages"]["rows"]:
        lines += plain_table(t["h_lang"], [[r["language"], f"{r['corpus_documents']:,}", f"{r['adds_documents']:,}",
                                       f"{r['share_before']:.1%} → {r['share_after']:.1%}", t["change"][r["change"]]]
                                      for r in a["languages"]["rows"]])
    else:
        lines += [t["none"], ""]
    lines += [f"### {t['second']}", ""]
    if a["second_sources"]["status"] != "ok":
        lines += [f"{t['not_run']}: {a['second_sources']['reason']}", ""]
    elif a["second_sources"]["rows"]:
        lines += plain_table(t["h_second"], [[r["language"], r["modality"], r["source"],
                                         ", ".join(r["corpus_sources"]) or t["none"], t["gives"][r["gives"]]]
                                        for r in a["second_sources"]["rows"]])
    else:
        lines += [t["none"], ""]
    lines += [f"### {t['mix']}", ""]
    mix = a["source_mix"]
    mix_rows = []
    for basis in ("documents", "bytes"):
        for index in ("sources", "shannon", "evenness", "gini_simpson"):
            mix_rows.append([f"{index} ({basis})", mix["before"][basis][index], mix["after"][basis][index]])
    lines += plain_table(t["h_mix"], mix_rows)
    new_domains = [d for d in a["domains"] if d["new"]][:10]
    lines += [f"### {t['domains']}", "",
              ", ".join(f"{d['domain']} ({d['documents']:,})" for d in new_domains) or t["no_domains"], ""]

    lines += [f"## {t['per_source']}", ""]
    for s in doc["sources"]:
        lic, p = s["license"], s["pii"]
        lines += [f"### {s['id']} — {s['name']}", "",
                  f"- {t['license']}: {lic['declared'] or '—'} → {lic['spdx']} ({lic['use_class']}, {lic['status']})",
                  f"- {t['acquisition']}: {s['acquisition']['method']}; evidence: {s['acquisition']['evidence'] or '—'}"]
        if p["status"] == "not_scanned":
            lines.append(f"- {t['pii']}: {t['not_run']}")
        else:
            ci = f" (95%: {p['rate_ci95'][0]:.2%}–{p['rate_ci95'][1]:.2%})" if p.get("rate_ci95") else ""
            types = ", ".join(f"{k} {v['mentions']:,}" for k, v in p["by_entity"].items()) or t["none"]
            lines.append(f"- {t['pii']}: {t['consent']} {p['consent_basis']}; {p['documents_with_pii']:,} / "
                         f"{p['documents_scanned']:,} {t['sampled_of'] if p['sampled'] else t['all_of']} "
                         f"{t['with_pii']}, {p['rate']:.2%}{ci}; {types}"
                         + (f"; {t['sensitive']}: {', '.join(p['sensitive_types'])}" if p["sensitive"] else ""))
        o = s["overlap"]
        if o and o["matches"]:
            lines.append(f"- {t['matches']}: " + "; ".join(
                f"{m['source_id']} {m['documents']:,} (e.g. `{m['example_qid']}` ~ `{m['example_doc_id']}`)"
                for m in o["matches"][:5]))
        lines.append("")
    lines += [f"## {t['method']}", ""] + [f"- {m}" for m in doc["method"]]
    lines += [f"- {t['policy']}: " + (f"`{doc['policy_file']}`" if doc["policy_file"] else t["policy_default"])
              + f"; overlap reject ≥ {doc['policy']['overlap']['reject_at']:.0%}, conditions ≥ "
              f"{doc['policy']['overlap']['conditions_at']:.0%}; PII without consent reject at a rate ≥ "
              f"{doc['policy']['pii']['reject_at_rate']:.1%}", ""]
    lines += [f"_provenance {doc['tool_version']}, {doc['created_at']}, {doc['seconds']} s_", ""]
    return "\n".join(lines)


def write_onboarding(doc: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "onboarding.json", "zh": out_dir / "onboarding.zh.md",
             "en": out_dir / "onboarding.en.md"}
    paths["json"].write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for lang in ("zh", "en"):
        paths[lang].write_text(render_markdown(doc, lang), encoding="utf-8")
    return paths
