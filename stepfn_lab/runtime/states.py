"""What each state type does when it is entered: one function per type, one table.

Spec: Amazon States Language, "Pass", "Task", "Choice", "Wait", "Succeed",
"Fail", "Parallel" and "Map" states. Taught in: notebooks/02-asl-anatomy.ipynb
and the notebook of each state type (07 Choice, 08 Task, 09 Wait, 10 Fail,
11 Parallel, 12 Map).

Each function reads the frame's state input, runs the state's data flow and
sets the frame's next phase (``exit``, ``schedule`` or ``fanout``). The other phases live beside
what they serve: the run loop, ``enter`` and ``exit`` in ``engine.py``, the Task phases in
``invoke.py``, Parallel and Map child frames (turns, fan-out, fan-in) in ``parallel.py``, Retry and
Catch in ``retry.py``.
"""

from __future__ import annotations

from typing import Any, Callable

from ..asl.model import ROOT_PATH_MARK, State
from ..asl.paths import json_type
from ..errors import NO_CHOICE_MATCHED, QUERY_EVALUATION_ERROR, RUNTIME, StatesError
from .dataflow import select_input, select_output
from .frames import FAILED, Frame, Step


def enter_pass(execution, frame: Frame, state: State) -> None:
    raw = frame.raw_input
    trace = frame.trace
    if state.is_jsonata:
        states = execution.states_for(frame, state)
        output = state.output.evaluate(states, frame.scope, rng=execution.rng) if state.output else raw
        execution.assign(frame, state, state.assign, None, states)
    else:
        ctx = execution.context(frame, state) if state.uses_context else None
        data = raw if state.input_path is ROOT_PATH_MARK else select_input(state, raw, ctx, frame.scope)
        if trace is not None:
            trace["afterInputPath"] = data
        if state.parameters is not None:
            data = state.parameters.evaluate(data, ctx, frame.scope, execution.rng)
            if trace is not None:
                trace["afterParameters"] = data
        result = state.extra["result"] if state.extra["has_result"] else data
        if trace is not None:
            trace["result"] = result
        execution.after_result(frame, state, result)
        return
    frame.output = output
    frame.next = state.next
    frame.phase = "exit"


def enter_succeed(execution, frame: Frame, state: State) -> None:
    if state.is_jsonata:
        states = execution.states_for(frame, state)
        frame.output = state.output.evaluate(states, frame.scope, rng=execution.rng) if state.output else frame.raw_input
    else:
        ctx = execution.context_if_used(frame, state)
        data = select_input(state, frame.raw_input, ctx, frame.scope)
        frame.output = select_output(state, data, ctx, frame.scope)
    frame.next = None
    frame.phase = "exit"


def enter_fail(execution, frame: Frame, state: State) -> None:
    error = fail_field(execution, frame, state, "error", "Error")
    cause = fail_field(execution, frame, state, "cause", "Cause")
    frame.error, frame.cause = error, cause
    frame.next = None
    frame.steps.append(Step(frame, state, FAILED, frame.entered_id, frame.last_id))
    execution.frame_failed(frame, error, cause)


def fail_field(execution, frame: Frame, state: State, key: str, field: str) -> Any:
    spec = state.extra.get(key)
    if spec is None:
        return None
    kind, value = spec
    if kind == "intrinsic":
        return value.evaluate(frame.raw_input, execution.context(frame, state), frame.scope, execution.rng)
    if kind == "path":
        from ..asl.paths import PathNotFound, to_json
        try:
            result = value.get(frame.raw_input, execution.context(frame, state), frame.scope)
        except PathNotFound:
            raise StatesError(RUNTIME, f"The JSONPath '{value.text}' specified for the field '{field}Path' "
                                       f"could not be found in the input '{to_json(frame.raw_input)}'") from None
        return result
    if value is None:
        return None
    if state.is_jsonata:
        return value.evaluate(execution.states_for(frame, state), frame.scope, rng=execution.rng)
    return value.evaluate()


def enter_choice(execution, frame: Frame, state: State) -> None:
    if state.is_jsonata:
        choose_jsonata(execution, frame, state)
    else:
        choose_jsonpath(execution, frame, state)
    frame.phase = "exit"


def choose_jsonpath(execution, frame: Frame, state: State) -> None:
    ctx = execution.context(frame, state) if state.uses_context else None
    raw = frame.raw_input
    data = raw if state.input_path is ROOT_PATH_MARK else select_input(state, raw, ctx, frame.scope)
    if frame.trace is not None:
        frame.trace["afterInputPath"] = data
    number = 0
    for rule in state.choices:
        if rule.evaluate(data, ctx, frame.scope):
            frame.next = rule.next
            frame.choice = number
            if rule.assign is not None:
                execution.assign(frame, state, rule.assign, data)
            break
        number += 1
    else:
        if state.default is None:
            raise StatesError(NO_CHOICE_MATCHED, f"No Matches! (no choice rule matched and the Choice "
                                                 f"state '{state.name}' has no Default)")
        frame.next = state.default
        frame.choice = "Default"
        if state.assign is not None:
            execution.assign(frame, state, state.assign, data)
    frame.output = data if state.output_path is ROOT_PATH_MARK else select_output(state, data, ctx, frame.scope)


def choose_jsonata(execution, frame: Frame, state: State) -> None:
    states = execution.states_for(frame, state)
    for number, rule in enumerate(state.choices):
        matched = rule.condition.evaluate(states, frame.scope, rng=execution.rng)
        if not isinstance(matched, bool):
            raise StatesError(QUERY_EVALUATION_ERROR, f"The JSONata expression '{_inner(rule.raw.get('Condition'))}' "
                                                      f"specified for the field 'Condition' returned an unexpected "
                                                      f"result type. Expected 'boolean', but was "
                                                      f"'{json_type(matched)}' for value: {_to_json(matched)}")
        if matched:
            frame.next = rule.next
            frame.choice = number
            execution.assign(frame, state, rule.assign, None, states)
            frame.output = rule.output.evaluate(states, frame.scope, rng=execution.rng) if rule.output else frame.raw_input
            return
    if state.default is None:
        raise StatesError(NO_CHOICE_MATCHED, f"No Matches! (no choice rule matched and the Choice "
                                             f"state '{state.name}' has no Default)")
    frame.next = state.default
    frame.choice = "Default"
    execution.assign(frame, state, state.assign, None, states)
    frame.output = state.output.evaluate(states, frame.scope, rng=execution.rng) if state.output else frame.raw_input


def enter_wait(execution, frame: Frame, state: State) -> None:
    from .waiting import wait_seconds
    if state.is_jsonata:
        states = execution.states_for(frame, state)
        data = frame.raw_input
        seconds = wait_seconds(execution, frame, state, data, states)
        execution.assign(frame, state, state.assign, None, states)
        frame.output = state.output.evaluate(states, frame.scope, rng=execution.rng) if state.output else data
    else:
        ctx = execution.context_if_used(frame, state)
        data = select_input(state, frame.raw_input, ctx, frame.scope)
        seconds = wait_seconds(execution, frame, state, data, None)
        execution.assign(frame, state, state.assign, data)
        frame.output = select_output(state, data, ctx, frame.scope)
    frame.ready_at = execution.clock.now + max(0.0, seconds)
    frame.next = state.next
    frame.phase = "exit"


def enter_task(execution, frame: Frame, state: State) -> None:
    if str(state.extra.get("resource", "")).endswith(".waitForTaskToken"):
        frame.token = ""  # $$.Task.Token resolves now; invoke issues the real token and re-evaluates Parameters
    execution.task_payload(frame, state)
    frame.timeout = seconds_field(execution, frame, state, "timeout", "TimeoutSeconds")
    frame.heartbeat = seconds_field(execution, frame, state, "heartbeat", "HeartbeatSeconds")
    frame.phase = "schedule"


def seconds_field(execution, frame: Frame, state: State, key: str, field: str) -> float | None:
    if state.extra.get(key) is None:
        return None
    _, seconds = execution.field_value(frame, state, key)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0:
        raise StatesError(RUNTIME if not state.is_jsonata else QUERY_EVALUATION_ERROR,
                          f"The {field} value must be a positive integer, but was {_to_json(seconds)}")
    return float(seconds)


def enter_parallel(execution, frame: Frame, state: State) -> None:
    if state.is_jsonata:
        states = execution.states_for(frame, state)
        data = state.arguments.evaluate(states, frame.scope, rng=execution.rng) if state.arguments else frame.raw_input
    else:
        ctx = execution.context_if_used(frame, state)
        data = select_input(state, frame.raw_input, ctx, frame.scope)
        if state.parameters is not None:
            data = state.parameters.evaluate(data, ctx, frame.scope, execution.rng)
    frame.effective = data
    frame.phase = "fanout"


def enter_map(execution, frame: Frame, state: State) -> None:
    from .mapping import prepare_map
    prepare_map(execution, frame, state)
    frame.phase = "fanout"

def _inner(text: Any) -> str:
    if isinstance(text, str) and text.startswith("{%") and text.endswith("%}"):
        return text[2:-2].strip()
    return str(text)


def _to_json(value: Any) -> str:
    from ..asl.paths import to_json
    return to_json(value)


# One handler per state type: what happens when a state is entered.
ENTER: dict[str, Callable[[Any, Frame, State], None]] = {
    "Pass": enter_pass,          # Result/Parameters -> ResultPath -> OutputPath
    "Task": enter_task,          # InputPath/Parameters, then schedule the work
    "Choice": enter_choice,      # the first matching rule, else Default
    "Wait": enter_wait,          # sleep on the virtual clock
    "Succeed": enter_succeed,    # stop this branch successfully
    "Fail": enter_fail,          # stop with Error and Cause
    "Parallel": enter_parallel,  # one frame per branch
    "Map": enter_map,            # one frame per item
}
