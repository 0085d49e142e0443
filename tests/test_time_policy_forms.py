"""Time expressions policy texts use. Cases marked "jionlp" are forms from dongrixinyu/JioNLP
test/test_time_parser.py (its reference time 2021-06-14 is passed as ``reference_date``; values checked by hand).
"""

import pytest

from fupin_research.extract.time_expressions import COLUMNS, extract_time_expressions

REF = "2021-06-14"


def _only(text: str, **kw):
    df = extract_time_expressions(text, **kw)
    assert len(df) == 1, df[["surface", "kind"]].values.tolist()
    row = df.iloc[0]
    return row.surface, row.kind, row.start_date, row.end_date


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("二〇一七年七月五日", "date", "2017-07-05", "2017-07-05"),  # the date line of an official document
        ("二○一五年十二月", "month", "2015-12-01", "2015-12-31"),  # ○ (U+25CB) as written in many documents
        ("二零零三年十二月", "month", "2003-12-01", "2003-12-31"),  # jionlp
        ("二〇〇六年十二月", "month", "2006-12-01", "2006-12-31"),  # jionlp
        ("二零四九年十月一号以前", "deadline", None, "2049-10-01"),  # jionlp
        ("二〇一九年5月8日起", "since", "2019-05-08", REF),  # jionlp
        ("二〇一八年十二月三十一日", "date", "2018-12-31", "2018-12-31"),
    ],
)
def test_dates_in_chinese_numerals(text, kind, start, end):
    assert _only(text, reference_date=REF) == (text, kind, start, end)


def test_date_line_without_reference():
    df = extract_time_expressions("山东省人民政府\n二〇一七年七月五日\n")
    assert df.columns.tolist() == COLUMNS
    assert df[["kind", "start_date"]].values.tolist() == [["date", "2017-07-05"]]


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("2017年前三季度", "first_months", "2017-01-01", "2017-09-30"),  # was "before the end of 2017"
        ("2022年前十一个月", "first_months", "2022-01-01", "2022-11-30"),  # jionlp
        ("1967年前两月", "first_months", "1967-01-01", "1967-02-28"),  # jionlp
        ("2021年前两个季度", "first_months", "2021-01-01", "2021-06-30"),  # jionlp
        ("2022年首季度", "quarter", "2022-01-01", "2022-03-31"),  # jionlp
        ("2017年二季度末", "quarter_end", "2017-06-30", "2017-06-30"),
        ("今年前三季度", "relative", "2021-01-01", "2021-09-30"),  # jionlp
        ("今年前五个月", "relative", "2021-01-01", "2021-05-31"),  # jionlp
        ("一季度", "quarter", "2021-01-01", "2021-03-31"),  # jionlp
        ("第三季度", "quarter", "2021-07-01", "2021-09-30"),
        ("1993年上半年", "first_half", "1993-01-01", "1993-06-30"),  # jionlp
        ("2018年1－9月份", "range", "2018-01-01", "2018-09-30"),  # jionlp (full-width dash)
        ("1-9月", "range", "2021-01-01", "2021-09-30"),
        ("6月上旬", "ten_days", "2021-06-01", "2021-06-10"),
        ("6月中旬", "ten_days", "2021-06-11", "2021-06-20"),
        ("2016年2月下旬", "ten_days", "2016-02-21", "2016-02-29"),
        ("3月初", "month_start", "2021-03-01", "2021-03-10"),
        ("6月底", "month_end", "2021-06-30", "2021-06-30"),
        ("本月", "relative", "2021-06-01", "2021-06-30"),
        ("当月", "relative", "2021-06-01", "2021-06-30"),  # jionlp
        ("上月", "relative", "2021-05-01", "2021-05-31"),
        ("上个月15号", "relative", "2021-05-15", "2021-05-15"),  # jionlp
        ("本月9日", "relative", "2021-06-09", "2021-06-09"),  # jionlp
        ("本月初", "relative", "2021-06-01", "2021-06-10"),
        ("今明两年", "relative", "2021-01-01", "2022-12-31"),
    ],
)
def test_quarters_and_parts_of_years_and_months(text, kind, start, end):
    assert _only(text, reference_date=REF) == (text, kind, start, end)


def test_anaphoric_years_follow_the_period():
    assert _only("这一年", period="2016")[1:] == ("relative", "2016-01-01", "2016-12-31")
    assert _only("下年", period="2016")[1:] == ("relative", "2017-01-01", "2017-12-31")


def test_months_without_a_reference_have_no_dates():
    assert _only("本月")[1:] == ("relative", None, None)


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("2017年8月15日至2018年3月29日", "range", "2017-08-15", "2018-03-29"),  # jionlp
        ("2016年11月至2017年3月", "range", "2016-11-01", "2017-03-31"),
        ("2017年五月至2018年四月", "range", "2017-05-01", "2018-04-30"),  # jionlp
        ("2017年8月11日至8月22日", "range", "2017-08-11", "2017-08-22"),  # jionlp
        ("2018年2——4月", "range", "2018-02-01", "2018-04-30"),  # jionlp
        ("年底前", "deadline", None, "2021-12-31"),  # jionlp
        ("明年底前", "deadline", None, "2022-12-31"),  # jionlp
        ("明年6月底前", "deadline", None, "2022-06-30"),
        ("明年6月之前", "deadline", None, "2022-06-30"),  # jionlp
        ("2025年前", "deadline", None, "2025-12-31"),  # jionlp
        ("去年9月以来", "since", "2020-09-01", REF),
        ("去年9月起", "since", "2020-09-01", REF),  # jionlp 从去年9月起
        ("2020年9月以来", "since", "2020-09-01", REF),
        ("截至今年6月底", "as_of", "2021-06-30", "2021-06-30"),
    ],
)
def test_ranges_deadlines_and_since(text, kind, start, end):
    assert _only(text, reference_date=REF, period="2021") == (text, kind, start, end)


def test_since_without_a_day_of_reference_stays_open():
    assert _only("2016年以来")[1:] == ("since", "2016-01-01", None)
    assert _only("2016年以来", reference_date="2017")[1:] == ("since", "2016-01-01", None)


@pytest.mark.parametrize("text", ["07年第三季度", "九七年一季度"])
def test_unreadable_years_give_no_row_rather_than_a_wrong_one(text):
    assert extract_time_expressions(text, reference_date=REF).empty
