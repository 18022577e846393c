-- Audit runs, newest first (the $last most recent; NULL: all), with their scale, findings and the worse-run verdict
-- (run_checks, migration 009). Documents and bytes as in source_scale.sql and trend_runs.sql: accepted records and
-- decompressed bytes of the run's files. The PII and near-duplicate rates of completed runs come from trend_runs.sql
-- (regression.run_history adds them), so the two commands always agree.
WITH r AS (
    SELECT * FROM runs ORDER BY started_at DESC, run_id DESC LIMIT $last
)
SELECT r.run_id, r.status, r.started_at, r.finished_at,
       round(epoch(r.finished_at) - epoch(r.started_at), 1)                   AS seconds,
       r.dataset_name,
       (SELECT count(*) FROM sources s WHERE s.run_id = r.run_id)             AS sources,
       (SELECT count(*) FROM files f WHERE f.run_id = r.run_id AND f.status NOT IN ('removed', 'failed')) AS files,
       (SELECT coalesce(sum(v.records_ok), 0) FROM files f JOIN file_versions v USING (version_id)
         WHERE f.run_id = r.run_id)                                            AS documents,
       (SELECT coalesce(sum(v.bytes), 0) FROM files f JOIN file_versions v USING (version_id)
         WHERE f.run_id = r.run_id)                                            AS bytes,
       (SELECT count(*) FROM findings x WHERE x.run_id = r.run_id AND x.severity IN ('high', 'critical'))
                                                                              AS high_findings,
       (SELECT count(*) FROM findings x WHERE x.run_id = r.run_id)            AS findings,
       c.worse, c.previous_run_id, c.reasons                                  AS worse_reasons
FROM r
LEFT JOIN run_checks AS c USING (run_id)
ORDER BY r.started_at DESC, r.run_id DESC;
