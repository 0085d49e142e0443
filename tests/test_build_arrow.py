"""A build's Arrow tables are made without DataFrames where possible: they must equal the DataFrames converted."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from fupin_research.build import _document_tables
from fupin_research.corpus import make_document, read_document, read_manifest
from fupin_research.extract.quantities import load_quantity_lexicon
from fupin_research.paths import data_dir, reports_corpus_dir, seed_corpus_dir
from fupin_research.split import frame_from_columns
from fupin_research.tables import arrow_from_columns, to_arrow


def assert_same_tables(doc) -> None:
    frames = _document_tables(doc, "jieba", arrow=False)
    tables = _document_tables(doc, "jieba", arrow=True)
    assert list(tables) == list(frames)
    for name, frame in frames.items():
        if name == "tokens":
            continue  # made from the tokenizer's lists in both routes
        expected = to_arrow(frame)
        assert tables[name].schema.equals(expected.schema, check_metadata=True), name
        assert tables[name].equals(expected), name


def test_seed_documents_with_their_manifest_rows():
    manifest = read_manifest(seed_corpus_dir())
    rows = {row["doc_id"]: row for row in manifest.to_dict("records")}
    for path in sorted(seed_corpus_dir().glob("*.txt")):
        doc = read_document(path)
        doc = make_document(path, doc.raw, doc.encoding, rows.get(path.stem, {}))
        assert_same_tables(doc)


def test_an_old_report_and_a_web_page():
    assert_same_tables(read_document(reports_corpus_dir() / "1957_政府工作报告.txt"))
    web = sorted((data_dir() / "examples" / "mixed_formats").glob("*.html"))
    assert web
    for path in web:
        assert_same_tables(read_document(path))


@pytest.mark.parametrize("text", [
    "返回首页\n打印本页\n关于扶贫的通知\n全省贫困人口7.1万人,其中2016年减少1.2万人。\n按照六个精准”“五个一批要求\n1022日召开",
    "无",
    "第一条 为了“两不愁三保障”,每个乡镇配备23名扶贫专干。发布时间:2017-11-09",
])
def test_small_texts(tmp_path, text):
    path = tmp_path / "x.txt"
    path.write_text(text, encoding="utf-8")
    doc = make_document(path, text, "utf-8", {"province": "山东", "year": "2017", "note": ""})
    assert_same_tables(doc)


@pytest.mark.parametrize(("columns", "dtypes"), [
    ({"doc_id": ["a", "a"], "start": [0, 5], "kind": ["x", "y"]}, {"start": "int64"}),
    ({"value": [Decimal("1.5"), 3], "range_high": [None, 4], "surface": ["1.5万", "3"]},
     {"value": "object", "range_high": "object"}),
    ({"numerals": [[3], [2, 3]], "known": [True, False], "quoted": [False, False]},
     {"numerals": "object", "known": "bool", "quoted": "bool"}),
    ({"kind": ["a", None], "start": [1, 2]}, {"start": "int64"}),  # a missing string: pandas decides
    ({"kind": ["a"], "known": [None]}, {"known": "bool"}),  # None in a bool column: pandas decides
    ({"start": ["1"], "text": ["x"]}, {}),  # a count column holding text: pandas decides
    ({"year_source": [None, "period"], "text": ["a", "b"]}, {"year_source": "object", "text": "string"}),
    ({"doc_id": [], "start": [], "numerals": [], "known": [], "detail": []},
     {"start": "int64", "numerals": "object", "known": "bool"}),
    ({"a": [], "b": [], "c": []}, {"a": "string", "b": "object", "c": "bool"}),
])
def test_arrow_from_columns_is_to_arrow_of_the_frame(columns, dtypes):
    expected = to_arrow(frame_from_columns(columns, dtypes))
    made = arrow_from_columns(columns, dtypes)
    assert made.schema.equals(expected.schema, check_metadata=True)
    assert made.equals(expected)


def _first_chars(items) -> set[str] | None:
    """The characters a match of parsed pattern ``items`` can start with (None: any character, or unknown)."""
    from re import _constants as c
    from re import _parser  # noqa: F401 - the parsed form walked below

    chars: set[str] = set()
    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # zero width: the next item starts the match
        if op is c.LITERAL:
            return chars | {chr(av)}
        if op is c.IN:
            if any(kind is not c.LITERAL and kind is not c.RANGE for kind, _ in av):
                return None
            for kind, value in av:
                if kind is c.LITERAL:
                    chars.add(chr(value))
                else:
                    chars.update(chr(x) for x in range(value[0], value[1] + 1))
            return chars
        if op is c.SUBPATTERN:
            inner = _first_chars(list(av[3]))
            if inner is None:
                return None
            chars |= inner
            if not _can_be_empty(list(av[3])):
                return chars
            continue
        if op is c.BRANCH:
            for branch in av[1]:
                inner = _first_chars(list(branch))
                if inner is None:
                    return None
                chars |= inner
            if not any(_can_be_empty(list(branch)) for branch in av[1]):
                return chars
            continue
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            inner = _first_chars(list(av[2]))
            if inner is None:
                return None
            chars |= inner
            if av[0] > 0 and not _can_be_empty(list(av[2])):
                return chars
            continue
        return None
    return None  # the pattern can match the empty string: any position


def _can_be_empty(items) -> bool:
    from re import _constants as c

    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue
        if op is c.SUBPATTERN:
            if not _can_be_empty(list(av[3])):
                return False
        elif op is c.BRANCH:
            if not any(_can_be_empty(list(branch)) for branch in av[1]):
                return False
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            if av[0] > 0 and not _can_be_empty(list(av[2])):
                return False
        else:
            return False
    return True


def test_chinese_numeral_scan_guard_names_every_first_character():
    """The lookahead that opens the Chinese-numeral pattern must admit every character a match can start with."""
    from re import _parser

    pattern = load_quantity_lexicon().chinese_re.pattern
    guard_end = pattern.index("])") + 2
    guard, body = pattern[:guard_end], pattern[guard_end:]
    assert guard.startswith("(?=[")
    first = _first_chars(list(_parser.parse(body)))
    assert first is not None and first
    allowed = re.compile(guard[3:-1])
    assert {ch for ch in first if not allowed.fullmatch(ch)} == set()


def test_first_chars_sees_optional_prefixes():
    from re import _parser

    assert _first_chars(list(_parser.parse("(?:(?P<s>[负負])?百分之|一半)"))) == set("负負百一")
    assert _first_chars(list(_parser.parse("a*b"))) == {"a", "b"}


def test_frames_are_unchanged_by_the_arrow_route():
    doc = read_document(seed_corpus_dir() / "002_fbd7bac49d8a79cb.txt")
    frames = _document_tables(doc, "jieba", arrow=False)
    assert isinstance(frames["sentences"], pd.DataFrame)
    assert frames["quantities"].columns[0] == "doc_id" and frames["formulas"].columns[0] == "doc_id"
    assert Path(doc.path).name == frames["documents"].loc[0, "file"]
