"""Code analysis units with a researcher-editable codebook (policy instruments x target areas).

The codebook (``data/codebook.yaml``) lists, per dimension, codes with plain ``terms`` and/or regex
``patterns``. :func:`code_units` returns one row per evidence match, with offsets into the *document*
text; :func:`agreement` compares hand codes with the automatic primary codes (Cohen's kappa).
"""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from fupin_research.paths import data_dir

CODE_COLUMNS = ["doc_id", "unit_id", "dimension", "code", "type", "evidence", "start", "end"]
HAND_COLUMNS = ["doc_id", "unit_id", "dimension", "code", "reason"]
NO_CODE = "none"


def load_codebook(path: str | Path | None = None) -> dict[str, Any]:
    """Load and check a codebook YAML file (default: the shipped ``data/codebook.yaml``).

    Returns the parsed mapping; ``codebook["dimensions"][dim]["codes"]`` is the ordered list of codes,
    each with ``id``, ``label_zh``, ``label_en``, ``definition``, ``terms``/``patterns`` (and ``type``
    for instruments). Raises ``ValueError`` on duplicate ids, codes without any signal, or bad regexes.

    Example:
        >>> book = load_codebook()
        >>> [c["id"] for c in book["dimensions"]["instrument"]["codes"]][:2]
        ['supply.funds', 'supply.infrastructure']
    """
    # parsing YAML costs ~0.1 s: parse each file once per process, hand out copies
    return copy.deepcopy(_load_checked(str(path or data_dir() / "codebook.yaml")))


@cache
def _load_checked(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        book = yaml.safe_load(handle)
    seen: set[str] = set()
    for dim, spec in book.get("dimensions", {}).items():
        types = spec.get("types")
        for code in spec.get("codes", []):
            cid = code.get("id")
            if not cid or cid in seen:
                raise ValueError(f"codebook: missing or duplicate code id {cid!r} in {dim}")
            seen.add(cid)
            if not (code.get("terms") or code.get("patterns")):
                raise ValueError(f"codebook: code {cid} has neither terms nor patterns")
            if types and code.get("type") not in types:
                raise ValueError(f"codebook: code {cid} has unknown type {code.get('type')!r}")
            _code_regex(code)  # fail early on a bad pattern
    return book


def _code_regex(code: dict[str, Any]) -> re.Pattern[str]:
    """One alternation per code; longest terms first so the longest evidence wins at a position."""
    terms = sorted({str(t) for t in code.get("terms") or [] if str(t)}, key=len, reverse=True)
    parts = [re.escape(t) for t in terms] + [f"(?:{p})" for p in code.get("patterns") or []]
    try:
        return re.compile("|".join(parts))
    except re.error as exc:
        raise ValueError(f"codebook: bad pattern in {code.get('id')}: {exc}") from exc


def _compiled(codebook: dict[str, Any]) -> list[tuple[str, str, str, re.Pattern[str]]]:
    """(dimension, code id, type, regex) in codebook order."""
    return [
        (dim, code["id"], str(code.get("type", "")), _code_regex(code))
        for dim, spec in codebook["dimensions"].items()
        for code in spec.get("codes", [])
    ]


@cache
def _default_compiled() -> list[tuple[str, str, str, re.Pattern[str]]]:
    return _compiled(load_codebook())


def code_units(units: pd.DataFrame, codebook: dict[str, Any] | None = None) -> pd.DataFrame:
    """Find codebook evidence in every unit; one row per match (a long, tidy table).

    ``units`` needs ``doc_id, unit_id, start, text`` (as from :func:`fupin_research.structure.split_units`).
    Columns: ``doc_id, unit_id, dimension, code, type`` (supply / environmental / demand for instruments,
    empty for other dimensions), ``evidence``, ``start``, ``end`` — offsets into the document text, so
    ``doc_text[start:end] == evidence``.

    Example:
        >>> units = pd.DataFrame(
        ...     {"doc_id": ["d"], "unit_id": ["d-1"], "start": [10], "text": ["发放扶贫小额信贷"]}
        ... )
        >>> code_units(units)[["code", "evidence", "start", "end"]].values.tolist()
        [['environmental.finance_credit', '信贷', 16, 18], ['target.finance', '信贷', 16, 18]]
    """
    compiled = _compiled(codebook) if codebook is not None else _default_compiled()
    rows = []
    for unit in units.itertuples(index=False):
        text, offset = str(unit.text), int(unit.start)
        for dim, cid, ctype, regex in compiled:
            for match in regex.finditer(text):
                if match.end() > match.start():
                    rows.append(
                        (
                            unit.doc_id,
                            unit.unit_id,
                            dim,
                            cid,
                            ctype,
                            match.group(0),
                            offset + match.start(),
                            offset + match.end(),
                        )
                    )
    frame = pd.DataFrame(rows, columns=CODE_COLUMNS)
    return frame.astype({"start": "int64", "end": "int64"})


def primary_codes(codes: pd.DataFrame, codebook: dict[str, Any] | None = None) -> pd.DataFrame:
    """The primary code per unit and dimension: most evidence matches, ties broken by codebook order.

    Returns ``doc_id, unit_id, dimension, code, type, n`` (n = matches of the primary code).

    Example:
        >>> codes = pd.DataFrame({"doc_id": ["d"] * 3, "unit_id": ["u"] * 3, "dimension": ["instrument"] * 3,
        ...     "code": ["demand.pilots", "supply.funds", "demand.pilots"],
        ...     "type": ["demand", "supply", "demand"]})
        >>> primary_codes(codes).code.tolist()
        ['demand.pilots']
    """
    columns = ["doc_id", "unit_id", "dimension", "code", "type", "n"]
    if codes.empty:
        return pd.DataFrame(columns=columns)
    order = {cid: rank for rank, (_, cid, _, _) in enumerate(_compiled(codebook or load_codebook()))}
    counts = (
        codes.groupby(["doc_id", "unit_id", "dimension", "code", "type"]).size().rename("n").reset_index()
    )
    counts["rank"] = counts.code.map(order).fillna(len(order))
    counts = counts.sort_values(["n", "rank"], ascending=[False, True], kind="stable")
    best = counts.drop_duplicates(["doc_id", "unit_id", "dimension"])
    return best[columns].sort_values(["doc_id", "unit_id", "dimension"]).reset_index(drop=True)


def load_hand_codes(path: str | Path | None = None) -> pd.DataFrame:
    """Load the hand-coded sample (default: ``data/hand_codes.csv``); one row per unit and dimension.

    Example:
        >>> hand = load_hand_codes()
        >>> sorted(hand.dimension.unique())
        ['instrument', 'target_area']
    """
    frame = pd.read_csv(path or data_dir() / "hand_codes.csv", dtype=str, keep_default_na=False)
    missing = set(HAND_COLUMNS) - set(frame.columns)
    if missing:
        raise ValueError(f"hand codes: missing columns {sorted(missing)}")
    return frame[HAND_COLUMNS]


def cohen_kappa(first: list[str] | pd.Series, second: list[str] | pd.Series) -> float:
    """Cohen's kappa of two raters' labels for the same items: (p_o - p_e) / (1 - p_e).

    Returns nan for no items, and 1.0 when both raters use one and the same label throughout.

    Example:
        >>> cohen_kappa(["a", "a", "b", "b"], ["a", "a", "b", "a"])
        0.5
    """
    a, b = pd.Series(list(first), dtype=object), pd.Series(list(second), dtype=object)
    if len(a) != len(b):
        raise ValueError("cohen_kappa: both raters must label the same items")
    if len(a) == 0:
        return float("nan")
    observed = float((a.values == b.values).mean())
    pa, pb = a.value_counts(normalize=True), b.value_counts(normalize=True)
    expected = float(sum(pa.get(label, 0.0) * pb.get(label, 0.0) for label in set(pa.index) | set(pb.index)))
    if expected == 1.0:
        return 1.0
    return (observed - expected) / (1.0 - expected)


def agreement(hand: pd.DataFrame, auto: pd.DataFrame, codebook: dict[str, Any] | None = None) -> pd.DataFrame:
    """Compare hand codes with the automatic primary codes, per dimension.

    ``hand`` is :func:`load_hand_codes` (``none`` = no code), ``auto`` the output of :func:`code_units`.
    A hand-coded unit without automatic evidence in a dimension counts as auto ``none``. Besides the
    codebook dimensions, a row ``instrument_type`` compares supply / environmental / demand.
    Columns: ``dimension, n, percent_agreement, kappa``.

    Example:
        >>> hand = pd.DataFrame({"doc_id": ["d", "d"], "unit_id": ["u1", "u2"],
        ...     "dimension": ["target_area"] * 2, "code": ["target.finance", "none"], "reason": ["", ""]})
        >>> auto = pd.DataFrame({"doc_id": ["d"], "unit_id": ["u1"], "dimension": ["target_area"],
        ...     "code": ["target.finance"], "type": [""], "evidence": ["贷款"], "start": [0], "end": [2]})
        >>> agreement(hand, auto).values.tolist()
        [['target_area', 2, 100.0, 1.0]]
    """
    book = codebook or load_codebook()
    prim = primary_codes(auto, book)
    merged = hand.merge(
        prim[["doc_id", "unit_id", "dimension", "code"]].rename(columns={"code": "auto"}),
        on=["doc_id", "unit_id", "dimension"],
        how="left",
    )
    merged["auto"] = merged["auto"].fillna(NO_CODE)
    types = {
        code["id"]: code.get("type", "")
        for spec in book["dimensions"].values()
        for code in spec.get("codes", [])
    }
    instruments = merged[merged.dimension == "instrument"]
    pairs = [(dim, part.code, part.auto) for dim, part in merged.groupby("dimension", sort=True)]
    if not instruments.empty:
        pairs.append(
            (
                "instrument_type",
                instruments.code.map(types).fillna(NO_CODE),
                instruments.auto.map(types).fillna(NO_CODE),
            )
        )
    rows = [
        (dim, len(h), round(100.0 * float((h.values == a.values).mean()), 1), round(cohen_kappa(h, a), 3))
        for dim, h, a in pairs
    ]
    return pd.DataFrame(rows, columns=["dimension", "n", "percent_agreement", "kappa"])


def crosstab_codes(
    codes: pd.DataFrame,
    *,
    by: str = "code",
    codebook: dict[str, Any] | None = None,
    primary: bool = False,
) -> pd.DataFrame:
    """Count units where an instrument and a target area co-occur (instrument x target area table).

    ``by="code"`` gives sub-tools as rows, ``by="type"`` the three instrument types. With
    ``primary=True`` only each unit's primary code per dimension counts (one cell per unit).

    Example:
        >>> codes = pd.DataFrame({"doc_id": ["d"] * 2, "unit_id": ["u"] * 2,
        ...     "dimension": ["instrument", "target_area"], "code": ["supply.funds", "target.health"],
        ...     "type": ["supply", ""]})
        >>> int(crosstab_codes(codes).loc["supply.funds", "target.health"])
        1
    """
    if by not in {"code", "type"}:
        raise ValueError("crosstab_codes: by must be 'code' or 'type'")
    if primary:
        codes = primary_codes(codes, codebook)
    keys = ["doc_id", "unit_id"]
    inst = codes[codes.dimension == "instrument"][[*keys, by]].drop_duplicates()
    area = codes[codes.dimension == "target_area"][[*keys, "code"]].drop_duplicates()
    pairs = inst.rename(columns={by: "instrument"}).merge(
        area.rename(columns={"code": "target_area"}), on=keys
    )
    table = pd.crosstab(pairs.instrument, pairs.target_area)
    # Keep codebook order on both axes, so tables of different corpora line up.
    book = codebook or load_codebook()
    spec = book["dimensions"]
    rows = (
        list(spec["instrument"].get("types", {}))
        if by == "type"
        else [c["id"] for c in spec["instrument"]["codes"]]
    )
    cols = [c["id"] for c in spec["target_area"]["codes"]]
    return table.reindex(
        index=[r for r in rows if r in table.index], columns=[c for c in cols if c in table.columns]
    )
