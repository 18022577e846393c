-- Per (new source, corpus source): how many documents of the new source match that corpus source (exact or near),
-- how many of them exactly, and one example pair. Needs dup_query_docs and dup_query_matches.
SELECT q.source, m.source_id,
       count(DISTINCT m.qid) AS documents,
       count(DISTINCT m.qid) FILTER (WHERE m.exact) AS exact,
       min(m.qid)::VARCHAR AS example_qid,
       arg_min(m.doc_id, m.qid) AS example_doc_id
FROM dup_query_matches AS m
JOIN dup_query_docs AS q USING (qid)
GROUP BY q.source, m.source_id
ORDER BY q.source, documents DESC, m.source_id;
