"""Exact conversion of numeral spans (fupin_research.extract.numerals)."""

from decimal import Decimal

import pytest

from fupin_research.extract.numerals import (
    chinese_to_number,
    exact,
    magnitude_multiplier,
    parse_arabic,
    split_chinese_magnitude,
)


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("两", 2),
        ("兩", 2),
        ("十", 10),
        ("十三", 13),
        ("二十", 20),
        ("一百十八", 118),
        ("二百零五", 205),
        ("三千五", 3500),
        ("三万五", 35000),
        ("三万五千", 35000),
        ("十八万六千", 186000),
        ("四十二万五千", 425000),
        ("一百零九万三千一百", 1093100),
        ("五十万零三", 500003),
        ("七百六十六亿四千万", 76640000000),
        ("一万亿", 10**12),
        ("一九五二", 1952),
    ],
)
def test_chinese_integers(span, expected):
    value = chinese_to_number(span)
    assert value == expected
    assert isinstance(value, int)


def test_chinese_decimals_and_percent_are_exact_decimals():
    assert chinese_to_number("百分之十三点二") == Decimal("13.2")
    assert chinese_to_number("百分之三十六點九") == Decimal("36.9")
    assert chinese_to_number("零点五") == Decimal("0.5")
    assert isinstance(chinese_to_number("三点三"), Decimal)


def test_chinese_rejects_non_numerals():
    with pytest.raises(ValueError):
        chinese_to_number("五莲")
    with pytest.raises(ValueError):
        chinese_to_number("三点")


def test_split_magnitude_follows_gold_convention():
    assert split_chinese_magnitude("五万") == (5, 10000)
    assert split_chinese_magnitude("两千三百万") == (2300, 10000)
    # 万 inside the number: the whole is one number, multiplier 1.
    assert split_chinese_magnitude("三万五千") == (35000, 1)
    assert split_chinese_magnitude("七百六十六亿四千万") == (76640000000, 1)


def test_arabic_parsing_is_exact():
    assert parse_arabic("7.1") == Decimal("7.1")
    assert parse_arabic("10646") == 10646
    assert parse_arabic("1,234") == 1234
    assert parse_arabic("１２.５") == Decimal("12.5")
    # Decimal keeps the value exact where a float would not.
    assert exact(parse_arabic("2.83") * 100000000) == 283000000
    assert exact(parse_arabic("10798.8") * 10000) == 107988000


def test_magnitudes():
    assert magnitude_multiplier("万") == 10_000
    assert magnitude_multiplier("亿") == 100_000_000
    assert magnitude_multiplier("万亿") == 10**12
    assert magnitude_multiplier("千万") == 10**7
    assert magnitude_multiplier("") == 1


def test_exact_normalizes_integral_decimals():
    assert exact(Decimal("7.10") * 10000) == 71000
    assert isinstance(exact(Decimal("7.10") * 10000), int)
    assert exact(Decimal("13.20")) == Decimal("13.2")
