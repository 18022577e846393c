"""PII detection: Chinese identifier recognizers for presidio and their validators."""
