"""Near-duplicate signatures: speed against datasketch's per-shingle `update` loop, and the duplicates stage's
peak memory as the corpus doubles. Prints a Markdown section (appended to RESULTS.md by run.py).

Run: `.venv/bin/python benchmarks/dup_bench.py [--quick]`. Skips with exit 0 when ../shared/corpora is absent.

1. Speed, single thread, in this one process, on the same texts (Chinese: CMRC 2018 paragraphs; English:
   Gutenberg novels in 3-4 KB chunks): text → MinHash signature
   - the loop datasketch's README shows: shingles built in Python, then `m.update(s.encode("utf8"))` per shingle
     (on a sub-sample: it is slow), the default sha1 hash;
   - the same with `update_batch` per document (datasketch's bulk path);
   - ours: `DuplicateDetector.process` on batches (normalise, exact hash, shingles, signatures).
   Reported as MB/s of UTF-8 text and as ratios.
2. Peak memory: `provenance audit --stages scan,duplicates` of benchmarks/shared.manifest.yaml, and of the same
   manifest with every source listed twice (the same files under new source ids: twice the documents, and every
   document of the second half a duplicate), each in its own child process; peak RSS of each (ru_maxrss).
"""

from __future__ import annotations

import argparse
import re
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # single thread: figures per core
    os.environ.setdefault(_var, "1")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import yaml  # noqa: E402
from datasketch import MinHash  # noqa: E402

import pii_corpora as pc  # noqa: E402

SPEED_BYTES = 4_000_000      # per language for ours and update_batch
LOOP_BYTES = 400_000         # per language for the per-shingle loop (~0.3 MB/s)


def _take(docs, limit: int) -> list[str]:
    out, size = [], 0
    for d in docs:
        out.append(d.text)
        size += len(d.text.encode("utf-8"))
        if size >= limit:
            break
    return out


def _mb(texts: list[str]) -> float:
    return sum(len(t.encode("utf-8")) for t in texts) / 1e6


_WORD = re.compile(r"[^\W_]+")
_NOT_WORD = re.compile(r"[\W_]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")


def _readme_shingles(text: str) -> list[str]:
    """What a user writes without our module, with C-speed regexes: the same rule (5 characters for CJK text,
    5 words otherwise) after the same normalisation."""
    from detectors.dedup.normalize import normalize

    t = normalize(text)
    chars = _NOT_WORD.sub("", t)
    if chars and len(_CJK.findall(chars)) >= 0.3 * len(chars):
        return [chars[i:i + 5] for i in range(max(1, len(chars) - 4))]
    words = _WORD.findall(t)
    return [" ".join(words[i:i + 5]) for i in range(max(1, len(words) - 4))] if words else []


def loop_signatures(texts: list[str]) -> float:
    t0 = time.perf_counter()
    for text in texts:
        m = MinHash(num_perm=128)
        for s in _readme_shingles(text):
            m.update(s.encode("utf8"))
    return time.perf_counter() - t0


def batch_signatures(texts: list[str]) -> float:
    t0 = time.perf_counter()
    for text in texts:
        m = MinHash(num_perm=128)
        shingles = _readme_shingles(text)
        if shingles:
            m.update_batch([s.encode("utf8") for s in shingles])
    return time.perf_counter() - t0


def ours(texts: list[str]) -> float:
    from detectors import create

    det = create("duplicates")
    t0 = time.perf_counter()
    for start in range(0, len(texts), 2048):
        part = texts[start:start + 2048]
        det.process(pa.record_batch({"doc_id": [str(i) for i in range(len(part))], "text": part,
                                     "file_index": pa.array(np.zeros(len(part), np.int32))}))
    return time.perf_counter() - t0


def speed(quick: bool) -> list[str]:
    scale = 10 if quick else 1
    sets = {"Chinese (CMRC 2018 paragraphs)": pc.cmrc2018(), "English (Gutenberg, 3-4 KB chunks)": pc.gutenberg_chunks()}
    ours([t for t in _take(pc.cmrc2018(), 10_000)])  # warm-up: the script tables are built once per process
    lines = ["| text | MB | datasketch `update` loop | datasketch `update_batch` | ours | ours ÷ loop | ours ÷ batch |",
             "|---|---|---|---|---|---|---|"]
    for name, docs in sets.items():
        big = _take(docs, SPEED_BYTES // scale)
        small = _take(docs, LOOP_BYTES // scale)
        loop_rate = _mb(small) / loop_signatures(small)
        batch_rate = _mb(big) / batch_signatures(big)
        our_rate = _mb(big) / ours(big)
        lines.append(f"| {name} | {_mb(big):.1f} (loop: {_mb(small):.2f}) | {loop_rate:.2f} MB/s | "
                     f"{batch_rate:.2f} MB/s | {our_rate:.1f} MB/s | **{our_rate / loop_rate:.0f}×** | "
                     f"{our_rate / batch_rate:.1f}× |")
    return lines


def _doubled(manifest: Path, out: Path) -> Path:
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    sources = []
    for s in data["sources"]:
        s["paths"] = [str((manifest.parent / p).resolve()) for p in s["paths"]]
        copy = dict(s, id=s["id"] + "-copy", name=s["name"] + " (copy)")
        sources += [s, copy]
    data["sources"] = sources
    path = out / "doubled.manifest.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


_CHILD = """
import resource, sys, time, json
sys.path.insert(0, {root!r})
from flows.audit import run_audit
t0 = time.perf_counter()
r = run_audit({manifest!r}, out={out!r}, stages=["scan", "duplicates"], allow_outside=True)
print(json.dumps({{"seconds": time.perf_counter() - t0, "documents": r.documents,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def memory() -> list[str]:
    import json

    lines = ["| corpus | documents | audit (scan + duplicates) | peak RSS |", "|---|---|---|---|"]
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        for label, manifest in (("shared corpora (benchmarks/shared.manifest.yaml)", HERE / "shared.manifest.yaml"),
                                ("the same, every source twice", _doubled(HERE / "shared.manifest.yaml", tmp_path))):
            out = tmp_path / label[:6].replace(" ", "_")
            child = subprocess.run([sys.executable, "-c", _CHILD.format(root=str(ROOT), manifest=str(manifest),
                                                                        out=str(out))],
                                   stdout=subprocess.PIPE, text=True, check=True)
            fig = json.loads(child.stdout.strip().splitlines()[-1])
            figures.append(fig)
            lines.append(f"| {label} | {fig['documents']:,} | {fig['seconds']:.0f} s | {fig['peak_mb']:.0f} MB |")
    lines.append("")
    lines.append(f"Doubling the corpus: peak RSS × **{figures[1]['peak_mb'] / figures[0]['peak_mb']:.2f}** "
                 f"(documents × {figures[1]['documents'] / figures[0]['documents']:.1f}).")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-memory", action="store_true", help="skip the two audits of the memory part")
    args = parser.parse_args()
    if not pc.typical_available():
        print("shared corpora not found; set PROVENANCE_CORPORA", file=sys.stderr)
        return 0
    print("## Near-duplicate signatures: speed (single thread)\n")
    print("\n".join(speed(args.quick)))
    print("\nSame shingles on every side (5 characters for CJK text, 5 words otherwise, after normalisation); the "
          "loop uses datasketch's default sha1 hash, ours a numpy polynomial hash with signatures identical to "
          "datasketch's `MinHash(hashfunc=shingle_hash)` (a test holds them equal). Ours also computes the exact "
          "hash of the normalised text.\n")
    if not args.no_memory:
        print("## Duplicates stage: peak memory as the corpus doubles\n")
        print("\n".join(memory()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
