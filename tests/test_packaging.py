"""environment.yml (conda) and pyproject.toml (pip) must list the same dependencies.

environment.yml is a conda environment file: ``python``, ``pip`` and a ``pip:`` list holding every dependency of
``[project].dependencies`` plus the ``test`` extra, and ``-e .`` (the package itself, editable).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$")


def canonical(name: str) -> str:
    """PEP 503 normalized project name (``PyYAML`` → ``pyyaml``, ``charset_normalizer`` → ``charset-normalizer``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement(spec: str) -> tuple[str, str]:
    """``"pandas >=2.0"`` → ``("pandas", ">=2.0")`` (markers after ``;`` dropped)."""
    match = _NAME.match(spec.split(";")[0])
    assert match, f"not a requirement: {spec!r}"
    return canonical(match.group(1)), match.group(3).replace(" ", "")


def pyproject_requirements(path: Path) -> dict[str, str]:
    project = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    specs = [*project["dependencies"], *project.get("optional-dependencies", {}).get("test", [])]
    return dict(requirement(spec) for spec in specs)


def environment_parts(path: Path) -> tuple[list[str], list[str]]:
    """The conda dependencies (strings) and the pip list of an environment file."""
    env = yaml.safe_load(path.read_text(encoding="utf-8"))
    conda, pip = [], []
    for item in env["dependencies"]:
        if isinstance(item, dict):
            pip.extend(str(entry) for entry in item.get("pip", []))
        else:
            conda.append(str(item))
    return conda, pip


def pip_requirements(pip: list[str]) -> dict[str, str]:
    return dict(requirement(entry) for entry in pip if not entry.startswith("-"))


def check(environment: Path, pyproject: Path) -> None:
    conda, pip = environment_parts(environment)
    conda_names = {canonical(re.split(r"[=<>!~ ]", entry, maxsplit=1)[0]) for entry in conda}
    assert {"python", "pip"} <= conda_names, conda
    assert any(re.fullmatch(r"-e\s+\.(\[[\w,-]+\])?", entry.strip()) for entry in pip), "no `-e .` in the pip list"
    wanted, listed = pyproject_requirements(pyproject), pip_requirements(pip)
    assert sorted(set(wanted) - set(listed)) == [], "in pyproject.toml but not in environment.yml"
    assert sorted(set(listed) - set(wanted)) == [], "in environment.yml but not in pyproject.toml"
    for name, spec in wanted.items():
        if spec.startswith("=="):  # exact pins must be the same pins
            assert listed[name] == spec, f"{name}: {listed[name]!r} in environment.yml, {spec!r} in pyproject.toml"
    python = next(entry for entry in conda if canonical(re.split(r"[=<>!~ ]", entry, maxsplit=1)[0]) == "python")
    version = re.search(r"3\.(\d+)", python)
    assert version is None or int(version.group(1)) >= 10, f"{python}: the package needs Python >= 3.10"


def test_environment_yml_agrees_with_pyproject():
    environment = ROOT / "environment.yml"
    assert environment.is_file(), "environment.yml is missing (conda users need it)"
    check(environment, ROOT / "pyproject.toml")


PYPROJECT = """
[project]
name = "demo"
dependencies = ["pandas>=2.0", "jieba==0.42.1", "PyYAML>=6.0", "charset_normalizer>=3.3"]
[project.optional-dependencies]
test = ["pytest>=7.4"]
"""
GOOD_ENV = """
name: demo
channels: [conda-forge]
dependencies:
  - python=3.11
  - pip
  - pip:
      - pandas>=2.0
      - jieba==0.42.1
      - pyyaml>=6.0
      - charset-normalizer>=3.3
      - pytest>=7.4
      - -e .
"""


def test_the_check_itself(tmp_path):
    """The comparison accepts a matching file and rejects each kind of drift."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(PYPROJECT, encoding="utf-8")
    environment = tmp_path / "environment.yml"
    environment.write_text(GOOD_ENV, encoding="utf-8")
    check(environment, pyproject)
    drifts = [
        GOOD_ENV.replace("      - pytest>=7.4\n", ""),  # test extra missing
        GOOD_ENV.replace("      - -e .\n", ""),  # the package itself missing
        GOOD_ENV.replace("jieba==0.42.1", "jieba==0.42"),  # a different pin
        GOOD_ENV.replace("  - pip\n", "", 1),  # no pip in conda dependencies
        GOOD_ENV + "      - networkx>=3.0\n",  # not in pyproject
        GOOD_ENV.replace("python=3.11", "python=3.8"),
    ]
    for text in drifts:
        environment.write_text(text, encoding="utf-8")
        with pytest.raises(AssertionError):
            check(environment, pyproject)
