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

from fupin_research._version import __version__
from fupin_research.audit import attribute_quantities, audit_quantities
from fupin_research.coding import (
    agreement,
    code_units,
    crosstab_codes,
    load_codebook,
    load_hand_codes,
    primary_codes,
)
from fupin_research.corpus import load_corpus, read_document
from fupin_research.damage import damage_table, detect_damage
from fupin_research.errors import InputError
from fupin_research.extract.formulas import extract_formulas
from fupin_research.extract.quantities import extract_quantities
from fupin_research.extract.time_expressions import extract_time_expressions
from fupin_research.glossary import load_glossary
from fupin_research.io import read_text
from fupin_research.normalize import check_renderings, detect_script, normalize, normalize_with_offsets
from fupin_research.plotting import use_chinese_font
from fupin_research.readers import read_file
from fupin_research.segment import get_tokenizer, tokenize
from fupin_research.split import split_sentences
from fupin_research.structure import split_units
from fupin_research.terms import count_terms, load_key_terms, term_timeline

__all__ = [
    "InputError",
    "__version__",
    "agreement",
    "attribute_quantities",
    "audit_quantities",
    "check_renderings",
    "code_units",
    "count_terms",
    "crosstab_codes",
    "damage_table",
    "detect_damage",
    "detect_script",
    "extract_formulas",
    "extract_quantities",
    "extract_time_expressions",
    "get_tokenizer",
    "load_codebook",
    "load_corpus",
    "load_glossary",
    "load_hand_codes",
    "load_key_terms",
    "normalize",
    "normalize_with_offsets",
    "primary_codes",
    "read_document",
    "read_file",
    "read_text",
    "split_sentences",
    "split_units",
    "term_timeline",
    "tokenize",
    "use_chinese_font",
]
