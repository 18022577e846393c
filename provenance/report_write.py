"""Every output of the disclosure report, rendered from one report model.

`render(model, fmt, lang)` gives one output as text (for `provenance report`); `write_report(model, out_dir)` writes
the set an audit leaves behind:

    disclosure.json                    the report model (validates against provenance/report_schema.json)
    disclosure.zh.md, disclosure.en.md the report in Chinese and English
    disclosure.html                    one self-contained page with both languages and the charts
    findings.csv                       the findings as listed in the report, with Chinese and English titles
    eu-ai-act-summary.en.md / .zh.md   the EU AI Act public summary (sections 1–3 of the 2025 template)
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from provenance import findings_zh
from provenance.errors import InputError
from provenance.findings import CODES
from provenance.render_md import render_markdown
from provenance.report_eu import layout_eu
from provenance.report_layout import layout

FORMATS = ("json", "md", "html", "eu-ai-act", "csv")
LANGS = ("zh", "en")
FINDINGS_COLUMNS = ("severity", "code", "stage", "source", "path", "member", "line", "count", "clause", "title_en",
                    "title_zh", "message", "fix")


def render(model: dict[str, Any], fmt: str, lang: str = "zh") -> str:
    if fmt not in FORMATS:
        raise InputError(f"unknown report format {fmt!r}", where="--format", fix=f"choose one of: {', '.join(FORMATS)}")
    if lang not in LANGS:
        raise InputError(f"unknown report language {lang!r}", where="--lang", fix="choose zh or en")
    if fmt == "json":
        return json.dumps(model, ensure_ascii=False, indent=2, default=str) + "\n"
    if fmt == "md":
        return render_markdown(layout(model, lang))
    if fmt == "eu-ai-act":
        return render_markdown(layout_eu(model, lang))
    if fmt == "csv":
        return findings_csv(model)
    from provenance.render_html import render_html  # jinja2 is only needed for this format

    return render_html({code: layout(model, code) for code in LANGS}, default_lang=lang)


def findings_csv(model: dict[str, Any]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(FINDINGS_COLUMNS)
    for f in model["findings"]:
        code = f["code"]
        known = code in CODES
        writer.writerow([f["severity"], code, f["stage"], f["source"] or "", f["path"] or "", f["member"] or "",
                         f["line"] if f["line"] is not None else "", f["count"], f["clause"] or "",
                         findings_zh.title(code, "en") if known else "", findings_zh.title(code, "zh") if known else "",
                         f["message"], f["fix"] or ""])
    return buf.getvalue()


def write_report(model: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    """Write every output; each file appears whole or not at all (written aside, then renamed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs = {
        "disclosure.json": render(model, "json"),
        "disclosure.zh.md": render(model, "md", "zh"),
        "disclosure.en.md": render(model, "md", "en"),
        "disclosure.html": render(model, "html", "zh"),
        "findings.csv": render(model, "csv"),
        "eu-ai-act-summary.en.md": render(model, "eu-ai-act", "en"),
        "eu-ai-act-summary.zh.md": render(model, "eu-ai-act", "zh"),
    }
    written = {}
    for name, text in outputs.items():
        path = out_dir / name
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        written[name] = path
    return written
