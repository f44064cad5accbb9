"""The Portuguese course in a real JupyterLab (Chromium, driven by Playwright): the kit speaks pt-BR.

Opens notebooks/pt-BR/00-welcome.ipynb (a copy, so autosave cannot touch the stored outputs), runs every
cell, and checks that the Stepper's buttons and panes, the execution summary and the exercise feedback
are in Portuguese: the setup cell's ``sfl.set_language("pt-BR")`` is the only switch. Screenshots land in
test-artifacts/ (language-pt-BR-*.png).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import JupyterServer, expect, open_and_run_all, screenshot_path, stepper_button

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
WELCOME_PT = ROOT / "notebooks" / "pt-BR" / "00-welcome.ipynb"


def test_the_portuguese_welcome_notebook_shows_the_stepper_in_portuguese(jupyter_server: JupyterServer,
                                                                        browser_page: Any) -> None:
    page = browser_page
    shutil.copy(WELCOME_PT, jupyter_server.root_dir / "00-boas-vindas.ipynb")
    page.set_viewport_size({"width": 1400, "height": 1000})
    open_and_run_all(page, jupyter_server, "00-boas-vindas.ipynb", reset=True)
    stepper = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .sfl-stepper").first
    stepper.wait_for(state="visible", timeout=90_000)
    page.keyboard.press("Control+b")  # the whole width, as on a projector

    for label in ("Voltar", "Passo", "Passo inteiro", "Reproduzir", "Rodar até o fim", "Rodar até o breakpoint"):
        expect(stepper_button(stepper, label)).to_have_count(1)
    for english in ("Back", "Step", "Play", "Run to end"):
        expect(stepper_button(stepper, english)).to_have_count(0)
    stepper_button(stepper, "Passo").click()
    expect(stepper.locator(".sfl-xray-pane")).to_contain_text("FirstState (Task)")  # AWS's names stay
    expect(stepper).to_contain_text("Fluxo de dados")
    expect(stepper).to_contain_text("Histórico")
    stepper.locator(".sfl-header").evaluate("element => element.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(screenshot_path("language-pt-BR-stepper")))

    # The exercise feedback, Portuguese first, in words and colour.
    feedback = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output",
                            has_text="Ainda não / Not yet").first
    feedback.scroll_into_view_if_needed()
    expect(feedback.locator("span", has_text="Ainda não / Not yet").first).to_have_css("color", "rgb(217, 21, 21)")
    page.screenshot(path=str(screenshot_path("language-pt-BR-feedback")))
