-- The candidate's documents as onboarding compares them with the corpus, from the candidate's own audit catalog:
-- source, doc id (as qid), normalised-text hash and MinHash signature (duplicates stage), size, the detected
-- language and URL domains (diversity stage; NULL when it did not run), and whether a deduplication inside the
-- candidate would drop the document (a non-representative member of one of its near-duplicate clusters).
-- Parameter: run_id (of the candidate's catalog). Written to Parquet and read by the corpus catalog's connection.
SELECT f.source_id AS source,
       d.doc_id AS qid,
       u.norm_hash,
       u.signature,
       d.bytes,
       d.chars,
       coalesce(c.doc_id IS NOT NULL, false) AS redundant,
       v.language,
       v.domains
FROM files AS f
JOIN documents AS d USING (version_id)
JOIN dup_documents AS u USING (version_id, doc_id)
LEFT JOIN diversity_documents AS v USING (version_id, doc_id)
LEFT JOIN (SELECT doc_id FROM dup_clusters WHERE run_id = $run_id AND NOT representative) AS c USING (doc_id)
WHERE f.run_id = $run_id AND f.status NOT IN ('removed', 'failed')
ORDER BY d.doc_id;
