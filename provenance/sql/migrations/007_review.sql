-- The TC260-003 §9.2 manual review sample (provenance/review_sample.py): `provenance sample` draws a seeded sample
-- of a run's accepted documents, stratified by source, and writes review.csv; `provenance sample ingest` reads the
-- reviewers' verdicts back. No document text is stored here: the CSV holds it (masked), the catalog only ids.

CREATE TABLE review_samples (
    sample_id    VARCHAR PRIMARY KEY,        -- rs-<UTC time>-<random>, also in every CSV row
    run_id       VARCHAR NOT NULL,           -- the run whose documents were sampled
    created_at   TIMESTAMPTZ NOT NULL,
    n_requested  BIGINT NOT NULL,            -- --n
    n_drawn      BIGINT NOT NULL,            -- min(--n, the run's documents)
    seed         BIGINT NOT NULL,            -- --seed: the same seed and run give the same documents
    strata       JSON NOT NULL,              -- {source_id: {"documents", "quota", "drawn"}}: proportional allocation
    csv_path     VARCHAR NOT NULL,           -- absolute path review.csv was written to
    max_chars    BIGINT,                     -- --max-chars: text characters kept per item
    unavailable  BIGINT NOT NULL DEFAULT 0   -- items written without text (file changed or gone since the run)
);

CREATE TABLE review_items (
    sample_id    VARCHAR NOT NULL,
    item         BIGINT NOT NULL,            -- 1..n_drawn, the CSV's order (by the seeded key)
    source_id    VARCHAR NOT NULL,
    doc_id       VARCHAR NOT NULL,
    verdict      VARCHAR,                    -- pass | fail; NULL until reviewed
    reviewer     VARCHAR,
    note         VARCHAR,                    -- why the text is missing (at drawing), then the reviewer's note
    ingested_at  TIMESTAMPTZ,                -- last `provenance sample ingest` that set this row
    PRIMARY KEY (sample_id, item),
    UNIQUE (sample_id, doc_id)
);
