"""Code analysis units with a researcher-editable codebook (policy instruments x target areas).

The codebook (``data/codebook.yaml``) lists, per dimension, codes with plain ``terms`` and/or regex
``patterns``. :func:`code_units` returns one row per evidence match, with offsets into the *document*
text; :func:`agreement` compares hand codes with the automatic primary codes (Cohen's kappa).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from fupin_research.paths import data_dir, file_state
from fupin_research.split import frame_from_rows

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
    # parsing YAML costs ~0.1 s: parse each version of a file once per process, hand out copies
    return copy.deepcopy(_load_checked(file_state(path or _default_path())))


def _default_path() -> Path:
    return data_dir() / "codebook.yaml"


@cache
def _load_checked(state: tuple[str, int, int]) -> dict[str, Any]:
    """The checked codebook at ``state[0]``; ``state`` (path, mtime, size) changes when the file is edited."""
    with open(state[0], encoding="utf-8") as handle:
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


# code_units used to run one regex per code over every unit (~30 passes over the text). Now the terms of
# all codes go into a few trie-shaped regexes (split by first character, as sre tries a long alternation
# one branch at a time), searched from every term start to the next: at each position that gives the
# longest term T starting there. The terms of any code starting there are prefixes of T, so a code's
# evidence there is its longest term that is a prefix of T (precomputed), kept if it does not overlap the
# code's previous evidence: exactly what finditer over the code's own longest-first alternation finds.
# Codes with regex patterns still run their own regex per unit.
_TERM_SCANNERS = 4

# (dimension, id, type, terms, patterns) per code, in codebook order.
_Signature = tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], ...]


@dataclass(frozen=True)
class _Plan:
    """How :func:`code_units` finds the evidence of one codebook."""

    codes: tuple[tuple[str, str, str], ...]  # (dimension, code id, type) in codebook order
    scanners: tuple[re.Pattern[str], ...]  # longest term of the term-only codes at a position
    evidence: dict[str, tuple[tuple[int, str], ...]]  # longest term -> (code index, its term there)
    regexes: tuple[tuple[int, re.Pattern[str]], ...]  # (code index, own regex) of codes with patterns


def _signature(codebook: dict[str, Any]) -> _Signature:
    """Everything about a codebook that matching depends on, hashable (to cache its plan)."""
    return tuple(
        (
            dim,
            code["id"],
            str(code.get("type", "")),
            tuple(str(t) for t in code.get("terms") or []),
            tuple(f"{p}" for p in code.get("patterns") or []),
        )
        for dim, spec in codebook["dimensions"].items()
        for code in spec.get("codes", [])
    )


@lru_cache(maxsize=32)
def _plan(signature: _Signature) -> _Plan:
    term_sets: dict[int, set[str]] = {}
    regexes = []
    for index, (_dim, cid, _type, terms, patterns) in enumerate(signature):
        if patterns:
            regexes.append((index, _code_regex({"id": cid, "terms": terms, "patterns": patterns})))
        else:
            term_sets[index] = {t for t in terms if t}
    every_term = set().union(*term_sets.values())
    evidence: dict[str, tuple[tuple[int, str], ...]] = {}
    for longest in every_term:
        found = []
        for index, terms in term_sets.items():
            prefix = next((longest[:n] for n in range(len(longest), 0, -1) if longest[:n] in terms), None)
            if prefix is not None:
                found.append((index, prefix))
        evidence[longest] = tuple(found)
    firsts = sorted({term[0] for term in every_term})
    groups = [set(firsts[k::_TERM_SCANNERS]) for k in range(min(_TERM_SCANNERS, len(firsts)))]
    scanners = tuple(re.compile(_trie_regex([t for t in every_term if t[0] in group])) for group in groups)
    return _Plan(tuple(code[:3] for code in signature), scanners, evidence, tuple(regexes))


@cache
def _default_plan(state: tuple[str, int, int]) -> _Plan:
    return _plan(_signature(_load_checked(state)))


def _trie_regex(terms: list[str]) -> str:
    """A regex matching exactly ``terms``, shaped as a trie, that prefers the longest term at a position."""
    trie: dict[str, Any] = {}
    for term in terms:
        node = trie
        for char in term:
            node = node.setdefault(char, {})
        node[""] = {}  # end of a term

    def pattern(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        if len(branches) == 1 and "" not in node:
            return branches[0]
        # greedy "?": a longer term through a child is tried before ending here
        return "(?:" + "|".join(branches) + (")?" if "" in node else ")")

    return pattern(trie)


def _unit_evidence(plan: _Plan, text: str) -> list[tuple[int, int, str]]:
    """(code index, start, evidence) in ``text``, ordered by code index, then start."""
    starts: list[tuple[int, str]] = []
    for scanner in plan.scanners:
        search = scanner.search
        match = search(text)
        while match:
            start = match.start()
            starts.append((start, match.group()))
            match = search(text, start + 1)
    starts.sort()  # scanners cover different first characters: every position occurs once
    free = [0] * len(plan.codes)  # per code: where its next evidence may start
    found = []
    for position, longest in starts:
        for index, term in plan.evidence[longest]:
            if position >= free[index]:
                free[index] = position + len(term)
                found.append((index, position, term))
    for index, regex in plan.regexes:
        found.extend((index, m.start(), m.group()) for m in regex.finditer(text) if m.end() > m.start())
    found.sort()  # (code index, start) pairs are unique
    return found


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
    plan = _plan(_signature(codebook)) if codebook is not None else _default_plan(file_state(_default_path()))
    codes = plan.codes
    rows = []
    for doc_id, unit_id, start, text in zip(
        units.doc_id.tolist(), units.unit_id.tolist(), units.start.tolist(), units.text.tolist()
    ):
        text, offset = str(text), int(start)
        rows.extend(
            (doc_id, unit_id, *codes[index], term, offset + position, offset + position + len(term))
            for index, position, term in _unit_evidence(plan, text)
        )
    return frame_from_rows(rows, CODE_COLUMNS, {"start": "int64", "end": "int64"})


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
