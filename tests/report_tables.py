"""Reading the report's tables back out of its Markdown and HTML, to check that the figures agree with the JSON.

Tables are keyed by the language-independent section id they sit in (`scale-pretraining`, `pii-finetuning`…) and a
row by its first cell (a source id). Cells are compared as the reader sees them: text with whitespace folded.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from provenance.report_layout import Fmt, pii_rate_text


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def markdown_rows(md: str, section_id: str) -> dict[str, list[str]]:
    """Rows of the first table after the anchor of `section_id`, by first cell (Markdown escapes undone)."""
    start = md.index(f'<a id="{section_id}"></a>')
    rows: dict[str, list[str]] = {}
    in_table = False
    for line in md[start:].splitlines()[1:]:
        if line.startswith("<a id="):
            break
        if line.startswith("| "):
            cells = [_fold(c.replace("\\|", "|").replace("\\_", "_").replace("\\*", "*").replace("&lt;", "<"))
                     for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])]
            if in_table and not set("".join(cells)) <= set("-: "):
                rows.setdefault(cells[0], cells)
            in_table = True
        elif in_table:
            break
    return rows


VOID = {"meta", "link", "br", "img", "input", "hr", "col", "source", "wbr", "area", "base", "embed", "param",
        "track"}  # elements without an end tag: they close where they open


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.depth: list[int] = []
        self.level = 0
        self.tables: dict[str, list[list[str]]] = {}
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.in_svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.level += 1
        if tag == "svg":
            self.in_svg += 1
        if tag == "section" and a.get("data-section-id"):
            lang = (a.get("id") or "").split("-", 1)[0]
            self.sections.append(f"{lang}:{a['data-section-id']}")
            self.depth.append(self.level)
        elif tag == "tr" and self.sections:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        if tag in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.in_svg -= 1
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(_fold("".join(self.cell)))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables.setdefault(self.sections[-1], []).append(self.row)
            self.row = None
        elif tag == "section" and self.depth and self.depth[-1] == self.level:
            self.sections.pop()
            self.depth.pop()
        self.level -= 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.level += 1
        self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self.cell is not None and not self.in_svg:
            self.cell.append(data)


def html_rows(html: str, lang: str, section_id: str) -> dict[str, list[str]]:
    """Rows (header excluded) of the tables directly in section `section_id` of the `lang` article."""
    parser = _Tables()
    parser.feed(html)
    rows = parser.tables.get(f"{lang}:{section_id}", [])
    return {r[0]: r for r in rows[1:] if r}


def expected_scale_row(source: dict, f: Fmt) -> list[str]:
    return [source["id"], *(f.n(source["scale"][k]) for k in ("files", "documents", "bytes", "characters",
                                                               "tokens_estimated"))]


def expected_pii_cells(source: dict, f: Fmt) -> list[str]:
    """Scanned, with PI and rate: columns 2–4 of the PII table."""
    p = source["pii"]
    return [f.n(p["documents_scanned"]), f.n(p["documents_with_pii"]), pii_rate_text(p, f)]
