"""Tests of fupin_research.segment: the private jieba tokenizer, its user dictionary and the stopwords."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache

import pytest

from fupin_research.normalize import normalize
from fupin_research.paths import seed_corpus_dir
from fupin_research.segment import TOKEN_COLUMNS, get_tokenizer, load_stopwords, tokenize

SEEDS = sorted(seed_corpus_dir().glob("*.txt"))
DOMAIN_TERMS = [
    "建档立卡", "两不愁三保障", "五个一批", "易地扶贫搬迁", "扶贫车间", "第一书记", "两线合一", "十三五", "1+8+10",
]
SENTENCE = (
    "坚持建档立卡,实现两不愁三保障,落实五个一批,推进易地扶贫搬迁,建设扶贫车间,选派第一书记,"
    "推动两线合一,在十三五期间构建1+8+10政策体系的"
)


@cache
def clean(index: int) -> str:
    return normalize(SEEDS[index].read_text(encoding="utf-8"))


@pytest.mark.parametrize("term", DOMAIN_TERMS)
def test_domain_terms_come_out_whole(term):
    tokens = tokenize(SENTENCE).token.tolist()
    assert term in tokens


def test_domain_terms_in_the_seeds():
    text = "\n".join(clean(i) for i in range(len(SEEDS)))
    tokens = set(tokenize(text).token)
    for term in ["建档立卡", "两不愁三保障", "五个一批", "易地扶贫搬迁", "第一书记"]:
        assert term in text and term in tokens, term


@pytest.mark.parametrize("index", range(5), ids=[p.stem[:3] for p in SEEDS])
def test_offsets_valid(index):
    text = clean(index)
    frame = tokenize(text, SEEDS[index].stem)
    assert list(frame.columns) == ["doc_id", *TOKEN_COLUMNS]
    assert frame.token_id.tolist() == list(range(len(frame)))
    assert len(frame) > 500
    for row in frame.itertuples():
        assert text[row.start : row.end] == row.token
    assert (frame.start.diff().dropna() > 0).all()
    assert not frame.token.str.isspace().any()


def test_punctuation_dropped_unless_asked():
    assert tokenize("精准扶贫，建档立卡。").token.tolist() == ["精准扶贫", "建档立卡"]
    kept = tokenize("精准扶贫，建档立卡。", keep_punctuation=True)
    assert kept.token.tolist() == ["精准扶贫", "，", "建档立卡", "。"]
    assert kept.start.tolist() == [0, 4, 5, 9]


def test_stopwords_flagged():
    frame = tokenize(SENTENCE)
    flagged = dict(zip(frame.token, frame.is_stopword))
    assert flagged["的"] and flagged["在"]
    assert not flagged["建档立卡"] and not flagged["第一书记"]
    assert frame.is_stopword.dtype == bool
    assert {"的", "了", "和"} <= load_stopwords()


def test_researcher_files(tmp_path):
    userdict = tmp_path / "userdict.txt"
    userdict.write_text("沂水模式 1000 n\n", encoding="utf-8")
    stopwords = tmp_path / "stopwords.txt"
    stopwords.write_text("# mine\n推广\n", encoding="utf-8")
    text = "推广沂水模式"
    assert "沂水模式" not in tokenize(text).token.tolist()
    frame = tokenize(text, userdict=userdict, stopwords=stopwords)
    assert frame.token.tolist() == ["推广", "沂水模式"]
    assert frame.is_stopword.tolist() == [True, False]
    assert get_tokenizer(str(userdict)) is not get_tokenizer()
    # jieba without the shipped dictionary breaks most domain terms apart (so the tests above can fail)
    words = tokenize(SENTENCE, userdict=userdict).token.tolist()
    assert sum(term in words for term in DOMAIN_TERMS) <= len(DOMAIN_TERMS) - 3


_ISOLATION_SCRIPT = """
import json, jieba
from fupin_research.segment import tokenize, get_tokenizer
frame = tokenize("实现两不愁三保障,坚持建档立卡")
print(json.dumps({
    "tokens": frame.token.tolist(),
    "initialized": jieba.dt.initialized,
    "freq": len(jieba.dt.FREQ),
    "private_initialized": get_tokenizer().initialized,
    "global_has_term": "两不愁三保障" in jieba.dt.FREQ,
}, ensure_ascii=False))
"""


def test_global_jieba_untouched_and_no_log_lines():
    """In a fresh interpreter (other tests may have used jieba here): the global dictionary stays empty."""
    result = subprocess.run(
        [sys.executable, "-c", _ISOLATION_SCRIPT], capture_output=True, text=True, encoding="utf-8", timeout=60
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["tokens"] == ["实现", "两不愁三保障", "坚持", "建档立卡"]
    assert report["private_initialized"] is True
    assert report["initialized"] is False
    assert report["freq"] == 0 and report["global_has_term"] is False
    assert result.stderr == ""  # no "Building prefix dict ..." / "Loading model ..." lines


def test_token_spans_give_jiebas_own_tokens_on_every_shipped_text():
    """The build walks jieba's algorithm by offsets (token_spans): its tokens must be jieba.cut's, raw or clean."""
    import fupin_research as fr
    from fupin_research.paths import reports_corpus_dir
    from fupin_research.segment import compare_segmenters

    texts = {}
    for corpus in (fr.load_corpus(), fr.load_corpus("reports")):
        texts.update(zip(corpus.doc_id, corpus.text))
    for path in SEEDS + sorted(reports_corpus_dir().glob("*.txt")):
        texts[f"raw {path.stem}"] = path.read_text(encoding="utf-8", errors="replace")
    assert compare_segmenters(texts, "jieba").empty


def test_compare_segmenters_reports_a_difference():
    import jieba

    from fupin_research.segment import compare_segmenters

    # a tokenizer without the domain dictionary splits 两不愁三保障: the check must notice
    differences = compare_segmenters({"x": "实现两不愁三保障"}, jieba.Tokenizer())
    assert list(differences.doc_id) == ["x"] and differences.loc[0, "jieba"] == "两不愁三保障"


def test_unknown_segmenter_is_refused():
    from fupin_research.segment import get_tokenizer

    with pytest.raises(ValueError, match="unknown segmenter"):
        get_tokenizer(backend="thulac")


def test_no_log_lines_when_jieba_is_first_imported_by_the_package():
    """jieba is imported lazily (a build with rjieba does without it) and sets its logger to DEBUG on import: the
    package must quiet it after that import, or "Building prefix dict ..." reaches notebook outputs."""
    code = "from fupin_research.segment import tokenize; print(tokenize('实现两不愁三保障').token.tolist())"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8",
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['实现', '两不愁三保障']"
    assert result.stderr == ""
