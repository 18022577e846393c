-- LSH candidates among dup_run_docs: documents whose signatures agree on all $rows values of any of $bands bands.
-- Band keys are grouped here, in DuckDB (it spills to disk), so the index never has to fit in memory. A bucket of up
-- to $bucket_max documents gives all its pairs; a larger one is linked as a star to its smallest id (same clusters,
-- linear cost). Returns distinct (a, b) with a < b.
WITH keys AS (
    SELECT id, b AS band, hash(signature[b * $rows + 1 : (b + 1) * $rows]) AS key
    FROM dup_run_docs, range($bands) AS r(b)
    WHERE signature IS NOT NULL
),
sized AS (
    SELECT id, band, key, count(*) OVER w AS n, min(id) OVER w AS first
    FROM keys
    WINDOW w AS (PARTITION BY band, key)
)
SELECT x.id AS a, y.id AS b
FROM sized AS x JOIN sized AS y ON x.band = y.band AND x.key = y.key AND x.id < y.id
WHERE x.n BETWEEN 2 AND $bucket_max
UNION
SELECT first AS a, id AS b
FROM sized
WHERE n > $bucket_max AND id <> first;
