"""PII detection: Chinese identifier recognizers for presidio and their validators.

Nothing here imports presidio: the engine (detectors.pii.engine) is imported when a detector first needs it, so
that importing `detectors` (every command does) stays fast.
"""

LANGUAGES = ("zh", "en")  # the recognizer sets
