-- Results of the `notices` detector (detectors/notices.py): copyright and licence notices found inside documents.
-- One row per (file version, document, kind); kinds: all_rights_reserved, copyright_line, zh_copyright,
-- zh_no_reprint, zh_original, no_reproduction, cc_notice, gutenberg, license_notice.
-- The loader adds version_id to the detector's rows (INSERT ... BY NAME from its Parquet shard).

CREATE TABLE notice_hits (
    version_id    VARCHAR NOT NULL,
    doc_id        VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    count         BIGINT NOT NULL,         -- occurrences of the kind in the document
    first_start   BIGINT,                  -- character offset (0-based, code points) of the first occurrence
    license_hint  VARCHAR,                 -- SPDX-ish id a notice names, e.g. CC-BY-NC-4.0 (several: joined by " AND ")
    excerpt       VARCHAR                  -- the first occurrence with ~30 characters around it, masked: notice
                                           -- keywords kept, every other letter and digit replaced by '*'
);
