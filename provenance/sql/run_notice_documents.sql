-- Documents with at least one notice, per source, in a run (a document with several kinds counts once).
SELECT f.source_id, count(DISTINCT n.doc_id) AS documents
FROM files AS f
JOIN notice_hits AS n USING (version_id)
WHERE f.run_id = ? AND f.status <> 'removed'
GROUP BY f.source_id
ORDER BY f.source_id;
