"""`provenance pii scan FILE`: the PII engine over one file's records, without a manifest or a catalog.

Composes provenance's readers (any format and compression the audit reads) with detectors.pii. Each document
gives one JSON object: its ordinal and line, its language and the entities found (type, character offsets into
the original text, score, recognizer, masked excerpt). Values are never printed; the keyed hash is left out too,
because a one-off scan has no key to keep.

Documents go to the engine in batches (`PiiEngine.analyze_many`: one candidate pass over a batch instead of one per
document), and rows come out in the file's order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

from provenance.readers.single import CLI_FORMATS, check_data_file, read_file_records
from provenance.scan import TEXT_BATCH_BYTES, TEXT_BATCH_DOCS


def scan_file(path: str | Path, fmt: str = "auto", text_field: str | None = None, language: str = "auto",
              ner_models: dict[str, str] | None = None,
              on_batch: Callable[[int, int], None] | None = None) -> Iterator[dict]:
    """One row per record of `path`, in order. `on_batch(records, text_bytes)` is called after each batch with the
    records it held (rejected ones included) and the UTF-8 bytes of its texts, for a progress display."""
    from detectors.pii.detector import engine_for

    check_data_file(path)  # a wrong path fails before the engine is built
    engine = engine_for(tuple(sorted((ner_models or {}).items())), 0.4, 64)
    report = on_batch or (lambda records, text_bytes: None)
    pending: list = []  # the batch being filled, documents and rejections in order; it starts with a document
    size = 0
    for rec in read_file_records(path, CLI_FORMATS[fmt], text_field):
        if rec.text is None and not pending:
            # nothing waits for the engine: a rejection is reported at once (a file whose every record is rejected,
            # e.g. for a wrong --text-field, shows it from the first line instead of after a batch)
            yield _rejected(rec)
            report(1, 0)
            continue
        pending.append(rec)
        size += len(rec.text.encode("utf-8", "surrogatepass")) if rec.text is not None else 0
        # the audit's batch sizes (1 MB of text or 2,048 records): rows of a file of short records still come out
        # every couple of thousand records
        if size >= TEXT_BATCH_BYTES or len(pending) >= TEXT_BATCH_DOCS:
            yield from _analysed(engine, pending, language)
            report(len(pending), size)
            pending, size = [], 0
    if pending:
        yield from _analysed(engine, pending, language)
        report(len(pending), size)


def _rejected(rec) -> dict:
    return {"ordinal": rec.ordinal, "line": rec.line, "rejected": rec.code, "message": rec.message}


def _analysed(engine, records: list, language: str) -> Iterator[dict]:
    """The rows of a batch of records, in order: its documents analysed together, its rejections as they were."""
    from detectors.pii.masking import masked_excerpt

    docs = [rec for rec in records if rec.text is not None]
    languages = [engine.language_of(rec.text, language) for rec in docs]
    found = iter(zip(languages, engine.analyze_many([rec.text for rec in docs], languages=languages)))
    for rec in records:
        if rec.text is None:
            yield _rejected(rec)
            continue
        lang, results = next(found)
        spans = [(r.start, r.end, r.entity_type) for r in results]
        yield {"ordinal": rec.ordinal, "line": rec.line, "language": lang, "findings": [
            {"entity_type": r.entity_type, "start": r.start, "end": r.end, "score": r.score,
             "recognizer": r.recognizer,
             "excerpt": masked_excerpt(rec.text, r.start, r.end, r.entity_type,
                                       engine.context_words(r.entity_type, lang), spans)}
            for r in results]}
