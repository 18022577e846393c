-- One annotation check file's results (provenance/annotation_stage.py, CheckResult.row).
INSERT INTO annotation_checks (run_id, source_id, file, kind, rows_read, rows_rejected, items, agreed, agreement,
                               ci_low, ci_high, kappa, second_agreement, second_kappa, labels, first_rejected_line,
                               error)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
