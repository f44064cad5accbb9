"""Build hook: the course travels inside the wheel, so `stepfn-lab lab` works outside this repository.

Everything else about the package is in pyproject.toml. At build time this copies
notebooks/ (English and pt-BR) and jupyter-config/ (the course's JupyterLab
settings) into stepfn_lab/course_files/ of the wheel; stepfn_lab/course.py finds them
there, or in the repository for an editable install.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
COURSE = ("notebooks", "jupyter-config")


class BuildWithCourse(build_py):
    """``build_py`` plus the course's folders, as package data of ``stepfn_lab``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the repository's folders directly
        for name in COURSE:
            source = ROOT / name
            if source.is_dir():  # absent in a bare copy of the package: course.py says so at run time
                target = Path(self.build_lib) / "stepfn_lab" / "course_files" / name
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(source, target,
                                ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithCourse})
