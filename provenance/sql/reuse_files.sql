-- An unchanged path: copy its files rows from the run that last saw it, with the new stat.
INSERT INTO files
SELECT $1, source_id, path, member, 'unchanged', version_id, $2, $3, coalesce($4, disk_sha256), read_config,
       NULL, NULL
FROM files
WHERE run_id = $5 AND source_id = $6 AND path = $7 AND status <> 'removed' AND version_id IS NOT NULL;
