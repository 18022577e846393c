"""The compliance checklist: requirement (clause) → evidence → status, from the report model alone.

Statuses: `met` (the evidence shows it), `not_met` (the evidence shows it is not), `not_evidenced` (the stage that
would show it did not run, or the manifest does not say), `not_applicable`. A status is never `met` by default:
each rule names what it looked at, in `evidence` (en and zh, numbers included).
"""

from __future__ import annotations

from typing import Any, Callable

STATUSES = ("met", "not_met", "not_evidenced", "not_applicable")

Rule = Callable[[dict[str, Any]], tuple[str, str, str]]  # model → (status, evidence en, evidence zh)
_RULES: list[tuple[str, str, str, str, Rule]] = []  # (id, clause, requirement en, requirement zh, rule)


def rule(item_id: str, clause: str, en: str, zh: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        _RULES.append((item_id, clause, en, zh, fn))
        return fn
    return register


def build_checklist(model: dict[str, Any]) -> list[dict[str, Any]]:
    items = []
    for item_id, clause, en, zh, fn in _RULES:
        status, ev_en, ev_zh = fn(model)
        assert status in STATUSES, (item_id, status)
        items.append({"id": item_id, "clause": clause, "requirement": {"en": en, "zh": zh}, "status": status,
                      "evidence": {"en": ev_en, "zh": ev_zh}})
    return items


# -- helpers -----------------------------------------------------------------------------------------------------

def _ran(model: dict[str, Any], stage: str) -> bool:
    return stage in model["run"]["stages"]


def _codes(model: dict[str, Any], codes: set[str]) -> dict[str, set[str]]:
    """code → the sources it was raised for, among `codes`, over all findings in the model (listed findings
    keep every (source, code) pair, so nothing is missed by the cap on examples)."""
    out: dict[str, set[str]] = {}
    for f in model["findings"]:
        if f["code"] in codes:
            out.setdefault(f["code"], set()).add(f["source"] or "")
    return out


def _ids(ids: set[str] | list[str]) -> str:
    return ", ".join(sorted(i for i in ids if i)) or "—"


def _not_run(stage: str) -> tuple[str, str, str]:
    return "not_evidenced", f"the {stage} stage did not run", f"{stage} 阶段未运行"


# -- rules -------------------------------------------------------------------------------------------------------

@rule("source_evidence", "Final Art. 7(1); TC260-003 5.1 c",
      "Every source has a stated acquisition method and traceability evidence",
      "每个来源均有明确的获取方式和可追溯证据")
def _source_evidence(m: dict[str, Any]) -> tuple[str, str, str]:
    if not _ran(m, "license"):
        return _not_run("license")
    sources = m["sources"]
    missing = _codes(m, {"EVID_NO_LICENCE", "EVID_NO_COLLECTION_RECORDS", "EVID_NO_CONTRACT",
                         "EVID_NO_AUTHORISATION", "EVID_NO_GENERATOR", "EVID_NO_EVIDENCE"})
    lacking = set().union(*missing.values()) if missing else set()
    with_evidence = len(sources) - len(lacking)
    en = f"{with_evidence} of {len(sources)} sources state method and evidence"
    zh = f"{len(sources)} 个来源中 {with_evidence} 个载明获取方式和证据"
    if lacking:
        return "not_met", f"{en}; missing: {_ids(lacking)}", f"{zh}；缺少：{_ids(lacking)}"
    return "met", en, zh


@rule("robots", "TC260-003 5.1 c; EU AI Act template 3.1",
      "Self-collected data respects robots.txt and other opt-outs",
      "自采数据遵守 robots 协议等拒绝采集的表示")
def _robots(m: dict[str, Any]) -> tuple[str, str, str]:
    crawled = [s for s in m["sources"] if (s["acquisition"] or {}).get("method") == "self_collected"]
    if not crawled:
        return "not_applicable", "no self-collected source", "无自采来源"
    states = {s["id"]: (s["acquisition"] or {}).get("robots_respected", "unknown") for s in crawled}
    no = [i for i, v in states.items() if v == "no"]
    unknown = [i for i, v in states.items() if v not in ("yes", "no")]
    if no:
        return "not_met", f"collected against opt-outs: {_ids(no)}", f"违反拒绝采集表示采集：{_ids(no)}"
    if unknown:
        return "not_evidenced", f"not stated for: {_ids(unknown)}", f"未说明：{_ids(unknown)}"
    return "met", f"{len(crawled)} self-collected sources declare robots.txt respected", \
        f"{len(crawled)} 个自采来源声明遵守 robots 协议"


@rule("foundation_model", "Final Art. 7(1); TC260-003 §6",
      "The foundation model used is lawful and filed", "所使用的基础模型来源合法并已备案")
def _foundation(m: dict[str, Any]) -> tuple[str, str, str]:
    fm = m["foundation_model"]
    if fm["status"] == "none_declared":
        return "not_applicable", "no foundation model declared", "未声明基础模型"
    if fm["status"] == "incomplete":
        return "not_evidenced", f"{fm['name']}: not declared: {', '.join(fm['missing'])}", \
            f"{fm['name']}：未声明 {', '.join(fm['missing'])}"
    return "met", f"{fm['name']}, licence {fm['license']}, filing {fm['filing_reference']}", \
        f"{fm['name']}，许可 {fm['license']}，备案号 {fm['filing_reference']}"


LICENCE_BLOCKERS = {"LIC_NOT_COMMERCIAL", "LIC_NO_DERIVATIVES", "LIC_UNSPECIFIED", "LIC_UNKNOWN", "LIC_CONFLICT",
                    "LIC_TOS_RESTRICTED", "LIC_NOTICES_IN_PUBLIC_DOMAIN"}


@rule("licences", "Final Art. 7(2); TC260-003 5.2 b",
      "Every source is licensed for the intended use (no IP infringement)",
      "每个来源的许可均允许预期用途（不侵害知识产权）")
def _licences(m: dict[str, Any]) -> tuple[str, str, str]:
    if not _ran(m, "license"):
        return _not_run("license")
    found = _codes(m, LICENCE_BLOCKERS)
    use = m["dataset"].get("intended_use", "unknown")
    if found:
        bad = set().union(*found.values())
        codes = ", ".join(sorted(found))
        return "not_met", f"{len(bad)} sources not cleared for {use} use ({codes}): {_ids(bad)}", \
            f"{len(bad)} 个来源未获准用于{_USE_ZH.get(use, use)}用途（{codes}）：{_ids(bad)}"
    return "met", f"all {len(m['sources'])} sources cleared for {use} use", \
        f"全部 {len(m['sources'])} 个来源均允许{_USE_ZH.get(use, use)}用途"


_USE_ZH = {"commercial": "商业", "research": "研究"}


@rule("ip_notices", "TC260-003 5.2 b", "IP risks identified: copyright notices inside documents",
      "识别知识产权风险：文档中的版权声明")
def _notices(m: dict[str, Any]) -> tuple[str, str, str]:
    if not _ran(m, "notices"):
        return _not_run("notices")
    with_notices = [s for s in m["sources"] if (s["license"].get("notices") or {}).get("documents")]
    docs = sum(s["license"]["notices"]["documents"] for s in with_notices)
    if _codes(m, {"LIC_NOTICES_IN_PUBLIC_DOMAIN"}):
        return "not_met", f"notices in sources declared public domain; {docs} documents with notices", \
            f"声明为公有领域的来源中有版权声明；共 {docs} 篇文档含声明"
    return "met", f"{docs} documents with notices in {len(with_notices)} sources, each checked against its licence", \
        f"{len(with_notices)} 个来源中 {docs} 篇文档含版权声明，均已对照其许可"


@rule("pi_basis", "Final Art. 7(3); TC260-003 5.2 c",
      "Personal information has consent or another legal basis", "个人信息具有同意或其他合法性基础")
def _pi_basis(m: dict[str, Any]) -> tuple[str, str, str]:
    if not _ran(m, "pii"):
        return _not_run("pii")
    found = _codes(m, {"PII_NO_CONSENT", "PII_IN_ANONYMISED"})
    with_pii = [s["id"] for s in m["sources"] if (s.get("pii") or {}).get("documents_with_pii")]
    if found:
        bad = set().union(*found.values())
        return "not_met", f"personal information without a covering basis in: {_ids(bad)}", \
            f"以下来源含个人信息但缺少合法性基础：{_ids(bad)}"
    return "met", f"{len(with_pii)} sources hold personal information, each with a declared basis", \
        f"{len(with_pii)} 个来源含个人信息，均已声明合法性基础"


@rule("pi_sensitive", "TC260-003 5.2 c", "Sensitive personal information has separate consent",
      "敏感个人信息取得单独同意")
def _pi_sensitive(m: dict[str, Any]) -> tuple[str, str, str]:
    if not _ran(m, "pii"):
        return _not_run("pii")
    found = _codes(m, {"PII_SENSITIVE_NO_SEPARATE_CONSENT"})
    sensitive = [s["id"] for s in m["sources"] if (s.get("pii") or {}).get("sensitive")]
    if found:
        bad = set().union(*found.values())
        return "not_met", f"sensitive PI without separate consent in: {_ids(bad)}", \
            f"以下来源含敏感个人信息但无单独同意：{_ids(bad)}"
    if not sensitive:
        return "met", "no sensitive personal information found", "未发现敏感个人信息"
    return "met", f"sensitive PI only where separate consent is declared: {_ids(sensitive)}", \
        f"敏感个人信息仅见于已声明单独同意的来源：{_ids(sensitive)}"


@rule("quality", "Final Art. 7(4)", "Measures for data quality: malformed records rejected, duplicates measured",
      "提高数据质量的措施：剔除格式错误记录、度量重复")
def _quality(m: dict[str, Any]) -> tuple[str, str, str]:
    if not _ran(m, "duplicates"):
        return _not_run("duplicates")
    q = _corpus_quality(m)
    en = (f"rejected records {q['rejected']:.2%}; near-duplicate rate {q['near']:.2%} at Jaccard ≥ "
          f"{m['corpus']['duplicates'].get('threshold', 0.8)}")
    zh = f"剔除记录 {q['rejected']:.2%}；近重复率 {q['near']:.2%}（Jaccard ≥ {m['corpus']['duplicates'].get('threshold', 0.8)}）"
    high = _codes(m, {"DUP_HIGH_RATE", "DUP_SOURCE_OVERLAP"})
    if high:
        bad = set().union(*high.values())
        return "not_met", f"{en}; sources to deduplicate: {_ids(bad)}", f"{zh}；需去重的来源：{_ids(bad)}"
    return "met", en, zh


def _corpus_quality(m: dict[str, Any]) -> dict[str, float]:
    t = m["totals"]["all"]
    read = t["documents"] + t["rejected_records"]
    return {"rejected": t["rejected_records"] / read if read else 0.0,
            "near": (m["corpus"]["duplicates"] or {}).get("near_duplicate_rate") or 0.0}


@rule("language_type", "Final Art. 19; TC260-003 5.1 b", "Declared languages match the content",
      "声明的语种与内容一致")
def _languages(m: dict[str, Any]) -> tuple[str, str, str]:
    if not _ran(m, "diversity"):
        return _not_run("diversity")
    found = _codes(m, {"LANG_MISMATCH"})
    if found:
        bad = set().union(*found.values())
        return "not_met", f"languages differ from the declaration in: {_ids(bad)}", f"以下来源语种与声明不符：{_ids(bad)}"
    return "met", "detected languages match the declared ones in every source", "各来源检测语种与声明一致"


@rule("sources_per_language", "TC260-003 5.1 b", "Several sources for each language and modality",
      "每种语言和模态均有多个来源")
def _per_language(m: dict[str, Any]) -> tuple[str, str, str]:
    if not _ran(m, "diversity"):
        return _not_run("diversity")
    grid = (m["corpus"]["diversity"] or {}).get("sources_by_language_and_modality", {})
    single = [f"{lang}/{mod}" for lang, mods in grid.items() for mod, ids in mods.items() if len(ids) < 2]
    cells = sum(len(mods) for mods in grid.values())
    if single:
        return "not_met", f"{len(single)} of {cells} language/modality pairs have one source: {', '.join(single)}", \
            f"{cells} 个语言/模态组合中 {len(single)} 个只有一个来源：{', '.join(single)}"
    return "met", f"all {cells} language/modality pairs have two or more sources", \
        f"全部 {cells} 个语言/模态组合均有两个以上来源"


@rule("origin_mix", "TC260-003 5.1 b", "A reasonable mix of domestic and foreign sources", "境内外来源合理搭配")
def _origin(m: dict[str, Any]) -> tuple[str, str, str]:
    mix = m["corpus"]["origin"]
    share = {k: v["documents_share"] for k, v in mix.items()}
    en = ", ".join(f"{k} {v:.1%}" for k, v in sorted(share.items()))
    zh = "，".join(f"{_JUR_ZH.get(k, k)} {v:.1%}" for k, v in sorted(share.items()))
    if share.get("unknown"):
        return "not_evidenced", f"jurisdiction unknown for part of the corpus ({en})", f"部分来源境内外属性未知（{zh}）"
    if len(share) < 2:
        return "not_met", f"one jurisdiction only ({en})", f"仅有单一来源地（{zh}）"
    return "met", f"documents: {en}", f"文档占比：{zh}"


_JUR_ZH = {"domestic": "境内", "foreign": "境外", "unknown": "未知"}


@rule("annotation_rules", "Final Art. 8; TC260-003 5.3", "Annotation follows clear, specific, operable rules",
      "标注有清晰、具体、可操作的标注规则")
def _annotation_rules(m: dict[str, Any]) -> tuple[str, str, str]:
    a = m["annotation"]
    if a["status"] == "none_declared":
        if a["finetuning_sources_without_annotation"]:
            ids = _ids(a["finetuning_sources_without_annotation"])
            return "not_evidenced", f"fine-tuning sources declare no annotation: {ids}", f"微调来源未声明标注：{ids}"
        return "not_applicable", "no annotated source", "无标注数据"
    no_rules = [r["source"] for r in a["sources"] if not r["rules_document"] or r["rules_document_found"] is False]
    if no_rules:
        return "not_met", f"no rules document (or not found) for: {_ids(no_rules)}", f"缺少标注规则文档：{_ids(no_rules)}"
    return "met", f"rules documents declared for {len(a['sources'])} annotated sources", \
        f"{len(a['sources'])} 个标注来源均有标注规则文档"


@rule("annotation_checks", "Final Art. 8; TC260-003 5.3", "Sampling checks of annotation accuracy",
      "对标注质量进行抽样核验")
def _annotation_checks(m: dict[str, Any]) -> tuple[str, str, str]:
    a = m["annotation"]
    if a["status"] == "none_declared":
        return "not_applicable", "no annotated source", "无标注数据"
    if not _ran(m, "license"):
        return _not_run("license")  # the check files are read with the licence stage
    c = a["accuracy_checks"]
    threshold = c.get("threshold", 0.9)
    low = [f"{r['source']} ({f['file']})" for r in a["sources"] for f in r["checks"]
           if f.get("ci95") and f["ci95"][1] < threshold]
    unread = [f"{r['source']} ({f['file']})" for r in a["sources"] for f in r["checks"] if f.get("error")]
    figures_en = figures_zh = ""
    if c["items"]:
        ci = c["ci95"]
        kappa = f"{c['min_kappa']:.3f}" if c.get("min_kappa") is not None else "—"
        figures_en = (f"{c['items']:,} items checked in {c['files']} files; agreement {c['agreement']:.1%} "
                      f"(95% CI {ci[0]:.1%}–{ci[1]:.1%}), lowest kappa {kappa}")
        figures_zh = (f"{c['files']} 个抽检文件共核验 {c['items']:,} 条；一致率 {c['agreement']:.1%}"
                      f"（95% 置信区间 {ci[0]:.1%}–{ci[1]:.1%}），最低 Kappa 系数 {kappa}")
    if c["sources_without_checks"] or unread:
        gaps_en = "; ".join(x for x in (
            f"no usable check results for: {_ids(c['sources_without_checks'])}" if c["sources_without_checks"] else "",
            f"unreadable: {', '.join(unread)}" if unread else "",
            f"below {threshold:.0%} even at the interval's upper end: {', '.join(low)}" if low else "") if x)
        gaps_zh = "；".join(x for x in (
            f"以下来源无可用的抽检结果：{_ids(c['sources_without_checks'])}" if c["sources_without_checks"] else "",
            f"无法读取：{', '.join(unread)}" if unread else "",
            f"一致率区间上限仍低于 {threshold:.0%}：{', '.join(low)}" if low else "") if x)
        return "not_evidenced", "; ".join(x for x in (figures_en, gaps_en) if x), \
            "；".join(x for x in (figures_zh, gaps_zh) if x)
    if low:
        return "not_met", f"{figures_en}; agreement below {threshold:.0%} even at the interval's upper end: " \
            f"{', '.join(low)}", f"{figures_zh}；一致率区间上限仍低于 {threshold:.0%}：{', '.join(low)}"
    return "met", figures_en, figures_zh


@rule("review_sample", "TC260-003 9.2", "Manual review sample of ≥ 4,000 items with a pass rate ≥ 96%",
      "人工抽检不少于 4000 条，合格率不低于 96%")
def _review(m: dict[str, Any]) -> tuple[str, str, str]:
    r = m["review_sample"]
    if r.get("status") == "not_run":
        return "not_evidenced", "no review sample drawn (`provenance sample`)", "未抽取人工抽检样本（provenance sample）"
    if r.get("status") != "complete":
        return "not_evidenced", f"review in progress: {r['reviewed']} of {r['size']} items reviewed", \
            f"抽检进行中：已审核 {r['reviewed']}/{r['size']} 条"
    rate = r["pass_rate"] or 0.0
    en = f"{r['size']} items, pass rate {rate:.1%}"
    zh = f"{r['size']} 条，合格率 {rate:.1%}"
    if r["meets_size"] and r["meets_rate"]:
        return "met", en, zh
    return "not_met", en, zh


@rule("technical_sample", "TC260-003 9.2", "Technical sample of ≥ 10% of the corpus with a pass rate ≥ 98%",
      "技术抽检不少于语料的 10%，合格率不低于 98%")
def _technical(m: dict[str, Any]) -> tuple[str, str, str]:
    return "not_evidenced", ("this audit checks provenance, licences, personal information and duplicates, not "
                             "illegal or harmful content: record the content-safety sample separately"), \
        "本审计检查来源、许可、个人信息和重复，不检查违法不良信息：请另行记录内容安全技术抽检"


@rule("data_description", "Final Art. 19; Draft Art. 17", "Source, scale, type and quality of the training data described",
      "说明训练数据的来源、规模、类型和质量")
def _description(m: dict[str, Any]) -> tuple[str, str, str]:
    t = m["totals"]["all"]
    return "met", f"{len(m['sources'])} sources, {t['documents']:,} documents, {t['bytes']:,} bytes (this report)", \
        f"{len(m['sources'])} 个来源，{t['documents']:,} 篇文档，{t['bytes']:,} 字节（本报告）"
