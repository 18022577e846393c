-- Scale and file status per source for one run. `files` counts record-bearing files (archive members singly).
SELECT s.source_id, s.name, s.stage, s.modality, s.languages,
       count(f.path) FILTER (WHERE f.status NOT IN ('removed', 'failed'))            AS files,
       count(DISTINCT f.path) FILTER (WHERE f.status NOT IN ('removed'))              AS paths,
       coalesce(sum(v.records_ok), 0)                                                 AS documents,
       coalesce(sum(v.records_rejected), 0)                                           AS rejected_records,
       coalesce(sum(v.records_replaced), 0)                                           AS replaced_records,
       coalesce(sum(v.bytes), 0)                                                      AS bytes,
       coalesce(sum(v.text_bytes), 0)                                                 AS text_bytes,
       coalesce(sum(v.chars), 0)                                                      AS characters,
       count(*) FILTER (WHERE f.status = 'added')                                     AS files_added,
       count(*) FILTER (WHERE f.status = 'changed')                                   AS files_changed,
       count(*) FILTER (WHERE f.status = 'unchanged')                                 AS files_unchanged,
       count(*) FILTER (WHERE f.status = 'removed')                                   AS files_removed,
       count(*) FILTER (WHERE f.status = 'failed' OR v.error_code IS NOT NULL)        AS files_failed
FROM sources AS s
LEFT JOIN files AS f ON f.run_id = s.run_id AND f.source_id = s.source_id
LEFT JOIN file_versions AS v ON v.version_id = f.version_id
WHERE s.run_id = ?
GROUP BY ALL
ORDER BY s.source_id;
