-- Licence files and dataset cards inside the archives of a run (unchanged archives keep theirs).
SELECT DISTINCT t.source_id, t.path, t.member, t.text
FROM license_texts AS t
JOIN (SELECT DISTINCT source_id, path, disk_sha256 FROM files WHERE run_id = ? AND status <> 'removed') AS f
  USING (source_id, path, disk_sha256)
ORDER BY t.source_id, t.path, t.member;
