-- High and critical findings of run $run whose (code, source) the previous run $previous did not have at high or
-- critical severity, grouped per (code, source) with how many findings and instances each holds.
-- Only findings of stages the previous run also ran count: a stage added since would otherwise make every one of its
-- findings "new" although nothing in the corpus changed (annotation checks run with the `license` stage).
WITH prev AS (SELECT stages FROM runs WHERE run_id = $previous)
SELECT x.code, x.source_id,
       CASE WHEN bool_or(x.severity = 'critical') THEN 'critical' ELSE 'high' END AS severity,
       count(*)                                                                  AS findings,
       coalesce(sum(x.count), 0)                                                 AS instances
FROM findings AS x, prev
WHERE x.run_id = $run
  AND x.severity IN ('high', 'critical')
  AND list_contains(prev.stages, CASE x.stage WHEN 'annotation' THEN 'license' ELSE x.stage END)
  AND NOT EXISTS (SELECT 1 FROM findings AS p
                  WHERE p.run_id = $previous AND p.severity IN ('high', 'critical')
                    AND p.code = x.code AND p.source_id IS NOT DISTINCT FROM x.source_id)
GROUP BY x.code, x.source_id
ORDER BY CASE WHEN bool_or(x.severity = 'critical') THEN 0 ELSE 1 END, x.code, x.source_id NULLS FIRST;
