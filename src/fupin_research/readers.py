"""Read the files researchers download — web pages, PDF and Word files, XML and plain text — as raw text.

:func:`read_bytes` picks a reader by the file's first bytes (a PDF stays a PDF whatever its name) and then by its
extension, and returns an :class:`Extracted`: the text the reader extracted (the *raw text* every offset map points
into), the format, the encoding and the metadata the file itself declares (a page's ``<title>`` and ``PubDate``
meta tags, a PDF's or DOCX's document title). :func:`infer_metadata` adds what the text says (the title line, the
文号 line, the date line, the issuer).

Readers and why:

- **HTML** (``.html .htm .shtml .xhtml``): charset from the BOM, then the ``<meta charset>``/``http-equiv`` tag
  (checked by a strict decode of the bytes), then detection (:func:`fupin_research.io.decode_bytes`); the article
  body by `trafilatura <https://trafilatura.readthedocs.io>`_ (menus, scripts, share and print links, breadcrumbs,
  related-article lists and footers go; paragraphs and table rows stay as lines). If trafilatura finds no article,
  the page's visible text is used.
- **PDF**: ``pypdf`` (pure Python); running headers and footers (lines repeated at the top or bottom of most pages)
  and page numbers (``- 3 -``, ``第3页``) are removed; a PDF without a text layer is refused
  ("no text layer (scanned?)"): the package does no OCR.
- **DOCX**: read with the standard library (``zipfile`` + ``xml.etree``): paragraphs and table rows (cells
  separated by a tab) in document order; headers and footers live in other parts of the file and stay out.
- **Legacy ``.doc`` / ``.wps``**: refused with the reason (no maintained pure-Python reader).
- **XML** (``.xml``): an XHTML page goes to the HTML reader; other XML (news corpora such as
  ``<doc><contenttitle>…``) keeps the text of its elements, one element per line.
- **Anything else**: plain text, as :func:`fupin_research.io.decode_bytes` reads it.

Example:
    >>> page = '<html><head><title>关于印发方案的通知</title></head><body><p>各县：现印发。</p></body></html>'
    >>> got = read_bytes(page.encode("gbk"), "page.html")
    >>> got.format, got.encoding, got.meta["title"]
    ('html', 'gbk', '关于印发方案的通知')
"""

from __future__ import annotations

import codecs
import datetime
import html as html_lib
import io
import re
import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from xml.etree import ElementTree

from fupin_research.errors import InputError
from fupin_research.io import chinese_score, decode_bytes, read_file_bytes
from fupin_research.paths import data_dir, file_state

HTML_EXTENSIONS = frozenset({".html", ".htm", ".shtml", ".xhtml", ".shtm", ".jsp", ".asp", ".aspx", ".php"})
LEGACY_WORD = {".doc": "legacy Word .doc", ".wps": "WPS Office .wps", ".et": "WPS spreadsheet .et"}
NO_TEXT_LAYER = "no text layer (scanned?)"


@dataclass(frozen=True)
class Extracted:
    """What a reader got from one file: the raw text, its format and encoding, and the file's own metadata."""

    text: str
    format: str
    encoding: str
    meta: dict[str, str] = field(default_factory=dict)
    """Metadata the file declares: ``title``, ``date`` (ISO), ``issuer`` (keys present only when found)."""


def read_file(path: str | Path) -> Extracted:
    """Read one file with the reader its content and extension call for (see the module docstring).

    Example:
        >>> from fupin_research.paths import seed_corpus_dir
        >>> read_file(seed_corpus_dir() / "002_fbd7bac49d8a79cb.txt").format
        'text'
    """
    return read_bytes(read_file_bytes(path), str(Path(path)))


def file_format(data: bytes, name: str) -> str:
    """The reader for a file: ``pdf``, ``docx``, ``legacy``, ``html``, ``xml`` or ``text``.

    Example:
        >>> file_format(b"%PDF-1.7 ...", "notice.txt"), file_format(b"<html>", "a.htm")
        ('pdf', 'html')
    """
    suffix = Path(name).suffix.lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04") or suffix == ".docx":
        return "docx"
    if data.startswith(b"\xd0\xcf\x11\xe0") or suffix in LEGACY_WORD:
        return "legacy"
    if suffix == ".pdf":
        return "pdf"
    if suffix in HTML_EXTENSIONS:
        return "html"
    if suffix == ".xml":
        head = data[:2048].lower()
        return "html" if b"<html" in head or b"xhtml" in head else "xml"
    return "text"


def read_bytes(data: bytes, name: str = "<bytes>") -> Extracted:
    """Read the bytes of a file called ``name``; bad input raises :class:`InputError` naming it and the reason.

    Example:
        >>> read_bytes(b"%PDF-1.4 broken", "x.pdf")
        Traceback (most recent call last):
        ...
        fupin_research.errors.InputError: x.pdf: not a readable PDF (...)
    """
    try:
        return _read_bytes(data, name)
    except (InputError, LookupError):
        raise  # LookupError: a codec name in the package's own lists that Python lacks is a bug, not a file
    except (RecursionError, MemoryError, ValueError, TypeError, KeyError, IndexError, AttributeError,
            AssertionError, OSError, UnicodeError, zipfile.BadZipFile) as error:
        # a third-party parser (lxml, trafilatura, pypdf) failing on a damaged file: one line, no traceback
        raise InputError(f"{name}: could not be read ({type(error).__name__})") from None


def _read_bytes(data: bytes, name: str) -> Extracted:
    kind = file_format(data, name)
    if kind == "pdf":
        return read_pdf(data, name)
    if kind == "docx":
        return read_docx(data, name)
    if kind == "legacy":
        suffix = Path(name).suffix.lower()
        what = LEGACY_WORD.get(suffix, "legacy MS Office (OLE) file")
        raise InputError(f"{name}: {what} format: no maintained pure-Python reader; save it as .docx or PDF")
    if kind == "html":
        return read_html(data, name)
    if kind == "xml":
        return read_xml(data, name)
    text, encoding = decode_bytes(data, name)
    return Extracted(text, "text", encoding)


# ----------------------------------------------------------------------------------------------------------------
# Encodings of markup: BOM, then the declared charset (checked against the bytes), then detection.

_DECLARED = re.compile(
    rb"""(?:<meta[^>]{0,200}?charset\s*=\s*["']?|<\?xml[^>]{0,100}?encoding\s*=\s*["'])([A-Za-z0-9_.:-]{2,30})""",
    re.IGNORECASE,
)
# Declared names → the widest codec of the family (pages declared gb2312 use GBK characters all the time).
_WIDEN = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
          "big5": "big5hkscs", "x-big5": "big5hkscs", "big5-hkscs": "big5hkscs", "utf8": "utf-8"}


def declared_charset(data: bytes) -> str | None:
    """The charset a page or XML file declares in its first 4 KB (lower case), or None.

    Example:
        >>> declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=GB2312">')
        'gb2312'
    """
    match = _DECLARED.search(data[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def decode_markup(data: bytes, name: str) -> tuple[str, str]:
    """Decode a page: BOM, the declared charset if the bytes are valid in it, else detection.

    A declared charset that Python does not know, or that the bytes contradict (many GBK pages declare UTF-8),
    is passed over for detection.

    Example:
        >>> decode_markup('<meta charset="gb2312"><p>扶贫</p>'.encode("gbk"), "p.html")
        ('<meta charset="gb2312"><p>扶贫</p>', 'gbk')
    """
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_bytes(data, name)
    declared = declared_charset(data)
    if declared:
        codec = _WIDEN.get(declared, declared)
        try:
            codecs.lookup(codec)
        except LookupError:
            codec = None
        if codec:
            try:
                text = data.decode(codec)
            except (UnicodeError, LookupError, ValueError):  # LookupError: base64, rot13 … are no text encodings
                text = None
            # a declared single-byte charset (latin-1 decodes anything) must still read as Chinese
            if text is not None and (codec in ("utf-8", "gb18030", "big5hkscs") or chinese_score(text) >= 0.8):
                if codec == "gb18030":
                    try:
                        return data.decode("gbk"), "gbk"
                    except UnicodeDecodeError:
                        pass
                return text, codec
    return decode_bytes(data, name)


# ----------------------------------------------------------------------------------------------------------------
# HTML

_META_TITLE = ("articletitle", "og:title", "title", "dc.title")
_META_DATE = ("pubdate", "publishdate", "firstpublishedtime", "article:published_time", "dc.date", "dc.date.issued",
              "publishtime", "releasedate", "og:release_date", "createdate", "date")
_META_ISSUER = ("contentsource", "source", "dc.publisher", "publisher", "author")
_ISO_LIKE = re.compile(r"((?:19|20)\d{2})[-/.年]?\s*(\d{1,2})[-/.月]?\s*(\d{1,2})")


def _iso(text: str) -> str | None:
    """The first date in ``text`` as ISO 8601 (``2017/07/05 09:30`` → ``2017-07-05``), or None."""
    match = _ISO_LIKE.search(text)
    if not match:
        return None
    try:
        return datetime.date(*(int(part) for part in match.groups())).isoformat()
    except ValueError:
        return None


def _clean_title(title: str) -> str:
    """A page title without the site name after ``_``/``|``/``-`` (``通知_国务院文件_中国政府网`` → ``通知``)."""
    title = re.sub(r"\s+", " ", title).strip()
    parts = [part.strip() for part in re.split(r"\s*(?:_|\||｜|——|--| - )\s*", title) if part.strip()]
    if not parts:
        return ""
    # the article's title comes first; a first part of a few characters is a site name put before it
    return parts[0] if len(parts[0]) >= 5 or len(parts) == 1 else max(parts, key=len)


def html_metadata(tree, markup: str = "") -> dict[str, str]:
    """Title, date, issuer and 文号 from a parsed page's meta tags, ``<title>`` and labelled metadata table.

    ``markup`` (the page's source) lets the labelled table be skipped when no label occurs in it at all.
    """
    metas: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip().lower()
        value = (meta.get("content") or "").strip()
        if key and value and key not in metas:
            metas[key] = value
    found: dict[str, str] = {}
    for key in _META_TITLE:
        if metas.get(key):
            found["title"] = _clean_title(metas[key])
            break
    if "title" not in found:
        titles = [t.text_content() for t in tree.iter("title")]
        if titles and titles[0].strip():
            found["title"] = _clean_title(titles[0])
    for key in _META_DATE:
        date = _iso(metas.get(key, ""))
        if date:
            found["date"] = date
            break
    for key in _META_ISSUER:
        if metas.get(key) and re.search(r"[\u4e00-\u9fff]", metas[key]):
            found["issuer"] = metas[key][:60]
            break
    if not markup or any(label in markup for label in _LABELS):
        found.update({key: value for key, value in labelled_metadata(tree).items() if not found.get(key)})
    if not found.get("date") and markup:
        # the 发布时间/日期 line of the page header (outside the article body), found in the source itself
        match = _PAGE_DATE.search(markup)
        date = _iso(match.group(1)) if match else None
        if date:
            found["date"] = date
    return {key: value for key, value in found.items() if value}


_PAGE_DATE = re.compile(
    r"(?:发布时间|发布日期|发表时间|发文时间|更新时间|日期|时间)\s*(?:[:：]|&nbsp;)\s*(?:</[a-z]+>\s*<[a-z][^>]{0,80}>\s*)?"
    r"((?:19|20)\d{2}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2})"
)
# The labelled metadata block of government information-disclosure pages (索引号, 发文机关, 发文字号, 成文日期, …).
_LABELS = ("发文字号", "文号", "成文日期", "发文日期", "印发日期", "发文机关", "发文单位", "发布机构")
_LABELLED = {
    "doc_number": re.compile(r"(?:发文字号|文\s*号)\s*[:：]\s*([^\s<>'\"]{4,30})"),
    "date": re.compile(r"(?:成文日期|发文日期|印发日期)\s*[:：]\s*"
                       r"([0-9]{4}\s*[-年./]\s*[0-9]{1,2}\s*[-月./]\s*[0-9]{1,2})"),
    "issuer": re.compile(r"(?:发文机关|发文单位|发布机构)\s*[:：]\s*([\u4e00-\u9fff、，, ]{2,40}?)(?=\s|$|[:：<])"),
}


def labelled_metadata(tree) -> dict[str, str]:
    """发文字号, 成文日期 and 发文机关 from the labelled table of a government page (outside the article body).

    Example:
        >>> import lxml.html
        >>> page = lxml.html.document_fromstring(
        ...     "<table><tr><td>发文机关：</td><td>国务院办公厅</td><td>发文字号：</td><td>国办发〔2016〕12号</td></tr>"
        ...     "<tr><td>成文日期：</td><td>2016年02月17日</td></tr></table>")
        >>> labelled_metadata(page)
        {'doc_number': '国办发〔2016〕12号', 'date': '2016-02-17', 'issuer': '国务院办公厅'}
    """
    text = "\n".join(
        " ".join(part.strip() for part in row.itertext() if part.strip())
        for row in tree.iter("tr", "li", "p", "div", "span") if len(row) <= 12
    ) if tree is not None else ""
    found: dict[str, str] = {}
    for key, pattern in _LABELLED.items():
        for match in pattern.finditer(text):
            value = match.group(1).strip()
            if key == "doc_number":
                number = find_doc_number(value)
                value = number[0] if number else ""
            elif key == "date":
                value = _iso(value) or ""
            if value:
                found[key] = value
                break
    return found


def read_html(data: bytes, name: str) -> Extracted:
    """The article body of a saved web page, one paragraph (or table row) a line, and its metadata.

    Example:
        >>> page = ('<html><head><meta name="PubDate" content="2017-07-05 09:30">'
        ...         '<title>关于印发扶贫方案的通知_文件_省政府网</title></head>'
        ...         '<body><div class="nav"><a href="/">首页</a> <a href="/x">政务公开</a></div>'
        ...         '<div id="UCAP-CONTENT"><p>各市人民政府，省政府各部门：</p>'
        ...         '<p>现将《扶贫方案》印发给你们，请结合本地区本部门实际，认真贯彻执行。</p>'
        ...         '<div class="share">分享到：微信</div></div>'
        ...         '<div class="footer">版权所有 网站标识码</div></body></html>')
        >>> got = read_html(page.encode(), "p.html")
        >>> got.text.splitlines()
        ['各市人民政府，省政府各部门：', '现将《扶贫方案》印发给你们，请结合本地区本部门实际，认真贯彻执行。']
        >>> got.meta
        {'title': '关于印发扶贫方案的通知', 'date': '2017-07-05'}
    """
    text, encoding = decode_markup(data, name)
    body, meta = extract_html(text, name)
    return Extracted(body, "html", encoding, meta)


def extract_html(markup: str, name: str = "<page>") -> tuple[str, dict[str, str]]:
    """(article body, metadata) of decoded HTML; see :func:`read_html`.

    The body is the page's known article container (``data/html_content_containers.txt``: 中国政府网's
    ``UCAP-CONTENT``, TRS ``TRS_Editor``, ``zoom``, …) when one holds text; otherwise trafilatura's extraction;
    otherwise the page's visible text. The containers are fast (one tree walk) and exact on government sites;
    trafilatura (about 1 MB/s) handles the rest.
    """
    import lxml.html

    # lxml refuses str input that declares an encoding; the markup is already decoded
    markup = re.sub(r"^\s*<\?xml[^>]*\?>", "", markup)
    try:
        tree = lxml.html.document_fromstring(markup)
    except Exception:
        tree = None
    meta = html_metadata(tree, markup) if tree is not None else {}
    body = _container_text(tree, markup) if tree is not None else ""
    if not body:
        body = _trafilatura_text(markup)
    if not body and tree is not None:
        body = _tidy_lines(_block_text(tree))
    if not body:
        raise InputError(f"{name}: the page holds no text")
    return body, meta


@cache
def _containers(state: tuple[str, int, int]) -> tuple[tuple[str, str], ...]:
    rules = []
    for line in Path(state[0]).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            kind, value = line.split("=", 1)
            rules.append((kind.strip().lower(), value.strip()))
    return tuple(rules)


def content_containers() -> tuple[tuple[str, str], ...]:
    """The ``(id|class, value)`` rules of ``data/html_content_containers.txt`` (re-read when the file changes).

    Example:
        >>> ("id", "UCAP-CONTENT") in content_containers()
        True
    """
    return _containers(file_state(data_dir() / "html_content_containers.txt"))


_MIN_CONTAINER_HAN = 40  # a container with fewer Chinese characters is a stub (the text is elsewhere)
_ENOUGH_HAN = re.compile(rf"(?:[^\u4e00-\u9fff]*[\u4e00-\u9fff]){{{_MIN_CONTAINER_HAN}}}")


def _container_text(tree, markup: str) -> str:
    """The text of the known article container holding the most text, or "" if none holds enough."""
    best = ""
    for kind, value in content_containers():
        if value not in markup:  # a plain substring test spares the tree search for the rules that cannot match
            continue
        if kind == "id":
            found = tree.xpath("//*[@id=$value]", value=value)
        else:
            found = [element for element in tree.xpath("//*[contains(@class, $value)]", value=value)
                     if value in element.get("class", "").split()]
        for element in found:
            text = _tidy_lines(_block_text(element))
            if len(text) > len(best):
                best = text
    return best if _ENOUGH_HAN.match(best) else ""


def _trafilatura_text(markup: str) -> str:
    import trafilatura

    try:
        body = trafilatura.extract(
            markup, include_tables=True, include_comments=False, include_links=False, include_images=False,
            include_formatting=False, deduplicate=False, with_metadata=False,
        )
    except Exception:
        body = None
    return _tidy_lines(body or "")


_BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article", "blockquote",
    "pre", "ul", "ol", "dl", "dd", "dt", "center", "form", "header", "footer", "nav", "aside", "hr", "tbody",
})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "iframe", "button", "input", "select", "textarea", "object",
                        "video", "audio", "svg", "template", "head", "title", "meta", "link"})
# Elements inside an article container that are page furniture: share and print bars, font-size switches.
_FURNITURE_CLASS = re.compile(r"share|print|fontsize|font-size|zihao", re.IGNORECASE)


def _block_text(element) -> str:
    """Text of an element with a line break at every block element and a tab before every table cell."""
    parts: list[str] = []

    def walk(node) -> None:
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if not tag or tag in _SKIP_TAGS or _FURNITURE_CLASS.search(node.get("class") or ""):
            return  # comments, scripts, share bars: neither their text nor their children's
        block = tag in _BLOCK_TAGS
        if block:
            parts.append("\n")
        elif tag in ("td", "th"):
            parts.append("\t")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(element)
    return "".join(parts)


def _tidy_lines(text: str) -> str:
    """Strip each line; drop blank lines; trafilatura's table cells (``| a | b |``) become tab-separated."""
    lines = []
    for line in text.splitlines():
        if "\t" in line:
            line = re.sub(r"[ \t\u00a0]*\t[ \t\u00a0]*", "\t", line)
        line = line.strip(" \t\r\f\v\u00a0\u3000")
        if line.startswith("|") or line.endswith("|"):
            line = "\t".join(cell.strip() for cell in line.strip("|").split("|") if cell.strip())
        if line and not re.fullmatch(r"[-|\s]+", line):
            lines.append(line)
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------------------------
# XML that is not a page


def read_xml(data: bytes, name: str) -> Extracted:
    """Text of an XML file, one element's text a line; the title from ``<title>`` or ``<contenttitle>``.

    Example:
        >>> doc = ('<?xml version="1.0" encoding="gbk"?>'
        ...        '<doc><contenttitle>扶贫</contenttitle><content>全省１２个县</content></doc>')
        >>> got = read_xml(doc.encode("gbk"), "news.xml")
        >>> got.text, got.encoding, got.meta
        ('扶贫\\n全省１２个县', 'gbk', {'title': '扶贫'})
    """
    text, encoding = decode_markup(data, name)
    meta = {}
    title = re.search(r"<(?:content)?title[^>]*>([^<]{1,200})</", text, re.IGNORECASE)
    if title and title.group(1).strip():
        meta["title"] = html_lib.unescape(title.group(1)).strip()
    body = re.sub(r"<\?[^>]*\?>|<!--.*?-->|<!\[CDATA\[|\]\]>", "", text, flags=re.DOTALL)
    body = html_lib.unescape(re.sub(r"<[^>]*>", "\n", body))
    body = _tidy_lines(body)
    if not body:
        raise InputError(f"{name}: the XML file holds no text")
    return Extracted(body, "xml", encoding, meta)


# ----------------------------------------------------------------------------------------------------------------
# PDF

# A page-number line: "- 3 -", "— 3 —", "3", "第3页", "第 3 页 共 8 页", "3/8", "Page 3".
_PAGE_NUMBER = re.compile(
    r"^[\s\-—–－·•]*(?:第\s*)?(?:\d{1,4}|[ivxlcdm]{1,6})\s*(?:页)?\s*(?:(?:/|共)\s*\d{1,4}\s*页?)?[\s\-—–－·•]*$"
    r"|^\s*(?:page|p\.)\s*\d{1,4}(?:\s*of\s*\d{1,4})?\s*$",
    re.IGNORECASE,
)
_EDGE_LINES = 2  # how many lines at the top and at the bottom of a page may be running headers or footers


def _line_key(line: str) -> str:
    """A line with digits and spaces folded, so "第3页 共8页" and "第4页 共8页" repeat."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def strip_running_lines(pages: list[str]) -> tuple[list[str], list[str]]:
    """Remove page numbers and running headers/footers from the text of each page.

    A running line is one of the first or last two lines of a page whose digit-folded form is at the top or
    bottom of at least half the pages (and of two pages at least). Returns (pages, removed lines).

    Example:
        >>> pages = ["XX省人民政府公报\\n正文一\\n- 1 -", "XX省人民政府公报\\n正文二\\n- 2 -"]
        >>> strip_running_lines(pages)
        (['正文一', '正文二'], ['XX省人民政府公报', '- 1 -', 'XX省人民政府公报', '- 2 -'])
    """
    split = [[line for line in page.splitlines() if line.strip()] for page in pages]
    counts: dict[str, int] = {}
    for lines in split:
        edge = {_line_key(line) for line in lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]}
        for key in edge:
            counts[key] = counts.get(key, 0) + 1
    threshold = max(2, (len(pages) + 1) // 2)
    repeated = {key for key, count in counts.items() if count >= threshold}
    kept_pages, removed = [], []
    for lines in split:
        keep = [True] * len(lines)
        n = len(lines)
        edges = sorted(set(range(min(_EDGE_LINES, n))) | set(range(max(0, n - _EDGE_LINES), n)))
        removed_here: set[str] = set()
        for i in edges:
            key = _line_key(lines[i])
            if _PAGE_NUMBER.match(lines[i]):
                keep[i] = False
            elif key in repeated and key not in removed_here:
                # once per page: a first page's running header may be followed by the same words as its title
                keep[i] = False
                removed_here.add(key)
        removed.extend(line for line, k in zip(lines, keep) if not k)
        kept_pages.append("\n".join(line for line, k in zip(lines, keep) if k))
    return kept_pages, removed


def _visual_width(line: str) -> float:
    """Width of a line in em: a Chinese character 1, an ASCII character 0.5."""
    return sum(0.5 if ord(char) < 0x2E80 else 1.0 for char in line.strip())


_CN_NUMBER = "[一二三四五六七八九十百]+"
_NEW_PARAGRAPH = re.compile(rf"^(?:[\u3000 \t]{{2,}}|{_CN_NUMBER}、|（{_CN_NUMBER}）|第{_CN_NUMBER}[章节条])")


def join_wrapped_lines(lines: list[str]) -> str:
    """Join the lines of a PDF into paragraphs: a line that runs to the right margin goes on in the next one.

    A line is full when it is at least 90% as wide as the widest line; the next line then continues the same
    paragraph, unless it is indented or starts a numbered heading. This also joins a paragraph broken across a page
    (the page's running lines are removed first).

    Example:
        >>> lines = ["\\u3000\\u3000现在，我代表国务院，向大会报", "告工作。", "\\u3000\\u3000一、回顾", "过去一年。"]
        >>> join_wrapped_lines(lines)
        '现在，我代表国务院，向大会报告工作。\\n一、回顾\\n过去一年。'
    """
    lines = [line.rstrip() for line in lines if line.strip()]
    if not lines:
        return ""
    widest = max(_visual_width(line) for line in lines)
    paragraphs: list[str] = []
    previous_full = False
    for line in lines:
        if paragraphs and previous_full and not _NEW_PARAGRAPH.match(line):
            paragraphs[-1] += line.strip()
        else:
            paragraphs.append(line.strip())
        previous_full = _visual_width(line) >= 0.9 * widest and widest >= 8
    return "\n".join(paragraphs)


def read_pdf(data: bytes, name: str) -> Extracted:
    """The text layer of a PDF in reading order, without running headers, footers and page numbers.

    Raises :class:`InputError` with the reason ``no text layer (scanned?)`` for an image-only PDF.
    """
    import logging

    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # warnings about damaged xref tables are not the user's
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(f"{name}: the PDF is encrypted with a password")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
        title = str(info.get("/Title") or "").strip()
    except InputError:
        raise
    except Exception as error:
        raise InputError(f"{name}: not a readable PDF ({type(error).__name__})") from None
    if not "".join(pages).strip():
        raise InputError(f"{name}: {NO_TEXT_LAYER}")
    pages, _removed = strip_running_lines(pages)
    text = join_wrapped_lines([line for page in pages for line in page.splitlines()])
    meta = {"title": title} if re.search(r"[\u4e00-\u9fff]", title) and not title.startswith("Microsoft") else {}
    return Extracted(text, "pdf", "pdf", meta)


# ----------------------------------------------------------------------------------------------------------------
# DOCX (Office Open XML), with the standard library

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_MAX_PART = 200_000_000  # bytes: a larger document.xml is refused rather than read into memory


def _paragraph_text(paragraph) -> str:
    parts = []
    for node in paragraph.iter():
        if node.tag == f"{_W}t" and node.text:
            parts.append(node.text)
        elif node.tag == f"{_W}tab":
            parts.append("\t")
        elif node.tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
    return "".join(parts)


def _block_lines(container) -> list[str]:
    """Lines of a body (or table cell, or content control): paragraphs and table rows in document order."""
    lines: list[str] = []
    for child in container:
        if child.tag == f"{_W}p":
            lines.append(_paragraph_text(child))
        elif child.tag == f"{_W}tbl":
            for row in child.iter(f"{_W}tr"):
                cells = []
                for cell in row.findall(f"{_W}tc"):
                    cells.append(" ".join(line.strip() for line in _block_lines(cell) if line.strip()))
                lines.append("\t".join(cells))
        elif child.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}ins", f"{_W}smartTag"):
            lines.extend(_block_lines(child))
    return lines


def read_docx(data: bytes, name: str) -> Extracted:
    """Paragraphs and table rows of a ``.docx`` in document order (headers and footers apart)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise InputError(f"{name}: a ZIP archive but not a Word (.docx) document")
            if archive.getinfo("word/document.xml").file_size > _MAX_PART:
                raise InputError(f"{name}: the Word document is too large to read")
            root = ElementTree.fromstring(archive.read("word/document.xml"))
            core = archive.read("docProps/core.xml") if "docProps/core.xml" in archive.namelist() else b""
    except InputError:
        raise
    except Exception as error:
        raise InputError(f"{name}: not a readable .docx file ({type(error).__name__})") from None
    body = root.find(f"{_W}body")
    lines = [line.strip() for line in _block_lines(body if body is not None else root)]
    text = "\n".join(line for line in lines if line)
    if not text:
        raise InputError(f"{name}: the Word document holds no text")
    meta = {}
    if core:
        try:
            title = ElementTree.fromstring(core).findtext(f"{_DC}title") or ""
        except ElementTree.ParseError:
            title = ""
        if re.search(r"[\u4e00-\u9fff]", title):
            meta["title"] = title.strip()
    return Extracted(text, "docx", "utf-8", meta)


# ----------------------------------------------------------------------------------------------------------------
# Metadata from the text: 文号, title line, issuer, date line.

# 文号: issuer abbreviation, year in 〔〕 (or [] ［］ （） 【】), serial number, 号:
# 鲁发〔2015〕11号, 国办发〔2016〕12号.
DOC_NUMBER = re.compile(
    r"([\u4e00-\u9fff]{1,12}\s?[〔\[［【(（]\s?((?:19|20)\d{2})\s?[〕\]］】)）]\s?第?\s?\d{1,4}\s?号)"
)


_DOC_NUMBER_PREFIX = re.compile(r"[\u4e00-\u9fff]{1,12}\s?$")
_DOC_NUMBER_YEAR = re.compile(r"[〔\[［【(（]\s?(?:19|20)\d{2}\s?[〕\]］】)）]\s?第?\s?\d{1,4}\s?号")


def find_doc_number(text: str) -> tuple[str, int] | None:
    """The first 文号 in ``text`` and its position, spaces removed.

    Example:
        >>> find_doc_number("中共山东省委 山东省人民政府\\n鲁发〔2015〕11号\\n关于…的决定")
        ('鲁发〔2015〕11号', 15)
        >>> find_doc_number("黔府办函[2017]5号")[0], find_doc_number("国办发〔2016〕12号")[0]
        ('黔府办函[2017]5号', '国办发〔2016〕12号')
    """
    # the bracketed year is rare in a text: find it first, then the issuer abbreviation just before it
    for year in _DOC_NUMBER_YEAR.finditer(text):
        before = text[max(0, year.start() - 13) : year.start()]
        prefix = _DOC_NUMBER_PREFIX.search(before)
        if prefix:
            start = year.start() - len(before) + prefix.start()
            return re.sub(r"\s+", "", prefix.group() + year.group()), start
    return None


_TITLE_END = re.compile(
    r"(?:通知|意见|办法|方案|规定|决定|报告|公告|通告|规划|纲要|细则|批复|通报|函|决议|条例|纪要|要点|措施|指南|公报|讲话|计划)"
    r"[)）]?$"
)
_ORGAN = "人民政府|办公厅|办公室|委员会|局|厅|部|国务院|小组|党委|省委|市委|县委"
_ISSUER_HEAD = re.compile(rf"^(.{{2,40}}?(?:{_ORGAN}|委|院|政府))\s*文件$")
_ISSUER_LINE = re.compile(rf"^(?:中共)?[\u4e00-\u9fff、\s]{{0,40}}(?:{_ORGAN})$")
_CN_DIGITS = "0-9０-９〇○零一二三四五六七八九十"
_DATE_LINE = re.compile(rf"^\s*[（(]?\s*([{_CN_DIGITS}]{{2,4}}\s*年[{_CN_DIGITS}]{{1,3}}\s*月"
                        rf"(?:[{_CN_DIGITS}]{{1,3}}\s*日)?)\s*[)）]?\s*$")
# the subtitle of a law or resolution: （2016年3月16日第十二届全国人民代表大会第四次会议通过）
_ADOPTED_DATE = re.compile(r"^[（(]\s*(\S{6,16}?日)\S*(?:通过|发布|印发|公布|修订|修正)\s*[)）]$")
_LABELLED_DATE = re.compile(r"(?:发布|成文|印发|发文)?(?:时间|日期)\s*[:：]\s*(\S.{0,30})")


def date_of_line(line: str) -> str | None:
    """The date a date line states, as ISO 8601 (``2017-07-05``; a month alone as ``2015-12``), or None.

    Chinese-numeral dates (二〇一七年七月五日) are read by the one home of time expressions,
    :func:`fupin_research.extract.time_expressions.extract_time_expressions`.

    Example:
        >>> date_of_line("2017年7月5日")
        '2017-07-05'
    """
    from fupin_research.extract.time_expressions import extract_time_expressions

    iso = _iso(line) if re.search(r"\d", line) else None
    if iso:
        return iso
    rows = extract_time_expressions(line.replace(" ", ""))
    for kind in ("date", "month"):
        hits = rows[rows["kind"] == kind] if len(rows) else rows
        if len(hits):
            start = str(hits.iloc[0]["start_date"])
            return start if kind == "date" else start[:7]
    return None


def infer_metadata(text: str, found: dict[str, str] | None = None, *, clean: str | None = None) -> dict[str, str]:
    """Title, date (with ``date_kind``), issuer and 文号 (``doc_number``) of a raw text, and where each came from.

    ``found`` is what the file itself declared (:attr:`Extracted.meta`, kind ``meta``); the text fills the rest
    (``clean``, the text already normalized, spares normalizing it again):
    ``header`` (the top of the document: a red-header issuer line, a 文号 line, a labelled 发布时间), ``body``
    (a date line standing alone, as under the signature, and the issuer line above it). ``metadata_sources`` sums
    it up (``title=meta;date=body;...``).

    Example:
        >>> text = ("山东省人民政府文件\\n鲁政发〔2016〕5号\\n山东省人民政府\\n关于印发扶贫方案的通知\\n"
        ...         "各市：\\n现印发。\\n山东省人民政府\\n2016年3月1日")
        >>> meta = infer_metadata(text)
        >>> meta["title"], meta["doc_number"], meta["issuer"], meta["date"], meta["date_kind"]
        ('山东省人民政府关于印发扶贫方案的通知', '鲁政发〔2016〕5号', '山东省人民政府', '2016-03-01', 'body')
    """
    meta: dict[str, str] = {}
    sources: dict[str, str] = {}
    for key, value in (found or {}).items():
        if value:
            meta[key], sources[key] = value, "meta"
    from fupin_research.normalize import normalize

    # line by line: normalizing the whole text would join a red-header line to the 文号 line below it
    raw_lines = [line for line in text.splitlines() if line.strip()]
    if len(raw_lines) > 60:
        raw_lines = raw_lines[:15] + raw_lines[-40:]
    # blank lines between them keep normalization from joining any two (one call instead of one per line)
    lines = [line.strip() for line in normalize("\n\n".join(raw_lines)).splitlines() if line.strip()]
    head = lines[:15]
    number = None if "doc_number" in meta else find_doc_number("\n".join(head))
    if number:
        meta["doc_number"], sources["doc_number"] = number[0], "header"
    elif "doc_number" not in meta and (number := find_doc_number(
            clean[:20_000] if clean is not None else normalize(text[:20_000]))) is not None:
        meta["doc_number"], sources["doc_number"] = number[0], "body"
    if "title" not in meta:
        title = _title_line(head)
        if title:
            meta["title"], sources["title"] = title, "header"
    if "issuer" not in meta:
        for line in head[:4]:
            match = _ISSUER_HEAD.match(re.sub(r"\s+", "", line))
            if match:
                meta["issuer"], sources["issuer"] = match.group(1), "header"
                break
    if "date" not in meta:
        for line in head:
            labelled = _LABELLED_DATE.search(line) or _ADOPTED_DATE.match(line)
            date = date_of_line(labelled.group(1)) if labelled else None
            if date:
                meta["date"], sources["date"] = date, "header"
                break
    if "date" not in meta or "issuer" not in meta:
        # the date line under the signature: the last date line of the text; the issuer signs just above it
        for index in range(len(lines) - 1, max(-1, len(lines) - 40), -1):
            if _DATE_LINE.match(lines[index]):
                date = date_of_line(lines[index])
                if date and "date" not in meta:
                    meta["date"], sources["date"] = date, "body"
                above = re.sub(r"\s+", "", lines[index - 1]) if index else ""
                if "issuer" not in meta and len(above) >= 3 and _ISSUER_LINE.match(above):
                    meta["issuer"], sources["issuer"] = above, "body"
                break
    if "date" in meta:
        meta["date_kind"] = sources["date"]
    meta["metadata_sources"] = ";".join(f"{key}={sources[key]}" for key in ("title", "date", "issuer", "doc_number")
                                        if key in sources)
    return meta


def _title_line(head: list[str]) -> str:
    """The document's title: the head line ending like a title (通知, 意见, …), with the lines it wraps over.

    Example:
        >>> _title_line(["国务院文件", "国发〔2016〕64号", "国务院关于印发“十三五”脱贫攻坚", "规划的通知", "各省："])
        '国务院关于印发“十三五”脱贫攻坚规划的通知'
        >>> _title_line(["第十二届全国人民代表大会第四次会议关于政府工作报告的决", "议"])
        '第十二届全国人民代表大会第四次会议关于政府工作报告的决议'
    """
    flat = [re.sub(r"\s+", "", line) for line in head]

    def plausible(line: str) -> bool:
        return len(line) <= 80 and not re.search(r"[。；;：:，]", line)

    for index, line in enumerate(flat):
        end = None
        if DOC_NUMBER.search(line) or _ISSUER_HEAD.match(line):
            continue  # a 文号 or red-header line is never (the start of) the title
        if _TITLE_END.search(line) and plausible(line):
            end = index
        elif index + 1 < len(flat) and plausible(line + flat[index + 1]) and _TITLE_END.search(line + flat[index + 1]) \
                and not _TITLE_END.search(flat[index + 1][:-1] or "x") and len(flat[index + 1]) < len(line):
            end = index + 1  # the last characters of the title wrapped onto the next line
        if end is None:
            continue
        # a long title wraps over two or three lines: take the preceding lines that are not issuer/文号 lines
        start = index
        while start > 0 and index - start < 2:
            previous = flat[start - 1]
            if (DOC_NUMBER.search(previous) or _ISSUER_HEAD.match(previous) or not plausible(previous)
                    or len(previous) > 40 or _TITLE_END.search(previous)):
                break
            start -= 1
        return "".join(flat[start : end + 1])[:100]
    return ""
