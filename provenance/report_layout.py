"""The report model → a laid-out Document (report_doc) in Chinese or English.

Every figure is formatted here, once, so disclosure.zh.md, disclosure.en.md and disclosure.html show the same text
for the same number. Chinese wording follows the regulation's own terms: 训练数据的来源、规模、类型、质量,
预训练数据 / 优化训练数据, 标注规则, 个人信息, 敏感个人信息.
"""

from __future__ import annotations

from typing import Any, Callable

from provenance import findings_zh
from provenance.findings import CODES, SEVERITIES
from provenance.report_doc import Callout, Chart, Code, Document, KeyValues, Para, Section, Table

Lang = str
Block = Any

LABELS: dict[str, tuple[str, str]] = {  # key → (en, zh)
    "title": ("Training-data disclosure", "训练数据说明"),
    "subtitle": ("Source, scale, type and quality of training data (Interim Measures Art. 7, 8, 19; TC260-003)",
                 "训练数据的来源、规模、类型和质量（《生成式人工智能服务管理暂行办法》第七、八、十九条；TC260-003）"),
    "dataset": ("Dataset", "数据集"), "provider": ("Provider", "服务提供者"),
    "intended_use": ("Intended use", "预期用途"), "run": ("Audit run", "审计批次"),
    "finished": ("Completed", "完成时间"), "tool": ("Tool version", "工具版本"),
    "sources": ("Sources", "来源数"), "documents": ("Documents", "文档数"), "bytes": ("Bytes", "字节数"),
    "characters": ("Characters", "字符数"), "tokens": ("Tokens (estimated)", "词元数（估算）"),
    "files": ("Files", "文件数"), "eu_band": ("EU AI Act size band (text)", "欧盟 AI 法案规模档（文本）"),
    "findings": ("Findings", "问题"), "checklist_summary": ("Checklist", "合规检查"),
    "pretraining": ("Pre-training data", "预训练数据"), "finetuning": ("Fine-tuning data", "优化训练数据"),
    "corpus": ("Whole corpus", "全部语料"),
    # section titles
    "s_checklist": ("Compliance checklist", "合规检查清单"),
    "s_sources": ("Sources", "数据来源"), "s_scale": ("Scale", "数据规模"), "s_type": ("Type", "数据类型"),
    "s_quality": ("Quality", "数据质量"), "s_license": ("Licences and intellectual property", "许可与知识产权"),
    "s_pii": ("Personal information", "个人信息"), "s_annotation": ("Annotation", "数据标注"),
    "s_review": ("Manual review sample", "人工抽检"), "s_model": ("Foundation model and algorithm", "基础模型与算法"),
    "s_findings": ("Findings", "问题清单"), "s_history": ("Audit history", "历次审计"),
    "s_method": ("Method", "方法说明"),
    # columns
    "c_requirement": ("Requirement", "要求"), "c_clause": ("Clause", "条款"), "c_evidence": ("Evidence", "证据"),
    "c_status": ("Status", "状态"), "c_source": ("Source", "来源"), "c_name": ("Name", "名称"),
    "c_stage": ("Stage", "训练阶段"), "c_publisher": ("Publisher", "发布者"), "c_origin": ("Origin", "境内/境外"),
    "c_method": ("Acquisition", "获取方式"), "c_evidence_doc": ("Evidence", "证明材料"),
    "c_period": ("Collected", "采集时间"), "c_modality": ("Modality", "模态"),
    "c_lang_declared": ("Languages declared", "声明语种"), "c_lang_detected": ("Languages detected", "检测语种"),
    "c_lang_check": ("Check", "核对"), "c_domains": ("Top URL domains", "主要网址域名"),
    "c_content_domains": ("Content domains (declared)", "内容领域（声明）"),
    "c_rejected": ("Rejected records", "拒收记录率"), "c_exact": ("Exact duplicates", "完全重复率"),
    "c_near": ("Near duplicates (≥ 0.8)", "近重复率（≥ 0.8）"), "c_other": ("Also in other sources", "与其他来源重复"),
    "c_ttr": ("Type-token ratio", "类符/形符比"), "c_mean_len": ("Mean length (chars)", "平均长度（字符）"),
    "c_declared": ("Declared", "声明"), "c_spdx": ("SPDX", "SPDX"), "c_use": ("Use class", "用途类别"),
    "c_lic_status": ("Licence status", "许可状态"), "c_flags": ("Obligations", "义务"),
    "c_notices": ("Documents with notices", "含版权声明文档"), "c_consent": ("Consent basis", "合法性基础"),
    "c_scanned": ("Scanned", "检测文档"), "c_with_pii": ("With PI", "含个人信息"), "c_rate": ("Rate", "比例"),
    "c_entities": ("Kinds (mentions)", "类型（次数）"), "c_sensitive": ("Sensitive", "敏感"),
    "c_type": ("Annotation type", "标注类型"), "c_rules": ("Rules document", "标注规则"),
    "c_annotated": ("Annotated items", "标注数据量"), "c_vendor": ("Vendor", "标注方"),
    "s_annotation_checks": ("Annotation quality checks", "标注质量抽检"), "c_file": ("File", "文件"),
    "c_check_kind": ("Kind", "方式"), "c_items_checked": ("Items checked", "抽检条数"),
    "c_rows_rejected": ("Rows rejected", "拒收行数"),
    "c_agreement": ("Agreement (95% interval)", "一致率（95% 置信区间）"),
    "c_kappa": ("Cohen's kappa", "Kappa 系数"),
    "c_second": ("Second annotator: agreement (kappa)", "第二标注员：一致率（Kappa 系数）"),
    "spot_check": ("spot check", "抽检复核"), "double_annotation": ("double annotation", "双人标注"),
    "unreadable": ("unreadable", "无法读取"),
    "checks_none": ("Annotation accuracy checks: no results recorded. Declare check files under "
                    "`annotation.checks` in the manifest.",
                    "标注质量抽检：未记录结果。请在清单的 `annotation.checks` 下声明抽检文件。"),
    "checks_without": ("Annotated sources without usable check results: {ids}",
                       "无可用抽检结果的标注来源：{ids}"),
    "checks_method": ("Agreement: the share of checked items whose label the checker gave too, with its 95% Wilson "
                      "interval; kappa: Cohen's kappa of the two labels (— where undefined: one label throughout). "
                      "Below {threshold} at the interval's upper end is a finding.",
                      "一致率：核验人员给出相同标签的抽检条目比例，附 95% Wilson 置信区间；"
                      "Kappa 系数：两组标签的 Cohen's kappa（无法计算时为 —：所有条目为同一标签）。"
                      "区间上限低于 {threshold} 即提出问题。"),
    "c_severity": ("Severity", "级别"), "c_code": ("Code", "代码"), "c_title": ("Finding", "问题"),
    "c_where": ("Where", "位置"), "c_count": ("Count", "数量"), "c_fix": ("What to do", "处理建议"),
    "c_pii_rate": ("PI rate", "个人信息比例"), "c_high": ("High + critical findings", "高危及严重问题"),
    "c_figure": ("Figure", "指标"), "c_meaning": ("Meaning and computation", "含义与计算方法"),
    # charts
    "ch_mix": ("Source mix (documents)", "来源构成（文档数）"), "ch_bytes": ("Scale per source (bytes)", "各来源规模（字节）"),
    "ch_lang": ("Language mix (documents)", "语种构成（文档数）"),
    "ch_pii": ("Documents with personal information, per source", "各来源含个人信息文档比例"),
    "ch_dup": ("Near-duplicate rate per source (Jaccard ≥ 0.8)", "各来源近重复率（Jaccard ≥ 0.8）"),
    "ch_len": ("Document length (characters, all sources)", "文档长度分布（字符，全部来源）"),
    # statuses and values
    "met": ("met", "符合"), "not_met": ("not met", "不符合"), "not_evidenced": ("not evidenced", "缺少证据"),
    "not_applicable": ("not applicable", "不适用"), "not_run": ("not run", "未运行"),
    "yes": ("yes", "是"), "no": ("no", "否"), "unknown": ("unknown", "未知"), "none": ("none", "无"),
    "domestic": ("domestic", "境内"), "foreign": ("foreign", "境外"),
    "commercial": ("commercial", "商业"), "research": ("research", "研究"),
    "critical": ("critical", "严重"), "high": ("high", "高"), "medium": ("medium", "中"), "low": ("low", "低"),
    "info": ("info", "提示"),
    "stage_not_run": ("The {stage} stage did not run in this audit: this section has no computed evidence.",
                      "本次审计未运行 {stage} 阶段：本节没有计算得出的证据。"),
    "sampled_note": ("Rates of sampled sources are estimates with a 95% Wilson interval.",
                     "抽样检测的来源，比例为估计值，并给出 95% Wilson 置信区间。"),
    "no_pii_note": ("Personal information is shown as counts and rates only; no value is reproduced.",
                    "个人信息仅以数量和比例呈现，不复现任何原始值。"),
}

VALUE_LABELS_ZH = {  # declared values shown in Chinese reports
    "open_licence": "开源许可", "commercial_contract": "商业采购", "self_collected": "自行采集",
    "user_data": "用户数据", "synthetic": "合成数据", "other": "其他", "unknown": "未知",
    "consent": "同意", "separate_consent": "单独同意", "contract": "合同", "public": "已公开",
    "anonymised": "已匿名化", "none": "无", "not_applicable": "不适用",
    "permissive": "宽松", "commercial": "可商用", "non-commercial": "非商业", "research-only": "仅限研究",
    "unspecified": "未指定", "consistent": "一致", "conflict": "冲突", "declared-only": "仅声明",
    "detected-only": "仅检测", "none_found": "未发现", "covered": "已覆盖", "not_covered": "未覆盖",
    "not_scanned": "未检测", "match": "一致", "mismatch": "不一致", "text": "文本", "code": "代码",
    "image": "图像", "audio": "音频", "video": "视频", "multimodal": "多模态",
    "pretraining": "预训练", "finetuning": "优化训练", "domestic": "境内", "foreign": "境外",
}


class Fmt:
    """Number and label formatting for one language."""

    def __init__(self, lang: Lang):
        self.lang = lang

    def t(self, key: str, **kw: Any) -> str:
        en, zh = LABELS[key]
        return (zh if self.lang == "zh" else en).format(**kw)

    def v(self, value: Any) -> str:
        """A declared or computed value (method, basis, status…), translated in Chinese reports."""
        if value is None or value == "":
            return "—"
        text = str(value)
        return VALUE_LABELS_ZH.get(text, text) if self.lang == "zh" else text.replace("_", " ")

    @staticmethod
    def n(value: Any) -> str:
        return "—" if value is None else f"{int(value):,}"

    @staticmethod
    def pct(value: Any, digits: int = 1) -> str:
        return "—" if value is None else f"{value * 100:.{digits}f}%"

    @staticmethod
    def size(value: int) -> str:
        """Bytes in the largest unit that keeps a digit before the point (kB, MB, GB, TB; powers of 1000)."""
        for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
            if value >= scale:
                return f"{value / scale:,.2f} {unit}"
        return f"{int(value):,} B"

    @staticmethod
    def num(value: Any, digits: int = 3) -> str:
        return "—" if value is None else f"{value:.{digits}f}"


def layout(model: dict[str, Any], lang: Lang) -> Document:
    f = Fmt(lang)
    sections = [_checklist(model, f), _sources(model, f), _scale(model, f), _type(model, f), _quality(model, f),
                _license(model, f), _pii(model, f), _annotation(model, f), _review(model, f), _model(model, f),
                _findings(model, f), _history(model, f), _method(model, f)]
    return Document(lang=lang, title=f"{f.t('title')}: {model['dataset'].get('name', '')}", subtitle=f.t("subtitle"),
                    summary=summary(model, f), sections=sections,
                    footer=f"provenance-auditor {model['run']['tool_version']} · {model['run']['id']} · "
                           f"disclosure_version {model['disclosure_version']}")


def summary(model: dict[str, Any], f: Fmt) -> list[tuple[str, str]]:
    t = model["totals"]["all"]
    fs = model["findings_summary"]
    checks = model["checklist"]
    met = sum(1 for c in checks if c["status"] == "met")
    open_items = sum(1 for c in checks if c["status"] in ("not_met", "not_evidenced"))
    return [
        (f.t("dataset"), model["dataset"].get("name", "—")),
        (f.t("provider"), model["dataset"].get("provider", "—")),
        (f.t("intended_use"), f.t(model["dataset"]["intended_use"]) if model["dataset"].get("intended_use") in
         ("commercial", "research") else "—"),
        (f.t("run"), model["run"]["id"]),
        (f.t("finished"), (model["run"]["finished_at"] or "—")[:19].replace("T", " ")),
        (f.t("sources"), f.n(len(model["sources"]))),
        (f.t("documents"), f.n(t["documents"])),
        (f.t("bytes"), f"{f.n(t['bytes'])} ({f.size(t['bytes'])})"),
        (f.t("tokens"), f.n(t["tokens_estimated"])),
        (f.t("eu_band"), model["scale"]["eu_size_band"]["text"]),
        (f.t("findings"), " · ".join(f"{f.t(s)} {fs.get(s, 0)}" for s in reversed(SEVERITIES))),
        (f.t("checklist_summary"), f"{f.t('met')} {met} / {len(checks)}" +
         (f" · {f.t('not_met')} / {f.t('not_evidenced')} {open_items}" if open_items else "")),
    ]


def _not_run(f: Fmt, stage: str) -> Callout:
    return Callout("not_run", f.t("stage_not_run", stage=stage))


def _ran(model: dict[str, Any], stage: str) -> bool:
    return stage in model["run"]["stages"]


def _by_stage(model: dict[str, Any], f: Fmt, table: Callable[[list[dict[str, Any]]], Table],
              section_id: str) -> list[Section]:
    """One subsection per training stage that has sources (pre-training / fine-tuning)."""
    out = []
    for stage in ("pretraining", "finetuning"):
        members = [s for s in model["sources"] if s["stage"] == stage]
        if members:
            out.append(Section(f"{section_id}-{stage}", f.t(stage), [table(members)]))
    return out


# -- sections ----------------------------------------------------------------------------------------------------

def _checklist(model: dict[str, Any], f: Fmt) -> Section:
    items = model["checklist"]
    rows = [[c["requirement"][f.lang], c["clause"], c["evidence"][f.lang], f.t(c["status"])] for c in items]
    return Section("checklist", f.t("s_checklist"), [
        Table([f.t("c_requirement"), f.t("c_clause"), f.t("c_evidence"), f.t("c_status")], rows,
              statuses=[c["status"] for c in items])])


def _sources(model: dict[str, Any], f: Fmt) -> Section:
    def table(members: list[dict[str, Any]]) -> Table:
        rows = []
        for s in members:
            o, a = s["origin"] or {}, s["acquisition"] or {}
            period = a.get("collection_period") or {}
            where = f.v(o.get("jurisdiction")) + (f" ({o['country']})" if o.get("country") else "")
            rows.append([s["id"], s["name"], o.get("publisher") or "—", where, f.v(a.get("method")),
                         a.get("evidence") or "—",
                         "–".join(x for x in (period.get("start"), period.get("end")) if x) or "—"])
        return Table([f.t("c_source"), f.t("c_name"), f.t("c_publisher"), f.t("c_origin"), f.t("c_method"),
                      f.t("c_evidence_doc"), f.t("c_period")], rows)

    docs = [(s["id"], s["scale"]["documents"]) for s in model["sources"]]
    total = sum(d for _, d in docs) or 1
    chart = Chart("share", f.t("ch_mix"), [i for i, _ in docs], [float(d) for _, d in docs],
                  [f"{f.n(d)} ({f.pct(d / total)})" for _, d in docs], unit=f.t("documents"), chart_id="source-mix")
    origin = model["corpus"]["origin"]
    kv = KeyValues([(f.v(k), f"{f.t('sources')} {f.n(v['sources'])} · {f.t('documents')} {f.n(v['documents'])} "
                             f"({f.pct(v['documents_share'])}) · {f.t('bytes')} {f.size(v['bytes'])} "
                             f"({f.pct(v['bytes_share'])})") for k, v in sorted(origin.items())])
    return Section("sources", f.t("s_sources"), [chart, kv], _by_stage(model, f, table, "sources"))


def _scale(model: dict[str, Any], f: Fmt) -> Section:
    def table(members: list[dict[str, Any]]) -> Table:
        rows = [[s["id"], f.n(s["scale"]["files"]), f.n(s["scale"]["documents"]), f.n(s["scale"]["bytes"]),
                 f.n(s["scale"]["characters"]), f.n(s["scale"]["tokens_estimated"])] for s in members]
        stage = members[0]["stage"]
        t = model["totals"][stage]
        rows.append([f.t(stage), f.n(t["files"]), f.n(t["documents"]), f.n(t["bytes"]), f.n(t["characters"]),
                     f.n(t["tokens_estimated"])])
        return Table([f.t("c_source"), f.t("files"), f.t("documents"), f.t("bytes"), f.t("characters"),
                      f.t("tokens")], rows, numeric=[False, True, True, True, True, True])

    t = model["totals"]["all"]
    kv = KeyValues([(f.t("files"), f.n(t["files"])), (f.t("documents"), f.n(t["documents"])),
                    (f.t("bytes"), f.n(t["bytes"])), (f.t("characters"), f.n(t["characters"])),
                    (f.t("tokens"), f.n(t["tokens_estimated"])),
                    (f.t("eu_band"), model["scale"]["eu_size_band"]["text"])])
    chart = Chart("hbar", f.t("ch_bytes"), [s["id"] for s in model["sources"]],
                  [float(s["scale"]["bytes"]) for s in model["sources"]],
                  [f.size(s["scale"]["bytes"]) for s in model["sources"]], unit=f.t("bytes"),
                  chart_id="scale-per-source")
    return Section("scale", f.t("s_scale"), [kv, chart], _by_stage(model, f, table, "scale"))


def _languages_text(shares: dict[str, float] | None, f: Fmt) -> str:
    if shares is None:
        return f.t("not_run")
    return ", ".join(f"{k} {f.pct(v)}" for k, v in list(shares.items())[:3]) or "—"


def _type(model: dict[str, Any], f: Fmt) -> Section:
    def table(members: list[dict[str, Any]]) -> Table:
        rows = [[s["id"], f.v(s["type"]["modality"]), ", ".join(s["type"]["content_domains"]) or "—",
                 ", ".join(s["type"]["languages_declared"]) or "—",
                 _languages_text(s["type"]["languages_detected"], f), f.v(s["type"]["language_check"]),
                 ", ".join(list((s["type"]["url_domains"] or {}).keys())[:3]) or "—"] for s in members]
        return Table([f.t("c_source"), f.t("c_modality"), f.t("c_content_domains"), f.t("c_lang_declared"),
                      f.t("c_lang_detected"), f.t("c_lang_check"), f.t("c_domains")], rows)

    blocks: list[Block] = []
    div = model["corpus"]["diversity"]
    if div.get("status") == "ok":
        langs = div["languages"]
        blocks.append(Chart("share", f.t("ch_lang"), list(langs), [float(v["documents"]) for v in langs.values()],
                            [f"{f.n(v['documents'])} ({f.pct(v['share'])})" for v in langs.values()],
                            unit=f.t("documents"), chart_id="language-mix"))
    else:
        blocks.append(_not_run(f, "diversity"))
    return Section("type", f.t("s_type"), blocks, _by_stage(model, f, table, "type"))


def _quality(model: dict[str, Any], f: Fmt) -> Section:
    def table(members: list[dict[str, Any]]) -> Table:
        rows = [[s["id"], f.pct(q["rejected_rate"], 2), f.pct(q["exact_duplicate_rate"], 2),
                 f.pct(q["near_duplicate_rate"], 2), f.pct(q["in_other_sources_rate"], 2),
                 f.num(q["type_token_ratio"]), f.num(q["mean_length"], 1)]
                for s in members for q in [s["quality"]]]
        stage = members[0]["stage"]
        sq = model["by_stage"][stage]["quality"]
        rows.append([f.t(stage), f.pct(sq["rejected_rate"], 2), f.pct(sq["exact_duplicate_rate"], 2),
                     f.pct(sq["near_duplicate_rate"], 2), "", "", ""])
        return Table([f.t("c_source"), f.t("c_rejected"), f.t("c_exact"), f.t("c_near"), f.t("c_other"),
                      f.t("c_ttr"), f.t("c_mean_len")], rows, numeric=[False] + [True] * 6)

    blocks: list[Block] = []
    if not _ran(model, "duplicates"):
        blocks.append(_not_run(f, "duplicates"))
    else:
        dups = model["corpus"]["duplicates"]
        src = [s for s in model["sources"] if s["quality"]["near_duplicate_rate"] is not None]
        blocks.append(KeyValues([
            (f.t("c_near") + (" · 语料" if f.lang == "zh" else " · corpus"),
             f"{f.pct(dups.get('near_duplicate_rate'), 2)} ({f.n(dups.get('near_duplicates'))} / "
             f"{f.n(dups.get('documents'))})")]))
        blocks.append(Chart("hbar", f.t("ch_dup"), [s["id"] for s in src],
                            [s["quality"]["near_duplicate_rate"] * 100 for s in src],
                            [f.pct(s["quality"]["near_duplicate_rate"], 2) for s in src], unit="%",
                            chart_id="near-duplicate-rate"))
    div = model["corpus"]["diversity"]
    if div.get("status") == "ok":
        mix = div["source_mix"]
        blocks.append(KeyValues([
            ("Shannon (documents / bytes)" if f.lang == "en" else "香农指数（文档 / 字节）",
             f"{f.num(mix['documents']['shannon'])} / {f.num(mix['bytes']['shannon'])}"),
            ("Evenness (documents / bytes)" if f.lang == "en" else "均匀度（文档 / 字节）",
             f"{f.num(mix['documents']['evenness'])} / {f.num(mix['bytes']['evenness'])}"),
            ("Gini-Simpson (documents / bytes)" if f.lang == "en" else "基尼-辛普森指数（文档 / 字节）",
             f"{f.num(mix['documents']['gini_simpson'])} / {f.num(mix['bytes']['gini_simpson'])}"),
            (f.t("c_ttr"), f.num(div.get("type_token_ratio")))]))
        hist = length_histogram(model)
        if hist:
            blocks.append(Chart("histogram", f.t("ch_len"), [f"{lo:,}–{hi:,}" for lo, hi, _ in hist],
                                [float(n) for *_, n in hist], [f.n(n) for *_, n in hist], unit=f.t("documents"),
                                chart_id="length-histogram"))
    else:
        blocks.append(_not_run(f, "diversity"))
    return Section("quality", f.t("s_quality"), blocks, _by_stage(model, f, table, "quality"))


def length_histogram(model: dict[str, Any]) -> list[tuple[int, int, int]]:
    """The sources' length histograms (same power-of-two bins) added up: (from, to, documents)."""
    bins: dict[tuple[int, int], int] = {}
    for s in model["sources"]:
        for b in ((s.get("diversity") or {}).get("length") or {}).get("histogram", []):
            bins[(b["from"], b["to"])] = bins.get((b["from"], b["to"]), 0) + b["documents"]
    return [(lo, hi, n) for (lo, hi), n in sorted(bins.items())]


def _flags(lic: dict[str, Any], f: Fmt) -> str:
    names = {"attribution": ("attribution", "署名"), "share_alike": ("share-alike", "相同方式共享"),
             "no_derivatives": ("no derivatives", "禁止演绎"), "use_restrictions": ("use restrictions", "使用限制"),
             "terms_of_service_restricted": ("terms of service", "服务条款限制")}
    on = [names[k][1 if f.lang == "zh" else 0] for k in names if lic.get(k)]
    return ", ".join(on) or "—"


def _license(model: dict[str, Any], f: Fmt) -> Section:
    if not _ran(model, "license"):
        return Section("license", f.t("s_license"), [_not_run(f, "license")])

    def table(members: list[dict[str, Any]]) -> Table:
        rows = [[s["id"], s["license"].get("declared") or "—", s["license"].get("spdx") or "—",
                 f.v(s["license"].get("use_class")), f.v(s["license"].get("status")), _flags(s["license"], f),
                 f.n((s["license"].get("notices") or {}).get("documents", 0)) if _ran(model, "notices") else
                 f.t("not_run")] for s in members]
        return Table([f.t("c_source"), f.t("c_declared"), f.t("c_spdx"), f.t("c_use"), f.t("c_lic_status"),
                      f.t("c_flags"), f.t("c_notices")], rows, numeric=[False] * 6 + [True])

    lic = model["corpus"]["license"]
    by_use = lic.get("by_use_class", {})
    chart = Chart("share", "Use class (documents)" if f.lang == "en" else "用途类别构成（文档数）",
                  [f.v(k) for k in by_use], [float(v["documents"]) for v in by_use.values()],
                  [f"{f.n(v['documents'])} ({f.pct(v['documents_share'])})" for v in by_use.values()],
                  unit=f.t("documents"), chart_id="use-class-mix")
    kv = KeyValues([
        ("Most restrictive use class" if f.lang == "en" else "最严格用途类别", f.v(lic.get("use_class"))),
        ("Attribution required by" if f.lang == "en" else "需署名的来源", ", ".join(lic.get("needs_attribution", [])) or "—"),
        (f.t("c_flags"), _flags(lic, f))])
    return Section("license", f.t("s_license"), [kv, chart], _by_stage(model, f, table, "license"))


def pii_rate_text(p: dict[str, Any], f: Fmt) -> str:
    rate = f.pct(p.get("rate"), 2)
    ci = p.get("rate_ci95")
    return f"{rate} ({f.pct(ci[0], 2)}–{f.pct(ci[1], 2)})" if ci else rate


def _pii(model: dict[str, Any], f: Fmt) -> Section:
    if not _ran(model, "pii"):
        return Section("pii", f.t("s_pii"), [_not_run(f, "pii")])

    def table(members: list[dict[str, Any]]) -> Table:
        rows = []
        for s in members:
            p = s["pii"]
            if "documents_scanned" not in p:
                rows.append([s["id"], f.v(p.get("consent_basis")), f.v(p.get("status")), "—", "—", "—", "—",
                             f.v(p.get("status"))])
                continue
            kinds = ", ".join(f"{k} ({v['mentions']})" for k, v in sorted(p["by_entity"].items())) or "—"
            rows.append([s["id"], f.v(p["consent_basis"]), f.n(p["documents_scanned"]), f.n(p["documents_with_pii"]),
                         pii_rate_text(p, f), kinds, ", ".join(p["sensitive_types"]) or "—", f.v(p["status"])])
        return Table([f.t("c_source"), f.t("c_consent"), f.t("c_scanned"), f.t("c_with_pii"), f.t("c_rate"),
                      f.t("c_entities"), f.t("c_sensitive"), f.t("c_status")], rows,
                     numeric=[False, False, True, True, True, False, False, False])

    scanned = [s for s in model["sources"] if "documents_scanned" in s["pii"]]
    chart = Chart("hbar", f.t("ch_pii"), [s["id"] for s in scanned], [s["pii"]["rate"] * 100 for s in scanned],
                  [f.pct(s["pii"]["rate"], 2) for s in scanned], unit="%", chart_id="pii-rate")
    notes = [Para(f.t("no_pii_note"))]
    if any(s["pii"].get("sampled") for s in scanned):
        notes.append(Para(f.t("sampled_note")))
    return Section("pii", f.t("s_pii"), [*notes, chart], _by_stage(model, f, table, "pii"))


def _annotation(model: dict[str, Any], f: Fmt) -> Section:
    a = model["annotation"]
    if a["status"] == "none_declared":
        return Section("annotation", f.t("s_annotation"), [Callout(
            "not_applicable" if not a["finetuning_sources_without_annotation"] else "not_evidenced",
            "No source declares annotation." if f.lang == "en" else "没有来源声明标注信息。")])
    found = {True: f.t("yes"), False: ("not found" if f.lang == "en" else "未找到"), None: "—"}
    rows = [[r["source"], f.v(r["stage"]), r["type"] or "—",
             f"{r['rules_document'] or '—'} ({found[r['rules_document_found']]})" if r["rules_document"] else "—",
             f.n(r["annotated_count"]), f.n(r["documents"]), r["vendor"] or "—"] for r in a["sources"]]
    blocks: list[Block] = [Table([f.t("c_source"), f.t("c_stage"), f.t("c_type"), f.t("c_rules"), f.t("c_annotated"),
                                  f.t("documents"), f.t("c_vendor")], rows,
                                 numeric=[False, False, False, False, True, True, False])]
    if a["finetuning_sources_without_annotation"]:
        ids = ", ".join(a["finetuning_sources_without_annotation"])
        blocks.append(Para(f"Fine-tuning sources that declare no annotation: {ids}" if f.lang == "en" else
                           f"未声明标注信息的优化训练来源：{ids}"))
    checks = [(r["source"], c) for r in a["sources"] for c in r["checks"]]
    if not checks:
        ran = _ran(model, "license")  # the check files are read with the licence stage
        blocks.append(Callout("not_evidenced" if ran else "not_run",
                              f.t("checks_none") if ran else f.t("stage_not_run", stage="license")))
        return Section("annotation", f.t("s_annotation"), blocks)

    def agreement(value: float | None, ci: list[float] | None) -> str:
        if value is None:
            return "—"
        return f"{f.pct(value)} ({f.pct(ci[0])}–{f.pct(ci[1])})" if ci else f.pct(value)

    second = any(c["second_agreement"] is not None for _, c in checks)
    rows = []
    for source, c in checks:
        row = [source, c["file"] + (f" ({f.t('unreadable')})" if c["error"] else ""), f.t(c["kind"]),
               f.n(c["items"]), f.n(c["rows_rejected"]), agreement(c["agreement"], c["ci95"]), f.num(c["kappa"])]
        if second:
            row.append("—" if c["second_agreement"] is None else
                       f"{f.pct(c['second_agreement'])} ({f.num(c['second_kappa'])})")
        rows.append(row)
    columns = [f.t("c_source"), f.t("c_file"), f.t("c_check_kind"), f.t("c_items_checked"), f.t("c_rows_rejected"),
               f.t("c_agreement"), f.t("c_kappa")] + ([f.t("c_second")] if second else [])
    status = next((c["status"] for c in model["checklist"] if c["id"] == "annotation_checks"), "not_evidenced")
    acc = a["accuracy_checks"]
    sub: list[Block] = [Callout(status, f"Final Art. 8; TC260-003 5.3: {f.t(status)}"),
                        Table(columns, rows, numeric=[False] * 3 + [True] * (len(columns) - 3))]
    if acc["items"]:
        sub.append(KeyValues([(f.t("c_items_checked"), f.n(acc["items"])),
                              (f.t("c_agreement"), agreement(acc["agreement"], acc["ci95"])),
                              ("Lowest kappa" if f.lang == "en" else "最低 Kappa 系数", f.num(acc["min_kappa"]))]))
    if acc["sources_without_checks"]:
        sub.append(Para(f.t("checks_without", ids=", ".join(acc["sources_without_checks"]))))
    sub.append(Para(f.t("checks_method", threshold=f.pct(acc["threshold"], 0))))
    return Section("annotation", f.t("s_annotation"), blocks,
                   [Section("annotation-checks", f.t("s_annotation_checks"), sub)])


def _review(model: dict[str, Any], f: Fmt) -> Section:
    r = model["review_sample"]
    if r.get("status") == "not_run":
        return Section("review", f.t("s_review"), [Callout("not_run", (
            "No review sample has been drawn. Draw one with `provenance sample --db CATALOG --n 4000`, review it, "
            "and load the verdicts with `provenance sample ingest`." if f.lang == "en" else
            "尚未抽取人工抽检样本。请用 `provenance sample --db CATALOG --n 4000` 抽样，审核后用 "
            "`provenance sample ingest` 导入结果。"))])
    ci = r.get("ci95")
    items = [
        ("Sample" if f.lang == "en" else "样本", f"{r['sample_id']} (seed {r['seed']}, {r.get('created_at', '')})"),
        ("Drawn from run" if f.lang == "en" else "抽样批次", r.get("drawn_from_run") or model["run"]["id"]),
        ("Size" if f.lang == "en" else "样本量", f.n(r["size"])),
        ("Reviewed" if f.lang == "en" else "已审核", f.n(r["reviewed"])),
        ("Passed / failed" if f.lang == "en" else "合格 / 不合格", f"{f.n(r['passed'])} / {f.n(r['failed'])}"),
        ("Pass rate (95% interval)" if f.lang == "en" else "合格率（95% 置信区间）",
         f"{f.pct(r['pass_rate'], 2)}" + (f" ({f.pct(ci[0], 2)}–{f.pct(ci[1], 2)})" if ci else "")),
        ("≥ 4,000 items" if f.lang == "en" else "不少于 4000 条", f.t("yes") if r["meets_size"] else f.t("no")),
        ("≥ 96% pass rate" if f.lang == "en" else "合格率不低于 96%", f.t("yes") if r["meets_rate"] else f.t("no")),
    ]
    status = "met" if r.get("status") == "complete" and r["meets_size"] and r["meets_rate"] else (
        "not_evidenced" if r.get("status") != "complete" else "not_met")
    return Section("review", f.t("s_review"), [Callout(status, f"TC260-003 9.2: {f.t(status)}"), KeyValues(items)])


def _model(model: dict[str, Any], f: Fmt) -> Section:
    fm = model["foundation_model"]
    blocks: list[Block] = []
    if fm["status"] == "none_declared":
        blocks.append(Callout("not_applicable", "No foundation model declared." if f.lang == "en" else "未声明基础模型。"))
    else:
        blocks.append(KeyValues([
            (f.t("c_name"), fm.get("name") or "—"),
            ("Licence" if f.lang == "en" else "许可", fm.get("license") or "—"),
            ("Filing reference" if f.lang == "en" else "备案号", fm.get("filing_reference") or "—")]))
        if fm["status"] == "incomplete":
            blocks.append(Callout("not_evidenced", ("Not declared: " if f.lang == "en" else "未声明：") +
                                  ", ".join(fm["missing"])))
    mech = model.get("algorithm_mechanism")
    blocks.append(Para((("Algorithm mechanism (declared): " if f.lang == "en" else "算法机制（声明）：") + mech) if mech
                       else ("Algorithm mechanism: not declared in the manifest (dataset.algorithm_mechanism)."
                             if f.lang == "en" else "算法机制：清单中未声明（dataset.algorithm_mechanism）。")))
    return Section("model", f.t("s_model"), blocks)


def _findings(model: dict[str, Any], f: Fmt) -> Section:
    fs = model["findings_summary"]
    kv = KeyValues([(f.t(s), f.n(fs.get(s, 0))) for s in reversed(SEVERITIES)])
    rows = []
    for x in model["findings"]:
        where = x["path"] or ""
        if x["member"]:
            where += f"!{x['member']}"
        if x["line"]:
            where += f":{x['line']}"
        title = findings_zh.title(x["code"], "zh") if f.lang == "zh" else (CODES[x["code"]].title
                                                                           if x["code"] in CODES else x["message"])
        detail = x["message"] if f.lang == "en" else title
        rows.append([f.t(x["severity"]), x["code"], detail, x["source"] or "—", where or "—", f.n(x["count"]),
                     x["clause"] or "—"])
    statuses = ["not_met" if x["severity"] in ("critical", "high") else
                ("warning" if x["severity"] in ("medium", "low") else "info") for x in model["findings"]]
    table = Table([f.t("c_severity"), f.t("c_code"), f.t("c_title"), f.t("c_source"), f.t("c_where"), f.t("c_count"),
                   f.t("c_clause")], rows, numeric=[False] * 5 + [True, False], statuses=statuses, status_column=0)
    fixes = sorted({x["code"] for x in model["findings"]})
    fix_rows = [[c, findings_zh.fix(c, f.lang) if f.lang == "zh" else CODES[c].fix] for c in fixes if c in CODES]
    blocks: list[Block] = [kv, table]
    if fix_rows:
        blocks.append(Table([f.t("c_code"), f.t("c_fix")], fix_rows))
    return Section("findings", f.t("s_findings"), blocks)


def _history(model: dict[str, Any], f: Fmt) -> Section:
    h = model["history"]
    if len(h) < 2:
        return Section("history", f.t("s_history"), [Para(
            "This is the first completed audit of this catalog." if f.lang == "en" else "这是该目录的第一次完整审计。")])
    rows = [[r["run_id"], (r["finished_at"] or "—")[:19].replace("T", " "), f.n(r["sources"]), f.n(r["documents"]),
             f.n(r["bytes"]), f.pct(r["pii_rate"], 2), f.pct(r["near_duplicate_rate"], 2),
             f.n(r["findings_high_critical"])] for r in h]
    return Section("history", f.t("s_history"), [Table(
        [f.t("run"), f.t("finished"), f.t("sources"), f.t("documents"), f.t("bytes"), f.t("c_pii_rate"),
         f.t("c_near"), f.t("c_high")], rows, numeric=[False, False, True, True, True, True, True, True])])


FIGURES: list[tuple[str, str, str, str]] = [  # (figure key, sql key, en, zh)
    ("scale", "scale",
     "Files, documents, bytes and characters: accepted records of every file version the run read or reused; "
     "bytes are the decompressed content; rejected records are counted, not included. Tokens: the diversity "
     "stage's count (each Han, kana or hangul character one token, each run of other letters or digits one token), "
     "or characters / 4 where that stage did not run; a lower bound for subword tokenizers.",
     "文件数、文档数、字节数和字符数：本批次读取或复用的每个文件版本中被接受的记录；字节数为解压后的内容；"
     "拒收记录单独计数，不计入。词元数：多样性阶段的计数（每个汉字、假名或谚文字符计一个词元，其他字母或数字的连续串计一个），"
     "该阶段未运行时按字符数 / 4 估算；对子词分词器而言是下限。"),
    ("findings", "findings", "Findings: every finding the stages raised for the run, most severe first.",
     "问题：各阶段为本批次提出的全部问题，按严重程度排序。"),
    ("pii", "pii",
     "Personal information: documents analysed (all, or the seeded --pii-sample per source) and those with at "
     "least one validated identifier; the rate is their ratio, with a 95% Wilson interval when sampled.",
     "个人信息：检测的文档（全部，或每个来源按 --pii-sample 固定种子抽样）及其中至少含一个经校验标识符的文档；比例为二者之比，"
     "抽样时给出 95% Wilson 区间。"),
    ("pii_entities", "pii_entities", "Kinds of personal information: mentions, documents and distinct values "
     "(counted by keyed hash; no value is stored).",
     "个人信息类型：出现次数、文档数和不同取值数（按带密钥哈希计数，不存储原值）。"),
    ("language_mix", "language_mix", "Languages: fastText lid.176 on each document's first 256 characters.",
     "语种：对每篇文档前 256 个字符使用 fastText lid.176 识别。"),
    ("length", "length", "Length: characters per document; histogram bins are powers of two.",
     "长度：每篇文档的字符数；直方图按 2 的幂分箱。"),
    ("history", "history", "History: the catalog's completed runs up to this one.",
     "历次审计：目录中截至本批次的已完成审计。"),
    ("annotation", "annotation", "Annotation checks: per check file, items whose annotator label equals the "
     "checker's label over items checked, with a 95% Wilson interval, and Cohen's kappa between the two.",
     "标注抽检：每个抽检文件中标注者标签与核验者标签一致的条目数 / 核验条目数，给出 95% Wilson 区间及二者的 Kappa 系数。"),
]


def _method(model: dict[str, Any], f: Fmt) -> Section:
    m = model["method"]
    kv = KeyValues([
        (f.t("tool"), m["tool_version"]), (f.t("run"), m["run_id"]),
        ("Catalog" if f.lang == "en" else "目录", m["catalog"]),
        ("Stages" if f.lang == "en" else "运行阶段", ", ".join(m["stages"])),
        ("Manifest SHA-256" if f.lang == "en" else "清单 SHA-256", m["manifest_sha256"]),
        ("Configuration" if f.lang == "en" else "配置", _config_text(m["configuration"]))])
    rows = [[key, en if f.lang == "en" else zh] for key, _, en, zh in FIGURES]
    blocks: list[Block] = [kv, Table([f.t("c_figure"), f.t("c_meaning")], rows)]
    for label, key in (("duplicates", "duplicates"), ("diversity", "diversity")):
        if m.get(key):
            blocks.append(Para(f"{label}: {m[key]}"))
    subsections = []
    for key, sql_key, *_ in FIGURES:
        q = m["sql"][sql_key]
        params = ", ".join(f"{k} = {v!r}" for k, v in q["parameters"].items())
        subsections.append(Section(f"method-sql-{key}", f"{key}: {q['file']}", [
            Para(("Parameters: " if f.lang == "en" else "参数：") + params), Code(q["text"], "sql")]))
    return Section("method", f.t("s_method"), blocks, subsections)


def _config_text(config: dict[str, Any]) -> str:
    parts = []
    for k, v in sorted(config.items()):
        if isinstance(v, dict):
            parts.append(f"{k}: " + ", ".join(f"{a}={b}" for a, b in sorted(v.items())))
        else:
            parts.append(f"{k}={v}")
    return "; ".join(parts) or "—"
