-- Per candidate source and detected language: the documents the candidate adds (no exact or near match in the
-- corpus, and kept by a deduplication inside the candidate). Needs dup_query_docs and dup_query_matches.
SELECT q.source, q.language, count(*) AS documents, coalesce(sum(q.bytes), 0) AS bytes
FROM dup_query_docs AS q
WHERE q.language IS NOT NULL AND NOT q.redundant AND q.qid NOT IN (SELECT qid FROM dup_query_matches)
GROUP BY ALL
ORDER BY q.source, documents DESC, q.language;
