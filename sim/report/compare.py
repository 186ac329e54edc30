"""The report of a comparison folder (placeholder until built)."""
