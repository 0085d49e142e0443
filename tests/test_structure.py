"""Tests for fupin_research.structure: hierarchical units on the seed corpus and made-up strings."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fupin_research.paths import seed_corpus_dir
from fupin_research.structure import (
    cn_to_int,
    int_to_cn,
    leaf_mask,
    load_provinces,
    province_aliases,
    split_units,
)

SEEDS = sorted(p.stem for p in seed_corpus_dir().glob("*.txt"))


def _text(doc_id: str) -> str:
    return (seed_corpus_dir() / f"{doc_id}.txt").read_text(encoding="utf-8")


def _seed(prefix: str) -> str:
    return next(s for s in SEEDS if s.startswith(prefix))


def assert_invariants(text: str, units) -> None:
    """Offsets match, no overlap, unique ids, and only whitespace is left between units."""
    assert units.unit_id.is_unique
    previous_end = 0
    uncovered = []
    for row in units.sort_values("start").itertuples():
        assert text[row.start : row.end] == row.text
        assert row.start >= previous_end, f"{row.unit_id} overlaps the unit before it"
        uncovered.append(text[previous_end : row.start])
        previous_end = row.end
    uncovered.append(text[previous_end:])
    leftover = "".join(uncovered)
    assert re.sub(r"[\s\ufeff\u200b\u200c\u200d\u2060]", "", leftover) == ""


@pytest.mark.parametrize("doc_id", SEEDS)
def test_invariants_on_seeds_raw_and_normalized(doc_id):
    text = _text(doc_id)
    assert_invariants(text, split_units(text, doc_id))
    # The normalized text turns U+00A0/U+3000 into spaces and unifies line endings.
    normalized = text.replace("\u00a0", " ").replace("\u3000", " ").replace("\r\n", "\n")
    assert_invariants(normalized, split_units(normalized, doc_id))


def test_yearbook_000_one_section_per_entry():
    doc_id = _seed("000")
    text = _text(doc_id)
    units = split_units(text, doc_id)
    entries = re.findall(r"^【([^】]+)】", text, flags=re.M)
    sections = units[units.level == 1]
    assert len(entries) == 26
    assert sections.heading.tolist() == [f"【{e}】" for e in entries]
    assert sections.unit_id.tolist()[:2] == ["000-1", "000-2"]
    first = sections.iloc[0]
    assert first.text.startswith("【概况】 2017年是山东省") and first.text.endswith("省定重点村68个。")
    # The signature line closes the document as a level-0 trailer, not as part of the last entry.
    trailer = units[units.unit_id == "000-end"].iloc[0]
    assert trailer.text == "(王珂)" and trailer.flag == "trailer"


def test_policy_001_sections_subsections_items():
    doc_id = _seed("001")
    units = split_units(_text(doc_id), doc_id)
    sections = units[units.level == 1]
    assert sections.heading.tolist() == [
        "一、统一思想认识",
        "二、完善政策措施",
        "三、汇聚各方力量",
        "四、加强组织领导",
    ]
    subs = units[units.level == 2]
    assert len(subs) == 7 + 6 + 4
    assert (subs.flag == "lost_ordinal").all()  # every (一) lost its numeral in 001
    assert len(units[units.level == 3]) == 21
    row = units.set_index("unit_id").loc["001-2-1"]
    assert row.heading == "二、完善政策措施 > (一)做好基础工作"
    assert row.text.startswith("()做好基础工作")
    item = units.set_index("unit_id").loc["001-2-3-1"]
    assert item.heading == "二、完善政策措施 > (三)实施易地搬迁 > 1.积极稳妥推进特殊地区搬迁脱贫"
    assert item.level == 3 and item.text.startswith("1.积极稳妥推进")
    # 主要功能:一是信息汇集。...五是成效评估 -> five level-4 parts under 三(一).
    parts = units[units.level == 4]
    assert parts.unit_id.tolist() == [f"001-3-1-0-{k}" for k in range(1, 6)]
    assert parts.iloc[0].text.startswith("一是信息汇集。") and parts.iloc[1].text.startswith("二是政策发布")
    assert units.set_index("unit_id").loc["001-3-1"].text.endswith("主要功能:")


def test_bulletin_004_one_unit_per_theme_and_province():
    doc_id = _seed("004")
    units = split_units(_text(doc_id), doc_id)
    themes = units[units.level == 1].heading.tolist()
    assert themes == [
        "一、建档立卡动态调整",
        "二、深度贫困地区脱贫攻坚",
        "三、扶贫领域监督执纪问责",
        "四、创新扶贫工作机制",
    ]
    provs = units[units.province != ""]
    assert len(provs) == 24 and (provs.level == 2).all()
    assert provs[provs.unit_id.str.startswith("004-1-")].province.tolist() == [
        "广西",
        "甘肃",
        "河南",
        "内蒙古",
        "河北",
        "陕西",
        "四川",
        "江苏",
    ]
    nm = provs.set_index("unit_id").loc["004-1-4"]
    assert nm.heading == "一、建档立卡动态调整 > 内蒙" and nm.text.startswith("内蒙\u00a0 组织力量")
    assert provs.set_index("unit_id").loc["004-4-6"].text.endswith("制度保障。")
    assert units[units.flag == "trailer"].text.iloc[0].startswith("(根据有关会议材料整理)")


def test_briefing_002_enumerations_under_sections():
    doc_id = _seed("002")
    units = split_units(_text(doc_id), doc_id).set_index("unit_id")
    assert units.loc["002-3", "heading"] == "一、抓好扶贫资金整合"
    assert units.loc["002-3-0-0-2", "text"].startswith("二是因地制宜上项目")
    assert units.loc["002-3-0-0-2", "level"] == 4
    assert units.loc["002-end", "text"] == "编辑:王云佩"


def test_made_up_fullwidth_parentheses_items_and_ordinals():
    text = (
        "通知\n一、总体要求\n（一）基本原则。坚持精准。\n1、第一条。\n2、第二条。\n（三）保障措施\n二、其他\n"
    )
    units = split_units(text, "x_1").set_index("unit_id")
    assert units.loc["x-1-1", "heading"] == "一、总体要求 > （一）基本原则"
    assert units.loc["x-1-1-2", "heading"] == "一、总体要求 > （一）基本原则 > 2、第二条"
    assert units.loc["x-1-2", "flag"] == "ordinal_mismatch"  # （三） in second position
    assert units.loc["x-2", "level"] == 1 and units.loc["x-p1", "level"] == 0


def test_decimals_dates_and_lone_enumeration_are_not_structure():
    text = "一、成绩\n73.4亿元财政资金落实\n17.01.2017  21:04\n工作一是重点,没有二。\n"
    units = split_units(text, "y")
    assert units.level.tolist() == [1]
    assert_invariants(text, units)


def test_province_needs_space_and_custom_mapping():
    text = "一、做法\n广西  制定流程。\n广西制定流程。\n内蒙古\u3000组织力量。\n"
    units = split_units(text, "z")
    assert units.province.tolist() == ["", "广西", "内蒙古"]
    assert "广西制定流程。" in units.text.iloc[1]  # no space: stays inside the previous unit
    custom = split_units("一、做法\n桂  制定流程。\n", "z", provinces={"桂": "广西"})
    assert custom.province.tolist() == ["", "广西"]


def test_crlf_input():
    units = split_units("标题\r\n一、要求\r\n1.开展识别。\r\n", "w")
    assert units.unit_id.tolist() == ["w-p1", "w-1", "w-1-0-1"]
    assert units.text.tolist() == ["标题", "一、要求", "1.开展识别。"]


def test_numerals_and_provinces_table():
    assert [cn_to_int(n) for n in ["一", "十", "十一", "二十三", "九十九", "零", "十十"]] == [
        1,
        10,
        11,
        23,
        99,
        None,
        None,
    ]
    assert all(cn_to_int(int_to_cn(k)) == k for k in range(1, 100))
    table = load_provinces()
    assert len(table) >= 34 and table.name.is_unique
    aliases = province_aliases(table)
    assert (
        aliases["内蒙"] == "内蒙古"
        and aliases["广西壮族自治区"] == "广西"
        and aliases["宁夏回族自治区"] == "宁夏"
    )


_PIECES = [
    "一、",
    "二、",
    "(一)",
    "()",
    "（二）",
    "1.",
    "2、",
    "【概况】",
    "一是",
    "二是",
    "广西  ",
    "扶贫",
    "。",
    "\n",
    "\n\n",
    " ",
    "\u00a0",
    "73.4",
    "(王珂)",
    "编辑:",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_invariants_on_random_heading_soup(pieces):
    text = "".join(pieces)
    assert_invariants(text, split_units(text, "h_1"))


def test_leaf_mask_on_001():
    doc_id = _seed("001")
    units = split_units(_text(doc_id), doc_id)
    leaves = units[leaf_mask(units)].set_index("unit_id")
    assert "001-1" in leaves.index  # section 一 has no subsections
    assert "001-2" not in leaves.index and "001-2-1" not in leaves.index and "001-3-1" not in leaves.index
    assert "001-2-1-1" in leaves.index and "001-3-1-0-5" in leaves.index and "001-3-2" in leaves.index
    assert int((leaves.level >= 1).sum()) == 36


def test_same_structure_on_package_normalized_text():
    normalize = pytest.importorskip("fupin_research.normalize").normalize
    for prefix, provinces in [("001", 0), ("004", 24)]:
        doc_id = _seed(prefix)
        raw, text = _text(doc_id), normalize(_text(doc_id))
        units, before = split_units(text, doc_id), split_units(raw, doc_id)
        assert_invariants(text, units)
        assert (units.province != "").sum() == provinces
        headed = before[before.level > 0]
        assert units[units.level > 0].unit_id.tolist() == headed.unit_id.tolist()
