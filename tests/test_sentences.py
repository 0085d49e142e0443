"""Tests of fupin_research.split.split_sentences on the seed corpus and small strings."""

from __future__ import annotations

from functools import cache

import pytest

from fupin_research.normalize import normalize
from fupin_research.paths import seed_corpus_dir
from fupin_research.split import SENTENCE_COLUMNS, split_sentences

SEEDS = sorted(seed_corpus_dir().glob("*.txt"))
IDS = [path.stem[:3] for path in SEEDS]


@cache
def text_of(path, form):
    raw = path.read_text(encoding="utf-8")
    return raw if form == "raw" else normalize(raw)


@pytest.mark.parametrize("form", ["raw", "clean"])
@pytest.mark.parametrize("seed", SEEDS, ids=IDS)
def test_offsets_and_text_invariant(seed, form):
    text = text_of(seed, form)
    frame = split_sentences(text)
    assert list(frame.columns) == SENTENCE_COLUMNS
    assert frame.sentence_id.tolist() == list(range(len(frame)))
    previous_end = 0
    for row in frame.itertuples():
        assert text[row.start : row.end] == row.text
        assert row.text == row.text.strip() and row.text
        assert "\n" not in row.text
        assert row.start >= previous_end  # in order, no overlap
        # what lies between two sentences is only whitespace
        assert text[previous_end : row.start].strip() == ""
        previous_end = row.end
    assert text[previous_end:].strip() == ""
    assert len(frame) >= text.count("。")  # every 。 ends a sentence


def test_seed_sentences_end_at_terminators():
    text = text_of(SEEDS[3], "clean")
    frame = split_sentences(text, "003")
    assert frame.columns[0] == "doc_id" and (frame.doc_id == "003").all()
    ends = frame.text.str[-1]
    assert (ends == "。").sum() >= 75
    # a decimal point is not a full stop: 11.6万 stays in one sentence
    assert frame.text.str.contains("11.6万").any()
    assert not frame.text.str.endswith("11.").any()


@pytest.mark.parametrize(
    "text,sentences",
    [
        ("脱贫攻坚。精准扶贫！\n建档立卡", ["脱贫攻坚。", "精准扶贫！", "建档立卡"]),
        ("他说：“要精准扶贫。”然后离开。", ["他说：“要精准扶贫。”", "然后离开。"]),
        ("真的吗？！是的！", ["真的吗？！", "是的！"]),
        ("第一；第二；", ["第一；", "第二；"]),
        ("（要求全覆盖。）下一句。", ["（要求全覆盖。）", "下一句。"]),
        ("a「引语。」b", ["a「引语。」", "b"]),
        ("标题\n\n  正文。  ", ["标题", "正文。"]),
        ("Poverty fell to 3.1%! Really?", ["Poverty fell to 3.1%!", "Really?"]),
        ("退出11.6万人。", ["退出11.6万人。"]),
        ("说‘好。’再说", ["说‘好。’", "再说"]),
        ("", []),
        ("\n \n", []),
    ],
)
def test_terminators_and_closing_quotes(text, sentences):
    frame = split_sentences(text)
    assert frame.text.tolist() == sentences
    for row in frame.itertuples():
        assert text[row.start : row.end] == row.text


def test_ascii_semicolon_like_full_width():
    ascii_frame = split_sentences("带动贫困群众1.72万人;生态保护是重要任务。")
    full_frame = split_sentences("带动贫困群众1.72万人；生态保护是重要任务。")
    assert len(full_frame) == 2
    assert len(ascii_frame) == len(full_frame)


# ---------------------------------------------------------------------------------------- frame_from_rows

ROW_DTYPES = {"n": "int64", "ok": "bool", "kept": "object", "lists": "object"}


@pytest.mark.parametrize("label", [["a", "b"], ["a", None]], ids=["fast path", "rows path"])
def test_frame_from_rows_gives_what_rows_plus_astype_give(label):
    """Typed columns as astype gives them; object columns keep None and lists (pandas' rows path makes NaN)."""
    import pandas as pd

    from fupin_research.split import frame_from_rows

    rows = [(1, label[0], True, None, [4, 2]), (2, label[1], False, "x", [1, 8])]
    names = ["n", "label", "ok", "kept", "lists"]
    frame = frame_from_rows(rows, names, ROW_DTYPES)
    expected = pd.DataFrame(rows, columns=names).astype({"n": "int64", "ok": "bool"})
    kept = ["kept", "lists"]
    pd.testing.assert_frame_equal(frame.drop(columns=kept), expected.drop(columns=kept))  # dtypes included
    assert frame[kept].dtypes.tolist() == [object, object]
    assert frame.kept.tolist() == [None, "x"] and frame.lists.tolist() == [[4, 2], [1, 8]]
    empty = frame_from_rows([], names, ROW_DTYPES)
    assert empty.columns.tolist() == names and empty.dtypes.tolist() == [frame.n.dtype, object, bool, object, object]
    # values other than bools go through pandas' own conversion (numpy would read None as false, pandas NaN as true)
    odd = [(1, "a", None, None, []), (2, "b", 1, None, [])]
    assert frame_from_rows(odd, names, ROW_DTYPES).ok.tolist() == pd.DataFrame(odd).astype({2: "bool"})[2].tolist()
