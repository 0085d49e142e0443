"""Ranges and vague numerals: the 万/亿 and the unit written once serve both ends; a vague numeral is a range.

Cases marked "jionlp" are forms from dongrixinyu/JioNLP test/test_money_parser.py (values checked by hand;
JioNLP's currencies other than 元 are replaced by 元).
"""

import pytest

from fupin_research.extract.quantities import extract_quantities


def _one(text: str):
    df = extract_quantities(text)
    assert len(df) == 1, df[["surface", "value"]].values.tolist()
    return df.iloc[0]


@pytest.mark.parametrize(
    ("text", "surface", "value", "high", "unit"),
    [
        ("5000至2万元", "5000至2万元", 5000, 20000, "元"),  # was one row of 50,000,000
        ("5000元至2万元", "5000元", 5000, None, "元"),  # unchanged: two figures with their own units
        ("3至5万元", "3至5万元", 30000, 50000, "元"),
        ("从8500到3万元", "8500到3万元", 8500, 30000, "元"),  # jionlp 从8500到3万港元
        ("1万-5万元", "1万-5万元", 10000, 50000, "元"),  # jionlp
        ("2至3次", "2至3次", 2, 3, "次"),  # gold rule 7
        ("35001-70000元", "35001-70000元", 35001, 70000, "元"),  # gold rule 13
        ("两到三万元", "两到三万元", 20000, 30000, "元"),  # jionlp 两到三万港元
        ("十八至三十万元", "十八至三十万元", 180000, 300000, "元"),  # jionlp
        ("一百二十到一百五十万元", "一百二十到一百五十万元", 1200000, 1500000, "元"),  # jionlp
        ("一千到两千万元", "一千到两千万元", 10000000, 20000000, "元"),  # jionlp
        ("七千到九千亿元", "七千到九千亿元", 700000000000, 900000000000, "元"),  # jionlp
        ("五到十年", "五到十年", 5, 10, "年"),
    ],
)
def test_ranges_carry_multiplier_and_unit(text, surface, value, high, unit):
    row = _one(text) if high is not None else extract_quantities(text).iloc[0]
    assert (row.surface, row.value, row.unit) == (surface, value, unit)
    assert (row.range_high if high is not None else None) == high


@pytest.mark.parametrize(
    ("text", "value", "high", "marker"),
    [
        ("三四万元", 30000, 40000, "三四"),
        ("八九亿元", 800000000, 900000000, "八九"),  # jionlp 八九亿韩元
        ("数十亿元", 1000000000, 10000000000, "数十"),  # jionlp 数十亿元人民币
        ("几十万元", 100000, 1000000, "几十"),  # jionlp 几十万块
        ("十几个", 10, 20, "十几"),  # jionlp 十几块钱
        ("三五百元", 300, 500, "三五百"),  # jionlp 三五百块
        ("四五千块钱", 4000, 5000, "四五千"),  # jionlp
        ("两三年", 2, 3, "两三"),
        ("二三十年", 20, 30, "二三十"),
        ("十几亿人", 1000000000, 2000000000, "十几"),
    ],
)
def test_vague_numerals_are_ranges_with_approx(text, value, high, marker):
    row = _one(text)
    assert (row.value, row.range_high, row.approx, row.approx_marker) == (value, high, "about", marker)


@pytest.mark.parametrize("text", ["几个村", "数次", "几户"])
def test_too_vague_gives_no_row(text):
    assert extract_quantities(text).empty


def test_range_value_never_exceeds_its_high_end():
    for text in ["5000至2万元", "3至5万元", "两到三万元", "一百二十到一百五十万元", "三四万元"]:
        row = _one(text)
        assert row.value <= row.range_high
