-- Audit runs, newest first, with their scale and findings.
SELECT r.run_id, r.status, r.started_at, r.finished_at,
       round(epoch(r.finished_at) - epoch(r.started_at), 1)                   AS seconds,
       r.dataset_name,
       (SELECT count(*) FROM files f WHERE f.run_id = r.run_id AND f.status NOT IN ('removed', 'failed')) AS files,
       (SELECT coalesce(sum(v.records_ok), 0) FROM files f JOIN file_versions v USING (version_id)
         WHERE f.run_id = r.run_id)                                            AS documents,
       (SELECT count(*) FROM findings x WHERE x.run_id = r.run_id AND x.severity IN ('high', 'critical'))
                                                                              AS high_findings,
       (SELECT count(*) FROM findings x WHERE x.run_id = r.run_id)            AS findings
FROM runs AS r
ORDER BY r.started_at DESC, r.run_id DESC;
