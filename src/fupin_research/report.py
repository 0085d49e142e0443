"""``fupin report``: execute every notebook in a fresh kernel and publish them as a static book (a Sphinx site)."""

from __future__ import annotations

import os
import shutil
import tempfile
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


def build_report(out_dir: str | os.PathLike[str], *, notebooks: Path | None = None, save: bool = False,
                 echo=print, jobs: int = 2) -> list[NotebookResult]:
    """Execute every ``notebooks/*.ipynb`` (sorted) and publish them as a book in ``out_dir`` (``index.html``).

    Notebooks run ``jobs`` at a time, each in its own kernel. The executed notebooks are what the site shows
    (Sphinx with myst-nb and sphinx-book-theme, see :mod:`fupin_research.site`); with ``save=True`` they are
    also written back, so one execution serves both the site and the committed outputs. A notebook that fails
    is still published up to the failing cell, and the landing page names it.
    """
    from concurrent.futures import ThreadPoolExecutor

    from fupin_research.site import build_site, write_site_source

    folder = notebooks or notebooks_dir()
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"{out}: cannot write the report there ({error.strerror})") from None
    paths = sorted(folder.glob("*.ipynb"))
    for path in paths:
        echo(f"running {path.name} ...")
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        executed = list(pool.map(lambda path: execute_notebook(path, save=save), paths))
    results = []
    for path, (_, error) in zip(paths, executed):
        results.append(NotebookResult(path.name, path.with_suffix(".html").name, error))
        if error:
            echo(f"FAILED: {error}")
    echo("building the site ...")
    source = Path(tempfile.mkdtemp(prefix="fupin-site-"))
    write_site_source(
        source, [(path.stem, notebook) for path, (notebook, _) in zip(paths, executed)],
        root=project_root() or folder.parent, notebooks_folder=folder,
        failures={r.name.removesuffix(".ipynb"): r.error for r in results if r.error},
    )
    try:
        build_site(source, out)
    except RuntimeError as error:
        raise InputError(f"{out}: {error}") from None
    finally:
        shutil.rmtree(source, ignore_errors=True)
    return results
