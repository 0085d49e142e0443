"""Normalize raw policy texts, keeping a map from every clean character back to the raw text.

The steps, in order (each a small function on ``(text, offsets)``, so they compose and stay testable):

1. :func:`unify_line_endings` — ``\\r\\n``, ``\\r``, U+2028/U+2029 become ``\\n``.
2. :func:`remove_zero_width` — U+200B/U+200C/U+200D/U+2060/U+FEFF/U+00AD go; a line that held only such
   characters goes too (the government work reports write ``550\\n\\u200b\\n多万公里``).
3. :func:`fold_width` — full-width ASCII letters, digits and ``％`` become ASCII; U+3000, U+00A0 and other odd
   spaces become ``" "``; Chinese punctuation is kept.
4. :func:`convert_blocks` — traditional text becomes simplified with the OpenCC config matching its
   variant (``t2s``, ``tw2s`` or ``hk2s``, see :func:`detect_script`), decided block by block over the whole
   text (:func:`script_blocks`); simplified text is left alone.
5. :func:`strip_chrome` — whole lines listed in ``data/page_chrome.txt`` (``返回首页``, ``分享到:``, copyright
   notices, ...) are removed.
6. :func:`join_broken_lines` — a single line break inside a sentence or word is removed
   (``新建\\n高速铁路\\n投产`` → ``新建高速铁路投产``); blank lines, headings and metadata lines stay.

``offsets[i]`` is the raw index of clean character ``i``; ``offsets[len(text)]`` is the raw length.
"""

from __future__ import annotations

import operator
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import opencc

from fupin_research.paths import data_dir, file_state

try:  # Python 3.11+: the regex parser, to inspect chrome entries (and possessive repeats, *+)
    from re import _constants as _c
    from re import _parser
except ImportError:  # pragma: no cover - Python 3.10: chrome lines are matched the plain way
    _c = _parser = None  # type: ignore[assignment]

Offsets = list[int]

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_ODD_SPACES = "\u3000\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"
_WIDTH_TABLE = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}  # digits
_WIDTH_TABLE.update({code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)})  # A-Z
_WIDTH_TABLE.update({code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)})  # a-z
_WIDTH_TABLE[0xFF05] = ord("%")
_WIDTH_TABLE.update({ord(space): ord(" ") for space in _ODD_SPACES})
# Runs of the characters _WIDTH_TABLE changes: str.translate looks every character up in the table, so
# translating only these runs is much faster on Chinese text, where they are rare.
_WIDTH_RUN = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_WIDTH_TABLE)) + "]+")

# Script variants: (name, OpenCC config to simplified, OpenCC config back to that variant).
VARIANTS: tuple[tuple[str, str, str], ...] = (
    ("standard", "t2s", "s2t"),
    ("taiwan", "tw2s", "s2tw"),
    ("hong_kong", "hk2s", "s2hk"),
)
_DETECTION_SAMPLE = 30_000


@dataclass(frozen=True)
class Script:
    """The writing system of a text.

    ``script`` is ``simplified``, ``traditional``, ``mixed`` (simplified with some traditional characters,
    converted with ``t2s``) or ``undetermined`` (no character tells);
    ``variant`` is ``mainland`` for simplified text, and ``standard``/``taiwan``/``hong_kong`` for traditional
    text (``standard`` = OpenCC's traditional forms, no Taiwan- or Hong Kong-specific forms seen);
    ``opencc_config`` is the config that converts the text to simplified (None: nothing to convert).
    """

    script: str
    variant: str
    opencc_config: str | None

    @property
    def label(self) -> str:
        """A short label such as ``traditional (taiwan)``."""
        return self.script if self.script != "traditional" else f"traditional ({self.variant})"


@dataclass(frozen=True)
class NormalizedText:
    """A normalized text with its map back to the raw input and what normalization did."""

    text: str
    offsets: Sequence[int]
    script: Script
    chrome: tuple[tuple[int, int, str], ...] = field(default=())
    """Raw ``(start, end, line)`` of every page-chrome line removed."""

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a clean span ``[start, end)`` back to the raw text.

        Example:
            >>> norm = normalize_with_offsets("返回首页\\n精准\\n扶贫")
            >>> norm.text, norm.raw_span(0, 4)
            ('精准扶贫', (5, 10))
        """
        if start >= end:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1

    def segments(self) -> list[tuple[int, int, int]]:
        """Compress the offset map into ``(clean_start, raw_start, length)`` runs of aligned characters."""
        starts, raw_starts, lengths = self.segment_arrays()
        return list(zip(starts.tolist(), raw_starts.tolist(), lengths.tolist()))

    def segment_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`segments` as three int64 arrays: clean starts, raw starts, lengths.

        Example:
            >>> [a.tolist() for a in normalize_with_offsets("脫貧\u200b攻堅").segment_arrays()]
            [[0, 2], [0, 3], [2, 2]]
        """
        n = len(self.text)
        if n == 0:
            return tuple(np.zeros(0, dtype=np.int64) for _ in range(3))  # type: ignore[return-value]
        # A run breaks where an offset is not its predecessor's plus one (vectorized: no loop per character).
        offsets = np.asarray(self.offsets[:n], dtype=np.int64)
        starts = np.concatenate(([0], np.flatnonzero(np.diff(offsets) != 1) + 1))
        lengths = np.diff(np.append(starts, n))
        return starts, offsets[starts], lengths


# --------------------------------------------------------------------------------------------------------------
# The machinery: rewrite matches of a pattern while carrying the offsets along.


def _rewrite(
    text: str, offsets: Offsets, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]
) -> tuple[str, Offsets]:
    """Replace each match with ``replace(match)``; replacement characters map to the match's raw start
    (or one to one where the replacement has the match's length)."""
    pieces: list[str] = []
    new_offsets: Offsets = []
    last = 0
    for match in pattern.finditer(text):
        start, end = match.span()
        replacement = replace(match)
        pieces.append(text[last:start])
        new_offsets.extend(offsets[last:start])
        pieces.append(replacement)
        if len(replacement) == end - start:
            new_offsets.extend(offsets[start:end])
        else:
            new_offsets.extend([offsets[start]] * len(replacement))
        last = end
    if last == 0 and not pieces:
        return text, offsets
    pieces.append(text[last:])
    new_offsets.extend(offsets[last:])
    return "".join(pieces), new_offsets


_LINE_ENDINGS = re.compile(r"\r\n?|[\u2028\u2029]")
_ZERO_WIDTH_LINE = re.compile(rf"\n[ \t{_ODD_SPACES}]*[{_ZERO_WIDTH}]+[ \t{_ODD_SPACES}]*(?=\n)")
_ZERO_WIDTH_CHARS = re.compile(f"[{_ZERO_WIDTH}]+")


def unify_line_endings(text: str, offsets: Offsets) -> tuple[str, Offsets]:
    """Turn ``\\r\\n``, ``\\r`` and Unicode line/paragraph separators into ``\\n``."""
    if "\r" not in text and "\u2028" not in text and "\u2029" not in text:
        return text, offsets  # the common case: substring tests are much faster than a regex scan
    return _rewrite(text, offsets, _LINE_ENDINGS, lambda m: "\n")


def remove_zero_width(text: str, offsets: Offsets) -> tuple[str, Offsets]:
    """Remove zero-width characters, and lines that held nothing else."""
    if not any(char in text for char in _ZERO_WIDTH):
        return text, offsets  # the common case: substring tests are much faster than regex scans
    text, offsets = _rewrite(text, offsets, _ZERO_WIDTH_LINE, lambda m: "")
    return _rewrite(text, offsets, _ZERO_WIDTH_CHARS, lambda m: "")


def fold_width(text: str, offsets: Offsets) -> tuple[str, Offsets]:
    """Fold full-width ASCII letters, digits and ``％`` to ASCII and odd spaces to ``" "`` (length kept)."""
    return _WIDTH_RUN.sub(lambda match: match.group().translate(_WIDTH_TABLE), text), offsets


# --------------------------------------------------------------------------------------------------------------
# Script detection and conversion.


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def _differences(a: str, b: str) -> int:
    return sum(map(operator.ne, a, b)) + abs(len(a) - len(b))


@cache
def _script_markers() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Character classes of the CJK characters that only traditional (resp. only simplified) text uses.

    A character is traditional-only when OpenCC's ``t2s`` changes it, simplified-only when ``s2t`` does.
    Counting them is one regex scan, much cheaper than converting the text.
    """
    chars = [chr(code) for code in range(0x4E00, 0xA000)]
    joined = "\n".join(chars)
    traditional = _converter("t2s").convert(joined).split("\n")
    simplified = _converter("s2t").convert(joined).split("\n")
    trad_only = "".join(c for c, t in zip(chars, traditional) if t != c)
    simp_only = "".join(c for c, t in zip(chars, simplified) if t != c)
    return re.compile(f"[{trad_only}]"), re.compile(f"[{simp_only}]")


def detect_script(text: str) -> Script:
    """Detect whether ``text`` is simplified or traditional Chinese, and which traditional variant.

    Traditional text has more traditional-only characters (those OpenCC's ``t2s`` changes) than
    simplified-only ones (those ``s2t`` changes); simplified text with a few of them is ``mixed``.
    The variant is the one whose round trip (e.g. ``tw2s`` then
    ``s2tw``) reproduces the text best; ties go to ``standard``.

    Example:
        >>> detect_script("扶贫开发").label
        'simplified'
        >>> detect_script("他們正在發展著名的產業，這裡著重發展").label
        'traditional (taiwan)'
    """
    sample = text[:_DETECTION_SAMPLE]
    traditional_marks, simplified_marks = _script_markers()
    n_traditional = len(traditional_marks.findall(sample))
    if n_traditional == 0:
        # without traditional marks only the presence of simplified ones matters: no need to count them
        if simplified_marks.search(sample) is None:
            return Script("undetermined", "none", None)
        return Script("simplified", "mainland", None)
    n_simplified = len(simplified_marks.findall(sample))
    if n_traditional <= n_simplified:
        # simplified text with traditional characters mixed in (old transcriptions such as the 1957 report):
        # t2s unifies them and leaves the simplified characters alone
        return Script("mixed", "mainland", "t2s")
    best = None
    for name, forward, back in VARIANTS:
        mismatch = _differences(_converter(back).convert(_converter(forward).convert(sample)), sample)
        if best is None or mismatch < best[0]:
            best = (mismatch, name, forward)
    assert best is not None
    return Script("traditional", best[1], best[2])


SCRIPT_BLOCK_CHARS = 5_000


def script_blocks(text: str, *, size: int = SCRIPT_BLOCK_CHARS) -> list[tuple[int, int, Script]]:
    """Cut ``text`` at line breaks into blocks of about ``size`` characters and detect each block's script.

    A compilation can hold a simplified report and a traditional one after it: deciding once, from the start,
    would leave the second unconverted. Adjacent blocks of the same script are merged. A text without a single
    traditional-only character is one simplified (or undetermined) block, found with one scan.

    Example:
        >>> simplified, traditional = "扶贫开发工作。\\n" * 800, "脫貧攻堅，這裡發展產業。\\n" * 500
        >>> [(start, script.label) for start, _, script in script_blocks(simplified + traditional)]
        [(0, 'simplified'), (5008, 'traditional (taiwan)')]
        >>> "貧" in normalize(simplified + traditional)
        False
    """
    traditional_marks, _ = _script_markers()
    if traditional_marks.search(text) is None:
        return [(0, len(text), detect_script(text))]
    blocks: list[tuple[int, int, Script]] = []
    start = 0
    while start < len(text):
        end = text.find("\n", start + size)
        end = len(text) if end < 0 else end + 1
        script = detect_script(text[start:end])
        if blocks and blocks[-1][2] == script:
            blocks[-1] = (blocks[-1][0], end, script)
        else:
            blocks.append((start, end, script))
        start = end
    return blocks or [(0, 0, detect_script(text))]


def _summary_script(blocks: list[tuple[int, int, Script]]) -> Script:
    """The script of a whole text from its blocks: the one script if all agree, else ``mixed``."""
    scripts = {script for _, _, script in blocks}
    if len(scripts) == 1:
        return blocks[0][2]
    converted = [(end - start, script) for start, end, script in blocks if script.opencc_config]
    if not converted:
        return Script("simplified", "mainland", None)
    main = max(converted, key=lambda item: item[0])[1]
    if {script.script for script in scripts} == {"traditional"}:  # traditional throughout, variants differ
        return main
    return Script("mixed", main.variant, main.opencc_config)


def convert_blocks(text: str, offsets: Offsets, blocks: list[tuple[int, int, Script]]) -> tuple[str, Offsets]:
    """Convert each block of :func:`script_blocks` with its own OpenCC config (simplified blocks stay as they are)."""
    if all(script.opencc_config is None for _, _, script in blocks):
        return text, offsets
    if len(blocks) == 1:
        return convert_script(text, offsets, blocks[0][2])
    pieces: list[str] = []
    new_offsets: Offsets = []
    for start, end, script in blocks:
        piece, piece_offsets = convert_script(text[start:end], list(offsets[start : end + 1]), script)
        pieces.append(piece)
        new_offsets.extend(piece_offsets[:-1])
    new_offsets.append(offsets[len(text)])
    return "".join(pieces), new_offsets


def convert_script(text: str, offsets: Offsets, script: Script) -> tuple[str, Offsets]:
    """Convert traditional text to simplified with the config ``script`` names (a no-op for simplified)."""
    if script.opencc_config is None:
        return text, offsets
    converter = _converter(script.opencc_config)
    converted = converter.convert(text)
    if len(converted) == len(text):
        return converted, offsets
    # A phrase changed length somewhere: convert line by line and map each line's characters by position.
    pieces: list[str] = []
    new_offsets: Offsets = []
    position = 0
    for line in text.splitlines(keepends=True):
        out = converter.convert(line)
        line_offsets = offsets[position : position + len(line)]
        pieces.append(out)
        new_offsets.extend(line_offsets[min(i, len(line) - 1)] for i in range(len(out)))
        position += len(line)
    new_offsets.append(offsets[-1])
    return "".join(pieces), new_offsets


# --------------------------------------------------------------------------------------------------------------
# Page chrome and broken lines.


@cache
def _chrome_pattern_cached(state: tuple[str, int, int]) -> re.Pattern[str] | None:
    path = state[0]
    alternatives = []
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        alternatives.append(entry[3:] if entry.startswith("re:") else re.escape(entry))
    if not alternatives:
        return None
    body = "|".join(f"(?:{alt})" for alt in alternatives)
    # When no entry can match from inside a line's leading blanks, they are taken once and for all (``*+``):
    # a long run of blanks (a line of 2876 no-break spaces) would otherwise retry every entry after each prefix.
    blanks = "[ \t]*+" if all(map(_skips_leading_blanks, alternatives)) else "[ \t]*"
    return re.compile(rf"^{blanks}(?:{body})[ \t]*(?:\n|\Z)", re.MULTILINE)


_BLANKS = (ord(" "), ord("\t"))
# Regex parts that only consume characters: no look-around, anchor or back-reference sees what comes before.
_CONSUMING = (
    {_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN, _c.BRANCH, _c.SUBPATTERN, _c.MAX_REPEAT, _c.MIN_REPEAT} if _c else set()
)


def _blank_free_start(items: list) -> bool:
    """True when the parsed regex ``items`` must start by matching one character that is not a space or tab."""
    if not items:
        return False
    op, arg = items[0]
    if op is _c.LITERAL:
        return arg not in _BLANKS
    if op is _c.BRANCH:
        return all(_blank_free_start(list(alternative)) for alternative in arg[1])
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, sub = arg
        return not add_flags and not del_flags and _blank_free_start(list(sub))
    return False


def _only_consuming(items: list) -> bool:
    for op, arg in items:
        if op not in _CONSUMING:
            return False
        if op is _c.BRANCH and not all(_only_consuming(list(alternative)) for alternative in arg[1]):
            return False
        if op is _c.SUBPATTERN and not _only_consuming(list(arg[3])):
            return False
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and not _only_consuming(list(arg[2])):
            return False
    return True


def _skips_leading_blanks(alternative: str) -> bool:
    """True when a chrome entry cannot match at a line's leading blanks unless it also matches right after them.

    Then the blanks taken at the start of a line need not be given back: the match is the same. That holds for
    an entry whose first character is not a blank (every plain entry), and for ``.*`` followed by such a part
    that looks at nothing before it (``.*(?:盗版|仿冒).*``): what it matches after some blanks, it matches after
    all of them. False when unsure.
    """
    if _parser is None:
        return False
    try:
        items = list(_parser.parse(alternative).data)
    except re.error:
        return False
    if _blank_free_start(items):
        return True
    if items and items[0][0] in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        low, high, sub = items[0][1]
        rest = items[1:]
        return (low == 0 and high == _c.MAXREPEAT and list(sub) == [(_c.ANY, None)]
                and _blank_free_start(rest) and _only_consuming(rest))
    return False


def chrome_file() -> Path:
    """The shipped list of page-chrome lines (``data/page_chrome.txt``)."""
    return data_dir() / "page_chrome.txt"


def strip_chrome(
    text: str, offsets: Offsets, chrome: str | os.PathLike[str] | None = None
) -> tuple[str, Offsets, list[tuple[int, int, str]]]:
    """Remove whole lines listed in the page-chrome file; return the raw spans of what was removed."""
    pattern = _chrome_pattern_cached(file_state(str(chrome or chrome_file())))
    removed: list[tuple[int, int, str]] = []
    if pattern is None:
        return text, offsets, removed

    def record(match: re.Match[str]) -> str:
        start, end = match.span()
        removed.append((offsets[start], offsets[end - 1] + 1, match.group().strip()))
        return ""

    text, offsets = _rewrite(text, offsets, pattern, record)
    return text, offsets, removed


_BREAK_BEFORE = r"[\u4e00-\u9fff0-9A-Za-z“‘《（(—、，,·]"
_BREAK_AFTER = r"[\u4e00-\u9fff0-9”’》)）、，,。：:；;%]"
# Lines that start something new even without a blank line before them.
_NEW_LINE_STARTS = (
    r"(?:来源|作者|发布|日期|时间|编辑|责任编辑|记者|稿源|点击|浏览"
    r"|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]*[)）]|\d+[.、．]|第[一二三四五六七八九十百\d]+[章节条部分]"
    # a "label: value" line (联系人：, 电话:, 各市、县人民政府：) and a date line (2017年11月9日) stand alone
    r"|[^\n:：。，,]{1,12}[:：]|\d{4}年\d{1,2}月\d{1,2}日[ \t]*(?:\n|$))"
)
# The line break comes first (the character before it is tested by looking back over it) so the regex engine
# can jump from one line break to the next.
_BROKEN_LINE = re.compile(rf"\n(?<={_BREAK_BEFORE}\n)(?={_BREAK_AFTER})(?!{_NEW_LINE_STARTS})")
# A line that ends like a document title (…的通知, …意见) is whole.
_WHOLE_LINE_END = re.compile(r"(?:通知|意见|办法|决定|规定|方案|通报|公告|批复|纪要|报告|请示|函)[ \t]*\Z")


def join_broken_lines(text: str, offsets: Offsets) -> tuple[str, Offsets]:
    """Join a single line break that falls inside a sentence or a word.

    A break is joined when the line before ends without closing punctuation and the next line goes straight
    on (no indentation, no blank line, no heading, metadata such as ``来源:``, ``label:`` line or date line);
    a line that ends like a document title (…的通知) stays whole.

    Example:
        >>> join_broken_lines("新建\\n高速铁路\\n投产。\\n\\n二、", list(range(13)))[0]
        '新建高速铁路投产。\\n\\n二、'
    """
    def join(match: re.Match[str]) -> str:
        line = text[text.rfind("\n", 0, match.start()) + 1 : match.start()]
        following = text[match.end() : match.end() + 1]
        if following in "》”’)）、，,。；;：:" or re.search(r"[，,。；;]", line):
            return ""  # the sentence goes on: a title inside 《》 broken by a link, or a line with clauses
        if _WHOLE_LINE_END.search(line):
            return "\n"
        return ""

    return _rewrite(text, offsets, _BROKEN_LINE, join)


# --------------------------------------------------------------------------------------------------------------
# Public entry points.


def normalize_with_offsets(
    text: str, *, chrome: str | os.PathLike[str] | None = None, convert: bool = True
) -> NormalizedText:
    """Normalize ``text`` and keep the map back to it (see the module docstring for the steps).

    ``chrome`` names another page-chrome list; ``convert=False`` keeps traditional characters.

    Example:
        >>> norm = normalize_with_offsets("脫貧攻堅\\u200b取得\\n成效")
        >>> norm.text, norm.script.label, norm.raw_span(4, 6)
        ('脱贫攻坚取得成效', 'traditional (standard)', (5, 7))
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize expects a str, got {type(text).__name__}")
    offsets: Offsets = list(range(len(text) + 1))
    work, offsets = unify_line_endings(text, offsets)
    work, offsets = remove_zero_width(work, offsets)
    work, offsets = fold_width(work, offsets)
    blocks = script_blocks(work)  # per block: a traditional part after a long simplified one is converted too
    script = _summary_script(blocks)
    if convert:
        work, offsets = convert_blocks(work, offsets, blocks)
    work, offsets, removed = strip_chrome(work, offsets, chrome)
    work, offsets = join_broken_lines(work, offsets)
    return NormalizedText(work, offsets, script, tuple(removed))


def normalize(text: str, *, chrome: str | os.PathLike[str] | None = None, convert: bool = True) -> str:
    """Return the normalized form of ``text``: the clean text every table's offsets refer to.

    Example:
        >>> normalize("返回首頁\\n２０１７年，脫貧人口\\u3000１０\\u200b萬")
        '2017年，脱贫人口 10万'
    """
    return normalize_with_offsets(text, chrome=chrome, convert=convert).text


def check_renderings(text: str, configs: Sequence[str] = ("s2t", "s2tw", "s2hk")) -> list[dict[str, object]]:
    """Render simplified ``text`` in traditional variants and check that normalization undoes each.

    Returns one record per config: the detected script, the OpenCC config chosen, and whether
    ``normalize(rendering) == normalize(text)``.

    Example:
        >>> [row["detected"] for row in check_renderings("这里的贫困人口正在发展着", ("s2t", "s2tw"))]
        ['traditional (standard)', 'traditional (taiwan)']
    """
    reference = normalize(text)
    rows = []
    for config in configs:
        rendering = _converter(config).convert(text)
        result = normalize_with_offsets(rendering)
        rows.append({
            "rendering": config,
            "detected": result.script.label,
            "opencc_config": result.script.opencc_config,
            "identical_after_normalize": result.text == reference,
        })
    return rows
