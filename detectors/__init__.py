"""Pure content analysers: Arrow batches of (doc_id, text) in, Arrow tables of results out.

Detectors import neither `provenance` nor `flows`, so they run in any worker with nothing but their inputs.
"""

from detectors.base import Detector, DetectorConfig, available, create, register

__all__ = ["Detector", "DetectorConfig", "available", "create", "register"]
