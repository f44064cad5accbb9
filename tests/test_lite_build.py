"""The browser build's rules, checked without a browser (scripts/lite_build.py; the site itself is
driven in Chromium by tests/test_browser_lite.py).

Pyodide (the Python of the JupyterLite site) has no ``sqlite3``, no compiled ``yaml`` and cannot
start programs or threads. So the course's modules must import without ``sqlite3`` and ``yaml``,
and every core dependency of stepfn_lab must either have a pure-Python wheel or be left out on
purpose (imported lazily by the code that needs it).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _lite_build():
    spec = importlib.util.spec_from_file_location("lite_build", ROOT / "scripts" / "lite_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_course_modules_import_without_sqlite3_and_yaml() -> None:
    """What the notebooks import works where sqlite3 and yaml do not exist (as in Pyodide)."""
    code = textwrap.dedent("""
        import sys
        sys.modules["sqlite3"] = None   # an import of them now raises ImportError
        sys.modules["yaml"] = None
        import stepfn_lab as sfl
        import stepfn_lab.widgets, stepfn_lab.services.simulated, stepfn_lab.views.animate
        import stepfn_lab.exercises
        for n in range(16):
            __import__(f"stepfn_lab.exercises.nb{n:02d}")
        seed = sfl.examples.load("seed")
        execution = seed.run({"foo": 2}, lambdas=sfl.examples.handlers("seed"))
        stepfn_lab.services.simulated.Services().create_table("T", partition_key="id")
        print(execution.status)
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "SUCCEEDED"


def test_core_dependencies_have_pure_wheels_or_are_left_out_on_purpose() -> None:
    """A compiled dependency has no wheel for Pyodide here: it must be in LEFT_OUT, with the reason."""
    import importlib.metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    lite = _lite_build()
    core = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    for line in core:
        name = canonicalize_name(Requirement(line).name)
        wheel = importlib.metadata.distribution(name).read_text("WHEEL") or ""
        pure = "Root-Is-Purelib: true" in wheel and "-none-any" in wheel.replace("Tag: ", "-")
        if not pure:
            assert name in lite.LEFT_OUT, (f"{name} is compiled: the browser build cannot have it. Import it "
                                           "lazily and add it to LEFT_OUT in scripts/lite_build.py")
    for name, reason in lite.LEFT_OUT.items():
        assert reason.strip(), f"say why {name} is left out of the browser build"


def test_markers_are_evaluated_as_pyodide_would() -> None:
    from packaging.requirements import Requirement

    lite = _lite_build()
    env = lite.pyodide_environment({"python": "3.14.2"})
    assert env["sys_platform"] == "emscripten" and env["python_version"] == "3.14"
    assert Requirement("tomli; python_version < '3.11'").marker.evaluate({**env, "extra": ""}) is False
    assert Requirement("pexpect; sys_platform != 'win32' and sys_platform != 'emscripten'").marker.evaluate(
        {**env, "extra": ""}) is False


def test_opening_page_keeps_jupyterlites_settings_element() -> None:
    """JupyterLite's apps read ``#jupyter-config-data`` from the root page: without it they do not start."""
    page = _lite_build().OPENING_PAGE.format(version="0", pyodide="0")
    assert '<script id="jupyter-config-data" type="application/json" data-jupyter-lite-root=".">{}</script>' in page
    assert 'href="lab/index.html?path=00-welcome.ipynb"' in page


def test_site_asks_pypi_for_nothing_at_run_time() -> None:
    config = _lite_build().lite_config(["stepfn-lab"])["jupyter-config-data"]["litePluginSettings"]
    kernel = config["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["disablePyPIFallback"] is True
    assert kernel["loadPyodideOptions"]["packages"] == ["stepfn-lab"]
