-- The shingle hashes of the documents read again for verification (temp table dup_shingles(doc_id, shingles)), by
-- graph vertex id, and the non-exact scored pairs (registered table dup_scored(a, b, estimated, exact)) whose two
-- documents were both read: what dup_stage computes exact Jaccard for, in numpy.
SELECT d.id, s.shingles
FROM dup_shingles AS s
JOIN dup_run_docs AS d USING (doc_id)
ORDER BY d.id;
