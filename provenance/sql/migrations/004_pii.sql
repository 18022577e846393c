-- Results of the `pii` detector (detectors/pii/detector.py): one row per document analysed, with the entities
-- found in it. No raw value is stored: an entity carries a masked excerpt and a keyed hash (HMAC-SHA256 under a
-- key kept outside the catalog) of its normalised value.
-- The loader adds version_id to the detector's rows (INSERT ... BY NAME from its Parquet shard).

CREATE TABLE pii_documents (
    version_id  VARCHAR NOT NULL,
    doc_id      VARCHAR NOT NULL,
    language    VARCHAR NOT NULL,        -- zh | en: the recognizer set used (detected per document with --pii-lang auto)
    priority    DOUBLE NOT NULL,         -- seeded sample priority in [0, 1): a --pii-sample N keeps the N smallest
    entities    STRUCT(
        entity_type VARCHAR,             -- e.g. CN_MOBILE_PHONE, EMAIL_ADDRESS (see `provenance pii entities`)
        "start"     BIGINT,              -- character offsets (code points) into the document text
        "end"       BIGINT,
        score       DOUBLE,              -- presidio score after context enhancement (threshold 0.4)
        recognizer  VARCHAR,
        excerpt     VARCHAR,             -- ~12 characters each side, masked (values become <ENTITY_TYPE>)
        value_hash  VARCHAR,             -- keyed hash of the normalised value: counts distinct identifiers
        sensitive   BOOLEAN              -- sensitive personal information (ID numbers, bank cards, passports…)
    )[] NOT NULL
);

-- One row per entity found.
CREATE VIEW pii_entities AS
SELECT version_id, doc_id, language, unnest(entities, recursive := true)
FROM pii_documents;

-- The documents of a run the PII figures are computed on: all of them (n = 0), or the seeded sample, the n of each
-- source with the lowest priority. rn is the rank within the source.
CREATE MACRO pii_run_documents(run, n) AS TABLE
SELECT source_id, doc_id, entities, rn
FROM (
    SELECT f.source_id, p.doc_id, p.entities,
           row_number() OVER (PARTITION BY f.source_id ORDER BY p.priority, p.doc_id) AS rn
    FROM files AS f
    JOIN pii_documents AS p USING (version_id)
    WHERE f.run_id = run AND f.status NOT IN ('removed', 'failed')
)
WHERE n = 0 OR rn <= n;
