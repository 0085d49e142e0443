"""Corpora: a folder of text files plus an optional ``manifest.csv`` describing each document."""

from __future__ import annotations

import datetime
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from fupin_research.errors import InputError
from fupin_research.io import read_text_with_encoding
from fupin_research.normalize import NormalizedText, normalize, normalize_with_offsets
from fupin_research.paths import reports_corpus_dir, seed_corpus_dir

MANIFEST_NAME = "manifest.csv"
# The documents table's own columns, after the manifest's.
DOCUMENT_FIELDS = ["file", "format", "encoding", "script", "variant", "opencc_config", "raw_chars", "chars",
                   "chrome_lines", "text"]
# Metadata a document without a manifest row gets from its file (see readers.infer_metadata), in this order.
INFERRED_FIELDS = ["title", "date", "date_kind", "province", "issuer", "doc_number", "metadata_sources"]
# Files in a corpus folder that are not documents.
_NOT_DOCUMENTS = {MANIFEST_NAME, "readme.md", "readme.txt", "datasheet.md", "license", "license.txt"}


@dataclass(frozen=True)
class Document:
    """One document: its metadata, raw text and normalized text (with the map back to the raw text)."""

    doc_id: str
    path: Path
    raw: str
    encoding: str
    normalized: NormalizedText
    meta: dict[str, str]
    format: str = "text"
    """The reader that extracted ``raw``: ``text``, ``html``, ``xml``, ``pdf`` or ``docx``."""

    @property
    def text(self) -> str:
        """The clean text that every table's ``start``/``end`` refer to."""
        return self.normalized.text

    def record(self) -> dict[str, object]:
        """The document's row of the documents table."""
        norm = self.normalized
        return {
            "doc_id": self.doc_id,
            **{key: value for key, value in self.meta.items() if key != "doc_id"},
            "file": self.path.name,
            "format": self.format,
            "encoding": self.encoding,
            "script": norm.script.script,
            "variant": norm.script.variant,
            "opencc_config": norm.script.opencc_config or "",
            "raw_chars": len(self.raw),
            "chars": len(norm.text),
            "chrome_lines": len(norm.chrome),
            "text": norm.text,
        }


def read_manifest(folder: str | os.PathLike[str]) -> pd.DataFrame | None:
    """Read ``manifest.csv`` of a corpus folder (all columns as strings), or None if there is none.

    Example:
        >>> read_manifest(seed_corpus_dir()).columns[:3].tolist()
        ['doc_id', 'title', 'issuer']
    """
    path = Path(folder) / MANIFEST_NAME
    if not path.is_file():
        return None
    text = read_text_with_encoding(path)[0]  # Excel on Chinese Windows saves CSV as GBK
    try:
        manifest = pd.read_csv(io.StringIO(text.lstrip("\ufeff")), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InputError(f"{path}: not a readable CSV manifest ({error})") from None
    if "doc_id" not in manifest.columns:
        raise InputError(f"{path}: the manifest needs a doc_id column (the file name without .txt)")
    duplicated = manifest.doc_id[manifest.doc_id.duplicated()].tolist()
    if duplicated:
        raise InputError(f"{path}: doc_id listed twice: {', '.join(duplicated)}")
    return manifest


def corpus_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The document files of a corpus folder, sorted by name (hidden files, manifest and README left out)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder")
    return sorted(
        path for path in folder.iterdir()
        if path.is_file() and not path.name.startswith(".") and path.name.lower() not in _NOT_DOCUMENTS
    )


def _infer_title(raw: str) -> str:
    """The first non-blank line of the raw text that is not page chrome (normalization may join lines)."""
    for line in raw.splitlines():
        if line.strip():
            title = normalize(line).strip()  # normalized once (it was computed twice)
            if title:
                return title[:100]
    return ""


def read_document(path: str | os.PathLike[str], meta: dict[str, str] | None = None) -> Document:
    """Read and normalize one file of any format :mod:`fupin_research.readers` knows (text, web page, PDF, DOCX).

    ``meta`` is its manifest row; what it leaves empty is inferred from the file (:func:`make_document`).

    Example:
        >>> doc = read_document(seed_corpus_dir() / "002_fbd7bac49d8a79cb.txt")
        >>> doc.doc_id, doc.format, doc.text.split()[0]
        ('002_fbd7bac49d8a79cb', 'text', '山东扶贫攻坚简报2018年第82期(总第361期)')
    """
    from fupin_research.readers import read_file

    path = Path(path)
    extracted = read_file(path)
    return make_document(path, extracted.text, extracted.encoding, meta, format=extracted.format,
                         found=extracted.meta)


def make_document(
    path: Path, raw: str, encoding: str, meta: dict[str, str] | None = None, *, format: str = "text",
    found: dict[str, str] | None = None,
) -> Document:
    """Normalize an already extracted text into a :class:`Document` (``doc_id`` = the file name's stem).

    Metadata the manifest row ``meta`` leaves empty comes from the file: ``found`` (what the file declares, e.g. a
    page's meta tags) and the text (:func:`fupin_research.readers.infer_metadata`: title line, 文号, date line,
    issuer), each with its source in ``metadata_sources``; ``date_kind`` says where the date came from
    (``meta``, ``header``, ``body``, or ``inferred`` for a date in the first lines of a plain text).

    Example:
        >>> text = "国务院办公厅文件\\n国办发〔2016〕12号\\n关于扶贫的通知\\n各省：……"
        >>> doc = make_document(Path("x.txt"), text, "utf-8")
        >>> doc.meta["doc_number"], doc.meta["issuer"], doc.meta["title"]
        ('国办发〔2016〕12号', '国务院办公厅', '关于扶贫的通知')
    """
    from fupin_research.readers import infer_metadata

    normalized = normalize_with_offsets(raw)
    meta = dict(meta or {})
    inferred = infer_metadata(raw, found, clean=normalized.text)
    if not inferred.get("title"):
        inferred.pop("title", None)
        title = _infer_title(raw)
        if title:
            inferred["title"] = title
    if not inferred.get("date"):
        date = infer_date(normalized.text)
        if date:
            inferred["date"], inferred["date_kind"] = date, "inferred"
    manifest_has_date = bool(meta.get("date"))
    for key in ("title", "date", "issuer", "doc_number"):
        if not meta.get(key) and inferred.get(key):
            meta[key] = inferred[key]
    if not manifest_has_date and inferred.get("date_kind") and meta.get("date") == inferred.get("date"):
        meta["date_kind"] = inferred["date_kind"]
    if inferred.get("metadata_sources") and not meta.get("metadata_sources"):
        meta["metadata_sources"] = inferred["metadata_sources"]
    if not meta.get("province"):
        province = infer_province(normalized.text)
        if province:
            meta["province"] = province
    return Document(Path(path).stem, Path(path), raw, encoding, normalized, meta, format)


_HEADER_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-年./](\d{1,2})[-月./](\d{1,2})(?!\d)")


def infer_date(text: str, *, head: int = 300) -> str | None:
    """The first full date in the first ``head`` characters (a page header's 发布时间 or 日期), as ISO 8601.

    Used only for documents without a manifest row; the documents table marks it ``date_kind = inferred``.

    Example:
        >>> infer_date("脱贫攻坚动态\\n发布时间:2017-11-09 10:00\\n正文")
        '2017-11-09'
    """
    match = _HEADER_DATE.search(text[:head])
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def _province_matcher() -> tuple[dict[str, str], re.Pattern[str]]:
    from fupin_research.structure import province_mention_pattern  # the one province matcher

    return province_mention_pattern()


def infer_province(text: str, *, share: float = 0.6) -> str | None:
    """The province a text is about: the one named in at least ``share`` of its province mentions.

    Returns None when no province dominates (a national text, or a digest of many provinces).

    Example:
        >>> infer_province("青海省委、省政府……全省……青海的贫困村")
        '青海'
        >>> infer_province("广西、甘肃、河南的做法") is None
        True
    """
    aliases, pattern = _province_matcher()
    counts: dict[str, int] = {}
    for match in pattern.finditer(text):
        name = aliases[match.group()]
        counts[name] = counts.get(name, 0) + 1
    total = sum(counts.values())
    if not total:
        return None
    name, count = max(sorted(counts.items()), key=lambda item: item[1])
    return name if count / total >= share else None


def iter_documents(
    folder: str | os.PathLike[str], *, errors: str = "raise"
) -> Iterator[Document | InputError]:
    """Yield the documents of a folder one at a time (memory stays flat for large corpora).

    With ``errors="skip"`` an unreadable file yields its :class:`InputError` instead of raising it, so a
    caller can report it and go on.
    """
    manifest = read_manifest(folder)
    rows = {} if manifest is None else {row["doc_id"]: row for row in manifest.to_dict("records")}
    seen: dict[str, str] = {}
    for path in corpus_files(folder):
        try:
            if path.stem in seen:
                raise InputError(f"{path}: same doc_id ({path.stem}) as {seen[path.stem]}; rename one of them")
            seen[path.stem] = path.name
            yield read_document(path, rows.get(path.stem))
        except InputError as error:
            if errors != "skip":
                raise
            yield error


def load_corpus(path: str | os.PathLike[str] | None = None, *, errors: str = "raise") -> pd.DataFrame:
    """Load a corpus folder into a documents table: one row per document, clean text in column ``text``.

    ``path=None`` loads the embedded seed corpus; ``load_corpus("reports")`` the government work reports.
    Columns: ``doc_id``, the manifest's columns, ``file``, ``encoding``, ``script``, ``variant``,
    ``opencc_config``, ``raw_chars``, ``chars``, ``chrome_lines`` and ``text``.

    Example:
        >>> corpus = load_corpus()
        >>> len(corpus), corpus.loc[0, "province"], corpus.loc[0, "script"]
        (5, '山东', 'simplified')
    """
    if path is None:
        folder = seed_corpus_dir()
    elif str(path) == "reports":
        folder = reports_corpus_dir()
    else:
        folder = Path(path)
    records = [doc.record() for doc in iter_documents(folder, errors=errors) if isinstance(doc, Document)]
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        raise InputError(f"{folder}: no readable text files")
    return frame
