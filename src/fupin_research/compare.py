"""Compare coded policy texts: instrument distributions, document profiles, provinces and their practices.

Pure functions on the tables of :mod:`fupin_research.structure` (units) and :mod:`fupin_research.coding`
(codes), used by notebooks 05 (policy instruments) and 06 (provinces), plus two small display helpers: a
CSV download link that embeds the data in the page and a labelled heatmap. Every table comes out sorted
explicitly (codebook order, or counts with ties broken by name), so notebook outputs are reproducible.
"""

from __future__ import annotations

import base64
import html
from typing import Any

import pandas as pd

from fupin_research.build import units_with_province
from fupin_research.coding import NO_CODE, chosen_codes, load_codebook

TYPE_ORDER = ["supply", "environmental", "demand"]
SECTION_SEPARATOR = " > "
# Chinese names of the manifest's genres, for plot labels.
GENRE_ZH = {
    "yearbook entry": "年鉴条目",
    "policy document": "政策文件",
    "briefing": "简报",
    "news report": "新闻报道",
    "bulletin": "工作动态",
}
# Landis & Koch (1977) verbal bands for kappa: (upper bound, label).
KAPPA_BANDS = [(0.0, "poor"), (0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial"),
               (1.0, "almost perfect")]


def corpus_units(documents: pd.DataFrame) -> pd.DataFrame:
    """Analysis units of every document of a documents table (as from :func:`fupin_research.load_corpus`).

    Uses :func:`fupin_research.build.units_with_province`, so the units are exactly those of ``fupin build``:
    split on the clean ``text``, and a single-province document's units carry the manifest ``province``.

    Example:
        >>> docs = pd.DataFrame({"doc_id": ["009_x"], "province": ["青海"],
        ...                      "text": ["一、要求\\n1.识别。\\n"]})
        >>> corpus_units(docs)[["unit_id", "province"]].values.tolist()
        [['009-1', '青海'], ['009-1-0-1', '青海']]
    """
    frames = [
        units_with_province(row["doc_id"], row["text"], str(row.get("province", "") or ""))
        for row in documents.to_dict("records")
    ]
    return pd.concat(frames, ignore_index=True)


def document_labels(documents: pd.DataFrame) -> pd.Series:
    """Short plot labels for documents: ``000 山东 · 年鉴条目`` (id prefix, province, genre in Chinese).

    Genres without a Chinese name are shown as written; the result is indexed by ``doc_id``.

    Example:
        >>> docs = pd.DataFrame({"doc_id": ["003_c7"], "province": ["青海"], "genre": ["news report"]})
        >>> document_labels(docs).tolist()
        ['003 青海 · 新闻报道']
    """
    prefix = documents["doc_id"].astype(str).str.split("_", n=1).str[0]
    genre = documents["genre"].fillna("").map(lambda g: GENRE_ZH.get(g, g))
    labels = prefix + " " + documents["province"].fillna("") + " · " + genre
    return pd.Series(labels.values, index=documents["doc_id"].values, name="label")


def kappa_band(kappa: float) -> str:
    """The Landis & Koch (1977) verbal band of a kappa value (poor < 0 <= slight <= .20 < fair <= .40 ...).

    The bands are stated on two decimals (0.41-0.60 moderate, 0.61-0.80 substantial), so kappa is rounded to
    two decimals first: 0.603 is moderate.

    Example:
        >>> kappa_band(0.556), kappa_band(0.603), kappa_band(0.61), kappa_band(-0.1), kappa_band(float("nan"))
        ('moderate', 'moderate', 'substantial', 'poor', 'undefined')
    """
    if kappa != kappa:  # nan
        return "undefined"
    kappa = round(float(kappa), 2)
    if kappa < 0:
        return "poor"
    for upper, label in KAPPA_BANDS[1:]:
        if kappa <= upper:
            return label
    return KAPPA_BANDS[-1][1]


def code_labels(codebook: dict[str, Any] | None = None, lang: str = "zh") -> dict[str, str]:
    """Map every code id and instrument type of the codebook to its label (``lang`` = ``zh`` or ``en``).

    ``none`` (no code) maps to 无 / none.

    Example:
        >>> labels = code_labels()
        >>> labels["supply.funds"], labels["demand"], labels["target.health"], labels["none"]
        ('资金投入', '需求型', '健康扶贫', '无')
    """
    book = codebook or load_codebook()
    key = f"label_{lang}"
    labels = {NO_CODE: "无" if lang == "zh" else "none"}
    for spec in book["dimensions"].values():
        for type_id, type_spec in (spec.get("types") or {}).items():
            labels[type_id] = str(type_spec.get(key, type_id))
        for code in spec.get("codes", []):
            labels[code["id"]] = str(code.get(key, code["id"]))
    return labels


def _code_order(book: dict[str, Any], dimension: str) -> list[str]:
    return [code["id"] for code in book["dimensions"][dimension].get("codes", [])]


def coding_table(
    units: pd.DataFrame, codes: pd.DataFrame, codebook: dict[str, Any] | None = None
) -> pd.DataFrame:
    """One row per unit: its primary instrument (and type) and primary target area, with the evidence.

    Columns: ``doc_id, unit_id, province, heading, instrument_type, instrument, instrument_zh, target_area,
    target_area_zh, instrument_evidence, target_evidence, chars``. A unit without evidence in a dimension
    gets ``none``; the evidence columns list the distinct matched words of the primary code, in text order.

    Example:
        >>> units = pd.DataFrame({"doc_id": ["d", "d"], "unit_id": ["d-1", "d-2"], "province": ["", ""],
        ...     "heading": ["一、贷款", "二、其他"], "start": [0, 30],
        ...     "text": ["对建档立卡贫困户发放扶贫小额信贷，给予财政贴息支持。", "脱贫攻坚取得显著成效。"]})
        >>> from fupin_research.coding import code_units
        >>> table = coding_table(units, code_units(units))
        >>> table[["unit_id", "instrument", "target_area", "target_evidence"]].values.tolist()
        [['d-1', 'environmental.finance_credit', 'target.finance', '小额信贷、贴息'], ['d-2', 'none', 'none', '']]
    """
    book = codebook or load_codebook()
    labels = code_labels(book)
    prim = chosen_codes(codes, book)
    keys = ["doc_id", "unit_id"]
    table = units[[*keys, "province", "heading", "text"]].copy()
    table["chars"] = table.pop("text").str.len()
    for dim, column in [("instrument", "instrument"), ("target_area", "target_area")]:
        chosen = prim[prim.dimension == dim][[*keys, "code", "type"]].rename(
            columns={"code": column, "type": f"{column}_type"}
        )
        table = table.merge(chosen, on=keys, how="left")
        table[column] = table[column].fillna(NO_CODE)
        evidence = codes[codes.dimension == dim].sort_values(["doc_id", "start"], kind="stable")
        words = (
            evidence.drop_duplicates([*keys, "code", "evidence"])
            .groupby([*keys, "code"], sort=False)["evidence"]
            .agg("、".join)
            .rename(f"{'instrument' if dim == 'instrument' else 'target'}_evidence")
            .reset_index()
            .rename(columns={"code": column})
        )
        table = table.merge(words, on=[*keys, column], how="left")
        table[f"{column}_zh"] = table[column].map(labels)
    table["instrument_type"] = table.pop("instrument_type").fillna(NO_CODE).replace("", NO_CODE)
    table = table.drop(columns=["target_area_type"])
    for column in ["instrument_evidence", "target_evidence"]:
        table[column] = table[column].fillna("")
    columns = ["doc_id", "unit_id", "province", "heading", "instrument_type", "instrument", "instrument_zh",
               "target_area", "target_area_zh", "instrument_evidence", "target_evidence", "chars"]
    return table[columns].reset_index(drop=True)


def instrument_distribution(codes: pd.DataFrame, codebook: dict[str, Any] | None = None,
                            *, by: str = "code") -> pd.DataFrame:
    """How often each instrument sub-tool (``by="code"``) or type (``by="type"``) occurs, in codebook order.

    Columns: ``code, type, label_zh, label_en, matches`` (evidence matches), ``units`` (units with any
    evidence), ``primary_units`` (units where it is the primary instrument: one vote per unit) and
    ``primary_share`` (primary_units over all units with an instrument, in %, one decimal). Sub-tools or types
    never found are kept with zeros, so the table always has the codebook's rows.

    Example:
        >>> codes = pd.DataFrame({"doc_id": ["d"] * 3, "unit_id": ["u1", "u1", "u2"],
        ...     "dimension": ["instrument"] * 3, "code": ["supply.funds", "demand.pilots", "supply.funds"],
        ...     "type": ["supply", "demand", "supply"], "evidence": ["助学金", "试点", "助学金"],
        ...     "start": [0, 3, 9], "end": [3, 5, 12]})
        >>> dist = instrument_distribution(codes, by="type")
        >>> dist[["code", "matches", "units", "primary_units", "primary_share"]].values.tolist()
        [['supply', 2, 2, 2, 100.0], ['environmental', 0, 0, 0, 0.0], ['demand', 1, 1, 0, 0.0]]
    """
    if by not in {"code", "type"}:
        raise ValueError("instrument_distribution: by must be 'code' or 'type'")
    book = codebook or load_codebook()
    spec = book["dimensions"]["instrument"]
    en = code_labels(book, "en")
    zh = code_labels(book, "zh")
    inst = codes[codes.dimension == "instrument"]
    prim = chosen_codes(codes, book)
    prim = prim[prim.dimension == "instrument"]
    if by == "code":
        rows = [(c["id"], c["type"]) for c in spec["codes"]]
    else:
        rows = [(t, t) for t in spec.get("types", {})]
    key = "code" if by == "code" else "type"
    matches = inst.groupby(key).size()
    units = inst.drop_duplicates(["doc_id", "unit_id", key]).groupby(key).size()
    primary = prim.groupby(key).size()
    total = max(len(prim), 1)
    frame = pd.DataFrame(
        [
            (cid, ctype, zh[cid], en[cid], int(matches.get(cid, 0)), int(units.get(cid, 0)),
             int(primary.get(cid, 0)))
            for cid, ctype in rows
        ],
        columns=["code", "type", "label_zh", "label_en", "matches", "units", "primary_units"],
    )
    frame["primary_share"] = (100.0 * frame.primary_units / total).round(1)
    return frame


def document_profiles(codes: pd.DataFrame, codebook: dict[str, Any] | None = None,
                      *, primary: bool = True) -> pd.DataFrame:
    """Share (%) of supply / environmental / demand instruments per document.

    With ``primary=True`` each unit votes once, for the type of its primary instrument; otherwise every
    evidence match counts. Index ``doc_id`` (sorted); columns the three types (rows sum to 100, one decimal)
    and ``n`` (units or matches counted).

    Example:
        >>> codes = pd.DataFrame({"doc_id": ["a", "a", "b"], "unit_id": ["u1", "u2", "u1"],
        ...     "dimension": ["instrument"] * 3, "code": ["supply.funds", "demand.pilots", "supply.funds"],
        ...     "type": ["supply", "demand", "supply"], "evidence": ["助学金", "示范区", "助学金"],
        ...     "start": [0, 9, 0], "end": [3, 12, 3]})
        >>> document_profiles(codes).values.tolist()
        [[50.0, 0.0, 50.0, 2.0], [100.0, 0.0, 0.0, 1.0]]
    """
    book = codebook or load_codebook()
    types = list(book["dimensions"]["instrument"].get("types", {})) or TYPE_ORDER
    inst = codes[codes.dimension == "instrument"]
    if primary and not inst.empty:
        inst = chosen_codes(codes, book)
        inst = inst[inst.dimension == "instrument"]
    counts = pd.crosstab(inst.doc_id, inst.type).reindex(columns=types, fill_value=0).sort_index()
    n = counts.sum(axis=1)
    shares = (100.0 * counts.div(n.where(n > 0, 1), axis=0)).round(1)
    shares["n"] = n
    shares.columns.name = None
    return shares


def section_of(units: pd.DataFrame) -> pd.Series:
    """The level-1 heading (theme) each unit sits under: the first part of its ``heading`` path.

    Example:
        >>> units = pd.DataFrame({"heading": ["一、建档立卡 > 广西", "二、深度贫困", ""]})
        >>> section_of(units).tolist()
        ['一、建档立卡', '二、深度贫困', '']
    """
    return units["heading"].fillna("").str.split(SECTION_SEPARATOR, n=1, regex=False).str[0]


def province_source(units: pd.DataFrame) -> pd.Series:
    """Row labels ``province · doc`` (``广西 · 004``): a province's practice as told by one document.

    ``doc`` is the part of ``doc_id`` before the first ``_``; units without a province give ``""``.

    Example:
        >>> units = pd.DataFrame({"doc_id": ["004_b", "004_b", "001_f"], "province": ["广西", "", "山东"]})
        >>> province_source(units).tolist()
        ['广西 · 004', '', '山东 · 001']
    """
    doc = units["doc_id"].astype(str).str.split("_", n=1).str[0]
    province = units["province"].fillna("").astype(str)
    return (province + " · " + doc).where(province != "", "")


def province_theme_matrix(
    units: pd.DataFrame,
    codes: pd.DataFrame | None = None,
    *,
    by: str = "section",
    codebook: dict[str, Any] | None = None,
    primary: bool = False,
    rows: str = "province",
) -> pd.DataFrame:
    """Count units per province (rows) and theme (columns).

    ``by="section"``: the theme is the level-1 heading a unit sits under (bulletin 004's four themes); cells
    count units. ``by`` = a codebook dimension (``"target_area"``, ``"instrument"``): cells count the units of
    the province with evidence of the code (with ``primary=True`` only each unit's primary code); all codes
    of the dimension are columns, in codebook order, so an empty column shows a practice nobody reports.
    Only units with a non-empty ``rows`` value count (``rows`` is a column of ``units``, e.g. a
    :func:`province_source` label). Rows are sorted by total (descending), ties by name.

    Example:
        >>> units = pd.DataFrame({"doc_id": ["d"] * 4, "unit_id": ["d-1", "d-1-1", "d-1-2", "d-2-1"],
        ...     "heading": ["一、识别", "一、识别 > 广西", "一、识别 > 甘肃", "二、监督 > 甘肃"],
        ...     "province": ["", "广西", "甘肃", "甘肃"]})
        >>> province_theme_matrix(units).values.tolist()
        [[1, 1], [1, 0]]
        >>> province_theme_matrix(units).index.tolist(), province_theme_matrix(units).columns.tolist()
        (['甘肃', '广西'], ['一、识别', '二、监督'])
    """
    keys = ["doc_id", "unit_id"]
    placed = units[units[rows].fillna("").astype(str) != ""]
    if by == "section":
        themes = section_of(placed)
        pairs = pd.DataFrame({"row": placed[rows].values, "theme": themes.values})
        pairs = pairs[pairs.theme != ""]
        # Sections in order of first appearance in the text, not alphabetically.
        columns = list(dict.fromkeys(pairs.theme))
    else:
        if codes is None:
            raise ValueError(f"province_theme_matrix: by={by!r} needs the codes table")
        book = codebook or load_codebook()
        if by not in book["dimensions"]:
            raise ValueError(f"province_theme_matrix: unknown dimension {by!r}")
        chosen = codes[codes.dimension == by]
        if primary and not chosen.empty:
            chosen = chosen_codes(codes, book)
            chosen = chosen[chosen.dimension == by]
        found = chosen[[*keys, "code"]].drop_duplicates()
        pairs = placed[[*keys, rows]].merge(found, on=keys).rename(columns={rows: "row", "code": "theme"})
        columns = _code_order(book, by)
    table = pd.crosstab(pairs["row"], pairs["theme"]) if len(pairs) else pd.DataFrame()
    table = table.reindex(columns=columns, fill_value=0)
    order = sorted(table.index, key=lambda name: (-int(table.loc[name].sum()), name))
    table = table.reindex(index=order).astype("int64")
    table.index.name, table.columns.name = rows, by
    return table


def shared_and_unique_practices(matrix: pd.DataFrame, *, min_units: int = 1) -> pd.DataFrame:
    """Which practices (columns of a province x theme matrix) several provinces share, which one alone has.

    A province "has" a practice when its cell holds at least ``min_units`` units. Columns of the result:
    ``practice, n_provinces, status`` (``shared`` / ``unique`` / ``absent``), ``provinces`` (joined with 、,
    most units first, ties by name) and ``units`` (total). Sorted by n_provinces descending, then by the
    matrix's column order.

    Example:
        >>> matrix = pd.DataFrame({"a": [2, 1], "b": [0, 3], "c": [0, 0]}, index=["甘肃", "广西"])
        >>> shared_and_unique_practices(matrix).values.tolist()
        [['a', 2, 'shared', '甘肃、广西', 3], ['b', 1, 'unique', '广西', 3], ['c', 0, 'absent', '', 0]]
    """
    rows = []
    for position, practice in enumerate(matrix.columns):
        cells = matrix[practice]
        holders = cells[cells >= min_units]
        names = sorted(holders.index, key=lambda name: (-int(holders[name]), str(name)))
        n = len(names)
        status = "shared" if n > 1 else "unique" if n == 1 else "absent"
        rows.append((practice, n, status, "、".join(map(str, names)), int(cells.sum()), position))
    columns = ["practice", "n_provinces", "status", "provinces", "units", "position"]
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.sort_values(["n_provinces", "position"], ascending=[False, True], kind="stable")
    return frame.drop(columns="position").reset_index(drop=True)


def province_paragraphs(units: pd.DataFrame, width: int = 60) -> pd.DataFrame:
    """The province-led paragraphs of a bulletin, for reading: ``section, province, unit_id, excerpt``.

    Only level-2 units with a province count (bulletin 004's ``广西  制定...`` paragraphs); the excerpt is the
    paragraph without the province name, cut to ``width`` characters (… marks a cut). Text order.

    Example:
        >>> units = pd.DataFrame({"unit_id": ["d-1", "d-1-1"], "level": [1, 2], "province": ["", "内蒙古"],
        ...     "heading": ["一、识别", "一、识别 > 内蒙"], "start": [0, 5],
        ...     "text": ["一、识别", "内蒙  组织力量入户核查。"]})
        >>> province_paragraphs(units, width=4).values.tolist()
        [['一、识别', '内蒙古', 'd-1-1', '组织力量…']]
    """
    chosen = units[(units["level"] == 2) & (units["province"].fillna("") != "")].sort_values(
        ["doc_id", "start"] if "doc_id" in units else ["start"], kind="stable"
    )
    excerpts = []
    for text in chosen["text"]:
        # drop the province name and the spaces after it (the split found "name + spaces" at the start)
        body = text.split(None, 1)[1] if len(text.split(None, 1)) > 1 else text
        body = " ".join(body.split())
        excerpts.append(body if len(body) <= width else body[:width] + "…")
    return pd.DataFrame({"section": section_of(chosen).values, "province": chosen["province"].values,
                         "unit_id": chosen["unit_id"].values, "excerpt": excerpts})


def province_practices(
    units: pd.DataFrame,
    codes: pd.DataFrame,
    codebook: dict[str, Any] | None = None,
    *,
    dimensions: tuple[str, ...] = ("target_area", "instrument"),
    min_units: int = 1,
    rows: str = "province",
) -> pd.DataFrame:
    """Shared and unique practices over several codebook dimensions, with Chinese labels.

    For each dimension, :func:`province_theme_matrix` (any evidence, not only primary codes) and
    :func:`shared_and_unique_practices`; columns ``dimension, practice, label_zh, n_provinces, status,
    provinces, units``, dimensions in the order given.

    Example:
        >>> units = pd.DataFrame({"doc_id": ["d", "d"], "unit_id": ["d-1", "d-2"],
        ...     "province": ["广西", "甘肃"], "start": [0, 9], "text": ["发放扶贫贷款。", "开展督查。"]})
        >>> from fupin_research.coding import code_units
        >>> table = province_practices(units, code_units(units), dimensions=("target_area",))
        >>> table[table.status != "absent"][["label_zh", "status", "provinces"]].values.tolist()
        [['金融扶贫', 'unique', '广西'], ['监督考核', 'unique', '甘肃']]
    """
    book = codebook or load_codebook()
    labels = code_labels(book)
    frames = []
    for dim in dimensions:
        matrix = province_theme_matrix(units, codes, by=dim, codebook=book, rows=rows)
        table = shared_and_unique_practices(matrix, min_units=min_units)
        table.insert(0, "dimension", dim)
        table.insert(2, "label_zh", table.practice.map(labels))
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


QUANTITY_FACT_COLUMNS = ["province", "doc_id", "unit_id", "surface", "value", "unit", "unit_kind", "measure",
                         "indicator", "year", "start", "end"]


def corpus_quantities(documents: pd.DataFrame) -> pd.DataFrame:
    """Quantities of every document with their attribution (measure, indicator, year, place).

    Runs :func:`fupin_research.extract.quantities.extract_quantities` on each clean ``text`` and
    :func:`fupin_research.audit.attribute_quantities` with the manifest's ``period`` and ``province``; offsets
    point into the clean text. (Imported here, not at module level: the quantity modules are optional for the
    rest of this module.)

    Example:
        >>> docs = pd.DataFrame({"doc_id": ["d"], "province": ["青海"], "period": ["2016"],
        ...                      "text": ["全省投入资金17.1亿元。"]})
        >>> corpus_quantities(docs)[["doc_id", "surface", "start", "end"]].values.tolist()
        [['d', '17.1亿元', 6, 12]]
    """
    from fupin_research.audit import attribute_quantities
    from fupin_research.extract.quantities import extract_quantities

    frames = []
    for row in documents.to_dict("records"):
        text = row["text"]
        found = extract_quantities(text)
        period, province = row.get("period") or None, row.get("province") or None
        attributed = attribute_quantities(text, found, doc_id=row["doc_id"], period=period, province=province)
        frames.append(attributed)
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return pd.DataFrame(columns=["doc_id", "start", "end"])
    return pd.concat(frames, ignore_index=True)


def province_quantities(units: pd.DataFrame, quantities: pd.DataFrame) -> pd.DataFrame:
    """The province-level facts: quantities that fall in a unit with a province, with that unit and province.

    A quantity belongs to the unit whose span holds its ``start`` (units of a document do not overlap).
    Quantities outside any unit with a province (the bulletin's preamble, say) are left out. Columns
    ``QUANTITY_FACT_COLUMNS`` (those the quantities table lacks are filled with ""); sorted by province,
    doc_id and start.

    Example:
        >>> units = pd.DataFrame({"doc_id": ["d", "d"], "unit_id": ["d-p1", "d-1-1"],
        ...                       "province": ["", "河南"], "start": [0, 10], "end": [9, 30]})
        >>> quantities = pd.DataFrame({"doc_id": ["d", "d"], "start": [2, 15], "end": [5, 20],
        ...     "surface": ["10个", "20多万"], "value": [10, 200000], "unit": ["个", "人"]})
        >>> province_quantities(units, quantities)[["province", "unit_id", "surface"]].values.tolist()
        [['河南', 'd-1-1', '20多万']]
    """
    rows = []
    spans = {doc: part.sort_values("start") for doc, part in units.groupby("doc_id", sort=False)}
    for index, q in quantities.iterrows():
        part = spans.get(q["doc_id"])
        if part is None:
            continue
        inside = part[(part.start <= q["start"]) & (q["start"] < part.end)]
        if inside.empty or not str(inside.province.iloc[0]):
            continue
        rows.append((index, inside.unit_id.iloc[0], inside.province.iloc[0]))
    picked = quantities.loc[[index for index, _, _ in rows]].copy()
    picked["unit_id"] = [unit for _, unit, _ in rows]
    picked["province"] = [province for _, _, province in rows]
    for column in QUANTITY_FACT_COLUMNS:
        if column not in picked:
            picked[column] = ""
    picked = picked.sort_values(["province", "doc_id", "start"], kind="stable")
    return picked[QUANTITY_FACT_COLUMNS].reset_index(drop=True)


def province_fact_counts(facts: pd.DataFrame) -> pd.DataFrame:
    """How many province-level facts each province has, by kind of unit (money, people, classifier ...).

    ``facts`` is :func:`province_quantities`. Columns: the ``unit_kind`` values (sorted), ``total`` and
    ``documents`` (how many documents the facts come from); rows by total descending, ties by name.

    Example:
        >>> facts = pd.DataFrame({"province": ["河南", "河南", "广西"], "doc_id": ["a", "b", "a"],
        ...                       "unit_kind": ["money", "people", "money"]})
        >>> province_fact_counts(facts).values.tolist()
        [[1, 1, 2, 2], [1, 0, 1, 1]]
    """
    table = pd.crosstab(facts["province"], facts["unit_kind"])
    table = table.reindex(columns=sorted(table.columns))
    table["total"] = table.sum(axis=1)
    table["documents"] = facts.groupby("province")["doc_id"].nunique()
    order = sorted(table.index, key=lambda name: (-int(table.loc[name, "total"]), name))
    table = table.reindex(order)
    table.columns.name = None
    return table


def split_hand_codes(hand: pd.DataFrame, units: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split hand codes into those whose unit exists in ``units`` and those whose unit id is not found.

    Hand codes name units by id; if the units were split from a different version of the text (raw instead
    of clean, say) an id may be missing or point elsewhere. Agreement should be computed on the found part
    only, and the missing part reported.

    Example:
        >>> hand = pd.DataFrame({"doc_id": ["d", "d"], "unit_id": ["d-1", "d-p9"], "dimension": ["x", "x"],
        ...     "code": ["none", "none"], "reason": ["", ""]})
        >>> units = pd.DataFrame({"doc_id": ["d"], "unit_id": ["d-1"]})
        >>> found, missing = split_hand_codes(hand, units)
        >>> found.unit_id.tolist(), missing.unit_id.tolist()
        (['d-1'], ['d-p9'])
    """
    known = set(zip(units.doc_id, units.unit_id))
    found = [(d, u) in known for d, u in zip(hand.doc_id, hand.unit_id)]
    mask = pd.Series(found, index=hand.index, dtype=bool)
    return hand[mask].reset_index(drop=True), hand[~mask].reset_index(drop=True)


def csv_download_link(frame: pd.DataFrame, filename: str, label: str | None = None):
    """An HTML link that downloads ``frame`` as a UTF-8 CSV, embedded in the page (a base64 ``data:`` URI).

    The HTML report then offers the download without any extra file. A byte-order mark is prepended so that
    spreadsheet programs detect UTF-8 and show the Chinese text. The CSV has no index column.

    Example:
        >>> link = csv_download_link(pd.DataFrame({"a": [1]}), "t.csv")
        >>> link.data.startswith('<a download="t.csv" href="data:text/csv;charset=utf-8;base64,')
        True
    """
    from IPython.display import HTML

    payload = "\ufeff" + frame.to_csv(index=False, lineterminator="\n")
    encoded = base64.b64encode(payload.encode("utf-8")).decode("ascii")
    text = label or f"Download {filename} ({len(frame)} rows, CSV)"
    return HTML(
        f'<a download="{html.escape(filename)}" href="data:text/csv;charset=utf-8;base64,{encoded}">'
        f"{html.escape(text)}</a>"
    )


def decode_download_link(link_html: str) -> pd.DataFrame:
    """Read back the CSV embedded by :func:`csv_download_link` (for tests and for checking a report).

    Example:
        >>> frame = pd.DataFrame({"省份": ["广西"], "n": [2]})
        >>> decode_download_link(csv_download_link(frame, "x.csv").data).equals(frame)
        True
    """
    import io

    encoded = link_html.split("base64,", 1)[1].split('"', 1)[0]
    text = base64.b64decode(encoded).decode("utf-8-sig")
    return pd.read_csv(io.StringIO(text), keep_default_na=False)


def heatmap(frame: pd.DataFrame, title: str, ax=None, *, cmap: str = "Reds", row_share: bool = False,
            xlabel: str = "", ylabel: str = ""):
    """Draw a table as a heatmap (matplotlib ``imshow``) with its labels as ticks and the counts in the cells.

    Call :func:`fupin_research.use_chinese_font` first so Chinese labels render. With ``row_share=True`` the
    colour shows each cell's share of its row (so a long document does not drown the short ones) while the
    numbers stay the counts. Zero cells are left blank. Returns the Axes.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> ax = heatmap(pd.DataFrame({"a": [1, 0], "b": [2, 3]}, index=["x", "y"]), "demo")
        >>> [t.get_text() for t in ax.texts], ax.get_title()
        (['1', '2', '3'], 'demo')
    """
    import matplotlib.pyplot as plt

    if ax is None:
        width = max(4.0, 0.55 * len(frame.columns) + 2.5)
        height = max(2.0, 0.4 * len(frame.index) + 1.5)
        _, ax = plt.subplots(figsize=(width, height))
    values = frame.to_numpy(dtype=float)
    shown = values
    if row_share:
        totals = values.sum(axis=1, keepdims=True)
        shown = values / (totals + (totals == 0))
    ax.imshow(shown, cmap=cmap, aspect="auto", vmin=0)
    ax.set_xticks(range(len(frame.columns)), [str(c) for c in frame.columns], rotation=45, ha="right")
    ax.set_yticks(range(len(frame.index)), [str(i) for i in frame.index])
    top = shown.max() if shown.size else 0
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if values[i, j]:
                # dark text on light cells, white on dark ones
                color = "white" if top and shown[i, j] > 0.6 * top else "black"
                ax.text(j, i, f"{values[i, j]:g}", ha="center", va="center", fontsize=8, color=color)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax
