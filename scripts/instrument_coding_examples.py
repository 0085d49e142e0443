"""Put two positive examples and one near miss per code into data/codebook.yaml, from the blind codes (issue 12).

``python scripts/instrument_coding_examples.py`` rewrites the ``examples:`` entry of every code. Positives are
units coder A gave the code to (and coder B too, where B coded the unit), from two different documents,
preferring documents outside the seed and units of moderate length. A near miss is a unit whose codebook
evidence points to the code (the rule coder's primary or runner-up) while coder A gave it another code: the
confusion a coder must learn to avoid. Run after the blind codes change; the guide the coders used is not
touched (it was written before any example existed).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import yaml

from fupin_research.coding import (
    NO_CODE,
    code_units,
    load_blind_codes,
    load_codebook,
    load_coding_sample,
    rule_decisions,
)

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "data" / "codebook.yaml"
SHORT, LONG = 25, 140


def pick(units: pd.DataFrame, hand: dict, hand_b: dict, rules: pd.DataFrame, dim: str, code: str) -> dict:
    texts = units.set_index("unit_id")
    positives = [
        u for u in units.unit_id
        if hand.get((u, dim)) == code and hand_b.get((u, dim), code) == code
    ]

    def preference(unit: str) -> tuple:
        row = texts.loc[unit]
        length = len(row.text)
        return (row.family == "seed", not (SHORT <= length <= LONG), abs(length - 80), unit)

    chosen, documents = [], set()
    for unit in sorted(positives, key=preference):
        if texts.loc[unit, "doc_id"] not in documents:
            chosen.append(unit)
            documents.add(texts.loc[unit, "doc_id"])
        if len(chosen) == 2:
            break
    decided = rules[rules.dimension == dim].set_index("unit_id")
    misses = [
        u for u in units.unit_id
        if u in decided.index and code in (decided.loc[u, "code"], decided.loc[u, "runner_up"])
        and hand.get((u, dim)) not in (None, code)
    ]
    examples: dict = {"positive": [f"{texts.loc[u, 'text']} [{u}]" for u in chosen]}
    if misses:
        miss = sorted(misses, key=preference)[0]
        examples["near_miss"] = {"text": f"{texts.loc[miss, 'text']} [{miss}]",
                                 "coded_as": str(hand[(miss, dim)])}
    return examples


def main() -> None:
    units = load_coding_sample()
    hand_a, hand_b = load_blind_codes("A"), load_blind_codes("B")
    hand = {(u, d): c for u, d, c in zip(hand_a.unit_id, hand_a.dimension, hand_a.code)}
    second = {(u, d): c for u, d, c in zip(hand_b.unit_id, hand_b.dimension, hand_b.code)}
    rules = rule_decisions(code_units(units))
    book = load_codebook()
    text = BOOK.read_text(encoding="utf-8")
    text = re.sub(r"        examples:\n(?:          .*\n)+", "", text)  # drop old examples
    for dim in ("instrument", "target_area"):
        for code in book["dimensions"][dim]["codes"]:
            examples = pick(units, hand, second, rules, dim, code["id"])
            if code["id"] == NO_CODE:
                continue
            dumped = yaml.safe_dump({"examples": examples}, allow_unicode=True, width=10**6, sort_keys=False)
            block = "".join(f"        {line}\n" for line in dumped.splitlines())
            head = r"(      - id: " + re.escape(code["id"]) + r"\n"
            pattern = re.compile(head + r"(?:        .*\n)*?        definition: .*\n)")
            text, count = pattern.subn(lambda m, b=block: m.group(1) + b, text, count=1)
            assert count == 1, code["id"]
    BOOK.write_text(text, encoding="utf-8")
    print("examples written for", sum(len(book["dimensions"][d]["codes"]) for d in ("instrument", "target_area")))


if __name__ == "__main__":
    main()
