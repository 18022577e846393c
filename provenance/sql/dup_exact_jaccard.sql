-- Exact Jaccard of scored pairs (registered table dup_scored(a, b, estimated, exact)): exact copies keep 1.0; the
-- others take the exact Jaccard of their shingle sets (registered table dup_jaccard(a, b, jaccard), computed in
-- numpy from the documents read again); a pair without a row there (its documents could not be read again) keeps
-- its estimate (verified = false).
SELECT s.a, s.b, s.estimated, s.exact,
       CASE WHEN s.exact THEN 1.0
            WHEN j.a IS NULL THEN s.estimated
            ELSE j.jaccard END AS jaccard,
       s.exact OR j.a IS NOT NULL AS verified
FROM dup_scored AS s
LEFT JOIN dup_jaccard AS j ON j.a = s.a AND j.b = s.b AND NOT s.exact
ORDER BY s.a, s.b;
