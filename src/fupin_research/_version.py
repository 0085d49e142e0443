"""The package version (one place, read by __init__ and by build fingerprints)."""

__version__ = "0.1.0"
