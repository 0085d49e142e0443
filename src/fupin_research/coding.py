"""Code analysis units with a researcher-editable codebook (policy instruments x target areas).

The codebook (``data/codebook.yaml``) gives every code a definition and decision rules (what a human coder
applies) and the evidence the machine reads: plain ``terms`` (``generic`` ones weigh little, ``predicates``
more) and regex ``patterns``, plus the ``gate`` cues that tell whether a unit states a measure at all.
:func:`code_units` returns one row per evidence match, with offsets into the *document* text.
:func:`primary_codes` decides one code per unit and dimension (instrument, instrument type, target area, or
``none``) with a runner-up, a confidence and the evidence spans — by the rules (:func:`rule_decisions`) or by
the supervised model of :mod:`fupin_research.coding_model`, whichever won the cross-validation grouped by
document. :func:`agreement` gives Cohen's kappa with a bootstrap interval and n, per dimension and per code.
The blind hand-coded sample is read by :func:`load_coding_sample` and :func:`load_blind_codes`.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from fupin_research.errors import InputError
from fupin_research.paths import data_dir, file_state
from fupin_research.split import frame_from_rows

CODE_COLUMNS = ["doc_id", "unit_id", "dimension", "code", "type", "evidence", "start", "end"]
PRIMARY_COLUMNS = ["doc_id", "unit_id", "dimension", "code", "runner_up", "confidence", "method", "type", "score",
                   "evidence"]
GATE_DIMENSION = "measure"  # evidence rows of the gate cues (codebook section ``gate``)
PRIMARY_DIMENSIONS = ["instrument", "instrument_type", "target_area"]
HAND_COLUMNS = ["doc_id", "unit_id", "dimension", "code", "reason"]
NO_CODE = "none"
# The methods that won the cross-validation grouped by document (notebook 05): with the unit text, the model
# on evidence + character n-grams; from the evidence table alone, the model on the codebook evidence.
DEFAULT_METHOD, DEFAULT_METHOD_WITHOUT_TEXT = "model_text", "model"
METHODS = ("rules", "model", "model_text")


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
    gate = {GATE_DIMENSION: {"codes": book.get("gate") or []}}
    for dim, spec in [*book.get("dimensions", {}).items(), *gate.items()]:
        types = spec.get("types")
        for code in spec.get("codes", []):
            cid = code.get("id")
            if not cid or cid in seen:
                raise ValueError(f"codebook: missing or duplicate code id {cid!r} in {dim}")
            seen.add(cid)
            if not (_all_terms(code) or code.get("patterns")):
                raise ValueError(f"codebook: code {cid} has neither terms nor patterns")
            if types and code.get("type") not in types:
                raise ValueError(f"codebook: code {cid} has unknown type {code.get('type')!r}")
            _code_regex(code)  # fail early on a bad pattern
    return book


def _all_terms(code: dict[str, Any]) -> list[str]:
    """Every plain term of a code: its ``terms``, ``generic`` terms and ``predicates``."""
    return [str(t) for key in ("terms", "generic", "predicates") for t in code.get(key) or [] if str(t)]


def _code_regex(code: dict[str, Any]) -> re.Pattern[str]:
    """One alternation per code; longest terms first so the longest evidence wins at a position."""
    terms = sorted(set(_all_terms(code)), key=len, reverse=True)
    parts = [re.escape(t) for t in terms] + [f"(?:{p})" for p in code.get("patterns") or []]
    try:
        return re.compile("|".join(parts))
    except re.error as exc:
        raise ValueError(f"codebook: bad pattern in {code.get('id')}: {exc}") from exc


def _coded_dimensions(codebook: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(dimension, spec) of the codebook's dimensions, then the gate cues as dimension ``measure``."""
    return [*codebook["dimensions"].items(), (GATE_DIMENSION, {"codes": codebook.get("gate") or []})]


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
    regexes: tuple[tuple[int, re.Pattern[str], tuple[re.Pattern[str], ...]], ...]  # codes with patterns:
    # (code index, own regex, its alternatives searched one by one — see _code_matches)


def _signature(codebook: dict[str, Any]) -> _Signature:
    """Everything about a codebook that matching depends on, hashable (to cache its plan)."""
    return tuple(
        (
            dim,
            code["id"],
            str(code.get("type", "")),
            tuple(_all_terms(code)),
            tuple(f"{p}" for p in code.get("patterns") or []),
        )
        for dim, spec in _coded_dimensions(codebook)
        for code in spec.get("codes", [])
    )


@lru_cache(maxsize=32)
def _plan(signature: _Signature) -> _Plan:
    term_sets: dict[int, set[str]] = {}
    regexes = []
    for index, (_dim, cid, _type, terms, patterns) in enumerate(signature):
        if patterns:
            code = {"id": cid, "terms": terms, "patterns": patterns}
            regexes.append((index, _code_regex(code), _alternatives(code)))
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


# A code with patterns is one alternation (its terms, longest first, then its patterns), which sre tries at
# every position of a text: its alternatives do not share a first character it could skip ahead by. Each
# alternative alone (the terms together; each pattern) can skip ahead, so _code_matches finds where the next
# match of any alternative starts and lets the code's own regex match there: the same matches as its finditer.
# A backreference or conditional counts groups across the whole alternation: such codes use plain finditer.
_GROUP_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")


def _alternatives(code: dict[str, Any]) -> tuple[re.Pattern[str], ...]:
    """The alternatives of :func:`_code_regex` as separate regexes (empty: search with the code's own regex)."""
    patterns = [str(p) for p in code.get("patterns") or []]
    if any(_GROUP_REFERENCE.search(p) for p in patterns):
        return ()
    terms = sorted(set(_all_terms(code)), key=len, reverse=True)
    parts = ["|".join(re.escape(t) for t in terms)] if terms else []
    return tuple(re.compile(part) for part in [*parts, *(f"(?:{p})" for p in patterns)])


def _code_matches(regex: re.Pattern[str], alternatives: tuple[re.Pattern[str], ...],
                  text: str) -> list[tuple[int, str]]:
    """(start, evidence) of the non-empty matches of ``regex.finditer(text)``, ``regex`` being the alternation
    of ``alternatives``: the next match starts where the first alternative match does (a position where the
    alternation matches is one where an alternative does), and is the alternation's match there."""
    plain = [(m.start(), m.group()) for m in regex.finditer(text) if m.end() > m.start()] if not alternatives else None
    if plain is not None:
        return plain
    found = []
    position = 0
    upcoming: list[int | None] = [None] * len(alternatives)  # where each alternative next matches (-1: nowhere)
    while position <= len(text):
        first = -1
        for k, alternative in enumerate(alternatives):
            start = upcoming[k]
            if start is None or 0 <= start < position:
                match = alternative.search(text, position)
                start = upcoming[k] = match.start() if match else -1
            if start >= 0 and (first < 0 or start < first):
                first = start
        if first < 0:
            break
        match = regex.match(text, first)
        if match is None or match.end() == match.start():  # an empty match: finditer's own rules apply
            return _code_matches(regex, (), text)
        found.append((first, match.group()))
        position = match.end()
    return found


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
    for index, regex, alternatives in plan.regexes:
        found.extend((index, start, term) for start, term in _code_matches(regex, alternatives, text))
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
        >>> code_units(units)[["dimension", "code", "evidence", "start", "end"]].values.tolist()
        ... # doctest: +NORMALIZE_WHITESPACE
        [['instrument', 'environmental.finance_credit', '小额信贷', 14, 18],
         ['target_area', 'target.finance', '小额信贷', 14, 18], ['measure', 'measure.prescribes', '发放', 10, 12]]
    """
    plan = _plan(_signature(codebook)) if codebook is not None else _default_plan(file_state(_default_path()))
    codes = plan.codes
    doc_ids, unit_ids, starts = units.doc_id.tolist(), units.unit_id.tolist(), units.start.tolist()
    found = [_unit_evidence(plan, str(text)) for text in units.text.tolist()]
    columns = _evidence_columns(codes, doc_ids, unit_ids, starts, found)
    if columns is not None:
        return columns
    rows = [
        (doc_id, unit_id, *codes[index], term, int(start) + position, int(start) + position + len(term))
        for doc_id, unit_id, start, evidence in zip(doc_ids, unit_ids, starts, found)
        for index, position, term in evidence
    ]
    return frame_from_rows(rows, CODE_COLUMNS, {"start": "int64", "end": "int64"})


def _evidence_columns(codes: tuple[tuple[str, str, str], ...], doc_ids: list, unit_ids: list, starts: list,
                      found: list[list[tuple[int, int, str]]]) -> pd.DataFrame | None:
    """The table :func:`code_units` builds with ``frame_from_rows``, built by column: the columns that repeat a
    few values (doc_id, unit_id, dimension, code, type) are taken from Arrow arrays of those values. None where
    that is not certainly the same table (no evidence, a non-str id, strings that are not pyarrow-backed)."""
    import pyarrow as pa
    from pandas.api.types import pandas_dtype

    inferred = pandas_dtype("str")
    if not (isinstance(inferred, pd.StringDtype) and inferred.storage == "pyarrow"):
        return None
    counts = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
    if not counts.sum() or {type(v) for v in [*doc_ids, *unit_ids]} != {str}:
        return None
    flat = [row for evidence in found for row in evidence]
    index, position, term = (list(column) for column in zip(*flat))
    owner = pa.array(np.repeat(np.arange(len(found)), counts))
    which = pa.array(index)
    start = np.repeat(np.array([int(s) for s in starts], dtype=np.int64), counts) + np.array(position, dtype=np.int64)
    end = start + np.fromiter(map(len, term), dtype=np.int64, count=len(term))

    def strings(values: pa.Array) -> pd.api.extensions.ExtensionArray:
        return pd.arrays.ArrowStringArray(values, dtype=inferred)

    def taken(values: list[str], at: pa.Array) -> pd.api.extensions.ExtensionArray:
        return strings(pa.array(values, type=pa.large_string()).take(at))

    data = {
        "doc_id": taken(doc_ids, owner),
        "unit_id": taken(unit_ids, owner),
        "dimension": taken([c[0] for c in codes], which),
        "code": taken([c[1] for c in codes], which),
        "type": taken([c[2] for c in codes], which),
        "evidence": strings(pa.array(term, type=pa.large_string())),
        "start": start,
        "end": end,
    }
    return pd.DataFrame(data, columns=CODE_COLUMNS, copy=False)


# How specific a piece of evidence is (its weight): a term listed under ``generic`` (标准, 服务, 平台, 帮扶 …)
# 0.25; a ``predicate`` (补贴, 考核, 验收, 选派 … : what the unit does) 1.5; any other term by its length, as a
# longer term names a tool more precisely: 1 char 0.5, 2 chars 1.0, 3 chars 1.5, 4 or more 2.0; a pattern 1.0.
GENERIC_WEIGHT, PREDICATE_WEIGHT, PATTERN_WEIGHT = 0.25, 1.5, 1.0
MIN_SCORE = 1.0  # a code needs at least this much evidence to be chosen
FURNITURE_WEIGHT = 3.0  # one cue of a title / addressee / issuing note outweighs three cues of a measure
CONTEXT_SHARE = 0.5  # the instrument evidence counts half towards "this unit states a measure"


def term_weight(code: dict[str, Any], evidence: str) -> float:
    """The weight of one piece of evidence of ``code`` (see the comment above :data:`GENERIC_WEIGHT`).

    Example:
        >>> code = {"id": "x", "terms": ["助学金"], "generic": ["标准"], "predicates": ["补贴"]}
        >>> [term_weight(code, e) for e in ["助学金", "标准", "补贴", "59亿元"]]
        [1.5, 0.25, 1.5, 1.0]
    """
    if evidence in {str(t) for t in code.get("generic") or []}:
        return GENERIC_WEIGHT
    if evidence in {str(t) for t in code.get("predicates") or []}:
        return PREDICATE_WEIGHT
    if evidence in {str(t) for t in code.get("terms") or []}:
        return min(2.0, 0.5 * len(evidence))
    return PATTERN_WEIGHT


def _weight_table(book: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """code id -> code spec (dimensions and gate) and instrument code id -> type."""
    specs = {code["id"]: code for _, spec in _coded_dimensions(book) for code in spec.get("codes", [])}
    instruments = book["dimensions"].get("instrument", {}).get("codes", [])
    types = {code["id"]: str(code.get("type", "")) for code in instruments}
    return specs, types


def _without_nested(spans: list[tuple[int, int, str, str, float]]) -> list[tuple[int, int, str, str, float]]:
    """Drop evidence lying inside a longer piece of evidence of another code (大病保险 hides its 保险)."""
    kept = []
    for span in spans:
        start, end, code = span[0], span[1], span[2]
        inside = any(
            o_start <= start and end <= o_end and (o_end - o_start) > (end - start) and o_code != code
            for o_start, o_end, o_code, _, _ in spans
        )
        if not inside:
            kept.append(span)
    return kept


def _ranked(spans: list[tuple[int, int, str, str, float]]) -> list[tuple[str, float, float, int]]:
    """Codes ranked by the stated rule: total weight, then the strongest single evidence, then the earliest
    evidence in the unit (the measure stated first), then the code id (two codes backed by the very same span)."""
    totals: dict[str, list[float]] = {}
    for start, _end, code, _term, weight in spans:
        entry = totals.setdefault(code, [0.0, 0.0, float(start)])
        entry[0] += weight
        entry[1] = max(entry[1], weight)
        entry[2] = min(entry[2], float(start))
    ranked = sorted(totals.items(), key=lambda item: (-round(item[1][0], 6), -item[1][1], item[1][2], item[0]))
    return [(code, total, strongest, int(first)) for code, (total, strongest, first) in ranked]


def _gate(cues: dict[str, float], best_instrument: float) -> float:
    """How strongly a unit states a measure (> 0: it does): cues of prescription and half the instrument
    evidence (at most 3), minus cues of description / exhortation, minus furniture cues x FURNITURE_WEIGHT."""
    return (
        cues.get("measure.prescribes", 0.0)
        + CONTEXT_SHARE * min(best_instrument, 3.0)
        - cues.get("measure.describes", 0.0)
        - cues.get("measure.exhorts", 0.0)
        - FURNITURE_WEIGHT * cues.get("measure.furniture", 0.0)
    )


def _squash(value: float) -> float:
    """A margin as a number between 0 and 1 (logistic)."""
    return 1.0 / (1.0 + math.exp(-value))


def rule_decisions(codes: pd.DataFrame, codebook: dict[str, Any] | None = None) -> pd.DataFrame:
    """The rule coder's decision per unit and dimension, from the evidence table of :func:`code_units`.

    Steps, in order: (1) evidence lying inside a longer piece of evidence of another code is dropped;
    (2) each code's evidence is weighed by :func:`term_weight`; (3) the gate (:func:`_gate`) decides whether
    the unit states a measure — if not, every dimension is ``none``; (4) per dimension the codes are ranked
    by the stated rule of :func:`_ranked` (never by their order in the file); a code needs ``MIN_SCORE``.
    ``instrument_type`` is the type of the primary instrument. ``confidence`` is the gate's probability times
    the primary's share of primary + runner-up weight (for ``none``: one minus the gate's probability).

    Columns: see :data:`PRIMARY_COLUMNS`; ``evidence`` lists ``term@start-end`` of the primary code.

    Example:
        >>> units = pd.DataFrame({"doc_id": ["d", "d"], "unit_id": ["d-1", "d-2"], "start": [0, 20],
        ...     "text": ["对建档立卡贫困学生给予助学金补助。", "脱贫攻坚取得显著成效。"]})
        >>> table = rule_decisions(code_units(units))
        >>> table[["unit_id", "dimension", "code", "runner_up"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
        [['d-1', 'instrument', 'supply.funds', 'none'],
         ['d-1', 'instrument_type', 'supply', 'none'], ['d-1', 'target_area', 'target.education', 'none'],
         ['d-2', 'instrument', 'none', 'none'], ['d-2', 'instrument_type', 'none', 'none'],
         ['d-2', 'target_area', 'none', 'none']]
    """
    book = codebook or load_codebook()
    specs, types = _weight_table(book)
    evidence: dict[tuple[str, str], dict[str, list]] = {}
    for doc_id, unit_id, dim, code, term, start, end in zip(
        codes.doc_id.tolist(), codes.unit_id.tolist(), codes.dimension.tolist(), codes.code.tolist(),
        codes.evidence.tolist(), codes.start.tolist(), codes.end.tolist()
    ):
        spec = specs.get(code)
        if spec is None:
            continue
        weight = term_weight(spec, str(term))
        evidence.setdefault((doc_id, unit_id), {}).setdefault(dim, []).append(
            (int(start), int(end), code, str(term), weight)
        )
    rows = []
    for (doc_id, unit_id), dims in evidence.items():
        cues: dict[str, float] = {}
        for _s, _e, code, _t, _w in dims.get(GATE_DIMENSION, []):
            cues[code] = cues.get(code, 0.0) + 1.0  # every cue counts once
        ranked = {dim: _ranked(_without_nested(dims.get(dim, []))) for dim in ("instrument", "target_area")}
        best = ranked["instrument"][0][1] if ranked["instrument"] else 0.0
        margin = _gate(cues, best)
        states_measure = margin > 0 and best >= MIN_SCORE
        probability = _squash(margin)
        for dim in ("instrument", "target_area"):
            choices = [r for r in ranked[dim] if r[1] >= MIN_SCORE] if states_measure else []
            if not choices:
                rows.append((doc_id, unit_id, dim, NO_CODE, ranked[dim][0][0] if ranked[dim] and states_measure
                             else NO_CODE, round(1.0 - probability if not states_measure else 0.5, 3), "rules",
                             "", 0.0, ""))
                continue
            first = choices[0]
            second = choices[1] if len(choices) > 1 else None
            share = first[1] / (first[1] + (second[1] if second else 0.0))
            spans = sorted((s, e, t) for s, e, c, t, _w in dims.get(dim, []) if c == first[0])
            rows.append((doc_id, unit_id, dim, first[0], second[0] if second else NO_CODE,
                         round(probability * share, 3), "rules", types.get(first[0], ""), round(first[1], 3),
                         "; ".join(f"{t}@{s}-{e}" for s, e, t in spans)))
    table = pd.DataFrame(rows, columns=PRIMARY_COLUMNS)
    return add_instrument_type(table, types)


def add_instrument_type(table: pd.DataFrame, types: dict[str, str]) -> pd.DataFrame:
    """Add the ``instrument_type`` rows (the type of each unit's primary instrument) and sort the table.

    The runner-up type is the type of the runner-up instrument when it differs, else ``none``.
    """
    inst = table[table.dimension == "instrument"]
    kinds = inst.assign(
        dimension="instrument_type",
        code=inst.code.map(types).fillna(NO_CODE).replace("", NO_CODE),
        runner_up=inst.runner_up.map(types).fillna(NO_CODE).replace("", NO_CODE),
        type="",
    )
    kinds["runner_up"] = kinds.runner_up.where(kinds.runner_up != kinds.code, NO_CODE)
    order = {dim: rank for rank, dim in enumerate(PRIMARY_DIMENSIONS)}
    table = pd.concat([table, kinds], ignore_index=True)
    table["_order"] = table.dimension.map(order)
    table = table.sort_values(["doc_id", "unit_id", "_order"], kind="stable").drop(columns="_order")
    return table[PRIMARY_COLUMNS].reset_index(drop=True)


def _primary_table(rows: list[tuple], types: dict[str, str]) -> pd.DataFrame:
    """``add_instrument_type(pd.DataFrame(rows, columns=PRIMARY_COLUMNS), types)`` for a non-empty list of
    ``rows`` (tuples in :data:`PRIMARY_COLUMNS` order, every dimension in :data:`PRIMARY_DIMENSIONS`), built in
    Python lists rather than by pandas operations on string columns."""
    order = {dim: rank for rank, dim in enumerate(PRIMARY_DIMENSIONS)}
    if not rows or any(row[2] not in order for row in rows):
        return add_instrument_type(pd.DataFrame(rows, columns=PRIMARY_COLUMNS), types)
    kinds = []
    for doc_id, unit_id, dim, code, runner_up, confidence, method, _type, score, evidence in rows:
        if dim == "instrument":
            kind = types.get(code) or NO_CODE
            runner_kind = types.get(runner_up) or NO_CODE
            kinds.append((doc_id, unit_id, "instrument_type", kind, NO_CODE if runner_kind == kind else runner_kind,
                          confidence, method, "", score, evidence))
    table = sorted([*rows, *kinds], key=lambda row: (row[0], row[1], order[row[2]]))  # stable, as sort_values
    return pd.DataFrame(table, columns=PRIMARY_COLUMNS)


def primary_codes(
    codes: pd.DataFrame,
    codebook: dict[str, Any] | None = None,
    *,
    units: pd.DataFrame | None = None,
    method: str | None = None,
) -> pd.DataFrame:
    """One primary code per unit and dimension (``instrument``, ``instrument_type``, ``target_area``).

    ``codes`` is the evidence table of :func:`code_units`. Columns: ``doc_id, unit_id, dimension, code,
    runner_up, confidence, method`` and ``type`` (of an instrument), ``score``, ``evidence`` (``term@start-end``
    of the primary code). ``code`` is ``none`` where the unit states no instrument or target.

    ``method``: ``"rules"`` (the codebook rules, :func:`rule_decisions`), ``"model"`` (the supervised model of
    :mod:`fupin_research.coding_model` on the codebook evidence, trained on the blind hand codes) or
    ``"model_text"`` (the same plus character n-grams of the unit text; needs ``units``). The default is the
    method that won the grouped cross-validation: :data:`DEFAULT_METHOD` when ``units`` (with ``text``) are
    given, else :data:`DEFAULT_METHOD_WITHOUT_TEXT`. A unit without any evidence has no row unless ``units``
    are given (then its rows are decided too, ``none`` for the rules).

    Example:
        >>> units = pd.DataFrame({"doc_id": ["d"], "unit_id": ["d-1"], "start": [0],
        ...     "text": ["对贫困户发放扶贫小额信贷，给予贴息。"]})
        >>> primary_codes(code_units(units), method="rules")[["dimension", "code"]].values.tolist()
        ... # doctest: +NORMALIZE_WHITESPACE
        [['instrument', 'environmental.finance_credit'], ['instrument_type', 'environmental'],
         ['target_area', 'target.finance']]
    """
    has_text = units is not None and "text" in units.columns
    chosen = method or (DEFAULT_METHOD if has_text else DEFAULT_METHOD_WITHOUT_TEXT)
    if chosen not in METHODS:
        raise InputError(f"primary_codes: method must be one of {METHODS}, not {chosen!r}")
    if chosen == "model_text" and not has_text:
        raise InputError("primary_codes: method='model_text' reads the unit text; pass units= with a text column")
    if chosen != "rules":
        from fupin_research.coding_model import model_decisions  # the model's module imports SciPy

        return model_decisions(units, codes, codebook, text=chosen == "model_text")
    table = rule_decisions(codes, codebook or load_codebook())
    if units is not None:
        table = with_every_unit(table, units)
    return table


def with_every_unit(table: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Add ``none`` rows for the units of ``units`` that ``table`` (primary codes) does not mention."""
    keys = units[["doc_id", "unit_id"]].drop_duplicates()
    seen = table[["doc_id", "unit_id"]].drop_duplicates().assign(_seen=True)
    missing = keys.merge(seen, on=["doc_id", "unit_id"], how="left")
    missing = missing[missing._seen.isna()][["doc_id", "unit_id"]]
    if missing.empty:
        return table
    extra = pd.DataFrame(
        [(d, u, dim, NO_CODE, NO_CODE, 1.0, table.method.iloc[0] if len(table) else "rules", "", 0.0, "")
         for d, u in zip(missing.doc_id, missing.unit_id) for dim in PRIMARY_DIMENSIONS],
        columns=PRIMARY_COLUMNS,
    )
    order = {dim: rank for rank, dim in enumerate(PRIMARY_DIMENSIONS)}
    both = pd.concat([table, extra], ignore_index=True)
    both["_order"] = both.dimension.map(order)
    both = both.sort_values(["doc_id", "unit_id", "_order"], kind="stable").drop(columns="_order")
    return both.reset_index(drop=True)


def chosen_codes(codes: pd.DataFrame, codebook: dict[str, Any] | None = None, *,
                 method: str | None = None) -> pd.DataFrame:
    """The primary codes that are a code (not ``none``) in ``instrument`` and ``target_area`` (for counting),
    decided by ``method`` (default: as :func:`primary_codes` from the evidence table alone).

    Example:
        >>> codes = pd.DataFrame({"doc_id": ["d"], "unit_id": ["u"], "dimension": ["instrument"],
        ...     "code": ["supply.funds"], "type": ["supply"], "evidence": ["助学金"], "start": [0], "end": [3]})
        >>> chosen_codes(codes)[["dimension", "code", "type"]].values.tolist()
        [['instrument', 'supply.funds', 'supply']]
    """
    prim = primary_codes(codes, codebook, method=method)
    return prim[prim.dimension.isin(["instrument", "target_area"]) & (prim.code != NO_CODE)].reset_index(drop=True)


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


CODING_FOLDER = "instrument_coding"  # data/instrument_coding: documents, units, blind codes, manifest
REPORT_FAMILY, SEED_FAMILY = "government_work_report", "seed"


def load_coding_sample(folder: str | Path | None = None) -> pd.DataFrame:
    """The units of the blind-coding sample (``data/instrument_coding/units.csv``) with their document family.

    Columns: ``doc_id, unit_id`` (the sample's ``unit_key``), ``start, end, text, family`` (from the manifest
    for collected documents, ``government_work_report`` or ``seed`` otherwise). Offsets point into the clean
    text of the document (:func:`fupin_research.corpus.read_document`).

    Example:
        >>> sample = load_coding_sample()
        >>> len(sample) >= 300, sample.doc_id.nunique() >= 20
        (True, True)
    """
    base = Path(folder) if folder else data_dir() / CODING_FOLDER
    path = base / "units.csv"
    if not path.exists():
        raise InputError(f"{path}: the coding sample is missing")
    units = pd.read_csv(path, dtype={"unit_key": str, "doc_id": str, "text": str}, keep_default_na=False)
    manifest = pd.read_csv(base / "manifest.csv", dtype=str, keep_default_na=False)
    family = dict(zip(manifest.doc_id, manifest.family))
    units["family"] = [
        family.get(d, REPORT_FAMILY if d.endswith("政府工作报告") else SEED_FAMILY) for d in units.doc_id
    ]
    units = units.drop(columns=["unit_id"]).rename(columns={"unit_key": "unit_id"})
    return units[["doc_id", "unit_id", "start", "end", "text", "family"]]


def load_blind_codes(coder: str = "A", folder: str | Path | None = None) -> pd.DataFrame:
    """One blind coder's codes (``data/instrument_coding/codes_<coder>.csv``) as a long hand-code table.

    Where the coder's work came in parts (``codes_A1.csv``, ``codes_A2.csv``: one file per half of the units),
    the parts are read together. The coder's file has ``unit_key, instrument, target_area, note``; the result
    has the columns of :func:`load_hand_codes` (``doc_id, unit_id, dimension, code, reason``), one row per unit
    and dimension.
    Raises :class:`~fupin_research.errors.InputError` naming the file for unknown codes or unknown units.

    Example:
        >>> hand = load_blind_codes("A")
        >>> sorted(hand.dimension.unique())
        ['instrument', 'target_area']
    """
    base = Path(folder) if folder else data_dir() / CODING_FOLDER
    path = base / f"codes_{coder}.csv"
    parts = [path] if path.exists() else sorted(base.glob(f"codes_{coder}[0-9].csv"))
    if not parts:
        raise InputError(f"{path}: no codes of coder {coder}")
    wide = pd.concat([pd.read_csv(part, dtype=str, keep_default_na=False) for part in parts], ignore_index=True)
    if wide.unit_key.duplicated().any():
        raise InputError(f"{path}: a unit is coded twice: {sorted(wide[wide.unit_key.duplicated()].unit_key)[:5]}")
    missing = {"unit_key", "instrument", "target_area"} - set(wide.columns)
    if missing:
        raise InputError(f"{path}: missing columns {sorted(missing)}")
    sample = load_coding_sample(base)
    doc_of = dict(zip(sample.unit_id, sample.doc_id))
    unknown = sorted(set(wide.unit_key) - set(doc_of))
    if unknown:
        raise InputError(f"{path}: units not in the sample: {unknown[:5]}")
    book = load_codebook()
    valid = {c["id"] for spec in book["dimensions"].values() for c in spec.get("codes", [])} | {NO_CODE}
    rows = []
    for record in wide.to_dict("records"):
        for dim in ("instrument", "target_area"):
            code = record[dim].strip() or NO_CODE
            if code not in valid:
                raise InputError(f"{path}: unit {record['unit_key']}: unknown code {code!r} in {dim}")
            rows.append((doc_of[record["unit_key"]], record["unit_key"], dim, code, record.get("note", "")))
    return pd.DataFrame(rows, columns=HAND_COLUMNS)


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


AGREEMENT_COLUMNS = ["dimension", "code", "n", "hand_n", "machine_n", "percent_agreement", "kappa", "kappa_low",
                     "kappa_high", "precision", "recall"]
BOOTSTRAP_SEED, BOOTSTRAP_REPLICATES = 20261130, 1000
ALL_CODES = "all"


def paired_labels(
    hand: pd.DataFrame, machine: pd.DataFrame, codebook: dict[str, Any] | None = None, *,
    method: str | None = None,
) -> pd.DataFrame:
    """Hand and machine (or second coder) label of every hand-coded unit and dimension, side by side.

    ``hand``: long hand codes (``doc_id, unit_id, dimension, code``; ``none`` = no code); an ``instrument_type``
    dimension is derived from ``instrument`` when missing. ``machine``: the evidence table of :func:`code_units`
    (decided by :func:`primary_codes` with ``method``, by default the default method), a :func:`primary_codes`
    table, or a second coder's long codes. A unit the machine does
    not mention counts as ``none``. Columns: ``doc_id, unit_id, dimension, hand, machine``.

    Example:
        >>> hand = pd.DataFrame({"doc_id": ["d"], "unit_id": ["u"], "dimension": ["instrument"],
        ...     "code": ["supply.funds"]})
        >>> paired_labels(hand, hand)[["dimension", "hand", "machine"]].values.tolist()
        [['instrument', 'supply.funds', 'supply.funds'], ['instrument_type', 'supply', 'supply']]
    """
    book = codebook or load_codebook()
    _, types = _weight_table(book)
    if {"evidence", "start"} <= set(machine.columns) and "runner_up" not in machine.columns:
        machine = primary_codes(machine, book, method=method)
    left = _with_types(hand[["doc_id", "unit_id", "dimension", "code"]], types)
    right = _with_types(machine[["doc_id", "unit_id", "dimension", "code"]], types)
    merged = left.rename(columns={"code": "hand"}).merge(
        right.rename(columns={"code": "machine"}), on=["doc_id", "unit_id", "dimension"], how="left"
    )
    merged["machine"] = merged["machine"].fillna(NO_CODE)
    order = {dim: rank for rank, dim in enumerate(PRIMARY_DIMENSIONS)}
    merged["_order"] = merged.dimension.map(order).fillna(len(order))
    merged = merged.sort_values(["_order", "doc_id", "unit_id"], kind="stable").drop(columns="_order")
    return merged.reset_index(drop=True)


def _with_types(labels: pd.DataFrame, types: dict[str, str]) -> pd.DataFrame:
    """Add ``instrument_type`` rows derived from ``instrument`` where a table has none."""
    if (labels.dimension == "instrument_type").any():
        return labels
    inst = labels[labels.dimension == "instrument"]
    derived = inst.assign(dimension="instrument_type", code=inst.code.map(types).fillna(NO_CODE).replace("", NO_CODE))
    return pd.concat([labels, derived], ignore_index=True)


def _kappa_arrays(first: np.ndarray, second: np.ndarray, classes: int) -> np.ndarray:
    """Cohen's kappa of each row pair of two integer label matrices (replicates x items)."""
    items = first.shape[1]
    observed = (first == second).mean(axis=1)
    expected = np.zeros(first.shape[0])
    for label in range(classes):
        expected += (first == label).sum(axis=1) * (second == label).sum(axis=1) / items**2
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = np.where(expected >= 1.0, 1.0, (observed - expected) / (1.0 - expected))
    return kappa


def agreement(
    hand: pd.DataFrame,
    machine: pd.DataFrame,
    codebook: dict[str, Any] | None = None,
    *,
    replicates: int = BOOTSTRAP_REPLICATES,
    seed: int = BOOTSTRAP_SEED,
    method: str | None = None,
) -> pd.DataFrame:
    """Agreement of hand codes with the machine (or a second coder): Cohen's kappa with a 95% interval and n.

    One row per dimension (``code`` = ``all``: the kappa over all codes) and one per code seen by either side
    (``code`` = the id: that code against all others, a 2 x 2 kappa, with the machine's ``precision`` and
    ``recall`` for it; the row ``none`` gives the precision and recall of "states no measure"). The interval is
    the 2.5th-97.5th percentile of a bootstrap over units (``replicates`` resamples, fixed ``seed``, so the
    numbers are reproducible). Columns: see :data:`AGREEMENT_COLUMNS`. Inputs (and ``method``, used when
    ``machine`` is an evidence table) as in :func:`paired_labels`.

    Example:
        >>> hand = pd.DataFrame({"doc_id": ["d"] * 4, "unit_id": list("abcd"), "dimension": ["target_area"] * 4,
        ...     "code": ["target.finance", "none", "target.finance", "target.health"]})
        >>> machine = hand.assign(code=["target.finance", "none", "none", "target.health"])
        >>> row = agreement(hand, machine).iloc[0]
        >>> row.dimension, row.code, int(row.n), float(row.percent_agreement), round(float(row.kappa), 3)
        ('target_area', 'all', 4, 75.0, 0.636)
    """
    pairs = paired_labels(hand, machine, codebook, method=method)
    rng = np.random.default_rng(seed)
    rows = []
    for dim in [d for d in PRIMARY_DIMENSIONS if d in set(pairs.dimension)]:
        part = pairs[pairs.dimension == dim]
        labels = sorted(set(part.hand) | set(part.machine))
        index = {label: i for i, label in enumerate(labels)}
        h = part.hand.map(index).to_numpy()
        m = part.machine.map(index).to_numpy()
        n = len(part)
        draws = rng.integers(0, n, size=(replicates, n)) if n else np.zeros((replicates, 0), dtype=int)

        kappa, low, high = _kappa_interval(h, m, len(labels), draws)
        rows.append((dim, ALL_CODES, n, n, n, 100.0 * float((h == m).mean()) if n else float("nan"),
                     kappa, low, high, float("nan"), float("nan")))
        for label in label_order(labels, codebook):
            code = index[label]
            hb, mb = (h == code).astype(int), (m == code).astype(int)
            kappa, low, high = _kappa_interval(hb, mb, 2, draws)
            both = int(((hb == 1) & (mb == 1)).sum())
            precision = both / mb.sum() if mb.sum() else float("nan")
            recall = both / hb.sum() if hb.sum() else float("nan")
            rows.append((dim, label, n, int(hb.sum()), int(mb.sum()), 100.0 * float((hb == mb).mean()),
                         kappa, low, high, precision, recall))
    table = pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
    for column in ["percent_agreement"]:
        table[column] = table[column].round(1)
    for column in ["kappa", "kappa_low", "kappa_high", "precision", "recall"]:
        table[column] = table[column].astype(float).round(3)
    return table


def _kappa_interval(first: np.ndarray, second: np.ndarray, classes: int,
                    draws: np.ndarray) -> tuple[float, float, float]:
    """Kappa of two label vectors and the 2.5th / 97.5th percentiles over the bootstrap resamples ``draws``."""
    if not len(first):
        return float("nan"), float("nan"), float("nan")
    point = float(_kappa_arrays(first[None, :], second[None, :], classes)[0])
    boot = _kappa_arrays(first[draws], second[draws], classes)
    boot = boot[~np.isnan(boot)]
    if not len(boot):
        return point, float("nan"), float("nan")
    low, high = np.percentile(boot, [2.5, 97.5])
    return point, float(low), float(high)


def label_order(labels, codebook: dict[str, Any] | None = None) -> list[str]:
    """Labels in codebook order (types, then codes), ``none`` last; unknown labels after, by name.

    Example:
        >>> label_order(["none", "supply.talent", "supply.funds", "supply"])
        ['supply', 'supply.funds', 'supply.talent', 'none']
    """
    book = codebook or load_codebook()
    known = [t for spec in book["dimensions"].values() for t in (spec.get("types") or {})]
    known += [c["id"] for spec in book["dimensions"].values() for c in spec.get("codes", [])]
    rank = {label: i for i, label in enumerate([*known, NO_CODE])}
    return sorted(labels, key=lambda label: (rank.get(label, len(rank)), label))


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
        codes = chosen_codes(codes, codebook)
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
