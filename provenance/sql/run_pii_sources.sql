-- PII per source for one run (see the pii_run_documents macro, migration 004, for the sample): documents
-- analysed, documents with at least one entity, and with a sensitive one. Parameters: run_id, sample.
SELECT source_id,
       count(*)                                                                      AS documents_scanned,
       count(*) FILTER (WHERE len(entities) > 0)                                     AS documents_with_pii,
       count(*) FILTER (WHERE list_bool_or(list_transform(entities, lambda e: e.sensitive)))
                                                                                     AS documents_with_sensitive
FROM pii_run_documents($run_id, $sample)
GROUP BY source_id
ORDER BY source_id;
