"""The laid-out report: sections of blocks in one language, built from the report model and read by every renderer.

The report model (disclosure.json) holds the figures; `report_layout.layout(model, lang)` turns it into a Document
of the blocks below, with every number already formatted as text. The Markdown and HTML renderers only walk the
blocks, so a figure reads the same in disclosure.en.md and disclosure.html: it was formatted once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Union

Status = Literal["met", "not_met", "not_evidenced", "not_applicable", "not_run", "ok", "warning", "info"]


@dataclass(frozen=True)
class Para:
    """A paragraph of plain text (renderers escape it; no markup inside)."""

    text: str


@dataclass(frozen=True)
class KeyValues:
    """A short two-column list: label → value."""

    items: list[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    """Rows of text cells. `numeric[i]` right-aligns column i. With `statuses`, the cells of column
    `status_column` (default: the last) are shown as badges: the cell text is the translated label and
    `statuses[row]` the raw Status that picks the badge's look."""

    columns: list[str]
    rows: list[list[str]]
    numeric: list[bool] = field(default_factory=list)
    statuses: list[Status] | None = None
    caption: str | None = None
    status_column: int = -1


@dataclass(frozen=True)
class Chart:
    """A chart of labelled values. kind: `bar` (vertical bars), `hbar` (horizontal bars, for long labels),
    `share` (one 100% stacked bar with a legend: a mix), `histogram` (bars over adjacent ranges).
    `values` are plain numbers; `value_labels` their formatted text (same length) shown beside each bar; `unit`
    names what the numbers are. `series` > 1 is not supported: one chart per measure keeps them readable."""

    kind: Literal["bar", "hbar", "share", "histogram"]
    title: str
    labels: list[str]
    values: list[float]
    value_labels: list[str]
    unit: str = ""
    chart_id: str = ""


@dataclass(frozen=True)
class Callout:
    """A highlighted line: a status summary, or why a section is empty (`not_run`)."""

    status: Status
    text: str


@dataclass(frozen=True)
class Code:
    """Preformatted text, e.g. the SQL a figure comes from."""

    text: str
    language: str = ""


Block = Union[Para, KeyValues, Table, Chart, Callout, Code]


@dataclass(frozen=True)
class Section:
    section_id: str          # stable, language-independent anchor, e.g. "scale", "checklist"
    title: str
    blocks: list[Block] = field(default_factory=list)
    subsections: list["Section"] = field(default_factory=list)


@dataclass(frozen=True)
class Document:
    lang: Literal["zh", "en"]
    title: str
    subtitle: str
    summary: list[tuple[str, str]]   # the key facts shown first (dataset, provider, run, scale, findings)
    sections: list[Section]
    footer: str = ""
