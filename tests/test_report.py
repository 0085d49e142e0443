"""fupin report: every notebook runs in a fresh kernel; a failure names the notebook and the cell."""

from __future__ import annotations

import re

import nbformat

from fupin_research.report import build_report


def write_notebook(path, *sources):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)


def test_report_runs_notebooks_and_names_the_failing_cell(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks / "01_ok.ipynb", "x = 6 * 7", "print(x)")
    write_notebook(notebooks / "02_broken.ipynb", "y = 1", "raise ValueError('bad input')")
    lines: list[str] = []
    results = build_report(tmp_path / "out", notebooks=notebooks, echo=lines.append)
    assert [r.name for r in results] == ["01_ok.ipynb", "02_broken.ipynb"]
    assert results[0].error is None
    assert "02_broken.ipynb" in results[1].error and "cell 2" in results[1].error
    assert "ValueError: bad input" in results[1].error
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'href="01_ok.html"' in index and "failed" in index
    assert "42" in (tmp_path / "out" / "01_ok.html").read_text(encoding="utf-8")
    # nothing but the site is written: no build folders beside it (myst-nb's jupyter_execute/)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notebooks", "out"]
    # the notebooks themselves are left as they were (no --save-notebooks)
    assert not nbformat.read(notebooks / "01_ok.ipynb", 4).cells[1].outputs


def test_solution_cells_start_collapsed_in_the_html(tmp_path):
    notebooks = tmp_path / "nb"
    notebooks.mkdir()
    write_notebook(notebooks / "01_ok.ipynb", "x = 6 * 7", "print(x)")
    notebook = nbformat.read(notebooks / "01_ok.ipynb", 4)
    notebook.cells[1].metadata["tags"] = ["hide-input", "solution"]
    nbformat.write(notebook, notebooks / "01_ok.ipynb")
    build_report(tmp_path / "out", notebooks=notebooks, echo=lambda *_: None)
    page = (tmp_path / "out" / "01_ok.html").read_text(encoding="utf-8")
    # myst-nb folds a hide-input cell into a closed <details> element; the output stays visible
    folded = re.split(r'<details class="[^"]*\bhide above-input">', page, maxsplit=1)
    assert len(folded) == 2, "the solution's input is not folded"
    assert "print" in folded[1].split("</details>", 1)[0]
    assert "42" in folded[1]
