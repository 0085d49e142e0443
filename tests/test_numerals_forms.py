"""Chinese numerals: one parser (extract/numerals.py) for every module, checked on forms other parsers test.

Cases marked "cn2an" come from Ailln/cn2an's published tests (cn2an/cn2an_test.py), "numcn" from
pkumza/numcn (numcn_test.go), "jionlp" from dongrixinyu/JioNLP test/test_money_parser.py; values were checked
by hand, not copied in bulk.
"""

import shutil
from decimal import Decimal

import pytest

from fupin_research.extract.numerals import (
    chinese_to_number,
    digit_string_to_int,
    int_to_chinese,
    small_chinese_int,
    vague_range,
)
from fupin_research.extract.quantities import extract_quantities


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("二百五", 250),  # short form: the last digit is one step below 百 (the old suite accepted 205)
        ("三千五", 3500),
        ("一万五", 15000),
        ("二百零五", 205),  # with 零 the digit is units
        ("三千零五", 3005),
        ("一千零十一", 1011),  # cn2an
        ("一千零一十", 1010),  # cn2an
        ("一百万零五十四", 1000054),  # cn2an
        ("三千壹佰万零伍拾肆", 31000054),  # cn2an (financial digits mixed with ordinary ones)
        ("柒仟壹佰肆拾", 7140),  # numcn
        ("贰亿叁仟肆佰贰拾叁万肆仟贰佰贰拾叁", 234234223),  # numcn
        ("一百零二亿五千零一万一千零三十八", 10250011038),  # numcn
        ("五十万亿零三千一百万零二十四", 50000031000024),  # numcn
        ("肆佰叁拾萬", 4300000),  # jionlp (traditional 萬)
        ("兩億", 200000000),
    ],
)
def test_integers(span, expected):
    assert chinese_to_number(span) == expected


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("零点五", Decimal("0.5")),
        ("零點五", Decimal("0.5")),
        ("零点零零零零五", Decimal("0.00005")),  # cn2an
        ("负十点五", Decimal("-10.5")),
        ("負十點五", Decimal("-10.5")),
        ("负三", -3),
    ],
)
def test_decimals_and_signs(span, expected):
    assert chinese_to_number(span) == expected


@pytest.mark.parametrize(
    ("text", "surface", "value", "unit"),
    [
        # traditional characters in raw text, not only after normalize()
        ("投入資金三萬元", "三萬元", 30000, "元"),
        ("共計兩億元", "兩億元", 200000000, "元"),
        ("增長零點五個百分點", "零點五個百分點", Decimal("0.5"), "个百分点"),
        ("下降負十點五元", "負十點五元", Decimal("-10.5"), "元"),
        ("花費二百五元", "二百五元", 250, "元"),
        ("補助三千五元", "三千五元", 3500, "元"),
        ("零点五个百分点", "零点五个百分点", Decimal("0.5"), "个百分点"),
        ("一点二五人民币", "一点二五人民币", Decimal("1.25"), "元"),
    ],
)
def test_numerals_in_raw_text(text, surface, value, unit):
    row = extract_quantities(text).iloc[0]
    assert (row.surface, row.value, row.unit) == (surface, value, unit)


def test_small_numerals_have_one_home():
    from fupin_research.extract import formulas, time_expressions
    from fupin_research.structure import cn_to_int

    assert [small_chinese_int(s) for s in ("一", "十", "十三", "二十", "九十九", "三十三十", "")] == [
        1, 10, 13, 20, 99, None, None]
    assert cn_to_int("十四") == 14 and cn_to_int("百") is None
    assert digit_string_to_int("二〇一七") == 2017 and digit_string_to_int("二○一五") == 2015
    assert int_to_chinese(14) == "十四"
    assert time_expressions._cn_small("十三") == 13  # the plan ordinal comes from numerals.py
    assert formulas.formula_numerals("十八个精准") == [18]


@pytest.mark.parametrize(
    ("numeral", "expected"),
    [
        ("三四", (3, 4)),
        ("八九", (8, 9)),
        ("三五百", (300, 500)),  # jionlp 三五百块 → 300..500
        ("四五千", (4000, 5000)),  # jionlp
        ("二三十", (20, 30)),
        ("十七八", (17, 18)),
        ("几十", (10, 100)),  # jionlp 几十万块 → 100000..1000000
        ("数十", (10, 100)),  # jionlp 数十亿元 → 1e9..1e10
        ("十几", (10, 20)),  # jionlp 十几块钱 → 10..20
        ("二十几", (20, 30)),
        ("三十", None),
        ("三五", (3, 5)),
        ("三六", None),
        ("几", None),
    ],
)
def test_vague_range(numeral, expected):
    assert vague_range(numeral) == expected


def test_provinces_have_one_matcher_that_reads_semicolon_aliases(tmp_path, monkeypatch):
    from fupin_research import audit, corpus, structure

    data = tmp_path / "data"
    shutil.copytree(structure.data_dir(), data, ignore=shutil.ignore_patterns("corpus", "corpora", "gold"))
    (data / "corpus").mkdir()
    table = (data / "provinces.csv").read_text(encoding="utf-8")
    # two aliases, written the way provinces.csv separates them (;): audit used to split on |
    table = table.replace(",内蒙古自治区,蒙,内蒙,", ",内蒙古自治区,蒙,内蒙;蒙古地区,")
    (data / "provinces.csv").write_text(table, encoding="utf-8")
    monkeypatch.setattr(structure, "data_dir", lambda: data)
    pattern = audit._provinces_re()
    assert pattern is structure.province_mention_pattern()[1]
    assert pattern.search("在蒙古地区调研").group() == "蒙古地区"
    assert corpus.infer_province("蒙古地区……蒙古地区……内蒙的牧区") == "内蒙古"


# Added where mutation testing of numerals.py (a seeded AST harness) showed surviving mutants.
@pytest.mark.parametrize(
    ("span", "expected"),
    [("叁佰", 300), ("參拾", 30), ("柒拾捌", 78), ("玖", 9), ("伍佰陆拾", 560), ("陸", 6), ("-三", -3), ("－三", -3)],
)
def test_financial_digits_and_minus_signs(span, expected):
    assert chinese_to_number(span) == expected


@pytest.mark.parametrize("numeral", ["十十", "三三", "三十三十", "一百", "三四五", "十二三"])
def test_small_chinese_int_rejects_what_is_not_one_to_ninety_nine(numeral):
    assert small_chinese_int(numeral) is None


def test_int_to_chinese_bounds():
    assert [int_to_chinese(n) for n in (1, 9, 10, 11, 20, 99)] == ["一", "九", "十", "十一", "二十", "九十九"]
    for bad in (0, 100):
        with pytest.raises(ValueError):
            int_to_chinese(bad)


def test_one_or_two_is_a_vague_range():
    assert vague_range("一二") == (1, 2) and vague_range("一两") == (1, 2)
    row = extract_quantities("用一两年时间").iloc[0]
    assert (row.value, row.range_high) == (1, 2)
