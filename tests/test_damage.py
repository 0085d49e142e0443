"""Tests of fupin_research.damage: extraction damage in the seed corpus is detected, located and never repaired."""

from __future__ import annotations

from functools import cache

import pandas as pd
import pytest

from fupin_research.damage import WARNING_COLUMNS, damage_table, detect_damage
from fupin_research.normalize import normalize
from fupin_research.paths import seed_corpus_dir

SEEDS = {path.stem[:3]: path for path in sorted(seed_corpus_dir().glob("*.txt"))}


@cache
def raw(key: str) -> str:
    return SEEDS[key].read_text(encoding="utf-8")


@cache
def clean(key: str) -> str:
    return normalize(raw(key))


def kinds(frame: pd.DataFrame) -> dict[str, int]:
    return frame.groupby("kind").size().to_dict()


@pytest.mark.parametrize("form", ["raw", "clean"])
@pytest.mark.parametrize("key", sorted(SEEDS))
def test_offsets_valid(key, form):
    text = raw(key) if form == "raw" else clean(key)
    frame = detect_damage(text, SEEDS[key].stem)
    assert list(frame.columns) == WARNING_COLUMNS
    assert (frame.doc_id == SEEDS[key].stem).all()
    for row in frame.itertuples():
        assert 0 <= row.start < row.end <= len(text)
        assert text[row.start : row.end] == row.surface
    assert frame.start.is_monotonic_increasing


@pytest.mark.parametrize("form", ["raw", "clean"])
def test_seed_001_lost_list_ordinals(form):
    text = raw("001") if form == "raw" else clean("001")
    frame = detect_damage(text)
    ordinals = frame[frame.kind == "lost_list_ordinal"]
    assert len(ordinals) == 17
    assert set(ordinals.surface) == {"()"}
    for start in ordinals.start:
        line_start = text.rfind("\n", 0, start) + 1
        assert text[line_start:start].strip() == ""  # the brackets open the line: a heading
        assert "\u4e00" <= text[start + 2] <= "\u9fff"  # the heading text follows at once
    assert text[ordinals.start.iloc[0] :].startswith("()做好基础工作")


def test_seed_001_lost_opening_quote():
    text = clean("001")
    frame = detect_damage(text)
    quote = frame[frame.kind == "lost_opening_quote"]
    position = text.index("六个精准”") + len("六个精准")
    assert position in set(quote.start)
    assert quote.set_index("start").loc[position, "surface"] == "”"
    assert kinds(frame)["lost_opening_quote"] == 3  # 六个精准”, 关系扶贫”, 企业+基地+农户”


def test_seed_004_lost_month_and_date_separators():
    text = clean("004")
    frame = detect_damage(text, "004")
    assert kinds(frame) == {"lost_month": 1, "lost_date_separators": 1, "lost_range_separator": 1}
    month = frame[frame.kind == "lost_month"].iloc[0]
    assert month.surface == "1022日" and month.start == text.index("1022日")
    assert "10月22日" in month.detail
    dates = frame[frame.kind == "lost_date_separators"].iloc[0]
    assert dates.surface == "2017112" and dates.start == text.index("2017112")
    assert "2017年11月2日" in dates.detail  # one of the readings given


@pytest.mark.parametrize("key", ["000", "003"])
def test_no_false_alarms(key):
    assert detect_damage(raw(key)).empty
    assert detect_damage(clean(key)).empty


def test_seed_002_quote_split_by_a_line_break():
    frame = detect_damage(clean("002"))
    assert kinds(frame) == {"line_break_in_quote": 1, "lost_range_separator": 1}
    row = frame[frame.kind == "line_break_in_quote"].iloc[0]
    text = clean("002")
    assert text[row.start - 2 : row.end + 3] == "“牛\n\n鼻子”"


def test_the_text_is_not_modified():
    documents = pd.DataFrame({"doc_id": ["001", "004"], "text": [clean("001"), clean("004")]})
    before = documents.copy()
    table = damage_table(documents)
    pd.testing.assert_frame_equal(documents, before)
    assert "()做好基础工作" in documents.text[0] and "1022日" in documents.text[1]  # found, not repaired
    assert kinds(table) == {
        "lost_list_ordinal": 17, "lost_opening_quote": 3, "unclosed_quote": 3,
        "lost_month": 1, "lost_date_separators": 1, "lost_range_separator": 1,
    }
    assert set(table.doc_id) == {"001", "004"}


@pytest.mark.parametrize(
    "text",
    ["10月22日召开", "2017年11月2日", "共1022人", "投入20171120元", "电话:65368495", "(一)做好基础工作",
     "（二）大力发展生产", "说“精准扶贫”好", "1.22日", "31日", ""],
)
def test_intact_text_gives_no_warning(text):
    frame = detect_damage(text)
    assert frame.empty and list(frame.columns) == WARNING_COLUMNS


@pytest.mark.parametrize(
    "text,kind,surface",
    [
        ("()做好基础工作", "lost_list_ordinal", "()"),
        ("  （）强化社会保障", "lost_list_ordinal", "（）"),
        ("按照六个精准”要求", "lost_opening_quote", "”"),
        ("2018年1022日召开", "lost_month", "1022日"),
        ("截至20181231", "lost_date_separators", "20181231"),
        ("提出“五个一批\n\n下一段", "unclosed_quote", "“"),
    ],
)
def test_damage_in_small_strings(text, kind, surface):
    frame = detect_damage(text)
    assert frame.kind.tolist() == [kind]
    row = frame.iloc[0]
    assert row.surface == surface == text[row.start : row.end]


def test_seed_004_lost_range_separator():
    """004's header writes 2017-11-09; its body (from 1022日, ...) has no hyphen, dash or tilde at all."""
    text = clean("004")
    row = detect_damage(text, "004").query("kind == 'lost_range_separator'").iloc[0]
    assert row.surface == "-" and text[row.start - 4 : row.end + 2] == "2017-11"
    body = text.index("1022日")
    assert f"from offset {body}" in row.detail
    assert not any(char in text[body:] for char in "-–—―~～")


@pytest.mark.parametrize("key", ["000", "001", "003"])
def test_bodies_with_a_range_separator_give_no_range_warning(key):
    """000 writes 7月5日—8日, 001 2016-2017年, 003 (2016-2020年): their separators survived."""
    assert "lost_range_separator" not in set(detect_damage(clean(key)).kind)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("发布时间:2017-11-09\n每个乡镇配备23名扶贫专干。", True),
        ("发布时间:2017-11-09\n每个乡镇配备2-3名扶贫专干。", False),   # the body kept its hyphen
        ("发布时间:2017-11-09\n每村配备2～3名。", False),               # a tilde is a range separator too
        ("发布时间:2017-11-09\n2016—2018年基本完成。", False),          # so is an em dash
        ("发布时间:2017年11月9日\n每个乡镇配备23名扶贫专干。", False),   # the header has none to compare
        ("每个乡镇配备23名扶贫专干。", False),                         # no header at all
        ("发布时间:2017-11-09\n每村2至3名。", True),                    # 至 is a word, not a separator
    ],
)
def test_lost_range_separator_rule(text, expected):
    assert ("lost_range_separator" in set(detect_damage(text).kind)) is expected
