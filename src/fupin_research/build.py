"""``fupin build``: turn a folder of texts into tidy tables (CSV and Parquet) in one output folder.

One producer per table; every row carries ``doc_id`` and, where it points into a text, ``start``/``end``
offsets into that document's clean ``text`` (the ``documents`` table). The ``offset_map`` table leads from
clean offsets back to the raw file: a clean offset ``o`` inside run ``(clean_start, raw_start, length)``
is raw offset ``raw_start + o - clean_start``.

Outputs hold no timestamps and no absolute paths, so two builds of the same input are byte-identical.
Tables are first written into a temporary folder beside ``DIR`` and moved into place only when complete, so an
interrupted build leaves the previous tables intact.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from fupin_research._version import __version__
from fupin_research.audit import (
    ALL_ATTRIBUTION_COLUMNS,
    ATTRIBUTION_DTYPES,
    CHECK_COLUMNS,
    attribute_quantities,
    attribute_with_sentence_lists,
    attribution_columns,
    audit_quantities,
    check_rows,
)
from fupin_research.coding import PRIMARY_COLUMNS, code_units, primary_codes
from fupin_research.corpus import (
    DOCUMENT_FIELDS,
    INFERRED_FIELDS,
    Document,
    corpus_files,
    make_document,
    read_manifest,
)
from fupin_research.damage import DAMAGE_DTYPES, WARNING_COLUMNS, damage_columns, detect_damage
from fupin_research.errors import InputError
from fupin_research.extract.formulas import COLUMN_DTYPES as FORMULA_DTYPES
from fupin_research.extract.formulas import COLUMNS as FORMULA_COLUMNS
from fupin_research.extract.formulas import extract_formulas, formula_rows
from fupin_research.extract.quantities import QUANTITY_COLUMNS, QUANTITY_DTYPES, extract_quantities, quantity_rows
from fupin_research.extract.time_expressions import COLUMN_DTYPES as TIME_DTYPES
from fupin_research.extract.time_expressions import COLUMNS as TIME_COLUMNS
from fupin_research.extract.time_expressions import extract_time_expressions, time_expression_rows
from fupin_research.paths import data_dir
from fupin_research.provenance import write_provenance
from fupin_research.readers import read_bytes
from fupin_research.segment import (
    TOKEN_COLUMNS,
    get_tokenizer,
    load_stopwords,
    resolve_segmenter,
    token_lists,
    tokenize,
)
from fupin_research.split import SENTENCE_COLUMNS, SENTENCE_DTYPES, sentence_columns, split_sentences
from fupin_research.structure import split_units
from fupin_research.tables import (
    BOOL_COLUMNS,
    FLOAT_COLUMNS,
    INT_COLUMNS,
    LIST_COLUMNS,
    TableWriter,
    arrow_from_columns,
    arrow_from_rows,
    read_bundle,
    to_arrow,
    write_bundle,
)

OFFSET_MAP_COLUMNS = ["doc_id", "clean_start", "raw_start", "length"]
SKIPPED_COLUMNS = ["file", "reason"]
# The text a reader extracted from a web page, PDF or DOCX: what offset_map's raw offsets point into.
RAW_TEXT_COLUMNS = ["doc_id", "file", "format", "raw_text"]


def chrome_warnings(doc: Document) -> pd.DataFrame:
    """Warnings for the page-chrome lines normalization removed (empty span at the clean position)."""
    rows = []
    offsets = doc.normalized.offsets
    for raw_start, _raw_end, line in doc.normalized.chrome:
        # the clean position where the line used to be: first clean char whose raw offset is past it
        position = min(bisect.bisect_left(offsets, raw_start), len(doc.text))
        rows.append((doc.doc_id, "page_chrome_removed", position, position, "", line))
    return pd.DataFrame(rows, columns=WARNING_COLUMNS)


def document_tables(doc: Document, *, segmenter: str = "jieba") -> dict[str, pd.DataFrame]:
    """All per-document tables of one document (the unit of work of a build).

    Example:
        >>> from fupin_research.corpus import read_document
        >>> from fupin_research.paths import seed_corpus_dir
        >>> tables = document_tables(read_document(seed_corpus_dir() / "002_fbd7bac49d8a79cb.txt"))
        >>> sorted(tables)  # doctest: +NORMALIZE_WHITESPACE
        ['checks', 'codes', 'documents', 'formulas', 'offset_map', 'primary_codes', 'quantities', 'raw_texts',
         'sentences', 'time_expressions', 'tokens', 'units', 'warnings']
    """
    return _document_tables(doc, segmenter, arrow=False)


def _document_tables(doc: Document, segmenter: str, *, arrow: bool) -> dict:
    """:func:`document_tables`, as DataFrames or (for a build's writer) as Arrow tables."""
    text = doc.text
    units = document_units(doc)
    codes = code_units(units)
    context = quantity_context(doc)
    sentence_lists = sentence_columns(text)  # attribution reads the lists, the sentences table is made from them
    if arrow:  # quantities and checks are made from lists (see _quantity_tables)
        attributed = checks = None
    else:
        attributed = attribute_with_sentence_lists(text, extract_quantities(text), sentence_lists["start"],
                                                   sentence_lists["end"], sentence_lists["sentence_id"], **context)
        checks = audit_quantities(text, attributed, **context)
    tables = {
        "documents": None,
        "sentences": None,
        "tokens": None if arrow else tokenize(text, doc.doc_id, backend=segmenter),
        "warnings": None,
        "offset_map": None,
        "units": units,
        "codes": codes,
        "primary_codes": primary_codes(codes, units=units),  # one row per unit and dimension, none included
        "formulas": None,
        "time_expressions": None,
        "quantities": attributed,
        "checks": checks,
        "raw_texts": None,
    }
    if not arrow:
        warnings = document_warnings(doc)
        tables.update(
            documents=pd.DataFrame([doc.record()]), sentences=split_sentences(text, doc.doc_id),
            warnings=warnings.sort_values(["start", "kind"], kind="stable") if len(warnings) > 1 else warnings,
            offset_map=_offset_map_frame(doc), raw_texts=raw_text_table(doc),
            formulas=with_doc_id(extract_formulas(text), doc.doc_id),
            time_expressions=with_doc_id(extract_time_expressions(text, **time_context(doc.meta)), doc.doc_id),
            quantities=doc_id_first(attributed), checks=doc_id_first(checks))
        return tables
    # As Arrow: the small tables and the extractors' rows are made without a DataFrame (typed as to_arrow types
    # the DataFrames above), and doc_id is put in front without copying a frame.
    tables = {name: to_arrow(frame) if frame is not None else None for name, frame in tables.items()}
    tables.update(documents=_documents_arrow(doc), sentences=_sentences_arrow(doc, sentence_lists),
                  warnings=_warnings_arrow(doc), offset_map=_offset_map_arrow(doc), raw_texts=_raw_texts_arrow(doc),
                  formulas=_with_doc_id_arrow(arrow_from_rows(formula_rows(text), FORMULA_COLUMNS,
                                                              FORMULA_DTYPES), doc.doc_id),
                  time_expressions=_with_doc_id_arrow(arrow_from_rows(
                      time_expression_rows(text, **time_context(doc.meta)), TIME_COLUMNS, TIME_DTYPES), doc.doc_id),
                  **_quantity_tables(doc, sentence_lists))
    # the largest table is made as Arrow directly, without a DataFrame in between
    words, starts, ends, stopword = token_lists(text, get_tokenizer(backend=segmenter), load_stopwords())
    tables["tokens"] = pa.table({
        "doc_id": _repeated(doc.doc_id, len(words)),
        "token_id": pa.array(np.arange(len(words), dtype=np.int64)),
        "start": pa.array(starts, pa.int64()),
        "end": pa.array(ends, pa.int64()),
        "token": pa.array(words, pa.string()),
        "is_stopword": pa.array(stopword, pa.bool_()),
    })
    return tables


def _quantity_tables(doc: Document, sentences: dict[str, list]) -> dict[str, pa.Table]:
    """The quantities and checks tables as Arrow, typed as ``to_arrow(doc_id_first(...))`` types the DataFrames of
    :func:`document_tables`, from the extractor's rows and the attribution's and audit's lists."""
    context = quantity_context(doc)
    rows = quantity_rows(doc.text)
    if not rows:
        columns = {name: [] for name in ["doc_id", *QUANTITY_COLUMNS, *ALL_ATTRIBUTION_COLUMNS[1:]]}
        return {"quantities": arrow_from_columns(columns, QUANTITY_DTYPES | ATTRIBUTION_DTYPES),
                "checks": arrow_from_columns({name: [] for name in CHECK_COLUMNS})}
    found = dict(zip(QUANTITY_COLUMNS, map(list, zip(*rows)), strict=True))
    added = attribution_columns(doc.text, found, sentences["start"], sentences["end"], sentences["sentence_id"],
                                **context)
    columns = {"doc_id": added["doc_id"], **found, **{name: added[name] for name in ALL_ATTRIBUTION_COLUMNS[1:]}}
    checks = check_rows(doc.text, columns, doc_id=doc.doc_id)
    return {"quantities": arrow_from_columns(columns, QUANTITY_DTYPES | ATTRIBUTION_DTYPES),
            "checks": arrow_from_columns({name: [row[name] for row in checks] for name in CHECK_COLUMNS})}


def document_warnings(doc: Document) -> pd.DataFrame:
    """The damage warnings of a document, after those for the page chrome normalization removed (unsorted)."""
    warnings = detect_damage(doc.text, doc.doc_id)
    if doc.normalized.chrome:
        warnings = pd.concat([chrome_warnings(doc), warnings], ignore_index=True)
    return warnings


def _warnings_arrow(doc: Document) -> pa.Table:
    """The warnings table of :func:`_document_tables` as Arrow (damage_columns are sorted by start and kind
    already: the stable sort changes nothing where no chrome warnings come before them)."""
    if doc.normalized.chrome:
        warnings = document_warnings(doc)
        return to_arrow(warnings.sort_values(["start", "kind"], kind="stable") if len(warnings) > 1 else warnings)
    return arrow_from_columns(damage_columns(doc.text, doc.doc_id), DAMAGE_DTYPES)


def _sentences_arrow(doc: Document, columns: dict[str, list]) -> pa.Table:
    """``to_arrow(split_sentences(doc.text, doc.doc_id))`` from the sentence columns."""
    if columns["text"] and type(doc.doc_id) is str:
        return arrow_from_columns({"doc_id": [doc.doc_id] * len(columns["text"]), **columns}, SENTENCE_DTYPES)
    return to_arrow(split_sentences(doc.text, doc.doc_id))


def _offset_map_frame(doc: Document) -> pd.DataFrame:
    offset_map = pd.DataFrame(doc.normalized.segments(), columns=OFFSET_MAP_COLUMNS[1:])
    offset_map.insert(0, "doc_id", doc.doc_id)
    return offset_map


def _offset_map_arrow(doc: Document) -> pa.Table:
    """:func:`_offset_map_frame` as :func:`to_arrow` types it (all offsets int64)."""
    columns = doc.normalized.segment_arrays()
    arrays = [_repeated(doc.doc_id, len(columns[0])), *(pa.array(column, pa.int64()) for column in columns)]
    return pa.Table.from_arrays(arrays, names=OFFSET_MAP_COLUMNS)


def _documents_arrow(doc: Document) -> pa.Table:
    """``to_arrow(pd.DataFrame([doc.record()]))``, without the DataFrame where every value is a plain str or
    the count a count column holds (anything else, such as a missing manifest value, goes through pandas)."""
    record = doc.record()
    fixed = INT_COLUMNS | BOOL_COLUMNS | LIST_COLUMNS | FLOAT_COLUMNS
    arrays = []
    for name, value in record.items():
        if type(value) is str and name not in fixed:
            arrays.append(pa.array([value], pa.string()))
        elif type(value) is int and name in INT_COLUMNS:
            arrays.append(pa.array([value], pa.int64()))
        else:
            return to_arrow(pd.DataFrame([record]))
    return pa.Table.from_arrays(arrays, names=list(record))


def _raw_texts_arrow(doc: Document) -> pa.Table:
    """:func:`raw_text_table` as :func:`to_arrow` types it (four string columns)."""
    values = [] if doc.format == "text" else [(doc.doc_id, doc.path.name, doc.format, doc.raw)]
    columns = [list(column) for column in zip(*values)] if values else [[], [], [], []]
    return pa.Table.from_arrays([pa.array(column, pa.string()) for column in columns], names=RAW_TEXT_COLUMNS)


def _with_doc_id_arrow(table: pa.Table, doc_id: str) -> pa.Table:
    """``to_arrow(with_doc_id(frame, doc_id))`` from ``to_arrow(frame)``."""
    return table.add_column(0, "doc_id", _repeated(doc_id, len(table)))


def _repeated(value: str, count: int) -> pa.Array:
    """A string column holding ``value`` ``count`` times (as ``pa.array([value] * count, pa.string())``)."""
    return pa.repeat(pa.scalar(value, pa.string()), count)


def _doc_id_first_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of :func:`doc_id_first`, in its order."""
    return ["doc_id", *(c for c in frame.columns if c != "doc_id")]


def raw_text_table(doc: Document) -> pd.DataFrame:
    """The extracted raw text of a non-text source (empty for a plain text file, whose raw text is the file).

    ``offset_map`` maps clean offsets to offsets in this text, so any row of any table can be checked against
    what the reader took from the web page, PDF or DOCX.
    """
    if doc.format == "text":
        return pd.DataFrame(columns=RAW_TEXT_COLUMNS)
    return pd.DataFrame([(doc.doc_id, doc.path.name, doc.format, doc.raw)], columns=RAW_TEXT_COLUMNS)


def quantity_context(doc: Document) -> dict[str, str | None]:
    """What attribution and audit need to know of a document: its id, the period it covers, its province."""
    period = doc.meta.get("period") or doc.meta.get("year") or None
    return {"doc_id": doc.doc_id, "period": period, "province": doc.meta.get("province") or None}


def doc_id_first(frame: pd.DataFrame) -> pd.DataFrame:
    """Move the ``doc_id`` column to the front."""
    return frame[["doc_id", *(c for c in frame.columns if c != "doc_id")]]


def with_doc_id(frame: pd.DataFrame, doc_id: str) -> pd.DataFrame:
    """Put ``doc_id`` in front of an extractor's table."""
    frame = frame.copy()
    frame.insert(0, "doc_id", doc_id)
    return frame


def time_context(meta: dict[str, str]) -> dict[str, str | None]:
    """The reference date and period that anchor a document's relative time expressions.

    A repost date says nothing about when the text was written, so only issued/published dates count, and the
    date line under a document's signature (``date_kind = body``, its 成文日期). A page's ``PubDate`` (``meta``) or
    发布时间 line (``header``) may be a repost's: not used.

    Example:
        >>> time_context({"date": "2016-11-23", "date_kind": "body"})["reference_date"]
        '2016-11-23'
    """
    reference = meta.get("date") if meta.get("date_kind") in ("issued", "published", "body") else None
    period = meta.get("period") or meta.get("year") or None
    return {"reference_date": reference or None, "period": period}


def quantities_table(doc: Document) -> pd.DataFrame:
    """The attributed quantities of one document, with ``raw_start``/``raw_end`` offsets into the file's text.

    Example:
        >>> from fupin_research.corpus import read_document
        >>> from fupin_research.paths import seed_corpus_dir
        >>> table = quantities_table(read_document(seed_corpus_dir() / "002_fbd7bac49d8a79cb.txt"))
        >>> table.loc[0, ["doc_id", "surface", "value", "unit"]].tolist()
        ['002_fbd7bac49d8a79cb', '7.1万', 71000, '人']
    """
    context = quantity_context(doc)
    table = doc_id_first(attribute_quantities(doc.text, extract_quantities(doc.text), **context))
    spans = [doc.normalized.raw_span(start, end) for start, end in zip(table["start"], table["end"])]
    table.insert(3, "raw_start", [span[0] for span in spans])
    table.insert(4, "raw_end", [span[1] for span in spans])
    return table


def document_units(doc: Document) -> pd.DataFrame:
    """Analysis units of a document (see :func:`units_with_province`)."""
    return units_with_province(doc.doc_id, doc.text, doc.meta.get("province", ""))


def units_with_province(doc_id: str, text: str, province: str = "") -> pd.DataFrame:
    """Analysis units of a clean text; a single-province document's units get its ``province``.

    Where the text itself names provinces unit by unit (bulletin 004), units that name none stay empty.

    Example:
        >>> units_with_province("009_x", "一、要求\\n1.识别。\\n", "青海")[["unit_id", "province"]].values.tolist()
        [['009-1', '青海'], ['009-1-0-1', '青海']]
    """
    units = split_units(text, doc_id)
    if province and not (units["province"] != "").any():
        units["province"] = province
    return units


EMPTY_COLUMNS = {
    "sentences": ["doc_id", *SENTENCE_COLUMNS],
    "tokens": ["doc_id", *TOKEN_COLUMNS],
    "warnings": WARNING_COLUMNS,
    "offset_map": OFFSET_MAP_COLUMNS,
    "skipped": SKIPPED_COLUMNS,
    "primary_codes": PRIMARY_COLUMNS,
    "raw_texts": RAW_TEXT_COLUMNS,
}
CACHE_FOLDER = ".fupin-cache"


# --------------------------------------------------------------------------------------------------------
# Settings and the unit of work (one document), shared by the local loop, the process pool and Dask.


@dataclass(frozen=True)
class BuildSettings:
    """What decides the content of the tables besides the texts: the segmenter and the data files.

    ``segmenter`` is ``auto`` (``rjieba`` where installed, else ``jieba``: the same tokens), ``jieba`` or
    ``rjieba``; it is resolved when the build starts.
    """

    segmenter: str = "auto"

    def fingerprint(self) -> str:
        """A hash of the settings, the package's code and its data files: a change in any invalidates caches."""
        digest = hashlib.sha256(f"{__version__}|{self.segmenter}".encode())
        package = Path(__file__).resolve().parent
        for path in sorted(package.rglob("*.py")):
            digest.update(path.read_bytes())
        for path in sorted(p for p in data_dir().iterdir() if p.is_file()):
            digest.update(path.name.encode() + path.read_bytes())
        # the hand codes the coding model learns from decide primary_codes when the model is the default
        for path in sorted(p for p in (data_dir() / "instrument_coding").glob("*.csv")):
            digest.update(path.name.encode() + path.read_bytes())
        return digest.hexdigest()


@dataclass(frozen=True)
class Task:
    """One document to process: its position in the corpus (for stable ordering) and where to cache."""

    index: int
    path: str
    meta: dict[str, str]
    settings: BuildSettings
    fingerprint: str
    cache_dir: str | None
    spool_dir: str | None = None  # set for pool workers: hand the tables over as a bundle file there


@dataclass
class Result:
    """The tables of one document, or the reason it was skipped."""

    index: int
    name: str
    megabytes: float
    tables: dict[str, pa.Table] | None = None
    error: str | None = None
    reused: bool = False
    cache_key: str | None = None
    bundle: str | None = None  # the tables are in this bundle file instead (see tables.read_bundle)
    spooled: bool = False  # the bundle is a spool file, to delete once read (not a cache entry)

    def read_tables(self) -> dict[str, pa.Table]:
        """The tables, from the result itself or from its bundle file (a spool file is then deleted)."""
        if self.tables is not None:
            return self.tables
        assert self.bundle is not None
        tables = read_bundle(Path(self.bundle))
        if self.spooled:
            try:
                os.unlink(self.bundle)
            except OSError:
                pass  # removed with the staging folder at the end
        return tables


def process_task(task: Task) -> Result:
    """Read, normalize and extract one document (runs in the main process, a pool worker or a Dask worker)."""
    path = Path(task.path)
    try:
        data = path.read_bytes()
    except OSError as error:
        return Result(task.index, path.name, 0.0, error=f"cannot be read ({error.strerror})")
    megabytes = len(data) / 1e6
    key = None
    if task.cache_dir is not None:
        # the file name is the doc_id the tables carry: a renamed or duplicated file must not reuse them
        meta_bytes = repr((path.name, sorted(task.meta.items()))).encode()
        key = hashlib.sha256(data + b"\0" + meta_bytes + b"\0" + task.fingerprint.encode()).hexdigest()
        cached = Path(task.cache_dir) / f"{key}.arrow"
        if cached.is_file():
            try:
                tables = read_bundle(cached)
                if task.spool_dir is not None:  # the writing process reads the cache entry itself
                    return Result(task.index, path.name, megabytes, reused=True, cache_key=key, bundle=str(cached))
                return Result(task.index, path.name, megabytes, tables, reused=True, cache_key=key)
            except (OSError, ValueError):
                pass  # a damaged cache entry is simply rebuilt
    try:
        extracted = read_bytes(data, path.name)
        doc = make_document(path, extracted.text, extracted.encoding, task.meta, format=extracted.format,
                            found=extracted.meta)
    except InputError as error:
        return Result(task.index, path.name, megabytes, error=str(error).split(": ", 1)[-1])
    # typed as Arrow here, in the worker, so the writing process only concatenates and encodes
    with _fewer_collections():
        tables = _document_tables(doc, task.settings.segmenter, arrow=True)
    result = Result(task.index, path.name, megabytes, tables, cache_key=key)
    if key is not None:
        cached = Path(task.cache_dir) / f"{key}.arrow"
        _write_cache(cached, tables)
        if task.spool_dir is not None:
            result.tables, result.bundle = None, str(cached)
    elif task.spool_dir is not None:
        result.tables, result.bundle, result.spooled = None, str(Path(task.spool_dir) / f"{task.index}.arrow"), True
        write_bundle(Path(result.bundle), tables)
    return result


_collections_lock = threading.Lock()
_collections_depth = 0
_saved_thresholds: tuple[int, ...] = gc.get_threshold()


@contextmanager
def _fewer_collections(first_threshold: int = 50_000) -> Iterator[None]:
    """Run the block with the garbage collector's first threshold raised (restored afterwards).

    A document's tables are built from millions of short-lived tuples and lists that reference counting frees;
    collecting after every 700 new ones (Python's default) spent about 3% of a build visiting them.
    """
    # Dask runs several tasks as threads of one process, and the threshold is the process's: the first block in
    # raises it and the last one out restores it, so no thread restores it under another
    global _collections_depth, _saved_thresholds
    with _collections_lock:
        if _collections_depth == 0:
            _saved_thresholds = gc.get_threshold()
            gc.set_threshold(first_threshold, *_saved_thresholds[1:])
        _collections_depth += 1
    try:
        yield
    finally:
        with _collections_lock:
            _collections_depth -= 1
            if _collections_depth == 0:
                gc.set_threshold(*_saved_thresholds)


def _write_cache(path: Path, tables: dict[str, pa.Table]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.part")
    write_bundle(partial, tables)
    os.replace(partial, path)


def _warm_up(settings: BuildSettings) -> None:
    """Load a worker's tokenizer, codebook and coding model once, before its first document (forked workers
    inherit them from the parent)."""
    from fupin_research.coding_model import default_model  # the model that decides primary_codes

    get_tokenizer(backend=settings.segmenter)
    code_units(pd.DataFrame({"doc_id": [], "unit_id": [], "start": [], "text": []}))
    default_model(text=True).fitted.gram_tables  # noqa: B018 (the n-gram lookup tables, built once)


# --------------------------------------------------------------------------------------------------------
# Running the tasks: in order, with a bounded number in flight, so memory stays bounded.


def _ordered(submit: Callable[[Task], Callable[[], Result]], tasks: Iterator[Task], window: int) -> Iterator[Result]:
    pending: deque[Callable[[], Result]] = deque()
    for task in tasks:
        pending.append(submit(task))
        if len(pending) >= window:
            yield pending.popleft()()
    while pending:
        yield pending.popleft()()


def _run_local(tasks: Iterator[Task], settings: BuildSettings) -> Iterator[Result]:
    _warm_up(settings)
    for task in tasks:
        yield process_task(task)


def _start_pool(settings: BuildSettings, jobs: int):
    """A pool of ``jobs`` worker processes, each with its tokenizer and codebook loaded.

    On Linux, from a process with no other thread, the workers are forked after this process has loaded them, so
    the dictionary is read once and shared; elsewhere (or inside a Jupyter kernel, which runs threads) they are
    spawned clean and each loads its own.
    """
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        _warm_up(settings)
        # what is loaded now is shared with the workers until one of them writes to it, and a collection that
        # visits the objects writes their headers: frozen, the collector leaves them alone in the workers
        gc.collect()
        gc.freeze()
        try:
            return multiprocessing.get_context("fork").Pool(jobs)
        finally:
            gc.unfreeze()  # only the workers need them frozen; this process goes on collecting as before
    return multiprocessing.get_context("spawn").Pool(jobs, initializer=_warm_up, initargs=(settings,))


def _run_pool(pool, tasks: Iterator[Task], jobs: int) -> Iterator[Result]:
    with pool:
        def submit(task: Task) -> Callable[[], Result]:
            return pool.apply_async(process_task, (task,)).get

        yield from _ordered(submit, tasks, window=4 * jobs)


def _run_dask(tasks: Iterator[Task], settings: BuildSettings, address: str) -> Iterator[Result]:
    try:
        from distributed import Client
    except ImportError:
        raise InputError("--scheduler needs Dask: pip install 'fupin-research[dask]'") from None
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError) as error:
        raise InputError(f"{address}: cannot reach the Dask scheduler ({error})") from None
    with client:
        workers = max(len(client.scheduler_info().get("workers", {})), 1)

        def submit(task: Task) -> Callable[[], Result]:
            return client.submit(process_task, task, pure=False).result

        yield from _ordered(submit, tasks, window=4 * workers)


# --------------------------------------------------------------------------------------------------------
# The build.


@dataclass
class BuildSummary:
    """What a build did: documents written (processed or reused), megabytes read, seconds, files skipped."""

    documents: int = 0
    processed: int = 0
    reused: int = 0
    megabytes: float = 0.0
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One summary line for the terminal."""
        text = (
            f"built {self.documents} documents ({self.megabytes:.2f} MB) in {self.seconds:.1f} s: "
            f"{self.processed} processed, {self.reused} unchanged"
        )
        if self.skipped:
            text += f"; skipped {len(self.skipped)} file(s): " + "; ".join(f"{f} ({r})" for f, r in self.skipped)
        return text


def build_corpus(
    corpus_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    settings: BuildSettings | None = None,
    incremental: bool = True,
    on_skip: Callable[[str, str], None] | None = None,
    progress: bool = False,
) -> BuildSummary:
    """Build every table for the corpus in ``corpus_dir`` into ``out_dir`` (CSV + Parquet per table).

    Documents are processed one at a time (``jobs=1``), in a process pool (``jobs>1``) or on a Dask cluster
    (``scheduler="tcp://host:port"``); the tables are the same byte for byte. Memory stays bounded: documents are
    streamed and tables written in parts. With ``incremental`` (default) a document whose bytes, manifest row
    and settings have not changed since the last build into ``out_dir`` is taken from the cache
    (``out_dir/.fupin-cache``) instead of being processed again. A file that cannot be read is skipped:
    ``on_skip(file, reason)`` is called and the ``skipped`` table lists it.

    Example:
        >>> import tempfile
        >>> from fupin_research.paths import seed_corpus_dir
        >>> build_corpus(seed_corpus_dir(), tempfile.mkdtemp()).documents
        5
    """
    started = time.perf_counter()
    corpus_dir, out_dir = Path(corpus_dir), Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: exists and is not a folder")
    settings = settings or BuildSettings()
    # a segmenter that is not installed fails here, clearly, before any worker starts (a spawned worker
    # failing to load it would be restarted by the pool again and again)
    settings = replace(settings, segmenter=resolve_segmenter(settings.segmenter))
    if out_dir.resolve() == corpus_dir.resolve():
        raise InputError(f"{out_dir}: write the tables to another folder than the corpus itself")
    files = corpus_files(corpus_dir)
    manifest = read_manifest(corpus_dir)
    rows = {} if manifest is None else {row["doc_id"]: row for row in manifest.to_dict("records")}
    cache_dir = out_dir / CACHE_FOLDER if incremental else None
    fingerprint = settings.fingerprint()
    seen: dict[str, str] = {}
    unique, duplicates = [], []
    for path in files:
        if path.stem in seen:
            duplicates.append((path.name, f"same doc_id ({path.stem}) as {seen[path.stem]}; rename one of them"))
        else:
            seen[path.stem] = path.name
            unique.append(path)
    files = unique
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
        # pool workers hand their tables over as files here (on the same disk), not through a pipe
        spool = None
        if jobs > 1 and not scheduler:
            spool = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.spool.", dir=out_dir.parent))
    except OSError as error:
        raise InputError(f"{out_dir}: cannot write tables there ({error.strerror})") from None
    tasks = (
        Task(i, str(path), rows.get(path.stem, {}), settings, fingerprint, str(cache_dir) if cache_dir else None,
             str(spool) if spool else None)
        for i, path in enumerate(files)
    )
    pool, bar = None, None
    summary = BuildSummary()
    for name, reason in duplicates:
        summary.skipped.append((name, reason))
        if on_skip:
            on_skip(name, reason)
    # every document row gets the same columns: the manifest's, what may be inferred, then the package's
    manifest_columns = [] if manifest is None else [c for c in manifest.columns if c != "doc_id"]
    inferred = [c for c in INFERRED_FIELDS if c not in manifest_columns]
    document_columns = ["doc_id", *manifest_columns, *inferred, *DOCUMENT_FIELDS]
    used_keys: set[str] = set()
    try:  # from here on, the temporary folders are removed whatever happens
        results: Iterator[Result]
        if scheduler:
            results = _run_dask(tasks, settings, scheduler)
        elif jobs > 1:
            pool = _start_pool(settings, jobs)  # before the progress bar starts a thread
            results = _run_pool(pool, tasks, jobs)
        else:
            results = _run_local(tasks, settings)
        bar = _progress_bar(files, progress)
        writers: dict[str, TableWriter] = {}
        for result in results:
            summary.megabytes += result.megabytes
            if bar is not None:
                bar.update(result.megabytes)
                bar.set_postfix_str(f"{result.index + 1}/{len(files)} documents", refresh=False)
            if result.error is not None:
                summary.skipped.append((result.name, result.error))
                if on_skip:
                    on_skip(result.name, result.error)
                continue
            summary.documents += 1
            summary.reused += result.reused
            summary.processed += not result.reused
            if result.cache_key:
                used_keys.add(result.cache_key)
            for name, frame in result.read_tables().items():
                if name not in writers:
                    columns = document_columns if name == "documents" else EMPTY_COLUMNS.get(name)
                    writers[name] = TableWriter(staging, name, columns)
                writers[name].append(frame)
        for name, columns in EMPTY_COLUMNS.items():
            writers.setdefault(name, TableWriter(staging, name, columns))
        for frame_row in summary.skipped:
            writers["skipped"].append(pd.DataFrame([frame_row], columns=SKIPPED_COLUMNS))
        for writer in writers.values():
            writer.close()
        # versions, data-file hashes and settings the tables depend on (not --jobs or the cache: they change nothing)
        write_provenance(staging, {"segmenter": settings.segmenter}, files)
        _replace_tables(staging, out_dir)
        summary.tables = sorted(writers)
    finally:
        if pool is not None:
            pool.terminate()  # already closed after a complete build; stops the workers after an error
        if bar is not None:
            bar.close()
        shutil.rmtree(staging, ignore_errors=True)
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)
    if cache_dir is not None and cache_dir.is_dir():
        for stale in cache_dir.iterdir():  # entries of documents no longer in the corpus, and older formats
            if stale.is_file() and (stale.suffix != ".arrow" or stale.stem not in used_keys):
                stale.unlink(missing_ok=True)
    summary.seconds = time.perf_counter() - started
    return summary


def _progress_bar(files: list[Path], enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    total = sum(path.stat().st_size for path in files) / 1e6
    return tqdm(total=total, unit="MB", unit_scale=False, file=sys.stderr, dynamic_ncols=True,
                bar_format="{l_bar}{bar}| {n:.1f}/{total:.1f} MB [{elapsed}<{remaining}, {rate_fmt}{postfix}]")


def _replace_tables(staging: Path, out_dir: Path) -> None:
    """Move the finished tables into ``out_dir``, replacing only the files of the same names.

    Each file is replaced atomically; the previous tables stay complete until the new ones are.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted(staging.iterdir()):
        os.replace(path, out_dir / path.name)
