-- Licence stage. license_texts: licence files and dataset cards found inside archives by the scan, keyed by the
-- archive's content hash so an unchanged archive keeps them without being read again. source_licenses: the
-- stage's result per source and run.

CREATE TABLE license_texts (
    source_id    VARCHAR NOT NULL,
    path         VARCHAR NOT NULL,               -- the archive, relative to the manifest
    member       VARCHAR NOT NULL,
    disk_sha256  VARCHAR NOT NULL,               -- of the archive
    text         VARCHAR NOT NULL                -- first 256 KiB, decoded as UTF-8 with replacement
);

CREATE TABLE source_licenses (
    run_id                       VARCHAR NOT NULL,
    source_id                    VARCHAR NOT NULL,
    declared                     VARCHAR,        -- as written in the manifest
    declared_spdx                VARCHAR NOT NULL,
    spdx                         VARCHAR NOT NULL, -- what the classification uses (declared, detected, or both)
    use_class                    VARCHAR NOT NULL, -- commercial | non-commercial | research-only | unspecified | unknown
    attribution                  BOOLEAN NOT NULL,
    share_alike                  BOOLEAN NOT NULL,
    no_derivatives               BOOLEAN NOT NULL,
    use_restrictions             BOOLEAN NOT NULL,
    terms_of_service_restricted  BOOLEAN NOT NULL,
    confidence                   DOUBLE,
    matched_by                   VARCHAR,
    status                       VARCHAR NOT NULL, -- consistent | declared-only | detected-only | conflict | unspecified | unknown
    detected_files               JSON,           -- [{path, spdx, confidence, matched, method}]
    notices                      JSON,           -- {documents, kinds: {kind: {documents, hits, examples: [{doc_id, excerpt}]}}}
    PRIMARY KEY (run_id, source_id)
);
