"""The `duplicates` stage's per-document work: a normalised-text hash and a MinHash signature for every document.

Everything corpus-wide (grouping band keys, verifying candidates, clusters, rates, overlap between sources) happens
after the scan, in DuckDB, over the stored signatures (provenance/dup_stage.py): a later audit or an `overlap`
query reuses them, and an incremental audit only hashes new files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from detectors.base import Detector, DetectorConfig, register
from detectors.dedup import minhash, shingles
from detectors.dedup.minhash import signatures
from detectors.dedup.normalize import exact_hash, normalize
from detectors.dedup.shingles import batch_shingle_hashes

__all__ = ["DedupConfig", "DuplicateDetector", "RESULT_SCHEMA"]

RESULT_SCHEMA = pa.schema([
    ("doc_id", pa.string()),
    ("norm_hash", pa.int64()),
    ("shingling", pa.string()),            # char | word | none
    ("shingles", pa.int32()),
    ("signature", pa.list_(pa.uint32())),  # NULL when the document has no shingles
])


@dataclass(frozen=True)
class DedupConfig(DetectorConfig):
    version: int = 1
    num_perm: int = 128
    seed: int = 1

    def __post_init__(self) -> None:
        if not 16 <= self.num_perm <= 1024:
            raise ValueError(f"num_perm must be between 16 and 1024, got {self.num_perm}")

    def recorded(self) -> dict:
        # what else decides a signature: the shingle size and script rule, and datasketch's permutation scheme
        return {**super().recorded(), "shingle": shingles.N, "cjk_share": shingles.CJK_SHARE,
                "scheme": minhash.SCHEME}


@register
class DuplicateDetector(Detector):
    name = "duplicates"
    result_table = "dup_documents"
    config_class = DedupConfig

    def process(self, batch: pa.RecordBatch) -> pa.Table:
        ids = batch.column("doc_id").to_pylist()
        normalized = [normalize(t) for t in batch.column("text").to_pylist()]
        sh = batch_shingle_hashes(normalized)
        sigs = signatures(sh.hashes, sh.offsets, self.config.num_perm, self.config.seed)
        counts = (sh.offsets[1:] - sh.offsets[:-1]).astype("int32")
        has = counts > 0
        # documents without shingles get a NULL signature (an empty slot in the offsets, masked)
        offsets = pa.array(np.concatenate(([0], np.cumsum(has * sigs.shape[1]))), pa.int32())
        lists = pa.ListArray.from_arrays(offsets, pa.array(sigs[has].reshape(-1), pa.uint32()),
                                         mask=pa.array(~has))
        return pa.table({
            "doc_id": ids,
            "norm_hash": [exact_hash(t) for t in normalized],
            "shingling": ["none" if not c else "char" if cjk else "word" for c, cjk in zip(counts, sh.cjk)],
            "shingles": pa.array(counts, pa.int32()),
            "signature": lists,
        }, schema=RESULT_SCHEMA)


class ShingleSetCollector(Detector):
    """Not a stage (unregistered): the shingle hashes of the documents asked for, so that the duplicates stage can
    compute the exact Jaccard of candidate pairs whose signatures leave it uncertain. Run by reading those
    documents' files again through the scanner."""

    name = "shingle-sets"
    result_table = "shingle_sets"  # a shard only; never loaded into the catalog

    def __init__(self, wanted: frozenset[str]):
        super().__init__()
        self.wanted = wanted

    def process(self, batch: pa.RecordBatch) -> pa.Table | None:
        ids = batch.column("doc_id").to_pylist()
        keep = [i for i, d in enumerate(ids) if d in self.wanted]
        if not keep:
            return None
        texts = batch.column("text").to_pylist()
        sh = batch_shingle_hashes([normalize(texts[i]) for i in keep])
        offsets = pa.array(sh.offsets.astype(np.int32), pa.int32())
        return pa.table({"doc_id": [ids[i] for i in keep],
                         "shingles": pa.ListArray.from_arrays(offsets, pa.array(sh.hashes.astype(np.uint32)))})
