"""Vocabulary analyses: frequencies, TF-IDF, keyness, concordance, co-occurrence."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import fupin_research as fr
from fupin_research import vocabulary as voc


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return fr.load_corpus()


@pytest.fixture(scope="module")
def tokens(corpus: pd.DataFrame) -> pd.DataFrame:
    return voc.corpus_tokens(corpus)


def test_corpus_tokens_point_into_the_clean_text(corpus, tokens):
    texts = corpus.set_index("doc_id")["text"]
    sample = tokens.sample(500, random_state=1)
    for row in sample.itertuples():
        assert texts[row.doc_id][row.start : row.end] == row.token
    sentences = fr.split_sentences(texts.iloc[0])
    first = tokens[tokens.doc_id == texts.index[0]]
    for row in first.head(200).itertuples():
        sentence = sentences.iloc[row.sentence_id]
        assert sentence.start <= row.start < sentence.end or row.start >= sentence.end


def test_frequencies_leave_out_stopwords_punctuation_and_numbers(tokens):
    freq = voc.term_frequencies(tokens)
    assert not freq.term.isin(["的", "和", "，", "。", "2017"]).any()
    per_doc = freq.groupby("doc_id")["share"].sum()
    assert all(math.isclose(total, 1.0) for total in per_doc)
    corpus_freq = voc.term_frequencies(tokens, by=None)
    assert corpus_freq.iloc[0]["count"] >= corpus_freq.iloc[1]["count"]
    assert corpus_freq["count"].sum() == freq["count"].sum()


def test_tfidf_prefers_terms_of_one_document(tokens):
    top = voc.tfidf(tokens, top=5)
    assert (top.groupby("doc_id").size() <= 5).all()
    everywhere = set.intersection(*(set(g.token) for _, g in tokens.groupby("doc_id")))
    assert not top.term.isin(everywhere).any()  # idf = 0 for a term in every document
    assert "殡葬" in set(top[top.doc_id.str.startswith("002")].term)  # 单县's funeral reform is particular to 002


def test_keyness_log_likelihood_matches_a_hand_computation():
    toks = pd.DataFrame({
        "doc_id": ["a"] * 100 + ["b"] * 100,
        "token": ["搬迁"] * 20 + ["其他"] * 80 + ["搬迁"] * 5 + ["其他"] * 95,
        "is_stopword": [False] * 200,
    })
    table = voc.keyness(toks, ["a"], ["b"], names=("A", "B")).set_index("term")
    a, b, n = 20, 5, 100
    expected = 2 * (a * math.log(a / (n * (a + b) / (2 * n))) + b * math.log(b / (n * (a + b) / (2 * n))))
    assert table.loc["搬迁", "log_likelihood"] == pytest.approx(expected)
    assert table.loc["搬迁", "key_for"] == "A"
    assert table.loc["其他", "key_for"] == "B"


def test_keyness_shandong_against_qinghai(corpus, tokens):
    shandong = corpus[corpus.province == "山东"].doc_id
    qinghai = corpus[corpus.province == "青海"].doc_id
    table = voc.keyness(tokens, shandong, qinghai, names=("山东", "青海"))
    top_qinghai = table[table.key_for == "青海"].head(20).term.tolist()
    assert "青海省" in top_qinghai or "我省" in top_qinghai
    assert table.log_likelihood.is_monotonic_decreasing


def test_kwic_finds_multi_token_terms(corpus, tokens):
    lines = voc.kwic(corpus, "两线合一")
    assert len(lines) >= 4
    texts = corpus.set_index("doc_id")["text"]
    assert all(texts[r.doc_id][r.start : r.end] == "两线合一" for r in lines.itertuples())
    # jieba may split a term; the concordance must not depend on it
    assert len(voc.kwic(corpus, "易地扶贫搬迁")) >= (tokens.token == "易地扶贫搬迁").sum()


def test_cooccurrence_is_symmetric_free_and_counts_sentences():
    toks = pd.DataFrame({
        "doc_id": ["a"] * 6, "sentence_id": [0, 0, 0, 1, 1, 2], "is_stopword": [False] * 6,
        "token": ["扶贫", "搬迁", "扶贫", "搬迁", "扶贫", "教育"],
    })
    edges = voc.cooccurrence(toks, min_count=1)
    assert edges.values.tolist() == [["扶贫", "搬迁", 2]]
    graph = voc.cooccurrence_graph(edges)
    assert graph["扶贫"]["搬迁"]["weight"] == 2
