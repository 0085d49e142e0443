"""Policy forms of quantities: signs, shares and fractions, mixed numerals, units, and counts that stay out.

Cases marked "jionlp" are forms from dongrixinyu/JioNLP's published tests (test_money_parser.py); "wetext" from
the Chinese inverse-text-normalization examples of wenet-e2e/WeTextProcessing (src/README.md: 负百分之十三 → -13%),
"mandarintools" from weiweiwang/mandarintools' README assertions (五分之三 → 0.6, 负三点五一四 → -3.514).
"""

from decimal import Decimal

import pytest

from fupin_research.extract.quantities import extract_quantities


def _first(text: str):
    df = extract_quantities(text)
    assert not df.empty, text
    return df.iloc[0]


@pytest.mark.parametrize(
    ("text", "surface", "value"),
    [
        ("增速下降-3.8%", "-3.8%", Decimal("-3.8")),
        ("增长负3.8%", "负3.8%", Decimal("-3.8")),
        ("增速为-0.5个百分点", "-0.5个百分点", Decimal("-0.5")),
        ("负十点五元", "负十点五元", Decimal("-10.5")),
        ("负三点五一四元", "负三点五一四元", Decimal("-3.514")),  # mandarintools
        ("有负百分之十三的人", "负百分之十三", -13),  # wetext
        ("有负的百分之二十", "负的百分之二十", -20),  # wetext
    ],
)
def test_signs_are_kept(text, surface, value):
    row = _first(text)
    assert (row.surface, row.value) == (surface, value)
    assert row.value == row.number * row.multiplier


@pytest.mark.parametrize(
    ("text", "surface", "value"),
    [
        ("降低企业税负5700多亿元", "5700多亿元", 570000000000),  # 税负 is a word, not a sign
        ("2017-2018年", None, None),
        ("编号A-3个", None, None),
        ("1-9月增长3个", "3个", 3),
    ],
)
def test_dashes_and_words_are_not_signs(text, surface, value):
    df = extract_quantities(text)
    if surface is None:
        assert (df.value < 0).sum() == 0
        return
    row = df.iloc[0]
    assert (row.surface, row.value) == (surface, value)


@pytest.mark.parametrize(
    ("text", "surface", "value", "approx"),
    [
        ("三分之一", "三分之一", Decimal(100) / 3, "none"),
        ("五分之三", "五分之三", 60, "none"),  # mandarintools 五分之三 → 0.6 (here as 60 %)
        ("占三分之一以上", "三分之一", Decimal(100) / 3, "more_than"),
        ("四分之三", "四分之三", 75, "none"),
        ("千分之五", "千分之五", Decimal("0.5"), "none"),
        ("百分之三十", "百分之三十", 30, "none"),
        ("超过一半", "一半", 50, "more_than"),
        ("五成以上", "五成", 50, "more_than"),
        ("百分百", "百分百", 100, "none"),
    ],
)
def test_fractions_and_shares_are_percentages(text, surface, value, approx):
    row = _first(text)
    assert (row.surface, row.value, row.unit, row.unit_kind, row.approx) == (surface, value, "%", "percent", approx)


@pytest.mark.parametrize("text", ["一成不变", "建成3个", "形成合力", "二分之三"])
def test_not_shares(text):
    assert not (extract_quantities(text).unit == "%").any()


@pytest.mark.parametrize(
    ("text", "surface", "value"),
    [
        ("1万600元", "1万600元", 10600),
        ("100万三千元", "100万三千元", 1003000),
        ("1亿2000万元", "1亿2000万元", 120000000),
        ("2万5千公里", "2万5千公里", 25000),
        ("5000万千瓦", "5000万千瓦", 50000000),  # 千瓦 is the unit, not a tail 千
    ],
)
def test_mixed_numerals(text, surface, value):
    row = _first(text)
    assert (row.surface, row.value, row.multiplier) == (surface, value, row.value // row.number)


@pytest.mark.parametrize(
    ("text", "surface", "unit"),
    [
        ("养殖蛋鸡3000羽", "3000羽", "羽"),  # missed in county documents before
        ("打机井12眼", "12眼", "眼"),
        ("新增灌溉面积1.2万亩", "1.2万亩", "亩"),
        ("造林300公顷", "300公顷", "公顷"),
        ("修建道路5千米", "5千米", "千米"),
        ("储水50立方米", "50立方米", "立方米"),
        ("装机10兆瓦", "10兆瓦", "兆瓦"),
        ("每亩补助300元/亩", "300元", "元"),
        ("补助1900元/人·年", "1900元", "元"),
        ("时速80千米/小时", "80千米", "千米"),
        ("培训5 天", "5 天", "天"),  # a space between number and unit
        ("发放树苗2000株", "2000株", "株"),
        ("建成3座", "3座", "座"),
        ("改造危房20间", "20间", "间"),
        ("出栏生猪300头", "300头", "头"),
    ],
)
def test_policy_units(text, surface, unit):
    row = _first(text)
    assert (row.surface, row.unit) == (surface, unit)


@pytest.mark.parametrize(
    "text",
    [
        "一是加强领导,一批干部",  # lone 一
        "鲁政办发〔2015〕12号",  # document number
        "联系电话:0539-7221234",  # phone number
        "第 5 名",  # ordinal (with spaces)
        "前5位",  # rank
        "队伍只能", "抓两头", "陆续",  # words holding financial digits or classifiers
    ],
)
def test_counts_that_are_not_quantities(text):
    assert extract_quantities(text).empty, extract_quantities(text)[["surface"]].values.tolist()


def test_a_magnitude_stack_beyond_int64_is_no_quantity_and_the_build_goes_on(tmp_path):
    """三亿亿亿亿亿元 (3 × 10**40) stopped the build (OverflowError on the int64 multiplier): it is not read as a
    quantity; a long digit string with 万 still is (its value is exact text, its multiplier 10000)."""
    import pandas as pd

    from fupin_research.build import build_corpus
    from fupin_research.extract.quantities import extract_quantities

    text = "国家投入三亿亿亿亿亿元用于扶贫。另有99999999999999999999万元。"
    assert "三亿亿亿亿亿元" not in extract_quantities(text).surface.tolist()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(text + "\n", encoding="utf-8")
    build_corpus(corpus, tmp_path / "out")
    quantities = pd.read_parquet(tmp_path / "out" / "quantities.parquet")
    assert quantities.surface.tolist() == ["99999999999999999999万元"]
    assert quantities.value.tolist() == ["999999999999999999990000"]
