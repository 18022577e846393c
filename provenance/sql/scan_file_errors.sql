-- File-level errors in a run: from the file version (a member or plain file) or from the path on disk.
SELECT f.source_id, f.path, f.member, coalesce(f.error_code, v.error_code) AS code,
       coalesce(f.error, v.error) AS message
FROM files AS f
LEFT JOIN file_versions AS v USING (version_id)
WHERE f.run_id = ? AND f.status <> 'removed' AND coalesce(f.error_code, v.error_code) IS NOT NULL
ORDER BY f.source_id, f.path, f.member;
