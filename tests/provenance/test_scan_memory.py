"""A worker's memory follows the scanner's text batch and the files in flight, not the size of a file or an archive.

Real detectors on real files written to tmp_path; the figures are tracemalloc peaks (numpy reports its arrays to
it), and the results are compared with what the same detectors produce without the bounds.
"""

from __future__ import annotations

import io
import random
import tarfile
import tracemalloc
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import provenance.scan as scan
from detectors.dedup.detector import DuplicateDetector
from detectors.diversity.detector import DiversityDetector
from provenance.manifest import Source
from provenance.scan import PlannedFile, read_spec, scan_unit

MiB = 1 << 20
WORDS = ("river stone light paper window garden market letter winter engine harbour silver orchard lantern "
         "meadow signal canvas thunder velvet compass").split()


def _source(**kw) -> Source:
    return Source(id="src", name="Test source", stage="pretraining", paths=["*"], **kw)


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) + str(rng.randrange(500)) for _ in range(words))


def _scan(path: Path, src: Source, shard_dir: Path, detectors: list) -> scan.ScanUnitResult:
    st = path.stat()
    shard_dir.mkdir(exist_ok=True)
    return scan_unit(PlannedFile(src.id, str(path), path.name, st.st_size, st.st_mtime_ns), src,
                     read_spec(src, 16 * MiB), str(shard_dir), detectors, src.members)


def test_detector_batches_stay_small_and_results_do_not_change(tmp_path: Path) -> None:
    """~4 MB of text in one file: the duplicates detector works on it 1 MB at a time (~55 bytes of numpy arrays per
    character, so a whole 8 MB batch peaked at ~470 MB), and its rows are those of one pass over every document."""
    rng = random.Random(7)
    texts = [_text(rng, 3000) for _ in range(180)]  # ~20 KB each
    path = tmp_path / "long.txt"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    src = _source(format="text-lines")
    _scan(path, src, tmp_path / "warm", [DuplicateDetector()])  # tables and imports built once, outside the peak

    seen: list[int] = []

    class Recording(DuplicateDetector):
        def process(self, batch: pa.RecordBatch) -> pa.Table:
            seen.append(sum(len(t.encode()) for t in batch.column("text").to_pylist()))
            return super().process(batch)

    tracemalloc.start()
    try:
        result = _scan(path, src, tmp_path / "shards", [Recording()])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sum(seen) > 3.5 * MiB and len(seen) >= 4
    assert max(seen) <= scan.TEXT_BATCH_BYTES + max(len(t.encode()) for t in texts)
    assert peak < 80 * MiB, f"peak {peak / 1e6:.0f} MB"

    got = pq.read_table(result.detector_shards["duplicates"]["dup_documents"]).drop(["file_index"])
    one_pass = DuplicateDetector().process(pa.record_batch({
        "doc_id": got.column("doc_id").to_pylist(), "text": texts, "file_index": pa.array([0] * len(texts),
                                                                                          pa.int32())}))
    assert got.to_pylist() == one_pass.to_pylist()


def _archive(tmp_path: Path, members: int) -> Path:
    rng = random.Random(11)
    path = tmp_path / "many.tar"
    with tarfile.open(path, "w") as tf:
        for i in range(members):
            data = _text(rng, 40).encode()
            info = tarfile.TarInfo(f"docs/{i:03d}.txt")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


class FinishOnly(DiversityDetector):
    """The diversity detector as it was: every file's rows held until the unit ends."""

    def files_complete(self, below: int) -> None:
        return None


def test_archive_members_leave_the_diversity_state_as_they_complete(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "TEXT_BATCH_DOCS", 5)  # many batches out of a small archive
    path = _archive(tmp_path, 40)
    src = _source(format="text")
    emitted: list[list[int]] = []

    class Watching(DiversityDetector):
        def files_complete(self, below: int) -> dict[str, pa.Table] | None:
            out = super().files_complete(below)
            emitted.append(sorted(set(out["diversity_terms"].column("file_index").to_pylist())) if out else [])
            return out

    early = _scan(path, src, tmp_path / "early", [Watching()])
    late = _scan(path, src, tmp_path / "late", [FinishOnly()])
    assert len(early.files) == 40
    # every member but the last went out while the archive was still being read, each once
    flat = [f for batch in emitted for f in batch]
    assert sorted(flat) == list(range(39)) and len(emitted) == 8
    assert max(len(batch) for batch in emitted) <= 6
    for table in ("diversity_documents", "diversity_terms", "diversity_sketches"):
        a = pq.read_table(early.detector_shards["diversity"][table])
        b = pq.read_table(late.detector_shards["diversity"][table])
        keys = [(name, "ascending") for name in a.column_names if name in ("file_index", "doc_id", "term", "kind")]
        assert a.sort_by(keys).equals(b.sort_by(keys)), table
