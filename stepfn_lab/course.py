"""The course's notebooks outside the repository: copy them out, trust them, open JupyterLab.

Spec: none (packaging). Used by ``stepfn-lab lab [FOLDER]`` (cli/course.py), the
pip-only path to the course on any OS: a plain ``pip install "stepfn-lab[lab]"``
with no bash, no apt and no Graphviz ``dot`` (views/wasm.py then draws the
diagrams in the browser).

Where the notebooks come from: a wheel carries them in ``stepfn_lab/course_files/``
(``notebooks/`` and ``jupyter-config/``, copied there by setup.py at build
time); an editable install or a checkout reads them from the repository.

Copying never overwrites: a notebook the learner already has stays as it is,
so ``stepfn-lab lab`` can be run again at any time without losing work.

Trust: JupyterLab shows the stored SVG diagrams, animations and widget
fallbacks of a notebook only when it is trusted (a signature in the user's
Jupyter data folder, as ``jupyter trust`` writes). The course's notebooks are
ours, so their unchanged copies are signed before JupyterLab opens them.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Sequence

from .errors import StepFnLabError

DEFAULT_FOLDER = "stepfn-lab-course"
FIRST_NOTEBOOK = "00-welcome.ipynb"
_PACKAGED = Path(__file__).resolve().parent / "course_files"
_CHECKOUT = Path(__file__).resolve().parent.parent
_SKIP = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc")


class CourseError(StepFnLabError, RuntimeError):
    """The course's files or JupyterLab cannot be found."""


def _find(name: str) -> Path:
    for base in (_PACKAGED, _CHECKOUT):
        if (base / name).is_dir():
            return base / name
    raise CourseError(f"this installation of stepfn_lab has no '{name}' folder (looked in {_PACKAGED} and "
                      f"{_CHECKOUT}). Install it from the repository with `pip install \".[lab]\"` "
                      f"(not from a bare copy of the stepfn_lab folder).")


def notebooks() -> Path:
    """The folder of the course's notebooks that came with this installation."""
    return _find("notebooks")


def jupyter_config() -> Path:
    """The course's JupyterLab settings (no news pop-up, no update check): a JUPYTER_CONFIG_PATH entry."""
    return _find("jupyter-config")


def copy_out(folder: str | os.PathLike[str]) -> list[Path]:
    """Copy the course into ``folder`` (made if missing); files already there are kept. Returns the new files."""
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise CourseError(f"{target} is a file, not a folder: give `stepfn-lab lab` a folder for the course.")
    source = notebooks()
    copied: list[Path] = []

    def copy(src: str, dst: str) -> str:
        if not os.path.exists(dst):
            shutil.copy2(src, dst)
            copied.append(Path(dst))
        return dst

    shutil.copytree(source, target, ignore=_SKIP, copy_function=copy, dirs_exist_ok=True)
    return sorted(copied)


def course_notebooks(folder: str | os.PathLike[str]) -> list[Path]:
    """The notebooks in ``folder`` that are unchanged copies of the course's own."""
    source, target = notebooks(), Path(folder)
    same = []
    for original in sorted(source.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in original.parts:
            continue
        copy = target / original.relative_to(source)
        if copy.is_file() and filecmp.cmp(original, copy, shallow=False):
            same.append(copy)
    return same


def trust(paths: Sequence[Path]) -> int:
    """Sign ``paths`` in the user's Jupyter trust database (what ``jupyter trust`` does); returns how many."""
    if not paths:
        return 0
    try:
        from nbformat.sign import NotebookNotary
    except ImportError:
        raise CourseError(_LAB_MISSING) from None
    import nbformat

    notary = NotebookNotary()
    for path in paths:
        notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        if not notary.check_signature(notebook):
            notary.sign(notebook)
    return len(paths)


_LAB_MISSING = ('JupyterLab is not installed in this Python. Install the course\'s packages: '
                'pip install "stepfn-lab[lab]" (or, from the repository folder, pip install ".[lab]").')


def lab_command(folder: Path, jupyter_args: Sequence[str] = ()) -> list[str]:
    """The JupyterLab command line that opens the course in ``folder`` on the welcome notebook."""
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # JupyterLab refuses to run as root unless told to
    command.extend(jupyter_args)
    if (folder / FIRST_NOTEBOOK).is_file():
        command.append(FIRST_NOTEBOOK)
    return command


def lab_environment() -> dict[str, str]:
    """This process's environment plus the course's JupyterLab settings first in JUPYTER_CONFIG_PATH."""
    env = dict(os.environ)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        filter(None, [str(jupyter_config()), env.get("JUPYTER_CONFIG_PATH", "")]))
    return env


def prepare(folder: str | os.PathLike[str]) -> tuple[Path, list[Path], int]:
    """Copy out and trust: (the folder, the files copied now, how many notebooks were signed)."""
    target = Path(folder).expanduser().resolve()
    copied = copy_out(target)
    return target, copied, trust(course_notebooks(target))


def open_lab(folder: Path, jupyter_args: Sequence[str] = ()) -> int:
    """Run JupyterLab on ``folder`` until it stops (Ctrl+C); returns its exit code."""
    import importlib.util

    if importlib.util.find_spec("jupyterlab") is None:
        raise CourseError(_LAB_MISSING)
    process = subprocess.Popen(lab_command(folder, jupyter_args), env=lab_environment(), cwd=folder)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:  # JupyterLab got it too and asks, or stops: wait for it
            continue
