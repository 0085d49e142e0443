"""Where the package finds its data files (lexicons, manifests, the embedded corpus).

Order: the ``FUPIN_DATA`` environment variable; the ``data/`` folder of a source checkout
(editable install, the usual case for researchers); the copy packed into a wheel (``_data``).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_dir() -> Path:
    """Return the folder that holds the package's editable data files.

    Example:
        >>> (data_dir() / "corpus").is_dir()
        True
    """
    override = os.environ.get("FUPIN_DATA")
    if override:
        return Path(override)
    checkout = _PACKAGE_DIR.parent.parent / "data"
    if (checkout / "corpus").is_dir():
        return checkout
    return _PACKAGE_DIR / "_data"


def file_state(path: str | os.PathLike[str]) -> tuple[str, int, int]:
    """A cache key that changes when a data file is edited: (path, modification time, size).

    Readers of editable data files cache their parse per key, so an edit is seen without a restart.
    """
    stat = os.stat(path)
    return str(path), stat.st_mtime_ns, stat.st_size


def project_root() -> Path | None:
    """Return the source checkout's root (the folder holding ``notebooks/``), or None for a wheel install."""
    root = _PACKAGE_DIR.parent.parent
    return root if (root / "notebooks").is_dir() else None


def seed_corpus_dir() -> Path:
    """Return the folder of the embedded seed corpus (five texts and their manifest)."""
    return data_dir() / "corpus"


def reports_corpus_dir() -> Path:
    """Return the folder of the government work reports corpus (1954–2025)."""
    return data_dir() / "corpora" / "government_work_reports"
