"""Licence normaliser: ids, expressions, HF ids, paraphrases, URLs, Chinese names, near-misses, classes, safety."""

from __future__ import annotations

import json
import re

import pytest

from provenance.licenses import (
    USE_CLASSES,
    LicenseClass,
    NormalizedLicense,
    alias_rows,
    choose,
    class_table,
    classify,
    combine,
    normalize,
    spdx_id,
)


def case(text, spdx, use_class, reason):
    return pytest.param(text, spdx, use_class, id=reason)


# --------------------------------------------------------------------------------------------------------------
# inputs -> (SPDX expression, use class)
# --------------------------------------------------------------------------------------------------------------

SPDX_IDS = [
    case("MIT", "MIT", "commercial", "spdx id as written"),
    case("mit", "MIT", "commercial", "spdx id in lower case"),
    case("CC-BY-NC-SA-4.0", "CC-BY-NC-SA-4.0", "non-commercial", "CC NC-SA id keeps NC"),
    case("cc-by-nd-4.0", "CC-BY-ND-4.0", "commercial", "CC ND id in lower case"),
    case("GPL-2.0", "GPL-2.0-only", "commercial", "deprecated bare GPL-2.0 means -only"),
    case("GPL-2.0+", "GPL-2.0-or-later", "commercial", "deprecated GPL-2.0+ means -or-later"),
    case("GPL-3.0-or-later", "GPL-3.0-or-later", "commercial", "current or-later id kept"),
    case("BSD-2", "BSD-2-Clause", "commercial", "deprecated short BSD-2 id"),
    case("CC-BY-NC-SA-2.0-UK", "CC-BY-NC-SA-2.0-UK", "non-commercial", "ported CC id not in the table: cc rule"),
    case("LicenseRef-openrail-m", "LicenseRef-OpenRAIL-M", "commercial", "our LicenseRef in any case"),
    case("LicenseRef-Acme-Data-Terms", "LicenseRef-Acme-Data-Terms", "unknown", "foreign LicenseRef is not cleared"),
]

EXPRESSIONS = [
    case("MIT OR Apache-2.0", "MIT OR Apache-2.0", "commercial", "OR of two permissive ids"),
    case("(MIT AND BSD-3-Clause)", "MIT AND BSD-3-Clause", "commercial", "parenthesised AND"),
    case("mit or apache-2.0", "MIT OR Apache-2.0", "commercial", "lower-case operators and ids"),
    case(
        "Apache-2.0 AND CC-BY-NC-4.0", "Apache-2.0 AND CC-BY-NC-4.0", "non-commercial", "AND takes the stricter class"
    ),
    case("CC-BY-NC-4.0 OR MIT", "CC-BY-NC-4.0 OR MIT", "commercial", "OR lets the licensee pick MIT"),
    case("MIT AND NOASSERTION", "MIT AND NOASSERTION", "unspecified", "AND with nothing asserted is not cleared"),
    case(
        "GPL-2.0 WITH Classpath-exception-2.0",
        "GPL-2.0-only WITH Classpath-exception-2.0",
        "commercial",
        "WITH keeps the licence's class",
    ),
    case(
        "LicenseRef-Llama-2 AND CC-BY-SA-4.0",
        "LicenseRef-Llama-2 AND CC-BY-SA-4.0",
        "commercial",
        "LicenseRef inside an expression",
    ),
]

HF_IDS = [
    case("apache-2.0", "Apache-2.0", "commercial", "hf apache-2.0"),
    case("cc-by-nc-4.0", "CC-BY-NC-4.0", "non-commercial", "hf cc-by-nc-4.0"),
    case("openrail", "LicenseRef-OpenRAIL", "commercial", "hf openrail family"),
    case("openrail++", "LicenseRef-OpenRAIL-PlusPlus-M", "commercial", "hf openrail++"),
    case("bigscience-openrail-m", "LicenseRef-BigScience-OpenRAIL-M", "commercial", "hf bigscience-openrail-m"),
    case("llama2", "LicenseRef-Llama-2", "commercial", "hf llama2"),
    case("gpl-3.0", "GPL-3.0-only", "commercial", "hf gpl-3.0 is the deprecated GPL-3.0 id"),
    case("c-uda", "C-UDA-1.0", "research-only", "hf c-uda, only version 1.0"),
    case("cdla-permissive-2.0", "CDLA-Permissive-2.0", "commercial", "hf cdla-permissive-2.0"),
    case("odc-by", "ODC-By-1.0", "commercial", "hf odc-by, only version 1.0"),
    case("odbl", "ODbL-1.0", "commercial", "hf odbl, only version 1.0"),
    case("pddl", "PDDL-1.0", "commercial", "hf pddl"),
    case("cc0-1.0", "CC0-1.0", "commercial", "hf cc0-1.0"),
    case("afl-3.0", "AFL-3.0", "commercial", "hf afl-3.0 (Academic Free License is permissive)"),
    case("bsd", "LicenseRef-BSD", "commercial", "hf bsd family has no clause count"),
    case("gpl", "GPL-1.0-or-later", "commercial", "hf gpl family: GPL says no version = any version"),
    case("lgpl", "LGPL-2.0-or-later", "commercial", "hf lgpl family: any version"),
    case("cc", "unknown", "unknown", "hf cc family names no CC licence"),
    case(
        "fair-noncommercial-research-license",
        "LicenseRef-FAIR-Noncommercial-Research",
        "research-only",
        "hf FAIR research licence",
    ),
]

PARAPHRASES = [
    case(
        "Creative Commons Attribution Non Commercial Share Alike 4.0",
        "CC-BY-NC-SA-4.0",
        "non-commercial",
        "HF long name of CC BY-NC-SA 4.0",
    ),
    case("Attribution-NonCommercial 4.0 International", "CC-BY-NC-4.0", "non-commercial", "CC deed title"),
    case("Apache License 2.0", "Apache-2.0", "commercial", "Apache full name"),
    case("Apache 2.0", "Apache-2.0", "commercial", "Apache short name"),
    case(
        'Licensed under the Apache License, Version 2.0 (the "License");',
        "Apache-2.0",
        "commercial",
        "Apache notice sentence",
    ),
    case("GNU GPL v3", "GPL-3.0-only", "commercial", "GNU GPL v3 without or-later"),
    case("GPLv2+", "GPL-2.0-or-later", "commercial", "GPLv2+ means or-later"),
    case("GNU General Public License v2.0 or later", "GPL-2.0-or-later", "commercial", "spelled-out or later"),
    case("GPL (>= 2)", "GPL-2.0-or-later", "commercial", "R-style >= version"),
    case("CC BY-NC-SA 4.0", "CC-BY-NC-SA-4.0", "non-commercial", "CC short name with spaces"),
    case("CC BY- SA 4.0", "CC-BY-SA-4.0", "commercial", "stray space after dash"),
    case("public domain", "LicenseRef-Public-Domain", "commercial", "public domain statement"),
    case("Public domain (CC0)", "CC0-1.0", "commercial", "CC0 named: the specific licence wins"),
    case("research only", "LicenseRef-Research-Only", "research-only", "research only"),
    case("academic use only", "LicenseRef-Research-Only", "research-only", "academic use only"),
    case(
        "free for educational use with attribution",
        "LicenseRef-Research-Only",
        "research-only",
        "educational use is not commercial",
    ),
    case(
        "This dataset is intended for non-commercial research purpose only.",
        "LicenseRef-Research-Only",
        "research-only",
        "sentence: non-commercial research only",
    ),
    case("Custom (non-commercial)", "LicenseRef-Non-Commercial", "non-commercial", "custom + NC qualifier"),
    case("proprietary – contract", "LicenseRef-Proprietary", "unknown", "proprietary, en dash"),
    case(
        "The dataset may be freely used for any purpose, although acknowledgement of Google LLC is appreciated",
        "LicenseRef-All-Uses-Attribution",
        "commercial",
        "custom any-use text",
    ),
    case(
        "CUAD is licensed under the Creative Commons Attribution 4.0 (CC BY 4.0) license.",
        "CC-BY-4.0",
        "commercial",
        "licence inside a sentence, named twice",
    ),
    case(
        "MIT License (https://github.com/uclanlp/corefBias/blob/master/LICENSE)",
        "MIT",
        "commercial",
        "URL of a repo ignored next to a named licence",
    ),
    case("Modified MIT License", "LicenseRef-Custom", "unknown", "a modified MIT is not MIT"),
    case(
        "Permission is hereby granted, free of charge, to any person obtaining a copy ...",
        "MIT",
        "commercial",
        "MIT grant sentence",
    ),
    case("Copyright 2017 Google Inc.", "NOASSERTION", "unspecified", "copyright line without a licence"),
    case(
        "Generated with GPT-4; subject to the OpenAI terms of use",
        "LicenseRef-OpenAI-Terms",
        "unknown",
        "model-provider terms are contested",
    ),
    case("dual licensed under MIT and Apache 2.0", "MIT OR Apache-2.0", "commercial", "dual licensing is OR"),
    case("MIT and Apache 2.0", "MIT AND Apache-2.0", "commercial", "plain 'and' is AND"),
    case(
        "CC BY 4.0, for research purposes only",
        "CC-BY-4.0 AND LicenseRef-Research-Only",
        "research-only",
        "a restriction in words is ANDed",
    ),
    case(
        "CC BY-SA 4.0. Please cite our paper if you use it for research purposes.",
        "CC-BY-SA-4.0",
        "commercial",
        "a citation request is not a research-only restriction",
    ),
    case("CC BY-SA 3.0 ES", "LicenseRef-CC-BY-SA-3.0-ES", "commercial", "CC port without SPDX id"),
    case("CC BY 3.0 DE", "CC-BY-3.0-DE", "commercial", "CC port with an SPDX id"),
    case("Llama 2 Community License Agreement", "LicenseRef-Llama-2", "commercial", "Llama 2 full name"),
    case("Meta Llama3 Community License", "LicenseRef-Llama-3", "commercial", "Llama 3, DPI spelling"),
]

URLS = [
    case("creativecommons.org/licenses/by-sa/4.0/", "CC-BY-SA-4.0", "commercial", "CC URL without scheme"),
    case(
        "https://creativecommons.org/licenses/by-nc-nd/3.0/legalcode",
        "CC-BY-NC-ND-3.0",
        "non-commercial",
        "CC legalcode URL",
    ),
    case(
        "https://creativecommons.org/licenses/by-nc-nd/3.0/de/", "CC-BY-NC-ND-3.0-DE", "non-commercial", "CC port URL"
    ),
    case("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0", "commercial", "CC0 URL"),
    case("https://opensource.org/licenses/MIT", "MIT", "commercial", "OSI URL"),
    case("https://opensource.org/license/apache-2-0", "Apache-2.0", "commercial", "new OSI URL style"),
    case("http://www.apache.org/licenses/LICENSE-2.0", "Apache-2.0", "commercial", "apache.org URL"),
    case("https://www.gnu.org/licenses/gpl-3.0", "GPL-3.0-only", "commercial", "gnu.org GPL 3 URL"),
    case("https://www.gnu.org/licenses/agpl-3.0", "AGPL-3.0-only", "commercial", "gnu.org AGPL URL is not GPL"),
    case("https://www.gnu.org/licenses/old-licenses/gpl-2.0.en.html", "GPL-2.0-only", "commercial", "old GPL 2 URL"),
    case("https://opendatacommons.org/licenses/by/1-0/", "ODC-By-1.0", "commercial", "ODC-By URL"),
    case("https://opendatacommons.org/licenses/odbl/1-0/", "ODbL-1.0", "commercial", "ODbL URL"),
    case("https://spdx.org/licenses/CC-BY-SA-4.0.html", "CC-BY-SA-4.0", "commercial", "SPDX page URL"),
    case("https://ai.meta.com/llama/license/", "LicenseRef-Llama-2", "commercial", "Llama licence URL (alias)"),
    case("https://github.com/foo/bar/blob/main/LICENSE", "unknown", "unknown", "a repo LICENSE URL is unread"),
]

CHINESE = [
    case("知识共享 署名 4.0", "CC-BY-4.0", "commercial", "zh CC BY 4.0"),
    case("知识共享 署名-非商业性使用-相同方式共享 4.0", "CC-BY-NC-SA-4.0", "non-commercial", "zh CC BY-NC-SA 4.0"),
    case(
        "知识共享署名-非商业性使用-禁止演绎 4.0 国际许可协议",
        "CC-BY-NC-ND-4.0",
        "non-commercial",
        "zh CC BY-NC-ND 4.0 full deed name",
    ),
    case("署名-禁止演绎", "LicenseRef-CC-BY-ND", "commercial", "zh BY-ND without version"),
    case("姓名標示-非商業性-相同方式分享 4.0 國際", "CC-BY-NC-SA-4.0", "non-commercial", "zh-Hant CC BY-NC-SA"),
    case("公有领域", "LicenseRef-Public-Domain", "commercial", "zh public domain"),
    case("仅限研究使用", "LicenseRef-Research-Only", "research-only", "zh research use only"),
    case("仅供学术研究", "LicenseRef-Research-Only", "research-only", "zh academic research only"),
    case("禁止商用", "LicenseRef-Non-Commercial", "non-commercial", "zh commercial use forbidden"),
    case("MIT 许可证", "MIT", "commercial", "zh MIT licence"),
    case("Apache 许可证 2.0", "Apache-2.0", "commercial", "zh Apache licence 2.0"),
    case("GNU 通用公共许可证 第三版", "GPL-3.0-only", "commercial", "zh GPL third edition"),
    case("GNU 宽通用公共许可证 v2.1", "LGPL-2.1-only", "commercial", "zh LGPL 2.1 is not GPL"),
    case("木兰宽松许可证 第2版", "MulanPSL-2.0", "commercial", "zh Mulan PSL v2"),
    case("CC0 1.0 通用", "CC0-1.0", "commercial", "zh CC0 universal"),
]

NEAR_MISSES = [
    case("CC BY-NC 4.0", "CC-BY-NC-4.0", "non-commercial", "CC-BY-NC is not CC-BY"),
    case("CC BY 4.0", "CC-BY-4.0", "commercial", "CC-BY is not CC-BY-NC"),
    case("CC BY-NC-ND 4.0", "CC-BY-NC-ND-4.0", "non-commercial", "CC-BY-NC-ND is not CC-BY-ND"),
    case("CC BY-ND 4.0", "CC-BY-ND-4.0", "commercial", "CC-BY-ND is not CC-BY-NC-ND"),
    case("CC BY 3.0", "CC-BY-3.0", "commercial", "CC BY 3.0 is not 4.0"),
    case("GPL-2.0-only", "GPL-2.0-only", "commercial", "GPL-2.0-only is not or-later"),
    case("GPL v2 or later", "GPL-2.0-or-later", "commercial", "or later is not -only"),
    case('BSD 2-Clause "Simplified" License', "BSD-2-Clause", "commercial", "BSD-2 is not BSD-3"),
    case('BSD 3-Clause "New" or "Revised" License', "BSD-3-Clause", "commercial", "BSD-3 is not BSD-2"),
    case("GNU Lesser General Public License v3.0", "LGPL-3.0-only", "commercial", "LGPL is not GPL"),
    case("GNU Affero General Public License v3.0", "AGPL-3.0-only", "commercial", "AGPL is not GPL"),
    case("GNU General Public License v3.0", "GPL-3.0-only", "commercial", "GPL is not LGPL/AGPL"),
    case("CC-BY-NC", "LicenseRef-CC-BY-NC", "non-commercial", "no version: LicenseRef, still non-commercial"),
    case(
        "The project is licenced under CC-by-NC",
        "LicenseRef-CC-BY-NC",
        "non-commercial",
        "sentence, no version, NC kept",
    ),
    case("Academic Free License v3.0", "AFL-3.0", "commercial", "Academic Free License is not academic-only"),
    case("MIT No Attribution", "MIT-0", "commercial", "MIT-0 is not MIT"),
    case("Public Domain Mark 1.0", "CC-PDM-1.0", "commercial", "public domain mark is not CC0"),
]

NOT_GIVEN = [
    case(None, "NOASSERTION", "unspecified", "None"),
    case("", "NOASSERTION", "unspecified", "empty string"),
    case("   ", "NOASSERTION", "unspecified", "whitespace"),
    case("unknown", "NOASSERTION", "unspecified", "hf unknown"),
    case("Unknown", "NOASSERTION", "unspecified", "Unknown capitalised"),
    case("other", "NOASSERTION", "unspecified", "hf other without a name"),
    case("n/a", "NOASSERTION", "unspecified", "n/a"),
    case("No License", "NOASSERTION", "unspecified", "DPI No License is not commercial"),
    case("无", "NOASSERTION", "unspecified", "zh none"),
    case("other: llama2", "LicenseRef-Llama-2", "commercial", "other with a name uses the name"),
    case("asdf qwerty", "unknown", "unknown", "garbage"),
    case("Creative Commons", "unknown", "unknown", "bare Creative Commons (DPI labels it CC0: known error)"),
    case("CC BY-SA-ND 4.0", "unknown", "unknown", "contradictory CC elements"),
    case("CC BY-SA 5.0", "unknown", "unknown", "no such CC version"),
    case("GPL 2.1", "unknown", "unknown", "no such GPL version"),
]


@pytest.mark.parametrize(
    "text, spdx, use_class",
    SPDX_IDS + EXPRESSIONS + HF_IDS + PARAPHRASES + URLS + CHINESE + NEAR_MISSES + NOT_GIVEN,
)
def test_normalize(text, spdx, use_class):
    got = normalize(text)
    assert (got.spdx, got.use_class) == (spdx, use_class), got


@pytest.mark.parametrize(
    "a, b",
    [
        pytest.param("CC BY-NC 4.0", "CC BY 4.0", id="NC vs BY"),
        pytest.param("CC BY-NC-ND 4.0", "CC BY-ND 4.0", id="NC-ND vs ND"),
        pytest.param("CC BY 3.0", "CC BY 4.0", id="3.0 vs 4.0"),
        pytest.param("GPL-2.0", "GPL-2.0+", id="only vs or-later"),
        pytest.param("BSD-2-Clause", "BSD 3-Clause", id="BSD 2 vs 3"),
        pytest.param("LGPL 3.0", "GPL 3.0", id="LGPL vs GPL"),
        pytest.param("AGPL 3.0", "GPL 3.0", id="AGPL vs GPL"),
    ],
)
def test_near_misses_differ(a, b):
    assert normalize(a).spdx != normalize(b).spdx


def test_apache_long_and_short_names_agree():
    assert normalize("Apache License 2.0").spdx == normalize("Apache 2.0").spdx == "Apache-2.0"


@pytest.mark.parametrize(
    "text, flag",
    [
        pytest.param("CC BY-ND 4.0", "no_derivatives", id="ND flag"),
        pytest.param("CC BY-SA 4.0", "share_alike", id="SA flag"),
        pytest.param("bigscience-openrail-m", "use_restrictions", id="OpenRAIL use restrictions"),
        pytest.param("llama2", "use_restrictions", id="Llama use restrictions"),
        pytest.param("OpenAI", "terms_of_service_restricted", id="OpenAI terms flag"),
        pytest.param("free for educational use with attribution", "attribution", id="attribution asked in words"),
        pytest.param("署名-禁止演绎", "no_derivatives", id="zh ND flag"),
    ],
)
def test_flags(text, flag):
    assert getattr(normalize(text), flag) is True


def test_flags_absent_where_not_required():
    cc0 = normalize("CC0-1.0")
    assert not (cc0.attribution or cc0.share_alike or cc0.no_derivatives or cc0.use_restrictions)
    assert not normalize("MIT").share_alike


def test_matched_by_and_confidence():
    assert normalize("MIT").matched_by == "spdx-id" and normalize("MIT").confidence == 1.0
    assert normalize("MIT OR Apache-2.0").matched_by == "spdx-expression"
    assert normalize("openrail").matched_by == "alias"
    assert normalize("https://opensource.org/licenses/MIT").matched_by == "url"
    assert normalize("CC BY 4.0").matched_by == "pattern"
    assert normalize("知识共享 署名 4.0").matched_by == "chinese-name"
    garbage = normalize("asdf qwerty")
    assert garbage.matched_by == "none" and garbage.confidence == 0.0
    fallback = normalize("Beerware")  # SPDX id absent from classes.csv
    assert fallback.matched_by == "spdx-id+index-category:Permissive" and fallback.confidence <= 0.7
    assert (fallback.use_class, fallback.attribution) == ("commercial", True)
    assert normalize("CC-BY-NC").confidence < normalize("CC BY-NC 4.0").confidence  # no version: less sure


def test_result_is_frozen_and_json_serialisable():
    got = normalize("CC BY-NC-SA 4.0")
    data = json.loads(json.dumps(got.as_dict()))
    assert data["spdx"] == "CC-BY-NC-SA-4.0" and data["use_class"] == "non-commercial" and data["share_alike"]
    assert set(data) >= {
        "input",
        "spdx",
        "use_class",
        "attribution",
        "share_alike",
        "no_derivatives",
        "use_restrictions",
        "terms_of_service_restricted",
        "confidence",
        "matched_by",
    }
    with pytest.raises(AttributeError):
        got.spdx = "MIT"  # type: ignore[misc]


# --------------------------------------------------------------------------------------------------------------
# classification of the LICENSES.md rows
# --------------------------------------------------------------------------------------------------------------


def row(license_id, use_class, attribution, share_alike, nd=False, restrictions=False, tos=False):
    return pytest.param(
        license_id, LicenseClass(use_class, attribution, share_alike, nd, restrictions, tos), id=license_id
    )


@pytest.mark.parametrize(
    "license_id, expected",
    [
        row("CC-BY-4.0", "commercial", True, False),
        row("CC-BY-SA-4.0", "commercial", True, True),
        row("CC-BY-NC-4.0", "non-commercial", True, False),
        row("CC-BY-NC-SA-4.0", "non-commercial", True, True),
        row("CC-BY-ND-4.0", "commercial", True, False, nd=True),
        row("CC-BY-NC-ND-4.0", "non-commercial", True, False, nd=True),
        row("CC0-1.0", "commercial", False, False),
        row("PDDL-1.0", "commercial", False, False),
        row("ODC-By-1.0", "commercial", True, False),
        row("ODbL-1.0", "commercial", True, True),
        row("CDLA-Permissive-2.0", "commercial", True, False),
        row("CDLA-Sharing-1.0", "commercial", True, True),
        row("Apache-2.0", "commercial", True, False),
        row("MIT", "commercial", True, False),
        row("BSD-3-Clause", "commercial", True, False),
        row("BSD-2-Clause", "commercial", True, False),
        row("GPL-3.0-only", "commercial", True, True),
        row("GPL-3.0-or-later", "commercial", True, True),
        row("LicenseRef-BigScience-OpenRAIL-M", "commercial", True, True, restrictions=True),
        row("LicenseRef-Llama-2", "commercial", True, False, restrictions=True),
        row("LicenseRef-Llama-3", "commercial", True, False, restrictions=True),
        row("C-UDA-1.0", "research-only", True, True),
        row("LicenseRef-Research-Only", "research-only", False, False),
        row("LicenseRef-OpenAI-Terms", "unknown", False, False, restrictions=True, tos=True),
        row("NOASSERTION", "unspecified", False, False),
        row("LicenseRef-Custom", "unknown", False, False),
    ],
)
def test_licenses_md_rows(license_id, expected):
    assert classify(license_id)[0] == expected


def test_cc_family_versions_share_class():
    for v in ("1.0", "2.0", "2.5", "3.0", "4.0"):
        assert classify(f"CC-BY-SA-{v}")[0] == classify("CC-BY-SA-4.0")[0]
        assert classify(f"CC-BY-NC-{v}")[0].use_class == "non-commercial"
    assert classify("CC-BY-SA-3.0")[0].share_alike and not classify("CC-BY-3.0")[0].share_alike


def test_table_covers_required_families():
    ids = {r.id for r in class_table().values()}
    required = {
        "BSD-2-Clause",
        "BSD-3-Clause",
        "BSD-3-Clause-Clear",
        "BSD-4-Clause",
        "0BSD",
        "GPL-2.0-only",
        "GPL-2.0-or-later",
        "GPL-3.0-only",
        "LGPL-2.1-only",
        "LGPL-3.0-only",
        "AGPL-3.0-only",
        "AGPL-3.0-or-later",
        "MPL-2.0",
        "CC-BY-2.0",
        "CC-BY-2.5",
        "CC-BY-3.0",
        "CC-BY-SA-3.0",
        "CC-BY-NC-3.0",
        "CC-BY-NC-SA-3.0",
        "CC-BY-NC-ND-3.0",
        "ODC-By-1.0",
        "ODbL-1.0",
        "PDDL-1.0",
        "CDLA-Permissive-1.0",
        "CDLA-Permissive-2.0",
        "CDLA-Sharing-1.0",
        "C-UDA-1.0",
        "Unlicense",
        "Artistic-2.0",
        "EPL-2.0",
        "LicenseRef-OpenRAIL-M",
        "LicenseRef-Llama-2",
        "LicenseRef-Research-Only",
        "LicenseRef-Public-Domain",
        "LicenseRef-Project-Gutenberg",
        "LicenseRef-Proprietary",
        "LicenseRef-CC-BY-NC",
    }
    assert required <= ids, sorted(required - ids)


# --------------------------------------------------------------------------------------------------------------
# AND / OR
# --------------------------------------------------------------------------------------------------------------

COMMERCIAL = LicenseClass("commercial", attribution=True)
SHARE_ALIKE = LicenseClass("commercial", attribution=True, share_alike=True)
NON_COMMERCIAL = LicenseClass("non-commercial", attribution=True)
NC_ND = LicenseClass("non-commercial", attribution=True, no_derivatives=True)
RESEARCH = LicenseClass("research-only")
UNSPECIFIED = LicenseClass("unspecified")
UNKNOWN_CLASS = LicenseClass("unknown")


def test_use_class_order():
    assert USE_CLASSES == ("commercial", "non-commercial", "research-only", "unspecified", "unknown")


@pytest.mark.parametrize(
    "classes, use_class",
    [
        pytest.param([COMMERCIAL, NON_COMMERCIAL], "non-commercial", id="NC beats commercial"),
        pytest.param([NON_COMMERCIAL, RESEARCH], "research-only", id="research beats NC"),
        pytest.param([RESEARCH, UNSPECIFIED], "unspecified", id="unspecified beats research"),
        pytest.param([UNSPECIFIED, UNKNOWN_CLASS, COMMERCIAL], "unknown", id="unknown beats everything"),
        pytest.param([COMMERCIAL, COMMERCIAL], "commercial", id="all commercial stays commercial"),
        pytest.param([], "unspecified", id="nothing declared is unspecified"),
    ],
)
def test_combine_takes_most_restrictive(classes, use_class):
    assert combine(classes).use_class == use_class


def test_combine_unions_flags():
    got = combine([SHARE_ALIKE, NC_ND, LicenseClass("commercial", use_restrictions=True)])
    assert (got.attribution, got.share_alike, got.no_derivatives, got.use_restrictions) == (True, True, True, True)


def test_combine_accepts_normalized_results():
    corpus = combine([normalize("MIT"), normalize("CC BY-NC-SA 4.0"), normalize("CC BY-ND 4.0")])
    assert corpus == LicenseClass("non-commercial", True, True, True)


def test_choose_takes_least_restrictive_alternative_with_its_flags():
    assert choose([NON_COMMERCIAL, SHARE_ALIKE]) == SHARE_ALIKE
    assert choose([SHARE_ALIKE, COMMERCIAL]) == COMMERCIAL  # same class: fewer obligations
    assert choose([UNKNOWN_CLASS, RESEARCH]) == RESEARCH
    assert choose([]).use_class == "unspecified"


def test_expression_classes_follow_and_or():
    assert normalize("CC-BY-SA-4.0 AND CC-BY-NC-4.0").license_class == LicenseClass("non-commercial", True, True)
    assert normalize("CC-BY-SA-4.0 OR CC-BY-NC-4.0").license_class == SHARE_ALIKE
    nested = normalize("(MIT OR CC-BY-NC-4.0) AND CC-BY-ND-4.0")
    assert (nested.use_class, nested.no_derivatives) == ("commercial", True)


# --------------------------------------------------------------------------------------------------------------
# the hard safety rule, as properties over the data files
# --------------------------------------------------------------------------------------------------------------

# Independent signals that a licence is restricted: words in its id or name (English and Chinese), plus the
# restricted LicenseRefs whose names do not say so.
RESTRICTED_TEXT = re.compile(
    r"(?:^|[^a-z])(?:nc|non[- ]?commercial|noncommercial|research|academic use|academic research|educational)"
    r"(?:[^a-z]|$)|非商业|非商業|研究|学术|學術|禁止商",
    re.IGNORECASE,
)
ND_TEXT = re.compile(r"(?:^|[^a-z])(?:nd|no[- ]?deriv\w*)(?:[^a-z]|$)|禁止演绎|禁止改作", re.IGNORECASE)
KNOWN_RESTRICTED = {
    "C-UDA-1.0",
    "LicenseRef-MSR-Data-License",
    "LicenseRef-LDC-User-Agreement",
    "LicenseRef-CSLU-Agreement",
    "LicenseRef-Request-Form",
    "LicenseRef-DeepFloyd-IF-Research",
}
NOT_CLEARED = {"NOASSERTION", "unknown"}


def assert_safe(names: str, spdx: str, got: LicenseClass) -> None:
    if RESTRICTED_TEXT.search(names) or spdx in KNOWN_RESTRICTED:
        assert got.use_class != "commercial", (names, spdx, got)
    if ND_TEXT.search(names):
        assert got.no_derivatives, (names, spdx, got)
    if spdx in NOT_CLEARED:
        assert got.use_class in ("unspecified", "unknown"), (names, spdx, got)


@pytest.mark.parametrize("entry", list(class_table().values()), ids=lambda r: r.id)
def test_safety_every_class_row(entry):
    assert entry.source
    assert classify(entry.id)[0] == entry.license_class  # the table is what classify uses
    if entry.id.upper().startswith("CC-") and "-NC" in entry.id.upper():
        assert entry.license_class.use_class == "non-commercial"
    assert_safe(entry.id, entry.id, entry.license_class)


@pytest.mark.parametrize("entry", alias_rows(), ids=lambda r: r.alias)
def test_safety_every_alias_row(entry):
    assert entry.source
    got = normalize(entry.alias)
    assert got.spdx == entry.spdx, (entry, got)
    assert got.license_class == classify(entry.spdx)[0]
    assert_safe(f"{entry.alias} {entry.spdx}", entry.spdx, got.license_class)


CC_ELEMENTS = {
    "BY": ("by", "Attribution", "署名"),
    "BY-SA": ("by-sa", "Attribution-ShareAlike", "署名-相同方式共享"),
    "BY-ND": ("by-nd", "Attribution-NoDerivatives", "署名-禁止演绎"),
    "BY-NC": ("by-nc", "Attribution-NonCommercial", "署名-非商业性使用"),
    "BY-NC-SA": ("by-nc-sa", "Attribution-NonCommercial-ShareAlike", "署名-非商业性使用-相同方式共享"),
    "BY-NC-ND": ("by-nc-nd", "Attribution-NonCommercial-NoDerivatives", "署名-非商业性使用-禁止演绎"),
}


@pytest.mark.parametrize("elements", list(CC_ELEMENTS))
@pytest.mark.parametrize("version", ["2.0", "2.5", "3.0", "4.0", None])
def test_safety_every_cc_spelling(elements, version):
    url_part, name, zh = CC_ELEMENTS[elements]
    v = f" {version}" if version else ""
    spellings = [
        f"CC {elements}{v}",
        f"cc-{url_part}{'-' + version if version else ''}",
        f"Creative Commons {name}{v} International",
        f"知识共享 {zh}{v}",
    ]
    if version:
        spellings.append(f"https://creativecommons.org/licenses/{url_part}/{version}/")
    expected = f"CC-{elements}-{version}" if version else f"LicenseRef-CC-{elements}"
    for text in spellings:
        got = normalize(text)
        assert got.spdx == expected, (text, got)
        assert (got.use_class == "non-commercial") == ("NC" in elements), (text, got)
        assert got.no_derivatives == ("ND" in elements) and got.share_alike == ("SA" in elements), (text, got)


@pytest.mark.parametrize(
    "license_id",
    ["LicenseRef-scancode-toppers-educational", "LicenseRef-scancode-zveno-research", "PolyForm-Noncommercial-1.0.0"],
)
def test_safety_net_for_ids_outside_the_table(license_id):
    # ScanCode files the first two under "Permissive"; a name that says research/educational/NC is never commercial
    assert classify(license_id)[0].use_class != "commercial"


def test_data_tables_are_consistent():
    table = class_table()
    for entry in table.values():
        if entry.id.startswith("LicenseRef-"):
            # license-expression maps some LicenseRef names (e.g. LicenseRef-Apache -> Apache-2.0): never reuse one
            assert spdx_id(entry.id) is None, entry.id
        else:
            assert entry.id in ("NOASSERTION", "unknown") or spdx_id(entry.id) == entry.id, entry.id
    for entry in alias_rows():
        target = entry.spdx.lower()
        assert target in table or classify(entry.spdx)[1] != "none", entry


def test_normalize_returns_normalized_license():
    assert isinstance(normalize("MIT"), NormalizedLicense)
