"""Which licence does a LICENSE file, a dataset card or a notice state? Key phrases, not full-text comparison.

`identify_license_text(text)` reads the text of a licence file (or a notice, a header, a short id) and returns a
`LicenseTextMatch` with an SPDX id (or a LicenseRef id), a confidence, what matched and how:
- "title"        the licence's name at the top of the text ("Attribution-ShareAlike 4.0 International",
                 "GNU GENERAL PUBLIC LICENSE Version 3, 29 June 2007", "The MIT License (MIT)", a bare id "cc-by-4.0")
- "key-phrases"  clauses that identify the text ("Permission is hereby granted, free of charge" + "The above copyright
                 notice … shall be included" = MIT; "Redistribution and use in source and binary forms" + "Neither the
                 name of" = BSD-3-Clause), a notice that names a licence, an SPDX-License-Identifier line
- "url"          a licence URL (creativecommons.org/licenses/by-nc/4.0/, apache.org/licenses/LICENSE-2.0, …)
- "card-field"   (from `license_from_dataset_card`) the `license:` field of a card's YAML front matter or its
                 "## License" section

Files have varied whitespace, headers, copyright lines and markdown, so the text is normalised (whitespace runs,
quotes, dashes) and every rule produces candidates; the answer is the most confident candidate, the earliest one on
a tie. Licence texts mention other licences (the CC 4.0 legal code ends by saying its own text is under CC0, the GPL
text mentions the LGPL and the AGPL, the MPL text names the GPL family as "Secondary Licenses"), which is why the
name at the top of the text outranks later mentions.

Decisions:
- NC vs non-NC, ND vs SA are read from the full element chain of the name ("Attribution-NonCommercial-ShareAlike"),
  the abbreviation ("BY-NC-SA") or the URL path ("by-nc-sa"); SA together with ND is not a licence (None).
- A licence named without the version an id needs ("CC BY-NC", "GNU GPL", "BSD licence", "Apache License") gives
  `spdx=None`, confidence 0.5 and the name in `matched`: the caller normalises it (normalize.py has the rules for
  versionless names). Versions that exist only once are filled in: ODC-By/ODbL/PDDL 1.0, CDLA-Sharing 1.0, CC0 1.0.
- GPL/LGPL/AGPL: "-or-later" only when the text says "or (at your option) any later version" (or "+", "-or-later",
  "or any later version"); otherwise "-only". For the full licence text the "How to Apply" appendix, which always
  contains that phrase, is ignored: only a notice placed before the licence text counts. The text alone is
  "-only", as SPDX reads the deprecated bare ids.
- The Project Gutenberg licence (the "START: FULL LICENSE" boilerplate, the "Project Gutenberg License" and the
  "This eBook is for the use of anyone anywhere" header) is `LicenseRef-Project-Gutenberg`; it outranks the
  public-domain wording inside it. Plain public-domain statements that are not CC0/PDDL/Unlicense are
  `LicenseRef-Public-Domain` (confidence 0.6-0.75: they are statements, not licences, and may be jurisdiction-bound,
  e.g. "PUBLIC DOMAIN IN THE UNITED STATES").
- Jurisdiction ports of CC 3.0 and earlier (e.g. "3.0 中国大陆") are reported as the unported id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import yaml

__all__ = [
    "LicenseTextMatch",
    "identify_license_text",
    "is_dataset_card_name",
    "is_license_file_name",
    "license_candidates",
    "license_from_dataset_card",
]

METHODS = ("title", "key-phrases", "url", "card-field")
GUTENBERG = "LicenseRef-Project-Gutenberg"
PUBLIC_DOMAIN = "LicenseRef-Public-Domain"


@dataclass(frozen=True)
class LicenseTextMatch:
    spdx: str | None  # SPDX id or LicenseRef id; None when a licence is named without the version an id needs
    confidence: float  # 0..1
    matched: str  # what matched: the title line, the key phrases, the URL or the declared string (short)
    method: str  # "title" | "key-phrases" | "url" | "card-field"

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, not {self.method!r}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be within 0..1, not {self.confidence}")


@dataclass(frozen=True)
class _Cand:
    spdx: str | None
    confidence: float
    matched: str
    method: str
    pos: int


# -- normalisation --------------------------------------------------------------------------------------------------
_MAX_CHARS = 120_000  # licence files are small; a long text is read at its head and tail (where books put it)
_TOP = 200  # a name that starts within this many (normalised) characters is the title
_TRANS = str.maketrans({
    "\ufeff": " ", "\u00a0": " ", "\u3000": " ", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\uff0d": "-", "\u2122": "-tm", "\uff08": "(", "\uff09": ")", "\uff1a": ":",
})
_WS = re.compile(r"\s+")
_LEADING_DECORATION = re.compile(r"^[\s#=*_\-<>|`~]+")
# The CC 4.0 (and 3.0) legal code ends by saying that its own text is dedicated to the public domain under CC0.
_CC_FOOTER = re.compile(r"the text of the creative commons public licenses is dedicated to the public domain under "
                        r"the cc0 public domain dedication\.?", re.IGNORECASE)


def _prepare(text: str) -> str:
    if len(text) > _MAX_CHARS:
        half = _MAX_CHARS // 2
        text = text[:half] + "\n" + text[-half:]
    text = _WS.sub(" ", text.translate(_TRANS))
    text = _LEADING_DECORATION.sub("", text)
    return _CC_FOOTER.sub(" ", text)


def _short(s: str, limit: int = 120) -> str:
    s = _WS.sub(" ", s).strip()
    return s if len(s) <= limit else s[:limit - 1] + "…"


# -- Creative Commons -------------------------------------------------------------------------------------------------
_CC_VERSIONS = {"1.0", "2.0", "2.5", "3.0", "4.0"}
_NC = r"non[-\s]?commercial"
_SA = r"share[-\s]?alike"
_ND = r"no[-\s]?deriv(?:atives|s|ative\s+works)"
_CC_NAME = re.compile(
    rf"(?P<cc>creative\s+commons\s*(?:\(\s*cc\s*\)\s*)?(?:-\s*|:\s*|,\s*)?)?"
    rf"(?<![a-z])(?P<chain>attribution(?:\s*[-,/]?\s*(?:{_NC}|{_SA}|{_ND}))*)(?![a-z])"
    r"\s*(?:licen[cs]e\s*)?(?:v(?:ersion)?\.?\s*)?(?P<v>\d\.\d)?"
    r"(?P<suffix>\s*(?:international|unported|generic))?(?P<pl>\s*(?:public\s+)?licen[cs]e)?",
    re.IGNORECASE,
)
_CC_ABBR = re.compile(r"(?<![a-z0-9])(?P<cc>cc)[-\s]?(?P<by>by)(?P<el>(?:[-\s](?:nc|sa|nd))*)"
                      r"(?:[-\s]?v?(?P<v>\d\.\d))?(?![a-z0-9])", re.IGNORECASE)
_CC0 = re.compile(r"(?<![a-z0-9])(?:cc-?0|cc[-\s]zero|creative\s+commons\s+zero)(?![a-z0-9])(?:[-\s]?v?1\.0)?"
                  r"(?:\s+(?:universal|通用))?|公共领域贡献(?:宣告)?|公眾領域貢獻", re.IGNORECASE)
_CC_URL = re.compile(r"creativecommons\.org/(?:licenses/(?P<el>by(?:-nc)?(?:-sa|-nd)?|by-nd-nc)/(?P<v>\d\.\d)"
                     r"|publicdomain/(?P<pd>zero|mark)/1\.0)", re.IGNORECASE)
_ZH_EL = r"(?:非商[业業]性?(?:使用)?|相同方式(?:共享|分享)|禁止(?:演[绎繹]|改作|衍生))"
_CC_ZH = re.compile(
    rf"(?P<cc>知[识識]共享|创作共用|創作共用|創用\s*CC)?\s*(?:\(\s*(?:creative\s+commons|cc)\s*\)\s*)?"
    rf"[\"「《]?\s*(?P<chain>(?:署名|姓名[标標]示)(?:\s*[-·、]\s*{_ZH_EL})*)\s*(?P<v>\d\.\d)?",
    re.IGNORECASE,
)
_CC_GENERIC = re.compile(r"(?:under\s+(?:a|the)\s+)?creative\s+commons\s+(?:public\s+)?licen[cs]es?"
                         r"|(?:知[识識]共享|创作共用|創用\s*CC)\s*(?:许可协议|許可協議|授權條款|[许許]可[证證]?)", re.IGNORECASE)


def _cc_id(nc: bool, sa: bool, nd: bool, version: str | None) -> str | None:
    if sa and nd:
        return None
    if version is None or version not in _CC_VERSIONS:
        return None
    return "-".join(["CC-BY", *(["NC"] if nc else []), *(["SA"] if sa else []), *(["ND"] if nd else []), version])


def _elements(chain: str) -> tuple[bool, bool, bool]:
    c = chain.lower()
    nc = bool(re.search(rf"{_NC}|(?<![a-z])nc(?![a-z])|非商", c))
    sa = bool(re.search(rf"{_SA}|(?<![a-z])sa(?![a-z])|相同方式", c))
    nd = bool(re.search(rf"{_ND}|(?<![a-z])nd(?![a-z])|禁止", c))
    return nc, sa, nd


def _has(low: str, *needles: str) -> bool:
    return any(n in low for n in needles)


def _cc_rules(t: str, low: str, out: list[_Cand]) -> None:
    for m in _CC_NAME.finditer(t) if _has(low, "attribution") else ():
        named = bool(m.group("cc")) or bool(m.group("pl"))
        if not named and not (m.group("v") and m.group("suffix")):
            continue  # "attribution" as a word
        spdx = _cc_id(*_elements(m.group("chain")), m.group("v"))
        if m.group("v") is None:
            out.append(_Cand(None, 0.5, _short(m.group()), "key-phrases", m.start()))
        elif spdx:
            out.append(_named(spdx, m.start(), 0.97, 0.88, t, m.group()))
    for m in _CC_ABBR.finditer(t) if _has(low, "cc-by", "cc by", "ccby") else ():
        if m.group("cc") == "cc" and m.group()[2:3] == " ":
            continue  # lower-case "cc by" is prose, not the abbreviation
        spdx = _cc_id(*_elements(m.group("el")), m.group("v"))
        if m.group("v") is None:
            if m.group("cc") == "CC" or m.group("el"):
                out.append(_Cand(None, 0.5, _short(m.group()), "key-phrases", m.start()))
        elif spdx:
            out.append(_named(spdx, m.start(), 0.95, 0.88, t, m.group()))
    for m in _CC0.finditer(t) if _has(low, "cc0", "cc-0", "cc zero", "cc-zero", "commons zero", "公共领域贡献",
                                      "公眾領域貢獻") else ():
        out.append(_named("CC0-1.0", m.start(), 0.97, 0.88, t, m.group()))
    for m in _CC_URL.finditer(t) if _has(low, "creativecommons.org") else ():
        if m.group("pd"):
            spdx = "CC0-1.0" if m.group("pd").lower() == "zero" else "CC-PDM-1.0"
        else:
            spdx = _cc_id(*_elements(m.group("el").replace("-", " ")), m.group("v"))
        if spdx:
            out.append(_Cand(spdx, 0.9, _short(m.group()), "url", m.start()))
    for m in _CC_ZH.finditer(t) if _has(low, "署名", "姓名标示", "姓名標示") else ():
        chain = m.group("chain")
        if not (m.group("cc") or m.group("v") or re.search(_ZH_EL, chain)):
            continue  # 署名 is also an ordinary word
        spdx = _cc_id(*_elements(chain), m.group("v"))
        if m.group("v") is None:
            out.append(_Cand(None, 0.5, _short(m.group()), "key-phrases", m.start()))
        elif spdx:
            out.append(_named(spdx, m.start(), 0.95, 0.88, t, m.group()))
    for m in _CC_GENERIC.finditer(t) if _has(low, "creative commons", "知识共享", "知識共享", "创作共用", "創用") else ():
        out.append(_Cand(None, 0.4, _short(m.group()), "key-phrases", m.start()))


def _named(spdx: str | None, pos: int, title: float, elsewhere: float, t: str, matched: str) -> _Cand:
    conf, method = _placed(pos, title, elsewhere, t)
    return _Cand(spdx, conf, _short(matched), method, pos)


_NOTICE_BEFORE = re.compile(r"(?:licen[cs]ed|released|available|distributed|published|provided|made\s+available)\s+"
                            r"(?:under|with)\s+(?:the\s+|a\s+|an\s+)?(?:terms\s+of\s+(?:the\s+)?)?$"
                            r"|under\s+(?:the\s+)?terms\s+of\s+(?:the\s+)?$|(?:采用|使用|遵循|遵守|依据|根据|基于|按照)\s*$",
                            re.IGNORECASE)


def _placed(pos: int, title: float, elsewhere: float, t: str) -> tuple[float, str]:
    """(confidence, method) of a licence name: "key-phrases" when a sentence says the work is licensed under it
    (a little more than a bare mention), "title" when it opens the text, else a mention."""
    if _NOTICE_BEFORE.search(t[max(0, pos - 60):pos]):
        return min(title, elsewhere + 0.04), "key-phrases"
    if pos <= _TOP:
        return title, "title"
    return elsewhere, "key-phrases"


# -- GNU licences -----------------------------------------------------------------------------------------------------
_GNU_NAME = re.compile(r"GNU\s+(?P<kind>lesser\s+|library\s+|affero\s+)?general\s+public\s+licen[cs]e"
                       r"(?:,?\s*(?:v(?:ersion)?\.?\s*)(?P<v>\d(?:\.\d)?)(?![\d.]))?", re.IGNORECASE)
# "Version 3, 29 June 2007" after the name: the licence text itself
_GNU_DATE = re.compile(r",\s+(?:\d{1,2}\s+)?[a-z]+\s+\d{4}", re.IGNORECASE)
_GNU_NOTICE_VERSION = re.compile(r"version\s+(?P<v>\d(?:\.\d)?)(?:\s+of\s+the\s+licen[cs]e)?", re.IGNORECASE)
_LATER = re.compile(r"or\s*\(at\s+your\s+option\)\s*any\s+later\s+version|or\s+any\s+later\s+version"
                    r"|or\s+later(?:\s+version)?", re.IGNORECASE)
_LATER_AFTER_ID = re.compile(r"\s*,?\s*(?:or\s*\(at\s+your\s+option\)\s*any\s+later\s+version"
                             r"|or\s+(?:any\s+)?later(?:\s+version)?)", re.IGNORECASE)
_GNU_ABBR = re.compile(r"(?<![a-z0-9])(?:GNU\s+)?(?P<kind>[AL]?)GPL[-\s]?v?(?P<v>[123](?:\.[01])?)"
                       r"(?P<later>\+|-or-later|-only)?(?![a-z0-9]|\.\d)", re.IGNORECASE)
_GNU_VALID = {"GPL": {"1.0", "2.0", "3.0"}, "LGPL": {"2.0", "2.1", "3.0"}, "AGPL": {"1.0", "3.0"}}


def _gnu_id(family: str, version: str | None, later: bool) -> str | None:
    if version is None:
        return None
    if "." not in version:
        version += ".0"
    if version not in _GNU_VALID[family]:
        return None
    return f"{family}-{version}-{'or-later' if later else 'only'}"


def _gnu_rules(t: str, out: list[_Cand]) -> None:
    for m in _GNU_NAME.finditer(t):
        kind = (m.group("kind") or "").strip().lower()
        family = {"lesser": "LGPL", "library": "LGPL", "affero": "AGPL"}.get(kind, "GPL")
        version = m.group("v")
        date = _GNU_DATE.match(t, m.end()) if version else None
        if date:
            # the licence text itself: its "How to Apply" appendix always offers "or any later version", so only
            # a notice before the text decides
            spdx = _gnu_id(family, version, bool(_LATER.search(t, 0, m.start())))
            matched = t[m.start():date.end()]
            if spdx is None:
                out.append(_Cand(None, 0.5, _short(matched), "title", m.start()))
            else:
                out.append(_named(spdx, m.start(), 0.97, 0.9, t, matched))
            continue
        window = t[m.end():m.end() + 300]
        if version is None:
            nv = _GNU_NOTICE_VERSION.search(window)
            version = nv.group("v") if nv and nv.start() < 150 else None
        spdx = _gnu_id(family, version, bool(_LATER.search(window)))
        if spdx is None:
            out.append(_Cand(None, 0.5, _short(m.group()), "key-phrases", m.start()))
            continue
        notice = "as published by the free software foundation" in window[:80].lower()
        matched = t[m.start():m.end() + (120 if notice else 0)]
        out.append(_named(spdx, m.start(), 0.95, 0.92 if notice else 0.85, t, matched))
    for m in _GNU_ABBR.finditer(t):
        family = {"": "GPL", "l": "LGPL", "a": "AGPL"}[m.group("kind").lower()]
        suffix = (m.group("later") or "").lower()
        later = suffix in ("+", "-or-later") or (not suffix and _LATER_AFTER_ID.match(t, m.end()) is not None)
        spdx = _gnu_id(family, m.group("v"), later)
        if spdx:
            out.append(_named(spdx, m.start(), 0.93, 0.85, t, m.group()))
    for m in re.finditer(r"gnu\.org/licenses/(?P<k>a|l)?gpl-(?P<v>[123]\.[01])", t, re.IGNORECASE):
        family = {"": "GPL", "l": "LGPL", "a": "AGPL"}[(m.group("k") or "").lower()]
        spdx = _gnu_id(family, m.group("v"), False)
        if spdx:
            out.append(_Cand(spdx, 0.8, _short(m.group()), "url", m.start()))


# -- other licences: (spdx, pattern, confidence at the top / elsewhere, method elsewhere) ------------------------------
# Each family has needles (lower-case substrings one of which every match contains): a rule's regex runs only when
# the text holds a needle, so a long text without licence words costs a few substring searches.
_SIMPLE: list[tuple[str | None, re.Pattern[str], float, float, str, tuple[str, ...]]] = []
_needles: tuple[str, ...] = ()


def _family(*needles: str) -> None:
    global _needles
    _needles = needles


def _rule(spdx: str | None, pattern: str, top: float, elsewhere: float, method: str = "key-phrases",
          flags: int = re.IGNORECASE) -> None:
    _SIMPLE.append((spdx, re.compile(pattern, flags), top, elsewhere, method, _needles))


# Apache
_family("apache", "asl")
_rule("Apache-2.0", r"apache\s+licen[cs]e,?\s*(?:version\s*|v\.?\s*)?2\.0", 0.97, 0.9)
_rule("Apache-1.1", r"apache\s+licen[cs]e,?\s*(?:version\s*|v\.?\s*)?1\.1", 0.97, 0.9)
_rule("Apache-2.0", r"(?<![a-z0-9])(?:apache|asl)[-\s]?(?:v\.?\s*)?2(?:\.0)?(?![\d.])", 0.9, 0.85)
_rule("Apache-2.0", r"apache\.org/licenses/LICENSE-2\.0", 0.9, 0.9, "url")
_rule(None, r"apache\s+licen[cs]e(?!,?\s*(?:version|v\.?)?\s*\d)", 0.5, 0.5)
# MIT family, ISC
_family("mit licen", "mit)", "mit]", "under mit", "under the mit", "mit-licen", "mit 许可", "mit许可", "mit 协议",
        "mit协议", "mit 授权", "mit授权", "mit 許可", "mit 協議", "licenses/mit")
_rule("MIT", r"^(?:the\s+)?mit\s+licen[cs]e", 0.97, 0.97, "title")
_rule("MIT", r"(?<![A-Za-z0-9])MIT(?=[\s)\]]*(?:(?i:licen[cs]e)|许可|許可|协议|協議|授权|授權))", 0.85, 0.85, flags=0)
_rule("MIT", r"(?:licen[cs]ed|released|available)\s+under\s+(?:the\s+)?(?-i:MIT)(?![a-z0-9])|(?-i:MIT)[-\s]licensed",
      0.88, 0.88)
_rule("MIT", r"opensource\.org/licenses/MIT(?![a-z0-9-])", 0.9, 0.9, "url")
_family("isc", "permission to use")
_rule("ISC", r"^(?:the\s+)?isc\s+licen[cs]e", 0.97, 0.97, "title")
_rule("ISC", r"permission\s+to\s+use,\s+copy,\s+modify,\s+and(?:/or)?\s+distribute\s+this\s+software\s+for\s+any\s+"
      r"purpose\s+with\s+or\s+without\s+fee\s+is\s+hereby\s+granted", 0.95, 0.95)
# BSD (the full text is read by _bsd_rule)
_family("bsd")
_rule("BSD-3-Clause", r"(?<![a-z])(?:BSD[-\s]3[-\s]Clause|3[-\s]clause\s+BSD|(?:new|modified|revised)\s+BSD)"
      r"(?:\s+licen[cs]e)?", 0.95, 0.88)
_rule("BSD-2-Clause", r"(?<![a-z])(?:BSD[-\s]2[-\s]Clause|2[-\s]clause\s+BSD|simplified\s+BSD|FreeBSD\s+licen[cs]e)"
      r"(?:\s+licen[cs]e)?", 0.95, 0.88)
_rule("BSD-4-Clause", r"(?<![a-z])(?:BSD[-\s]4[-\s]Clause|4[-\s]clause\s+BSD|original\s+BSD\s+licen[cs]e)",
      0.95, 0.88)
_rule(None, r"(?<![a-z])BSD(?:-style|-like)?\s+licen[cs]e", 0.5, 0.5)
# MPL
_family("mozilla", "mpl")
_rule("MPL-2.0", r"mozilla\s+public\s+licen[cs]e,?\s*(?:version\s*|v\.?\s*)2\.0", 0.97, 0.9)
_rule("MPL-1.1", r"mozilla\s+public\s+licen[cs]e,?\s*(?:version\s*|v\.?\s*)1\.1", 0.97, 0.9)
_rule("MPL-2.0", r"(?<![a-z0-9])MPL[-\s]?v?2\.0(?![\d.])", 0.93, 0.85)
_rule("MPL-2.0", r"mozilla\.org/MPL/2\.0", 0.9, 0.9, "url")
# Open Data Commons, CDLA, C-UDA
_family("open data", "odc", "opendatacommons", "odbl", "public domain dedication", "pddl", "database contents", "dbcl")
_rule("ODC-By-1.0", r"open\s+data\s+commons\s+attribution\s+licen[cs]e|(?<![a-z])ODC[-\s]?By(?![a-z])(?:[-\s]?v?1\.0)?",
      0.97, 0.88)
_rule("ODC-By-1.0", r"opendatacommons\.org/licenses/by(?![a-z])", 0.9, 0.9, "url")
_rule("ODbL-1.0", r"open\s+database\s+licen[cs]e|(?<![a-z])ODbL(?![a-z])(?:[-\s]?v?1\.0)?", 0.97, 0.88)
_rule("ODbL-1.0", r"opendatacommons\.org/licenses/odbl", 0.9, 0.9, "url")
_rule("PDDL-1.0", r"public\s+domain\s+dedication\s+and\s+licen[cs]e|(?<![a-z])PDDL(?![a-z])(?:[-\s]?v?1\.0)?",
      0.97, 0.88)
_rule("PDDL-1.0", r"opendatacommons\.org/licenses/pddl", 0.9, 0.9, "url")
_rule("DbCL-1.0", r"database\s+contents\s+licen[cs]e|(?<![a-z])DbCL(?![a-z])", 0.95, 0.85)
_family("community data", "cdla")
_rule("CDLA-Sharing-1.0", r"community\s+data\s+licen[cs]e\s+agreement\W{1,5}sharing(?:\W{1,5}(?:version\s*)?1\.0)?"
      r"|(?<![a-z])CDLA[-\s]Sharing(?:[-\s]v?1\.0)?", 0.97, 0.88)
_rule("CDLA-Permissive-2.0", r"community\s+data\s+licen[cs]e\s+agreement\W{1,5}permissive\W{1,5}(?:version\s*)?2\.0"
      r"|(?<![a-z])CDLA[-\s]Permissive[-\s]v?2\.0|cdla\.dev/permissive-2-0", 0.97, 0.88)
_rule("CDLA-Permissive-1.0", r"community\s+data\s+licen[cs]e\s+agreement\W{1,5}permissive\W{1,5}(?:version\s*)?1\.0"
      r"|(?<![a-z])CDLA[-\s]Permissive[-\s]v?1\.0|cdla\.io/permissive-1-0", 0.97, 0.88)
_rule(None, r"community\s+data\s+licen[cs]e\s+agreement\W{1,5}permissive(?!\W{1,5}(?:version\s*)?\d)", 0.5, 0.5)
_family("c-uda", "computational use")
_rule("C-UDA-1.0", r"computational\s+use\s+of\s+data\s+agreement|(?<![a-z])C-UDA(?![a-z])", 0.95, 0.85)
# public-domain software licences
_family("unencumbered", "unlicense", "fuck")
_rule("Unlicense", r"this\s+is\s+free\s+and\s+unencumbered\s+software\s+released\s+into\s+the\s+public\s+domain",
      0.95, 0.95)
_rule("Unlicense", r"^the\s+unlicense|unlicense\.org", 0.95, 0.85)
_rule("WTFPL", r"do\s+what\s+the\s+fuck\s+you\s+want\s+to\s+public\s+licen[cs]e", 0.97, 0.95)
# Project Gutenberg
_family("gutenberg", "anyone anywhere")
_rule(GUTENBERG, r"\*{3}\s*start:\s*full\s+licen[cs]e\s*\*{3}|the\s+full\s+project\s+gutenberg(?:-tm)?\s+licen[cs]e",
      0.97, 0.97, "title")
_rule(GUTENBERG, r"project\s+gutenberg(?:-tm)?\s+licen[cs]e", 0.92, 0.92)
_rule(GUTENBERG, r"this\s+e-?book\s+is\s+for\s+the\s+use\s+of\s+anyone\s+anywhere", 0.9, 0.9)
_rule(GUTENBERG, r"\*{3}\s*start\s+of\s+(?:this|the)\s+project\s+gutenberg\s+e-?book", 0.85, 0.85)
_rule(GUTENBERG, r"gutenberg\.org/license", 0.85, 0.85, "url")
# plain public-domain statements
_family("public domain", "公有领域", "公共领域", "公有領域", "公共領域")
_rule(PUBLIC_DOMAIN, r"(?:dedicated|released|placed|committed|put|given)\s+(?:in)?to\s+the\s+public\s+domain"
      r"|(?<![a-z])(?:is|are|was|were|remains?|been|confirmed\s+to\s+be)\s+in\s+the\s+public\s+domain", 0.7, 0.65)
_rule(PUBLIC_DOMAIN, r"public\s+domain\s+in\s+the\s+united\s+states", 0.75, 0.75)
_rule(PUBLIC_DOMAIN, r"(?:属于|進入|进入|归入|已进入|处于|屬於|進入)\s*(?:公有领域|公共领域|公有領域|公共領域)"
      r"|(?:公有领域|公共领域|公有領域)(?:作品|内容|資料|资料)", 0.7, 0.65)

_SPDX_LINE = re.compile(r"SPDX-License-Identifier:\s*(?P<id>[A-Za-z0-9.+-]+(?:\s+(?:AND|OR|WITH)\s+\(?"
                        r"[A-Za-z0-9.+-]+\)?)*)")


def _simple_rules(t: str, low: str, out: list[_Cand]) -> None:
    for spdx, pattern, top, elsewhere, method, needles in _SIMPLE:
        if not any(n in low for n in needles):
            continue
        for m in pattern.finditer(t):
            if m.start() <= _TOP and method != "url":
                conf, how = top, ("title" if top >= 0.95 and spdx else method)
            else:
                conf, how = elsewhere, method
            out.append(_Cand(spdx, conf, _short(m.group()), how, m.start()))
    for m in _SPDX_LINE.finditer(t) if "spdx-license-identifier" in low else ():
        raw = m.group("id")
        out.append(_Cand(_KNOWN_IDS.get(raw.lower(), raw), 0.97, _short(m.group()), "key-phrases", m.start()))


# -- full-text clauses: MIT, BSD ------------------------------------------------------------------------------------
_MIT_GRANT = re.compile(r"permission\s+is\s+hereby\s+granted,\s+free\s+of\s+charge,\s+to\s+any\s+person\s+obtaining"
                        r"\s+a\s+copy", re.IGNORECASE)
_MIT_CONDITION = re.compile(r"the\s+above\s+copyright\s+notice\s+and\s+this\s+permission\s+notice\s+shall\s+be\s+"
                            r"included", re.IGNORECASE)
_BSD_GRANT = re.compile(r"redistribution\s+and\s+use\s+in\s+source\s+and\s+binary\s+forms,\s+with\s+or\s+without\s+"
                        r"modification,\s+are\s+permitted\s+provided\s+that", re.IGNORECASE)
_BSD_NAME_CLAUSE = re.compile(r"neither\s+the\s+name\s+of|nor\s+the\s+names\s+of\s+(?:its|the)\s+contributors\s+may\s+"
                              r"be\s+used\s+to\s+endorse", re.IGNORECASE)
_BSD_ADVERTISING = re.compile(r"all\s+advertising\s+materials\s+mentioning\s+features\s+or\s+use\s+of\s+this\s+"
                              r"software", re.IGNORECASE)


def _clause_rules(t: str, out: list[_Cand]) -> None:
    grant = _MIT_GRANT.search(t)
    if grant:
        if _MIT_CONDITION.search(t, grant.end()):
            out.append(_Cand("MIT", 0.95, "Permission is hereby granted, free of charge … The above copyright notice "
                                          "and this permission notice shall be included", "key-phrases", grant.start()))
        else:
            out.append(_Cand("MIT-0", 0.85, "Permission is hereby granted, free of charge (no notice condition)",
                             "key-phrases", grant.start()))
    grant = _BSD_GRANT.search(t)
    if grant:
        window = t[grant.end():grant.end() + 2500]
        if _BSD_ADVERTISING.search(window):
            spdx, phrase = "BSD-4-Clause", "All advertising materials mentioning"
        elif _BSD_NAME_CLAUSE.search(window):
            spdx, phrase = "BSD-3-Clause", "Neither the name of"
        else:
            spdx, phrase = "BSD-2-Clause", "(two conditions, no name clause)"
        out.append(_Cand(spdx, 0.95, f"Redistribution and use in source and binary forms … {phrase}", "key-phrases",
                         grant.start()))


# -- exact ids --------------------------------------------------------------------------------------------------------
def _known_ids() -> dict[str, str]:
    ids = ["CC0-1.0", "CC-PDM-1.0", "ODC-By-1.0", "ODbL-1.0", "PDDL-1.0", "DbCL-1.0", "CDLA-Permissive-1.0",
           "CDLA-Permissive-2.0", "CDLA-Sharing-1.0", "Apache-1.1", "Apache-2.0", "MIT", "MIT-0", "ISC",
           "BSD-2-Clause", "BSD-3-Clause", "BSD-4-Clause", "MPL-1.1", "MPL-2.0", "Unlicense", "WTFPL", "C-UDA-1.0",
           GUTENBERG, PUBLIC_DOMAIN]
    for v in _CC_VERSIONS:
        for el in ("", "-NC", "-SA", "-ND", "-NC-SA", "-NC-ND"):
            ids.append(f"CC-BY{el}-{v}")
    for family, versions in _GNU_VALID.items():
        for v in versions:
            ids += [f"{family}-{v}-only", f"{family}-{v}-or-later"]
    table = {i.lower(): i for i in ids}
    table.update({"cc0": "CC0-1.0", "odc-by": "ODC-By-1.0", "odbl": "ODbL-1.0", "pddl": "PDDL-1.0",
                  "cdla-sharing": "CDLA-Sharing-1.0", "c-uda": "C-UDA-1.0", "mit license": "MIT",
                  "the unlicense": "Unlicense"})
    return table


_KNOWN_IDS = _known_ids()


# -- the public functions -----------------------------------------------------------------------------------------
def _candidates(text: str) -> list[_Cand]:
    t = _prepare(text)
    out: list[_Cand] = []
    stripped = t.strip().strip("\"'`*").strip()
    if len(stripped) <= 40 and stripped.lower() in _KNOWN_IDS:
        out.append(_Cand(_KNOWN_IDS[stripped.lower()], 0.95, stripped, "title", 0))
    low = t.lower()
    _cc_rules(t, low, out)
    if _has(low, "general public", "gpl", "gnu.org"):
        _gnu_rules(t, out)
    _simple_rules(t, low, out)
    if "hereby granted" in low or "redistribution" in low:
        _clause_rules(t, out)
    return out


def _best(cands: list[_Cand]) -> _Cand | None:
    if not cands:
        return None
    return max(cands, key=lambda c: (c.confidence, c.spdx is not None, -c.pos))


def identify_license_text(text: str) -> LicenseTextMatch | None:
    """The licence that a licence file, notice or short id states, or None when no licence is recognised."""
    if not text or not text.strip():
        return None
    best = _best(_candidates(text))
    if best is None:
        return None
    return LicenseTextMatch(best.spdx, best.confidence, best.matched, best.method)


def license_candidates(text: str) -> list[LicenseTextMatch]:
    """Every licence the text names (the best match of each id, most confident first): for files that state
    several licences ("code MIT, data CC BY-NC 4.0"), which `identify_license_text` reduces to one."""
    if not text or not text.strip():
        return []
    best: dict[str | None, _Cand] = {}
    for c in _candidates(text):
        key = c.spdx if c.spdx is not None else f"?{c.matched.lower()}"
        if key not in best or (c.confidence, -c.pos) > (best[key].confidence, -best[key].pos):
            best[key] = c  # type: ignore[index]
    ranked = sorted(best.values(), key=lambda c: (-c.confidence, c.pos))
    return [LicenseTextMatch(c.spdx, c.confidence, c.matched, c.method) for c in ranked]


# -- dataset cards ---------------------------------------------------------------------------------------------------
_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?P<body>.*?)(?:\r?\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FRONT_LICENSE = re.compile(r"^license\s*:\s*(?P<v>.*)$", re.MULTILINE)
_HEADING = re.compile(r"^(?P<h>#{1,6})[ \t]*(?P<title>.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
_LICENSE_HEADING = re.compile(r"licen[cs]|许可|許可|授权|授權|版权|版權|协议|協議", re.IGNORECASE)
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<url>[^)\s]+)[^)]*\)")
_HTML = re.compile(r"<!--.*?-->|<[^>]+>", re.DOTALL)
_PLACEHOLDER = re.compile(r"^\W*(?:more\s+information\s+needed|tbd|todo|n/?a|none|unknown|待补充|暂无|无|待定)\W*$",
                          re.IGNORECASE)
_NOT_DECLARED = {"", "other", "unknown", "none", "null", "n/a"}


def _front_matter_license(text: str) -> str | list[str] | None:
    m = _FRONT.match(text)
    if not m:
        return None
    body = m.group("body")
    try:
        meta: Any = yaml.safe_load(body)
    except yaml.YAMLError:
        meta = None
    if isinstance(meta, dict):
        value = meta.get("license")
        if value is None:
            return None
        if isinstance(value, list):
            values = [str(v).strip() for v in value if v is not None and str(v).strip()]
            if len(values) == 1:
                value = values[0]
            else:
                return values or None
        value = str(value).strip()
        if value.lower() == "other" and meta.get("license_name"):
            return str(meta["license_name"]).strip()
        return value
    lm = _FRONT_LICENSE.search(body)  # not YAML: read the line itself
    return lm.group("v").strip().strip("'\"") if lm and lm.group("v").strip() else None


def _declared_match(declared: str, confidence: float) -> LicenseTextMatch:
    found = identify_license_text(declared) if len(declared) <= 80 else None
    spdx = found.spdx if found and found.confidence >= 0.85 else None
    return LicenseTextMatch(spdx, confidence if spdx else 0.6, _short(declared, 200), "card-field")


_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


def _license_sections(text: str):
    text = _FENCE.sub("", text)  # a "# comment" in a code block is not a heading
    headings = list(_HEADING.finditer(text))
    for i, h in enumerate(headings):
        if not _LICENSE_HEADING.search(h.group("title")):
            continue
        level = len(h.group("h"))
        end = len(text)
        for nxt in headings[i + 1:]:
            if len(nxt.group("h")) <= level:
                end = nxt.start()
                break
        yield text[h.end():end]


def _section_match(section: str) -> LicenseTextMatch | None:
    section = _HTML.sub(" ", _MD_IMAGE.sub(" ", section))
    urls = [m.group("url") for m in _MD_LINK.finditer(section)]
    plain = _MD_LINK.sub(lambda m: m.group("text"), section)
    paragraphs = [p for p in re.split(r"\n\s*\n", plain) if p.strip()]
    if not paragraphs:
        return None
    declared = _short(re.sub(r"[*_`>]+", "", paragraphs[0]).strip(), 200)
    if not declared or _PLACEHOLDER.match(declared):
        return None
    found = identify_license_text(plain + "\n" + " ".join(urls))
    if found and found.spdx and found.confidence >= 0.8:
        return LicenseTextMatch(found.spdx, 0.8, declared, "card-field")
    return LicenseTextMatch(None, 0.6, declared, "card-field")


def license_from_dataset_card(text: str) -> LicenseTextMatch | None:
    """The licence a dataset card (README.md) declares: its YAML front matter `license:` field (a string or a list),
    else the first "## License" / "## Licence" / "## 许可…" section that says something.

    `matched` is always the declared string as written (a list is joined with ", "; `license: other` with a
    `license_name` gives the name); `spdx` is filled only when that string is itself a recognisable licence
    (an id such as cc-by-nc-4.0, or a section naming "CC BY-SA 4.0" / linking its URL), else None and the caller
    normalises `matched`. A list of several licences gives spdx=None (the card does not say AND or OR).
    """
    if not text:
        return None
    declared = _front_matter_license(text)
    field: LicenseTextMatch | None = None
    if isinstance(declared, list):
        return LicenseTextMatch(None, 0.6, _short(", ".join(declared), 200), "card-field")
    if declared is not None and declared.lower() not in _NOT_DECLARED:
        return _declared_match(declared, 0.9)
    elif declared is not None:
        field = LicenseTextMatch(None, 0.5, declared, "card-field")  # "other" / "unknown": the section may say more
    for section in _license_sections(text):
        found = _section_match(section)
        if found:
            return found
    return field


# -- file names ------------------------------------------------------------------------------------------------------
_LICENSE_NAME = re.compile(r"^(?:licen[cs]es?|copying|unlicen[cs]e|copyright)(?:[-._ ][\w.+-]*)?$"
                           r"|\.licen[cs]e$|^许可|^許可", re.IGNORECASE)
_NOT_TEXT_EXT = {"csv", "tsv", "json", "jsonl", "parquet", "arrow", "py", "js", "ts", "go", "rs", "java", "c", "h",
                 "cpp", "yaml", "yml", "xml", "sql", "png", "jpg", "jpeg", "gif", "pdf", "zip", "gz", "tar", "bz2",
                 "xz", "zst", "db", "sqlite", "pkl", "npy", "bin"}
_CARD_NAME = re.compile(r"^(?:readme|dataset[-_ ]?card)(?:[-._][a-z]{2}(?:[-_][a-z]{2,4})?)?"
                        r"(?:\.(?:md|markdown|txt|rst))?$", re.IGNORECASE)


def is_license_file_name(name: str) -> bool:
    """LICENSE, LICENSE.txt, LICENCE.md, LICENSE-MIT, COPYING, COPYING.LESSER, UNLICENSE, foo.txt.license (REUSE),
    files under a LICENSES/ folder, 许可证.txt, 许可协议.md (case-insensitive; a path is judged by its last part).
    Data and code files that merely start with the word ("license_plates.csv", "licenses.json") are not."""
    path = PurePath(name.replace("\\", "/"))
    base = path.name
    if not base:
        return False
    ext = base.rsplit(".", 1)[1].lower() if "." in base else ""
    if ext in _NOT_TEXT_EXT:
        return False
    if _LICENSE_NAME.search(base):
        return True
    return any(part.lower() == "licenses" for part in path.parts[:-1])


def is_dataset_card_name(name: str) -> bool:
    """README.md (also README, README.txt/.rst, README_zh.md, README.zh-CN.md, dataset_card.md), case-insensitive."""
    base = PurePath(name.replace("\\", "/")).name
    return bool(_CARD_NAME.match(base))
