"""The course outside the repository (stepfn_lab/course.py and `stepfn-lab lab`).

Unit tests: copying out never overwrites, the copies are trusted, the
JupyterLab command line and settings.

The pip-only test (slow, browser): builds the wheel, installs it with the
`lab` extra into a fresh virtual environment, hides Graphviz's `dot` (PATH is
the venv's bin/ only), checks `stepfn-lab lab --help` and the copy-out, draws
the seed machine with the WebAssembly Graphviz that came with the install, in
a headless Chromium with every outside request refused; then starts
`stepfn-lab lab` itself and opens the welcome notebook: its stored diagrams
show before any cell runs, and after Run All the seed machine is drawn by the
browser. Wheels are kept in a wheelhouse under the user's cache folder, so only
the first run downloads. Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner

from conftest import ROOT, _free_port, _wait_for_status, block_outside_requests, screenshot_path
from stepfn_lab import cli, course

NOTEBOOKS = ROOT / "notebooks"


# --------------------------------------------------------------------------- unit

def test_the_course_comes_from_the_checkout_here() -> None:
    assert (course.notebooks() / course.FIRST_NOTEBOOK).is_file()
    assert (course.notebooks() / "pt-BR" / course.FIRST_NOTEBOOK).is_file()
    assert (course.jupyter_config() / "labconfig" / "page_config.json").is_file()


def test_copy_out_copies_everything_once_and_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "course"
    copied = course.copy_out(target)
    expected = sorted(p.relative_to(NOTEBOOKS) for p in NOTEBOOKS.rglob("*")
                      if p.is_file() and ".ipynb_checkpoints" not in p.parts)
    assert sorted(p.relative_to(target) for p in copied) == expected
    mine = target / course.FIRST_NOTEBOOK
    mine.write_text("my answers", encoding="utf-8")
    (target / "pt-BR" / "README.md").unlink()
    again = course.copy_out(target)
    assert again == [target / "pt-BR" / "README.md"]  # only what was missing
    assert mine.read_text(encoding="utf-8") == "my answers"


def test_copy_out_into_a_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    with pytest.raises(course.CourseError, match="is a file, not a folder"):
        course.copy_out(tmp_path / "taken")


@pytest.fixture
def jupyter_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private Jupyter data folder, so the trust database is the test's own."""
    data = tmp_path / "jupyter-data"
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(data))
    return data


def _is_trusted(path: Path) -> bool:
    import nbformat
    from nbformat.sign import NotebookNotary

    return NotebookNotary().check_signature(nbformat.read(path, as_version=nbformat.NO_CONVERT))


def test_prepare_trusts_the_course_copies_but_not_a_changed_notebook(tmp_path: Path, jupyter_data: Path) -> None:
    target = tmp_path / "course"
    course.copy_out(target)
    changed = target / "01-what-is-a-state-machine.ipynb"
    notebook = json.loads(changed.read_text(encoding="utf-8"))
    notebook["cells"][0]["source"] = "changed by someone else"
    changed.write_text(json.dumps(notebook), encoding="utf-8")
    where, copied, signed = course.prepare(target)
    assert where == target.resolve() and copied == []
    total = len(list(NOTEBOOKS.rglob("*.ipynb")))
    assert signed == total - 1
    assert _is_trusted(target / course.FIRST_NOTEBOOK) and _is_trusted(target / "pt-BR" / "08-task-states.ipynb")
    assert not _is_trusted(changed)


def test_lab_command_opens_the_welcome_notebook_with_the_course_settings(tmp_path: Path) -> None:
    course.copy_out(tmp_path)
    command = course.lab_command(tmp_path, ["--port", "9999"])
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={tmp_path}" in command and command[-1] == course.FIRST_NOTEBOOK
    assert command.index("--port") < command.index(course.FIRST_NOTEBOOK)
    path = course.lab_environment()["JUPYTER_CONFIG_PATH"].split(os.pathsep)
    assert path[0] == str(course.jupyter_config())


def test_cli_lab_help_and_copy_only(tmp_path: Path, jupyter_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    shown = runner.invoke(cli.cli, ["lab", "--help"])
    assert shown.exit_code == 0 and "[FOLDER]" in shown.output and "stepfn-lab-course" in shown.output
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli.cli, ["lab", "--copy-only"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "stepfn-lab-course" / course.FIRST_NOTEBOOK).is_file()
    assert "notebooks trusted" in result.output
    named = runner.invoke(cli.cli, ["lab", "mine", "--copy-only"])
    assert named.exit_code == 0 and (tmp_path / "mine" / "pt-BR" / course.FIRST_NOTEBOOK).is_file()


def test_cli_lab_without_jupyterlab_names_the_install(tmp_path: Path, jupyter_data: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "jupyterlab" else real(name, *a))
    result = CliRunner().invoke(cli.cli, ["lab", str(tmp_path / "c")])
    assert result.exit_code == 2
    assert 'pip install "stepfn-lab[lab]"' in result.output and "Traceback" not in result.output


# --------------------------------------------------------------------------- pip only, no dot

def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stepfn-lab-tests"


def _build_wheel(out: Path) -> Path:
    """The wheel of this checkout, built from a copy (the checkout gets no build/ folder)."""
    source = out / "src"
    for name in ("stepfn_lab", "notebooks", "jupyter-config"):
        shutil.copytree(ROOT / name, source / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints"))
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out / "dist"),
                             str(source)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    (wheel,) = (out / "dist").glob("stepfn_lab-*.whl")
    return wheel


def _install(venv: Path, wheel: Path) -> None:
    """pip install WHEEL[lab] into a fresh venv; dependencies come from a kept wheelhouse (filled once)."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = _venv_python(venv)
    # Not this process's PYTHONPATH (conftest puts the checkout on it): pip would take the checkout's
    # stepfn_lab for an installed one and skip the wheel.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    requirement = f"{wheel}[lab]"
    key = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:12]
    wheelhouse = _cache_dir() / f"wheelhouse-{sys.version_info.major}.{sys.version_info.minor}-{key}"
    offline = [str(python), "-m", "pip", "install", "--quiet", "--no-index", "--find-links", str(wheelhouse),
               requirement]
    if wheelhouse.is_dir() and subprocess.run(offline, capture_output=True, env=env, timeout=900).returncode == 0:
        return
    download = subprocess.run([str(python), "-m", "pip", "download", "--quiet", "-d", str(wheelhouse), requirement],
                              capture_output=True, text=True, env=env, timeout=1800)
    assert download.returncode == 0, download.stderr[-3000:]
    installed = subprocess.run(offline, capture_output=True, text=True, env=env, timeout=900)
    assert installed.returncode == 0, installed.stderr[-3000:]


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


class PipOnly:
    """A fresh venv with the wheel installed, and the environment of a machine without `dot`."""

    def __init__(self, base: Path):
        self.base = base
        self.venv = base / "venv"
        self.python = _venv_python(self.venv)
        self.bin = self.python.parent
        self.env = {key: value for key, value in os.environ.items()
                    if key not in ("PYTHONPATH", "STEPFN_LAB_DIAGRAMS", "VIRTUAL_ENV")}
        self.env.update(PATH=str(self.bin), HOME=str(base / "home"), JUPYTER_DATA_DIR=str(base / "data"),
                        JUPYTER_CONFIG_DIR=str(base / "config"), JUPYTER_RUNTIME_DIR=str(base / "runtime"),
                        IPYTHONDIR=str(base / "ipython"), JUPYTER_PLATFORM_DIRS="1")
        self.work = base / "elsewhere"  # not the repository: the package must carry the course
        self.work.mkdir(parents=True, exist_ok=True)
        # Render every cell (no lazy "windowing"), so the test sees outputs far down the notebook.
        tracker = base / "config" / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
        tracker.mkdir(parents=True, exist_ok=True)
        (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}', encoding="utf-8")

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), cwd=self.work, env=self.env, capture_output=True, text=True,
                              timeout=timeout)


@pytest.fixture(scope="module")
def pip_only() -> Iterator[PipOnly]:
    # Its own temporary folder, not pytest's: this takes minutes, and other pytest sessions of the
    # same user prune old basetemp folders meanwhile.
    base = Path(tempfile.mkdtemp(prefix="stepfn-lab-pip-only-"))
    try:
        _install(base / "venv", _build_wheel(base))
        yield PipOnly(base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def static_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "site"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


# What the installed package does on a machine without `dot`, run in the fresh venv.
DRAW_SEED = """
import json, shutil, sys
import stepfn_lab as sfl
from pathlib import Path
from stepfn_lab.views import diagram, render, wasm
import graphviz_anywidget
assert shutil.which("dot") is None, shutil.which("dot")
assert "site-packages" in sfl.__file__, sfl.__file__
seed = sfl.examples.load("seed")
bundle = seed._repr_mimebundle_()
print(json.dumps({
    "mimes": sorted(bundle),
    "dot": render.to_dot(diagram.extract(seed.raw)),
    "esm": str(Path(graphviz_anywidget.__file__).parent / "static" / "widget.js"),
    "nodes": len(diagram.extract(seed.raw).nodes),
    "package": sfl.__file__,
}))
"""

# The widget's own JavaScript, given a minimal stand-in for the widget model.
PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>seed</title></head><body>
<div id="picture" style="width:900px"></div>
<script type="module">
import widget from "./widget.js";
const values = {dot_source: %s, selected_direction: "single", search_type: "included",
                case_sensitive: false, enable_zoom: false, freeze_scroll: false};
const model = {get: (k) => values[k], set: () => {}, save_changes: () => {}, on: () => {}, off: () => {},
               send: () => {}};
await widget.render({model, el: document.getElementById("picture")});
document.title = "drawn";
</script></body></html>
"""


@pytest.mark.browser
@pytest.mark.slow
def test_pip_only_without_dot_copies_the_course_and_draws_the_seed_machine(
        pip_only: PipOnly, static_server: tuple[str, Path], browser_page: Any) -> None:
    assert shutil.which("dot", path=pip_only.env["PATH"]) is None
    stepfn_lab = str(pip_only.bin / "stepfn-lab")
    shown = pip_only.run(stepfn_lab, "lab", "--help")
    assert shown.returncode == 0 and "[FOLDER]" in shown.stdout, shown.stderr
    copied = pip_only.run(stepfn_lab, "lab", "course", "--copy-only")
    assert copied.returncode == 0, copied.stderr
    assert (pip_only.work / "course" / "00-welcome.ipynb").is_file()
    assert (pip_only.work / "course" / "pt-BR" / "15-use-cases-and-capstone.ipynb").is_file()
    assert re.search(r"\d+ notebooks trusted", copied.stderr) and " 0 notebooks" not in copied.stderr

    drawn = pip_only.run(str(pip_only.python), "-c", DRAW_SEED)
    assert drawn.returncode == 0, drawn.stderr
    facts = json.loads(drawn.stdout.strip().splitlines()[-1])
    site = Path(facts["package"]).parent
    assert (site / "course_files" / "notebooks" / "pt-BR" / "00-welcome.ipynb").is_file()  # the wheel carries it
    assert facts["mimes"] == ["application/vnd.jupyter.widget-view+json", "text/plain"]
    assert facts["package"].startswith(str(pip_only.venv))

    url, root = static_server
    shutil.copy(facts["esm"], root / "widget.js")
    (root / "seed.html").write_text(PAGE % json.dumps(facts["dot"]), encoding="utf-8")
    page = browser_page
    refused = block_outside_requests(page.context, url)
    page.goto(f"{url}/seed.html")
    page.wait_for_function("document.title === 'drawn'", timeout=60_000)
    nodes = page.locator("#picture svg .node")
    assert nodes.count() == facts["nodes"] == 8  # Start, the six states, End
    assert "FirstState" in (page.locator("#picture svg").text_content() or "")
    page.locator("#picture").screenshot(path=str(screenshot_path("pip-only-seed-drawn-by-wasm")))
    assert refused == [], refused


@pytest.mark.browser
@pytest.mark.slow
def test_pip_only_stepfn_lab_lab_shows_diagrams_first_and_draws_without_dot(
        pip_only: PipOnly, browser_page: Any) -> None:
    port, token = _free_port(), "pip-only-" + os.urandom(8).hex()
    log_path = pip_only.base / "lab.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(pip_only.bin / "stepfn-lab"), "lab", "first-open", "--no-browser", "--ip=127.0.0.1",
             f"--port={port}", "--port-retries=0", f"--IdentityProvider.token={token}"],
            cwd=pip_only.work, env=pip_only.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_status(url, token, process, log_path)
        page = browser_page
        refused = block_outside_requests(page.context, url)
        page.goto(f"{url}/lab/tree/00-welcome.ipynb?token={token}")
        page.locator(".jp-NotebookPanel").first.wait_for(state="visible", timeout=60_000)
        # before any cell runs: the stored SVG diagrams and animation are shown (the notebook is trusted)
        stored = page.locator(".jp-NotebookPanel .jp-RenderedSVG")
        stored.first.wait_for(state="attached", timeout=60_000)
        assert stored.count() >= 3  # the seed machine, its execution, the animated replay
        stored.first.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_path("pip-only-welcome-first-open")))
        page.locator("#jp-main-statusbar", has_text=re.compile(r"\| Idle")).wait_for(timeout=90_000)
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        drawn = page.locator(".sfl-wasm-diagram svg .node")
        drawn.first.wait_for(state="attached", timeout=180_000)
        page.locator(".sfl-wasm-diagram").first.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        page.screenshot(path=str(screenshot_path("pip-only-welcome-after-run-all")))
        assert drawn.count() >= 9
        assert refused == [], refused
    finally:
        import signal

        for sig in (signal.SIGTERM, signal.SIGKILL):
            if process.poll() is None:
                os.killpg(process.pid, sig)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    continue
