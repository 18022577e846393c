-- One verdict per run; checking a run again (e.g. with other margins) replaces its verdict.
INSERT OR REPLACE INTO run_checks (run_id, previous_run_id, worse, reasons, margins, not_compared, checked_at)
VALUES ($run_id, $previous_run_id, $worse, $reasons, $margins, $not_compared, $checked_at);
