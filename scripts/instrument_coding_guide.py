"""Write the blind coders' guide from the codebook's definitions and decision rules only (issue 12).

``python scripts/instrument_coding_guide.py [OUT]`` writes GUIDE.md (default
``data/instrument_coding/GUIDE.md``). Terms, patterns and weights (what the rule coder reads) are left out on
purpose: a blind coder applies the definitions, not the package's evidence lists.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fupin_research.coding import load_codebook

ROOT = Path(__file__).resolve().parents[1]

HEAD = """# Coding guide: policy instruments and target areas of poverty-alleviation texts

You code **units** (one row of `units.csv`: `unit_key, doc_id, text`) of Chinese poverty-alleviation documents:
provincial and county opinions, plans and rules, national notices, government work reports, news and yearbook
entries. Code each unit on its own, from its text, using only the definitions and rules below. Do not look at any
software output, and do not discuss the units with anyone else.

For every unit write one row:

```
unit_key,instrument,target_area,note
```

- `instrument`: one code id of the dimension *policy instrument* below, or `none`;
- `target_area`: one code id of the dimension *target area* below, or `none`;
- `note`: a few words on why (optional, but useful where you hesitated; put it in double quotes if it has a comma).

Write exactly one row per unit, every `unit_key` of your file, in any order, UTF-8, with the header line.
"""


def render(book: dict) -> str:
    lines = [HEAD, "## Decision rules (apply them in this order)", ""]
    for number, rule in enumerate(book.get("decision_rules", []), 1):
        lines.append(f"{number}. **{rule['id']}**: {' '.join(str(rule['rule']).split())}")
    lines.append("")
    for dim, spec in book["dimensions"].items():
        lines += [f"## Dimension `{dim}`: {spec.get('label_zh', '')} ({spec.get('label_en', '')})", ""]
        if spec.get("types"):
            lines += ["Instrument types (Rothwell & Zegveld): every instrument code belongs to one type.", ""]
            for type_id, info in spec["types"].items():
                lines.append(f"- **{type_id}** {info['label_zh']} ({info['label_en']}): {info['definition']}")
            lines.append("")
        lines += ["| code id | 中文 | English | definition |", "|---|---|---|---|"]
        for code in spec["codes"]:
            definition = " ".join(str(code["definition"]).split())
            lines.append(f"| `{code['id']}` | {code['label_zh']} | {code['label_en']} | {definition} |")
        tail = "or when the measure spans the whole campaign, no single field (rule 7)." if dim != "instrument" else ""
        lines += ["", f"Use `none` when the unit states no measure (rule 1) {tail}".strip(), ""]
    return "\n".join(lines)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data" / "instrument_coding" / "GUIDE.md"
    out.write_text(render(load_codebook()), encoding="utf-8")
    print("wrote", out)


if __name__ == "__main__":
    main()
