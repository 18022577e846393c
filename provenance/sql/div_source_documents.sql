-- Per source of a run, from diversity_documents: documents, characters, tokens, bigrams (adjacent token pairs
-- within documents), bytes and compressed bytes, mean document entropy, length quantiles. Parameter: run_id.
SELECT f.source_id,
       count(*)                                   AS documents,
       sum(d.chars)                               AS chars,
       sum(d.tokens)                              AS tokens,
       sum(greatest(d.tokens - 1, 0))             AS bigrams,
       sum(d.bytes)                               AS bytes,
       sum(d.compressed_bytes)                    AS compressed_bytes,
       avg(d.entropy)                             AS mean_document_entropy,
       avg(d.chars)                               AS mean_chars,
       min(d.chars)                               AS min_chars,
       max(d.chars)                               AS max_chars,
       quantile_cont(d.chars, [0.05, 0.25, 0.5, 0.75, 0.95]) AS quantiles
FROM files AS f JOIN diversity_documents AS d USING (version_id)
WHERE f.run_id = $run_id AND f.status NOT IN ('removed', 'failed')
GROUP BY f.source_id
ORDER BY f.source_id;
