"""stepfn_lab.runtime.invoke: callback tokens and the lambda:invoke integration as AWS answers it."""

import base64
import json

import stepfn_lab as sfl

FN = "arn:aws:lambda:us-east-1:123456789012:function:"


def machine(states, start=None, **kwargs):
    return sfl.StateMachine.from_json({"StartAt": start or next(iter(states)), "States": states}, **kwargs)


def test_task_scheduled_records_the_real_callback_token():
    m = machine({"Ask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                         "Parameters": {"FunctionName": "notify", "Payload": {"t.$": "$$.Task.Token"}},
                         "Retry": [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 1}],
                         "TimeoutSeconds": 10, "End": True}})
    seen = []
    ex = m.run({}, lambdas={"notify": lambda e, c: seen.append(e["t"]) or {}})
    ex.run(until=100)  # the first attempt times out; the retry gets a token of its own
    scheduled = [e for e in ex.history if e.type == "TaskScheduled"]
    assert len(scheduled) == 2 and len(seen) == 2 and seen[0] != seen[1]
    for event, token in zip(scheduled, seen):
        assert token and event.details["parameters"]["Payload"] == {"t": token}


def test_a_handler_past_its_timeout_by_the_wall_clock_times_out_at_timeout_seconds_in_virtual_time():
    import time

    def slow(event, context):
        time.sleep(1.2)
        return event
    for resource, timed_out in ((FN + "slow", "LambdaFunctionTimedOut"),
                                ("arn:aws:states:::lambda:invoke", "TaskTimedOut")):
        m = machine({"T": {"Type": "Task", "Resource": resource, "TimeoutSeconds": 1,
                           "Parameters": {"FunctionName": "slow", "Payload": {}}, "End": True}})
        ex = m.run({}, lambdas={"slow": slow})
        assert ex.error == "States.Timeout"
        started = next(e for e in ex.history if e.type.endswith("Started") and e.type != "ExecutionStarted")
        event = next(e for e in ex.history if e.type == timed_out)
        assert event.at - started.at == 1 and ex.clock.now == 1


def _invoke(parameters, handler=None, **kwargs):
    m = machine({"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": parameters,
                       "End": True}})
    return m.run({}, lambdas={"charge": handler or (lambda event, context: {"got": event})}, **kwargs)


def test_every_function_name_form_reaches_the_local_function():
    for name in ("charge", "charge:prod", "charge:7", "123456789012:function:charge",
                 "123456789012:function:charge:prod", FN + "charge", FN + "charge:7"):
        ex = _invoke({"FunctionName": name, "Payload": {"n": 1}})
        assert ex.status == "SUCCEEDED", (name, ex.cause)
        assert ex.output["Payload"] == {"got": {"n": 1}} and ex.output["StatusCode"] == 200
    assert _invoke({"FunctionName": "charge:7"}).output["ExecutedVersion"] == "7"
    assert _invoke({"FunctionName": "charge", "Qualifier": "3"}).output["ExecutedVersion"] == "3"
    assert _invoke({"FunctionName": "charge:prod"}).output["ExecutedVersion"] == "$LATEST"
    seen = []
    _invoke({"FunctionName": "charge", "Qualifier": "prod"},
            lambda e, c: seen.append((c.function_name, c.invoked_function_arn)) or {})
    assert seen == [("charge", FN + "charge:prod")]


def test_event_and_dry_run_answer_with_a_status_code_and_an_empty_payload():
    calls = []

    def handler(event, context):
        calls.append(event)
        raise ValueError("an asynchronous failure is Lambda's to retry, not the task's")
    event = _invoke({"FunctionName": "charge", "InvocationType": "Event", "Payload": {"n": 1}}, handler)
    assert event.status == "SUCCEEDED" and calls == [{"n": 1}]
    assert event.output["StatusCode"] == 202 and event.output["Payload"] == ""
    assert "ExecutedVersion" not in event.output
    assert event.output["SdkHttpMetadata"]["HttpStatusCode"] == 202
    dry = _invoke({"FunctionName": "charge", "InvocationType": "DryRun"}, handler)
    assert dry.output["StatusCode"] == 204 and dry.output["Payload"] == "" and len(calls) == 1
    bad = _invoke({"FunctionName": "charge", "InvocationType": "Later"})
    assert bad.error == "Lambda.InvalidParameterValueException" and "RequestResponse, Event, DryRun" in bad.cause


def test_log_type_tail_returns_the_end_of_the_log_in_base64():
    def chatty(event, context):
        print("charging", event["n"])
        return {"ok": True}
    ex = _invoke({"FunctionName": "charge", "LogType": "Tail", "Payload": {"n": 5}}, chatty)
    log = base64.b64decode(ex.output["LogResult"]).decode()
    assert log.startswith("START RequestId: ") and "charging 5\n" in log and "\nREPORT RequestId: " in log
    assert ex.output["SdkHttpMetadata"]["HttpHeaders"]["X-Amz-Log-Result"] == ex.output["LogResult"]
    long = _invoke({"FunctionName": "charge", "LogType": "Tail"}, lambda e, c: print("x" * 10_000) or {})
    assert len(base64.b64decode(long.output["LogResult"])) == 4096  # the last 4 KB
    assert "LogResult" not in _invoke({"FunctionName": "charge"}).output


def test_client_context_reaches_the_handler():
    seen = []
    context = base64.b64encode(json.dumps({"custom": {"tenant": "acme"}}).encode()).decode()
    _invoke({"FunctionName": "charge", "ClientContext": context},
            lambda e, c: seen.append(c.client_context.custom) or {})
    assert seen == [{"tenant": "acme"}]
    ex = _invoke({"FunctionName": "charge", "ClientContext": "not base64 json"})
    assert ex.error == "Lambda.InvalidRequestContentException" and "ClientContext" in ex.cause


def test_a_string_payload_holding_json_is_sent_as_that_json():
    ex = _invoke({"FunctionName": "charge", "Payload": "{\"n\": 2}"})
    assert ex.output["Payload"] == {"got": {"n": 2}}
