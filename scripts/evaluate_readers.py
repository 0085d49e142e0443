"""Print how well the readers recover the body and metadata of the test set in tests/fixtures/formats.

    python scripts/evaluate_readers.py [FOLDER]
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from fupin_research.reader_evaluation import evaluate_readers, reader_summary

FOLDER = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "formats"

if __name__ == "__main__":
    results = evaluate_readers(Path(sys.argv[1]) if len(sys.argv) > 1 else FOLDER)
    with pd.option_context("display.width", 200, "display.max_columns", 30, "display.max_colwidth", 40):
        print(results.drop(columns=["skip_expected"]).to_string(index=False))
        print()
        print(reader_summary(results).to_string(index=False))
