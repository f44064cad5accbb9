"""Shared test scaffolding for stepfn_lab.

- Markers ``dot`` and ``browser``: tests that need Graphviz's ``dot`` binary or
  a Chromium browser. Where the tool is missing they are skipped with the
  reason; under ``CI=true`` (where ``scripts/test.sh`` installs both) the run
  stops with an error instead, so nothing is silently skipped in CI. The README
  tour draws a diagram, so its doctest counts as a ``dot`` test.
- ``shared_dir`` / ``conformance_dir`` fixtures and the ``conformance_case``
  parameter: the AWS-recorded cases in ``../shared/conformance``. Narrow a run
  with ``STEPFN_LAB_CONFORMANCE=<part of a file name>``.
- ``jupyter_server`` and ``browser_page`` fixtures for the browser tests:
  JupyterLab on a free local port, driven by Playwright in Debian's Chromium
  (never ``playwright install``). Screenshots land in ``test-artifacts/``.
- Helpers the browser tests share: ``block_outside_requests`` (a page that
  may load only from one place), ``open_and_run_all`` (a notebook opened in
  JupyterLab, all its cells run), ``stepper_button`` (a Stepper's button by its
  text) and ``expect`` (Playwright's retrying assertions).
- Hypothesis runs without its per-example deadline and its "too slow"/"data too large" health
  checks: on a busy 2-core machine they fail on time, never on behaviour (speed goals live in
  ``bench/``; ``tests/test_properties.py`` keeps its own CPU-time bound per call).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator, NamedTuple

import pytest
from hypothesis import HealthCheck, settings as hypothesis_settings

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
JUPYTER_CONFIG = ROOT / "jupyter-config"
hypothesis_settings.register_profile(
    "stepfn-lab", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
hypothesis_settings.load_profile("stepfn-lab")

IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# --------------------------------------------------------------------------------------
# Environment for subprocesses (kernels started by nbval, the layering check, JupyterLab)
# --------------------------------------------------------------------------------------
def pytest_configure(config: pytest.Config) -> None:
    """Let every child Python import this checkout's stepfn_lab, installed or not."""
    parts = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(parts))


# --------------------------------------------------------------------------------------
# Tools some tests need: `dot` and `browser` markers
# --------------------------------------------------------------------------------------
def chromium_path() -> str | None:
    """The browser named by STEPFN_LAB_CHROMIUM, else Debian's (or Ubuntu's) Chromium."""
    return (os.environ.get("STEPFN_LAB_CHROMIUM") or shutil.which("chromium")
            or shutil.which("chromium-browser"))


def _module_missing(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is None


def _why_no_dot() -> str | None:
    if _module_missing("graphviz"):
        return "needs the 'graphviz' Python package: pip install -e '.[lab]'"
    if shutil.which("dot") is None:
        return ("needs Graphviz's `dot` binary, which is not on PATH: "
                "apt-get install graphviz (or conda install graphviz)")
    return None


def _why_no_browser() -> str | None:
    if _module_missing("playwright"):
        return "needs the 'playwright' Python package: pip install -e '.[test]'"
    if chromium_path() is None:
        return ("needs Chromium, which is not on PATH: apt-get install chromium "
                "(or set STEPFN_LAB_CHROMIUM to a Chromium/Chrome binary)")
    if _module_missing("jupyterlab"):
        return "needs JupyterLab: pip install -e '.[lab]'"
    return None


def _is_readme_doctest(item: pytest.Item) -> bool:
    return item.path.name == "README.md" and item.path.parent == ROOT


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    checks = {"dot": _why_no_dot(), "browser": _why_no_browser()}
    missing_in_ci: dict[str, list[str]] = {}
    for item in items:
        for marker, reason in checks.items():
            needs = item.get_closest_marker(marker) is not None
            if marker == "dot" and _is_readme_doctest(item):
                needs = True  # the tour draws the seed example
            if not needs or reason is None:
                continue
            if IN_CI:
                missing_in_ci.setdefault(reason, []).append(item.nodeid)
            else:
                item.add_marker(pytest.mark.skip(reason=reason))
    if missing_in_ci:
        lines = [f"{reason} ({len(ids)} tests, e.g. {ids[0]})" for reason, ids in missing_in_ci.items()]
        pytest.exit("CI=true, where nothing may be skipped, but:\n  " + "\n  ".join(lines), returncode=1)


# --------------------------------------------------------------------------------------
# ../shared/conformance: the AWS-recorded cases
# --------------------------------------------------------------------------------------
def _shared_candidate() -> Path:
    return Path(os.environ.get("STEPFN_LAB_SHARED", ROOT.parent / "shared"))


def find_shared_dir() -> Path | None:
    """``$STEPFN_LAB_SHARED``, else ``../shared`` next to the repository, if it exists."""
    candidate = _shared_candidate()
    return candidate if candidate.is_dir() else None


_NO_SHARED = ("the shared material is not next to this checkout: expected {where}. "
              "Clone the project so that ../shared sits beside it, or set STEPFN_LAB_SHARED.")


def _skip_or_fail(message: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true, where nothing may be skipped: {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    found = find_shared_dir()
    if found is None:
        _skip_or_fail(_NO_SHARED.format(where=_shared_candidate()))
    assert found is not None
    return found


@pytest.fixture(scope="session")
def conformance_dir(shared_dir: Path) -> Path:
    folder = shared_dir / "conformance"
    if not (folder / "cases").is_dir():
        _skip_or_fail(f"no conformance cases in {folder / 'cases'}")
    return folder


def _conformance_case_files() -> list[Path]:
    shared = find_shared_dir()
    if shared is None:
        return []
    files = sorted((shared / "conformance" / "cases").glob("*.json"))
    wanted = os.environ.get("STEPFN_LAB_CONFORMANCE")
    return [f for f in files if wanted in f.name] if wanted else files


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test taking ``conformance_case`` runs once per case file (the parsed JSON)."""
    if "conformance_case" not in metafunc.fixturenames:
        return
    files = _conformance_case_files()
    if files:
        metafunc.parametrize("conformance_case", files, ids=[f.stem for f in files], indirect=True)
    else:
        metafunc.parametrize("conformance_case", [None], ids=["no-cases"], indirect=True)


@pytest.fixture
def conformance_case(request: pytest.FixtureRequest) -> dict[str, Any]:
    path: Path | None = request.param
    if path is None:
        where = find_shared_dir()
        _skip_or_fail(_NO_SHARED.format(where=_shared_candidate()) if where is None
                      else f"no case file in {where / 'conformance' / 'cases'} matches "
                           f"STEPFN_LAB_CONFORMANCE={os.environ.get('STEPFN_LAB_CONFORMANCE')!r}")
    assert path is not None
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    case["_file"] = path.name
    return case


# --------------------------------------------------------------------------------------
# JupyterLab and a browser
# --------------------------------------------------------------------------------------
class JupyterServer(NamedTuple):
    url: str  # e.g. http://127.0.0.1:41234
    token: str
    root_dir: Path  # what the file browser shows; put notebooks here


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _api(url: str, token: str, path: str, method: str = "GET") -> Any:
    request = urllib.request.Request(
        f"{url}{path}", method=method, headers={"Authorization": f"token {token}"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        body = response.read()
    return json.loads(body) if body else None


def _wait_for_status(url: str, token: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited with code {process.returncode}; its log:\n"
                        + log.read_text(errors="replace")[-4000:], pytrace=False)
        try:
            _api(url, token, "/api/status")
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    pytest.fail("JupyterLab did not answer /api/status within 90 s; its log:\n"
                + log.read_text(errors="replace")[-4000:], pytrace=False)


def _stop(process: subprocess.Popen[bytes], url: str, token: str) -> None:
    try:
        _api(url, token, "/api/shutdown", method="POST")  # also shuts down the kernels
        process.wait(timeout=20)
        return
    except (urllib.error.URLError, ConnectionError, TimeoutError, subprocess.TimeoutExpired):
        pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        os.killpg(process.pid, sig)  # the server and the kernels it started
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def jupyter_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """JupyterLab serving an empty temporary folder, with the project's settings.

    Copy notebooks into ``root_dir`` rather than serving ``notebooks/`` itself:
    JupyterLab autosaves what it runs, which would rewrite the stored outputs.
    """
    reason = _why_no_browser()
    if reason:
        _skip_or_fail(reason)
    base = tmp_path_factory.mktemp("jupyter")
    root_dir = base / "root"
    root_dir.mkdir()
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / "jupyter-server.log"
    port, token = _free_port(), secrets.token_hex(16)
    # Render every cell (no lazy "windowing"), so tests can find outputs far down a notebook.
    tracker = base / "config" / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}', encoding="utf-8")
    env = {
        **os.environ,
        "JUPYTER_CONFIG_PATH": os.pathsep.join(
            filter(None, [str(JUPYTER_CONFIG), os.environ.get("JUPYTER_CONFIG_PATH", "")])
        ),
        "JUPYTER_CONFIG_DIR": str(base / "config"),  # no user settings, no saved workspaces
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "JUPYTER_DATA_DIR": str(base / "data"),  # kernels still come from this environment
        "IPYTHONDIR": str(base / "ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    command = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}", "--port-retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
    ]
    with open(log, "wb") as log_file:
        process = subprocess.Popen(command, env=env, cwd=root_dir, stdin=subprocess.DEVNULL,
                                   stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_status(url, token, process, log)
        yield JupyterServer(url, token, root_dir)
    finally:
        _stop(process, url, token)


@pytest.fixture(scope="module")
def _chromium() -> Iterator[Any]:
    reason = _why_no_browser()
    if reason:
        _skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield browser
        finally:
            browser.close()


def screenshot_path(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / (re.sub(r"[^\w.-]+", "_", name).strip("_") + ".png")


def block_outside_requests(context: Any, allowed: str, *, also: tuple[str, ...] = ("data:", "blob:")) -> list[str]:
    """Abort every request of a Playwright browser context whose URL starts with neither ``allowed`` nor
    one of ``also``; returns the list the aborted URLs are added to (a test asserts it stays empty)."""
    refused: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith((allowed, *also)):
            request_route.continue_()
        else:
            refused.append(url)
            request_route.abort()

    context.route("**/*", route)
    return refused


def open_and_run_all(page: Any, server: JupyterServer, name: str, *, reset: bool = False) -> None:
    """Open notebook ``name`` from the server's folder and run all its cells once the kernel is idle
    (``reset``: a fresh workspace, so the notebook of an earlier test does not open again)."""
    query = "reset&" if reset else ""
    page.goto(f"{server.url}/lab/tree/{name}?{query}token={server.token}")
    page.locator(".jp-NotebookPanel").first.wait_for(state="visible", timeout=60_000)
    page.locator("#jp-main-statusbar", has_text=re.compile(r"\| Idle")).wait_for(timeout=60_000)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


def stepper_button(stepper: Any, name: str) -> Any:
    """The Stepper's button showing ``name``: its own text, since the accessible name includes the icon's glyph."""
    return stepper.locator("button.widget-button").filter(has_text=re.compile(rf"^\s*{re.escape(name)}\s*$"))


def expect(locator: Any) -> Any:
    """Playwright's retrying assertions (imported here: the fixtures report a missing Playwright)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


@pytest.fixture
def browser_page(_chromium: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh Playwright page; a screenshot of it is saved in test-artifacts/ afterwards."""
    context = _chromium.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        try:
            page.screenshot(path=str(screenshot_path(request.node.name)))
        finally:
            context.close()
