-- Score candidate pairs (table dup_candidates(a, b)) by their signatures and add exact duplicates (same normalised
-- text, also those without shingles). Keeps pairs whose estimated Jaccard is at least $min_jaccard.
-- Columns: a, b, estimated (share of equal signature values; 1.0 for exact copies), exact.
WITH near AS (
    SELECT c.a, c.b,
           len(list_filter(range(1, len(x.signature) + 1), lambda i: x.signature[i] = y.signature[i]))
               / len(x.signature) AS estimated,
           x.norm_hash = y.norm_hash AS is_exact
    FROM dup_candidates AS c
    JOIN dup_run_docs AS x ON x.id = c.a
    JOIN dup_run_docs AS y ON y.id = c.b
),
exact AS (
    -- each document linked to the first copy of its normalised text in the corpus and in its own source: stars,
    -- enough for clusters and for rates inside a source, linear in the group size
    SELECT min(id) OVER (PARTITION BY norm_hash) AS a, id AS b FROM dup_run_docs
    UNION
    SELECT min(id) OVER (PARTITION BY norm_hash, source_id) AS a, id AS b FROM dup_run_docs
)
SELECT a, b, max(estimated) AS estimated, bool_or(is_exact) AS exact
FROM (
    SELECT a, b, estimated, is_exact FROM near WHERE estimated >= $min_jaccard
    UNION ALL
    SELECT a, b, 1.0, true FROM exact WHERE a <> b
)
GROUP BY a, b
ORDER BY a, b;
