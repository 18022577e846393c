"""Near-duplicate detection accuracy against exact Jaccard ground truth, Chinese and English separately.

Run: `.venv/bin/python benchmarks/dup_accuracy.py [--scale S] [--seed N] [--no-natural]`; prints a Markdown section.
`section()` returns the same Markdown and `run()` the figures as a dict, for benchmarks/run.py. Skips with exit 0
when ../shared/corpora (or $PROVENANCE_CORPORA) is absent, as tests/conftest.py does.

For each corpus of benchmarks/dup_corpora.py (the seeded perturbation corpus per language; hotel reviews, Tang
poems and 20 Newsgroups cross-posts as natural duplicates), `find_near_duplicates(texts, 0.8)` runs twice with the
audit's default banding (16 bands × 8 rows): verify=True (pairs kept on their exact Jaccard of shingle hashes) and
verify=False (kept on the MinHash estimate, which is all the audit's stored signatures allow).

Ground truth is the exact Jaccard of `shingle_strings` sets:
- truth = the corpus's candidate pairs (within-group pairs, or the natural pairs) with J >= 0.8, plus every pair
  reported by either run outside them whose J >= 0.8 (a real duplicate the pairing rule did not know: counted as a
  true positive and added to the truth, so both runs are scored against the same truth);
- precision = reported pairs with J >= 0.8 / reported pairs; recall = truth pairs reported / truth pairs, also per
  Jaccard band (0.8-0.9, 0.9-<1, exactly 1).
Misses are sorted into causes from the signatures themselves (the same `batch_shingle_hashes`, `signatures` and
`band_keys` that `find_near_duplicates` uses): no band shared (the LSH miss that 1 - (1 - J^8)^16 predicts), a band
shared only in buckets of more than BUCKET_PAIRS_MAX documents (linked as a star in lsh.py, so the pair is never a
candidate), or a candidate dropped by its Jaccard (verified hash J, or the estimate) below 0.8. As a check that does
not depend on the pairing rules, every pair of documents with identical shingle sets (J = 1, compared as hash sets)
is enumerated and the share reported is given.

The natural corpora hold real personal data: this script prints counts and figures only, never a text.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from math import ceil, comb
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # runnable from a checkout without installing

import numpy as np

from benchmarks import dup_corpora as dc
from detectors.dedup.lsh import BUCKET_PAIRS_MAX, band_keys, banding_for
from detectors.dedup.minhash import signatures
from detectors.dedup.neardup import find_near_duplicates
from detectors.dedup.normalize import normalize
from detectors.dedup.shingles import batch_shingle_hashes, is_cjk_text, shingle_strings

__all__ = ["THRESHOLD", "TARGET_RECALL", "TARGET_PRECISION", "report_probability", "evaluate", "run", "markdown",
           "section", "main"]

THRESHOLD = 0.8
TARGET_RECALL, TARGET_PRECISION = 0.95, 0.99
NUM_PERM, SEED = 128, 1  # find_near_duplicates' defaults, which the diagnostics must reproduce
J_BANDS = (("0.8–0.9", 0.8, 0.9), ("0.9–<1", 0.9, 1.0), ("1.0", 1.0, 1.0 + 1e-9))
# "audit": the duplicates stage of a real audit of the corpus (one JSONL source), its dup_pairs at jaccard >= 0.8:
# candidates from 16x8 and 25x5 bands with an estimate >= 0.6, then their exact Jaccard (--dup-verify exact)
MODES = (("verified", True), ("estimated", False), ("audit", True))


class _Shingles:
    """shingle_strings per document, computed on first use."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        self.sets: list[frozenset | None] = [None] * len(texts)

    def __getitem__(self, i: int) -> frozenset:
        s = self.sets[i]
        if s is None:
            s = self.sets[i] = frozenset(shingle_strings(self.texts[i]))
        return s

    def jaccard(self, a: int, b: int) -> float | None:
        """Exact Jaccard; None when either document has no shingles (the detector skips those)."""
        sa, sb = self[a], self[b]
        if not sa or not sb:
            return None
        inter = len(sa & sb)
        return inter / (len(sa) + len(sb) - inter)


class _Signatures:
    """The detector's own signatures and band keys, to tell why a pair was missed."""

    def __init__(self, texts: list[str], batch: int = 4096):
        self.bands, self.rows = banding_for(THRESHOLD, NUM_PERM)
        sigs, hash_sets = [], []
        for start in range(0, len(texts), batch):
            sh = batch_shingle_hashes([normalize(t) for t in texts[start:start + batch]])
            sigs.append(signatures(sh.hashes, sh.offsets, NUM_PERM, SEED))
            hash_sets += [np.unique(sh.hashes[sh.offsets[i]:sh.offsets[i + 1]]) for i in range(len(sh.offsets) - 1)]
        self.sigs = np.concatenate(sigs) if sigs else np.zeros((0, NUM_PERM), np.uint32)
        self.hash_sets = hash_sets
        self.valid = np.array([len(h) > 0 for h in hash_sets], dtype=bool)
        self.keys = band_keys(self.sigs, self.bands, self.rows)
        self.bucket: list[Counter] = [Counter(self.keys[self.valid, b].tolist()) for b in range(self.bands)]

    def estimate(self, a: int, b: int) -> float:
        return float((self.sigs[a] == self.sigs[b]).mean())

    def miss_cause(self, a: int, b: int, verify: bool) -> str:
        shared = np.flatnonzero(self.keys[a] == self.keys[b])
        if len(shared) == 0:
            return "no band shared (LSH miss)"
        if all(self.bucket[k][int(self.keys[a, k])] > BUCKET_PAIRS_MAX for k in shared):
            return f"band shared only in buckets of > {BUCKET_PAIRS_MAX} documents (star-linked)"
        if verify:
            return "candidate, verified hash Jaccard < 0.8"
        return "candidate, MinHash estimate < 0.8"

    def identical_groups(self) -> list[int]:
        """Sizes of the groups (>= 2) of documents with the same non-empty shingle-hash set."""
        groups: Counter = Counter(h.tobytes() for h in self.hash_sets if len(h))
        return [n for n in groups.values() if n > 1]


def report_probability(js, verify: bool, bands: int = 16, rows: int = 8, num_perm: int = NUM_PERM,
                       threshold: float = THRESHOLD) -> np.ndarray:
    """P(a pair of Jaccard J is reported), if each of its num_perm signature values agrees independently with
    probability J: some band of `rows` values all equal (a candidate), and when not verified also at least
    ceil(threshold · num_perm) equal values in all (an estimate >= threshold). Exact under that model: a dynamic
    programme over bands on (equal values so far, some band complete)."""
    js = np.asarray(js, dtype=float)
    if verify:
        return 1.0 - (1.0 - js ** rows) ** bands
    uniq, inverse = np.unique(js, return_inverse=True)
    j = uniq[:, None]
    per_band = np.hstack([comb(rows, m) * j ** m * (1 - j) ** (rows - m) for m in range(rows + 1)])
    size = num_perm + 1
    none = np.zeros((len(uniq), size))
    some = np.zeros((len(uniq), size))
    none[:, 0] = 1.0
    for _ in range(bands):
        new_none, new_some = np.zeros_like(none), np.zeros_like(some)
        for m in range(rows + 1):
            w = per_band[:, m:m + 1]
            (new_some if m == rows else new_none)[:, m:] += none[:, :size - m] * w
            new_some[:, m:] += some[:, :size - m] * w
        none, some = new_none, new_some
    for _ in range(num_perm - bands * rows):  # values outside the bands count for the estimate only
        some = some * (1 - j) + np.hstack([np.zeros((len(uniq), 1)), some[:, :-1]]) * j
    need = ceil(threshold * num_perm - 1e-9)
    return some[:, need:].sum(axis=1)[inverse]


def _band(j: float) -> str:
    for name, lo, hi in J_BANDS:
        if lo <= j < hi:
            return name
    raise ValueError(j)


def _fp_bin(j: float | None) -> str:
    if j is None:
        return "no shingles"
    return "0.7–0.8" if j >= 0.7 else "0.6–0.7" if j >= 0.6 else "< 0.6"


def _edit(label: str) -> str:
    """The edit of a perturbation label, without its strength or an added presentation change."""
    return label.split("(", 1)[0]


def audit_pairs(texts: list[str]) -> list:
    """The near-duplicate pairs (Jaccard >= 0.8) the audit's duplicates stage stores for these texts."""
    import tempfile

    import duckdb

    from detectors.dedup.neardup import NearDuplicate
    from flows.audit import run_audit

    with tempfile.TemporaryDirectory(prefix="dup-accuracy-") as tmp:
        root = Path(tmp)
        with open(root / "docs.jsonl", "w", encoding="utf-8") as f:
            for t in texts:
                f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
        (root / "manifest.yaml").write_text(
            "dataset: {name: accuracy, provider: benchmark, intended_use: research}\n"
            "sources:\n  - {id: s, name: s, stage: pretraining, modality: text, paths: [docs.jsonl], format: jsonl,"
            " text_field: text}\n", encoding="utf-8")
        result = run_audit(root / "manifest.yaml", out=root / "out", stages=["scan", "duplicates"])
        con = duckdb.connect(str(result.db), read_only=True)
        # copies of a document without shingles (empty of letters and digits) are exact duplicates to the audit,
        # but have no Jaccard on shingle sets: left out here, as find_near_duplicates leaves them out
        rows = con.execute("SELECT p.doc_a, p.doc_b, p.estimated_jaccard, p.jaccard FROM dup_pairs AS p "
                           "JOIN dup_documents AS x ON x.doc_id = p.doc_a JOIN dup_documents AS y ON y.doc_id = p.doc_b "
                           "WHERE p.jaccard >= ? AND x.shingles > 0 AND y.shingles > 0",
                           [THRESHOLD - 1e-9]).fetchall()
        con.close()
    index = lambda doc_id: int(doc_id.rsplit("#", 1)[1])  # noqa: E731  (s:docs.jsonl#ordinal)
    return [NearDuplicate(*sorted((index(a), index(b))), e, j) for a, b, e, j in rows]


def evaluate(corpus: dc.Corpus, modes: tuple[str, ...] = ("verified", "estimated", "audit")) -> dict:
    """The runs of `find_near_duplicates` on one corpus (`modes`: "verified" = verify=True, "estimated" =
    verify=False) and of a real audit's duplicates stage ("audit"), scored against its exact-Jaccard ground
    truth."""
    unknown = set(modes) - dict(MODES).keys()
    if unknown:
        raise ValueError(f"unknown modes {sorted(unknown)}; known: {[m for m, _ in MODES]}")
    runs = [(mode, verify) for mode, verify in MODES if mode in modes]
    texts = [d.text for d in corpus.docs]
    found: dict[str, list] = {}
    seconds: dict[str, float] = {}
    for mode, verify in runs:
        t0 = time.perf_counter()
        found[mode] = audit_pairs(texts) if mode == "audit" else find_near_duplicates(texts, THRESHOLD,
                                                                                       verify=verify)
        seconds[mode] = time.perf_counter() - t0
    sh = _Shingles(texts)
    candidates = corpus.candidate_pairs()
    truth: dict[tuple[int, int], float] = {}
    candidate_j: Counter = Counter()
    candidate_js = [sh.jaccard(a, b) for a, b in candidates]
    for (a, b), j in zip(candidates, candidate_js):
        candidate_j["no shingles" if j is None else ">= 0.8" if j >= THRESHOLD else "< 0.8"] += 1
        if j is not None and j >= THRESHOLD:
            truth[(a, b)] = j
    known = set(candidates)
    extra: dict[tuple[int, int], float] = {}
    for dups in found.values():
        for r in dups:
            p = (r.a, r.b)
            if p not in known and p not in extra:
                j = sh.jaccard(*p)
                if j is not None and j >= THRESHOLD:
                    extra[p] = j
    truth.update(extra)
    sig = _Signatures(texts)
    truth_bands = Counter(_band(j) for j in truth.values())
    truth_j = np.fromiter(truth.values(), float, len(truth))
    below = [(p, j) for p, j in zip(candidates, candidate_js) if j is not None and j < THRESHOLD]
    scored = {}
    for mode, verify in runs:
        reported = {(r.a, r.b): r for r in found[mode]}
        tp = [p for p in reported if p in truth]
        fp_bins = Counter(_fp_bin(sh.jaccard(*p)) for p in reported if p not in truth)
        hits = Counter(_band(truth[p]) for p in tp)
        missed = [p for p in truth if p not in reported]
        causes = Counter(sig.miss_cause(a, b, verify) for a, b in missed)
        miss_kinds: Counter = Counter()
        if corpus.pairs is None:  # perturbation corpus: the edits a missed pair carries, each counted
            for a, b in missed:
                miss_kinds.update({_edit(corpus.docs[i].perturbation) for i in (a, b)} - {"base", "presentation"})
        # verification compares 32-bit hash sets: a hash collision inside a long document moves J a little
        diff = [abs(r.jaccard - (sh.jaccard(*p) or 0.0)) for p, r in reported.items() if r.jaccard is not None]
        diff = [d for d in diff if d > 1e-12]
        estimate_error = [abs(r.estimated_jaccard - truth[p]) for p, r in reported.items() if p in truth]
        scored[mode] = {
            "seconds": seconds[mode],
            "reported": len(reported),
            "true_positives": len(tp),
            "precision": len(tp) / len(reported) if reported else 1.0,
            "recall": len(tp) / len(truth) if truth else 1.0,
            "recall_by_band": {name: [hits[name], truth_bands[name]] for name, _, _ in J_BANDS},
            "misses": dict(causes.most_common()),
            "misses_by_perturbation": dict(miss_kinds.most_common()),
            "false_positives_by_j": dict(fp_bins.most_common()),
            "verified_vs_exact_differ": len(diff),
            "verified_vs_exact_max_diff": max(diff, default=0.0),
            "expected_misses": float((1 - report_probability(truth_j, verify)).sum()),
            "false_positives_in_candidates": sum(1 for p, _ in below if p in reported),
            "candidates_below_threshold": len(below),
            # verification drops every pair under 0.8: only the estimate can report one
            "expected_false_positives_in_candidates": float(report_probability([j for _, j in below], False).sum())
            if below and not verify else 0.0,
            "mean_abs_estimate_error": float(np.mean(estimate_error)) if estimate_error else 0.0,
        }
    presentation: Counter = Counter()
    if corpus.pairs is None:  # presentation-only variants must keep the base's shingle set (J = 1)
        base_of = {d.group: i for i, d in enumerate(corpus.docs) if d.perturbation == "base"}
        for i, d in enumerate(corpus.docs):
            if d.perturbation.startswith("presentation"):
                presentation["variants"] += 1
                if sh[i] != sh[base_of[d.group]]:
                    word = not is_cjk_text(normalize(corpus.docs[base_of[d.group]].text))
                    presentation["J < 1, shingled by words" if word else "J < 1, shingled by characters"] += 1
    identical = sig.identical_groups()
    identical_pairs = sum(n * (n - 1) // 2 for n in identical)
    return {
        "name": corpus.name,
        "lang": corpus.lang,
        "docs": len(texts),
        "docs_without_shingles": int((~sig.valid).sum()),
        "mb": sum(len(t.encode("utf-8", "surrogatepass")) for t in texts) / 1e6,
        "rule": corpus.rule,
        "stats": corpus.stats,
        "candidate_pairs": len(candidates),
        "candidate_pairs_by_j": dict(candidate_j),
        "truth_pairs": len(truth),
        "truth_by_band": {name: truth_bands[name] for name, _, _ in J_BANDS},
        "extra_found": len(extra),
        "presentation_only": dict(presentation),
        "identical": {
            "groups": len(identical), "largest": max(identical, default=0), "pairs": identical_pairs,
            "reported": {mode: sum(1 for r in found[mode] if np.array_equal(sig.hash_sets[r.a], sig.hash_sets[r.b]))
                         for mode, _ in runs},
        },
        "modes": scored,
    }


def run(corpora: Path | None = None, seed: int = 0, scale: float = 1.0, natural: bool = True) -> dict:
    """Every corpus evaluated: {"seed", "scale", "corpora": [evaluate(...) per corpus], "seconds"}."""
    t0 = time.perf_counter()
    built = [dc.perturbation_corpus("zh", corpora, seed, scale), dc.perturbation_corpus("en", corpora, seed, scale)]
    results = [evaluate(c) for c in built]
    if natural:
        for build in (dc.hotel_review_copies, dc.tang_editions, dc.newsgroup_crossposts):
            results.append(evaluate(build(corpora)))
    return {"seed": seed, "scale": scale, "corpora": results, "seconds": time.perf_counter() - t0}


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def _ratio(hit: int, total: int) -> str:
    return f"{hit / total:.3f} ({hit:,}/{total:,})" if total else "–"


def markdown(results: dict) -> str:
    bands, rows = banding_for(THRESHOLD, NUM_PERM)
    out = [
        "## Near-duplicate detection accuracy (exact Jaccard ≥ 0.8 on shingle sets)",
        "",
        (f"`find_near_duplicates(texts, 0.8)`, {bands} bands × {rows} rows of a {NUM_PERM}-permutation MinHash; "
         "**verified** = pairs kept on their exact Jaccard (verify=True), **estimated** = kept on the MinHash "
         "estimate (verify=False); **audit** = the pairs a real audit's duplicates stage stores (`--dup-verify exact`: "
         "candidates of 16 × 8 and 25 × 5 bands whose estimate is ≥ 0.6, kept on their exact Jaccard; its time "
         "includes the whole audit). Truth: the corpus's candidate pairs "
         "with exact Jaccard ≥ 0.8 on `shingle_strings`, plus any reported pair outside them that reaches 0.8. "
         f"Targets: recall ≥ {TARGET_RECALL}, precision ≥ {TARGET_PRECISION} per language; figures under a target "
         f"are in bold. Perturbation corpora: seed {results['seed']}, scale {results['scale']}."),
        "",
        ("| corpus | lang | docs | MB | truth pairs (found outside the rule) | mode | reported | precision | recall | "
         "recall J 0.8–0.9 | recall J 0.9–<1 | recall J = 1 | time |"),
        "|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in results["corpora"]:
        for mode, m in c["modes"].items():
            p, r = m["precision"], m["recall"]
            ps = f"**{_pct(p)}**" if p < TARGET_PRECISION else _pct(p)
            rs = f"**{_pct(r)}**" if r < TARGET_RECALL else _pct(r)
            band = [_ratio(*m["recall_by_band"][name]) for name, _, _ in J_BANDS]
            out.append(f"| {c['name']} | {c['lang']} | {c['docs']:,} | {c['mb']:.1f} | {c['truth_pairs']:,} "
                       f"({c['extra_found']:,}) | {mode} | {m['reported']:,} | {ps} | {rs} | {' | '.join(band)} | "
                       f"{m['seconds']:.1f} s |")
    out += ["", "Ground truth per corpus (counts):", ""]
    for c in results["corpora"]:
        stats = "; ".join(f"{k} {v:,}" for k, v in c["stats"].items())
        cj = ", ".join(f"J {k} {v:,}" for k, v in c["candidate_pairs_by_j"].items())
        tb = ", ".join(f"{k} {v:,}" for k, v in c["truth_by_band"].items())
        ident = c["identical"]
        out.append(f"- **{c['name']}**: {c['rule']}. {stats}. Candidate pairs {c['candidate_pairs']:,} ({cj}); "
                   f"truth {c['truth_pairs']:,} ({tb}), of which {c['extra_found']:,} found outside the rule. "
                   f"Documents without shingles: {c['docs_without_shingles']:,}. Complete check of J = 1: "
                   f"{ident['pairs']:,} pairs of identical shingle sets in {ident['groups']:,} groups (largest "
                   f"{ident['largest']:,}); reported "
                   + ", ".join(f"{mode} {n:,}" for mode, n in ident["reported"].items()) + "."
                   + (" Presentation-only variants: " + ", ".join(f"{k} {v:,}" for k, v in
                                                                    c["presentation_only"].items()) + "."
                      if c["presentation_only"] else ""))
    out += ["", "Misses and false positives:", ""]
    for c in results["corpora"]:
        for mode, m in c["modes"].items():
            misses = ", ".join(f"{k} {v:,}" for k, v in m["misses"].items()) or "none"
            fps = ", ".join(f"J {k} {v:,}" for k, v in m["false_positives_by_j"].items()) or "none"
            line = (f"- {c['name']}, {mode}: misses: {misses}; false positives: {fps}; mean |estimate − J| on true "
                    f"positives {m['mean_abs_estimate_error']:.3f}")
            if m["misses_by_perturbation"]:
                line += "; missed pairs by the edit they carry: " + ", ".join(
                    f"{k} {v:,}" for k, v in m["misses_by_perturbation"].items())
            line += (f"; expected misses under independent signature values {m['expected_misses']:.1f}; candidate "
                     f"pairs with J < 0.8 reported {m['false_positives_in_candidates']:,} of "
                     f"{m['candidates_below_threshold']:,} "
                     f"(expected {m['expected_false_positives_in_candidates']:.1f})")
            if m["verified_vs_exact_differ"]:
                line += ("; verified (hash-set) Jaccard differs from the exact one on "
                         f"{m['verified_vs_exact_differ']:,} pairs, by at most {m['verified_vs_exact_max_diff']:.1e}")
            out.append(line)
    out += ["", f"Benchmark wall time {results['seconds']:.0f} s.", ""]
    return "\n".join(out)


def section(corpora: Path | None = None, seed: int = 0, scale: float = 1.0, natural: bool = True) -> str:
    """The Markdown section for RESULTS.md (run.py appends it), or a one-line skip notice without the corpora."""
    if not dc.available(corpora):
        return (f"## Near-duplicate detection accuracy\n\nSkipped: shared corpora not found at "
                f"{corpora or dc.default_corpora()} (set PROVENANCE_CORPORA).\n")
    return markdown(run(corpora, seed, scale, natural))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpora", type=Path, default=None, help="the shared corpora folder (default ../shared/corpora)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the perturbation corpora")
    ap.add_argument("--scale", type=float, default=1.0, help="size of the perturbation corpora (1 = 4,000 docs)")
    ap.add_argument("--no-natural", action="store_true", help="only the perturbation corpora")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON instead of Markdown")
    args = ap.parse_args(argv)
    if not dc.available(args.corpora):
        print(f"dup_accuracy: skipped, corpora not found at {args.corpora or dc.default_corpora()} "
              "(set PROVENANCE_CORPORA to the corpora folder)")
        return 0
    results = run(args.corpora, args.seed, args.scale, not args.no_natural)
    print(json.dumps(results, ensure_ascii=False, indent=1) if args.json else markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
