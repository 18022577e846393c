-- Verify candidate pairs (table dup_candidates(a, b)) by their signatures and add exact duplicates (same
-- normalised text, also those without shingles). Keeps pairs at or above $min_jaccard.
WITH near AS (
    SELECT c.a, c.b,
           len(list_filter(range(1, len(x.signature) + 1), lambda i: x.signature[i] = y.signature[i]))
               / len(x.signature) AS jaccard
    FROM dup_candidates AS c
    JOIN dup_run_docs AS x ON x.id = c.a
    JOIN dup_run_docs AS y ON y.id = c.b
),
exact AS (
    -- each document with the first of its normalised text: a star per group, enough for clusters and rates
    SELECT min(id) OVER (PARTITION BY norm_hash) AS a, id AS b FROM dup_run_docs
)
SELECT a, b, max(jaccard) AS jaccard, bool_or(is_exact) AS exact
FROM (
    SELECT a, b, jaccard, false AS is_exact FROM near WHERE jaccard >= $min_jaccard
    UNION ALL
    SELECT a, b, 1.0, true FROM exact WHERE a <> b
)
GROUP BY a, b;
