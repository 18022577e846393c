-- Results of the `diversity` detector (detectors/diversity/detector.py): per-document statistics, and per file
-- version its exact unigram counts and HyperLogLog sketches. Tokens are Han, kana and hangul characters one by one
-- and lower-cased runs of other letters and digits; definitions in detectors/diversity/stats.py.
-- The loader adds version_id to the detector's rows (INSERT ... BY NAME from its Parquet shard) and drops the
-- detector's file_index.

CREATE TABLE diversity_documents (
    version_id        VARCHAR NOT NULL,
    doc_id            VARCHAR NOT NULL,
    language          VARCHAR NOT NULL,  -- fastText lid.176 label of the first lang_prefix_chars (256) characters:
                                         -- ISO 639-1 where one exists ('en', 'zh'), else 639-3 ('yue', 'wuu'),
                                         -- 'und' when the prefix has no letter
    language_score    DOUBLE,            -- the label's probability; NULL for 'und' and for text whose letters are all Han
                                         -- ('zh' by script, no model call); below ~0.3 the label is a guess
    script            VARCHAR,           -- dominant script: Han, Latin, Cyrillic, Arabic, Kana, Hangul or Other;
                                         -- NULL when the document has no letters
    scripts           STRUCT(
        script  VARCHAR,                 -- as `script`
        chars   BIGINT                   -- letters of that script (digits, punctuation, spaces are not counted)
    )[] NOT NULL,                        -- the scripts present, in the order above
    chars             BIGINT NOT NULL,   -- characters (code points)
    bytes             BIGINT NOT NULL,   -- UTF-8 bytes; compression ratio = bytes / compressed_bytes
    tokens            BIGINT NOT NULL,
    types             BIGINT NOT NULL,   -- distinct tokens
    entropy           DOUBLE NOT NULL,   -- unigram entropy of the document's tokens, in bits
    compressed_bytes  BIGINT NOT NULL,   -- zlib level 6 of the UTF-8 text
    domains           VARCHAR[] NOT NULL -- registered domains of its URLs (www.example.co.uk → example.co.uk),
                                         -- distinct, in order of appearance, at most max_domains (5)
);

-- Exact unigram counts of each file version: a source's type-token ratio is count(DISTINCT term) / sum(count) and
-- its unigram entropy follows from sum(count) GROUP BY term over its files.
CREATE TABLE diversity_terms (
    version_id  VARCHAR NOT NULL,
    term        BIGINT NOT NULL,         -- stable 64-bit hash of the token (splitmix64 of a polynomial of its code
                                         -- points), the same in every run and process; never the token itself
    count       BIGINT NOT NULL          -- occurrences in the file version
);

-- HyperLogLog++ sketches of each file version, datasketch-compatible: registers (int8, 2^p of them) with
-- datasketch's index and rank convention. Merge the sketches of several files with an element-wise maximum and
-- count with detectors.diversity.hll.count (datasketch's estimator); standard error 1.04 / 2^(p/2) (1.6% at p=12).
CREATE TABLE diversity_sketches (
    version_id  VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,        -- 'bigram': distinct adjacent token pairs within a document (distinct-2);
                                         -- 'unigram': distinct tokens (cross-check of diversity_terms)
    p           INTEGER NOT NULL,        -- precision: 2^p registers
    registers   BLOB NOT NULL            -- zlib-compressed int8 registers (detectors.diversity.hll.from_bytes)
);
