-- Exact unigram statistics of a run from diversity_terms, per source and for the whole corpus (source_id NULL):
-- tokens, types (distinct tokens), type-token ratio and unigram entropy in bits. Parameter: run_id.
WITH counts AS (
    SELECT f.source_id, t.term, sum(t.count) AS c
    FROM files AS f JOIN diversity_terms AS t USING (version_id)
    WHERE f.run_id = $run_id AND f.status NOT IN ('removed', 'failed')
    GROUP BY GROUPING SETS ((f.source_id, t.term), (t.term))
),
totals AS (
    SELECT source_id, sum(c) AS tokens, count(*) AS types FROM counts GROUP BY source_id
)
SELECT x.source_id, x.tokens, x.types, x.types / x.tokens AS type_token_ratio,
       -sum((c.c / x.tokens) * log2(c.c / x.tokens)) AS entropy
FROM counts AS c JOIN totals AS x ON c.source_id IS NOT DISTINCT FROM x.source_id
GROUP BY x.source_id, x.tokens, x.types
ORDER BY x.source_id NULLS LAST;
