"""``fupin report``: execute every notebook in a fresh kernel and write an HTML report with an index page."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path

import nbformat

from fupin_research.errors import InputError
from fupin_research.paths import project_root

KERNEL_TIMEOUT = 600


@dataclass
class NotebookResult:
    """The outcome of running one notebook: ``error`` is None on success, else one line naming the cell."""

    name: str
    html_file: str
    error: str | None = None


def notebooks_dir() -> Path:
    """The ``notebooks/`` folder of the source checkout."""
    root = project_root()
    if root is None:
        raise InputError("notebooks/ not found: fupin report runs the notebooks of a clone of the repository")
    return root / "notebooks"


def execute_notebook(path: Path, *, save: bool = False) -> tuple[nbformat.NotebookNode, str | None]:
    """Run a notebook top to bottom in a fresh kernel, in its own folder; return it and an error line or None.

    With ``save=True`` the executed notebook (outputs included) is written back to ``path``.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=KERNEL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
        # a local kernel on loopback: its start-up warning about unencrypted TCP is noise on the terminal
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    error = None
    try:
        client.execute()
    except CellExecutionError as failure:
        index = next(
            (i for i, cell in enumerate(notebook.cells)
             if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.get("outputs", []))),
            None,
        )
        where = f"cell {index + 1}" if index is not None else "a cell"
        summary = f"{failure.ename}: {failure.evalue}" if getattr(failure, "ename", None) else str(failure)
        error = f"{path.name} failed at {where}: {summary.splitlines()[0] if summary else ''}"
    if save and error is None:
        # Execution metadata holds timestamps; drop it so committed notebooks stay byte-stable.
        for cell in notebook.cells:
            cell.get("metadata", {}).pop("execution", None)
        nbformat.write(notebook, path)
    return notebook, error


# Exercise solutions (cells tagged "solution") start collapsed in the HTML pages: a button shows them.
COLLAPSE_SOLUTIONS = (
    "<style>.celltag_solution:not(.shown) > div:not(.solution-toggle){display:none}"
    ".solution-toggle{margin:.3em 0 .8em 4em}</style>"
    "<script>document.addEventListener('DOMContentLoaded',()=>{"
    "document.querySelectorAll('.celltag_solution').forEach(cell=>{"
    "const b=document.createElement('button');b.className='solution-toggle';b.textContent='Show solution / 显示答案';"
    "const w=document.createElement('div');w.className='solution-toggle';w.appendChild(b);cell.prepend(w);"
    "b.onclick=()=>cell.classList.toggle('shown');});});</script>"
)


def build_report(out_dir: str | os.PathLike[str], *, notebooks: Path | None = None, save: bool = False,
                 echo=print) -> list[NotebookResult]:
    """Execute every ``notebooks/*.ipynb`` (sorted) and write ``out_dir/index.html`` plus one HTML page each."""
    from nbconvert import HTMLExporter

    folder = notebooks or notebooks_dir()
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"{out}: cannot write the report there ({error.strerror})") from None
    exporter = HTMLExporter()
    results = []
    for path in sorted(folder.glob("*.ipynb")):
        echo(f"running {path.name} ...")
        notebook, error = execute_notebook(path, save=save)
        body, _ = exporter.from_notebook_node(notebook)
        body = body.replace("</head>", COLLAPSE_SOLUTIONS + "</head>", 1)
        html_file = path.with_suffix(".html").name
        (out / html_file).write_text(body, encoding="utf-8")
        results.append(NotebookResult(path.name, html_file, error))
        if error:
            echo(f"FAILED: {error}")
    items = "\n".join(
        f'<li><a href="{html.escape(r.html_file)}">{html.escape(r.name)}</a>'
        + (f' — <strong>failed</strong>: {html.escape(r.error)}' if r.error else "")
        + "</li>"
        for r in results
    )
    index = (
        '<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>fupin-research report</title></head>'
        f"<body><h1>fupin-research report</h1><ol>\n{items}\n</ol></body></html>\n"
    )
    (out / "index.html").write_text(index, encoding="utf-8")
    return results
