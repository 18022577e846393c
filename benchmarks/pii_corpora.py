"""Loaders and scoring for the PII benchmark and the PII corpus tests (shared by benchmarks/pii_bench.py and
tests/corpora/test_pii_corpora.py).

The corpora hold REAL personal data: nothing here prints, logs or writes a value. Archives are read member by
member with `tarfile` (never extracted). Every span is (label, start, end) with `end` exclusive, in characters of
the decoded text.

- BDCI 2020 (ccf_bdci2020_privacy_zh.tar.gz): train/data/N.txt + train/label/N.csv (ID,Category,Pos_b,Pos_e,Privacy;
  Pos_e inclusive, BOM). Texts are decoded from bytes without newline translation (a few hold '\\r', and the gold
  offsets count it).
- presidio-research (presidio_research/synth_dataset_v2.json): records {full_text, spans[{entity_type,
  start_position, end_position (exclusive)}]}; synthetic values.
- Enron (enron_with_categories.tar.gz): one raw RFC-822 e-mail (headers + body) per document.
- CMRC 2018 (cmrc2018_zh_wiki/squad-style-data/*.json): the paragraph contexts (Chinese Wikipedia), identical
  paragraphs once; unlabelled, typical Chinese pre-training text (throughput only).
- Gutenberg (gutenberg_novels.tar.gz): 67 English novels, each cut into ~2-4 KB chunks at paragraph boundaries (a
  chunk is a contiguous slice of the book); unlabelled, typical English pre-training text (throughput only).
- SophonPlus (chinese_nlp_corpus_sophonplus/datasets): MSRA NER sentences and online shopping and hotel reviews,
  unlabelled; other Chinese text for the benchmark's long warm-up (`other_chinese`).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tarfile
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("PROVENANCE_CORPORA", ROOT.parent / "shared" / "corpora")).resolve()
BDCI = CORPORA / "ccf_bdci2020_privacy_zh.tar.gz"
PRESIDIO = CORPORA / "presidio_research" / "synth_dataset_v2.json"
ENRON = CORPORA / "enron_with_categories.tar.gz"
CMRC = CORPORA / "cmrc2018_zh_wiki" / "squad-style-data"
GUTENBERG = CORPORA / "gutenberg_novels.tar.gz"
SOPHONPLUS = CORPORA / "chinese_nlp_corpus_sophonplus" / "datasets"

# BDCI category -> our entity type. mobile/email/QQ/vx are structured (pattern + validator); name/address are found
# only by context keywords, so their recall is reported, not targeted.
BDCI_MAP = {"mobile": "CN_MOBILE_PHONE", "email": "EMAIL_ADDRESS", "QQ": "CN_QQ", "vx": "CN_WECHAT",
            "name": "CN_PERSON_NAME", "address": "CN_ADDRESS"}
BDCI_STRUCTURED = ("CN_MOBILE_PHONE", "EMAIL_ADDRESS", "CN_QQ", "CN_WECHAT")

# presidio-research label -> our entity type, where we have one.
PRESIDIO_MAP = {"EMAIL_ADDRESS": "EMAIL_ADDRESS", "PHONE_NUMBER": "PHONE_NUMBER", "CREDIT_CARD": "CREDIT_CARD",
                "IBAN_CODE": "IBAN_CODE", "US_SSN": "US_SSN", "IP_ADDRESS": "IP_ADDRESS"}

Span = tuple[str, int, int]


@dataclass
class Doc:
    doc_id: str
    text: str
    gold: list[Span] = field(default_factory=list)  # mapped to our entity types; empty for unlabelled sets
    unmapped: Counter = field(default_factory=Counter)  # gold labels we do not target, counted
    other: list[Span] = field(default_factory=list)  # the spans of those labels, (upstream label, start, end)


def available() -> bool:
    return (CORPORA / "INDEX.md").exists() and BDCI.exists() and PRESIDIO.exists() and ENRON.exists()


def _member_key(name: str) -> tuple:
    stem = name.rsplit("/", 1)[-1].split(".", 1)[0]
    return (name.rsplit("/", 1)[0], int(stem) if stem.isdigit() else stem)


@lru_cache(maxsize=1)
def _bdci_members() -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    with tarfile.open(BDCI) as tar:
        for m in tar:
            if m.isfile() and ("/train/" in m.name or "/test/" in m.name):
                out[m.name.split("/", 1)[1]] = tar.extractfile(m).read()
    return out


@lru_cache(maxsize=1)
def bdci_train() -> tuple[Doc, ...]:
    """The labelled BDCI train set, gold spans mapped by BDCI_MAP (other categories counted in `unmapped`)."""
    members = _bdci_members()
    docs = []
    for name in sorted((n for n in members if n.startswith("train/data/")), key=_member_key):
        doc_id = name.rsplit("/", 1)[1][:-4]
        text = members[name].decode("utf-8-sig")
        doc = Doc("train/" + doc_id, text)
        label = members.get(f"train/label/{doc_id}.csv")
        if label is not None:
            rows = csv.reader(io.StringIO(label.decode("utf-8-sig"), newline=""))
            next(rows, None)  # header
            for row in rows:
                if len(row) < 4:
                    continue
                cat, b, e = row[1], int(row[2]), int(row[3]) + 1
                if cat in BDCI_MAP:
                    doc.gold.append((BDCI_MAP[cat], b, e))
                else:
                    doc.unmapped[cat] += 1
                    doc.other.append((cat, b, e))
        docs.append(doc)
    return tuple(docs)


@lru_cache(maxsize=1)
def bdci_test() -> tuple[Doc, ...]:
    """The unlabelled BDCI test texts (throughput only)."""
    members = _bdci_members()
    names = sorted((n for n in members if n.startswith("test/") and n.endswith(".txt")), key=_member_key)
    return tuple(Doc(n[:-4], members[n].decode("utf-8-sig")) for n in names)


@lru_cache(maxsize=1)
def presidio_research() -> tuple[Doc, ...]:
    records = json.loads(PRESIDIO.read_text(encoding="utf-8"))
    docs = []
    for i, rec in enumerate(records):
        doc = Doc(f"synth/{i}", rec["full_text"])
        for s in rec["spans"]:
            label = s["entity_type"]
            if label in PRESIDIO_MAP:
                doc.gold.append((PRESIDIO_MAP[label], s["start_position"], s["end_position"]))
            else:
                doc.unmapped[label] += 1
                doc.other.append((label, s["start_position"], s["end_position"]))
        docs.append(doc)
    return tuple(docs)


@lru_cache(maxsize=1)
def enron() -> tuple[Doc, ...]:
    """Every e-mail (headers and body) as one document, in member-name order. Decoded as UTF-8 with replacement."""
    docs = []
    with tarfile.open(ENRON) as tar:
        for m in tar:
            parts = m.name.split("/")
            if m.isfile() and len(parts) == 3 and parts[1].isdigit() and parts[2].endswith(".txt"):
                docs.append(Doc("/".join(parts[1:]), tar.extractfile(m).read().decode("utf-8", "replace")))
    docs.sort(key=lambda d: _member_key(d.doc_id))
    return tuple(docs)


def typical_available() -> bool:
    """The two unlabelled sets of typical pre-training text (CMRC 2018, Gutenberg) are present."""
    return CMRC.is_dir() and GUTENBERG.exists()


@lru_cache(maxsize=1)
def cmrc2018() -> tuple[Doc, ...]:
    """Every paragraph context of the squad-style dev and trial files, identical paragraphs once, in file order."""
    docs, seen = [], set()
    for path in sorted(CMRC.glob("*.json")):
        for article in json.loads(path.read_text(encoding="utf-8"))["data"]:
            for k, para in enumerate(article["paragraphs"]):
                text = para["context"]
                if text in seen:
                    continue
                seen.add(text)
                docs.append(Doc(f"{path.stem}/{article.get('id', '')}/{k}", text))
    return tuple(docs)


CHUNK_MIN, CHUNK_MAX = 3072, 4096  # bytes of UTF-8: close a chunk at >= CHUNK_MIN, never grow one past CHUNK_MAX
_PARAGRAPH_BREAK = re.compile(r"(?:[ \t]*\r?\n){2,}")


def _pieces(text: str, a: int, b: int):
    """(start, end) pieces of text[a:b] of at most CHUNK_MAX bytes: the whole paragraph, else cut at line breaks,
    else at spaces, else hard."""
    if len(text[a:b].encode("utf-8")) <= CHUNK_MAX:
        yield a, b
        return
    for sep in ("\n", " "):
        cut = text.rfind(sep, a, a + CHUNK_MAX // 4)  # // 4: at most 4 bytes a character, so the head always fits
        if cut > a:
            yield a, cut + 1
            yield from _pieces(text, cut + 1, b)
            return
    yield a, a + CHUNK_MAX // 4
    yield from _pieces(text, a + CHUNK_MAX // 4, b)


def chunk_paragraphs(text: str) -> list[tuple[int, int]]:
    """Cut text into contiguous (start, end) slices of ~CHUNK_MIN-CHUNK_MAX bytes, at paragraph boundaries (a
    paragraph longer than CHUNK_MAX is cut at line breaks or spaces). The slices cover the text without gaps."""
    bounds, pos = [], 0
    for m in _PARAGRAPH_BREAK.finditer(text):
        bounds.append((pos, m.end()))
        pos = m.end()
    if pos < len(text):
        bounds.append((pos, len(text)))
    out: list[tuple[int, int]] = []
    start = size = 0
    for a, b in bounds:
        for pa, pb in _pieces(text, a, b):
            n = len(text[pa:pb].encode("utf-8"))
            if size and size + n > CHUNK_MAX:
                out.append((start, pa))
                start, size = pa, 0
            size += n
            if size >= CHUNK_MIN:
                out.append((start, pb))
                start, size = pb, 0
    if start < len(text):
        out.append((start, len(text)))
    return out


@lru_cache(maxsize=1)
def gutenberg_chunks() -> tuple[Doc, ...]:
    """Every book of the archive (UTF-8 with replacement, BOM dropped) cut by `chunk_paragraphs`, book by book in
    member-name order; doc_id "book/k"."""
    books = []
    with tarfile.open(GUTENBERG) as tar:
        for m in tar:
            name = m.name.rsplit("/", 1)[-1]
            if m.isfile() and name.endswith(".txt") and (name[0].isdigit() or name.startswith("pg")):
                books.append((m.name.split("/", 1)[1], tar.extractfile(m).read().decode("utf-8-sig", "replace")))
    docs = []
    for name, text in sorted(books):
        docs += [Doc(f"{name}/{k}", text[a:b]) for k, (a, b) in enumerate(chunk_paragraphs(text))]
    return tuple(docs)


_PHONE_SEPARATORS = re.compile(r"[\s\-()\uff08\uff09\ufe63]")
_MAINLAND_MOBILE = re.compile(r"(?:\+86|0086|86)?1[3-9][0-9]{9}")


def is_mainland_mobile(value: str) -> bool:
    """A mainland mobile number by its digits alone: optional +86 / 0086 / 86, then 1[3-9] and 9 digits.

    Independent of the recognizers (no block table): used to split BDCI's "mobile" label, which also covers
    landlines, Hong Kong, Macau, Taiwan and other numbers.
    """
    s = _PHONE_SEPARATORS.sub("", value.translate(_FULLWIDTH_DIGITS))
    return _MAINLAND_MOBILE.fullmatch(s) is not None


_FULLWIDTH_DIGITS = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}


def mainland_mobile_gold(doc: Doc) -> list[Span]:
    """`doc.gold` with CN_MOBILE_PHONE spans kept only where the value is a mainland mobile number."""
    return [g for g in doc.gold if g[0] != "CN_MOBILE_PHONE" or is_mainland_mobile(doc.text[g[1]:g[2]])]


PHONE_TYPES = ("CN_MOBILE_PHONE", "CN_LANDLINE_PHONE", "PHONE_NUMBER")


def as_any_phone(spans_) -> list[Span]:
    """Every phone-number span (mobile, landline, libphonenumber) relabelled "ANY_PHONE"; other spans dropped."""
    return [("ANY_PHONE", s, e) for t, s, e in spans_ if t in PHONE_TYPES]


# Which presidio-research gold phone numbers count as valid: Faker writes numbers in many countries' layouts, and many
# are not numbers at all for libphonenumber. A value starting with '+' is parsed with no default region; any other
# value must parse as a valid number (phonenumbers.is_valid_number) with at least one of these default regions. Note
# that Germany's numbering plan accepts most 7-11 digit strings, with or without the trunk prefix 0, so "valid in DE"
# holds for many numbers that no German would write that way.
VALID_PHONE_REGIONS = ("US", "GB", "IN", "AU", "CA", "DE", "FR")


def phone_valid_regions(value: str) -> tuple[str, ...]:
    """The regions of VALID_PHONE_REGIONS in which `value` is a valid number; ("+",) for a valid '+' number; ()."""
    import phonenumbers

    value = value.strip()
    if value.startswith("+"):
        try:
            return ("+",) if phonenumbers.is_valid_number(phonenumbers.parse(value, None)) else ()
        except phonenumbers.NumberParseException:
            return ()
    out = []
    for region in VALID_PHONE_REGIONS:
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(value, region)):
                out.append(region)
        except phonenumbers.NumberParseException:
            pass
    return tuple(out)


def phone_valid(value: str) -> bool:
    """The rule above: a valid '+' number, or valid in one of VALID_PHONE_REGIONS."""
    return bool(phone_valid_regions(value))


def valid_phone_gold(doc: Doc) -> list[Span]:
    """`doc.gold` with PHONE_NUMBER spans kept only where the value is valid by `phone_valid`."""
    return [g for g in doc.gold if g[0] != "PHONE_NUMBER" or phone_valid(doc.text[g[1]:g[2]])]


# A stricter rule, libphonenumber's own notion of a phone number in text: its PhoneNumberMatcher (leniency VALID:
# valid for the region, the national prefix present where the plan requires it, sensible grouping) finds a number
# covering the whole value, standing alone, in one of the regions. Faker's German numbers without the trunk 0 pass
# `phone_valid` but not this; neither does any 8-digit string glued to nothing a reader would call a phone number.
BDCI_PHONE_REGIONS = ("CN", "HK", "MO", "TW")


def phone_matcher_valid(value: str, regions: tuple[str, ...] = VALID_PHONE_REGIONS) -> bool:
    import phonenumbers

    value = value.strip()
    for region in regions:
        for m in phonenumbers.PhoneNumberMatcher(value, region, leniency=phonenumbers.Leniency.VALID):
            if m.start <= 1 and m.end >= len(value) - 1:  # the whole value (a bracket or '#' may be left out)
                return True
    return False


def matcher_valid_phone_gold(doc: Doc) -> list[Span]:
    """presidio-research: `doc.gold` with PHONE_NUMBER spans kept only where `phone_matcher_valid` holds."""
    return [g for g in doc.gold if g[0] != "PHONE_NUMBER" or phone_matcher_valid(doc.text[g[1]:g[2]])]


def matcher_valid_any_phone_gold(doc: Doc) -> list[Span]:
    """BDCI: the whole "mobile" label as ANY_PHONE, kept only where `phone_matcher_valid` holds in CN/HK/MO/TW."""
    return [g for g in as_any_phone(doc.gold) if phone_matcher_valid(doc.text[g[1]:g[2]], BDCI_PHONE_REGIONS)]


@lru_cache(maxsize=1)
def other_chinese() -> tuple[Doc, ...]:
    """MSRA NER sentences and online shopping and hotel reviews (SophonPlus), shuffled with seed 0 so that every
    prefix mixes the three; empty when the folder is absent."""
    import random

    docs = []
    for path in sorted(SOPHONPLUS.glob("dh_msra/*.jsonl")):
        with path.open(encoding="utf-8") as f:
            docs += [Doc(f"{path.name}/{k}", json.loads(line)["text"]) for k, line in enumerate(f)]
    for path in sorted(SOPHONPLUS.glob("online_shopping_10_cats/*.csv")) + sorted(
            SOPHONPLUS.glob("ChnSentiCorp_htl_all/*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as f:
            docs += [Doc(f"{path.name}/{k}", row["review"]) for k, row in enumerate(csv.DictReader(f))
                     if row.get("review")]
    random.Random(0).shuffle(docs)
    return tuple(docs)


def other_documents(pool, exclude, target_bytes: int) -> list[Doc]:
    """Documents of `pool` that are not in `exclude` (by doc_id), in order, until they hold `target_bytes`."""
    seen = {d.doc_id for d in exclude}
    out, size = [], 0
    for d in pool:
        if size >= target_bytes:
            break
        if d.doc_id not in seen:
            out.append(d)
            size += len(d.text.encode("utf-8"))
    return out


def utf8_bytes(docs) -> int:
    return sum(len(d.text.encode("utf-8")) for d in docs)


def spread_subset(docs, target_bytes: int) -> list[Doc]:
    """Every k-th document (deterministic, spread over all folders) so the subset holds about `target_bytes`."""
    total = utf8_bytes(docs)
    if total <= target_bytes:
        return list(docs)
    step = total / target_bytes
    out, next_at = [], 0.0
    for i, d in enumerate(docs):
        if i >= next_at:
            out.append(d)
            next_at += step
    return out


def first_n(docs, n: int, stride: int = 1) -> list[Doc]:
    return list(docs[::stride][:n])


# ---------------------------------------------------------------------------------------------------------------
# scoring


@dataclass
class Score:
    gold: int = 0
    predicted: int = 0
    tp_exact: int = 0          # gold spans predicted with the same type and the same offsets
    gold_hit: int = 0          # gold spans overlapped by a prediction of the same type
    pred_hit: int = 0          # predictions overlapping a gold span of the same type

    @staticmethod
    def _f1(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def p_exact(self) -> float:
        return self.tp_exact / self.predicted if self.predicted else 0.0

    @property
    def r_exact(self) -> float:
        return self.tp_exact / self.gold if self.gold else 0.0

    @property
    def f1_exact(self) -> float:
        return self._f1(self.p_exact, self.r_exact)

    @property
    def p_overlap(self) -> float:
        return self.pred_hit / self.predicted if self.predicted else 0.0

    @property
    def r_overlap(self) -> float:
        return self.gold_hit / self.gold if self.gold else 0.0

    @property
    def f1_overlap(self) -> float:
        return self._f1(self.p_overlap, self.r_overlap)


def overlaps(a: Span, b: Span) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


def score(pairs, entity_types) -> dict[str, Score]:
    """pairs: iterable of (gold spans, predicted spans) per document. Only `entity_types` are scored."""
    scores = {t: Score() for t in entity_types}
    for gold, pred in pairs:
        gold = {g for g in gold if g[0] in scores}
        pred = {p for p in pred if p[0] in scores}
        for g in gold:
            s = scores[g[0]]
            s.gold += 1
            s.tp_exact += g in pred
            s.gold_hit += any(overlaps(g, p) for p in pred)
        for p in pred:
            s = scores[p[0]]
            s.predicted += 1
            s.pred_hit += any(overlaps(p, g) for g in gold)
    return scores


def spans(results) -> list[Span]:
    """PiiResult list -> [(entity_type, start, end)]."""
    return [(r.entity_type, r.start, r.end) for r in results]
