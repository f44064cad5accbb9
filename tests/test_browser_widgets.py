"""The step-through debugger in a real JupyterLab (Chromium, driven by Playwright).

A notebook written into the server's temporary folder builds two ``Stepper``s:
the seed example (a Choice between Lambda tasks) and a machine with Parallel,
Map, Retry and Catch. The tests run it, click Step, Back, Play, a breakpoint,
Run to end and the Map iteration picker, and check what the page shows.
Screenshots land in test-artifacts/ (widgets-*.png). Two more tests open the
course's notebooks 10 (Retry and Catch) and 12 (Map) as a learner would, step
through their Steppers and check the highlighted state and the error boxes
(stepper-nb10-*.png, stepper-nb12-*.png).
"""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

from conftest import JupyterServer, expect, open_and_run_all, screenshot_path, stepper_button

pytestmark = [pytest.mark.browser, pytest.mark.slow]


SETUP = textwrap.dedent('''
    import stepfn_lab as sfl
    from stepfn_lab.widgets import Stepper, Compare

    SEED = {
      "Comment": "An example of the Amazon States Language using a choice state.",
      "StartAt": "FirstState",
      "States": {
        "FirstState": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:FUNCTION_NAME",
                       "Next": "ChoiceState"},
        "ChoiceState": {"Type": "Choice", "Choices": [
            {"Variable": "$.foo", "NumericEquals": 1, "Next": "FirstMatchState"},
            {"Variable": "$.foo", "NumericEquals": 2, "Next": "SecondMatchState"}], "Default": "DefaultState"},
        "FirstMatchState": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:OnFirstMatch",
                            "Next": "NextState"},
        "SecondMatchState": {"Type": "Task",
                             "Resource": "arn:aws:lambda:us-east-1:123456789012:function:OnSecondMatch",
                             "Next": "NextState"},
        "DefaultState": {"Type": "Fail", "Error": "DefaultStateError", "Cause": "No Matches!"},
        "NextState": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:FUNCTION_NAME",
                      "End": True}
      }
    }
    SEED_LAMBDAS = {
        "FUNCTION_NAME": lambda event, context: {**event, "seen": event.get("seen", 0) + 1},
        "OnFirstMatch": lambda event, context: {**event, "matched": "first"},
        "OnSecondMatch": lambda event, context: {**event, "matched": "second"},
    }
''')

SEED_CELL = 'seed = Stepper(sfl.StateMachine.from_json(SEED, name="Seed"), {"foo": 1}, lambdas=SEED_LAMBDAS)\nseed'

RICH_CELL = textwrap.dedent('''
    RICH = {
      "StartAt": "Prepare",
      "States": {
        "Prepare": {"Type": "Pass", "Parameters": {"items.$": "$.items", "id.$": "$.id"},
                    "Assign": {"attempts": 0}, "Next": "Fan"},
        "Fan": {"Type": "Parallel", "ResultPath": "$.parallel", "Next": "EachItem", "Branches": [
            {"StartAt": "Charge", "States": {"Charge": {
                "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Charge",
                "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 2, "MaxAttempts": 3}], "End": True}}},
            {"StartAt": "Notify", "States": {"Notify": {"Type": "Pass", "Result": "sent", "End": True}}}]},
        "EachItem": {"Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.results", "Next": "Done",
            "ItemProcessor": {"StartAt": "Check", "States": {
                "Check": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Check",
                          "Catch": [{"ErrorEquals": ["BadItem"], "ResultPath": "$.error", "Next": "Skip"}],
                          "End": True},
                "Skip": {"Type": "Pass", "Result": "skipped", "End": True}}}},
        "Done": {"Type": "Succeed"}
      }
    }
    class Flaky(Exception): pass
    class BadItem(Exception): pass
    charges = []
    def charge(event, context):
        charges.append(event)
        if len(charges) == 1:
            raise Flaky("the card service timed out")
        return {"charged": event["id"]}
    def check(item, context):
        if item["n"] == 2:
            raise BadItem(f"item {item['n']} is out of stock")
        return {"n": item["n"], "score": item["n"] * 10}
    rich = Stepper(sfl.StateMachine.from_json(RICH, name="Orders"),
                   {"id": "o-1", "items": [{"n": 1}, {"n": 2}, {"n": 3}]},
                   lambdas={"Charge": charge, "Check": check})
    rich
''')


def _notebook(*sources: str) -> dict[str, Any]:
    cells = [{"cell_type": "code", "id": f"c{i}", "execution_count": None, "metadata": {}, "source": src,
              "outputs": []} for i, src in enumerate(sources)]
    return {"nbformat": 4, "nbformat_minor": 5, "cells": cells,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}


def _open_and_run(server: JupyterServer, page: Any, name: str, *cells: str) -> None:
    (server.root_dir / name).write_text(json.dumps(_notebook(*cells)), encoding="utf-8")
    page.set_viewport_size({"width": 1280, "height": 1000})
    open_and_run_all(page, server, name, reset=True)


def _expect_header(stepper: Any, pattern: str, timeout: float = 20_000) -> str:
    header = stepper.locator(".sfl-header")
    header.filter(has_text=re.compile(pattern)).wait_for(timeout=timeout)
    return header.inner_text()


def _shot(page: Any, stepper: Any, name: str) -> None:
    """What the learner sees at the top of the widget, and the whole widget."""
    header = stepper.locator(".sfl-header")
    header.evaluate("element => element.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(screenshot_path(name)))
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": 2400})  # the notebook scrolls inside its panel
    stepper.locator(".sfl-header").scroll_into_view_if_needed()
    stepper.screenshot(path=str(screenshot_path(name + "-whole")))
    page.set_viewport_size(size)


def _close_side_panel(page: Any) -> None:
    """Give the notebook the whole width, as an instructor would on a projector."""
    page.keyboard.press("Control+b")


def test_seed_step_back_breakpoint_play(jupyter_server: JupyterServer, browser_page: Any) -> None:
    page = browser_page
    _open_and_run(jupyter_server, page, "widget_seed.ipynb", SETUP, SEED_CELL)
    stepper = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .sfl-stepper").first
    stepper.wait_for(state="visible", timeout=60_000)
    _close_side_panel(page)
    _expect_header(stepper, r"step 0 of 0 recorded")
    assert stepper.locator(".sfl-diagram svg, .sfl-diagram pre").count() >= 1
    _shot(page, stepper, "widgets-seed-start")

    # Step: FirstState ran; the X-ray shows its data flow, the history its events.
    stepper_button(stepper, "Step").click()
    _expect_header(stepper, r"step 1 of 1 recorded.*next: ChoiceState")
    xray = stepper.locator(".sfl-xray-pane")
    expect(xray).to_contain_text("FirstState (Task)")
    expect(stepper.locator(".sfl-history tr.sfl-now")).to_have_count(5)  # TaskStateEntered .. TaskStateExited
    stepper_button(stepper, "Step").click()
    _expect_header(stepper, r"step 2 of 2 recorded.*next: FirstMatchState")
    expect(xray).to_contain_text("ChoiceState (Choice)")
    _shot(page, stepper, "widgets-seed-step2")

    # Back: the cursor moves, the recorded positions stay.
    stepper_button(stepper, "Back").click()
    _expect_header(stepper, r"step 1 of 2 recorded.*next: ChoiceState")
    expect(xray).to_contain_text("FirstState (Task)")

    # A breakpoint on NextState, stop before it.
    stepper.locator(".sfl-breakpoints select").select_option(label="NextState")
    stepper_button(stepper, "Run to breakpoint").click()
    _expect_header(stepper, r"step 3 of 3 recorded.*next: NextState")
    expect(xray).to_contain_text("FirstMatchState (Task)")
    expect(xray).to_contain_text("matched")
    _shot(page, stepper, "widgets-seed-breakpoint")

    # Play runs on by itself (the Play widget's timer ticks in the browser) to the end.
    stepper.locator(".sfl-breakpoints select").select_option([])
    stepper_button(stepper, "Play").click()
    _expect_header(stepper, r"SUCCEEDED.*step 4 of 4 recorded", timeout=30_000)
    stepper_button(stepper, "Play").wait_for()  # Pause turned back into Play when the run ended
    expect(stepper_button(stepper, "Step")).to_be_disabled()
    expect(xray).to_contain_text("NextState (Task)")
    _shot(page, stepper, "widgets-seed-finished")

    # The input editor checks the JSON as it is typed.
    editor = stepper.locator(".sfl-input textarea")
    editor.fill('{"foo": 2')
    stepper.locator(".sfl-input-check .sfl-bad", has_text="line 1, column 10").wait_for()
    expect(stepper_button(stepper, "Reset with this input")).to_be_disabled()
    editor.fill('{"foo": 2}')
    stepper.locator(".sfl-input-check .sfl-ok", has_text="valid JSON").wait_for()
    stepper_button(stepper, "Reset with this input").click()
    _expect_header(stepper, r"RUNNING.*step 0 of 0 recorded")


@pytest.mark.dot  # the diagram's "retried 1×" note is drawn by Graphviz
def test_parallel_map_retry_catch(jupyter_server: JupyterServer, browser_page: Any) -> None:
    page = browser_page
    _open_and_run(jupyter_server, page, "widget_rich.ipynb", SETUP, RICH_CELL)
    stepper = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .sfl-stepper").first
    stepper.wait_for(state="visible", timeout=60_000)
    _close_side_panel(page)
    _expect_header(stepper, r"step 0 of 0 recorded")

    stepper_button(stepper, "Step").click()
    _expect_header(stepper, r"step 1 of 1.*next: Fan")
    variables = stepper.locator(".sfl-variables")
    expect(variables).to_contain_text("$attempts")

    stepper_button(stepper, "Run to end").click()
    _expect_header(stepper, r"SUCCEEDED")
    _shot(page, stepper, "widgets-rich-finished")

    # The retried Charge shows in the history; the diagram notes the retry.
    history = stepper.locator(".sfl-history")
    expect(history).to_contain_text("LambdaFunctionFailed")
    expect(stepper.locator(".sfl-diagram")).to_contain_text("retried")

    # Pick Map iteration 1: the X-ray shows that iteration's Skip, after the caught error.
    stepper.locator(".sfl-map-picker select").select_option(label="EachItem · iteration 1 · ✓ succeeded")
    xray = stepper.locator(".sfl-xray-pane")
    xray.filter(has_text="EachItem · iteration 1").wait_for()
    expect(xray).to_contain_text("Skip (Pass)")
    stepper.locator(".sfl-run-steps select").select_option(index=0)
    xray.filter(has_text="BadItem").wait_for()
    expect(xray).to_contain_text("out of stock")
    _shot(page, stepper, "widgets-rich-map-iteration")

    # A Parallel branch.
    stepper.locator(".sfl-branch-picker select").select_option(label="Fan · branch 0 · ✓ succeeded")
    xray.filter(has_text="Charge").wait_for()
    expect(xray).to_contain_text("charged")

    # Back from the end, then Step replays the record.
    stepper.locator(".sfl-branch-picker select").select_option(label="—")
    stepper_button(stepper, "Back").click()
    _expect_header(stepper, r"RUNNING.*next: Done")
    stepper_button(stepper, "Step").click()
    _expect_header(stepper, r"SUCCEEDED")


CALLBACK_CELL = textwrap.dedent('''
    APPROVAL = {
      "StartAt": "Ask",
      "States": {
        "Ask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "Approve",
                               "Payload": {"order.$": "$.order", "token.$": "$$.Task.Token"}},
                "ResultPath": "$.approval", "Next": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 5, "Next": "Finish"},
        "Finish": {"Type": "Pass", "End": True}
      }
    }
    approval = Stepper(sfl.StateMachine.from_json(APPROVAL, name="Approval"), {"order": 7},
                       lambdas={"Approve": lambda event, context: None})
    approval
''')

COMPARE_CELL = 'Compare(SEED, {"foo": 1}, lambdas=SEED_LAMBDAS, name="Seed")'


def test_callback_buttons_and_compare(jupyter_server: JupyterServer, browser_page: Any) -> None:
    page = browser_page
    _open_and_run(jupyter_server, page, "widget_callback.ipynb", SETUP, CALLBACK_CELL, COMPARE_CELL)
    stepper = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .sfl-stepper").first
    stepper.wait_for(state="visible", timeout=60_000)
    _close_side_panel(page)
    callback = stepper.locator(".sfl-tokens")
    expect(callback).to_be_hidden()  # nothing waits yet

    stepper_button(stepper, "Step").click()
    _expect_header(stepper, r"waiting for a callback")
    callback.wait_for(state="visible")
    expect(stepper_button(stepper, "Step")).to_be_disabled()
    stepper.locator(".sfl-callback-output textarea").fill('{"approved": true}')
    stepper.locator(".sfl-callback-check .sfl-ok").wait_for()
    _shot(page, stepper, "widgets-callback-waiting")
    stepper_button(stepper, "Send task success").click()
    _expect_header(stepper, r"step 2 of 2 recorded.*next: Pause")
    expect(stepper.locator(".sfl-xray-pane")).to_contain_text("approved")
    stepper_button(stepper, "Step").click()
    _expect_header(stepper, r"\+5\.000s since start")  # the Wait ran on the virtual clock

    compare = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .sfl-compare").first
    compare.wait_for(state="visible", timeout=30_000)
    standard = compare.locator("[data-workflow=STANDARD]")
    express = compare.locator("[data-workflow=EXPRESS]")
    expect(standard).to_contain_text("exactly-once")
    expect(express).to_contain_text("no history")
    expect(express).to_contain_text("at-least-once")
    compare.get_by_text("Express: synchronous").click()
    express.filter(has_text="at-most-once").wait_for()
    compare.scroll_into_view_if_needed()
    compare.screenshot(path=str(screenshot_path("widgets-compare")))


# --------------------------------------------------------------------------- the course notebooks 10 and 12

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
FILL = """(root, state) => {
    const link = [...root.querySelectorAll('.sfl-diagram a')].find(
        a => (a.getAttribute('xlink:title') || a.getAttribute('title') || '').startsWith(state + ' ('));
    const shape = link && link.querySelector('path, polygon, ellipse');
    return shape ? shape.getAttribute('fill').toLowerCase() : null;
}"""


def _open_course_notebook(server: JupyterServer, page: Any, name: str) -> Any:
    shutil.copy(NOTEBOOKS / name, server.root_dir / name)
    page.set_viewport_size({"width": 1280, "height": 900})  # a laptop screen
    open_and_run_all(page, server, name, reset=True)
    stepper = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .sfl-stepper").first
    stepper.wait_for(state="visible", timeout=120_000)
    _close_side_panel(page)
    return stepper


def _fill(stepper: Any, state: str) -> str | None:
    """The fill colour of a state's box in the Stepper's diagram (the console legend's colours)."""
    return stepper.evaluate(FILL, state)


def _view_shot(page: Any, stepper: Any, name: str) -> None:
    """The page as the learner sees it, the Stepper's header at the top of the view."""
    stepper.locator(".sfl-header").evaluate("element => element.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(screenshot_path(name)))


def _fits_the_view(page: Any, stepper: Any) -> None:
    """Never taller than the notebook view, and the breakpoint list is not cut off on the right."""
    view = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer, "
                        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").first.bounding_box()
    box = stepper.bounding_box()
    assert box["height"] <= view["height"] + 1, (box, view)
    select = stepper.locator(".sfl-breakpoints select").bounding_box()
    assert select["x"] + select["width"] <= box["x"] + box["width"] + 1, (select, box)
    squeezed = stepper.locator(".sfl-toolbar").evaluate("element => element.scrollHeight - element.clientHeight")
    assert squeezed <= 1, f"the toolbar is {squeezed}px shorter than its buttons and breakpoint list"
    button = stepper_button(stepper, "Run to breakpoint").bounding_box()
    assert button["y"] + button["height"] <= stepper.locator(".sfl-toolbar").bounding_box()["y"] + \
        stepper.locator(".sfl-toolbar").bounding_box()["height"] + 1


def test_notebook_10_steps_each_try_and_boxes_only_the_failed_states(jupyter_server: JupyterServer,
                                                                     browser_page: Any) -> None:
    page = browser_page
    stepper = _open_course_notebook(jupyter_server, page, "10-errors-retry-catch.ipynb")
    _expect_header(stepper, r"FurnitureAssembly.*step 0 of 0 recorded", timeout=60_000)
    _fits_the_view(page, stepper)
    xray = stepper.locator(".sfl-xray-pane")
    for n in (1, 2):
        stepper_button(stepper, "Step").click()
        _expect_header(stepper, rf"step {n} of {n} recorded")
    expect(xray.locator(".sfl-error, .sfl-caught")).to_have_count(0)  # succeeded states show no error

    stepper_button(stepper, "Step").click()  # HangDoors, first try: fails, will be retried
    _expect_header(stepper, r"step 3 of 3 recorded.*next: HangDoors.*\+0\.000s since start")
    expect(xray).to_contain_text("HangDoors (Task)")
    expect(xray.locator(".sfl-caught")).to_contain_text("attempt 1 failed")
    expect(xray.locator(".sfl-error")).to_have_count(0)
    if stepper.locator(".sfl-diagram svg").count():
        assert _fill(stepper, "AddShelves") == "#2bd62e"  # done: green
        assert _fill(stepper, "HangDoors") == "#53c9ed"  # where the cursor is: blue
    _view_shot(page, stepper, "stepper-nb10-first-try")

    stepper_button(stepper, "Step").click()  # the back-off: the clock jumps 2 s
    _expect_header(stepper, r"step 4 of 4 recorded.*\+2\.000s since start")
    expect(xray.locator(".sfl-caught")).to_contain_text("attempt 2 failed")
    stepper_button(stepper, "Step").click()  # 4 s more: retries used up, the Catch takes over
    _expect_header(stepper, r"step 5 of 5 recorded.*next: CallForHelp.*\+6\.000s since start")
    expect(xray.locator(".sfl-caught")).to_contain_text("caught")
    stepper_button(stepper, "Step").click()
    _expect_header(stepper, r"step 6 of 6 recorded.*next: AssemblyFailed")
    expect(xray.locator(".sfl-error, .sfl-caught")).to_have_count(0)  # CallForHelp: no stale error
    stepper_button(stepper, "Step").click()
    _expect_header(stepper, r"FAILED.*step 7 of 7 recorded")
    expect(xray.locator(".sfl-error")).to_contain_text("AssemblyFailed")
    expect(xray.locator(".sfl-caught")).to_have_count(0)
    if stepper.locator(".sfl-diagram svg").count():
        assert _fill(stepper, "AssemblyFailed") == "#de322f"  # the uncaught failure: red
        assert _fill(stepper, "HangDoors") == "#ffa500"  # the caught one: orange
    _view_shot(page, stepper, "stepper-nb10-failed")
    _fits_the_view(page, stepper)

    stepper_button(stepper, "Back").click()
    stepper_button(stepper, "Back").click()
    stepper_button(stepper, "Back").click()  # back to the caught try; then Step over from the start of the tries
    _expect_header(stepper, r"step 4 of 7 recorded")
    expect(xray.locator(".sfl-caught")).to_contain_text("attempt 2 failed")


def test_notebook_12_steps_one_iteration_at_a_time(jupyter_server: JupyterServer, browser_page: Any) -> None:
    page = browser_page
    stepper = _open_course_notebook(jupyter_server, page, "12-map.ipynb")
    _expect_header(stepper, r"ReserveLines.*step 0 of 0 recorded", timeout=60_000)
    _fits_the_view(page, stepper)
    xray = stepper.locator(".sfl-xray-pane")

    stepper_button(stepper, "Step").click()  # one state of one iteration: the lamp
    _expect_header(stepper, r"step 1 of 1 recorded")
    expect(xray).to_contain_text("Reserve (Task) in Each line[0]")
    expect(xray.locator(".sfl-error, .sfl-caught")).to_have_count(0)
    history = stepper.locator(".sfl-history")
    expect(history.locator("tr.sfl-now", has_text="LambdaFunctionSucceeded")).to_have_count(1)  # the lamp's only
    if stepper.locator(".sfl-diagram svg").count():
        assert _fill(stepper, "Each line") == "#53c9ed"  # the Map is running
    _view_shot(page, stepper, "stepper-nb12-lamp")

    stepper_button(stepper, "Step").click()  # the chair fails
    _expect_header(stepper, r"step 2 of 2 recorded")
    expect(xray).to_contain_text("Reserve (Task) in Each line[1]")
    expect(xray.locator(".sfl-error")).to_contain_text("only 3 chairs left")
    picker = stepper.locator(".sfl-map-picker select")
    expect(picker.locator("option")).to_have_text(["—", "Each line · iteration 0 · ✓ succeeded",
                                                   "Each line · iteration 1 · ✗ failed"])
    _view_shot(page, stepper, "stepper-nb12-chair-failed")

    picker.select_option(label="Each line · iteration 0 · ✓ succeeded")
    xray.filter(has_text="iteration 0").wait_for()
    expect(xray.locator(".sfl-error, .sfl-caught")).to_have_count(0)
    expect(xray).to_contain_text("lamp")
    picker.select_option(label="—")

    stepper_button(stepper, "Step").click()
    _expect_header(stepper, r"FAILED.*step 3 of 3 recorded")
    expect(history).to_contain_text("MapStateFailed")
    if stepper.locator(".sfl-diagram svg").count():
        assert _fill(stepper, "Each line") == "#de322f"
    _view_shot(page, stepper, "stepper-nb12-failed")
    _fits_the_view(page, stepper)
