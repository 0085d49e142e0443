"""Vocabulary analyses on tidy token tables: frequencies, TF-IDF, keyness, dispersion, concordance, co-occurrence.

Methods and their sources: TF-IDF's inverse document frequency (Spärck Jones 1972); keyness by the
log-likelihood G² (Dunning 1993) with the log ratio as its effect size (Hardie 2014), p-values from the χ²
distribution with one degree of freedom, corrected for testing every term with Benjamini–Hochberg (the false
discovery rate; Bonferroni is given too, as the stricter bound); dispersion by Juilland's D (Juilland 1964;
Gries 2008) over **sections**: the top-level analysis units of :func:`fupin_research.split_units` (the 【】
sections of the yearbook 000, the 一、二、 parts of 001 and 004, the 【】 and 一、 headings of 002), or a document's
paragraphs when it has no headings (003). Text before a document's first section is a section of its own.

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
from fupin_research.structure import split_units


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


def document_sections(documents: pd.DataFrame) -> pd.DataFrame:
    """The sections of each document: ``doc_id, section, start, end, heading`` (see the module docstring).

    Example:
        >>> docs = pd.DataFrame({"doc_id": ["a"], "text": ["标题\\n【概况】精准扶贫。\\n【信访】信访舆情。"]})
        >>> document_sections(docs)[["section", "start", "heading"]].values.tolist()
        [[0, 0, ''], [1, 3, '【概况】'], [2, 13, '【信访】']]
    """
    rows = []
    for doc_id, text in zip(documents["doc_id"], documents["text"]):
        units = split_units(text, doc_id)
        level = 1 if (units["level"] == 1).any() else 0
        top = units[units["level"] == level].sort_values("start")
        starts, headings = top["start"].tolist(), top["heading"].tolist()
        if not starts or starts[0] > 0:
            starts, headings = [0, *starts], ["", *headings]
        ends = [*starts[1:], len(text)]
        for number, (start, end, heading) in enumerate(zip(starts, ends, headings)):
            rows.append((doc_id, number, start, end, heading.split(" > ")[0] if level else ""))
    return pd.DataFrame(rows, columns=["doc_id", "section", "start", "end", "heading"])


def with_sections(tokens: pd.DataFrame, sections: pd.DataFrame) -> pd.DataFrame:
    """Add a ``section`` column to a token table: the section (of :func:`document_sections`) the token starts in.

    Example:
        >>> docs = pd.DataFrame({"doc_id": ["a"], "text": ["【概况】扶贫。\\n【信访】信访。"]})
        >>> with_sections(corpus_tokens(docs), document_sections(docs)).section.tolist()
        [0, 0, 1, 1]
    """
    parts = []
    for doc_id, group in tokens.groupby("doc_id", sort=False):
        own = sections[sections["doc_id"] == doc_id].sort_values("start")
        position = np.searchsorted(own["start"].to_numpy(), group["start"].to_numpy(), side="right") - 1
        parts.append(pd.Series(own["section"].to_numpy()[np.maximum(position, 0)], index=group.index))
    out = tokens.copy()
    out["section"] = pd.concat(parts).reindex(tokens.index).astype("int64") if parts else pd.Series(dtype="int64")
    return out


def juilland_d(frequencies: Iterable[float], sizes: Iterable[float]) -> float:
    """Juilland's D of a term over ``n`` parts: ``1 - V / sqrt(n - 1)``, V the coefficient of variation of its
    relative frequencies in the parts (count / part size; parts of unequal size are thus comparable).

    1 is an even spread, 0 all in one part. Fewer than two parts: NaN.

    Example:
        >>> juilland_d([5, 5], [100, 100]), juilland_d([10, 0, 0], [100, 100, 100])
        (1.0, 0.0)
    """
    frequencies, sizes = np.asarray(list(frequencies), float), np.asarray(list(sizes), float)
    n = len(sizes)
    if n < 2:
        return float("nan")
    relative = frequencies / sizes
    mean = relative.mean()
    if mean == 0:
        return float("nan")
    variation = relative.std() / mean  # population standard deviation, as Juilland defines V
    return float(max(0.0, 1 - variation / math.sqrt(n - 1)))


def dispersion(tokens: pd.DataFrame, *, by: str | None = "doc_id", min_length: int = 2) -> pd.DataFrame:
    """How each term is spread over sections: ``[by,] term, count, range, sections, juilland_d``.

    ``tokens`` needs a ``section`` column (:func:`with_sections`). ``range`` is the number of sections holding
    the term, ``sections`` the number of sections (of the document, or of the whole corpus with ``by=None``);
    section sizes count the tokens kept for counting.

    Example:
        >>> toks = pd.DataFrame({"doc_id": ["a"] * 4, "section": [0, 0, 1, 1], "is_stopword": [False] * 4,
        ...                      "token": ["信访", "信访", "扶贫", "扶贫"]})
        >>> dispersion(toks)[["term", "count", "range", "sections", "juilland_d"]].values.tolist()
        [['信访', 2, 1, 2, 0.0], ['扶贫', 2, 1, 2, 0.0]]
    """
    counted = content_tokens(tokens, min_length=min_length)
    group_keys = [by] if by else []
    part_keys = ["doc_id", "section"]
    sizes = counted.groupby(part_keys).size().rename("size").reset_index()
    counts = counted.groupby([*part_keys, "token"]).size().rename("count").reset_index()
    rows = []
    groups = sizes.groupby(group_keys) if by else [((), sizes)]
    for key, parts in groups:
        key = key[0] if isinstance(key, tuple) and key else key
        own = counts[counts["doc_id"].isin(parts["doc_id"])] if by else counts
        for term, hits in own.groupby("token"):
            merged = parts.merge(hits[[*part_keys, "count"]], on=part_keys, how="left").fillna({"count": 0})
            d = juilland_d(merged["count"], merged["size"])
            row = ([key] if by else []) + [term, int(merged["count"].sum()), int((merged["count"] > 0).sum()),
                                           len(parts), d]
            rows.append(row)
    frame = pd.DataFrame(rows, columns=[*group_keys, "term", "count", "range", "sections", "juilland_d"])
    return frame.sort_values([*group_keys, "count", "term"], ascending=[*([True] * len(group_keys)), False, True],
                             kind="stable").reset_index(drop=True)


def chi2_sf_1df(statistic: np.ndarray | float) -> np.ndarray:
    """Upper tail of the χ² distribution with one degree of freedom (the p-value of G²): ``erfc(sqrt(x/2))``.

    Example:
        >>> chi2_sf_1df([3.841, 10.828]).round(4).tolist()
        [0.05, 0.001]
    """
    values = np.atleast_1d(np.asarray(statistic, float))
    return np.array([math.erfc(math.sqrt(max(v, 0.0) / 2)) for v in values])


def critical_g2(alpha: float) -> float:
    """The G² above which one term's p-value is below ``alpha`` (χ², one degree of freedom), by bisection.

    Example:
        >>> round(critical_g2(0.05), 2), round(critical_g2(0.001), 2)
        (3.84, 10.83)
    """
    low, high = 0.0, 200.0
    for _ in range(100):
        middle = (low + high) / 2
        low, high = (middle, high) if chi2_sf_1df(middle)[0] > alpha else (low, middle)
    return (low + high) / 2


def benjamini_hochberg(p_values: Iterable[float]) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (false discovery rate), in the order given.

    Example:
        >>> benjamini_hochberg([0.01, 0.04, 0.03]).round(3).tolist()
        [0.03, 0.04, 0.04]
    """
    p = np.asarray(list(p_values), float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1.0)
    out = np.empty(m)
    out[order] = adjusted
    return out


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
    """TF-IDF of terms per document: ``doc_id, term, count, tf, df, idf, tfidf, rank`` (+ dispersion).

    ``tf`` is the term's share of the document's counted tokens, ``idf = ln(N / df)`` (N documents), so a term in
    every document scores 0. ``top`` keeps the best ``top`` terms per document (None keeps all). When ``tokens``
    has a ``section`` column (:func:`with_sections`), each row also gets the term's ``range``, ``sections`` and
    ``juilland_d`` in its document (:func:`dispersion`): a high TF-IDF from one section is one passage, not a theme.

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
    freq = freq.reset_index(drop=True)
    if "section" in tokens:
        spread = dispersion(tokens[tokens["doc_id"].isin(set(freq["doc_id"]))], min_length=min_length)
        freq = freq.merge(spread.drop(columns="count"), on=["doc_id", "term"], how="left")
    return freq


def keyness(
    tokens: pd.DataFrame,
    group_a: Iterable[str],
    group_b: Iterable[str],
    *,
    names: tuple[str, str] = ("a", "b"),
    min_count: int = 3,
    min_length: int = 2,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Log-likelihood keyness (Dunning's G²) of terms in documents ``group_a`` against ``group_b``.

    Returns ``term, count_a, count_b, per_10k_a, per_10k_b, log_likelihood, log_ratio, key_for, p_value, p_bh,
    p_bonferroni, significant`` sorted by log-likelihood; ``log_ratio`` (Hardie's effect size) is log2 of the ratio
    of relative frequencies (0.5 put for a zero count); ``key_for`` names (from ``names``) the group where the term
    is relatively more frequent. ``p_value`` is from χ² with one degree of freedom (G² > 3.84 is p < 0.05, > 10.83
    is p < 0.001 for one term); every term tested is one test, so ``p_bh`` corrects for all of them
    (Benjamini–Hochberg) and ``significant`` is ``p_bh < alpha``; ``p_bonferroni`` is the stricter bound.
    When ``tokens`` has a ``section`` column (:func:`with_sections`), ``range``, ``sections`` and ``juilland_d``
    say how the term is spread over the sections of the group it is key for.

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
    table["p_value"] = chi2_sf_1df(g2) if len(table) else np.array([], float)
    table["p_bh"] = benjamini_hochberg(table["p_value"])
    table["p_bonferroni"] = (table["p_value"] * len(table)).clip(upper=1.0)
    table["significant"] = table["p_bh"] < alpha
    table = table.rename_axis("term").reset_index()
    if "section" in tokens:
        spreads = []
        for name, group in zip(names, (group_a, group_b)):
            spread = dispersion(tokens[tokens["doc_id"].isin(group)], by=None, min_length=min_length)
            spreads.append(spread.drop(columns="count").assign(key_for=name))
        table = table.merge(pd.concat(spreads), on=["term", "key_for"], how="left")
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
