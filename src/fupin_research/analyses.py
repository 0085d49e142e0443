"""Corpus-level analyses behind the narrative notebooks: formulas, targets and deadlines, term series.

Pure functions on documents tables (:func:`fupin_research.corpus.load_corpus`: one row per document with
``doc_id``, manifest columns and the clean ``text``) and on the tables they return. They combine the
extractors (:func:`~fupin_research.extract.formulas.extract_formulas`,
:func:`~fupin_research.extract.time_expressions.extract_time_expressions`) and
:func:`~fupin_research.terms.count_terms` across documents; the ``plot_*`` functions draw the results with
Chinese labels (call :func:`fupin_research.plotting.use_chinese_font` first).

Example:
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "text": ["落实“两不愁、三保障”和五个一批", "两不愁三保障"]})
    >>> formula_inventory(corpus_formulas(docs))[["normalized", "scope", "n_documents", "variants"]].values.tolist()
    [['两不愁三保障', 'national', 2, '两不愁、三保障 / 两不愁三保障'], ['五个一批', 'national', 1, '五个一批']]
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Sequence

import pandas as pd

from fupin_research.build import time_context
from fupin_research.extract.formulas import COLUMNS as FORMULA_COLUMNS
from fupin_research.extract.formulas import extract_formulas
from fupin_research.extract.time_expressions import COLUMNS as TIME_COLUMNS
from fupin_research.extract.time_expressions import extract_time_expressions
from fupin_research.terms import count_terms, load_key_terms

INVENTORY_COLUMNS = [
    "normalized", "scope", "known", "n_documents", "occurrences", "n_quoted", "n_variants", "variants", "documents",
]
TARGET_COLUMNS = [
    "doc_id", "start", "end", "surface", "kind", "start_date", "end_date", "target_year", "document_year",
    "cue", "clause", "sentence_id", "sentence",
]
SERIES_COLUMNS = ["doc_id", "year", "kind", "term", "count", "per_10k_chars"]

# Words that make a time expression a target ("2018年低保线达到省定扶贫标准线"), searched in the clause that
# follows the expression. 实现/完成 alone also report results, so they count only for years after the
# document's own year (see targets_and_deadlines).
TARGET_CUES: tuple[str, ...] = (
    "力争", "确保", "争取", "计划", "目标", "基本完成", "全面完成", "巩固提升", "达到", "不低于", "实现", "完成",
    "全覆盖", "将达", "每年增长",
)
_STRONG_CUES = frozenset((*TARGET_CUES[:10], "将达", "每年增长"))
_CLAUSE_END = re.compile(r"[，,；;。！？!?\n]")
# A five-year-plan name sets a target only with a target word in its clause (“十三五”末…将达16.01万个,
# “十三五”期间…每年增长20%以上); on its own it names a period (only deadlines need no target word).
_TARGET_KINDS = frozenset({"year", "year_end", "range", "month", "deadline", "fyp_end", "fyp_period"})
_PLAN_KINDS = frozenset({"fyp_end", "fyp_period"})


def _meta(row: pd.Series) -> dict[str, str]:
    """A documents-table row as the string metadata dict that :func:`fupin_research.build.time_context` reads."""
    return {key: ("" if pd.isna(value) else str(value)) for key, value in row.items() if key != "text"}


def _document_year(row: pd.Series) -> int | None:
    """The year a document speaks from: its period (2016/2020 → 2016), else its year, else its date."""
    context = time_context(_meta(row))
    for value in (context["period"], context["reference_date"]):
        match = re.search(r"(1[89]\d{2}|20\d{2})", value or "")
        if match:
            return int(match.group(1))
    return None


OVERVIEW_COLUMNS = ["corpus", "doc_id", "province", "genre", "years", "documents", "chars"]


def corpus_overview(seeds: pd.DataFrame, reports: pd.DataFrame | None = None) -> pd.DataFrame:
    """Both corpora in one table: one row per seed document, one row per kind of the reports corpus.

    ``years`` is a seed's period, or the first–last year of a reports kind; ``chars`` the normalized length.

    Example:
        >>> seeds = pd.DataFrame({"doc_id": ["000_x"], "province": ["山东"], "genre": ["briefing"],
        ...                       "period": ["2018"], "chars": [3498]})
        >>> reports = pd.DataFrame({"doc_id": ["1954_r", "2025_r"], "year": ["1954", "2025"],
        ...                         "kind": ["report", "report"], "chars": [10, 20]})
        >>> corpus_overview(seeds, reports)[["corpus", "years", "documents", "chars"]].values.tolist()
        [['seeds', '2018', 1, 3498], ['government work reports', '1954–2025', 2, 30]]
    """
    rows = seeds.assign(corpus="seeds", years=seeds["period"], documents=1)[OVERVIEW_COLUMNS]
    if reports is None or reports.empty:
        return rows.reset_index(drop=True)
    years = reports["year"].astype("int64")
    kinds = reports.assign(year=years).groupby("kind", sort=True).agg(
        documents=("doc_id", "size"), chars=("chars", "sum"), first=("year", "min"), last=("year", "max"))
    kinds = kinds.reset_index().assign(
        corpus="government work reports", doc_id="—", province="全国 / national",
        genre=lambda t: t["kind"], years=lambda t: t["first"].astype(str) + "–" + t["last"].astype(str))
    return pd.concat([rows, kinds[OVERVIEW_COLUMNS]], ignore_index=True)


# ---------------------------------------------------------------------------------------------- formulas


def corpus_formulas(documents: pd.DataFrame) -> pd.DataFrame:
    """All numbered formulas of every document: ``doc_id`` plus the columns of ``extract_formulas``.

    Rows are sorted by ``doc_id`` and ``start``; offsets point into each document's ``text``.

    Example:
        >>> docs = pd.DataFrame({"doc_id": ["b", "a"], "text": ["实施五个一批", "坚持六个精准,五个一批"]})
        >>> corpus_formulas(docs)[["doc_id", "surface", "known"]].values.tolist()
        [['a', '六个精准', True], ['a', '五个一批', True], ['b', '五个一批', True]]
    """
    frames = []
    for doc_id, text in sorted(zip(documents["doc_id"], documents["text"], strict=True)):
        frame = extract_formulas(text)
        frame.insert(0, "doc_id", doc_id)
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["doc_id", *FORMULA_COLUMNS])
    return pd.concat(frames, ignore_index=True)


def formula_inventory(formulas: pd.DataFrame) -> pd.DataFrame:
    """One row per canonical formula: national or local, in how many documents, and how it is written.

    ``scope`` is ``national`` when the canonical form is in ``data/formulas_known.txt`` (column ``known``),
    else ``local`` (a local innovation, or a national formula missing from the list). ``variants`` joins the
    distinct surfaces (sorted) with `` / ``; ``documents`` the doc_ids. Sorted by number of documents and
    occurrences (descending), then by the formula.

    Example:
        >>> f = pd.DataFrame({"doc_id": ["a", "a", "b"], "surface": ["4个2", "两线合一", "四个二"],
        ...                   "normalized": ["四个二", "两线合一", "四个二"], "known": [False, True, False],
        ...                   "quoted": [True, False, False]})
        >>> formula_inventory(f)[["normalized", "scope", "n_documents", "n_quoted", "variants"]].values.tolist()
        [['四个二', 'local', 2, 1, '4个2 / 四个二'], ['两线合一', 'national', 1, 0, '两线合一']]
    """
    if formulas.empty:
        return pd.DataFrame(columns=INVENTORY_COLUMNS)
    grouped = formulas.groupby("normalized", sort=True)
    inventory = pd.DataFrame({
        "known": grouped["known"].any(),
        "n_documents": grouped["doc_id"].nunique(),
        "occurrences": grouped.size(),
        "n_quoted": grouped["quoted"].sum(),
        "n_variants": grouped["surface"].nunique(),
        "variants": grouped["surface"].agg(lambda s: " / ".join(sorted(set(s)))),
        "documents": grouped["doc_id"].agg(lambda s: ", ".join(sorted(set(s)))),
    }).reset_index()
    inventory["scope"] = inventory["known"].map({True: "national", False: "local"})
    inventory = inventory.sort_values(
        ["n_documents", "occurrences", "normalized"], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)
    return inventory[INVENTORY_COLUMNS].astype({"n_documents": "int64", "occurrences": "int64", "n_quoted": "int64"})


def formula_presence(formulas: pd.DataFrame, doc_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Occurrence counts: canonical formula (rows, in :func:`formula_inventory` order) × document (columns).

    ``doc_ids`` fixes the columns (documents without formulas get a column of zeros); default: the
    documents that have formulas, sorted.

    Example:
        >>> f = pd.DataFrame({"doc_id": ["a", "a", "b"], "surface": ["五个一批"] * 3,
        ...                   "normalized": ["五个一批"] * 3, "known": [True] * 3, "quoted": [False] * 3})
        >>> formula_presence(f, ["a", "b", "c"]).values.tolist()
        [[2, 1, 0]]
    """
    columns = sorted(set(formulas["doc_id"])) if doc_ids is None else list(doc_ids)
    order = formula_inventory(formulas)["normalized"].tolist()
    table = pd.crosstab(formulas["normalized"], formulas["doc_id"]) if not formulas.empty else pd.DataFrame()
    table = table.reindex(index=order, columns=columns, fill_value=0).fillna(0).astype("int64")
    table.index.name, table.columns.name = "normalized", "doc_id"
    return table


def plot_formula_presence(presence: pd.DataFrame, known: Iterable[str] = (), *, ax=None, title: str = ""):
    """Draw a presence matrix (formula × document) as a grid of dots; national formulas in red, local in blue.

    ``known`` lists the national (canonical) forms. Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt

    known = set(known)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.2 + 1.1 * presence.shape[1], 0.6 + 0.22 * presence.shape[0]))
    for i, formula in enumerate(presence.index):
        for j in range(presence.shape[1]):
            count = int(presence.iloc[i, j])
            if count:
                ax.scatter(j, i, s=30 + 30 * count, color="#b5443b" if formula in known else "#2f6f8f", zorder=3)
    ax.set_xticks(range(presence.shape[1]), [str(c)[:3] for c in presence.columns])
    ax.set_yticks(range(presence.shape[0]), presence.index)
    ax.set_xlim(-0.6, presence.shape[1] - 0.4)
    ax.set_ylim(presence.shape[0] - 0.5, -0.5)
    ax.grid(color="#dddddd", linewidth=0.6)
    ax.set_xlabel("文档 / document")
    ax.set_title(title or "数字化提法在各文档中的使用(红:全国性提法, 蓝:地方提法; 点越大次数越多)\n"
                 "Numbered formulas by document (red: national, blue: local; larger dot: more occurrences)")
    return ax.figure


# ---------------------------------------------------------------------------------------------- time


def corpus_time_expressions(documents: pd.DataFrame) -> pd.DataFrame:
    """Time expressions of every document, each anchored by :func:`fupin_research.build.time_context`.

    A repost date is no anchor (only issued/published dates are); the period (or ``year``) anchors 全年,
    上年 and the like. Columns: ``doc_id`` plus those of ``extract_time_expressions``; sorted by doc and start.

    Example:
        >>> docs = pd.DataFrame({"doc_id": ["a"], "text": ["比上年增长,力争到2020年"], "period": ["2016"]})
        >>> corpus_time_expressions(docs)[["surface", "kind", "start_date", "end_date"]].values.tolist()
        [['上年', 'relative', '2015-01-01', '2015-12-31'], ['力争到2020年', 'deadline', None, '2020-12-31']]
    """
    frames = []
    for _, row in documents.sort_values("doc_id", kind="stable").iterrows():
        context = time_context(_meta(row))
        frame = reanchor_this_year(extract_time_expressions(row["text"], **context), **context)
        frame.insert(0, "doc_id", row["doc_id"])
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["doc_id", *TIME_COLUMNS])
    return pd.concat(frames, ignore_index=True)


def _shift_year(iso: object, years: int) -> object:
    """An ISO date moved by whole years (29 February → 28 February); None stays None."""
    if not iso:
        return iso
    day = dt.date.fromisoformat(str(iso)[:10])
    try:
        return day.replace(year=day.year + years).isoformat()
    except ValueError:
        return day.replace(year=day.year + years, day=28).isoformat()


def reanchor_this_year(
    time_expressions: pd.DataFrame, reference_date: object = None, period: object = None
) -> pd.DataFrame:
    """Resolve 今年 against the period of a report on a finished year, published early in the next year.

    The extractor counts 今年 from the day of writing (``reference_date``). A year-end report published in
    the first quarter of the following year speaks of the year it covers: 003 (published 2017-01-17, period
    2016) writes 今年包虫病患者实施药物治疗1134例 about 2016 results. When the period is one year ``P``, the
    reference date falls in January–March of ``P + 1``, 今年… rows resolved from the reference move back to
    ``P`` (``year_source`` becomes ``period``). 去年12月 written in January 2017 is December 2016 either way.

    Example:
        >>> from fupin_research.extract.time_expressions import extract_time_expressions
        >>> t = extract_time_expressions("今年完成1134例,去年12月开展验收", "2017-01-17", period="2016")
        >>> reanchor_this_year(t, "2017-01-17", "2016")[["surface", "start_date", "year_source"]].values.tolist()
        [['今年', '2016-01-01', 'period'], ['去年12月', '2016-12-01', 'reference']]
    """
    period_years = re.findall(r"(?:1[89]|20)\d{2}", str(period or ""))
    reference = re.fullmatch(r"(\d{4})-(\d{2})-\d{2}", str(reference_date or "")[:10])
    if len(set(period_years)) != 1 or reference is None or time_expressions.empty:
        return time_expressions
    period_year, ref_year, ref_month = int(period_years[0]), int(reference.group(1)), int(reference.group(2))
    if ref_year != period_year + 1 or ref_month > 3:
        return time_expressions
    mask = time_expressions["surface"].str.startswith("今年") & (time_expressions["year_source"] == "reference")
    out = time_expressions.copy()
    for column in ("start_date", "end_date"):
        out.loc[mask, column] = [_shift_year(v, -1) for v in out.loc[mask, column]]
    out.loc[mask, "year_source"] = "period"
    return out


def _clause_after(text: str, start: int, end: int, limit: int) -> str:
    """The expression plus the rest of its clause, cut before the next time expression (at ``limit``).

    A bare topic (“十三五”期间, 力争到2020年,) takes the next clause too.
    """
    match = _CLAUSE_END.search(text, end, limit)
    stop = match.start() if match else limit
    if stop - end < 2 and match and match.group() != "\n":
        following = _CLAUSE_END.search(text, stop + 1, limit)
        stop = following.start() if following else limit
    return text[start:stop].rstrip("、 ")


def targets_and_deadlines(
    time_expressions: pd.DataFrame, documents: pd.DataFrame, *, cues: Sequence[str] = TARGET_CUES
) -> pd.DataFrame:
    """The targets and deadlines the documents set, each with its clause and sentence.

    A time expression is kept when it points to the document's own year or later (``document_year``: the
    period, so a 2016–2020 plan speaks from 2016) and either is a deadline (到2020年, 2020年前) or its clause
    (up to the next time expression) holds a target word of ``cues`` (2016-2017年两年基本完成脱贫任务,
    2018年低保线达到省定扶贫标准线, 2018年实现…光伏全覆盖 in a 2017 text). 实现, 完成 and 全覆盖 also report
    results, so in the document's own year only the other (stronger) cues count. Five-year-plan names and
    relative words are periods, not targets, unless their clause holds a strong target word (“十三五”末,全省生态公益
    管护岗位将达16.01万个; “十三五”期间…每年增长20%以上). A year that is the subject of 是 describes that year
    (2017年是…基本完成脱贫任务…的关键之年) and is no target. ``target_year`` is the year of ``end_date``.

    Example:
        >>> docs = pd.DataFrame({"doc_id": ["a"], "period": ["2016"],
        ...     "text": ["到2014年年底减至394万人。2016-2017年两年基本完成脱贫任务,2018年低保线达到省定标准。"]})
        >>> t = targets_and_deadlines(corpus_time_expressions(docs), docs)
        >>> t[["surface", "kind", "target_year", "cue"]].values.tolist()
        [['2016-2017年', 'range', 2017, '基本完成'], ['2018年', 'year', 2018, '达到']]
        >>> docs = pd.DataFrame({"doc_id": ["b"], "period": ["2017"],
        ...     "text": ["2017年是基本完成脱贫任务的关键之年。“十三五”末,管护岗位将达16.01万个。"]})
        >>> t = targets_and_deadlines(corpus_time_expressions(docs), docs)
        >>> t[["surface", "target_year", "cue"]].values.tolist()
        [['“十三五”末', 2020, '将达']]
    """
    from fupin_research.split import split_sentences

    rows = []
    by_id = documents.set_index("doc_id", drop=False)
    for doc_id, group in time_expressions.groupby("doc_id", sort=True):
        row = by_id.loc[doc_id]
        text = row["text"]
        year = _document_year(row)
        sentences = split_sentences(text)
        starts = sentences["start"].tolist()
        group = group.sort_values("start", kind="stable")
        limits = [*group["start"].tolist()[1:], len(text)]
        for expr, limit in zip(group.itertuples(index=False), limits, strict=True):
            if expr.kind not in _TARGET_KINDS or not expr.end_date:
                continue
            if text.startswith("是", expr.end):  # 2017年是…之年: the year is described, not aimed at
                continue
            target_year = int(str(expr.end_date)[:4])
            if year is not None and target_year < year:
                continue
            clause = _clause_after(text, expr.start, expr.end, max(limit, expr.end))
            found = [(clause.find(c), c) for c in cues if c in clause]
            cue = min(found)[1] if found else ""  # the first target word of the clause
            later = year is None or target_year > year
            if not (expr.kind == "deadline" or (cue and (later or cue in _STRONG_CUES))):
                continue
            if expr.kind in _PLAN_KINDS and cue not in _STRONG_CUES:  # “十三五”脱贫攻坚规划编制完成: a result
                continue
            index = max(0, pd.Series(starts).searchsorted(expr.start, side="right") - 1) if starts else 0
            sentence = sentences.iloc[index] if starts else None
            rows.append((
                doc_id, expr.start, expr.end, expr.surface, expr.kind, expr.start_date, expr.end_date, target_year,
                year, cue, clause.replace("\n", " "),
                int(sentence["sentence_id"]) if sentence is not None else -1,
                str(sentence["text"]).replace("\n", " ") if sentence is not None else "",
            ))
    frame = pd.DataFrame(rows, columns=TARGET_COLUMNS)
    return frame.astype({"start": "int64", "end": "int64", "target_year": "int64", "sentence_id": "int64"})


def _fractional_year(iso: str, end: bool = False) -> float:
    """2017-12-31 → 2018.0 for an end, 2017-01-01 → 2017.0 for a start (so a year is a unit-wide bar)."""
    day = dt.date.fromisoformat(str(iso)[:10])
    first = dt.date(day.year, 1, 1)
    size = (dt.date(day.year + 1, 1, 1) - first).days
    return day.year + ((day - first).days + (1 if end else 0)) / size


def plot_timeline(
    targets: pd.DataFrame,
    documents: pd.DataFrame,
    time_expressions: pd.DataFrame | None = None,
    *,
    labels: dict[str, str] | None = None,
    ax=None,
    label_chars: int = 16,
    title: str = "各文档设定的目标与期限 / Targets and deadlines set by each document",
):
    """Draw targets and deadlines on a timeline, one row per document; return the figure.

    Each row shows the document's own date (filled dot: issued/published; hollow dot: repost, which is not
    its writing date), the period it covers (grey bar), its target ranges (bars) and target years or
    deadlines (diamonds at the end of the year) with a short label. With ``time_expressions`` the
    five-year-plan periods the documents name (十二五, 十三五 ...) are shaded in the background.
    ``labels`` maps doc_id → row label (default: the first three characters of the doc_id).
    """
    import matplotlib.pyplot as plt

    docs = documents.sort_values("doc_id", kind="stable").reset_index(drop=True)
    labels = labels or {d: str(d)[:3] for d in docs["doc_id"]}
    # One lane for the document itself, then one lane per distinct target, so labels never overlap.
    own_targets = {
        doc_id: targets[targets["doc_id"] == doc_id].drop_duplicates(["start_date", "end_date", "surface"])
        for doc_id in docs["doc_id"]
    }
    lanes = [1 + len(own_targets[d]) for d in docs["doc_id"]]
    tops = [sum(lanes[:i]) + 0.6 * i for i in range(len(docs))]
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 1.0 + 0.28 * (sum(lanes) + 0.6 * len(docs))))
    if time_expressions is not None:
        plans = time_expressions[time_expressions["kind"] == "fyp_period"]
        spans = sorted({(s, e) for s, e in zip(plans["start_date"], plans["end_date"], strict=True)})
        for i, (start, end) in enumerate(spans):
            left, right = _fractional_year(start), _fractional_year(end, end=True)
            ax.axvspan(left, right, color=("#f3e6c4", "#dfe9f0")[i % 2], zorder=0)
            name = plans.loc[plans["start_date"] == start, "surface"].iloc[0].strip("“”\"")[:3]
            ax.text((left + right) / 2, -0.9, f"“{name}”({start[:4]}–{end[:4]})", ha="center", va="center",
                    fontsize=9, color="#555555")
    for top, (_, row) in zip(tops, docs.iterrows(), strict=True):
        meta = _meta(row)
        if top:
            ax.axhline(top - 0.8, color="#bbbbbb", linewidth=0.8)
        years = [int(v) for v in re.findall(r"(?:1[89]|20)\d{2}", meta.get("period", "") or meta.get("year", ""))]
        if years:
            ax.plot([min(years), max(years) + 1], [top, top], color="#999999", linewidth=5,
                    solid_capstyle="butt", zorder=1)
        if meta.get("date"):
            reposted = meta.get("date_kind") == "reposted"
            ax.scatter(_fractional_year(meta["date"]), top, s=60, zorder=4, edgecolor="black",
                       facecolor="white" if reposted else "black")
        for k, target in enumerate(own_targets[row["doc_id"]].itertuples(index=False), start=1):
            y = top + k
            right = _fractional_year(target.end_date, end=True)
            if target.start_date and target.kind in ("range", "fyp_period"):  # “十三五”期间…每年: a span
                left = _fractional_year(target.start_date)
                ax.plot([left, right], [y, y], color="#b5443b", linewidth=4, zorder=3, solid_capstyle="butt")
            else:
                ax.scatter(right, y, marker="D", s=36, color="#b5443b", zorder=3)
            text = target.clause if len(target.clause) <= label_chars else target.clause[:label_chars] + "…"
            ax.text(right + 0.08, y, text, va="center", fontsize=8, zorder=5)
    ax.set_yticks(tops, [labels.get(d, str(d)) for d in docs["doc_id"]])
    ax.set_ylim(tops[-1] + lanes[-1] - 0.4, -1.5)
    left_edge, right_edge = ax.get_xlim()
    ax.set_xlim(left_edge, right_edge + 0.25 * label_chars)  # room for the labels of the last years
    ax.set_xlabel("年份(灰条:文档所述时期;黑点:发布日期;白点:转载日期;红条/红菱形:目标期限,标在该年年末)\n"
                  "year (grey bar: period covered; black dot: publication date; white dot: repost date; "
                  "red bar/diamond: target, at the end of its year)")
    ax.set_title(title)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    return ax.figure


# ---------------------------------------------------------------------------------------------- term series


def term_series(
    documents: pd.DataFrame, terms: Sequence[str] | None = None, *, kinds: Sequence[str] | None = ("report",)
) -> pd.DataFrame:
    """Long table of term counts per document: ``doc_id``, ``year``, ``kind``, ``term``, ``count``,
    ``per_10k_chars`` (per 10,000 characters of the normalized ``text``; see :func:`fupin_research.terms.count_terms`).

    ``terms`` defaults to ``data/key_terms.txt``; ``kinds`` keeps documents of those ``kind`` values
    (default: government work reports only, so the short NPC resolutions do not inflate the rates; ``None``
    keeps all). Sorted by year, doc_id and the order of ``terms``.

    Example:
        >>> docs = pd.DataFrame({"doc_id": ["r1", "x"], "year": ["2015", "2015"], "kind": ["report", "resolution"],
        ...                      "text": ["精准扶贫,扶贫开发", "扶贫"]})
        >>> term_series(docs, ["扶贫", "精准扶贫"])[["doc_id", "term", "count", "per_10k_chars"]].values.tolist()
        [['r1', '扶贫', 2, 2222.222222222222], ['r1', '精准扶贫', 1, 1111.111111111111]]
    """
    terms = list(load_key_terms() if terms is None else terms)
    docs = documents if kinds is None else documents[documents["kind"].isin(list(kinds))]
    docs = docs.assign(year=docs["year"].astype("int64")).sort_values(["year", "doc_id"], kind="stable")
    frames = []
    for row in docs.itertuples(index=False):
        counts = count_terms(row.text, terms)
        counts.insert(0, "kind", row.kind)
        counts.insert(0, "year", row.year)
        counts.insert(0, "doc_id", row.doc_id)
        frames.append(counts)
    if not frames:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    return pd.concat(frames, ignore_index=True)[SERIES_COLUMNS].astype({"year": "int64"})


COVERAGE_COLUMNS = ["year", "status", "session", "delivered_by", "resolution_in_corpus", "note"]


def load_reports_not_collected(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Delivered government work reports the corpus lacks (default ``data/reports_not_collected.csv``).

    Example:
        >>> load_reports_not_collected().set_index("year").loc[2020, "delivered_by"]
        '李克强'
    """
    from fupin_research.errors import InputError
    from fupin_research.paths import data_dir

    path = data_dir() / "reports_not_collected.csv" if path is None else path
    try:
        frame = pd.read_csv(path, comment="#", dtype=str).fillna("")
    except (OSError, pd.errors.ParserError) as error:
        raise InputError(f"{path}: cannot read the list of uncollected reports ({error})") from error
    missing = {"year", "session", "delivered_by", "note"} - set(frame.columns)
    if missing:
        raise InputError(f"{path}: missing columns {sorted(missing)}")
    return frame.assign(year=frame["year"].astype("int64"))


def report_coverage(documents: pd.DataFrame, not_collected: pd.DataFrame | None = None) -> pd.DataFrame:
    """The years between the first and last report that have no report in the corpus, and why.

    ``status`` is ``delivered, not collected`` for the years of ``not_collected`` (default
    :func:`load_reports_not_collected`) or a year whose NPC resolution on the report is in the corpus
    (``resolution_in_corpus``, from the manifest's ``kind``/``year``), else ``no report recorded``. A
    missing year is a gap in the collection, not in policy: plots leave it empty, never zero.

    Example:
        >>> docs = pd.DataFrame({"doc_id": ["a", "b", "r"], "year": ["2019", "2021", "2020"],
        ...                      "kind": ["report", "report", "resolution"]})
        >>> report_coverage(docs)[["year", "status", "resolution_in_corpus"]].values.tolist()
        [[2020, 'delivered, not collected', True]]
    """
    listed = (load_reports_not_collected() if not_collected is None else not_collected).set_index("year")
    years = documents["year"].astype("int64")
    reports = set(years[documents["kind"] == "report"])
    resolutions = set(years[documents["kind"] == "resolution"])
    rows = []
    for year in range(min(reports), max(reports) + 1):
        if year in reports:
            continue
        known = year in listed.index
        status = "delivered, not collected" if known or year in resolutions else "no report recorded"
        rows.append((year, status, listed.at[year, "session"] if known else "",
                     listed.at[year, "delivered_by"] if known else "", year in resolutions,
                     listed.at[year, "note"] if known else ""))
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS).astype({"year": "int64", "resolution_in_corpus": bool})


def raw_vs_normalized_counts(
    folder: str | os.PathLike[str], terms: Sequence[str], doc_ids: Iterable[str] | None = None
) -> pd.DataFrame:
    """Count ``terms`` in the raw file and in the normalized text of each document of ``folder``.

    Shows what normalization recovers: terms broken by a line break or a zero-width space, and traditional
    forms (貧困). Columns ``doc_id``, ``term``, ``raw_count``, ``normalized_count``; ``doc_ids`` limits the
    documents read (reading is the slow part).

    Example:
        >>> from fupin_research.paths import reports_corpus_dir
        >>> raw_vs_normalized_counts(reports_corpus_dir(), ["贫困"], ["1954_政府工作报告"]).values.tolist()
        [['1954_政府工作报告', '贫困', 0, 3]]
    """
    from fupin_research.corpus import corpus_files, read_document

    wanted = None if doc_ids is None else set(doc_ids)
    rows = []
    for path in corpus_files(folder):
        if wanted is not None and path.stem not in wanted:
            continue
        doc = read_document(path)
        for term in terms:
            rows.append((doc.doc_id, term, doc.raw.count(term), doc.text.count(term)))
    return pd.DataFrame(rows, columns=["doc_id", "term", "raw_count", "normalized_count"])


def series_matrix(series: pd.DataFrame, terms: Sequence[str] | None = None, value: str = "per_10k_chars"):
    """Pivot a :func:`term_series` table to term (rows, in ``terms`` order) × year (columns, sorted).

    Several documents of one year are summed for ``count`` and averaged for rates.

    Example:
        >>> s = pd.DataFrame({"doc_id": ["a", "b"], "year": [1994, 2015], "kind": ["report"] * 2,
        ...                   "term": ["扶贫"] * 2, "count": [1, 4], "per_10k_chars": [0.5, 2.0]})
        >>> series_matrix(s).values.tolist()
        [[0.5, 2.0]]
    """
    terms = list(dict.fromkeys(series["term"])) if terms is None else list(terms)
    matrix = series.pivot_table(index="term", columns="year", values=value,
                                aggfunc="sum" if value == "count" else "mean", fill_value=0)
    return matrix.reindex(index=terms, fill_value=0).sort_index(axis=1)


def plot_term_series(
    series: pd.DataFrame, terms: Sequence[str] | None = None, *, style: str = "lines", ncols: int = 3,
    title: str = ("政府工作报告中扶贫词汇的使用频率(每万字)\n"
                  "Poverty vocabulary in government work reports (per 10,000 characters)"),
):
    """Draw per-10,000-character rates by year: small multiples (``style="lines"``) or a heatmap
    (``style="heatmap"``). Years without a report are gaps, not zeros. Returns the figure.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    matrix = series_matrix(series, terms)
    years = matrix.columns.to_numpy()
    if style == "heatmap":
        full = list(range(int(years.min()), int(years.max()) + 1))
        values = np.ma.masked_invalid(np.log1p(matrix.reindex(columns=full).to_numpy(dtype=float)))
        fig, ax = plt.subplots(figsize=(13, 0.8 + 0.32 * len(matrix)))
        image = ax.imshow(values, aspect="auto", cmap="YlOrRd", interpolation="nearest")  # no report: blank
        ax.set_yticks(range(len(matrix)), matrix.index)
        ticks = [i for i, y in enumerate(full) if y % 5 == 0]
        ax.set_xticks(ticks, [str(full[i]) for i in ticks], rotation=90)
        ax.set_xlabel("报告年份(空白:语料中无该年报告) / report year (blank: no report in the corpus)")
        colorbar = fig.colorbar(image, ax=ax, shrink=0.8)
        colorbar.set_label("log(1 + 每万字次数) / log(1 + per 10k chars)")
        ax.set_title(title)
        return fig
    nrows = -(-len(matrix) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 2.0 * nrows), sharex=True, squeeze=False)
    full = np.arange(int(years.min()), int(years.max()) + 1)
    for ax, (term, values) in zip(axes.flat, matrix.iterrows(), strict=False):
        line = pd.Series(values.to_numpy(dtype=float), index=years).reindex(full)  # missing years → gaps
        ax.plot(full, line.to_numpy(), color="#b5443b", linewidth=1.4)
        ax.scatter(years, values.to_numpy(dtype=float), s=6, color="#b5443b")
        ax.set_title(term, fontsize=10)
        ax.grid(color="#eeeeee", linewidth=0.6)
    for ax in list(axes.flat)[len(matrix):]:
        ax.set_visible(False)
    fig.suptitle(title)
    fig.supxlabel("报告年份 / report year (gaps: no report in the corpus)")
    return fig


# ---------------------------------------------------------------------------------------------- figures

POVERTY_INDICATORS: tuple[str, ...] = ("poverty_incidence", "poor_lifted", "poor_remaining", "poor_population")
FIGURE_COLUMNS = [
    "doc_id", "year", "start", "end", "surface", "value", "unit", "indicator", "label_zh", "measure", "stated_year",
    "role", "noun_after", "sentence",
]
# Words before a figure, in its sentence, that make it a target rather than a reported result
# (力争今年农村贫困人口再减少1000万以上, 今年要完成1000万以上农村贫困人口脱贫任务, 主要预期目标是：…减少1000万以上).
# Not 要 alone (主要, 重要), 将 alone (将…纳入) or 目标 alone (以解决温饱问题为目标的扶贫工作…减少700万: a result).
FIGURE_TARGET_CUES: tuple[str, ...] = (
    "力争", "确保", "争取", "目标是", "计划", "今年要", "今年也要", "今年再", "要完成", "要再",
)
_SENTENCE_END = re.compile(r"[。！？!?\n]")
# How far after a figure its noun may start: 1000万以上农村贫困人口 (以上 and 农村 stand between).
_NOUN_AFTER_CHARS = 8


def _indicator_after(text: str, end: int, patterns: Sequence[tuple[str, re.Pattern[str]]]) -> str:
    """The first indicator whose pattern matches in the words right after a figure, within its clause."""
    stop = _CLAUSE_END.search(text, end)
    window = text[end:stop.start() if stop else len(text)][: _NOUN_AFTER_CHARS + 12]
    for indicator, pattern in patterns:
        match = pattern.search(window)
        if match and match.start() <= _NOUN_AFTER_CHARS:
            return indicator
    return ""


def figure_role(text: str, start: int) -> str:
    """``target`` when the sentence before a figure holds a word of ``FIGURE_TARGET_CUES``, else ``result``.

    Example:
        >>> t = "去年减少1442万人,今年要完成1000万以上农村贫困人口脱贫任务"
        >>> figure_role(t, t.index("1442")), figure_role(t, t.index("1000"))
        ('result', 'target')
    """
    sentence_start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    before = text[sentence_start:start]
    return "target" if any(cue in before for cue in FIGURE_TARGET_CUES) else "result"


def poverty_figures(
    documents: pd.DataFrame,
    indicators: Sequence[str] = POVERTY_INDICATORS,
    *,
    kinds: Sequence[str] | None = ("report",),
) -> pd.DataFrame:
    """The poverty figures each document states: quantities whose indicator (``data/indicators.csv``, via
    :func:`fupin_research.audit.attribute_quantities`) is one of ``indicators``, with their sentence.

    ``year`` is the document's year (manifest ``year``, else its period); ``stated_year`` the year the
    attribution gives the figure (贫困人口由4960万人减少到2820万人 in the 2003 report speaks of 2002).
    Values are exact (int or Decimal). Sorted by year, doc_id and offset.

    The attribution reads the words *before* a figure. A figure whose noun comes after it
    (今年要完成1000万以上农村贫困人口脱贫任务, 2016) is attributed here from the words right after it, within
    its clause (``noun_after`` is True for these rows). ``role`` is ``target`` or ``result`` (:func:`figure_role`).

    Example:
        >>> docs = pd.DataFrame({"doc_id": ["r"], "year": ["2018"], "kind": ["report"],
        ...                      "text": ["贫困发生率由10.2%下降到3.1%。"]})
        >>> poverty_figures(docs)[["surface", "indicator", "label_zh", "role"]].values.tolist()
        [['10.2%', 'poverty_incidence', '贫困发生率', 'result'], ['3.1%', 'poverty_incidence', '贫困发生率', 'result']]
        >>> docs.loc[0, "text"] = "今年要完成1000万以上农村贫困人口脱贫任务。"
        >>> poverty_figures(docs)[["surface", "indicator", "role", "noun_after"]].values.tolist()
        [['1000万', 'poor_lifted', 'target', True]]
    """
    from fupin_research.audit import attribute_quantities, load_indicators
    from fupin_research.extract.quantities import extract_quantities
    from fupin_research.split import split_sentences

    table = load_indicators()
    labels = dict(zip(*table[["indicator", "label_zh"]].to_numpy().T, strict=True))
    patterns = [(ind, re.compile(str(pat))) for ind, pat in zip(table["indicator"], table["patterns"], strict=True)
                if ind in set(indicators)]
    docs = documents if kinds is None else documents[documents["kind"].isin(list(kinds))]
    frames = []
    for _, row in docs.sort_values("doc_id", kind="stable").iterrows():
        year = _document_year(row)
        text = row["text"]
        sentences = split_sentences(text)
        attributed = attribute_quantities(text, extract_quantities(text), sentences, doc_id=row["doc_id"],
                                          period=str(year) if year else None)
        # Number before its noun (1000万以上农村贫困人口): attribute unattributed people figures from what follows.
        blank = (attributed["indicator"].fillna("") == "") & (attributed["unit"] == "人")
        after = [_indicator_after(text, int(e), patterns) if b else ""
                 for b, e in zip(blank, attributed["ext_end"], strict=True)]
        attributed = attributed.assign(noun_after=[bool(a) for a in after])
        attributed.loc[attributed["noun_after"], "indicator"] = [a for a in after if a]
        attributed = attributed[attributed["indicator"].isin(list(indicators))]
        if attributed.empty:
            continue
        by_id = dict(zip(sentences["sentence_id"], sentences["text"], strict=True))
        frames.append(pd.DataFrame({
            "doc_id": row["doc_id"], "year": year, "start": attributed["start"], "end": attributed["end"],
            "surface": attributed["surface"], "value": attributed["value"], "unit": attributed["unit"],
            "indicator": attributed["indicator"], "label_zh": attributed["indicator"].map(labels),
            "measure": attributed["measure"], "stated_year": attributed["year"],
            "role": [figure_role(text, int(start)) for start in attributed["start"]],
            "noun_after": attributed["noun_after"],
            "sentence": [str(by_id.get(i, "")).replace("\n", " ") for i in attributed["sentence_id"]],
        }))
    if not frames:
        return pd.DataFrame(columns=FIGURE_COLUMNS)
    frame = pd.concat(frames, ignore_index=True)[FIGURE_COLUMNS]
    return frame.sort_values(["year", "doc_id", "start"], kind="stable").reset_index(drop=True)
