"""stepfn_lab.runtime.tasks and invoke: resources, handlers, the Lambda payload shapes."""

import json
import time

import pytest

import stepfn_lab as sfl
from stepfn_lab.errors import StatesError
from stepfn_lab.runtime.tasks import (LambdaContext, LambdaError, call_handler, find_handler, invoke_response,
                                      parse_resource)

ARN = "arn:aws:lambda:us-east-1:123456789012:function:Check"


@pytest.mark.parametrize("arn, kind, service, api, pattern", [
    (ARN, "lambda", "", "", ""),
    ("arn:aws:states:::lambda:invoke", "service", "lambda", "invoke", ""),
    ("arn:aws:states:::sqs:sendMessage.waitForTaskToken", "service", "sqs", "sendMessage", ".waitForTaskToken"),
    ("arn:aws:states:::states:startExecution.sync:2", "service", "states", "startExecution", ".sync:2"),
    ("arn:aws:states:::aws-sdk:dynamodb:getItem", "service", "aws-sdk:dynamodb", "getItem", ""),
    ("arn:aws:states:us-east-1:123456789012:activity:Approve", "activity", "", "", ""),
])
def test_parse_resource(arn, kind, service, api, pattern):
    r = parse_resource(arn)
    assert (r.kind, r.service, r.api, r.pattern) == (kind, service, api, pattern)


def test_find_handler_by_arn_name_or_qualified_arn():
    h = object()
    assert find_handler({"Check": h}, ARN) is h
    assert find_handler({ARN: h}, "Check") is h
    assert find_handler({ARN: h}, ARN + ":prod") is h
    assert find_handler({"Other": h}, ARN) is None


def test_handler_runs_across_a_json_boundary():
    seen = {}

    def handler(event, context):
        event["mutated"] = True
        seen["name"] = context.function_name
        return {"n": 1}
    original = {"a": 1}
    result, _ = call_handler(handler, original, LambdaContext("Check", "req", 3, ARN), None)
    assert result == {"n": 1} and original == {"a": 1} and seen["name"] == "Check"


def test_one_argument_handlers_and_bytes_results():
    assert call_handler(lambda event: event, [1], LambdaContext("f", "r", 3, ARN), None)[0] == [1]
    assert call_handler(lambda e, c: b'{"x": 2}', None, LambdaContext("f", "r", 3, ARN), None)[0] == {"x": 2}


def test_errors_become_lambda_payloads_and_timeouts():
    def boom(event, context):
        raise KeyError("sku")
    with pytest.raises(LambdaError) as info:
        call_handler(boom, {}, LambdaContext("f", "req-1", 3, ARN), None)
    assert info.value.payload["errorType"] == "KeyError" and info.value.payload["requestId"] == "req-1"
    with pytest.raises(StatesError) as slow:
        call_handler(lambda e, c: time.sleep(2), {}, LambdaContext("f", "r", 3, ARN), 0.2)
    assert slow.value.error == "States.Timeout"


def test_timeouts_without_threads_as_in_the_browser(monkeypatch):
    """Pyodide cannot start a thread: the handler runs to its end, and a slow one still times out."""
    import threading

    from stepfn_lab.runtime import tasks

    def no_threads(*args, **kwargs):
        raise RuntimeError("can't start new thread")
    monkeypatch.setattr(tasks, "_THREADS", False)
    monkeypatch.setattr(threading, "Thread", no_threads)
    context = LambdaContext("f", "r", 3, ARN)
    assert call_handler(lambda e, c: {"ok": e["n"]}, {"n": 1}, context, 3)[0] == {"ok": 1}
    with pytest.raises(StatesError) as slow:
        call_handler(lambda e, c: time.sleep(0.3), {}, context, 0.1)
    assert slow.value.error == "States.Timeout"


def test_lambda_invoke_wraps_the_payload_as_aws_does():
    machine = sfl.StateMachine.from_json({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "Check", "Payload.$": "$"}, "End": True}}})
    ex = machine.run({"x": 1}, lambdas={"Check": lambda e, c: {"ok": e["x"]}})
    assert ex.output["Payload"] == {"ok": 1} and ex.output["StatusCode"] == 200
    assert ex.output["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == str(len(json.dumps({"ok": 1})))
    assert ex.history.types[2:5] == ["TaskScheduled", "TaskStarted", "TaskSucceeded"]
    failing = machine.run({"x": 1}, lambdas={"Check": lambda e, c: 1 / 0})
    assert failing.error == "ZeroDivisionError"
    assert json.loads(failing.cause)["errorMessage"] == "division by zero"
    assert '", "' not in failing.cause  # compact through the integration


def test_invoke_response_shape():
    response = invoke_response({"a": 1}, "11111111-2222-3333-4444-555555555555",
                               __import__("datetime").datetime(2026, 1, 1, tzinfo=__import__("datetime").timezone.utc))
    assert set(response) == {"ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"}


# --- stack traces are formatted only when a cause is read -----------------------------------

def _flaky_machine(attempts: int, catch: bool = False) -> sfl.StateMachine:
    state = {"Type": "Task", "Resource": ARN, "End": True,
             "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "BackoffRate": 1.0,
                        "MaxAttempts": attempts}]}
    if catch:
        state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}]
        state.pop("End")
        state["Next"] = "Handled"
    states = {"Check": state}
    if catch:
        states["Handled"] = {"Type": "Pass", "End": True}
    return sfl.StateMachine.from_json({"StartAt": "Check", "States": states})


def _broken(event, context):
    return {"total": event["price"] / 0}


def test_retried_attempts_keep_their_cause_unformatted_until_read():
    from stepfn_lab.runtime.history import LazyText
    execution = _flaky_machine(3).run({"price": 5}, lambdas={"Check": _broken})
    failed = [e for e in execution.history if e.type == "LambdaFunctionFailed"]
    assert len(failed) == 4
    # nothing has read the retried attempts' events: their causes are not formatted yet
    assert all(type(e._details["cause"]) is LazyText for e in failed[:3])
    # the last attempt's cause reached the execution: formatted, a str
    assert isinstance(execution.cause, str) and isinstance(failed[3].details["cause"], str)
    cause = json.loads(failed[0].details["cause"])  # reading formats it, once
    assert type(failed[0]._details["cause"]) is str
    assert cause["errorType"] == "ZeroDivisionError" and cause["errorMessage"] == "division by zero"
    assert cause["stackTrace"][0].startswith('  File "test_tasks.py", line ')
    assert 'return {"total": event["price"] / 0}' in cause["stackTrace"][0]
    assert json.loads(execution.cause) == cause | {"requestId": json.loads(execution.cause)["requestId"]}


def test_lazy_cause_is_the_same_text_as_an_eager_traceback():
    import os
    import traceback
    context = LambdaContext("Check", "req-1", 3, ARN)
    with pytest.raises(LambdaError) as info:
        call_handler(_broken, {"price": 1}, context, None)
    from stepfn_lab.runtime.tasks import runtime_cause
    try:
        _broken({"price": 1}, None)
    except ZeroDivisionError as exc:
        eager = traceback.extract_tb(exc.__traceback__)
    for frame in eager:
        frame.filename = os.path.basename(frame.filename)
    lazy = json.loads(str(runtime_cause(info.value.payload)))["stackTrace"]
    assert lazy == traceback.format_list(eager[1:])  # the handler's frame, carets and all


def test_a_caught_error_output_and_the_snapshot_hold_plain_text():
    machine = _flaky_machine(1, catch=True)
    execution = machine.run({"price": 5}, lambdas={"Check": _broken})
    assert execution.status == "SUCCEEDED"
    assert isinstance(execution.output["Cause"], str)
    assert json.loads(execution.output["Cause"])["errorType"] == "ZeroDivisionError"
    copy = execution.snapshot()  # deep copies share the (immutable) lazy causes
    index = next(i for i, e in enumerate(execution.history) if e.type == "LambdaFunctionFailed")
    assert json.loads(copy["history"][index].details["cause"])["errorType"] == "ZeroDivisionError"
    assert copy["history"][index].details["cause"] == execution.history[index].details["cause"]


def _task_run(handler, data=None):
    machine = sfl.StateMachine.from_json({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": ARN,
                                                                            "End": True}}})
    return machine.run(data or {}, lambdas={"Check": handler})


class _Unprintable(Exception):
    def __str__(self):
        raise ValueError("cannot print me")


def _raise_unprintable(event):
    raise _Unprintable()


@pytest.mark.parametrize("result, why", [
    (b"\xff\xfe", "not UTF-8 text"),
    (b"{not json", "not JSON text"),
    (b"NaN", "NaN is not a JSON number"),
    (float("nan"), "nan is not a JSON number"),
    ({"x": [1, float("inf")]}, "inf is not a JSON number (at /x/1)"),
    ({"when": time}, "Object of type module is not JSON serializable"),
])
def test_results_aws_cannot_read_as_json_fail_with_marshal_error(result, why):
    run = _task_run(lambda event: result)
    assert run.status == "FAILED" and run.error == "Runtime.MarshalError", run.cause
    cause = json.loads(run.cause)
    assert cause["errorType"] == "Runtime.MarshalError"
    assert cause["errorMessage"].startswith("Unable to marshal response: ") and why in cause["errorMessage"]
    assert run.internal_error is None


def test_a_result_nested_past_the_kit_limit_is_a_marshal_error():
    from stepfn_lab.asl.source import DEPTH_LIMIT
    deep: list = []
    node = deep
    for _ in range(DEPTH_LIMIT + 5):
        node.append([])
        node = node[0]
    run = _task_run(lambda event: deep)
    assert run.error == "Runtime.MarshalError" and f"nested more than {DEPTH_LIMIT} levels" in run.cause


def test_bytes_holding_json_text_are_read_as_json():
    assert _task_run(lambda event: b'{"ok": true}').output == {"ok": True}
    assert _task_run(lambda event: b"").output is None


def test_a_handler_exception_whose_str_fails_is_still_a_lambda_error():
    run = _task_run(_raise_unprintable)
    assert run.status == "FAILED" and run.error == "_Unprintable" and run.internal_error is None
    assert json.loads(run.cause)["errorMessage"] == "<exception str() failed>"


def test_lone_surrogates_in_results_pass_through_as_java_strings():
    run = _task_run(lambda event: {"text": "a\ud800b"})
    assert run.status == "SUCCEEDED" and run.output == {"text": "a\ud800b"}
