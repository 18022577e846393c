-- Unchanged paths (registered as reused_paths): copy their files rows from the run that last saw each.
INSERT INTO files
SELECT $1, f.source_id, f.path, f.member, 'unchanged', f.version_id, r.disk_bytes, r.disk_mtime_ns, f.disk_sha256,
       f.read_config, NULL, NULL
FROM reused_paths AS r
JOIN files AS f ON f.run_id = r.prev_run AND f.source_id = r.source_id AND f.path = r.path
WHERE f.status <> 'removed' AND f.version_id IS NOT NULL;
