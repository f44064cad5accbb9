"""Diagrams without Graphviz's `dot` (stepfn_lab/views/wasm.py): Graphviz compiled to WebAssembly.

Unit tests: which path is chosen, what the notebook display holds (the widget
with the same DOT as `dot` would lay out, plus the text table), the Stepper's
highlight moving in the DOT it sends to the browser.

Browser test: JupyterLab in Chromium with every request outside the local
server refused, a kernel told that `dot` is missing: the seed machine, an
execution and a Stepper draw themselves as SVG made in the page; Step moves
the highlight, and `animate()` plays its frames. Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

import stepfn_lab as sfl
from conftest import JupyterServer, block_outside_requests, open_and_run_all, screenshot_path
from stepfn_lab.views import diagram as d
from stepfn_lab.views import render as r
from stepfn_lab.views import wasm

IN_PROGRESS = r.STATUS_COLOURS[d.IN_PROGRESS]


def seed_machine() -> Any:
    return sfl.examples.load("seed")


@pytest.fixture
def no_dot(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """No `dot` on PATH; returns the list of the wasm widgets made meanwhile."""
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("STEPFN_LAB_DIAGRAMS", raising=False)
    made: list[Any] = []
    original = wasm.widget

    def recording(dot_source: str = "") -> Any:
        made.append(original(dot_source))
        return made[-1]

    monkeypatch.setattr(wasm, "widget", recording)
    return made


def test_dot_on_path_is_used_and_the_variable_forces_a_path(monkeypatch: pytest.MonkeyPatch, no_dot: list[Any]) -> None:
    assert wasm.dot_available() is False
    monkeypatch.setenv("STEPFN_LAB_DIAGRAMS", "dot")
    assert wasm.dot_available() is True
    monkeypatch.setenv("STEPFN_LAB_DIAGRAMS", "WASM")
    assert wasm.dot_available() is False
    monkeypatch.setenv("STEPFN_LAB_DIAGRAMS", "nonsense")  # ignored: PATH decides
    assert wasm.dot_available() is False


def test_without_dot_a_machine_displays_as_the_wasm_widget_with_its_table(no_dot: list[Any]) -> None:
    machine = seed_machine()
    bundle = machine._repr_mimebundle_()
    assert set(bundle) == {"application/vnd.jupyter.widget-view+json", "text/plain"}
    assert bundle["text/plain"] == r.to_table(machine.raw)
    [shown] = no_dot
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == shown.model_id
    assert shown.dot_source == r.to_dot(d.extract(machine.raw))
    assert shown.enable_zoom is False
    assert "wasmBinary" in shown._esm  # the JavaScript, Graphviz included, travels with the widget


def test_without_dot_an_execution_sends_its_colours_in_the_dot(no_dot: list[Any]) -> None:
    machine = seed_machine()
    execution = machine.run({"foo": 1}, lambdas=sfl.examples.handlers("seed"))
    bundle = execution._repr_mimebundle_()
    [shown] = no_dot
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == shown.model_id
    source = shown.dot_source
    assert source == r.to_dot(d.extract(machine.raw, execution.history))
    assert r.STATUS_COLOURS[d.SUCCEEDED] in source


def test_the_wasm_widget_javascript_carries_graphviz_itself() -> None:
    """No CDN at run time: the WebAssembly is inlined in the widget's ESM, nothing names a remote URL to load."""
    import graphviz_anywidget

    javascript = (Path(graphviz_anywidget.__file__).parent / "static" / "widget.js").read_text(encoding="utf-8")
    assert "wasmBinary" in javascript and "@hpcc-js/wasm" in javascript
    assert len(javascript) > 500_000  # the inlined Graphviz (about 1.2 MB)
    remote = set(re.findall(r"""(?:import\(|importScripts\(|fetch\(|src=)\s*["'`](https?://[^"'`]+)""", javascript))
    assert remote == set(), remote


def test_without_graphviz_anywidget_the_text_names_the_fix(monkeypatch: pytest.MonkeyPatch, no_dot: list[Any]) -> None:
    monkeypatch.setitem(sys.modules, "graphviz_anywidget", None)  # `import graphviz_anywidget` fails
    assert wasm.widget("digraph {}") is None and not wasm.browser_drawing()
    bundle = seed_machine()._repr_mimebundle_()
    assert set(bundle) == {"text/plain"}
    assert 'pip install "stepfn-lab[lab]"' in bundle["text/plain"]


def test_the_stepper_draws_with_the_wasm_widget_and_step_moves_the_highlight(no_dot: list[Any]) -> None:
    from stepfn_lab.widgets import Stepper

    stepper = Stepper(seed_machine(), {"foo": 2}, lambdas=sfl.examples.handlers("seed"))
    assert stepper._wasm is not None and stepper._wasm in stepper._diagram_column.children
    assert stepper._diagram.layout.display == "none" and stepper._wasm.layout.display is None

    def highlighted(source: str) -> list[str]:
        return re.findall(r'label=<<font color="#16191F"><b>(\w+)</b>.*fillcolor="' + IN_PROGRESS, source)

    before = stepper._wasm.dot_source
    stepper._step.click()
    first = stepper._wasm.dot_source
    stepper._step.click()
    second = stepper._wasm.dot_source
    assert before != first != second
    assert highlighted(first) != highlighted(second)


# --------------------------------------------------------------------------- in JupyterLab, in Chromium

CELLS = [
    "import os\nos.environ['STEPFN_LAB_DIAGRAMS'] = 'wasm'  # as on a machine without Graphviz's dot\n"
    "import stepfn_lab as sfl\nseed = sfl.examples.load('seed')\nseed",
    "execution = seed.run({'foo': 1}, lambdas=sfl.examples.handlers('seed'))\nexecution",
    "from stepfn_lab.widgets import Stepper\nstepper = Stepper(seed, {'foo': 2}, lambdas=sfl.examples.handlers('seed'))\n"
    "stepper",
    "execution.animate(seconds_per_step=0.6, hold=1.0)",
]


def _notebook() -> dict[str, Any]:
    return {"nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "cells": [{"cell_type": "code", "id": f"c{i}", "execution_count": None, "metadata": {},
                       "source": src, "outputs": []} for i, src in enumerate(CELLS)]}


@pytest.mark.browser
@pytest.mark.slow
def test_diagrams_draw_in_jupyterlab_without_dot(jupyter_server: JupyterServer, browser_page: Any) -> None:
    (jupyter_server.root_dir / "wasm.ipynb").write_text(json.dumps(_notebook()), encoding="utf-8")
    page = browser_page
    refused = block_outside_requests(page.context, jupyter_server.url)
    open_and_run_all(page, jupyter_server, "wasm.ipynb")
    # three pictures drawn in the page by Graphviz/WebAssembly: the machine, the execution, the Stepper
    pictures = page.locator(".sfl-wasm-diagram svg .node")
    page.wait_for_function(
        """() => document.querySelectorAll('.sfl-wasm-diagram svg').length === 4 &&
                 Array.from(document.querySelectorAll('.sfl-wasm-diagram svg'))
                      .every(svg => svg.querySelectorAll('.node').length >= 6)""", timeout=120_000)
    assert pictures.count() >= 24
    # the animation (no `dot`): the kernel hands the browser one frame after another
    replay = page.locator(".sfl-wasm-diagram").nth(3)
    replay.scroll_into_view_if_needed()
    seen = set()
    for _ in range(12):
        seen.add(replay.locator("svg").inner_html())
        page.wait_for_timeout(400)
    replay.screenshot(path=str(screenshot_path("wasm-animation-in-jupyterlab")))
    assert len(seen) >= 3, "the replay did not move"
    assert page.locator(".jp-RenderedSVG").count() == 0  # nothing came from a `dot` program
    machine, execution, stepper = (page.locator(".sfl-wasm-diagram").nth(i) for i in range(3))
    for shown in (machine, execution):
        box = shown.locator("svg").bounding_box()
        assert box and box["width"] > 100 and box["height"] > 150
    assert "FirstState" in (machine.text_content() or "")
    fills = execution.locator("svg .node polygon, svg .node path").evaluate_all(
        "els => els.map(e => (e.getAttribute('fill') || '').toLowerCase())")
    assert r.STATUS_COLOURS[d.SUCCEEDED].lower() in fills  # the console's colours
    execution.screenshot(path=str(screenshot_path("wasm-execution-in-jupyterlab")))

    def in_progress() -> list[str]:
        return stepper.locator("svg .node").evaluate_all(
            f"""nodes => nodes.filter(n => Array.from(n.querySelectorAll('polygon, path'))
                    .some(p => (p.getAttribute('fill') || '').toLowerCase() === '{IN_PROGRESS.lower()}'))
                 .map(n => n.textContent.trim().split(/\\s+/)[0])""")

    step = page.locator(".sfl-stepper button", has_text=re.compile(r"^\s*Step\s*$")).first
    step.click()
    page.wait_for_function(f"""() => Array.from(document.querySelectorAll('.sfl-wasm-diagram'))[2]
        .innerHTML.toLowerCase().includes('{IN_PROGRESS.lower()}')""", timeout=30_000)
    stepper.scroll_into_view_if_needed()
    page.wait_for_timeout(1200)  # d3-graphviz animates the change
    first = in_progress()
    stepper.screenshot(path=str(screenshot_path("wasm-stepper-step-1")))
    step.click()
    page.wait_for_function(
        f"""(before) => {{
            const svg = Array.from(document.querySelectorAll('.sfl-wasm-diagram'))[2];
            const now = Array.from(svg.querySelectorAll('.node')).filter(n => Array.from(
                n.querySelectorAll('polygon, path')).some(p => (p.getAttribute('fill') || '').toLowerCase()
                === '{IN_PROGRESS.lower()}')).map(n => n.textContent.trim().split(/\\s+/)[0]);
            return JSON.stringify(now) !== JSON.stringify(before);
        }}""", arg=first, timeout=30_000)
    page.wait_for_timeout(1200)
    second = in_progress()
    stepper.screenshot(path=str(screenshot_path("wasm-stepper-step-2")))
    assert first and second and first != second, (first, second)

    assert refused == [], f"the page asked for outside resources: {refused}"
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0


def test_where_no_program_can_start_to_svg_says_dot_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pyodide (JupyterLite): subprocess raises OSError; the picture falls back instead of crashing."""
    import subprocess

    def no_processes(*args: Any, **kwargs: Any) -> Any:
        raise OSError(138, "emscripten does not support processes")

    monkeypatch.setattr(subprocess, "Popen", no_processes)
    with pytest.raises(r.GraphvizMissing, match="'dot' program"):
        r.to_svg(d.extract(seed_machine().raw))
    from stepfn_lab.views import animate

    shown = animate.animation(seed_machine().raw, seed_machine().run({"foo": 1},
                              lambdas=sfl.examples.handlers("seed")).history)
    assert shown.svg == "" and "'dot' program" in shown.message


def test_without_dot_an_animation_plays_its_frames_in_the_browser(no_dot: list[Any]) -> None:
    import asyncio

    from stepfn_lab.views import animate

    machine = seed_machine()
    execution = machine.run({"foo": 1}, lambdas=sfl.examples.handlers("seed"))
    shown = execution.animate(seconds_per_step=0.01, hold=0.02)
    assert shown.svg == "" and len(shown.dot_frames) == len(shown.captions) >= 4
    final, replay = animate.frames(machine.raw, execution.history)
    style = r.RenderStyle(id_prefix=re.search(r'id="(sfa[0-9a-f]+-)', shown.dot_frames[-1]).group(1))
    assert shown.dot_frames[-1] == r.to_dot(animate._frame_graph(final, replay[-1]), style)
    assert r.STATUS_COLOURS[d.IN_PROGRESS] in shown.dot_frames[1]  # a state in progress, as in the console
    assert "is not installed" in shown.to_html() and "plays in the browser" in shown.message
    assert "played by Graphviz in the browser" in repr(shown)

    async def play() -> list[str]:
        bundle = shown._repr_mimebundle_()
        assert set(bundle) == {"application/vnd.jupyter.widget-view+json", "text/plain"}
        picture = no_dot[-1]
        seen = [picture.dot_source]
        for _ in range(40):
            await asyncio.sleep(0.01)
            if picture.dot_source != seen[-1]:
                seen.append(picture.dot_source)
        return seen

    # The player schedules its frames on the running loop, as the kernel's would be. Pytest's own thread
    # may already run a loop (Playwright's sync API, from an earlier browser test), so play in a thread.
    import threading
    outcome: dict[str, Any] = {}

    def in_a_thread() -> None:
        try:
            outcome["seen"] = asyncio.run(play())
        except BaseException as exc:  # noqa: BLE001 - handed to the test below
            outcome["error"] = exc

    worker = threading.Thread(target=in_a_thread)
    worker.start()
    worker.join(60)
    if "error" in outcome:
        raise outcome["error"]
    seen = outcome["seen"]
    assert len(seen) >= 3 and seen[0] == shown.dot_frames[0] and set(seen) <= set(shown.dot_frames)
