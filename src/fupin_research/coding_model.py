"""A supervised coder learned from the blind hand codes, combined with the codebook, and its honest validation.

The model (scikit-learn logistic regression, one per dimension) reads two kinds of features of a unit:
character 1-3-grams of its text (TF-IDF) and the codebook's own evidence — the rule coder's weighed score of
every code and the gate's cues (:func:`fupin_research.coding.rule_decisions`). It is validated by
cross-validation grouped by document (:func:`grouped_folds`): the units of one document are never on both
sides of a split, so a score says how the coder does on documents it has not seen. Decisions are
deterministic: fixed folds, a deterministic solver, ties of probability broken by code id.

scikit-learn trains the model; deciding needs only the fitted numbers (:class:`FittedCoder`), from which
NumPy computes the very features and probabilities scikit-learn would (same operations in the same order, tested
bit for bit), once per document and fast. The shipped model's fitted numbers are cached on disk
(:func:`default_model`), so a process neither imports scikit-learn nor trains before its first decision.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from fupin_research.coding import (
    CONTEXT_SHARE,
    FURNITURE_WEIGHT,
    GATE_DIMENSION,
    NO_CODE,
    PRIMARY_COLUMNS,
    _primary_table,
    _weight_table,
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


@dataclass(frozen=True, eq=False)
class _Evidence:
    """The evidence table of :func:`code_units` as numbers, against the rows of a units table: one pass of
    pandas' factorize instead of Python loops over Arrow-backed columns."""

    row: np.ndarray  # per evidence row, the row of its unit in units (the last, should a unit occur twice); -1: none
    code: np.ndarray  # index into codes
    term: np.ndarray  # index into terms
    dimension: np.ndarray  # index into dimensions
    start: np.ndarray
    end: np.ndarray
    codes: list
    terms: list
    dimensions: list
    units_unique: bool  # no unit occurs twice in units


def _row_of(units: pd.DataFrame) -> dict[tuple[str, str], int]:
    """(doc_id, unit_id) -> row of ``units`` (the last row, should a unit occur twice)."""
    return {key: i for i, key in enumerate(zip(units.doc_id.tolist(), units.unit_id.tolist()))}


def _index_evidence(units: pd.DataFrame, codes: pd.DataFrame) -> _Evidence:
    row_of = _row_of(units)
    unique = len(row_of) == len(units)
    columns = [codes.doc_id, codes.unit_id, codes.code, codes.evidence, codes.dimension]
    start = codes.start.to_numpy(dtype=np.int64)
    end = codes.end.to_numpy(dtype=np.int64)
    (doc, docs), (unit, unit_names), (code, code_names), (term, terms), (dim, dims) = (
        pd.factorize(column) for column in columns)
    if not any((numbers < 0).any() for numbers in (doc, unit, code, term, dim)):  # -1: a missing value
        docs, unit_names = docs.tolist(), unit_names.tolist()
        width = max(len(unit_names), 1)
        pairs, inverse = np.unique(doc.astype(np.int64) * width + unit, return_inverse=True)
        row_of_pair = np.array([row_of.get((docs[p // width], unit_names[p % width]), -1) for p in pairs.tolist()],
                               dtype=np.int64)
        return _Evidence(row_of_pair[inverse.reshape(-1)], code.astype(np.int64), term.astype(np.int64),
                         dim.astype(np.int64), start, end, code_names.tolist(), terms.tolist(), dims.tolist(), unique)
    ids: tuple[dict, dict, dict] = ({}, {}, {})  # missing values: number the values as they are, in Python
    numbered: tuple[list, list, list] = ([], [], [])
    rows = []
    for d, u, *values in zip(*(column.tolist() for column in columns)):
        rows.append(row_of.get((d, u), -1))
        for value, seen, out in zip(values, ids, numbered):
            out.append(seen.setdefault(value, len(seen)))
    code, term, dim = (np.array(out, dtype=np.int64) for out in numbered)
    return _Evidence(np.array(rows, dtype=np.int64), code, term, dim, start, end, *(list(seen) for seen in ids),
                     unique)


def codebook_features(units: pd.DataFrame, codes: pd.DataFrame, codebook: dict[str, Any]) -> np.ndarray:
    """Per unit: the weighed evidence of every code (both dimensions), the gate cues and the gate margin.

    Rows follow ``units``; columns are codebook order (instrument codes, target codes, 4 gate cues, margin).
    A code's value is the total weight of its evidence after evidence lying inside a longer piece of evidence
    of another code is dropped (as :func:`fupin_research.coding.rule_decisions` weighs it); a gate cue's value
    is the number of its matches.

    Example:
        >>> units = pd.DataFrame({"doc_id": ["d"], "unit_id": ["d-1"], "start": [0], "text": ["给予贴息。"]})
        >>> book = load_codebook()
        >>> features = codebook_features(units, code_units(units, book), book)
        >>> features.shape[0], float(features.max()) > 0
        (1, True)
    """
    return _codebook_features(len(units), _index_evidence(units, codes), codebook)


def _codebook_features(n_units: int, evidence: _Evidence, codebook: dict[str, Any],
                       weights: dict[tuple[str, str], float] | None = None) -> np.ndarray:
    """:func:`codebook_features` of an indexed evidence table; ``weights``: a memo of :func:`term_weight` per
    (code, evidence) for this codebook (a model keeps one across documents)."""
    specs, _ = _weight_table(codebook)
    columns = [c["id"] for dim in MODEL_DIMENSIONS for c in codebook["dimensions"][dim]["codes"]]
    gate = [c["id"] for c in codebook.get("gate") or []]
    position = {cid: i for i, cid in enumerate([*columns, *gate])}
    width = len(position) + 1
    matrix = np.zeros((n_units, width))
    known = np.array([code in specs for code in evidence.codes], dtype=bool)
    selected = np.flatnonzero((evidence.row >= 0) & known[evidence.code]) if len(known) else np.zeros(0, np.int64)
    if len(selected):
        row, code, dim = evidence.row[selected], evidence.code[selected], evidence.dimension[selected]
        start, end = evidence.start[selected], evidence.end[selected]
        column_of = np.full(len(evidence.codes), -1, dtype=np.int64)
        for k in np.unique(code).tolist():
            column_of[k] = position[evidence.codes[k]]  # a code of another dimension: KeyError, as ever
        column = column_of[code]
        terms = max(len(evidence.terms), 1)
        pairs, inverse = np.unique(code * terms + evidence.term[selected], return_inverse=True)
        weights = {} if weights is None else weights
        weight = np.array([_weight(weights, specs, evidence.codes[p // terms], str(evidence.terms[p % terms]))
                           for p in pairs.tolist()], dtype=float)[inverse.reshape(-1)]
        gate_dim = evidence.dimensions.index(GATE_DIMENSION) if GATE_DIMENSION in evidence.dimensions else -1
        is_gate = dim == gate_dim
        # a gate cue counts once per match; the evidence of a code counts by weight, nested evidence dropped.
        # bincount adds the weights in the order of the evidence table, as the rule coder's totals do.
        kept = ~is_gate & ~_nested(row * len(evidence.dimensions) + dim, code, start, end)
        flat = matrix.reshape(-1)
        cell = row * width + column
        flat += np.bincount(cell[is_gate], minlength=flat.size)
        totals = np.bincount(cell[kept], weights=weight[kept], minlength=flat.size)
        touched = np.zeros(flat.size, dtype=bool)
        touched[cell[kept]] = True
        flat[touched] = totals[touched]
    zeros = np.zeros(n_units)
    cue = {cid: matrix[:, position[cid]] for cid in gate}
    n_instruments = len(codebook["dimensions"]["instrument"]["codes"])
    best = matrix[:, :n_instruments].max(axis=1) if n_instruments else zeros
    # _gate, column-wise, with the same operations in the same order
    matrix[:, -1] = (
        cue.get("measure.prescribes", zeros)
        + CONTEXT_SHARE * np.minimum(best, 3.0)
        - cue.get("measure.describes", zeros)
        - cue.get("measure.exhorts", zeros)
        - FURNITURE_WEIGHT * cue.get("measure.furniture", zeros)
    )
    return matrix


def _weight(memo: dict[tuple[str, str], float], specs: dict[str, dict[str, Any]], code: str, term: str) -> float:
    weight = memo.get((code, term))
    if weight is None:
        weight = memo[(code, term)] = term_weight(specs[code], term)
    return weight


def _nested(group: np.ndarray, code: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Which spans lie inside a strictly longer span of another code in the same group (unit and dimension):
    the rule of :func:`fupin_research.coding._without_nested`, without comparing every pair.

    Sorted by (group, start, longest first), a span's container comes before it and starts at most the longest
    span's length before its end; so the k-th predecessors are compared, k = 1, 2, ..., while any can contain.
    """
    order = np.lexsort((-end, start, group))
    group, code, start, end = group[order], code[order], start[order], end[order]
    length = end - start
    reach = int(length.max())
    nested = np.zeros(len(order), dtype=bool)
    active = np.arange(len(order))
    k = 1
    while active.size:
        active = active[active >= k]
        other = active - k
        possible = (group[other] == group[active]) & (start[other] >= end[active] - reach)
        active, other = active[possible], other[possible]
        inside = (end[other] >= end[active]) & (length[other] > length[active]) & (code[other] != code[active])
        nested[active[inside]] = True
        active = active[~inside]
        k += 1
    found = np.zeros(len(order), dtype=bool)
    found[order] = nested
    return found


def evidence_bags(units: pd.DataFrame, codes: pd.DataFrame) -> list[list[str]]:
    """Per unit, its codebook evidence as tokens: ``code|term`` and the bare ``term`` (gate cues included).

    Example:
        >>> units = pd.DataFrame({"doc_id": ["d"], "unit_id": ["d-1"], "start": [0], "text": ["给予贴息。"]})
        >>> evidence_bags(units, code_units(units))[0][:2]
        ['environmental.finance_credit|贴息', '贴息']
    """
    bags: dict[tuple[str, str], list[str]] = {}
    for doc_id, unit_id, code, term in zip(codes.doc_id.tolist(), codes.unit_id.tolist(), codes.code.tolist(),
                                           codes.evidence.tolist()):
        bags.setdefault((doc_id, unit_id), []).extend([f"{code}|{term}", str(term)])
    return [bags.get((d, u), []) for d, u in zip(units.doc_id.tolist(), units.unit_id.tolist())]


def _tokens(bag: list[str]) -> list[str]:
    """The analyzer of the evidence vectorizer: a bag is already a list of tokens."""
    return bag


# The char n-gram analyzer of scikit-learn's TfidfVectorizer (analyzer="char"): lower-case, runs of white space
# to one space, then every 1-, 2- and 3-gram.
_WHITE_SPACES = re.compile(r"\s\s+")
_MAX_GRAM = 3
_BITS = 21  # a code point fits in 21 bits: an n-gram of up to 3 code points is one 63-bit key


def _gram_keys(grams: list[str]) -> tuple[pd.Index, np.ndarray]:
    """The vocabulary's n-grams as 63-bit keys (a hashed index, for lookups) and their feature indices.

    The key of an n-gram is its code points plus one, 21 bits each: no code point is 0, so n-grams of different
    lengths never share a key.
    """
    keys = np.zeros(len(grams), dtype=np.uint64)
    index = np.arange(len(grams), dtype=np.int64)
    for n in range(1, _MAX_GRAM + 1):
        of_length = np.array([i for i, g in enumerate(grams) if len(g) == n], dtype=np.int64)
        if len(of_length):
            points = _code_points("".join(grams[i] for i in of_length)).reshape(-1, n)
            for k in range(n):
                keys[of_length] = (keys[of_length] << np.uint64(_BITS)) | points[:, k]
    return pd.Index(keys), index


def _code_points(text: str) -> np.ndarray:
    """The code points of ``text`` plus one (so that none is 0), as uint64."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.uint64) + np.uint64(1)


def _count_grams(texts: list[str], tables: tuple[pd.Index, np.ndarray],
                 width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR (data, indices, indptr) of the counts of the vocabulary's char 1-3-grams in each text: what
    ``CountVectorizer(analyzer="char", ngram_range=(1, 3))`` with a fixed vocabulary counts, with sorted indices."""
    texts = [_WHITE_SPACES.sub(" ", text.lower()) for text in texts]
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    points = _code_points("".join(texts))
    row = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    left = np.repeat(np.cumsum(lengths), lengths) - np.arange(len(points))  # characters from here to the end
    queries, rows = [], []
    key = np.zeros(len(points), dtype=np.uint64)
    for n in range(1, _MAX_GRAM + 1):
        key = (key[: len(points) - n + 1] << np.uint64(_BITS)) | points[n - 1:]  # key[i]: the n-gram at i
        valid = np.flatnonzero(left >= n)  # the n-grams inside one text
        queries.append(key[valid])
        rows.append(row[valid])
    keys, index = tables
    found = keys.get_indexer(np.concatenate(queries)) if len(keys) else np.zeros(0, np.int64)
    hit = found >= 0
    return _csr_counts(np.concatenate(rows)[hit], index[found[hit]], len(texts), width)


def _csr_counts(rows: np.ndarray, index: np.ndarray, n_rows: int,
                width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR (data, indices, indptr) of how often each (row, feature index) pair occurs, indices sorted."""
    width = max(width, 1)
    cells = rows * width + index
    if n_rows * width <= 1 << 21:  # few cells: count them all
        counts = np.bincount(cells, minlength=n_rows * width)
        pairs = np.flatnonzero(counts)
        counts = counts[pairs]
    else:
        pairs, counts = np.unique(cells, return_counts=True)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(pairs // width, minlength=n_rows), out=indptr[1:])
    return counts.astype(np.float64), (pairs % width).astype(np.int32), indptr


def _tfidf(counts: tuple[np.ndarray, np.ndarray, np.ndarray], idf: np.ndarray, n_rows: int) -> sparse.csr_matrix:
    """scikit-learn's ``TfidfTransformer(sublinear_tf=True, norm="l2").transform`` of a count matrix, with the
    same floating-point operations in the same order (the l2 norm of a row summed term by term, in index order)."""
    data, indices, indptr = counts
    np.log(data, data)
    data += 1.0
    data *= idf[indices]
    lengths = np.diff(indptr)
    squares = data * data
    sums = np.zeros(n_rows)
    # rows of similar length padded together (padding with 0.0 leaves a sum unchanged); the running sum along a
    # row (np.add.accumulate) adds one term after another, as sklearn's Cython loop does
    order = np.argsort(lengths, kind="stable")
    batch_start = 0
    while batch_start < n_rows:
        longest = max(int(lengths[order[batch_start]]), 1)
        batch_end = min(n_rows, batch_start + max(1, 2_000_000 // longest))
        batch = order[batch_start:batch_end]
        longest = int(lengths[batch].max()) if len(batch) else 0
        if longest:
            padded = np.zeros((len(batch), longest))
            take = lengths[batch]
            column = np.arange(int(take.sum())) - np.repeat(np.cumsum(take) - take, take)
            source = np.concatenate([np.arange(indptr[r], indptr[r + 1]) for r in batch])
            padded[np.repeat(np.arange(len(batch)), take), column] = squares[source]
            sums[batch] = np.add.accumulate(padded, axis=1)[:, -1]
        batch_start = batch_end
    norms = np.repeat(np.sqrt(sums), lengths)
    nonzero = np.repeat(sums != 0.0, lengths)
    data[nonzero] /= norms[nonzero]
    return sparse.csr_matrix((data, indices, indptr), shape=(n_rows, len(idf)))


@dataclass(frozen=True, eq=False)
class FittedCoder:
    """The numbers a fitted :class:`CodingModel` decides with: vocabularies, IDF weights, coefficients.

    Deciding from these needs neither scikit-learn nor a refit; they are what the model cache stores.
    """

    text: bool
    evidence_vocabulary: dict[str, int]
    evidence_idf: np.ndarray
    grams: list[str]  # the char n-gram vocabulary in feature order (empty without text)
    grams_idf: np.ndarray
    dimensions: tuple[tuple[str, list[str], np.ndarray, np.ndarray], ...]  # (dim, classes, coef, intercept)

    @cached_property
    def gram_tables(self) -> tuple[pd.Index, np.ndarray]:
        return _gram_keys(self.grams)


class CodingModel:
    """Logistic regression per dimension on the codebook's evidence (tokens :func:`evidence_bags` and scores
    :func:`codebook_features`), with ``text=True`` also on character 1-3-grams of the unit text.

    :meth:`fit` trains with scikit-learn (``evidence``, ``grams``: the TF-IDF vectorizers, ``models``: one
    logistic regression per dimension) and keeps the fitted numbers (``fitted``, a :class:`FittedCoder`);
    :meth:`decide` computes the same features and probabilities from those numbers with numpy, without
    scikit-learn (tests check both give identical matrices and probabilities).
    """

    def __init__(self, codebook: dict[str, Any] | None = None, *, text: bool = True) -> None:
        self.codebook = codebook or load_codebook()
        self.text = text
        self.evidence: Any = None
        self.grams: Any = None
        self.models: dict[str, Any] = {}
        self.fitted: FittedCoder | None = None
        self._weights: dict[tuple[str, str], float] = {}  # term_weight per (code, evidence) of self.codebook

    @property
    def method(self) -> str:
        return "model_text" if self.text else "model"

    def _matrix(self, units: pd.DataFrame, codes: pd.DataFrame, *, fit: bool) -> sparse.csr_matrix:
        """The feature matrix by scikit-learn's vectorizers (training, and the reference for :meth:`_features`)."""
        bags = evidence_bags(units, codes)
        parts = [self.evidence.fit_transform(bags) if fit else self.evidence.transform(bags)]
        if self.text:
            texts = units.text.astype(str).tolist()
            parts.append(self.grams.fit_transform(texts) if fit else self.grams.transform(texts))
        book = codebook_features(units, codes, self.codebook)
        # the codebook scores are on another scale than TF-IDF; a square root keeps large counts from dominating
        parts.append(sparse.csr_matrix(np.sign(book) * np.sqrt(np.abs(book))))
        return sparse.hstack(parts).tocsr()

    def _features(self, units: pd.DataFrame, codes: pd.DataFrame,
                  evidence: _Evidence | None = None) -> sparse.csr_matrix:
        """The feature matrix of :meth:`_matrix` (``fit=False``), computed from :attr:`fitted` with numpy."""
        fitted = self._fitted()
        evidence = _index_evidence(units, codes) if evidence is None else evidence
        n_rows = len(units)
        counts = _csr_counts(*_evidence_tokens(units, codes, evidence, fitted.evidence_vocabulary), n_rows,
                             len(fitted.evidence_idf))
        parts = [_tfidf(counts, fitted.evidence_idf, n_rows)]
        if self.text:
            texts = units.text.astype(str).tolist()
            counts = _count_grams(texts, fitted.gram_tables, len(fitted.grams_idf))
            parts.append(_tfidf(counts, fitted.grams_idf, n_rows))
        book = _codebook_features(n_rows, evidence, self.codebook, self._weights)
        parts.append(sparse.csr_matrix(np.sign(book) * np.sqrt(np.abs(book))))
        return sparse.hstack(parts).tocsr()

    def _fitted(self) -> FittedCoder:
        if self.fitted is None:
            raise InputError("CodingModel: fit the model before deciding")
        return self.fitted

    def fit(self, units: pd.DataFrame, hand: pd.DataFrame, codes: pd.DataFrame | None = None) -> CodingModel:
        """Train on ``units`` (doc_id, unit_id, text, start) and their long hand codes."""
        from sklearn.feature_extraction.text import TfidfVectorizer  # scikit-learn is needed to train only
        from sklearn.linear_model import LogisticRegression

        codes = code_units(units, self.codebook) if codes is None else codes
        self.evidence = TfidfVectorizer(analyzer=_tokens, sublinear_tf=True)
        self.grams = TfidfVectorizer(analyzer="char", ngram_range=(1, _MAX_GRAM), min_df=2, sublinear_tf=True)
        self.models = {}
        matrix = self._matrix(units, codes, fit=True)
        for dim in MODEL_DIMENSIONS:
            labels = _labels(units, hand, dim)
            model = LogisticRegression(C=C, solver="newton-cg", tol=1e-3, max_iter=300, class_weight="balanced")
            self.models[dim] = model.fit(matrix, labels)
        grams = sorted(self.grams.vocabulary_, key=self.grams.vocabulary_.get) if self.text else []
        self.fitted = FittedCoder(
            self.text, dict(self.evidence.vocabulary_), self.evidence.idf_.copy(), grams,
            self.grams.idf_.copy() if self.text else np.zeros(0),
            tuple((dim, [str(c) for c in model.classes_], model.coef_.copy(), model.intercept_.copy())
                  for dim, model in self.models.items()),
        )
        return self

    def probabilities(self, matrix: sparse.csr_matrix) -> dict[str, np.ndarray]:
        """Per dimension, the probability of each class (columns: the sorted classes) for each row of
        ``matrix``: scikit-learn's ``LogisticRegression.predict_proba`` (softmax of the decision function),
        computed from :attr:`fitted` by the same operations."""
        out = {}
        for dim, classes, coef, intercept in self._fitted().dimensions:
            if len(classes) <= 2:  # a two-class model is a logistic of one score: scikit-learn computes it
                out[dim] = self.models[dim].predict_proba(matrix)
                continue
            decision = matrix @ coef.T + intercept
            decision -= np.reshape(np.max(decision, axis=1), (-1, 1))
            np.exp(decision, out=decision)
            decision /= np.reshape(np.sum(decision, axis=1), (-1, 1))
            out[dim] = decision
        return out

    def decide(self, units: pd.DataFrame, codes: pd.DataFrame | None = None) -> pd.DataFrame:
        """The model's primary code, runner-up and confidence (its probability) per unit and dimension."""
        codes = code_units(units, self.codebook) if codes is None else codes
        _, types = _weight_table(self.codebook)
        if not len(units):
            return add_instrument_type(pd.DataFrame([], columns=PRIMARY_COLUMNS), types)
        evidence = _index_evidence(units, codes)
        probability = self.probabilities(self._features(units, codes, evidence))
        doc_ids, unit_ids = units.doc_id.tolist(), units.unit_id.tolist()
        decided = []
        for dim, classes, _coef, _intercept in self._fitted().dimensions:
            first, second = _best_two(probability[dim])
            confidence = [round(p, 3) for p in probability[dim][np.arange(len(units)), first].tolist()]
            decided.append((dim, classes, first, second, confidence))
        spans = _chosen_evidence(units, codes, evidence, [(classes, first) for _, classes, first, _, _ in decided])
        rows = [
            (d, u, dim, classes[k], classes[j] if len(classes) > 1 else NO_CODE, p, self.method,
             types.get(classes[k], ""), p, "; ".join(spans(row, classes[k])))
            for dim, classes, first, second, confidence in decided
            for row, (d, u, k, j, p) in enumerate(zip(doc_ids, unit_ids, first.tolist(), second.tolist(), confidence))
        ]
        return _primary_table(rows, types)


def _evidence_tokens(units: pd.DataFrame, codes: pd.DataFrame, evidence: _Evidence,
                     vocabulary: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(row, feature index) of every token of :func:`evidence_bags` that is in ``vocabulary``."""
    if not evidence.units_unique:  # a unit named twice gets its bag twice: count the bags themselves
        rows, index = [], []
        for row, bag in enumerate(evidence_bags(units, codes)):
            for token in bag:
                feature = vocabulary.get(token)
                if feature is not None:
                    rows.append(row)
                    index.append(feature)
        return np.array(rows, dtype=np.int64), np.array(index, dtype=np.int64)
    inside = np.flatnonzero(evidence.row >= 0)
    terms = max(len(evidence.terms), 1)
    pairs, inverse = np.unique(evidence.code[inside] * terms + evidence.term[inside], return_inverse=True)
    pair_feature = np.array([vocabulary.get(f"{evidence.codes[p // terms]}|{evidence.terms[p % terms]}", -1)
                             for p in pairs.tolist()], dtype=np.int64)[inverse.reshape(-1)]
    term_feature = np.array([vocabulary.get(str(term), -1) for term in evidence.terms],
                            dtype=np.int64)[evidence.term[inside]]
    row = evidence.row[inside]
    features = np.concatenate([pair_feature, term_feature])
    rows = np.concatenate([row, row])
    return rows[features >= 0], features[features >= 0]


def _chosen_evidence(units: pd.DataFrame, codes: pd.DataFrame, evidence: _Evidence,
                     chosen: list[tuple[list[str], np.ndarray]]):
    """A function (row, code) -> the ``term@start-end`` of that code's evidence in that unit, in the order of the
    evidence table, for the codes ``chosen`` (per dimension: its classes and the chosen class of every row)."""
    if not evidence.units_unique:  # a unit named twice: evidence by (doc_id, unit_id), as the table names it
        keys = list(zip(units.doc_id.tolist(), units.unit_id.tolist()))
        by_key: dict[tuple[str, str, str], list[str]] = {}
        for d, u, code, term, start, end in zip(codes.doc_id.tolist(), codes.unit_id.tolist(), codes.code.tolist(),
                                                codes.evidence.tolist(), codes.start.tolist(), codes.end.tolist()):
            by_key.setdefault((d, u, code), []).append(f"{term}@{start}-{end}")
        return lambda row, code: by_key.get((*keys[row], code), [])
    code_index = {code: k for k, code in enumerate(evidence.codes)}
    inside = evidence.row >= 0
    wanted = np.zeros(len(evidence.row), dtype=bool)
    for classes, first in chosen:
        chosen_code = np.array([code_index.get(c, -1) for c in classes], dtype=np.int64)[first]
        wanted |= inside & (evidence.code == chosen_code[np.where(inside, evidence.row, 0)])
    found: dict[tuple[int, Any], list[str]] = {}
    picked = np.flatnonzero(wanted)
    terms = evidence.terms
    for row, code, term, start, end in zip(evidence.row[picked].tolist(), evidence.code[picked].tolist(),
                                           evidence.term[picked].tolist(), evidence.start[picked].tolist(),
                                           evidence.end[picked].tolist()):
        found.setdefault((row, evidence.codes[code]), []).append(f"{terms[term]}@{start}-{end}")
    return lambda row, code: found.get((row, code), [])


def _best_two(probability: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the column of the highest and of the second highest probability, ranked as
    ``sorted(range(n), key=lambda k: (-round(p[k], 12), k))`` ranks them (equal rounded probabilities: the
    lower column, i.e. the code id first, as the classes are sorted)."""
    n_rows, n_classes = probability.shape
    order = np.argsort(-probability, axis=1, kind="stable")[:, :3]
    top = np.take_along_axis(probability, order, axis=1)
    # rounding to 12 decimals moves a value by at most 0.5e-12: values further apart than 2e-12 keep their
    # order after rounding, so only rows with closer values are ranked one by one
    clear = np.ones(n_rows, dtype=bool)
    for k in range(min(2, n_classes - 1)):
        clear &= top[:, k] - top[:, k + 1] > 2e-12
    first = order[:, 0].copy()
    second = order[:, 1].copy() if n_classes > 1 else first.copy()
    for row in np.flatnonzero(~clear).tolist():
        values = probability[row].tolist()
        ranked = sorted(range(n_classes), key=lambda k: (-round(values[k], 12), k))
        first[row] = ranked[0]
        second[row] = ranked[1] if n_classes > 1 else ranked[0]
    return first, second


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
    """The model trained on every unit coder A coded (cached per version of the data files, in this process
    and on disk: :func:`model_cache_dir`)."""
    model = CodingModel(load_codebook(), text=text)
    path = _cache_path([state[0] for state in states], text)
    if path is not None and path.is_file():
        try:
            model.fitted = _read_fitted(path)
            return model
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache entry is simply refitted
    model.fit(load_coding_sample(), load_blind_codes("A"))
    if path is not None and all(len(classes) > 2 for _, classes, _, _ in model.fitted.dimensions):
        _write_fitted(path, model.fitted)
    return model


def default_model(*, text: bool = True) -> CodingModel:
    """The shipped model, trained on every unit coder A coded (``data/instrument_coding``); ``text=False``:
    the model that reads only the codebook evidence (it decides from the ``codes`` table alone).

    Training takes about a second, so the fitted numbers (:class:`FittedCoder`) are kept in a file of
    :func:`model_cache_dir` named by a hash of everything the fit depends on — the bytes of the training data
    and the codebook, the source of this module and of :mod:`fupin_research.coding`, and the versions of
    scikit-learn, SciPy and NumPy — so a change in any of them trains afresh, and a cached model decides exactly
    as a freshly trained one.
    """
    folder = data_dir() / "instrument_coding"
    states = [file_state(path) for path in sorted(folder.glob("*.csv"))]
    return _default_model((*states, file_state(data_dir() / "codebook.yaml")), text)


MODEL_CACHE_ENV = "FUPIN_MODEL_CACHE"
_CACHE_FORMAT = 1


def model_cache_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """Where :func:`default_model` keeps its fitted numbers: ``$FUPIN_MODEL_CACHE`` if set (``off``: nowhere,
    always train), else ``$XDG_CACHE_HOME/fupin-research`` (``~/.cache/fupin-research``). ``environ``: the
    environment variables to read (default: this process's).

    Example:
        >>> model_cache_dir({"FUPIN_MODEL_CACHE": "off"}) is None
        True
        >>> model_cache_dir({"XDG_CACHE_HOME": "/tmp/cache"}).as_posix()
        '/tmp/cache/fupin-research'
    """
    environ = os.environ if environ is None else environ
    chosen = environ.get(MODEL_CACHE_ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in {"", "off", "0", "no", "false"} else Path(chosen)
    try:
        base = environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    except RuntimeError:  # no home folder: no cache
        return None
    return Path(base) / "fupin-research"


def _cache_path(data_files: list[str], text: bool) -> Path | None:
    """The cache file of the default model fitted on ``data_files`` (None: caching is off)."""
    folder = model_cache_dir()
    if folder is None:
        return None
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256(f"format {_CACHE_FORMAT} text {text}".encode())
    for name in ("scikit-learn", "scipy", "numpy"):
        try:
            digest.update(f"{name} {version(name)}".encode())
        except PackageNotFoundError:
            digest.update(f"{name} ?".encode())
    sources = [Path(__file__), Path(__file__).with_name("coding.py")]
    for path in [*sources, *map(Path, data_files)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return folder / f"coding_model_{digest.hexdigest()[:32]}.npz"


def _write_fitted(path: Path, fitted: FittedCoder) -> None:
    """Store ``fitted`` (arrays and a JSON header; no pickle), atomically; a folder that cannot be written is
    no error (the model is then trained in every process)."""
    header = {
        "text": fitted.text,
        "evidence_vocabulary": fitted.evidence_vocabulary,
        "grams": fitted.grams,
        "dimensions": [(dim, classes) for dim, classes, _, _ in fitted.dimensions],
    }
    arrays = {"header": np.frombuffer(json.dumps(header).encode("ascii"), dtype=np.uint8),
              "evidence_idf": fitted.evidence_idf, "grams_idf": fitted.grams_idf}
    for k, (_, _, coef, intercept) in enumerate(fitted.dimensions):
        arrays[f"coef_{k}"], arrays[f"intercept_{k}"] = coef, intercept
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.stem}.{os.getpid()}.part.npz")
        with open(partial, "wb") as handle:
            np.savez(handle, **arrays)
        os.replace(partial, path)
    except OSError:
        pass


def _read_fitted(path: Path) -> FittedCoder:
    with np.load(path, allow_pickle=False) as stored:
        header = json.loads(stored["header"].tobytes().decode("ascii"))
        dimensions = tuple(
            (dim, list(classes), stored[f"coef_{k}"], stored[f"intercept_{k}"])
            for k, (dim, classes) in enumerate(header["dimensions"])
        )
        return FittedCoder(bool(header["text"]), dict(header["evidence_vocabulary"]), stored["evidence_idf"],
                           list(header["grams"]), stored["grams_idf"], dimensions)


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
