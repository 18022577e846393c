-- URL domains in the documents the candidate adds (as onboard_adds_languages.sql), with how many documents of the
-- corpus run mention each (0: a domain the corpus does not have). Parameter: run_id (of the corpus). Needs
-- dup_query_docs and dup_query_matches, and the corpus's diversity_documents.
WITH adds AS (
    SELECT domain, count(*) AS documents
    FROM (SELECT unnest(q.domains) AS domain
          FROM dup_query_docs AS q
          WHERE q.domains IS NOT NULL AND NOT q.redundant AND q.qid NOT IN (SELECT qid FROM dup_query_matches))
    GROUP BY domain
),
corpus AS (
    SELECT domain, count(*) AS documents
    FROM (SELECT unnest(v.domains) AS domain
          FROM files AS f JOIN diversity_documents AS v USING (version_id)
          WHERE f.run_id = $run_id AND f.status NOT IN ('removed', 'failed'))
    GROUP BY domain
)
SELECT a.domain, a.documents, coalesce(c.documents, 0) AS corpus_documents
FROM adds AS a LEFT JOIN corpus AS c USING (domain)
ORDER BY a.documents DESC, a.domain
LIMIT 50;
