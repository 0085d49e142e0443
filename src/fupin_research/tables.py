"""Write tables in parts: CSV appended chunk by chunk, Parquet one row group per chunk.

Chunks are Arrow tables (:func:`to_arrow` turns a DataFrame into one), so the work of typing the columns is done
where the rows are made (a build's workers) and the process that writes only concatenates and encodes. A
table's column types are fixed by its names (below) or by its first chunk, so every later chunk is written with
the same schema and the parts read back as one table (``pandas.read_parquet(DIR / "tokens.parquet")``). Nothing
in a chunk depends on timing or the number of workers, so equal inputs give byte-identical files.

CSV files are written by Arrow: strings are quoted, booleans are ``true``/``false``, missing values are empty,
and list columns are written like ``[4, 2]``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from pandas.api.extensions import ExtensionArray

# Column names whose type is known whatever a chunk holds (an all-empty column has no type to infer).
INT_COLUMNS = frozenset({
    "start", "end", "sentence_id", "token_id", "raw_chars", "chars", "chrome_lines", "clean_start", "raw_start",
    "length", "level", "ext_start", "ext_end", "count", "multiplier",
})
BOOL_COLUMNS = frozenset({"is_stopword", "known", "quoted", "per_unit", "suspect"})
FLOAT_COLUMNS = frozenset({"confidence", "score"})  # primary_codes (coding.primary_codes)
LIST_COLUMNS = frozenset({"numerals"})
# A row group is written when either limit is reached, so tables of long texts (documents, units, sentences)
# do not gather in memory: both depend only on the rows, never on timing, so equal inputs give equal files.
ROWS_PER_GROUP = 200_000
BYTES_PER_GROUP = 8_000_000
# An empty object column: what a column missing from a chunk is typed as (by its name, else as strings).
_NO_VALUES = np.array([], dtype=object)
_CSV_OPTIONS = pa_csv.WriteOptions(include_header=False, quoting_style="needed")


def _arrow_type(name: str, series: pd.Series | np.ndarray | ExtensionArray) -> pa.DataType:
    if name in INT_COLUMNS:
        return pa.int64()
    if name in BOOL_COLUMNS:
        return pa.bool_()
    if name in LIST_COLUMNS:
        return pa.list_(pa.int64())
    if name in FLOAT_COLUMNS:
        return pa.float64()
    kind = getattr(series.dtype, "kind", "O")  # numpy's kind letter; extension dtypes have one too
    if kind == "b":
        return pa.bool_()
    if kind in "iu":
        return pa.int64()
    if kind == "f":
        return pa.float64()
    return pa.string()


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or value != value  # NaN is the only value not equal to itself


def _arrow_column(values: pd.Series | np.ndarray | ExtensionArray, kind: pa.DataType) -> pa.Array:
    """One column (a Series, or the array a Series holds) as an Arrow array of type ``kind`` (missing values
    become nulls)."""
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) and pa.types.is_string(kind):
        return pa.array(values.array if isinstance(values, pd.Series) else values, type=kind)
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) or dtype.kind == "O":
        if pa.types.is_int64(kind):
            return pa.array(pd.to_numeric(pd.Series(values, copy=False)).astype("Int64"), type=kind)
        if pa.types.is_boolean(kind):
            return pa.array(pd.Series(values, copy=False).astype("boolean"), type=kind)
        if pa.types.is_float64(kind):
            return pa.array(pd.to_numeric(pd.Series(values, copy=False)).astype("Float64"), type=kind)
        items = values.tolist()
        if pa.types.is_list(kind):
            return pa.array([None if v is None else [int(x) for x in v] for v in items], type=kind)
        if not all(type(value) is str for value in items):
            items = [None if _missing(value) else str(value) for value in items]
        return pa.array(items, type=kind)
    if pa.types.is_string(kind):
        return pa.array([str(value) for value in values.tolist()], type=kind)
    # numpy ints, floats, booleans: the common case
    return pa.array(values.to_numpy() if isinstance(values, pd.Series) else values, type=kind)


def _columns(frame: pd.DataFrame) -> dict:
    """Each column's values by name (the last of duplicate names, as ``dict(frame.items())``).

    The arrays a frame holds, taken without making a Series per column (which costs more than converting the
    column); through the public ``items()`` where this pandas does not offer them.
    """
    manager = frame._mgr
    try:
        arrays = [manager.iget_values(i) for i in range(len(frame.columns))]
    except AttributeError:  # pragma: no cover - another pandas
        return dict(frame.items())
    return dict(zip(frame.columns.tolist(), arrays))


def to_arrow(frame: pd.DataFrame, columns: list[str] | None = None) -> pa.Table:
    """A DataFrame as an Arrow table with the package's column types (and only ``columns``, in that order).

    Columns named in ``columns`` but missing from ``frame`` are all null.

    Example:
        >>> to_arrow(pd.DataFrame({"start": [1.0], "surface": ["5万"]})).schema.types
        [DataType(int64), DataType(string)]
    """
    present = _columns(frame)  # one pass: looking columns up one by one costs more than the conversion
    columns = list(present) if columns is None else columns
    arrays = []
    for name in columns:
        series = present.get(name)
        if series is None:
            series = pd.Series([None] * len(frame), dtype="object")
        arrays.append(_arrow_column(series, _arrow_type(name, series)))
    return pa.Table.from_arrays(arrays, names=columns)


def arrow_from_columns(columns: dict[str, list], dtypes: dict[str, str] | None = None) -> pa.Table:
    """``to_arrow(frame_from_columns(columns, dtypes))`` (:func:`fupin_research.split.frame_from_columns`), made
    without the DataFrame where the result is certainly the same, else through it.

    Example:
        >>> arrow_from_columns({"kind": ["a"], "start": [3], "known": [True]}, {"start": "int64"}).schema.types
        [DataType(string), DataType(int64), DataType(bool)]
    """
    dtypes = dtypes or {}
    fixed = INT_COLUMNS | BOOL_COLUMNS | LIST_COLUMNS | FLOAT_COLUMNS
    strings = _inferred_strings()
    arrays = []
    for name, values in columns.items():
        array = _direct_array(name, values, dtypes.get(name), fixed, strings)
        if array is None:
            from fupin_research.split import frame_from_columns

            return to_arrow(frame_from_columns(columns, dtypes))
        arrays.append(array)
    return pa.Table.from_arrays(arrays, names=list(columns))


def arrow_from_rows(rows: list[tuple], names: list[str], dtypes: dict[str, str] | None = None) -> pa.Table:
    """:func:`arrow_from_columns` for rows given as tuples in the order of ``names`` (as ``frame_from_rows``).

    Example:
        >>> arrow_from_rows([(0, "x")], ["start", "surface"]).column("surface").to_pylist()
        ['x']
    """
    values = map(list, zip(*rows)) if rows else ([] for _ in names)
    return arrow_from_columns(dict(zip(names, values, strict=True)), dtypes)


def _inferred_strings() -> tuple[bool, bool]:
    """Whether frame_from_columns makes pyarrow-backed strings of str columns: (inferred, named ``string``)."""
    from pandas.api.types import pandas_dtype

    def pyarrow_backed(dtype) -> bool:
        return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"

    return pyarrow_backed(pandas_dtype("str")), pyarrow_backed(pd.StringDtype())


def _direct_array(name: str, values: list, wanted: str | None, fixed: frozenset[str],
                  strings: tuple[bool, bool]) -> pa.Array | None:
    """The Arrow array of one column as ``to_arrow(frame_from_columns(...))`` makes it, or None where only that
    route is certain (a column named for another type than it holds, values of unexpected types ...)."""
    if not values:  # an empty frame_from_columns column: int64, bool, or else object/str (typed by the name)
        if name in fixed:
            return pa.array([], _arrow_type(name, _NO_VALUES))
        return pa.array([], {"int64": pa.int64(), "bool": pa.bool_()}.get(wanted or "", pa.string())) \
            if wanted in (None, "int64", "bool", "string", "object") else None
    if wanted == "int64":
        if name in fixed and name not in INT_COLUMNS:
            return None
        try:
            return pa.array(np.array(values, dtype=np.int64), pa.int64())
        except (TypeError, ValueError, OverflowError):
            return None
    if wanted == "bool":
        if (name in fixed and name not in BOOL_COLUMNS) or set(map(type, values)) != {bool}:
            return None
        return pa.array(values, pa.bool_())
    if wanted == "object":
        if name in LIST_COLUMNS:
            return pa.array([None if v is None else [int(x) for x in v] for v in values], pa.list_(pa.int64()))
        if name in fixed:
            return None
        if not all(type(value) is str for value in values):
            values = [None if _missing(value) else str(value) for value in values]
        return pa.array(values, pa.string())
    if wanted not in (None, "string") or name in fixed:
        return None
    if not strings[wanted == "string"] or set(map(type, values)) != {str}:  # as frame_from_columns infers
        return None
    try:
        return pa.array(values, pa.string())
    except (pa.ArrowException, UnicodeError):  # e.g. a lone surrogate: let the DataFrame route decide
        return None


def _with_columns(table: pa.Table, columns: list[str]) -> pa.Table:
    """``table`` with exactly ``columns``: missing ones all null (typed as :func:`to_arrow` would type them)."""
    if table.column_names == columns:
        return table
    arrays = []
    for name in columns:
        if name in table.column_names:
            arrays.append(table.column(name))
        else:
            arrays.append(pa.nulls(len(table), _arrow_type(name, _NO_VALUES)))
    return pa.Table.from_arrays(arrays, names=columns)


def _csv_ready(table: pa.Table) -> pa.Table:
    """Arrow's CSV writer has no list type: write list columns as text like ``[4, 2]``."""
    if not any(pa.types.is_list(field.type) for field in table.schema):
        return table
    arrays = []
    for field, column in zip(table.schema, table.columns):
        if pa.types.is_list(field.type):
            texts = [None if v is None else "[" + ", ".join(map(str, v)) + "]" for v in column.to_pylist()]
            column = pa.array(texts, type=pa.string())
        arrays.append(column)
    return pa.Table.from_arrays(arrays, names=table.column_names)


def _csv_header(columns: list[str]) -> bytes:
    return (",".join(f'"{name}"' if any(c in name for c in ',"\n\r') else name for name in columns) + "\n").encode()


class TableWriter:
    """Append chunks (Arrow tables or DataFrames) to ``NAME.csv`` and ``NAME.parquet`` in ``folder``.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> writer = TableWriter(folder, "demo", columns=["doc_id", "start"])
        >>> writer.append(pd.DataFrame({"doc_id": ["a"], "start": [0]}))
        >>> writer.append(pd.DataFrame({"doc_id": ["b"], "start": [5]}))
        >>> writer.close()
        >>> pd.read_parquet(folder / "demo.parquet").start.tolist()
        [0, 5]
    """

    def __init__(self, folder: Path, name: str, columns: list[str] | None = None):
        self.csv_path = folder / f"{name}.csv"
        self.parquet_path = folder / f"{name}.parquet"
        self.columns = list(columns) if columns else None
        self.schema: pa.Schema | None = None
        self._csv = None
        self._parquet: pq.ParquetWriter | None = None
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self._pending_bytes = 0

    def append(self, chunk: pa.Table | pd.DataFrame) -> None:
        """Queue a chunk; chunks are written in row groups of about ``ROWS_PER_GROUP`` rows or ``BYTES_PER_GROUP``."""
        if self.columns is None:
            self.columns = list(chunk.column_names if isinstance(chunk, pa.Table) else chunk.columns)
        if len(chunk) == 0:
            return
        table = chunk if isinstance(chunk, pa.Table) else to_arrow(chunk)
        table = _with_columns(table, self.columns)
        if self.schema is None:
            self.schema = table.schema.remove_metadata()
        elif not table.schema.equals(self.schema):
            table = table.cast(self.schema)  # e.g. a column a first chunk had all-empty, typed otherwise later
        self._pending.append(table)
        self._pending_rows += len(table)
        self._pending_bytes += table.nbytes
        if self._pending_rows >= ROWS_PER_GROUP or self._pending_bytes >= BYTES_PER_GROUP:
            self.flush()

    def flush(self) -> None:
        """Write the queued chunks as one CSV part and one Parquet row group."""
        if not self._pending:
            return
        table = pa.concat_tables(self._pending)  # chunks as they came: the writers take chunked columns
        self._pending, self._pending_rows, self._pending_bytes = [], 0, 0
        self._write(table)
        del table
        pa.default_memory_pool().release_unused()  # hand the row group's buffers back, so memory stays bounded

    def _write(self, table: pa.Table) -> None:
        assert self.schema is not None and self.columns is not None
        if self._csv is None:
            self._csv = pa.OSFile(str(self.csv_path), "wb")  # Arrow's own file: no Python call per block written
            self._csv.write(_csv_header(self.columns))
        if len(table):
            pa_csv.write_csv(_csv_ready(table), self._csv, write_options=_CSV_OPTIONS)
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(str(self.parquet_path), self.schema)
        self._parquet.write_table(table)

    def close(self) -> None:
        """Flush, and write an empty table with the known columns if no row ever came."""
        self.flush()
        if self._csv is None:
            self.columns = self.columns or []
            self.schema = self.schema or _with_columns(pa.table({}), self.columns).schema
            self._write(self.schema.empty_table())
        self._csv.close()
        if self._parquet is not None:
            self._parquet.close()


# --------------------------------------------------------------------------------------------------------
# Bundles: the tables of one document in one file (Arrow IPC streams after a small JSON index). A build's cache
# entries are bundles, and pool workers hand their tables to the writing process as bundles: the writer reads a
# file instead of receiving and unpickling the bytes through a pipe.

_BUNDLE_MAGIC = b"FUPINB1\n"


def write_bundle(path: Path, tables: dict[str, pa.Table]) -> None:
    """Write ``tables`` to ``path`` as one bundle file (see :func:`read_bundle`).

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "doc.arrow"
        >>> write_bundle(path, {"demo": pa.table({"start": [1, 2]})})
        >>> read_bundle(path)["demo"].column("start").to_pylist()
        [1, 2]
    """
    streams, index, offset = [], [], 0
    for name, table in tables.items():
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        buffer = sink.getvalue()
        streams.append(buffer)
        index.append([name, offset, buffer.size])
        offset += buffer.size
    header = json.dumps(index).encode()
    with pa.OSFile(str(path), "wb") as handle:
        handle.write(_BUNDLE_MAGIC + len(header).to_bytes(8, "little") + header)
        for buffer in streams:
            handle.write(buffer)


def read_bundle(path: Path) -> dict[str, pa.Table]:
    """The tables of a bundle file. Raises ``ValueError`` for a damaged file.

    Each table is read into buffers of its own: a writer may keep a small table long after the large ones of the
    same document were written, and must not keep the whole file in memory for it.
    """
    with pa.OSFile(str(path), "r") as handle:
        magic = handle.read(len(_BUNDLE_MAGIC) + 8)
        if len(magic) < len(_BUNDLE_MAGIC) + 8 or magic[:len(_BUNDLE_MAGIC)] != _BUNDLE_MAGIC:
            raise ValueError(f"{path}: not a table bundle")
        length = int.from_bytes(magic[len(_BUNDLE_MAGIC):], "little")
        try:
            if length > handle.size():
                raise ValueError("index longer than the file")
            index = json.loads(handle.read(length))
            tables = {}
            for name, _offset, size in index:  # the streams follow the index in its order
                buffer = handle.read_buffer(size)
                if buffer.size != size:
                    raise ValueError("file ends early")
                tables[name] = pa.ipc.open_stream(buffer).read_all()
        except (pa.ArrowInvalid, json.JSONDecodeError, TypeError, ValueError) as error:
            raise ValueError(f"{path}: damaged table bundle ({error})") from None
    return tables
