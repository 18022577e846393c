-- The cross-source overlap matrix of a run: documents of source_a with a copy (same normalised text) or a near
-- duplicate (a verified pair at or above $threshold) in source_b. Needs dup_run_docs and dup_pairs of the run.
WITH hash_sources AS (
    SELECT norm_hash, source_id, min(doc_id) AS example FROM dup_run_docs GROUP BY norm_hash, source_id
),
links AS (
    SELECT d.source_id AS source_a, h.source_id AS source_b, d.doc_id AS doc_a, h.example AS doc_b
    FROM dup_run_docs AS d JOIN hash_sources AS h ON h.norm_hash = d.norm_hash AND h.source_id <> d.source_id
    UNION ALL
    SELECT source_a, source_b, doc_a, doc_b FROM dup_pairs
    WHERE run_id = $run_id AND source_a <> source_b AND jaccard >= $threshold
    UNION ALL
    SELECT source_b, source_a, doc_b, doc_a FROM dup_pairs
    WHERE run_id = $run_id AND source_a <> source_b AND jaccard >= $threshold
)
SELECT source_a, source_b, count(DISTINCT doc_a) AS documents, min(doc_a) AS example_doc_a,
       arg_min(doc_b, doc_a) AS example_doc_b
FROM links
GROUP BY source_a, source_b
ORDER BY source_a, source_b;
