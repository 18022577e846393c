"""The full audit: throughput on 2 cores against what a user would otherwise write, and peak memory as the corpus
doubles. Prints a Markdown section (benchmarks/run.py appends it to RESULTS.md; `--write-results` replaces it there).

Run: `.venv/bin/python benchmarks/audit_bench.py [--sources all|N|ID,ID...] [--workers 2] [--sample-mb 4]
[--seed 0] [--no-baseline] [--no-doubling] [--write-results]`. Exits 2 when ../shared/corpora is absent.

1. Full-audit throughput: `provenance audit` with every stage (scan, license, notices, pii, duplicates, diversity)
   of benchmarks/shared.manifest.yaml (`--allow-outside`, `--workers 2`, a new catalog), in its own child process:
   wall time (interpreter and Prefect's start included: the user waits for them too), MB/s of text and of bytes on
   disk, peak RSS.
2. Baseline, in this process, one thread: what a user writes without the auditor for two of its stages, on a seeded
   sample (~`--sample-mb` MB of text, each document kept with the same probability, so the sources' mix is the
   corpus's) of the same documents, read with the auditor's own readers and not timed:
   - presidio's AnalyzerEngine on each whole document (the same recognizers, NLP engine and threshold as the PII
     stage, blank spaCy pipelines built offline: `PiiEngine.analyze_presidio`, as pii_bench.py measures it);
   - datasketch: a MinHash per document with the per-shingle `update` loop of its README (128 permutations; the
     shingles of dup_bench.py: 5 characters for CJK text, 5 words otherwise, after the same normalisation), then
     MinHashLSH (threshold 0.8) `query` and `insert` of every document.
   Its MB/s is the sample's text over the sum of the three times; the ratio compares our whole audit (reading,
   five stages, the catalog, the report) with those two stages alone.
3. Peak RSS on doubling: the same audit of the corpus with every source listed twice under another id (the same
   files: twice the documents, every one of them a duplicate), in its own child process with a new catalog. The
   issue's bar: doubled ≤ 1.2 × single.

The corpora hold real personal data: this script prints counts and timings, never a text.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from bench_common import (BIN, CORPORA, bench_manifest, emit_section, files_mb, run_measured,  # noqa: E402
                          shared_source_ids)

WORK = HERE / ".work" / "audit"
HEADING = "# Full audit: throughput and memory"
MEMORY_BAR = 1.2  # the bar: the doubled corpus's peak RSS at most this multiple of the single corpus's
_SUMMARY = re.compile(r"^run (\S+): ([\d,]+) documents; files read (\d+), reused (\d+); ([\d.]+) s$", re.M)


def pick_sources(spec: str) -> list[str]:
    """`all`, `N` (the manifest's first N sources) or `id,id,...` → source ids."""
    known = shared_source_ids()
    if spec == "all":
        return known
    if spec.isdigit():
        if not 1 <= int(spec) <= len(known):
            raise SystemExit(f"--sources {spec}: the shared manifest has {len(known)} sources")
        return known[:int(spec)]
    ids = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [s for s in ids if s not in known]
    if unknown:
        raise SystemExit(f"--sources: unknown source id(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return ids


# -- the audit, in a child process ---------------------------------------------------------------------------------

def audit(manifest: Path, out: Path, workers: int) -> dict:
    """`provenance audit` with every stage, in its own process, into a new catalog."""
    shutil.rmtree(out, ignore_errors=True)
    # Prefect's local API server gets longer than its default 20 s to start on a busy 2-core machine
    env = {**os.environ, "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS":
           os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")}
    wall, peak_mb, done = run_measured([str(BIN), "audit", str(manifest), "--allow-outside", "--out", str(out),
                                        "--workers", str(workers), "--no-progress"], env=env)
    m = _SUMMARY.search(done.stdout)
    if not m:
        raise SystemExit(f"unexpected output of provenance audit:\n{done.stdout}")
    import duckdb

    con = duckdb.connect(str(out / "audit.duckdb"), read_only=True)
    try:
        text_bytes, content_bytes = con.execute(
            "SELECT sum(v.text_bytes), sum(v.bytes) FROM files AS f JOIN file_versions AS v USING (version_id) "
            "WHERE f.run_id = ?", [m.group(1)]).fetchone()
    finally:
        con.close()
    return {"wall": wall, "flow_seconds": float(m.group(5)), "peak_mb": peak_mb,
            "documents": int(m.group(2).replace(",", "")), "text_mb": (text_bytes or 0) / 1e6,
            "content_mb": (content_bytes or 0) / 1e6, "disk_mb": files_mb(manifest), "run_id": m.group(1)}


# -- the baseline, in this process ---------------------------------------------------------------------------------

def sample_documents(manifest: Path, share: float, seed: int) -> list[str]:
    """The seeded sample's texts, read through the auditor's readers (as the audit read them)."""
    from detectors.base import Detector
    from provenance.manifest import load_manifest
    from provenance.scan import PlannedFile, expand_paths, read_spec, scan_unit

    class SampleCollector(Detector):
        """Not a stage: the scanner hands it every document; it keeps those whose keyed hash of the id falls under
        `share` (the same documents for the same seed, every source at the same rate) and writes nothing."""

        name = "bench-sample"
        result_table = "bench_sample"

        def __init__(self) -> None:
            super().__init__()
            self.limit, self.key, self.texts = int(share * 2**64), seed.to_bytes(8, "big", signed=True), []

        def process(self, batch):
            for doc_id, text in zip(batch.column("doc_id").to_pylist(), batch.column("text").to_pylist()):
                digest = hashlib.blake2b(doc_id.encode(), key=self.key, digest_size=8).digest()
                if int.from_bytes(digest, "big") < self.limit:
                    self.texts.append(text)
            return None

    loaded = load_manifest(manifest, allow_outside=True)
    collector = SampleCollector()
    with tempfile.TemporaryDirectory(prefix="audit-bench-") as shard_dir:
        for source in loaded.manifest.sources:
            for abs_path in expand_paths(loaded, source)[0]:
                st = os.stat(abs_path)
                planned = PlannedFile(source.id, abs_path, loaded.relative(abs_path), st.st_size, st.st_mtime_ns)
                unit = scan_unit(planned, source, read_spec(source, 16 << 20), shard_dir, [collector],
                                 source.members)
                if unit.documents_shard:
                    os.unlink(unit.documents_shard)
    return collector.texts


def baseline(texts: list[str]) -> dict:
    """presidio on whole documents, datasketch MinHash (update loop) and MinHashLSH, timed one after the other."""
    from datasketch import MinHash, MinHashLSH

    from detectors.pii.detector import PiiConfig, engine_for
    from dup_bench import _readme_shingles  # the same shingles as the duplicates stage, as a user writes them

    cfg = PiiConfig()
    engine = engine_for(cfg.ner_models, cfg.score_threshold, cfg.window)
    for text in texts[:20]:  # warm-up: spaCy's pipelines and presidio's registry are built on first use
        engine.analyze_presidio(text, cfg.language)
    t0 = time.perf_counter()
    found = sum(len(engine.analyze_presidio(text, cfg.language)) for text in texts)
    t_presidio = time.perf_counter() - t0

    t0 = time.perf_counter()
    signatures = []
    for text in texts:
        m = MinHash(num_perm=128)
        for s in _readme_shingles(text):
            m.update(s.encode("utf8"))
        signatures.append(m)
    t_minhash = time.perf_counter() - t0

    t0 = time.perf_counter()
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    candidates = 0
    for i, m in enumerate(signatures):
        candidates += len(lsh.query(m))
        lsh.insert(i, m)
    t_lsh = time.perf_counter() - t0
    return {"documents": len(texts), "text_mb": sum(len(t.encode("utf-8", "surrogatepass")) for t in texts) / 1e6,
            "presidio": t_presidio, "minhash": t_minhash, "lsh": t_lsh, "pii_found": found,
            "lsh_candidates": candidates}


# -- the report ----------------------------------------------------------------------------------------------------

def section(args: argparse.Namespace, sources: list[str], single: dict, doubled: dict | None,
            base: dict | None, seconds: float) -> list[str]:
    full = len(sources) == len(shared_source_ids())
    scope = (f"all {len(sources)} sources of benchmarks/shared.manifest.yaml" if full else
             f"**small scale**: {len(sources)} of the {len(shared_source_ids())} sources of "
             f"benchmarks/shared.manifest.yaml ({', '.join(sources)}), not the full shared corpora")
    command = "benchmarks/audit_bench.py" + ("" if full else f" --sources {args.sources}")
    lines = [
        HEADING,
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `{command}` on {scope}; {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}. One run each on a shared machine: wall times "
        "move with other load, peak RSS does not.",
        "",
        "## Full-audit throughput (every stage, 2 workers) against presidio + datasketch",
        "",
        "| what | time | MB/s of text | MB/s on disk | documents | peak RSS |",
        "|---|---:|---:|---:|---:|---:|",
        f"| ours: `provenance audit --workers {args.workers}`, stages scan, license, notices, pii, duplicates, "
        f"diversity; {single['text_mb']:.1f} MB of text ({single['disk_mb']:.1f} MB on disk, "
        f"{single['content_mb']:.1f} MB decompressed) | {single['wall']:.1f} s (flow {single['flow_seconds']:.1f} s) "
        f"| **{single['text_mb'] / single['wall']:.2f}** | {single['disk_mb'] / single['wall']:.2f} | "
        f"{single['documents']:,} | {single['peak_mb']:,.0f} MB |",
    ]
    if base:
        t_base = base["presidio"] + base["minhash"] + base["lsh"]
        base_rate = base["text_mb"] / t_base
        ours_rate = single["text_mb"] / single["wall"]
        lines += [
            f"| baseline, one thread: presidio `AnalyzerEngine` on whole documents + datasketch `MinHash.update` loop "
            f"+ `MinHashLSH` query/insert, on a seeded {base['text_mb']:.1f} MB sample ({base['documents']:,} "
            f"documents) | {t_base:.1f} s (presidio {base['presidio']:.1f} s, MinHash {base['minhash']:.1f} s, "
            f"LSH {base['lsh']:.2f} s) | **{base_rate:.2f}** | – | {base['documents']:,} | – |",
            f"| baseline extrapolated to {args.workers} cores (ideal scaling: ×{args.workers}) | "
            f"{single['text_mb'] / (base_rate * args.workers):.0f} s for the corpus | "
            f"{base_rate * args.workers:.2f} | – | – | – |",
            "",
            f"Ours ÷ baseline: **{ours_rate / base_rate:.1f}×** the one-thread baseline, "
            f"**{ours_rate / (base_rate * args.workers):.1f}×** the baseline ideally spread over {args.workers} cores "
            f"(ours on the command's wall time, Prefect's start included; on the flow's own time "
            f"{single['text_mb'] / single['flow_seconds'] / (base_rate * args.workers):.1f}×). And ours does more: "
            "it reads and decompresses every file with line-accurate accounting of rejected records, finds licence "
            "and copyright notices, resolves licences, measures diversity (languages, scripts, lengths, lexical "
            "diversity), verifies near-duplicate pairs by their exact Jaccard, loads everything into the DuckDB "
            "catalog and writes the report; the baseline does two stages on texts already in memory and stores "
            "nothing.",
            f"Baseline: presidio found {base['pii_found']:,} entities (same recognizers, NLP engine and threshold "
            f"as the PII stage); MinHashLSH returned {base['lsh_candidates']:,} candidates. Sample: each document "
            f"kept when a keyed hash of its id (seed {args.seed}) falls under the share, so the sources' mix is the "
            "corpus's; read with the auditor's readers, not timed.",
        ]
    if doubled:
        ratio = doubled["peak_mb"] / single["peak_mb"]
        lines += [
            "",
            "## Peak RSS as the corpus doubles",
            "",
            "| corpus | documents | MB of text | wall time | peak RSS |",
            "|---|---:|---:|---:|---:|",
            f"| as above | {single['documents']:,} | {single['text_mb']:.1f} | {single['wall']:.0f} s | "
            f"{single['peak_mb']:,.0f} MB |",
            f"| every source listed twice under another id | {doubled['documents']:,} | {doubled['text_mb']:.1f} | "
            f"{doubled['wall']:.0f} s | {doubled['peak_mb']:,.0f} MB |",
            "",
            f"Doubling the corpus: peak RSS × **{ratio:.2f}** (documents × "
            f"{doubled['documents'] / max(1, single['documents']):.1f}); the bar is ≤ {MEMORY_BAR}× — "
            f"**{'met' if ratio <= MEMORY_BAR else 'NOT met'}**. Each audit in its own process with a new catalog; "
            "peak RSS is the largest process of the command (ru_maxrss).",
        ]
    lines += ["", f"Benchmark wall time {seconds:.0f} s.", ""]
    return lines



def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sources", default="all", help="all, N (the first N sources of the shared manifest) or id,id")
    ap.add_argument("--workers", type=int, default=2, help="audit workers (default 2)")
    ap.add_argument("--sample-mb", type=float, default=4.0, help="MB of text in the baseline's sample (default 4)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the baseline's sample")
    ap.add_argument("--no-baseline", action="store_true", help="skip the presidio + datasketch baseline")
    ap.add_argument("--no-doubling", action="store_true", help="skip the audit of the doubled corpus")
    ap.add_argument("--write-results", action="store_true", help="replace its section in RESULTS.md")
    args = ap.parse_args(argv)
    if not (CORPORA / "INDEX.md").exists():
        print(f"shared corpora not found at {CORPORA}; set PROVENANCE_CORPORA", file=sys.stderr)
        return 2
    started = time.perf_counter()
    sources = pick_sources(args.sources)
    chosen = set(sources)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    single_manifest = bench_manifest(WORK / "single.yaml", "audit-bench", chosen.__contains__)
    single = audit(single_manifest, WORK / "single", args.workers)
    print(f"audit: {json.dumps(single)}", file=sys.stderr)
    doubled = None
    if not args.no_doubling:
        doubled_manifest = bench_manifest(WORK / "doubled.yaml", "audit-bench-doubled", chosen.__contains__,
                                          twice=chosen.__contains__)
        doubled = audit(doubled_manifest, WORK / "doubled", args.workers)
        print(f"doubled: {json.dumps(doubled)}", file=sys.stderr)
    base = None
    if not args.no_baseline:
        share = min(1.0, args.sample_mb / max(single["text_mb"], 1e-9))
        base = baseline(sample_documents(single_manifest, share, args.seed))
        print(f"baseline: {json.dumps(base)}", file=sys.stderr)
    lines = section(args, sources, single, doubled, base, time.perf_counter() - started)
    emit_section(HEADING, lines, args.write_results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
