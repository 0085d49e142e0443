"""Every segmenter gives jieba 0.42.1's own tokens (``jieba.Tokenizer.lcut`` with the same user dictionary).

Tested the strong way, for each backend (``jieba``: jieba's algorithm walked by offsets; ``rjieba``: rjieba with the
three rules of :class:`fupin_research.segment.RjiebaSegmenter`):

- every shipped text, clean and raw (:func:`compare_segmenters`);
- random text mixing blocks, whitespace, symbols, rare Han characters, user words, digits with dots and hyphens,
  URLs and dates (hypothesis);
- every string of up to 5 characters over a small alphabet holding an equal-frequency ABA pair (上垒/垒上), ASCII
  letters, digits, symbols, a space and a supplementary-plane Han character;
- every ABA string of the dictionary's 495 equal-frequency pairs (where jieba_fast's C route broke ties otherwise).

Each rule of RjiebaSegmenter was broken on purpose and the tests below failed: without rule 1 (re-split ASCII runs)
76 shipped texts and 1,596 alphabet strings differ; without rule 2 (rare Han, block by block) 16,479 alphabet
strings; without rule 3 (the total) 60 alphabet strings, and with the total short by the dictionary's duplicate
line only, the constructed tie of ``test_rule_3_...``.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from functools import cache
from pathlib import Path

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fupin_research as fr
from fupin_research.errors import InputError
from fupin_research.paths import data_dir, reports_corpus_dir, seed_corpus_dir
from fupin_research.segment import (
    JIEBA_DICT_TOTAL,
    RJIEBA_DICT_TOTAL,
    RJIEBA_VERSION,
    RjiebaSegmenter,
    compare_segmenters,
    get_tokenizer,
    is_word,
    token_spans,
    tokenize,
    userdict_entries,
    userdict_file,
)

rjieba = pytest.importorskip("rjieba")  # a third-party wheel: absent on platforms it is not built for
BACKENDS = ("jieba", "rjieba")


@cache
def shipped_texts() -> dict[str, str]:
    """Every text the package ships, clean (as the build segments it) and raw (as read from the file)."""
    from fupin_research.readers import read_bytes

    texts: dict[str, str] = {}
    for corpus in (fr.load_corpus(), fr.load_corpus("reports")):
        texts.update(zip(corpus.doc_id, corpus.text))
    for path in sorted(seed_corpus_dir().glob("*.txt")) + sorted(reports_corpus_dir().glob("*.txt")):
        texts[f"raw {path.stem}"] = path.read_text(encoding="utf-8", errors="replace")
    for path in sorted((data_dir() / "examples").rglob("*")):
        if path.suffix in {".txt", ".html", ".htm", ".pdf", ".docx"}:
            try:
                texts[f"example {path.name}"] = read_bytes(path.read_bytes(), path.name).text
            except InputError:
                pass  # the deliberately broken and scanned files
    return texts


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_shipped_text_clean_and_raw(backend):
    texts = shipped_texts()
    assert len(texts) >= 154
    differences = compare_segmenters(texts, backend)
    assert differences.empty, differences.to_string()


def test_the_rjieba_pin_and_the_dictionary_totals():
    """The rules were worked out against rjieba 0.2.2 and jieba 0.42.1's dictionary; both totals recomputed."""
    from importlib.metadata import version

    assert version("rjieba") == RJIEBA_VERSION
    total, last = 0, {}
    for line in Path(jieba.__file__).with_name("dict.txt").read_text(encoding="utf-8").splitlines():
        word, freq = line.split(" ")[:2]
        total += int(freq)
        last[word] = int(freq)
    assert total == JIEBA_DICT_TOTAL == get_tokenizer().total - sum(
        freq for _word, freq, _tag in userdict_entries(userdict_file()))
    assert sum(last.values()) == RJIEBA_DICT_TOTAL


PIECES = [
    "扶贫", "开发", "精准", "脱贫攻坚", "两不愁三保障", "建档立卡", "第一书记", "十三五", "1+8+10", "的", "了", "是",
    "上垒", "垒上", "上", "垒", "宝鶏", "保証", "擧", "㐀", "𠀀", "豈", "鿖", "〇", "１", "é",
    "a", "Z", "0", "9", "x.5", "1.5", "12.5%", "-3.2", "v1.2.3", "C++", "A股", "T恤", "iphone12x", "--", "..", "a-b-c",
    "2020-12-31", "2016年11月23日", "https://www.gov.cn/zhengce/2016-11/23/content_5136.htm", "zh.wikisource.org",
    "#", "&", "_", "%", "+", ".", "-", " ", "\t", "\n", "\r\n", "\u3000", "\xa0", "，", "。", "、", "（", "）", "《",
]
ALPHABET = "".join(sorted(set("".join(PIECES))))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(alphabet=ALPHABET, max_size=4)), max_size=16).map("".join))
def test_random_text_gives_jiebas_tokens(text):
    expected = get_tokenizer().lcut(text)
    for backend in BACKENDS:
        starts, ends = token_spans(text, get_tokenizer(backend=backend))
        assert [text[start:end] for start, end in zip(starts, ends)] == expected, backend
        # the token table keeps the words (or, with keep_punctuation, all but whitespace), with their offsets
        frame = tokenize(text, backend=backend)
        assert frame.token.tolist() == [word for word in expected if is_word(word)], backend
        assert [text[start:end] for start, end in zip(frame.start, frame.end)] == frame.token.tolist()
        kept = tokenize(text, backend=backend, keep_punctuation=True).token.tolist()
        assert kept == [word for word in expected if not word.isspace()], backend


# 上垒 and 垒上 are equally frequent words: 上垒上 is where a route's tie-break shows
SMALL_ALPHABET = "上垒a1.-% 𠀀"


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_short_string_of_a_small_alphabet(backend):
    reference, tokenizer = get_tokenizer(), get_tokenizer(backend=backend)
    differing = []
    for length in range(1, 6):
        for letters in itertools.product(SMALL_ALPHABET, repeat=length):
            text = "".join(letters)
            got = [text[start:end] for start, end in zip(*token_spans(text, tokenizer))]
            if got != reference.lcut(text):
                differing.append(text)
    assert not differing, (len(differing), differing[:10])


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_equal_frequency_aba_string_of_the_dictionary(backend):
    reference = get_tokenizer()
    freq = reference.FREQ
    pairs = [w for w, f in freq.items()
             if len(w) == 2 and f and w[0] != w[1] and freq.get(w[::-1]) == f and w < w[::-1]]
    assert len(pairs) == 495
    tokenizer = get_tokenizer(backend=backend)
    for word in pairs:
        text = word + word[0]
        assert [text[s:e] for s, e in zip(*token_spans(text, tokenizer))] == reference.lcut(text), text
    assert reference.lcut("上垒上") == ["上垒", "上"]


def test_rule_1_ascii_runs_are_split_as_jiebas_hmm_splits():
    tokenizer = get_tokenizer(backend="rjieba")
    assert tokenizer.segmenter.cut("访问zh.wikisource.org", True)[-1] == "zh.wikisource.org"  # rjieba alone
    assert tokenizer.lcut("访问zh.wikisource.org") == ["访问", "zh", ".", "wikisource", ".", "org"]
    assert tokenizer.lcut("版本v1.2.3发布") == ["版本", "v1.2", ".", "3", "发布"]
    assert tokenizer.lcut("C++语言") == ["C++", "语言"]  # a dictionary word stays whole


def test_rule_2_rare_han_ends_a_block_as_in_jieba():
    tokenizer = get_tokenizer(backend="rjieba")
    text = "第1.𠀀条"
    assert tokenizer.segmenter.cut(text, True) == ["第", "1", ".𠀀", "条"]  # rjieba alone takes 𠀀 into its block
    assert tokenizer.lcut(text) == get_tokenizer().lcut(text) == ["第", "1", ".", "𠀀", "条"]


def test_rule_3_the_total_counts_what_jieba_counts_twice(tmp_path):
    """A user dictionary built so that 甲丁 (one word) and 甲|丁 (two words) score within a hair of each other:
    the total decides, and must be jieba's to the unit, the dictionary's duplicate line included."""
    userdict = tmp_path / "tie.txt"
    userdict.write_text("甲 60101969\n丁 2\n甲丁 1\n", encoding="utf-8")
    reference = get_tokenizer(userdict)
    assert reference.lcut("甲丁") == ["甲丁"]
    assert get_tokenizer(userdict, backend="rjieba").lcut("甲丁") == ["甲丁"]

    class ShortByTheDuplicateLine(RjiebaSegmenter):
        def total_gap(self, frequencies):
            return super().total_gap(frequencies) - (JIEBA_DICT_TOTAL - RJIEBA_DICT_TOTAL)

    assert ShortByTheDuplicateLine(userdict).lcut("甲丁") == ["甲", "丁"]


def test_user_words_without_a_frequency_get_jiebas_suggestion(tmp_path):
    userdict = tmp_path / "mine.txt"
    userdict.write_text("沂水模式\n扶贫车间 5\n建档立卡 n\n", encoding="utf-8")
    texts = {"a": "推广沂水模式，建设扶贫车间，建档立卡贫困户", "b": "沂水模式扶贫车间建档立卡"}
    reference, candidate = get_tokenizer(userdict), get_tokenizer(userdict, backend="rjieba")
    for text in texts.values():
        assert candidate.lcut(text) == reference.lcut(text)
    assert "沂水模式" in candidate.lcut(texts["a"])


def test_a_frequency_of_zero_is_refused_by_rjieba(tmp_path):
    userdict = tmp_path / "zero.txt"
    userdict.write_text("扶贫 0\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"zero\.txt: a frequency of 0"):
        RjiebaSegmenter(userdict)


def test_jieba_fast_is_gone_with_a_reason():
    from fupin_research.segment import resolve_segmenter

    with pytest.raises(ValueError, match="上垒上"):
        resolve_segmenter("jieba_fast")
    assert resolve_segmenter("auto") == "rjieba"


_WITHOUT_RJIEBA = """
import sys
sys.modules["rjieba"] = None  # as on a platform without an rjieba wheel
from fupin_research.cli import main
sys.exit(main(["build", sys.argv[1], "--out", sys.argv[2]]))
"""


def test_without_rjieba_the_build_says_so_in_one_line_and_uses_jieba(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("实现两不愁三保障。\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", _WITHOUT_RJIEBA, str(corpus), str(tmp_path / "out")],
                            capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("fupin: rjieba")]
    assert lines == ["fupin: rjieba is not installed for this platform; segmenting with jieba (the same tokens, "
                     "about 4 times slower)"]
    assert '"jieba"' in (tmp_path / "out" / "provenance.json").read_text(encoding="utf-8")


def test_the_patterns_are_jiebas_own():
    """segment.py repeats jieba's block, whitespace, user-dictionary and HMM patterns (to spare a build importing
    jieba): they must be jieba 0.42.1's, flags included."""
    from jieba import finalseg

    from fupin_research import segment

    pairs = [(segment._BLOCK, jieba.re_han_default), (segment._SPACE, jieba.re_skip_default),
             (segment._USERDICT_LINE, jieba.re_userdict), (segment._HMM_HAN, finalseg.re_han),
             (segment._HMM_SKIP, finalseg.re_skip)]
    for ours, theirs in pairs:
        assert (ours.pattern, ours.flags) == (theirs.pattern, theirs.flags)


def test_a_build_worker_with_rjieba_loads_neither_jieba_nor_matplotlib():
    """Start-up: what a worker loads before its first document (imports, dictionary, codebook) leaves out jieba
    (its import pulls in pkg_resources) and matplotlib; measured in seconds by ``fupin bench`` (startup_s)."""
    code = ("import sys; from fupin_research.build import BuildSettings, _warm_up; "
            "_warm_up(BuildSettings('rjieba')); print(sorted({'jieba', 'matplotlib', 'sklearn'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
