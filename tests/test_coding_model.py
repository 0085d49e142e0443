"""The supervised coder: grouped cross-validation never trains on a test document; decisions are deterministic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import fupin_research.coding_model as coding_model
from fupin_research.build import document_units
from fupin_research.coding import (
    GATE_DIMENSION,
    NO_CODE,
    PRIMARY_COLUMNS,
    _gate,
    _primary_table,
    _ranked,
    _weight_table,
    _without_nested,
    add_instrument_type,
    agreement,
    code_units,
    load_blind_codes,
    load_codebook,
    load_coding_sample,
    load_hand_codes,
    term_weight,
)
from fupin_research.coding_model import CodingModel, codebook_features, cross_validate, grouped_folds
from fupin_research.corpus import read_document
from fupin_research.paths import reports_corpus_dir, seed_corpus_dir


@pytest.fixture(scope="module")
def seed_hand() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The seed units that data/hand_codes.csv codes, and those codes."""
    units = pd.concat([document_units(read_document(p)) for p in sorted(seed_corpus_dir().glob("*.txt"))],
                      ignore_index=True)
    hand = load_hand_codes()
    coded = units.merge(hand[["doc_id", "unit_id"]].drop_duplicates(), on=["doc_id", "unit_id"])
    return coded, hand


def test_grouped_folds_never_split_a_document():
    sample = load_coding_sample()
    folds = grouped_folds(sample.doc_id)
    assert len(folds) == 5
    tested = []
    for train, test in folds:
        assert not set(sample.doc_id.iloc[train]) & set(sample.doc_id.iloc[test])
        tested.extend(test.tolist())
    assert sorted(tested) == list(range(len(sample)))  # every unit is tested exactly once
    assert grouped_folds(sample.doc_id) is not folds and all(
        (a[1] == b[1]).all() for a, b in zip(folds, grouped_folds(sample.doc_id)))


def test_the_model_never_sees_a_test_document_in_training(seed_hand, monkeypatch):
    units, hand = seed_hand
    seen: list[set[str]] = []
    decided: list[set[str]] = []
    fit, decide = CodingModel.fit, CodingModel.decide

    def spy_fit(self, train_units, *args, **kwargs):
        seen.append(set(train_units.doc_id))
        return fit(self, train_units, *args, **kwargs)

    def spy_decide(self, test_units, *args, **kwargs):
        decided.append(set(test_units.doc_id))
        return decide(self, test_units, *args, **kwargs)

    monkeypatch.setattr(coding_model.CodingModel, "fit", spy_fit)
    monkeypatch.setattr(coding_model.CodingModel, "decide", spy_decide)
    out = cross_validate(units, hand, method="model", folds=5)
    assert len(seen) == len(decided) == 5
    for train_docs, test_docs in zip(seen, decided):
        assert not train_docs & test_docs
    assert len(out) == 3 * len(units)


def test_model_decisions_are_deterministic(seed_hand):
    units, hand = seed_hand
    first = CodingModel().fit(units, hand).decide(units)
    second = CodingModel().fit(units.sample(frac=1.0, random_state=1), hand).decide(units)
    pd.testing.assert_frame_equal(first, second)
    assert set(first.method) == {"model_text"} and first.confidence.between(0, 1).all()
    evidence_only = CodingModel(text=False).fit(units, hand).decide(units)
    assert set(evidence_only.method) == {"model"}


def test_cross_validated_agreement_has_intervals(seed_hand):
    units, hand = seed_hand
    rules = cross_validate(units, hand, method="rules", folds=5)
    table = agreement(hand, rules, replicates=100)
    overall = table[table.code == "all"].set_index("dimension")
    assert list(overall.index) == ["instrument", "instrument_type", "target_area"]
    assert (overall.kappa_low <= overall.kappa_high).all()


# --- deciding from the fitted numbers (issue 16: the coding stage without scikit-learn, byte for byte) ---------


@pytest.fixture(scope="module")
def trained() -> CodingModel:
    return CodingModel().fit(load_coding_sample(), load_blind_codes("A"))


@pytest.fixture(scope="module")
def varied_units() -> pd.DataFrame:
    """Seed units, government work report units and units with what the char analyzer lower-cases and folds."""
    paths = sorted(seed_corpus_dir().glob("*.txt")) + sorted(reports_corpus_dir().glob("*.txt"))[::12]
    units = pd.concat([document_units(read_document(p)) for p in paths], ignore_index=True)
    odd = ["", "A", "ΣΑΣ İstanbul  GDP\t\n增长 ΣΣ", "㐀㐁𠀀𠀁扶贫 \u3000 开发", "\ufeff小额信贷　　贴息\r\n\r\n贴息"]
    extra = pd.DataFrame({"doc_id": "odd", "unit_id": [f"odd-{k}" for k in range(len(odd))],
                          "start": 0, "text": odd})
    return pd.concat([units, extra], ignore_index=True)


def test_features_and_probabilities_equal_scikit_learn(trained, varied_units):
    for part in (varied_units.iloc[:7], varied_units):
        part = part.reset_index(drop=True)
        codes = code_units(part)
        reference = trained._matrix(part, codes, fit=False)
        fast = trained._features(part, codes)
        assert reference.shape == fast.shape
        assert np.array_equal(reference.indptr, fast.indptr) and np.array_equal(reference.indices, fast.indices)
        assert np.array_equal(reference.data, fast.data)  # bit for bit, not approximately
        probabilities = trained.probabilities(fast)
        for dim, model in trained.models.items():
            assert np.array_equal(model.predict_proba(reference), probabilities[dim])


def _sklearn_decide(model: CodingModel, units: pd.DataFrame, codes: pd.DataFrame) -> pd.DataFrame:
    """decide as it was before issue 16: scikit-learn's matrix and probabilities, a Python sort per row."""
    matrix = model._matrix(units, codes, fit=False)
    spans: dict[tuple[str, str, str], list[str]] = {}
    for doc_id, unit_id, code, term, start, end in zip(codes.doc_id, codes.unit_id, codes.code, codes.evidence,
                                                       codes.start, codes.end):
        spans.setdefault((doc_id, unit_id, code), []).append(f"{term}@{start}-{end}")
    _, types = _weight_table(model.codebook)
    rows = []
    for dim, fitted in model.models.items():
        probability = fitted.predict_proba(matrix)
        classes = list(fitted.classes_)
        for row, (doc_id, unit_id) in enumerate(zip(units.doc_id, units.unit_id)):
            order = sorted(range(len(classes)), key=lambda k: (-round(probability[row, k], 12), classes[k]))
            code, runner = classes[order[0]], classes[order[1]] if len(order) > 1 else NO_CODE
            evidence = "; ".join(spans.get((doc_id, unit_id, code), []))
            rows.append((doc_id, unit_id, dim, code, runner, round(float(probability[row, order[0]]), 3),
                         model.method, types.get(code, ""), round(float(probability[row, order[0]]), 3), evidence))
    return add_instrument_type(pd.DataFrame(rows, columns=PRIMARY_COLUMNS), types)


def test_decide_equals_the_scikit_learn_decisions(trained, varied_units):
    codes = code_units(varied_units)
    pd.testing.assert_frame_equal(trained.decide(varied_units, codes), _sklearn_decide(trained, varied_units, codes))
    twice = pd.concat([varied_units.iloc[:5], varied_units.iloc[:2]], ignore_index=True)  # a unit named twice
    codes = code_units(twice)
    pd.testing.assert_frame_equal(trained.decide(twice, codes), _sklearn_decide(trained, twice, codes))
    gaps = code_units(varied_units.iloc[:9]).astype({"evidence": object})
    gaps.loc[[0, 5], "evidence"] = None  # a hand-made evidence table with missing values
    pd.testing.assert_frame_equal(trained.decide(varied_units.iloc[:9], gaps),
                                  _sklearn_decide(trained, varied_units.iloc[:9], gaps))


def test_decide_on_no_units_is_an_empty_table(trained):
    units = pd.DataFrame({"doc_id": [], "unit_id": [], "start": [], "text": []})
    table = trained.decide(units, code_units(units))
    assert list(table.columns) == PRIMARY_COLUMNS and table.empty


def test_best_two_ranks_as_the_rounded_sort_key():
    rng = np.random.default_rng(16)
    probability = rng.dirichlet(np.ones(6), size=400)
    probability[:50, 1] = probability[:50, 3]  # exact ties: the lower class first
    probability[50:100, 2] = probability[50:100, 4] + 3e-13  # equal once rounded to 12 decimals
    probability[100:150, 0] = probability[100:150, 5] - 4e-13
    probability[150:200] = 1 / 6
    first, second = coding_model._best_two(probability)
    for row, values in enumerate(probability.tolist()):
        ranked = sorted(range(6), key=lambda k: (-round(values[k], 12), k))
        assert (first[row], second[row]) == (ranked[0], ranked[1]), row


def _features_by_rule(units: pd.DataFrame, codes: pd.DataFrame, book: dict) -> np.ndarray:
    """codebook_features as the rule coder weighs evidence, unit by unit (the definition)."""
    specs, _ = _weight_table(book)
    columns = [c["id"] for dim in coding_model.MODEL_DIMENSIONS for c in book["dimensions"][dim]["codes"]]
    gate = [c["id"] for c in book.get("gate") or []]
    position = {cid: i for i, cid in enumerate([*columns, *gate])}
    row_of = {(d, u): i for i, (d, u) in enumerate(zip(units.doc_id, units.unit_id))}
    spans: dict[tuple[int, str], list] = {}
    for d, u, dim, code, term, start, end in zip(codes.doc_id, codes.unit_id, codes.dimension, codes.code,
                                                 codes.evidence, codes.start, codes.end):
        if (d, u) in row_of and code in specs:
            spans.setdefault((row_of[(d, u)], dim), []).append(
                (int(start), int(end), code, str(term), term_weight(specs[code], str(term))))
    matrix = np.zeros((len(units), len(position) + 1))
    for (row, dim), found in spans.items():
        if dim == GATE_DIMENSION:
            for _s, _e, code, _t, _w in found:
                matrix[row, position[code]] += 1.0
            continue
        for code, total, _strongest, _first in _ranked(_without_nested(found)):
            matrix[row, position[code]] = total
    n_instruments = len(book["dimensions"]["instrument"]["codes"])
    for row in range(len(units)):
        cues = {cid: matrix[row, position[cid]] for cid in gate}
        matrix[row, -1] = _gate(cues, max(matrix[row, :n_instruments], default=0.0))
    return matrix


def test_codebook_features_weigh_evidence_as_the_rules(varied_units):
    book = load_codebook()
    codes = code_units(varied_units, book)
    assert np.array_equal(codebook_features(varied_units, codes, book), _features_by_rule(varied_units, codes, book))


def test_nested_evidence_is_what_the_rule_drops():
    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(1, 40))
        start = rng.integers(0, 30, n)
        end = start + rng.integers(1, 8, n)
        code = rng.integers(0, 3, n)
        group = rng.integers(0, 2, n)
        found = coding_model._nested(group, code, start, end)
        for g in (0, 1):
            members = np.flatnonzero(group == g)
            spans = [(int(start[i]), int(end[i]), str(code[i]), "", 1.0) for i in members]
            assert _without_nested(spans) == [span for span, i in zip(spans, members) if not found[i]]


def test_primary_table_equals_add_instrument_type():
    rng = np.random.default_rng(3)
    types = {"a.x": "supply", "b.y": "demand", "c.z": ""}
    rows = []
    for _ in range(300):
        dim = str(rng.choice(["instrument", "target_area"]))
        rows.append((str(rng.choice(["d2", "d1", "文件"])), f"u-{int(rng.integers(0, 12))}", dim,
                     str(rng.choice(["a.x", "b.y", "c.z", "none", "t.q"])), str(rng.choice(["a.x", "b.y", "none"])),
                     float(rng.random()), "model_text", "", float(rng.random()), "e@1-2"))
    pd.testing.assert_frame_equal(_primary_table(rows, types),
                                  add_instrument_type(pd.DataFrame(rows, columns=PRIMARY_COLUMNS), types))


def test_the_default_model_is_cached_and_decides_as_trained(tmp_path, monkeypatch, seed_hand):
    units, _ = seed_hand
    codes = code_units(units)
    monkeypatch.setenv(coding_model.MODEL_CACHE_ENV, str(tmp_path))
    coding_model._default_model.cache_clear()
    trained = coding_model.default_model()
    assert trained.models and len(list(tmp_path.glob("coding_model_*.npz"))) == 1
    coding_model._default_model.cache_clear()

    def no_training(*args, **kwargs):
        raise AssertionError("the cached model was trained again")

    monkeypatch.setattr(coding_model.CodingModel, "fit", no_training)
    cached = coding_model.default_model()
    assert not cached.models  # the fitted numbers only
    pd.testing.assert_frame_equal(cached.decide(units, codes), trained.decide(units, codes))
    coding_model._default_model.cache_clear()
    monkeypatch.setenv(coding_model.MODEL_CACHE_ENV, "off")
    assert coding_model.model_cache_dir() is None


def test_the_cache_key_follows_the_bytes_of_the_data(tmp_path, monkeypatch):
    monkeypatch.setenv(coding_model.MODEL_CACHE_ENV, str(tmp_path))
    data = tmp_path / "codes_A.csv"
    data.write_text("unit_key,instrument\n1,a\n", encoding="utf-8")
    before = coding_model._cache_path([str(data)], True)
    assert coding_model._cache_path([str(data)], True) == before != coding_model._cache_path([str(data)], False)
    data.write_text("unit_key,instrument\n1,b\n", encoding="utf-8")
    assert coding_model._cache_path([str(data)], True) != before
