-- PII per source and entity type for one run (same documents as run_pii_sources.sql): mentions, documents
-- holding the type, distinct values (by keyed hash), and two masked examples.
WITH mentions AS (
    SELECT source_id, doc_id, unnest(entities, recursive := true)
    FROM pii_run_documents($run_id, $sample)
    WHERE len(entities) > 0
)
SELECT source_id, entity_type, bool_or(sensitive) AS sensitive,
       count(*) AS mentions, count(DISTINCT doc_id) AS documents, count(DISTINCT value_hash) AS distinct_values,
       list({'doc_id': doc_id, 'excerpt': excerpt} ORDER BY doc_id, "start")[1:2] AS examples
FROM mentions
GROUP BY source_id, entity_type
ORDER BY source_id, mentions DESC, entity_type;
