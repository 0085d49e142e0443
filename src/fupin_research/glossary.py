"""The glossary of policy terms the notebooks use (``data/glossary.csv``, editable).

Columns: ``term`` (Chinese), ``pinyin``, ``english``, ``gloss`` (one or two sentences) and ``notebook`` (the
first notebook that uses the term, e.g. ``01_corpus``). Notebook 00 renders it; the other notebooks link a term
to it as ``[建档立卡](00_overview.ipynb#Glossary)``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from fupin_research.errors import InputError

GLOSSARY_COLUMNS = ["term", "pinyin", "english", "gloss", "notebook"]


def load_glossary(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Load the glossary (default ``data/glossary.csv``): one row per term, in file order.

    Example:
        >>> glossary = load_glossary()
        >>> glossary.set_index("term").loc["建档立卡", "english"]
        'registering poor households (files and cards)'
        >>> len(glossary) >= 40
        True
    """
    if path is None:
        from fupin_research.paths import data_dir

        path = data_dir() / "glossary.csv"
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read the glossary ({error})") from error
    missing = [c for c in GLOSSARY_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing columns {missing}")
    duplicated = sorted(set(frame.loc[frame["term"].duplicated(), "term"]))
    if duplicated:
        raise InputError(f"{path}: terms listed twice: {duplicated}")
    return frame[GLOSSARY_COLUMNS]
