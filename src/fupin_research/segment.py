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


def resolve_segmenter(name: str) -> str:
    """The segmenter a setting names: ``auto`` is ``jieba_fast`` where it is installed, else ``jieba``.

    Both give jieba 0.42.1's tokens (tested on every shipped text); ``jieba_fast`` only computes jieba's
    dictionary route in C. Name ``jieba`` to use the reference implementation alone. Raises ``ValueError``
    for an unknown name, or for ``jieba_fast`` where it is not installed (checked without loading a
    dictionary, so a build can fail before it starts any worker).

    Example:
        >>> resolve_segmenter("jieba")
        'jieba'
        >>> resolve_segmenter("auto") in SEGMENTERS
        True
    """
    if name == "auto":
        try:
            _compiled_functions()
        except ValueError:
            return "jieba"
        return "jieba_fast"
    if name not in SEGMENTERS:
        raise ValueError(f"unknown segmenter {name!r}: choose one of auto, {', '.join(SEGMENTERS)}")
    if name == "jieba_fast":
        _compiled_functions()
    return name


def _compiled_functions():
    """jieba_fast's compiled module; ``ValueError`` saying how to install it where it is missing."""
    try:
        import _jieba_fast_functions_py3 as compiled
    except ImportError:
        raise ValueError("the jieba_fast segmenter is not installed: pip install 'fupin-research[fast]'") from None
    return compiled


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
        compiled = _compiled_functions()
        super().__init__(*args, **kwargs)
        self._dag_and_route = compiled._get_DAG_and_calc
        self._viterbi = compiled._viterbi

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


# jieba 0.42.1's block patterns (jieba.re_han_default, jieba.re_skip_default and jieba.finalseg's), repeated
# here because the segmentation below walks jieba's algorithm by offsets instead of through its generators
_BLOCK = jieba.re_han_default
_SPACE = jieba.re_skip_default
_HMM_HAN = finalseg.re_han
_HMM_SKIP = finalseg.re_skip
_BLOCK_SYMBOL = re.compile(r"[+#&._%\-]")  # the only characters of a block that are not word characters
_HMM_KNOWN = frozenset.intersection(*(frozenset(table) for table in finalseg.emit_P.values()))


def _router(tokenizer: jieba.Tokenizer):
    """A function giving, for each position of a block, the end (inclusive) of the word jieba's best route takes."""
    if isinstance(tokenizer, FastRouteTokenizer):
        freq, total, compiled = tokenizer.FREQ, float(tokenizer.total), tokenizer._dag_and_route

        def fast_route(block: str) -> list[int]:
            route: list[int] = []
            compiled(freq, block, route, total)
            return route

        return fast_route

    def route(block: str) -> list[int]:
        found: dict[int, tuple[float, int]] = {}
        tokenizer.calc(block, tokenizer.get_DAG(block), found)
        return [found[x][1] for x in range(len(block))]

    return route


def _hmm_states(tokenizer: jieba.Tokenizer, run: str) -> list[str]:
    """jieba's HMM states (B/M/E/S) for a run of Chinese characters."""
    if isinstance(tokenizer, FastRouteTokenizer) and _HMM_KNOWN.issuperset(run):
        # jieba_fast's compiled Viterbi equals jieba's on characters the model knows (not on unknown ones)
        return tokenizer._viterbi(run, "BMES", finalseg.start_P, finalseg.trans_P, finalseg.emit_P)[1]
    return finalseg.viterbi(run, "BMES", finalseg.start_P, finalseg.trans_P, finalseg.emit_P)[1]


def token_spans(text: str, tokenizer: jieba.Tokenizer | None = None) -> tuple[list[int], list[int]]:
    """Starts and ends of every token of jieba's default cut (HMM on) of ``text``, whitespace included.

    The same tokens as ``tokenizer.cut(text)``, computed by offsets: jieba's blocks, its best dictionary route and
    its HMM for runs of unknown single characters, without its chain of generators.

    Example:
        >>> text = "实现两不愁三保障。"
        >>> starts, ends = token_spans(text)
        >>> [text[start:end] for start, end in zip(starts, ends)]
        ['实现', '两不愁三保障', '。']
    """
    _tokens, starts, ends = _walk(text, tokenizer or get_tokenizer(), words_only=False)
    return starts, ends


def _walk(text: str, tokenizer: jieba.Tokenizer, *, words_only: bool) -> tuple[list[str], list[int], list[int]]:
    """jieba's tokens of ``text`` with their offsets; with ``words_only``, only those :func:`is_word` accepts.

    Filtering while walking saves a second pass over millions of tokens: a block's tokens are all words unless
    the block holds one of jieba's symbol characters, and between blocks only single word characters are words.
    """
    route_of = _router(tokenizer)
    tokens: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    add_token, add_start, add_end = tokens.append, starts.append, ends.append
    freq = tokenizer.FREQ
    position = 0
    for index, block in enumerate(_BLOCK.split(text)):
        length = len(block)
        if not length:
            continue
        if index % 2 == 0:  # between blocks: whitespace runs ("\r\n" or one space character) and single characters
            if words_only:
                for match in _WORD_CHAR.finditer(block):
                    add_token(match.group())
                    add_start(position + match.start())
                    add_end(position + match.end())
            elif length == 1:
                add_token(block)
                add_start(position)
                add_end(position + 1)
            else:
                offset = position
                for piece in _SPACE.split(block):
                    step = len(piece) if _SPACE.match(piece) else 1
                    for at in range(0, len(piece), step):
                        add_token(piece[at:at + step])
                        add_start(offset + at)
                        add_end(offset + at + step)
                    offset += len(piece)
            position += length
            continue
        check = words_only and _BLOCK_SYMBOL.search(block) is not None
        first = len(tokens)
        route = route_of(block)
        x, buffer_start = 0, -1
        while x < length:
            y = route[x] + 1
            if y - x == 1:
                if buffer_start < 0:
                    buffer_start = x
            else:
                if buffer_start >= 0:
                    _add_buffer(tokenizer, freq, block, buffer_start, x, position, tokens, starts, ends)
                    buffer_start = -1
                add_token(block[x:y])
                add_start(position + x)
                add_end(position + y)
            x = y
        if buffer_start >= 0:
            _add_buffer(tokenizer, freq, block, buffer_start, length, position, tokens, starts, ends)
        if check:  # drop this block's tokens made of symbols only (".", "-", "%" ...)
            keep = [i for i in range(first, len(tokens)) if _WORD_CHAR.search(tokens[i])]
            tokens[first:] = [tokens[i] for i in keep]
            starts[first:] = [starts[i] for i in keep]
            ends[first:] = [ends[i] for i in keep]
        position += length
    return tokens, starts, ends


def _add_buffer(tokenizer, freq, block: str, begin: int, end: int, position: int, tokens, starts, ends) -> None:
    """Single characters between dictionary words: jieba's HMM where together they are not a dictionary word."""
    buffer = block[begin:end]
    start = position + begin
    if len(buffer) == 1:
        tokens.append(buffer)
        starts.append(start)
        ends.append(start + 1)
    elif not freq.get(buffer):
        for word_start, word_end in _hmm_spans(tokenizer, buffer):
            tokens.append(buffer[word_start:word_end])
            starts.append(start + word_start)
            ends.append(start + word_end)
    else:
        tokens.extend(buffer)
        starts.extend(range(start, start + len(buffer)))
        ends.extend(range(start + 1, start + len(buffer) + 1))


def _hmm_spans(tokenizer: jieba.Tokenizer, buffer: str) -> list[tuple[int, int]]:
    """jieba.finalseg.cut by offsets: HMM words in runs of Chinese characters, the rest split as finalseg does."""
    spans = []
    start = 0
    for index, piece in enumerate(_HMM_HAN.split(buffer)):
        if not piece:
            continue
        if index % 2:
            states = _hmm_states(tokenizer, piece)
            begin, following = 0, 0
            for i, state in enumerate(states):
                if state == "B":
                    begin = i
                elif state == "E":
                    spans.append((start + begin, start + i + 1))
                    following = i + 1
                elif state == "S":
                    spans.append((start + i, start + i + 1))
                    following = i + 1
            if following < len(piece):
                spans.append((start + following, start + len(piece)))
        else:
            offset = start
            for part in _HMM_SKIP.split(piece):
                if part:
                    spans.append((offset, offset + len(part)))
                    offset += len(part)
        start += len(piece)
    return spans


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
    stopword list, so frequency tables can leave them out while the token stream stays complete. The tokens are
    jieba's (``tokenizer.cut(text)``), found by :func:`token_spans`.

    Example:
        >>> tokenize("精准扶贫，建档立卡").token.tolist()
        ['精准扶贫', '建档立卡']
    """
    tokenizer = get_tokenizer(userdict, backend=backend)
    stop = load_stopwords(str(stopwords) if stopwords else None)
    words, starts, ends, stopword = token_lists(text, tokenizer, stop, keep_punctuation=keep_punctuation)
    frame = pd.DataFrame({
        "token_id": pd.RangeIndex(len(words)),
        "start": pd.array(starts, dtype="int64"),
        "end": pd.array(ends, dtype="int64"),
        "token": words,
        "is_stopword": pd.array(stopword, dtype="bool"),
    })
    frame["token_id"] = frame["token_id"].astype("int64")
    if doc_id is not None:
        frame.insert(0, "doc_id", doc_id)
    return frame


def token_lists(
    text: str, tokenizer: jieba.Tokenizer, stop: frozenset[str], *, keep_punctuation: bool = False
) -> tuple[list[str], list[int], list[int], list[bool]]:
    """The columns of :func:`tokenize` as lists: tokens, starts, ends and whether each is a stopword.

    Example:
        >>> token_lists("扶贫的路", get_tokenizer(), load_stopwords())
        (['扶贫', '的', '路'], [0, 2, 3], [2, 3, 4], [False, True, False])
    """
    if keep_punctuation:
        tokens, all_starts, all_ends = _walk(text, tokenizer, words_only=False)
        kept = [i for i, token in enumerate(tokens) if not token.isspace()]
        words, starts, ends = [tokens[i] for i in kept], [all_starts[i] for i in kept], [all_ends[i] for i in kept]
    else:
        words, starts, ends = _walk(text, tokenizer, words_only=True)
    return words, starts, ends, [word in stop for word in words]


def compare_segmenters(texts: dict[str, str], other: str | jieba.Tokenizer = "jieba_fast") -> pd.DataFrame:
    """Segment each text with jieba's own ``cut`` and as the package does with ``other``; one row per text that differs.

    ``other`` is a backend name or a tokenizer; its tokens come from :func:`token_spans`, the function
    :func:`tokenize` and ``fupin build`` use. Columns: ``doc_id``, ``position`` (token index of the first
    difference), ``jieba`` and ``other`` (the differing tokens). An empty table means the package gives exactly
    jieba's tokens on these texts.

    Example:
        >>> compare_segmenters({"a": "实现两不愁三保障"}, jieba.Tokenizer()).iloc[0][["jieba", "other"]].tolist()
        ['两不愁三保障', '两不愁 三 保障']
    """
    import difflib

    reference = get_tokenizer()
    candidate = get_tokenizer(backend=other) if isinstance(other, str) else other
    rows = []
    for doc_id, text in texts.items():
        expected = reference.lcut(text)
        got = [text[start:end] for start, end in zip(*token_spans(text, candidate))]
        if expected == got:
            continue
        matcher = difflib.SequenceMatcher(None, expected, got, autojunk=False)
        _tag, i1, i2, j1, j2 = next(op for op in matcher.get_opcodes() if op[0] != "equal")
        rows.append((doc_id, i1, " ".join(expected[i1:i2]), " ".join(got[j1:j2])))
    return pd.DataFrame(rows, columns=["doc_id", "position", "jieba", "other"])
