-- How many finding keys (code, source_id, path, member) of two runs are new, resolved, changed or unchanged; the
-- same matching as diff_findings.sql, counted only, so that unchanged findings are never fetched. Parameters:
-- run_a, run_b.
WITH per_run AS (
    SELECT run_id, code, coalesce(source_id, '') AS s, coalesce(path, '') AS p, coalesce(member, '') AS m,
           max(CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2
                             WHEN 'low' THEN 1 ELSE 0 END) AS rank,
           sum(count) AS count
    FROM findings
    WHERE run_id IN ($run_a, $run_b)
    GROUP BY ALL
),
a AS (SELECT * FROM per_run WHERE run_id = $run_a),
b AS (SELECT * FROM per_run WHERE run_id = $run_b)
SELECT CASE WHEN a.code IS NULL THEN 'new'
            WHEN b.code IS NULL THEN 'resolved'
            WHEN a.count <> b.count OR a.rank <> b.rank THEN 'changed'
            ELSE 'unchanged' END AS change,
       count(*) AS keys
FROM a FULL OUTER JOIN b ON a.code = b.code AND a.s = b.s AND a.p = b.p AND a.m = b.m
GROUP BY 1
ORDER BY 1;
