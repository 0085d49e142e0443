"""Tables and a plot for validating policy-instrument coding (notebook 05): the codebook as a coder reads it,
human-human and machine-hand agreement side by side, confusions, disagreements and results per document family.

Pure functions on the tables of :mod:`fupin_research.coding` (hand codes, primary codes, agreement tables).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from fupin_research.coding import agreement, label_order, load_codebook, paired_labels

DIMENSION_LABELS = {"instrument": "政策工具 instrument", "instrument_type": "工具类型 instrument type",
                    "target_area": "政策领域 target area"}


def codebook_table(codebook: dict[str, Any] | None = None) -> pd.DataFrame:
    """Every code as a coder reads it: ``dimension, code, type, label_zh, label_en, definition, example_1,
    example_2, near_miss`` (the near miss with the code the blind coder gave it). Empty where the blind sample
    has no such unit.

    Example:
        >>> table = codebook_table()
        >>> table.columns.tolist()[:4], int((table.dimension == "instrument").sum())
        (['dimension', 'code', 'type', 'label_zh'], 14)
    """
    book = codebook or load_codebook()
    rows = []
    for dim in ("instrument", "target_area"):
        for code in book["dimensions"][dim]["codes"]:
            examples = code.get("examples") or {}
            positive = [*(examples.get("positive") or []), "", ""]
            miss = examples.get("near_miss") or {}
            near = f"{miss['text']} → {miss['coded_as']}" if miss else ""
            rows.append((dim, code["id"], code.get("type", ""), code["label_zh"], code["label_en"],
                         " ".join(str(code["definition"]).split()), positive[0], positive[1], near))
    return pd.DataFrame(rows, columns=["dimension", "code", "type", "label_zh", "label_en", "definition",
                                       "example_1", "example_2", "near_miss"])


def decision_rules_table(codebook: dict[str, Any] | None = None) -> pd.DataFrame:
    """The codebook's decision rules, in the order a coder applies them: ``rule, text``.

    Example:
        >>> decision_rules_table().rule.iloc[0]
        'measure_or_none'
    """
    book = codebook or load_codebook()
    return pd.DataFrame([(r["id"], " ".join(str(r["rule"]).split())) for r in book.get("decision_rules", [])],
                        columns=["rule", "text"])


def overall(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """The ``all`` rows of an :func:`fupin_research.coding.agreement` table, labelled ``name`` (who is compared).

    Example:
        >>> t = pd.DataFrame({"dimension": ["instrument", "instrument"], "code": ["all", "none"], "n": [3, 3],
        ...     "percent_agreement": [66.7, 100.0], "kappa": [.5, 1.], "kappa_low": [.1, 1.], "kappa_high": [.9, 1.]})
        >>> overall(t, "rules").values.tolist()
        [['rules', 'instrument', 3, 66.7, 0.5, 0.1, 0.9]]
    """
    part = table[table.code == "all"]
    columns = ["dimension", "n", "percent_agreement", "kappa", "kappa_low", "kappa_high"]
    return part[columns].assign(comparison=name)[["comparison", *columns]].reset_index(drop=True)


def reliability_summary(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Overall kappas of several comparisons side by side (``tables``: name -> agreement table), long format:
    ``comparison, dimension, n, percent_agreement, kappa, kappa_low, kappa_high``.

    Example:
        >>> t = pd.DataFrame({"dimension": ["instrument"], "code": ["all"], "n": [3], "percent_agreement": [66.7],
        ...     "kappa": [.5], "kappa_low": [.1], "kappa_high": [.9]})
        >>> reliability_summary({"a": t, "b": t}).comparison.tolist()
        ['a', 'b']
    """
    return pd.concat([overall(table, name) for name, table in tables.items()], ignore_index=True)


def winner(summary: pd.DataFrame, candidates: list[str]) -> str:
    """The candidate with the highest mean kappa over the dimensions (ties: the first listed).

    Example:
        >>> s = pd.DataFrame({"comparison": ["rules", "model"], "kappa": [0.4, 0.5]})
        >>> winner(s, ["rules", "model"])
        'model'
    """
    means = summary[summary.comparison.isin(candidates)].groupby("comparison").kappa.mean()
    return max(candidates, key=lambda name: (round(float(means.get(name, float("-inf"))), 6),
                                             -candidates.index(name)))


def confusion(hand: pd.DataFrame, machine: pd.DataFrame, dimension: str = "instrument",
              codebook: dict[str, Any] | None = None) -> pd.DataFrame:
    """Hand code (rows) by machine code (columns) counts of one dimension; codebook order, ``none`` last.

    Example:
        >>> h = pd.DataFrame({"doc_id": ["d", "d"], "unit_id": ["a", "b"], "dimension": ["target_area"] * 2,
        ...     "code": ["target.health", "none"]})
        >>> confusion(h, h.assign(code=["target.health", "target.health"]), "target_area").values.tolist()
        [[1, 0], [1, 0]]
    """
    pairs = paired_labels(hand, machine, codebook)
    pairs = pairs[pairs.dimension == dimension]
    table = pd.crosstab(pairs.hand, pairs.machine)
    labels = label_order(set(pairs.hand) | set(pairs.machine), codebook)
    table = table.reindex(index=labels, columns=labels, fill_value=0)
    table.index.name, table.columns.name = "hand", "machine"
    return table


def top_disagreements(hand: pd.DataFrame, machine: pd.DataFrame, units: pd.DataFrame, *, n: int = 10,
                      dimension: str = "instrument", codebook: dict[str, Any] | None = None) -> pd.DataFrame:
    """The ``n`` most common (hand, machine) disagreements of one dimension, each with its count and the text
    of one unit (the shortest; ties by unit id). Sorted by count, then by the pair.

    Example:
        >>> h = pd.DataFrame({"doc_id": ["d"] * 3, "unit_id": list("abc"), "dimension": ["target_area"] * 3,
        ...     "code": ["target.health", "none", "none"]})
        >>> u = pd.DataFrame({"doc_id": ["d"] * 3, "unit_id": list("abc"), "text": ["甲", "乙乙", "丙"]})
        >>> m = h.assign(code=["target.health", "target.health", "target.health"])
        >>> top_disagreements(h, m, u, dimension="target_area")[["hand", "machine", "count", "text"]].values.tolist()
        [['none', 'target.health', 2, '丙']]
    """
    pairs = paired_labels(hand, machine, codebook)
    pairs = pairs[(pairs.dimension == dimension) & (pairs.hand != pairs.machine)]
    pairs = pairs.merge(units[["doc_id", "unit_id", "text"]], on=["doc_id", "unit_id"], how="left")
    pairs["chars"] = pairs.text.fillna("").str.len()
    counts = pairs.groupby(["hand", "machine"]).size().rename("count").reset_index()
    example = (pairs.sort_values(["chars", "unit_id"]).drop_duplicates(["hand", "machine"])
               [["hand", "machine", "doc_id", "unit_id", "text"]])
    table = counts.merge(example, on=["hand", "machine"])
    table = table.sort_values(["count", "hand", "machine"], ascending=[False, True, True]).head(n)
    return table.reset_index(drop=True)


def family_agreement(hand: pd.DataFrame, machine: pd.DataFrame, units: pd.DataFrame, *,
                     codebook: dict[str, Any] | None = None, replicates: int = 1000) -> pd.DataFrame:
    """Kappa (with its 95% interval) and percent agreement per document family and dimension:
    ``family, dimension, documents, n, percent_agreement, kappa, kappa_low, kappa_high``.

    Example:
        >>> h = pd.DataFrame({"doc_id": ["d", "e"], "unit_id": ["a", "b"], "dimension": ["target_area"] * 2,
        ...     "code": ["target.health", "none"]})
        >>> u = pd.DataFrame({"doc_id": ["d", "e"], "unit_id": ["a", "b"], "family": ["health", "health"]})
        >>> family_agreement(h, h, u, replicates=10)[["family", "dimension", "n", "kappa"]].values.tolist()[0]
        ['health', 'target_area', 2, 1.0]
    """
    family_of = dict(zip(zip(units.doc_id, units.unit_id), units.family))
    hand = hand.assign(family=[family_of.get(key) for key in zip(hand.doc_id, hand.unit_id)])
    rows = []
    for family, part in hand.groupby("family", sort=True):
        table = agreement(part.drop(columns="family"), machine, codebook, replicates=replicates)
        for row in table[table.code == "all"].itertuples():
            rows.append((family, row.dimension, part.doc_id.nunique(), row.n, row.percent_agreement, row.kappa,
                         row.kappa_low, row.kappa_high))
    return pd.DataFrame(rows, columns=["family", "dimension", "documents", "n", "percent_agreement", "kappa",
                                       "kappa_low", "kappa_high"])


def plot_kappas(summary: pd.DataFrame, ax=None, *, names: dict[str, str] | None = None):
    """Kappa with its 95% interval per dimension (groups) and comparison (bars); bilingual labels.

    Returns the axes. ``names`` relabels the comparisons in the legend.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.8))
    comparisons = list(dict.fromkeys(summary.comparison))
    dimensions = list(dict.fromkeys(summary.dimension))
    width = 0.8 / max(len(comparisons), 1)
    for k, name in enumerate(comparisons):
        part = summary[summary.comparison == name].set_index("dimension").reindex(dimensions)
        x = [i + k * width for i in range(len(dimensions))]
        errors = [part.kappa - part.kappa_low, part.kappa_high - part.kappa]
        ax.bar(x, part.kappa, width, yerr=errors, capsize=3, label=(names or {}).get(name, name))
    ax.set_xticks([i + width * (len(comparisons) - 1) / 2 for i in range(len(dimensions))])
    ax.set_xticklabels([DIMENSION_LABELS.get(d, d) for d in dimensions])
    ax.set_ylim(0, 1)
    ax.set_ylabel("Cohen's kappa (95% CI)")
    ax.set_title("编码一致性:人工与机器(按文档交叉验证) · Agreement: human ceiling vs machine (grouped CV)")
    ax.legend(fontsize=8, loc="lower right")
    return ax
