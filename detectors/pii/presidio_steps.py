"""presidio's own steps, written again without its per-call overhead (each tested against presidio's), and its
pattern compile check, run ahead of time.

The engine, the lean pattern loop (`pattern_pass`) and the recognizers all use them, so they live here, in a module
that imports no recognizer (in recognizers_en or pattern_pass they made import cycles).
"""

from __future__ import annotations

import regex
from presidio_analyzer import EntityRecognizer, Pattern, RecognizerResult

__all__ = ["compile_patterns", "compiled_regex", "remove_duplicates"]


def compiled_regex(pattern: Pattern, flags: int):
    """`pattern`'s regex compiled with `flags`, compiled now if it has not been: presidio's own check in
    `PatternRecognizer.analyze` (same `regex` module, same attributes, so either side may compile it first)."""
    if not pattern.compiled_regex or pattern.compiled_with_flags != flags:
        pattern.compiled_with_flags = flags
        pattern.compiled_regex = regex.compile(pattern.regex, flags=flags)
    return pattern.compiled_regex


def compile_patterns(recognizer: EntityRecognizer) -> None:
    """Compile a pattern recognizer's regexes now, as presidio would on its first call (same `regex` module, same
    flags): otherwise each recognizer compiles on the first window that needs it, and the first megabytes of an
    audit (or a benchmark's first pass) pay ~50 ms of compiles spread over the documents that happen to come first.
    The engine calls this for every recognizer it builds, those of the reference run included."""
    for pattern in getattr(recognizer, "patterns", None) or ():
        compiled_regex(pattern, recognizer.global_regex_flags)


def remove_duplicates(results: list[RecognizerResult]) -> list[RecognizerResult]:
    """presidio's EntityRecognizer.remove_duplicates: drops zero scores and results contained in another of the same
    type that scores no lower, and orders by score. Where no two results touch the same characters (a lone result; a
    header's list of addresses) only the first check and the order apply: the function's set (a string hash per
    result), sorts and groupby cost ~15 us for one result and ~50 us for a To: line of ten addresses, and in
    contact-dense text nearly every window gives results."""
    if all(r.score for r in results):
        if len(results) < 2:
            return list(results)
        spans = sorted((r.start, r.end) for r in results)
        if all(s < e for s, e in spans) and all(b[0] >= a[1] for a, b in zip(spans, spans[1:])):
            return sorted(results, key=lambda x: (-x.score, x.start, -(x.end - x.start)))
    return EntityRecognizer.remove_duplicates(results)
