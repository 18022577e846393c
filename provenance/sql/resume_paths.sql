-- Paths an unfinished (interrupted or failed) run already loaded and that are unchanged on disk since, registered as
-- resumed_paths(source_id, path, resume_run, base_run, disk_bytes, disk_mtime_ns): the current run ($1) takes over
-- their file versions without reading them again. Statuses are worked out as catalog._files_rows does, but against
-- base_run (the last completed run that saw the path), so a run that died in between leaves no trace in them.
INSERT INTO files
WITH taken AS (
    SELECT r.*, f.member, f.version_id, f.disk_sha256, f.read_config
    FROM resumed_paths AS r
    JOIN files AS f ON f.run_id = r.resume_run AND f.source_id = r.source_id AND f.path = r.path
    WHERE f.status NOT IN ('removed', 'failed') AND f.version_id IS NOT NULL
),
base AS (  -- member → version in the baseline (as catalog.previous_members reads it)
    SELECT r.source_id, r.path, f.member, any_value(f.version_id) FILTER (WHERE f.version_id IS NOT NULL) AS version_id
    FROM resumed_paths AS r
    JOIN files AS f ON f.run_id = r.base_run AND f.source_id = r.source_id AND f.path = r.path
    WHERE f.status <> 'removed'
    GROUP BY r.source_id, r.path, f.member
)
SELECT $1, t.source_id, t.path, t.member,
       CASE WHEN t.base_run IS NULL THEN 'added'
            WHEN b.member IS NULL THEN CASE WHEN t.member <> '' THEN 'added' ELSE 'changed' END
            WHEN b.version_id = t.version_id THEN 'unchanged'
            ELSE 'changed' END,
       t.version_id, t.disk_bytes, t.disk_mtime_ns, t.disk_sha256, t.read_config, NULL, NULL
FROM taken AS t
LEFT JOIN base AS b USING (source_id, path, member)
UNION ALL
-- archive members the baseline had and the resumed version has not: removed, as when the archive is read again
SELECT $1, b.source_id, b.path, b.member, 'removed', NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM base AS b
WHERE b.version_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM taken AS t WHERE t.source_id = b.source_id AND t.path = b.path
                  AND t.member = b.member);
