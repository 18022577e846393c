"""Prefect flows: orchestration only (what runs, in what order, in how many workers)."""
