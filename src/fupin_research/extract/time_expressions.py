"""Time expressions: years, months, dates, ranges, relative years, five-year-plan periods, deadlines.

One compiled regex finds every expression; each row is resolved to ``start_date``/``end_date`` (ISO strings,
None where unknown). Conventions:

* ``2017年`` → 2017-01-01..2017-12-31; ``2017年底``/``年末`` → the point 2017-12-31 (kind ``year_end``);
  ``年初`` → 01-01..03-31 (``year_start``); ``上半年`` → 01-01..06-30; ``下半年`` → 07-01..12-31.
* ``截至/截止 X`` → kind ``as_of``, a point at the end of X; ``到/至/力争到 X`` and ``X前/以前`` → kind
  ``deadline`` (start None, end = end of X; a past 到2014年年底 is labelled deadline too);
  ``X以来/起`` → ``since`` (end None); ``X后/以后`` → ``after``.
* A month or day without a year (``7月5日—8日``) takes the nearest earlier explicit year in the same line,
  else the year of ``reference_date``, else ``period``, else the nearest earlier explicit year in the text (column
  ``year_source``: explicit, context, reference, document, period).
* Relative years: anaphoric words (全年, 上年, 当年, 本年, 同年, 次年, standalone 年初/年底/上半年) are
  resolved against ``period`` (the year the document covers), deictic words (今年, 去年, 明年, 前年) against
  ``reference_date`` (the day of writing); each falls back on the other; without both they stay None.
* Five-year plans: 十一五 → 2006..2010, 十二五 → 2011..2015, 十三五 → 2016..2020, 十四五 → 2021..2025
  (quoted or not, 时期/期间/规划; ``末`` gives the last year). ``第N个五年计划`` too.
* Dates in Chinese numerals (``二〇一七年七月五日`` → date 2017-07-05, ``二○一五年十二月`` → month), the date line
  of official documents. Quarters: ``一季度``/``第三季度`` (kind ``quarter``), ``二季度末`` (``quarter_end``);
  ``前三季度``/``前十一个月``/``前两月`` after a year are its first N quarters or months (``first_months``, not a
  deadline). Parts of a month: ``上旬/中旬/下旬`` (``ten_days``: 1–10, 11–20, 21–end), ``月初`` (1–10,
  ``month_start``), ``月底/月末`` (the last day, ``month_end``). ``本月/上月/下月/当月`` count months from
  ``reference_date`` (None without one); ``今明两年`` is this year and the next; ``这一年``/``下年`` are anaphoric.
* ``2017年8月15日至2018年3月29日`` and ``2016年11月至2017年3月`` are one ``range``; ``1－9月`` (full-width dash) too.
  ``以来/起`` ranges (``since``) end at ``reference_date`` when it is a full date (else None); deadlines,
  ``since`` and ``as_of`` apply to relative words as well (``明年6月底前``, ``去年9月以来``, ``截至今年6月底``).
* Only 4-digit years 1800–2099 followed by 年 (or in ISO/ranges) are years: counts (1848个, 2000多人),
  durations (15年免费教育, 两年, 三年) and money (年人均2016元) give no row.

Example:
    >>> df = extract_time_expressions("2017年,7月5日—8日调研。“十三五”期间,截至2017年底。")
    >>> for row in df[["surface", "kind", "start_date", "end_date"]].values.tolist():
    ...     print(row)
    ['2017年', 'year', '2017-01-01', '2017-12-31']
    ['7月5日—8日', 'range', '2017-07-05', '2017-07-08']
    ['“十三五”期间', 'fyp_period', '2016-01-01', '2020-12-31']
    ['截至2017年底', 'as_of', '2017-12-31', '2017-12-31']
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re

import pandas as pd

from fupin_research.extract.numerals import digit_string_to_int, small_chinese_int
from fupin_research.split import frame_from_rows

COLUMNS = ["start", "end", "surface", "kind", "start_date", "end_date", "year_source"]
# unknown dates and sources stay None (not NaN)
_DTYPES = {"start": "int64", "end": "int64", "start_date": "object", "end_date": "object", "year_source": "object"}
COLUMN_DTYPES = _DTYPES  # the dtypes of the extractor's table (for the build's Arrow tables)

_DASH = r"[—–\-－~～至到]+"
_YEAR = r"(?:1[89]\d{2}|20\d{2})"
_CN_YEAR = r"[〇○零一二三四五六七八九]{4}"
_REL_WORDS = "今明两年|今年|去年|上年|明年|前年|当年|本年|次年|全年|同年|上一年|下一年|这一年|下年"
# A month (Arabic or Chinese: 7月, 十二月), an optional day, and a part of the month (上旬, 月底).
_CN_MONTH = r"十[一二]?|[一二三四五六七八九]"
_CN_DAY = r"[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九]"
_N_SMALL = r"[一二两三四五六七八九十\d]{1,3}"
# 前 / 后 right before a count of months or quarters (2017年前三季度) start "the first N", not a deadline.
_POST = (r"(?:以前|之前|前(?!" + _N_SMALL + r"个?(?:季度|月))|以来|起|开始|以后|之后|后(?!"
         + _N_SMALL + r"个?(?:季度|月)))")
# Parts of a year after it (or after 今年): quarters and the first N months or quarters.
_YEAR_SUB = r"(?:第|前)?[一二三四两1-4]个?季度(?:末|初)?|首季度|前" + _N_SMALL + r"个?月(?:份)?"


def _md(p: str) -> str:
    return (rf"(?P<{p}_m>\d{{1,2}}|{_CN_MONTH})月(?:份)?"
            rf"(?:(?P<{p}_d>\d{{1,2}}|{_CN_DAY})[日号])?(?P<{p}_mp>上旬|中旬|下旬|初|底|末)?")
_PERIOD_PART = r"上半年|下半年|年底|年末|年初|年中|底|末|初"

# Where a match can start (a necessary condition derived from the alternatives below, tested before them):
# one character class rejects most positions cheaply, then frequent characters (一, 上, 年, digits inside a
# number) go on only when what follows can make a time expression. Each branch starts with a character or
# class, which the regex engine checks without entering the branch.
_FIRST_CHARS = (
    r"(?=[\d截力争到至十〇○零一二三四五六七八九“\"第今去明前当本次全同上下年这两])"
    # the first digit of a run (every digit alternative has (?<!\d) or (?<![\d.])) before 年, 月, . or a dash
    r"(?=\d(?<!\d\d)\d{0,3}(?:[.年月]|个?季度|\s*[—–\-－~～至到])"
    r"|(?:截[至止]到?|力争到|争取到|[到至])[\d〇○零一二三四五六七八九]"  # 截至2017年, 到二〇二〇年
    r"|截[至止]到?[今去明本当上]年|今明两年|这一年|下年|[本上下当这]个?月"
    r"|(?:第|前)?[一二三四两1-4]个?季度"
    r"|十[一二三四五]?五|[六七八九]五|[“\"](?:十[一二三四五]?|[六七八九])五|第[一二三四五六七八九十]{1,3}个五年"
    r"|[今去明前当本次全同上下]年|[上下][一半]年|年[初底末中]"  # 今年, 上一年, 下半年, 年底
    r"|[〇○零一二三四五六七八九][〇○零一二三四五六七八九]{3}年)"  # 二〇一七年
)
_PATTERN = re.compile(
    _FIRST_CHARS
    + "(?:"
    + "|".join(
        [
            # 2018-09-06 16:18 / 2019-10-16
            rf"(?P<iso>(?<![\d.])(?P<iso_y>{_YEAR})-(?P<iso_m>\d{{1,2}})-(?P<iso_d>\d{{1,2}})"
            r"(?:[ T]+(?P<iso_t>\d{1,2}:\d{2}(?::\d{2})?))?(?![\d-]))",
            # 17.01.2017 21:04 (day.month.year of web bylines)
            rf"(?P<dmy>(?<![\d.])(?P<dmy_d>\d{{1,2}})\.(?P<dmy_m>\d{{1,2}})\.(?P<dmy_y>{_YEAR})"
            r"(?:\s+(?P<dmy_t>\d{1,2}:\d{2}))?(?![\d.]))",
            # 2016年—2018年, 2016-2017年, 2015年至2017年, (2016-2020年)
            rf"(?P<yrange>(?P<yr_pre>截至|截止到?|力争到|争取到|到|至)?(?<!\d)(?P<yr_a>{_YEAR})年?\s*{_DASH}\s*"
            rf"(?P<yr_b>{_YEAR})年(?P<yr_part>底|末)?)",
            # 2017年7月5日—8日 / 2017年7月5日—8月8日 / 7月5日—8日 / 7月5日至8月8日
            rf"(?P<drange>(?:(?<!\d)(?P<dr_y>{_YEAR})年)?(?<![\d.])(?P<dr_m1>\d{{1,2}})月"
            rf"(?P<dr_d1>\d{{1,2}})[日号]?\s*{_DASH}\s*(?:(?P<dr_m2>\d{{1,2}})月)?(?P<dr_d2>\d{{1,2}})[日号])",
            # 3月至5月 / 2017年3月—5月 / 2017年1-10月
            rf"(?P<mrange>(?:(?<!\d)(?P<mr_y>{_YEAR})年)?(?<![\d.])(?P<mr_m1>\d{{1,2}})(?:月(?:份)?)?\s*{_DASH}\s*"
            rf"(?P<mr_m2>\d{{1,2}})月(?:份)?)",
            # 截至2017年底, 到2020年, 2020年前, 2016年以来, 2017年3月, 2017年3月5日, 2014年年底, 2017年度
            # 2017年8月15日至2018年3月29日, 2016年11月至2017年3月: one range across two dates
            rf"(?P<xrange>(?<![\d.])(?P<xr_y1>{_YEAR})年(?P<xr_m1>\d{{1,2}}|{_CN_MONTH})月"
            rf"(?:(?P<xr_d1>\d{{1,2}}|{_CN_DAY})[日号])?\s*{_DASH}\s*"
            rf"(?P<xr_y2>{_YEAR})年(?P<xr_m2>\d{{1,2}}|{_CN_MONTH})月(?:(?P<xr_d2>\d{{1,2}}|{_CN_DAY})[日号])?)",
            rf"(?P<year>(?P<y_pre>截至|截止到?|力争到|争取到|到|至)?(?:(?<![\d.])(?P<y_num>{_YEAR})|"
            rf"(?<![〇○零一二三四五六七八九十])(?P<y_cn>{_CN_YEAR}))年"
            rf"(?:{_md('y')}|(?P<y_sub>{_YEAR_SUB})|(?P<y_part>{_PERIOD_PART})|度)?"
            rf"(?P<y_post>{_POST})?)",
            # “十三五”时期, 十二五末, 第十个五年计划
            r"(?P<fyp>(?P<fyp_q>[“\"]?)(?<![一二三四五六七八九十〇零百千两\d])"
            r"(?P<fyp_n>十[一二三四五]|[六七八九]|十)五"
            r"(?P<fyp_q2>[”\"]?)(?P<fyp_s>时期|期间|规划|计划|末|初)?(?![年个])"
            r"|第(?P<fyp_ord>[一二三四五六七八九十]{1,3})个五年(?:计划|规划)(?:时期|期间)?)",
            # 今年6月份, 去年5月10日, 今年上半年, 上年, 全年, 当年
            rf"(?P<rel>(?P<rel_pre>截至|截止到?|力争到|争取到)?(?<![以之])(?P<rel_w>{_REL_WORDS})"
            rf"(?:{_md('rel')}|(?P<rel_sub>{_YEAR_SUB})|(?P<rel_part>{_PERIOD_PART}))?(?P<rel_post>{_POST})?)",
            # 本月, 上个月, 当月: months counted from the reference date
            rf"(?P<relm>(?P<relm_w>本月|上月|下月|当月|上个月|下个月|这个月)(?:份)?"
            rf"(?:(?P<relm_d>\d{{1,2}}|{_CN_DAY})[日号])?(?P<relm_mp>上旬|中旬|下旬|初|底|末)?)",
            # 一季度, 第三季度, 前三季度 without a year: the year of their line (like 7月5日)
            r"(?P<qt>(?<![\d〇○零一二三四五六七八九十年第前])(?P<qt_w>(?:第|前)?[一二三四两1-4]个?季度(?:末|初)?))",
            # standalone 年初, 年底, 上半年 (after 2017年 these were taken above)
            # (not 过去十多年中 / 几年中: a count of years before 年中 is a duration, not mid-year)
            r"(?P<part>(?<![\d〇○零一二三四五六七八九十上下今去明前当全本次同多几余些])"
            rf"(?P<part_w>上半年|下半年|年初|年底|年末|年中)(?P<part_post>{_POST})?)",
            # 7月5日 / 10月份 / 4月
            r"(?P<md>(?<![\d.个])(?P<md_m>\d{1,2})月(?:份)?(?:(?P<md_d>\d{1,2})[日号])?(?![\d])"
            r"(?P<md_mp>上旬|中旬|下旬|初|底|末)?)",
        ]
    )
    + ")"
)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _date(year: int | None, month: int, day: int) -> dt.date | None:
    if year is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _month_span(year: int | None, month: int) -> tuple[dt.date | None, dt.date | None]:
    if year is None or not 1 <= month <= 12:
        return None, None
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _part_span(year: int | None, part: str | None) -> tuple[str, dt.date | None, dt.date | None]:
    """(kind, start, end) of a year or a part of it (底, 年初, 上半年 ...)."""
    if year is None:
        return ("year" if not part else _PART_KIND.get(part, "year")), None, None
    if not part:
        return "year", dt.date(year, 1, 1), dt.date(year, 12, 31)
    kind = _PART_KIND[part]
    spans = {
        "year_end": ((12, 31), (12, 31)),
        "year_start": ((1, 1), (3, 31)),
        "mid_year": ((6, 30), (6, 30)),
        "first_half": ((1, 1), (6, 30)),
        "second_half": ((7, 1), (12, 31)),
    }
    (m1, d1), (m2, d2) = spans[kind]
    return kind, dt.date(year, m1, d1), dt.date(year, m2, d2)


_PART_KIND = {
    "底": "year_end", "末": "year_end", "年底": "year_end", "年末": "year_end",
    "初": "year_start", "年初": "year_start", "年中": "mid_year",
    "上半年": "first_half", "下半年": "second_half",
}
_DEICTIC = {"今年", "去年", "明年", "前年", "今明两年"}
_MONTH_OFFSET = {"本月": 0, "这个月": 0, "当月": 0, "上月": -1, "上个月": -1, "下月": 1, "下个月": 1}
_REL_OFFSET = {
    "今明两年": 0, "这一年": 0, "下年": 1,
    "今年": 0, "当年": 0, "本年": 0, "全年": 0, "同年": 0, "去年": -1, "上年": -1, "上一年": -1, "前年": -2,
    "明年": 1, "次年": 1, "下一年": 1,
}


def _cn_year(text: str) -> int:
    return digit_string_to_int(text) or 0


def _cn_small(text: str) -> int:
    """一 → 1, 十 → 10, 十三 → 13, 二十 → 20 (small Chinese numbers of plan ordinals, months, days)."""
    return small_chinese_int(text) or 0


def _num(text: str) -> int:
    """A month or day written in Arabic digits or Chinese numerals (7, 十二, 二十五)."""
    return int(text) if text.isdigit() else (small_chinese_int(text) or 0)


def _month_part(year: int | None, month: int, day: str | None, part: str | None
                ) -> tuple[str, dt.date | None, dt.date | None] | None:
    """(kind, start, end) of a month, a day of it, or a part of it (上旬, 月底); None for a bad month."""
    if not 1 <= month <= 12:
        return None
    if day:
        point = _date(year, month, _num(day))
        return "date", point, point
    first, last = _month_span(year, month)
    if not part or first is None or last is None:
        return "month", first, last
    if part in ("底", "末"):
        return "month_end", last, last
    lo, hi = {"初": (1, 10), "上旬": (1, 10), "中旬": (11, 20), "下旬": (21, last.day)}[part]
    return ("month_start" if part == "初" else "ten_days"), first.replace(day=lo), first.replace(day=hi)


def _sub_span(year: int | None, sub: str) -> tuple[str, dt.date | None, dt.date | None] | None:
    """(kind, start, end) of 一季度 / 第三季度 / 前三季度 / 前十一个月 in ``year``; None when impossible."""
    count = re.search(r"[一二两三四五六七八九十\d]+", sub)
    n = _num(count.group().replace("两", "二")) if count else 1  # 首季度 is the first
    if "季度" in sub:
        if not 1 <= n <= 4:
            return None
        if sub.startswith("前"):
            kind, first_month = "first_months", 1
        else:
            kind, first_month = "quarter", 3 * n - 2
        last_month = 3 * n
    else:
        if not 1 <= n <= 12:
            return None
        kind, first_month, last_month = "first_months", 1, n
    if year is None:
        return kind, None, None
    start, end = dt.date(year, first_month, 1), _month_span(year, last_month)[1]
    if sub.endswith("末"):
        return "quarter_end", end, end
    return kind, start, end


def _reference_day(reference: object) -> dt.date | None:
    """The reference date as a day when it names one (a date, or an ISO string), else None."""
    if isinstance(reference, dt.datetime):
        return reference.date()
    if isinstance(reference, dt.date):
        return reference
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*", str(reference)) if reference is not None else None
    return _date(int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None


def _reference_month(reference: object) -> tuple[int, int] | None:
    day = _reference_day(reference)
    if day is not None:
        return day.year, day.month
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", str(reference)) if reference is not None else None
    return (int(match.group(1)), int(match.group(2))) if match and 1 <= int(match.group(2)) <= 12 else None


def _with_markers(kind: str, start: dt.date | None, end: dt.date | None, pre: str | None, post: str | None,
                  until: dt.date | None) -> tuple[str, dt.date | None, dt.date | None]:
    """Apply 截至 (as_of), 到/前 (deadline), 以来 (since: runs to ``until``) and 以后 (after)."""
    if pre and pre.startswith("截"):
        return "as_of", end, end
    if pre or post in ("前", "以前", "之前"):
        return "deadline", None, end
    if post in ("以来", "起", "开始"):
        return "since", start, until
    if post in ("后", "以后", "之后"):
        return "after", (end + dt.timedelta(days=1)) if end else None, None
    return kind, start, end


def _fyp_years(n: int) -> tuple[int, int]:
    """The n-th five-year plan: 1st = 1953–1957, 2nd = 1958–1962, 3rd = 1966–1970, 13th = 2016–2020."""
    first = {1: 1953, 2: 1958}.get(n, 1966 + 5 * (n - 3))
    return first, first + 4


def _period_year(period: object) -> int | None:
    if period is None:
        return None
    if isinstance(period, (dt.date, dt.datetime)):
        return period.year
    if isinstance(period, int):
        return period
    match = re.search(r"(1[89]\d{2}|20\d{2})", str(period))
    return int(match.group(1)) if match else None


def extract_time_expressions(
    text: str, reference_date: object = None, *, period: object = None
) -> pd.DataFrame:
    """Find time expressions in ``text`` and resolve them to ISO start/end dates.

    ``reference_date`` (a date, ``"2017-01-17"`` or a year) gives the year of month/day expressions with no
    year in their line; ``period`` (``"2017"``, a date, an int) is the year a document covers and anchors
    relative words (今年, 上年, 全年, 年底); it falls back to ``reference_date``.

    Example:
        >>> df = extract_time_expressions("比上年增长60%,全年完成,1848个村,15年免费教育", period="2017")
        >>> df[["surface", "kind", "start_date"]].values.tolist()
        [['上年', 'relative', '2016-01-01'], ['全年', 'relative', '2017-01-01']]
    """
    return frame_from_rows(time_expression_rows(text, reference_date, period=period), COLUMNS, _DTYPES)


def time_expression_rows(text: str, reference_date: object = None, *, period: object = None) -> list[tuple]:
    """The rows of :func:`extract_time_expressions` as tuples in ``COLUMNS`` order (dtypes ``_DTYPES``).

    Example:
        >>> time_expression_rows("比上年增长", period="2017")
        [(1, 3, '上年', 'relative', '2016-01-01', '2016-12-31', 'period')]
    """
    ref_year = _period_year(reference_date)
    period_year = _period_year(period) or ref_year
    deictic_year = ref_year or period_year  # 今年/去年 count from the day of writing
    until = _reference_day(reference_date)  # where "since" ranges (2016年以来) end
    ref_month = _reference_month(reference_date)
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    explicit: list[tuple[int, int]] = []  # (position, year) of explicit years seen so far
    rows = []

    def context_year(pos: int) -> tuple[int | None, str | None]:
        line_start = line_starts[bisect.bisect_right(line_starts, pos) - 1]
        if explicit and explicit[-1][0] >= line_start:
            return explicit[-1][1], "context"
        if ref_year is not None:
            return ref_year, "reference"
        if period_year is not None:
            return period_year, "period"
        if explicit:
            return explicit[-1][1], "document"
        return None, None

    for m in _PATTERN.finditer(text):
        g = m.groupdict()
        kind: str
        start = end = None
        source: str | None = "explicit"
        if g["iso"] is not None:
            y, mo, d = int(g["iso_y"]), int(g["iso_m"]), int(g["iso_d"])
            start = end = _date(y, mo, d)
            kind = "timestamp" if g["iso_t"] else "date"
            explicit.append((m.start(), y))
        elif g["dmy"] is not None:
            y, mo, d = int(g["dmy_y"]), int(g["dmy_m"]), int(g["dmy_d"])
            start = end = _date(y, mo, d)
            kind = "timestamp" if g["dmy_t"] else "date"
            explicit.append((m.start(), y))
        elif g["xrange"] is not None:
            y1, y2 = int(g["xr_y1"]), int(g["xr_y2"])
            m1, m2 = _num(g["xr_m1"]), _num(g["xr_m2"])
            if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
                continue
            start = _date(y1, m1, _num(g["xr_d1"])) if g["xr_d1"] else _month_span(y1, m1)[0]
            end = _date(y2, m2, _num(g["xr_d2"])) if g["xr_d2"] else _month_span(y2, m2)[1]
            if start is None or end is None or end < start:
                continue
            kind = "range"
            explicit.append((m.start(), y2))
        elif g["yrange"] is not None:
            a, b = int(g["yr_a"]), int(g["yr_b"])
            if b < a:
                continue
            start, end = dt.date(a, 1, 1), dt.date(b, 12, 31)
            kind = "range"
            if g["yr_pre"]:
                kind = "as_of" if g["yr_pre"].startswith("截") else "deadline"
            explicit.append((m.start(), b))
        elif g["drange"] is not None:
            if g["dr_y"]:
                y: int | None = int(g["dr_y"])
                explicit.append((m.start(), y))
            else:
                y, source = context_year(m.start())
            m1, d1 = int(g["dr_m1"]), int(g["dr_d1"])
            m2 = int(g["dr_m2"]) if g["dr_m2"] else m1
            # 12月28日至1月3日 runs into the next year
            y2 = y + 1 if y is not None and m2 < m1 else y
            start, end = _date(y, m1, d1), _date(y2, m2, int(g["dr_d2"]))
            if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
                continue
            kind = "range"
        elif g["mrange"] is not None:
            if g["mr_y"]:
                y = int(g["mr_y"])
                explicit.append((m.start(), y))
            else:
                y, source = context_year(m.start())
            m1, m2 = int(g["mr_m1"]), int(g["mr_m2"])
            if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
                continue
            y2 = y + 1 if y is not None and m2 < m1 else y  # 11月至次年2月
            start, end = _month_span(y, m1)[0], _month_span(y2, m2)[1]
            kind = "range"
        elif g["year"] is not None:
            y = int(g["y_num"]) if g["y_num"] else _cn_year(g["y_cn"])
            if not 1800 <= y <= 2099:
                continue
            explicit.append((m.start(), y))
            if g["y_m"]:
                parts = _month_part(y, _num(g["y_m"]), g["y_d"], g["y_mp"])
                if parts is None:
                    continue
                kind, start, end = parts
            elif g["y_sub"]:
                parts = _sub_span(y, g["y_sub"])
                if parts is None:
                    continue
                kind, start, end = parts
            else:
                kind, start, end = _part_span(y, g["y_part"])
            kind, start, end = _with_markers(kind, start, end, g["y_pre"], g["y_post"], until)
        elif g["fyp"] is not None:
            if g["fyp_ord"]:
                n = _cn_small(g["fyp_ord"])
            else:
                n = _cn_small(g["fyp_n"])
                # 九五, 十五 are ordinary numbers unless quoted or followed by 时期/计划/…
                if len(g["fyp_n"]) == 1 and not ((g["fyp_q"] and g["fyp_q2"]) or g["fyp_s"]):
                    continue
            if not 1 <= n <= 20:
                continue
            first, last = _fyp_years(n)
            if g["fyp_s"] == "末":
                kind, start, end = "fyp_end", dt.date(last, 12, 31), dt.date(last, 12, 31)
            elif g["fyp_s"] == "初":
                kind, start, end = "fyp_start", dt.date(first, 1, 1), dt.date(first, 12, 31)
            else:
                kind, start, end = "fyp_period", dt.date(first, 1, 1), dt.date(last, 12, 31)
            source = None
        elif g["rel"] is not None:
            anchor = deictic_year if g["rel_w"] in _DEICTIC else period_year
            base = anchor + _REL_OFFSET[g["rel_w"]] if anchor is not None else None
            deictic = g["rel_w"] in _DEICTIC and anchor == ref_year
            source = None if base is None else ("reference" if deictic else "period")
            kind = "relative"
            if g["rel_m"]:
                parts = _month_part(base, _num(g["rel_m"]), g["rel_d"], g["rel_mp"])
                if parts is None:
                    continue
                start, end = parts[1], parts[2]
            elif g["rel_sub"]:
                parts = _sub_span(base, g["rel_sub"])
                if parts is None:
                    continue
                start, end = parts[1], parts[2]
            elif g["rel_w"] == "今明两年":
                start, end = _part_span(base, None)[1], _part_span(base + 1 if base else None, None)[2]
            else:
                _, start, end = _part_span(base, g["rel_part"])
            kind, start, end = _with_markers(kind, start, end, g["rel_pre"], g["rel_post"], until)
        elif g["relm"] is not None:
            kind, source = "relative", None
            if ref_month is not None:
                y, mo = ref_month
                y, mo = divmod(y * 12 + mo - 1 + _MONTH_OFFSET[g["relm_w"]], 12)
                _, start, end = _month_part(y, mo + 1, g["relm_d"], g["relm_mp"]) or ("", None, None)
                source = "reference"
        elif g["qt"] is not None:
            y, source = context_year(m.start())
            parts = _sub_span(y, g["qt_w"])
            if parts is None:
                continue
            kind, start, end = parts
        elif g["part"] is not None:
            base = period_year
            source = "period" if base is not None else None
            kind = "relative"
            _, start, end = _part_span(base, g["part_w"])
            kind, start, end = _with_markers(kind, start, end, None, g["part_post"], until)
        else:  # md: 7月5日 / 10月份
            mo = int(g["md_m"])
            if not 1 <= mo <= 12:
                continue
            y, source = context_year(m.start())
            kind, start, end = _month_part(y, mo, g["md_d"], g["md_mp"]) or ("month", None, None)
        rows.append((m.start(), m.end(), m.group(), kind, _iso(start), _iso(end), source))
    return rows

