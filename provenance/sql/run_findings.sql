-- Findings of one run, most severe first.
SELECT code, severity, stage, source_id, path, member, line, doc_id, count, message, clause, fix
FROM findings
WHERE run_id = ?
ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END,
         source_id, code, path, member, line;
