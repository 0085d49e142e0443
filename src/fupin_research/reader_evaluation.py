"""How well the readers recover the body of web pages, PDFs and Word files: character-level recall and precision.

A test set is a folder with a ``manifest.csv`` (columns ``file``, ``format``, ``expected``, ``expected_skip``,
``title``, ``date``, ``doc_number``) and, for each readable file, a hand-checked expected body text. Both texts are
normalized (:func:`fupin_research.normalize.normalize`) and stripped of whitespace; the characters of the longest
matching blocks in order (difflib) are the matched ones:

- ``recall`` = matched / expected characters: the share of the body recovered;
- ``precision`` = matched / extracted characters: the share of the extraction that is body, not boilerplate.

``scripts/evaluate_readers.py`` prints the per-format summary for tests/fixtures/formats.
"""

from __future__ import annotations

import csv
import difflib
import os
import re
from pathlib import Path

import pandas as pd

from fupin_research.corpus import make_document
from fupin_research.errors import InputError
from fupin_research.normalize import normalize
from fupin_research.readers import read_file

RESULT_COLUMNS = ["file", "format", "read", "reason", "skip_expected", "recall", "precision", "title_found",
                  "title_right", "date_found", "date_kind", "date_right", "doc_number_found", "doc_number_right",
                  "issuer_found", "known_failure"]


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", normalize(text))


def body_scores(expected: str, extracted: str) -> tuple[float, float]:
    """(recall, precision) of ``extracted`` against ``expected``, by characters after normalization.

    Example:
        >>> body_scores("精准扶贫\\n脱贫攻坚", "首页\\n精准扶贫 脱贫攻坚")
        (1.0, 0.8)
    """
    want, got = _compact(expected), _compact(extracted)
    if not want or not got:
        return (0.0 if want else 1.0), (0.0 if got else 1.0)
    matcher = difflib.SequenceMatcher(None, want, got, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return round(matched / len(want), 4), round(matched / len(got), 4)


def evaluate_readers(folder: str | os.PathLike[str]) -> pd.DataFrame:
    """One row per file of a test set (see the module docstring): read or skipped, scores, metadata found."""
    folder = Path(folder)
    with (folder / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    results = []
    for row in rows:
        path = folder / row["file"]
        result = dict.fromkeys(RESULT_COLUMNS, None)
        result.update(file=row["file"], format=row["format"], skip_expected=row.get("expected_skip", ""),
                      known_failure=row.get("known_failure", "") or "")
        try:
            extracted = read_file(path)
        except InputError as error:
            result.update(read=False, reason=str(error).split(": ", 1)[-1])
            results.append(result)
            continue
        doc = make_document(path, extracted.text, extracted.encoding, format=extracted.format, found=extracted.meta)
        meta = doc.meta
        result.update(read=True, reason="", title_found=meta.get("title", ""), date_found=meta.get("date", ""),
                      date_kind=meta.get("date_kind", ""), doc_number_found=meta.get("doc_number", ""),
                      issuer_found=meta.get("issuer", ""))
        if row.get("expected"):
            expected = (folder / row["expected"]).read_text(encoding="utf-8")
            result["recall"], result["precision"] = body_scores(expected, extracted.text)
        for key in ("title", "date", "doc_number"):
            if row.get(key):
                result[f"{key}_right"] = _compact(row[key]) == _compact(str(meta.get(key, "")))
        results.append(result)
    return pd.DataFrame(results, columns=RESULT_COLUMNS)


def reader_summary(results: pd.DataFrame) -> pd.DataFrame:
    """Per format: files, read, skipped as expected, mean and lowest recall and precision, metadata right."""
    rows = []
    for fmt, group in results.groupby("format", sort=True):
        scored = group.dropna(subset=["recall"])
        rows.append({
            "format": fmt,
            "files": len(group),
            "read": int(group["read"].sum()),
            "skipped_as_expected": int(((~group["read"].astype(bool)) & (group["skip_expected"] != "")
                                        & (group["reason"] == group["skip_expected"])).sum()),
            "recall_mean": round(scored["recall"].mean(), 3) if len(scored) else None,
            "recall_min": round(scored["recall"].min(), 3) if len(scored) else None,
            "precision_mean": round(scored["precision"].mean(), 3) if len(scored) else None,
            "precision_min": round(scored["precision"].min(), 3) if len(scored) else None,
            **{f"{key}_right": _share(group[f"{key}_right"]) for key in ("title", "date", "doc_number")},
        })
    return pd.DataFrame(rows)


def _share(column: pd.Series) -> str:
    known = column.dropna()
    return f"{int(known.astype(bool).sum())}/{len(known)}" if len(known) else ""
