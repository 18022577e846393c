-- Results of the `duplicates` detector (detectors/dedup/detector.py): one row per document of a file version, kept
-- across runs so an unchanged file is never hashed again. The loader adds version_id (INSERT ... BY NAME).
CREATE TABLE dup_documents (
    version_id  VARCHAR NOT NULL,
    doc_id      VARCHAR NOT NULL,
    norm_hash   BIGINT NOT NULL,          -- blake2b-64 of the normalised text (NFKC, casefolded, whitespace folded)
    shingling   VARCHAR NOT NULL,         -- char (5 word characters, CJK text) | word (5 words) | none (no shingles)
    shingles    INTEGER NOT NULL,         -- shingles in the document, repeats counted
    signature   UINTEGER[]                -- datasketch MinHash (affine32) hash values; NULL without shingles
);

-- The corpus-wide pass of one run (provenance/dup_stage.py), over the documents of the run's file versions.

-- Pairs of documents found similar, kept from the lowest reported threshold (0.7) up: LSH candidates whose
-- signatures agree on at least 0.6 of their values, then their exact Jaccard on shingle sets (the documents are read
-- again for it) unless the run chose the estimate (--dup-verify estimate); exact = same normalised text.
CREATE TABLE dup_pairs (
    run_id             VARCHAR NOT NULL,
    doc_a              VARCHAR NOT NULL,  -- doc_a < doc_b
    doc_b              VARCHAR NOT NULL,
    source_a           VARCHAR NOT NULL,
    source_b           VARCHAR NOT NULL,
    jaccard            DOUBLE NOT NULL,   -- exact when verified, else the estimate (1.0 for exact copies)
    estimated_jaccard  DOUBLE NOT NULL,   -- share of equal MinHash values
    verified           BOOLEAN NOT NULL,  -- jaccard is the exact Jaccard of the shingle sets
    exact              BOOLEAN NOT NULL
);

-- Clusters at the run's threshold (default 0.8): connected components of the pairs at or above it, across
-- sources. Only documents in a cluster of two or more are listed; the representative is the smallest doc_id.
CREATE TABLE dup_clusters (
    run_id          VARCHAR NOT NULL,
    cluster_id      BIGINT NOT NULL,
    doc_id          VARCHAR NOT NULL,
    source_id       VARCHAR NOT NULL,
    representative  BOOLEAN NOT NULL
);

-- Per source and run: how many documents a deduplication inside the source would remove.
CREATE TABLE dup_source_stats (
    run_id               VARCHAR NOT NULL,
    source_id            VARCHAR NOT NULL,
    documents            BIGINT NOT NULL,
    without_shingles     BIGINT NOT NULL, -- empty or punctuation-only documents: exact duplicates only
    exact_duplicates     BIGINT NOT NULL, -- documents minus distinct normalised texts
    near_duplicates_07   BIGINT NOT NULL, -- documents minus clusters (and singletons) at Jaccard >= 0.7
    near_duplicates_08   BIGINT NOT NULL,
    near_duplicates_09   BIGINT NOT NULL,
    clusters             BIGINT NOT NULL, -- clusters of 2+ documents inside the source at the run's threshold
    in_other_sources     BIGINT NOT NULL  -- documents with an exact or near duplicate in another source
);

-- The cross-source overlap matrix: documents of source_a with an exact or near duplicate (at the run's threshold)
-- in source_b, and one example pair (both doc ids).
CREATE TABLE dup_overlap (
    run_id         VARCHAR NOT NULL,
    source_a       VARCHAR NOT NULL,
    source_b       VARCHAR NOT NULL,
    documents      BIGINT NOT NULL,
    example_doc_a  VARCHAR NOT NULL,
    example_doc_b  VARCHAR NOT NULL
);
