"""Detect (never repair) the damage that text extraction did to a document.

Each finding is a row of the ``warnings`` table, with offsets into the text it was found in:

- ``lost_opening_quote``: a closing ``”`` with no ``“`` before it in the paragraph (001: ``按照六个精准”``);
- ``unclosed_quote``: a ``“`` never closed in its paragraph (its closing mark was lost);
- ``line_break_in_quote``: a line break inside a quotation (002: ``“牛\n\n鼻子”``);
- ``lost_list_ordinal``: a heading that starts with empty brackets, ``()做好基础工作`` for ``(一)``;
- ``lost_month``: a day number that swallowed its month, ``1022日`` for ``10月22日``;
- ``lost_date_separators``: a date whose 年/月/日 were all lost, ``2017112`` for ``2017年11月2日``;
- ``lost_range_separator``: the body holds no range separator at all while the header does (004: the header
  writes ``2017-11-09``, the body never a hyphen, dash or tilde). Ranges such as ``1-2名`` may then have become
  ``12名``; :mod:`fupin_research.quantity_kinds` marks such figures ``suspect``.

Range separators are the characters of :data:`RANGE_SEPARATORS`: hyphens, dashes, minus signs and tildes.
至 and 到 are not among them: they are words, and extraction drops punctuation, not Han characters. The header is
every line before the first line holding a full stop 。 (title, source, date lines of a web page); the body is
the rest. The warning's span is the header's first separator (the evidence); ``detail`` gives the body's start.
"""

from __future__ import annotations

import re

import pandas as pd

from fupin_research.split import frame_from_columns

WARNING_COLUMNS = ["doc_id", "kind", "start", "end", "surface", "detail"]

_EMPTY_ORDINAL = re.compile(r"(?m)^[ \t]*([(（][ \t]*[)）])(?=\S)")
# The day and date patterns are, in full, (?<![\d.月])(\d{3,4})日 and
# (?<![\d.])((?:19|20)\d{2})(\d{2,4})(?![\d.%])(?![万亿元人个名户]). A leading lookbehind makes the regex
# engine try every position of the text; starting with the digits lets it skip to candidates, and the
# lookbehind becomes a test of the preceding character (_follows). Every position inside a match the test
# rejects follows a digit, so no match of the full pattern can start there: same matches, in order.
_DAY_WITHOUT_MONTH = re.compile(r"(\d\d{2,3})日")
_DAY_NOT_AFTER = ".月"
_DATE_WITHOUT_SEPARATORS = re.compile(r"((?:19|20)\d{2})(\d{2,4})(?![\d.%])(?![万亿元人个名户])")
_DATE_NOT_AFTER = "."
_QUOTE_OR_BREAK = re.compile(r"[“”]|\n\s*")
# hyphen-minus, hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus sign, small
# and full-width hyphen-minus, tilde, wave dash, full-width tilde
RANGE_SEPARATORS = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d~\u301c\uff5e"
_FIRST_SENTENCE_LINE = re.compile(r"(?m)^[^\n]*。")
_RANGE_SEPARATOR = re.compile(f"[{re.escape(RANGE_SEPARATORS)}]")


def body_start(text: str) -> int:
    """Offset where the body begins: the start of the first line that holds a full stop ``。``.

    Everything before it is the header (title, source, date lines). A text without ``。`` is all header.

    Example:
        >>> text = "简报第1期\\n发布时间:2017-11-09\\n10月22日,会议召开。"
        >>> text[body_start(text):]
        '10月22日,会议召开。'
    """
    found = _FIRST_SENTENCE_LINE.search(text)
    return found.start() if found else len(text)


def lost_range_separator(text: str) -> tuple[int, int, str] | None:
    """The header's first range separator ``(start, end, detail)`` when the body holds none, else None.

    None when the header has no separator (nothing to compare with) or the body has one. The span points at the
    evidence (the separator the header kept); ``detail`` says where the body starts.

    Example:
        >>> lost_range_separator("发布时间:2017-11-09\\n每个乡镇配备23名扶贫专干。")
        (9, 10, 'the header writes - but the body (from offset 16) no hyphen, dash or tilde: 23名 may be 2-3名')
        >>> lost_range_separator("发布时间:2017-11-09\\n每个乡镇配备2-3名扶贫专干。") is None
        True
    """
    start = body_start(text)
    found = _RANGE_SEPARATOR.search(text, 0, start)  # one scan each, not a Python step per character
    if found is None or start == len(text) or _RANGE_SEPARATOR.search(text, start) is not None:
        return None
    first = found.start()
    return first, first + 1, (f"the header writes {text[first]} but the body (from offset {start}) no hyphen, dash "
                              "or tilde: 23名 may be 2-3名")


def _follows(text: str, start: int, forbidden: str) -> bool:
    """True if the character before ``start`` is a digit (as regex ``\\d``) or in ``forbidden``."""
    if start == 0:
        return False
    before = text[start - 1]
    return before.isdecimal() or before in forbidden


def _quote_findings(text: str) -> list[tuple[str, int, int, str]]:
    findings = []
    open_at: int | None = None
    for match in _QUOTE_OR_BREAK.finditer(text):
        char, index = match.group(), match.start()
        if char == "“":
            if open_at is not None:
                findings.append(("unclosed_quote", open_at, open_at + 1, "“ opened again before it was closed"))
            open_at = index
        elif char == "”":
            if open_at is None:
                findings.append(("lost_opening_quote", index, index + 1, "” closes a quotation that never opened"))
            open_at = None
        elif open_at is not None:
            # A paragraph ends inside a quotation: either the text was broken inside it (the next
            # paragraph closes it first) or the closing mark was lost.
            # (searched in place: slicing off the rest of the text here made long texts quadratic)
            after = match.end()
            close, reopen, next_break = text.find("”", after), text.find("“", after), text.find("\n", after)
            if close != -1 and (reopen == -1 or close < reopen) and (next_break == -1 or close < next_break):
                findings.append(("line_break_in_quote", index, match.end(), "a line break splits a quotation"))
            else:
                findings.append(("unclosed_quote", open_at, open_at + 1, "“ is never closed in its paragraph"))
                open_at = None
    if open_at is not None:
        findings.append(("unclosed_quote", open_at, open_at + 1, "“ is never closed in its paragraph"))
    return findings


def _split_month_day(digits: str) -> list[tuple[int, int]]:
    """Every way to read ``digits`` as month + day."""
    readings = []
    for cut in (1, 2):
        month, day = digits[:cut], digits[cut:]
        if len(day) in (1, 2) and not month.startswith("0") and 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
            readings.append((int(month), int(day)))
    return readings


def detect_damage(text: str, doc_id: str | None = None) -> pd.DataFrame:
    """Return a warnings table (``doc_id, kind, start, end, surface, detail``) for extraction damage.

    Example:
        >>> detect_damage("按照六个精准”“五个一批要求\\n()做好基础工作\\n1022日召开").kind.tolist()
        ['lost_opening_quote', 'unclosed_quote', 'lost_list_ordinal', 'lost_month']
    """
    return frame_from_columns(damage_columns(text, doc_id), DAMAGE_DTYPES)


DAMAGE_DTYPES = {"start": "int64", "end": "int64"}


def damage_columns(text: str, doc_id: str | None = None) -> dict[str, list]:
    """The columns of :func:`detect_damage` (``WARNING_COLUMNS``, dtypes ``DAMAGE_DTYPES``) as lists, sorted by
    start and kind.

    Example:
        >>> damage_columns("()做好基础工作", "d")["kind"]
        ['lost_list_ordinal']
    """
    rows = [(kind, start, end, detail) for kind, start, end, detail in _quote_findings(text)]
    for match in _EMPTY_ORDINAL.finditer(text):
        rows.append(("lost_list_ordinal", match.start(1), match.end(1), "list ordinal missing in the brackets"))
    for match in _DAY_WITHOUT_MONTH.finditer(text):
        if _follows(text, match.start(), _DAY_NOT_AFTER):
            continue
        digits = match.group(1)
        if int(digits) <= 31:
            continue
        readings = _split_month_day(digits)
        if readings:
            guesses = " or ".join(f"{m}月{d}日" for m, d in readings)
            rows.append(("lost_month", match.start(), match.end(), f"月 lost: probably {guesses}"))
    for match in _DATE_WITHOUT_SEPARATORS.finditer(text):
        if _follows(text, match.start(), _DATE_NOT_AFTER):
            continue
        readings = _split_month_day(match.group(2))
        if readings:
            year = match.group(1)
            guesses = " or ".join(f"{year}年{m}月{d}日" for m, d in readings)
            rows.append(("lost_date_separators", match.start(), match.end(), f"年/月/日 lost: probably {guesses}"))
    lost = lost_range_separator(text)
    if lost is not None:
        rows.append(("lost_range_separator", *lost))
    rows.sort(key=lambda row: (row[1], row[0]))
    kinds, starts, ends, details = ([row[i] for row in rows] for i in range(4))
    columns = {
        "doc_id": [doc_id or ""] * len(rows),
        "kind": kinds,
        "start": starts,
        "end": ends,
        "surface": [text[start:end] for start, end in zip(starts, ends)],
        "detail": details,
    }
    return columns


def damage_table(documents: pd.DataFrame) -> pd.DataFrame:
    """Run :func:`detect_damage` over a documents table (columns ``doc_id`` and ``text``).

    Example:
        >>> from fupin_research.corpus import load_corpus
        >>> int(damage_table(load_corpus()).groupby("kind").size()["lost_list_ordinal"])
        17
    """
    frames = [detect_damage(text, doc_id) for doc_id, text in zip(documents["doc_id"], documents["text"])]
    return pd.concat(frames, ignore_index=True)
