"""Copyright and licence notices inside documents: "All rights reserved", "© 2019 …", 版权所有,
转载请注明出处, CC licence notices, Project Gutenberg boilerplate, 原创声明, software licence headers.

One row per (doc_id, kind): how many times the kind occurs, where it first occurs, an SPDX-ish licence hint when the
notice names a licence, and a masked excerpt of the first occurrence (the notice keywords are kept, every other
letter and digit becomes '*', so no name, e-mail, number or year leaks into the catalog).

Speed: the batch's texts are joined (separated by NUL) and scanned once by one compiled regex, an alternation of
all notice kinds (see `_build`). It opens with the class of the characters notices are anchored on, chosen to be
rare (upper-case letters, symbols, a few CJK characters), so `re` skips every other position in its C search loop,
and every alternative starts with a literal or class that `re` checks without entering it. Notices that start with
a frequent lower-case letter ("all rights reserved", "copyright 2019") are compiled in only for batches that hold
one, which a few substring searches (str.find, memory speed) decide. No per-kind regex pass over the text.
Measured ≈ 50-60 MB/s on English books, 60-110 MB/s (UTF-8) on Chinese text, per core.

Deliberate choices (see tests/detectors/test_notices.py):
- "copyright" as an ordinary word ("copyright law protects…") is NOT a copyright_line: a line needs ©, (c) with a
  year, "Copyright" followed by ©/(c)/a year, or "Copyright:" at the start of a line.
- "(c)" alone is an enumeration marker, not a notice: it needs a year after it.
- CC notices need a licence context (a licence name, an abbreviation such as CC BY-NC 4.0, a creativecommons.org
  licence URL, "Creative Commons licence", 知识共享…许可协议); "Creative Commons" alone is not a notice.
- The hint for a CC notice without a version is versionless (e.g. "CC-BY-NC"), so NC/ND/SA information is kept;
  several different hints in one document are joined with " AND " in order of first appearance.

This module imports neither `provenance` nor `flows`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

import pyarrow as pa

from detectors.base import Detector, DetectorConfig, register

__all__ = ["RESULT_SCHEMA", "CopyrightNoticeDetector", "NoticeConfig", "cc_hint", "find_notices", "mask_excerpt"]

RESULT_SCHEMA = pa.schema([
    ("doc_id", pa.string()),
    ("kind", pa.string()),
    ("count", pa.int64()),
    ("first_start", pa.int64()),
    ("license_hint", pa.string()),
    ("excerpt", pa.string()),
])

KINDS = (
    "all_rights_reserved",  # "All rights reserved"
    "copyright_line",       # ©, (c) 2019, Copyright (c) …, Copyright 2019 …
    "zh_copyright",         # 版权所有, 著作权归…所有, 侵权必究
    "zh_no_reprint",        # 未经许可不得转载, 禁止转载, 转载请注明出处, 如需转载
    "zh_original",          # 本文为原创, 原创文章
    "no_reproduction",      # "No part of this publication may be reproduced", "may not be reproduced without …"
    "cc_notice",            # Creative Commons licence notices, English and Chinese
    "gutenberg",            # Project Gutenberg header, markers and licence
    "license_notice",       # software licence headers: SPDX-License-Identifier, Apache, GNU GPL family, MIT, MPL, BSD
)


@dataclass(frozen=True)
class NoticeConfig(DetectorConfig):
    version: int = 1
    excerpt_chars: int = 30  # characters of context kept (masked) on each side of the first occurrence

    def __post_init__(self) -> None:
        if not 0 <= self.excerpt_chars <= 200:
            raise ValueError(f"excerpt_chars must be between 0 and 200, got {self.excerpt_chars}")


# -- the combined pattern ------------------------------------------------------------------------------------------

_WB = "A-Za-z0-9"  # what must not precede an English keyword
_GAP = r"[^\n\x00。！？!?]"  # one character of a short gap inside a Chinese phrase
_YEAR = r"(?:19|20)\d\d(?:\s*[-–~,，]\s*(?:(?:19|20)\d\d|\d\d|present|now|今))*"
_CSYM = r"(?:[©Ⓒ]|\([Cc]\)|&copy;)"

_EN_NC = r"non[-\s]?commercial"
_EN_SA = r"share[-\s]?alike"
_EN_ND = r"no[-\s]?deriv(?:atives|s|ative\s+works)"
_EN_ELEMS = rf"(?:\s*[-–,/]?\s*(?:{_EN_NC}|{_EN_SA}|{_EN_ND}))*"
_EN_CHAIN = rf"attribution{_EN_ELEMS}"
_EN_VER = r"(?:\s*(?:licen[cs]e\s*)?(?:v(?:ersion)?\.?\s*)?\d\.\d)?(?:\s+(?:international|unported|generic))?"
_CC_ABBR_TAIL = r"(?:[-\s](?:NC|SA|ND|nc|sa|nd))*(?:[-\s]?v?\d\.\d)?(?![A-Za-z])"

_ZH_EL = r"(?:非商[业業]性?(?:使用)?|相同方式(?:共享|分享)|禁止(?:演[绎繹]|改作|衍生))"
_ZH_SEP = r"\s*[-－—–‐·、]\s*"
_ZH_CHAIN = rf"(?:署名|姓名[标標]示)(?:{_ZH_SEP}{_ZH_EL})*"
_ZH_VER = (r"(?:\s*\d\.\d)?(?:\s*(?:国际|國際|通用|中国大陆|中國大陸|中国|台灣|台湾))?"
           r"(?:\s*(?:许可协议|許可協議|授[权權]条款|授權條款|[许許]可[证證]?))?")
_CC_NAME_REST = (rf"(?i:eative\s+commons)(?:\s*\(\s*CC\s*\))?\s*[-–:,]?\s*(?:"
                 rf"(?i:{_EN_CHAIN}{_EN_VER}(?:\s+(?:public\s+)?licen[cs]e)?)"
                 rf"|(?:CC[-\s]?)?BY{_CC_ABBR_TAIL}"
                 r"|(?i:zero|cc0)(?:[-\s]?v?1\.0)?(?:\s+universal)?"
                 r"|(?i:(?:public\s+)?licen[cs]es?|public\s+domain))")
_MAY_REST = (r"(?i:y\s+not\s+be\s+(?:reproduced|reprinted|republished|redistributed|copied)"
             r"(?=[^\n\x00.]{0,40}?(?:without|in\s+whole|in\s+any\s+form)))")
_PG_REST = r"(?i:oject\s+gutenberg)(?:-tm|™|\(tm\)|-TM)?(?:\s+(?i:licen[cs]e))?"
_ZH_BARE_VER = r"\s*\d\.\d\s*(?:国际|國際|通用|中国大陆|中國大陸|许可协议|許可協議)"
_ZH_REPRINT = r"(?:[转轉][载載]|[复複][制製]|[转轉][发發]|摘[编編]|[传傳][播]|[镜鏡]像|使用|引用)"

# A branch is (kind, pre, first, second, rest, whole-word, gate):
#   first   the characters one of which the notice has at its anchor; they form the pattern's leading class, so
#           they must be rare in text: upper-case letters, symbols, a few CJK characters, '-', '/', '0'
#   pre     fixed-width text before the anchor that belongs to the notice (checked by a lookbehind), so that
#           "cc-by", "cc0" and "creativecommons.org/" can be anchored on a rare character inside them
#   second  one literal or class right after the anchor: `re` rejects an alternative on it without entering it
#   rest    the remainder; loose gaps never cross a NUL (the document separator), a newline or a sentence end
#   word    the character before the notice must not be a Latin letter or a digit
#   gate    None, or the name of a gate in _GATES: notices that start with a frequent lower-case letter
#           ("all rights reserved", "copyright 2019", "may not be reproduced") are compiled into the pattern only
#           for a batch that holds one (found by substring searches, which run at memory speed); every candidate
#           position costs a check of each alternative, and 'a', 'c', 'm', 'p' start ~15% of English positions
_NONE = ("", 0)
_ALL = re.compile(r"all\s+rights\s+reserved")
_COPYRIGHT_TAIL = rf"(?:(?:\s*{_CSYM})*\s*[:：]?\s*{_YEAR}|(?:\s*{_CSYM})+)"
_GATES: dict[str, tuple[tuple[str, re.Pattern[str] | None], ...]] = {
    # (a substring the notice starts with, the notice matched at each occurrence of it when the substring is common)
    "all": (("all rights", _ALL), ("all\nrights", _ALL)),
    "copyright": (("copyright", re.compile(rf"copyright{_COPYRIGHT_TAIL}")),),
    "creative": (("creative commons", None),),
    "may": (("may not", re.compile(r"may\s+not\s+be\s+(?:reproduced|reprinted|republished|redistributed|copied)")),),
    "project": (("project gutenberg", None),),
}
_GATE_PROBES = 2000  # occurrences of a gate's substring checked before the gate is simply opened


def _gate_open(text: str, needle: str, exact: re.Pattern[str] | None) -> bool:
    """Does `text` hold `exact` at an occurrence of `needle`? str.find runs at memory speed, unlike `re`'s own
    prefix scan, so the notice is only tried where its first word is."""
    pos = text.find(needle)
    if exact is None or pos < 0:
        return pos >= 0
    for _ in range(_GATE_PROBES):
        if exact.match(text, pos):
            return True
        pos = text.find(needle, pos + 1)
        if pos < 0:
            return False
    return True


_Branch = tuple[str, tuple[str, int], str, str, str, bool, "str | None"]
_BRANCHES: list[_Branch] = [
    # English rights reservations
    ("all_rights_reserved", _NONE, "A", "[Ll]", r"(?i:l\s+rights\s+reserved)", True, None),
    ("all_rights_reserved", _NONE, "a", "l", r"(?i:l\s+rights\s+reserved)", True, "all"),
    ("no_reproduction", _NONE, "N", "[Oo]",
     (r"(?i:\s+part\s+of\s+this\s+(?:publication|book|e-?book|work|document|site|website|article|material|report"
     r"|newsletter)\s+may\s+be\s+(?:reproduced|copied|reprinted|republished|transmitted|stored|distributed|used))"),
     True, None),
    ("no_reproduction", _NONE, "M", "[Aa]", _MAY_REST, True, None),
    ("no_reproduction", _NONE, "m", "a", _MAY_REST, True, "may"),
    # copyright lines: the keyword plus a symbol or a year (the year is part of the match, and masked)
    ("copyright_line", _NONE, "C", "[Oo]", rf"(?i:pyright){_COPYRIGHT_TAIL}", True, None),
    ("copyright_line", _NONE, "c", "o", rf"(?i:pyright){_COPYRIGHT_TAIL}", True, "copyright"),
    ("copyright_line", _NONE, "C", "[Oo]", r"(?<![^\n\x00]..)(?:pyright|PYRIGHT)\s*[:：]", False, None),
    ("copyright_line", _NONE, "©Ⓒ", "", rf"(?:\s*{_YEAR})?", False, None),
    ("copyright_line", _NONE, "(", "[Cc]", rf"\)(?:\s*(?i:copyright))?\s*{_YEAR}", False, None),
    ("copyright_line", _NONE, "&", "c", rf"opy;(?:\s*{_YEAR})?", False, None),
    # Creative Commons, English: names, abbreviations, CC0, URLs
    ("cc_notice", _NONE, "C", "[Rr]", _CC_NAME_REST, True, None),
    ("cc_notice", _NONE, "c", "r", _CC_NAME_REST, True, "creative"),
    ("cc_notice", _NONE, "C", "C", rf"[-\s]?BY{_CC_ABBR_TAIL}", True, None),
    ("cc_notice", ("cc", 2), "-", "b", rf"y{_CC_ABBR_TAIL}", True, None),
    ("cc_notice", _NONE, "C", "C", r"0(?![\w])(?:[-\s]?v?1\.0)?", True, None),
    ("cc_notice", ("cc", 2), "0", "", r"(?![\w])(?:[-\s]?v?1\.0)?", True, None),
    ("cc_notice", (r"(?i:creativecommons\.org)", 19), "/", "[lp]",
     r"(?:icenses/by(?:-nc)?(?:-sa|-nd)?/\d\.\d|icenses/by-nd-nc/1\.0|ublicdomain/(?:zero|mark)/1\.0)",
     False, None),
    ("cc_notice", _NONE, "A", "t", rf"(?i:tribution{_EN_ELEMS})\s*\d\.\d\s+(?i:international|unported|generic)",
     True, None),
    # Creative Commons, Chinese: 知识共享 names or 知识共享…许可协议; bare names need an element or a version
    ("cc_notice", _NONE, "知", "[识識]",
     (rf"共享(?:\s*[(（]?\s*(?i:creative\s+commons|cc)\s*[)）]?)?\s*[“\"「《]?\s*(?:{_ZH_CHAIN}{_ZH_VER}"
     rf"|{_GAP}{{0,8}}?(?:许可协议|許可協議|[许許]可[证證]|授[权權]条款|授權條款|[协協]议|協議))"), False, None),
    ("cc_notice", _NONE, "署", "名", rf"(?:(?:{_ZH_SEP}{_ZH_EL})+{_ZH_VER}|{_ZH_BARE_VER})", False, None),
    ("cc_notice", _NONE, "姓", "名", rf"[标標]示(?:(?:{_ZH_SEP}{_ZH_EL})+{_ZH_VER}|{_ZH_BARE_VER})", False, None),
    ("cc_notice", _NONE, "创創", "作",
     rf"共用(?:\s*{_ZH_CHAIN}{_ZH_VER}|{_GAP}{{0,8}}?(?:许可协议|許可協議|授權條款))", False, None),
    ("cc_notice", _NONE, "創", "用",
     rf"\s*CC(?:\s*{_ZH_CHAIN}{_ZH_VER}|{_GAP}{{0,8}}?(?:许可协议|許可協議|授權條款))", False, None),
    # Project Gutenberg
    ("gutenberg", _NONE, "P", "[Rr]", _PG_REST, True, None),
    ("gutenberg", _NONE, "p", "r", _PG_REST, True, "project"),
    ("gutenberg", _NONE, "*", r"\*",
     (r"\*\s*(?i:(?:start|end)\s+of\s+(?:th(?:is|e)\s+)?project\s+gutenberg(?:\s+e-?book)?"
     r"|start:\s*full\s+licen[cs]e)"), False, None),
    ("gutenberg", _NONE, "T", "h", r"is\s+(?i:e-?book)\s+is\s+for\s+the\s+use\s+of\s+anyone\s+anywhere",
     True, None),
    # Chinese rights reservations
    ("zh_copyright", _NONE, "版", "[权權]",
     (rf"(?:所有|[归歸属屬]{_GAP}{{1,20}}?所有)"
     r"(?:\s*[，,、]?\s*(?:侵[权權]必究|翻[印版]必究|[盗盜]版必究|[违違]者必究))?"), False, None),
    ("zh_copyright", _NONE, "著", "作", rf"[权權](?:所有|[归歸属屬]{_GAP}{{1,20}}?所有)", False, None),
    ("zh_copyright", _NONE, "侵", "[权權]", r"必究", False, None),
    ("zh_copyright", _NONE, "翻", "[印版]", r"必究", False, None),
    ("zh_copyright", _NONE, "盗盜", "版", r"必究", False, None),
    ("zh_no_reprint", _NONE, "未", "[经經]",
     (rf"(?:[过過])?{_GAP}{{0,10}}?(?:[许許]可|授[权權]|允[许許]|同意){_GAP}{{0,10}}?"
     rf"(?:不得|禁止|[严嚴]禁|[请請]勿|[谢謝][绝絕]|不可|不准|不允[许許]){_GAP}{{0,8}}?{_ZH_REPRINT}"),
     False, None),
    ("zh_no_reprint", _NONE, "禁", "止", rf"{_GAP}{{0,6}}?[转轉][载載]", False, None),
    ("zh_no_reprint", _NONE, "严嚴", "禁", rf"{_GAP}{{0,6}}?[转轉][载載]", False, None),
    ("zh_no_reprint", _NONE, "谢謝", "[绝絕]", rf"{_GAP}{{0,4}}?[转轉][载載]", False, None),
    ("zh_no_reprint", _NONE, "请請", "勿", rf"{_GAP}{{0,4}}?[转轉][载載]", False, None),
    ("zh_no_reprint", _NONE, "不", "得", rf"(?!不){_GAP}{{0,4}}?[转轉][载載]", False, None),
    ("zh_no_reprint", _NONE, "转轉", "[载載]",
     (r"(?:[请請]|时[请請]|時[請请]|[须須需]|必[须須])(?:务必|務必)?"
     r"(?:[注註]明|[标標]明|保留|[联聯][系繫络絡]|[经經]|取得)"), False, None),
    ("zh_no_reprint", _NONE, "如", "[需须須要欲]", r"(?:[转轉][载載]|[转轉][发發])", False, None),
    ("zh_original", _NONE, "本", "[文篇帖]", r"(?:[为為系係是属屬])(?:作者|本人|博主|笔者|筆者)?原[创創]",
     False, None),
    ("zh_original", _NONE, "原", "[创創]", r"(?:文章|作品|内容|內容|[声聲]明|稿件)", False, None),
    # software licence headers
    ("license_notice", _NONE, "S", "P",
     r"DX-License-Identifier:\s*[A-Za-z0-9.+-]+(?:\s+(?:AND|OR|WITH)\s+\(?[A-Za-z0-9.+-]+\)?)*", True, None),
    ("license_notice", _NONE, "A", "p", r"ache\s+(?i:licen[cs]e)(?:,?\s*(?i:version|v\.?)\s*\d\.\d)?", True, None),
    ("license_notice", _NONE, "G", "N",
     (r"U\s+(?i:(?:lesser\s+|library\s+|affero\s+)?general\s+public\s+licen[cs]e)"
     r"(?i:(?:,?\s*v(?:ersion)?\.?\s*\d(?:\.\d)?)?(?:\s+as\s+published\s+by\s+the\s+free\s+software\s+foundation)?"
     r"(?:[,;]?\s*(?:either\s+)?version\s+\d(?:\.\d)?(?:\s+of\s+the\s+license)?)?"
     r"(?:,?\s*or\s*\(at\s+your\s+option\)\s*any\s+later\s+version)?)"), True, None),
    ("license_notice", _NONE, "M", "I", r"T\s+(?i:licen[cs]e)", True, None),
    ("license_notice", _NONE, "M", "o", r"zilla\s+(?i:public\s+licen[cs]e)(?:,?\s*(?i:version|v\.?)\s*\d\.\d)?",
     True, None),
    ("license_notice", _NONE, "P", "e", r"rmission\s+is\s+hereby\s+granted,\s+free\s+of\s+charge", True, None),
    ("license_notice", _NONE, "R", "e", r"distribution\s+and\s+use\s+in\s+source\s+and\s+binary\s+forms",
     True, None),
]


@lru_cache(maxsize=64)
def _build(gates: frozenset[str]) -> tuple[re.Pattern[str], dict[str, tuple[str, int]]]:
    """One pattern: [all anchors] (?: second (?<=pre anchor .) rest (?P<bN>) | … ), with the branches whose gate
    is open (or that have none).

    `re` uses the leading class to skip, in C, every position that cannot anchor a notice; at the others each
    alternative is rejected by its second character (a literal or class, which `re` checks without entering the
    alternative). The empty named group at the end of an alternative tells which branch matched; the match starts
    at the anchor, so the notice starts len(pre) characters earlier.
    """
    branch_of: dict[str, tuple[str, int]] = {}
    alternatives = []
    lead: set[str] = set()
    for i, (kind, (pre, width), first, second, rest, word, gate) in enumerate(_BRANCHES):
        if gate is not None and gate not in gates:
            continue
        lead.update(first)
        name = f"b{i}"
        branch_of[name] = (kind, width)
        anchor = "[" + re.escape(first) + "]"
        consumed = 2 if second else 1
        wb = rf"(?<![{_WB}][\s\S]{{{width + consumed}}})" if word else ""
        dot = "." if second else ""
        alternatives.append(f"{second}(?<={pre}{anchor}{dot}){wb}{rest}(?P<{name}>)")
    pattern = re.compile("[" + re.escape("".join(sorted(lead))) + "](?:" + "|".join(alternatives) + ")")
    return pattern, branch_of


def _pattern_for(text: str) -> tuple[re.Pattern[str], dict[str, tuple[str, int]]]:
    """The pattern for one batch: the gated branches only where the batch holds such a notice."""
    open_gates = frozenset(name for name, tests in _GATES.items()
                           if any(_gate_open(text, needle, exact) for needle, exact in tests))
    return _build(open_gates)




# -- licence hints -------------------------------------------------------------------------------------------------
_CC_VERSIONS = {"1.0", "2.0", "2.5", "3.0", "4.0"}
_HAS_NC = re.compile(r"non[-\s]?commercial|(?<![a-z])nc(?![a-z])|非商", re.IGNORECASE)
_HAS_SA = re.compile(r"share[-\s]?alike|(?<![a-z])sa(?![a-z])|相同方式", re.IGNORECASE)
_HAS_ND = re.compile(r"no[-\s]?deriv|(?<![a-z])nd(?![a-z])|禁止(?:演|改|衍)", re.IGNORECASE)
_HAS_BY = re.compile(r"attribution|(?<![a-z])by(?![a-z])|署名|姓名[标標]示", re.IGNORECASE)
_HAS_ZERO = re.compile(r"cc0|zero|公共领域贡献", re.IGNORECASE)
_VERSION = re.compile(r"(?<![\d.])(\d\.\d)(?![\d.])")


def cc_hint(text: str) -> str | None:
    """An SPDX-ish id for a CC notice: CC-BY-NC-SA-4.0, CC0-1.0, CC-PDM-1.0, or versionless CC-BY-NC; else None."""
    if "publicdomain/mark" in text:
        return "CC-PDM-1.0"
    if _HAS_ZERO.search(text):
        return "CC0-1.0"
    if not _HAS_BY.search(text):
        return None
    nc, sa, nd = bool(_HAS_NC.search(text)), bool(_HAS_SA.search(text)), bool(_HAS_ND.search(text))
    if sa and nd:
        return None
    parts = ["CC-BY"] + (["NC"] if nc else []) + (["SA"] if sa else []) + (["ND"] if nd else [])
    v = _VERSION.search(text)
    if v:
        if v.group(1) not in _CC_VERSIONS:
            return None
        parts.append(v.group(1))
    return "-".join(parts)


_GNU = re.compile(r"GNU\s+(lesser\s+|library\s+|affero\s+)?general", re.IGNORECASE)
_GNU_VERSION = re.compile(r"(?:version|v\.?)\s*(\d(?:\.\d)?)", re.IGNORECASE)
_NOTICE_VERSION = re.compile(r"(\d\.\d)")


def _license_hint(text: str) -> str | None:
    if text.startswith("SPDX"):
        return text.split(":", 1)[1].strip() or None
    if text.startswith("Apache"):
        v = _NOTICE_VERSION.search(text)
        return f"Apache-{v.group(1)}" if v else None
    if text.startswith("Mozilla"):
        v = _NOTICE_VERSION.search(text)
        return f"MPL-{v.group(1)}" if v else None
    if text.startswith(("MIT", "Permission")):
        return "MIT"
    g = _GNU.match(text)
    if g:
        kind = (g.group(1) or "").strip().lower()
        family = {"lesser": "LGPL", "library": "LGPL", "affero": "AGPL"}.get(kind, "GPL")
        v = _GNU_VERSION.search(text)
        if not v:
            return family
        ver = v.group(1) if "." in v.group(1) else v.group(1) + ".0"
        later = re.search(r"any\s+later\s+version", text, re.IGNORECASE)
        return f"{family}-{ver}" + ("-or-later" if later else "")
    return None


def _hint(kind: str, text: str) -> str | None:
    if kind == "cc_notice":
        return cc_hint(text)
    if kind == "gutenberg":
        low = text.lower()
        return "LicenseRef-Project-Gutenberg" if ("licen" in low or "anyone anywhere" in low) else None
    if kind == "license_notice":
        return _license_hint(text)
    return None


# -- masking -------------------------------------------------------------------------------------------------------
_KEEP_EN = "|".join([
        r"all\s+rights\s+reserved", r"copyright", r"\(c\)", r"&copy;", r"[©Ⓒ]",
        rf"(?:creative\s+commons\s*(?:\(\s*cc\s*\)\s*)?)?{_EN_CHAIN}{_EN_VER}(?:\s+(?:public\s+)?licen[cs]e)?",
        r"creative\s+commons(?:\s+(?:zero|licen[cs]es?|public\s+domain))?", r"(?-i:CC[-\s]?BY)" + _CC_ABBR_TAIL,
        r"(?-i:cc-by)" + _CC_ABBR_TAIL, r"cc0(?:[-\s]?1\.0)?", r"creativecommons\.org/[a-z/.0-9-]+",
        r"project\s+gutenberg(?:-tm|™)?(?:\s+licen[cs]e)?", r"\*{3}\s*(?:start|end)\s+of(?:\s+th(?:is|e))?",
        r"e-?book", r"start:\s*full\s+licen[cs]e", r"this\s+e-?book\s+is\s+for\s+the\s+use\s+of\s+anyone\s+anywhere",
        r"no\s+part\s+of\s+this", (r"may\s+(?:not\s+)?be\s+(?:reproduced|copied|reprinted|republished|transmitted"
        r"|redistributed|stored|distributed|used)"), r"without", r"permission",
        r"spdx-license-identifier:\s*[a-z0-9.+-]+", r"apache\s+licen[cs]e(?:,?\s*(?:version|v\.?)\s*\d\.\d)?",
        r"gnu\s+(?:lesser\s+|library\s+|affero\s+)?general\s+public\s+licen[cs]e",
        r"(?:either\s+)?version\s+\d(?:\.\d)?",
        r"or\s*\(at\s+your\s+option\)\s*any\s+later\s+version", r"mit\s+licen[cs]e",
        r"mozilla\s+public\s+licen[cs]e(?:,?\s*(?:version|v\.?)\s*\d\.\d)?",
        r"permission\s+is\s+hereby\s+granted,\s+free\s+of\s+charge",
        r"redistribution\s+and\s+use\s+in\s+source\s+and\s+binary\s+forms",
])
_KEEP_ZH = "|".join([
        r"版[权權]所有", r"版[权權]", r"著作[权權]", r"所有", r"[侵翻盗盜违違][权權印版者]必究",
        r"未[经經]", r"[许許]可", r"授[权權]", r"允[许許]", r"同意", r"不得", r"禁止", r"[严嚴]禁", r"[请請]勿", r"[谢謝][绝絕]",
        _ZH_REPRINT, r"[请請]?[注註]明", r"出[处處]", r"如[需须須]", r"本[文篇帖][为為系係是属屬]?", r"原[创創]", r"文章", r"作品",
        rf"(?:知[识識]共享|创作共用|創用\s*CC)?\s*{_ZH_CHAIN}{_ZH_VER}", r"知[识識]共享", r"[许許]可[协協][议議]",
])
# English keywords only as whole words, so "book" in "Facebook" or "mit" in a name is not kept
_KEEP = re.compile(rf"(?<![A-Za-z0-9])(?:{_KEEP_EN})(?![A-Za-z0-9])|[©Ⓒ]|{_KEEP_ZH}", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def mask_excerpt(text: str, keep: list[tuple[int, int]] | None = None) -> str:
    """Mask every letter and digit outside the kept spans with '*'; punctuation (CJK too), symbols and spaces stay.

    `keep` defaults to every notice keyword found in `text` (copyright, ©, All rights reserved, 版权所有, licence
    names, …); pass spans to keep exactly those instead.
    """
    if keep is None:
        keep = [m.span() for m in _KEEP.finditer(text)]
    out = []
    pos = 0
    for start, end in sorted(keep):
        start = max(start, pos)
        if start >= end:
            continue
        out.append("".join("*" if ch.isalnum() else ch for ch in text[pos:start]))
        out.append(text[start:end])
        pos = end
    out.append("".join("*" if ch.isalnum() else ch for ch in text[pos:]))
    return "".join(out)


# -- finding -------------------------------------------------------------------------------------------------------
def _excerpt(text: str, start: int, end: int, around: int) -> str:
    piece = text[max(0, start - around):end + around].replace("\ufeff", "")
    return mask_excerpt(_SPACE.sub(" ", piece).strip())


_HINTED = frozenset({"cc_notice", "gutenberg", "license_notice"})


def find_notices(texts: list[str | None], excerpt_chars: int = 30) -> list[tuple[int, str, int, int, str | None, str]]:
    """(text index, kind, count, first_start, license_hint, excerpt) for every text and kind found, in one pass."""
    starts: list[int] = []
    pos = 0
    parts: list[str] = []
    for t in texts:
        starts.append(pos)
        t = t or ""
        parts.append(t)
        pos += len(t) + 1
    joined = "\x00".join(parts)
    found: dict[tuple[int, str], list] = {}
    doc = 0
    next_start = starts[1] if len(starts) > 1 else None
    pattern, branch_of = _pattern_for(joined)
    for m in pattern.finditer(joined):
        kind, back = branch_of[m.lastgroup]  # type: ignore[index]
        s = m.start() - back
        if next_start is not None and s >= next_start:
            doc = bisect_right(starts, s) - 1
            next_start = starts[doc + 1] if doc + 1 < len(starts) else None
        key = (doc, kind)
        entry = found.get(key)
        hint = _hint(kind, joined[s:m.end()]) if kind in _HINTED else None
        if entry is None:
            text = parts[doc]
            local = s - starts[doc]
            found[key] = [1, local, [hint] if hint else [], _excerpt(text, local, m.end() - starts[doc], excerpt_chars)]
        else:
            entry[0] += 1
            if hint and hint not in entry[2]:
                entry[2].append(hint)
    rows = []
    for (doc, kind), (count, first, hints, excerpt) in sorted(found.items(), key=lambda kv: (kv[0][0], kv[1][1])):
        rows.append((doc, kind, count, first, " AND ".join(hints) if hints else None, excerpt))
    return rows


@register
class CopyrightNoticeDetector(Detector):
    """Copyright and licence notices inside documents; one row per (doc_id, kind)."""

    name = "notices"
    result_table = "notice_hits"
    config_class = NoticeConfig

    def process(self, batch: pa.RecordBatch) -> pa.Table:
        ids = batch.column("doc_id").to_pylist()
        texts = batch.column("text").to_pylist()
        cfg: NoticeConfig = self.config  # type: ignore[assignment]
        rows = find_notices(texts, cfg.excerpt_chars)
        return pa.table({
            "doc_id": [ids[r[0]] for r in rows],
            "kind": [r[1] for r in rows],
            "count": [r[2] for r in rows],
            "first_start": [r[3] for r in rows],
            "license_hint": [r[4] for r in rows],
            "excerpt": [r[5] for r in rows],
        }, schema=RESULT_SCHEMA)
