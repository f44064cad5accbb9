"""The step-through debugger, headless: every control driven with ``Button.click()``.

Runs on the seed example (the course README's Choice between Lambda tasks) and
on a machine with Parallel, Map, Retry and Catch, plus a callback task. Each
test asserts the execution's state, what the panes show and where the history
cursor is. No browser: ipywidgets works without a front end.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("ipywidgets")

import stepfn_lab as sfl  # noqa: E402
from stepfn_lab.ui import panes, style  # noqa: E402
from stepfn_lab.ui import recorder as ui_recorder  # noqa: E402
from stepfn_lab.widgets import Compare, Stepper  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"

SEED = {
    "Comment": "An example of the Amazon States Language using a choice state.",
    "StartAt": "FirstState",
    "States": {
        "FirstState": {"Type": "Task", "Resource": LAMBDA + "FUNCTION_NAME", "Next": "ChoiceState"},
        "ChoiceState": {"Type": "Choice", "Choices": [
            {"Variable": "$.foo", "NumericEquals": 1, "Next": "FirstMatchState"},
            {"Variable": "$.foo", "NumericEquals": 2, "Next": "SecondMatchState"}], "Default": "DefaultState"},
        "FirstMatchState": {"Type": "Task", "Resource": LAMBDA + "OnFirstMatch", "Next": "NextState"},
        "SecondMatchState": {"Type": "Task", "Resource": LAMBDA + "OnSecondMatch", "Next": "NextState"},
        "DefaultState": {"Type": "Fail", "Error": "DefaultStateError", "Cause": "No Matches!"},
        "NextState": {"Type": "Task", "Resource": LAMBDA + "FUNCTION_NAME", "End": True},
    },
}

RICH = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Parameters": {"items.$": "$.items", "id.$": "$.id"},
                    "Assign": {"attempts": 0}, "Next": "Fan"},
        "Fan": {"Type": "Parallel", "ResultPath": "$.parallel", "Next": "EachItem", "Branches": [
            {"StartAt": "Charge", "States": {"Charge": {
                "Type": "Task", "Resource": LAMBDA + "Charge",
                "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 2, "MaxAttempts": 3}], "End": True}}},
            {"StartAt": "Notify", "States": {"Notify": {"Type": "Pass", "Result": "sent", "End": True}}}]},
        "EachItem": {"Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.results", "Next": "Done",
                     "ItemProcessor": {"StartAt": "Check", "States": {
                         "Check": {"Type": "Task", "Resource": LAMBDA + "Check",
                                   "Catch": [{"ErrorEquals": ["BadItem"], "ResultPath": "$.error", "Next": "Skip"}],
                                   "End": True},
                         "Skip": {"Type": "Pass", "Result": "skipped", "End": True}}}},
        "Done": {"Type": "Succeed"},
    },
}

CALLBACK = {
    "StartAt": "Ask",
    "States": {
        "Ask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "Approve",
                               "Payload": {"order.$": "$.order", "token.$": "$$.Task.Token"}},
                "ResultPath": "$.approval", "Next": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 5, "Next": "Finish"},
        "Finish": {"Type": "Pass", "End": True},
    },
}


class Flaky(Exception):
    pass


class BadItem(Exception):
    pass


def seed_lambdas(calls: list | None = None) -> dict:
    def record(name, result):
        def handler(event, context):
            if calls is not None:
                calls.append(name)
            return result(event)
        return handler

    return {
        "FUNCTION_NAME": record("FUNCTION_NAME", lambda e: {**e, "seen": e.get("seen", 0) + 1}),
        "OnFirstMatch": record("OnFirstMatch", lambda e: {**e, "matched": "first"}),
        "OnSecondMatch": record("OnSecondMatch", lambda e: {**e, "matched": "second"}),
    }


def rich_lambdas() -> dict:
    charges: list = []

    def charge(event, context):
        charges.append(event)
        if len(charges) == 1:
            raise Flaky("the card service timed out")
        return {"charged": event["id"]}

    def check(item, context):
        if item["n"] == 2:
            raise BadItem("item 2 is out of stock")
        return {"n": item["n"], "score": item["n"] * 10}

    return {"Charge": charge, "Check": check}


RICH_INPUT = {"id": "o-1", "items": [{"n": 1}, {"n": 2}, {"n": 3}]}


def seed_stepper(foo: int = 1, calls: list | None = None) -> Stepper:
    return Stepper(sfl.StateMachine.from_json(SEED, name="Seed"), {"foo": foo}, lambdas=seed_lambdas(calls))


def rich_stepper() -> Stepper:
    return Stepper(sfl.StateMachine.from_json(RICH, name="Orders"), RICH_INPUT, lambdas=rich_lambdas())


def now_rows(stepper: Stepper) -> list[int]:
    """Ids of the history rows highlighted as the current step's events."""
    return [int(i) for i in re.findall(r'<tr class="sfl-now" data-event="(\d+)"', stepper._history.value)]


def stage_classes(stepper: Stepper) -> dict[str, str]:
    return dict((stage, cls) for cls, stage in re.findall(r'<tr class="([\w-]+)" data-stage="(\w+)"',
                                                           stepper._xray.value))


def history_types(stepper: Stepper) -> list[str]:
    return [e.type for e in stepper.execution.history]


# --------------------------------------------------------------------------- the seed example

def test_a_new_stepper_is_at_the_start() -> None:
    stepper = seed_stepper()
    assert repr(stepper) == "Stepper(machine='Seed', state='FirstState', step 0/0, status=RUNNING)"
    assert stepper.execution.status == "RUNNING" and stepper.execution.steps == []
    assert "step <b>0</b> of 0 recorded" in stepper._header.value
    assert "press <b>Step</b>" in stepper._xray.value
    assert stepper._back.disabled and not stepper._step.disabled
    assert stepper._run_break.disabled  # no breakpoint chosen yet
    assert history_types(stepper) == ["ExecutionStarted"]


def test_the_notebook_text_is_the_short_stable_repr() -> None:
    bundle = seed_stepper()._repr_mimebundle_()
    assert bundle["text/plain"] == "Stepper(machine='Seed', state='FirstState', step 0/0, status=RUNNING)"
    assert "application/vnd.jupyter.widget-view+json" in bundle
    long_name = Stepper(sfl.StateMachine.from_json(SEED, name="A" * 80), {"foo": 1}, lambdas=seed_lambdas())
    assert len(repr(long_name)) < 110  # ipywidgets cuts text/plain at 110 characters


def test_step_shows_the_state_that_ran_and_its_events() -> None:
    stepper = seed_stepper()
    stepper._step.click()
    assert repr(stepper) == "Stepper(machine='Seed', state='ChoiceState', step 1/1, status=RUNNING)"
    assert [s.state for s in stepper.execution.steps] == ["FirstState"]
    assert "<b>FirstState</b> (Task)" in stepper._xray.value
    assert now_rows(stepper) == [2, 3, 4, 5, 6]  # TaskStateEntered .. TaskStateExited
    assert "next: <b>ChoiceState</b>" in stepper._header.value
    assert not stepper._back.disabled
    # The handler added "seen": the result stage changed, InputPath did not.
    classes = stage_classes(stepper)
    assert classes["result"] == "sfl-changed"
    assert classes["afterInputPath"] == "sfl-same"
    assert "&quot;seen&quot;: 1" in stepper._xray.value


def test_back_rewinds_and_step_replays_without_calling_handlers_again() -> None:
    calls: list = []
    stepper = seed_stepper(calls=calls)
    for _ in range(3):
        stepper._step.click()
    assert calls == ["FUNCTION_NAME", "OnFirstMatch"]
    assert stepper.position == 3 and stepper.recorded == 3
    stepper._back.click()
    stepper._back.click()
    assert repr(stepper) == "Stepper(machine='Seed', state='ChoiceState', step 1/3, status=RUNNING)"
    assert [s.state for s in stepper.execution.steps] == ["FirstState"]
    assert len(stepper.execution.history) == 6  # the history is rewound too
    assert now_rows(stepper) == [2, 3, 4, 5, 6]
    stepper._step.click()
    assert stepper.position == 2 and stepper.recorded == 3
    assert calls == ["FUNCTION_NAME", "OnFirstMatch"]  # replayed from the record
    assert "<b>ChoiceState</b> (Choice)" in stepper._xray.value
    stepper._back.click()
    stepper._back.click()
    assert stepper.position == 0 and stepper._back.disabled
    assert stepper.back() is False


def test_run_to_end_finishes_and_disables_the_forward_buttons() -> None:
    stepper = seed_stepper()
    stepper._run_end.click()
    ex = stepper.execution
    assert ex.status == "SUCCEEDED"
    assert ex.output == {"foo": 1, "seen": 2, "matched": "first"}
    assert repr(stepper) == "Stepper(machine='Seed', state='NextState', step 4/4, status=SUCCEEDED)"
    assert history_types(stepper)[-1] == "ExecutionSucceeded"
    assert now_rows(stepper)[-1] == len(ex.history)  # the closing event belongs to the last step
    assert stepper._step.disabled and stepper._run_end.disabled and stepper._play.disabled
    assert not stepper._back.disabled
    stepper._back.click()
    assert stepper.execution.status == "RUNNING" and stepper.position == 3


def test_the_default_branch_fails_the_execution() -> None:
    stepper = seed_stepper(foo=7)
    stepper._run_end.click()
    assert stepper.execution.status == "FAILED"
    assert stepper.execution.error == "DefaultStateError"
    assert repr(stepper) == "Stepper(machine='Seed', state='DefaultState', step 3/3, status=FAILED)"
    assert "<b>DefaultState</b> (Fail)" in stepper._xray.value
    assert "DefaultStateError" in stepper._xray.value and "No Matches!" in stepper._xray.value
    assert style.FAILED_COLOUR in stepper._header.value


@pytest.mark.parametrize(("mode", "expected_state", "position"), [("before", "NextState", 3), ("after", None, 4)])
def test_run_to_breakpoint_stops_before_or_after_the_state(mode: str, expected_state: str | None,
                                                          position: int) -> None:
    stepper = seed_stepper()
    stepper.breakpoints = ["NextState"]
    stepper._stop_mode.value = mode
    assert not stepper._run_break.disabled
    stepper._run_break.click()
    assert stepper.position == position
    if mode == "before":
        assert stepper.execution.current == [("", "NextState", "enter")]
        assert stepper.execution.steps[-1].state == "FirstMatchState"
    else:
        assert stepper.execution.steps[-1].state == "NextState"
        assert stepper.execution.status == "SUCCEEDED"


def test_run_to_breakpoint_goes_past_the_breakpoint_it_stands_at() -> None:
    stepper = seed_stepper()
    stepper.breakpoints = ["ChoiceState", "NextState"]
    stepper._run_break.click()
    assert stepper.execution.current == [("", "ChoiceState", "enter")]
    stepper._run_break.click()
    assert stepper.execution.current == [("", "NextState", "enter")]
    stepper._run_break.click()
    assert stepper.execution.status == "SUCCEEDED"
    assert stepper._run_break.disabled


def test_run_to_breakpoint_after_back_replays_the_record() -> None:
    calls: list = []
    stepper = seed_stepper(calls=calls)
    stepper._run_end.click()
    for _ in range(4):
        stepper._back.click()
    stepper.breakpoints = ["FirstMatchState"]
    stepper._stop_mode.value = "after"
    stepper._run_break.click()
    assert stepper.position == 3 and stepper.execution.steps[-1].state == "FirstMatchState"
    assert calls == ["FUNCTION_NAME", "OnFirstMatch", "FUNCTION_NAME"]  # only the first run called them


def test_play_steps_on_each_tick_and_pauses_at_a_breakpoint_and_at_the_end() -> None:
    stepper = seed_stepper()
    stepper._speed.value = 4.0
    assert stepper.player.interval == 250
    stepper.breakpoints = ["FirstMatchState"]
    stepper._play.click()
    assert stepper.player.playing and stepper._play.description == "Pause"
    assert stepper._step.disabled and stepper._back.disabled  # one driver at a time
    stepper.player.value += 1  # the browser's timer ticks
    assert stepper.position == 1 and stepper.player.playing
    stepper.player.value += 1
    assert stepper.position == 2 and not stepper.player.playing  # stopped before FirstMatchState
    assert stepper._play.description == "Play"
    stepper.player.value += 1  # a late tick after the pause does nothing
    assert stepper.position == 2
    stepper._play.click()
    for _ in range(5):
        stepper.player.value += 1
    assert stepper.execution.status == "SUCCEEDED" and not stepper.player.playing
    assert stepper.position == 4 and stepper._play.disabled


def test_pause_stops_play() -> None:
    stepper = seed_stepper()
    stepper._play.click()
    stepper.player.value += 1
    stepper._play.click()
    assert not stepper.player.playing and stepper._play.description == "Play"
    stepper.player.value += 1
    assert stepper.position == 1


def test_the_input_editor_checks_json_as_it_is_typed_and_reset_uses_it() -> None:
    stepper = seed_stepper()
    stepper._step.click()
    old = stepper.execution
    stepper._input.value = '{\n  "foo": 2,\n  "bar": }'
    assert "line 3, column 10" in stepper._input_check.value
    assert stepper._reset.disabled
    stepper._reset.click()  # a disabled button's click is ignored by the browser; the handler refuses too
    assert stepper.execution is old
    assert "not valid JSON" in stepper._header.value
    stepper._input.value = '{"foo": 2}'
    assert "✓ valid JSON" in stepper._input_check.value and not stepper._reset.disabled
    stepper._reset.click()
    assert stepper.execution is not old
    assert stepper.execution.input == {"foo": 2}
    assert repr(stepper) == "Stepper(machine='Seed', state='FirstState', step 0/0, status=RUNNING)"
    stepper._run_end.click()
    assert stepper.execution.output["matched"] == "second"


def test_reset_from_code_fills_the_editor() -> None:
    stepper = seed_stepper()
    stepper.reset({"foo": 1, "note": "again"})
    assert json.loads(stepper._input.value) == {"foo": 1, "note": "again"}
    assert stepper.execution.input == {"foo": 1, "note": "again"}


def test_a_stepper_on_an_existing_execution() -> None:
    machine = sfl.StateMachine.from_json(SEED, name="Seed")
    execution = machine.start({"foo": 1}, lambdas=seed_lambdas())
    stepper = Stepper(execution)
    assert stepper.execution is execution
    stepper._run_end.click()
    assert execution.status == "SUCCEEDED"
    stepper._input.value = '{"foo": 2}'
    stepper._reset.click()  # the new execution keeps the handlers
    stepper._run_end.click()
    assert stepper.execution.output["matched"] == "second"
    with pytest.raises(sfl.StepFnLabError, match="already has its input"):
        Stepper(execution, {"foo": 1})


def test_the_clock_pane_shows_virtual_time() -> None:
    stepper = callback_stepper()
    assert f"virtual clock <b>{stepper.execution.clock.iso()}</b>" in stepper._header.value
    stepper._step.click()
    stepper.send_task_success({"ok": True})
    stepper._step.click()  # the Wait state: five virtual seconds, no sleeping
    assert stepper.execution.clock.now == 5.0
    assert "+5.000s since start" in stepper._header.value
    assert stepper.execution.clock.iso() in stepper._header.value


# --------------------------------------------------------------------------- callbacks

def callback_stepper(received: list | None = None) -> Stepper:
    def approve(event, context):  # the worker gets the token; the learner plays its answer
        if received is not None:
            received.append(event["token"])

    return Stepper(sfl.StateMachine.from_json(CALLBACK, name="Approval"), {"order": 7},
                   lambdas={"Approve": approve})


def test_a_task_waiting_for_a_callback_shows_the_send_buttons() -> None:
    received: list = []
    stepper = callback_stepper(received)
    assert stepper._callback_box.layout.display == "none"
    stepper._step.click()
    ex = stepper.execution
    assert received == list(ex.tokens)  # the handler was given the token the dropdown offers
    assert ex.waiting and len(ex.tokens) == 1
    assert stepper._callback_box.layout.display is None
    assert stepper._step.disabled and stepper._run_end.disabled  # only a callback moves it on
    assert "waiting for a callback" in stepper._header.value
    assert "WAITING" in stepper._xray.value and "<b>Ask</b> (Task)" in stepper._xray.value
    assert stepper._tokens.value == next(iter(ex.tokens))
    assert history_types(stepper)[-1] == "TaskSubmitted"
    # Send task success with the output typed in the editor.
    stepper._callback_output.value = '{"approved": tru'
    assert stepper._send_success.disabled and "line 1" in stepper._callback_check.value
    stepper._callback_output.value = '{"approved": true}'
    stepper._send_success.click()
    assert not ex.tokens and stepper._callback_box.layout.display == "none"
    assert ex.steps[-1].state == "Ask" and ex.steps[-1].trace["result"] == {"approved": True}
    assert "TaskSucceeded" in history_types(stepper)
    assert stepper.position == 2 and "<b>Ask</b> (Task)" in stepper._xray.value
    stepper._run_end.click()
    assert ex.status == "SUCCEEDED" and ex.output == {"order": 7, "approval": {"approved": True}}


def test_back_to_a_waiting_task_then_send_failure_instead() -> None:
    stepper = callback_stepper()
    stepper._step.click()
    stepper._send_success.click()  # output {} by default
    stepper._run_end.click()
    assert stepper.execution.status == "SUCCEEDED"
    while stepper.position > 1:
        stepper._back.click()
    assert stepper.execution.waiting and stepper._callback_box.layout.display is None
    stepper._callback_error.value = "Rejected"
    stepper._callback_cause.value = "the manager said no"
    stepper._send_failure.click()
    ex = stepper.execution
    assert ex.status == "FAILED" and ex.error == "Rejected" and ex.cause == "the manager said no"
    assert stepper.recorded == 2  # the old future was dropped: this is a new one
    assert "Rejected" in stepper._xray.value


def test_sending_without_a_waiting_task_says_so() -> None:
    stepper = seed_stepper()
    with pytest.raises(sfl.StepFnLabError, match="no task is waiting for a callback"):
        stepper.send_task_success({})
    stepper._send_success.click()  # the button shows the message instead of raising
    assert "no task is waiting for a callback" in stepper._header.value
    assert stepper.position == 0


# --------------------------------------------------------------------------- Parallel, Map, Retry, Catch

def test_parallel_map_retry_and_catch_step_by_step() -> None:
    stepper = rich_stepper()
    stepper._step.click()
    assert "<b>Prepare</b> (Pass)" in stepper._xray.value
    assert "$attempts" in stepper._variables.value and "sfl-changed" in stepper._variables.value
    states = []
    while not stepper._step.disabled:
        stepper._step.click()
        states.append((stepper.execution.steps[-1].state, stepper.execution.steps[-1].path))
    ex = stepper.execution
    assert ex.status == "SUCCEEDED"
    assert ("Notify", "Fan[branch 1]") in states and ("Charge", "Fan[branch 0]") in states
    assert ("Skip", "EachItem[1]") in states and states[-1] == ("Done", "")
    assert ex.output["results"] == [{"n": 1, "score": 10}, "skipped", {"n": 3, "score": 30}]
    assert history_types(stepper).count("LambdaFunctionFailed") == 2  # the retried Charge, the caught Check
    assert ex.clock.now == 2.0  # the retry waited IntervalSeconds on the virtual clock


def test_the_pickers_switch_the_xray_to_an_inner_run() -> None:
    stepper = rich_stepper()
    assert stepper._pickers.layout.display is None  # this machine has Map and Parallel states
    assert [label for label, _ in stepper._map_picker.options] == ["—"]
    stepper._run_end.click()
    assert [v for _, v in stepper._map_picker.options] == ["", "EachItem[0]", "EachItem[1]", "EachItem[2]"]
    assert [v for _, v in stepper._branch_picker.options] == ["", "Fan[branch 0]", "Fan[branch 1]"]
    assert "<b>Done</b> (Succeed)" in stepper._xray.value

    stepper._map_picker.value = "EachItem[1]"
    assert "Data flow of EachItem · iteration 1" in stepper._xray.value
    assert "<b>Skip</b> (Pass)" in stepper._xray.value  # the iteration's latest step
    assert [label for label, _ in stepper._run_steps.options] == ["1. Check (CAUGHT_ERROR)", "2. Skip (SUCCEEDED)"]
    assert stepper._run_steps.layout.display is None
    stepper._run_steps.value = stepper._run_steps.options[0][1]
    assert "BadItem" in stepper._xray.value and "out of stock" in stepper._xray.value
    assert style.CAUGHT_COLOUR in stepper._xray.value
    # The history highlights that step's events and stops a few events after it.
    check = stepper.execution.steps[stepper._run_steps.value]
    rows = now_rows(stepper)
    assert rows and all(check.first_event <= i <= check.last_event for i in rows)
    assert "later events" in stepper._history.value

    stepper._branch_picker.value = "Fan[branch 0]"
    assert stepper._map_picker.value == ""  # one inner run at a time
    assert "<b>Charge</b> (Task)" in stepper._xray.value and "charged" in stepper._xray.value

    stepper._branch_picker.value = ""
    assert "<b>Done</b> (Succeed)" in stepper._xray.value
    assert stepper._run_steps.layout.display == "none"


def test_back_before_an_inner_run_started_resets_its_picker() -> None:
    stepper = rich_stepper()
    stepper._run_end.click()
    stepper._map_picker.value = "EachItem[2]"
    while stepper.position > 2:
        stepper._back.click()
    assert stepper._map_picker.value == ""
    assert [v for _, v in stepper._map_picker.options] == [""]


def test_the_seed_has_no_pickers() -> None:
    assert seed_stepper()._pickers.layout.display == "none"


def test_an_unknown_breakpoint_names_the_choices() -> None:
    stepper = seed_stepper()
    with pytest.raises(sfl.StepFnLabError, match="no state named 'Nextstate'.*NextState"):
        stepper.breakpoints = ["Nextstate"]
    stepper.breakpoints = "NextState"
    assert stepper.breakpoints == ("NextState",)


def test_breakpoints_list_nested_states() -> None:
    labels = [label for label, _ in rich_stepper()._breakpoints.options]
    assert labels == ["Prepare", "Fan", "Charge  (in Fan)", "Notify  (in Fan)", "EachItem", "Check  (in EachItem)",
                      "Skip  (in EachItem)", "Done"]


def test_a_breakpoint_inside_a_map_iteration() -> None:
    stepper = rich_stepper()
    stepper.breakpoints = ["Skip"]
    stepper._run_break.click()
    assert ("EachItem[1]", "Skip", "enter") in stepper.execution.current
    stepper._stop_mode.value = "after"
    stepper._run_break.click()
    assert stepper.execution.steps[-1].state == "Skip"


# --------------------------------------------------------------------------- the diagram pane

def node_fill(svg: str, state: str) -> str:
    """The fill colour of a state's box in the diagram's SVG (lower case, as Graphviz writes it)."""
    shape = r'<(?:path|polygon|ellipse) fill="(#[0-9a-fA-F]{6})"'
    match = re.search(rf'xlink:title="{re.escape(state)} \(\w+\)[^"]*">\s*' + shape, svg)
    assert match, f"no node for {state} in the SVG"
    return match.group(1).lower()


@pytest.mark.dot
def test_the_diagram_highlights_the_next_state_and_the_visited_path() -> None:
    stepper = seed_stepper()
    stepper._step.click()
    svg = stepper._diagram.value
    assert "<svg" in svg and "<?xml" not in svg
    assert node_fill(svg, "FirstState") == style.SUCCEEDED_COLOUR.lower()
    assert node_fill(svg, "ChoiceState") == style.IN_PROGRESS_COLOUR.lower()  # the next state
    assert 'id="sfl' in svg  # ids prefixed: several steppers can share a page
    stepper._step.click()
    svg = stepper._diagram.value
    assert node_fill(svg, "ChoiceState") == style.SUCCEEDED_COLOUR.lower()
    assert node_fill(svg, "FirstMatchState") == style.IN_PROGRESS_COLOUR.lower()
    stepper._back.click()
    assert node_fill(stepper._diagram.value, "ChoiceState") == style.IN_PROGRESS_COLOUR.lower()


@pytest.mark.dot
def test_the_map_picker_shows_the_iteration_in_the_diagram() -> None:
    stepper = rich_stepper()
    stepper._run_end.click()
    stepper._map_picker.value = "EachItem[1]"
    svg = stepper._diagram.value
    assert "showing index 1 of 3 iterations" in svg
    assert node_fill(svg, "Check") == style.CAUGHT_COLOUR.lower()  # caught in iteration 1
    stepper._map_picker.value = "EachItem[0]"
    assert node_fill(stepper._diagram.value, "Check") == style.SUCCEEDED_COLOUR.lower()


def test_without_graphviz_the_diagram_is_a_text_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from stepfn_lab.views import render

    def missing(*args, **kwargs):
        raise render.GraphvizMissing("The Graphviz 'dot' program")

    monkeypatch.setattr(render, "to_svg", missing)
    stepper = seed_stepper()
    stepper._step.click()
    html = stepper._diagram.value
    assert "<svg" not in html and "Diagram (text)" in html
    assert "FirstState" in html and "ChoiceState" in html
    assert "apt-get install graphviz" in html


# --------------------------------------------------------------------------- the recorder

def test_the_snapshot_budget_limits_how_far_back_goes() -> None:
    machine = sfl.StateMachine.from_json(SEED, name="Seed")
    recorder = ui_recorder.Recorder(machine.start({"foo": 1}, lambdas=seed_lambdas()), budget=30)
    recorder.run()
    assert recorder.recorded == 4
    kept = [p.snapshot is not None for p in recorder.positions]
    assert kept[-1] and not kept[0]
    assert sum(p.events for p, k in zip(recorder.positions, kept) if k) <= 30
    while recorder.back():
        pass
    assert recorder.cursor > 0 and recorder.positions[recorder.cursor - 1].snapshot is None


def test_a_long_run_records_a_limited_number_of_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ui_recorder, "RECORDED_STEPS_PER_RUN", 2)
    machine = sfl.StateMachine.from_json(SEED, name="Seed")
    recorder = ui_recorder.Recorder(machine.start({"foo": 1}, lambdas=seed_lambdas()))
    recorder.run()
    assert recorder.execution.status == "SUCCEEDED"
    assert recorder.recorded == 3  # two recorded steps, then the rest as one position
    assert len(recorder.moved_steps()) == 2


# --------------------------------------------------------------------------- panes

def test_check_json_names_line_and_column() -> None:
    assert panes.check_json('{"a": 1}').ok
    bad = panes.check_json('{\n "a": 1,\n}')
    assert not bad.ok and (bad.line, bad.column) == (3, 1)
    assert "line 3, column 1" in bad.message
    assert not panes.check_json("   ").ok


def test_the_colours_are_the_console_legend() -> None:
    from stepfn_lab.views import render

    assert style.SUCCEEDED_COLOUR == render.STATUS_COLOURS["succeeded"] == "#2BD62E"
    assert style.FAILED_COLOUR == render.STATUS_COLOURS["failed"] == "#DE322F"
    assert style.CAUGHT_COLOUR == render.STATUS_COLOURS["caught"] == "#FFA500"
    assert style.IN_PROGRESS_COLOUR == render.STATUS_COLOURS["in_progress"] == "#53C9ED"
    assert style.ABORTED_COLOUR == render.STATUS_COLOURS["cancelled"] == "#DDDDDD"  # the console's Cancelled


def test_run_labels_and_map_selection() -> None:
    assert panes.run_label("EachItem[3]") == "EachItem · iteration 3"
    assert panes.run_label("Fan[branch 1]") == "Fan · branch 1"
    assert panes.run_label("Outer[2]/Fan[branch 0]") == "Outer[2] / Fan · branch 0"
    assert panes.map_selection("Outer[2]/Fan[branch 0]/Inner[5]") == {"Outer": 2, "Inner": 5}
    assert panes.map_selection("") == {}


def test_json_in_panes_keeps_small_objects_on_one_line() -> None:
    text = style.to_json({"items": [{"n": 1}, {"n": 2}], "nested": {"long": "x" * 80}})
    assert text.splitlines()[1] == '  "items": [{"n": 1}, {"n": 2}],'
    assert style.to_json({"a": 1}) == '{"a": 1}'
    assert style.to_json(list(range(2000)), limit=100).endswith("…")


def test_the_panes_modules_do_not_load_ipywidgets() -> None:
    code = ("import sys, stepfn_lab.ui.panes, stepfn_lab.ui.dataflow, stepfn_lab.ui.recorder, stepfn_lab.ui.style; "
            "print('ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- Compare

def test_compare_runs_standard_and_express_side_by_side() -> None:
    compare = Compare(SEED, {"foo": 1}, lambdas=seed_lambdas(), name="Seed")
    assert repr(compare) == "Compare(machine='Seed', standard=SUCCEEDED, express=SUCCEEDED)"
    assert compare._repr_mimebundle_()["text/plain"] == repr(compare)
    assert compare.standard.machine.workflow_type == "STANDARD"
    assert compare.express.machine.workflow_type == "EXPRESS"
    standard, express = compare._standard_html.value, compare._express_html.value
    assert f"{len(compare.standard.history)} events" in standard
    assert "exactly-once" in standard and "up to 1 year" in standard
    assert f"no history — {len(compare.express.logs())} CloudWatch Logs records" in express
    assert "at-least-once" in express and "up to 5 minutes" in express
    assert "$0.025 per 1,000 state transitions" in standard
    assert "$1.00 per million requests" in express
    assert f"${compare.standard.cost().total_usd:.7f}</b> for this run" in standard
    assert f"${compare.express.cost().total_usd:.7f}</b> for this run" in express
    assert "runs a month" in standard and "runs a month" in express
    assert "state transitions</th><td>4<" in standard


def test_compare_switches_express_to_synchronous() -> None:
    compare = Compare(sfl.StateMachine.from_json(SEED, name="Seed"), {"foo": 2}, lambdas=seed_lambdas())
    first = compare.express
    compare._mode.value = True
    assert compare.sync and compare.express is not first
    assert "at-most-once" in compare._express_html.value
    assert "Express (synchronous)" in compare._express_html.value
    assert compare.express.output["matched"] == "second"


def test_compare_shows_why_a_workflow_type_cannot_run() -> None:
    broken = {"StartAt": "Missing", "States": {"A": {"Type": "Pass", "End": True}}}
    compare = Compare(broken, {})
    assert compare.standard is None and compare.express is None
    assert "Standard cannot run this definition" in compare._standard_html.value
    assert repr(compare) == "Compare(machine='Compare', standard=NOT_RUN, express=NOT_RUN)"


def test_run_with_progress_counts_map_iterations():
    import stepfn_lab as sfl
    from stepfn_lab.widgets import map_progress, run_with_progress
    machine = sfl.StateMachine.from_json({"StartAt": "M", "States": {"M": {
        "Type": "Map", "MaxConcurrency": 2, "End": True,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}})
    execution = machine.start(list(range(50)))
    for _ in range(20):
        execution.advance()
    done, total = map_progress(execution)
    assert total == 50 and 0 < done < 50
    finished = run_with_progress(execution, every=10)
    assert finished.status == "SUCCEEDED" and finished.output == list(range(50))


# --------------------------------------------------------------------------- issue 16: the Stepper tells the truth

FURNITURE_INPUT = {"furniture": "wardrobe", "shelves": 3}


def furniture_stepper(misaligned: int) -> Stepper:
    return Stepper(sfl.examples.load("furniture_assembly"), {**FURNITURE_INPUT, "misalignedTries": misaligned},
                   lambdas=sfl.examples.handlers("furniture_assembly"))


def error_boxes(stepper: Stepper) -> list[str]:
    """The error boxes the data-flow pane shows: 'error' (red, uncaught) or 'caught' (orange)."""
    return re.findall(r'<div class="sfl-(error|caught|aborted)"', stepper._xray.value)


def test_each_attempt_of_a_retried_state_is_one_step_and_the_clock_moves_with_it() -> None:
    stepper = furniture_stepper(5)
    seen = []
    while not stepper._step.disabled:
        stepper._step.click()
        step = ui_recorder.focus_step(stepper._recorder.moved_steps())
        seen.append((step.state, step.status, step.attempt, stepper.execution.clock.now, error_boxes(stepper)))
    assert seen == [
        ("BuildFrame", "SUCCEEDED", 1, 0.0, []),
        ("AddShelves", "SUCCEEDED", 1, 0.0, []),
        ("HangDoors", "RETRYING", 1, 0.0, ["caught"]),   # the first try fails; the Retry will wait 2 s
        ("HangDoors", "RETRYING", 2, 2.0, ["caught"]),   # the clock jumped 2 s, then the second try failed
        ("HangDoors", "CAUGHT_ERROR", 3, 6.0, ["caught"]),  # 4 s more; retries used up: the Catch goes on
        ("CallForHelp", "SUCCEEDED", 1, 6.0, []),
        ("AssemblyFailed", "FAILED", 1, 6.0, ["error"]),  # red: nothing caught this one
    ]
    assert [s.error for s in stepper.execution.steps] == [None, None, "DoorMisaligned", "DoorMisaligned",
                                                          "DoorMisaligned", None, "AssemblyFailed"]
    assert [s.retry_in for s in stepper.execution.steps[2:4]] == [2, 4]


def test_after_a_retry_succeeds_no_later_step_shows_an_error() -> None:
    stepper = furniture_stepper(1)
    stepper._run_end.click()
    ex = stepper.execution
    assert ex.status == "SUCCEEDED"
    assert [(s.state, s.status, s.error) for s in ex.steps] == [
        ("BuildFrame", "SUCCEEDED", None), ("AddShelves", "SUCCEEDED", None),
        ("HangDoors", "RETRYING", "DoorMisaligned"), ("HangDoors", "SUCCEEDED", None),
        ("AttachHandles", "SUCCEEDED", None), ("Assembled", "SUCCEEDED", None)]
    assert ex.steps[3].attempt == 2  # "at which attempt did it succeed?"
    assert error_boxes(stepper) == []  # the final Succeed state: no red box
    stepper._back.click()
    stepper._back.click()
    assert ui_recorder.focus_step(stepper._recorder.moved_steps()).status == "SUCCEEDED"
    assert error_boxes(stepper) == []  # HangDoors's successful attempt
    stepper._back.click()
    assert error_boxes(stepper) == ["caught"] and "attempt 1 failed" in stepper._xray.value


def test_step_over_runs_a_whole_retry_sequence() -> None:
    stepper = furniture_stepper(2)
    stepper.step()
    stepper.step()
    assert stepper.step_over()
    moved = stepper._recorder.moved_steps()
    assert [(s.state, s.status, s.attempt) for s in moved] == [
        ("HangDoors", "RETRYING", 1), ("HangDoors", "RETRYING", 2), ("HangDoors", "SUCCEEDED", 3)]
    assert stepper.execution.clock.now == 6.0 and stepper.position == 3
    stepper._back.click()
    assert stepper.position == 2 and stepper.execution.clock.now == 0.0  # one Back undoes the whole Step over


MAP_ORDER = {
    "StartAt": "Each line",
    "States": {"Each line": {
        "Type": "Map", "ItemsPath": "$.lines", "ResultPath": "$.reserved", "End": True,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Reserve", "States": {
            "Reserve": {"Type": "Task", "Resource": LAMBDA + "Reserve", "Next": "Pack"},
            "Pack": {"Type": "Wait", "Seconds": 10, "End": True}}}}},
}
LINES = {"lines": [{"sku": "lamp", "qty": 1}, {"sku": "chair", "qty": 6}, {"sku": "desk", "qty": 1}]}


def reserve(line, context):
    if line["qty"] > 3:
        raise ValueError(f"only 3 {line['sku']}s left")
    return {"sku": line["sku"], "reserved": line["qty"]}


def map_stepper(lines: dict = LINES) -> Stepper:
    return Stepper(sfl.StateMachine.from_json(MAP_ORDER, name="Lines"), lines, lambdas={"Reserve": reserve})


def test_a_map_step_is_one_state_of_one_iteration_in_history_order() -> None:
    ok = {"lines": [{"sku": "lamp", "qty": 1}, {"sku": "desk", "qty": 2}]}
    stepper = map_stepper(ok)
    moves = []
    while not stepper._step.disabled:
        stepper._step.click()
        moves.append([(s.state, s.path, s.status) for s in stepper._recorder.moved_steps()])
    assert moves == [
        [("Reserve", "Each line[0]", "SUCCEEDED")],
        [("Reserve", "Each line[1]", "SUCCEEDED")],
        [("Pack", "Each line[0]", "SUCCEEDED")],  # both Waits ran together: 10 s on the clock, once
        [("Pack", "Each line[1]", "SUCCEEDED")],
        [("Each line", "", "SUCCEEDED")],
    ]
    assert stepper.execution.duration == 10
    ex = stepper.execution
    # each step's events belong to its own iteration: the history is written one state at a time
    first = ex.steps[0]
    own = [e for e in ex.history.events[first.first_event - 1:first.last_event] if e.frame == "Each line[0]"]
    assert [e.type for e in own] == ["TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
                                     "LambdaFunctionSucceeded", "TaskStateExited"]
    assert stepper.runs == {"Each line[0]": "SUCCEEDED", "Each line[1]": "SUCCEEDED"}


def test_iterations_stopped_by_a_failing_sibling_get_their_closing_events_and_can_be_inspected() -> None:
    stepper = map_stepper()
    stepper.step()  # iteration 0 reserves the lamp
    stepper.step()  # iteration 1 fails on the chair
    failed = ui_recorder.focus_step(stepper._recorder.moved_steps())
    assert (failed.state, failed.path, failed.status, failed.error) == ("Reserve", "Each line[1]", "FAILED",
                                                                       "ValueError")
    assert error_boxes(stepper) == ["error"]
    types = history_types(stepper)
    assert types[-3:] == ["MapIterationFailed", "MapIterationAborted", "MapIterationAborted"]
    aborted = [e.details["index"] for e in stepper.execution.history if e.type == "MapIterationAborted"]
    assert aborted == [0, 2]  # iteration 0 was between its states, iteration 2 had not started its first
    assert stepper.runs == {"Each line[0]": "ABORTED", "Each line[1]": "FAILED", "Each line[2]": "ABORTED"}
    labels = [label for label, _ in stepper._map_picker.options]
    assert labels == ["—", "Each line · iteration 0 · ⊘ aborted", "Each line · iteration 1 · ✗ failed",
                      "Each line · iteration 2 · ⊘ aborted"]
    stepper._map_picker.value = "Each line[0]"  # the lamp's Reserve succeeded before the stop
    assert "Reserve" in stepper._xray.value and error_boxes(stepper) == []
    stepper._map_picker.value = "Each line[2]"
    assert "Stopped before any of its states finished" in stepper._xray.value
    stepper._map_picker.value = ""
    stepper.step()
    assert stepper.execution.status == "FAILED" and history_types(stepper)[-2:] == ["MapStateFailed",
                                                                                   "ExecutionFailed"]


def test_a_task_in_progress_in_a_stopped_branch_gets_task_state_aborted() -> None:
    stepper = both_stepper()
    stepper._run_end.click()
    ex = stepper.execution
    assert ex.status == "FAILED"
    assert [e.type for e in ex.history][-4:] == ["LambdaFunctionFailed", "WaitStateAborted", "ParallelStateFailed",
                                                  "ExecutionFailed"]
    assert [(s.state, s.status, s.error) for s in ex.steps] == [
        ("Boom", "FAILED", "RuntimeError"), ("Slow", "ABORTED", None), ("Both", "FAILED", "RuntimeError")]
    assert stepper.runs == {"Both[branch 0]": "ABORTED", "Both[branch 1]": "FAILED"}
    stepper._branch_picker.value = "Both[branch 0]"
    assert error_boxes(stepper) == ["aborted"]


def both_stepper() -> Stepper:
    machine = sfl.StateMachine.from_json({"StartAt": "Both", "States": {"Both": {
        "Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 30, "End": True}}},
            {"StartAt": "Boom", "States": {"Boom": {"Type": "Task", "Resource": LAMBDA + "Boom", "End": True}}}]}}},
        name="Both")

    def boom(event, context):
        raise RuntimeError("no")
    return Stepper(machine, {}, lambdas={"Boom": boom})


@pytest.mark.dot
def test_the_diagram_draws_the_stopped_branch_grey_and_the_failed_state_red() -> None:
    stepper = both_stepper()
    stepper._run_end.click()
    svg = stepper._diagram.value
    assert node_fill(svg, "Boom") == style.FAILED_COLOUR.lower()
    assert node_fill(svg, "Slow") == style.ABORTED_COLOUR.lower() == "#dddddd"
    assert ">Cancelled<" in svg  # the legend names it
    stepper._branch_picker.value = "Both[branch 0]"
    assert badge_of(stepper._xray.value) == ("ABORTED", style.ABORTED_COLOUR)


def badge_of(html: str) -> tuple[str, str]:
    match = re.search(r'<span class="sfl-badge" style="background:(#[0-9A-F]{6})">([^<]+)</span>', html)
    assert match, "no status badge in the pane"
    return match.group(2), match.group(1)


def test_without_graphviz_the_text_diagram_names_cancelled_states(monkeypatch: pytest.MonkeyPatch) -> None:
    from stepfn_lab.views import render

    def missing(*args, **kwargs):
        raise render.GraphvizMissing("The Graphviz 'dot' program")

    monkeypatch.setattr(render, "to_svg", missing)
    stepper = both_stepper()
    stepper._run_end.click()
    rows = dict(re.findall(r"<tr><th>([^<]+)</th><td>(.*?)</td></tr>", stepper._diagram.value))
    assert rows["Slow"] == f'<span class="sfl-badge" style="background:{style.ABORTED_COLOUR}">cancelled</span>'
    assert rows["Boom"] == f'<span class="sfl-badge" style="background:{style.FAILED_COLOUR}">failed</span>'


def test_step_over_runs_a_whole_map_and_stops_at_the_top_level() -> None:
    stepper = map_stepper({"lines": [{"sku": "lamp", "qty": 1}, {"sku": "desk", "qty": 2}]})
    stepper._step_over.click()
    assert stepper.position == 1 and stepper.execution.status == "SUCCEEDED"
    assert [s.state for s in stepper._recorder.moved_steps()][-1] == "Each line"


def test_step_over_inside_an_iteration_stays_at_its_level() -> None:
    stepper = map_stepper({"lines": [{"sku": "lamp", "qty": 1}, {"sku": "desk", "qty": 2}]})
    stepper.step()
    assert stepper._recorder.depth() == 1
    stepper.step_over()
    assert [(s.state, s.path) for s in stepper._recorder.moved_steps()] == [("Reserve", "Each line[1]")]


@pytest.mark.parametrize("state, where", [("Reserve", "Each line[0]"), ("Pack", "Each line[0]")])
def test_stop_before_the_first_or_a_later_state_of_an_iteration(state: str, where: str) -> None:
    stepper = map_stepper({"lines": [{"sku": "lamp", "qty": 1}, {"sku": "desk", "qty": 2}]})
    stepper.breakpoints = [state]
    stepper._run_break.click()
    upcoming = stepper.execution.next_frame()
    assert (upcoming.state, upcoming.path, upcoming.phase) == (state, where, "enter")
    assert f"Paused before {state} in Each line · iteration 0 (breakpoint)" in stepper._header.value
    assert not any(s.state == state for s in stepper.execution.steps)  # not entered yet
    stepper._run_break.click()  # on to the same state of the next iteration
    upcoming = stepper.execution.next_frame()
    assert (upcoming.state, upcoming.path) == (state, where.replace("[0]", "[1]"))


def test_stop_before_the_start_at_state_pauses_at_once_then_runs_on() -> None:
    stepper = seed_stepper()
    stepper.breakpoints = ["FirstState"]
    assert stepper.run_to_breakpoint() == 0
    assert "Paused before FirstState (breakpoint)" in stepper._header.value
    assert stepper.run_to_breakpoint() > 0 and stepper.execution.status == "SUCCEEDED"


def test_stop_before_the_first_state_of_a_parallel_branch() -> None:
    stepper = rich_stepper()
    stepper.breakpoints = ["Notify"]
    stepper._run_break.click()
    upcoming = stepper.execution.next_frame()
    assert (upcoming.state, upcoming.path, upcoming.phase) == ("Notify", "Fan[branch 1]", "enter")
    assert [e.type for e in stepper.execution.history][-1] == "TaskStateEntered"  # Charge in branch 0 entered


def test_stop_after_a_nested_state_skips_the_attempts_that_will_be_retried() -> None:
    stepper = rich_stepper()
    stepper._stop_mode.value = "after"
    stepper.breakpoints = ["Charge"]
    stepper._run_break.click()
    last = stepper._recorder.moved_steps()[-1]
    assert (last.state, last.path, last.status, last.attempt) == ("Charge", "Fan[branch 0]", "SUCCEEDED", 2)
    assert "Paused after Charge in Fan · branch 0 (breakpoint)" in stepper._header.value


def test_play_pauses_before_a_breakpoint_inside_an_iteration() -> None:
    stepper = map_stepper({"lines": [{"sku": "lamp", "qty": 1}, {"sku": "desk", "qty": 2}]})
    stepper.breakpoints = ["Pack"]
    stepper._play.click()
    for _ in range(10):
        if not stepper.player.playing:
            break
        stepper.player.value += 1
    assert not stepper.player.playing
    upcoming = stepper.execution.next_frame()
    assert (upcoming.state, upcoming.phase) == ("Pack", "enter")


def test_a_choice_step_says_which_rule_matched() -> None:
    for foo, rule, text in ((1, 0, "rule <b>#1</b>"), (2, 1, "rule <b>#2</b>"), (7, "Default", "<b>Default</b>")):
        stepper = seed_stepper(foo)
        stepper.step()
        stepper.step()
        step = stepper.execution.steps[-1]
        assert (step.state, step.choice) == ("ChoiceState", rule)
        assert text in stepper._xray.value and error_boxes(stepper) == []


def test_run_with_progress_ends_on_the_true_count() -> None:
    from stepfn_lab.widgets import progress_text, run_with_progress
    shown: list = []
    machine = sfl.StateMachine.from_json({"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}})
    done = run_with_progress(machine.start([1, 2, 3]), every=1000, show=shown.append)
    bar, label = shown[0].children
    assert done.status == "SUCCEEDED" and (bar.value, bar.max) == (3, 3)
    assert label.value.startswith("3/3 items") and progress_text(done) == "3/3 items"
    distributed = sfl.StateMachine.from_json({"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
            "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}})
    shown.clear()
    done = run_with_progress(distributed.start(list(range(1000))), every=500, show=shown.append)
    bar, label = shown[0].children
    assert (bar.value, bar.max) == (1000, 1000) and label.value.startswith("1,000/1,000 child executions")


def test_the_stepper_is_never_taller_than_the_view_and_its_panes_scroll_inside() -> None:
    stepper = furniture_stepper(5)
    assert stepper.layout.max_height == "calc(100vh - 170px)" and stepper.layout.overflow == "auto"
    row = stepper.children[3]
    for column in row.children:
        assert column.layout.max_height == "64vh" and column.layout.overflow == "auto"
    stepper._run_end.click()
    header = re.search(r"<tr><th>id</th>(.*?)</tr>", stepper._history.value).group(0)
    assert re.findall(r"<th>(\w+)</th>", header) == ["id", "time", "type", "state", "in", "error"]
    failed = [r for r in re.findall(r'<tr class="[\w-]*" data-event="\d+">(.*?)</tr>', stepper._history.value)
              if "LambdaFunctionFailed" in r][0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", failed)
    assert cells[3] == "" and cells[5] == "DoorMisaligned"  # the error in its own column, not under "state"


# --- the kit's language ------------------------------------------------------------------------------

def test_the_stepper_and_compare_speak_the_kits_language():
    """sfl.set_language("pt-BR") puts the Stepper's buttons, panes and header in Portuguese; AWS's names stay."""
    machine = {"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Result": {"hi": 1}, "Next": "Done"},
                                              "Done": {"Type": "Succeed"}}}
    try:
        sfl.set_language("pt-BR")
        stepper = Stepper(machine, {"a": 1})
        assert [stepper._back.description, stepper._step.description, stepper._step_over.description,
                stepper._run_end.description] == ["Voltar", "Passo", "Passo inteiro", "Rodar até o fim"]
        stepper._step.click()
        assert "Fluxo de dados" in stepper._xray.value and "Hello</b> (Pass)" in stepper._xray.value
        assert "Histórico" in stepper._history.value and "PassStateEntered" in stepper._history.value
        assert "passo <b>1</b> de 1 gravados" in stepper._header.value
        assert "relógio virtual" in stepper._header.value
        compare = Compare(machine, {"a": 1})
        column = compare._standard_html.value
        assert "transições de estado" in column and "no relógio virtual" in column and "SUCCEEDED" in column
    finally:
        sfl.set_language("en")
    english = Stepper(machine, {"a": 1})
    assert english._step.description == "Step"
