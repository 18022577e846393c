-- The paths on disk (with the content hash the run loaded) that hold the documents in table dup_wanted(doc_id):
-- what the duplicates stage reads again to verify candidate pairs. Parameter: run_id.
SELECT DISTINCT f.source_id, f.path, f.disk_sha256
FROM files AS f
JOIN documents AS d USING (version_id)
JOIN dup_wanted AS w ON w.doc_id = d.doc_id
WHERE f.run_id = $run_id AND f.status NOT IN ('removed', 'failed')
ORDER BY f.source_id, f.path;
