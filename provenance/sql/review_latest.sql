-- The review sample a run's report shows: the latest drawn from the run itself, else the latest drawn from the
-- most recent earlier run (by start time) that has one. Parameter: run_id.
WITH this AS (SELECT started_at FROM runs WHERE run_id = $run_id)
SELECT s.sample_id, s.run_id, s.created_at, s.n_requested, s.n_drawn, s.seed, s.strata, s.csv_path, s.max_chars,
       s.unavailable
FROM review_samples AS s
JOIN runs AS r USING (run_id)
WHERE s.run_id = $run_id OR r.started_at < (SELECT started_at FROM this)
ORDER BY (s.run_id = $run_id) DESC, r.started_at DESC, s.created_at DESC, s.sample_id DESC
LIMIT 1;
