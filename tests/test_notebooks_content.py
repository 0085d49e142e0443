"""What the narrative notebooks must hold (issue 11): numbers in prose come from the data, each notebook ends
with computed findings and exercises with executed solutions, glossary terms are used, citations resolve, plots
are bilingual, and the nbval sanitizer hides nothing real.

These tests read the committed notebooks (their saved outputs included); nbval checks that a fresh run
reproduces those outputs.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import nbformat
import pytest

import fupin_research as fr

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
NARRATIVE = [p for p in NOTEBOOKS if not p.name.startswith("00_")]  # 01–08

# Numbers a static markdown cell may state because no data change can make them false.
ALLOWED_NUMBERS = {
    *(f"{n:02d}" for n in range(9)),  # notebook numbers 00–08 ("see notebook 05")
    *(f"{n:03d}" for n in range(5)),  # seed document ids 000–004 (names of the documents, from the manifest)
    "1954", "2025",  # the years that define the government work reports corpus (title of notebook 08)
    "1,000", "10,000",  # rate units: per 1,000 / per 10,000 characters
}
# A number: digits not glued to Latin letters or underscores (s2t, tw2s, 000_e7df… are identifiers, not numbers).
_NUMBER = re.compile(r"(?<![A-Za-z_\d.,])\d+(?:[.,]\d+)*(?![A-Za-z_\d])")
_CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")  # [text](target): the target is an address, not prose
_FENCED = re.compile(r"```.*?```", re.DOTALL)
# Digit formulas are names of slogans, not counts (1+N, 1+8+10): the allow-list's "names such as 1+N".
_DIGIT_FORMULA = re.compile(r"\d+(?:\+(?:\d+|[A-Z]))+")
# An exercise prompt asks a question (find the 2016 1000万 target ...); it claims no finding. From its heading
# to the end of the cell it is left out of the number check; its solution prints the answer.
_EXERCISE_PROMPT = re.compile(r"^#{2,4}\s*Exercise\b.*", re.MULTILINE | re.DOTALL)


def _notebook(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _static_prose(source: str) -> str:
    """Markdown with what is not a claim removed: code blocks (commands), exercise prompts, link targets
    (glossary links included) and citations."""
    text = _EXERCISE_PROMPT.sub(" ", _FENCED.sub(" ", source))
    text = _LINK_TARGET.sub("]", text)
    text = _CITE.sub(" ", text)
    return _DIGIT_FORMULA.sub(" ", text)


def numbers_in_markdown(path: Path) -> list[tuple[int, str]]:
    """Every number written in the static markdown cells of a notebook: (cell index, number)."""
    found = []
    for index, cell in enumerate(_notebook(path).cells):
        if cell.cell_type == "markdown":
            found += [(index, m.group()) for m in _NUMBER.finditer(_static_prose(cell.source))]
    return found


def _output_text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append("".join(output.get("text", "")))
        for key, value in output.get("data", {}).items():
            if key.startswith("text/"):
                parts.append("".join(value))
    return "\n".join(parts)


def notebook_text(path: Path) -> str:
    """Markdown and outputs of a notebook: what a reader sees."""
    cells = _notebook(path).cells
    return "\n".join(c.source if c.cell_type == "markdown" else _output_text(c) for c in cells)


def test_number_scanner_sees_prose_numbers_and_skips_identifiers():
    prose = "13 provinces; 河南 under all 4 themes; t2s, s2tw and 000_e7df91 are names; [01](01_corpus.ipynb)"
    assert [m.group() for m in _NUMBER.finditer(_static_prose(prose))] == ["13", "4", "01"]
    assert not _NUMBER.search(_static_prose("### Exercise 2 (练习 2): find it"))
    assert _static_prose("as {cite}`landis1977` says") == "as   says"
    assert not _NUMBER.search(_static_prose("digit formulas (1+N, 1+8+10)"))
    assert [m.group() for m in _NUMBER.finditer(_static_prose("1 + 2 provinces"))] == ["1", "2"]


def test_overview_notebook_exists():
    assert (NOTEBOOK_DIR / "00_overview.ipynb").is_file()
    text = notebook_text(NOTEBOOK_DIR / "00_overview.ipynb")
    assert "## Glossary" in text
    for path in NARRATIVE:  # the path through the notebooks links every one of them
        assert f"({path.name})" in text, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_markdown_numbers_are_computed_or_allowed(path):
    """A number in static prose is a claim nothing checks: print it from a cell or build the sentence with
    IPython.display.Markdown from the tables instead."""
    stray = [(i, n) for i, n in numbers_in_markdown(path) if n not in ALLOWED_NUMBERS]
    assert not stray, f"{path.name}: numbers in static markdown (cell, number): {stray}"


def _exercises(path: Path) -> list[tuple[str, nbformat.NotebookNode | None]]:
    """Each exercise heading with the first code cell after it (None when another heading comes first)."""
    cells = _notebook(path).cells
    found = []
    for index, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        for heading in re.findall(r"^#{2,4}\s*(Exercise\b.*)$", cell.source, re.MULTILINE):
            solution = next((c for c in cells[index + 1:] if c.cell_type == "code"), None)
            found.append((heading, solution))
    return found


@pytest.mark.parametrize("path", NARRATIVE, ids=lambda p: p.stem)
def test_three_exercises_with_executed_solutions(path):
    exercises = _exercises(path)
    assert len(exercises) >= 3, f"{path.name}: {len(exercises)} exercises"
    for heading, solution in exercises:
        assert solution is not None, f"{path.name}: no solution cell after {heading!r}"
        assert {"hide-input", "solution"} <= set(solution.metadata.get("tags", [])), heading
        assert solution.get("outputs"), f"{path.name}: the solution of {heading!r} was not executed"
        assert not any(o.get("output_type") == "error" for o in solution.outputs), heading


@pytest.mark.parametrize("path", NARRATIVE, ids=lambda p: p.stem)
def test_findings_are_computed(path):
    cells = _notebook(path).cells
    heads = [i for i, c in enumerate(cells) if c.cell_type == "markdown"
             and re.search(r"^##\s*Findings", c.source, re.MULTILINE)]
    assert heads, f"{path.name}: no '## Findings' section"
    following = next((c for c in cells[heads[0] + 1:] if c.cell_type == "code"), None)
    assert following is not None and _output_text(following).strip(), f"{path.name}: findings not computed"


def test_glossary_has_the_required_terms():
    glossary = fr.load_glossary()
    assert len(glossary) >= 40
    required = {"建档立卡", "两不愁三保障", "五个一批", "低保", "兜底", "驻村第一书记", "省定重点村", "易地扶贫搬迁",
                "信访", "舆情", "十三五"}
    assert required <= set(glossary.term)
    assert (glossary[["pinyin", "english", "gloss"]] != "").all().all()


def test_glossary_terms_are_used_and_first_notebook_is_right():
    """Notebook 00 renders the whole glossary, so use is looked for in 01–08 only."""
    texts = {path.stem: notebook_text(path) for path in NARRATIVE}
    problems = []
    for row in fr.load_glossary().itertuples():
        users = [name for name, text in texts.items() if row.term in text]
        if not users:
            problems.append(f"{row.term}: used in no notebook")
        elif row.notebook != users[0]:
            problems.append(f"{row.term}: notebook column says {row.notebook!r}, first used in {users[0]!r}")
    assert not problems, problems


def test_glossary_links_point_at_the_glossary():
    for path in NOTEBOOKS:
        for cell in _notebook(path).cells:
            if cell.cell_type == "markdown":
                for target in re.findall(r"\]\((00_overview\.ipynb#[^)]*)\)", cell.source):
                    assert target == "00_overview.ipynb#Glossary", (path.name, target)


def _bib_keys() -> set[str]:
    return set(re.findall(r"^@\w+\{([^,\s]+),", (NOTEBOOK_DIR / "references.bib").read_text("utf-8"), re.MULTILINE))


def test_references_hold_the_required_entries():
    required = {"sparckjones1972", "dunning1993", "hardie2014", "gries2008", "juilland1964", "cohen1960",
                "landis1977", "rothwell1985", "krippendorff2018", "huang2015"}
    assert required <= _bib_keys()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_citations_resolve(path):
    keys = _bib_keys()
    cited = {key.strip() for cell in _notebook(path).cells if cell.cell_type == "markdown"
             for group in _CITE.findall(cell.source) for key in group.split(",")}
    assert cited <= keys, f"{path.name}: unknown keys {sorted(cited - keys)}"


_MAKES_FIGURE = re.compile(r"plt\.subplots|\.plot_\w+\(|\bheatmap\(|\.barh?\(|plt\.figure\(")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_figure_is_checked_bilingual(path):
    """Each cell that draws a figure calls fr.plotting.assert_bilingual on it, so a Chinese-only title fails
    the notebook run (nbval)."""
    unchecked = [i for i, c in enumerate(_notebook(path).cells)
                 if c.cell_type == "code" and _MAKES_FIGURE.search(c.source) and "assert_bilingual" not in c.source]
    assert not unchecked, f"{path.name}: figure cells without assert_bilingual: {unchecked}"


def test_library_plots_are_bilingual():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from fupin_research import analyses
    from fupin_research.plotting import assert_bilingual

    series = pd.DataFrame({"doc_id": ["a", "b"], "year": [2014, 2016], "kind": ["report"] * 2,
                           "term": ["扶贫"] * 2, "count": [1, 2], "per_10k_chars": [1.0, 2.0]})
    figures = [analyses.plot_term_series(series, style="heatmap"), analyses.plot_term_series(series)]
    presence = pd.DataFrame([[1, 0]], index=["五个一批"], columns=["a", "b"])
    figures.append(analyses.plot_formula_presence(presence, ["五个一批"]))
    docs = pd.DataFrame({"doc_id": ["a"], "period": ["2016"], "text": ["力争到2020年完成"], "date": [""],
                         "date_kind": ["unknown"]})
    times = analyses.corpus_time_expressions(docs)
    figures.append(analyses.plot_timeline(analyses.targets_and_deadlines(times, docs), docs, times))
    for figure in figures:
        assert_bilingual(figure)
        plt.close(figure)


def test_sanitizer_masks_only_what_varies():
    """tests/nbval_sanitize.cfg must not rewrite real content; it may mask memory addresses."""
    config = configparser.ConfigParser()
    config.read(ROOT / "tests" / "nbval_sanitize.cfg", encoding="utf-8")
    patterns = [re.compile(config[section]["regex"]) for section in config.sections()]
    real = ["t2s", "tw2s", "hk2s", "from the 1980s", "<Figure size 800x300 with 1 Axes>", "2016年", "16.01万个",
            "data:text/csv;base64,5Y2V5L2NLOW5s+WPsCxzdXBwbHk=", "1.5 s", "245万人"]
    for pattern in patterns:
        assert not [text for text in real if pattern.search(text)], pattern.pattern
    assert any(p.search("<object at 0x7f3a2b1c9d40>") for p in patterns)  # what does vary is still masked
