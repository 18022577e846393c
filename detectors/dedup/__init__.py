"""Exact and near-duplicate detection: normalised-text hashes, MinHash signatures (datasketch-compatible, computed
a batch at a time), LSH banding. Pure: imports neither `provenance` nor `flows`."""
