"""Split a policy document into hierarchical analysis units (sections, subsections, items, parts).

The heading systems understood are the ones of the seed corpus:

* ``一、`` sections and ``【...】`` entries (yearbook entries, bulletin headers) -> level 1;
* ``(一)`` / ``（一）`` subsections -> level 2, including the damaged ``()`` form whose numeral was lost
  in extraction (numbered by position within the section and flagged ``lost_ordinal``);
* province-led paragraphs of bulletins (``广西  制定...``: a provincial-level name followed by spaces
  at paragraph start) -> level 2, with the province recorded (normalized: 内蒙 -> 内蒙古);
* ``1.`` / ``1、`` items -> level 3;
* ``一是 ... 二是 ...`` enumerations -> level 4 parts.

Units are the text each heading *owns* (its heading and the text up to the next heading of any level),
so the units of one document never overlap, and together with the whitespace between them they cover
the whole text. Text before the first heading is cut into level-0 paragraph units; a footer (copyright
line, ``编辑:``, ``(王珂)`` signature ...) after the last heading becomes one level-0 unit flagged
``trailer``.

``unit_id`` is hierarchical: ``{doc}-{section}-{subsection}-{item}-{part}`` with trailing levels omitted
and skipped levels written as ``0`` (``001-2-3-1``; an enumeration part directly under section 3 of
document 002 is ``002-3-0-0-1``). ``{doc}`` is the part of ``doc_id`` before the first ``_``.
Level-0 paragraphs before the first heading are ``{doc}-p{k}``; the trailer is ``{doc}-end``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from fupin_research.extract.numerals import int_to_chinese, small_chinese_int
from fupin_research.paths import data_dir, file_state
from fupin_research.split import frame_from_rows

UNIT_COLUMNS = ["doc_id", "unit_id", "level", "heading", "start", "end", "text", "province", "flag"]

_CN_NUM = "一二三四五六七八九十"
# Characters that may separate units besides whitespace (zero-width residue of web extraction).
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"

_SECTION = re.compile(rf"([{_CN_NUM}]{{1,3}})、")
_ENTRY = re.compile(r"【([^【】\n]{1,40})】")
_SUBSECTION = re.compile(rf"([(（])([{_CN_NUM}]{{0,3}})([)）])")
# An item number must not be the start of a decimal or a date (73.4亿元, 17.01.2017).
_ITEM = re.compile(r"([0-9０-９]{1,2})[.．、](?![0-9０-９])")
# An enumeration marker 一是 starts the text or follows clause punctuation or whitespace; in full:
#   (?:(?<=^)|(?<=[。；;：:，,!！?？\s]))([一二三四五六七八九十]{1,3})是(?=\S)
# Led by a lookbehind, the regex engine would try every position; led by the numeral it skips to
# candidates, and _enum_parts tests the character before (every position inside a rejected match follows
# a numeral, so no marker can start there).
_ENUM = re.compile(rf"([{_CN_NUM}][{_CN_NUM}]{{0,2}})是(?=\S)")
_ENUM_AFTER = "。；;：:，,!！?？"
# Footer lines that start the trailer (only looked for after the first heading).
_TRAILER = re.compile(
    r"(?:任何盗版|版权所有|Copyright|©|(?:责任)?编辑[:：]|报[:：]|[(（][^()（）\n]{1,20}[)）]\s*$)", re.M
)
# Where a heading's short label ends (the example path is "一、统一思想认识 > (一)做好基础工作").
_LABEL_END = re.compile(r"[,，。；;:：!！?？]")
_LABEL_MAX = 30


def cn_to_int(numeral: str) -> int | None:
    """Convert a Chinese numeral from 一 to 九十九 into an int (None if it is not one).

    Parsed by :func:`fupin_research.extract.numerals.small_chinese_int`, the one home of numerals.

    Example:
        >>> cn_to_int("十二"), cn_to_int("三"), cn_to_int("二十"), cn_to_int("")
        (12, 3, 20, None)
    """
    return small_chinese_int(numeral)


def int_to_cn(number: int) -> str:
    """Write 1..99 as a Chinese numeral (used to rebuild lost ``(一)`` ordinals).

    Example:
        >>> int_to_cn(1), int_to_cn(10), int_to_cn(14), int_to_cn(30)
        ('一', '十', '十四', '三十')
    """
    return int_to_chinese(number) if 1 <= number <= 99 else str(number)


def load_provinces(path: str | Path | None = None) -> pd.DataFrame:
    """Load the table of China's provincial-level divisions (default: ``data/provinces.csv``).

    Columns: name (common short name, the normalized form), full_name, abbr (one-character
    abbreviation), aliases (``;``-separated extra forms such as 内蒙), type, code, name_en.

    Example:
        >>> load_provinces().set_index("name").loc["广西", "full_name"]
        '广西壮族自治区'
    """
    frame = pd.read_csv(path or data_dir() / "provinces.csv", dtype=str, keep_default_na=False)
    return frame


def province_aliases(provinces: pd.DataFrame | Mapping[str, str] | None = None) -> dict[str, str]:
    """Map every written form of a province (name, full name, aliases) to its normalized name.

    One-character abbreviations (鲁, 桂 ...) are left out on purpose: at a paragraph start they are
    far too ambiguous. A mapping passed in is returned as a plain dict.

    Example:
        >>> aliases = province_aliases()
        >>> aliases["内蒙"], aliases["广西壮族自治区"], aliases["山东省"]
        ('内蒙古', '广西', '山东')
    """
    if provinces is None:
        return dict(_default_provinces(file_state(data_dir() / "provinces.csv"))[0])
    if isinstance(provinces, Mapping):
        return dict(provinces)
    mapping: dict[str, str] = {}
    for row in provinces.itertuples(index=False):
        forms = [row.name, row.full_name, *str(row.aliases).split(";")]
        for form in forms:
            form = form.strip()
            if form:
                mapping[form] = row.name
    return mapping


@cache
def _default_provinces(state: tuple[str, int, int]) -> tuple[dict[str, str], re.Pattern[str]]:
    """Aliases and heading regex of the shipped provinces table, parsed once per version of the file.

    ``state`` (:func:`fupin_research.paths.file_state`) changes when the file is edited. Callers must not
    modify the returned dict.
    """
    aliases = province_aliases(load_provinces(state[0]))
    return aliases, _province_regex(aliases)


def province_mention_pattern() -> tuple[dict[str, str], re.Pattern[str]]:
    """(aliases, regex) finding any written form of a province in running text (longest form first).

    The one matcher of province names: :func:`fupin_research.corpus.infer_province` and the place
    attribution of :mod:`fupin_research.audit` call it. Aliases come from ``data/provinces.csv`` (``;``).

    Example:
        >>> aliases, pattern = province_mention_pattern()
        >>> [aliases[m.group()] for m in pattern.finditer("内蒙古自治区和内蒙、广西壮族自治区")]
        ['内蒙古', '内蒙古', '广西']
    """
    return _mention_pattern(file_state(data_dir() / "provinces.csv"))


@cache
def _mention_pattern(state: tuple[str, int, int]) -> tuple[dict[str, str], re.Pattern[str]]:
    aliases = _default_provinces(state)[0]
    return aliases, re.compile("|".join(sorted(map(re.escape, aliases), key=len, reverse=True)))


def _label(text: str) -> str:
    """Short heading label: up to the first clause punctuation, at most _LABEL_MAX characters."""
    text = text.strip()
    cut = _LABEL_END.search(text)
    label = text[: cut.start()] if cut else text
    return label if len(label) <= _LABEL_MAX else label[:_LABEL_MAX] + "…"


@dataclass
class _Start:
    """One unit boundary found in the text (a unit runs from here to the next boundary)."""

    pos: int
    level: int
    path: tuple[int, ...]
    headings: tuple[str, ...]
    province: str = ""
    flags: list[str] = field(default_factory=list)
    own_id: str = ""  # id suffix of level-0 units (p1, p2 ..., end), which sit outside the hierarchy


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank line, leading/trailing whitespace left out."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        begin, stop = pos, pos + len(line)
        pos = stop + 1
        while begin < stop and (text[begin].isspace() or text[begin] in _INVISIBLE):
            begin += 1
        while stop > begin and (text[stop - 1].isspace() or text[stop - 1] in _INVISIBLE):
            stop -= 1
        if stop > begin:
            spans.append((begin, stop))
    return spans


def _province_regex(aliases: Mapping[str, str]) -> re.Pattern[str]:
    # Longest form first so that 内蒙古 wins over 内蒙; at least one (any kind of) space must follow.
    forms = sorted(aliases, key=len, reverse=True)
    return re.compile(r"(" + "|".join(map(re.escape, forms)) + r")[ \t\u00a0\u3000]+(?=\S)")


def _enum_parts(text: str, begin: int, end: int) -> list[tuple[int, str]]:
    """Positions of ``一是/二是/...`` markers in text[begin:end] that form an ascending series from 一."""
    found = []
    expected = 1
    for match in _ENUM.finditer(text, begin, end):
        at = match.start()
        if at and not (text[at - 1] in _ENUM_AFTER or text[at - 1].isspace()):
            continue
        number = cn_to_int(match.group(1))
        if number == 1:
            expected = 1
        if number == expected:
            found.append((match.start(), match.group(0)))
            expected += 1
    # A lone 一是 is not an enumeration: keep only series with a 二是.
    series: list[list[tuple[int, str]]] = []
    for pos, marker in found:
        if marker.startswith("一是"):
            series.append([])
        series[-1].append((pos, marker))
    return [part for group in series if len(group) > 1 for part in group]


def split_units(
    text: str,
    doc_id: str = "",
    *,
    provinces: pd.DataFrame | Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Split one document into hierarchical analysis units with offsets into ``text``.

    Returns one row per unit with columns ``doc_id, unit_id, level, heading, start, end, text,
    province, flag`` (see the module docstring for levels and ids); ``text[start:end] == row.text``.
    ``provinces`` is the table of :func:`load_provinces` or a mapping form -> normalized name
    (default: the shipped ``data/provinces.csv``).

    Example:
        >>> doc = "标题\\n一、总体要求\\n()做好基础工作。\\n1.开展精准识别。一是建档。二是立卡。\\n"
        >>> units = split_units(doc, "009_x")
        >>> units[["unit_id", "level", "flag"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
        [['009-p1', 0, ''], ['009-1', 1, ''], ['009-1-1', 2, 'lost_ordinal'],
         ['009-1-1-1', 3, ''], ['009-1-1-1-1', 4, ''], ['009-1-1-1-2', 4, '']]
        >>> units.heading.iloc[-1]
        '一、总体要求 > (一)做好基础工作 > 1.开展精准识别 > 二是立卡'
    """
    doc = doc_id.split("_", 1)[0] if doc_id else "doc"
    if provinces is None:
        aliases, province_re = _default_provinces(file_state(data_dir() / "provinces.csv"))
    else:
        aliases = province_aliases(provinces)
        province_re = _province_regex(aliases)

    starts: list[_Start] = []
    # Current position in the hierarchy: counters per level and the labels of open headings.
    section = subsection = item = 0
    series = 0  # position within the current 一、二、三 series (a 【】 entry does not count)
    sec_label = sub_label = item_label = ""
    seen_heading = False
    preamble_count = 0

    for begin, end in _paragraphs(text):
        entry = _ENTRY.match(text, begin)
        sect = _SECTION.match(text, begin)
        sub = _SUBSECTION.match(text, begin)
        prov = province_re.match(text, begin)
        itm = _ITEM.match(text, begin)
        flags: list[str] = []
        if seen_heading and not (entry or sect or sub or prov or itm) and _TRAILER.match(text, begin):
            starts.append(_Start(begin, 0, (), (), flags=["trailer"], own_id="end"))
            break
        if entry or sect:
            section += 1
            subsection = item = 0
            if entry:
                sec_label = entry.group(0)
            else:
                sec_label = _label(text[begin:end])
                number = cn_to_int(sect.group(1))
                series = 1 if number == 1 else series + 1
                if number != series:
                    flags.append("ordinal_mismatch")
            sub_label = item_label = ""
            start = _Start(begin, 1, (section,), (sec_label,), flags=flags)
        elif sub or prov:
            subsection += 1
            item = 0
            item_label = ""
            province = ""
            if sub:
                numeral = sub.group(2)
                if not numeral:
                    flags.append("lost_ordinal")
                    numeral = int_to_cn(subsection)
                elif cn_to_int(numeral) != subsection:
                    flags.append("ordinal_mismatch")
                rest = _label(text[sub.end() : end])
                sub_label = f"{sub.group(1)}{numeral}{sub.group(3)}{rest}"
            else:
                sub_label = prov.group(1)
                province = aliases[prov.group(1)]
            start = _Start(
                begin, 2, (section, subsection), _open(sec_label, sub_label), province=province, flags=flags
            )
        elif itm:
            item += 1
            if int(itm.group(1).translate(_FULLWIDTH_DIGITS)) != item:
                flags.append("ordinal_mismatch")
            item_label = _label(text[begin:end])
            start = _Start(
                begin, 3, (section, subsection, item), _open(sec_label, sub_label, item_label), flags=flags
            )
        else:
            start = None
        if start is not None:
            seen_heading = True
            starts.append(start)
        elif not seen_heading:
            preamble_count += 1
            starts.append(_Start(begin, 0, (), (), own_id=f"p{preamble_count}"))

    starts = _add_enumerations(text, starts)
    return _frame(text, doc_id, doc, starts)


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _open(*labels: str) -> tuple[str, ...]:
    """Heading path without the empty labels of skipped levels."""
    return tuple(label for label in labels if label)


def _end_of_unit(text: str, starts: list[_Start], index: int) -> int:
    """A unit runs to the next boundary, minus trailing whitespace."""
    stop = starts[index + 1].pos if index + 1 < len(starts) else len(text)
    begin = starts[index].pos
    while stop > begin and (text[stop - 1].isspace() or text[stop - 1] in _INVISIBLE):
        stop -= 1
    return stop


def _add_enumerations(text: str, starts: list[_Start]) -> list[_Start]:
    """Cut ``一是 ... 二是 ...`` parts out of every headed unit (level 1-3) as level-4 units."""
    result: list[_Start] = []
    for index, start in enumerate(starts):
        result.append(start)
        if start.level == 0:
            continue
        end = _end_of_unit(text, starts, index)
        parent_path = start.path + (0,) * (3 - len(start.path))
        for number, (pos, marker) in enumerate(_enum_parts(text, start.pos, end), start=1):
            label = _label(text[pos:end])
            result.append(
                _Start(
                    pos,
                    4,
                    (*parent_path, number),
                    (*start.headings, label or marker),
                    province=start.province,
                )
            )
    return result


def _frame(text: str, doc_id: str, doc: str, starts: list[_Start]) -> pd.DataFrame:
    rows = []
    for index, start in enumerate(starts):
        end = _end_of_unit(text, starts, index)
        if end <= start.pos:
            continue
        flag = ";".join(start.flags)
        unit_id = f"{doc}-{start.own_id}" if start.own_id else "-".join([doc, *map(str, start.path)])
        rows.append(
            (
                doc_id,
                unit_id,
                start.level,
                " > ".join(start.headings),
                start.pos,
                end,
                text[start.pos : end],
                start.province,
                flag,
            )
        )
    return frame_from_rows(rows, UNIT_COLUMNS, {"level": "int64", "start": "int64", "end": "int64"})


def leaf_mask(units: pd.DataFrame) -> pd.Series:
    """True for the lowest-level units: those with no other unit below them in the hierarchy.

    Example:
        >>> units = split_units("一、要求\\n1.识别。\\n2.帮扶。\\n二、保障\\n", "d")
        >>> units[leaf_mask(units)].unit_id.tolist()
        ['d-1-0-1', 'd-1-0-2', 'd-2']
    """
    parents: set[tuple[str, str]] = set()
    for doc_id, unit_id in zip(units.doc_id, units.unit_id, strict=True):
        parts = unit_id.split("-")
        for cut in range(2, len(parts)):
            parents.add((doc_id, "-".join(parts[:cut])))
    # Zero-filled skipped levels (d-1-0-1) make d-1-0 a virtual parent; only real ids matter here.
    return pd.Series(
        [(d, u) not in parents for d, u in zip(units.doc_id, units.unit_id, strict=True)], index=units.index
    )
