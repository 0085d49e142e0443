"""Numbered formulas (数字化提法) such as 两不愁三保障, 五个一批, 1+8+10, 五查五看五纠.

Formulas are found from their FORM, not from a fixed list:

* quoted short spans holding a numeral (“四个2”, “两免两减半”, “千企帮千村”), split at 、 unless the parts
  form one ordered sequence (“一查看、二核对、三座谈、四填表、五签字”);
* repeated numeral patterns written without quotes: NUM head NUM head ... (五查五看五纠, 一室一厅一厨一卫,
  两线合一, 一免七减); the last head copies the length of the head before it unless it is a listed
  two-character head (一村一品一 + 主体) or the span ends at punctuation;
* a numeral followed by a head word of ``data/formula_heads.txt`` (六个精准, 两委, 三张图, 五级书记);
* digit formulas (1+8+10, 1+N) and N不X (十不算, 两不愁).

Ordinary words holding numerals (统一, 进一步, 第一书记, 一批 alone, 一站式, idioms) are masked first, and
spans whose numeral is followed by a unit (两年, 三个月, 2017年) or that are numbers or ranges are dropped.
Decisions: ``三级``/``五级`` in 省市县三级 are quantities (not formulas); five-year-plan names (十三五) are
time expressions, not formulas; 一站式 and 一对一 are ordinary words even when quoted.

Example:
    >>> df = extract_formulas("按照六个精准”“五个一批要求,解决两不愁、三保障问题,形成“1+N”方案。")
    >>> df["normalized"].tolist()
    ['六个精准', '五个一批', '两不愁三保障', '1+N']
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from fupin_research.extract.numerals import CHINESE_DIGITS, MAGNITUDES, small_chinese_int
from fupin_research.paths import data_dir, file_state
from fupin_research.split import frame_from_rows

COLUMNS = ["start", "end", "surface", "normalized", "numerals", "known", "quoted"]
# numerals: one list of ints per row
_DTYPES = {"start": "int64", "end": "int64", "numerals": "object", "known": "bool", "quoted": "bool"}
COLUMN_DTYPES = _DTYPES  # the dtypes of the extractor's table (for the build's Arrow tables)

# Values come from the one numeral module; 双 (a pair) counts 2 in formulas only (两学一做, 双到户).
_NUM_VALUES = {
    **{ch: CHINESE_DIGITS[ch] for ch in "一二两三四五六七八九"}, "双": 2,
    **{ch: MAGNITUDES[ch] for ch in "十百千"},
}
_NUMC = "".join(_NUM_VALUES)
_DIGIT_TO_CN = dict(zip("0123456789", "〇一二三四五六七八九", strict=True))
_H = rf"(?:(?![{_NUMC}])[\u4e00-\u9fff])"  # one CJK character that is not a numeral
# A numeral inside an ordinary word or a longer number (统一, 第一, 十八, 万一, 2017) cannot start a formula.
# The guard is written after the first numeral (looking back over it), so every pattern below starts with a
# character class and the regex engine skips straight to candidate characters.
_BEFORE_NUMERAL = rf"[{_NUMC}〇零万\d.第]"
_ONE_AFTER = "[统唯进逐之同单划专归合纯其另每任初]"


def _left_guard(first: str) -> str:
    """The guard to put right after a first character matched by the class ``first``."""
    return rf"(?<!{_BEFORE_NUMERAL}{first})(?<!{_ONE_AFTER}一)"


_MASK = "\x00"  # masking keeps offsets; \x00 is neither a numeral nor a head character
_QUOTE_RE = re.compile(r"[“\"「『]([^“”\"「」『』\n]{1,24})[”\"」』]")
_SEPARATORS_RE = re.compile(r"[、，,·•“”\"‘’'「」『』\s]")
_DIGIT_FORMULA_RE = re.compile(r"\d(?<![\d.+]\d)\d?(?:[+＋](?:\d{1,3}|[NnXx]))+(?![\d.%])")
_PURE_DIGITS_RE = re.compile(r"\d{2,4}")
_NUMERAL = f"[{_NUMC}]"
_REP_RE = re.compile(rf"{_NUMERAL}{_left_guard(_NUMERAL)}(?:{_H}{{1,2}}{_NUMERAL})+{_H}{{0,3}}")
_NBU_RE = re.compile(rf"[两二三四五六七八九十]{_left_guard('[两二三四五六七八九十]')}不{_H}")
# Patterns used per candidate, compiled once.
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_DIGITS_RE = re.compile(r"\d+")
_FOUR_DIGITS_RE = re.compile(r"\d{4}")
_TWO_DIGITS_RE = re.compile(r"\d{2,}")
_NUMERAL_RUN_RE = re.compile(rf"[{_NUMC}\d]+")
_NUMBER_RE = re.compile(rf"[{_NUMC}]*[十百千][{_NUMC}]+|[{_NUMC}]+[十百千][{_NUMC}]*")
_PART_RE = re.compile(r"[^、,，]+")
_FYP_RE = re.compile(r"^十?[一二三四五六七八九]五(?:时期|期间|规划|计划|末)?$")
_GUARD_ONE = set("统唯进逐之同单划专归纯其另每任初")  # X一 words: 统一, 唯一, 进一步 …
_NUMBER_OR_TIME_UNITS = {"万", "亿", "年", "日", "天", "时", "点", "分", "秒", "周"}  # 一亿一, 一时一地
_CONNECTORS = {"到", "至", "或", "比", "多", "余", "成", "分之", "点", "又", "接"}
_OPEN_QUOTES = ("“", '"', "「", "『")
_CLOSE_QUOTES = ("”", '"', "」", "』")
_BOUNDARY = set("”\"」』、，,。；;：:！？!?()（）《》【】 \n\t") | {_MASK}


@dataclass(frozen=True)
class FormulaLexicon:
    """The editable lexicon of ``data/formula_heads.txt`` (see the file's header for the sections)."""

    heads: tuple[str, ...]
    final_heads: frozenset[str]
    ordinary: tuple[str, ...]
    ordinary_unless_ge: tuple[str, ...]
    units: tuple[str, ...]
    places: frozenset[str]


def formula_heads_file() -> Path:
    """Return the shipped ``data/formula_heads.txt``."""
    return data_dir() / "formula_heads.txt"


def known_formulas_file() -> Path:
    """Return the shipped ``data/formulas_known.txt``."""
    return data_dir() / "formulas_known.txt"


def _read_lines(path: Path) -> list[str]:
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if line:
            lines.append(line)
    return lines


@cache
def _load_lexicon_cached(state: tuple[str, int, int]) -> FormulaLexicon:
    path = state[0]  # keyed on the file's state: an edited lexicon is read again
    sections: dict[str, list[str]] = {"heads": [], "final": [], "ordinary": [], "units": [], "places": []}
    current = None
    for line in _read_lines(Path(path)):
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            sections.setdefault(current, [])
        elif current is not None:
            sections[current].append(line)
    ordinary = [w for w in sections["ordinary"] if not w.startswith("!")]
    unless_ge = [w[1:] for w in sections["ordinary"] if w.startswith("!")]
    return FormulaLexicon(
        heads=tuple(sorted(set(sections["heads"]), key=len, reverse=True)),
        final_heads=frozenset(sections["final"]),
        ordinary=tuple(sorted(set(ordinary), key=len, reverse=True)),
        ordinary_unless_ge=tuple(unless_ge),
        units=tuple(sorted(set(sections["units"]), key=len, reverse=True)),
        places=frozenset(sections["places"]),
    )


def load_formula_lexicon(path: str | os.PathLike[str] | None = None) -> FormulaLexicon:
    """Load the head/ordinary-word lexicon (default: the shipped ``data/formula_heads.txt``).

    Example:
        >>> "个精准" in load_formula_lexicon().heads
        True
    """
    return _load_lexicon_cached(file_state(Path(path) if path else formula_heads_file()))


@cache
def _load_known_cached(state: tuple[str, int, int]) -> frozenset[str]:
    return frozenset(normalize_formula(line) for line in _read_lines(Path(state[0])))


def load_known_formulas(path: str | os.PathLike[str] | None = None) -> frozenset[str]:
    """Load the seed list of national formulas, in canonical form (default: ``data/formulas_known.txt``).

    Example:
        >>> "两不愁三保障" in load_known_formulas()
        True
    """
    return _load_known_cached(file_state(Path(path) if path else known_formulas_file()))


def normalize_formula(surface: str) -> str:
    """Return the canonical form: quotes and separators dropped, digits as Chinese numerals.

    Pure digit formulas (1+8+10, 1+N, 123) keep their digits. 两 is kept (两线合一 is not 二线合一).

    Example:
        >>> normalize_formula("“四个2”"), normalize_formula("两不愁、三保障"), normalize_formula("1＋8＋10")
        ('四个二', '两不愁三保障', '1+8+10')
    """
    text = _SEPARATORS_RE.sub("", unicodedata.normalize("NFKC", surface))
    if _CJK_RE.search(text):
        text = _DIGITS_RE.sub(_digits_to_chinese, text)
    return text


def _digits_to_chinese(match: re.Match[str]) -> str:
    value = int(match.group())
    if 10 <= value < 100:  # 10 → 十, 12 → 十二, 20 → 二十
        tens, ones = divmod(value, 10)
        ones_cn = _DIGIT_TO_CN[str(ones)] if ones else ""
        return ("" if tens == 1 else _DIGIT_TO_CN[str(tens)]) + "十" + ones_cn
    return "".join(_DIGIT_TO_CN[d] for d in match.group())


def formula_numerals(normalized: str) -> list[int]:
    """Return the numbers a canonical formula contains, in order.

    Example:
        >>> formula_numerals("1+8+10"), formula_numerals("五查五看五纠"), formula_numerals("1+N")
        ([1, 8, 10], [5, 5, 5], [1])
    """
    if not _CJK_RE.search(normalized):
        return [int(d) for d in _DIGITS_RE.findall(normalized)]
    values, i = [], 0
    while i < len(normalized):
        char = normalized[i]
        if char == "一" and i > 0 and normalized[i - 1] in _GUARD_ONE:
            i += 1  # the 一 of 统一 (三统一) is no numeral
            continue
        if char == "十" and i + 1 < len(normalized) and normalized[i + 1] in "一二三四五六七八九":
            values.append(small_chinese_int(normalized[i:i + 2]) or 0)  # 十一 … 十九
            i += 2
            continue
        if char in _NUM_VALUES:
            values.append(_NUM_VALUES[char])
        i += 1
    return values


@cache
def _compiled(lexicon: FormulaLexicon) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    heads = _by_first_char([(h[:1], re.escape(h[1:])) for h in lexicon.heads])
    # a numeral, or one or two digits (the guard already excludes a digit or "." before them)
    first = rf"[{_NUMC}\d]"
    head_re = re.compile(rf"{first}{_left_guard(first)}(?:(?<={_NUMERAL})|(?<=\d)\d?)(?:{heads})")
    words = [(w[:1], re.escape(w[1:])) for w in lexicon.ordinary]
    # (?<!个) looks back over the first character, which is already matched
    words += [(w[:1], rf"(?<!个{re.escape(w[:1])}){re.escape(w[1:])}") for w in lexicon.ordinary_unless_ge]
    # Ordinals (第一, 第二十) and reduplications (一代又一代, 一浪接一浪) are masked too.
    words += [("第", rf"[{_NUMC}〇零]+"), ("一", r"(\w)[又接比]?一\1")]
    ordinary_re = re.compile(_by_first_char(words))
    units = "|".join(re.escape(u) for u in lexicon.units)
    unit_re = re.compile(rf"(?:[{_NUMC}〇零]|\d)(?:多|余)?(?:个)?(?:{units})")
    return head_re, ordinary_re, unit_re


def _by_first_char(alternatives: list[tuple[str, str]]) -> str:
    """The alternation of ``first + rest`` regexes, grouped by their first character (order kept within a group).

    Only alternatives with the same first character can match at one position, so the first one that matches is
    the same as in the flat alternation. Starting every branch with a literal character lets the regex engine
    skip to candidate characters and try one group there instead of every word.
    """
    if not all(first for first, _ in alternatives):  # an empty word (a stray "!" line): keep the plain alternation
        return "|".join(re.escape(first) + rest for first, rest in alternatives)
    groups: dict[str, list[str]] = {}
    for first, rest in alternatives:
        groups.setdefault(first, []).append(rest)
    return "|".join(f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in groups.items())


def _mask(text: str, ordinary_re: re.Pattern[str]) -> str:
    return ordinary_re.sub(lambda m: _MASK * len(m.group()), text)


def _is_fyp(core: str) -> bool:
    return bool(_FYP_RE.match(core))


def _rep_end(text: str, start: int, end: int, final_heads: frozenset[str]) -> int:
    """Trim the last head of a repeated pattern (the regex takes up to three characters greedily)."""
    span = text[start:end]
    # Positions of the numerals inside the span: heads lie between them.
    num_pos = [i for i, ch in enumerate(span) if ch in _NUM_VALUES]
    last = num_pos[-1]
    tail = span[last + 1:]
    prev_head = span[num_pos[-2] + 1:last]
    after = text[end] if end < len(text) else "\n"
    if prev_head.endswith(("合", "包")) and span[last] == "一":
        return start + last + 1  # 两线合一 / 五包一: the pattern ends on the numeral
    if not tail:
        return end
    if len(tail) <= 2 and after in _BOUNDARY:
        return end
    if tail[:2] in final_heads and len(tail) >= 2:
        return start + last + 3
    keep = min(len(prev_head), len(tail), 2)
    return start + last + 1 + keep


def _numeral_positions(core: str) -> list[int]:
    """Positions of numerals that can belong to a formula (not the 一 of 统一, 唯一, 进一步 ...)."""
    return [
        i for i, ch in enumerate(core)
        if (ch in _NUM_VALUES or ch.isdigit()) and not (ch == "一" and i > 0 and core[i - 1] in _GUARD_ONE)
    ]


def _heads(core: str) -> list[str]:
    """The non-numeral runs between/after the numerals of a formula core."""
    return [h for h in _NUMERAL_RUN_RE.split(core) if h]


def _shape_ok(core: str, kind: str, unit_re: re.Pattern[str], places: frozenset[str]) -> bool:
    """Reject dates, quantities, durations, ranges and plan periods.

    ``core`` is the masked candidate without separators; ``kind`` is how it was found: ``quoted``, ``rep``
    (repeated numeral pattern), ``head`` (numeral + listed head), ``digit`` (1+N) or ``nbu`` (十不算).
    """
    if not core or _is_fyp(core):
        return False
    if _DIGIT_FORMULA_RE.fullmatch(core) or (kind == "quoted" and _PURE_DIGITS_RE.fullmatch(core)):
        return not _FOUR_DIGITS_RE.search(core) or kind == "digit"  # “123” 工作机制, 1+8+10
    if _TWO_DIGITS_RE.search(core):  # a year (2017新春), a count (12317), an abbreviated year (97中国旅游年)
        return False
    positions = _numeral_positions(core)
    if not positions:
        return False
    heads = _heads(core)
    if any(head in _CONNECTORS for head in heads):
        return False  # 八至九, 两到三年: numeric ranges
    if len(heads) >= 2 and len(set(heads)) == 1:
        return False  # 一个一个, 一代一代: reduplication
    if _NUMBER_RE.search(core):
        return False  # 一百五十六, 十二: a number, not a formula numeral
    if kind != "quoted" and len(positions) != len([ch for ch in core if ch in _NUM_VALUES or ch.isdigit()]):
        return False  # an inner 一 belongs to a word (一个统一的)
    # A numeral followed by a unit is a quantity (两年, 三个月, 一家). Outside unquoted repeated patterns only
    # the first numeral decides (百企联百户, 五个一批 are formulas though 百户, 一批 alone count things).
    # 一X一Y (一户一策, 一月一观摩) is a formula even when X is a measure word, unless Y is one (一月一日).
    one_by_one = (
        len(positions) >= 2 and all(core[p] == "一" for p in positions)
        and core[-1] not in _NUM_VALUES and heads[0] not in _NUMBER_OR_TIME_UNITS
    )
    if one_by_one:
        if unit_re.match(core, positions[-1]):
            return False
    else:
        for position in positions if kind == "rep" else positions[:1]:
            if unit_re.match(core, position):
                return False
    if kind == "rep" and any(head.startswith("个") for head in heads):
        return False  # 一讲这四个问: N个 inside a running sentence
    if kind == "head" and core.startswith("一个"):
        return False  # 一个全面…: "a comprehensive ...", not a formula
    if places and all(head in places for head in heads):
        return False  # 两市六州: places counted, not a formula
    return True


def _quoted_candidates(
    masked: str, unit_re: re.Pattern[str], places: frozenset[str]
) -> list[tuple[int, int, bool]]:
    found = []
    for m in _QUOTE_RE.finditer(masked):
        start, end = m.span(1)
        content = masked[start:end]
        parts = [(p.start(), p.end()) for p in _PART_RE.finditer(content)]
        sequence = len(parts) >= 3 and all(content[a] in _NUM_VALUES for a, _ in parts)
        if len(parts) > 1 and not sequence:
            spans = [(start + a, start + b) for a, b in parts]
        else:
            spans = [(start, end)]
        cores = [_SEPARATORS_RE.sub("", masked[a:b]) for a, b in spans]
        # A quote is a formula (or a list of formulas) only if every part is one: “多个渠道引水,一个龙头放水”
        # is a slogan sentence, “百企帮百村、百企联百户” two formulas.
        if all(
            len(core) <= (16 if sequence else 8) and _MASK not in core
            and _shape_ok(core, "quoted", unit_re, places)
            for core in cores
        ):
            found.extend((a, b, True) for a, b in spans)
    return found


def _merge_known_pairs(
    text: str, kept: list[tuple[int, int, bool]], known: frozenset[str]
) -> list[tuple[int, int, bool]]:
    """Join two neighbours split by a separator when together they are a known formula (两不愁、三保障)."""
    merged: list[tuple[int, int, bool]] = []
    for start, end, quoted in kept:
        if merged:
            p_start, p_end, p_quoted = merged[-1]
            gap = text[p_end:start]
            if len(gap) <= 3 and not _SEPARATORS_RE.sub("", gap):
                if normalize_formula(text[p_start:end]) in known:
                    merged[-1] = (p_start, end, p_quoted and quoted)
                    continue
        merged.append((start, end, quoted))
    return merged


@functools.cache
def _known_re(known: frozenset[str]) -> re.Pattern[str]:
    """One alternation of the known formulas, longest first (two-character ones like 三农 need a boundary)."""
    forms = sorted((k for k in known if len(k) >= 3), key=len, reverse=True)
    return re.compile(_by_first_char([(k[:1], re.escape(k[1:])) for k in forms])) if forms else re.compile("(?!)")


def extract_formulas(
    text: str,
    *,
    lexicon_path: str | os.PathLike[str] | None = None,
    known_path: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Find numbered formulas in ``text`` (raw or normalized).

    Returns one row per formula occurrence with ``start``, ``end`` (``text[start:end] == surface``),
    ``surface``, ``normalized`` (canonical form, see :func:`normalize_formula`), ``numerals`` (list of ints),
    ``known`` (canonical form in ``data/formulas_known.txt``) and ``quoted`` (inside “...”).

    Example:
        >>> df = extract_formulas("实行“三统一”“双认定”,统一按照两不愁三保障标准,选派第一书记20个县")
        >>> df[["surface", "numerals", "known"]].values.tolist()
        [['三统一', [3], False], ['双认定', [2], False], ['两不愁三保障', [2, 3], True]]
    """
    return frame_from_rows(formula_rows(text, lexicon_path=lexicon_path, known_path=known_path), COLUMNS, _DTYPES)


def formula_rows(
    text: str,
    *,
    lexicon_path: str | os.PathLike[str] | None = None,
    known_path: str | os.PathLike[str] | None = None,
) -> list[tuple]:
    """The rows of :func:`extract_formulas` as tuples in ``COLUMNS`` order (dtypes ``_DTYPES``).

    Example:
        >>> formula_rows("统一按照两不愁三保障标准")
        [(4, 10, '两不愁三保障', '两不愁三保障', [2, 3], True, False)]
    """
    lexicon = load_formula_lexicon(lexicon_path)
    known = load_known_formulas(known_path)
    head_re, ordinary_re, unit_re = _compiled(lexicon)
    masked = _mask(text, ordinary_re)

    candidates: list[tuple[int, int, str]] = [(a, b, "quoted") for a, b, _ in _quoted_candidates(
        masked, unit_re, lexicon.places)]
    candidates += [(m.start(), m.end(), "digit") for m in _DIGIT_FORMULA_RE.finditer(masked)]
    for m in _REP_RE.finditer(masked):
        candidates.append((m.start(), _rep_end(masked, m.start(), m.end(), lexicon.final_heads), "rep"))
    candidates += [(m.start(), m.end(), "head") for m in head_re.finditer(masked)]
    candidates += [(m.start(), m.end(), "nbu") for m in _NBU_RE.finditer(masked)]
    # Known formulas are found as written, quoted or not (四项基本原则, 两个一百年 fit no general shape).
    candidates += [(m.start(), m.end(), "known") for m in _known_re(known).finditer(masked)]

    # Longest span wins; among equal spans a quoted one; then drop spans overlapping a kept one.
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[2] != "quoted", c[0]))
    kept: list[tuple[int, int, bool]] = []
    taken = bytearray(len(text) + 1)
    for start, end, kind in candidates:
        if any(taken[start:end]):
            continue
        core = _SEPARATORS_RE.sub("", masked[start:end])
        if kind not in ("quoted", "known") and not _shape_ok(core, kind, unit_re, lexicon.places):
            continue
        taken[start:end] = b"\x01" * (end - start)
        kept.append((start, end, kind == "quoted"))
    kept.sort()
    kept = _merge_known_pairs(text, kept, known)

    rows = []
    for start, end, quoted in kept:
        surface = text[start:end]
        normalized = normalize_formula(surface)
        # A formula counts as quoted when one of its quotes was lost (六个精准” in 001).
        is_quoted = quoted or text[start - 1:start] in _OPEN_QUOTES or text[end:end + 1] in _CLOSE_QUOTES
        numerals = formula_numerals(normalized)
        rows.append((start, end, surface, normalized, numerals, normalized in known, is_quoted))
    return rows

