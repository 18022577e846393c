-- One row per completed run, the $last most recent (newest first; the caller reverses them), with the figures of
-- `provenance trend`, straight from the catalog tables so that no report model is built:
--   sources, documents and bytes as in source_scale.sql (documents = accepted records, bytes = decompressed bytes);
--   the PII documents as in the pii_run_documents macro (migration 004): every analysed document, or the seeded
--     sample of each source when the run used --pii-sample; NULL when the run did not include the pii stage (an
--     unchanged file keeps its pii_documents rows from an earlier run, so their presence proves nothing);
--   the corpus near-duplicate figures as dup_summary's: members of clusters at the run's threshold minus one per
--     cluster, over the documents the stage saw; NULL without the duplicates stage;
--   findings at high or critical severity (rows of the findings table, as `provenance runs` counts them).
--   the worse-run verdict stored after the run (run_checks, migration 009; NULL when it has none).
-- $up_to: NULL for the newest runs, or a run id: the runs up to and including it (a report's history table).
WITH r AS (
    SELECT run_id, started_at, finished_at, stages,
           coalesce(TRY_CAST(json_extract_string(options, '$.pii.sample') AS BIGINT), 0) AS pii_sample
    FROM runs
    WHERE status = 'completed'
      AND ($up_to IS NULL OR started_at <= (SELECT started_at FROM runs WHERE run_id = $up_to))
    ORDER BY started_at DESC, run_id DESC
    LIMIT $last
),
declared AS (
    SELECT s.run_id, count(*) AS sources FROM sources AS s JOIN r USING (run_id) GROUP BY s.run_id
),
scale AS (
    SELECT f.run_id, coalesce(sum(v.records_ok), 0) AS documents, coalesce(sum(v.bytes), 0) AS bytes
    FROM files AS f JOIN r USING (run_id) LEFT JOIN file_versions AS v ON v.version_id = f.version_id
    GROUP BY f.run_id
),
pii_all AS (  -- runs without a sample: a plain count, no window over every document
    SELECT f.run_id, count(*) AS scanned, count(*) FILTER (WHERE len(p.entities) > 0) AS with_pii
    FROM files AS f JOIN r USING (run_id) JOIN pii_documents AS p ON p.version_id = f.version_id
    WHERE r.pii_sample = 0 AND list_contains(r.stages, 'pii') AND f.status NOT IN ('removed', 'failed')
    GROUP BY f.run_id
),
pii_sampled AS (
    SELECT run_id, count(*) AS scanned, count(*) FILTER (WHERE has_pii) AS with_pii
    FROM (
        SELECT f.run_id, r.pii_sample, len(p.entities) > 0 AS has_pii,
               row_number() OVER (PARTITION BY f.run_id, f.source_id ORDER BY p.priority, p.doc_id) AS rn
        FROM files AS f JOIN r USING (run_id) JOIN pii_documents AS p ON p.version_id = f.version_id
        WHERE r.pii_sample > 0 AND list_contains(r.stages, 'pii') AND f.status NOT IN ('removed', 'failed')
    )
    WHERE rn <= pii_sample
    GROUP BY run_id
),
pii AS (SELECT * FROM pii_all UNION ALL SELECT * FROM pii_sampled),
dup_docs AS (
    SELECT d.run_id, sum(d.documents) AS documents FROM dup_source_stats AS d JOIN r USING (run_id) GROUP BY d.run_id
),
dup_members AS (
    SELECT c.run_id, count(*) AS members, count(DISTINCT c.cluster_id) AS clusters
    FROM dup_clusters AS c JOIN r USING (run_id) GROUP BY c.run_id
),
high AS (
    SELECT x.run_id, count(*) AS findings_high_critical
    FROM findings AS x JOIN r USING (run_id) WHERE x.severity IN ('high', 'critical') GROUP BY x.run_id
)
SELECT r.run_id, r.started_at, r.finished_at, r.stages,
       coalesce(declared.sources, 0)                                     AS sources,
       coalesce(scale.documents, 0)                                      AS documents,
       coalesce(scale.bytes, 0)                                          AS bytes,
       CASE WHEN list_contains(r.stages, 'pii') THEN coalesce(pii.scanned, 0) END   AS pii_documents_scanned,
       CASE WHEN list_contains(r.stages, 'pii') THEN coalesce(pii.with_pii, 0) END  AS pii_documents_with_pii,
       CASE WHEN list_contains(r.stages, 'duplicates') THEN coalesce(dup_docs.documents, 0) END
                                                                         AS dup_documents,
       CASE WHEN list_contains(r.stages, 'duplicates')
            THEN coalesce(dup_members.members, 0) - coalesce(dup_members.clusters, 0) END
                                                                         AS near_duplicates,
       coalesce(high.findings_high_critical, 0)                          AS findings_high_critical,
       checks.worse, checks.reasons                                      AS worse_reasons
FROM r
LEFT JOIN declared USING (run_id)
LEFT JOIN scale USING (run_id)
LEFT JOIN pii USING (run_id)
LEFT JOIN dup_docs USING (run_id)
LEFT JOIN dup_members USING (run_id)
LEFT JOIN high USING (run_id)
LEFT JOIN run_checks AS checks USING (run_id)
ORDER BY r.started_at DESC, r.run_id DESC;
