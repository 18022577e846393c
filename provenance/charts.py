"""A report_doc.Chart as an inline SVG string: no script, no external font or file, deterministic.

Kinds: `bar` (vertical bars), `hbar` (horizontal bars, for long labels such as source names), `share` (one 100%
stacked bar with a legend: a mix), `histogram` (bars over adjacent ranges, no gap between them).

Made to be read on paper as well as on screen: white background, the Okabe-Ito colour-blind-safe palette, every
bar or segment carries its value label, and the segments of a `share` chart also differ by pattern (hatching,
dots…) so the mix reads in greyscale. Labels are sized by estimating text widths (a CJK character counts double),
long labels are cut with "…" and keep their full text in a `<title>` tooltip.

What tests and readers can rely on: the root `<svg>` has `role="img"`, an `aria-label`, a `<title>`, a `<desc>`
listing every value, `data-chart-id` (the Chart's chart_id) and `data-kind`; every data point is one element of
class `mark` (a `<rect>`, present even for a zero value, with `data-value`); every text is escaped, so the output
parses as XML. A chart with no labels, or whose values are all zero (or not finite), renders as a small "no data"
figure (class `no-data`, no marks). Negative values are drawn as zero-size marks (the charts show counts and
shares); their value label still shows.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
import unicodedata

from provenance.report_doc import Chart

SVG_NS = "http://www.w3.org/2000/svg"
FONT_FAMILY = ('system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", '
               '"Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans", "DejaVu Sans", sans-serif')

WIDTH = 640                      # viewBox width; the figure scales down with its container
FONT = 12                        # label font size (px in viewBox units)
TITLE_FONT = 14
INK = "#1a1a1a"
MUTED = "#555555"
AXIS = "#777777"
BAR_COLOUR = "#0072B2"           # Okabe-Ito blue: dark enough for black-and-white print

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
# (colour, whether it is light: light fills get dark hatching and dark fills light hatching)
PALETTE: list[tuple[str, bool]] = [
    ("#0072B2", False),  # blue
    ("#E69F00", True),   # orange
    ("#009E73", False),  # bluish green
    ("#CC79A7", True),   # reddish purple
    ("#56B4E9", True),   # sky blue
    ("#D55E00", False),  # vermillion
    ("#F0E442", True),   # yellow
    ("#666666", False),  # grey
]

# Pattern overlays for `share` segments, so neighbours differ in greyscale too. Each is drawn in an 8x8 tile.
PATTERNS: list[str] = [
    "",                                                                      # solid
    '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke-width="1.6"/>',     # diagonal lines
    '<circle cx="2" cy="2" r="1.3" stroke="none"/><circle cx="6" cy="6" r="1.3" stroke="none"/>',  # dots
    '<path d="M0,2 h8 M0,6 h8" stroke-width="1.4"/>',                        # horizontal lines
    '<path d="M0,0 l8,8 M8,0 l-8,8" stroke-width="1.2"/>',                   # crosshatch
    '<path d="M2,0 v8 M6,0 v8" stroke-width="1.4"/>',                        # vertical lines
    '<path d="M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4" stroke-width="1.6"/>',        # reverse diagonal
]
# 8 colours and 7 patterns: past the 8th segment a colour comes back with another pattern (56 distinct fills).

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


# ----------------------------------------------------------------------------------------------------- helpers

def esc(text: object) -> str:
    """Escape for XML/HTML text and attribute values (also drops characters XML cannot hold)."""
    return html.escape(_INVALID_XML.sub("", str(text)), quote=True)


def char_units(ch: str) -> float:
    """Width of one character in half-em units: CJK and other wide characters count 2, the rest about 1."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2.0
    if unicodedata.combining(ch):
        return 0.0
    if ch in "il.,:;|!'`()[]{} ":
        return 0.6
    if ch in "mwMW@%":
        return 1.5
    return 1.0


UNIT_EM = 0.6  # one half-em unit: about the average Latin letter of a wide sans (DejaVu Sans, the usual fallback)


def text_width(text: str, font_size: float = FONT) -> float:
    """Estimated rendered width of `text` in px at `font_size`: a unit is 0.6 em, so a CJK character is
    estimated at 1.2 em (more than its real 1 em): with narrower fonts labels only get more room."""
    return sum(char_units(ch) for ch in text) * UNIT_EM * font_size


def fit_text(text: str, max_width: float, font_size: float = FONT) -> str:
    """`text` cut to fit `max_width` (estimated), ending with "…" when cut."""
    if text_width(text, font_size) <= max_width:
        return text
    ellipsis = text_width("…", font_size)
    out, used = [], 0.0
    for ch in text:
        w = char_units(ch) * UNIT_EM * font_size
        if used + w + ellipsis > max_width:
            break
        out.append(ch)
        used += w
    return "".join(out).rstrip() + "…"


def num(x: float) -> str:
    """A coordinate as short deterministic text (2 decimals at most)."""
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _value(v: object) -> float:
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return f if math.isfinite(f) else 0.0


def _format_value(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.4g}"


def _points(chart: Chart) -> list[tuple[str, float, str]]:
    """(label, value, value label) per data point; missing labels or value labels are filled in."""
    out = []
    for i, raw in enumerate(chart.values):
        v = _value(raw)
        label = chart.labels[i] if i < len(chart.labels) else ""
        vlabel = chart.value_labels[i] if i < len(chart.value_labels) else _format_value(v)
        out.append((str(label), v, str(vlabel)))
    return out


def dom_id_for(chart: Chart) -> str:
    """A deterministic id for the chart's internal references: its chart_id, or a hash of its content."""
    if chart.chart_id:
        return "chart-" + (_ID_UNSAFE.sub("-", chart.chart_id).strip("-") or "x")
    digest = hashlib.sha1(repr((chart.kind, chart.title, list(chart.labels), list(chart.values),
                                list(chart.value_labels), chart.unit)).encode("utf-8")).hexdigest()[:10]
    return "chart-" + digest


def _text(x: float, y: float, content: str, *, size: float = FONT, anchor: str = "start", cls: str = "",
          fill: str = INK, weight: str = "", extra: str = "", full: str | None = None) -> str:
    """A <text>; `full` (the uncut label) becomes a <title> tooltip when the shown text was shortened."""
    attrs = [f'x="{num(x)}"', f'y="{num(y)}"', f'font-size="{num(size)}"', f'fill="{fill}"']
    if anchor != "start":
        attrs.append(f'text-anchor="{anchor}"')
    if weight:
        attrs.append(f'font-weight="{weight}"')
    if cls:
        attrs.append(f'class="{cls}"')
    if extra:
        attrs.append(extra)
    tip = f"<title>{esc(full)}</title>" if full is not None and full != content else ""
    return f'<text {" ".join(attrs)}>{tip}{esc(content)}</text>'


def _halo() -> str:
    # A white outline behind value labels drawn over bars or patterns keeps them readable in colour and in grey.
    return 'stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"'


def _open_svg(chart: Chart, dom_id: str, height: float, points: list[tuple[str, float, str]],
              extra_class: str = "") -> list[str]:
    label = chart.title + (f" ({chart.unit})" if chart.unit else "")
    desc = "; ".join(f"{lab}: {vl}" for lab, _, vl in points)
    cls = "chart" + (f" {extra_class}" if extra_class else "")
    return [
        f'<svg xmlns="{SVG_NS}" class="{cls} chart-{esc(chart.kind)}" id="{esc(dom_id)}" '
        f'data-chart-id="{esc(chart.chart_id)}" data-kind="{esc(chart.kind)}" role="img" '
        f'aria-label="{esc(label)}" aria-describedby="{esc(dom_id)}-desc" '
        f'viewBox="0 0 {WIDTH} {num(height)}" width="{WIDTH}" height="{num(height)}" '
        f'preserveAspectRatio="xMinYMin meet" font-family="{esc(FONT_FAMILY)}">',
        f"<title>{esc(label)}</title>",
        f'<desc id="{esc(dom_id)}-desc">{esc(desc)}</desc>',
        f'<rect class="chart-bg" x="0" y="0" width="{WIDTH}" height="{num(height)}" fill="#ffffff"/>',
    ]


def _heading(chart: Chart) -> tuple[list[str], float]:
    """Title (and unit line) at the top; returns the elements and the y where the plot may start."""
    parts = [_text(0, TITLE_FONT + 2, fit_text(chart.title, WIDTH, TITLE_FONT), size=TITLE_FONT, weight="bold",
                   cls="chart-title", full=chart.title)]
    y = TITLE_FONT + 10
    if chart.unit:
        parts.append(_text(0, y + FONT, fit_text(chart.unit, WIDTH), size=FONT - 1, fill=MUTED, cls="chart-unit",
                           full=chart.unit))
        y += FONT + 6
    return parts, y + 8


def _mark(x: float, y: float, w: float, h: float, fill: str, value: float, label: str, vlabel: str,
          i: int, extra: str = "") -> str:
    return (f'<rect class="mark" data-index="{i}" data-value="{esc(repr(value))}" x="{num(x)}" y="{num(y)}" '
            f'width="{num(max(w, 0))}" height="{num(max(h, 0))}" fill="{fill}"{extra}>'
            f"<title>{esc(label)}: {esc(vlabel)}</title></rect>")


# ------------------------------------------------------------------------------------------------------ kinds

def _no_data(chart: Chart, dom_id: str, no_data: str) -> str:
    height = 96.0
    parts = _open_svg(chart, dom_id, height, [], extra_class="no-data")
    head, y = _heading(chart)
    parts += head
    box_h = height - y - 4
    parts.append(f'<rect class="no-data-box" x="1" y="{num(y)}" width="{WIDTH - 2}" height="{num(box_h)}" '
                 f'fill="#ffffff" stroke="{AXIS}" stroke-dasharray="4 3"/>')
    parts.append(_text(WIDTH / 2, y + box_h / 2 + FONT / 2 - 1, no_data, anchor="middle", fill=MUTED,
                       cls="no-data-text"))
    parts.append("</svg>")
    return "".join(parts)


def _hbar(chart: Chart, dom_id: str, points: list[tuple[str, float, str]]) -> str:
    row_h, bar_h, gap = 24.0, 16.0, 8.0
    label_w = min(max(text_width(lab) for lab, _, _ in points) + 4, WIDTH * 0.42)
    value_w = min(max(text_width(vl) for _, _, vl in points) + 8, WIDTH * 0.25)
    x0 = label_w + gap
    plot_w = WIDTH - x0 - value_w - 2
    vmax = max(max(v for _, v, _ in points), 0.0)
    head, y0 = _heading(chart)
    height = y0 + row_h * len(points) + 6
    parts = _open_svg(chart, dom_id, height, points) + head
    for i, (lab, v, vl) in enumerate(points):
        y = y0 + i * row_h
        w = plot_w * max(v, 0.0) / vmax
        cy = y + bar_h / 2 + FONT / 2 - 1.5
        parts.append(_text(label_w, cy, fit_text(lab, label_w), anchor="end", cls="label", full=lab))
        parts.append(_mark(x0, y, w, bar_h, BAR_COLOUR, v, lab, vl, i))
        parts.append(_text(x0 + w + 4, cy, fit_text(vl, value_w), cls="value", full=vl))
    parts.append(f'<line class="axis" x1="{num(x0)}" y1="{num(y0 - 3)}" x2="{num(x0)}" '
                 f'y2="{num(y0 + row_h * len(points) - gap + 3)}" stroke="{AXIS}" stroke-width="1"/>')
    parts.append("</svg>")
    return "".join(parts)


def _columns(chart: Chart, dom_id: str, points: list[tuple[str, float, str]], adjacent: bool) -> str:
    """Vertical bars (`bar`) or adjacent bars over ranges (`histogram`)."""
    n = len(points)
    plot_h = 180.0
    left, right = 4.0, 4.0
    slot = (WIDTH - left - right) / n
    # Category labels: horizontal when they fit their slot, else turned 40 degrees (cut to a readable length);
    # turned labels hang to the left of their bar, so the first one may need a wider left margin.
    widest = max(text_width(lab) for lab, _, _ in points)
    rotate = widest > slot - 4
    if rotate:
        label_max = 150.0
        reach = min(widest, label_max) * math.cos(math.radians(40))
        left = max(left, reach - slot / 2 + 16)
        slot = (WIDTH - left - right) / n
        label_h = min(widest, label_max) * math.sin(math.radians(40)) + FONT + 6
    else:
        label_max = slot - 4
        label_h = FONT + 8
    bar_w = slot if adjacent else min(slot * 0.7, 72.0)
    head, y0 = _heading(chart)
    value_h = FONT + 6
    base = y0 + value_h + plot_h
    height = base + label_h + 4
    vmax = max(max(v for _, v, _ in points), 0.0)
    parts = _open_svg(chart, dom_id, height, points) + head
    value_font = FONT if all(text_width(vl) <= slot + 2 for _, _, vl in points) else FONT - 2
    for i, (lab, v, vl) in enumerate(points):
        cx = left + slot * i + slot / 2
        h = plot_h * max(v, 0.0) / vmax
        x = cx - bar_w / 2
        extra = ' stroke="#ffffff" stroke-width="1"' if adjacent else ""
        parts.append(_mark(x, base - h, bar_w, h, BAR_COLOUR, v, lab, vl, i, extra))
        parts.append(_text(cx, base - h - 4, fit_text(vl, max(slot, 24), value_font), size=value_font,
                           anchor="middle", cls="value", full=vl))
        shown = fit_text(lab, label_max)
        if rotate:
            ly = base + FONT + 2
            parts.append(_text(cx + 3, ly, shown, anchor="end", cls="label", full=lab,
                               extra=f'transform="rotate(-40 {num(cx + 3)} {num(ly)})"'))
        else:
            parts.append(_text(cx, base + FONT + 4, shown, anchor="middle", cls="label", full=lab))
    parts.append(f'<line class="axis" x1="{num(left)}" y1="{num(base)}" x2="{num(WIDTH - right)}" '
                 f'y2="{num(base)}" stroke="{AXIS}" stroke-width="1"/>')
    parts.append("</svg>")
    return "".join(parts)


def _share(chart: Chart, dom_id: str, points: list[tuple[str, float, str]]) -> str:
    total = sum(max(v, 0.0) for _, v, _ in points)
    bar_h = 34.0
    head, y0 = _heading(chart)
    # Legend: items flow left to right, wrapping; each is a swatch, the label and the value label.
    swatch, item_gap, line_h = 12.0, 18.0, 20.0
    items = []
    x, line = 0.0, 0
    for lab, _, vl in points:
        text = f"{lab} {vl}"
        shown = fit_text(text, WIDTH - swatch - 6)
        w = swatch + 6 + text_width(shown)
        if x > 0 and x + w > WIDTH:
            x, line = 0.0, line + 1
        items.append((x, line, shown, text))
        x += w + item_gap
    legend_y = y0 + bar_h + 14
    height = legend_y + (line + 1) * line_h + 2
    parts = _open_svg(chart, dom_id, height, points) + head
    defs = []
    for i in range(len(points)):
        colour, light = PALETTE[i % len(PALETTE)]
        pattern = PATTERNS[i % len(PATTERNS)]
        if pattern:
            ink = "#000000" if light else "#ffffff"
            opacity = "0.45" if light else "0.6"
            defs.append(f'<pattern id="{esc(dom_id)}-p{i}" patternUnits="userSpaceOnUse" width="8" height="8">'
                        f'<rect width="8" height="8" fill="{colour}"/>'
                        f'<g stroke="{ink}" fill="{ink}" opacity="{opacity}">{pattern}</g></pattern>')
    if defs:
        parts.append("<defs>" + "".join(defs) + "</defs>")

    def fill(i: int) -> str:
        return f"url(#{esc(dom_id)}-p{i})" if PATTERNS[i % len(PATTERNS)] else PALETTE[i % len(PALETTE)][0]

    x = 0.0
    for i, (lab, v, vl) in enumerate(points):
        w = WIDTH * max(v, 0.0) / total
        parts.append(_mark(x, y0, w, bar_h, fill(i), v, lab, vl, i, ' stroke="#ffffff" stroke-width="1"'))
        if w >= text_width(vl) * 1.1 + 8:  # bold text: about 10% wider
            parts.append(_text(x + w / 2, y0 + bar_h / 2 + FONT / 2 - 1, vl, anchor="middle", cls="value",
                               weight="bold", extra=_halo()))
        x += w
    for i, (lx, line_no, shown, full) in enumerate(items):
        ly = legend_y + line_no * line_h
        parts.append(f'<rect class="swatch" x="{num(lx)}" y="{num(ly)}" width="{num(swatch)}" '
                     f'height="{num(swatch)}" fill="{fill(i)}" stroke="{AXIS}" stroke-width="0.5"/>')
        parts.append(_text(lx + swatch + 6, ly + swatch - 1.5, shown, cls="legend", full=full))
    parts.append("</svg>")
    return "".join(parts)


# -------------------------------------------------------------------------------------------------------- API

def render_chart(chart: Chart, *, dom_id: str | None = None, no_data: str = "No data") -> str:
    """The chart as an `<svg>` element (a string, valid XML, no script). `dom_id` is the element id and the
    prefix of its internal ids (patterns, desc): give each chart of a page its own, e.g. prefixed by the
    language when one page holds the same chart twice. `no_data` is the text of the empty figure."""
    dom_id = _ID_UNSAFE.sub("-", dom_id) if dom_id else dom_id_for(chart)
    points = _points(chart)
    if not points or not any(v > 0 for _, v, _ in points):
        return _no_data(chart, dom_id, no_data)
    if chart.kind == "hbar":
        return _hbar(chart, dom_id, points)
    if chart.kind == "bar":
        return _columns(chart, dom_id, points, adjacent=False)
    if chart.kind == "histogram":
        return _columns(chart, dom_id, points, adjacent=True)
    if chart.kind == "share":
        return _share(chart, dom_id, points)
    raise ValueError(f"unknown chart kind {chart.kind!r} (bar, hbar, share, histogram)")
