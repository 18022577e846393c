"""A laid-out Document (report_doc) → Markdown. Charts become small tables of their values (Markdown has no
charts, and the values are the evidence); Callouts become a bold status line."""

from __future__ import annotations

from provenance.report_doc import Callout, Chart, Code, Document, KeyValues, Para, Section, Table

STATUS_MARK = {"met": "✅", "not_met": "❌", "not_evidenced": "⚠️", "not_applicable": "➖", "not_run": "⏸",
               "ok": "✅", "warning": "⚠️", "info": "ℹ️"}


def render_markdown(doc: Document) -> str:
    out = [f"# {_inline(doc.title)}", "", f"_{_inline(doc.subtitle)}_", ""]
    out += _key_values(doc.summary)
    out += ["", "## " + ("目录" if doc.lang == "zh" else "Contents"), ""]
    out += [f"- [{_inline(s.title)}](#{s.section_id})" for s in doc.sections]
    for section in doc.sections:
        out += _section(section, 2)
    if doc.footer:
        out += ["", "---", "", f"_{_inline(doc.footer)}_"]
    return "\n".join(out).rstrip() + "\n"


def _section(section: Section, level: int) -> list[str]:
    out = ["", f'<a id="{section.section_id}"></a>', "", f"{'#' * level} {_inline(section.title)}", ""]
    for block in section.blocks:
        out += _block(block) + [""]
    for sub in section.subsections:
        out += _section(sub, min(level + 1, 6))
    return out


def _block(block: object) -> list[str]:
    if isinstance(block, Para):
        return [_inline(block.text)]
    if isinstance(block, KeyValues):
        return _key_values(block.items)
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        rows = [[label, value] for label, value in zip(block.labels, block.value_labels)]
        return [f"**{_inline(block.title)}**", ""] + _table(Table(["", block.unit or ""], rows, [False, True]))
    if isinstance(block, Callout):
        return [f"> {STATUS_MARK.get(block.status, '')} **{_inline(block.text)}**"]
    if isinstance(block, Code):
        fence = "````" if "```" in block.text else "```"
        return [fence + block.language, block.text, fence]
    raise TypeError(f"unknown block {type(block).__name__}")


def _key_values(items: list[tuple[str, str]]) -> list[str]:
    return [f"- **{_inline(k)}**: {_inline(v)}" for k, v in items]


def _table(table: Table) -> list[str]:
    if table.caption:
        head = [f"_{_inline(table.caption)}_", ""]
    else:
        head = []
    columns = table.columns
    align = ["---:" if i < len(table.numeric) and table.numeric[i] else "---" for i in range(len(columns))]
    lines = head + ["| " + " | ".join(_cell(c) for c in columns) + " |", "| " + " | ".join(align) + " |"]
    for i, row in enumerate(table.rows):
        cells = [_cell(c) for c in row]
        if table.statuses is not None:
            col = table.status_column
            cells[col] = f"{STATUS_MARK.get(table.statuses[i], '')} {cells[col]}".strip()
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def plain_cell(value: object) -> str:
    """A value as a Markdown table cell, as it is (no escaping but the cell separator): for renderers whose cells
    hold their own inline Markdown (`code`, **bold**)."""
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")


def plain_table(header: list[str], rows: list[list[object]]) -> list[str]:
    """A Markdown table of plain_cell values, followed by a blank line."""
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(plain_cell(c) for c in r) + " |" for r in rows]
    return out + [""]


def _cell(text: str) -> str:
    return _inline(text).replace("|", "\\|").replace("\n", " ") if text else ""


def _inline(text: str) -> str:
    """Text as Markdown: characters that would start markup inside a line are escaped, except inline code
    (`…`), which reports use for commands and manifest keys."""
    out = []
    for i, part in enumerate(str(text).split("`")):
        if i % 2 == 1:
            out.append(f"`{part}`")
        else:
            out.append(part.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("<", "&lt;")
                       .replace("[", "\\["))
    return "".join(out)
