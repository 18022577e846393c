-- Accepted documents per source of a run (every declared source, 0 for one without documents): the strata of the
-- review sample. Parameter: run_id.
SELECT s.source_id, count(d.doc_id) AS documents
FROM sources AS s
LEFT JOIN files AS f ON f.run_id = s.run_id AND f.source_id = s.source_id AND f.status NOT IN ('removed', 'failed')
LEFT JOIN documents AS d ON d.version_id = f.version_id
WHERE s.run_id = $run_id
GROUP BY s.source_id
ORDER BY s.source_id;
