-- Per new source (dup_query_docs.source): its documents, those without shingles, and how many are already in the
-- corpus run, exactly (same normalised text) or only near (a match at or above the threshold, none exact). Needs
-- dup_query_docs and dup_query_matches (dup_match.sql of the same query documents).
WITH per_doc AS (
    SELECT qid, bool_or(exact) AS exact FROM dup_query_matches GROUP BY qid
)
SELECT q.source,
       count(*) AS documents,
       count(*) FILTER (WHERE q.signature IS NULL) AS without_shingles,
       count(*) FILTER (WHERE p.exact) AS exact_present,
       count(*) FILTER (WHERE NOT p.exact) AS near_present
FROM dup_query_docs AS q
LEFT JOIN per_doc AS p USING (qid)
GROUP BY q.source
ORDER BY q.source;
