-- Exact Jaccard of scored pairs (registered table dup_scored(a, b, estimated, exact)) from the shingle hashes of
-- their documents read again (temp table dup_shingles(doc_id, shingles)). Exact copies keep 1.0; a pair whose
-- documents could not be read again keeps its estimate (verified = false).
SELECT s.a, s.b, s.estimated, s.exact,
       CASE WHEN s.exact THEN 1.0
            WHEN p.shingles IS NULL OR q.shingles IS NULL THEN s.estimated
            ELSE len(list_intersect(p.shingles, q.shingles))
                 / len(list_distinct(list_concat(p.shingles, q.shingles))) END AS jaccard,
       s.exact OR (p.shingles IS NOT NULL AND q.shingles IS NOT NULL) AS verified
FROM dup_scored AS s
JOIN dup_run_docs AS x ON x.id = s.a
JOIN dup_run_docs AS y ON y.id = s.b
LEFT JOIN dup_shingles AS p ON p.doc_id = x.doc_id
LEFT JOIN dup_shingles AS q ON q.doc_id = y.doc_id
ORDER BY s.a, s.b;
