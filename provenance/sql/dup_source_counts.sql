-- Per source of a run (from dup_run_docs): documents, documents without shingles, distinct normalised texts, and
-- documents with a copy or a near duplicate (a pair at or above $threshold) in another source. Parameters: run_id,
-- threshold.
WITH sources_per_hash AS (
    SELECT norm_hash, count(DISTINCT source_id) AS n_sources FROM dup_run_docs GROUP BY norm_hash
),
near_other AS (
    SELECT doc_a AS doc_id FROM dup_pairs WHERE run_id = $run_id AND source_a <> source_b AND jaccard >= $threshold
    UNION
    SELECT doc_b FROM dup_pairs WHERE run_id = $run_id AND source_a <> source_b AND jaccard >= $threshold
)
SELECT d.source_id,
       count(*) AS documents,
       count(*) FILTER (WHERE d.signature IS NULL) AS without_shingles,
       count(DISTINCT d.norm_hash) AS distinct_texts,
       count(*) FILTER (WHERE h.n_sources > 1 OR d.doc_id IN (SELECT doc_id FROM near_other)) AS in_other_sources
FROM dup_run_docs AS d JOIN sources_per_hash AS h USING (norm_hash)
GROUP BY d.source_id;
