"""Diagrams as a learner sees them: in JupyterLab, and the animation in a headless Chromium.

Opens a notebook that draws the seed example, the furniture-assembly workflow and a
Parallel inside a Map (each with an execution's colours) and checks that JupyterLab
shows three SVG diagrams; then plays ``execution.animate()`` in Chromium and checks
that the picture changes over time. Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import stepfn_lab as sfl
from conftest import JupyterServer, open_and_run_all, screenshot_path

pytestmark = [pytest.mark.browser, pytest.mark.dot, pytest.mark.slow]

PARALLEL_IN_MAP = {
    "StartAt": "EachOrder",
    "States": {"EachOrder": {
        "Type": "Map", "ItemsPath": "$.orders", "End": True,
        "ItemProcessor": {"StartAt": "CheckBoth", "States": {"CheckBoth": {
            "Type": "Parallel", "End": True,
            "Branches": [
                {"StartAt": "Stock", "States": {"Stock": {"Type": "Pass", "Result": "in stock", "End": True}}},
                {"StartAt": "Credit", "States": {"Credit": {"Type": "Pass", "Result": "approved", "End": True}}},
            ]}}}}}}

CELLS = [
    "import stepfn_lab as sfl\nseed = sfl.examples.load('seed')\n"
    "seed_run = seed.run({'foo': 2}, lambdas=sfl.examples.handlers('seed'))\nseed_run",
    "furniture = sfl.examples.load('furniture_assembly')\n"
    "furniture_run = furniture.run(sfl.examples.sample_input('furniture_assembly'),\n"
    "                              lambdas=sfl.examples.handlers('furniture_assembly'))\nfurniture_run",
    f"pim = sfl.StateMachine.from_json({PARALLEL_IN_MAP!r}, name='ParallelInMap')\n"
    "pim.run({'orders': [1, 2]})",
    "print(seed_run.status, furniture_run.status)",
]


def _notebook() -> dict[str, Any]:
    return {"nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "cells": [{"cell_type": "code", "id": f"c{i}", "execution_count": None, "metadata": {},
                       "source": src, "outputs": []} for i, src in enumerate(CELLS)]}


def test_three_diagrams_render_in_jupyterlab(jupyter_server: JupyterServer, browser_page: Any) -> None:
    (jupyter_server.root_dir / "diagrams.ipynb").write_text(json.dumps(_notebook()), encoding="utf-8")
    page = browser_page
    open_and_run_all(page, jupyter_server, "diagrams.ipynb")
    # every code cell ran: its prompt shows an execution count
    page.wait_for_function(
        """() => {
            const prompts = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'));
            return prompts.length === 4 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""", timeout=120_000)
    texts = page.locator(".jp-OutputArea-output").all_text_contents()
    assert any("SUCCEEDED SUCCEEDED" in t for t in texts), texts
    svgs = page.locator(".jp-RenderedSVG")
    svgs.nth(2).wait_for(state="attached", timeout=60_000)
    assert svgs.count() == 3
    for i in range(3):
        svgs.nth(i).scroll_into_view_if_needed()
        box = svgs.nth(i).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, f"diagram {i} is not drawn"
        svgs.nth(i).screenshot(path=str(screenshot_path(f"diagram-{('seed', 'furniture', 'parallel-in-map')[i]}")))
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    svgs.nth(0).scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_path("diagrams-in-jupyterlab")), full_page=True)


def test_animation_plays_in_chromium(browser_page: Any, tmp_path) -> None:
    machine = sfl.examples.load("seed")
    execution = machine.run({"foo": 1}, lambdas=sfl.examples.handlers("seed"))
    html = tmp_path / "animation.html"
    execution.animate().save(str(html))
    text = html.read_text(encoding="utf-8")
    assert "<script" not in text and "@keyframes" in text  # self-contained: CSS only
    page = browser_page
    page.goto(html.as_uri())
    page.wait_for_timeout(400)
    early = page.screenshot(path=str(screenshot_path("animation-early")))
    page.wait_for_timeout(3500)
    later = page.screenshot(path=str(screenshot_path("animation-later")))
    assert early != later, "the animated SVG did not change over 3.5 seconds"
