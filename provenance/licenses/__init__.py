"""Licence normalisation and classification for training-data provenance (see `normalize`)."""

from provenance.licenses.normalize import (
    NOASSERTION,
    UNKNOWN,
    USE_CLASSES,
    AliasRow,
    ClassRow,
    LicenseClass,
    NormalizedLicense,
    alias_rows,
    choose,
    class_table,
    classify,
    combine,
    normalize,
    spdx_id,
)

__all__ = [
    "NOASSERTION",
    "UNKNOWN",
    "USE_CLASSES",
    "AliasRow",
    "ClassRow",
    "LicenseClass",
    "NormalizedLicense",
    "alias_rows",
    "choose",
    "class_table",
    "classify",
    "combine",
    "normalize",
    "spdx_id",
]
