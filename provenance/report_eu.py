"""The EU AI Act Art. 53(1)(d) public summary of training content, sections 1–3 of the Commission's template
(2025-07-24), laid out from the same report model as the disclosure.

What the model cannot know (the provider's contact, the model's market date, illegal-content removal measures) is
shown as "to be completed by the provider", never guessed. The mapping of acquisition methods to the template's
source categories: open_licence → 2.1 public datasets; commercial_contract → 2.2.1 licensed by rightsholders;
other → 2.2.2 other private datasets; self_collected → 2.3 crawled; user_data → 2.4; synthetic → 2.5; unknown → 2.6.
"""

from __future__ import annotations

from typing import Any

from provenance.report_doc import Callout, Document, KeyValues, Para, Section, Table
from provenance.report_layout import Fmt

PUBLIC_LARGE_SHARE = 0.03  # template 2.1: name each public dataset that is ≥ 3% of a modality's public data
CATEGORIES = (  # (template section, acquisition methods, en title, zh title)
    ("2.1", ("open_licence",), "Publicly available datasets", "公开可获取的数据集"),
    ("2.2.1", ("commercial_contract",), "Datasets commercially licensed by rightsholders", "向权利人商业许可获得的数据集"),
    ("2.2.2", ("other",), "Other private datasets obtained from third parties", "从第三方获得的其他非公开数据集"),
    ("2.3", ("self_collected",), "Data crawled and scraped from online sources", "从网络爬取的数据"),
    ("2.4", ("user_data",), "User data", "用户数据"),
    ("2.5", ("synthetic",), "Synthetic data", "合成数据"),
    ("2.6", ("unknown",), "Other sources", "其他来源"),
)
TO_COMPLETE = ("to be completed by the provider", "由服务提供者填写")


def layout_eu(model: dict[str, Any], lang: str) -> Document:
    f = Fmt(lang)
    en = lang == "en"
    todo = TO_COMPLETE[0 if en else 1]
    sections = [_general(model, f, todo), _sources(model, f), _processing(model, f, todo)]
    return Document(
        lang="en" if en else "zh",
        title=("Public summary of training content" if en else "训练内容公开摘要") + f": {model['dataset'].get('name', '')}",
        subtitle=("EU AI Act Art. 53(1)(d), template of 2025-07-24, sections 1–3" if en else
                  "欧盟《人工智能法》第 53(1)(d) 条，2025-07-24 模板第 1–3 节"),
        summary=[], sections=sections,
        footer=f"provenance-auditor {model['run']['tool_version']} · {model['run']['id']}")


def _general(model: dict[str, Any], f: Fmt, todo: str) -> Section:
    en = f.lang == "en"
    fm = model["foundation_model"]
    modalities: dict[str, dict[str, int]] = {}
    for s in model["sources"]:
        m = modalities.setdefault(s["modality"], {"documents": 0, "tokens": 0, "bytes": 0})
        m["documents"] += s["scale"]["documents"]
        m["tokens"] += s["scale"]["tokens_estimated"]
        m["bytes"] += s["scale"]["bytes"]
    latest = max(((s["acquisition"] or {}).get("collection_period") or {}).get("end") or "" for s in model["sources"])
    languages = _languages(model)
    rows = [[f.v(k), f.n(v["documents"]), f.n(v["tokens"]), model["scale"]["eu_size_band"]["text"]
             if k in ("text", "code") else "—"] for k, v in sorted(modalities.items())]
    return Section("eu-1", "1. General information" if en else "1. 一般信息", [
        KeyValues([
            ("1.1 Provider" if en else "1.1 提供者", model["dataset"].get("provider") or todo),
            ("Contact" if en else "联系方式", todo),
            ("1.2 Model" if en else "1.2 模型", todo),
            ("Model it is based on" if en else "所基于的模型", fm.get("name") if fm["status"] != "none_declared" else "—"),
            ("Date placed on the market" if en else "投放市场日期", todo)]),
        Table(["1.3 " + ("Modality" if en else "模态"), f.t("documents"), f.t("tokens"),
               "Size band" if en else "规模档"], rows, numeric=[False, True, True, False]),
        KeyValues([
            ("Types of content" if en else "内容类型",
             ", ".join(sorted({d for s in model["sources"] for d in s.get("content_domains") or []})) or todo),
            ("Latest data acquisition" if en else "最近一次数据获取", latest or todo),
            ("Languages" if en else "语种", languages),
            ("Training stages" if en else "训练阶段",
             ", ".join(f"{f.v(k)}: {f.n(len(v['sources']))}" for k, v in model["by_stage"].items() if v["sources"]))]),
    ])


def _languages(model: dict[str, Any]) -> str:
    div = model["corpus"].get("diversity") or {}
    if div.get("status") == "ok":
        return ", ".join(f"{k} {v['share']:.1%}" for k, v in div["languages"].items() if v["share"] >= 0.001)
    declared = sorted({lang for s in model["sources"] for lang in s["languages_declared"]})
    return ", ".join(declared) + " (declared)"


def _sources(model: dict[str, Any], f: Fmt) -> Section:
    en = f.lang == "en"
    subsections = []
    for number, methods, title_en, title_zh in CATEGORIES:
        members = [s for s in model["sources"] if (s["acquisition"] or {}).get("method", "unknown") in methods]
        title = f"{number} {title_en if en else title_zh}"
        if not members:
            subsections.append(Section(f"eu-{number}", title, [Para("Not used." if en else "未使用。")]))
            continue
        subsections.append(Section(f"eu-{number}", title, [_category_table(number, members, model, f)]))
    return Section("eu-2", "2. List of data sources" if en else "2. 数据来源清单", [], subsections)


def _category_table(number: str, members: list[dict[str, Any]], model: dict[str, Any], f: Fmt) -> Table:
    en = f.lang == "en"
    total = sum(s["scale"]["bytes"] for s in members) or 1
    rows = []
    for s in sorted(members, key=lambda s: -s["scale"]["bytes"]):
        a, o = s["acquisition"] or {}, s["origin"] or {}
        share = s["scale"]["bytes"] / total
        period = a.get("collection_period") or {}
        detail = {
            "2.1": f"{s['license'].get('spdx') or s['license'].get('declared') or '—'}; " +
                   ("listed: ≥ 3% of public data" if share >= PUBLIC_LARGE_SHARE else "below 3%")
                   if en else f"{s['license'].get('spdx') or s['license'].get('declared') or '—'}；" +
                   ("单独列出：占公开数据 ≥ 3%" if share >= PUBLIC_LARGE_SHARE else "低于 3%"),
            "2.3": f"crawler {a.get('crawler') or '—'}; robots.txt respected: {a.get('robots_respected', 'unknown')}; "
                   f"{'–'.join(x for x in (period.get('start'), period.get('end')) if x) or '—'}; "
                   f"domains: {', '.join(_domains(s)) or '—'}" if en else
                   f"爬虫 {a.get('crawler') or '—'}；遵守 robots 协议：{f.v(a.get('robots_respected', 'unknown'))}；"
                   f"{'–'.join(x for x in (period.get('start'), period.get('end')) if x) or '—'}；"
                   f"域名：{', '.join(_domains(s)) or '—'}",
            "2.5": (f"generated by {a.get('generator_model') or '—'}" if en else f"生成模型：{a.get('generator_model') or '—'}"),
        }.get(number, a.get("evidence") or "—")
        rows.append([s["name"], o.get("publisher") or "—", f.v(s["modality"]), f.n(s["scale"]["documents"]),
                     f.size(s["scale"]["bytes"]), f.pct(share), detail])
    return Table(["Dataset" if en else "数据集", "Publisher" if en else "发布者", "Modality" if en else "模态",
                  f.t("documents"), f.t("bytes"), "Share of category" if en else "类别内占比",
                  "Details" if en else "说明"], rows, numeric=[False, False, False, True, True, True, False])


def _domains(source: dict[str, Any]) -> list[str]:
    """The source's own site and the URL domains most cited in it (top 5 by documents)."""
    url = (source["origin"] or {}).get("url") or ""
    own = [url.split("://", 1)[-1].split("/", 1)[0]] if url else []
    cited = list(((source.get("diversity") or {}).get("domains") or {}).keys())[:5]
    return [d for d in dict.fromkeys(own + cited) if d]


def _processing(model: dict[str, Any], f: Fmt, todo: str) -> Section:
    en = f.lang == "en"
    crawled = [s for s in model["sources"] if (s["acquisition"] or {}).get("method") == "self_collected"]
    robots = next(c for c in model["checklist"] if c["id"] == "robots")
    optout = (robots["evidence"][f.lang] if crawled else ("No crawled data." if en else "无爬取数据。"))
    blocks_31 = [Callout(robots["status"], optout)]
    q = model["corpus"]["duplicates"]
    other = []
    if q.get("status") == "ok":
        other.append(("De-duplication" if en else "去重",
                      (f"near-duplicate rate {f.pct(q['near_duplicate_rate'], 2)} measured at Jaccard ≥ {q['threshold']}"
                       if en else f"已度量近重复率 {f.pct(q['near_duplicate_rate'], 2)}（Jaccard ≥ {q['threshold']}）")))
    if "pii" in model["run"]["stages"]:
        scanned = sum(s["pii"].get("documents_scanned", 0) for s in model["sources"])
        with_pii = sum(s["pii"].get("documents_with_pii", 0) for s in model["sources"])
        other.append(("Personal data" if en else "个人数据",
                      (f"{with_pii:,} of {scanned:,} documents analysed hold personal data; the disclosure gives the "
                       "legal basis per source" if en else
                       f"检测的 {scanned:,} 篇文档中 {with_pii:,} 篇含个人数据；各来源的合法性基础见训练数据说明")))
    return Section("eu-3", "3. Data processing aspects" if en else "3. 数据处理", [], [
        Section("eu-3.1", "3.1 Respect of reservation of rights from the TDM exception" if en else
                "3.1 尊重文本与数据挖掘例外下的权利保留", blocks_31),
        Section("eu-3.2", "3.2 Removal of illegal content" if en else "3.2 违法内容的清除",
                [Para(("Measures: " if en else "措施：") + todo)]),
        Section("eu-3.3", "3.3 Other information" if en else "3.3 其他信息",
                [KeyValues(other)] if other else [Para("—")]),
    ])
