"""The `diversity` audit stage: cheap content statistics per document, exact term counts and sketches per file.

Tables (migration 006):
- diversity_documents, one row per document: language (fastText lid.176 on the first `lang_prefix_chars`
  characters) and its probability, dominant script and letters per script, characters, UTF-8 bytes, tokens, types
  (distinct tokens), unigram entropy, zlib-compressed bytes, and the registered domains of its URLs.
- diversity_terms, one row per (file, term): the exact unigram counts of the file, the term being a stable signed
  64-bit token hash. Per-source type-token ratio and unigram entropy are then exact SQL aggregates
  (sum the counts by term over the source's files first).
- diversity_sketches, one row per (file, kind): HyperLogLog++ registers (p = `hll_p`, zlib-compressed) of the
  file's distinct token bigrams ('bigram', for distinct-2) and distinct tokens ('unigram', a cross-check of the
  exact count). Sketches of several files merge with an element-wise maximum (detectors.diversity.hll).

Definitions of tokens, scripts, hashes and domains: detectors/diversity/stats.py. Per-file state (the term counter,
bounded by the file's vocabulary, and the bigram registers) is kept from `process` until the scanner reports the file
complete (`files_complete`) or to `finish`, which emits it and starts afresh.

This module imports neither `provenance` nor `flows`.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from detectors.base import Detector, DetectorConfig, register
from detectors.diversity import hll, langid
from detectors.diversity.stats import SCRIPTS, GroupTerms, batch_stats, sum_by_term, url_domains

__all__ = ["DOCUMENTS_SCHEMA", "SKETCHES_SCHEMA", "TERMS_SCHEMA", "DiversityConfig", "DiversityDetector"]

SCRIPT_CHARS = pa.struct([("script", pa.string()), ("chars", pa.int64())])
DOCUMENTS_SCHEMA = pa.schema([
    ("doc_id", pa.string()),
    ("language", pa.string()),
    ("language_score", pa.float64()),
    ("script", pa.string()),
    ("scripts", pa.list_(SCRIPT_CHARS)),
    ("chars", pa.int64()),
    ("bytes", pa.int64()),
    ("tokens", pa.int64()),
    ("types", pa.int64()),
    ("entropy", pa.float64()),
    ("compressed_bytes", pa.int64()),
    ("domains", pa.list_(pa.string())),
    ("file_index", pa.int32()),  # the loader maps it to version_id and drops it
])
TERMS_SCHEMA = pa.schema([
    ("file_index", pa.int32()),
    ("term", pa.int64()),
    ("count", pa.int64()),
])
SKETCHES_SCHEMA = pa.schema([
    ("file_index", pa.int32()),
    ("kind", pa.string()),
    ("p", pa.int32()),
    ("registers", pa.binary()),
])


@dataclass(frozen=True)
class DiversityConfig(DetectorConfig):
    version: int = 1
    lang_prefix_chars: int = 256   # characters given to the language model (its cost grows with them)
    hll_p: int = 12                # HyperLogLog precision: 2**p registers, standard error 1.04 / 2**(p/2)
    max_domains: int = 5           # distinct registered domains kept per document (0: none looked for)

    def __post_init__(self) -> None:
        for name in ("version", "lang_prefix_chars", "hll_p", "max_domains"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                # a ValueError like every other config error, so callers catch one type
                raise ValueError(f"{name} must be an integer, got {value!r}")  # noqa: TRY004
        if not 1 <= self.lang_prefix_chars <= 100_000:
            raise ValueError(f"lang_prefix_chars must be between 1 and 100000, got {self.lang_prefix_chars}")
        if not 4 <= self.hll_p <= 16:
            raise ValueError(f"hll_p must be between 4 and 16 (datasketch's range), got {self.hll_p}")
        if not 0 <= self.max_domains <= 1000:
            raise ValueError(f"max_domains must be between 0 and 1000, got {self.max_domains}")


@dataclass
class _FileState:
    """What a file's rows are made of, built up batch by batch."""

    p: int
    parts: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)  # (distinct terms, counts) pieces
    pending: int = 0      # rows in `parts` since the last compaction
    compacted: int = 0    # rows of the compacted first part
    bigrams: np.ndarray | None = None

    def add(self, group: GroupTerms) -> None:
        self.parts.append((group.terms, group.counts))
        self.pending += group.terms.size
        if self.pending > max(1 << 20, 2 * self.compacted):  # keeps memory ~ the file's vocabulary
            self.compact()
        regs = hll.registers(group.bigrams, self.p)
        self.bigrams = regs if self.bigrams is None else np.maximum(self.bigrams, regs, out=self.bigrams)

    def compact(self) -> tuple[np.ndarray, np.ndarray]:
        if len(self.parts) > 1:
            self.parts = [sum_by_term(np.concatenate([t for t, _ in self.parts]),
                                      np.concatenate([c for _, c in self.parts]))]
        self.compacted, self.pending = (self.parts[0][0].size if self.parts else 0), 0
        return self.parts[0] if self.parts else (np.zeros(0, np.uint64), np.zeros(0, np.int64))


@register
class DiversityDetector(Detector):
    name = "diversity"
    result_table = "diversity_documents"
    result_tables = ("diversity_documents", "diversity_terms", "diversity_sketches")
    config_class = DiversityConfig

    def __init__(self, config: DiversityConfig | None = None):
        super().__init__(config)
        self._files: dict[int, _FileState] = {}

    def process(self, batch: pa.RecordBatch) -> dict[str, pa.Table] | None:
        if batch.num_rows == 0:
            return None
        config = self.config
        texts = [t if t is not None else "" for t in batch.column("text").to_pylist()]
        file_index = batch.column("file_index").to_numpy(zero_copy_only=False).astype(np.int64)
        stats = batch_stats(texts, file_index)
        for f, group in stats.groups.items():
            self._files.setdefault(f, _FileState(config.hll_p)).add(group)

        languages, scores, sizes, compressed, domains = [], [], [], [], []
        for text in texts:
            language, score = langid.detect(text, config.lang_prefix_chars)
            languages.append(language)
            scores.append(score)
            data = text.encode("utf-8", "surrogatepass")
            sizes.append(len(data))
            compressed.append(len(zlib.compress(data, 6)))
            domains.append(url_domains(text, config.max_domains) if config.max_domains else [])

        counts = stats.scripts
        present = counts > 0
        rows, cols = np.nonzero(present)  # row-major: each document's scripts in SCRIPTS order
        offsets = np.concatenate(([0], np.cumsum(present.sum(axis=1)))).astype(np.int32)
        scripts = pa.ListArray.from_arrays(pa.array(offsets), pa.StructArray.from_arrays(
            [pa.array(np.asarray(SCRIPTS, dtype=object)[cols], pa.string()), pa.array(counts[rows, cols])],
            fields=list(SCRIPT_CHARS)))
        dominant = np.where(present.any(axis=1), np.asarray(SCRIPTS, dtype=object)[counts.argmax(axis=1)], None)
        table = pa.table({
            "doc_id": batch.column("doc_id"),
            "language": pa.array(languages, pa.string()),
            "language_score": pa.array(scores, pa.float64()),
            "script": pa.array(dominant.tolist(), pa.string()),
            "scripts": scripts,
            "chars": pa.array([len(t) for t in texts], pa.int64()),
            "bytes": pa.array(sizes, pa.int64()),
            "tokens": pa.array(stats.tokens),
            "types": pa.array(stats.types),
            "entropy": pa.array(stats.entropy),
            "compressed_bytes": pa.array(compressed, pa.int64()),
            "domains": pa.array(domains, pa.list_(pa.string())),
            "file_index": pa.array(file_index.astype(np.int32)),
        }, schema=DOCUMENTS_SCHEMA)
        return {"diversity_documents": table}

    def files_complete(self, below: int) -> dict[str, pa.Table] | None:
        """The per-file rows of the files whose index is below `below` (complete: the scanner says so), whose state
        is then dropped: an archive's members go out one by one instead of all at its end."""
        done = [f for f in self._files if f < below]
        return self._rows({f: self._files.pop(f) for f in done}) if done else None

    def finish(self) -> dict[str, pa.Table] | None:
        """The per-file rows of every file seen since the last call; the state is then cleared."""
        files, self._files = self._files, {}
        return self._rows(files)

    def _rows(self, files: dict[int, _FileState]) -> dict[str, pa.Table] | None:
        if not files:
            return None
        term_parts, sketch_rows = [], {"file_index": [], "kind": [], "p": [], "registers": []}
        p = self.config.hll_p
        for f in sorted(files):
            state = files[f]
            terms, counts = state.compact()
            term_parts.append(pa.table({
                "file_index": pa.array(np.full(terms.size, f, dtype=np.int32)),
                "term": pa.array(terms.view(np.int64)),
                "count": pa.array(counts.astype(np.int64)),
            }, schema=TERMS_SCHEMA))
            bigrams = state.bigrams if state.bigrams is not None else np.zeros(1 << p, np.int8)
            for kind, regs in (("bigram", bigrams), ("unigram", hll.registers(terms, p))):
                sketch_rows["file_index"].append(f)
                sketch_rows["kind"].append(kind)
                sketch_rows["p"].append(p)
                sketch_rows["registers"].append(hll.to_bytes(regs))
        return {"diversity_terms": pa.concat_tables(term_parts),
                "diversity_sketches": pa.table(sketch_rows, schema=SKETCHES_SCHEMA)}
