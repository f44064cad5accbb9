"""The browser build (scripts/lite.sh, scripts/lite_build.py): the course in JupyterLite, offline.

Builds the static site with ``scripts/lite.sh`` (or uses ``STEPFN_LAB_LITE_SITE``, an already built
one), serves it with ``python -m http.server`` on a local port and drives it in Debian's Chromium with the network cut:
the browser's proxy is a closed local port, and every request not to the local server is recorded
and aborted; each test asserts that none was made. Then, as a learner would:

- the opening page says what the site is and links the first notebook, which shows its stored
  diagrams before anything runs;
- the REPL URL ``repl/index.html?kernel=python&code=...`` imports stepfn_lab and runs the seed example;
- ``00-welcome.ipynb`` runs top to bottom, draws SVG diagrams, its Stepper's Step moves the
  highlight, ``animate()`` plays, and an exercise answered right says so;
- ``pt-BR/08-task-states.ipynb`` (Lambda tasks, the simulated DynamoDB/SNS/SQS, a task token)
  runs top to bottom with no error.

Screenshots land in test-artifacts/ (lite-*.png).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Iterator, NamedTuple

import pytest

from conftest import ARTIFACTS, CHROMIUM_FLAGS, ROOT, _free_port, _skip_or_fail, _why_no_browser, \
    block_outside_requests, chromium_path, expect, screenshot_path, stepper_button

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Starting Python in the page (Pyodide, then the preloaded wheels) takes about a minute on a busy
# 2-core machine; a whole notebook a few more.
BOOT_TIMEOUT = 240_000
RUN_ALL_TIMEOUT = 420_000
# The network cut: Chromium sends every request that is not to 127.0.0.1 to this closed port.
NO_NETWORK_FLAGS = ["--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1"]


class LiteSite(NamedTuple):
    url: str  # e.g. http://127.0.0.1:41234
    folder: Path


def _build(out: Path) -> None:
    try:
        import jupyterlite_core  # noqa: F401
        import jupyterlite_pyodide_kernel  # noqa: F401
    except ImportError:
        _skip_or_fail("needs the lite extra to build the site: pip install -e '.[lite]'")
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / "lite-build.log"
    started = time.monotonic()
    with open(log, "w", encoding="utf-8") as log_file:
        done = subprocess.run(["bash", str(ROOT / "scripts" / "lite.sh"), str(out)],
                              env={**os.environ, "STEPFN_LAB_PYTHON": sys.executable}, stdout=log_file,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=900)
    if done.returncode:
        pytest.fail(f"scripts/lite.sh failed ({done.returncode}); its log:\n"
                    + log.read_text(errors="replace")[-4000:], pytrace=False)
    print(f"lite site built in {time.monotonic() - started:.0f} s")


@pytest.fixture(scope="module")
def lite_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiteSite]:
    reason = _why_no_browser()
    if reason:
        _skip_or_fail(reason)
    given = os.environ.get("STEPFN_LAB_LITE_SITE")
    folder = Path(given) if given else tmp_path_factory.mktemp("lite") / "site"
    if not given:
        _build(folder)
    assert (folder / "static" / "pyodide" / "pyodide-lock.json").is_file(), f"no site in {folder}"
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory",
                               str(folder), str(port)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/jupyter-lite.json", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("the static server did not answer", pytrace=False)
                time.sleep(0.2)
        yield LiteSite(url, folder)
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def _offline_chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                             args=CHROMIUM_FLAGS + NO_NETWORK_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


class OfflinePage(NamedTuple):
    page: Any
    outside: list[str]  # requests to anywhere but the site: each was aborted
    errors: list[str]  # uncaught exceptions in the page


@pytest.fixture
def lite_page(lite_site: LiteSite, _offline_chromium: Any, request: pytest.FixtureRequest) -> Iterator[OfflinePage]:
    context = _offline_chromium.new_context(viewport={"width": 1400, "height": 1000})
    outside = block_outside_requests(context, lite_site.url + "/", also=())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(30_000)
    try:
        yield OfflinePage(page, outside, errors)
        assert outside == [], f"the site asked for something outside itself: {outside}"
    finally:
        try:
            page.screenshot(path=str(screenshot_path("lite-" + request.node.name)))
        finally:
            context.close()


# --------------------------------------------------------------------------------------------
def test_opening_page_says_what_it_is_and_links_the_first_notebook(lite_site: LiteSite,
                                                                   lite_page: OfflinePage) -> None:
    page = lite_page.page
    page.goto(f"{lite_site.url}/")
    expect(page.locator("h1")).to_have_text("stepfn_lab")
    expect(page.locator("body")).to_contain_text("AWS Step Functions")
    expect(page.locator("body")).to_contain_text("no network")
    page.locator("#start-en").click()
    page.locator(".jp-NotebookPanel").first.wait_for(state="visible", timeout=60_000)
    expect(page.locator(".jp-NotebookPanel-toolbar").first).to_be_visible()
    expect(page.locator(".lm-TabBar-tabLabel", has_text="00-welcome.ipynb").first).to_be_visible()
    # Ready on the first open: the stored diagrams show before any cell runs (the site's notebooks
    # are trusted), and stored text reads as it was written.
    stored = page.locator(".jp-RenderedSVG img").first
    stored.wait_for(state="visible", timeout=60_000)
    page.wait_for_function("img => img.complete && img.naturalWidth > 100", arg=stored.element_handle())
    stored.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_path("lite-first-open")))
    table = page.locator(".jp-OutputArea-output", has_text="StartAt: FirstState").first
    assert "\n,ChoiceState" not in table.inner_text() and "\nChoiceState" in table.inner_text().replace(" ", "")
    assert lite_page.errors == []


def test_repl_url_imports_stepfn_lab_and_runs_the_seed_example(lite_site: LiteSite, lite_page: OfflinePage) -> None:
    code = ("import stepfn_lab as sfl\n"
            "seed = sfl.examples.load('seed')\n"
            "execution = seed.run({'foo': 2}, lambdas=sfl.examples.handlers('seed'))\n"
            "print('seed run:', execution.status, execution.output)")
    page = lite_page.page
    page.goto(f"{lite_site.url}/repl/index.html?kernel=python&toolbar=1&code={urllib.parse.quote(code)}")
    output = page.locator(".jp-OutputArea-output", has_text="seed run:")
    output.wait_for(timeout=BOOT_TIMEOUT)
    assert output.inner_text().strip() == "seed run: SUCCEEDED {'foo': 2, 'matched': 'SecondMatchState'}"


# --------------------------------------------------------------------------------------------
def _menu(page: Any, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{menu}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(rf"^{item}$")).click()


def _open_clear_and_run_all(site: LiteSite, page: Any, path: str) -> Any:
    """Open a notebook of the site, clear its stored outputs, run every cell; the notebook panel."""
    page.goto(f"{site.url}/lab/index.html?path={urllib.parse.quote(path)}")
    panel = page.locator(".jp-NotebookPanel").first
    panel.wait_for(state="visible", timeout=60_000)
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
    # Python starts in the page (Pyodide, then the site's wheels): wait for it before running.
    page.locator("#jp-main-statusbar", has_text=re.compile(r"Pyodide\) \| Idle")).wait_for(timeout=BOOT_TIMEOUT)
    _menu(page, "Edit", "Clear Outputs of All Cells")
    expect(page.locator(".jp-OutputArea-output")).to_have_count(0)
    _menu(page, "Run", "Run All Cells")
    started = time.monotonic()
    page.wait_for_function(
        """() => {
            const prompts = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'));
            return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""", timeout=RUN_ALL_TIMEOUT)
    print(f"{path}: every cell ran in {time.monotonic() - started:.0f} s (Python's start included)")
    return panel


def _no_errors(page: Any) -> None:
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    texts = [t for t in errors.all_inner_texts() if re.search(r"Traceback|Error\b|Exception", t)]
    assert texts == [], "a cell failed in the browser:\n" + "\n---\n".join(texts)


def _cell(panel: Any, source_part: str) -> Any:
    return panel.locator(".jp-CodeCell").filter(
        has=panel.page.locator(".jp-InputArea", has_text=source_part)).last


def _code_cell(panel: Any, notebook: str, source: str) -> Any:
    """The code cell of ``notebook`` whose whole source is ``source``."""
    cells = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]).strip() for c in cells if c["cell_type"] == "code"]
    return panel.locator(".jp-CodeCell").nth(code.index(source))


def test_welcome_runs_offline_with_diagrams_stepper_and_exercises(lite_site: LiteSite,
                                                                  lite_page: OfflinePage) -> None:
    page = lite_page.page
    panel = _open_clear_and_run_all(lite_site, page, "00-welcome.ipynb")
    _no_errors(page)
    expect(_cell(panel, 'print(execution.summary())').locator(".jp-OutputArea-output")).to_contain_text(
        "SUCCEEDED")

    # Diagrams: drawn now, in the page, by Graphviz compiled to WebAssembly (there is no `dot` here).
    diagram = _code_cell(panel, "00-welcome.ipynb", "execution").locator(".jp-OutputArea-output svg").first
    diagram.wait_for(state="visible", timeout=60_000)
    box = diagram.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100, "the execution's diagram is not drawn"
    diagram.screenshot(path=str(screenshot_path("lite-welcome-diagram")))

    # The Stepper: Step runs the first state and the diagram's highlight moves to the next one.
    stepper = panel.locator(".sfl-stepper").first
    stepper.scroll_into_view_if_needed()
    picture = stepper.locator(".sfl-wasm-diagram svg, .sfl-diagram svg").first
    picture.wait_for(state="visible", timeout=60_000)
    before = picture.inner_html()
    stepper_button(stepper, "Step").click()
    stepper.locator(".sfl-header").filter(has_text=re.compile(r"step 1 of 1")).wait_for(timeout=60_000)
    page.wait_for_function("([el, before]) => el.innerHTML !== before",
                           arg=[picture.element_handle(), before], timeout=30_000)
    stepper.screenshot(path=str(screenshot_path("lite-welcome-stepper-after-step")))

    # animate(): the replay plays in the page (each frame laid out by Graphviz in WebAssembly).
    replay = _code_cell(panel, "00-welcome.ipynb", "execution.animate()").locator(".jp-OutputArea").first
    replay.scroll_into_view_if_needed()
    replay.locator("svg").first.wait_for(state="visible", timeout=60_000)
    frame = replay.locator("svg").first.inner_html()
    page.wait_for_function("([area, frame]) => { const svg = area.querySelector('svg');"
                           " return svg && svg.innerHTML !== frame; }",
                           arg=[replay.element_handle(), frame], timeout=30_000)
    replay.screenshot(path=str(screenshot_path("lite-welcome-animate")))

    # An exercise: the stored answer is wrong and says so; the right one is recognised.
    q2 = _cell(panel, "ex.q2.check(answer)")
    expect(q2.locator(".jp-OutputArea-output")).to_contain_text("FirstMatchState")
    q2.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text('answer = {"foo": 2}\nex.q2.check(answer)')
    page.keyboard.press("Shift+Enter")
    expect(q2.locator(".jp-OutputArea-output")).to_contain_text("SecondMatchState", timeout=60_000)
    q2.screenshot(path=str(screenshot_path("lite-welcome-exercise")))
    assert lite_page.errors == []


def test_pt_br_task_states_runs_offline_with_services(lite_site: LiteSite, lite_page: OfflinePage) -> None:
    page = lite_page.page
    panel = _open_clear_and_run_all(lite_site, page, "pt-BR/08-task-states.ipynb")
    _no_errors(page)
    services = _cell(panel, 'print("DynamoDB:", services.items("Orders"))').locator(".jp-OutputArea-output")
    expect(services).to_contain_text("DynamoDB:")
    expect(services).to_contain_text("SQS:")
    checks = panel.locator(".jp-CodeCell").filter(has=page.locator(".jp-InputArea", has_text=".check(answer)"))
    assert checks.count() == 3
    # The stored answers are wrong, and each check says why (in English and Portuguese).
    for i, why in enumerate(["110.0", "Payload.$", "token"]):
        expect(checks.nth(i).locator(".jp-OutputArea-output")).to_contain_text(why)
    assert lite_page.errors == []
