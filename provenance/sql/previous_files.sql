-- For each (source, path), the files rows of the most recent run that saw it, other than the current run.
-- A path whose latest rows are all 'removed' is dropped by the caller.
WITH ranked AS (
    SELECT f.*,
           dense_rank() OVER (PARTITION BY f.source_id, f.path ORDER BY r.started_at DESC, r.run_id DESC) AS rk
    FROM files f
    JOIN runs r USING (run_id)
    WHERE f.run_id <> ?
)
SELECT source_id, path, run_id, read_config, disk_bytes, disk_mtime_ns, disk_sha256,
       member, version_id, status, error_code
FROM ranked
WHERE rk = 1
ORDER BY source_id, path, member;
