"""Attribute quantities to indicators and audit what the texts claim for internal consistency.

Two pure functions on DataFrames:

* :func:`attribute_quantities` adds ``doc_id``, ``sentence_id``, ``measure`` (the measured noun
  phrase), ``indicator`` (from the editable ``data/indicators.csv``), ``year`` and ``place``.
* :func:`audit_quantities` returns the ``checks`` table: parts that should add up to a stated
  total (其中 ...), shares that follow from two stated figures (占 ...%), change statements with two
  figures (由 A 下降至 B), differences (超出省标(3509元)742元), the same indicator stated twice, and
  values off by orders of magnitude. Verdicts: consistent, inconsistent, unverifiable, and incomplete
  (parts after 其中 that add up to less than the total). Arithmetic is exact (``Decimal``); the tolerance is
  the rounding of the stated figures (half a unit of the last written digit).

The audit reports what the text claims; it never changes the text.

Example:
    >>> from fupin_research.extract.quantities import extract_quantities
    >>> text = "共配备17220名,其中市级32名、县级459名、乡镇级2566名、村级14163名。"
    >>> checks = audit_quantities(text, extract_quantities(text))
    >>> checks[["check", "expected", "observed", "verdict"]].values.tolist()
    [['breakdown_sum', '17220', '17220', 'consistent']]
"""

from __future__ import annotations

import collections
import csv
import functools
import itertools
import re
from bisect import bisect_left, bisect_right
from decimal import Decimal
from pathlib import Path

import pandas as pd

from fupin_research.paths import file_state
from fupin_research.quantity_kinds import (
    KIND_COLUMNS,
    _measure_kind_list,
    _scope_list,
    _suspect_lists,
    classify_quantities,
)
from fupin_research.split import frame_from_columns

CHECK_COLUMNS = ["doc_id", "check", "spans", "expected", "observed", "verdict", "detail"]
ATTRIBUTION_COLUMNS = ["doc_id", "sentence_id", "measure", "indicator", "year", "year_source", "place", "per_unit"]
# scope, measure_kind, suspect, suspect_reason: see fupin_research.quantity_kinds
ALL_ATTRIBUTION_COLUMNS = [*ATTRIBUTION_COLUMNS, *KIND_COLUMNS]

_SENT_END = re.compile(r"[。！？!?；\n]")
_CLAUSE_DELIM = re.compile(r"[,，。；;:：、！？!?\n(（)）]")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{1,10}")
_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})年(底|末|初|以来|度|上半年|前)?")
_PERIOD_WORDS = re.compile(r"全年|当年|今年|本年|年度")
_TIME_NOISE = re.compile(
    r"(?:截至|截止|到|至|从)?(?:19|20)[0-9]{2}年(?:底|末|初|以来|度|上半年)?(?:的)?|[0-9]{1,2}月(?:[0-9]{1,2}日)?(?:起)?|"
    r"目前|今年以来|近年来|去年|今年|全年|当年|[0-9０-９.]+"
)
_NOW = re.compile(r"目前|现在|当前|今年|截至目前")
# Verbs (and a few function words) after which the measured noun phrase starts.
_VERBS = re.compile(
    r"整合|投入|落实|安排|下达|发放|完成|建设|建成|实施|提出|达到|实现|惠及|带动|资助|培训|救治|救助|转移|开发|减免|报销|通过|进行|结对|驻村|提升|改造|利用|"
    r"吸纳|设立|建立|聚集|筹集|募集|争取|支出|出资|注资|补助|增收|覆盖|选派|派往|抽调|配备|新增|新建|兴建|修建|"
    r"签约|入库|受理|赔付|核查|查出|处理|涉及|到位|共有|还有|仍有|剩余|减少|增加|提高|下降|发展|调整|组建|聘请|"
    r"召开|举办|开展|收到|移交|评出|表扬|刊发|编发|采用|征集|识别|搬迁|退出|摘帽|脱贫|入住|为|有|是|达|占"
)
_LEADING_NOISE = re.compile(
    r"^(?:其中|累计|全省|全县|全市|全区|我县|我省|我市|我们|各级|共|已|均|的|了|和|与|及|并|等|到|至)+"
)
_STOP_AFTER = set("的以左多、和与及是为在已将被占比较等均每共约近达至到由从于了再,，。；;:：")
_PER_UNIT = re.compile(r"(?:每(?![年月日天周季])|人均|户均|年人均|平均)[\u4e00-\u9fff]{0,3}\Z")
_COUNTY = re.compile(r"(?:^|[\s,，。：:、】])([\u4e00-\u9fff]{1,3}[县市])(?=[:：,，有在的\s])")
_NOT_PLACE_HEAD = set("全各本该每我县省市乡村区镇两三四五六十几贫重特强试点等")


def load_indicators(path: str | Path | None = None) -> pd.DataFrame:
    """Load the indicator vocabulary (default ``data/indicators.csv``; lines starting with # are comments).

    Example:
        >>> "poverty_incidence" in load_indicators().indicator.tolist()
        True
    """
    if path is None:
        from fupin_research.paths import data_dir

        path = data_dir() / "indicators.csv"
    # read once per process and per version of the file (a researcher may edit it in a running notebook)
    return _read_indicators(file_state(path)).copy()


@functools.cache
def _read_indicators(state: tuple[str, int, int]) -> pd.DataFrame:
    with open(state[0], encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    frame = pd.DataFrame(rows, columns=["indicator", "label_zh", "patterns", "units", "check_magnitude", "description"])
    return frame.fillna("")


def _sentences(text: str, sentences: pd.DataFrame | None) -> pd.DataFrame:
    if sentences is not None:
        return sentences
    try:  # the package's splitter, when present
        from fupin_research.split import split_sentences

        return split_sentences(text)
    except ImportError:  # pragma: no cover - fallback splitter
        rows, pos = [], 0
        for m in _SENT_END.finditer(text + "\n"):
            if text[pos:m.end()].strip():
                rows.append((len(rows), pos, min(m.end(), len(text)), text[pos:m.end()]))
            pos = m.end()
        return pd.DataFrame(rows, columns=["sentence_id", "start", "end", "text"])


def _last_match(pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
    """The last non-overlapping match of ``pattern`` in ``text[start:end]``."""
    found = None
    for found in pattern.finditer(text, start, len(text) if end is None else end):  # noqa: B007
        pass
    return found


# The last clause delimiter before ``endpos`` (a delimiter, then none up to the end): one search instead of
# iterating over every delimiter of the sentence.
_LAST_CLAUSE_DELIM = re.compile(_CLAUSE_DELIM.pattern + "[^" + _CLAUSE_DELIM.pattern[1:] + r"*\Z")
_FROM = re.compile(r"[由从]")


def _clause_start(text: str, pos: int, floor: int) -> int:
    last = _LAST_CLAUSE_DELIM.search(text, floor, pos)
    return last.start() + 1 if last else floor


def _measure(text: str, start: int, end: int, unit_kind: str, clause_start: int) -> str:
    """The measured noun phrase: the noun after a classifier (841个村 → 村) or before the number."""
    if unit_kind in ("classifier", "place", "people"):
        m = _HAN_RUN.match(text, end)
        if m and m.group()[0] not in _STOP_AFTER:
            phrase = m.group()
            cut = _VERBS.search(phrase, 1)
            phrase = phrase[: cut.start()] if cut else phrase
            for i, ch in enumerate(phrase):
                if ch in _STOP_AFTER:
                    phrase = phrase[:i]
                    break
            if phrase:
                return phrase
    clause = _TIME_NOISE.sub("", text[clause_start:start])
    frm = _FROM.search(clause)
    if frm and frm.start() > 0:
        clause = clause[: frm.start()]  # 支出比例由2017年的6.3%: the measure precedes 由
    last = _last_match(_VERBS, clause)
    phrase = clause[last.end():] if last else clause
    phrase = _LEADING_NOISE.sub("", phrase).strip(" 　")
    if not phrase and last is not None:
        phrase = last.group() if len(last.group()) > 1 else ""
    return phrase[-12:]


_Candidates = list[tuple[int, str, re.Pattern[str]]]


class _Vocabulary:
    """The indicator patterns compiled once per vocabulary, and per unit the indicators it may belong to."""

    def __init__(self, rows: tuple[tuple, ...]) -> None:
        self.compiled = []
        for name, patterns, units in rows:
            if not patterns:
                continue
            self.compiled.append((name, re.compile(patterns), frozenset(filter(None, units.split("|")))))
        self._by_unit: dict[str, tuple[_Candidates, re.Pattern[str] | None]] = {}

    def candidates(self, unit: str) -> tuple[_Candidates, re.Pattern[str] | None]:
        """The indicators allowed for ``unit`` with their priority (earlier rows win ties), and one regex
        matching wherever any of them matches (None when the patterns cannot be safely joined)."""
        found = self._by_unit.get(unit) if isinstance(unit, str) else None
        if found is None:
            candidates = [(priority, name, pattern) for priority, (name, pattern, units) in enumerate(self.compiled)
                          if not units or unit in units]
            found = (candidates, _any_of([pattern for _, _, pattern in candidates]))
            if isinstance(unit, str):
                self._by_unit[unit] = found
        return found


def _any_of(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    # Groups (back-references are numbered) or global flags would change meaning once joined: no shortcut then.
    if not patterns or any(p.groups or p.flags != re.UNICODE for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns))
    except re.error:
        return None


def _compile_indicators(indicators: pd.DataFrame) -> _Vocabulary:
    # keyed on the vocabulary's content, so the patterns are compiled once per vocabulary, not per document
    rows = zip(indicators["indicator"].tolist(), indicators["patterns"].tolist(), indicators["units"].tolist())
    return _compile_rows(tuple(rows))


@functools.lru_cache(maxsize=32)
def _compile_rows(rows: tuple[tuple, ...]) -> _Vocabulary:
    return _Vocabulary(rows)


@functools.cache
def _default_compiled(state: tuple[str, int, int]) -> _Vocabulary:
    return _compile_indicators(_read_indicators(state))


def _default_indicators_state() -> tuple[str, int, int]:
    from fupin_research.paths import data_dir

    return file_state(data_dir() / "indicators.csv")


def _indicator(candidates: _Candidates, any_of: re.Pattern[str] | None, regions: tuple[str, str, str]) -> str:
    # Each indicator counts at the first region (measure, clause, sentence) it occurs in, so the winner is
    # found in the first region where any indicator occurs: the match nearest the figure, then the earlier row.
    for region in regions:
        if any_of is not None and any_of.search(region) is None:
            continue  # most figures belong to no indicator: one search rules a region out
        best: tuple[int, int] | None = None
        label = ""
        for priority, name, pattern in candidates:
            last = _last_match(pattern, region)
            if last is not None:
                key = (len(region) - last.end(), priority)
                if best is None or key < best:
                    best, label = key, name
        if best is not None:
            return label
    return ""


def _provinces_re() -> re.Pattern[str]:
    """Any written form of a province (name, full name, ``;``-separated aliases of data/provinces.csv)."""
    from fupin_research.structure import province_mention_pattern  # the one province matcher

    return province_mention_pattern()[1]


@functools.lru_cache(maxsize=8)
def _alternation(names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, names)))


def _place(text: str, before: str, line_start: int, pos: int, provinces_re: re.Pattern[str], default: str,
           line_heads: dict[int, bool]) -> str:
    found = None
    if "县" in before or "市" in before:  # cheap test first: few sentences name a county
        for m in _COUNTY.finditer(before):
            if m.group(1)[0] not in _NOT_PLACE_HEAD:
                found = m
    if found:
        return found.group(1)
    hit = _last_match(provinces_re, before)
    if hit:
        return hit.group()
    # The names are plain alternatives: a line's start before pos can only be one if the whole line's is one
    # (checked once per line, in line_heads).
    head = line_heads.get(line_start)
    if head is None:
        line_end = text.find("\n", line_start)
        line = text[line_start:len(text) if line_end < 0 else line_end]
        head = line_heads[line_start] = provinces_re.match(line.strip()) is not None
    if head:
        m = provinces_re.match(text[line_start:pos].strip())
        if m:
            return m.group()
    return default


def _year(text: str, before: str, line_start: int, pos: int, period: str | None,
          lines: dict[int, tuple[list[re.Match[str]], list[int]]]) -> tuple[str, str]:
    """Year of a figure: the sentence, else the paragraph before the number, else the document's period."""
    # Every year and period word holds 年: most figures are settled by a substring test, without a regex.
    if "年" in before:
        year = _last_match(_YEAR, before)
        if year and _NOW.search(before, year.end()) and period:
            return period, "period"
        if year:
            return year.group(1), "sentence"
        if _PERIOD_WORDS.search(before) and period:
            return period, "period"
    para = _paragraph_year(text, line_start, pos, lines)
    if para:
        return para.group(1), "paragraph"
    return (period or ""), ("period" if period else "")


def _paragraph_year(text: str, line_start: int, pos: int,
                    lines: dict[int, tuple[list[re.Match[str]], list[int]]]) -> re.Match[str] | None:
    """The last year in ``text[line_start:pos]`` that is no target (到2019年), as a scan of that span finds it.

    The years of a line are found once (``lines`` caches them): a scan up to ``pos`` finds the same years as
    the scan of the whole line, up to the first one that does not end before ``pos``.
    """
    found = lines.get(line_start)
    if found is None:
        line_end = text.find("\n", line_start)
        years = list(_YEAR.finditer(text, line_start, len(text) if line_end < 0 else line_end))
        found = lines[line_start] = (years, [y.end() for y in years])
    years, ends = found
    k: int | None = bisect_right(ends, pos)
    if k < len(years) and years[k].start() < pos:  # a year runs across pos: scan exactly up to pos
        years, k = list(_YEAR.finditer(text, line_start, pos)), None
    for y in reversed(years[:k]):
        if text[max(0, y.start() - 1):y.start()] not in ("到", "至"):  # 到2019年 is a target
            return y
    return None


def attribute_quantities(
    text: str,
    quantities: pd.DataFrame,
    sentences: pd.DataFrame | None = None,
    *,
    doc_id: str = "",
    period: str | None = None,
    province: str | None = None,
    indicators: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return ``quantities`` with attribution columns added (``ATTRIBUTION_COLUMNS``, then ``KIND_COLUMNS``).

    ``scope``, ``measure_kind``, ``suspect`` and ``suspect_reason`` come from
    :func:`fupin_research.quantity_kinds.classify_quantities`.

    Example:
        >>> from fupin_research.extract.quantities import extract_quantities
        >>> t = "2016年以来共整合涉农资金17.1亿元。\\n目前已覆盖841个贫困村。"
        >>> a = attribute_quantities(t, extract_quantities(t), period="2018", province="山东")
        >>> for row in a[["surface", "measure", "indicator", "year", "place"]].values.tolist():
        ...     print(row)
        ['17.1亿元', '涉农资金', 'integrated_agri_funds', '2016', '山东']
        ['841个', '贫困村', 'poor_villages', '2018', '山东']
    """
    if quantities.empty:
        return attribute_with_sentence_lists(text, quantities, [], [], [], doc_id=doc_id, period=period,
                                             province=province, indicators=indicators)
    sents = _sentences(text, sentences)
    return attribute_with_sentence_lists(
        text, quantities, sents["start"].tolist(), sents["end"].tolist(), sents["sentence_id"].tolist(),
        doc_id=doc_id, period=period, province=province, indicators=indicators)


def attribute_with_sentence_lists(
    text: str,
    quantities: pd.DataFrame,
    starts: list[int],
    ends: list[int],
    ids: list[int],
    *,
    doc_id: str = "",
    period: str | None = None,
    province: str | None = None,
    indicators: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """:func:`attribute_quantities` with the sentences given as lists of their ``start``, ``end`` and
    ``sentence_id`` (as :func:`fupin_research.split.sentence_columns` makes them): no sentence table needed.

    Example:
        >>> from fupin_research.extract.quantities import extract_quantities
        >>> t = "全县有贫困村841个。"
        >>> attribute_with_sentence_lists(t, extract_quantities(t), [0], [len(t)], [0]).scope.tolist()
        ['county']
    """
    if quantities.empty:
        extra = pd.DataFrame(index=quantities.index, columns=ATTRIBUTION_COLUMNS, dtype="object")
        extra = pd.concat([extra, classify_quantities(text, quantities)], axis=1)
        if _plain_frame(quantities, extra):
            return pd.concat([quantities, extra], axis=1)
        out = quantities.copy()
        for col in ALL_ATTRIBUTION_COLUMNS:
            out[col] = pd.Series(dtype="bool" if col == "suspect" else "object")
        return out
    # plain lists instead of DataFrame rows: per-row pandas access dominated the cost
    columns = attribution_columns(text, {name: quantities[name].tolist() for name in _ATTRIBUTION_READS},
                                  starts, ends, ids, doc_id=doc_id, period=period, province=province,
                                  indicators=indicators)
    extra = frame_from_columns(columns, ATTRIBUTION_DTYPES)
    extra.index = quantities.index
    if _plain_frame(quantities, extra):
        return pd.concat([quantities, extra], axis=1)  # one step instead of twelve column inserts
    out = quantities.copy()
    for col in ALL_ATTRIBUTION_COLUMNS:
        out[col] = extra[col]
    return out


# the quantity columns attribution reads, and the dtypes of the columns it adds (those pandas infers for the
# attribution rows, and those of classify_quantities' columns)
_ATTRIBUTION_READS = ("start", "end", "unit", "unit_kind", "number", "multiplier")
ATTRIBUTION_DTYPES = {"sentence_id": "int64", "per_unit": "bool", "scope": "object", "measure_kind": "object",
                      "suspect": "bool", "suspect_reason": "object"}


def attribution_columns(
    text: str,
    quantities: dict[str, list],
    starts: list[int],
    ends: list[int],
    ids: list[int],
    *,
    doc_id: str = "",
    period: str | None = None,
    province: str | None = None,
    indicators: pd.DataFrame | None = None,
) -> dict[str, list]:
    """The columns :func:`attribute_quantities` adds (``ALL_ATTRIBUTION_COLUMNS``, dtypes ``ATTRIBUTION_DTYPES``)
    as lists, for quantities given as lists of their columns (at least one row) and sentences as in
    :func:`attribute_with_sentence_lists`.

    Example:
        >>> from fupin_research.extract.quantities import QUANTITY_COLUMNS, quantity_rows
        >>> t = "目前已覆盖841个贫困村。"
        >>> found = dict(zip(QUANTITY_COLUMNS, map(list, zip(*quantity_rows(t)))))
        >>> attribution_columns(t, found, [0], [len(t)], [0], period="2018")["indicator"]
        ['poor_villages']
    """
    if indicators is None:
        compiled = _default_compiled(_default_indicators_state())
    else:
        compiled = _compile_indicators(indicators)
    provinces_re = _provinces_re()
    default_place = province or ""
    rows: list[tuple] = []
    lines: dict[int, tuple[list[re.Match[str]], list[int]]] = {}  # the years of each line, found once
    line_heads: dict[int, bool] = {}  # whether a line starts with a province name
    q_starts, q_ends, q_units, q_kinds = (quantities[name] for name in ("start", "end", "unit", "unit_kind"))
    for start, end, unit, unit_kind in zip(q_starts, q_ends, q_units, q_kinds):
        line_start = text.rfind("\n", 0, start) + 1
        k = bisect_right(starts, start) - 1
        if k >= 0 and start < ends[k]:
            sid, s_start = ids[k], starts[k]
        else:
            sid, s_start = -1, line_start
        sentence_before = text[s_start:start]
        c_start = _clause_start(text, start, s_start)
        clause = text[c_start:start]
        measure = _measure(text, start, end, unit_kind, c_start)
        if not measure and rows and start > 0 and text[start - 1] == "、" and rows[-1][1] == sid:
            measure = rows[-1][2]  # 5.26万户、10.41万人: the second figure shares the first one's measure
        candidates, any_of = compiled.candidates(unit)
        indicator = _indicator(candidates, any_of, (measure, clause, sentence_before)) if candidates else ""
        year, source = _year(text, sentence_before, line_start, start, period, lines)
        place = _place(text, sentence_before, line_start, start, provinces_re, default_place, line_heads)
        window = text[max(0, start - 6):start]
        per_unit = ("每" in window or "均" in window) and bool(_PER_UNIT.search(window))  # 每 or 均 is needed
        rows.append((doc_id, sid, measure, indicator, year, source, place, per_unit))
    # the columns classify_quantities would add, from the same lists (no frame per step)
    columns = dict(zip(ATTRIBUTION_COLUMNS, map(list, zip(*rows)), strict=True))
    scopes = _scope_list(text, q_starts, q_ends)
    columns["scope"] = scopes
    columns["measure_kind"] = _measure_kind_list(text, q_starts, q_ends, q_kinds, columns["per_unit"], q_units)
    columns["suspect"], columns["suspect_reason"] = _suspect_lists(
        text, q_starts, q_ends, quantities["number"], quantities["multiplier"], lambda: scopes)
    return columns


def _plain_frame(quantities: pd.DataFrame, extra: pd.DataFrame) -> bool:
    """Whether concatenating ``extra`` gives exactly what inserting its columns one by one would.

    Not for frames that already hold some of the columns (they are replaced in place), nor for column labels,
    names, attrs or flags that concat would not carry over the same way.
    """
    columns = quantities.columns
    labels = set(columns.tolist())
    return (columns.dtype == extra.columns.dtype and columns.name is None and len(labels) == len(columns)
            and labels.isdisjoint(extra.columns.tolist()) and not quantities.attrs
            and quantities.flags.allows_duplicate_labels)


# ---------------------------------------------------------------- audit


def _d(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _tol(q) -> Decimal:
    """Half a unit of the last written digit, in value scale (7.1万 → 500; 6000万 → 5000000; 841 → 0)."""
    number = _d(q.number)
    exp = number.as_tuple().exponent
    exp = exp if isinstance(exp, int) else 0
    mult = int(q.multiplier)
    if exp >= 0 and mult == 1:
        return Decimal(0)
    return Decimal(5) * Decimal(10) ** (exp - 1) * mult


def _fmt(value: Decimal) -> str:
    value = value.normalize() if value != value.to_integral_value() else value.quantize(Decimal(1))
    return format(value, "f")


def _span(q) -> str:
    return f"{q.start}:{q.end}"


def _check(doc_id: str, kind: str, qs, expected, observed, verdict: str, detail: str) -> dict:
    return {"doc_id": doc_id, "check": kind, "spans": ";".join(_span(q) for q in qs),
            "expected": expected, "observed": observed, "verdict": verdict, "detail": detail}


_SENTENCE_STOP = re.compile(r"[。！？\n]")


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    # 。 and line breaks are frequent, so search for the rare ！？ only after the nearer of them (not back to 0)
    left = max(text.rfind("。", 0, pos), text.rfind("\n", 0, pos))
    left = max(left, text.rfind("！", left + 1, pos), text.rfind("？", left + 1, pos)) + 1
    m = _SENTENCE_STOP.search(text, pos)
    return left, (m.start() if m else len(text))


_COUNTABLE = ("percent", "point", "ratio")
_STOP_PARTS = re.compile(r"[,，;；]\s*(?:共|合计|累计|总计|另)")
_QIZHONG = re.compile("其中")
_OPENING = re.compile(r"[\s(（,，:：]")
_SEMICOLON = re.compile(r"[;；]")


def _breakdowns(text: str, qs: list, doc_id: str) -> list[dict]:
    out = []
    usable = [q for q in qs if q.unit_kind not in _COUNTABLE and not q.per_unit and q.range_high is None]
    u_starts = [q.start for q in usable]  # qs are sorted by start: the figures of a span are a slice
    for m in _QIZHONG.finditer(text):
        pos = m.start()
        s_left, s_right = _sentence_bounds(text, pos)
        nxt = text.find("其中", m.end(), s_right)
        scope_end = nxt if nxt >= 0 else s_right
        stop = _STOP_PARTS.search(text, m.end(), scope_end)
        scope_end = stop.start() if stop else scope_end
        region_start = s_left
        if not _OPENING.sub("", text[s_left:pos]):
            region_start, _ = _sentence_bounds(text, max(0, s_left - 1))  # 其中 opens the sentence
        parts = usable[bisect_left(u_starts, m.end()):bisect_left(u_starts, scope_end)]
        if not parts:
            continue
        before = usable[bisect_left(u_starts, region_start):bisect_left(u_starts, pos)]
        for unit in dict.fromkeys(q.unit for q in parts):
            totals = [q for q in before if q.unit == unit]
            group = [q for q in parts if q.unit == unit]
            if not totals or not unit:
                continue
            total = totals[-1]
            t_val = _d(total.value)
            # After a ; the text may move to a new subject (省级媒体刊发...): a larger figure there ends the list.
            first_semicolon = _SEMICOLON.search(text[m.end():scope_end])
            tight_end = m.end() + first_semicolon.start() if first_semicolon else scope_end
            for j, q in enumerate(group):
                if q.start >= tight_end and _d(q.value) > t_val + _tol(total) + _tol(q):
                    group = group[:j]
                    break
            if not group:
                continue
            big = [q for q in group if _d(q.value) > t_val + _tol(total) + _tol(q)]
            if big:
                out.append(_check(doc_id, "breakdown_part_exceeds_total", [total, *big], _fmt(t_val),
                                  _fmt(_d(big[0].value)), "inconsistent",
                                  f"part {big[0].surface} is larger than the total {total.surface}"))
                continue
            running, tol = Decimal(0), _tol(total)
            matched = None
            for i, q in enumerate(group):
                running += _d(q.value)
                tol += _tol(q)
                if i >= 1 and abs(running - t_val) <= tol:
                    matched = i
                    break
            if matched is not None:
                used = group[: matched + 1]
                out.append(_check(doc_id, "breakdown_sum", [total, *used], _fmt(t_val), _fmt(running),
                                  "consistent", f"{len(used)} parts of {total.surface} add up"))
                continue
            full = sum((_d(q.value) for q in group), Decimal(0))
            if full <= t_val:
                # Parts that fall short never confirm the total: the list is incomplete, or a figure is wrong.
                out.append(_check(doc_id, "breakdown_sum", [total, *group], _fmt(t_val), _fmt(full), "incomplete",
                                  f"parts add up to {_fmt(t_val - full)} less than the total {total.surface}"))
            else:
                out.append(_check(doc_id, "breakdown_sum", [total, *group], _fmt(t_val), _fmt(full), "unverifiable",
                                  "the figures after 其中 add up to more than the total; not all may be parts"))
    return out


_SHARE = re.compile(r"(?:占|相当于|是|为)([^,，。；;！？\n%]{0,24}?)的?\Z")
_NOUN_NOISE = re.compile(r"[“”\"《》总的]")
_PLACES_ONLY = re.compile(r"[市县区乡镇村]?(?:[(（][^)）]*[)）])?")


def _shares(text: str, qs: list, doc_id: str, starts: list[int]) -> list[dict]:
    out = []
    for i, q in enumerate(qs):
        if q.unit != "%":
            continue
        s_left, _ = _sentence_bounds(text, q.start)
        m = _SHARE.search(text, max(s_left, q.start - 26), q.start)
        if not m or ("占" not in m.group() and "总" not in m.group(1)):
            continue
        noun = _NOUN_NOISE.sub("", m.group(1))
        # qs are sorted by start: the figures of the sentence before q are qs[lo:i]
        lo = bisect_left(starts, s_left)
        part = next((p for p in reversed(qs[lo:i]) if p.unit_kind not in _COUNTABLE and not p.per_unit), None)
        if part is None:
            continue
        between = text[part.end:m.start()]
        places_only = _PLACES_ONLY.fullmatch(between)
        if places_only and part.unit_kind in ("classifier", "place"):
            continue  # 临沂、菏泽2个市占65.2%: a share of something else held by these places
        whole = None
        part_value = _d(part.value)
        # the figures before part, nearest first (generated lazily: usually the nearest one or two decide)
        candidates = (p for p in reversed(qs[:bisect_left(starts, part.start)])
                      if p.unit == part.unit and not p.per_unit and _d(p.value) >= part_value)
        if noun:
            core = noun[-4:]
            for p in candidates:
                context = text[max(0, p.start - 14):p.end + 6]
                if core in context or core in str(p.measure):
                    whole = p
                    break
        else:
            nearest = next(candidates, None)
            if nearest is not None and nearest.start >= s_left:
                whole = nearest
        pct, ptol = _d(q.value), _tol(q) if _tol(q) else Decimal("0.5")
        if whole is None:
            implied = _d(part.value) * 100 / pct if pct else Decimal(0)
            out.append(_check(doc_id, "share", [part, q], "", _fmt(pct), "unverifiable",
                              f"whole not stated; {part.surface} at {q.surface} implies a whole of about "
                              f"{_fmt(round(implied, 2))} {part.unit}"))
            continue
        pv, pt, wv, wt = _d(part.value), _tol(part), _d(whole.value), _tol(whole)
        lo = (pv - pt) * 100 / (wv + wt)
        hi = (pv + pt) * 100 / (wv - wt) if wv > wt else Decimal("Infinity")
        exact_share = pv * 100 / wv
        ok = lo <= pct + ptol and hi >= pct - ptol
        out.append(_check(doc_id, "share", [part, whole, q], _fmt(round(exact_share, 2)), _fmt(pct),
                          "consistent" if ok else "inconsistent",
                          f"{part.surface} / {whole.surface} = {round(exact_share, 2)}% (rounding range "
                          f"{round(lo, 2)}–{round(hi, 2)}%), stated {q.surface}"))
    return out


_DOWN = re.compile(r"(?:下降|减少|降低|降|减|缩小|压缩)(?:了)?(?:到|至|为)")
_UP = re.compile(r"(?:提高|增加|上升|增长|升|扩大|提升)(?:了)?(?:到|至|为)")
_NEUTRAL = re.compile(r"调整(?:了)?(?:到|至|为)")


def _changes(text: str, qs: list, doc_id: str) -> list[dict]:
    out = []
    for a, b in itertools.pairwise(qs):
        if a.unit != b.unit or not a.unit:
            continue
        between = text[a.end:b.start]
        if len(between) > 24 or _SENTENCE_STOP.search(between):
            continue
        lead = text[max(0, a.start - 16):a.start]
        if not _FROM.search(lead):
            continue
        va, vb = _d(a.value), _d(b.value)
        tol = _tol(a) + _tol(b)
        if _DOWN.search(between):
            ok, word = vb < va + tol, "decline"
        elif _UP.search(between):
            ok, word = vb > va - tol, "increase"
        elif _NEUTRAL.search(between):
            ok, word = True, "change"
        else:
            continue
        out.append(_check(doc_id, "change_direction", [a, b], f"{word} from {a.surface}", b.surface,
                          "consistent" if ok else "inconsistent",
                          f"{a.surface} → {b.surface}: difference {_fmt(vb - va)} {a.unit}"))
    return out


_DIFF_WORD = re.compile(r"(超出|高出|高于|多于|超过|低于|少于|比)[^,，。；;]{0,8}[(（]\Z")


def _differences(text: str, qs: list, doc_id: str, starts: list[int]) -> list[dict]:
    out = []
    for i in range(1, len(qs) - 1):
        b, c = qs[i], qs[i + 1]
        if b.unit != c.unit or text[b.end:c.start] not in (")", "）"):
            continue
        m = _DIFF_WORD.search(text, max(0, b.start - 12), b.start)
        if not m:
            continue
        s_left, _ = _sentence_bounds(text, b.start)
        a = next((p for p in qs[bisect_left(starts, s_left):i] if p.unit == b.unit), None)
        if a is None:
            continue
        va, vb, vc = _d(a.value), _d(b.value), _d(c.value)
        expected = vb - va if m.group(1) in ("低于", "少于") else va - vb
        ok = abs(expected - vc) <= _tol(a) + _tol(b) + _tol(c)
        out.append(_check(doc_id, "difference", [a, b, c], _fmt(expected), _fmt(vc),
                          "consistent" if ok else "inconsistent",
                          f"{a.surface} {m.group(1)} {b.surface} by {c.surface}"))
    return out


_GROWTH = re.compile(r"(?:比上年|较上年|同比|比去年)(增长|提高|下降|减少)(?:了)?(近|约)?\Z")


def _growth(text: str, qs: list, doc_id: str, starts: list[int]) -> list[dict]:
    out = []
    for i, q in enumerate(qs):
        if q.unit not in ("%", "倍"):
            continue
        m = _GROWTH.search(text, max(0, q.start - 10), q.start)
        if not m:
            continue
        s_left, _ = _sentence_bounds(text, q.start)
        a = next((p for p in reversed(qs[bisect_left(starts, s_left):i]) if p.unit_kind not in _COUNTABLE), None)
        if a is None:
            continue
        rate = _d(q.value) / 100 if q.unit == "%" else _d(q.value)
        factor = 1 + rate if m.group(1) in ("增长", "提高") else 1 - rate
        if factor <= 0:
            continue
        implied = _d(a.value) / factor
        out.append(_check(doc_id, "growth_base", [a, q], "", _fmt(round(implied, 0)), "unverifiable",
                          f"{a.surface} after {m.group(1)} {q.surface} implies a previous-year value of about "
                          f"{_fmt(round(implied, 0))} {a.unit}; the base is not stated"))
    return out


_NOT_HAN_OR_DE = re.compile(r"[^\u4e00-\u9fff]|的")
_DIGIT = re.compile(r"[0-9]")


def _lead(text: str, q, measure: str) -> str:
    """The few characters before the measured phrase (新增|贫困人口公益性岗位1.45万个 → 新增贫困)."""
    end = q.start - len(measure) if text.endswith(measure, 0, q.start) else q.start
    return _NOT_HAN_OR_DE.sub("", text[max(0, end - 8):end])[-4:]


def _headline_lines(text: str) -> list[tuple[int, int]]:
    """Short lines without a full stop that hold a figure: titles and summary bullets restating the body."""
    spans, pos = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if 0 < len(stripped) <= 80 and "。" not in stripped and _DIGIT.search(stripped):
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _isna(value) -> bool:
    return not isinstance(value, str) and bool(pd.isna(value))


def _repeats(text: str, qs: list, doc_id: str) -> list[dict]:
    out = []
    rows = [q for q in qs if q.indicator != "" and not q.per_unit and _isna(q.range_high)]
    heads = _headline_lines(text)
    head_starts = [s for s, _ in heads]

    def in_head(q) -> bool:
        k = bisect_right(head_starts, q.start) - 1  # the lines are sorted and do not overlap
        return k >= 0 and q.start < heads[k][1]

    # Figures after 其中 are subsets of another figure, not restatements of the indicator.
    scopes = [(m.end(), _sentence_bounds(text, m.start())[1]) for m in _QIZHONG.finditer(text)]
    # one pass over the rows, grouped in order of first appearance (as groupby(sort=False), missing keys dropped)
    groups: dict[tuple, list] = {}
    for q in rows:
        key = (q.indicator, q.year, q.place, q.unit)
        if not any(_isna(part) for part in key):
            groups.setdefault(key, []).append(q)
    for (indicator, year, place, _unit), grp in groups.items():
        if len(grp) < 2:
            continue  # no measure can repeat
        qs = [q for q in grp if not any(a <= q.start < b for a, b in scopes)]
        by_measure: dict[str, list] = {}
        for q in qs:
            by_measure.setdefault(str(q.measure), []).append(q)
        for measure, same in by_measure.items():
            # A bare verb (实现, 投入) is no measure; figures of one sentence are a list, not a restatement.
            if len(same) < 2 or len(measure) < 3 or _VERBS.fullmatch(measure):
                continue
            if len({q.sentence_id for q in same}) < 2:
                continue
            values = {_d(q.value) for q in same}
            # Only the same wording right before the figures makes it the same claim; otherwise one
            # figure may be a subset (各级投入的财政专项扶贫资金 ... in projects) and we cannot tell.
            lead = {_lead(text, q, measure) for q in same}
            if len(values) > 1 and len(lead) > 1:
                out.append(_check(doc_id, "repeated_value", same, same[0].surface,
                                  " / ".join(q.surface for q in same[1:]), "unverifiable",
                                  f"{indicator} ({measure}, {year}, {place}) given different values in different "
                                  "wording; they may measure different things"))
                continue
            if len(values) == 1:
                out.append(_check(doc_id, "repeated_value", same, same[0].surface, same[-1].surface, "consistent",
                                  f"{indicator} ({measure}) stated {len(same)} times with the same value"))
            else:
                out.append(_check(doc_id, "repeated_value", same, same[0].surface,
                                  " / ".join(q.surface for q in same[1:]), "inconsistent",
                                  f"{indicator} ({measure}, {year}, {place}) stated with different values"))
    # Headlines restate body figures: a headline figure that matches no body figure of its indicator.
    head_rows = [q for q in rows if in_head(q)] if heads else []
    body_rows = [b for b in rows if not in_head(b)] if head_rows else []
    for q in head_rows:
        body = [b for b in body_rows if b.indicator == q.indicator and b.unit == q.unit]
        if not body:
            continue
        if any(_d(b.value) == _d(q.value) for b in body):
            match = next(b for b in body if _d(b.value) == _d(q.value))
            out.append(_check(doc_id, "headline_vs_body", [q, match], q.surface, match.surface, "consistent",
                              f"headline figure {q.surface} ({q.indicator}) restated in the body"))
        else:
            out.append(_check(doc_id, "headline_vs_body", [q, *body], q.surface,
                              " / ".join(b.surface for b in body), "unverifiable",
                              f"headline figure {q.surface} ({q.indicator}) matches none of the body figures"))
    return out


def _magnitudes(qs: list, checked: frozenset[str], doc_id: str) -> list[dict]:
    out = []
    groups: dict[tuple, list] = {}
    for q in qs:  # grouped as groupby(sort=False) would, missing keys dropped
        if q.indicator not in checked or q.per_unit:
            continue
        key = (q.indicator, q.unit, q.place)
        if not any(_isna(part) for part in key):
            groups.setdefault(key, []).append(q)
    for (indicator, _unit, _place), grp in groups.items():
        if len(grp) < 3:
            continue  # fewer than three mentions cannot have an outlier
        qs = [q for q in grp if _d(q.value) > 0]
        if len(qs) < 3:
            continue
        for i, q in enumerate(qs):
            # An outlier is >=100x away from every other mention of the indicator (not merely from some).
            others = sorted(_d(o.value) for j, o in enumerate(qs) if j != i)
            v = _d(q.value)
            if v > others[-1]:
                ratio = v / others[-1]
            elif v < others[0]:
                ratio = others[0] / v
            else:
                continue
            if ratio >= 100:
                median = others[len(others) // 2]
                out.append(_check(doc_id, "order_of_magnitude", [q], f"about {_fmt(median)}", _fmt(v), "inconsistent",
                                  f"{q.surface} is {round(ratio)}x away from every other of {len(qs)} {indicator} "
                                  "mentions"))
    return out


def _checked_indicators(indicators: pd.DataFrame) -> frozenset[str]:
    """The indicators whose mentions are compared for order-of-magnitude outliers (check_magnitude = yes)."""
    return _checked_rows(tuple(zip(indicators["indicator"].tolist(), indicators["check_magnitude"].tolist())))


@functools.lru_cache(maxsize=32)
def _checked_rows(rows: tuple[tuple, ...]) -> frozenset[str]:
    return frozenset(name for name, check in rows if isinstance(check, str) and check.lower() == "yes")


@functools.cache
def _default_checked(state: tuple[str, int, int]) -> frozenset[str]:
    return _checked_indicators(_read_indicators(state))


# the columns the checks read
_AUDIT_COLUMNS = ["start", "end", "surface", "number", "multiplier", "value", "unit", "unit_kind", "range_high",
                  "sentence_id", "measure", "indicator", "year", "place", "per_unit"]


@functools.cache
def _row_type(columns: tuple[str, ...]) -> type:
    return collections.namedtuple("Quantity", columns)


def _rows(attributed: pd.DataFrame) -> list:
    """The rows the checks read, as named tuples sorted by start (one list per column, not per-row pandas access)."""
    columns = tuple(c for c in _AUDIT_COLUMNS if c in attributed.columns)
    series = {c: attributed[c] for c in columns}
    values = {c: column.tolist() for c, column in series.items()}
    if not all(a <= b for a, b in itertools.pairwise(values["start"])):  # usually sorted already
        attributed = attributed.sort_values("start", kind="stable")
        series = {c: attributed[c] for c in columns}
        values = {c: column.tolist() for c, column in series.items()}
    range_high = series["range_high"]
    if range_high.dtype == object:  # missing bounds as None, as range_high.where(notna, None) gives
        values["range_high"] = [None if _isna(v) else v for v in values["range_high"]]
    else:
        values["range_high"] = range_high.where(range_high.notna(), None).tolist()
    return list(map(_row_type(columns)._make, zip(*values.values())))


def _rows_of_lists(attributed: dict[str, list]) -> list:
    """:func:`_rows` of attributed quantities given as plain lists (``range_high`` held as objects)."""
    columns = tuple(c for c in _AUDIT_COLUMNS if c in attributed)
    values = {c: attributed[c] for c in columns}
    if not all(a <= b for a, b in itertools.pairwise(values["start"])):  # as a stable sort by start
        order = sorted(range(len(values["start"])), key=values["start"].__getitem__)
        values = {c: [column[i] for i in order] for c, column in values.items()}
    values["range_high"] = [None if _isna(v) else v for v in values["range_high"]]
    return list(map(_row_type(columns)._make, zip(*values.values())))


def check_rows(text: str, attributed: dict[str, list], *, doc_id: str = "",
               indicators: pd.DataFrame | None = None) -> list[dict]:
    """The rows of :func:`audit_quantities` (dicts in ``CHECK_COLUMNS``) for attributed quantities given as lists
    of their columns (at least one row), as :func:`attribution_columns` and the extractor make them.

    Example:
        >>> from fupin_research.extract.quantities import extract_quantities
        >>> t = "贫困发生率由2015年底的13.2%下降至10.3%。"
        >>> attributed = attribute_quantities(t, extract_quantities(t))
        >>> [row["verdict"] for row in check_rows(t, {c: attributed[c].tolist() for c in attributed})]
        ['consistent']
    """
    return _checks(text, _rows_of_lists(attributed), _checked(indicators), doc_id)


def _checked(indicators: pd.DataFrame | None) -> frozenset[str]:
    # the default vocabulary's derived forms are cached per version of the file (no copy per document)
    if indicators is None:
        return _default_checked(_default_indicators_state())
    return _checked_indicators(indicators)


def _checks(text: str, qs: list, checked: frozenset[str], doc_id: str) -> list[dict]:
    starts = [q.start for q in qs]
    rows: list[dict] = []
    rows += _breakdowns(text, qs, doc_id)
    rows += _shares(text, qs, doc_id, starts)
    rows += _changes(text, qs, doc_id)
    rows += _differences(text, qs, doc_id, starts)
    rows += _growth(text, qs, doc_id, starts)
    rows += _repeats(text, qs, doc_id)
    rows += _magnitudes(qs, checked, doc_id)
    return rows


@functools.cache
def _no_checks() -> pd.DataFrame:
    return pd.DataFrame(columns=CHECK_COLUMNS)


def audit_quantities(
    text: str,
    quantities: pd.DataFrame,
    *,
    doc_id: str = "",
    period: str | None = None,
    province: str | None = None,
    indicators: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the ``checks`` table (``CHECK_COLUMNS``) for one document's quantities.

    ``quantities`` may already carry the attribution columns; otherwise they are computed.

    Example:
        >>> from fupin_research.extract.quantities import extract_quantities
        >>> t = "贫困发生率由2015年底的13.2%下降至10.3%。"
        >>> audit_quantities(t, extract_quantities(t)).verdict.tolist()
        ['consistent']
    """
    if quantities.empty:
        return _no_checks().copy()  # a copy of a cached empty table: building one costs more than a document
    checked = _checked(indicators)
    attributed = quantities
    if not set(ATTRIBUTION_COLUMNS) <= set(quantities.columns):
        attributed = attribute_quantities(text, quantities, doc_id=doc_id, period=period, province=province,
                                          indicators=indicators)
    rows = _checks(text, _rows(attributed), checked, doc_id)
    return pd.DataFrame(rows, columns=CHECK_COLUMNS) if rows else _no_checks().copy()


__all__ = [
    "ATTRIBUTION_COLUMNS",
    "CHECK_COLUMNS",
    "attribute_quantities",
    "audit_quantities",
    "load_indicators",
]
