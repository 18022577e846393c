"""Charts as inline SVG: one mark per data point, sizes proportional to values, text escaped, CJK labels,
a "no data" figure for empty data, deterministic output."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from provenance.charts import render_chart, text_width
from provenance.report_doc import Chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    return root


def _marks(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter() if "mark" in e.get("class", "").split()]


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(SVG + "text")]


def _chart(kind: str, values: list[float], labels: list[str] | None = None, **kw) -> Chart:
    labels = labels if labels is not None else [f"item {i}" for i in range(len(values))]
    return Chart(kind=kind, title=kw.pop("title", f"A {kind} chart"), labels=labels, values=values,  # type: ignore
                 value_labels=kw.pop("value_labels", [f"{v:g}" for v in values]), chart_id=kw.pop("chart_id", kind),
                 **kw)


@pytest.mark.parametrize("kind", ["bar", "hbar", "share", "histogram"])
def test_one_mark_per_data_point_with_its_value_label_and_accessible_root(kind: str) -> None:
    values = [40.0, 10.0, 25.0, 5.0, 20.0]
    root = _parse(render_chart(_chart(kind, values, unit="documents")))
    marks = _marks(root)
    assert len(marks) == len(values)
    assert [float(m.get("data-value")) for m in marks] == values
    assert root.get("role") == "img" and root.get("data-chart-id") == kind and root.get("data-kind") == kind
    assert root.get("aria-label") == f"A {kind} chart (documents)"
    assert root.find(SVG + "title").text == f"A {kind} chart (documents)"
    desc = root.find(SVG + "desc").text
    assert "item 0: 40" in desc and "item 4: 20" in desc
    texts = _texts(root)
    for v in values:
        assert any(t == f"{v:g}" or t.endswith(f" {v:g}") for t in texts), f"value label {v:g} shown"
    assert "<script" not in render_chart(_chart(kind, values))


@pytest.mark.parametrize("kind,size", [("bar", "height"), ("histogram", "height"), ("hbar", "width"),
                                       ("share", "width")])
def test_mark_sizes_are_proportional_to_values(kind: str, size: str) -> None:
    values = [30.0, 15.0, 7.5, 0.0, 60.0]
    marks = _marks(_parse(render_chart(_chart(kind, values))))
    sizes = [float(m.get(size)) for m in marks]
    assert sizes[3] == 0.0, "a zero value is a zero-size mark, still present"
    for v, s in zip(values, sizes):
        assert s == pytest.approx(sizes[4] * v / 60.0, abs=0.02)
    if kind == "share":
        assert sum(sizes) == pytest.approx(float(_parse(render_chart(_chart(kind, values))).get("width")), abs=0.05)


def test_bars_stand_on_one_baseline_and_histogram_bars_touch() -> None:
    bars = _marks(_parse(render_chart(_chart("bar", [3, 1, 2]))))
    bottoms = {round(float(m.get("y")) + float(m.get("height")), 2) for m in bars}
    assert len(bottoms) == 1
    hist = _marks(_parse(render_chart(_chart("histogram", [3, 1, 2], labels=["0-10", "10-20", "20-30"]))))
    for left, right in zip(hist, hist[1:]):
        assert float(left.get("x")) + float(left.get("width")) == pytest.approx(float(right.get("x")), abs=0.02)
    gaps = [float(b.get("x")) - float(a.get("x")) - float(a.get("width")) for a, b in zip(bars, bars[1:])]
    assert all(g > 1 for g in gaps), "plain bars keep a gap"


@pytest.mark.parametrize("kind", ["bar", "hbar", "share", "histogram"])
def test_every_text_is_escaped(kind: str) -> None:
    evil = '<script>alert("x")</script> & \'q\''
    chart = _chart(kind, [1.0, 2.0], labels=[evil, "b&b"], value_labels=["<1>", "2 & more"],
                   title="T <b>&", unit='"u"', chart_id='id" onload="x')
    svg = render_chart(chart)
    assert "<script" not in svg and "<b>" not in svg and 'onload="x"' not in svg
    root = _parse(svg)  # parses as XML: nothing unescaped broke it
    assert root.get("data-chart-id") == 'id" onload="x'
    all_text = " ".join(_texts(root)) + " ".join(t.text or "" for t in root.iter(SVG + "title"))
    assert "<script>" in all_text and "b&b" in all_text and "<1>" in all_text and "T <b>&" in all_text


@pytest.mark.parametrize("kind", ["bar", "hbar", "share", "histogram"])
@pytest.mark.parametrize("values", [[], [0.0, 0.0], [float("nan")]])
def test_empty_or_zero_data_renders_a_no_data_figure(kind: str, values: list[float]) -> None:
    svg = render_chart(_chart(kind, values, labels=["a"] * len(values)), no_data="无数据")
    root = _parse(svg)
    assert "no-data" in root.get("class").split()
    assert _marks(root) == []
    assert "无数据" in _texts(root)
    assert root.get("role") == "img" and root.get("data-chart-id") == kind


@pytest.mark.parametrize("kind", ["bar", "hbar", "share", "histogram"])
def test_cjk_labels_are_kept_and_the_font_stack_covers_them(kind: str) -> None:
    labels = ["中文网页语料", "古籍", "English news"]
    root = _parse(render_chart(_chart(kind, [5.0, 3.0, 2.0], labels=labels, title="来源的文档数")))
    texts = " ".join(_texts(root))
    assert "古籍" in texts and "来源的文档数" in texts
    assert "中文网页语料" in texts or "中文网页语料" in root.find(SVG + "desc").text
    assert "Noto Sans CJK SC" in root.get("font-family") and root.get("font-family").endswith("sans-serif")


def test_cjk_counts_double_in_width_estimates() -> None:
    assert text_width("中文") == pytest.approx(2 * text_width("ab"))


def test_long_labels_are_cut_with_the_full_text_as_a_tooltip() -> None:
    long = "a-very-long-source-name-" * 6
    root = _parse(render_chart(_chart("hbar", [1.0, 2.0], labels=[long, "short"])))
    label = next(t for t in root.iter(SVG + "text") if "label" in t.get("class", "") and "short" not in
                 "".join(t.itertext()))
    assert label.find(SVG + "title").text == long
    shown = (label.find(SVG + "title").tail or "")
    assert shown.endswith("…") and len(shown) < len(long)
    for mark in _marks(root):
        assert float(mark.get("x")) > 0 and float(mark.get("x")) + float(mark.get("width")) <= 640


def test_output_is_deterministic_and_share_patterns_are_scoped_by_dom_id() -> None:
    chart = _chart("share", [5.0, 3.0, 2.0, 1.0])
    assert render_chart(chart) == render_chart(chart)
    a, b = render_chart(chart, dom_id="zh-chart-share"), render_chart(chart, dom_id="en-chart-share")
    assert 'id="zh-chart-share-p1"' in a and "url(#zh-chart-share-p1)" in a
    assert "zh-chart-share" not in b
    unnamed = _chart("bar", [1.0], chart_id="")
    assert render_chart(unnamed) == render_chart(unnamed)


def test_share_legend_names_every_segment_with_its_value_label() -> None:
    chart = _chart("share", [70.0, 20.0, 10.0], labels=["中文", "English", "其他"],
                   value_labels=["70.0%", "20.0%", "10.0%"])
    root = _parse(render_chart(chart))
    legend = _texts(root)
    for label, value in zip(chart.labels, chart.value_labels):
        assert f"{label} {value}" in legend
    swatches = [e for e in root.iter(SVG + "rect") if e.get("class") == "swatch"]
    assert len(swatches) == 3
    fills = [s.get("fill") for s in swatches]
    assert len(set(fills)) == 3, "each segment has its own colour/pattern"
