"""Extract quantity mentions (number + magnitude + unit) with exact values and offsets.

Conventions follow ``gold/README.md`` of the project: the surface is the number, its magnitude
(万/亿/千/百) and the unit written right after it (a 多/余 in between stays inside); markers outside
the number (约, 近, 超过, 以上, 左右 ...) go to ``approx_marker`` and the extended span
``ext_start:ext_end``; money is reported in 元 with the multiplier; classifiers are the unit as
written; a number directly followed by a noun for people gets unit 人; a range is one row.
Dates, years used as time points, ordinals, ranks, issue numbers, phone numbers and number slogans
are not quantities. Chinese-numeral quantities are extracted conservatively (a unit is required,
lone 一, slogans, levels 三级 and enumeration summaries are skipped).

Numbers broken inside by zero-width characters and line breaks (``550\\n\\u200b\\n多万公里``) are
found on a cleaned view of the text; every offset points back into the text passed in.

Example:
    >>> df = extract_quantities("整合涉农资金17.1亿元,覆盖841个村,占80.9%左右。")
    >>> df[["surface", "value", "unit", "approx"]].values.tolist()
    [['17.1亿元', 1710000000, '元', 'none'], ['841个', 841, '个', 'none'], ['80.9%', Decimal('80.9'), '%', 'about']]
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from operator import itemgetter
from pathlib import Path

import numpy as np
import pandas as pd

from fupin_research.extract.numerals import (
    Number,
    chinese_to_number,
    exact,
    magnitude_multiplier,
    parse_arabic,
    split_chinese_magnitude,
    vague_range,
)
from fupin_research.paths import data_dir, file_state

QUANTITY_COLUMNS = [
    "start", "end", "surface", "number", "multiplier", "value", "unit", "approx", "range_high",
    "approx_marker", "ext_start", "ext_end", "numeral_script", "unit_kind",
]

_EXACT_COLUMNS = ("number", "value", "range_high")
# The same numerals come up again and again; their values (int, Decimal) are immutable, so parses are shared.
_parse_arabic = lru_cache(maxsize=4096)(parse_arabic)
_split_chinese_magnitude = lru_cache(maxsize=4096)(split_chinese_magnitude)
_ZW = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_NUMCH = "0-9０-９.．零〇○一二两兩三四五六七八九十百千万萬亿億"
# Zero-width characters (and whitespace around them) inside a number are breaks; so is a plain line
# break between digits and 多/余/万/亿. Each pattern starts with a character class so the scan is fast.
_ZW_RUN = re.compile(f"[{_ZW}]+")
_NL_BREAK = re.compile(r"\n[ \t]*(?=[多余万亿])")
# Digits spaced out one by one (1998 report: "7 4 7 7 2 亿元", "1 1 ％"): the spaces are breaks.
_SPACED_DIGITS = re.compile(r"[0-9](?: [0-9.．])+ ?")
_NUMSET = frozenset("0123456789０１２３４５６７８９.．零〇○一二两兩三四五六七八九十百千万萬亿億")
_DIGITS_AND_CN = frozenset("0123456789０１２３４５６７８９零〇○一二两兩三四五六七八九十百千万萬亿億")
_CN_PLAIN_DIGITS = frozenset("零〇○一二两兩三四五六七八九")
_ARABIC_CH = frozenset("0123456789０１２３４５６７８９.．%")
_ORDINAL_OR_PLUS = frozenset("第+＋")
_PLUS = frozenset("+＋")
_RANK = frozenset("前后")
_CN_BAD_BEFORE = frozenset("第初周")
_WS_ZW = frozenset(" \t\r\n\u3000\u00a0" + _ZW)
# Thousands separators: "," between ASCII groups, "，" (old reports: ３，５５６万担) between groups of three.
# The first digit is written once, before the alternatives ((?<=[0-9]): ASCII groups only), so the pattern
# starts with a character class and the regex engine can skip to the next digit instead of trying every position.
_ANUM = (
    r"[0-9０-９](?:(?<=[0-9])[0-9]{0,2}(?:,[0-9]{3})+(?![0-9０-９])|[0-9０-９]{0,2}(?:，[0-9０-９]{3})+(?![0-9０-９])"
    r"|[0-9０-９]*)(?:[.．][0-9０-９]+)?"
)
_MAG = r"(?:万亿|亿万|千万|百万|十万|万|萬|亿|億|千(?!米|克|瓦|公顷|卡|方)|百(?!分))"
_SEP = r"(?:-|－|—|–|~|～|至|到)"
_CN_DIGIT = "零〇○一二两兩三四五六七八九十百千万萬亿億壹贰貳叁參肆伍陆陸柒捌玖拾佰仟"
_CN_START = "一二两兩三四五六七八九十壹贰貳叁參肆柒捌玖"
# 伍/陆/拾 start a numeral only before another numeral character (队伍只能, 陆续, 收拾 are words).
_CN_START_WORDLIKE = "伍陆陸拾"
# 负 is a sign after a verb of change or a copula (增长负3.8%), not inside a word (税负5700多亿元).
_SIGN_WORD_BEFORE = frozenset("长降为是至到于率值差幅有达了")
_SIGN_CH = frozenset("-－负負")
# A number written after 万/亿 without a unit between (1万600, 100万三千, 1亿2000万) continues it.
_CN_TAIL = "[一二两兩三四五六七八九][零〇一二两兩三四五六七八九]*[十百千][零〇一二两兩三四五六七八九十百千]*"
_TAIL = rf"(?:(?<=[万萬亿億])(?P<tail>[0-9]{{1,4}}(?![0-9.．])|{_CN_TAIL}))"
_CN_FRAC = r"(?:[点點][零〇○一二三四五六七八九]+)"

_PREFIX = re.compile(
    r"(?:大约|约|将近|接近|近|不得超过|不超过|超过|超|逾|不少于|不低于|不得少于|不得低于|不得小于|至少|不高于|"
    r"未满|不足|不到|少于)\Z"
)
_SUFFIX = re.compile(r"以上|以下|左右|以内|有余")
_APPROX_KIND = {
    "大约": "about", "约": "about", "将近": "about", "接近": "about", "近": "about", "左右": "about",
    "超过": "more_than", "逾": "more_than", "不少于": "more_than", "不低于": "more_than",
    "不得少于": "more_than", "不得低于": "more_than", "不得小于": "more_than", "至少": "more_than",
    "以上": "more_than", "有余": "more_than", "多": "more_than", "余": "more_than",
    "超": "more_than", "不超过": "less_than", "不得超过": "less_than",
    "不高于": "less_than",
    "未满": "less_than", "不足": "less_than", "不到": "less_than", "少于": "less_than",
    "以下": "less_than", "以内": "less_than",
}
# 约/近 as the second character of another word (节约, 签约, 最近 ...) is not an approximation marker.
_NOT_BEFORE = {"约": set("节制签预邀公条合违履特规纳"), "近": set("最附邻亲贴靠就"), "超": set("赶高")}
_QUOTED = re.compile(r"[“\"「『]([^“”\"「」『』\n]{1,12})[”\"」』]")
_MONEY_CONTEXT = re.compile(r"资金|元|补助|投入|金额|资助|捐|贷|费|款|投资|收入|预算|到位|基金|保费")
_CLAUSE_DELIMS = re.compile(r"[,，。；;:：！？!?\n(（]")


@dataclass(frozen=True)
class QuantityLexicon:
    """Units, people nouns and exclusions used by :func:`extract_quantities` (from ``data/``)."""

    units: dict[str, tuple[str, str, bool]]
    people: tuple[str, ...]
    modifiers: tuple[str, ...]
    exclusions: tuple[str, ...]
    arabic_re: re.Pattern[str]
    chinese_re: re.Pattern[str]
    people_re: re.Pattern[str]
    people_near_re: re.Pattern[str]
    exclusion_re: re.Pattern[str] | None
    households: tuple[str, ...] = ()
    households_re: re.Pattern[str] | None = None
    people_before_re: re.Pattern[str] | None = None


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _read_lines(path: Path) -> list[str]:
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip("\n")
        if line.strip() and not line.lstrip().startswith("#"):
            lines.append(line)
    return lines


@lru_cache(maxsize=8)
def _load(
    units_state: tuple[str, int, int], people_state: tuple[str, int, int], exclusions_state: tuple[str, int, int]
) -> QuantityLexicon:
    # Keyed on the files' states (path, mtime, size): an edited vocabulary is read again.
    units_path, people_path, exclusions_path = units_state[0], people_state[0], exclusions_state[0]
    units: dict[str, tuple[str, str, bool]] = {}
    for line in _read_lines(Path(units_path)):
        parts = [*line.split("\t"), "", "", ""][:4]
        unit, kind, canonical, after_cn = (p.strip() for p in parts)
        units[unit] = (kind or "classifier", canonical or unit, after_cn.lower() in {"yes", "y", "1", "true"})
    people: list[str] = []
    modifiers: list[str] = []
    households: list[str] = []
    sections = {"[modifiers]": modifiers, "[households]": households}
    target = people
    for line in _read_lines(Path(people_path)):
        if line.strip().lower() in sections:
            target = sections[line.strip().lower()]
            continue
        target.append(line.strip())
    exclusions = [line.strip() for line in _read_lines(Path(exclusions_path))]

    unit_alt = _alternation(list(units))
    cn_units = _alternation([u for u, (_k, _c, ok) in units.items() if ok])
    arabic = re.compile(
        rf"(?P<num>{_ANUM})(?P<mag1>{_MAG})?{_TAIL}?(?P<u1>[%％])?"
        rf"(?:(?P<sep>{_SEP})(?P<num2>{_ANUM}))?(?P<fz1>[多余])?(?P<mag>{_MAG})?(?P<fz2>[多余])?"
        rf"(?:[ \u00a0]?(?P<unit>{unit_alt}))?"
    )
    cn_num = (rf"(?:[零〇○](?=[点點])|[几数](?=[十百千万萬亿億])|[{_CN_START}]|[{_CN_START_WORDLIKE}](?=[{_CN_DIGIT}]))"
              rf"[{_CN_DIGIT}几]*{_CN_FRAC}?")
    # The lookahead names every character a match can start with (负, 百, a numeral's first character): it
    # changes no match, and rules out most positions of a text with one test instead of six alternatives.
    chinese = re.compile(
        rf"(?=[负負百千零〇○几数{_CN_START}{_CN_START_WORDLIKE}一二两兩三四五六七八九十])"
        rf"(?:(?P<psign>[负負]的?)?百分之(?P<pct>[零〇○一二两兩三四五六七八九十百千]+{_CN_FRAC}?)"
        r"|(?P<full>百分百)"
        rf"|(?P<den>[一二两兩三四五六七八九十百千]+)分之(?P<numr>[一二两兩三四五六七八九十]+{_CN_FRAC}?)"
        r"|(?P<half>一半)"
        r"|(?P<cheng>[一二两三四五六七八九])成(?=[以左多的,，。；;、\s)）]|\Z)"
        rf"|(?P<csign>[负負])?(?P<cn>{cn_num})(?:(?P<csep>至|到|－|-|~|～|—)(?P<cn2>{cn_num}))?"
        rf"(?P<cfz>[多余])?(?P<cmag>[万萬亿億]*)(?P<cunit>{cn_units}))"
    )
    mods = _alternation(modifiers) if modifiers else "(?!)"
    heads = _alternation(people) if people else "(?!)"
    people_re = re.compile(rf"(?:{mods})*(?:{heads})")
    # With a magnitude (万/亿) the number is a count; allow a longer modifier before the people noun.
    people_near_re = re.compile(rf"[^\s\d,，。；;:：、!！?？()（）“”\"]{{0,16}}?(?:{heads})")
    exclusion_re = re.compile(_alternation(exclusions)) if exclusions else None
    households_re = re.compile(rf"(?:{mods})*(?:{_alternation(households)})") if households else None
    # 贫困人口12.3万: the counted people noun ends the clause text right before the number.
    people_before_re = re.compile(rf"(?:{heads})[^\s\d,，。；;:：、!！?？()（）“”\"]{{0,4}}\Z")
    return QuantityLexicon(units, tuple(people), tuple(modifiers), tuple(exclusions),
                           arabic, chinese, people_re, people_near_re, exclusion_re,
                           tuple(households), households_re, people_before_re)


def load_quantity_lexicon(
    units_path: str | Path | None = None,
    people_path: str | Path | None = None,
    exclusions_path: str | Path | None = None,
) -> QuantityLexicon:
    """Load the editable vocabularies (defaults: ``data/quantity_units.txt``, ``data/people_nouns.txt``,
    ``data/numeral_exclusions.txt``) and compile the patterns.

    Example:
        >>> lex = load_quantity_lexicon()
        >>> lex.units["万元"] if "万元" in lex.units else lex.units["元"][0]
        'money'
    """
    base = data_dir()
    return _load(
        file_state(str(units_path or base / "quantity_units.txt")),
        file_state(str(people_path or base / "people_nouns.txt")),
        file_state(str(exclusions_path or base / "numeral_exclusions.txt")),
    )


class _View:
    """A cleaned view of the text (breaks inside numbers removed) with an index map back to the raw text."""

    def __init__(self, text: str) -> None:
        self.raw = text
        self.clean_starts: list[int] = [0]
        self.raw_starts: list[int] = [0]
        breaks = self._breaks(text)
        if not breaks:
            self.clean = text
            return
        pieces: list[str] = []
        pos = 0
        clean_len = 0
        for bs, be in breaks:
            pieces.append(text[pos:bs])
            clean_len += bs - pos
            pos = be
            self.clean_starts.append(clean_len)
            self.raw_starts.append(pos)
        pieces.append(text[pos:])
        self.clean = "".join(pieces)

    @staticmethod
    def _breaks(text: str) -> list[tuple[int, int]]:
        """Sorted, disjoint (start, end) spans of ``text`` left out of the clean view."""
        found: list[tuple[int, int]] = []
        if any(ch in text for ch in _ZW):
            for m in _ZW_RUN.finditer(text):
                s, e = m.span()
                # Widen over surrounding whitespace only when a numeral comes right before the break.
                ws, we = s, e
                while ws > 0 and text[ws - 1] in _WS_ZW:
                    ws -= 1
                if ws > 0 and text[ws - 1] in _NUMSET:
                    while we < len(text) and text[we] in _WS_ZW:
                        we += 1
                    found.append((ws, we))
                else:
                    found.append((s, e))
        for m in _NL_BREAK.finditer(text):
            s = m.start()
            while s > 0 and text[s - 1] in " \t":
                s -= 1
            if s > 0 and text[s - 1] in _NUMSET and text[s - 1] not in "百千万萬亿億十":
                found.append((s, m.end()))
        for m in _SPACED_DIGITS.finditer(text):
            base = m.start()
            found.extend((base + i, base + i + 1) for i, ch in enumerate(m.group()) if ch == " ")
        if not found:
            return []
        found.sort()
        merged = [found[0]]
        for s, e in found[1:]:
            if s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
            else:
                merged.append((s, e))
        return merged

    def start(self, i: int) -> int:
        """Raw offset of clean offset ``i`` (a start)."""
        if self.clean is self.raw:  # nothing left out: offsets are the same
            return i
        k = bisect_right(self.clean_starts, i) - 1
        return self.raw_starts[k] + (i - self.clean_starts[k])

    def end(self, i: int) -> int:
        """Raw offset of clean offset ``i`` used as an exclusive end."""
        return self.start(i - 1) + 1 if i > 0 else 0


def _in_spans(spans: list[tuple[int, int]], starts: list[int], s: int, e: int) -> bool:
    k = bisect_right(starts, s) - 1
    return k >= 0 and spans[k][0] <= s and e <= spans[k][1]


def _approx(clean: str, s: int, e: int) -> tuple[str, int, int]:
    """Find an approximation marker right before ``s`` or right after ``e`` (in the clean view)."""
    marker, ext_s, ext_e = "", s, e
    m = _PREFIX.search(clean, max(0, s - 4), s)
    if m:
        word = m.group()
        before = clean[m.start() - 1] if m.start() > 0 else ""
        if not (len(word) == 1 and before in _NOT_BEFORE.get(word, ())):
            marker, ext_s = word, m.start()
    m = _SUFFIX.match(clean, e)
    if m:
        marker = marker + m.group() if marker else m.group()
        ext_e = m.end()
    return marker, ext_s, ext_e


def _approx_kind(marker: str, inner: str) -> str:
    for word in (marker[:4], marker[:3], marker[:2], marker[:1]):
        if word in _APPROX_KIND:
            return _APPROX_KIND[word]
    for word in (marker[-2:],):
        if word in _APPROX_KIND:
            return _APPROX_KIND[word]
    return _APPROX_KIND.get(inner, "about") if inner else "none"  # a vague numeral (三四万) is "about"


def _is_year(n: Number, mult: int) -> bool:
    return isinstance(n, int) and mult == 1 and 1000 <= n <= 2999


def _is_enumeration(clean: str, s: int) -> bool:
    """True when a list (、 和 与 及, or level names 省市县) comes right before ``s`` in the same clause."""
    start = max(0, s - 60)
    last = None
    for last in _CLAUSE_DELIMS.finditer(clean, start, s):  # noqa: B007 - keep the last delimiter
        pass
    clause = clean[last.end() if last else start:s]
    if "、" in clause or re.search(r"[和与及]", clause):
        return True
    return bool(re.search(r"[省市县乡村区镇州]{2,}\Z", clause))


def _starts_quantity(clean: str, i: int, lex: QuantityLexicon) -> bool:
    """True when an Arabic number with a unit (not a place noun) starts at ``i``: 3.2万户|10.5万人."""
    m = lex.arabic_re.match(clean, i)
    if m is None or not (m.group("unit") or m.group("u1")):
        return False
    unit_text = m.group("u1") or m.group("unit")
    return lex.units[unit_text][0] != "place"


_COORD = re.compile(r"[和与及或、]")


def _shared_unit(clean: str, i: int, lex: QuantityLexicon) -> tuple[str, str] | None:
    """(kind, unit) when ``clean[i:]`` is 和/与/及/或/、 and then a number with its unit (4.2和0.7个百分点)."""
    if not _COORD.match(clean, i):
        return None
    m = lex.arabic_re.match(clean, i + 1)
    if m is None or m.group("sep"):
        return None
    unit_text = m.group("u1") or m.group("unit")
    if not unit_text or ((m.group("mag1") or m.group("mag")) and not m.group("u1")):
        return None  # 3和5万元: the magnitude may not be shared; leave it
    kind, unit, _ok = lex.units[unit_text]
    if kind in ("place", "time"):
        return None  # 2016和2017年 are years; 5镇和1乡 name places
    return kind, unit


def _row(view: _View, s: int, e: int, number: Number, mult: int, unit: str, kind: str, approx_inner: str,
         range_high: Number | None, script: str) -> tuple:
    """One quantity as a tuple in ``QUANTITY_COLUMNS`` order (start and end first)."""
    marker, ext_s, ext_e = _approx(view.clean, s, e)
    raw_s, raw_e = view.start(s), view.end(e)
    return (
        raw_s,  # start
        raw_e,  # end
        view.raw[raw_s:raw_e],  # surface
        number,
        mult,  # multiplier
        exact(number * mult),  # value
        unit,
        _approx_kind(marker, approx_inner),  # approx
        range_high,
        marker or approx_inner,  # approx_marker
        view.start(ext_s),  # ext_start
        view.end(ext_e),  # ext_end
        script,  # numeral_script
        kind,  # unit_kind
    )


def _is_sign(clean: str, i: int) -> bool:
    """True when the -/负 at ``i`` is a sign: not a dash after a digit or code, and 负 not inside a word."""
    prev = clean[i - 1] if i > 0 else ""
    if prev and ((prev.isascii() and prev.isalnum()) or prev in _ARABIC_CH):
        return False
    if clean[i] in "负負" and prev and "\u4e00" <= prev <= "\u9fff" and prev not in _SIGN_WORD_BEFORE:
        return False
    return True


@lru_cache(maxsize=4096)
def _chinese_number(span: str) -> Number | None:
    try:
        return chinese_to_number(span)
    except ValueError:
        return None


def _arabic_rows(view: _View, lex: QuantityLexicon, quoted: list[tuple[int, int]], qstarts: list[int]) -> list:
    clean = view.clean
    rows = []
    for m in lex.arabic_re.finditer(clean):
        s = m.start()
        before = clean[s - 1] if s > 0 else ""
        if before and (before in _ARABIC_CH or (before.isascii() and before.isalpha())):
            continue  # inside a code such as A123 or 17.01.2017
        if before in (" ", "\u00a0") and s >= 2 and clean[s - 2] in _ORDINAL_OR_PLUS:
            continue  # 第 5 名
        # A sign right before the number (下降-3.8%, 增长负3.8%), not a dash between two numbers or codes.
        sign = before in _SIGN_CH and _is_sign(clean, s - 1)
        g = m.groupdict()
        if len(g["num"]) > 40 or len(g["num2"] or "") > 40:
            continue  # a digit run this long is a code or garbage, never a measured amount
        number = _parse_arabic(g["num"])
        unit_text = g["unit"]
        if g["u1"] and not g["sep"]:
            # 80.9% ends the quantity; what follows is not part of it.
            unit_text, e, fuzz, mag_text, mag1 = g["u1"], m.end("u1"), "", "", g["mag1"] or ""
        else:
            e = m.end()
            fuzz = g["fz1"] or g["fz2"] or ""
            mag1 = g["mag1"] or ""
            mag_text = g["mag"] or ""
            if g["sep"] and g["u1"] and unit_text not in ("%", "％"):
                continue
        mult_low = magnitude_multiplier(mag1 or mag_text)
        mult_high = magnitude_multiplier(mag_text or mag1)
        if mag1 and mag_text and not g["sep"]:
            mult_low = mult_high = magnitude_multiplier(mag1 + mag_text)  # 3千多万元: 3 × 千 × 万
        high: Number | None = None
        if g["sep"] and not (g["u1"] and not g["num2"]):
            high = exact(_parse_arabic(g["num2"]) * mult_high)
            if not mag1 and mult_low > 1 and number * mult_low > high:
                mult_low = 1  # 5000至2万元: the low end is already in 元, only 3至5万元 shares the 万
        if g["tail"]:
            # 1万600 = 10600, 1亿2000万 = 120,000,000, 100万三千 = 1,003,000: one number, multiplier 1.
            tail = g["tail"]
            tail_value = _parse_arabic(tail) if tail[0].isdigit() else _chinese_number(tail)
            head_mult = magnitude_multiplier(mag1)
            tail_mult = magnitude_multiplier(mag_text)  # 1亿3千多万: 3千多 × 万
            if tail_value is None or g["sep"] or g["u1"] or tail_value * tail_mult >= head_mult:
                continue  # not one number: leave it rather than guess
            number, mult_low, mag_text = exact(number * head_mult + tail_value * tail_mult), 1, ""
        scaled = mult_low > 1 or bool(g["tail"])  # a magnitude was written: the number counts something
        after = clean[e] if e < len(clean) else ""
        # Ordinals, issue numbers and number slogans (第82期, 1+8+10).
        if before in _ORDINAL_OR_PLUS or after in _PLUS:
            continue
        if _in_spans(quoted, qstarts, s, e):
            continue
        kind = ""
        if unit_text:
            kind, unit, _ok = lex.units[unit_text]
            if unit_text == "人" and clean[e:e + 2] == "民币":
                unit, kind, e = "元", "money", e + 2  # 1000亿人民币 is money
            elif unit_text == "人" and clean[e:e + 1] in ("口", "民"):
                e = m.start("unit")  # 8亿人口: a people noun follows, the surface is the number (rule 6)
        else:
            p = lex.people_re.match(clean, e)
            h = None if p is not None or lex.households_re is None else lex.households_re.match(clean, e)
            if h is not None and lex.people_re.match(clean, h.end()):
                p, h = h, None  # 2400多万贫困家庭学生: the household noun only modifies a people noun
            if p is None and h is None and scaled:
                p = lex.people_near_re.match(clean, e)
            shared = None if p is not None or h is not None else _shared_unit(clean, e, lex)
            if p is not None:
                unit, kind = "人", "people"
            elif h is not None:
                unit, kind = "户", "household"  # 1.2万贫困户: a household noun counts like a classifier 户
            elif shared is not None:
                kind, unit = shared  # 4.2和0.7个百分点: the unit written once serves both numbers
            elif scaled:
                ctx = clean[max(0, s - 12):s]
                if _MONEY_CONTEXT.search(ctx):
                    unit, kind = "元", "money"
                elif lex.people_before_re is not None and lex.people_before_re.search(clean, max(0, s - 12), s):
                    unit, kind = "人", "people"  # 贫困人口12.3万
                else:
                    unit, kind = "", ""
            else:
                continue  # a bare number: list number, phone number, code ...
        if kind == "time" and unit == "年":
            if _is_year(number, mult_low) or (high is not None and _is_year(high, 1)):
                continue
            if after and after in "底初末中度代级":
                continue
        if kind == "time" and unit == "周" and after and after in "年岁":
            continue
        if unit in ("位", "名") and clean[max(0, s - 2):s].endswith(("前", "后", "倒数")):
            continue  # ranks: 前5位
        if unit == "次" and "届" in clean[max(0, s - 8):s]:
            continue  # 十八届中央政治局39次集体学习 is the 39th session
        if kind != "place" and after in _DIGITS_AND_CN and not (unit and _starts_quantity(clean, e, lex)):
            continue  # “4个2”, 三位一体: a number right after a classifier is a slogan (not 3.2万户10.5万人)
        if g["sep"] and high is not None and high < exact(number * mult_low):
            high = None  # 2018-09: not a range
            if not unit:
                continue
        if sign and high is None:
            number, s = -number, s - 1  # the sign is part of the surface
        rows.append(_row(view, s, e, number, mult_low, unit, kind, fuzz, high, "arabic"))
    return rows


def _split_big(span: str) -> tuple[str, str]:
    """(head, trailing 万/亿 run) of a numeral: 三四万 → (三四, 万)."""
    end = len(span)
    while end > 0 and span[end - 1] in "万萬亿億":
        end -= 1
    return span[:end], span[end:]


def _share_row(view: _View, s: int, e: int, percent: Number) -> tuple:
    """A fraction or share (三分之一, 一半, 五成, 百分百) as a percentage."""
    return _row(view, s, e, exact(percent), 1, "%", "percent", "", None, "chinese")


def _chinese_value(cn: str) -> tuple[Number, int, Number | None, str] | None:
    """(number, multiplier, range_high, vague marker) of one Chinese numeral with its 万/亿, or None."""
    head, big = _split_big(cn)
    vague = vague_range(head) if head else None
    if vague is not None:
        mult = magnitude_multiplier(big)
        return vague[0], mult, exact(vague[1] * mult), head
    if any(ch in "几数" for ch in cn):
        return None  # a bare 几个 / 数次 is too vague to measure
    if len(cn) > 1 and set(cn) <= _CN_PLAIN_DIGITS:
        return None  # 一九五二 / 五七 are dates or codes
    try:
        number, mult = _split_chinese_magnitude(cn)
    except ValueError:
        return None
    return number, mult, None, ""


def _chinese_rows(view: _View, lex: QuantityLexicon, quoted: list[tuple[int, int]], qstarts: list[int]) -> list:
    clean = view.clean
    rows = []
    for m in lex.chinese_re.finditer(clean):
        s, e = m.span()
        before = clean[s - 1] if s > 0 else ""
        if before in _DIGITS_AND_CN or before in _CN_BAD_BEFORE:
            continue  # inside a longer numeral, or an ordinal (第十八届) / date (初一)
        if _in_spans(quoted, qstarts, s, e):
            continue
        g = m.groupdict()
        if g["pct"] is not None:
            try:
                number = _split_chinese_magnitude(g["pct"])[0]
            except ValueError:
                continue
            if g["psign"]:
                if _is_sign(clean, s):
                    number = -number  # 负百分之十三 = -13%
                else:
                    s += len(g["psign"])
            rows.append(_row(view, s, e, number, 1, "%", "percent", "", None, "chinese"))
            continue
        if g["full"] is not None:
            rows.append(_share_row(view, s, e, 100))
            continue
        if g["half"] is not None:
            rows.append(_share_row(view, s, e, 50))
            continue
        if g["cheng"] is not None:
            rows.append(_share_row(view, s, e, 10 * (_chinese_number(g["cheng"]) or 0)))
            continue
        if g["den"] is not None:
            den, numr = _chinese_number(g["den"]), _chinese_number(g["numr"])
            if not den or numr is None or numr > den:
                continue
            rows.append(_share_row(view, s, e, Decimal(100) * Decimal(numr) / Decimal(den)))
            continue
        cn = g["cn"]
        if len(cn) > 40 or len(g["cn2"] or "") > 40:
            continue
        if cn == "一" and not g["cn2"]:
            continue  # lone 一 is mostly an article
        unit_text = g["cunit"]
        kind, unit, _ok = lex.units[unit_text]
        if unit_text == "人" and clean[e:e + 2] == "民币":
            unit, kind, e = "元", "money", e + 2  # 一点二五人民币 is money
        after = clean[e] if e < len(clean) else ""
        if lex.exclusion_re is not None and lex.exclusion_re.match(clean, s):
            continue
        if after in _DIGITS_AND_CN:
            continue  # 五个一批, 三位一体
        if unit == "年" and after and after in "级底初末代度":
            continue
        if unit == "次" and (cn == "二" or "届" in clean[max(0, s - 8):s]):
            continue
        if unit in ("位", "名") and before in _RANK:
            continue
        if kind == "classifier" and _is_enumeration(clean, s):
            continue  # 医疗机构费用再减免和大病再救助基金救助两项措施 names the parts, it measures nothing
        low = _chinese_value(cn)
        if low is None:
            continue
        number, mult, high, vague = low
        cmag = magnitude_multiplier(g["cmag"]) if g["cmag"] else 1
        if g["cn2"]:
            # 两到三万 / 一百二十到一百五十万元: the 万 written once serves both ends (unless the low end has its own).
            upper = _chinese_value(g["cn2"])
            if upper is None or vague or upper[2] is not None:
                continue
            high_value = exact(upper[0] * upper[1] * cmag)
            if mult == 1 and number * upper[1] * cmag <= high_value:
                mult = upper[1]
            if number * mult * cmag > high_value:
                continue  # not a range we can read
            high = high_value
        mult *= cmag
        if vague:
            high = exact(high * cmag) if high is not None and not g["cn2"] else high
        if g["csign"]:
            if not _is_sign(clean, s):
                s += 1  # 税负 is a word: the numeral starts after it
            else:
                number, high = -number, None
        rows.append(_row(view, s, e, number, mult, unit, kind, g["cfz"] or vague, high, "chinese"))
    return rows


def extract_quantities(
    text: str, *, chinese_numerals: bool = True, lexicon: QuantityLexicon | None = None
) -> pd.DataFrame:
    """Return one row per quantity mention in ``text`` (columns: ``QUANTITY_COLUMNS``).

    ``value`` is exact (``int`` or ``Decimal``): ``number × multiplier``. Offsets point into ``text``
    (``text[start:end] == surface``). ``chinese_numerals=False`` keeps Arabic-digit quantities only.
    Never raises on a ``str``.

    Example:
        >>> extract_quantities("剩余的8280户、1.46万未脱贫人口,连续两年召开")[["surface", "unit"]].values.tolist()
        [['8280户', '户'], ['1.46万', '人'], ['两年', '年']]
    """
    rows = quantity_rows(text, chinese_numerals=chinese_numerals, lexicon=lexicon)
    if not rows:
        return _empty_frame()
    # Column-wise construction is much faster than a list of dicts plus astype.
    data: dict[str, object] = {}
    for col, values in zip(QUANTITY_COLUMNS, map(list, zip(*rows)), strict=True):
        if col in _OFFSET_COLUMNS:
            data[col] = np.array(values, dtype=np.int64)
        elif col in _EXACT_COLUMNS:  # exact numbers stay Python int / Decimal, never float
            data[col] = pd.Series(values, dtype=object)
        else:  # strings, and multipliers (int64, or object beyond it: 三亿亿亿亿亿)
            data[col] = values
    return pd.DataFrame(data)


# The dtypes of extract_quantities' columns as split.frame_from_columns names them (the strings are inferred).
QUANTITY_DTYPES = {"start": "int64", "end": "int64", "ext_start": "int64", "ext_end": "int64",
                   "multiplier": "int64", "number": "object", "value": "object", "range_high": "object"}


def quantity_rows(
    text: str, *, chinese_numerals: bool = True, lexicon: QuantityLexicon | None = None
) -> list[tuple]:
    """The rows of :func:`extract_quantities` as tuples in ``QUANTITY_COLUMNS`` order, sorted by start.

    Example:
        >>> [row[:3] for row in quantity_rows("覆盖841个村,两年")]
        [(2, 6, '841个'), (8, 10, '两年')]
    """
    if not isinstance(text, str):
        raise TypeError("extract_quantities expects a str")
    lex = lexicon or load_quantity_lexicon()
    view = _View(text)
    quoted = [m.span() for m in _QUOTED.finditer(view.clean)]
    qstarts = [q[0] for q in quoted]
    rows = _arabic_rows(view, lex, quoted, qstarts)
    if chinese_numerals:
        taken = sorted((r[0], r[1]) for r in rows)  # (start, end)
        tstarts = [t[0] for t in taken]
        for r in _chinese_rows(view, lex, quoted, qstarts):
            k = bisect_right(tstarts, r[1] - 1) - 1
            if k >= 0 and taken[k][1] > r[0]:
                continue
            rows.append(r)
        rows.sort(key=itemgetter(0))
    # a stack of magnitudes beyond int64 (三亿亿亿亿亿: 3 × 10**40) is no figure a policy text states, and its
    # multiplier could not be tabulated (the build stopped on it): such a match is not read as a quantity
    return [row for row in rows if row[4] < _INT64_LIMIT]


_INT64_LIMIT = 2**63


_OFFSET_COLUMNS = frozenset({"start", "end", "ext_start", "ext_end"})


def _empty_frame() -> pd.DataFrame:
    return _empty_template().copy()  # built once (astype costs milliseconds); a copy, as callers may add columns


@cache
def _empty_template() -> pd.DataFrame:
    frame = pd.DataFrame({col: [] for col in QUANTITY_COLUMNS}, columns=QUANTITY_COLUMNS)
    ints = ["start", "end", "multiplier", "ext_start", "ext_end"]
    strs = ["surface", "unit", "approx", "approx_marker", "numeral_script", "unit_kind"]
    return frame.astype({**dict.fromkeys(ints, "int64"), **dict.fromkeys(strs, "str"),
                         **dict.fromkeys(_EXACT_COLUMNS, object)})


__all__ = ["QUANTITY_COLUMNS", "QuantityLexicon", "extract_quantities", "load_quantity_lexicon"]
