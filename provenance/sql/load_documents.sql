-- Documents of the new file versions in one worker shard; unit_map maps the shard's file_index to versions.
INSERT INTO documents
SELECT m.version_id, d.ordinal, d.doc_id, d.line, d.chars, d.bytes, d.text_hash, NULL
FROM read_parquet(?) AS d
JOIN unit_map AS m USING (file_index)
WHERE m.is_new;  -- the shard is written in file and record order already
