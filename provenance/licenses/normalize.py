"""Licence normaliser: free text, SPDX expressions, Hugging Face ids, URLs and Chinese names -> SPDX + use class.

`normalize(text)` returns a `NormalizedLicense`: an SPDX expression (or a `LicenseRef-...` id for licences without
an SPDX id, `NOASSERTION` when no licence is given, `unknown` when the text cannot be resolved - never a guess), a
use class and the flags that matter for training data. The stages, first hit wins:

1. empty / None                       -> NOASSERTION (unspecified)
2. an SPDX id or expression           -> parsed and validated with license-expression's bundled SPDX index
                                         (case-insensitive; deprecated ids such as GPL-2.0 become GPL-2.0-only)
3. the alias table (data/aliases.csv) -> exact match on a normalised key (HF ids, DPI names, licence URLs, ...)
4. a URL                              -> rules for creativecommons.org, opensource.org, spdx.org, gnu.org, ...
5. licence mentions in the text       -> regex rules over normalised text (Chinese terms are first rendered in
                                         English with data/zh_terms.csv); several mentions are combined
6. nothing                            -> `unknown`, use class unknown (a copyright line alone -> NOASSERTION)

Decisions (documented here because they change results):
- No version, no versioned id. "CC BY-NC" without a version becomes `LicenseRef-CC-BY-NC` (the elements, hence the
  class and flags, are known; the version is not). Unambiguous cases keep the SPDX id: CC0 (only 1.0), ODC-By/ODbL/
  PDDL (only 1.0), CDLA-Sharing (only 1.0). The GNU licences say themselves what no version means ("any version
  ever published"), so bare GPL/LGPL/AGPL/GFDL become GPL-1.0-or-later / LGPL-2.0-or-later / AGPL-3.0-or-later /
  GFDL-1.1-or-later, as license-expression's index does (LicenseRef-GPL, LicenseRef-LGPL, LicenseRef-AGPL).
  Bare "Apache License" becomes Apache-2.0 with lower confidence, as the same index does (LicenseRef-Apache):
  Apache 1.0/1.1 predate 2004. Bare "BSD" stays `LicenseRef-BSD` (2- or 3-clause is a real difference).
- "GPL-2.0", "GPL v2", "GPL 2" -> GPL-2.0-only; "GPLv2+", "or later", "(>= 2)" -> GPL-2.0-or-later.
- A Creative Commons port without an SPDX id ("CC BY-SA 3.0 ES") -> `LicenseRef-CC-BY-SA-3.0-ES` (class of the
  unported licence); a port with one ("3.0 DE") -> its SPDX id.
- "Creative Commons" / "cc" with no elements -> `unknown`: it could be CC0 or CC BY-NC-ND.
- AND (several licences apply) -> the most restrictive use class and the union of the flags (DPI rule).
  OR (the licensee may choose) -> the least restrictive alternative, with that alternative's flags.
  Free text joins licences with AND unless it says "or", "/", "either" or "dual": AND is the safe reading.
  Restrictions stated in words ("research only", "non-commercial") are always ANDed, never offered as a choice.
- Use classes from least to most restrictive: commercial < non-commercial < research-only < unspecified < unknown.
  "unspecified" (nothing declared) and "unknown" (not classified) are not cleared, so they rank as most restrictive.
- A "modified"/"custom" X licence is not X: `LicenseRef-Custom`, class unknown.
- Model-provider terms (OpenAI, Anthropic, Google Translate) -> class unknown + terms_of_service_restricted: the
  restriction on using outputs is contested, so a person decides.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any

USE_CLASSES: tuple[str, ...] = ("commercial", "non-commercial", "research-only", "unspecified", "unknown")
"""Least to most restrictive. `combine` takes the last one present, `choose` the first."""

_RANK = {name: i for i, name in enumerate(USE_CLASSES)}
_FLAGS = ("attribution", "share_alike", "no_derivatives", "use_restrictions", "terms_of_service_restricted")

NOASSERTION = "NOASSERTION"
UNKNOWN = "unknown"


# --------------------------------------------------------------------------------------------------------------
# result types
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LicenseClass:
    """What a licence (or a combination of licences) allows for training data."""

    use_class: str
    attribution: bool = False
    share_alike: bool = False
    no_derivatives: bool = False
    use_restrictions: bool = False
    terms_of_service_restricted: bool = False

    def __post_init__(self) -> None:
        if self.use_class not in _RANK:
            raise ValueError(f"use_class must be one of {USE_CLASSES}, not {self.use_class!r}")

    @property
    def restriction_count(self) -> int:
        return sum(bool(getattr(self, f)) for f in _FLAGS)


@dataclass(frozen=True)
class NormalizedLicense:
    """One normalised licence statement. `as_dict()` is JSON-serialisable."""

    input: str | None
    spdx: str
    use_class: str
    attribution: bool = False
    share_alike: bool = False
    no_derivatives: bool = False
    use_restrictions: bool = False
    terms_of_service_restricted: bool = False
    confidence: float = 0.0
    matched_by: str = "none"
    note: str = ""

    @property
    def license_class(self) -> LicenseClass:
        return LicenseClass(self.use_class, *(getattr(self, f) for f in _FLAGS))

    @property
    def is_resolved(self) -> bool:
        """True when the text named a licence (not NOASSERTION, not unknown)."""
        return self.spdx not in (NOASSERTION, UNKNOWN)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _class_of(item: LicenseClass | NormalizedLicense) -> LicenseClass:
    return item.license_class if isinstance(item, NormalizedLicense) else item


def combine(classes: Iterable[LicenseClass | NormalizedLicense]) -> LicenseClass:
    """AND of licences (all apply), and corpus-level combination: the most restrictive use class, union of flags.

    An empty list means nothing was declared: `unspecified`, which is not cleared.
    """
    items = [_class_of(c) for c in classes]
    if not items:
        return LicenseClass("unspecified")
    use = max((c.use_class for c in items), key=_RANK.__getitem__)
    return LicenseClass(use, *(any(getattr(c, f) for c in items) for f in _FLAGS))


def choose(classes: Iterable[LicenseClass | NormalizedLicense]) -> LicenseClass:
    """OR of licences (the licensee picks one): the least restrictive alternative, with its own flags.

    Ties on use class go to the alternative with fewer restriction flags (no-derivatives and share-alike first).
    """
    items = [_class_of(c) for c in classes]
    if not items:
        return LicenseClass("unspecified")
    return min(
        items,
        key=lambda c: (
            _RANK[c.use_class],
            c.no_derivatives,
            c.terms_of_service_restricted,
            c.use_restrictions,
            c.share_alike,
            c.attribution,
        ),
    )


# --------------------------------------------------------------------------------------------------------------
# data tables
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassRow:
    id: str
    license_class: LicenseClass
    source: str


@dataclass(frozen=True)
class AliasRow:
    alias: str
    spdx: str
    kind: str
    source: str


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("provenance.licenses").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _yes(value: str, where: str) -> bool:
    v = value.strip().lower()
    if v not in ("yes", "no"):
        raise ValueError(f"{where}: expected yes/no, got {value!r}")
    return v == "yes"


@lru_cache(maxsize=1)
def class_table() -> dict[str, ClassRow]:
    """data/classes.csv keyed by lower-cased id."""
    out: dict[str, ClassRow] = {}
    for n, row in enumerate(_read_csv("classes.csv"), start=2):
        where = f"classes.csv:{n}"
        if not row["source"].strip():
            raise ValueError(f"{where}: every row needs a source")
        cls = LicenseClass(row["use_class"].strip(), *(_yes(row[f], where) for f in _FLAGS))
        key = row["id"].strip().lower()
        if key in out:
            raise ValueError(f"{where}: duplicate id {row['id']!r}")
        out[key] = ClassRow(row["id"].strip(), cls, row["source"].strip())
    return out


@lru_cache(maxsize=1)
def alias_rows() -> tuple[AliasRow, ...]:
    rows = []
    for n, row in enumerate(_read_csv("aliases.csv"), start=2):
        if not row["source"].strip():
            raise ValueError(f"aliases.csv:{n}: every row needs a source")
        if row["kind"] not in ("alias", "url", "chinese-name"):
            raise ValueError(f"aliases.csv:{n}: kind must be alias, url or chinese-name")
        rows.append(AliasRow(row["alias"], row["spdx"].strip(), row["kind"], row["source"].strip()))
    return tuple(rows)


@lru_cache(maxsize=1)
def _alias_index() -> tuple[dict[str, AliasRow], dict[str, AliasRow]]:
    """(text-key -> row, url-key -> row); a key that maps to two different ids is an error in the table."""
    by_text: dict[str, AliasRow] = {}
    by_url: dict[str, AliasRow] = {}
    for row in alias_rows():
        table, key = (by_url, _url_key(row.alias)) if row.kind == "url" else (by_text, _alias_key(row.alias))
        if key in table and table[key].spdx != row.spdx:
            raise ValueError(f"aliases.csv: {row.alias!r} and {table[key].alias!r} normalise alike but differ")
        table[key] = row
    return by_text, by_url


@lru_cache(maxsize=1)
def _zh_terms() -> list[tuple[str, str]]:
    rows = [(r["term"], r["english"]) for r in _read_csv("zh_terms.csv")]
    return sorted(rows, key=lambda r: -len(r[0]))  # longest first: 通用公共 before 通用


# --------------------------------------------------------------------------------------------------------------
# SPDX index (license-expression, bundled, no network)
# --------------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _licensing():
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


@lru_cache(maxsize=1)
def _spdx_index() -> tuple[dict[str, str], dict[str, str]]:
    """(lower-cased SPDX id or alias -> canonical id, canonical id -> ScanCode category)."""
    from license_expression import get_license_index

    ids: dict[str, str] = {}
    category: dict[str, str] = {}
    for entry in get_license_index():
        key = entry.get("spdx_license_key")
        if not key or entry.get("is_exception"):
            continue
        ids[key.lower()] = key
        category[key] = entry.get("category") or ""
        for other in entry.get("other_spdx_license_keys") or []:
            ids.setdefault(other.lower(), key)
    return ids, category


def spdx_id(text: str) -> str | None:
    """The canonical SPDX id for `text` (any case, deprecated ids resolved), or None."""
    return _spdx_index()[0].get(text.strip().lower())


# --------------------------------------------------------------------------------------------------------------
# classification of one id / one expression
# --------------------------------------------------------------------------------------------------------------

_CC_ID = re.compile(
    r"^(?:LicenseRef-)?CC-(?P<el>BY(?:-NC)?(?:-SA|-ND)?)(?:-(?P<ver>\d\.\d))?(?:-(?P<port>[A-Za-z]{2,3}))?$",
    re.IGNORECASE,
)
# Words in an id that mean "not for commercial use" / "no derivatives": the safety net behind the table.
_RESTRICTED_ID = re.compile(
    r"(?:^|[-_.])(?:NC|non-?commercial|noncommercial|research|academic|educational)(?:[-_.]|$)", re.IGNORECASE
)
_ND_ID = re.compile(r"(?:^|[-_.])(?:ND|no-?deriv\w*)(?:[-_.]|$)", re.IGNORECASE)

_CATEGORY_CLASS = {
    # license-expression / ScanCode categories: documented fallback for SPDX ids missing from classes.csv
    "Permissive": LicenseClass("commercial", attribution=True),
    "Public Domain": LicenseClass("commercial"),
    "Copyleft": LicenseClass("commercial", attribution=True, share_alike=True),
    "Copyleft Limited": LicenseClass("commercial", attribution=True, share_alike=True),
}


def _cc_class(el: str) -> LicenseClass:
    el = el.upper()
    return LicenseClass(
        "non-commercial" if "NC" in el else "commercial",
        attribution=True,
        share_alike="SA" in el,
        no_derivatives="ND" in el,
    )


def classify(license_id: str) -> tuple[LicenseClass, str]:
    """Class of one SPDX id or LicenseRef id, and where it came from: table, cc-rule, index-category:X or none."""
    lid = license_id.strip()
    row = class_table().get(lid.lower())
    if row is not None:
        cls, how = row.license_class, "table"
    elif (m := _CC_ID.match(lid)) is not None:
        cls, how = _cc_class(m["el"]), "cc-rule"
    elif lid.lower().startswith("licenseref-") and not lid.lower().startswith("licenseref-scancode-"):
        cls, how = LicenseClass("unknown"), "none"
    else:
        canonical = spdx_id(lid)
        cat = _spdx_index()[1].get(canonical or "", "")
        if canonical and cat in _CATEGORY_CLASS:
            cls, how = _CATEGORY_CLASS[cat], f"index-category:{cat}"
        else:
            cls, how = LicenseClass("unknown"), f"index-category:{cat}" if cat else "none"
    # Safety net: an id that says NC/research cannot come out commercial; one that says ND keeps its flag.
    if cls.use_class == "commercial" and _RESTRICTED_ID.search(lid):
        cls, how = replace(cls, use_class="unknown"), how + "+restricted-name"
    if _ND_ID.search(lid) and not cls.no_derivatives:
        cls, how = replace(cls, no_derivatives=True), how + "+nd-name"
    return cls, how


def _expr_class(node) -> tuple[LicenseClass, set[str]]:
    """Class of a parsed license-expression tree: AND -> combine, OR -> choose; WITH -> the licence's class."""
    lic = _licensing()
    if isinstance(node, (lic.AND, lic.OR)):
        parts = [_expr_class(a) for a in node.args]
        how = set().union(*(h for _, h in parts))
        pick = combine if isinstance(node, lic.AND) else choose
        return pick([c for c, _ in parts]), how
    symbol = getattr(node, "license_symbol", node)
    cls, how = classify(symbol.key)
    return cls, {how}


def _render(node, top: bool = True) -> str:
    lic = _licensing()
    if isinstance(node, (lic.AND, lic.OR)):
        op = " AND " if isinstance(node, lic.AND) else " OR "
        text = op.join(_render(a, top=False) for a in node.args)
        return text if top else f"({text})"
    if hasattr(node, "license_symbol"):
        return f"{_canonical_id(node.license_symbol.key)} WITH {node.exception_symbol.key}"
    return _canonical_id(node.key)


def _canonical_id(key: str) -> str:
    row = class_table().get(key.lower())
    if row is not None:
        return row.id
    return spdx_id(key) or key


def _result_for_expression(
    text: str | None, expression: str, matched_by: str, confidence: float, note: str = ""
) -> NormalizedLicense:
    if expression in (NOASSERTION, UNKNOWN):
        cls = classify(expression)[0]
        return _make(text, expression, cls, confidence, matched_by, note)
    node = _licensing().parse(expression, simplify=False)
    cls, how = _expr_class(node)
    rendered = _render(node)
    fallbacks = sorted(h.split("+")[0] for h in how if h.startswith("index-category"))
    if fallbacks:
        matched_by = f"{matched_by}+{fallbacks[0]}"
        confidence = min(confidence, 0.7)
        cats = ", ".join(dict.fromkeys(f.split(":", 1)[1] for f in fallbacks))
        note = _join(
            note,
            f"not in classes.csv: class from license-expression's index category ({cats}); "
            "categories other than Permissive, Public Domain and Copyleft are not cleared",
        )
    if any(h == "none" for h in how) and cls.use_class == "unknown":
        note = _join(note, "licence not in the classification table: not cleared until a person reviews it")
    return _make(text, rendered, cls, confidence, matched_by, note)


def _make(text, spdx, cls: LicenseClass, confidence: float, matched_by: str, note: str = "") -> NormalizedLicense:
    return NormalizedLicense(
        input=text,
        spdx=spdx,
        use_class=cls.use_class,
        attribution=cls.attribution,
        share_alike=cls.share_alike,
        no_derivatives=cls.no_derivatives,
        use_restrictions=cls.use_restrictions,
        terms_of_service_restricted=cls.terms_of_service_restricted,
        confidence=round(confidence, 2),
        matched_by=matched_by,
        note=note,
    )


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a and b and b not in a else (a or b)


# --------------------------------------------------------------------------------------------------------------
# text normalisation
# --------------------------------------------------------------------------------------------------------------

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'()\[\]]+"
    r"|\b(?:creativecommons|opensource|opendatacommons|spdx|gnu|apache|choosealicense)\.org/[^\s<>\"'()\[\]]*",
    re.IGNORECASE,
)
_ZH_EDITION = re.compile(r"第\s*([0-9一二三四]+)\s*版")
_ZH_NUM = {"一": "1", "二": "2", "三": "3", "四": "4"}
_FAMILY_DIGITS = re.compile(
    r"\b(gpl|lgpl|agpl|gfdl|fdl|mpl|epl|apache|bsd|llama|asl|ogl|afl|eupl|cdla|mulanpsl|psl)v?(?=\d)"
)


def _prep(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).translate(_DASHES)
    if _CJK.search(t):
        t = _ZH_EDITION.sub(lambda m: f" version {_ZH_NUM.get(m[1], m[1])} ", t)
        for term, english in _zh_terms():
            t = t.replace(term, f" {english} ")
    return t


def _canon(text: str) -> str:
    """Lower-case words separated by single spaces; keeps '.' inside numbers, '+', '/', '>='; 'license' -> 'lic'."""
    t = text.lower().replace("&", " and ")
    t = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", t)
    t = re.sub(r"[^\w\s.+/>=]|_", " ", t)
    t = re.sub(r"\b(?:licen[cs]e[sd]?|licensing|licencing)\b", " lic ", t)
    t = re.sub(r"\b(?:version|ver)\b", " ", t)
    t = re.sub(r"\bv\s*(?=\d)", " ", t)
    t = _FAMILY_DIGITS.sub(r"\1 ", t)
    t = re.sub(r"\bthe\b", " ", t)
    return re.sub(r"\s+", " ", t).strip()


def _alias_key(text: str) -> str:
    """Key for the alias table: canonical text without 'lic' and with / unified."""
    t = _canon(_prep(text))
    t = re.sub(r"\blic\b", " ", t).replace("/", " ")
    return re.sub(r"\s+", " ", t).strip()


def _url_key(url: str) -> str:
    u = url.strip().lower()
    u = re.sub(r"^(?:https?://)?(?:www\.)?", "", u)
    u = re.split(r"[?#]", u)[0]
    u = re.sub(
        r"(?:/legalcode(?:\.[a-z-]+)?|/deed(?:\.[a-z-]+)?|/index)?(?:\.(?:html?|php|txt|md|en\.html))?/*$", "", u
    )
    return u.rstrip("/")


# --------------------------------------------------------------------------------------------------------------
# URLs
# --------------------------------------------------------------------------------------------------------------

_CC_PORTS = {
    "es": "ES",
    "spain": "ES",
    "de": "DE",
    "germany": "DE",
    "at": "AT",
    "austria": "AT",
    "nl": "NL",
    "netherlands": "NL",
    "us": "US",
    "united states": "US",
    "fr": "FR",
    "france": "FR",
    "uk": "UK",
    "england and wales": "UK",
    "england wales": "UK",
    "scotland": "SCOTLAND",
    "au": "AU",
    "australia": "AU",
    "jp": "JP",
    "japan": "JP",
    "cn": "CN",
    "china mainland": "CN",
    "china": "CN",
    "tw": "TW",
    "taiwan": "TW",
    "igo": "IGO",
    "it": "IT",
    "italy": "IT",
    "pl": "PL",
    "poland": "PL",
    "br": "BR",
    "brazil": "BR",
    "ch": "CH",
    "switzerland": "CH",
    "nz": "NZ",
    "new zealand": "NZ",
    "ca": "CA",
    "canada": "CA",
    "hk": "HK",
    "hong kong": "HK",
    "sg": "SG",
    "singapore": "SG",
    "ie": "IE",
    "ireland": "IE",
}
_CC_VERSIONS = {
    "1": "1.0",
    "1.0": "1.0",
    "2": "2.0",
    "2.0": "2.0",
    "2.1": "2.1",
    "2.5": "2.5",
    "3": "3.0",
    "3.0": "3.0",
    "4": "4.0",
    "4.0": "4.0",
}


def _cc_id(elements: set[str], version: str | None, port: str | None) -> tuple[str, str]:
    """(id, note) for a Creative Commons licence given its elements, version and jurisdiction port."""
    if "SA" in elements and "ND" in elements:
        return UNKNOWN, "contradictory Creative Commons elements (SA and ND)"
    els = "-".join(e for e in ("BY", "NC", "SA", "ND") if e in elements | {"BY"})
    if version is None:
        return f"LicenseRef-CC-{els}", "Creative Commons licence without a version: no SPDX id, class from its elements"
    ver = _CC_VERSIONS.get(version)
    if ver is None:
        return UNKNOWN, f"Creative Commons has no version {version}"
    if port and ver != "4.0":  # 4.0 licences are international only
        known = spdx_id(f"CC-{els}-{ver}-{port}")
        if known:
            return known, ""
        return f"LicenseRef-CC-{els}-{ver}-{port}", f"Creative Commons {ver} {port} port has no SPDX id"
    return f"CC-{els}-{ver}", ""


def _resolve_url(url: str) -> tuple[str, str] | None:
    """(id, note) for a licence URL, or None when the URL is not a known licence document."""
    key = _url_key(url)
    row = _alias_index()[1].get(key)
    if row is not None:
        return row.spdx, ""
    if m := re.match(r"creativecommons\.org/licenses/([a-z-]+)/(\d\.\d)(?:/([a-z]{2,3}))?", key):
        els = {e.upper() for e in m[1].split("-")}
        if not els <= {"BY", "NC", "SA", "ND"}:
            return None
        return _cc_id(els, m[2], m[3].upper() if m[3] else None)
    if m := re.match(r"creativecommons\.org/publicdomain/(zero|mark)/1\.0", key):
        return ("CC0-1.0" if m[1] == "zero" else "CC-PDM-1.0"), ""
    if m := re.match(r"opendatacommons\.org/licenses/(by|odbl|pddl)(?:/(1[.-]0|summary))?", key):
        return {"by": "ODC-By-1.0", "odbl": "ODbL-1.0", "pddl": "PDDL-1.0"}[m[1]], ""
    if m := re.match(r"(?:opensource\.org/licenses?|spdx\.org/licenses|choosealicense\.com/licenses)/([\w.+-]+)", key):
        name = m[1]
        name = {"mit-license": "MIT", "apache2.0": "Apache-2.0", "apache-2-0": "Apache-2.0"}.get(name, name)
        known = spdx_id(name) or spdx_id(re.sub(r"-(\d)-(\d)$", r"-\1.\2", name))
        return (known, "") if known else None
    if m := re.match(r"apache\.org/licenses/license-(\d\.\d)", key):
        return spdx_id(f"Apache-{m[1]}"), ""
    if m := re.match(r"gnu\.org/licenses/(?:old-licenses/)?(a?gpl|lgpl|fdl)-?(\d\.\d)?", key):
        fam = {"fdl": "GFDL"}.get(m[1], m[1].upper())
        # gnu.org/licenses/gpl.html (no version) serves the current text: GPLv3, LGPLv3, AGPLv3, GFDL 1.3
        ver = m[2] or {"GPL": "3.0", "LGPL": "3.0", "AGPL": "3.0", "GFDL": "1.3"}[fam]
        return spdx_id(f"{fam}-{ver}-only"), "licence text URL: no 'or later' stated -> -only"
    return None


# --------------------------------------------------------------------------------------------------------------
# mentions of licences in text
# --------------------------------------------------------------------------------------------------------------

# tiers: how a mention combines with others
SPECIFIC, RESTRICTIVE, PERMISSIVE, WEAK, BARE = "specific", "restrictive", "permissive", "weak", "bare"


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    spdx: str
    tier: str = SPECIFIC
    family: str = ""  # for dropping an unversioned mention when the same family is named with a version
    versioned: bool = True
    confidence: float = 0.9
    note: str = ""
    priority: int = 0  # among weak mentions


_ELEM = r"(?:by|attribution|attr|nc|non\s?commercial|sa|share\s?alike|nd|no\s?deriv(?:ative)?s?(?:\s+works)?)"
_ELEMS = rf"{_ELEM}(?:\s+(?:and\s+)?{_ELEM})*"
_PORT_NAMES = "|".join(sorted((re.escape(k) for k in _CC_PORTS if len(k) > 3), key=len, reverse=True))
_CC_TAIL = rf"(?:\s+lic)?(?:\s+(?P<ver>\d(?:\.\d)?)(?:\s+(?P<port>{_PORT_NAMES}|igo|[a-z]{{2}})\b)?)?"
_CC_MARK = re.compile(
    rf"\b(?:creative\s?commons?|cc|ccpl)(?:\s+public)?(?:\s+lic)?(?:\s+(?P<elems>{_ELEMS}))?{_CC_TAIL}\b"
)
_CC_NOMARK = re.compile(rf"\b(?P<elems>{_ELEMS}){_CC_TAIL}\b")
_GNU_MOD = (
    r"(?:\s+lic)?(?P<mod>\s*\+|\s+or\s+(?:at\s+your\s+option\s+)?(?:any\s+)?(?:later|newer|greater|higher|above)"
    r"(?:\s+(?:one|version))?|\s+and\s+later|\s+later|\s+only)?"
)
_GNU_VER = r"(?:\s+lic)?(?:\s*(?P<ge>>=?)?\s*(?P<ver>\d(?:\.\d)?)\b)?"


def _elements(text: str) -> set[str]:
    out = set()
    for tok in re.findall(_ELEM, text):
        tok = tok.replace(" ", "")
        if tok in ("by", "attribution", "attr"):
            out.add("BY")
        elif tok in ("nc", "noncommercial"):
            out.add("NC")
        elif tok in ("sa", "sharealike"):
            out.add("SA")
        else:
            out.add("ND")
    return out


def _cc_from_match(m: re.Match, text: str, marked: bool) -> _Mention | None:
    elems_text = m["elems"] or ""
    elements = _elements(elems_text)
    ver, port_tok = m["ver"], m["port"]
    if not marked:
        words = elems_text.split()
        # without "CC"/"Creative Commons": two or more elements ("BY-NC", "Attribution-ShareAlike"), or
        # "Attribution" with a version ("Attribution 4.0 International")
        if not (len(elements) >= 2 or ("attribution" in words and ver)):
            return None
    if not elements and not ver:
        return _Mention(
            m.start(),
            m.end(),
            UNKNOWN,
            BARE,
            confidence=0.3,
            note="Creative Commons named without licence elements or version: cannot tell which licence",
        )
    if not elements:
        return _Mention(
            m.start(), m.end(), UNKNOWN, BARE, confidence=0.3, note="Creative Commons version without licence elements"
        )
    port = None
    if port_tok:
        tail = text[m.end() :].lstrip()
        # a two-letter jurisdiction only at the end or before "license": "cc by 4.0 at https://..." is no port
        if len(port_tok) > 3 or port_tok == "igo" or not tail or tail.startswith(("lic", "unported")):
            port = _CC_PORTS.get(port_tok, port_tok.upper() if port_tok == "igo" else None)
    cid, note = _cc_id(elements, ver, port)
    fam = "CC-" + "-".join(e for e in ("BY", "NC", "SA", "ND") if e in elements | {"BY"})
    return _Mention(
        m.start(),
        m.end(),
        cid,
        SPECIFIC if cid != UNKNOWN else BARE,
        family=fam,
        versioned=ver is not None,
        confidence=0.9 if ver else 0.75,
        note=note,
    )


def _gnu(family: str, m: re.Match) -> _Mention:
    ver, mod, ge = m["ver"], (m["mod"] or "").strip(), m["ge"]
    valid = {
        "GPL": ("1.0", "2.0", "3.0"),
        "LGPL": ("2.0", "2.1", "3.0"),
        "AGPL": ("1.0", "3.0"),
        "GFDL": ("1.1", "1.2", "1.3"),
    }[family]
    if ver is None:
        base = {"GPL": "GPL-1.0", "LGPL": "LGPL-2.0", "AGPL": "AGPL-3.0", "GFDL": "GFDL-1.1"}[family]
        return _Mention(
            m.start(),
            m.end(),
            f"{base}-or-later",
            family=family,
            versioned=False,
            confidence=0.75,
            note=f"{family} without a version: the licence allows any published version -> {base}-or-later",
        )
    v = ver if "." in ver else f"{ver}.0"
    if v not in valid:
        return _Mention(m.start(), m.end(), UNKNOWN, BARE, confidence=0.2, note=f"there is no {family} {ver}")
    later = (
        bool(ge)
        or mod == "+"
        or "later" in mod
        or "newer" in mod
        or "greater" in mod
        or "higher" in mod
        or "above" in mod
    )
    return _Mention(
        m.start(),
        m.end(),
        f"{family}-{v}-{'or-later' if later else 'only'}",
        family=family,
        note="" if later or mod == "only" else f"{family} {v} without 'or later' -> -only",
    )


def _versioned(fmt: dict[str, str], family: str, unversioned: str | None = None, unversioned_note: str = ""):
    """Handler for 'NAME [version]' families: fmt maps a normalised version to an id."""

    def handler(m: re.Match, text: str) -> _Mention | None:
        ver = m.groupdict().get("ver")
        if ver:
            key = ver if "." in ver else f"{ver}.0"
            if key in fmt:
                return _Mention(m.start(), m.end(), fmt[key], family=family)
            return _Mention(m.start(), m.end(), UNKNOWN, BARE, confidence=0.2, note=f"no {family} version {ver}")
        if unversioned:
            return _Mention(
                m.start(),
                m.end(),
                unversioned,
                family=family,
                versioned=False,
                confidence=0.7,
                note=unversioned_note or f"{family} without a version",
            )
        return None

    return handler


def _fixed(spdx: str, tier: str = SPECIFIC, confidence: float = 0.9, note: str = "", priority: int = 0):
    def handler(m: re.Match, text: str) -> _Mention:
        return _Mention(
            m.start(), m.end(), spdx, tier, family=spdx, confidence=confidence, note=note, priority=priority
        )

    return handler


def _bsd(m: re.Match, text: str) -> _Mention:
    words = " ".join(x for x in (m["pre"], m["n"], m["post"]) if x)
    if re.search(r"\bclear\b", words):
        sid = "BSD-3-Clause-Clear"
    elif re.search(r"\b(?:3|new|revised|modified|three)\b", words):
        sid = "BSD-3-Clause"
    elif re.search(r"\b(?:2|simplified|freebsd|two)\b", words):
        sid = "BSD-2-Clause"
    elif re.search(r"\b(?:4|original|four)\b", words):
        sid = "BSD-4-Clause"
    elif re.search(r"\b(?:0|zero)\b", words):
        sid = "0BSD"
    elif re.search(r"\b1\b", words):
        sid = "BSD-1-Clause"
    else:
        return _Mention(
            m.start(),
            m.end(),
            "LicenseRef-BSD",
            family="BSD",
            versioned=False,
            confidence=0.7,
            note="BSD without a clause count: 2- and 3-clause differ, so no SPDX id",
        )
    return _Mention(m.start(), m.end(), sid, family="BSD")


def _openrail(m: re.Match, text: str) -> _Mention:
    org, pp, kind = m["org"], m["pp"], m["kind"]
    if pp:
        sid = "LicenseRef-OpenRAIL-PlusPlus-M"
    elif org == "bigscience":
        sid = "LicenseRef-BigScience-OpenRAIL-M"
    elif org == "bigcode" or org == "codeml":
        sid = "LicenseRef-BigCode-OpenRAIL-M"
    elif org == "creativeml":
        sid = "LicenseRef-CreativeML-OpenRAIL-M"
    elif kind == "m":
        sid = "LicenseRef-OpenRAIL-M"
    else:
        sid = "LicenseRef-OpenRAIL"
    return _Mention(m.start(), m.end(), sid, family=sid)


def _llama(m: re.Match, text: str) -> _Mention | None:
    ver = m["ver"]
    if not ver:
        return None
    ver = {"3.0": "3", "2.0": "2", "4.0": "4"}.get(ver, ver)
    if ver not in ("2", "3", "3.1", "3.2", "3.3", "4"):
        return None
    return _Mention(m.start(), m.end(), f"LicenseRef-Llama-{ver}", family="Llama")


_RESEARCH_WORD = r"(?:research|academic|scientific|scholarly|educational|education|teaching|non\s?profit)"
_PURPOSE = r"(?:use|usage|uses|purposes?|only)"

# (pattern, handler); order breaks ties between equally long matches at the same position
_RULES: list[tuple[re.Pattern, Any]] = [
    (
        re.compile(r"\b(?:cc0|cc\s+0|cc\s+zero|creative\s+commons\s+(?:zero|cc0))(?:\s+1\.0)?(?:\s+universal)?\b"),
        _fixed("CC0-1.0"),
    ),
    (re.compile(r"\bpublic\s+domain\s+mark(?:\s+1\.0)?\b"), _fixed("CC-PDM-1.0")),
    (
        re.compile(
            r"\b(?:pddl|open\s+data\s+commons\s+public\s+domain(?:\s+dedication)?(?:\s+and\s+lic)?)(?:\s+1\.0)?\b"
        ),
        _fixed("PDDL-1.0"),
    ),
    (re.compile(r"\b(?:odc\s+by|open\s+data\s+commons\s+attribution(?:\s+lic)?)(?:\s+1\.0)?\b"), _fixed("ODC-By-1.0")),
    (re.compile(r"\b(?:odbl|open\s+database\s+lic)(?:\s+odbl)?(?:\s+1\.0)?\b"), _fixed("ODbL-1.0")),
    (
        re.compile(
            r"\b(?:cdla|community\s+data\s+lic\s+agreement|community\s+data\s+agreement)\s+(?P<kind>permissive|sharing)"
            r"(?:\s+(?P<ver>[12](?:\.0)?))?\b"
        ),
        lambda m, t: _Mention(
            m.start(),
            m.end(),
            (
                "CDLA-Sharing-1.0"
                if m["kind"] == "sharing" and m["ver"] in (None, "1", "1.0")
                else "CDLA-Permissive-1.0"
                if m["kind"] == "permissive" and m["ver"] in ("1", "1.0")
                else "CDLA-Permissive-2.0"
                if m["kind"] == "permissive" and m["ver"] in ("2", "2.0")
                else "LicenseRef-CDLA-Permissive"
                if m["kind"] == "permissive" and m["ver"] is None
                else UNKNOWN
            ),
            family="CDLA-" + m["kind"],
            versioned=m["ver"] is not None or m["kind"] == "sharing",
            tier=SPECIFIC if not (m["kind"] == "sharing" and m["ver"] in ("2", "2.0")) else BARE,
        ),
    ),
    (re.compile(r"\b(?:c\s?uda|computational\s+use\s+of\s+data\s+agreement)(?:\s+1\.0)?\b"), _fixed("C-UDA-1.0")),
    (_CC_MARK, lambda m, t: _cc_from_match(m, t, marked=True)),
    (_CC_NOMARK, lambda m, t: _cc_from_match(m, t, marked=False)),
    (
        re.compile(r"\b(?:gnu\s+)?(?:affero\s+(?:gnu\s+)?general\s+public|agpl)\b" + _GNU_VER + _GNU_MOD),
        lambda m, t: _gnu("AGPL", m),
    ),
    (
        re.compile(r"\b(?:gnu\s+)?(?:(?:lesser|library)\s+(?:gnu\s+)?general\s+public|lgpl)\b" + _GNU_VER + _GNU_MOD),
        lambda m, t: _gnu("LGPL", m),
    ),
    (
        re.compile(
            r"(?<!lesser\s)(?<!library\s)(?<!affero\s)\b(?:gnu\s+)?(?:general\s+public|gpl)\b" + _GNU_VER + _GNU_MOD
        ),
        lambda m, t: _gnu("GPL", m),
    ),
    (re.compile(r"\b(?:gnu\s+)?(?:free\s+documentation|gfdl|fdl)\b" + _GNU_VER + _GNU_MOD), lambda m, t: _gnu("GFDL", m)),
    (
        re.compile(
            r"\b(?:apache(?:\s+software(?:\s+foundation)?)?|asl(?=\s+\d))\b(?:\s+lic)?(?:\s+(?P<ver>\d(?:\.\d)?)\b)?"
        ),
        _versioned(
            {"1.0": "Apache-1.0", "1.1": "Apache-1.1", "2.0": "Apache-2.0"},
            "Apache",
            "Apache-2.0",
            "Apache licence without a version -> Apache-2.0, as license-expression's index maps LicenseRef-Apache "
            "(1.0/1.1 predate 2004)",
        ),
    ),
    (re.compile(r"\bmit\s+no\s+attribution\b|\bmit\s+0\b"), _fixed("MIT-0")),
    (re.compile(r"\bmit\b|\bexpat\b"), _fixed("MIT")),
    (
        re.compile(
            r"permission\s+is\s+hereby\s+granted\s+free\s+of\s+charge\s+to\s+any\s+person\s+obtaining\s+a\s+copy"
        ),
        _fixed("MIT", confidence=0.6, note="MIT grant sentence (shared by MIT-0 and X11: check the full text)"),
    ),
    (
        re.compile(
            r"\b(?:(?P<pre>new|revised|modified|simplified|freebsd|original|[0-4]\s+clause|zero\s+clause|two\s+clause"
            r"|three\s+clause|four\s+clause)\s+)?bsd(?:\s+(?P<n>[0-4])(?:\s+clause)?)?(?:\s+(?P<post>clear|new|revised"
            r"|simplified|modified|original))?\b"
        ),
        _bsd,
    ),
    (
        re.compile(r"redistribution\s+and\s+use\s+in\s+source\s+and\s+binary\s+forms"),
        _fixed("LicenseRef-BSD", confidence=0.6, note="BSD licence text (clause count not read)"),
    ),
    (re.compile(r"\bisc\b"), _fixed("ISC")),
    (re.compile(r"\bzlib\b"), _fixed("Zlib")),
    (re.compile(r"\bboost\s+software(?:\s+lic)?(?:\s+1\.0)?\b|\bbsl\s+1\.0\b"), _fixed("BSL-1.0")),
    (re.compile(r"\bwtfpl\b|\bdo\s+what\s+the\s+f\w*\s+you\s+want"), _fixed("WTFPL")),
    (
        re.compile(
            r"\bunlicense\b|released\s+into\s+the\s+public\s+domain\s+this\s+is\s+free\s+and\s+unencumbered"
            r"|\bfree\s+and\s+unencumbered\s+software\b"
        ),
        _fixed("Unlicense"),
    ),
    (re.compile(r"\b(?:microsoft\s+public|ms\s?pl)\b(?:\s+lic)?"), _fixed("MS-PL")),
    (
        re.compile(r"\b(?:mozilla\s+public|mpl)\b(?:\s+lic)?(?:\s+(?P<ver>[12](?:\.[01])?)\b)?"),
        _versioned({"1.0": "MPL-1.0", "1.1": "MPL-1.1", "2.0": "MPL-2.0"}, "MPL", "LicenseRef-MPL"),
    ),
    (
        re.compile(r"\b(?:eclipse\s+public|epl)\b(?:\s+lic)?(?:\s+(?P<ver>[12](?:\.0)?)\b)?"),
        _versioned({"1.0": "EPL-1.0", "2.0": "EPL-2.0"}, "EPL", "LicenseRef-EPL"),
    ),
    (
        re.compile(r"\b(?:european\s+union\s+public|eupl)\b(?:\s+lic)?(?:\s+(?P<ver>1\.[012])\b)?"),
        _versioned({"1.0": "EUPL-1.0", "1.1": "EUPL-1.1", "1.2": "EUPL-1.2"}, "EUPL"),
    ),
    (
        re.compile(r"\bartistic\b(?:\s+lic)?(?:\s+(?P<ver>[12](?:\.0)?)\b)?"),
        _versioned({"1.0": "Artistic-1.0", "2.0": "Artistic-2.0"}, "Artistic", "LicenseRef-Artistic"),
    ),
    (
        re.compile(r"\b(?:academic\s+free|afl)\b(?:\s+lic)?(?:\s+(?P<ver>[1-3](?:\.[0-2])?)\b)?"),
        _versioned({"1.1": "AFL-1.1", "1.2": "AFL-1.2", "2.0": "AFL-2.0", "2.1": "AFL-2.1", "3.0": "AFL-3.0"}, "AFL"),
    ),
    (
        re.compile(r"\b(?:sil\s+)?open\s+font(?:\s+lic)?(?:\s+(?P<ver>1\.[01])\b)?|\bofl\s+(?P<v2>1\.[01])\b"),
        lambda m, t: _Mention(
            m.start(),
            m.end(),
            f"OFL-{m['ver'] or m['v2']}" if (m["ver"] or m["v2"]) else UNKNOWN,
            SPECIFIC if (m["ver"] or m["v2"]) else BARE,
            family="OFL",
        ),
    ),
    (
        re.compile(
            r"\bopen\s+government\s+lic(?:\s+(?P<can>canada))?(?:\s+(?P<ver>[123](?:\.0)?)\b)?"
            r"|\bogl(?:\s+uk)?\s+(?P<v2>[123](?:\.0)?)\b"
        ),
        lambda m, t: _Mention(
            m.start(),
            m.end(),
            "OGL-Canada-2.0"
            if m["can"]
            else (f"OGL-UK-{(m['ver'] or m['v2'])[0]}.0" if (m["ver"] or m["v2"]) else "LicenseRef-OGL-UK"),
            family="OGL",
            versioned=bool(m["can"] or m["ver"] or m["v2"]),
        ),
    ),
    (
        re.compile(r"\bmulan\s*(?:psl|permissive(?:\s+software)?)?\b(?:\s+lic)?(?:\s+(?P<ver>[12](?:\.0)?)\b)?"),
        _versioned({"1.0": "MulanPSL-1.0", "2.0": "MulanPSL-2.0"}, "MulanPSL", "LicenseRef-MulanPSL"),
    ),
    # AI model licences
    (
        re.compile(
            r"\b(?P<org>bigscience|bigcode|codeml|creativeml)?\s*open\s?rail\b"
            r"(?:\s*(?P<pp>\+\+))?(?:\s*(?P<kind>m|d|a|s)\b)?"
        ),
        _openrail,
    ),
    (
        re.compile(r"\bbigscience\s+(?:bloom\s+)?rail(?:\s+lic)?(?:\s+1\.0)?\b"),
        _fixed("LicenseRef-BigScience-BLOOM-RAIL-1.0"),
    ),
    (re.compile(r"\b(?:meta\s+)?llama\s*(?P<ver>[234](?:\.\d)?)?\b"), _llama),
    (re.compile(r"\bgemma\b"), _fixed("LicenseRef-Gemma")),
    (re.compile(r"\bdeepfloyd\b"), _fixed("LicenseRef-DeepFloyd-IF-Research")),
    (re.compile(r"\bskywork\b"), _fixed("LicenseRef-Skywork-Community")),
    (re.compile(r"\b(?:ai2\s+)?impact\s+lic\s+low\s+risk|\bimpact\s+lr\b"), _fixed("LicenseRef-AI2-ImpACT-LR")),
    (re.compile(r"\bproject\s+gutenberg\b|\bgutenberg\s+lic\b"), _fixed("LicenseRef-Project-Gutenberg")),
    (re.compile(r"\boanc\b|\bopen\s+american\s+national\s+corpus\b"), _fixed("LicenseRef-OANC")),
    (
        re.compile(r"\bmicrosoft\s+(?:research\s+)?data\s+lic\s+agreement\b|\bmsr\s+data\s+lic"),
        _fixed("LicenseRef-MSR-Data-License"),
    ),
    (re.compile(r"\bldc\b|\blinguistic\s+data\s+consortium\b"), _fixed("LicenseRef-LDC-User-Agreement")),
    (re.compile(r"\bcslu\b"), _fixed("LicenseRef-CSLU-Agreement")),
    (re.compile(r"\blmsys\s+chat\s+1m\b"), _fixed("LicenseRef-LMSYS-Chat-1M")),
    (re.compile(r"\brequest\s+form\b"), _fixed("LicenseRef-Request-Form", confidence=0.7)),
    # model-provider terms (synthetic data)
    (
        re.compile(r"\bopenai\b|\bchat\s?gpt\b|\bgpt\s?(?:3\.5|3|4o|4)\b|\btext\s+davinci\b"),
        _fixed("LicenseRef-OpenAI-Terms"),
    ),
    (re.compile(r"\banthropic\b|\bclaude\b"), _fixed("LicenseRef-Anthropic-Terms")),
    (
        re.compile(r"\bgoogle\s+(?:cloud\s+)?translat(?:e|ion)(?:\s+api)?\b"),
        _fixed("LicenseRef-Google-Cloud-Translation-Terms"),
    ),
    # restrictions stated in words
    # "research purposes only", "Research and Academic Use License"; a bare "for research purposes" is a restriction
    # only when it is the whole statement (in a sentence it is often "please cite if you use it for research")
    (
        re.compile(
            rf"\b(?:non\s?commercial\s+)?(?:{_RESEARCH_WORD}\s+(?:(?:and|or|/)\s+)?)*{_RESEARCH_WORD}\s+{_PURPOSE}"
            rf"(?:\s+only|\s+lic|\s+agreement)\b"
            rf"|^(?:for\s+)?(?:non\s?commercial\s+)?(?:{_RESEARCH_WORD}\s+(?:(?:and|or|/)\s+)?)*{_RESEARCH_WORD}\s+"
            rf"{_PURPOSE}(?:\s+lic)?$"
        ),
        _fixed("LicenseRef-Research-Only", RESTRICTIVE, 0.8),
    ),
    (
        # "only for research …" / "intended for academic research purposes …"
        re.compile(
            rf"(?:\b(?:only|solely|exclusively|strictly)\s+(?:be\s+used\s+)?(?:for|to|in)\s+"
            rf"|\b(?:intended|restricted|limited|permitted|available|free)\s+(?:only\s+)?(?:for|to)\s+)"
            rf"(?:non\s?commercial\s+)?"
            rf"{_RESEARCH_WORD}\b(?:\s+(?:(?:and|or|/)\s+)?{_RESEARCH_WORD})*(?:\s+{_PURPOSE})?"
        ),
        _fixed("LicenseRef-Research-Only", RESTRICTIVE, 0.8),
    ),
    (
        re.compile(rf"\bnon\s?commercial\s+{_RESEARCH_WORD}\b|\b{_RESEARCH_WORD}\s+only\b"),
        _fixed("LicenseRef-Research-Only", RESTRICTIVE, 0.8),
    ),
    (
        re.compile(
            r"\bnon\s?commercial\b|\bnot\s+(?:be\s+)?(?:used\s+)?for\s+commercial\b|\bno\s+commercial\b"
            r"|\bcommercial\s+use\s+(?:is\s+)?(?:not\s+(?:permitted|allowed)|prohibited|forbidden)"
            r"|\b(?:except|other\s+than|excluding)\s+(?:for\s+)?commercial\b|\bnot\s+for\s+profit\b"
        ),
        _fixed("LicenseRef-Non-Commercial", RESTRICTIVE, 0.8),
    ),
    (re.compile(r"\bterms\s+of\s+(?:use|service)\b|\btos\b"), _fixed("LicenseRef-Terms-Of-Service", RESTRICTIVE, 0.6)),
    (
        re.compile(
            r"\bproprietary\b|\b(?:under|per|via|subject\s+to)\s+(?:a\s+|the\s+|our\s+)?contract\b|^contract\b"
            r"|\bcontractual\b|\bcommercial\s+lic\b|\bpaid\s+lic\b|\bnda\b"
        ),
        _fixed("LicenseRef-Proprietary", RESTRICTIVE, 0.7, "proprietary or contract terms: not in the string"),
    ),
    # permissive statements in words
    (re.compile(r"\bpublic\s+domain\b"), _fixed("LicenseRef-Public-Domain", PERMISSIVE, 0.8)),
    (
        re.compile(
            r"\b(?:may|can)\s+be\s+(?:freely\s+)?used\s+for\s+any\s+purpose\b"
            r"|\bfree(?:ly)?\s+(?:to\s+use\s+)?for\s+any\s+"
            r"(?:purpose|use)\b"
        ),
        _fixed("LicenseRef-All-Uses-Attribution", PERMISSIVE, 0.7, "custom text allowing any use"),
    ),
    # no licence named
    (
        re.compile(r"\bvarious\b|\bmultiple\b|\bmixed\b|\bseveral\s+lic"),
        _fixed("LicenseRef-Various", WEAK, 0.5, "several licences, not named", 3),
    ),
    (
        re.compile(
            r"\bcustom\b|\bbespoke\b|\b(?:usage|use|user|release|access|distribution|lic)\s+agreement\b|\byou\s+agree\b"
        ),
        _fixed("LicenseRef-Custom", WEAK, 0.5, "custom licence text: a person must read it", 2),
    ),
    (re.compile(r"\ball\s+rights\s+reserved\b"), _fixed("LicenseRef-Proprietary", WEAK, 0.5, "all rights reserved", 1)),
]

_MODIFIED = re.compile(r"\b(?:modified|adapted|customi[sz]ed|custom|variant\s+of|based\s+on|derived\s+from)\s+$")
_OR_WORDS = re.compile(r"\b(?:or|either|dual(?:ly)?|alternatively)\b|/")
_OR_LATER = re.compile(r"\bor\s+(?:at\s+your\s+option\s+)?(?:any\s+)?(?:later|newer|greater|higher|above)\b")
_COPYRIGHT = re.compile(r"^\s*(?:copyright\b|\(c\)|©)", re.IGNORECASE)
# a demand for credit in free text adds the attribution flag (never removes anything)
_ATTRIBUTION = re.compile(
    r"\bwith\s+(?:attribution|acknowledg\w*|credit|citation)\b|\battribution\s+(?:is\s+)?required\b"
    r"|\b(?:must|should|please|shall)\s+(?:be\s+)?(?:cite|credit|acknowledg\w*|attribut\w*)|\backnowledg\w*\s+of\b"
    r"|\bgive\s+(?:appropriate\s+)?credit\b"
)


def _mentions(canon: str) -> list[_Mention]:
    found: list[tuple[int, int, int, _Mention]] = []
    for prio, (pattern, handler) in enumerate(_RULES):
        for m in pattern.finditer(canon):
            if m.end() == m.start():
                continue
            mention = handler(m, canon)
            if mention is not None:
                found.append((mention.start, -(mention.end - mention.start), prio, mention))
    found.sort(key=lambda x: x[:3])
    chosen: list[_Mention] = []
    taken_until = -1
    for _, _, _, mention in found:  # leftmost-longest, no overlap
        if mention.start >= taken_until:
            chosen.append(mention)
            taken_until = mention.end
    out = []
    for mention in chosen:  # "modified MIT" is not MIT ("modified BSD" is the 3-clause BSD)
        if mention.tier == SPECIFIC and mention.family != "BSD" and _MODIFIED.search(canon[: mention.start]):
            mention = replace(
                mention,
                spdx="LicenseRef-Custom",
                tier=WEAK,
                family="",
                confidence=0.5,
                priority=2,
                note=f"a modified {mention.spdx} is not {mention.spdx}: custom text, a person must read it",
            )
        out.append(mention)
    return out


def _resolve_mentions(mentions: list[_Mention], canon: str) -> tuple[str, float, str] | None:
    """(expression, confidence, note) from the mentions found in one text, or None."""
    specific = [m for m in mentions if m.tier == SPECIFIC]
    restrictive = [m for m in mentions if m.tier == RESTRICTIVE]
    permissive = [m for m in mentions if m.tier == PERMISSIVE]
    weak = [m for m in mentions if m.tier == WEAK]
    bare = [m for m in mentions if m.tier == BARE]

    # an unversioned mention adds nothing when the same family is named with a version
    versioned_families = {m.family for m in specific if m.versioned and m.family}
    specific = [m for m in specific if m.versioned or m.family not in versioned_families]
    specific = list({m.spdx: m for m in specific}.values())
    restrictive = list({m.spdx: m for m in restrictive}.values())

    if specific or restrictive:
        # a restriction in words adds nothing when the named licences are already at least as restrictive
        kept = []
        for g in restrictive:
            others = [classify(m.spdx)[0] for m in specific] + [classify(r.spdx)[0] for r in restrictive if r is not g]
            if others and combine(others) == combine(others + [classify(g.spdx)[0]]):
                continue
            kept.append(g)
        restrictive = kept
        parts = [m.spdx for m in specific]
        use_or = len(parts) > 1 and _OR_WORDS.search(_OR_LATER.sub(" ", canon)) is not None
        expr = (" OR " if use_or else " AND ").join(parts)
        if restrictive:
            if use_or:
                expr = f"({expr})"
            expr = " AND ".join(([expr] if expr else []) + [g.spdx for g in restrictive])
        used = specific + restrictive
        notes = [m.note for m in used if m.note]
        conf = min(m.confidence for m in used)
        if len(used) > 1:
            conf -= 0.1
            notes.append("several licences named: " + ("the licensee may choose (OR)" if use_or else "all apply (AND)"))
        return expr, conf, "; ".join(dict.fromkeys(notes))
    if permissive:
        pick = permissive[0]
        return pick.spdx, pick.confidence, pick.note
    if weak:
        pick = max(weak, key=lambda m: m.priority)
        return pick.spdx, pick.confidence, pick.note
    if bare:
        return UNKNOWN, 0.0, bare[0].note
    return None


# --------------------------------------------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------------------------------------------


def _spdx_stage(text: str) -> str | None:
    """A valid SPDX id or expression (LicenseRef-* allowed), rendered canonically; else None."""
    from boolean.boolean import ParseError
    from license_expression import ExpressionError

    if not re.fullmatch(r"[\w.+\-() ]+", text) or text.lower().startswith(("and ", "or ", "with ")):
        return None
    lic = _licensing()
    try:
        node = lic.parse(text, simplify=False)
    except (ExpressionError, ParseError):  # not an SPDX expression
        return None
    if node is None:
        return None
    for key in lic.unknown_license_keys(node):
        if not (
            key.lower().startswith("licenseref-") and re.fullmatch(r"LicenseRef-[A-Za-z0-9.\-]+", key, re.IGNORECASE)
        ) and key.upper() not in (NOASSERTION, "NONE"):
            return None
    return _render(node)


def normalize(text: str | None) -> NormalizedLicense:
    """Normalise one licence statement (see the module docstring for the stages and decisions)."""
    if text is None or not str(text).strip():
        return _make(text, NOASSERTION, classify(NOASSERTION)[0], 1.0, "none", "no licence given")
    raw = str(text).strip()
    chinese = bool(_CJK.search(raw))

    # 2. SPDX id / expression
    spdx = _spdx_stage(raw)
    if spdx is not None and spdx.upper() not in (NOASSERTION, "NONE"):
        single = not re.search(r"\s(?:AND|OR|WITH)\s", spdx)
        how = "spdx-id" if single else "spdx-expression"
        exact = spdx == raw or spdx.lower() == raw.lower().strip("() ")
        return _result_for_expression(text, spdx, how, 1.0 if exact else 0.95)

    # 3. alias table
    row = _alias_index()[0].get(_alias_key(raw))
    if row is not None:
        note = "no licence given" if row.spdx == NOASSERTION else ""
        if row.spdx == UNKNOWN:
            note = "names no licence: cannot be resolved"
        return _result_for_expression(text, row.spdx, row.kind, 0.95 if row.spdx != UNKNOWN else 0.0, note)

    # 4. the whole text is a URL
    urls = [u.rstrip(".,;:") for u in _URL.findall(raw)]
    if len(urls) == 1 and raw.strip("<>()[] ").rstrip(".,;:") == urls[0]:
        hit = _resolve_url(urls[0])
        if hit is None or hit[0] is None:
            return _make(
                text,
                UNKNOWN,
                LicenseClass("unknown"),
                0.0,
                "none",
                "URL is not a known licence document: a person must read it",
            )
        return _result_for_expression(text, hit[0], "url", 0.95, hit[1])

    # 5. mentions in text (URLs inside the text are resolved on their own and blanked out)
    url_mentions = []
    body = raw
    for u in urls:
        hit = _resolve_url(u)
        if hit is not None and hit[0] and hit[0] != UNKNOWN:
            url_mentions.append(_Mention(0, 0, hit[0], family=hit[0], confidence=0.85, note=hit[1]))
        body = body.replace(u, " ")
    canon = _canon(_prep(body))
    resolved = _resolve_mentions(_mentions(canon) + url_mentions, canon)
    if resolved is not None:
        expr, conf, note = resolved
        if expr == NOASSERTION or expr == UNKNOWN:
            return _make(text, expr, classify(expr)[0], conf, "pattern", note)
        how = "chinese-name" if chinese else "pattern"
        tight = len(canon) <= 60 or (conf >= 0.9 and len(canon) < 120)
        result = _result_for_expression(text, expr, how, conf if tight else min(conf, 0.75), note)
        if not result.attribution and _ATTRIBUTION.search(canon):
            result = replace(result, attribution=True, note=_join(result.note, "the text asks for attribution"))
        return result

    # 6. nothing named
    if _COPYRIGHT.search(raw):
        return _make(
            text,
            NOASSERTION,
            classify(NOASSERTION)[0],
            0.8,
            "pattern",
            "copyright notice without a licence: none given",
        )
    return _make(
        text, UNKNOWN, LicenseClass("unknown"), 0.0, "none", "not recognised: not cleared until a person reviews it"
    )
