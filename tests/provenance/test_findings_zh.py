"""findings_zh: a Chinese title and fix for every finding code, keeping the English inline code intact."""

from __future__ import annotations

import re

import pytest

from provenance.findings import CODES
from provenance.findings_zh import FIXES_ZH, TITLES_ZH, fix, title

_CJK = re.compile(r"[\u4e00-\u9fff]")
_BACKTICKED = re.compile(r"`[^`]+`")


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_has_chinese_title_and_fix(code):
    for text in (TITLES_ZH.get(code), FIXES_ZH.get(code)):
        assert text and text.strip()
        assert _CJK.search(text), text


def test_no_keys_beyond_codes():
    assert set(TITLES_ZH) == set(CODES)
    assert set(FIXES_ZH) == set(CODES)


@pytest.mark.parametrize("code", sorted(CODES))
def test_backticked_tokens_kept(code):
    for token in _BACKTICKED.findall(CODES[code].fix):
        assert token in FIXES_ZH[code], (code, token)


@pytest.mark.parametrize("code", sorted(CODES))
def test_accessors(code):
    assert title(code, "en") == CODES[code].title
    assert fix(code, "en") == CODES[code].fix
    assert title(code, "zh") == TITLES_ZH[code]
    assert fix(code, "zh") == FIXES_ZH[code]


def test_unknown_code_raises():
    with pytest.raises(KeyError):
        title("NO_SUCH_CODE", "zh")
    with pytest.raises(KeyError):
        fix("NO_SUCH_CODE", "en")
