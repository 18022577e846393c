-- The documents of a run to keep for training after near-duplicate removal: every document that is not a
-- non-representative member of a cluster (one per cluster, plus every document in no cluster). Parameter: run_id.
SELECT d.doc_id
FROM files AS f
JOIN documents AS d USING (version_id)
WHERE f.run_id = $run_id AND f.status NOT IN ('removed', 'failed')
  AND d.doc_id NOT IN (SELECT doc_id FROM dup_clusters WHERE run_id = $run_id AND NOT representative)
ORDER BY d.doc_id;
