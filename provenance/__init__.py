"""Training-data provenance auditor: the core (manifest, readers, catalog, findings, reports, CLI)."""

__version__ = "0.1.0"
