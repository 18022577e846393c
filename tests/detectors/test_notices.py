"""The `notices` detector: copyright and licence notices inside documents, one row per (doc_id, kind).

Decision tested here: "copyright" used as an ordinary word ("copyright law protects…", "the copyright owner") is not a
copyright_line. A line needs © (or (c) with a year, or &copy;), "Copyright" followed by ©/(c)/a year, or
"Copyright:" at the start of a line. "(c)" alone is an enumeration marker.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import detectors
from detectors.notices import (
    RESULT_SCHEMA,
    CopyrightNoticeDetector,
    NoticeConfig,
    cc_hint,
    find_notices,
    mask_excerpt,
)
from tests.conftest import ROOT, SAMPLES

PG = "LicenseRef-Project-Gutenberg"

# (text, {kind: (count, license_hint)}, reason); the dict is every row the text must give, nothing more
CASES = [
    # English rights reservations
    ("Copyright (c) 2019 Jane Smith. All rights reserved.",
     {"copyright_line": (1, None), "all_rights_reserved": (1, None)}, "the classic book notice"),
    ("© 2021 Example Co.", {"copyright_line": (1, None)}, "the © symbol with a year"),
    ("Copyright 2020-2023 Foo Inc. and contributors", {"copyright_line": (1, None)}, "Copyright with a year range"),
    ("COPYRIGHT © EXAMPLE PRESS", {"copyright_line": (1, None)}, "upper case, symbol, no year"),
    ("Title page\nCopyright: The Estate of Nobody\n", {"copyright_line": (1, None)}, "'Copyright:' opening a line"),
    ("footer: copyright © 2018 foo. all rights reserved",
     {"copyright_line": (1, None), "all_rights_reserved": (1, None)}, "lower-case forms (the gated branches)"),
    ("Copyright law gives authors exclusive rights, and the copyright owner may sue for infringement.", {},
     "decision: 'copyright' as an ordinary word is not a copyright line"),
    ("Choose one: (a) apples (b) pears (c) plums.", {}, "(c) as an enumeration marker"),
    ("No part of this book may be reproduced in any form without permission.", {"no_reproduction": (1, None)},
     "the 'No part of this … may be reproduced' clause"),
    ("This article may not be reproduced without written permission.", {"no_reproduction": (1, None)},
     "'may not be reproduced without'"),
    ("The results may not be reproduced by other labs.", {}, "'may not be reproduced' about experiments"),
    # Chinese rights reservations
    ("版权所有，侵权必究。", {"zh_copyright": (1, None)}, "版权所有 and 侵权必究 are one notice"),
    ("版權所有 翻印必究", {"zh_copyright": (1, None)}, "Traditional characters"),
    ("本文版权归作者所有。", {"zh_copyright": (1, None)}, "版权归…所有"),
    ("著作权归作者所有。商业转载请联系作者获得授权，非商业转载请注明出处。",
     {"zh_copyright": (1, None), "zh_no_reprint": (2, None)}, "the common Q&A-site footer"),
    ("未经许可，不得转载。", {"zh_no_reprint": (1, None)}, "未经许可不得转载"),
    ("未经授权禁止转载", {"zh_no_reprint": (1, None)}, "未经授权禁止转载"),
    ("转载请注明出处：某某博客", {"zh_no_reprint": (1, None)}, "转载请注明出处"),
    ("本文为原创文章，转载请注明出处。", {"zh_original": (1, None), "zh_no_reprint": (1, None)}, "原创 and reprint terms"),
    ("他转载了这篇文章，大家都看到了。", {}, "转载 as an ordinary verb"),
    ("我们不得不转载这条消息。", {}, "不得不转载 is 'had to repost', not a prohibition"),
    # Creative Commons notices, with the licence they name
    ("This work is licensed under a Creative Commons Attribution-NonCommercial 4.0 International License.",
     {"cc_notice": (1, "CC-BY-NC-4.0")}, "the CC BY-NC notice: NC is kept"),
    ("Text: CC BY-SA 4.0", {"cc_notice": (1, "CC-BY-SA-4.0")}, "abbreviation"),
    ("See https://creativecommons.org/licenses/by-nd/4.0/ for details.", {"cc_notice": (1, "CC-BY-ND-4.0")},
     "a CC URL"),
    ("Data released as cc-by-nc-sa-4.0 on the hub.", {"cc_notice": (1, "CC-BY-NC-SA-4.0")}, "lower-case id"),
    ("Dedicated under CC0 1.0.", {"cc_notice": (1, "CC0-1.0")}, "CC0"),
    ("Shared under a Creative Commons Attribution-ShareAlike License.", {"cc_notice": (1, "CC-BY-SA")},
     "no version: the hint keeps the elements"),
    ("Photos CC BY 4.0; text CC BY-NC 4.0.", {"cc_notice": (2, "CC-BY-4.0 AND CC-BY-NC-4.0")},
     "two CC licences in one document"),
    ("本作品采用知识共享署名-非商业性使用-禁止演绎 4.0 国际许可协议进行许可。", {"cc_notice": (1, "CC-BY-NC-ND-4.0")},
     "the Chinese CC notice"),
    ("本站内容遵循知识共享许可协议。", {"cc_notice": (1, None)}, "a Chinese CC notice that names no licence"),
    ("Creative Commons is a nonprofit organization.", {}, "Creative Commons as an organisation, not a notice"),
    ("署名：张三", {}, "署名 as an ordinary word"),
    # Project Gutenberg
    (("The Project Gutenberg EBook of Nothing, by Nobody\n\nThis eBook is for the use of anyone anywhere at no cost\n\n"
     "*** START OF THIS PROJECT GUTENBERG EBOOK NOTHING ***\n"), {"gutenberg": (3, PG)}, "the PG header"),
    ("I first read it on Project Gutenberg.", {"gutenberg": (1, None)}, "a mention names no licence"),
    ("*** START: FULL LICENSE ***\n\nTHE FULL PROJECT GUTENBERG LICENSE", {"gutenberg": (2, PG)}, "the PG licence"),
    # software licence headers
    ("# SPDX-License-Identifier: Apache-2.0\nimport os\n", {"license_notice": (1, "Apache-2.0")}, "SPDX line"),
    (("under the terms of the GNU General Public License as published by the Free Software Foundation, either version 3"
     " of the License, or (at your option) any later version."), {"license_notice": (1, "GPL-3.0-or-later")},
     "the GPL notice"),
    ("Released under the MIT License.", {"license_notice": (1, "MIT")}, "MIT"),
    # nothing
    ("It was a bright cold day in April, and the clocks were striking thirteen.", {}, "prose without notices"),
    ("春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。", {}, "a Chinese poem"),
    ("", {}, "empty text"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[2] for c in CASES])
def test_notice_kinds_counts_and_hints(text: str, expected: dict, reason: str) -> None:
    rows = find_notices([text])
    got = {kind: (count, hint) for _, kind, count, _, hint, _ in rows}
    assert got == expected, reason
    for _, kind, _, first, _, excerpt in rows:
        assert 0 <= first < len(text), reason
        assert excerpt, reason


def test_first_start_points_at_the_notice() -> None:
    text = "Intro line.\nSome text © 2019 A. Person\n转载请注明出处"
    rows = {kind: first for _, kind, _, first, _, _ in find_notices([text])}
    assert text[rows["copyright_line"]] == "©"
    assert text[rows["zh_no_reprint"]:].startswith("转载")


def test_notices_never_span_two_documents() -> None:
    texts = ["the end. All rights", "reserved? no, a new document", "cc", "-by-4.0 is not a licence here"]
    assert find_notices(texts) == []


def test_rows_are_per_document_in_a_batch() -> None:
    texts = ["nothing here", "© 2020 X. All rights reserved.", None, "版权所有"]
    rows = [(doc, kind) for doc, kind, *_ in find_notices(texts)]
    assert rows == [(1, "copyright_line"), (1, "all_rights_reserved"), (3, "zh_copyright")]


def test_cc_hint() -> None:
    assert cc_hint("Creative Commons Attribution-NonCommercial-ShareAlike 4.0") == "CC-BY-NC-SA-4.0"
    assert cc_hint("creativecommons.org/licenses/by/3.0") == "CC-BY-3.0"
    assert cc_hint("知识共享署名-相同方式共享 4.0 国际") == "CC-BY-SA-4.0"
    assert cc_hint("creativecommons.org/publicdomain/mark/1.0") == "CC-PDM-1.0"
    assert cc_hint("CC BY-SA-ND 4.0") is None  # SA and ND together is not a licence
    assert cc_hint("Creative Commons licence") is None


# -- masking ----------------------------------------------------------------------------------------------------------
def _without(text: str, *keywords: str) -> str:
    for k in keywords:
        text = text.replace(k, "")
    return text


@pytest.mark.parametrize(("raw", "keywords", "secrets", "reason"), [
    ("© 2019 John Smith <john.smith@example.com>. All rights reserved", ["©", "All rights reserved"],
     ["John", "Smith", "2019", "example", "com"], "name, e-mail and year are masked"),
    ("Copyright (c) 2016 JackeyGao", ["Copyright", "(c)"], ["Jackey", "Gao", "2016"], "a licence file's line"),
    ("版权所有：张三工作室 电话13800138000", ["版权所有"], ["张三", "工作室", "138", "电话"], "a Chinese name and phone"),
    ("Follow on Facebook: CC BY-NC 4.0", ["CC BY-NC 4.0"], ["Face", "book", "Follow"],
     "a keyword inside a word is not kept"),
])
def test_mask_excerpt_keeps_keywords_only(raw: str, keywords: list[str], secrets: list[str], reason: str) -> None:
    masked = mask_excerpt(raw)
    assert len(masked) == len(raw), reason
    for k in keywords:
        assert k in masked, reason
    for s in secrets:
        assert s not in masked, reason
    assert not re.search(r"[A-Za-z0-9\u4e00-\u9fff]", _without(masked, *keywords)), f"{reason}: {masked}"


def test_mask_excerpt_keeps_punctuation_and_spaces() -> None:
    assert mask_excerpt("张三，你好！ ab-12 (x)") == "**，**！ **-** (*)"
    assert mask_excerpt("secret text", keep=[(0, 6)]) == "secret ****"


def test_detector_excerpt_leaks_nothing_of_the_name() -> None:
    text = "Copyright (c) 2019 Example Press Ltd. All rights reserved. Contact: editor@example-press.co.uk"
    rows = {kind: excerpt for _, kind, _, _, _, excerpt in find_notices([text])}
    for excerpt in rows.values():
        assert not re.search(r"Example|Press|Ltd|2019|editor|uk", excerpt), excerpt
    assert "Copyright (c)" in rows["copyright_line"] and "All rights reserved" in rows["all_rights_reserved"]


# -- the detector --------------------------------------------------------------------------------------------------
def _batch(texts: list[str | None]) -> pa.RecordBatch:
    return pa.record_batch({"doc_id": [f"d{i}" for i in range(len(texts))], "text": pa.array(texts, pa.string())})


def test_detector_contract() -> None:
    assert detectors.available()["notices"] is CopyrightNoticeDetector
    det = detectors.create("notices")
    assert (det.name, det.result_table) == ("notices", "notice_hits")
    assert det.config == NoticeConfig(version=1, excerpt_chars=30)
    out = det.process(_batch(["© 2020 X", "plain", None, "未经许可不得转载"]))
    assert out.schema == RESULT_SCHEMA
    assert out.column("doc_id").to_pylist() == ["d0", "d3"]
    empty = det.process(_batch(["plain text", ""]))
    assert empty.num_rows == 0 and empty.schema == RESULT_SCHEMA
    assert det.config_hash() == CopyrightNoticeDetector().config_hash()
    assert det.config_hash() != CopyrightNoticeDetector(NoticeConfig(excerpt_chars=10)).config_hash()


def test_config_is_frozen_and_validated() -> None:
    with pytest.raises(ValueError):
        NoticeConfig(excerpt_chars=-1)
    with pytest.raises(AttributeError):
        NoticeConfig().excerpt_chars = 5  # type: ignore[misc]
    short = CopyrightNoticeDetector(NoticeConfig(excerpt_chars=0)).process(_batch(["xx © 2019 Someone yy"]))
    assert short.column("excerpt").to_pylist() == ["© ****"]


def test_detector_does_not_import_provenance_or_flows() -> None:
    code = ("import sys, detectors.notices; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('provenance', 'flows')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_notices_stage_in_a_real_audit(prefect_api: None, tmp_path: Path) -> None:
    import detectors.notices  # noqa: F401  (registers the stage, as detectors/__init__ will)
    from flows.audit import run_audit

    result = run_audit(SAMPLES / "manifest.yaml", out=tmp_path, stages=["scan", "notices"])
    con = duckdb.connect(str(result.db), read_only=True)
    try:
        rows = con.execute(
            "SELECT n.kind, n.count, n.first_start, n.license_hint, n.excerpt, v.member "
            "FROM notice_hits n JOIN file_versions v USING (version_id) "
            "WHERE n.doc_id = 'en-books:en_books.tar.gz!en_books/book_03.txt#0' ORDER BY n.first_start").fetchall()
        stage_rows = con.execute("SELECT count(*) FROM stage_results WHERE stage = 'notices'").fetchone()[0]
    finally:
        con.close()
    by_kind = {r[0]: r for r in rows}
    assert set(by_kind) == {"copyright_line", "all_rights_reserved", "no_reproduction"}
    _, count, first, hint, excerpt, member = by_kind["all_rights_reserved"]
    assert (count, hint, member) == (1, None, "en_books/book_03.txt")
    assert "All rights reserved" in excerpt and not re.search(r"Example|Press|2019", excerpt)
    assert by_kind["copyright_line"][2] < first
    assert stage_rows > 0
