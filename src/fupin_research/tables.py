"""Write tables in parts: CSV appended chunk by chunk, Parquet one row group per chunk.

A table's column types are fixed by its first chunk (or by the names below), so every later chunk is written
with the same schema and the parts read back as one table (``pandas.read_parquet(DIR / "tokens.parquet")``).
Nothing in a chunk depends on timing or the number of workers, so equal inputs give byte-identical files.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

# Column names whose type is known whatever the first chunk holds (an all-empty column has no type to infer).
INT_COLUMNS = frozenset({
    "start", "end", "sentence_id", "token_id", "raw_chars", "chars", "chrome_lines", "clean_start", "raw_start",
    "length", "level", "ext_start", "ext_end", "count",
})
BOOL_COLUMNS = frozenset({"is_stopword", "known", "quoted"})
LIST_COLUMNS = frozenset({"numerals"})
ROWS_PER_GROUP = 200_000


def _arrow_type(name: str, series: pd.Series) -> pa.DataType:
    if name in INT_COLUMNS:
        return pa.int64()
    if name in BOOL_COLUMNS:
        return pa.bool_()
    if name in LIST_COLUMNS:
        return pa.list_(pa.int64())
    if pd.api.types.is_bool_dtype(series.dtype):
        return pa.bool_()
    if pd.api.types.is_integer_dtype(series.dtype):
        return pa.int64()
    if pd.api.types.is_float_dtype(series.dtype):
        return pa.float64()
    return pa.string()


def _coerce(series: pd.Series, kind: pa.DataType) -> pd.Series:
    """Give a column the nullable pandas dtype that matches ``kind`` (so CSV and Parquet agree)."""
    if pa.types.is_int64(kind):
        plain = not isinstance(series.dtype, pd.api.extensions.ExtensionDtype)
        if plain and pd.api.types.is_integer_dtype(series.dtype):
            return series.astype("int64")  # no missing values: the plain numpy column is cheapest
        return pd.to_numeric(series).astype("Int64")
    if pa.types.is_boolean(kind):
        return series if pd.api.types.is_bool_dtype(series.dtype) else series.astype("boolean")
    if pa.types.is_float64(kind):
        return pd.to_numeric(series).astype("Float64")
    if pa.types.is_list(kind):
        return series.map(lambda value: None if value is None else [int(v) for v in value])
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        return series if not series.isna().any() else series.astype(object).where(series.notna(), None)
    return series.map(lambda value: None if value is None or value is pd.NA or value != value else str(value))


class TableWriter:
    """Append DataFrame chunks to ``NAME.csv`` and ``NAME.parquet`` in ``folder``.

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
        self._pending: list[pd.DataFrame] = []
        self._pending_rows = 0

    def append(self, frame: pd.DataFrame) -> None:
        """Queue a chunk; chunks are written in row groups of about ``ROWS_PER_GROUP`` rows."""
        if self.columns is None:
            self.columns = list(frame.columns)
        if frame.empty:
            return
        self._pending.append(frame)
        self._pending_rows += len(frame)
        if self._pending_rows >= ROWS_PER_GROUP:
            self.flush()

    def _schema_for(self, frame: pd.DataFrame) -> pa.Schema:
        assert self.columns is not None
        return pa.schema([(name, _arrow_type(name, frame[name])) for name in self.columns])

    def flush(self) -> None:
        """Write the queued chunks as one CSV part and one Parquet row group."""
        if not self._pending:
            return
        frame = pd.concat(self._pending, ignore_index=True)
        self._pending, self._pending_rows = [], 0
        assert self.columns is not None
        for name in self.columns:
            if name not in frame.columns:
                frame[name] = None
        frame = frame[self.columns]
        if self.schema is None:
            self.schema = self._schema_for(frame)
        frame = pd.DataFrame({field.name: _coerce(frame[field.name], field.type) for field in self.schema})
        self._write(frame)

    def _write(self, frame: pd.DataFrame) -> None:
        assert self.schema is not None
        if self._csv is None:
            self._csv = open(self.csv_path, "w", encoding="utf-8", newline="")
            frame.iloc[0:0].to_csv(self._csv, index=False, lineterminator="\n")
        frame.to_csv(self._csv, index=False, header=False, lineterminator="\n")
        table = pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False).replace_schema_metadata(None)
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self.parquet_path, self.schema)
        self._parquet.write_table(table)

    def close(self) -> None:
        """Flush, and write an empty table with the known columns if no row ever came."""
        self.flush()
        if self._csv is None:
            columns = self.columns or []
            empty = pd.DataFrame({name: pd.Series([], dtype="object") for name in columns})
            self.schema = self.schema or pa.schema([(name, _arrow_type(name, empty[name])) for name in columns])
            self._csv = open(self.csv_path, "w", encoding="utf-8", newline="")
            empty.to_csv(self._csv, index=False, lineterminator="\n")
            self._parquet = pq.ParquetWriter(self.parquet_path, self.schema)
            self._parquet.write_table(pa.Table.from_pylist([], schema=self.schema))
        self._csv.close()
        if self._parquet is not None:
            self._parquet.close()
