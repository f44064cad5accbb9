"""Packaging and set-up: pyproject.toml, environment.yml, README's commands, CI.

- environment.yml (the conda path) lists the same packages, with the same
  version ranges, as pyproject.toml (the pip path);
- the wheel carries every module, the bundled JSON examples and ``py.typed``;
- README shows exactly two set-up commands, and ``.ci/run`` runs the second.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent

# PyPI name -> conda-forge name, where they differ.
CONDA_NAMES = {"graphviz": "python-graphviz", "playwright": "playwright-python"}
# conda-only entries: the interpreter, pip itself, and Graphviz's `dot` binary
# (which pip cannot install; scripts/setup.sh gets it from apt).
CONDA_ONLY = {"python", "pip", "graphviz"}


def _pyproject() -> dict[str, Any]:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def _environment() -> dict[str, Any]:
    with open(ROOT / "environment.yml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def _pyproject_requirements() -> dict[str, Requirement]:
    project = _pyproject()["project"]
    lines = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        lines.extend(extra)
    requirements = [Requirement(line) for line in lines]
    by_name = {canonicalize_name(r.name): r for r in requirements}
    assert len(by_name) == len(requirements), "a package is listed twice in pyproject.toml"
    return by_name


def _conda_entries() -> tuple[dict[str, SpecifierSet], list[str]]:
    """The conda packages (name -> version range) and the lines of the pip section."""
    conda: dict[str, SpecifierSet] = {}
    pip_lines: list[str] = []
    for entry in _environment()["dependencies"]:
        if isinstance(entry, dict):
            pip_lines.extend(entry["pip"])
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", entry.strip())
        assert match, f"cannot read the conda entry {entry!r}"
        name, spec = match.groups()
        assert name not in conda, f"{name} is listed twice in environment.yml"
        conda[name] = SpecifierSet(spec.replace(" ", ""))
    return conda, pip_lines


def test_environment_yml_uses_conda_forge_and_names_the_env() -> None:
    env = _environment()
    assert env["name"] == "stepfn-lab"
    assert env["channels"] == ["conda-forge"]


def test_environment_yml_lists_the_same_packages_and_ranges_as_pyproject() -> None:
    wanted = _pyproject_requirements()
    conda, pip_lines = _conda_entries()
    found: dict[str, str] = {}  # canonical PyPI name -> where environment.yml lists it
    problems: list[str] = []

    pypi_for_conda = {conda_name: pypi for pypi, conda_name in CONDA_NAMES.items()}
    for conda_name, spec in conda.items():
        if conda_name in CONDA_ONLY:
            continue
        pypi = canonicalize_name(pypi_for_conda.get(conda_name, conda_name))
        found[pypi] = f"conda: {conda_name} {spec}"
        if pypi not in wanted:
            problems.append(f"environment.yml has {conda_name}, which pyproject.toml does not list")
            continue
        req = wanted[pypi]
        if req.extras or req.marker:
            problems.append(f"{req} has extras or a marker: list it in the pip section instead")
        if req.specifier != spec:
            problems.append(f"{conda_name}: environment.yml says '{spec}', pyproject.toml says '{req.specifier}'")
        if CONDA_NAMES.get(pypi, pypi) != conda_name:
            problems.append(f"{req.name} goes by {CONDA_NAMES[pypi]} on conda-forge, not {conda_name}")

    for line in pip_lines:
        if line.startswith("-"):
            continue  # options, e.g. --editable .
        req = Requirement(line)
        pypi = canonicalize_name(req.name)
        if pypi in found:
            problems.append(f"{req.name} is listed both as a conda package and in the pip section")
        found[pypi] = f"pip: {line}"
        if pypi not in wanted:
            problems.append(f"the pip section has {line}, which pyproject.toml does not list")
        elif str(req) != str(wanted[pypi]):
            problems.append(f"pip section says '{req}', pyproject.toml says '{wanted[pypi]}'")

    problems += [f"environment.yml lacks {req}" for name, req in wanted.items() if name not in found]
    assert problems == []


def test_environment_yml_matches_python_and_installs_the_package() -> None:
    conda, pip_lines = _conda_entries()
    assert conda["python"] == SpecifierSet(_pyproject()["project"]["requires-python"])
    assert "graphviz" in conda, "conda users need Graphviz's dot binary too"
    assert "--editable ." in pip_lines or "-e ." in pip_lines


def test_pyproject_declares_the_package_and_its_entry_point() -> None:
    config = _pyproject()
    assert config["tool"]["setuptools"]["packages"]["find"]["include"] == ["stepfn_lab*"]
    data = config["tool"]["setuptools"]["package-data"]["*"]
    assert {"*.json", "*.asl.json", "py.typed"} <= set(data)
    target = config["project"]["scripts"]["stepfn-lab"]
    assert target == "stepfn_lab.cli:main"
    assert (ROOT / "stepfn_lab" / "cli" / "__init__.py").is_file(), "the console script points at stepfn_lab/cli/"
    assert set(config["project"]["optional-dependencies"]) == {"lab", "test", "aws", "lite"}


def test_pytest_is_strict() -> None:
    options = _pyproject()["tool"]["pytest"]["ini_options"]
    assert {"--strict-markers", "--strict-config", "--doctest-glob=README.md"} <= set(options["addopts"])
    markers = {m.split(":")[0] for m in options["markers"]}
    assert markers == {"dot", "browser", "slow"}


@pytest.mark.slow
def test_the_wheel_carries_modules_data_and_py_typed(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(ROOT / "stepfn_lab", source / "stepfn_lab",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = (tmp_path / "dist").glob("stepfn_lab-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    expected = {
        p.relative_to(source).as_posix()
        for p in (source / "stepfn_lab").rglob("*")
        if p.is_file() and (p.suffix in {".py", ".json"} or p.name == "py.typed")
    }
    assert "stepfn_lab/py.typed" in expected
    assert expected - names == set(), "files missing from the wheel"
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "stepfn-lab = stepfn_lab.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


# --------------------------------------------------------------------------------------
# README's two commands and CI
# --------------------------------------------------------------------------------------
def _setup_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Set up\b.*?$(.*?)(?=^## )", text, flags=re.M | re.S)
    assert match, "README.md needs a '## Set up ...' section"
    return match.group(1)


def _code_blocks(markdown: str) -> list[str]:
    return [block.strip() for block in re.findall(r"^```(?:bash|sh|console)?\n(.*?)^```", markdown, flags=re.M | re.S)]


def _ci_command() -> str:
    match = re.search(r"^COMMAND_B='([^']+)'$", (ROOT / ".ci" / "run").read_text(), flags=re.M)
    assert match, ".ci/run must name README's command (b) as COMMAND_B='...'"
    return match.group(1)


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_second() -> None:
    blocks = _code_blocks(_setup_section())
    assert len(blocks) == 2, f"README's set-up section must show exactly two commands, found {blocks}"
    assert all("\n" not in block for block in blocks), "each set-up command is a single line"
    lab, test = blocks
    assert lab == "bash scripts/lab.sh"
    assert test == _ci_command() == "bash scripts/test.sh"


def test_ci_script_is_strict_and_runs_command_b_without_stdin() -> None:
    ci = ROOT / ".ci" / "run"
    text = ci.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert "export CI=true" in text
    assert 'bash -c "$COMMAND_B" </dev/null' in text
    assert ci.stat().st_mode & 0o111, ".ci/run must be executable"


def test_scripts_never_download_a_browser() -> None:
    for script in (ROOT / "scripts").rglob("*"):
        if script.is_file():
            assert "playwright install" not in script.read_text(), script.name
