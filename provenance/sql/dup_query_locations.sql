-- Where documents (the registered table dup_query_ids(doc_id)) are: source, path, archive member and line. With a
-- run, the file versions of that run; without, the latest version scanned of each doc_id (a doc_id names one
-- source, path, member and record number, so only its line can differ between versions). Parameter: run_id (NULL
-- for any run).
SELECT d.doc_id, v.source_id, v.path, v.member, d.line
FROM (SELECT DISTINCT doc_id FROM dup_query_ids) AS i
JOIN documents AS d USING (doc_id)
JOIN file_versions AS v USING (version_id)
WHERE $run_id::VARCHAR IS NULL
   OR d.version_id IN (SELECT version_id FROM files WHERE run_id = $run_id::VARCHAR AND version_id IS NOT NULL)
QUALIFY row_number() OVER (PARTITION BY d.doc_id ORDER BY v.scanned_run_id DESC, v.version_id) = 1
ORDER BY d.doc_id;
