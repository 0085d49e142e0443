"""Draw the sample of lowest-level units that blind coders hand-code (issue 12).

Run once from the repository root: ``python scripts/instrument_coding_sample.py``. It writes
``data/instrument_coding/units.csv`` (unit_key, doc_id, unit_id, start, end, text) and, for the coders,
``units_coders.csv`` / ``units_coders_B.csv`` with only unit_key, doc_id, text (no package output).

Units are the package's lowest-level units (``structure.split_units``). Where the package keeps several
paragraphs in one unit (government work reports), each paragraph is a unit; a paragraph longer than
``LONG`` characters is cut at sentence ends into pieces of at most about ``PIECE`` characters, so that a
coder reads one step at a time. Offsets (start, end) point into the clean document text.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pandas as pd

from fupin_research.corpus import read_document
from fupin_research.split import split_sentences
from fupin_research.structure import split_units

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "instrument_coding"
SEED = 20261130
LONG, PIECE, SHORTEST = 320, 220, 12
POVERTY = re.compile(r"贫|扶贫|脱贫")
REPORT_FIRST_YEAR = 1984  # the reports before 1984 hardly speak of poverty alleviation
SEED_DOCS = ["000_e7df91b49fbdd694", "001_f5dc4af1321ba2ce", "002_fbd7bac49d8a79cb", "003_c75bae856ee8c1c0",
             "004_b2c48652dc48c734"]
CAP = {"collected": 12, "report": 10, "seed": 14}


def leaf_units(text: str, doc_id: str) -> pd.DataFrame:
    units = split_units(text, doc_id)
    parents = {uid.rsplit("-", 1)[0] for uid in units.unit_id}
    return units[~units.unit_id.isin(parents)]


def pieces(text: str, unit_id: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """(key, start, end) of the paragraphs (and sentence groups of long paragraphs) of one unit."""
    out = []
    for match in re.finditer(r"[^\n]+", text[start:end]):
        p_start, p_end = start + match.start(), start + match.end()
        if p_end - p_start <= LONG:
            out.append((p_start, p_end))
            continue
        sentences = split_sentences(text[p_start:p_end])
        group_start = group_end = None
        for s_start, s_end in zip(sentences.start, sentences.end):
            if group_start is not None and s_end - group_start > PIECE:
                out.append((p_start + group_start, p_start + group_end))
                group_start = None
            group_start = s_start if group_start is None else group_start
            group_end = s_end
        if group_start is not None:
            out.append((p_start + group_start, p_start + group_end))
    if len(out) == 1:
        return [(unit_id, *out[0])]
    return [(f"{unit_id}#{k}", s, e) for k, (s, e) in enumerate(out, 1)]


def document_rows(path: Path, kind: str) -> list[dict]:
    doc = read_document(path)
    rows = []
    for unit in leaf_units(doc.text, doc.doc_id).itertuples():
        for key, start, end in pieces(doc.text, unit.unit_id, int(unit.start), int(unit.end)):
            text = doc.text[start:end].strip()
            if len(text) < SHORTEST or text.startswith("http"):
                continue
            if kind == "report" and not POVERTY.search(text):
                continue
            lead = len(doc.text[start:end]) - len(doc.text[start:end].lstrip())
            rows.append({"unit_key": key, "doc_id": doc.doc_id, "unit_id": unit.unit_id,
                         "start": start + lead, "end": start + lead + len(text), "text": text, "kind": kind})
    return rows


def main() -> None:
    rng = random.Random(SEED)
    sources = [(p, "collected") for p in sorted((OUT / "documents").glob("*.txt"))]
    reports = ROOT / "data/corpora/government_work_reports"
    sources += [(p, "report") for p in sorted(reports.glob("*_政府工作报告.txt"))
                if int(p.name[:4]) >= REPORT_FIRST_YEAR]
    sources += [(ROOT / "data/corpus" / f"{d}.txt", "seed") for d in SEED_DOCS]
    chosen = []
    for path, kind in sources:
        rows = document_rows(path, kind)
        if len(rows) > CAP[kind]:
            rows = [rows[i] for i in sorted(rng.sample(range(len(rows)), CAP[kind]))]
        chosen.extend(rows)
    units = pd.DataFrame(chosen)
    units.drop(columns="kind").to_csv(OUT / "units.csv", index=False)
    # coders read documents in a shuffled order of units, so that neighbours do not prime each other
    order = list(range(len(units)))
    rng.shuffle(order)
    shuffled = units.iloc[order][["unit_key", "doc_id", "text"]]
    shuffled.to_csv(OUT / "units_coders.csv", index=False)
    subset = shuffled.groupby("doc_id", sort=False, group_keys=False).apply(
        lambda g: g.sample(n=max(1, round(len(g) * 0.3)), random_state=SEED))
    shuffled[shuffled.unit_key.isin(subset.unit_key)].to_csv(OUT / "units_coders_B.csv", index=False)
    print(units.groupby("kind").agg(units=("unit_key", "size"), documents=("doc_id", "nunique")))
    print("total", len(units), "documents", units.doc_id.nunique(), "B subset", len(subset))


if __name__ == "__main__":
    main()
