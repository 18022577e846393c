-- Per candidate source: its documents and bytes, how many are already in the corpus run exactly (same normalised
-- text) or only near (a match at or above the threshold, none exact), and what it adds: the documents with no match,
-- and of those the ones a deduplication inside the candidate would still drop. Needs dup_query_docs (the export of
-- onboard_candidate_docs.sql) and dup_query_matches (dup_match.sql over the same documents).
WITH per_doc AS (
    SELECT qid, bool_or(exact) AS exact FROM dup_query_matches GROUP BY qid
)
SELECT q.source,
       count(*)                                                              AS documents,
       coalesce(sum(q.bytes), 0)                                             AS bytes,
       coalesce(sum(q.chars), 0)                                             AS characters,
       count(*) FILTER (WHERE q.signature IS NULL)                           AS without_shingles,
       count(*) FILTER (WHERE p.exact)                                       AS exact_present,
       count(*) FILTER (WHERE NOT p.exact)                                   AS near_present,
       coalesce(sum(q.bytes) FILTER (WHERE p.qid IS NOT NULL), 0)            AS present_bytes,
       count(*) FILTER (WHERE p.qid IS NULL)                                 AS adds_documents,
       coalesce(sum(q.bytes) FILTER (WHERE p.qid IS NULL), 0)                AS adds_bytes,
       coalesce(sum(q.chars) FILTER (WHERE p.qid IS NULL), 0)                AS adds_characters,
       count(*) FILTER (WHERE p.qid IS NULL AND q.redundant)                 AS adds_internal_duplicates,
       coalesce(sum(q.bytes) FILTER (WHERE p.qid IS NULL AND q.redundant), 0) AS adds_internal_duplicate_bytes
FROM dup_query_docs AS q
LEFT JOIN per_doc AS p USING (qid)
GROUP BY q.source
ORDER BY q.source;
