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


def test_juilland_d_hand_computed():
    # relative frequencies 0.1, 0.1, 0.4 (sizes differ): mean 0.2, population sd 0.1414; V = 0.7071;
    # D = 1 - 0.7071 / sqrt(2) = 0.5
    assert voc.juilland_d([1, 2, 4], [10, 20, 10]) == pytest.approx(0.5)
    assert voc.juilland_d([3, 3], [10, 10]) == 1.0
    assert voc.juilland_d([6, 0, 0, 0], [10, 10, 10, 10]) == 0.0


def test_xinfang_in_000_comes_from_one_section(corpus):
    """000's 信访 (petitions) and 舆情: 11 of their 12 tokens lie in the 【涉贫信访舆情处置】 section."""
    sections = voc.document_sections(corpus)
    tokens = voc.with_sections(voc.corpus_tokens(corpus[corpus.doc_id.str.startswith("000")]), sections)
    spread = voc.dispersion(tokens).set_index("term")
    assert spread.loc["信访", ["count", "range"]].tolist() == [12, 2]
    assert spread.loc["信访", "juilland_d"] < 0.1 < spread.loc["山东省", "juilland_d"]
    heading = sections.set_index(["doc_id", "section"]).heading
    hits = tokens[tokens.token == "信访"].groupby("section").size()
    assert heading[(tokens.doc_id.iloc[0], int(hits.idxmax()))] == "【涉贫信访舆情处置】" and hits.max() == 11


def test_sections_are_headed_sections_or_paragraphs(corpus):
    sections = voc.document_sections(corpus)
    for doc_id, text in zip(corpus.doc_id, corpus.text):
        own = sections[sections.doc_id == doc_id]
        assert own.start.iloc[0] == 0 and own.end.iloc[-1] == len(text)
        assert (own.start.iloc[1:].to_numpy() == own.end.iloc[:-1].to_numpy()).all()  # a partition
    assert sections[sections.doc_id.str.startswith("000")].heading.str.startswith("【").sum() == 26


def test_benjamini_hochberg_against_a_hand_computation():
    # sorted p: 0.01 (×4/1 = 0.04), 0.02 (×4/2 = 0.04), 0.03 (×4/3 = 0.04), 0.5 (×4/4 = 0.5)
    assert voc.benjamini_hochberg([0.5, 0.01, 0.03, 0.02]).round(6).tolist() == [0.5, 0.04, 0.04, 0.04]


def test_keyness_reports_corrected_significance(corpus, tokens):
    shandong = corpus.loc[corpus.province == "山东", "doc_id"]
    qinghai = corpus.loc[corpus.province == "青海", "doc_id"]
    key = voc.keyness(tokens, shandong, qinghai)
    assert key.p_value.iloc[0] < 1e-9 and (key.p_bh >= key.p_value).all() and (key.p_bonferroni >= key.p_bh).all()
    assert key.significant.sum() < (key.p_value < 0.05).sum()  # the correction removes some
    # p of G² = 3.84 is 0.05 for one test
    assert float(voc.chi2_sf_1df(3.8415)[0]) == pytest.approx(0.05, abs=1e-4)


def test_tfidf_carries_dispersion_when_tokens_have_sections(corpus, tokens):
    with_sections = voc.with_sections(tokens, voc.document_sections(corpus))
    table = voc.tfidf(with_sections, top=8).set_index(["doc_id", "term"])
    row = table.loc[(corpus.doc_id[0], "信访")]
    assert (row["range"], row["sections"]) == (2, 27)
    assert "juilland_d" not in voc.tfidf(tokens, top=8)


def test_keyness_shows_how_the_top_term_is_spread(corpus, tokens):
    """农村 is key for Shandong, but almost all of it is in the provincial policy 001 (88 of 101 tokens)."""
    tokens = voc.with_sections(tokens, voc.document_sections(corpus))
    shandong = corpus.loc[corpus.province == "山东", "doc_id"]
    qinghai = corpus.loc[corpus.province == "青海", "doc_id"]
    top = voc.keyness(tokens, shandong, qinghai, names=("山东", "青海")).iloc[0]
    assert (top.term, top.key_for, top.count_a) == ("农村", "山东", 101)
    per_doc = tokens[tokens.token == "农村"].groupby("doc_id").size()
    assert per_doc[corpus.doc_id[1]] == 88
    assert 0 < top.juilland_d < 1 and top["range"] < top.sections / 2  # in 10 of the 39 Shandong sections
