"""The report of a sweep folder (placeholder until built)."""
