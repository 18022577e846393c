"""What the PII tests compare when a faster path must give presidio's results: every field of each result."""

from __future__ import annotations


def explained(results) -> list[tuple]:
    """Each result's type, span and score, its explanation's pattern, validation and score, and its metadata."""
    return sorted((r.entity_type, r.start, r.end, r.score, r.analysis_explanation.pattern_name,
                   r.analysis_explanation.validation_result, r.analysis_explanation.score,
                   tuple(sorted(r.recognition_metadata.items()))) for r in results)
