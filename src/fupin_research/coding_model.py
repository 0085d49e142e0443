"""A supervised coder learned from the blind hand codes, combined with the codebook, and its honest validation.

The model (scikit-learn logistic regression, one per dimension) reads two kinds of features of a unit:
character 1-3-grams of its text (TF-IDF) and the codebook's own evidence — the rule coder's weighed score of
every code and the gate's cues (:func:`fupin_research.coding.rule_decisions`). It is validated by
cross-validation grouped by document (:func:`grouped_folds`): the units of one document are never on both
sides of a split, so a score says how the coder does on documents it has not seen. Decisions are
deterministic: fixed folds, a deterministic solver, ties of probability broken by code id.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from fupin_research.coding import (
    GATE_DIMENSION,
    NO_CODE,
    PRIMARY_COLUMNS,
    _gate,
    _ranked,
    _weight_table,
    _without_nested,
    add_instrument_type,
    code_units,
    load_blind_codes,
    load_codebook,
    load_coding_sample,
    rule_decisions,
    term_weight,
)
from fupin_research.errors import InputError
from fupin_research.paths import data_dir, file_state

MODEL_DIMENSIONS = ["instrument", "target_area"]
MODEL_METHODS = ("model", "model_text")
METHODS = ("rules", *MODEL_METHODS)
FOLDS = 5
C = 4.0  # inverse regularisation of the logistic regression (fixed, not tuned on the test folds)


def codebook_features(units: pd.DataFrame, codes: pd.DataFrame, codebook: dict[str, Any]) -> np.ndarray:
    """Per unit: the weighed evidence of every code (both dimensions), the gate cues and the gate margin.

    Rows follow ``units``; columns are codebook order (instrument codes, target codes, 4 gate cues, margin).

    Example:
        >>> units = pd.DataFrame({"doc_id": ["d"], "unit_id": ["d-1"], "start": [0], "text": ["给予贴息。"]})
        >>> book = load_codebook()
        >>> features = codebook_features(units, code_units(units, book), book)
        >>> features.shape[0], float(features.max()) > 0
        (1, True)
    """
    specs, _ = _weight_table(codebook)
    columns = [c["id"] for dim in MODEL_DIMENSIONS for c in codebook["dimensions"][dim]["codes"]]
    gate = [c["id"] for c in codebook.get("gate") or []]
    position = {cid: i for i, cid in enumerate([*columns, *gate])}
    row_of = {(d, u): i for i, (d, u) in enumerate(zip(units.doc_id, units.unit_id))}
    spans: dict[tuple[int, str], list] = {}
    for d, u, dim, code, term, start, end in zip(codes.doc_id, codes.unit_id, codes.dimension, codes.code,
                                                 codes.evidence, codes.start, codes.end):
        row = row_of.get((d, u))
        if row is not None and code in specs:
            spans.setdefault((row, dim), []).append((int(start), int(end), code, str(term),
                                                     term_weight(specs[code], str(term))))
    matrix = np.zeros((len(units), len(position) + 1))
    for (row, dim), found in spans.items():
        if dim == GATE_DIMENSION:
            for _s, _e, code, _t, _w in found:
                matrix[row, position[code]] += 1.0
            continue
        for code, total, _strongest, _first in _ranked(_without_nested(found)):
            matrix[row, position[code]] = total
    for row in range(len(units)):
        cues = {cid: matrix[row, position[cid]] for cid in gate}
        best = max((matrix[row, position[c]] for c in columns[: len(codebook["dimensions"]["instrument"]["codes"])]),
                   default=0.0)
        matrix[row, -1] = _gate(cues, best)
    return matrix


def evidence_bags(units: pd.DataFrame, codes: pd.DataFrame) -> list[list[str]]:
    """Per unit, its codebook evidence as tokens: ``code|term`` and the bare ``term`` (gate cues included).

    Example:
        >>> units = pd.DataFrame({"doc_id": ["d"], "unit_id": ["d-1"], "start": [0], "text": ["给予贴息。"]})
        >>> evidence_bags(units, code_units(units))[0][:2]
        ['environmental.finance_credit|贴息', '贴息']
    """
    bags: dict[tuple[str, str], list[str]] = {}
    for doc_id, unit_id, code, term in zip(codes.doc_id, codes.unit_id, codes.code, codes.evidence):
        bags.setdefault((doc_id, unit_id), []).extend([f"{code}|{term}", str(term)])
    return [bags.get((d, u), []) for d, u in zip(units.doc_id, units.unit_id)]


def _tokens(bag: list[str]) -> list[str]:
    """The analyzer of the evidence vectorizer: a bag is already a list of tokens."""
    return bag


class CodingModel:
    """Logistic regression per dimension on the codebook's evidence (tokens :func:`evidence_bags` and scores
    :func:`codebook_features`), with ``text=True`` also on character 1-3-grams of the unit text."""

    def __init__(self, codebook: dict[str, Any] | None = None, *, text: bool = True) -> None:
        self.codebook = codebook or load_codebook()
        self.text = text
        self.evidence = TfidfVectorizer(analyzer=_tokens, sublinear_tf=True)
        self.grams = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True)
        self.models: dict[str, LogisticRegression] = {}

    @property
    def method(self) -> str:
        return "model_text" if self.text else "model"

    def _matrix(self, units: pd.DataFrame, codes: pd.DataFrame, *, fit: bool) -> sparse.csr_matrix:
        bags = evidence_bags(units, codes)
        parts = [self.evidence.fit_transform(bags) if fit else self.evidence.transform(bags)]
        if self.text:
            texts = units.text.astype(str).tolist()
            parts.append(self.grams.fit_transform(texts) if fit else self.grams.transform(texts))
        book = codebook_features(units, codes, self.codebook)
        # the codebook scores are on another scale than TF-IDF; a square root keeps large counts from dominating
        parts.append(sparse.csr_matrix(np.sign(book) * np.sqrt(np.abs(book))))
        return sparse.hstack(parts).tocsr()

    def fit(self, units: pd.DataFrame, hand: pd.DataFrame, codes: pd.DataFrame | None = None) -> CodingModel:
        """Train on ``units`` (doc_id, unit_id, text, start) and their long hand codes."""
        codes = code_units(units, self.codebook) if codes is None else codes
        matrix = self._matrix(units, codes, fit=True)
        for dim in MODEL_DIMENSIONS:
            labels = _labels(units, hand, dim)
            model = LogisticRegression(C=C, solver="newton-cg", tol=1e-3, max_iter=300, class_weight="balanced")
            self.models[dim] = model.fit(matrix, labels)
        return self

    def decide(self, units: pd.DataFrame, codes: pd.DataFrame | None = None) -> pd.DataFrame:
        """The model's primary code, runner-up and confidence (its probability) per unit and dimension."""
        codes = code_units(units, self.codebook) if codes is None else codes
        matrix = self._matrix(units, codes, fit=False)
        spans: dict[tuple[str, str, str], list[str]] = {}
        for doc_id, unit_id, code, term, start, end in zip(codes.doc_id, codes.unit_id, codes.code,
                                                           codes.evidence, codes.start, codes.end):
            spans.setdefault((doc_id, unit_id, code), []).append(f"{term}@{start}-{end}")
        _, types = _weight_table(self.codebook)
        rows = []
        for dim, model in self.models.items():
            probability = model.predict_proba(matrix)
            classes = list(model.classes_)
            for row, (doc_id, unit_id) in enumerate(zip(units.doc_id, units.unit_id)):
                # highest probability first; equal probabilities by code id (classes_ is sorted)
                order = sorted(range(len(classes)), key=lambda k: (-round(probability[row, k], 12), classes[k]))
                code, runner = classes[order[0]], classes[order[1]] if len(order) > 1 else NO_CODE
                evidence = "; ".join(spans.get((doc_id, unit_id, code), []))  # the codebook evidence of the code
                rows.append((doc_id, unit_id, dim, code, runner, round(float(probability[row, order[0]]), 3),
                             self.method, types.get(code, ""), round(float(probability[row, order[0]]), 3), evidence))
        return add_instrument_type(pd.DataFrame(rows, columns=PRIMARY_COLUMNS), types)


def _labels(units: pd.DataFrame, hand: pd.DataFrame, dim: str) -> list[str]:
    """The hand code of every unit in one dimension (``none`` where the coder gave none)."""
    codes = hand[hand.dimension == dim].set_index(["doc_id", "unit_id"]).code
    return [str(codes.get((d, u), NO_CODE)) for d, u in zip(units.doc_id, units.unit_id)]


def grouped_folds(doc_ids: pd.Series | list[str], folds: int = FOLDS) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train rows, test rows) of a cross-validation grouped by document: documents are dealt to the folds
    largest first, each to the fold with fewest units so far (ties: lowest fold), so folds are balanced and the
    split is deterministic. Raises :class:`InputError` if a document would land on both sides.

    Example:
        >>> folds = grouped_folds(["a", "a", "b", "c", "c", "c"], folds=2)
        >>> [(train.tolist(), test.tolist()) for train, test in folds]
        [([0, 1, 2], [3, 4, 5]), ([3, 4, 5], [0, 1, 2])]
    """
    ids = pd.Series(list(doc_ids))
    sizes = ids.value_counts()
    documents = sorted(sizes.index, key=lambda d: (-int(sizes[d]), str(d)))
    load = [0] * folds
    fold_of: dict[str, int] = {}
    for doc in documents:
        target = min(range(folds), key=lambda k: (load[k], k))
        fold_of[doc] = target
        load[target] += int(sizes[doc])
    assignment = ids.map(fold_of).to_numpy()
    splits = []
    for k in range(folds):
        test = np.flatnonzero(assignment == k)
        train = np.flatnonzero(assignment != k)
        if set(ids.iloc[train]) & set(ids.iloc[test]):
            raise InputError("grouped_folds: a document is on both sides of a split")
        if len(test):
            splits.append((train, test))
    return splits


def cross_validate(
    units: pd.DataFrame, hand: pd.DataFrame, *, method: str = "model", folds: int = FOLDS,
    codebook: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Out-of-fold decisions for every hand-coded unit: each fold's test documents are coded by a coder that
    never saw them (``"model"`` / ``"model_text"``: trained on the other folds; ``"rules"``: the rules, which
    learn nothing).

    Columns: those of :func:`fupin_research.coding.primary_codes` plus ``fold``.
    """
    book = codebook or load_codebook()
    units = units.reset_index(drop=True)
    codes = code_units(units, book)
    frames = []
    for k, (train, test) in enumerate(grouped_folds(units.doc_id, folds)):
        test_units = units.iloc[test]
        test_codes = codes[codes.set_index(["doc_id", "unit_id"]).index.isin(
            list(zip(test_units.doc_id, test_units.unit_id)))]
        if method in MODEL_METHODS:
            train_units = units.iloc[train]
            train_codes = codes[codes.set_index(["doc_id", "unit_id"]).index.isin(
                list(zip(train_units.doc_id, train_units.unit_id)))]
            model = CodingModel(book, text=method == "model_text")
            decided = model.fit(train_units, hand, train_codes).decide(test_units, test_codes)
        elif method == "rules":
            from fupin_research.coding import with_every_unit

            decided = with_every_unit(rule_decisions(test_codes, book), test_units)
        else:
            raise InputError(f"cross_validate: method must be one of {METHODS}, not {method!r}")
        frames.append(decided.assign(fold=k))
    return pd.concat(frames, ignore_index=True)


@cache
def _default_model(states: tuple[tuple[str, int, int], ...], text: bool) -> CodingModel:
    """The model trained on every unit coder A coded (cached per version of the data files)."""
    return CodingModel(load_codebook(), text=text).fit(load_coding_sample(), load_blind_codes("A"))


def default_model(*, text: bool = True) -> CodingModel:
    """The shipped model, trained on every unit coder A coded (``data/instrument_coding``); ``text=False``:
    the model that reads only the codebook evidence (it decides from the ``codes`` table alone)."""
    folder = data_dir() / "instrument_coding"
    states = [file_state(path) for path in sorted(folder.glob("*.csv"))]
    return _default_model((*states, file_state(data_dir() / "codebook.yaml")), text)


def model_decisions(units: pd.DataFrame | None, codes: pd.DataFrame, codebook: dict[str, Any] | None = None,
                    *, text: bool = True) -> pd.DataFrame:
    """Primary codes decided by the shipped model (see :func:`default_model`). Without ``units`` (``text=False``)
    the units are those the evidence table names."""
    if units is None:
        units = codes[["doc_id", "unit_id"]].drop_duplicates().assign(text="")
    units = units.reset_index(drop=True)
    if codebook is None:
        model = default_model(text=text)
    else:
        model = CodingModel(codebook, text=text).fit(load_coding_sample(), load_blind_codes("A"))
    return model.decide(units, codes)
