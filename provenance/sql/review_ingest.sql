-- Set the verdicts of the rows a review.csv holds (table review_updates(sample_id, doc_id, verdict, reviewer,
-- note)); an empty verdict clears it. Rows of the sample that the file does not hold keep what they had, so a
-- sample split between reviewers can be ingested file by file. Parameter: ingested_at.
UPDATE review_items
SET verdict = u.verdict, reviewer = u.reviewer, note = u.note, ingested_at = $ingested_at
FROM review_updates AS u
WHERE review_items.sample_id = u.sample_id AND review_items.doc_id = u.doc_id;
