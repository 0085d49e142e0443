"""Word segmentation with a private jieba tokenizer (jieba's global dictionary is never touched).

The domain user dictionary (``data/userdict.txt``: policy terms and numbered slogans) and the stopword list
(``data/stopwords.txt``) are plain files a researcher can edit.
"""

from __future__ import annotations

import bisect
import logging
import operator
import os
import re
from collections.abc import Callable
from functools import cache
from itertools import accumulate, compress
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from fupin_research.paths import data_dir

if TYPE_CHECKING:
    import jieba

# jieba logs "Building prefix dict ..." at DEBUG on every new tokenizer: kept out of notebook outputs (_jieba).
def _jieba():
    """jieba, imported when first needed (a build with rjieba does without it), its log kept quiet.

    jieba sets its logger to DEBUG when imported, so the level is set after the import: its "Building prefix
    dict ..." lines would otherwise reach notebook outputs.
    """
    import jieba

    logging.getLogger("jieba").setLevel(logging.WARNING)
    return jieba

TOKEN_COLUMNS = ["token_id", "start", "end", "token", "is_stopword"]


def userdict_file() -> Path:
    """The shipped domain user dictionary (jieba format: ``word [freq] [tag]`` per line)."""
    return data_dir() / "userdict.txt"


def stopwords_file() -> Path:
    """The shipped stopword list (one word per line, ``#`` comments)."""
    return data_dir() / "stopwords.txt"


# jieba 0.42.1's own patterns (jieba.re_han_default, jieba.re_skip_default, jieba.re_userdict, jieba.finalseg.re_han
# and re_skip), repeated here so that a build with rjieba need not import jieba (80 ms of start-up, most of it
# pkg_resources); tests/test_segment_identity.py checks that they equal jieba's.
_BLOCK = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
_SPACE = re.compile("(\r\n|\\s)", re.U)
_USERDICT_LINE = re.compile("^(.+?)( [0-9]+)?( [a-z]+)?$", re.U)
_HMM_HAN = re.compile("([\u4E00-\u9FD5]+)")
_HMM_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")

SEGMENTERS = ("jieba", "rjieba")
RJIEBA_VERSION = "0.2.2"  # the rules of RjiebaSegmenter were worked out against this version (pinned in pyproject)


def resolve_segmenter(name: str, *, echo: Callable[[str], None] | None = None) -> str:
    """The segmenter a setting names: ``auto`` is ``rjieba`` where it is installed, else ``jieba``.

    Both give jieba 0.42.1's tokens (see :class:`RjiebaSegmenter`); ``jieba`` is the reference implementation.
    Where ``auto`` falls back to jieba, ``echo`` (if given) receives one line saying so. Raises ``ValueError`` for
    an unknown name, or for ``rjieba`` where it is not installed (checked without loading a dictionary, so a build
    can fail before it starts any worker).

    Example:
        >>> resolve_segmenter("jieba")
        'jieba'
        >>> resolve_segmenter("auto") in SEGMENTERS
        True
    """
    if name == "auto":
        if _rjieba_installed():
            return "rjieba"
        if echo is not None:
            echo("fupin: rjieba is not installed for this platform; segmenting with jieba (the same tokens, "
                 "about 4 times slower)")
        return "jieba"
    if name == "jieba_fast":
        raise ValueError("the jieba_fast segmenter was removed: where two routes score the same it keeps another "
                         "one than jieba (上垒上); use rjieba (the default) or jieba")
    if name not in SEGMENTERS:
        raise ValueError(f"unknown segmenter {name!r}: choose one of auto, {', '.join(SEGMENTERS)}")
    if name == "rjieba" and not _rjieba_installed():
        raise ValueError(f"the rjieba segmenter is not installed: pip install rjieba=={RJIEBA_VERSION}")
    return name


def _rjieba_installed() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("rjieba") is not None
    except (ImportError, ValueError):  # a module set to None in sys.modules (tests) or a broken install
        return False


def get_tokenizer(
    userdict: str | os.PathLike[str] | None = None, *, backend: str = "jieba"
) -> jieba.Tokenizer | RjiebaSegmenter:
    """Return a private segmenter with the domain dictionary loaded: a ``jieba.Tokenizer`` or a
    :class:`RjiebaSegmenter`.

    Segmenters are cached per dictionary path and backend, so a process builds each one once. ``backend`` is
    ``jieba`` (the reference) or ``rjieba`` (jieba's algorithm compiled from Rust, with the rules that make its
    tokens jieba's; about 4 times as fast in the package; :func:`compare_segmenters` checks a corpus of yours).

    Example:
        >>> tokenizer = get_tokenizer()
        >>> "两不愁三保障" in tokenizer.lcut("实现两不愁三保障")
        True
    """
    if backend not in SEGMENTERS:
        raise ValueError(f"unknown segmenter {backend!r}: choose one of {', '.join(SEGMENTERS)}")
    return _tokenizer(str(userdict or userdict_file()), backend)


@cache
def _tokenizer(userdict: str, backend: str) -> jieba.Tokenizer | RjiebaSegmenter:
    if backend == "rjieba":
        return RjiebaSegmenter(userdict)
    tokenizer = _jieba().Tokenizer()
    tokenizer.initialize()
    tokenizer.load_userdict(userdict)
    return tokenizer


def userdict_entries(path: str | os.PathLike[str]) -> list[tuple[str, int | None, str | None]]:
    """The ``(word, frequency, tag)`` lines of a user dictionary, parsed as jieba 0.42.1's ``load_userdict`` does
    (its own pattern; a missing frequency is ``None``; no comment lines: jieba has none).

    Example:
        >>> userdict_entries(userdict_file())[0]
        ('建档立卡', 2000, 'n')
    """
    entries = []
    for raw in Path(path).read_bytes().splitlines():
        line = raw.strip().decode("utf-8").lstrip("\ufeff")
        if not line:
            continue
        word, freq, tag = _USERDICT_LINE.match(line).groups()
        entries.append((word, int(freq) if freq is not None else None, tag.strip() if tag else None))
    return entries


def jieba_dict_file() -> Path:
    """jieba's main dictionary file (``jieba/dict.txt``), found without importing jieba."""
    import importlib.util

    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise ValueError("jieba is not installed: pip install jieba==0.42.1")
    return Path(spec.origin).with_name("dict.txt")


# jieba 0.42.1's dictionary (jieba/dict.txt) sums to 60,101,967 with its one duplicate line counted twice;
# jieba-rs, whose embedded dictionary is the same file, keeps each word's last frequency: 60,101,964.
# tests/test_segment_identity.py recomputes both from the installed jieba.
JIEBA_DICT_TOTAL = 60_101_967
RJIEBA_DICT_TOTAL = 60_101_964


def jieba_dict_frequencies(words: list[str]) -> dict[str, int]:
    """The frequency jieba's own dictionary (``jieba/dict.txt``) gives each of ``words`` it holds (last line wins).

    Example:
        >>> jieba_dict_frequencies(["贫困户", "两不愁三保障"])
        {'贫困户': 115}
    """
    if not words:
        return {}
    text = jieba_dict_file().read_text(encoding="utf-8")
    pattern = re.compile("^(" + "|".join(map(re.escape, sorted(set(words), key=len, reverse=True))) + ") (\\d+)",
                         re.M)
    return {word: int(freq) for word, freq in pattern.findall(text)}


# Han characters rjieba's blocks take in and jieba's leave out (CJK extension A, U+9FD6-U+9FFF, compatibility
# ideographs, the supplementary planes): a text holding one is cut block by block (rule 2 of RjiebaSegmenter).
_RJIEBA_ONLY_HAN = re.compile("[\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
# a run of block characters holding one of jieba's block symbols: where rjieba's HMM keeps what jieba splits (rule 1)
_SYMBOL_RUN = re.compile(r"[a-zA-Z0-9+#&._%\-]*[+#&._%\-][a-zA-Z0-9+#&._%\-]*")


class RjiebaSegmenter:
    r"""jieba 0.42.1's tokens, computed by rjieba (jieba-rs: jieba's dictionary, route and HMM, compiled from Rust).

    rjieba alone differs from jieba; three rules around it make the tokens jieba's (each tested by comparison with
    jieba on every shipped text, on random text and on every short string of a small alphabet):

    1. **ASCII inside unknown stretches.** Between dictionary words, jieba's HMM (``jieba.finalseg.cut``) splits a
       run of letters, digits and symbols with its pattern ``[a-zA-Z0-9]+(?:\.\d+)?%?`` (``zh.wikisource.org`` →
       ``zh . wikisource . org``); rjieba keeps the run whole. Such a token that is not a dictionary word is split
       again with jieba's pattern (:meth:`_split_symbol_runs`).
    2. **Rare Han characters.** rjieba's blocks take in Han characters outside U+4E00-U+9FD5 (extension A,
       compatibility ideographs, supplementary planes); jieba's do not, so for it such a character ends a block. A
       text holding one is cut block by block on jieba's own block pattern, the characters between blocks as jieba
       yields them (:meth:`_cut_by_blocks`).
    3. **The dictionary total.** jieba adds every line's frequency to its total (its dictionary's one duplicate
       line, and user words already in the dictionary, count twice); rjieba keeps the total of the words' current
       frequencies. The total decides between routes of different numbers of words, so rjieba's is raised to
       jieba's with a word no text can contain (:meth:`total_gap`).

    Example:
        >>> RjiebaSegmenter().lcut("实现两不愁三保障，访问zh.wikisource.org")
        ['实现', '两不愁三保障', '，', '访问', 'zh', '.', 'wikisource', '.', 'org']
    """

    # a word jieba's blocks can never contain (it starts with a space): it only raises the total
    TOTAL_WORD = " total of jieba's dictionary"

    def __init__(self, userdict: str | os.PathLike[str] | None = None) -> None:
        import rjieba

        self.userdict = str(userdict or userdict_file())
        self.entries = userdict_entries(self.userdict)  # read once: the frequencies and the total need them
        self.segmenter = rjieba.Jieba()
        frequencies = self._user_frequencies()
        for word, freq in frequencies.items():
            self.segmenter.add_word(word, freq, None)
        self.gap = self.total_gap(frequencies)
        if self.gap:
            self.segmenter.add_word(self.TOTAL_WORD, self.gap, None)
        self._has_word = self.segmenter.has_word

    def _user_frequencies(self) -> dict[str, int]:
        """Each user word's final frequency, as jieba's ``load_userdict`` leaves it (a missing frequency is the one
        jieba suggests: taken from a jieba tokenizer with the same dictionary, loaded only then)."""
        entries = self.entries
        if any(freq == 0 for _word, freq, _tag in entries):
            raise ValueError(f"{self.userdict}: a frequency of 0 (jieba's 'never join') is not supported by the "
                             "rjieba segmenter; use --segmenter jieba")
        if any(freq is None for _word, freq, _tag in entries):
            reference = get_tokenizer(self.userdict, backend="jieba")
            return {word: reference.FREQ[word] for word, _freq, _tag in entries}
        return {word: freq for word, freq, _tag in entries}

    def total_gap(self, frequencies: dict[str, int]) -> int:
        """What jieba's total exceeds rjieba's by, with the user dictionary loaded in both (rule 3)."""
        added = (frequencies[word] if freq is None else freq for word, freq, _tag in self.entries)
        jieba_total = JIEBA_DICT_TOTAL + sum(added)
        in_dictionary = jieba_dict_frequencies(list(frequencies))
        rjieba_total = RJIEBA_DICT_TOTAL + sum(freq - in_dictionary.get(word, 0) for word, freq in frequencies.items())
        return jieba_total - rjieba_total

    def lcut(self, text: str) -> list[str]:
        """jieba's default cut (HMM on) of ``text`` as a list of tokens."""
        return self.tokens_and_ends(text)[0]

    def tokens_and_ends(self, text: str) -> tuple[list[str], list[int]]:
        """jieba's tokens of ``text`` and the offset where each ends (the next one starts there)."""
        tokens = self._cut_by_blocks(text) if _RJIEBA_ONLY_HAN.search(text) else self.segmenter.cut(text, True)
        ends = list(accumulate(map(len, tokens)))
        if _BLOCK_SYMBOL.search(text):
            tokens, ends = self._split_symbol_runs(text, tokens, ends)
        return tokens, ends

    def _cut_by_blocks(self, text: str) -> list[str]:
        """Rule 2: rjieba on each of jieba's blocks; between blocks jieba's whitespace tokens and single characters."""
        tokens: list[str] = []
        cut = self.segmenter.cut
        for index, piece in enumerate(_BLOCK.split(text)):
            if not piece:
                continue
            if index % 2:
                tokens.extend(cut(piece, True))
            else:
                tokens.extend(_between_blocks(piece))
        return tokens

    def _split_symbol_runs(self, text: str, tokens: list[str], ends: list[int]) -> tuple[list[str], list[int]]:
        """Rule 1: tokens of letters, digits and symbols that are no dictionary word, split as jieba's HMM splits.

        Such a token lies inside one of the text's runs of block characters holding a symbol (``_SYMBOL_RUN``), so
        only the tokens ending inside those runs are examined, found by their offsets.
        """
        edits: list[tuple[int, list[str]]] = []
        for run in _SYMBOL_RUN.finditer(text):
            index, run_end = bisect.bisect_right(ends, run.start()), run.end()
            while index < len(tokens) and ends[index] <= run_end:
                token = tokens[index]
                if len(token) > 1 and _SYMBOL_RUN.fullmatch(token) and not self._has_word(token):
                    pieces = [piece for piece in _HMM_SKIP.split(token) if piece]
                    if len(pieces) > 1:
                        edits.append((index, pieces))
                index += 1
        if not edits:
            return tokens, ends
        out: list[str] = []
        previous = 0
        for index, pieces in edits:
            out += tokens[previous:index]
            out += pieces
            previous = index + 1
        out += tokens[previous:]
        return out, list(accumulate(map(len, out)))


def _between_blocks(piece: str) -> list[str]:
    """jieba's tokens of text between its blocks: ``\\r\\n`` and whitespace characters, then single characters."""
    tokens = []
    for part in _SPACE.split(piece):
        if not part:
            continue
        if _SPACE.match(part):
            tokens.append(part)
        else:
            tokens.extend(part)
    return tokens


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


_BLOCK_SYMBOL = re.compile(r"[+#&._%\-]")  # the only characters of a block that are not word characters


def _route(tokenizer: jieba.Tokenizer, block: str) -> list[int]:
    """For each position of a block, the end (inclusive) of the word jieba's best route takes."""
    found: dict[int, tuple[float, int]] = {}
    tokenizer.calc(block, tokenizer.get_DAG(block), found)
    return [found[x][1] for x in range(len(block))]


def _hmm_states(run: str) -> list[str]:
    """jieba's HMM states (B/M/E/S) for a run of Chinese characters."""
    finalseg = _jieba().finalseg
    return finalseg.viterbi(run, "BMES", finalseg.start_P, finalseg.trans_P, finalseg.emit_P)[1]


def token_spans(text: str, tokenizer: jieba.Tokenizer | RjiebaSegmenter | None = None) -> tuple[list[int], list[int]]:
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


def _walk(
    text: str, tokenizer: jieba.Tokenizer | RjiebaSegmenter, *, words_only: bool
) -> tuple[list[str], list[int], list[int]]:
    """jieba's tokens of ``text`` with their offsets; with ``words_only``, only those :func:`is_word` accepts.

    Filtering while walking saves a second pass over millions of tokens: a block's tokens are all words unless
    the block holds one of jieba's symbol characters, and between blocks only single word characters are words.
    """
    if isinstance(tokenizer, RjiebaSegmenter):
        return _offsets(*tokenizer.tokens_and_ends(text), words_only=words_only)
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
        route = _route(tokenizer, block)
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


def _offsets(tokens: list[str], ends: list[int], *, words_only: bool) -> tuple[list[str], list[int], list[int]]:
    """Tokens that tile a text, with their offsets; with ``words_only``, only those :func:`is_word` accepts."""
    starts = [0, *ends[:-1]] if ends else []
    if not words_only:
        return tokens, starts, ends
    # a text has far fewer distinct tokens than tokens; most are letters only (str.isalnum), hence words
    other = {token for token in set(tokens) if not token.isalnum() and not is_word(token)}
    if not other:
        return tokens, starts, ends
    keep = list(map(operator.not_, map(other.__contains__, tokens)))
    return list(compress(tokens, keep)), list(compress(starts, keep)), list(compress(ends, keep))


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
            states = _hmm_states(piece)
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
    text: str, tokenizer: jieba.Tokenizer | RjiebaSegmenter, stop: frozenset[str], *, keep_punctuation: bool = False
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
    return words, starts, ends, list(map(stop.__contains__, words))


def compare_segmenters(
    texts: dict[str, str], other: str | jieba.Tokenizer | RjiebaSegmenter = "rjieba"
) -> pd.DataFrame:
    """Segment each text with jieba's own ``cut`` and as the package does with ``other``; one row per text that differs.

    ``other`` is a backend name or a tokenizer; its tokens come from :func:`token_spans`, the function
    :func:`tokenize` and ``fupin build`` use. Columns: ``doc_id``, ``position`` (token index of the first
    difference), ``jieba`` and ``other`` (the differing tokens). An empty table means the package gives exactly
    jieba's tokens on these texts.

    Example:
        >>> import jieba
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
