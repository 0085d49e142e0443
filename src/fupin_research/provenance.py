"""What a build's tables depend on besides the texts, recorded beside them as ``provenance.json``.

Results depend on exact versions (jieba's dictionary, OpenCC's conversion tables, pandas' and Arrow's writers) and
on the editable data files. :func:`provenance_record` gathers them; ``fupin build`` writes it with the tables. The
record holds no time stamp and no machine path, so two builds of the same input on the same versions write the same
bytes, and two records can be compared with ``diff`` to see why two builds differ.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from fupin_research.paths import data_dir

PROVENANCE_FILE = "provenance.json"
RECORDED_PACKAGES = ("fupin-research", "jieba", "rjieba", "opencc", "pandas", "pyarrow", "numpy", "scikit-learn",
                     "charset-normalizer")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_versions(names: Iterable[str] = RECORDED_PACKAGES) -> dict[str, str | None]:
    """Installed versions of the packages whose behaviour shapes the tables (None where not installed).

    Example:
        >>> package_versions(["jieba"])
        {'jieba': '0.42.1'}
    """
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def data_file_hashes(folder: Path | None = None) -> dict[str, str]:
    """SHA-256 of every editable data file directly in ``data/`` (lexicons, codebook, chrome list ...).

    Example:
        >>> len(data_file_hashes()["userdict.txt"])
        64
    """
    folder = folder or data_dir()
    return {path.name: _sha256(path) for path in sorted(folder.iterdir()) if path.is_file()}


def provenance_record(settings: dict[str, object], inputs: Iterable[Path] = ()) -> dict[str, object]:
    """The provenance of one build: versions, data-file hashes, settings and the input files' hashes.

    Example:
        >>> record = provenance_record({"segmenter": "jieba"})
        >>> sorted(record)
        ['data_files', 'inputs', 'packages', 'python', 'settings']
        >>> record["packages"]["jieba"]
        '0.42.1'
    """
    return {
        "packages": package_versions(),
        "python": platform.python_version(),
        "settings": dict(sorted(settings.items())),
        "data_files": data_file_hashes(),
        "inputs": {path.name: _sha256(path) for path in sorted(inputs, key=lambda p: p.name)},
    }


def write_provenance(folder: Path, settings: dict[str, object], inputs: Iterable[Path] = ()) -> Path:
    """Write :func:`provenance_record` as ``folder/provenance.json`` (sorted keys, UTF-8) and return its path."""
    path = folder / PROVENANCE_FILE
    text = json.dumps(provenance_record(settings, inputs), ensure_ascii=False, indent=2, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")
    return path
