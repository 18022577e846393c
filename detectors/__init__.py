"""Pure content analysers: Arrow batches of (doc_id, text) in, Arrow tables of results out.

Detectors import neither `provenance` nor `flows`, so they run in any worker with nothing but their inputs.
Each module registers its detector on import; importing it here is what makes its stage available.
"""

from detectors.base import Detector, DetectorConfig, available, create, register

import detectors.notices  # noqa: E402,F401  (registers the "notices" stage)
import detectors.dedup.detector  # noqa: E402,F401  (registers the "duplicates" stage)
import detectors.pii.detector  # noqa: E402,F401  (registers the "pii" stage)
import detectors.diversity.detector  # noqa: E402,F401  (registers the "diversity" stage)

__all__ = ["Detector", "DetectorConfig", "available", "create", "register"]
