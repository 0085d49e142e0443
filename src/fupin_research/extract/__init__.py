"""Extractors: one module per kind of extraction; each takes a ``str`` and returns a DataFrame."""
