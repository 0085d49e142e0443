"""Split clean text into sentences, each with offsets into the text."""

from __future__ import annotations

import re

import pandas as pd

# A sentence ends at 。！？；!?; (with any closing quotes/brackets right after) or at a line break.
# The seeds write the Chinese semicolon as ASCII ";".
_SENTENCE = re.compile(r"[^\n。！？；!?;]*(?:[。！？；!?;]+[”’」』)）]*|\n|$)")

SENTENCE_COLUMNS = ["sentence_id", "start", "end", "text"]


def split_sentences(text: str, doc_id: str | None = None) -> pd.DataFrame:
    """Split ``text`` into sentences; one row per sentence with ``start``/``end`` offsets.

    Leading and trailing whitespace is left out of each sentence, and empty lines give no row,
    so ``text[start:end] == row.text`` always holds.

    Example:
        >>> split_sentences("脱贫攻坚。精准扶贫！\\n建档立卡").text.tolist()
        ['脱贫攻坚。', '精准扶贫！', '建档立卡']
    """
    rows = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            rows.append((len(rows), start, end, text[start:end]))
    frame = pd.DataFrame(rows, columns=SENTENCE_COLUMNS)
    frame = frame.astype({"sentence_id": "int64", "start": "int64", "end": "int64", "text": "string"})
    if doc_id is not None:
        frame.insert(0, "doc_id", doc_id)
    return frame
