"""The detector contract and the one registry every stage is listed in."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Callable, ClassVar

import pyarrow as pa


@dataclass(frozen=True)
class DetectorConfig:
    """Base for detector configs: frozen, validated when built, recorded with the results (by its hash)."""

    version: int = 1  # bump when the detector's output changes meaning, so stored results are recomputed

    def recorded(self) -> dict:
        """What identifies the results: hashed into the stage's config_hash. Secrets are left out here."""
        return asdict(self)


class Detector:
    """A content analyser. Subclasses set `name` and `result_table` and write `process`.

    `name` is the stage name users pass to `--stages`, the key in the catalog's stage_results, and the prefix of
    its statistics. `result_table` is the catalog table (created by a migration) its rows are loaded into; the
    rows must have a `doc_id` column; the loader adds the file version.

    A detector with more than one table lists them all in `result_tables` and returns {table: rows} from
    `process`/`finish`. Rows of per-file aggregates carry `file_index` (the batch's column of that name: an opaque
    key of the file a document came from) instead of `doc_id`.
    """

    name: ClassVar[str]
    result_table: ClassVar[str]
    result_tables: ClassVar[tuple[str, ...]] = ()  # when empty: (result_table,)
    config_class: ClassVar[type[DetectorConfig]] = DetectorConfig
    keeps_documents: bool = False  # True when process() holds documents back for finish() (the scanner then keeps
                                   # every document's file index until the file is done)

    def __init__(self, config: DetectorConfig | None = None):
        self.config = config or self.config_class()

    def config_hash(self) -> str:
        return config_hash(self.name, self.config)

    @classmethod
    def tables(cls) -> tuple[str, ...]:
        return cls.result_tables or (cls.result_table,)

    def process(self, batch: pa.RecordBatch) -> pa.Table | dict[str, pa.Table] | None:
        """Analyse one batch with columns doc_id (string), text (string) and file_index (int32)."""
        raise NotImplementedError

    def files_complete(self, below: int) -> pa.Table | dict[str, pa.Table] | None:
        """Called by the scanner after each batch: every file whose index is below `below` has had all its documents
        (a unit's files are read one after another and numbered in that order). A detector holding per-file state
        returns those files' rows here, so that its memory follows the files in flight, not the unit (an archive
        can hold 20,000 members); `finish` returns the rest."""
        return None

    def finish(self) -> pa.Table | dict[str, pa.Table] | None:
        """Called once after the last batch of a file: rows of work kept back (e.g. a sample), or None."""
        return None


def config_hash(name: str, config: DetectorConfig) -> str:
    """What identifies a stage's results: its name and recorded config (no detector needs building for it)."""
    payload = json.dumps({"name": name, **config.recorded()}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


_REGISTRY: dict[str, Callable[[], Detector]] = {}


def register(cls: type[Detector]) -> type[Detector]:
    """Class decorator: make a detector available to `--stages` under its name."""
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"detector name {cls.name!r} is registered twice")
    _REGISTRY[cls.name] = cls
    return cls


def available() -> dict[str, Callable[[], Detector]]:
    return dict(_REGISTRY)


def create(name: str, config: DetectorConfig | None = None) -> Detector:
    return _REGISTRY[name](config)
