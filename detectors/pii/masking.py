"""What may leave the detector: masked excerpts and keyed hashes, never a raw value.

- `masked_excerpt` shows where an entity sits: the found value becomes `<ENTITY_TYPE>`, other found values nearby
  become their placeholders too, and in the surrounding characters every letter, digit and CJK character is '*'
  except the recognizer's context words ("电话", "phone", "微信"), which say why the value was found. So a name or a
  number next to the value cannot leak through the excerpt.
- `keyed_hash` is HMAC-SHA256 of the normalised value under a secret key: equal values give equal hashes (distinct
  identifiers can be counted, the same person traced across sources) but without the key nobody can test a guess,
  which a plain hash of an 11-digit phone number would allow in minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from detectors.pii.validators import to_halfwidth

__all__ = ["masked_excerpt", "keyed_hash", "normalise_value"]

_SEPARATORS = re.compile(r"[\s\-().·•/]")
_NUMERIC_TYPES_PREFIX = ("CN_MOBILE", "CN_LANDLINE", "CN_BANK", "CN_RESIDENT", "CREDIT_CARD", "PHONE", "US_SSN",
                         "US_ITIN", "CN_QQ", "IBAN")


def normalise_value(entity_type: str, value: str) -> str:
    """The form two spellings of one identifier share: halfwidth, upper-case, no separators for numbers."""
    v = to_halfwidth(value).strip()
    if entity_type == "EMAIL_ADDRESS":
        return v.lower()
    if entity_type.startswith(_NUMERIC_TYPES_PREFIX):
        v = _SEPARATORS.sub("", v)
        if entity_type in ("CN_MOBILE_PHONE",) and len(v) > 11:
            v = v[-11:]  # +86 / 0086 / 86 prefixes name the same number
    return v.upper()


def keyed_hash(key: bytes, entity_type: str, value: str) -> str:
    msg = f"{entity_type}\x00{normalise_value(entity_type, value)}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()[:32]


def _mask_chars(s: str, keep: list[str]) -> str:
    if not s:
        return s
    chars = list(s)
    low = s.lower()
    visible = [False] * len(s)
    for word in keep:
        if not word:
            continue
        i = low.find(word)
        while i >= 0:
            for j in range(i, i + len(word)):
                visible[j] = True
            i = low.find(word, i + 1)
    for i, ch in enumerate(chars):
        if not visible[i] and (ch.isalnum() or unicodedata.category(ch).startswith("L")):
            chars[i] = "*"
    return "".join(chars)


def masked_excerpt(text: str, start: int, end: int, entity_type: str, context_words: list[str] | None = None,
                   others: list[tuple[int, int, str]] = (), width: int = 12) -> str:
    """`width` characters each side of text[start:end], masked as described in the module docstring.

    `others` are the other (start, end, entity_type) found in the text, shown as placeholders when inside the
    excerpt.
    """
    lo, hi = max(0, start - width), min(len(text), end + width)
    spans = sorted([(s, e, t) for s, e, t in others if e > lo and s < hi and (s, e) != (start, end)]
                   + [(start, end, entity_type)])
    keep = [w.lower() for w in (context_words or []) if w.strip()]
    out, pos = [], lo
    for s, e, t in spans:
        s, e = max(s, lo), min(e, hi)
        if s < pos:  # overlapping results: the earlier placeholder covers the union, so no tail shows
            pos = max(pos, e)
            continue
        out.append(_mask_chars(text[pos:s], keep))
        out.append(f"<{t}>")
        pos = e
    out.append(_mask_chars(text[pos:hi], keep))
    excerpt = "".join(out).replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return ("…" if lo > 0 else "") + excerpt + ("…" if hi < len(text) else "")
