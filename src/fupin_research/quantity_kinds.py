"""Whose figure it is, what kind of measure it is, and whether damage makes it doubtful.

Three pure functions on a text and its quantities table (from
:func:`fupin_research.extract.quantities.extract_quantities`), each returning one column per quantity row;
:func:`classify_quantities` returns all four columns and is called by
:func:`fupin_research.audit.attribute_quantities`:

* ``scope`` (:func:`quantity_scopes`): whose figure it is: province / city / county / township / village /
  household / person / unknown. A per-unit marker right before the figure wins (每个乡镇配备23名 → township,
  每户8万元 → household, 人均 → person); then a figure given "to" each unit (对…贫困村再增加12名 → village); then the
  nearest place word before the figure in its sentence, else in its paragraph (全省, 我省, 山东省, 全县, 我县, a
  named county such as 沂水县有7.1万,
  a province name opening the paragraph, as in bulletin 004); then the issuing body of the section (中共单县县委 →
  county, for 我们 in 002). Nothing found: unknown (national figures too: the list has no national level).
  向深度贫困县倾斜不低于1亿元 is county scope: the money is directed to the counties.
* ``measure_kind`` (:func:`measure_kinds`): minimum (不低于, 不少于, 至少: a floor that is set), maximum (不超过,
  不高于, 控制在, 以内), target (力争, 确保, 计划, 今年要/再, 可再 in the sentence; 目标是 in the clause),
  rate (a percentage or a per-unit amount),
  change (再增加12名, 增长20%), flow (per period: 每年减少…100万人; disbursed or done: 投入, 下达, 脱贫, 惠及, 选派;
  a count of events: 批示2次, 收到434件), stock (有, 共有,
  剩余, 累计, 配备, 减至 ...), unknown. The first that applies in this order wins, so 每年…不低于1亿元 is a minimum.
* ``suspect`` and ``suspect_reason`` (:func:`suspect_figures`): in a document with the ``lost_range_separator``
  warning (:func:`fupin_research.damage.lost_range_separator`), a small whole count given per village, township,
  household or person whose digits read as an ascending range (12 → 1-2, 23 → 2-3) may have lost its hyphen.
  It is not suspect when the same number counts something else in the same sentence (甘肃: 23名省级领导 … 23个特困县
  corroborate each other).

The rules read the text only; they are heuristics, and ``unknown`` is an answer.

Example:
    >>> from fupin_research.extract.quantities import extract_quantities
    >>> text = "新增中央和省级财政专项扶贫资金每年向深度贫困县倾斜不低于1亿元。"
    >>> classify_quantities(text, extract_quantities(text)).values.tolist()
    [['county', 'minimum', False, '']]
"""

from __future__ import annotations

import collections
import functools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from typing import NamedTuple

import numpy as np
import pandas as pd

from fupin_research.damage import lost_range_separator

KIND_COLUMNS = ["scope", "measure_kind", "suspect", "suspect_reason"]
SCOPES = ("province", "city", "county", "township", "village", "household", "person", "unknown")
MEASURE_KINDS = ("stock", "flow", "change", "rate", "target", "minimum", "maximum", "unknown")

_SENTENCE_STOP = "。！？；;!?\n"
_CLAUSE_STOP = _SENTENCE_STOP + ",，:："
# The level a place noun names (longest first, so 乡镇 is read before 镇).
_LEVEL_NOUNS = (("乡镇", "township"), ("乡", "township"), ("镇", "township"), ("村", "village"), ("户", "household"),
                ("家庭", "household"), ("人", "person"), ("县", "county"), ("市", "city"), ("省", "province"))
_LEVEL = dict(_LEVEL_NOUNS)
_NOUN_ALTERNATION = "|".join(noun for noun, _ in _LEVEL_NOUNS)
# 每个乡镇, 每个贫困村, 每户, 每人, 村均, 户均, 人均 right before the figure (a few characters may stand between).
_PER_UNIT = re.compile(
    rf"(?:每(?:个|位)?(?:深度)?(?:贫困|重点|建档立卡)?({_NOUN_ALTERNATION})|(村|户|人|县)均)[\u4e00-\u9fff]{{0,12}}\Z")
# 对全省深度贫困地区建档立卡贫困村再增加12名, 每年向深度贫困县倾斜不低于1亿元: a figure given to the units named
# before the verb.
_TO_EACH = re.compile(
    r"[对为给向][^,，。；;]{0,16}?(乡镇|村|户|县)(?:再|都|均|各)?(?:增加|配备|选派|派驻|安排|补助|奖励|倾斜)"
    r"[^,，。；;\d]{0,4}\Z")
# Whole-place words and named places; the nearest one before the figure in its sentence decides.
_PLACE_WORD = re.compile(
    r"(全省|我省|省委|省政府|全区|全市|我市|全县|我县|全乡|全镇|我镇|全村|省级(?:财政|领导)|"
    r"(?<![全各本该每我两三四五六七八九十个等重点贫困])[\u4e00-\u9fff]{2,3}(?:县|旗)(?=[有共已累在的,，:：人])|"
    r"(?<![全各本该每我两三四五六七八九十个等])[\u4e00-\u9fff]{2,3}市(?=[有共已累在的,，:：]))")
_PLACE_LEVEL = {"全省": "province", "我省": "province", "省委": "province",
                "省政府": "province", "全区": "province", "全市": "city", "我市": "city",
                "全县": "county", "我县": "county", "全乡": "township", "全镇": "township", "我镇": "township",
                "全村": "village"}
# A section's issuer: 中共单县县委 单县人民政府 (002); its level is that of the speaker (我们).
_ISSUER = re.compile(r"(?m)^\s*(?:中共)?[\u4e00-\u9fff]{1,8}?(省|市|县|区)(?:委|人民政府)")

_MINIMUM = re.compile(r"(?:不低于|不少于|不得少于|不得低于|至少|最低)(?:[\u4e00-\u9fff]{0,6}的)?\s*\Z")
_MAXIMUM = re.compile(r"(?:不超过|不得超过|不高于|不得高于|最多|控制在)(?:[\u4e00-\u9fff]{0,6}的)?\s*\Z")
_MAXIMUM_AFTER = re.compile(r"\A\s*(?:以内|之内)")
_TARGET = re.compile(r"力争|确保|计划|预计|可再|今年(?:要|再|将)|要(?:完成|实现|确保)")
_TARGET_IN_CLAUSE = re.compile(r"目标(?:是|为)")
_CHANGE_VERB = re.compile(r"(?:增加|减少|增长|下降|提高|降低|新增|净增|减贫|增收|扩大|缩小)(?:了)?\s*\Z")
_PER_PERIOD = re.compile(r"每年|年均|每月|每季度|全年|当年|连续[一二三四五六七八九十\d]+年")
_FLOW_VERB = re.compile(r"(?:投入|下达|安排|落实|整合|发放|拨付|筹集|募集|支出|实现|完成|帮助|带动|培训|"
                        r"救助|资助|搬迁|转移|惠及|救治|吸纳|受益|选派|抽调|补充|新建|改扩建|修建|兴建|实施|"
                        r"开展|查出|处理|受理|注资|签约)[\u4e00-\u9fff]{0,10}\Z")
# Counts of events (批示2次, 培训15万人次, 下发督查通报10期, 收到434件): what happened in a period.
_EVENT_UNITS = frozenset({"次", "人次", "期", "件", "篇", "场", "例", "轮", "批次"})
_FLOW_AFTER = re.compile(r"\A[\u4e00-\u9fff]{0,12}?(?<!未)(?:脱贫|减贫|搬迁)")
_STOCK = re.compile(r"(?:有|共有|还有|仍有|剩余|现有|累计|共|达到|达|减至|降至|下降至|增至|提高到|提高至|下降到|减少到|"
                    r"配备|设立|建成|覆盖|组建|成立|聘请|照顾|入住|总数|为)[\u4e00-\u9fff]{0,10}\Z")


class _Layout(NamedTuple):
    """Positions found once per text, so each figure is placed by bisection (no scan of the text per figure)."""

    sentence_stops: list[int]
    clause_stops: list[int]
    line_breaks: list[int]
    issuer_ends: list[int]
    issuer_levels: list[str]


@functools.lru_cache(maxsize=4)
def _layout(text: str) -> _Layout:
    # the code points of the text (one per str index), compared with each stop character: no Python step per match
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)

    def positions(chars: str) -> list[int]:
        found = np.zeros(len(codes), dtype=bool)
        for char in chars:
            found |= codes == ord(char)
        return np.flatnonzero(found).tolist()

    issuers = list(_ISSUER.finditer(text))
    return _Layout(positions(_SENTENCE_STOP), positions(_CLAUSE_STOP), positions("\n"),
                   [m.end() for m in issuers], [m.group(1) for m in issuers])


def _last_before(positions: list[int], start: int) -> int:
    """The last position before ``start``, or -1."""
    i = bisect_left(positions, start)
    return positions[i - 1] if i else -1


def _sentence_bounds(text: str, start: int) -> tuple[int, int]:
    stops = _layout(text).sentence_stops
    i = bisect_left(stops, start)
    return (stops[i - 1] + 1 if i else 0), (stops[i] if i < len(stops) else len(text))


def _clause_start(text: str, start: int) -> int:
    return _last_before(_layout(text).clause_stops, start) + 1


def _line_start(text: str, start: int) -> int:
    return _last_before(_layout(text).line_breaks, start) + 1


def _issuer_level(text: str, start: int) -> str | None:
    """The level (省, 市, 县, 区) of the last issuer line ending before ``start``."""
    layout = _layout(text)
    i = bisect_right(layout.issuer_ends, start)
    return layout.issuer_levels[i - 1] if i else None


def _provinces() -> re.Pattern[str]:
    """The province names of ``data/provinces.csv`` (read where attribution reads them: one home)."""
    from fupin_research.audit import _provinces_re  # here, not at the top: audit imports this module

    return _provinces_re()


@functools.lru_cache(maxsize=4)
def _named_province_for(pattern: str) -> re.Pattern[str]:
    return re.compile(f"(?:{pattern})(?:省|自治区)")


def _named_province() -> re.Pattern[str]:
    return _named_province_for(_provinces().pattern)


def _place_level(word: str) -> str:
    if word in _PLACE_LEVEL:
        return _PLACE_LEVEL[word]
    if word.startswith("省级"):
        return "province"
    return "county" if word[-1] in "县旗" else "city"


# Every _PLACE_WORD match holds one of these characters, and every named-province match 省 or 区 (自治区): a window
# without them holds no match, which a substring test finds without running the patterns.
_PLACE_KEYS = re.compile("[省区市县乡镇村旗]")


class _ScopeContext(NamedTuple):
    """What :func:`_scope` reads besides the text, found once per call of :func:`quantity_scopes`."""

    provinces: re.Pattern[str]  # any written form of a province
    named_province: re.Pattern[str]  # a province with 省/自治区
    windows: dict[tuple[int, int], str | None]  # the level found in a paragraph window, per window


def _scope_context() -> _ScopeContext:
    provinces = _provinces()
    return _ScopeContext(provinces, _named_province_for(provinces.pattern), {})


def _window_scope(window: str, context: _ScopeContext) -> str | None:
    """The level of the last place word or named province in ``window`` (None: neither occurs)."""
    if _PLACE_KEYS.search(window) is None:
        return None
    last_place = None
    for last_place in _PLACE_WORD.finditer(window):  # noqa: B007 - keep the last match
        pass
    if "省" in window or "区" in window:
        last_named = None
        for last_named in context.named_province.finditer(window):  # noqa: B007 - 山东省, 青海省: a province
            pass
        if last_named is not None and (last_place is None or last_named.end() > last_place.end()):
            return "province"
    if last_place is not None:
        return _place_level(last_place.group(1))
    return None


def _scope(text: str, start: int, end: int, context: _ScopeContext | None = None) -> str:
    context = context or _scope_context()
    layout = _layout(text)
    s_start, _ = _sentence_bounds(text, start)
    before = text[s_start:start]
    clause = text[_last_before(layout.clause_stops, start) + 1:start]
    per_unit = _PER_UNIT.search(clause) if "每" in clause or "均" in clause else None  # each form holds 每 or 均
    if per_unit:
        return _LEVEL[per_unit.group(1) or per_unit.group(2)]
    to_each = _TO_EACH.search(before)
    if to_each:
        return _LEVEL[to_each.group(1)]
    line_start = _last_before(layout.line_breaks, start) + 1
    level = _window_scope(before, context)  # the sentence, then the paragraph before it
    if level is None:
        key = (line_start, s_start)
        if key not in context.windows:  # the figures of one sentence share their paragraph window
            context.windows[key] = _window_scope(text[line_start:s_start], context)
        level = context.windows[key]
    if level is not None:
        return level
    issuer = _issuer_level(text, start)
    if issuer:  # the section's speaker (我们, 我县) is its issuing body
        return {"省": "province", "市": "city", "县": "county", "区": "county"}[issuer]
    paragraph = text[line_start:start].lstrip()
    opening = context.provinces.match(paragraph)  # 004: 广西  建立区、市、县、乡、村五级 ...
    if opening and paragraph[opening.end():opening.end() + 1].isspace():
        return "province"
    return "unknown"


def quantity_scopes(text: str, quantities: pd.DataFrame) -> pd.Series:
    """Whose figure each quantity is (``SCOPES``), from the words before it.

    Example:
        >>> from fupin_research.extract.quantities import extract_quantities
        >>> t = "沂水县有7.1万贫困人口,是全省20个脱贫任务较重的县之一。每个乡镇配备23名扶贫专干。"
        >>> quantity_scopes(t, extract_quantities(t)).tolist()
        ['county', 'province', 'township']
    """
    values = _scope_list(text, quantities["start"].tolist(), quantities["end"].tolist())
    return pd.Series(values, index=quantities.index, dtype="object", name="scope")


def _scope_list(text: str, starts: list[int], ends: list[int]) -> list[str]:
    """:func:`quantity_scopes` on plain lists of offsets."""
    context = _scope_context()
    return [_scope(text, start, end, context) for start, end in zip(starts, ends)]


def _measure_kind(text: str, start: int, end: int, unit_kind: str, per_unit: bool, unit: str = "") -> str:
    s_start, s_end = _sentence_bounds(text, start)
    clause = text[_clause_start(text, start):start]
    sentence_before = text[s_start:start]
    after = text[end:s_end]
    if _MINIMUM.search(clause):
        return "minimum"
    if _MAXIMUM.search(clause) or _MAXIMUM_AFTER.match(after):
        return "maximum"
    if _TARGET.search(sentence_before) or _TARGET_IN_CLAUSE.search(clause):
        return "target"
    change = _CHANGE_VERB.search(clause)
    if unit_kind in ("percent", "point"):
        return "change" if change else "rate"
    if per_unit or _PER_UNIT.search(clause):
        if not change:
            return "rate"
    if _PER_PERIOD.search(clause):
        return "flow"
    if change:
        return "change"
    if unit in _EVENT_UNITS:
        return "flow"
    if _FLOW_VERB.search(clause) or _FLOW_AFTER.match(after):
        return "flow"
    if _STOCK.search(clause):
        return "stock"
    return "unknown"


def measure_kinds(text: str, quantities: pd.DataFrame) -> pd.Series:
    """What kind of measure each quantity is (``MEASURE_KINDS``), from the words around it.

    ``per_unit`` (from attribution) is used when the frame has it.

    Example:
        >>> from fupin_research.extract.quantities import extract_quantities
        >>> t = "全省连续四年每年减少农村贫困人口100万人以上,到2014年年底减至394万人,2015年可再减贫100万人。"
        >>> measure_kinds(t, extract_quantities(t)).tolist()  # 四年 is a duration
        ['unknown', 'flow', 'stock', 'target']
    """
    per_unit = quantities["per_unit"].tolist() if "per_unit" in quantities else [False] * len(quantities)
    units = quantities["unit"].tolist() if "unit" in quantities else [""] * len(quantities)
    values = _measure_kind_list(text, quantities["start"].tolist(), quantities["end"].tolist(),
                                quantities["unit_kind"].tolist(), per_unit, units)
    return pd.Series(values, index=quantities.index, dtype="object", name="measure_kind")


def _measure_kind_list(text: str, starts: list[int], ends: list[int], unit_kinds: list, per_unit: list,
                       units: list) -> list[str]:
    """:func:`measure_kinds` on plain lists of the columns it reads."""
    values: list[str] = []
    previous_end = -1
    for start, end, kind, pu, unit in zip(starts, ends, unit_kinds, per_unit, units):
        pu = pu if type(pu) is bool else (bool(pu) if pd.notna(pu) else False)
        value = _measure_kind(text, start, end, kind, pu, unit or "")
        if value == "unknown" and values and text[previous_end:start] == "、":
            value = values[-1]  # 实现脱贫5.26万户、10.41万人: the second figure shares the first one's kind
        values.append(value)
        previous_end = end
    return values


def _range_reading(digits: str) -> str | None:
    """``'1-2'`` for ``'12'``: the first ascending split of a digit run into two numbers, else None."""
    for cut in range(1, len(digits)):
        low, high = digits[:cut], digits[cut:]
        if high.startswith("0") or low.startswith("0"):
            continue
        if int(low) < int(high):
            return f"{low}-{high}"
    return None


_SMALL_SCOPES = ("township", "village", "household", "person")


def suspect_figures(text: str, quantities: pd.DataFrame, scopes: pd.Series | None = None) -> pd.DataFrame:
    """``suspect`` and ``suspect_reason`` for each quantity: figures a lost range separator may have merged.

    Only in a text with the ``lost_range_separator`` damage; only Arabic whole numbers of two or three digits with
    no magnitude, given per township, village, household or person (``scopes``, computed when not given), whose
    digits split into an ascending pair. A figure whose number recurs in its sentence (another count of the same
    size) is corroborated and not suspect.

    Example:
        >>> from fupin_research.extract.quantities import extract_quantities
        >>> t = "发布时间:2017-11-09\\n每个乡镇配备23名扶贫专干。由23名省级领导联系23个特困县。"
        >>> suspect_figures(t, extract_quantities(t)).values.tolist()  # doctest: +NORMALIZE_WHITESPACE
        [[True, 'lost_range_separator: per-township 23名 may be 2-3名 (the body has no hyphen, dash or tilde)'],
         [False, ''], [False, '']]
    """
    flags, reasons = _suspect_lists(
        text, quantities["start"].tolist(), quantities["end"].tolist(), quantities["number"].tolist(),
        quantities["multiplier"].tolist(), lambda: quantity_scopes(text, quantities) if scopes is None else scopes)
    return pd.DataFrame({"suspect": pd.Series(flags, index=quantities.index, dtype="bool"),
                         "suspect_reason": pd.Series(reasons, index=quantities.index, dtype="object")})


def _suspect_lists(text: str, starts: list[int], ends: list[int], numbers: list, multipliers: list,
                   scopes: Callable[[], Iterable[str]]) -> tuple[list[bool], list[str]]:
    """:func:`suspect_figures` on plain lists (``scopes`` is called only where the text has the damage)."""
    flags = [False] * len(starts)
    reasons = [""] * len(starts)
    if lost_range_separator(text) is not None and len(starts):
        numbers = [str(n) for n in numbers]
        sentences = [_sentence_bounds(text, start) for start in starts]
        in_sentence = collections.Counter(zip(numbers, sentences))  # how often a number occurs in its sentence
        rows = zip(starts, ends, numbers, multipliers, scopes(), sentences)
        for i, (start, end, number, multiplier, scope, bounds) in enumerate(rows):
            reading = _range_reading(number) if number.isdigit() and 2 <= len(number) <= 3 else None
            if reading is None or int(multiplier) != 1 or scope not in _SMALL_SCOPES:
                continue
            if not text[start:end].startswith(number):  # written in Chinese numerals: no hyphen to lose
                continue
            if in_sentence[number, bounds] > 1:  # corroborated by the same number in its sentence
                continue
            unit = text[start + len(number):end]
            flags[i] = True
            reasons[i] = (f"lost_range_separator: per-{scope} {text[start:end]} may be {reading}{unit} "
                          "(the body has no hyphen, dash or tilde)")
    return flags, reasons


def classify_quantities(text: str, quantities: pd.DataFrame) -> pd.DataFrame:
    """``scope``, ``measure_kind``, ``suspect``, ``suspect_reason`` for each row of ``quantities`` (same index).

    Example:
        >>> from fupin_research.extract.quantities import extract_quantities
        >>> t = "对全省深度贫困地区建档立卡贫困村再增加12名驻村工作队员。"
        >>> classify_quantities(t, extract_quantities(t)).values.tolist()
        [['village', 'change', False, '']]
    """
    if quantities.empty:
        return pd.DataFrame({column: pd.Series(dtype="bool" if column == "suspect" else "object")
                             for column in KIND_COLUMNS}, index=quantities.index)
    scopes = quantity_scopes(text, quantities)
    frame = pd.DataFrame({"scope": scopes, "measure_kind": measure_kinds(text, quantities)})
    return pd.concat([frame, suspect_figures(text, quantities, scopes)], axis=1)
