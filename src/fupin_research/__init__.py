"""fupin-research: reproducible analysis of Chinese poverty-alleviation policy texts.

The pipeline, one module per stage: :mod:`~fupin_research.io` (read) → :mod:`~fupin_research.normalize`
→ :mod:`~fupin_research.split` → :mod:`~fupin_research.segment` and :mod:`~fupin_research.extract`
→ :mod:`~fupin_research.build` (tables) → notebooks (:mod:`~fupin_research.report`).

Example:
    >>> import fupin_research as fr
    >>> fr.normalize("脫貧攻堅\\u200b")
    '脱贫攻坚'
"""

from __future__ import annotations

from fupin_research.corpus import load_corpus, read_document
from fupin_research.damage import damage_table, detect_damage
from fupin_research.errors import InputError
from fupin_research.io import read_text
from fupin_research.normalize import check_renderings, detect_script, normalize, normalize_with_offsets
from fupin_research.plotting import use_chinese_font
from fupin_research.segment import get_tokenizer, tokenize
from fupin_research.split import split_sentences

__all__ = [
    "InputError",
    "check_renderings",
    "damage_table",
    "detect_damage",
    "detect_script",
    "get_tokenizer",
    "load_corpus",
    "normalize",
    "normalize_with_offsets",
    "read_document",
    "read_text",
    "split_sentences",
    "tokenize",
    "use_chinese_font",
]
__version__ = "0.1.0"
