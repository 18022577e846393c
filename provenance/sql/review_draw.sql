-- The review sample of a run: in each source, the `drawn` documents (table review_allocation(source_id, drawn))
-- with the smallest key md5(seed:doc_id) — a keyed hash fixed by the seed and the doc id alone, so the same seed
-- gives the same sample on any machine and DuckDB version. Rows come in key order across sources (item order: a
-- reviewer sees the sources mixed, not one after the other). With where to find each document again.
-- Parameters: run_id, seed.
WITH run_docs AS (
    SELECT f.source_id, d.doc_id, f.path, f.member, d.line, d.chars, d.text_hash, f.disk_sha256, f.read_config,
           md5(CAST($seed AS VARCHAR) || ':' || d.doc_id) AS sample_key
    FROM files AS f
    JOIN documents AS d USING (version_id)
    WHERE f.run_id = $run_id AND f.status NOT IN ('removed', 'failed')
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY source_id ORDER BY sample_key, doc_id) AS rank_in_source
    FROM run_docs
)
SELECT r.source_id, r.doc_id, r.path, r.member, r.line, r.chars, r.text_hash, r.disk_sha256, r.read_config,
       r.sample_key
FROM ranked AS r
JOIN review_allocation AS a ON a.source_id = r.source_id
WHERE r.rank_in_source <= a.drawn
ORDER BY r.sample_key, r.doc_id;
