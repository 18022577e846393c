-- The near-duplicate clusters of a run (members of clusters of two or more) with where each member is.
-- Parameter: run_id.
SELECT c.run_id,
       c.cluster_id,
       count(*) OVER (PARTITION BY c.cluster_id) AS cluster_size,
       c.representative,
       c.doc_id,
       c.source_id,
       v.path,
       v.member,
       d.line
FROM dup_clusters AS c
JOIN files AS f ON f.run_id = c.run_id AND f.source_id = c.source_id AND f.version_id IS NOT NULL
                   AND f.status NOT IN ('removed', 'failed')
JOIN documents AS d ON d.version_id = f.version_id AND d.doc_id = c.doc_id
JOIN file_versions AS v ON v.version_id = d.version_id
WHERE c.run_id = $run_id
ORDER BY c.cluster_id, c.representative DESC, c.doc_id;
