"""Tests of the ``fupin`` command line, run as ``python -m fupin_research`` in subprocesses."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from fupin_research.paths import seed_corpus_dir

FIXTURES = Path(__file__).parent / "fixtures" / "encodings"
SEED = "002_fbd7bac49d8a79cb"
TABLES = ["documents", "sentences", "tokens", "warnings", "offset_map", "skipped"]


def fupin(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fupin_research", *args],
        capture_output=True, text=True, encoding="utf-8", cwd=cwd, timeout=120,
    )


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """Two builds of a folder holding one good file (a seed copy) and one binary file."""
    root = tmp_path_factory.mktemp("cli")
    corpus = root / "my corpus"
    corpus.mkdir()
    shutil.copy(seed_corpus_dir() / f"{SEED}.txt", corpus / f"{SEED}.txt")
    shutil.copy(FIXTURES / "image.png", corpus / "scan.png")
    first = fupin("build", str(corpus), "--out", str(root / "out1"), cwd=root)
    second_out = root / "out2"
    second_out.mkdir()
    (second_out / "my_notes.md").write_text("# keep me\n", encoding="utf-8")
    (second_out / "tokens.csv").write_text("stale\n", encoding="utf-8")
    second = fupin("build", str(corpus), "--out", str(second_out), cwd=root)
    return root, first, second


def test_exit_code_and_stderr(builds):
    _root, first, second = builds
    assert first.returncode == 1 and second.returncode == 1
    assert "scan.png" in first.stderr
    assert "PNG" in first.stderr
    assert "Traceback" not in first.stderr
    assert "Building prefix dict" not in first.stderr and "Loading model" not in first.stderr
    assert first.stdout == ""


def test_tables_of_the_good_file(builds):
    root, _first, _second = builds
    out = root / "out1"
    for name in TABLES:
        assert (out / f"{name}.csv").is_file() and (out / f"{name}.parquet").is_file(), name
    documents = pd.read_csv(out / "documents.csv", keep_default_na=False)
    assert documents.doc_id.tolist() == [SEED]
    assert len(pd.read_parquet(out / "documents.parquet")) == 1
    tokens = pd.read_parquet(out / "tokens.parquet")
    sentences = pd.read_parquet(out / "sentences.parquet")
    assert len(tokens) > 500 and len(sentences) > 50
    assert set(tokens.doc_id) == {SEED} == set(sentences.doc_id)
    text = documents.text[0]
    for row in sentences.head(30).itertuples():
        assert text[row.start : row.end] == row.text  # offsets survive the round trip through the files
    warnings = pd.read_csv(out / "warnings.csv", keep_default_na=False)
    assert "line_break_in_quote" in set(warnings.kind)
    skipped = pd.read_csv(out / "skipped.csv")
    assert skipped.file.tolist() == ["scan.png"]


def test_two_builds_are_byte_identical(builds):
    root, _first, _second = builds
    csvs = sorted(path.name for path in (root / "out1").glob("*.csv"))
    assert len(csvs) >= len(TABLES)
    for name in csvs:
        assert (root / "out1" / name).read_bytes() == (root / "out2" / name).read_bytes(), name


def test_outputs_hold_no_absolute_path(builds):
    root, _first, _second = builds
    needles = [str(root).encode(), str(root.resolve()).encode()]
    for path in sorted(p for p in (root / "out1").rglob("*") if p.is_file()):
        data = path.read_bytes()
        for needle in needles:
            assert needle not in data, (path.name, needle)


def test_build_into_an_existing_folder_keeps_unrelated_files(builds):
    root, _first, _second = builds
    out = root / "out2"
    assert (out / "my_notes.md").read_text(encoding="utf-8") == "# keep me\n"
    assert (out / "tokens.csv").read_bytes() == (root / "out1" / "tokens.csv").read_bytes()  # replaced
    assert not [path.name for path in root.iterdir() if path.name.startswith(".out")]  # no staging left


def test_help_lists_the_commands(tmp_path):
    result = fupin("--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "build" in result.stdout and "report" in result.stdout
    result = fupin("build", "--help", cwd=tmp_path)
    assert result.returncode == 0 and "--out" in result.stdout


def test_missing_folder(tmp_path):
    result = fupin("build", str(tmp_path / "no_such_corpus"), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "no_such_corpus" in lines[0] and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_quantities_command_prints_csv_with_doc_id(tmp_path):
    good = seed_corpus_dir() / "002_fbd7bac49d8a79cb.txt"
    missing = tmp_path / "missing.txt"
    result = subprocess.run(
        [sys.executable, "-m", "fupin_research", "quantities", str(good), str(missing)],
        capture_output=True, text=True, encoding="utf-8",
    )
    assert result.returncode == 1
    assert "missing.txt" in result.stderr and "Traceback" not in result.stderr
    table = pd.read_csv(io.StringIO(result.stdout), dtype={"value": str})
    assert set(table.doc_id) == {"002_fbd7bac49d8a79cb"}
    assert {"start", "end", "raw_start", "raw_end", "surface", "value", "unit", "indicator"} <= set(table.columns)
    raw = good.read_text(encoding="utf-8")
    assert all(raw[s:e] == surface for s, e, surface in zip(table.raw_start, table.raw_end, table.surface))
    assert table.loc[table.surface == "17.1亿元", "value"].tolist() == ["1710000000"]
