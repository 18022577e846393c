-- Annotation quality checks (provenance/annotation_stage.py; Interim Measures Art. 8, TC260-003 5.3): one row per
-- check file a source declares under `annotation.checks`, per run. A check file holds one row per checked item with
-- the annotator's label, the checker's label and optionally a second annotator's label. No item id and no text is
-- stored: only counts, rates and the labels (annotation classes, at most 64 characters each).

CREATE TABLE annotation_checks (
    run_id               VARCHAR NOT NULL,
    source_id            VARCHAR NOT NULL,
    file                 VARCHAR NOT NULL,   -- relative to the manifest, with '/'
    kind                 VARCHAR NOT NULL,   -- spot_check | double_annotation
    rows_read            BIGINT NOT NULL,    -- data rows (header and blank lines excluded) = items + rows_rejected
    rows_rejected        BIGINT NOT NULL,    -- a field missing or empty, ragged, not JSON, item repeated; every row
                                             -- when a label is longer than 64 characters (not a label file)
    items                BIGINT NOT NULL,    -- accepted rows: items checked
    agreed               BIGINT NOT NULL,    -- items whose label equals the checker's label
    agreement            DOUBLE,             -- agreed / items; NULL without items
    ci_low               DOUBLE,             -- 95% Wilson interval of agreement
    ci_high              DOUBLE,
    kappa                DOUBLE,             -- Cohen's kappa of label vs check label; NULL when undefined (no items,
                                             -- or both sides gave every item one and the same label)
    second_agreement     DOUBLE,             -- label vs the second annotator's label, when declared
    second_kappa         DOUBLE,
    labels               JSON,               -- top 10 labels: [{"label", "annotated", "checked", "agreed"}]
    first_rejected_line  BIGINT,             -- 1-based line of the first rejected row (the header is line 1)
    error                VARCHAR             -- why the file could not be used (finding ANN_CHECK_UNREADABLE); NULL if read
);
