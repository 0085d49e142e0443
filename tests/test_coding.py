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
    prim = primary_codes(codes, method="rules").set_index(["unit_id", "dimension"]).code
    assert prim[("001-2-7-2", "instrument")] == "environmental.finance_credit"  # 加强金融扶贫支持
    assert prim[("001-2-7-2", "target_area")] == "target.finance"
    assert prim[("000-9", "target_area")] == "target.health"  # 【健康扶贫】


def _evidence(rows):
    """An evidence table of one unit from (dimension, code, evidence, start) tuples."""
    return pd.DataFrame(
        [("d", "u", dim, code, code.split(".")[0] if dim == "instrument" else "", ev, st, st + len(ev))
         for dim, code, ev, st in rows],
        columns=["doc_id", "unit_id", "dimension", "code", "type", "evidence", "start", "end"],
    )


def test_ties_follow_the_stated_rule_not_file_order():
    # equal totals (2.0 each): the stronger single piece of evidence wins (示范区 1.5 > 经费 1.0), although
    # demand.pilots comes after supply.funds in the YAML file and is stated later in the unit
    tied = _evidence([("instrument", "supply.funds", "经费", 0), ("instrument", "supply.funds", "经费", 5),
                      ("instrument", "demand.pilots", "示范区", 10), ("instrument", "demand.pilots", "推广", 14),
                      ("instrument", "demand.pilots", "推广", 18)])
    assert primary_codes(tied, method="rules").code.iloc[0] == "demand.pilots"
    # ... and with equal totals and equal strongest evidence, the measure stated first wins, whatever the YAML order
    first = _evidence([("instrument", "demand.pilots", "试点", 0), ("instrument", "supply.funds", "经费", 5)])
    assert primary_codes(first, method="rules").code.iloc[0] == "demand.pilots"
    second = _evidence([("instrument", "demand.pilots", "试点", 9), ("instrument", "supply.funds", "经费", 5)])
    assert primary_codes(second, method="rules").code.iloc[0] == "supply.funds"


def test_specific_evidence_outweighs_generic_words():
    # 标准 x 3 (generic, 0.25 each) against one 助学金 (1.5): the tool named wins (issue 12)
    rows = [("instrument", "environmental.targets_planning", "标准", s) for s in (0, 5, 10)]
    rows.append(("instrument", "supply.funds", "助学金", 20))
    assert primary_codes(_evidence(rows), method="rules").code.iloc[0] == "supply.funds"


def test_a_unit_that_reports_or_exhorts_is_none():
    units = pd.DataFrame({
        "doc_id": ["d"] * 7, "unit_id": ["d-1", "d-2", "d-3", "d-4", "d-5", "d-6", "d-7"],
        "start": [0, 40, 80, 120, 160, 200, 240],
        "text": ["全县贫困人口累计减少2.3万人，脱贫攻坚取得显著成效，典型经验突出。",
                 "各级党委要深入贯彻习近平总书记重要讲话精神，牢固树立“四个意识”，切实增强责任感使命感紧迫感。",
                 "各乡(镇)人民政府,县级有关部门:",
                 "对建档立卡贫困家庭学生给予生活补助，每生每年1000元。",
                 # strong instrument words, but the unit reports results / exhorts / is a title: still none
                 "近年来累计投入专项资金3亿元，发放扶贫小额信贷1.2亿元，取得显著成效。",
                 "各级党委要深入贯彻落实会议精神，牢固树立金融扶贫理念，切实增强责任感使命感紧迫感。",
                 "关于印发扶贫小额信贷管理办法的通知"],
    })
    prim = primary_codes(code_units(units), method="rules").set_index(["unit_id", "dimension"]).code
    for unit in ["d-1", "d-2", "d-3", "d-5", "d-6", "d-7"]:
        assert prim[(unit, "instrument")] == "none" and prim[(unit, "target_area")] == "none"
    assert prim[("d-4", "instrument")] == "supply.funds"
    assert prim[("d-4", "instrument_type")] == "supply"


def test_primary_codes_columns_and_one_row_per_unit_and_dimension(units, codes):
    prim = primary_codes(codes, method="rules")
    for column in ["doc_id", "unit_id", "dimension", "code", "runner_up", "confidence", "method"]:
        assert column in prim.columns
    assert set(prim.dimension) == {"instrument", "instrument_type", "target_area"}
    assert not prim.duplicated(["doc_id", "unit_id", "dimension"]).any()
    assert (prim.groupby(["doc_id", "unit_id"]).size() == 3).all()
    assert prim.confidence.between(0, 1).all() and set(prim.method) == {"rules"}
    every = primary_codes(codes, units=units, method="rules")
    assert len(every) == 3 * len(units)
    # evidence spans point into the document
    for row in prim[prim.evidence != ""].head(50).itertuples():
        for span in row.evidence.split("; "):
            term, where = span.rsplit("@", 1)
            start, end = map(int, where.split("-"))
            assert SEEDS[row.doc_id][start:end] == term


def test_decisions_are_deterministic(units, codes):
    shuffled = codes.sample(frac=1.0, random_state=3)
    a = primary_codes(codes, method="rules").sort_values(["doc_id", "unit_id", "dimension"]).reset_index(drop=True)
    b = primary_codes(shuffled, method="rules").sort_values(["doc_id", "unit_id", "dimension"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


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
    full = agreement(hand, codes, replicates=100)
    table = full[full.code == "all"].set_index("dimension")
    assert list(table.index) == ["instrument", "instrument_type", "target_area"]
    assert (table.n == hand.unit_id.nunique()).all()
    assert table.kappa.between(-1, 1).all() and table.percent_agreement.between(0, 100).all()
    assert ((table.kappa_low <= table.kappa) & (table.kappa <= table.kappa_high)).all()
    # per code: n, support of each side, precision and recall; the none row gives none precision/recall
    none = full[(full.dimension == "instrument") & (full.code == "none")].iloc[0]
    assert 0 <= none.precision <= 1 and 0 <= none.recall <= 1
    again = agreement(hand, codes, replicates=100)
    pd.testing.assert_frame_equal(full, again)  # fixed seed: the same interval every time


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
            "evidence": ["助学金"] * 2,
            "start": [0, 0],
            "end": [3, 3],
        }
    )
    table = agreement(hand, auto, replicates=50, method="rules")
    table = table[table.code == "all"].set_index("dimension")
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
    coded = codes[codes.dimension.isin(["instrument", "target_area"])]
    units_with_both = coded.groupby(["doc_id", "unit_id"]).dimension.nunique().eq(2).sum()
    assert by_type.values.max() <= units_with_both
    prim = crosstab_codes(codes, primary=True)
    chosen = primary_codes(codes)
    chosen = chosen[chosen.dimension.isin(["instrument", "target_area"]) & (chosen.code != "none")]
    assert prim.values.sum() == chosen.groupby(["doc_id", "unit_id"]).size().eq(2).sum()  # one cell per unit
    with pytest.raises(ValueError):
        crosstab_codes(codes, by="nope")


def _finditer_per_code(units: pd.DataFrame, book: dict) -> list[tuple]:
    """Reference: one longest-first regex per code, run over every unit (the straightforward way)."""
    rows = []
    for unit in units.itertuples(index=False):
        every = [*book["dimensions"].items(), ("measure", {"codes": book.get("gate") or []})]
        for dim, spec in every:
            for code in spec["codes"]:
                listed = [*(code.get("terms") or []), *(code.get("generic") or []), *(code.get("predicates") or [])]
                terms = sorted({str(t) for t in listed}, key=len, reverse=True)
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


def test_code_matches_are_those_of_the_codes_own_finditer():
    """Searching a code's alternatives one by one finds what its own alternation's finditer finds (issue 16)."""
    import random

    from fupin_research.coding import _alternatives, _code_matches, _code_regex

    codes = [
        {"id": "a", "terms": ["资金", "扶贫资金", "金"],
         "patterns": [r"\d+(?:\.\d+)?[万亿]元", "安排[^，。]{0,4}资金"]},
        {"id": "b", "terms": ["贷"], "patterns": ["^各[^。]{0,9}[:：]$", r"(?<=\n)\S", "额*"]},  # anchors, empty
        {"id": "c", "patterns": [r"(\d)\1", "扶贫"]},  # a backreference: plain finditer
        {"id": "d", "terms": ["扶贫小额", "小额"], "patterns": ["小额信?贷?", r"\d{2}"]},  # alternatives overlap
    ]
    alphabet = list("资金扶贫安排贷额小信各：:。，\n 1234.万亿元")
    rng = random.Random(16)
    texts = ["各地：", "扶贫资金59亿元，安排专项资金\n小额信贷额额贷", "1122.5万元"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    for code in codes:
        regex, alternatives = _code_regex(code), _alternatives(code)
        assert bool(alternatives) == (code["id"] != "c")
        for text in texts:
            expected = [(m.start(), m.group()) for m in regex.finditer(text) if m.end() > m.start()]
            assert _code_matches(regex, alternatives, text) == expected, (code["id"], text)


def test_code_units_builds_the_table_frame_from_rows_builds(units):
    """code_units builds its table column by column from Arrow arrays: the very table of frame_from_rows."""
    import pyarrow as pa

    from fupin_research.coding import CODE_COLUMNS, _default_path, _default_plan, _unit_evidence
    from fupin_research.paths import file_state
    from fupin_research.split import frame_from_rows

    plan = _default_plan(file_state(_default_path()))
    rows = [(d, u, *plan.codes[index], term, int(start) + position, int(start) + position + len(term))
            for d, u, start, text in zip(units.doc_id, units.unit_id, units.start, units.text)
            for index, position, term in _unit_evidence(plan, str(text))]
    expected = frame_from_rows(rows, CODE_COLUMNS, {"start": "int64", "end": "int64"})
    found = code_units(units)
    pd.testing.assert_frame_equal(found, expected)
    assert pa.Table.from_pandas(found).schema == pa.Table.from_pandas(expected).schema
