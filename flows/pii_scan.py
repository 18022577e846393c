"""`provenance pii scan FILE`: the PII engine over one file's records, without a manifest or a catalog.

Composes provenance's readers (any format and compression the audit reads) with detectors.pii. Each document
gives one JSON object: its ordinal and line, its language and the entities found (type, character offsets into
the original text, score, recognizer, masked excerpt). Values are never printed; the keyed hash is left out too,
because a one-off scan has no key to keep.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from provenance.readers.single import CLI_FORMATS, check_data_file, read_file_records


def scan_file(path: str | Path, fmt: str = "auto", text_field: str | None = None, language: str = "auto",
              ner_models: dict[str, str] | None = None) -> Iterator[dict]:
    from detectors.pii.detector import engine_for
    from detectors.pii.masking import masked_excerpt

    check_data_file(path)  # a wrong path fails before the engine is built
    engine = engine_for(tuple(sorted((ner_models or {}).items())), 0.4, 64)
    for rec in read_file_records(path, CLI_FORMATS[fmt], text_field):
        if rec.text is None:
            yield {"ordinal": rec.ordinal, "line": rec.line, "rejected": rec.code, "message": rec.message}
            continue
        lang = engine.language_of(rec.text, language)
        found = engine.analyze(rec.text, lang)
        spans = [(r.start, r.end, r.entity_type) for r in found]
        yield {"ordinal": rec.ordinal, "line": rec.line, "language": lang, "findings": [
            {"entity_type": r.entity_type, "start": r.start, "end": r.end, "score": r.score,
             "recognizer": r.recognizer,
             "excerpt": masked_excerpt(rec.text, r.start, r.end, r.entity_type,
                                       engine.context_words(r.entity_type, lang), spans)}
            for r in found]}
