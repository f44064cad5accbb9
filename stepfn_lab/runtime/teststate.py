"""``inspect_state``: the local twin of AWS's TestState API.

Spec: AWS Step Functions API Reference, "TestState" (request: definition,
input, inspectionLevel, mock, variables, context, stateConfiguration; response:
status SUCCEEDED | FAILED | RETRIABLE | CAUGHT_ERROR, output, error, cause,
nextState, inspectionData). Taught in: notebooks/04-data-flow-paths.ipynb and
notebooks/15-use-cases-and-capstone.ipynb.

The state runs through the real engine: ``inspect_state`` builds a machine that
holds only the state under test (its transitions lead to placeholder Succeed
states), starts it with the given input and variables, and stops as soon as the
state is done - or as soon as a Retry would run it again, which TestState
reports as ``RETRIABLE``. The answer has TestState's shape, JSON values written
as JSON text as the API does; ``result.parsed()`` gives them as Python values.

>>> result = inspect_state(definition={"Type": "Pass", "Parameters": {"total.$": "$.a"}, "End": True},
...                        input={"a": 3}, inspection_level="DEBUG")
>>> result["status"], result["output"]
('SUCCEEDED', '{"total":3}')
>>> result["inspectionData"]["afterParameters"]
'{"total":3}'
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import InvalidArgument, StepFnLabError

_LEVELS = ("INFO", "DEBUG", "TRACE")
_INSPECTED = ("input", "afterInputPath", "afterParameters", "afterArguments", "result", "afterResultSelector",
              "afterResultPath")
_MACHINE_NAME = "TestState"


class TestStateResult(dict):
    """TestState's response (a dict); ``parsed()`` turns the JSON text fields into values."""

    __test__ = False  # not a pytest test class

    def parsed(self) -> dict:
        out = dict(self)
        if "output" in out:
            out["output"] = json.loads(out["output"])
        if "inspectionData" in out:
            data = dict(out["inspectionData"])
            for key, value in data.items():
                if isinstance(value, str) and key in _INSPECTED + ("variables",):
                    data[key] = json.loads(value)
            out["inspectionData"] = data
        return out


def inspect_state(definition: Any = None, input: Any = None, inspection_level: str = "INFO",
                  state_name: str | None = None, mock: dict | None = None, variables: Any = None,
                  context: dict | None = None, state_configuration: dict | None = None, *,
                  lambdas: dict | None = None, services: Any = None, s3_root: str | None = None,
                  reveal_secrets: bool = False) -> TestStateResult:
    """Run one state and describe what it did, as TestState does.

    ``definition`` is one state's JSON, or a whole machine with ``state_name``
    (default: its StartAt state). ``input`` and ``variables`` may be values or
    JSON text. ``mock`` is TestState's ``{"result": ...}`` or
    ``{"errorOutput": {"error": ..., "cause": ...}}`` with an optional
    ``fieldValidationMode``. ``lambdas``, ``services`` and ``s3_root`` are the
    local stand-ins for what the state calls.
    """
    level = str(inspection_level or "INFO").upper()
    if level not in _LEVELS:
        raise InvalidArgument(f"inspection_level must be one of {', '.join(_LEVELS)}, not {inspection_level!r}")
    name, state, query_language = _isolate(_json_arg(definition, "definition"), state_name)
    machine = _one_state_machine(name, state, query_language)
    mock_config, mocked_value = _mock_config(name, state, mock)
    retry_count = _retry_count(state_configuration)
    execution = machine.start(_json_arg(input, "input", default={}), name=_MACHINE_NAME, lambdas=lambdas or {},
                              services=services, s3_root=s3_root, mock_config=mock_config,
                              test_case=_MACHINE_NAME if mock_config else None)
    _apply_variables(execution, _json_arg(variables, "variables", default=None))
    _apply_context(execution, context)
    outcome = _run_state(execution, name, state, retry_count, mocked_value)
    return _respond(execution, name, state, outcome, level)


# --- building the machine ----------------------------------------------------------------------

def _json_arg(value: Any, field: str, default: Any = None) -> Any:
    if value is None:
        return default
    if isinstance(value, (str, bytes)):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise InvalidArgument(f"{field} is JSON text for TestState, and this is not valid JSON: {exc} "
                             f"(pass a Python value instead, or quote a string: '\"text\"')") from None
    return value


def _isolate(definition: Any, state_name: str | None) -> tuple[str, dict, str | None]:
    """(name, state JSON, top-level QueryLanguage) of the state to test."""
    if not isinstance(definition, dict):
        raise InvalidArgument("definition must be a state's JSON object or a whole state machine")
    if isinstance(definition.get("States"), dict):
        name = state_name or definition.get("StartAt")
        states = definition["States"]
        if not isinstance(name, str):  # reprlib: a deeply nested value must not blow the stack in a message
            import reprlib
            raise InvalidArgument(f"the state to test is named by a string (StartAt or state_name), "
                                  f"not {type(name).__name__} {reprlib.repr(name)}")
        if name not in states:
            import difflib
            names = [n for n in states if isinstance(n, str)]  # JSON names are strings; a dict may hold others
            hint = difflib.get_close_matches(name, names, n=1)
            shown = ", ".join(repr(n) for n in list(states)[:20]) + (", ..." if len(states) > 20 else "")
            raise InvalidArgument(f"the definition has no top-level state {name!r}"
                                  + (f" (did you mean {hint[0]!r}?)" if hint else f" (states: {shown})"))
        if not isinstance(states[name], dict):
            raise InvalidArgument(f"the state {name!r} must be a JSON object, not {type(states[name]).__name__}")
        return name, states[name], definition.get("QueryLanguage")
    if "Type" not in definition:
        raise InvalidArgument("definition must be one state (with 'Type') or a state machine (with 'States')")
    return state_name or _MACHINE_NAME, definition, None


def _targets(state: dict) -> list[str]:
    """Every state name the state can move to."""
    names = [state.get("Next"), state.get("Default")]
    for field in ("Choices", "Catch"):
        rules = state.get(field)
        if isinstance(rules, list):
            names += [rule.get("Next") for rule in rules if isinstance(rule, dict)]
    return [n for n in names if isinstance(n, str)]


def _one_state_machine(name: str, state: dict, query_language: str | None):
    from .engine import StateMachine
    states: dict[str, Any] = {name: state}
    for target in _targets(state):
        states.setdefault(target, {"Type": "Succeed"})
    definition: dict[str, Any] = {"StartAt": name, "States": states}
    if query_language:
        definition["QueryLanguage"] = query_language
    return StateMachine.from_json(definition, name=_MACHINE_NAME)


def _mock_config(name: str, state: dict, mock: dict | None) -> tuple[dict | None, Any]:
    """TestState's ``mock`` as a one-test-case MockConfigFile (and the mocked value, if any)."""
    if mock is None:
        return None, None
    from .registry import service
    mocks = service("mocks")
    MockConfigError, check_mocked_result = mocks.MockConfigError, mocks.check_mocked_result
    if state.get("Type") != "Task":
        raise InvalidArgument(f"locally, mock= answers Task states; a {state.get('Type')} state runs for real "
                         f"(leave mock out)")
    if "result" in mock:
        value = _json_arg(mock["result"], "mock.result")
        problems = check_mocked_result(str(state.get("Resource")), value, mock.get("fieldValidationMode", "STRICT"))
        if problems:
            raise MockConfigError("ValidationException: the mocked result does not match the API's response "
                                  "shape:\n  " + "\n  ".join(problems) + "\n(set mock['fieldValidationMode'] to "
                                  "'PRESENT' or 'NONE' to check less)")
        answer: dict = {"Return": value}
    elif "errorOutput" in mock:
        error = mock["errorOutput"] or {}
        answer, value = {"Throw": {"Error": str(error.get("error", "")), "Cause": str(error.get("cause", ""))}}, None
    else:
        raise InvalidArgument("mock needs 'result' (JSON text or a value) or 'errorOutput' ({'error': ..., 'cause': ...})")
    config = {"StateMachines": {_MACHINE_NAME: {"TestCases": {_MACHINE_NAME: {name: "Mock"}}}},
              "MockedResponses": {"Mock": {"0-9999": answer}}}
    return config, value


def _retry_count(configuration: dict | None) -> int:
    if not configuration:
        return 0
    unknown = set(configuration) - {"retrierRetryCount", "errorCausedByState"}
    if unknown:
        raise InvalidArgument(f"state_configuration: {', '.join(sorted(unknown))} is not supported locally "
                         f"(supported: retrierRetryCount)")
    count = configuration.get("retrierRetryCount", 0)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise InvalidArgument(f"state_configuration.retrierRetryCount must be a whole number >= 0, not {count!r}")
    return count


def _apply_variables(execution, variables: Any) -> None:
    if variables is None:
        return
    if not isinstance(variables, dict):
        raise InvalidArgument("variables must be an object of variable names and values")
    execution.root.scope.own.update(variables)


def _apply_context(execution, context: dict | None) -> None:
    if not context:
        return
    if not isinstance(context, dict):
        raise InvalidArgument("context must be an object shaped like the context object ($$)")
    execution._exec_context.update(context.get("Execution") or {})
    execution._machine_context.update(context.get("StateMachine") or {})


# --- running it --------------------------------------------------------------------------------------

class _Outcome:
    __slots__ = ("status", "step", "error", "cause", "retry_index", "backoff")

    def __init__(self, status: str, step: Any = None, error: Any = None, cause: Any = None,
                 retry_index: int | None = None, backoff: float | None = None):
        self.status, self.step, self.error, self.cause = status, step, error, cause
        self.retry_index, self.backoff = retry_index, backoff


def _run_state(execution, name: str, state: dict, retry_count: int, mocked_value: Any) -> _Outcome:
    root = execution.root
    entered = False
    while True:
        before = list(root.retry_counts or [])
        total = root.retry_total
        moved = execution.advance()
        if not entered:
            entered = True
            if retry_count and execution.status == "RUNNING":
                retriers = root.current_state().retriers
                root.retry_counts = [retry_count] * len(retriers)
                root.retry_total = retry_count
                continue
        step = next((s for s in execution.steps if s.path == "" and s.state == name and s.status != "RETRYING"),
                    None)
        if step is not None:
            return _Outcome(step.status, step, step.error, step.cause)
        if root.retry_total > total:  # a Retry would run the state again: TestState stops here
            after = root.retry_counts or []
            index = next((i for i, n in enumerate(after) if i >= len(before) or n != before[i]), 0)
            return _Outcome("RETRIABLE", None, root.error, root.cause, index,
                            max(0.0, root.ready_at - execution.clock.now))
        if execution.status != "RUNNING":
            return _Outcome("FAILED", None, execution.error, execution.cause)
        if not moved:
            if execution.tokens and mocked_value is not None:
                execution.send_task_success(next(iter(execution.tokens)), mocked_value)
                continue
            raise StepFnLabError(f"state {name!r} waits for a callback ({state.get('Resource')}); TestState runs "
                                 f"such a state only with mock={{'result': ...}}")


def _respond(execution, name: str, state: dict, outcome: _Outcome, level: str) -> TestStateResult:
    out = TestStateResult()
    step = outcome.step
    if outcome.status in ("SUCCEEDED", "CAUGHT_ERROR") and step is not None:
        out["output"] = _text(step.trace.get("output") if step.trace is not None else None)
    if outcome.status != "SUCCEEDED":
        if outcome.error is not None:
            out["error"] = outcome.error
        if outcome.cause is not None:
            out["cause"] = outcome.cause
    if step is not None and step.next is not None and outcome.status in ("SUCCEEDED", "CAUGHT_ERROR"):
        out["nextState"] = step.next
    out["status"] = outcome.status
    if level != "INFO":
        out["inspectionData"] = _inspection(execution, state, outcome)
    return out


def _inspection(execution, state: dict, outcome: _Outcome) -> dict:
    trace = outcome.step.trace if outcome.step is not None else execution.root.trace
    data: dict[str, Any] = {}
    for key in _INSPECTED:
        if trace is not None and key in trace:
            data[key] = _text(trace[key])
    variables = execution.root.scope.snapshot()
    if outcome.step is not None and outcome.step.variables_after is not None:
        variables = outcome.step.variables_after
    if variables:
        data["variables"] = _text(variables)
    details = _error_details(execution, state, outcome)
    if details:
        data["errorDetails"] = details
    return data


def _error_details(execution, state: dict, outcome: _Outcome) -> dict:
    if outcome.status == "RETRIABLE":
        return {"retryIndex": outcome.retry_index, "retryBackoffIntervalSeconds": int(round(outcome.backoff or 0))}
    if outcome.status == "CAUGHT_ERROR":
        from .retry import _matches
        compiled = execution.machine.definition.states[outcome.step.state]
        for index, catcher in enumerate(compiled.catchers):
            if _matches(outcome.error, catcher.error_equals):
                return {"catchIndex": index}
    return {}


def _text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


__all__ = ["inspect_state", "TestStateResult"]
