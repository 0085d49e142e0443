"""Split clean text into sentences, each with offsets into the text."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.types import pandas_dtype

# A sentence ends at 。！？；!?; (with any closing quotes/brackets right after) or at a line break.
# The seeds write the Chinese semicolon as ASCII ";".
_SENTENCE = re.compile(r"[^\n。！？；!?;]*(?:[。！？；!?;]+[”’」』)）]*|\n|$)")

SENTENCE_COLUMNS = ["sentence_id", "start", "end", "text"]

# Empty tables, keyed by (columns, dtypes): built the slow way once, then copied.
_EMPTY: dict[tuple[tuple[str, ...], tuple[tuple[str, str], ...]], pd.DataFrame] = {}


def frame_from_columns(columns: dict[str, list[Any]], dtypes: dict[str, str] | None = None) -> pd.DataFrame:
    """The table ``pd.DataFrame(rows, columns=...).astype(dtypes)`` would give, built column by column.

    ``columns`` maps each column name to its values (all lists of one length); ``dtypes`` may set
    ``"int64"`` (Python ints), ``"bool"`` or ``"string"`` columns, and ``"object"`` for values kept exactly as
    given (``None`` stays ``None``, a list stays a list; not the ``NaN`` that pandas' string inference would
    make of a missing string); the rest are inferred as pandas would. Building from rows makes pandas infer
    every column from Python objects, several times slower than handing it typed arrays; the fast path is
    taken only where the result is certainly the same (every inferred column all ``str`` under pandas'
    pyarrow-backed string inference), else the rows are built as before.

    Example:
        >>> frame = frame_from_columns({"a": ["x", "y"], "n": [1, 2]}, {"n": "int64"})
        >>> frame.values.tolist(), str(frame.n.dtype)
        ([['x', 1], ['y', 2]], 'int64')
    """
    dtypes = dtypes or {}
    names = list(columns)
    if any(len(values) for values in columns.values()):
        fast = _typed_columns(columns, dtypes)
        if fast is not None:
            return pd.DataFrame(fast, columns=names, copy=False)
        rows = list(zip(*columns.values(), strict=True))
        kept = [name for name, dtype in dtypes.items() if dtype == "object"]
        frame = pd.DataFrame(rows, columns=names).astype({k: v for k, v in dtypes.items() if k not in kept})
        for name in kept:
            frame[name] = pd.Series(columns[name], index=frame.index, dtype=object)
        return frame
    key = (tuple(names), tuple(dtypes.items()))
    if key not in _EMPTY:
        _EMPTY[key] = pd.DataFrame([], columns=names).astype(dtypes)
    return _EMPTY[key].copy()


def frame_from_rows(rows: list[tuple], names: list[str], dtypes: dict[str, str] | None = None) -> pd.DataFrame:
    """:func:`frame_from_columns` for rows given as tuples in the order of ``names``.

    Example:
        >>> frame_from_rows([(1, "x", True)], ["n", "a", "ok"], {"n": "int64", "ok": "bool"}).dtypes.tolist()
        [dtype('int64'), <StringDtype(na_value=nan)>, dtype('bool')]
    """
    values = map(list, zip(*rows)) if rows else ([] for _ in names)
    return frame_from_columns(dict(zip(names, values, strict=True)), dtypes)


def _typed_columns(columns: dict[str, list[Any]], dtypes: dict[str, str]) -> dict[str, Any] | None:
    """Typed arrays for :func:`frame_from_columns`, or None where only pandas' own inference is safe."""
    inferred = pandas_dtype("str")  # what pandas infers for str objects under the current options
    data: dict[str, Any] = {}
    try:
        for name, values in columns.items():
            wanted = dtypes.get(name)
            if wanted == "int64":
                data[name] = np.array(values, dtype=np.int64)
                continue
            if wanted == "object":
                data[name] = pd.Series(values, dtype=object)  # a Series: lists of equal length stay one per row
                continue
            if wanted == "bool":
                if set(map(type, values)) != {bool}:  # numpy reads None as False, pandas (via NaN) as True
                    return None
                data[name] = np.array(values, dtype=bool)
                continue
            dtype = pd.StringDtype() if wanted == "string" else inferred if wanted is None else None
            if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
                return None
            if set(map(type, values)) != {str}:  # only str (not None, bytes ...) is inferred as such
                return None
            data[name] = pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()), dtype=dtype)
    except (TypeError, ValueError, pa.ArrowException):  # e.g. an older pandas, or unencodable text
        return None
    return data


def split_sentences(text: str, doc_id: str | None = None) -> pd.DataFrame:
    """Split ``text`` into sentences; one row per sentence with ``start``/``end`` offsets.

    Leading and trailing whitespace is left out of each sentence, and empty lines give no row,
    so ``text[start:end] == row.text`` always holds.

    Example:
        >>> split_sentences("脱贫攻坚。精准扶贫！\\n建档立卡").text.tolist()
        ['脱贫攻坚。', '精准扶贫！', '建档立卡']
    """
    columns = sentence_columns(text)
    if columns["text"] and type(doc_id) is str:  # else the column is added as before, with its own dtype
        return frame_from_columns({"doc_id": [doc_id] * len(columns["text"]), **columns}, SENTENCE_DTYPES)
    frame = frame_from_columns(columns, SENTENCE_DTYPES)
    if doc_id is not None:
        frame.insert(0, "doc_id", doc_id)
    return frame


SENTENCE_DTYPES = {"sentence_id": "int64", "start": "int64", "end": "int64", "text": "string"}


def sentence_columns(text: str) -> dict[str, list[Any]]:
    """The columns of :func:`split_sentences` (``SENTENCE_COLUMNS``, dtypes ``SENTENCE_DTYPES``) as lists.

    Example:
        >>> sentence_columns("脱贫攻坚。\\n 建档立卡")["start"]
        [0, 7]
    """
    starts: list[int] = []
    ends: list[int] = []
    texts: list[str] = []
    for match in _SENTENCE.finditer(text):
        piece = match.group()
        sentence = piece.strip()  # str.strip drops exactly the characters str.isspace accepts
        if sentence:
            start = match.start() + len(piece) - len(piece.lstrip())
            starts.append(start)
            ends.append(start + len(sentence))
            texts.append(sentence)
    return {"sentence_id": list(range(len(texts))), "start": starts, "end": ends, "text": texts}
