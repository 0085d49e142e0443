"""Word segmentation with a private jieba tokenizer (jieba's global dictionary is never touched).

The domain user dictionary (``data/userdict.txt``: policy terms and numbered slogans) and the stopword list
(``data/stopwords.txt``) are plain files a researcher can edit.
"""

from __future__ import annotations

import logging
import os
import re
from functools import cache
from pathlib import Path

import jieba
import pandas as pd
from jieba import finalseg

from fupin_research.paths import data_dir

# jieba logs "Building prefix dict ..." at DEBUG on every new tokenizer; keep notebook outputs stable.
logging.getLogger("jieba").setLevel(logging.WARNING)

TOKEN_COLUMNS = ["token_id", "start", "end", "token", "is_stopword"]


def userdict_file() -> Path:
    """The shipped domain user dictionary (jieba format: ``word [freq] [tag]`` per line)."""
    return data_dir() / "userdict.txt"


def stopwords_file() -> Path:
    """The shipped stopword list (one word per line, ``#`` comments)."""
    return data_dir() / "stopwords.txt"


SEGMENTERS = ("jieba", "jieba_fast")


def get_tokenizer(userdict: str | os.PathLike[str] | None = None, *, backend: str = "jieba") -> jieba.Tokenizer:
    """Return a private, initialized ``jieba.Tokenizer`` with the domain dictionary loaded.

    Tokenizers are cached per dictionary path and backend, so a process builds each one once. ``backend``
    is ``jieba`` (the reference) or ``jieba_fast`` (jieba with its dictionary route computed in C, about twice
    as fast; see :class:`FastRouteTokenizer`; optional: ``pip install 'fupin-research[fast]'``; it gave jieba's
    tokens on every shipped text, and :func:`compare_segmenters` checks a corpus of yours).

    Example:
        >>> tokenizer = get_tokenizer()
        >>> "两不愁三保障" in tokenizer.lcut("实现两不愁三保障")
        True
    """
    if backend not in SEGMENTERS:
        raise ValueError(f"unknown segmenter {backend!r}: choose one of {', '.join(SEGMENTERS)}")
    return _tokenizer(str(userdict or userdict_file()), backend)


class FastRouteTokenizer(jieba.Tokenizer):
    """jieba's own segmentation with the dictionary route computed in C by ``jieba_fast``.

    Everything else is jieba 0.42.1's: its block regexes, its user dictionary handling and its HMM for unknown
    words (``jieba.finalseg``). Only the directed acyclic graph of dictionary words and the best route through it,
    two thirds of jieba's time, come from ``jieba_fast``'s compiled ``_get_DAG_and_calc``. (The ``jieba_fast``
    package as a whole does not give jieba's tokens: its own regexes split ``--`` and its HMM treats characters
    missing from the model differently.)
    """

    def __init__(self, *args, **kwargs):
        try:
            import _jieba_fast_functions_py3 as compiled
        except ImportError:
            raise ValueError("the jieba_fast segmenter is not installed: pip install 'fupin-research[fast]'") from None
        super().__init__(*args, **kwargs)
        self._dag_and_route = compiled._get_DAG_and_calc

    def _Tokenizer__cut_DAG(self, sentence: str):
        route: list[int] = []
        self._dag_and_route(self.FREQ, sentence, route, float(self.total))
        position, buffer, length = 0, "", len(sentence)
        while position < length:
            following = route[position] + 1
            word = sentence[position:following]
            if following - position == 1:
                buffer += word
            else:
                if buffer:
                    yield from self._unknown(buffer)
                    buffer = ""
                yield word
            position = following
        if buffer:
            yield from self._unknown(buffer)

    def _unknown(self, buffer: str):
        """Single characters between dictionary words: jieba's HMM where they form no known word."""
        if len(buffer) == 1:
            yield buffer
        elif not self.FREQ.get(buffer):
            yield from finalseg.cut(buffer)
        else:
            yield from buffer


@cache
def _tokenizer(userdict: str, backend: str) -> jieba.Tokenizer:
    tokenizer = FastRouteTokenizer() if backend == "jieba_fast" else jieba.Tokenizer()
    tokenizer.initialize()
    tokenizer.load_userdict(userdict)
    return tokenizer


@cache
def load_stopwords(path: str | None = None) -> frozenset[str]:
    """Read a stopword list (default: ``data/stopwords.txt``).

    Example:
        >>> "的" in load_stopwords()
        True
    """
    lines = Path(path or stopwords_file()).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


_WORD_CHAR = re.compile(r"[^\W_]")


def is_word(token: str) -> bool:
    """True for tokens that carry meaning: not whitespace and not only punctuation or symbols.

    Example:
        >>> is_word("扶贫"), is_word("17.1"), is_word("，"), is_word("  ")
        (True, True, False, False)
    """
    return _WORD_CHAR.search(token) is not None


def tokenize(
    text: str,
    doc_id: str | None = None,
    *,
    userdict: str | os.PathLike[str] | None = None,
    stopwords: str | os.PathLike[str] | None = None,
    keep_punctuation: bool = False,
    backend: str = "jieba",
) -> pd.DataFrame:
    """Segment ``text`` into words; one row per token with ``start``/``end`` offsets into ``text``.

    Whitespace is dropped; punctuation too unless ``keep_punctuation``. ``is_stopword`` marks the words of the
    stopword list, so frequency tables can leave them out while the token stream stays complete.

    Example:
        >>> tokenize("精准扶贫，建档立卡").token.tolist()
        ['精准扶贫', '建档立卡']
    """
    tokenizer = get_tokenizer(userdict, backend=backend)
    stop = load_stopwords(str(stopwords) if stopwords else None)
    words, starts, ends = [], [], []
    position = 0
    for word in tokenizer.cut(text):
        end = position + len(word)
        if (keep_punctuation and not word.isspace()) or _WORD_CHAR.search(word):
            words.append(word)
            starts.append(position)
            ends.append(end)
        position = end
    frame = pd.DataFrame({
        "token_id": pd.RangeIndex(len(words)),
        "start": pd.array(starts, dtype="int64"),
        "end": pd.array(ends, dtype="int64"),
        "token": words,
        "is_stopword": pd.array([word in stop for word in words], dtype="bool"),
    })
    frame["token_id"] = frame["token_id"].astype("int64")
    if doc_id is not None:
        frame.insert(0, "doc_id", doc_id)
    return frame


def compare_segmenters(texts: dict[str, str], other: str | jieba.Tokenizer = "jieba_fast") -> pd.DataFrame:
    """Segment each text with jieba and with ``other`` (a backend name or a tokenizer); one row per text that differs.

    Columns: ``doc_id``, ``position`` (token index of the first difference), ``jieba`` and ``other`` (the
    differing tokens). An empty table means ``other`` gives exactly jieba's tokens on these texts.

    Example:
        >>> compare_segmenters({"a": "实现两不愁三保障"}, jieba.Tokenizer()).iloc[0][["jieba", "other"]].tolist()
        ['两不愁三保障', '两不愁 三 保障']
    """
    import difflib

    reference = get_tokenizer()
    candidate = get_tokenizer(backend=other) if isinstance(other, str) else other
    rows = []
    for doc_id, text in texts.items():
        expected, got = reference.lcut(text), candidate.lcut(text)
        if expected == got:
            continue
        matcher = difflib.SequenceMatcher(None, expected, got, autojunk=False)
        _tag, i1, i2, j1, j2 = next(op for op in matcher.get_opcodes() if op[0] != "equal")
        rows.append((doc_id, i1, " ".join(expected[i1:i2]), " ".join(got[j1:j2])))
    return pd.DataFrame(rows, columns=["doc_id", "position", "jieba", "other"])
