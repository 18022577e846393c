-- A path that is gone: one 'removed' row per member the last run that saw it had.
INSERT INTO files
SELECT $1, source_id, path, member, 'removed', NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM files
WHERE run_id = $2 AND source_id = $3 AND path = $4 AND status <> 'removed' AND version_id IS NOT NULL;
