"""Score a quantity extractor against the hand-annotated gold standard (``data/gold``).

The gold file (``data/gold/quantities_002.tsv``, conventions in ``data/gold/README.md``) has one row per
quantity written with Arabic digits, with offsets into the *raw* file text (read with ``newline=""``, so
``\\r\\n`` stays two characters). :func:`score_quantities` matches predictions to gold rows the way the
project's reference scorer does:

* gold rows are taken in order; each takes the first prediction (in the extractor's order) not yet used
  that overlaps its core span ``start:end`` or its extended span ``ext_start:ext_end`` (with the
  approximation marker, 约 or 左右);
* a match is an *exact span* when the prediction's span equals either the core or the extended span;
* the value is right when it is within 1e-6 (relative) of the gold value, the unit when it is the same text;
* a prediction left unmatched is an extra (false positive) unless it overlaps an ``ignore`` span.

Precision, recall and F1 count matches; the exact-span, value and unit rates are shares of the matches.

Example:
    >>> gold = pd.DataFrame({"doc": ["d"], "start": [2], "end": [6], "surface": ["841个"], "value": ["841"],
    ...                      "unit": ["个"], "ext_start": [2], "ext_end": [6], "context": ["覆盖841个村"]})
    >>> scores = score_quantities(gold, {"d": "覆盖841个村,占80.9%。"})
    >>> scores["tp"], scores["fp"], scores["fn"], round(scores["precision"], 2), scores["recall"]
    (1, 1, 0, 0.5, 1.0)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from fupin_research.extract.quantities import extract_quantities

DETAIL_COLUMNS = [
    "doc", "kind", "start", "end", "surface", "gold_value", "predicted_value", "gold_unit", "predicted_unit",
    "context",
]
_CONTEXT = 12  # characters shown either side of a span in the details


def _gold_dir() -> Path:
    from fupin_research.paths import data_dir

    return data_dir() / "gold"


def load_gold(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read a gold TSV (default ``data/gold/quantities_002.tsv``); ``value`` stays a string (exact).

    A row without an extended span gets ``ext_start``/``ext_end`` equal to ``start``/``end``.

    Example:
        >>> gold = load_gold()
        >>> gold.iloc[0][["doc", "surface", "value", "unit"]].tolist(), int(gold.start[0]), int(gold.end[0])
        (['002_fbd7bac49d8a79cb', '7.1万', '71000', '人'], 235, 239)
    """
    path = Path(path) if path is not None else _gold_dir() / "quantities_002.tsv"
    exact = {"value": str, "number": str, "unit": str, "surface": str}
    gold = pd.read_csv(path, sep="\t", dtype=exact, keep_default_na=False)
    for short, long in (("start", "ext_start"), ("end", "ext_end")):
        if long not in gold:
            gold[long] = gold[short]
        gold[long] = pd.to_numeric(gold[long].replace("", pd.NA)).fillna(gold[short]).astype(int)
    return gold


def load_excluded(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read the digit runs that are *not* quantities (default ``data/gold/excluded_digit_runs_002.tsv``).

    Columns: ``doc``, ``start``, ``end``, ``digits``, ``reason``, ``context``.

    Example:
        >>> excluded = load_excluded()
        >>> excluded.loc[0, ["digits", "reason"]].tolist()
        ['2018', 'year as time point (2018年)']
    """
    path = Path(path) if path is not None else _gold_dir() / "excluded_digit_runs_002.tsv"
    return pd.read_csv(path, sep="\t", dtype={"digits": str}, keep_default_na=False)


def read_texts(doc_ids: Iterable[str], folder: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """The raw text of each document, ``<folder>/<doc>.txt`` read as UTF-8 with ``newline=""``.

    Gold offsets point into this raw text (line endings as in the file); ``folder`` defaults to the seed
    corpus ``data/corpus``.

    Example:
        >>> texts = read_texts(["002_fbd7bac49d8a79cb"])
        >>> texts["002_fbd7bac49d8a79cb"][235:239]
        '7.1万'
    """
    from fupin_research.paths import seed_corpus_dir

    base = Path(folder) if folder is not None else seed_corpus_dir()
    texts = {}
    for doc in sorted(set(doc_ids)):
        with open(base / f"{doc}.txt", encoding="utf-8", newline="") as handle:
            texts[doc] = handle.read()
    return texts


@dataclass
class _Outcome:
    """Everything the matching found; :func:`score_quantities` counts it, :func:`score_details` lists it."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    strict: int = 0
    value_ok: int = 0
    unit_ok: int = 0
    excluded_hits: int | None = None
    rows: list[tuple] = field(default_factory=list)


def _context(text: str, start: int, end: int) -> str:
    snippet = text[max(0, start - _CONTEXT):end + _CONTEXT]
    return " ".join(snippet.split())  # line breaks and runs of spaces shown as one space


def _same_value(predicted, gold: str) -> bool:
    g = float(gold)
    return abs(float(predicted) - g) <= 1e-6 * max(1.0, abs(g))


def _match(
    gold: pd.DataFrame,
    texts: Mapping[str, str],
    extractor: Callable[[str], pd.DataFrame],
    ignore: pd.DataFrame | None,
    excluded: pd.DataFrame | None,
) -> _Outcome:
    out = _Outcome(excluded_hits=None if excluded is None else 0)
    docs = sorted(set(gold["doc"]) | (set(excluded["doc"]) if excluded is not None else set()))
    for doc in docs:
        text = texts[doc]
        pred = extractor(text)
        g = gold[gold["doc"] == doc]
        skip = [] if ignore is None else list(zip(ignore.loc[ignore["doc"] == doc, "start"],
                                                  ignore.loc[ignore["doc"] == doc, "end"]))
        used: set[int] = set()
        preds = list(pred.itertuples())
        for row in g.itertuples():
            spans = {(row.start, row.end), (row.ext_start, row.ext_end)}
            lo, hi = min(row.start, row.ext_start), max(row.end, row.ext_end)
            hit = next((i for i, p in enumerate(preds) if i not in used and p.start < hi and p.end > lo), None)
            if hit is None:
                out.fn += 1
                out.rows.append((doc, "missed", row.start, row.end, row.surface, row.value, None, row.unit, None,
                                 _context(text, row.start, row.end)))
                continue
            used.add(hit)
            p = preds[hit]
            out.tp += 1
            out.strict += (p.start, p.end) in spans
            if _same_value(p.value, row.value):
                out.value_ok += 1
            else:
                out.rows.append((doc, "value", p.start, p.end, p.surface, row.value, str(p.value), row.unit,
                                 p.unit, _context(text, p.start, p.end)))
            if str(p.unit) == str(row.unit):
                out.unit_ok += 1
            else:
                out.rows.append((doc, "unit", p.start, p.end, p.surface, row.value, str(p.value), row.unit,
                                 p.unit, _context(text, p.start, p.end)))
            if (p.start, p.end) not in spans:
                out.rows.append((doc, "span", p.start, p.end, p.surface, row.value, str(p.value), row.unit,
                                 p.unit, _context(text, p.start, p.end)))
        runs = [] if excluded is None else list(zip(excluded.loc[excluded["doc"] == doc, "start"],
                                                    excluded.loc[excluded["doc"] == doc, "end"]))
        for i, p in enumerate(preds):
            if any(p.start < e and p.end > s for s, e in runs):
                out.excluded_hits += 1
                out.rows.append((doc, "excluded", p.start, p.end, p.surface, None, str(p.value), None, p.unit,
                                 _context(text, p.start, p.end)))
            if doc not in set(g["doc"]) or i in used or any(p.start < e and p.end > s for s, e in skip):
                continue  # a document with excluded runs only has no gold rows to be extra against
            out.fp += 1
            out.rows.append((doc, "extra", p.start, p.end, p.surface, None, str(p.value), None, p.unit,
                             _context(text, p.start, p.end)))
    return out


def score_quantities(
    gold: pd.DataFrame,
    texts: Mapping[str, str],
    extractor: Callable[[str], pd.DataFrame] = extract_quantities,
    ignore: pd.DataFrame | None = None,
    *,
    excluded: pd.DataFrame | None = None,
) -> dict[str, float | int | None]:
    """Precision, recall, F1 and span / value / unit accuracy of ``extractor`` on the gold rows.

    ``texts`` maps each ``doc`` of ``gold`` (and of ``excluded``) to its raw text (see :func:`read_texts`).
    ``ignore`` holds spans (columns ``doc``, ``start``, ``end``) where an unmatched prediction is not counted
    as an extra. ``excluded`` (as from :func:`load_excluded`) lists digit runs that are not quantities;
    ``excluded_hits`` counts the predictions that overlap one (None when ``excluded`` is not given).

    Returns ``gold``, ``predicted``, ``tp``, ``fp``, ``fn``, ``precision``, ``recall``, ``f1``,
    ``strict_span``, ``value_acc``, ``unit_acc`` and ``excluded_hits``.

    Example:
        >>> gold = load_gold()
        >>> scores = score_quantities(gold, read_texts(gold["doc"]), excluded=load_excluded())
        >>> scores["gold"], scores["recall"], scores["excluded_hits"]
        (42, 1.0, 0)
    """
    o = _match(gold, texts, extractor, ignore, excluded)
    precision = o.tp / (o.tp + o.fp) if o.tp + o.fp else 0.0
    recall = o.tp / (o.tp + o.fn) if o.tp + o.fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    n = max(o.tp, 1)
    return {
        "gold": o.tp + o.fn, "predicted": o.tp + o.fp, "tp": o.tp, "fp": o.fp, "fn": o.fn,
        "precision": precision, "recall": recall, "f1": f1,
        "strict_span": o.strict / n, "value_acc": o.value_ok / n, "unit_acc": o.unit_ok / n,
        "excluded_hits": o.excluded_hits,
    }


def score_details(
    gold: pd.DataFrame,
    texts: Mapping[str, str],
    extractor: Callable[[str], pd.DataFrame] = extract_quantities,
    ignore: pd.DataFrame | None = None,
    *,
    excluded: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The errors behind :func:`score_quantities`, one row each (columns ``DETAIL_COLUMNS``).

    ``kind`` is ``missed`` (a gold row no prediction overlaps), ``extra`` (a prediction matching no gold row),
    ``value`` / ``unit`` (a match with the wrong value or unit), ``span`` (a match whose span is neither the
    core nor the extended gold span) or ``excluded`` (a prediction on an excluded digit run). ``context`` is
    the span with 12 characters either side, whitespace collapsed. Sorted by doc, start and kind.

    Example:
        >>> gold = pd.DataFrame({"doc": ["d"], "start": [2], "end": [6], "surface": ["841个"], "value": ["841"],
        ...                      "unit": ["个"], "ext_start": [2], "ext_end": [6]})
        >>> score_details(gold, {"d": "覆盖841个村,占80.9%。"})[["kind", "surface", "context"]].values.tolist()
        [['extra', '80.9%', '覆盖841个村,占80.9%。']]
    """
    o = _match(gold, texts, extractor, ignore, excluded)
    frame = pd.DataFrame(o.rows, columns=DETAIL_COLUMNS)
    return frame.sort_values(["doc", "start", "kind"], kind="stable").reset_index(drop=True)


__all__ = ["DETAIL_COLUMNS", "load_excluded", "load_gold", "read_texts", "score_details", "score_quantities"]


def load_annotations(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The annotated documents and how each annotation was made (default ``data/gold/annotations.csv``).

    Columns: ``doc``, ``quantities`` and ``excluded`` (files relative to ``data/gold``), ``annotator``, ``blind``
    (yes / no / unknown: had the annotator not seen the package's output?), ``how_made``.

    Example:
        >>> load_annotations().doc.str[:3].tolist()
        ['002', '003', '004']
    """
    path = Path(path) if path is not None else _gold_dir() / "annotations.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def score_annotations(annotations: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score the extractor on every annotated document: one row per document, with how its annotation was made.

    The annotations hold Arabic-digit quantities only, so predictions written in Chinese numerals are ignored
    (neither right nor wrong; their number is ``ignored``) on every document alike.

    Example:
        >>> scores = score_annotations()
        >>> scores[["doc", "gold", "blind"]].values.tolist()[0]
        ['002_fbd7bac49d8a79cb', 42, 'unknown']
    """
    annotations = load_annotations() if annotations is None else annotations
    rows = []
    for row in annotations.itertuples(index=False):
        gold, excluded, texts, ignore = annotation_inputs(row.doc, annotations)
        scores = score_quantities(gold, texts, ignore=ignore, excluded=excluded)
        rows.append({"doc": row.doc, **scores, "ignored": len(ignore), "blind": row.blind, "how_made": row.how_made})
    return pd.DataFrame(rows)


def annotation_inputs(doc: str, annotations: pd.DataFrame | None = None):
    """``(gold, excluded, texts, ignore)`` for one annotated document: its gold rows, its excluded digit runs, its
    raw text (``{doc: text}``) and the predictions written in Chinese numerals (set aside by the scores).

    Example:
        >>> gold, excluded, texts, ignore = annotation_inputs("004_b2c48652dc48c734")
        >>> len(gold), list(texts)
        (62, ['004_b2c48652dc48c734'])
    """
    annotations = load_annotations() if annotations is None else annotations
    row = annotations.set_index("doc").loc[doc]
    gold = load_gold(_gold_dir() / row["quantities"])
    excluded = load_excluded(_gold_dir() / row["excluded"])
    texts = read_texts([doc])
    predicted = extract_quantities(texts[doc])
    ignore = predicted[predicted["numeral_script"] == "chinese"].assign(doc=doc)
    return gold, excluded, texts, ignore


def annotation_details(annotations: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`score_details` on every annotated document (Chinese-numeral predictions set aside as in the scores).

    Example:
        >>> list(annotation_details().columns) == DETAIL_COLUMNS
        True
    """
    annotations = load_annotations() if annotations is None else annotations
    frames = []
    for doc in annotations["doc"]:
        gold, excluded, texts, ignore = annotation_inputs(doc, annotations)
        frames.append(score_details(gold, texts, ignore=ignore, excluded=excluded))
    return pd.concat(frames, ignore_index=True)
