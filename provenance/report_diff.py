"""What changed between two audits (`provenance diff`) and how a corpus evolved over its runs (`provenance trend`).

`diff_models` compares two report models (the dicts `build_disclosure` returns, or two disclosure.json files): the
dataset as declared, sources added / removed / changed, corpus scale and rates, the findings summary. It reads only
the keys listed in SOURCE_FIELDS and a few corpus keys, each with .get, so a section whose stage did not run (its
`status` is `not_run`) compares as "not measured" and keys other stages add to the model later are ignored.

`diff_runs` builds both models from the catalog and replaces the model-based findings comparison with one over the
catalog's full findings (the model lists at most FINDINGS_LISTED per source and code): every finding is keyed by
(code, source, path, member); new, resolved and changed keys are grouped per (code, source) with a few examples, so
20,000 per-file findings become one line.

`trend` reads key figures of the last runs straight from the catalog tables (sql/trend_runs.sql): building the full
model costs seconds per run on a large catalog; the query costs milliseconds.

No raw personal data: only counts, rates, codes and finding messages (which the stages write without values).
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from provenance import findings_zh
from provenance.render_md import plain_table
from provenance.catalog import Catalog, sql
from provenance.errors import CatalogError, InputError
from provenance.findings import CODES, SEVERITIES, severity_rank

__all__ = ["DIFF_VERSION", "LANGUAGE_TOLERANCE", "diff_models", "diff_runs", "trend", "render_diff_json",
           "render_diff_markdown", "render_trend_markdown"]

DIFF_VERSION = "1"
LANGUAGE_TOLERANCE = 0.01   # a language's share must move by more than one percentage point to be reported
RATE_EPSILON = 1e-9         # rates are rounded to 6 places in the model; anything above float noise is a change
EXAMPLES = 3                # examples per (code, source) group of findings
NOT_RUN = ("not_run", "not run", "not_scanned")

# (field name, path into a source of the model, kind). Kinds: count, rate, text. The field names are stable: the
# JSON carries them and the renderers label them.
SOURCE_FIELDS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("name", ("name",), "text"),
    ("stage", ("stage",), "text"),
    ("scale.documents", ("scale", "documents"), "count"),
    ("scale.bytes", ("scale", "bytes"), "count"),
    ("license.declared", ("license", "declared"), "text"),
    ("license.spdx", ("license", "spdx"), "text"),
    ("license.use_class", ("license", "use_class"), "text"),
    ("license.status", ("license", "status"), "text"),
    ("personal_information.consent_basis", ("personal_information", "consent_basis"), "text"),
    ("pii.rate", ("pii", "rate"), "rate"),
    ("pii.status", ("pii", "status"), "text"),
    ("duplicates.exact_duplicate_rate", ("duplicates", "exact_duplicate_rate"), "rate"),
    ("duplicates.near_duplicate_rate.0.8", ("duplicates", "near_duplicate_rate", "0.8"), "rate"),
)
DATASET_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("name", ("name",)),
    ("intended_use", ("intended_use",)),
    ("foundation_model.name", ("foundation_model", "name")),
    ("foundation_model.license", ("foundation_model", "license")),
    ("foundation_model.filing_reference", ("foundation_model", "filing_reference")),
)
TOTAL_FIELDS = ("files", "documents", "bytes", "text_bytes", "characters", "rejected_records")


# -- comparing two models ------------------------------------------------------------------------------------------

def diff_models(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """What changed from report model `a` to report model `b` (see the module docstring and README)."""
    sources_a = {s["id"]: s for s in a.get("sources") or []}
    sources_b = {s["id"]: s for s in b.get("sources") or []}
    changed, unchanged = [], []
    for source_id in sorted(sources_a.keys() & sources_b.keys()):
        changes = _source_changes(sources_a[source_id], sources_b[source_id])
        if changes:
            changed.append({"id": source_id, "name": sources_b[source_id].get("name"), "changes": changes})
        else:
            unchanged.append(source_id)
    summary_a, summary_b = a.get("findings_summary") or {}, b.get("findings_summary") or {}
    return {
        "diff_version": DIFF_VERSION,
        "runs": _runs(a.get("run") or {}, b.get("run") or {}),
        "dataset": {"changes": [c for name, path in DATASET_FIELDS
                                if (c := _change(name, _dig(a.get("dataset"), path), _dig(b.get("dataset"), path),
                                                 "text"))]},
        "sources": {
            "added": [_source_brief(sources_b[i]) for i in sorted(sources_b.keys() - sources_a.keys())],
            "removed": [_source_brief(sources_a[i]) for i in sorted(sources_a.keys() - sources_b.keys())],
            "changed": changed,
            "unchanged": unchanged,
        },
        "corpus": _corpus(a, b),
        "findings_summary": {
            "before": summary_a, "after": summary_b,
            "delta": {sev: summary_b.get(sev, 0) - summary_a.get(sev, 0) for sev in reversed(SEVERITIES)},
        },
        "findings": _findings_diff(_model_findings(a), _model_findings(b), basis="report"),
    }


def _runs(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    keep = ("id", "started_at", "finished_at", "status", "stages", "manifest_path", "manifest_sha256", "tool_version")
    stages_a, stages_b = a.get("stages") or [], b.get("stages") or []
    return {
        "a": {k: a.get(k) for k in keep},
        "b": {k: b.get(k) for k in keep},
        "same_manifest": a.get("manifest_sha256") is not None and a.get("manifest_sha256") == b.get("manifest_sha256"),
        "stages_added": [s for s in stages_b if s not in stages_a],
        "stages_removed": [s for s in stages_a if s not in stages_b],
    }


def _dig(block: Any, path: Iterable[str]) -> Any:
    """The value at `path`, or None when a key is missing or a section on the way did not run."""
    value = block
    for key in path:
        if not isinstance(value, dict):
            return None
        if value.get("status") in NOT_RUN and key not in ("status", "declared"):
            # a stage that did not run measured nothing: compare as "not measured", not as 0 (what the manifest
            # declared, e.g. license.declared, is known either way)
            return None
        value = value.get(key)
    return value


def _change(field: str, before: Any, after: Any, kind: str) -> dict[str, Any] | None:
    """One {field, before, after, change[, delta]} entry, or None when nothing changed.

    change: increased / decreased (numbers; with delta = after − before), changed (text), set (nothing before:
    not declared or not measured), unset (nothing after)."""
    if before is None and after is None:
        return None
    if before is None or after is None:
        return {"field": field, "before": before, "after": after, "change": "set" if before is None else "unset"}
    if kind in ("count", "rate") and isinstance(before, (int, float)) and isinstance(after, (int, float)):
        delta = after - before
        if abs(delta) <= (RATE_EPSILON if kind == "rate" else 0):
            return None
        return {"field": field, "before": before, "after": after, "change": "increased" if delta > 0 else "decreased",
                "delta": round(delta, 6) if kind == "rate" else delta}
    if before == after:
        return None
    return {"field": field, "before": before, "after": after, "change": "changed"}


def _source_changes(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    changes = [c for field, path, kind in SOURCE_FIELDS if (c := _change(field, _dig(a, path), _dig(b, path), kind))]
    return changes + _language_changes(_dig(a, ("diversity", "languages")), _dig(b, ("diversity", "languages")))


def _language_changes(a: dict[str, Any] | None, b: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Language shares that moved by more than LANGUAGE_TOLERANCE (fastText labels wobble on short texts)."""
    if a is None and b is None:
        return []
    out = []
    for lang in sorted((a or {}).keys() | (b or {}).keys()):
        before = None if a is None else float((a.get(lang) or {}).get("share", 0.0))
        after = None if b is None else float((b.get(lang) or {}).get("share", 0.0))
        if before is not None and after is not None:
            if abs(after - before) <= LANGUAGE_TOLERANCE:
                continue
        elif (before or after or 0.0) <= LANGUAGE_TOLERANCE:
            continue  # measured on one side only: list the languages that matter, not every stray label
        change = _change(f"diversity.languages.{lang}.share", before, after, "rate")
        if change:
            out.append(change)
    return out


def _source_brief(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": s.get("id"), "name": s.get("name"), "stage": s.get("stage"),
        "documents": _dig(s, ("scale", "documents")), "bytes": _dig(s, ("scale", "bytes")),
        "license": {k: _dig(s, ("license", k)) for k in ("declared", "spdx", "use_class", "status")},
        "consent_basis": _dig(s, ("personal_information", "consent_basis")),
        "pii_rate": _dig(s, ("pii", "rate")),
        "near_duplicate_rate": _dig(s, ("duplicates", "near_duplicate_rate", "0.8")),
    }


def corpus_pii(model: dict[str, Any]) -> tuple[int, int] | None:
    """(documents with PII, documents scanned) summed over the sources the PII stage scanned; None if none was."""
    blocks = [s.get("pii") or {} for s in model.get("sources") or []]
    scanned = [p for p in blocks if isinstance(p.get("documents_scanned"), int)]
    if not scanned:
        return None
    return sum(p.get("documents_with_pii", 0) for p in scanned), sum(p["documents_scanned"] for p in scanned)


def _corpus(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    totals_a, totals_b = _dig(a, ("totals", "all")) or {}, _dig(b, ("totals", "all")) or {}
    totals = {}
    for f in TOTAL_FIELDS:
        before, after = totals_a.get(f), totals_b.get(f)
        totals[f] = {"before": before, "after": after,
                     "delta": after - before if before is not None and after is not None else None}

    def rate(model: dict[str, Any]) -> float | None:
        pii = corpus_pii(model)
        return round(pii[0] / pii[1], 6) if pii and pii[1] else (0.0 if pii else None)

    figures = [
        ("license.use_class", _dig(a, ("corpus", "license", "use_class")), _dig(b, ("corpus", "license", "use_class")),
         "text"),
        ("pii.rate", rate(a), rate(b), "rate"),
        ("duplicates.near_duplicate_rate", _dig(a, ("corpus", "duplicates", "near_duplicate_rate")),
         _dig(b, ("corpus", "duplicates", "near_duplicate_rate")), "rate"),
    ]
    return {
        "totals": totals,
        "figures": [{"field": f, "before": x, "after": y, "change": (c or {}).get("change", "unchanged"),
                     **({"delta": c["delta"]} if c and "delta" in c else {})}
                    for f, x, y, kind in figures for c in [_change(f, x, y, kind)]],
    }


# -- findings ------------------------------------------------------------------------------------------------------

def _model_findings(model: dict[str, Any]) -> dict[tuple, dict[str, Any]]:
    """The findings a model lists, summed per key (code, source, path, member)."""
    out: dict[tuple, dict[str, Any]] = {}
    for f in model.get("findings") or []:
        key = (f.get("code"), f.get("source"), f.get("path"), f.get("member"))
        entry = out.setdefault(key, {"severity": f.get("severity"), "count": 0, "line": f.get("line"),
                                     "message": f.get("message")})
        entry["count"] += f.get("count") or 1
        if severity_rank(f.get("severity", "info")) > severity_rank(entry["severity"] or "info"):
            entry["severity"] = f["severity"]
    return out


def _findings_diff(a: dict[tuple, dict[str, Any]], b: dict[tuple, dict[str, Any]], basis: str) -> dict[str, Any]:
    """Keyed findings of two runs → rows as sql/diff_findings.sql returns them, then grouped."""
    rows, counts = [], {"new": 0, "resolved": 0, "changed": 0, "unchanged": 0}
    for key in sorted(a.keys() | b.keys(), key=lambda k: tuple("" if v is None else str(v) for v in k)):
        x, y = a.get(key), b.get(key)
        change = ("new" if x is None else "resolved" if y is None else
                  "changed" if (x["count"], x["severity"]) != (y["count"], y["severity"]) else "unchanged")
        counts[change] += 1
        if change == "unchanged":
            continue
        code, source_id, path, member = key
        rows.append({"change": change, "code": code, "source_id": source_id, "path": path, "member": member,
                     "line": (y or x)["line"], "severity_before": x and x["severity"],
                     "severity_after": y and y["severity"], "count_before": x and x["count"],
                     "count_after": y and y["count"], "message": (y or x)["message"]})
    return _group_findings(rows, counts, basis)


def _group_findings(rows: list[dict[str, Any]], counts: dict[str, int], basis: str) -> dict[str, Any]:
    """Rows per finding key → groups per (change, code, source) with the first EXAMPLES keys as examples."""
    groups: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        g = groups.setdefault((r["change"], r["code"], r["source_id"]), {
            "code": r["code"], "title": CODES[r["code"]].title if r["code"] in CODES else r["code"],
            "source_id": r["source_id"], "severity": None, "severity_before": None, "severity_after": None,
            "findings": 0, "count_before": 0, "count_after": 0, "examples": [], "more": 0})
        g["findings"] += 1
        for side in ("before", "after"):
            sev = r[f"severity_{side}"]
            if sev and (g[f"severity_{side}"] is None or severity_rank(sev) > severity_rank(g[f"severity_{side}"])):
                g[f"severity_{side}"] = sev
            g[f"count_{side}"] += r[f"count_{side}"] or 0
        if len(g["examples"]) < EXAMPLES:
            g["examples"].append({k: r[k] for k in ("path", "member", "line", "count_before", "count_after",
                                                    "message")})
        else:
            g["more"] += 1
    out: dict[str, Any] = {"basis": basis, "counts": counts, "new": [], "resolved": [], "changed": []}
    for (change, _, _), g in groups.items():
        g["severity"] = g["severity_before"] if change == "resolved" else g["severity_after"]
        out[change].append(g)
    for change in ("new", "resolved", "changed"):
        out[change].sort(key=lambda g: (-severity_rank(g["severity"] or "info"), g["code"], g["source_id"] or ""))
    return out


def _catalog_findings(catalog: Catalog, run_a: str, run_b: str) -> dict[str, Any]:
    params = {"run_a": run_a, "run_b": run_b}
    counts = {"new": 0, "resolved": 0, "changed": 0, "unchanged": 0}
    counts |= {r["change"]: int(r["keys"]) for r in catalog.query(sql("diff_findings_counts"), params)}
    return _group_findings(catalog.query(sql("diff_findings"), params), counts, basis="catalog")


# -- from the catalog ----------------------------------------------------------------------------------------------

def check_runs(catalog: Catalog, *run_ids: str) -> None:
    """Refuse unknown run ids, naming every one of them and where to find the right ones."""
    missing = [r for r in run_ids if not catalog.run_exists(r)]
    if missing:
        raise CatalogError(f"no run {', '.join(missing)} in catalog {catalog.path}",
                           fix=f"pick run ids from `provenance runs --db {catalog.path}`")


def diff_runs(catalog: Catalog, run_a: str, run_b: str) -> dict[str, Any]:
    """diff_models of the two runs' report models, with the findings compared over the catalog's full findings."""
    from provenance.disclosure import build_disclosure  # the model module is large and being extended: load on use

    check_runs(catalog, run_a, run_b)
    diff = diff_models(build_disclosure(catalog, run_a), build_disclosure(catalog, run_b))
    diff["findings"] = _catalog_findings(catalog, run_a, run_b)
    return diff


TREND_CHANGES = ("sources", "documents", "bytes", "pii_rate", "near_duplicate_rate", "findings_high_critical")


def trend(catalog: Catalog, last: int = 10, up_to: str | None = None) -> list[dict[str, Any]]:
    """One row per completed run, oldest → newest, the `last` most recent (up to and including run `up_to` when
    given), each with its change vs the row before (None for the first row, and for a figure one of the two runs did
    not measure)."""
    if last < 1:
        raise InputError(f"--last must be at least 1, got {last}", where="--last", fix="pass --last 1 or more")
    rows = []
    for r in reversed(catalog.query(sql("trend_runs"), {"last": last, "up_to": up_to})):
        scanned, with_pii = r["pii_documents_scanned"], r["pii_documents_with_pii"]
        dup_docs, near = r["dup_documents"], r["near_duplicates"]
        rows.append({
            "run_id": r["run_id"],
            "started_at": _iso(r["started_at"]),
            "finished_at": _iso(r["finished_at"]),
            "stages": list(r["stages"]),
            "sources": int(r["sources"]),
            "documents": int(r["documents"]),
            "bytes": int(r["bytes"]),
            "pii_documents_scanned": None if scanned is None else int(scanned),
            "pii_documents_with_pii": None if with_pii is None else int(with_pii),
            "pii_rate": None if scanned is None else (round(with_pii / scanned, 6) if scanned else 0.0),
            "near_duplicate_rate": None if dup_docs is None else (round(near / dup_docs, 6) if dup_docs else 0.0),
            "findings_high_critical": int(r["findings_high_critical"]),
            # the verdict stored after the run (provenance/regression.py); None: not checked, or the first run
            "worse": r["worse"],
            "worse_reasons": json.loads(r["worse_reasons"]) if r["worse_reasons"] else [],
        })
    previous = None
    for row in rows:
        row["change"] = None if previous is None else {
            k: (None if row[k] is None or previous[k] is None else
                round(row[k] - previous[k], 6) if isinstance(row[k], float) or isinstance(previous[k], float)
                else row[k] - previous[k]) for k in TREND_CHANGES}
        previous = row
    return rows


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


# -- rendering -----------------------------------------------------------------------------------------------------

def render_diff_json(diff: dict[str, Any]) -> str:
    return json.dumps(diff, ensure_ascii=False, indent=2, default=str) + "\n"


T = {
    "en": {
        "title": "Audit comparison", "colon": ": ", "run": "Run", "a": "Before (A)", "b": "After (B)",
        "h_runs": ["", "Before (A)", "After (B)"], "finished": "finished", "status": "status", "stages": "stages",
        "manifest": "manifest (sha256)", "same_manifest": "same manifest", "stages_added": "stages added",
        "stages_removed": "stages no longer run",
        "dataset": "Dataset", "no_changes": "No changes.",
        "h_change": ["Field", "Before", "After", "Change"],
        "sources": "Sources", "sources_line": "{added} added, {removed} removed, {changed} changed, {unchanged} unchanged",
        "added": "Added sources", "removed": "Removed sources", "changed_sources": "Changed sources",
        "h_brief": ["Source", "Name", "Stage", "Documents", "Bytes", "Licence", "Consent basis", "PII rate",
                    "Near-duplicate rate (0.8)"],
        "scale": "Corpus scale and rates", "h_totals": ["Figure", "Before", "After", "Change"],
        "findings": "Findings", "h_sev": ["Severity", "Before", "After", "Change"],
        "new": "New findings", "resolved": "Resolved findings", "changed_findings": "Findings whose count or severity changed",
        "h_find": ["Severity", "Code", "Finding", "Source", "Places", "Count", "Examples"],
        "h_find_changed": ["Severity", "Code", "Finding", "Source", "Places", "Count before → after", "Examples"],
        "none": "None.", "corpus_level": "(corpus)", "more": "and {n} more",
        "basis": {"catalog": "Findings are compared over every finding in the catalog, keyed by code, source, path "
                             "and archive member; {unchanged} unchanged.",
                  "report": "Findings are compared over the findings the reports list (capped per source and "
                            "code); {unchanged} unchanged."},
        "legend": "— = not declared, or not measured (the stage did not run). Rates are shares of documents; "
                  "changes of rates are in percentage points.",
        "pp": "pp",
        "change": {"increased": "increased", "decreased": "decreased", "changed": "changed", "set": "now present",
                   "unset": "no longer present", "unchanged": "unchanged"},
        "fields": {
            "name": "name", "stage": "training stage", "scale.documents": "documents", "scale.bytes": "bytes",
            "license.declared": "licence (declared)", "license.spdx": "licence (SPDX)",
            "license.use_class": "licence use class", "license.status": "licence status",
            "personal_information.consent_basis": "consent basis", "pii.rate": "personal information rate",
            "pii.status": "personal information status", "duplicates.exact_duplicate_rate": "exact duplicate rate",
            "duplicates.near_duplicate_rate.0.8": "near-duplicate rate (Jaccard ≥ 0.8)",
            "duplicates.near_duplicate_rate": "near-duplicate rate (across sources)",
            "language": "language share: {lang}", "intended_use": "intended use",
            "foundation_model.name": "foundation model", "foundation_model.license": "foundation model licence",
            "foundation_model.filing_reference": "foundation model filing reference",
            "files": "files", "documents": "documents", "bytes": "bytes", "text_bytes": "text bytes",
            "characters": "characters", "rejected_records": "rejected records",
        },
        "severity": {s: s for s in SEVERITIES},
        "trend": "Trend", "h_trend": ["Run", "Finished", "Sources", "Documents", "Bytes", "PII rate",
                                      "Near-duplicate rate", "High + critical findings", "Worse than previous"],
        "worse": {True: "yes", False: "no"},
        "no_runs": "No completed run in the catalog.",
        "trend_legend": "— = not measured (the run did not include the stage). PII rate: documents with personal "
                        "information / documents analysed, all sources; near-duplicate rate: documents a "
                        "deduplication across sources would remove; changes are vs the row above. Worse than "
                        "previous: new high or critical findings, or a rate up by more than its margin (`provenance "
                        "runs` gives the reasons).",
    },
    "zh": {
        "title": "审核对比", "colon": "：", "run": "运行", "a": "对比前（A）", "b": "对比后（B）",
        "h_runs": ["", "对比前（A）", "对比后（B）"], "finished": "完成时间", "status": "状态", "stages": "审核阶段",
        "manifest": "清单（sha256）", "same_manifest": "清单相同", "stages_added": "新增的审核阶段",
        "stages_removed": "不再运行的审核阶段",
        "dataset": "数据集", "no_changes": "无变化。",
        "h_change": ["字段", "对比前", "对比后", "变化"],
        "sources": "来源", "sources_line": "新增 {added} 个，移除 {removed} 个，变更 {changed} 个，未变 {unchanged} 个",
        "added": "新增的来源", "removed": "移除的来源", "changed_sources": "变更的来源",
        "h_brief": ["来源", "名称", "训练阶段", "文档数", "字节数", "许可", "同意依据", "个人信息比例",
                    "近似重复率（0.8）"],
        "scale": "语料规模与比率", "h_totals": ["指标", "对比前", "对比后", "变化"],
        "findings": "问题", "h_sev": ["严重程度", "对比前", "对比后", "变化"],
        "new": "新增的问题", "resolved": "已解决的问题", "changed_findings": "数量或严重程度有变化的问题",
        "h_find": ["严重程度", "代码", "问题", "来源", "处数", "数量", "示例"],
        "h_find_changed": ["严重程度", "代码", "问题", "来源", "处数", "数量 前 → 后", "示例"],
        "none": "无。", "corpus_level": "（语料整体）", "more": "另有 {n} 处",
        "basis": {"catalog": "问题按目录中的全部问题比较，以代码、来源、路径和归档成员为键；{unchanged} 项未变。",
                  "report": "问题按报告所列的问题比较（每个来源和代码有上限）；{unchanged} 项未变。"},
        "legend": "— 表示未声明，或未测量（相应审核阶段未运行）。比率为文档占比；比率的变化以百分点计。",
        "pp": "个百分点",
        "change": {"increased": "上升", "decreased": "下降", "changed": "变更", "set": "新出现", "unset": "不再出现",
                   "unchanged": "未变"},
        "fields": {
            "name": "名称", "stage": "训练阶段", "scale.documents": "规模：文档数", "scale.bytes": "规模：字节数",
            "license.declared": "许可（声明）", "license.spdx": "许可（SPDX）", "license.use_class": "许可使用类别",
            "license.status": "许可状态", "personal_information.consent_basis": "个人信息同意依据",
            "pii.rate": "个人信息比例", "pii.status": "个人信息状态",
            "duplicates.exact_duplicate_rate": "完全重复率",
            "duplicates.near_duplicate_rate.0.8": "近似重复率（Jaccard ≥ 0.8）",
            "duplicates.near_duplicate_rate": "近似重复率（跨来源）",
            "language": "语言占比：{lang}", "intended_use": "预期用途",
            "foundation_model.name": "基础模型", "foundation_model.license": "基础模型许可",
            "foundation_model.filing_reference": "基础模型备案编号",
            "files": "文件数", "documents": "文档数", "bytes": "字节数", "text_bytes": "文本字节数",
            "characters": "字符数", "rejected_records": "拒收记录数",
        },
        "severity": {"critical": "严重", "high": "高", "medium": "中", "low": "低", "info": "提示"},
        "trend": "趋势", "h_trend": ["运行", "完成时间", "来源数", "文档数", "字节数", "个人信息比例", "近似重复率",
                                   "高及严重级别问题", "较上次变差"],
        "worse": {True: "是", False: "否"},
        "no_runs": "目录中没有已完成的运行。",
        "trend_legend": "— 表示未测量（该次运行未包含相应审核阶段）。个人信息比例：含个人信息的文档数 / 分析的文档数"
                        "（全部来源）；近似重复率：跨来源去重将删除的文档占比；括号内为与上一行相比的变化。较上次变差：出现新的"
                        "高或严重级别问题，或比率的上升超过阈值（原因见 `provenance runs`）。",
    },
}


def _kind(field: str) -> str:
    if field.endswith("rate") or field.endswith("rate.0.8") or field.endswith(".share"):
        return "rate"
    if field.split(".")[-1] in ("documents", "bytes", "files", "text_bytes", "characters", "rejected_records"):
        return "count"
    return "text"


def _value(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "rate" and isinstance(value, (int, float)):
        return f"{value:.2%}"
    if kind == "count" and isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _delta(delta: Any, kind: str, t: dict[str, Any]) -> str:
    if delta is None:
        return ""
    if kind == "rate":
        return f"{delta * 100:+.2f} {t['pp']}"
    return f"{delta:+,}"


def _label(field: str, t: dict[str, Any]) -> str:
    if field.startswith("diversity.languages."):
        return t["fields"]["language"].format(lang=field.split(".")[2])
    return t["fields"].get(field, field)


def _change_cell(c: dict[str, Any], kind: str, t: dict[str, Any]) -> str:
    label = t["change"][c["change"]]
    return f"{label} ({_delta(c['delta'], kind, t)})" if c.get("delta") is not None else label


def _change_rows(changes: list[dict[str, Any]], t: dict[str, Any]) -> list[list[str]]:
    rows = []
    for c in changes:
        kind = _kind(c["field"])
        rows.append([_label(c["field"], t), _value(c["before"], kind), _value(c["after"], kind),
                     _change_cell(c, kind, t)])
    return rows


def _finding_title(code: str, lang: str) -> str:
    try:
        return findings_zh.title(code, lang)
    except KeyError:
        return code  # a code added by a newer stage without its texts yet: the code itself still identifies it


def _examples(g: dict[str, Any], t: dict[str, Any]) -> str:
    parts = []
    for e in g["examples"]:
        if e["path"]:
            where = e["path"] + (f"!{e['member']}" if e["member"] else "") + (f":{e['line']}" if e["line"] else "")
            parts.append(f"`{where}`")
        else:
            parts.append(e["message"] or "")
    if g["more"]:
        parts.append(t["more"].format(n=g["more"]))
    return "; ".join(parts)


def render_diff_markdown(diff: dict[str, Any], lang: str = "en") -> str:
    """The diff as Markdown in `lang` (en or zh): the figures of the JSON, with labels in that language. Finding
    titles come from findings_zh; the measured detail of a finding (its message) stays as the stage wrote it."""
    if lang not in T:
        raise InputError(f"--lang {lang!r} is not a report language", where="--lang", fix="use en or zh")
    t = T[lang]
    ra, rb = diff["runs"]["a"], diff["runs"]["b"]
    lines = [f"# {t['title']}{t['colon']}`{ra['id']}` → `{rb['id']}`", ""]
    sha = (lambda r: (r.get("manifest_sha256") or "")[:12])
    lines += plain_table(t["h_runs"], [
        [t["run"], f"`{ra['id']}`", f"`{rb['id']}`"],
        [t["finished"], ra.get("finished_at") or "—", rb.get("finished_at") or "—"],
        [t["status"], ra.get("status") or "—", rb.get("status") or "—"],
        [t["stages"], ", ".join(ra.get("stages") or []), ", ".join(rb.get("stages") or [])],
        [t["manifest"], sha(ra), sha(rb) + (f" ({t['same_manifest']})" if diff["runs"]["same_manifest"] else "")],
    ])
    for key in ("stages_added", "stages_removed"):
        if diff["runs"][key]:
            lines += [f"- {t[key]}: {', '.join(diff['runs'][key])}", ""]

    lines += [f"## {t['dataset']}", ""]
    changes = diff["dataset"]["changes"]
    lines += plain_table(t["h_change"], _change_rows(changes, t)) if changes else [t["no_changes"], ""]

    s = diff["sources"]
    lines += [f"## {t['sources']}", "", t["sources_line"].format(added=len(s["added"]), removed=len(s["removed"]),
                                                                  changed=len(s["changed"]),
                                                                  unchanged=len(s["unchanged"])), ""]
    for key in ("added", "removed"):
        if s[key]:
            lines += [f"### {t[key]}", ""]
            lines += plain_table(t["h_brief"], [[f"`{b['id']}`", b["name"], b["stage"], _value(b["documents"], "count"),
                                            _value(b["bytes"], "count"),
                                            f"{_value(b['license']['spdx'], 'text')} "
                                            f"({_value(b['license']['use_class'], 'text')})",
                                            _value(b["consent_basis"], "text"), _value(b["pii_rate"], "rate"),
                                            _value(b["near_duplicate_rate"], "rate")] for b in s[key]])
    if s["changed"]:
        lines += [f"### {t['changed_sources']}", ""]
        for c in s["changed"]:
            lines += [f"#### `{c['id']}` — {c['name']}", ""]
            lines += plain_table(t["h_change"], _change_rows(c["changes"], t))

    lines += [f"## {t['scale']}", ""]
    rows = [[t["fields"][f], _value(v["before"], "count"), _value(v["after"], "count"),
             _delta(v["delta"], "count", t)] for f, v in diff["corpus"]["totals"].items()]
    for fig in diff["corpus"]["figures"]:
        kind = _kind(fig["field"])
        rows.append([_label(fig["field"], t), _value(fig["before"], kind),
                     _value(fig["after"], kind), _change_cell(fig, kind, t)])
    lines += plain_table(t["h_totals"], rows)

    lines += [f"## {t['findings']}", ""]
    fs = diff["findings_summary"]
    lines += plain_table(t["h_sev"], [[t["severity"][sev], fs["before"].get(sev, 0), fs["after"].get(sev, 0),
                                  f"{fs['delta'][sev]:+d}"] for sev in fs["delta"]])
    f = diff["findings"]
    for key, heading in (("new", "new"), ("resolved", "resolved"), ("changed", "changed_findings")):
        lines += [f"### {t[heading]}", ""]
        if not f[key]:
            lines += [t["none"], ""]
            continue
        header = t["h_find_changed"] if key == "changed" else t["h_find"]
        rows = []
        for g in f[key]:
            count = (f"{g['count_before']:,} → {g['count_after']:,}" if key == "changed" else
                     f"{g['count_after' if key == 'new' else 'count_before']:,}")
            severity = t["severity"].get(g["severity"] or "", g["severity"] or "")
            if key == "changed" and g["severity_before"] != g["severity_after"]:
                severity = f"{t['severity'][g['severity_before']]} → {t['severity'][g['severity_after']]}"
            rows.append([severity, f"`{g['code']}`", _finding_title(g["code"], lang),
                         g["source_id"] or t["corpus_level"], g["findings"], count, _examples(g, t)])
        lines += plain_table(header, rows)
    lines += [f"_{t['basis'][f['basis']].format(unchanged=f['counts'].get('unchanged', 0))} {t['legend']}_", ""]
    return "\n".join(lines)


def render_trend_markdown(rows: list[dict[str, Any]], lang: str = "en") -> str:
    """The trend rows as a Markdown table, each figure with its change vs the row above."""
    if lang not in T:
        raise InputError(f"--lang {lang!r} is not a report language", where="--lang", fix="use en or zh")
    t = T[lang]
    lines = [f"# {t['trend']}", ""]
    if not rows:
        return "\n".join(lines + [t["no_runs"], ""])

    def cell(row: dict[str, Any], key: str, kind: str) -> str:
        text = _value(row[key], kind)
        change = (row["change"] or {}).get(key)
        return f"{text} ({_delta(change, kind, t)})" if change else text

    lines += plain_table(t["h_trend"], [[f"`{r['run_id']}`", (r["finished_at"] or "—")[:19].replace("T", " "),
                                    cell(r, "sources", "count"), cell(r, "documents", "count"),
                                    cell(r, "bytes", "count"), cell(r, "pii_rate", "rate"),
                                    cell(r, "near_duplicate_rate", "rate"),
                                    cell(r, "findings_high_critical", "count"),
                                    t["worse"].get(r.get("worse"), "—")] for r in rows])
    return "\n".join(lines + [f"_{t['trend_legend']}_", ""])
