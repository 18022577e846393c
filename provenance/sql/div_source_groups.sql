-- Per source of a run: documents per detected language, letters per script, documents per length bin (bin k holds
-- documents of 2^k to 2^(k+1)-1 characters; empty documents in bin -1) and documents per URL domain.
-- Parameter: run_id. Columns: source_id, kind (language | script | length | domain), key, n.
WITH docs AS (
    SELECT f.source_id, d.*
    FROM files AS f JOIN diversity_documents AS d USING (version_id)
    WHERE f.run_id = $run_id AND f.status NOT IN ('removed', 'failed')
)
SELECT source_id, 'language' AS kind, language AS key, count(*) AS n FROM docs GROUP BY ALL
UNION ALL
SELECT source_id, 'script', s.script, sum(s.chars)::BIGINT
FROM (SELECT source_id, unnest(scripts) AS s FROM docs) GROUP BY ALL
UNION ALL
SELECT source_id, 'length', CASE WHEN chars = 0 THEN '-1' ELSE floor(log2(chars))::INTEGER::VARCHAR END, count(*)
FROM docs GROUP BY ALL
UNION ALL
SELECT source_id, 'domain', domain, count(*)
FROM (SELECT source_id, unnest(domains) AS domain FROM docs) GROUP BY ALL;
