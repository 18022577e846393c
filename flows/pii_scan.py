"""`provenance pii scan FILE`: the PII engine over one file's records, without a manifest or a catalog.

Composes provenance's readers (any format and compression the audit reads) with detectors.pii. Each document
gives one JSON object: its ordinal and line, its language and the entities found (type, character offsets into
the original text, score, recognizer, masked excerpt). Values are never printed; the keyed hash is left out too,
because a one-off scan has no key to keep.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Iterator

from provenance.errors import InputError
from provenance.readers import ReadSpec, StreamError, detect_format, is_archive_name, open_stream, read_records
from provenance.readers.streams import CHUNK

# the names the command takes → the reader formats of the catalog
FORMATS = {"auto": "auto", "jsonl": "jsonl", "json": "json", "csv": "csv", "tsv": "tsv", "parquet": "parquet",
           "txt": "text-lines", "text": "text"}


def scan_file(path: str | Path, fmt: str = "auto", text_field: str | None = None, language: str = "auto",
              ner_models: dict[str, str] | None = None) -> Iterator[dict]:
    from detectors.pii.detector import engine_for
    from detectors.pii.masking import masked_excerpt

    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such file: {path}", where=str(path), fix="give the path of a data file")
    if is_archive_name(path.name):
        raise InputError(f"{path.name} is an archive", where=str(path),
                         fix="unpack it, or audit it through a manifest (`provenance audit`), which reads archives")
    engine = engine_for(tuple(sorted((ner_models or {}).items())), 0.4, 64)
    spec = ReadSpec(FORMATS[fmt], (text_field,) if text_field else ())
    try:
        with open(path, "rb") as raw:
            stream, _ = open_stream(io.BufferedReader(raw, CHUNK), path.name)
            reader_fmt = spec.format if spec.format != "auto" else detect_format(path.name, stream)
            for rec in read_records(stream, reader_fmt, spec):
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
    except StreamError as e:
        raise InputError(f"cannot read {path.name}: {e}", where=str(path),
                         fix="pass --text-field (a column name, or a JSON path such as data[].paragraphs[].context), "
                             "or name the format with --format") from e
