"""The duplicates stage's exact Jaccard (numpy, dup_stage._exact_jaccard + sql/dup_exact_jaccard.sql) against the
DuckDB list-function formula it replaced, on a real catalog's temp tables; shingle hashes are random integers."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pyarrow as pa

from provenance.catalog import Catalog, sql
from provenance.dup_stage import _exact_jaccard

# What the stage computed before, in DuckDB: kept here as the reference the numpy version must equal.
LIST_FORMULA = """
SELECT s.a, s.b, s.estimated, s.exact,
       CASE WHEN s.exact THEN 1.0
            WHEN p.shingles IS NULL OR q.shingles IS NULL THEN s.estimated
            ELSE len(list_intersect(p.shingles, q.shingles))
                 / len(list_distinct(list_concat(p.shingles, q.shingles))) END AS jaccard,
       s.exact OR (p.shingles IS NOT NULL AND q.shingles IS NOT NULL) AS verified
FROM dup_scored AS s
JOIN dup_run_docs AS x ON x.id = s.a
JOIN dup_run_docs AS y ON y.id = s.b
LEFT JOIN dup_shingles AS p ON p.doc_id = x.doc_id
LEFT JOIN dup_shingles AS q ON q.doc_id = y.doc_id
ORDER BY s.a, s.b
"""


def _catalog(tmp_path: Path, shingles: dict[int, list[int]], n_docs: int, pairs: list[tuple[int, int, float, bool]]
             ) -> Catalog:
    catalog = Catalog.open(tmp_path / "c.duckdb")
    con = catalog.con
    con.execute("CREATE TEMP TABLE dup_run_docs AS SELECT i::BIGINT AS id, 's' AS source_id, 'doc' || i AS doc_id "
                "FROM range(?) AS r(i)", [n_docs])
    con.execute("CREATE TEMP TABLE dup_shingles (doc_id VARCHAR, shingles UINTEGER[])")
    if shingles:
        con.register("given", pa.table({"doc_id": [f"doc{i}" for i in shingles],
                                        "shingles": pa.array(list(shingles.values()), pa.list_(pa.uint32()))}))
        con.execute("INSERT INTO dup_shingles SELECT * FROM given")
        con.unregister("given")
    con.register("dup_scored", pa.table({"a": pa.array([p[0] for p in pairs], pa.int64()),
                                         "b": pa.array([p[1] for p in pairs], pa.int64()),
                                         "estimated": [p[2] for p in pairs], "exact": [p[3] for p in pairs]}))
    return catalog


def _ours(catalog: Catalog) -> list[dict]:
    catalog.con.register("dup_jaccard", _exact_jaccard(catalog))
    return catalog.con.sql(sql("dup_exact_jaccard")).to_arrow_table().to_pylist()


def test_small_cases(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, {0: [1, 2, 2, 3], 1: [2, 3, 4], 3: [9], 4: [], 6: []}, 7,
                       [(0, 1, 0.62, False),   # |{2,3}| / |{1,2,3,4}|, repeats ignored
                        (0, 2, 0.71, False),   # doc 2 was not read again: its estimate, unverified
                        (1, 5, 0.75, True),    # an exact copy: 1.0 whether or not it was read
                        (3, 4, 0.64, False),   # one side without shingles: 0 / 1
                        (4, 6, 0.66, False)])  # neither: 0 / 0 is NaN, as DuckDB's division gave
    try:
        rows = {(r["a"], r["b"]): (r["jaccard"], r["verified"]) for r in _ours(catalog)}
    finally:
        catalog.close()
    nan, verified = rows.pop((4, 6))
    assert math.isnan(nan) and verified
    assert rows == {(0, 1): (0.5, True), (0, 2): (0.71, False), (1, 5): (1.0, True), (3, 4): (0.0, True)}


def test_equals_the_list_formula_on_random_sets(tmp_path: Path) -> None:
    rng = random.Random(3)
    n = 300
    shingles = {i: [rng.randrange(400) for _ in range(rng.randrange(0, 120))] for i in range(n) if i % 17}
    pairs = sorted({(a, b) for a, b in ((rng.randrange(n), rng.randrange(n)) for _ in range(2000)) if a < b})
    catalog = _catalog(tmp_path, shingles, n, [(a, b, rng.random(), rng.random() < 0.1) for a, b in pairs])
    try:
        ours = _ours(catalog)
        reference = catalog.con.sql(LIST_FORMULA).to_arrow_table().to_pylist()
    finally:
        catalog.close()
    assert len(ours) == len(reference) == len(pairs)
    for got, want in zip(ours, reference):
        if isinstance(want["jaccard"], float) and math.isnan(want["jaccard"]):  # two empty sets: 0 / 0
            assert math.isnan(got["jaccard"]) and {**got, "jaccard": 0} == {**want, "jaccard": 0}
        else:
            assert got == want
    assert sum(r["verified"] and not r["exact"] for r in ours) > 500
