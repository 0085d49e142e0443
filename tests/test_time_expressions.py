"""Tests for fupin_research.extract.time_expressions on seed snippets and made-up strings."""

from __future__ import annotations

import time

import pytest

from fupin_research.extract.time_expressions import extract_time_expressions
from fupin_research.paths import seed_corpus_dir


def _seed(doc_prefix: str) -> str:
    (path,) = seed_corpus_dir().glob(f"{doc_prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _row(df, surface):
    rows = df[df["surface"] == surface]
    assert len(rows) >= 1, f"no row for {surface!r}: {df['surface'].tolist()}"
    return rows.iloc[0]


def _dates(row):
    return row["kind"], row["start_date"], row["end_date"]


@pytest.mark.parametrize("surface", ["十三五", "“十三五”", "“十三五”期间", "十三五时期"])
def test_thirteenth_five_year_plan(surface: str) -> None:
    df = extract_time_expressions(f"进入{surface},脱贫攻坚")
    assert _dates(_row(df, surface)) == ("fyp_period", "2016-01-01", "2020-12-31")


def test_other_five_year_plans() -> None:
    df = extract_time_expressions("十一五期间,十二五时期,“十四五”规划,“十二五”末,第一个五年计划,十五年,二十五个")
    assert _dates(_row(df, "十一五期间")) == ("fyp_period", "2006-01-01", "2010-12-31")
    assert _dates(_row(df, "十二五时期")) == ("fyp_period", "2011-01-01", "2015-12-31")
    assert _dates(_row(df, "“十四五”规划")) == ("fyp_period", "2021-01-01", "2025-12-31")
    assert _dates(_row(df, "“十二五”末")) == ("fyp_end", "2015-12-31", "2015-12-31")
    assert _dates(_row(df, "第一个五年计划")) == ("fyp_period", "1953-01-01", "1957-12-31")
    assert len(df) == 5  # 十五年 (a duration) and 二十五个 (a count) give nothing


def test_day_range_in_000_takes_year_from_earlier_context() -> None:
    text = _seed("000")
    df = extract_time_expressions(text)  # no reference date: the year comes from 2017年 earlier in the text
    row = _row(df, "7月5日—8日")
    assert _dates(row) == ("range", "2017-07-05", "2017-07-08")
    assert text[row["start"]:row["end"]] == "7月5日—8日"


def test_counts_durations_and_money_are_not_years() -> None:
    t000, t003 = _seed("000"), _seed("003")
    for text in (t000, t003):
        df = extract_time_expressions(text)
        for row in df.itertuples():
            assert text[row.start:row.end] == row.surface
            assert "1848" not in row.surface and "2000" not in row.surface
    pos = t000.index("1848个")
    df = extract_time_expressions(t000)
    assert not ((df["start"] <= pos) & (df["end"] > pos)).any()
    pos = t003.index("15年免费教育")
    df3 = extract_time_expressions(t003, "2017-01-17", period="2016")
    assert not ((df3["start"] <= pos + 2) & (df3["end"] > pos)).any()
    pos = t003.index("2016元")
    assert not ((df3["start"] <= pos) & (df3["end"] > pos)).any()
    assert extract_time_expressions("两年内完成,三年行动,2000多人,3个月,12317电话").empty


def test_as_of_year_end_ranges_and_deadlines() -> None:
    text = (
        "截至2017年底,全省还有8.9万户。比2016年底提高445元。调整确定“2016年—2018年基本完成、2019年巩固提升”。"
        "在脱贫进度上,2016-2017年两年基本完成脱贫任务。力争到2020年,全省包虫病得到控制。2020年前完成。"
        "2018年低保线达到省定扶贫标准线。涉及2015年至2017年专项扶贫资金。2016年以来共整合资金。"
    )
    df = extract_time_expressions(text)
    assert _dates(_row(df, "截至2017年底")) == ("as_of", "2017-12-31", "2017-12-31")
    assert _dates(_row(df, "2016年底")) == ("year_end", "2016-12-31", "2016-12-31")
    assert _dates(_row(df, "2016年—2018年")) == ("range", "2016-01-01", "2018-12-31")
    assert _dates(_row(df, "2016-2017年")) == ("range", "2016-01-01", "2017-12-31")
    assert _dates(_row(df, "力争到2020年")) == ("deadline", None, "2020-12-31")
    assert _dates(_row(extract_time_expressions("到2020年实现"), "到2020年")) == ("deadline", None, "2020-12-31")
    assert _dates(_row(df, "2020年前")) == ("deadline", None, "2020-12-31")
    assert _dates(_row(df, "2018年")) == ("year", "2018-01-01", "2018-12-31")
    assert _dates(_row(df, "2015年至2017年")) == ("range", "2015-01-01", "2017-12-31")
    assert _dates(_row(df, "2016年以来")) == ("since", "2016-01-01", None)


def test_relative_years_need_the_period() -> None:
    text = "比上年增长60%,全年完成4.85万户,年底完工,上半年完成,今年6月份,去年5月10日"
    df = extract_time_expressions(text, period="2017")
    assert _dates(_row(df, "上年")) == ("relative", "2016-01-01", "2016-12-31")
    assert _dates(_row(df, "全年")) == ("relative", "2017-01-01", "2017-12-31")
    assert _dates(_row(df, "年底")) == ("relative", "2017-12-31", "2017-12-31")
    assert _dates(_row(df, "上半年")) == ("relative", "2017-01-01", "2017-06-30")
    assert _dates(_row(df, "今年6月份")) == ("relative", "2017-06-01", "2017-06-30")
    assert _dates(_row(df, "去年5月10日")) == ("relative", "2016-05-10", "2016-05-10")
    unresolved = extract_time_expressions(text)
    assert unresolved["start_date"].isna().all() and len(unresolved) == len(df)


def test_deictic_words_use_the_reference_date_in_003() -> None:
    # 003 reports 2016 results on 2017-01-17: 全年/上年 count from 2016, 去年12月 from the writing date.
    text = _seed("003")
    df = extract_time_expressions(text, "2017-01-17", period="2016")
    assert _dates(_row(df, "去年12月")) == ("relative", "2016-12-01", "2016-12-31")
    assert _dates(_row(df, "上年")) == ("relative", "2015-01-01", "2015-12-31")
    assert _dates(_row(df, "17.01.2017 \xa021:04")) == ("timestamp", "2017-01-17", "2017-01-17")
    assert _dates(_row(df, "“十二五”末")) == ("fyp_end", "2015-12-31", "2015-12-31")


def test_iso_timestamp_and_reference_year_in_002() -> None:
    text = _seed("002")
    df = extract_time_expressions(text, "2018-09-06", period="2018")
    assert _dates(_row(df, "2018-09-06 16:18")) == ("timestamp", "2018-09-06", "2018-09-06")
    row = _row(df, "8月1日")  # no year in its line: the reference date's year, not 2017 from an earlier line
    assert _dates(row) == ("date", "2018-08-01", "2018-08-01") and row["year_source"] == "reference"


def test_months_and_days_with_context() -> None:
    df = extract_time_expressions("2017年3月开工。4月,表彰。11月9日验收。从10月份起每月移交。3个月内完成。")
    assert _dates(_row(df, "2017年3月")) == ("month", "2017-03-01", "2017-03-31")
    assert _dates(_row(df, "4月")) == ("month", "2017-04-01", "2017-04-30")
    assert _dates(_row(df, "11月9日")) == ("date", "2017-11-09", "2017-11-09")
    assert _dates(_row(df, "10月份")) == ("month", "2017-10-01", "2017-10-31")
    assert "3个月" not in "".join(df["surface"])


def test_fast_enough() -> None:
    text = "".join(_seed(d) for d in ("000", "001", "002", "003", "004")) * 10
    started = time.perf_counter()
    extract_time_expressions(text, period="2017")
    assert time.perf_counter() - started < 3


def test_years_count_before_nian_zhong_is_not_mid_year():
    rows = extract_time_expressions("过去十多年中，几年中都是这样。")
    assert rows.empty


def test_month_ranges_and_ranges_across_a_year_end():
    months = extract_time_expressions("2017年1-10月，全省新增就业")
    expected = [["2017年1-10月", "2017-01-01", "2017-10-31"]]
    assert months[["surface", "start_date", "end_date"]].values.tolist() == expected
    winter = extract_time_expressions("12月28日至1月3日开展走访", reference_date="2017-12-01")
    assert winter[["start_date", "end_date"]].values.tolist() == [["2017-12-28", "2018-01-03"]]
    assert extract_time_expressions("培训1-2个月").empty
