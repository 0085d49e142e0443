"""The supervised coder: grouped cross-validation never trains on a test document; decisions are deterministic."""

from __future__ import annotations

import pandas as pd
import pytest

import fupin_research.coding_model as coding_model
from fupin_research.build import document_units
from fupin_research.coding import agreement, load_coding_sample, load_hand_codes
from fupin_research.coding_model import CodingModel, cross_validate, grouped_folds
from fupin_research.corpus import read_document
from fupin_research.paths import seed_corpus_dir


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
