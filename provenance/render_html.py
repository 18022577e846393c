"""The disclosure report as ONE self-contained HTML page holding every language (Chinese and English).

`render_html({"zh": doc_zh, "en": doc_en})` walks the report_doc blocks of each Document into its own
`<article lang="zh" id="report-zh">` (the default language first) with its title, key facts, table of contents and
sections; charts are inline SVG (provenance.charts). The page makes no request of any kind: no external script,
style, font or image, and a Content-Security-Policy (`default-src 'none'`, the one inline script allowed by its
hash) makes sure of it. Every text is escaped (Jinja2 autoescape; the SVG escapes its own).

Language selection. A small inline script shows one article and hides the others (`hidden` attribute, so the
dumped DOM says which is shown). The initial language comes from, in order: the URL fragment (`#en`, `#zh`,
`#report-en`, or any anchor inside an article, e.g. `#en-scale`), the query (`?lang=en`), the page's default
(`default_lang`). The zh/en toggle in the header is a pair of links to `#report-zh` / `#report-en`; following one
(or any change of fragment) switches the language. Without JavaScript the toggle stays hidden and both languages
show one after another, each with its own contents list.

Printing prints what is shown: with JavaScript the selected language only, without it both languages, each
starting on a new page. Print CSS sets A4 pages, hides the header and toggle, keeps figures, key-value lists and
table rows whole, repeats table headers, and opens the code blocks (`beforeprint`, plus a CSS fallback);
on screen the code blocks are collapsed `<details>`.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from provenance import charts
from provenance.report_doc import Callout, Chart, Code, Document, KeyValues, Para, Section, Table

STATUSES: tuple[str, ...] = ("met", "not_met", "not_evidenced", "not_applicable", "not_run", "ok", "warning",
                             "info")

# A shape beside each badge's text, so a status reads without colour (and in greyscale print).
STATUS_GLYPHS: dict[str, str] = {
    "met": "✓", "ok": "✓", "not_met": "✗", "not_evidenced": "?", "not_applicable": "–", "not_run": "○",
    "warning": "!", "info": "i",
}

# The words the page itself needs (the report's own text all comes from the Documents). Callout labels: a
# Callout has a status and a sentence, no label of its own.
UI: dict[str, dict[str, Any]] = {
    "zh": {
        "language_name": "中文", "toc": "目录", "key_facts": "要点", "code": "代码", "no_data": "无数据",
        "switch": "语言", "status": {
            "met": "已满足", "not_met": "未满足", "not_evidenced": "无证据", "not_applicable": "不适用",
            "not_run": "未运行", "ok": "正常", "warning": "注意", "info": "说明"},
    },
    "en": {
        "language_name": "English", "toc": "Contents", "key_facts": "Key facts", "code": "Code",
        "no_data": "No data", "switch": "Language", "status": {
            "met": "Met", "not_met": "Not met", "not_evidenced": "Not evidenced", "not_applicable": "Not applicable",
            "not_run": "Not run", "ok": "OK", "warning": "Warning", "info": "Info"},
    },
}

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass
class _Ids:
    """Unique, language-prefixed element ids within one article."""

    lang: str
    used: set[str] = field(default_factory=set)

    def make(self, *parts: str) -> str:
        base = "-".join([self.lang, *(_ID_UNSAFE.sub("-", p).strip("-") or "x" for p in parts)])
        candidate, n = base, 2
        while candidate in self.used:
            candidate, n = f"{base}-{n}", n + 1
        self.used.add(candidate)
        return candidate


def _status_column(table: Table) -> int | None:
    """The column whose cells are shown as badges (Table.status_column, -1 = the last); None without statuses
    or when the index is out of range."""
    if not table.statuses or not table.columns:
        return None
    wanted = getattr(table, "status_column", -1)
    n = len(table.columns)
    if isinstance(wanted, int) and not isinstance(wanted, bool) and -n <= wanted < n:
        return wanted % n
    return None


def _status(value: object) -> str:
    return value if isinstance(value, str) and value in STATUSES else "info"


def _table_view(table: Table) -> dict[str, Any]:
    ncols = max([len(table.columns), *(len(r) for r in table.rows)])
    numeric = [bool(table.numeric[i]) if i < len(table.numeric) else False for i in range(ncols)]
    status_col = _status_column(table)
    statuses = list(table.statuses or [])
    rows = []
    for r, row in enumerate(table.rows):
        cells = []
        for c in range(ncols):
            text = row[c] if c < len(row) else ""
            status = _status(statuses[r]) if c == status_col and r < len(statuses) else None
            cells.append({"text": text, "num": numeric[c], "status": status,
                          "glyph": STATUS_GLYPHS.get(status or "", "")})
        rows.append({"cells": cells, "status": _status(statuses[r]) if r < len(statuses) else None})
    columns = [{"text": table.columns[c] if c < len(table.columns) else "", "num": numeric[c]} for c in range(ncols)]
    return {"columns": columns, "rows": rows, "caption": table.caption}


def _block_view(block: object, ids: _Ids, lang: str) -> dict[str, Any]:
    if isinstance(block, Para):
        return {"kind": "para", "text": block.text}
    if isinstance(block, KeyValues):
        return {"kind": "kv", "items": list(block.items)}
    if isinstance(block, Table):
        return {"kind": "table", **_table_view(block)}
    if isinstance(block, Chart):
        dom_id = ids.make("chart", block.chart_id or charts.dom_id_for(block).removeprefix("chart-"))
        svg = charts.render_chart(block, dom_id=dom_id, no_data=UI[lang]["no_data"])
        # Inline in HTML the parser puts <svg> in the SVG namespace itself: the page then holds no URL at all.
        svg = svg.replace(f' xmlns="{charts.SVG_NS}"', "", 1)
        return {"kind": "chart", "svg": Markup(svg), "chart_id": block.chart_id, "chart_kind": block.kind}
    if isinstance(block, Callout):
        status = _status(block.status)
        return {"kind": "callout", "status": status, "text": block.text, "glyph": STATUS_GLYPHS[status],
                "label": UI[lang]["status"][status]}
    if isinstance(block, Code):
        return {"kind": "code", "text": block.text, "language": block.language,
                "lang_class": _ID_UNSAFE.sub("-", block.language.lower()).strip("-")}
    raise TypeError(f"not a report_doc block: {type(block).__name__}")


def _section_view(section: Section, ids: _Ids, lang: str, level: int) -> dict[str, Any]:
    return {
        "id": ids.make(section.section_id),
        "section_id": section.section_id,
        "title": section.title,
        "level": min(level, 6),
        "blocks": [_block_view(b, ids, lang) for b in section.blocks],
        "subsections": [_section_view(s, ids, lang, level + 1) for s in section.subsections],
    }


def _document_view(doc: Document) -> dict[str, Any]:
    lang = doc.lang
    reserved = {f"report-{lang}", f"{lang}-key-facts", f"{lang}-key-facts-title", f"{lang}-toc", f"{lang}-toc-title"}
    ids = _Ids(lang, reserved)
    return {
        "lang": lang,
        "id": f"report-{lang}",
        "title": doc.title,
        "subtitle": doc.subtitle,
        "summary": list(doc.summary),
        "sections": [_section_view(s, ids, lang, 2) for s in doc.sections],
        "footer": doc.footer,
        "ui": UI.get(lang, UI["en"]),
    }


def _csp_hash(script: str) -> Markup:
    """The CSP source allowing exactly this inline script (base64 and quotes only: safe as markup)."""
    digest = base64.b64encode(hashlib.sha256(str(script).encode("utf-8")).digest()).decode("ascii")
    return Markup(f"'sha256-{digest}'")


_INLINE_CODE = re.compile(r"`([^`\n]+)`")


def _inline(text: object) -> Markup:
    """Text with its `inline code` spans (commands, manifest keys) as <code>, everything escaped: the same
    convention the Markdown rendering shows as code."""
    escaped = str(Markup.escape(text))
    return Markup(_INLINE_CODE.sub(lambda m: f"<code>{m.group(1)}</code>", escaped))


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("provenance", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["csp_hash"] = _csp_hash
    env.filters["inline"] = _inline
    return env


def render_html(documents: Mapping[str, Document], default_lang: str = "zh") -> str:
    """One self-contained HTML page with every Document of `documents` (keyed by language), the one of
    `default_lang` first and shown when the URL does not choose (falls back to the first given)."""
    if not documents:
        raise ValueError("render_html needs at least one Document")
    for key, doc in documents.items():
        if key != doc.lang:
            raise ValueError(f"documents[{key!r}] is a Document in {doc.lang!r}")
        if doc.lang not in UI:
            raise ValueError(f"no page strings for language {doc.lang!r} (known: {', '.join(UI)})")
    if default_lang not in documents:
        default_lang = next(iter(documents))
    order = [default_lang, *(lang for lang in documents if lang != default_lang)]
    views = [_document_view(documents[lang]) for lang in order]
    return _environment().get_template("report.html.j2").render(
        documents=views, default=views[0], default_lang=default_lang, status_glyphs=STATUS_GLYPHS,
    )
