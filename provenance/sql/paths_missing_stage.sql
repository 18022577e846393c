-- Paths whose latest file versions (as in previous_files.sql, $4 = completed runs only) lack results of one stage
-- ($2) at one config ($3).
WITH ranked AS (
    SELECT f.*,
           dense_rank() OVER (PARTITION BY f.source_id, f.path ORDER BY r.started_at DESC, r.run_id DESC) AS rk
    FROM files AS f
    JOIN runs AS r USING (run_id)
    WHERE f.run_id <> $1 AND (NOT $4 OR r.status = 'completed')
)
SELECT DISTINCT source_id, path
FROM ranked
WHERE rk = 1 AND version_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM stage_results AS s
                  WHERE s.version_id = ranked.version_id AND s.stage = $2 AND s.config_hash = $3)
ORDER BY source_id, path;
