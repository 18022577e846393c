-- For each (source, path), its state in the most recent run that saw it, other than the current run ($1).
-- $2 = true: only completed runs count (the baseline that file statuses are relative to); false: any run, including
-- interrupted and failed ones, whose loaded paths a rerun can take over instead of reading them again.
-- A path whose latest rows are all 'removed' is left out: a file there now is new.
WITH ranked AS (
    SELECT f.*,
           dense_rank() OVER (PARTITION BY f.source_id, f.path ORDER BY r.started_at DESC, r.run_id DESC) AS rk
    FROM files AS f
    JOIN runs AS r USING (run_id)
    WHERE f.run_id <> $1 AND (NOT $2 OR r.status = 'completed')
)
SELECT source_id, path, any_value(run_id) AS run_id,
       max(read_config)   FILTER (WHERE status <> 'removed') AS read_config,
       max(disk_bytes)    FILTER (WHERE status <> 'removed') AS disk_bytes,
       max(disk_mtime_ns) FILTER (WHERE status <> 'removed') AS disk_mtime_ns,
       max(disk_sha256)   FILTER (WHERE status <> 'removed') AS disk_sha256,
       bool_or(status = 'failed' OR error_code IS NOT NULL)    AS failed
FROM ranked
WHERE rk = 1
GROUP BY source_id, path
HAVING bool_or(status <> 'removed')
ORDER BY source_id, path;
