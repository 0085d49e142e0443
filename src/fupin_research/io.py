"""Read text files in the encodings Chinese policy texts come in, and refuse what is not text.

Order of attempts in :func:`read_text`:

1. A byte-order mark (UTF-8, UTF-16, UTF-32) decides the encoding.
2. Strict UTF-8.
3. Strict decodes in this order: GB18030 (superset of GB2312 and GBK; keeps private-use characters),
   Big5-HKSCS (Big5 with Hong Kong characters), CP950 (Microsoft Big5), UTF-16 without a mark, plus
   ``charset-normalizer``'s guess where it names another codec; the decoding that reads best as Chinese
   text wins (see :func:`chinese_score`; ties go to the earlier). The library alone is not trusted: it is good
   at long texts but calls short GBK files Korean (cp949) and short GBK lines Big5.
4. Valid UTF-8 with no Chinese character but non-Latin letters (short GBK text can be valid UTF-8) is
   kept as UTF-8 unless a Chinese decoding reads as Chinese.

5. A strict decoding that reads far better than every other (by :data:`CLEAR_WIN_MARGIN`) is kept even if it
   reads poorly as Chinese (rare characters; markup, full-width digits and Latin are not counted at all). When
   several succeed and none reads well, ``charset-normalizer`` is asked; if it names one of them, it is kept.

If nothing reads as Chinese, :class:`~fupin_research.errors.InputError` is raised: no mojibake is ever returned.
A codec name Python does not know (in :data:`FALLBACK_ENCODINGS`) raises ``LookupError``: it is a bug, not a file.
"""

from __future__ import annotations

import codecs
import os
import re
from functools import cache
from pathlib import Path

from fupin_research.errors import InputError
from fupin_research.paths import data_dir

# Each attempt: (codec name given to Python, name reported to the user).
FALLBACK_ENCODINGS: tuple[tuple[str, str], ...] = (
    ("gb18030", "gb18030"),
    ("big5hkscs", "big5hkscs"),
    ("cp950", "cp950"),
    ("utf-16-le", "utf-16-le"),
    ("utf-16-be", "utf-16-be"),
)
# charset-normalizer names → the widest codec of the same family (GBK text that uses GB18030 extras still decodes).
_FAMILY = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "hz": "gb18030",
    "big5": "big5hkscs", "big5hkscs": "big5hkscs", "cp950": "cp950",
}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAGIC = {
    b"%PDF": "a PDF document", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image",
    b"PK\x03\x04": "a ZIP archive (or .docx/.xlsx)", b"\xd0\xcf\x11\xe0": "an MS Office document",
    b"\x1f\x8b": "a gzip archive", b"GIF8": "a GIF image", b"\x7fELF": "a program",
}
MIN_CHINESE_SCORE = 0.8
# Below MIN_CHINESE_SCORE a decoding is still kept when it is the only strict one or beats every other by this much.
CLEAR_WIN_SCORE = 0.5
CLEAR_WIN_MARGIN = 0.3
# Characters that count as evidence: anything non-ASCII except spaces and punctuation (CJK or general).
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Non-ASCII characters beyond Western European letters and punctuation (what GBK bytes become in UTF-8).
_NOT_LATIN = re.compile(r"[^\x00-\u017f\u2000-\u206f\s]")
# Full-width forms (digits, Latin letters, punctuation: U+FF01-FF65), enclosed numbers (①), number forms (Ⅻ),
# arrows, box drawing and geometric shapes are what GBK news files carry around their Chinese: they are no evidence
# either way (a wrong double-byte decoding gives rare Han characters, Hangul or private-use ones instead).
_EVIDENCE = re.compile(
    r"[^\x00-\x7f\s\u2000-\u206f\u3000-\u303f\uff01-\uff65\uffe0-\uffe6"
    r"\u00a0-\u00bf\u00d7\u00f7\u2150-\u21ff\u2460-\u24ff\u2500-\u25ff\u2600-\u26ff]"
)
# Private-use characters (all of them evidence characters).
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


@cache
def _common_hanzi() -> frozenset[str]:
    lines = (data_dir() / "common_hanzi.txt").read_text(encoding="utf-8").splitlines()
    return frozenset("".join(line for line in lines if not line.startswith("#")))


def chinese_score(text: str) -> float:
    """Share of the non-ASCII, non-punctuation characters in ``text`` that are frequent Chinese characters.

    Real Chinese text scores near 1; the same bytes decoded in the wrong codec give rare characters,
    Hangul, private-use characters or symbols and score low (0..1). Text without such characters
    scores 1 (nothing to doubt).

    Example:
        >>> chinese_score("扶贫开发") > 0.9, chinese_score("륌틋역랙") < 0.1
        (True, True)
    """
    common = _common_hanzi()
    letters = _EVIDENCE.findall(text)
    if not letters:
        return 1.0
    # Private-use characters are legitimate in GB18030 (user-defined areas) but also what a wrong double-byte
    # decoding produces: they count as half a miss.
    private = len(_PRIVATE_USE.findall(text))  # all of them are evidence characters
    hits = sum(map(common.__contains__, letters))
    return hits / (len(letters) - private / 2)


# Control characters other than \t \n \v \f \r and \x1a (DOS end of file): what binary files are full of.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f]")


def _control_share(text: str) -> float:
    controls = len(_CONTROL.findall(text))
    return controls / max(len(text), 1)


def _strict(data: bytes, codec: str) -> str | None:
    """``data`` decoded strictly, or None if the bytes are not valid ``codec``.

    A codec name Python does not know is a mistake in the caller's list, not a property of the file: it raises.

    Example:
        >>> _strict(b"\\xff", "utf-8") is None
        True
        >>> _strict(b"a", "no-such-codec")
        Traceback (most recent call last):
        ...
        LookupError: unknown encoding: no-such-codec
    """
    codecs.lookup(codec)  # LookupError for a name that does not exist
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``; ``name`` is used in error messages.

    Example:
        >>> decode_bytes("精准扶贫".encode("gbk"))
        ('精准扶贫', 'gbk')
    """
    if not data.strip():
        raise InputError(f"{name}: the file is empty")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"{name}: this is {what}, not a text file")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _strict(data, codec)
            if text is None:
                raise InputError(f"{name}: starts with a {codec} byte-order mark but is not valid {codec}")
            if not text.strip():
                raise InputError(f"{name}: the file holds only whitespace")
            return text, codec
    utf8 = _strict(data, "utf-8") if b"\x00" not in data else None
    if utf8 is not None:
        if not utf8.strip():
            raise InputError(f"{name}: the file holds only whitespace")
        if _control_share(utf8) > 0.05:
            raise InputError(f"{name}: looks like a binary file (control characters), not text")
        if _HAN.search(utf8) or not _NOT_LATIN.search(utf8):
            return utf8, "utf-8"
        # Valid UTF-8 without a single Chinese character but with other non-ASCII letters: short GBK text
        # (全省农业 is valid UTF-8 for ȫʡũҵ). Keep UTF-8 unless a Chinese decoding reads clearly better.
    # UTF-16 without a mark is only plausible where ASCII characters left NUL bytes.
    candidates = [c for c in FALLBACK_ENCODINGS if b"\x00" in data or "16" not in c[0]]
    tried = {codec for codec, _ in candidates}
    # The library's guess counts only when it names a codec not tried anyway. Every codec it can name
    # (_FAMILY) is in FALLBACK_ENCODINGS, so it is consulted only if that list was changed: it is slow.
    if not set(_FAMILY.values()) <= tried:
        guess = _library_guess(data)
        if guess and guess not in tried:
            candidates.append((guess, guess))
    best: tuple[float, str, str] | None = None
    scores: list[float] = []
    for codec, label in candidates:
        text = _strict(data, codec)
        if text is None or _control_share(text) > 0.01:
            continue
        score = chinese_score(text)
        scores.append(score)
        # ties go to the documented order (mainland GB18030 first): short texts often decode both ways
        if best is None or score > best[0]:
            best = (score, text, label)
    if utf8 is not None and (best is None or best[0] < MIN_CHINESE_SCORE):
        return utf8, "utf-8"
    if best is None:
        if b"\x00" in data:
            raise InputError(f"{name}: looks like a binary file (NUL bytes), not text")
        raise InputError(f"{name}: cannot be decoded as UTF-8, GB18030, Big5 or UTF-16")
    score, text, label = best
    if not text.strip():
        raise InputError(f"{name}: the file holds only whitespace")
    runner_up = sorted(scores)[-2] if len(scores) > 1 else 0.0
    clear_win = score >= CLEAR_WIN_SCORE and score - runner_up >= CLEAR_WIN_MARGIN
    if score < MIN_CHINESE_SCORE and utf8 is None and clear_win:
        # One decoding reads far better than every other (rare place names in GBK, say): nothing is ambiguous.
        score = MIN_CHINESE_SCORE
    if score < MIN_CHINESE_SCORE:
        # Our own order is unsure: ask charset-normalizer. If it names the family whose strict decoding we have,
        # that decoding is taken (a strict decode both agree on is not ambiguous).
        guess = _library_guess(data)
        for codec, guess_label in candidates:
            if guess == codec and (decoded := _strict(data, codec)) is not None and _control_share(decoded) <= 0.01:
                text, label = decoded, guess_label
                break
        else:
            guess = None
    if score < MIN_CHINESE_SCORE and guess is None:
        raise InputError(
            f"{name}: encoding unclear: the best decoding ({label}) reads as Chinese for only "
            f"{score:.0%} of its characters; convert the file to UTF-8"
        )
    if label == "gb18030" and _strict(data, "gbk") == text:
        label = "gbk"
    return text, label


def _library_guess(data: bytes) -> str | None:
    """charset-normalizer's guess mapped to a codec we trust, or None."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - it is a dependency
        return None
    match = from_bytes(data[:200_000]).best()
    if match is None:
        return None
    return _FAMILY.get(match.encoding.replace("_", "").lower())


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a text file in UTF-8 (with or without BOM), UTF-16, GB18030/GBK or Big5/Big5-HKSCS/CP950.

    Line endings are returned as they are in the file (``normalize`` unifies them).
    Empty files, binary files and undecodable bytes raise :class:`InputError`, whose message names
    the file and says what is wrong.

    Example:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "doc.txt"
        >>> _ = path.write_bytes("脫貧攻堅".encode("big5"))
        >>> read_text(path)
        '脫貧攻堅'
    """
    return read_text_with_encoding(path)[0]


def read_file_bytes(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a file; a missing file, a folder or an unreadable file raises :class:`InputError` naming it.

    Example:
        >>> read_file_bytes("no/such/file.txt")
        Traceback (most recent call last):
        fupin_research.errors.InputError: no/such/file.txt: no such file
    """
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from None


def read_text_with_encoding(path: str | os.PathLike[str]) -> tuple[str, str]:
    """Like :func:`read_text`, but also return the encoding that was used."""
    return decode_bytes(read_file_bytes(path), str(Path(path)))
