"""Vocabulary analyses on tidy token tables: frequencies, TF-IDF, keyness, concordance, co-occurrence.

Every function takes and returns tidy DataFrames. Token tables come from :func:`fupin_research.tokenize`
(one row per token with ``doc_id``, ``start``, ``end``, ``token``, ``is_stopword``); documents tables from
:func:`fupin_research.load_corpus` (``doc_id`` and clean ``text``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from itertools import combinations

import numpy as np
import pandas as pd

from fupin_research.segment import tokenize
from fupin_research.split import split_sentences


def corpus_tokens(documents: pd.DataFrame) -> pd.DataFrame:
    """Tokenize every document of a documents table into one token table (with ``sentence_id``).

    Example:
        >>> docs = pd.DataFrame({"doc_id": ["a"], "text": ["精准扶贫。建档立卡。"]})
        >>> corpus_tokens(docs)[["doc_id", "sentence_id", "token"]].values.tolist()
        [['a', 0, '精准扶贫'], ['a', 1, '建档立卡']]
    """
    frames = []
    for doc_id, text in zip(documents["doc_id"], documents["text"]):
        tokens = tokenize(text, doc_id)
        sentences = split_sentences(text)
        position = np.searchsorted(sentences["start"].to_numpy(), tokens["start"].to_numpy(), side="right") - 1
        tokens.insert(2, "sentence_id", np.maximum(position, 0).astype("int64"))
        frames.append(tokens)
    return pd.concat(frames, ignore_index=True)


def content_tokens(tokens: pd.DataFrame, *, min_length: int = 2) -> pd.DataFrame:
    """Tokens worth counting: not stopwords, not pure numbers, at least ``min_length`` characters."""
    keep = ~tokens["is_stopword"] & (tokens["token"].str.len() >= min_length)
    keep &= ~tokens["token"].str.fullmatch(r"[\d.%]+")
    return tokens[keep]


def term_frequencies(tokens: pd.DataFrame, *, by: str | None = "doc_id", min_length: int = 2) -> pd.DataFrame:
    """Count terms per group (default: per document; ``by=None`` for the whole corpus).

    Returns ``[by,] term, count, share`` (share of the group's counted tokens), sorted by group, then count
    (descending), then term, so the order is stable.

    Example:
        >>> toks = pd.DataFrame({"doc_id": ["a"] * 3, "token": ["扶贫", "扶贫", "的"],
        ...                      "is_stopword": [False, False, True]})
        >>> term_frequencies(toks).values.tolist()
        [['a', '扶贫', 2, 1.0]]
    """
    counted = content_tokens(tokens, min_length=min_length)
    keys = [by, "token"] if by else ["token"]
    counts = counted.groupby(keys).size().rename("count").reset_index().rename(columns={"token": "term"})
    totals = counts.groupby(by)["count"].transform("sum") if by else counts["count"].sum()
    counts["share"] = counts["count"] / totals
    order = ([by] if by else []) + ["count", "term"]
    ascending = ([True] if by else []) + [False, True]
    return counts.sort_values(order, ascending=ascending, kind="stable").reset_index(drop=True)


def tfidf(tokens: pd.DataFrame, *, top: int | None = 10, min_length: int = 2) -> pd.DataFrame:
    """TF-IDF of terms per document: ``doc_id, term, count, tf, df, idf, tfidf, rank``.

    ``tf`` is the term's share of the document's counted tokens, ``idf = ln(N / df)`` (N documents), so a term in
    every document scores 0. ``top`` keeps the best ``top`` terms per document (None keeps all).

    Example:
        >>> toks = pd.DataFrame({"doc_id": ["a", "a", "b"], "token": ["扶贫", "搬迁", "扶贫"],
        ...                      "is_stopword": [False] * 3})
        >>> tfidf(toks, top=1)[["doc_id", "term"]].values.tolist()
        [['a', '搬迁']]
    """
    freq = term_frequencies(tokens, min_length=min_length).rename(columns={"share": "tf"})
    n_docs = tokens["doc_id"].nunique()
    freq["df"] = freq.groupby("term")["doc_id"].transform("nunique")
    freq["idf"] = np.log(n_docs / freq["df"])
    freq["tfidf"] = freq["tf"] * freq["idf"]
    freq = freq.sort_values(["doc_id", "tfidf", "term"], ascending=[True, False, True], kind="stable")
    freq["rank"] = freq.groupby("doc_id").cumcount() + 1
    if top is not None:
        freq = freq[(freq["rank"] <= top) & (freq["tfidf"] > 0)]
    return freq.reset_index(drop=True)


def keyness(
    tokens: pd.DataFrame,
    group_a: Iterable[str],
    group_b: Iterable[str],
    *,
    names: tuple[str, str] = ("a", "b"),
    min_count: int = 3,
    min_length: int = 2,
) -> pd.DataFrame:
    """Log-likelihood keyness (Dunning's G²) of terms in documents ``group_a`` against ``group_b``.

    Returns ``term, count_a, count_b, per_10k_a, per_10k_b, log_likelihood, log_ratio, key_for`` sorted by
    log-likelihood; ``log_ratio`` is log2 of the ratio of relative frequencies (0.5 added to zero counts);
    ``key_for`` names (from ``names``) the group where the term is relatively more frequent. G² > 3.84 is p < 0.05,
    > 10.83 is p < 0.001 (one degree of freedom).

    Example:
        >>> toks = pd.DataFrame({"doc_id": ["a"] * 6 + ["b"] * 6, "is_stopword": [False] * 12,
        ...     "token": ["搬迁"] * 5 + ["扶贫"] + ["扶贫"] * 5 + ["教育"]})
        >>> keyness(toks, ["a"], ["b"], min_count=1).iloc[0][["term", "key_for"]].tolist()
        ['搬迁', 'a']
    """
    group_a, group_b = list(group_a), list(group_b)
    counted = content_tokens(tokens, min_length=min_length)
    count_a = counted[counted["doc_id"].isin(group_a)]["token"].value_counts()
    count_b = counted[counted["doc_id"].isin(group_b)]["token"].value_counts()
    table = pd.concat([count_a.rename("count_a"), count_b.rename("count_b")], axis=1).fillna(0).astype("int64")
    table = table[(table["count_a"] + table["count_b"]) >= min_count]
    total_a, total_b = int(count_a.sum()), int(count_b.sum())
    a, b = table["count_a"].to_numpy(float), table["count_b"].to_numpy(float)
    expected_a = total_a * (a + b) / (total_a + total_b)
    expected_b = total_b * (a + b) / (total_a + total_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = 2 * (np.where(a > 0, a * np.log(a / expected_a), 0) + np.where(b > 0, b * np.log(b / expected_b), 0))
    table = table.assign(
        per_10k_a=a / max(total_a, 1) * 1e4,
        per_10k_b=b / max(total_b, 1) * 1e4,
        log_likelihood=g2,
        log_ratio=np.log2(((np.where(a > 0, a, 0.5)) / total_a) / ((np.where(b > 0, b, 0.5)) / total_b)),
    )
    table["key_for"] = np.where(table["log_ratio"] >= 0, names[0], names[1])
    table = table.rename_axis("term").reset_index()
    return table.sort_values(["log_likelihood", "term"], ascending=[False, True], kind="stable").reset_index(drop=True)


def kwic(documents: pd.DataFrame, term: str, *, window: int = 15, regex: bool = False) -> pd.DataFrame:
    """Keyword in context: every occurrence of ``term`` in the clean texts, with ``window`` characters around.

    Searches the text itself, not the tokens, so multi-token terms (``两线合一``, ``易地扶贫搬迁``) are found
    however jieba splits them. Returns ``doc_id, start, end, left, match, right``.

    Example:
        >>> docs = pd.DataFrame({"doc_id": ["a"], "text": ["实现扶贫和低保两线合一。"]})
        >>> kwic(docs, "两线合一", window=5)[["left", "match", "right"]].values.tolist()
        [['扶贫和低保', '两线合一', '。']]
    """
    pattern = re.compile(term if regex else re.escape(term))
    rows = []
    for doc_id, text in zip(documents["doc_id"], documents["text"]):
        for match in pattern.finditer(text):
            start, end = match.span()
            left = text[max(0, start - window) : start].replace("\n", " ")
            right = text[end : end + window].replace("\n", " ")
            rows.append((doc_id, start, end, left, match.group(), right))
    return pd.DataFrame(rows, columns=["doc_id", "start", "end", "left", "match", "right"])


def cooccurrence(tokens: pd.DataFrame, *, top: int = 30, min_count: int = 2, min_length: int = 2) -> pd.DataFrame:
    """Sentence co-occurrence of the ``top`` most frequent terms: ``term_a, term_b, count`` (term_a < term_b).

    Two terms co-occur once per sentence that holds both (``tokens`` needs ``sentence_id``, as from
    :func:`corpus_tokens`).

    Example:
        >>> toks = pd.DataFrame({"doc_id": ["a"] * 4, "sentence_id": [0, 0, 1, 1], "is_stopword": [False] * 4,
        ...                      "token": ["扶贫", "搬迁", "扶贫", "搬迁"]})
        >>> cooccurrence(toks).values.tolist()
        [['扶贫', '搬迁', 2]]
    """
    counted = content_tokens(tokens, min_length=min_length)
    frequency = counted["token"].value_counts()
    ranked = sorted(frequency.items(), key=lambda item: (-item[1], item[0]))[:top]
    vocabulary = {term for term, _ in ranked}
    pairs: Counter[tuple[str, str]] = Counter()
    kept = counted[counted["token"].isin(vocabulary)]
    for _, terms in kept.groupby(["doc_id", "sentence_id"])["token"]:
        pairs.update(combinations(sorted(set(terms)), 2))
    rows = [(a, b, n) for (a, b), n in pairs.items() if n >= min_count]
    frame = pd.DataFrame(rows, columns=["term_a", "term_b", "count"])
    return frame.sort_values(["count", "term_a", "term_b"], ascending=[False, True, True]).reset_index(drop=True)


def cooccurrence_graph(edges: pd.DataFrame):
    """A ``networkx.Graph`` of co-occurrence edges (``weight`` = count)."""
    import networkx as nx

    graph = nx.Graph()
    for a, b, n in edges[["term_a", "term_b", "count"]].itertuples(index=False):
        graph.add_edge(a, b, weight=int(n))
    return graph


def draw_network(graph, ax=None, *, seed: int = 7, title: str | None = None):
    """Draw a co-occurrence graph with Chinese labels (fixed layout seed, so the figure is reproducible)."""
    import matplotlib.pyplot as plt
    import networkx as nx

    from fupin_research.plotting import use_chinese_font

    use_chinese_font()
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 6))
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(graph.nodes))
    ordered.add_edges_from(sorted(graph.edges(data=True)))
    layout = nx.spring_layout(ordered, seed=seed, weight="weight")
    weights = [data["weight"] for _, _, data in ordered.edges(data=True)]
    top = max(weights, default=1)
    degree = dict(ordered.degree(weight="weight"))
    nx.draw_networkx_edges(ordered, layout, ax=ax, width=[0.5 + 3 * w / top for w in weights], alpha=0.35)
    nx.draw_networkx_nodes(ordered, layout, ax=ax, node_color="#f3d9a4",
                           node_size=[200 + 1200 * math.sqrt(degree[n] / max(degree.values())) for n in ordered])
    font = plt.rcParams["font.sans-serif"][0]
    nx.draw_networkx_labels(ordered, layout, ax=ax, font_family=font, font_size=9)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax
