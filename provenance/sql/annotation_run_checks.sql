-- The annotation check files of a run (parameter 1: run_id), per source and file.
SELECT source_id, file, kind, rows_read, rows_rejected, items, agreed, agreement, ci_low, ci_high, kappa,
       second_agreement, second_kappa, labels, first_rejected_line, error
FROM annotation_checks
WHERE run_id = ?
ORDER BY source_id, file, kind
