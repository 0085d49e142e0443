"""Key indicators side by side, compared only like with like, and the sentences behind the audit's checks.

Notebook 04 calls these. A figure enters a comparison only with figures of the same indicator, unit, ``scope``
and ``measure_kind`` (see :mod:`fupin_research.quantity_kinds`), only when it is not ``suspect``, its indicator is
not the catch-all 贫困人口 and its year is its own (:func:`comparable`): a yearly minimum for deep-poverty counties
(河南 1亿元) and a province's yearly reduction (山东 100万人) never share an axis.

Example:
    >>> rows = pd.DataFrame({"label_zh": ["脱贫人口"] * 2, "indicator": ["poor_lifted"] * 2,
    ...     "province": ["山东", "青海"], "year": ["2017", "2016"], "unit": ["人"] * 2, "scope": ["province"] * 2,
    ...     "measure_kind": ["flow"] * 2, "surface": ["83.2万", "11.6万"], "value": [832000, 116000],
    ...     "doc_id": ["000", "003"], "start": [1, 2], "end": [6, 7]})
    >>> side_by_side(rows)[["province", "first", "mentions"]].values.tolist()
    [['山东', '83.2万', 1], ['青海', '11.6万', 1]]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

KEY_INDICATORS = ["poor_population", "poor_identified", "poor_remaining", "poor_lifted", "fiscal_poverty_funds",
                  "poverty_incidence", "cadres_in_villages"]
GROUP_COLUMNS = ["label_zh", "indicator", "unit", "scope", "measure_kind"]
# Display scale per unit: people and households in 万, money in 亿元 (the texts' own magnitudes).
_SCALES = {"人": (1e4, "万人", "10k persons"), "户": (1e4, "万户", "10k households"), "名": (1, "名", "persons"),
           "元": (1e8, "亿元", "100m yuan"), "%": (1, "%", "%")}


def key_indicator_rows(quantities: pd.DataFrame, indicators: Sequence[str] = tuple(KEY_INDICATORS)) -> pd.DataFrame:
    """The mentions of key indicators that have a province and are not ranges, in indicator order.

    Example:
        >>> q = pd.DataFrame({"indicator": ["poor_lifted", "poverty_incidence", "poor_lifted"],
        ...     "province": ["山东", "青海", ""], "range_high": [None, None, None], "year": ["2017", "2016", "2017"],
        ...     "doc_id": ["000", "003", "000"], "start": [5, 1, 9]})
        >>> key_indicator_rows(q).indicator.tolist()
        ['poor_lifted', 'poverty_incidence']
    """
    order = {name: i for i, name in enumerate(indicators)}
    rows = quantities[quantities["indicator"].isin(order) & quantities["range_high"].isna()
                      & (quantities["province"] != "")]
    rows = rows.assign(order=rows["indicator"].map(order))
    return rows.sort_values(["order", "province", "year", "doc_id", "start"], kind="stable").drop(columns="order")


# 贫困人口 is the catch-all indicator: it counts any group of poor people (those a programme 带动, 惠及 or 吸纳,
# the relocated, carers hired), so two of its figures are rarely one quantity.
CATCH_ALL_INDICATORS = ("poor_population",)


def comparable(rows: pd.DataFrame, catch_all: Sequence[str] = CATCH_ALL_INDICATORS) -> pd.DataFrame:
    """Rows that may share an axis: known ``scope`` and ``measure_kind``, not ``suspect``, an indicator that names
    one quantity (not one of ``catch_all``), and a year not borrowed from a neighbouring clause
    (``year_source`` is not ``paragraph``: 004's 1.4万 carers take 2015 from the sentence before).

    Example:
        >>> rows = pd.DataFrame({"scope": ["province", "village", "unknown", "province"],
        ...     "measure_kind": ["flow", "change", "stock", "stock"], "suspect": [False, True, False, False],
        ...     "indicator": ["poor_lifted"] * 3 + ["poor_population"], "year_source": ["sentence"] * 4})
        >>> comparable(rows).index.tolist()
        [0]
    """
    known = (rows["scope"] != "unknown") & (rows["measure_kind"] != "unknown")
    own_year = rows["year_source"] != "paragraph"
    return rows[known & ~rows["suspect"].astype(bool) & ~rows["indicator"].isin(catch_all) & own_year]


def side_by_side(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator, unit, scope, measure kind, province and year: the first figure stated (usually the
    headline), how many there are, all of them in document order, and where the first one is.

    A document often states a total and then its parts (59.32亿元, 其中中央资金4.69亿元 ...): ``first`` is the
    total, ``all_figures`` keeps the rest.
    """
    keys = [*GROUP_COLUMNS, "province", "year"]
    groups = rows.groupby(keys, sort=False)
    table = groups.agg(first=("surface", "first"), value=("value", "first"), mentions=("surface", "size"),
                       all_figures=("surface", " / ".join), doc_id=("doc_id", "first"), start=("start", "first"),
                       end=("end", "first"))
    return table.reset_index()


def chart_panels(wide: pd.DataFrame, *, min_bars: int = 2) -> pd.DataFrame:
    """The panels of :func:`plot_key_indicators`: groups of like figures with at least ``min_bars`` bars.

    Returns ``GROUP_COLUMNS`` and ``bars``, in the order of ``wide``.

    Example:
        >>> wide = pd.DataFrame({"label_zh": ["脱贫人口"] * 3, "indicator": ["poor_lifted"] * 3, "unit": ["人"] * 3,
        ...     "scope": ["province", "province", "county"], "measure_kind": ["flow"] * 3})
        >>> chart_panels(wide).values.tolist()
        [['脱贫人口', 'poor_lifted', '人', 'province', 'flow', 2]]
    """
    counts = wide.groupby(GROUP_COLUMNS, sort=False).size().rename("bars").reset_index()
    return counts[counts["bars"] >= min_bars].reset_index(drop=True)


def plot_key_indicators(wide: pd.DataFrame, *, min_bars: int = 2, columns: int = 2):
    """Bar charts of the headline figures, one panel per group of like figures (:func:`chart_panels`).

    Bars are labelled province · year · document and carry the figure as written; titles are in Chinese and
    English. Returns the figure.
    """
    import matplotlib.pyplot as plt

    from fupin_research.plotting import use_chinese_font

    use_chinese_font()
    panels = chart_panels(wide, min_bars=min_bars)
    columns = max(1, min(columns, len(panels)))
    rows_needed = max(1, -(-len(panels) // columns))
    fig, axes = plt.subplots(rows_needed, columns, figsize=(max(5.5 * columns, 8), 2.2 + 2.0 * rows_needed),
                             squeeze=False)
    for ax, panel in zip(axes.flat, panels.itertuples(index=False)):
        part = wide[(wide[GROUP_COLUMNS] == pd.Series(panel[:5], index=GROUP_COLUMNS)).all(axis=1)]
        _bars(ax, part, panel)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    fig.suptitle("关键指标:同类数字并列(同一指标、单位、范围、度量类型;不含可疑数字)\n"
                 "Key indicators, like with like (same indicator, unit, scope and kind of measure; no suspect figure)")
    fig.tight_layout()
    return fig


def _bars(ax, part: pd.DataFrame, panel) -> None:
    scale, unit_zh, unit_en = _SCALES.get(panel.unit, (1, panel.unit, panel.unit))
    names = [f"{p} · {y} · {d[:3]}" for p, y, d in zip(part["province"], part["year"], part["doc_id"])]
    values = [float(v) / scale for v in part["value"]]
    ax.barh(range(len(part)), values, color="#2f6f8f")
    ax.set_yticks(range(len(part)), names)
    ax.invert_yaxis()
    for i, (value, surface) in enumerate(zip(values, part["first"])):
        ax.text(value, i, f" {surface}", va="center", fontsize=8)
    ax.set_xlim(0, max(values) * 1.35 if values else 1)
    ax.set_xlabel(f"{unit_zh} ({unit_en})")
    english = panel.indicator.replace("_", " ")
    ax.set_title(f"{panel.label_zh} {english}\n{panel.scope} · {panel.measure_kind}", fontsize=10)


def sentences_of(text: str, sentences: pd.DataFrame, spans: str) -> str:
    """The sentence(s) of ``text`` holding the spans ``"start:end;start:end"`` of a check, joined by ‖.

    Example:
        >>> from fupin_research.split import split_sentences
        >>> text = "共配备17220名。其中市级32名。"
        >>> sentences_of(text, split_sentences(text), "3:9;14:17")
        '共配备17220名。 ‖ 其中市级32名。'
    """
    found: list[str] = []
    for span in spans.split(";"):
        start = int(span.split(":")[0])
        hit = sentences[(sentences["start"] <= start) & (start < sentences["end"])]
        sentence = " ".join(hit["text"].iloc[0].split()) if len(hit) else ""
        if sentence and sentence not in found:
            found.append(sentence)
    return " ‖ ".join(found)


def checks_with_sentences(checks: pd.DataFrame, texts: Mapping[str, str]) -> pd.DataFrame:
    """The audit's checks with the sentences behind each (``texts`` maps doc_id to clean text).

    Example:
        >>> checks = pd.DataFrame({"doc_id": ["d"], "check": ["breakdown_sum"], "spans": ["3:9"],
        ...     "expected": ["17220"], "observed": ["17220"], "verdict": ["consistent"], "detail": ["ok"]})
        >>> checks_with_sentences(checks, {"d": "共配备17220名。"}).sentences.tolist()
        ['共配备17220名。']
    """
    from fupin_research.split import split_sentences

    split = {doc_id: split_sentences(text) for doc_id, text in texts.items() if doc_id in set(checks["doc_id"])}
    rows = checks.assign(sentences=[sentences_of(texts[d], split[d], s) for d, s in zip(checks["doc_id"],
                                                                                        checks["spans"])])
    return rows[["doc_id", "check", "expected", "observed", "verdict", "detail", "sentences"]].reset_index(drop=True)


def document_checks(doc) -> pd.DataFrame:
    """The ``checks`` table of one :class:`fupin_research.corpus.Document`, as ``fupin build`` makes it."""
    from fupin_research.audit import audit_quantities
    from fupin_research.build import quantity_context
    from fupin_research.extract.quantities import extract_quantities

    return audit_quantities(doc.text, extract_quantities(doc.text), **quantity_context(doc))


def suspect_figures_table(quantities: pd.DataFrame) -> pd.DataFrame:
    """The figures left out of comparisons because damage makes them doubtful, with the reason and sentence place.

    Example:
        >>> q = pd.DataFrame({"doc_id": ["004"], "start": [1], "end": [4], "surface": ["12名"], "scope": ["village"],
        ...     "measure_kind": ["change"], "province": ["青海"], "suspect": [True], "suspect_reason": ["lost"]})
        >>> suspect_figures_table(q).surface.tolist()
        ['12名']
    """
    columns = ["doc_id", "start", "end", "surface", "province", "scope", "measure_kind", "suspect_reason"]
    return quantities.loc[quantities["suspect"].astype(bool), columns].reset_index(drop=True)


def corpus_quantities(documents, corpus: pd.DataFrame) -> pd.DataFrame:
    """The quantities of ``documents`` (:class:`fupin_research.corpus.Document` objects) as ``fupin build`` makes
    them, with the ``province`` of the analysis unit each falls in (in bulletin 004, the province whose paragraph it
    is; empty when none) and the indicator's Chinese label ``label_zh``.
    """
    from fupin_research import build, compare
    from fupin_research.audit import load_indicators

    table = pd.concat([build.quantities_table(doc) for doc in documents], ignore_index=True)
    facts = compare.province_quantities(compare.corpus_units(corpus), table)
    table = table.merge(facts[["doc_id", "start", "province"]], on=["doc_id", "start"], how="left")
    indicators = load_indicators()
    labels = dict(zip(indicators["indicator"], indicators["label_zh"]))
    return table.assign(province=table["province"].fillna(""), label_zh=table["indicator"].map(labels).fillna(""))
