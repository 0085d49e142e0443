"""Regenerate data/common_hanzi.txt: the most frequent Chinese characters, simplified and traditional.

read_text uses this list to tell real Chinese text from mojibake. Frequencies come from jieba 0.42.1's
dictionary (word frequency × characters); traditional forms come from OpenCC (s2t, s2tw, s2hk).
Run: python scripts/make_common_hanzi.py
"""

from __future__ import annotations

import collections
from pathlib import Path

import jieba
import opencc

TOP = 4000
dictionary = Path(jieba.__file__).with_name("dict.txt")
counts: collections.Counter[str] = collections.Counter()
for line in dictionary.read_text(encoding="utf-8").splitlines():
    word, freq, *_ = line.split(" ")
    for char in word:
        if "\u4e00" <= char <= "\u9fff":
            counts[char] += int(freq)
simplified = "".join(char for char, _ in counts.most_common(TOP))
chars = set(simplified)
# Written Cantonese characters frequent in Hong Kong texts (Big5-HKSCS), which jieba's dictionary lacks.
chars.update("啲嘅咗喺冇嘢哋佢乜嚟喇囉噉睇咁諗唔係嗰啱畀攞搵揾嘥嗮咪嚿廿卅")
for config in ("s2t", "s2tw", "s2hk"):
    chars.update(opencc.OpenCC(config).convert(simplified))
out = Path(__file__).resolve().parent.parent / "data" / "common_hanzi.txt"
body = "".join(sorted(chars))
lines = [body[i : i + 80] for i in range(0, len(body), 80)]
header = (
    f"# The {TOP} most frequent characters of jieba 0.42.1's dictionary and their OpenCC traditional forms.\n"
    "# Plus common written Cantonese characters.\n"
    "# Used by read_text to recognise Chinese text. Regenerate with scripts/make_common_hanzi.py.\n"
)
out.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
print(f"{len(chars)} characters written to {out}")
