-- The documents of a run with their duplicate-stage results, numbered 0..n-1 (graph vertices). Parameter: run_id.
CREATE OR REPLACE TEMP TABLE dup_run_docs AS
SELECT (row_number() OVER (ORDER BY d.doc_id) - 1)::BIGINT AS id,
       f.source_id, d.doc_id, d.norm_hash, d.signature
FROM files AS f
JOIN dup_documents AS d USING (version_id)
WHERE f.run_id = $run_id AND f.status NOT IN ('removed', 'failed');
