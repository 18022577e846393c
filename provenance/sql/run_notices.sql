-- Notices found by the `notices` detector in a run's documents, per source and kind, with a few masked examples.
WITH hits AS (
    SELECT f.source_id, n.kind, n.doc_id, n.count, n.excerpt,
           row_number() OVER (PARTITION BY f.source_id, n.kind ORDER BY n.doc_id) AS rn
    FROM files AS f
    JOIN notice_hits AS n USING (version_id)
    WHERE f.run_id = ? AND f.status <> 'removed'
)
SELECT source_id, kind, count(DISTINCT doc_id) AS documents, sum(count) AS hits,
       list({'doc_id': doc_id, 'excerpt': excerpt} ORDER BY rn) FILTER (WHERE rn <= 3) AS examples
FROM hits
GROUP BY source_id, kind
ORDER BY source_id, kind;
