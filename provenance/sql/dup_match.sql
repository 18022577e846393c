-- Documents outside the corpus (the view or registered table dup_query_docs(qid, norm_hash, signature)) matched
-- against the stored signatures of one run, without re-reading the corpus. Band keys are computed for both sides
-- exactly as dup_candidates.sql does and joined in DuckDB (which spills to disk), so the run's band index is never
-- held in memory. Candidates are verified by the share of equal signature values (the estimated Jaccard, as the
-- audit does); documents with the same normalised text are exact matches, also those without shingles.
-- Parameters: run_id, bands, rows, threshold, best (keep only the best match of each query document).
-- Returns qid, doc_id, source_id, jaccard (estimated; 1.0 for exact), exact.
WITH corpus AS NOT MATERIALIZED (
    SELECT f.source_id, d.version_id, d.doc_id, d.norm_hash, d.signature
    FROM files AS f
    JOIN dup_documents AS d USING (version_id)
    WHERE f.run_id = $run_id AND f.status NOT IN ('removed', 'failed')
),
query_keys AS (
    SELECT q.qid, r.b AS band, hash(q.signature[r.b * $rows + 1 : (r.b + 1) * $rows]) AS key
    FROM dup_query_docs AS q, range($bands) AS r(b)
    WHERE q.signature IS NOT NULL
),
corpus_keys AS (
    SELECT c.version_id, c.doc_id, r.b AS band, hash(c.signature[r.b * $rows + 1 : (r.b + 1) * $rows]) AS key
    FROM corpus AS c, range($bands) AS r(b)
    WHERE c.signature IS NOT NULL
),
candidates AS (
    SELECT DISTINCT q.qid, c.version_id, c.doc_id
    FROM query_keys AS q
    JOIN corpus_keys AS c ON c.band = q.band AND c.key = q.key
),
near AS (
    SELECT k.qid, y.doc_id, y.source_id,
           len(list_filter(range(1, len(x.signature) + 1), lambda i: x.signature[i] = y.signature[i]))
               / len(x.signature) AS jaccard
    FROM candidates AS k
    JOIN dup_query_docs AS x ON x.qid = k.qid
    JOIN corpus AS y ON y.version_id = k.version_id AND y.doc_id = k.doc_id
),
exact AS (
    SELECT q.qid, c.doc_id, c.source_id
    FROM dup_query_docs AS q
    JOIN corpus AS c ON c.norm_hash = q.norm_hash
),
matches AS (
    SELECT qid, doc_id, source_id, max(jaccard) AS jaccard, bool_or(is_exact) AS exact
    FROM (
        SELECT qid, doc_id, source_id, jaccard, false AS is_exact FROM near WHERE jaccard >= $threshold - 1e-9
        UNION ALL
        SELECT qid, doc_id, source_id, 1.0, true FROM exact
    )
    GROUP BY qid, doc_id, source_id
)
SELECT qid, doc_id, source_id, jaccard, exact
FROM matches
QUALIFY NOT $best OR row_number() OVER (PARTITION BY qid ORDER BY exact DESC, jaccard DESC, doc_id) = 1
ORDER BY qid, exact DESC, jaccard DESC, doc_id;
