"""presidio's pattern loop (`PatternRecognizer.analyze`) without its per-call overhead, for the engine's windows.

presidio's loop reads the clock twice and formats a debug line for every pattern on every call, and removes
duplicates with a set, a sort and a groupby even for one result. On contact-dense text the engine calls a pattern
recognizer on a window for nearly every identifier, and that overhead was 60% of the recognizer's time (BDCI
contact pages: 53 µs → 21 µs a call). `analyze` below takes the same steps in the same order with the same
functions (the recognizer's `validate_result`, `invalidate_result`, `build_regex_explanation`, the same compiled
patterns and flags, presidio's regex timeout), so its results are presidio's. Tests compare the two, results, scores
and explanations, on every recognizer this applies to (tests/detectors/test_pii_engine.py on synthetic documents,
test_pii_recognizers_zh.py on the Chinese recognizers' tables, both also on slices cut anywhere); and the reference
run (`PiiEngine.analyze_presidio`) still calls presidio's own loop, so the parity test compares them on real corpora
too.

It applies only to recognizers whose `analyze` is presidio's (or ChineseRecognizer's, which adds `keep`): a
recognizer with an `analyze` of its own (phone numbers, IBAN) is called as it is, and the e-mail one runs on whole
documents (`EmailRecognizer.analyze_whole`).
"""

from __future__ import annotations

import logging

from presidio_analyzer import EntityRecognizer, PatternRecognizer, RecognizerResult
from presidio_analyzer.pattern_recognizer import REGEX_TIMEOUT_SECONDS

from detectors.pii.presidio_steps import compiled_regex, remove_duplicates
from detectors.pii.recognizers_zh import ChineseRecognizer

logger = logging.getLogger("presidio-analyzer")  # where presidio's loop reports a regex timeout

_NAME = RecognizerResult.RECOGNIZER_NAME_KEY
_ID = RecognizerResult.RECOGNIZER_IDENTIFIER_KEY


def applies_to(recognizer: EntityRecognizer) -> bool:
    """True when `recognizer.analyze` is presidio's pattern loop (plus ChineseRecognizer's `keep`)."""
    return isinstance(recognizer, PatternRecognizer) and not recognizer.deny_list \
        and type(recognizer).analyze in (PatternRecognizer.analyze, ChineseRecognizer.analyze)


def analyze(recognizer: PatternRecognizer, text: str) -> list[RecognizerResult]:
    """`recognizer.analyze(text, entities)` for a recognizer `applies_to` accepts: the same results."""
    rec = recognizer
    flags = rec.global_regex_flags
    entity = rec.supported_entities[0]
    results = []
    for pattern in rec.patterns:
        try:
            for match in compiled_regex(pattern, flags).finditer(text, timeout=REGEX_TIMEOUT_SECONDS):
                start, end = match.span()
                if start == end:
                    continue
                current = text[start:end]
                validation = rec.validate_result(current)
                explanation = rec.build_regex_explanation(rec.name, pattern.name, pattern.regex, pattern.score,
                                                          validation, flags)
                result = RecognizerResult(entity_type=entity, start=start, end=end, score=pattern.score,
                                          analysis_explanation=explanation,
                                          recognition_metadata={_NAME: rec.name, _ID: rec.id})
                if validation is not None:
                    result.score = EntityRecognizer.MAX_SCORE if validation else EntityRecognizer.MIN_SCORE
                invalidation = rec.invalidate_result(current)
                if invalidation is not None and invalidation:
                    result.score = EntityRecognizer.MIN_SCORE
                if result.score > EntityRecognizer.MIN_SCORE:
                    results.append(result)
                explanation.score = result.score
        except TimeoutError:
            logger.warning("Regex pattern '%s' timed out after %s seconds, skipping.", pattern.name,
                           REGEX_TIMEOUT_SECONDS, exc_info=True)
    results = remove_duplicates(results)
    if isinstance(rec, ChineseRecognizer):
        return [r for r in results if rec.keep(r.analysis_explanation.pattern_name, text[r.start:r.end])]
    return results
