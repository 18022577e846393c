-- The findings of two runs matched on (code, source_id, path, member): one row per key that is new in run B,
-- resolved since run A, or whose count or severity changed. Several rows of one key in a run (a code reported
-- per line or per document) are summed, with the most severe severity and the first message. Keys use '' for a
-- missing path or member so that NULLs match; the output turns them back into NULL. Parameters: run_a, run_b.
WITH per_run AS (
    SELECT run_id, code, coalesce(source_id, '') AS source_key, coalesce(path, '') AS path_key,
           coalesce(member, '') AS member_key,
           arg_max(severity, CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2
                                           WHEN 'low' THEN 1 ELSE 0 END) AS severity,
           sum(count)::BIGINT                          AS count,
           min(line)                                   AS line,
           arg_min(message, coalesce(line, 0))         AS message
    FROM findings
    WHERE run_id IN ($run_a, $run_b)
    GROUP BY ALL
),
a AS (SELECT * FROM per_run WHERE run_id = $run_a),
b AS (SELECT * FROM per_run WHERE run_id = $run_b),
keyed AS (
    SELECT coalesce(b.code, a.code)                     AS code,
           coalesce(b.source_key, a.source_key)         AS source_key,
           coalesce(b.path_key, a.path_key)             AS path_key,
           coalesce(b.member_key, a.member_key)         AS member_key,
           CASE WHEN a.code IS NULL THEN 'new'
                WHEN b.code IS NULL THEN 'resolved'
                WHEN a.count <> b.count OR a.severity <> b.severity THEN 'changed'
                ELSE 'unchanged' END                    AS change,
           a.severity AS severity_before, b.severity AS severity_after,
           a.count    AS count_before,    b.count    AS count_after,
           coalesce(b.line, a.line)                     AS line,
           coalesce(b.message, a.message)               AS message
    FROM a FULL OUTER JOIN b
      ON a.code = b.code AND a.source_key = b.source_key AND a.path_key = b.path_key AND a.member_key = b.member_key
)
SELECT change, code, nullif(source_key, '') AS source_id, nullif(path_key, '') AS path,
       nullif(member_key, '') AS member, line, severity_before, severity_after, count_before, count_after, message
FROM keyed
WHERE change <> 'unchanged'
ORDER BY change, code, source_key, path_key, member_key;
