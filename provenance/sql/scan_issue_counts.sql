-- Record-level issues of every file in a run, one row per (file, code).
SELECT f.source_id, f.path, f.member, ic.code, ic.count, ic.first_line, ic.first_ordinal, ic.first_message,
       v.records_ok, v.records_rejected
FROM files AS f
JOIN issue_counts AS ic USING (version_id)
JOIN file_versions AS v USING (version_id)
WHERE f.run_id = ? AND f.status <> 'removed'
ORDER BY f.source_id, f.path, f.member, ic.code;
