"""The `pii` audit stage: PiiEngine over every document (or a seeded sample), masked rows out.

Rows (table pii_documents, migration 004): one per document analysed, with its language, its sample priority and
the list of entities found (type, offsets, score, recognizer, masked excerpt, keyed hash of the value; never the
value). Every document is analysed when `sample=0`; with `sample=N`, the N documents of each file with the smallest
seeded priority (a bottom-N sample: the N smallest of a source are among the N smallest of its files, so the source's
seeded sample is exact and the same on every run with the same seed).
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import pyarrow as pa

from detectors.base import Detector, DetectorConfig, register
from detectors.pii import LANGUAGES
from detectors.pii.masking import keyed_hash, masked_excerpt

if TYPE_CHECKING:
    from detectors.pii.engine import PiiEngine

__all__ = ["PiiConfig", "PiiDetector", "RESULT_SCHEMA", "engine_for", "priority"]

ENTITY_TYPE = pa.struct([
    ("entity_type", pa.string()),
    ("start", pa.int64()),
    ("end", pa.int64()),
    ("score", pa.float64()),
    ("recognizer", pa.string()),
    ("excerpt", pa.string()),
    ("value_hash", pa.string()),
    ("sensitive", pa.bool_()),
])
RESULT_SCHEMA = pa.schema([
    ("doc_id", pa.string()),
    ("language", pa.string()),
    ("priority", pa.float64()),
    ("entities", pa.list_(ENTITY_TYPE)),
])


@dataclass(frozen=True)
class PiiConfig(DetectorConfig):
    version: int = 1
    language: str = "auto"            # auto | zh | en
    score_threshold: float = 0.4
    window: int = 64                  # characters each side of a candidate given to presidio
    sample: int = 0                   # 0: every document; N: N documents per file at most (see module docstring)
    seed: int = 0
    ner_models: tuple[tuple[str, str], ...] = ()   # (("en", "en_core_web_sm"),) when the user installed one
    key: bytes = field(default=b"provenance-pii-default-key", repr=False)  # HMAC key of value hashes; secret

    def __post_init__(self) -> None:
        if self.language not in ("auto", *LANGUAGES):
            raise ValueError(f"language must be auto, zh or en, got {self.language!r}")
        if not 0 < self.score_threshold <= 1:
            raise ValueError(f"score_threshold must be in (0, 1], got {self.score_threshold}")
        if self.sample < 0:
            raise ValueError(f"sample must be 0 (all documents) or a positive count, got {self.sample}")

    def recorded(self) -> dict:
        """The config without the key, with the key's fingerprint: results hashed under another key are redone."""
        return {**{k: v for k, v in asdict(self).items() if k != "key"}, "key_id": self.key_id()}

    def key_id(self) -> str:
        """A fingerprint of the key (not the key): results hashed under another key are recomputed."""
        return hashlib.sha256(b"key-id\x00" + self.key).hexdigest()[:12]


@lru_cache(maxsize=4)
def engine_for(ner_models: tuple[tuple[str, str], ...], score_threshold: float, window: int) -> "PiiEngine":
    """One engine per process and configuration: building one takes ~1 s (spaCy pipelines, presidio registry)."""
    from detectors.pii.engine import PiiEngine  # presidio is imported here, when an engine is first built

    return PiiEngine(ner_models=dict(ner_models), score_threshold=score_threshold, window=window)


def priority(seed: int, doc_id: str) -> float:
    """A document's place in the seeded sample, uniform in [0, 1)."""
    digest = hmac.new(seed.to_bytes(8, "big", signed=True), doc_id.encode(), hashlib.blake2b).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@register
class PiiDetector(Detector):
    name = "pii"
    result_table = "pii_documents"
    config_class = PiiConfig

    def __init__(self, config: PiiConfig | None = None):
        super().__init__(config)
        self.engine = engine_for(self.config.ner_models, self.config.score_threshold, self.config.window)
        self._reservoir: list[tuple[float, str, str]] = []  # heap of (-priority, doc_id, text) when sampling
        self.keeps_documents = self.config.sample > 0

    def process(self, batch: pa.RecordBatch) -> pa.Table | None:
        ids = batch.column("doc_id").to_pylist()
        texts = batch.column("text").to_pylist()
        if self.config.sample:
            # keep the `sample` documents of lowest priority seen so far; analyse them in finish()
            for doc_id, text in zip(ids, texts):
                p = priority(self.config.seed, doc_id)
                item = (-p, doc_id, text)
                if len(self._reservoir) < self.config.sample:
                    heapq.heappush(self._reservoir, item)
                elif -p > self._reservoir[0][0]:
                    heapq.heapreplace(self._reservoir, item)
            return None
        return self._analyse(ids, texts, [None] * len(ids))

    def finish(self) -> pa.Table | None:
        """Called once a file is read: analyse the sampled documents."""
        if not self._reservoir:
            return None
        kept = sorted(self._reservoir, key=lambda t: t[1])
        self._reservoir = []
        return self._analyse([d for _, d, _ in kept], [t for _, _, t in kept], [-p for p, _, _ in kept])

    def _analyse(self, ids: list[str], texts: list[str], priorities: list[float | None]) -> pa.Table:
        from detectors.pii.engine import is_sensitive

        engine, config = self.engine, self.config
        languages = [engine.language_of(text, config.language) for text in texts]
        # the whole batch at once: one candidate pass over all its texts instead of one per document
        results = engine.analyze_many(texts, languages=languages)
        prios, entities = [], []
        for doc_id, text, prio, lang, found in zip(ids, texts, priorities, languages, results):
            spans = [(r.start, r.end, r.entity_type) for r in found]
            prios.append(prio if prio is not None else priority(config.seed, doc_id))
            entities.append([{
                "entity_type": r.entity_type, "start": r.start, "end": r.end, "score": r.score,
                "recognizer": r.recognizer,
                "excerpt": masked_excerpt(text, r.start, r.end, r.entity_type,
                                          engine.context_words(r.entity_type, lang), spans),
                "value_hash": keyed_hash(config.key, r.entity_type, text[r.start:r.end]),
                "sensitive": is_sensitive(r.entity_type),
            } for r in found])
        return pa.table({"doc_id": ids, "language": languages, "priority": prios, "entities": entities},
                        schema=RESULT_SCHEMA)
