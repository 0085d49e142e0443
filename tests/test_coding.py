"""Tests for fupin_research.coding: codebook, evidence offsets, primary codes, kappa, agreement."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from fupin_research.coding import (
    agreement,
    code_units,
    cohen_kappa,
    crosstab_codes,
    load_codebook,
    load_hand_codes,
    primary_codes,
)
from fupin_research.paths import seed_corpus_dir
from fupin_research.structure import leaf_mask, split_units

SEEDS = {p.stem: p.read_text(encoding="utf-8") for p in sorted(seed_corpus_dir().glob("*.txt"))}


@pytest.fixture(scope="module")
def units() -> pd.DataFrame:
    return pd.concat([split_units(text, doc_id) for doc_id, text in SEEDS.items()], ignore_index=True)


@pytest.fixture(scope="module")
def codes(units) -> pd.DataFrame:
    return code_units(units)


def test_kappa_textbook_example():
    # Wikipedia "Cohen's kappa": 50 proposals, yes/yes 20, yes/no 5, no/yes 10, no/no 15
    # -> p_o = .7, p_e = .5, kappa = .4
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(b, a) == pytest.approx(0.4)
    assert cohen_kappa(a, a) == 1.0
    assert cohen_kappa(["x", "y"], ["y", "x"]) == pytest.approx(-1.0)
    assert math.isnan(cohen_kappa([], []))
    with pytest.raises(ValueError):
        cohen_kappa(["a"], ["a", "b"])


def test_codebook_structure():
    book = load_codebook()
    inst = book["dimensions"]["instrument"]
    assert set(inst["types"]) == {"supply", "environmental", "demand"}
    ids = [c["id"] for c in inst["codes"]]
    assert len(ids) == 14 and all(c["type"] == c["id"].split(".")[0] for c in inst["codes"])
    areas = [c["id"] for c in book["dimensions"]["target_area"]["codes"]]
    for needed in [
        "target.industry",
        "target.relocation",
        "target.ecology",
        "target.education",
        "target.social_security",
        "target.health",
        "target.employment",
        "target.finance",
        "target.infrastructure",
        "target.party_cadres",
        "target.supervision",
    ]:
        assert needed in areas
    for code in inst["codes"] + book["dimensions"]["target_area"]["codes"]:
        assert code["label_zh"] and code["label_en"] and code["definition"]


def test_bad_codebooks_are_rejected(tmp_path):
    dup = tmp_path / "dup.yaml"
    dup.write_text(
        "dimensions:\n  a:\n    codes:\n      - {id: x, terms: [资金]}\n      - {id: x, terms: [贷款]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="duplicate"):
        load_codebook(dup)
    bad = tmp_path / "bad.yaml"
    bad.write_text("dimensions:\n  a:\n    codes:\n      - {id: x, patterns: ['(']}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad pattern"):
        load_codebook(bad)


def test_custom_codebook_terms_and_patterns(tmp_path):
    path = tmp_path / "book.yaml"
    path.write_text(
        "dimensions:\n  topic:\n    codes:\n"
        "      - {id: money, terms: [资金, 专项扶贫资金], patterns: ['\\d+亿元']}\n",
        encoding="utf-8",
    )
    units = pd.DataFrame(
        {"doc_id": ["d"], "unit_id": ["d-1"], "start": [5], "text": ["投入专项扶贫资金59亿元"]}
    )
    out = code_units(units, load_codebook(path))
    # The longest term wins at a position; the regex adds the amount.
    assert out[["evidence", "start", "end", "type"]].values.tolist() == [
        ["专项扶贫资金", 7, 13, ""],
        ["59亿元", 13, 17, ""],
    ]


def test_evidence_offsets_point_into_document(codes):
    assert len(codes) > 1000
    for row in codes.itertuples():
        assert SEEDS[row.doc_id][row.start : row.end] == row.evidence
    inst = codes[codes.dimension == "instrument"]
    assert set(inst.type) == {"supply", "environmental", "demand"}
    assert (codes[codes.dimension == "target_area"].type == "").all()


def test_coverage_of_001_lowest_level_units(units, codes):
    doc = units[units.doc_id.str.startswith("001")]
    leaves = doc[leaf_mask(doc) & (doc.level >= 1)]
    coded = leaves.unit_id.isin(set(codes[codes.dimension == "instrument"].unit_id))
    assert len(leaves) == 36
    assert coded.mean() >= 0.90


def test_known_units_get_expected_codes(units, codes):
    prim = primary_codes(codes).set_index(["unit_id", "dimension"]).code
    assert prim[("001-2-7-2", "instrument")] == "environmental.finance_credit"  # 加强金融扶贫支持
    assert prim[("001-2-7-2", "target_area")] == "target.finance"
    assert prim[("000-9", "target_area")] == "target.health"  # 【健康扶贫】


def test_primary_code_ties_follow_codebook_order():
    codes = pd.DataFrame(
        {
            "doc_id": ["d"] * 4,
            "unit_id": ["u"] * 4,
            "dimension": ["instrument"] * 4,
            "code": ["demand.pilots", "supply.talent", "supply.talent", "demand.pilots"],
            "type": ["demand", "supply", "supply", "demand"],
        }
    )
    assert primary_codes(codes).code.tolist() == ["supply.talent"]  # 2 vs 2: supply.talent is listed first
    more = pd.concat([codes, codes.iloc[[0]]])
    assert primary_codes(more).code.tolist() == ["demand.pilots"]


def test_hand_codes_sample_is_valid(units):
    hand = load_hand_codes()
    book = load_codebook()
    valid = {c["id"] for spec in book["dimensions"].values() for c in spec["codes"]} | {"none"}
    assert set(hand.code) <= valid
    assert hand.groupby(["doc_id", "unit_id", "dimension"]).size().max() == 1
    per_unit = hand.groupby(["doc_id", "unit_id"]).dimension.nunique()
    assert len(per_unit) >= 40 and (per_unit == 2).all()
    assert set(hand.doc_id) == set(SEEDS)
    known = set(zip(units.doc_id, units.unit_id, strict=True))
    assert set(zip(hand.doc_id, hand.unit_id, strict=True)) <= known
    assert (hand.reason.str.len() > 0).all()


def test_agreement_on_hand_codes(codes):
    hand = load_hand_codes()
    table = agreement(hand, codes).set_index("dimension")
    assert list(table.index) == ["instrument", "target_area", "instrument_type"]
    assert (table.n == hand.unit_id.nunique()).all()
    assert table.kappa.between(-1, 1).all() and table.percent_agreement.between(0, 100).all()


def test_agreement_counts_missing_auto_as_none():
    hand = pd.DataFrame(
        {
            "doc_id": ["d"] * 4,
            "unit_id": ["a", "b", "c", "d"],
            "dimension": ["instrument"] * 4,
            "code": ["supply.funds", "none", "supply.funds", "demand.pilots"],
            "reason": ["r"] * 4,
        }
    )
    auto = pd.DataFrame(
        {
            "doc_id": ["d"] * 2,
            "unit_id": ["a", "d"],
            "dimension": ["instrument"] * 2,
            "code": ["supply.funds", "supply.funds"],
            "type": ["supply", "supply"],
            "evidence": ["资金"] * 2,
            "start": [0, 0],
            "end": [2, 2],
        }
    )
    table = agreement(hand, auto).set_index("dimension")
    # hand: funds, none, funds, pilots / auto: funds, none, none, funds -> 2 of 4 agree
    assert table.loc["instrument", "percent_agreement"] == 50.0
    expected = cohen_kappa(["f", "n", "f", "p"], ["f", "n", "n", "f"])
    assert table.loc["instrument", "kappa"] == pytest.approx(expected, abs=1e-3)
    assert table.loc["instrument_type", "percent_agreement"] == 50.0


def test_crosstab(codes):
    by_code = crosstab_codes(codes)
    assert by_code.index[0].startswith("supply.") and by_code.columns[0] == "target.industry"
    by_type = crosstab_codes(codes, by="type")
    assert list(by_type.index) == ["supply", "environmental", "demand"]
    units_with_both = codes.groupby(["doc_id", "unit_id"]).dimension.nunique().eq(2).sum()
    assert by_type.values.max() <= units_with_both
    prim = crosstab_codes(codes, primary=True)
    assert prim.values.sum() == units_with_both  # one cell per unit
    with pytest.raises(ValueError):
        crosstab_codes(codes, by="nope")


def _finditer_per_code(units: pd.DataFrame, book: dict) -> list[tuple]:
    """Reference: one longest-first regex per code, run over every unit (the straightforward way)."""
    rows = []
    for unit in units.itertuples(index=False):
        for dim, spec in book["dimensions"].items():
            for code in spec["codes"]:
                terms = sorted({str(t) for t in code.get("terms") or []}, key=len, reverse=True)
                regex = "|".join([*map(re.escape, terms), *(f"(?:{p})" for p in code.get("patterns") or [])])
                for m in re.finditer(regex, unit.text):
                    if m.end() > m.start():
                        rows.append((unit.unit_id, dim, code["id"], m.group(), unit.start + m.start()))
    return rows


def test_evidence_is_what_one_regex_per_code_finds(units, codes):
    columns = ["unit_id", "dimension", "code", "evidence", "start"]
    assert list(codes[columns].itertuples(index=False, name=None)) == _finditer_per_code(units, load_codebook())
    # nested and overlapping terms of several codes, a code with patterns, one with empty matches
    book = {
        "dimensions": {
            "a": {
                "codes": [
                    {"id": "x", "terms": ["信贷", "小额信贷", "额", "贷"]},
                    {"id": "y", "terms": ["扶贫小额", "小额信贷资金", "资金"]},
                    {"id": "z", "terms": ["扶贫"], "patterns": [r"(?<=\n)\S", r"\d+亿元"]},
                    {"id": "e", "patterns": ["额*"]},
                ]
            }
        }
    }
    text = "发放扶贫小额信贷资金59亿元，\n小额信贷额额贷"
    made_up = pd.DataFrame({"doc_id": ["d"] * 2, "unit_id": ["u", "v"], "start": [0, 3], "text": [text, text[3:]]})
    found = code_units(made_up, book)
    assert list(found[columns].itertuples(index=False, name=None)) == _finditer_per_code(made_up, book)


def test_an_edited_codebook_is_read_again(tmp_path):
    path = tmp_path / "book.yaml"
    path.write_text("dimensions:\n  a:\n    codes:\n      - {id: x, terms: [资金]}\n", encoding="utf-8")
    assert load_codebook(path)["dimensions"]["a"]["codes"][0]["terms"] == ["资金"]
    path.write_text("dimensions:\n  a:\n    codes:\n      - {id: x, terms: [贷款, 信贷]}\n", encoding="utf-8")
    assert load_codebook(path)["dimensions"]["a"]["codes"][0]["terms"] == ["贷款", "信贷"]
