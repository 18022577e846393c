-- The bigram HyperLogLog sketches of a run's file versions, with their source (merged per source in Python).
-- Parameter: run_id.
SELECT f.source_id, s.p, s.registers
FROM files AS f JOIN diversity_sketches AS s USING (version_id)
WHERE f.run_id = $run_id AND f.status NOT IN ('removed', 'failed') AND s.kind = 'bigram';
