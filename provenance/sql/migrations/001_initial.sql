-- Catalog schema v1. One DuckDB file holds every audit run of a corpus.
-- Documents belong to a *file version* (source, path, archive member, content sha256, read settings), not to a
-- run: an unchanged file keeps its documents across runs, so nothing is stored or counted twice.

CREATE TABLE runs (
    run_id          VARCHAR PRIMARY KEY,
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    status          VARCHAR NOT NULL,          -- running | completed | failed
    manifest_path   VARCHAR NOT NULL,
    manifest_sha256 VARCHAR NOT NULL,
    dataset_name    VARCHAR,
    tool_version    VARCHAR NOT NULL,
    stages          VARCHAR[] NOT NULL,
    options         JSON
);

CREATE TABLE sources (
    run_id        VARCHAR NOT NULL,
    source_id     VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,
    stage         VARCHAR NOT NULL,            -- pretraining | finetuning
    modality      VARCHAR NOT NULL,
    languages     VARCHAR[],
    declared      JSON NOT NULL,               -- the manifest entry as validated
    PRIMARY KEY (run_id, source_id)
);

CREATE TABLE file_versions (
    version_id        VARCHAR PRIMARY KEY,
    source_id         VARCHAR NOT NULL,
    path              VARCHAR NOT NULL,        -- relative to the manifest
    member            VARCHAR NOT NULL,        -- archive member, '' for a plain file
    format            VARCHAR,
    compression       VARCHAR,
    read_config       VARCHAR NOT NULL,
    sha256            VARCHAR,                 -- of the (decompressed) file or member content
    bytes             BIGINT NOT NULL,         -- decompressed content bytes
    records_ok        BIGINT NOT NULL,
    records_rejected  BIGINT NOT NULL,
    records_replaced  BIGINT NOT NULL,         -- accepted records with invalid bytes decoded as U+FFFD
    chars             BIGINT NOT NULL,         -- characters in the accepted documents
    text_bytes        BIGINT NOT NULL,         -- UTF-8 bytes of the accepted documents
    error_code        VARCHAR,
    error             VARCHAR,
    scanned_run_id    VARCHAR NOT NULL,
    scan_seconds      DOUBLE
);

CREATE TABLE files (
    run_id         VARCHAR NOT NULL,
    source_id      VARCHAR NOT NULL,
    path           VARCHAR NOT NULL,
    member         VARCHAR NOT NULL,
    status         VARCHAR NOT NULL,           -- added | changed | unchanged | removed | failed
    version_id     VARCHAR,                    -- NULL for removed files and paths that could not be opened
    disk_bytes     BIGINT,
    disk_mtime_ns  BIGINT,
    disk_sha256    VARCHAR,                    -- of the file on disk (the archive, for members)
    read_config    VARCHAR,
    error_code     VARCHAR,                    -- an error with the path on disk itself (unreadable, corrupt archive)
    error          VARCHAR
);

CREATE TABLE documents (
    version_id  VARCHAR NOT NULL,
    ordinal     BIGINT NOT NULL,               -- record number in the file, 0-based, counting rejected records
    doc_id      VARCHAR NOT NULL,              -- source:path[!member]#ordinal
    line        BIGINT,                        -- 1-based line where the record starts, where the format has lines
    chars       BIGINT NOT NULL,
    bytes       BIGINT NOT NULL,               -- UTF-8 bytes of the text
    text_hash   VARCHAR NOT NULL,              -- blake2b-128 of the UTF-8 text
    language    VARCHAR                        -- filled by the language detector when it has run
);

CREATE TABLE record_issues (
    version_id  VARCHAR NOT NULL,
    ordinal     BIGINT,
    line        BIGINT,
    code        VARCHAR NOT NULL,
    message     VARCHAR NOT NULL
);

CREATE TABLE issue_counts (
    version_id     VARCHAR NOT NULL,
    code           VARCHAR NOT NULL,
    count          BIGINT NOT NULL,
    first_line     BIGINT,
    first_ordinal  BIGINT,
    first_message  VARCHAR
);

CREATE TABLE stage_results (
    version_id   VARCHAR NOT NULL,
    stage        VARCHAR NOT NULL,
    config_hash  VARCHAR NOT NULL,
    run_id       VARCHAR NOT NULL
);

CREATE TABLE findings (
    run_id     VARCHAR NOT NULL,
    stage      VARCHAR NOT NULL,
    code       VARCHAR NOT NULL,
    severity   VARCHAR NOT NULL,               -- info | low | medium | high | critical
    source_id  VARCHAR,
    path       VARCHAR,
    member     VARCHAR,
    line       BIGINT,
    doc_id     VARCHAR,
    count      BIGINT NOT NULL DEFAULT 1,
    message    VARCHAR NOT NULL,
    clause     VARCHAR,
    fix        VARCHAR
);
