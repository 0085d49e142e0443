"""Term counts for term evolution: how often key terms occur in a text, and when each first/last appears.

Count on NORMALIZED text (:func:`fupin_research.normalize.normalize`): in the raw reports a term may be cut by
a line break or a zero-width space, and traditional-script reports (1954–1959) write 貧困 for 贫困.

Counting choices: a term is counted as a plain substring with :meth:`str.count`, i.e. non-overlapping
occurrences of the term with itself (irrelevant for real terms), and independently of other terms, so 扶贫
also counts the 扶贫 inside 扶贫开发 and 精准扶贫. ``per_10k_chars`` divides by ``len(text)``.

Example:
    >>> count_terms("精准扶贫,扶贫开发。", ["扶贫", "扶贫开发", "小康"])["count"].tolist()
    [2, 1, 0]
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from fupin_research.paths import data_dir

COUNT_COLUMNS = ["term", "count", "per_10k_chars"]
TIMELINE_COLUMNS = ["term", "first_year", "last_year", "n_years", "total_count"]


def key_terms_file() -> Path:
    """Return the shipped ``data/key_terms.txt``."""
    return data_dir() / "key_terms.txt"


def load_key_terms(path: str | os.PathLike[str] | None = None) -> list[str]:
    """Read the key terms (one a line, ``#`` comments, duplicates dropped, order kept).

    Example:
        >>> terms = load_key_terms()
        >>> "精准扶贫" in terms and "乡村振兴" in terms
        True
    """
    source = Path(path) if path else key_terms_file()
    terms: list[str] = []
    for raw in source.read_text(encoding="utf-8").splitlines():
        term = raw.split("#", 1)[0].strip()
        if term and term not in terms:
            terms.append(term)
    return terms


def count_terms(text: str, terms: list[str] | None = None) -> pd.DataFrame:
    """Count each term in ``text`` (pass normalized text); ``terms`` defaults to :func:`load_key_terms`.

    Returns one row per term: ``term``, ``count``, ``per_10k_chars`` (count per 10,000 characters of text).

    Example:
        >>> count_terms("扶贫\\n攻坚", ["扶贫攻坚"])["count"].tolist()  # raw text: the line break hides it
        [0]
    """
    terms = load_key_terms() if terms is None else terms
    size = len(text)
    rows = []
    for term in terms:
        count = text.count(term) if term else 0
        rows.append((term, count, count * 10_000 / size if size else 0.0))
    frame = pd.DataFrame(rows, columns=COUNT_COLUMNS)
    return frame.astype({"term": object, "count": "int64", "per_10k_chars": "float64"})


def term_timeline(counts: pd.DataFrame) -> pd.DataFrame:
    """First and last year each term appears, from a long table (year, term, count[, per_10k_chars]).

    Rows with ``count == 0`` do not count as an appearance; a term that never appears gets no row.

    Example:
        >>> long = pd.DataFrame({"year": [1994, 2015, 2015], "term": ["扶贫", "扶贫", "精准扶贫"],
        ...                      "count": [3, 40, 0]})
        >>> term_timeline(long).values.tolist()
        [['扶贫', 1994, 2015, 2, 43]]
    """
    present = counts[counts["count"] > 0]
    if present.empty:
        return pd.DataFrame(columns=TIMELINE_COLUMNS)
    grouped = present.groupby("term", sort=False)
    timeline = pd.DataFrame(
        {
            "first_year": grouped["year"].min(),
            "last_year": grouped["year"].max(),
            "n_years": grouped["year"].nunique(),
            "total_count": grouped["count"].sum(),
        }
    ).reset_index()
    timeline = timeline.sort_values(["first_year", "term"], kind="stable").reset_index(drop=True)
    return timeline[TIMELINE_COLUMNS].astype({"first_year": "int64", "last_year": "int64", "n_years": "int64"})
