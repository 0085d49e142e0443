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
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from fupin_research.coding import code_units
from fupin_research.corpus import Document, iter_documents
from fupin_research.damage import WARNING_COLUMNS, detect_damage
from fupin_research.errors import InputError
from fupin_research.extract.formulas import extract_formulas
from fupin_research.extract.time_expressions import extract_time_expressions
from fupin_research.segment import TOKEN_COLUMNS, tokenize
from fupin_research.split import SENTENCE_COLUMNS, split_sentences
from fupin_research.structure import split_units

OFFSET_MAP_COLUMNS = ["doc_id", "clean_start", "raw_start", "length"]
SKIPPED_COLUMNS = ["file", "reason"]


def chrome_warnings(doc: Document) -> pd.DataFrame:
    """Warnings for the page-chrome lines normalization removed (empty span at the clean position)."""
    rows = []
    offsets = doc.normalized.offsets
    for raw_start, _raw_end, line in doc.normalized.chrome:
        # the clean position where the line used to be: first clean char whose raw offset is past it
        position = min(bisect.bisect_left(offsets, raw_start), len(doc.text))
        rows.append((doc.doc_id, "page_chrome_removed", position, position, "", line))
    return pd.DataFrame(rows, columns=WARNING_COLUMNS)


def document_tables(doc: Document) -> dict[str, pd.DataFrame]:
    """All per-document tables of one document (the unit of work of a build).

    Example:
        >>> from fupin_research.corpus import read_document
        >>> from fupin_research.paths import seed_corpus_dir
        >>> tables = document_tables(read_document(seed_corpus_dir() / "002_fbd7bac49d8a79cb.txt"))
        >>> sorted(tables)
        ['codes', 'documents', 'formulas', 'offset_map', 'sentences', 'time_expressions', 'tokens', 'units', 'warnings']
    """
    text = doc.text
    warnings = pd.concat([chrome_warnings(doc), detect_damage(text, doc.doc_id)], ignore_index=True)
    offset_map = pd.DataFrame(doc.normalized.segments(), columns=OFFSET_MAP_COLUMNS[1:])
    offset_map.insert(0, "doc_id", doc.doc_id)
    units = document_units(doc)
    return {
        "documents": pd.DataFrame([doc.record()]),
        "sentences": split_sentences(text, doc.doc_id),
        "tokens": tokenize(text, doc.doc_id),
        "warnings": warnings.sort_values(["start", "kind"], kind="stable"),
        "offset_map": offset_map,
        "units": units,
        "codes": code_units(units),
        "formulas": with_doc_id(extract_formulas(text), doc.doc_id),
        "time_expressions": with_doc_id(extract_time_expressions(text, **time_context(doc.meta)), doc.doc_id),
    }


def with_doc_id(frame: pd.DataFrame, doc_id: str) -> pd.DataFrame:
    """Put ``doc_id`` in front of an extractor's table."""
    frame = frame.copy()
    frame.insert(0, "doc_id", doc_id)
    return frame


def time_context(meta: dict[str, str]) -> dict[str, str | None]:
    """The reference date and period that anchor a document's relative time expressions.

    A repost date says nothing about when the text was written, so only issued/published dates count.
    """
    reference = meta.get("date") if meta.get("date_kind") in ("issued", "published") else None
    period = meta.get("period") or meta.get("year") or None
    return {"reference_date": reference or None, "period": period}


def document_units(doc: Document) -> pd.DataFrame:
    """Analysis units of a document; a single-province document's units get its province.

    Where the text itself names provinces unit by unit (bulletin 004), units that name none stay empty.
    """
    units = split_units(doc.text, doc.doc_id)
    province = doc.meta.get("province", "")
    if province and not (units["province"] != "").any():
        units["province"] = province
    return units


EMPTY_COLUMNS = {
    "sentences": ["doc_id", *SENTENCE_COLUMNS],
    "tokens": ["doc_id", *TOKEN_COLUMNS],
    "warnings": WARNING_COLUMNS,
    "offset_map": OFFSET_MAP_COLUMNS,
    "skipped": SKIPPED_COLUMNS,
}


@dataclass
class BuildSummary:
    """What a build did: documents written, megabytes read, seconds, files skipped with reasons."""

    documents: int = 0
    megabytes: float = 0.0
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One summary line for the terminal."""
        text = f"built {self.documents} documents ({self.megabytes:.2f} MB) in {self.seconds:.1f} s"
        if self.skipped:
            text += f"; skipped {len(self.skipped)} file(s): " + "; ".join(f"{f} ({r})" for f, r in self.skipped)
        return text


def write_table(frame: pd.DataFrame, folder: Path, name: str) -> None:
    """Write one table as ``name.csv`` (UTF-8) and ``name.parquet``."""
    frame = frame.reset_index(drop=True)
    frame.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n")
    frame.to_parquet(folder / f"{name}.parquet", index=False)


def build_corpus(
    corpus_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    on_skip: Callable[[str, str], None] | None = None,
    progress: bool = False,
) -> BuildSummary:
    """Build every table for the corpus in ``corpus_dir`` into ``out_dir`` (CSV + Parquet per table).

    A file that cannot be read is skipped (``on_skip(file, reason)`` is called and the ``skipped`` table lists
    it); the other files are processed.

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
    summary = BuildSummary()
    parts: dict[str, list[pd.DataFrame]] = {}
    documents = iter_documents(corpus_dir, errors="skip")
    if progress:
        from tqdm import tqdm

        documents = tqdm(documents, total=len(list(corpus_dir.iterdir())), unit="doc", file=sys.stderr)
    for item in documents:
        if isinstance(item, InputError):
            name = Path(str(item).split(": ", 1)[0]).name
            reason = str(item).split(": ", 1)[-1]
            summary.skipped.append((name, reason))
            if on_skip:
                on_skip(name, reason)
            continue
        summary.documents += 1
        summary.megabytes += len(item.raw.encode("utf-8")) / 1e6
        for name, frame in document_tables(item).items():
            parts.setdefault(name, []).append(frame)
    tables = {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}
    for name, columns in EMPTY_COLUMNS.items():
        tables.setdefault(name, pd.DataFrame(columns=columns))
    tables["skipped"] = pd.DataFrame(summary.skipped, columns=SKIPPED_COLUMNS)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for name, frame in tables.items():
            write_table(frame, staging, name)
        _replace_folder(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    summary.tables = sorted(tables)
    summary.seconds = time.perf_counter() - started
    return summary


def _replace_folder(staging: Path, out_dir: Path) -> None:
    """Move the finished tables into ``out_dir``, replacing only the files of the same names."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in staging.iterdir():
        os.replace(path, out_dir / path.name)
