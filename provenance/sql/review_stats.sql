-- Verdict counts of one review sample per source. Parameter: sample_id.
SELECT source_id,
       count(*)                                   AS size,
       count(verdict)                             AS reviewed,
       count(*) FILTER (WHERE verdict = 'pass')   AS passed,
       count(*) FILTER (WHERE verdict = 'fail')   AS failed
FROM review_items
WHERE sample_id = $sample_id
GROUP BY source_id
ORDER BY source_id;
