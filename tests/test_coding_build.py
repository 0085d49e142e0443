"""fupin build writes the evidence table ``codes`` and the decisions table ``primary_codes`` (issue 12)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

from fupin_research.coding import PRIMARY_COLUMNS
from fupin_research.paths import seed_corpus_dir


def test_fupin_build_writes_codes_and_primary_codes(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in seed_corpus_dir().iterdir():
        shutil.copy(path, corpus / path.name)
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "fupin_research", "build", str(corpus), "--out", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    units = pd.read_parquet(out / "units.parquet")
    codes = pd.read_parquet(out / "codes.parquet")
    primary = pd.read_parquet(out / "primary_codes.parquet")
    assert list(primary.columns) == PRIMARY_COLUMNS
    assert len(codes) > 1000
    # one row per unit and dimension, every unit, none where nothing is stated
    assert len(primary) == 3 * len(units)
    assert set(primary.dimension) == {"instrument", "instrument_type", "target_area"}
    assert (primary.code == "none").any() and (primary.code != "none").any()
    assert primary.confidence.dtype == "float64" and primary.confidence.between(0, 1).all()
    assert Path(out / "primary_codes.csv").exists()
