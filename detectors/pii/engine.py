"""The PII engine: presidio recognizers, run only where a cheap candidate pass says they can match.

presidio's `AnalyzerEngine` runs every recognizer's regexes over the whole text and a spaCy pipeline over it too:
≈ 0.15 MB/s per core with a blank pipeline. Almost all text holds no identifier at all, so `PiiEngine.analyze`:

1. folds the fullwidth digits, letters and symbols identifiers are written with to ASCII (`fold`: one code point for
   one, so offsets do not move), in the texts that hold them next to an identifier;
2. runs ONE google-re2 pattern, the alternation of every recognizer's trigger, over a batch's texts joined (hundreds
   of MB/s; RE2 is linear-time, so no input can make it slow);
3. cuts a window of `window` characters around each hit (merged when they overlap, widened to a word edge);
4. in each window runs the presidio recognizers whose own trigger matches there, after the recognizer's own cheap
   checks (`candidate`: can a value it reports be here at all; `needs_context_for`: can one be reported without a
   context word, and is there one near), then presidio's context enhancer on the window's tokens, its score
   threshold and its duplicate removal: the very functions `AnalyzerEngine.analyze` calls, so a result means the
   same as presidio's. Two of them run as equivalent copies without presidio's per-call overhead, each tested
   against the original: the pattern loop of plain pattern recognizers (`pattern_pass`) and the duplicate removal
   where no results overlap (both in `presidio_steps`).

The e-mail recognizer takes none of this: its `analyze_whole` finds the same matches as its pattern over the whole
document, looking only around each '@', and its results never need a context word (each scores 1.0). In e-mail
headers, with dozens of addresses, that is cheaper than windows.

`analyze_presidio` is presidio's `AnalyzerEngine.analyze` on the whole document with the same recognizers, NLP
engine, enhancer and threshold: the reference the parity test and the benchmark compare against. Its phone
recognizers use phonenumbers, the libphonenumber port presidio ships with; the fast path's use rphonenumbers, the
same matcher compiled, so parity also checks that the two ports agree.

Language: "zh", "en", or "auto" (per document, by the share of CJK characters among letters). Chinese text gets the
Chinese recognizers plus the language-neutral ones (e-mail, IP address, crypto wallet); English text gets presidio's
predefined recognizers (see recognizers_en) plus the same e-mail recognizer.
"""

from __future__ import annotations

import copy
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import numpy as np
import re2
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.predefined_recognizers import CryptoRecognizer, IpRecognizer, SpacyRecognizer

from detectors.pii import LANGUAGES, pattern_pass, recognizers_en, recognizers_zh  # LANGUAGES re-exported
from detectors.pii.nlp import OfflineNlpEngine
from detectors.pii.presidio_steps import compile_patterns, remove_duplicates
from detectors.pii.validators import HALFWIDTH_TABLE, run_end, run_start

__all__ = ["PiiEngine", "PiiResult", "detect_language", "is_sensitive", "LANGUAGES"]
# script class of each UTF-16 code unit: 1 CJK ideograph, 2 Latin letter, 0 anything else (astral characters come
# as two surrogates, class 0). A lookup and a bincount: counting with a regex cost more than the fast path itself
# on Chinese prose
_SCRIPT = np.zeros(0x10000, dtype=np.uint8)
for _a, _b in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)):
    _SCRIPT[_a:_b + 1] = 1
_SCRIPT[ord("A"):ord("Z") + 1] = _SCRIPT[ord("a"):ord("z") + 1] = 2


@dataclass(frozen=True, slots=True)
class PiiResult:
    entity_type: str
    start: int  # character offsets into the original text
    end: int
    score: float
    recognizer: str


def detect_language(text: str, sample: int = 2000) -> str:
    """'zh' when CJK characters are at least 30% of the letters in the first `sample` characters, else 'en'."""
    head = text[:sample]
    if head.isascii():
        return "en"
    units = np.frombuffer(head.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    _, cjk, latin = (int(n) for n in np.bincount(_SCRIPT[units], minlength=3))
    if not cjk:
        return "en"
    return "zh" if cjk >= 0.3 * (cjk + latin / 5) else "en"  # ~5 Latin letters make one word, like one CJK char


def _entity(recognizer: EntityRecognizer) -> str:
    return recognizer.supported_entities[0]


@lru_cache(maxsize=1)
def _sensitive_table() -> dict[str, bool]:
    table = dict(recognizers_en.SENSITIVE)
    table.update({r.ENTITY: bool(r.SENSITIVE) for r in recognizers_zh.chinese_recognizers("zh")})
    return table


def is_sensitive(entity_type: str) -> bool:
    """Sensitive personal information (PIPL Art. 28, TC260-003 §5.2 c): ID numbers, financial accounts, passports."""
    return _sensitive_table().get(entity_type, False)


def _description(recognizer: EntityRecognizer) -> str:
    if getattr(recognizer, "DESCRIPTION", None):
        return recognizer.DESCRIPTION
    if isinstance(recognizer, SpacyRecognizer):
        return "named-entity model (installed spaCy model); scores as the model gives them"
    return recognizers_en.DESCRIPTIONS.get(_entity(recognizer), recognizer.name)


def _trigger(recognizer: EntityRecognizer) -> str:
    trigger = getattr(recognizer, "TRIGGER", None) or recognizers_en.TRIGGERS.get(_entity(recognizer))
    if not trigger:
        raise ValueError(f"recognizer {recognizer.name} has no trigger: the engine cannot find its candidates")
    return trigger


@dataclass(frozen=True, slots=True)
class _Gate:
    """A recognizer and what the windows need to know of it, looked up once when the engine is built."""

    recognizer: EntityRecognizer
    trigger: object  # its TRIGGER compiled by RE2, run on a window's UTF-8
    candidate: object  # its cheap check of a trigger hit (`candidate`), or None
    needs_context_for: object  # which hits only a context word can lift over the threshold, or None
    precedes_value: bool  # the trigger is a keyword in front of the value (QQ号, 姓名…)
    lean: bool  # its analyze is presidio's pattern loop: the windows run pattern_pass's copy
    widen: object  # its own move of a window's edges (`widen_window`: the phone recognizers'), or None


class _LanguagePlan:
    """What one language needs: its recognizers, each with a compiled trigger, and the combined trigger."""

    def __init__(self, recognizers: list[EntityRecognizer], ner: EntityRecognizer | None):
        self.recognizers = recognizers
        # recognizers that find their own matches in a whole document quickly (`analyze_whole`: the e-mail one,
        # from each '@'), and whose results never need a context word: they skip the candidate pass and windows, and
        # run on the texts that hold their MARK (a character each of their matches holds)
        self.whole = [r for r in recognizers if hasattr(r, "analyze_whole")]
        windowed = [r for r in recognizers if not hasattr(r, "analyze_whole")]
        # each recognizer's own trigger, run on a window's UTF-8 where the gate set says it occurs (RE2 called
        # directly: Python's re took 35-40 us a window for the IP and SSN triggers on e-mail text)
        self.gates = [_Gate(r, re2.compile(_trigger(r)), getattr(r, "candidate", None),
                            getattr(r, "needs_context_for", None), getattr(r, "TRIGGER_PRECEDES_VALUE", False),
                            pattern_pass.applies_to(r), getattr(r, "widen_window", None)) for r in windowed]
        self.combined = re2.compile("|".join(f"(?:{_trigger(r)})" for r in windowed))
        # which triggers occur in a window, in one RE2 pass: in PII-dense text a window holds one or two kinds of
        # identifier, and trying every recognizer's trigger on it with Python's re cost more than the recognizers
        self.gate_set = re2.Set.SearchSet()
        for r in windowed:
            self.gate_set.Add(_trigger(r))
        self.gate_set.Compile()
        self.ner = ner
        self.entities = sorted({e for r in recognizers for e in r.supported_entities}
                               | (set(ner.supported_entities) if ner else set()))
        self.context: dict[str, list[str]] = {}
        for r in recognizers:
            self.context.setdefault(_entity(r), []).extend(r.context or [])


class PiiEngine:
    """Find personal information in text; see the module docstring for how.

    `ner_models` maps a language to an installed spaCy model (e.g. {"en": "en_core_web_sm"}) whose named entities
    add PERSON results; without one, names are found only by the Chinese keyword patterns.
    """

    def __init__(self, languages: Iterable[str] = LANGUAGES, ner_models: dict[str, str] | None = None,
                 score_threshold: float = 0.4, window: int = 64):
        self.languages = tuple(languages)
        unknown = set(self.languages) - set(LANGUAGES)
        if unknown:
            raise ValueError(f"unsupported language(s) {sorted(unknown)}; supported: {', '.join(LANGUAGES)}")
        ner_models = dict(ner_models or {})
        self.score_threshold = score_threshold
        self.window = window
        self.nlp = OfflineNlpEngine({lang: ner_models.get(lang) for lang in self.languages})
        self.nlp.load()
        self.plans: dict[str, _LanguagePlan] = {}
        reference: list[EntityRecognizer] = []  # the same recognizers, for analyze_presidio (see _recognizers)
        for lang in self.languages:
            recs = self._recognizers(lang)
            ner = SpacyRecognizer(supported_language=lang, supported_entities=["PERSON"]) \
                if self.nlp.has_ner(lang) else None
            self.plans[lang] = _LanguagePlan(recs, ner)
            reference += self._recognizers(lang, reference=True) + ([ner] if ner else [])
        for rec in reference + [r for plan in self.plans.values() for r in plan.recognizers]:
            compile_patterns(rec)
        registry = RecognizerRegistry(recognizers=reference, supported_languages=list(self.languages))
        self.analyzer = AnalyzerEngine(registry=registry, nlp_engine=self.nlp,
                                       supported_languages=list(self.languages),
                                       default_score_threshold=score_threshold,
                                       context_aware_enhancer=LemmaContextAwareEnhancer())

    @staticmethod
    def _recognizers(lang: str, reference: bool = False) -> list[EntityRecognizer]:
        """A language's recognizers. `reference`: the instances of the reference run, whose phone recognizers use
        the libphonenumber port presidio ships with (phonenumbers) where ours use its compiled port; everything else
        is the same code."""
        if lang == "zh":
            return [*recognizers_zh.chinese_recognizers("zh"),
                    recognizers_zh.GreaterChinaPhoneRecognizer("zh", reference=reference),
                    IpRecognizer(supported_language="zh"), CryptoRecognizer(supported_language="zh")]
        email = [r for r in recognizers_zh.chinese_recognizers("en") if r.ENTITY in recognizers_zh.NEUTRAL]
        return [*recognizers_en.english_recognizers("en", reference=reference), *email]

    # -- public API ----------------------------------------------------------------------------------------------

    def entities(self, language: str) -> list[str]:
        return self.plans[language].entities

    def context_words(self, entity_type: str, language: str) -> list[str]:
        """The context words of the recognizers of an entity type (kept visible in masked excerpts)."""
        return self.plans[language].context.get(entity_type, [])

    def entity_table(self) -> list[dict]:
        """Every entity type: the languages it is looked for in, whether it is sensitive, how it is validated."""
        rows: dict[str, dict] = {}
        for lang, plan in self.plans.items():
            for rec in plan.recognizers + ([plan.ner] if plan.ner else []):
                entity = _entity(rec)
                row = rows.setdefault(entity, {"entity_type": entity, "languages": [], "sensitive": is_sensitive(entity),
                                               "recognizer": rec.name, "validation": _description(rec)})
                if lang not in row["languages"]:
                    row["languages"].append(lang)
                if rec.name not in row["recognizer"].split(", "):  # another recognizer for this type
                    if " | " not in row["validation"]:
                        row["validation"] = f"{row['languages'][0]}: {row['validation']}"
                    row["recognizer"] += f", {rec.name}"
                    row["validation"] += f" | {lang}: {_description(rec)}"
        return sorted(rows.values(), key=lambda r: r["entity_type"])

    def language_of(self, text: str, language: str = "auto") -> str:
        if language == "auto":
            lang = detect_language(text)
            return lang if lang in self.plans else self.languages[0]
        if language not in self.plans:
            raise ValueError(f"language {language!r} is not loaded; loaded: {', '.join(self.languages)}")
        return language

    def analyze(self, text: str, language: str = "auto") -> list[PiiResult]:
        """Candidate pass, then presidio on windows (fast path)."""
        return self.analyze_many([text], language)[0]

    def analyze_many(self, texts: list[str], language: str = "auto",
                     languages: list[str] | None = None) -> list[list[PiiResult]]:
        """`analyze` for a batch: one candidate pass over all texts of a language (joined), then windows per text.

        `languages`, one per text, when the caller has already chosen them (with `language_of`)."""
        langs = languages if languages is not None else [self.language_of(t, language) for t in texts]
        out: list[list[PiiResult]] = [[] for _ in texts]
        for lang in dict.fromkeys(langs):
            plan = self.plans[lang]
            idx = [i for i, x in enumerate(langs) if x == lang]
            norms = [texts[i] for i in idx]
            encoded = [t.encode("utf-8", "surrogatepass") for t in norms]
            joined, starts = _concat(encoded)
            folded = _needing_fold(joined, starts)
            for k in folded:
                norms[k] = _fold_all(norms[k])
                encoded[k] = norms[k].encode("utf-8", "surrogatepass")
            if folded:  # (fold keeps characters, not bytes: the joined buffer is built again)
                joined, starts = _concat(encoded)
            spans = _candidates(encoded, joined, starts, plan.combined, [len(t) for t in norms])
            whole: dict[int, list[RecognizerResult]] = {}  # the whole-document recognizers' results, by text
            for rec in plan.whole:
                for k in _holding(joined, starts, rec.MARK.encode()):
                    whole.setdefault(k, []).extend(r for r in rec.analyze_whole(norms[k])
                                                   if r.score >= self.score_threshold)
            for k, i in enumerate(idx):
                norm = norms[k]
                results = whole.get(k, [])
                if k not in spans and not results and plan.ner is None:
                    continue  # most documents of a corpus: no trigger, nothing to run
                for a, b in self._windows(norm, spans.get(k, ())):
                    results += self._analyze_region(norm, a, b, lang, plan)
                if plan.ner is not None:  # a model's names need the whole document: no candidate pass finds them
                    artifacts = self.nlp.process_text(norm, lang)
                    ner = plan.ner.analyze(norm, plan.ner.supported_entities, artifacts)
                    results += [r for r in ner if r.score >= self.score_threshold]
                out[i] = self._finish(results)
        return out

    def analyze_presidio(self, text: str, language: str = "auto") -> list[PiiResult]:
        """presidio's AnalyzerEngine on the whole (folded) document: the reference."""
        lang = self.language_of(text, language)
        norm = fold(text)
        results = self.analyzer.analyze(norm, language=lang, entities=self.plans[lang].entities,
                                        score_threshold=self.score_threshold)
        return self._finish(results)

    # -- internals -----------------------------------------------------------------------------------------------

    def _windows(self, text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        return _merge(text, spans, NUMBER_MARGIN, self.window)

    def _analyze_region(self, text: str, a: int, b: int, lang: str, plan: _LanguagePlan) -> list[RecognizerResult]:
        """Each recognizer whose trigger occurs in text[a:b], on windows around its own trigger hits only."""
        region = text[a:b]
        out: list[RecognizerResult] = []
        data = region.encode("utf-8", "surrogatepass")  # (a str with a lone surrogate would not encode in RE2's wrapper)
        present = plan.gate_set.Match(data)
        if not present:
            return out
        for k in sorted(present):
            gate = plan.gates[k]
            rec = gate.recognizer
            spans = _char_spans(data, _byte_spans(gate.trigger, data), a, is_ascii=len(data) == len(region))
            if not spans:
                continue
            if gate.candidate is not None:  # the recognizer's cheap check: move the hit, or drop what it cannot report
                spans = [span for span in (gate.candidate(text, s, e) for s, e in spans) if span is not None]
            needs_context = gate.needs_context_for
            if needs_context is not None:
                # values this recognizer scores below the threshold without a context word: skip them when no
                # context word occurs at all where the enhancer would look (a superset of its token window)
                spans = [(s, e) for s, e in spans
                         if not needs_context(text, s, e) or self._context_near(rec, text, s, e)]
            # a keyword trigger (QQ号, 姓名, 地址…) comes before the value, which can start 48 characters later; every
            # other trigger lies inside the value, and a few characters around it are all its checks look at
            after = self.window if gate.precedes_value else NUMBER_MARGIN
            for wa, wb in _merge(text, spans, NUMBER_MARGIN, after):
                if gate.widen is not None:
                    wa, wb = gate.widen(text, wa, wb)
                out += self._run(rec, text, wa, wb, lang, gate.lean)
        return out

    def _context_near(self, rec: EntityRecognizer, text: str, s: int, e: int) -> bool:
        # the enhancer sees tokens from the window start: at most NUMBER_MARGIN + window + a snap before the hit
        before = text[max(0, s - NUMBER_MARGIN - self.window - _SNAP):e + NUMBER_MARGIN].lower()
        return any(word.lower() in before for word in rec.context or ())

    def _run(self, rec: EntityRecognizer, text: str, a: int, b: int, lang: str,
             lean: bool = False) -> list[RecognizerResult]:
        """One recognizer on text[a:b]; context words are looked for up to `window` characters further left.
        `lean`: the recognizer's analyze is presidio's pattern loop, run through pattern_pass."""
        chunk = text[a:b]
        if lean:
            found = pattern_pass.analyze(rec, chunk)
        else:
            found = rec.analyze(text=chunk, entities=rec.supported_entities, nlp_artifacts=None)
        if not found:
            return []
        for r in found:
            r.recognition_metadata = r.recognition_metadata or {}
            r.recognition_metadata.setdefault(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY, rec.id)
            r.recognition_metadata.setdefault(RecognizerResult.RECOGNIZER_NAME_KEY, rec.name)
        kept = []
        n = len(text)
        for r in found:
            # a result touching a window edge that cuts a word may be an artefact of the cut: drop it
            if (r.start == 0 and a > 0 and _joined(text, a)) or (r.end == len(chunk) and b < n and _joined(text, b)):
                continue
            r.start += a
            r.end += a
            kept.append(r)
        # Context words decide only for results under the threshold (presidio's enhancer can only raise a score):
        # they alone go through tokenization and the enhancer. A result already over the threshold keeps its
        # recognizer's score, which is where this path's scores may be lower than presidio's whole-document ones.
        undecided = [r for r in kept if r.score < self.score_threshold]
        if undecided and rec.context:
            ca = _snap_left(text, max(0, a - self.window))
            for r in undecided:
                r.start -= ca
                r.end -= ca
            undecided = self.analyzer._enhance_using_context(text[ca:b], _Results(undecided),
                                                             self.nlp.tokenize(text[ca:b], lang), [rec], None)
            for r in undecided:
                r.start += ca
                r.end += ca
        decided = [r for r in kept if r.score >= self.score_threshold]
        return decided + [r for r in undecided if r.score >= self.score_threshold]

    def _finish(self, results: list[RecognizerResult]) -> list[PiiResult]:
        results = remove_duplicates(results)
        out = [PiiResult(r.entity_type, r.start, r.end, round(float(r.score), 4),
                         (r.recognition_metadata or {}).get(RecognizerResult.RECOGNIZER_NAME_KEY, ""))
               for r in results]
        out.sort(key=lambda r: (r.start, r.end, r.entity_type))
        return out


class _Results(list):
    """Results handed to presidio's context enhancer, which deep-copies them before changing scores.

    Deep-copying a result copies its explanation and pattern objects: ~1 ms a window, more than everything else
    the window costs. The enhancer changes only the score and the explanation, so one level of copy is as safe.
    """

    def __deepcopy__(self, memo: dict) -> list:
        out = []
        for r in self:
            c = copy.copy(r)
            if r.analysis_explanation is not None:
                c.analysis_explanation = copy.copy(r.analysis_explanation)
            if r.recognition_metadata is not None:
                c.recognition_metadata = dict(r.recognition_metadata)
            out.append(c)
        return out


_SEPARATOR = b"\n\x00\n"  # between joined texts: no trigger can match across it
# what identifiers are made of: a fullwidth digit, letter or @, or fullwidth ( ) + - next to a digit
_FULLWIDTH_IN_IDS = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff20]"
                               "|[\uff08\uff09\uff0b\uff0d\ufe63][0-9]|[0-9][\uff08\uff09\uff0b\uff0d\ufe63]")


# what fold() converts: fullwidth digits, letters and @ . _ % ( ) + -, and the small hyphen-minus; as a lookup
# table over UTF-16 code units (surrogates map to themselves, so astral characters pass through whole)
_FOLDABLE = [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B),
             0xFF20, 0xFF0E, 0xFF3F, 0xFF05, 0xFF08, 0xFF09, 0xFF0B, 0xFF0D, 0xFE63]
_FOLD = np.arange(0x10000, dtype=np.uint16)
_FOLD[_FOLDABLE] = [HALFWIDTH_TABLE[cp] for cp in _FOLDABLE]
_FOLD_MAP = {cp: HALFWIDTH_TABLE[cp] for cp in _FOLDABLE}


def fold(text: str) -> str:
    """Fullwidth digits, letters and the symbols identifiers use (@ . _ % ( ) + -) folded to ASCII, one code point
    for one so offsets do not move; other fullwidth punctuation (，：) is left as it is, and recognizers accept
    both ':' and '：' and the like. Only texts holding such a character next to an identifier are converted, in one
    table lookup (a regex substitution per run of them, or str.translate, cost 2-3x more on Chinese prose).
    """
    return _fold_all(text) if _FULLWIDTH_IN_IDS.search(text) else text


def _fold_all(text: str) -> str:
    """`fold` without the check whether the text needs it (analyze_many has made it for a whole batch at once)."""
    units = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    out = _FOLD[units].tobytes().decode("utf-16-le", "surrogatepass")
    if len(out) != len(text):  # two lone surrogates that make a pair came back as one character: keep them apart
        return text.translate(_FOLD_MAP)
    return out


_FULLWIDTH_IN_IDS_UTF8 = re2.compile(_FULLWIDTH_IN_IDS.pattern.encode("utf-8"))


def _concat(encoded: list[bytes]) -> tuple[bytes, list[int]]:
    """The texts' UTF-8 joined by _SEPARATOR, and where each starts in it."""
    starts, pos = [], 0
    for e in encoded:
        starts.append(pos)
        pos += len(e) + len(_SEPARATOR)
    return _SEPARATOR.join(encoded), starts


# google-re2's C++ matcher, called directly: its Python `finditer`/`search` build a Match object per hit and step
# a generator, which cost more than the scan itself where hits are many (private names of the wrapper; the version
# is pinned in constraints.txt and tests/detectors/test_pii_engine.py exercises these calls)
_UNANCHORED = re2._Anchor.UNANCHORED
_char_len = re2._re2.BytesToCharLen  # characters in data[a:b] of UTF-8 (surrogatepass-encoded) bytes


def _byte_spans(pattern, data: bytes, pos: int = 0):
    """(start, end) byte offsets of the non-overlapping matches of an RE2 `pattern` in data[pos:]."""
    match, end = pattern._regexp.Match, len(data)
    while pos <= end:
        span = match(_UNANCHORED, data, pos, end)[0]
        if span[0] < 0:
            return
        yield span
        pos = span[1] if span[1] > span[0] else span[1] + 1  # (an empty match: step on)


def _char_spans(data: bytes, byte_spans, offset: int, is_ascii: bool) -> list[tuple[int, int]]:
    """Byte spans in `data` (UTF-8, in order) as character spans, plus `offset`."""
    if is_ascii:
        return [(offset + s, offset + e) for s, e in byte_spans]
    out, last_byte, last_char = [], 0, 0
    for bs, be in byte_spans:
        cs = last_char + _char_len(data, last_byte, bs)
        last_byte, last_char = bs, cs
        out.append((offset + cs, offset + cs + _char_len(data, bs, be)))
    return out


def _texts_hit(starts: list[int], next_hit) -> list[int]:
    """Which texts (of `_concat`, starting at `starts`) hold a hit, where `next_hit(pos)` is the byte offset of the
    first hit at or after pos in the joined buffer (or -1). One hit is enough: the search goes on from the next text,
    so it costs a search per text that holds one, not a call per text."""
    found, pos = [], 0
    while (at := next_hit(pos)) >= 0:
        k = bisect_right(starts, at) - 1
        found.append(k)
        if k + 1 == len(starts):
            break
        pos = starts[k + 1]
    return found


def _holding(joined: bytes, starts: list[int], mark: bytes) -> list[int]:
    """Which texts (of `_concat`) hold `mark`."""
    return _texts_hit(starts, lambda pos: joined.find(mark, pos))


def _needing_fold(joined: bytes, starts: list[int]) -> list[int]:
    """Which texts (of `_concat`) hold a fullwidth character of an identifier: one RE2 pass over them all (a call
    per text costs more than the scan on short texts; `re` on the str is ~10x slower than RE2 on the bytes; Chinese
    prose has many "（1990" pairs, so one hit per text is enough)."""
    return _texts_hit(starts, lambda pos: next(_byte_spans(_FULLWIDTH_IN_IDS_UTF8, joined, pos), (-1,))[0])


def _candidates(encoded: list[bytes], joined: bytes, starts: list[int], combined,
                lengths: list[int]) -> dict[int, list[tuple[int, int]]]:
    """Character spans of trigger hits, by text, for the texts that have any (given as their UTF-8, and joined by
    `_concat`; `lengths` are the texts' lengths in characters), from one RE2 pass over the joined texts. Only texts
    with hits get a list: an empty list for each of the others was a third of the containers a pass made on BDCI
    (6,471 texts), and every 700 of those set off a run of Python's garbage collector.

    RE2 runs on bytes (its Python wrapper turns byte offsets into character offsets slowly on str input); hits
    are few, so their byte offsets are converted afterwards, per text (`_char_spans`).
    """
    hits: dict[int, list[tuple[int, int]]] = {}
    for bs, be in _byte_spans(combined, joined):
        j = bisect_right(starts, bs) - 1
        if bs - starts[j] >= len(encoded[j]) and j + 1 < len(encoded) and be > starts[j + 1]:
            # begun in the separator, ending in the next text: a trigger's "(?:^|[^0-9])" took the separator's
            # newline where a text of its own would have matched "^"; the hit belongs to the next text
            j += 1
        data, base = encoded[j], starts[j]
        bs, be = max(bs - base, 0), min(be - base, len(data))
        if bs < len(data) and be > 0:  # (not a match inside a separator)
            hits.setdefault(j, []).append((bs, be))
    return {j: _char_spans(encoded[j], spans, 0, is_ascii=len(encoded[j]) == lengths[j]) for j, spans in hits.items()}


NUMBER_MARGIN = 24


def _merge(text: str, spans: list[tuple[int, int]], before: int, after: int) -> list[tuple[int, int]]:
    """Windows [start - before, end + after] around spans, merged when they overlap, widened to word edges."""
    n = len(text)
    windows: list[tuple[int, int]] = []
    for s, e in spans:
        a, b = max(0, s - before), min(n, e + after)
        if windows and a <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(b, windows[-1][1]))
        else:
            windows.append((a, b))
    return [(_snap_left(text, a), _snap_right(text, b)) for a, b in windows]


def _joined(text: str, i: int) -> bool:
    """True when position i is inside a run of word characters (the cut would split a token)."""
    return text[i - 1].isalnum() and text[i].isalnum()


_SNAP = 24
# runs of letters and digits as str.isalnum() sees them ([^\W_]: \w is isalnum() plus the underscore), found by one
# regex match (every CJK character is alphanumeric: in Chinese text a loop over characters always went the whole
# `limit`)
_ALNUM_RUN = re.compile(r"[^\W_]*")


def _snap_left(text: str, a: int, limit: int = _SNAP) -> int:
    """Move a window start left to a whitespace or punctuation edge (at most `limit` characters)."""
    if a == 0 or a >= len(text) or not text[a].isalnum():
        return a
    return run_start(text, a, _ALNUM_RUN, limit)


def _snap_right(text: str, b: int, limit: int = _SNAP) -> int:
    """Move a window end right to a whitespace or punctuation edge (at most `limit` characters)."""
    if b == 0 or b >= len(text) or not text[b - 1].isalnum():
        return b
    return run_end(text, b, _ALNUM_RUN, limit)
