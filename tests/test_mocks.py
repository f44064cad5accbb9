"""Step Functions Local's MockConfigFile: test cases, invocation ranges, Return and Throw."""

from __future__ import annotations

import json

import pytest

import stepfn_lab as sfl
from stepfn_lab.runtime.tasks import parse_resource
from stepfn_lab.services.mocks import (MockConfigError, MockRun, check_mocked_result, load_mock_config)

ORDER_FLOW = {"StartAt": "Charge", "States": {
    "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
               "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
               "ResultSelector": {"chargeId.$": "$.Payload.chargeId"}, "ResultPath": "$.payment",
               "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 1,
                          "MaxAttempts": 2, "BackoffRate": 2}],
               "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "ChargeFailed"}],
               "Next": "Ship"},
    "Ship": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1, "ResultPath": "$.shipped", "End": True,
             "ItemProcessor": {"StartAt": "ShipItem", "States": {"ShipItem": {
                 "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                 "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/ship",
                                "MessageBody.$": "$"},
                 "ResultSelector": {"id.$": "$.MessageId"}, "End": True}}}},
    "ChargeFailed": {"Type": "Fail", "Error": "ChargeFailed", "Cause": "the payment did not go through"}}}

MOCKS = {
    "StateMachines": {"OrderFlow": {"TestCases": {
        "HappyPath": {"Charge": "ChargeOk", "ShipItem": "ShipOk"},
        "RetryPath": {"Charge": "ChargeThrottledThenOk", "ShipItem": "ShipOk"},
        "AlwaysFails": {"Charge": "ChargeAlwaysThrottled"},
        "HybridPath": {"Charge": "ChargeOk"},
        "TooFewShipments": {"Charge": "ChargeOk", "ShipItem": "ShipOnce"},
    }}},
    "MockedResponses": {
        "ChargeOk": {"0": {"Return": {"StatusCode": 200, "Payload": {"chargeId": "ch_1"}}}},
        "ChargeThrottledThenOk": {
            "0-1": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded"}},
            "2": {"Return": {"StatusCode": 200, "Payload": {"chargeId": "ch_2"}}}},
        "ChargeAlwaysThrottled": {"0-2": {"Throw": {"Error": "Lambda.TooManyRequestsException",
                                                   "Cause": "Rate exceeded"}}},
        "ShipOk": {"0": {"Return": {"MessageId": "m-0"}}, "1-9": {"Return": {"MessageId": "m-n"}}},
        "ShipOnce": {"0": {"Return": {"MessageId": "m-0"}}},
    },
}
ITEMS = {"items": ["lamp", "desk", "chair"]}


@pytest.fixture
def machine() -> sfl.StateMachine:
    return sfl.StateMachine.from_json(ORDER_FLOW, name="OrderFlow")


def test_happy_path(machine):
    ex = machine.run(ITEMS, mock_config=MOCKS, test_case="HappyPath")
    assert ex.status == "SUCCEEDED"
    assert ex.output == {**ITEMS, "payment": {"chargeId": "ch_1"},
                         "shipped": [{"id": "m-0"}, {"id": "m-n"}, {"id": "m-n"}]}  # Map iterations count too
    assert "TaskFailed" not in ex.history.types
    assert ex.mock.invocations("ShipItem") == 3


def test_retry_then_succeed(machine):
    ex = machine.run(ITEMS, mock_config=MOCKS, test_case="RetryPath")
    assert ex.status == "SUCCEEDED"
    assert ex.output["payment"] == {"chargeId": "ch_2"}
    failures = [e for e in ex.history if e.type == "TaskFailed"]
    assert [e.details["error"] for e in failures] == ["Lambda.TooManyRequestsException"] * 2
    assert failures[0].details["cause"] == "Rate exceeded"
    assert ex.duration == 3  # the back-off: 1 s, then 2 s
    assert ex.mock.invocations("Charge") == 3


def test_always_failing_goes_to_the_catch(machine):
    ex = machine.run(ITEMS, mock_config=MOCKS, test_case="AlwaysFails")
    assert ex.status == "FAILED"
    assert (ex.error, ex.cause) == ("ChargeFailed", "the payment did not go through")
    assert ex.history.types.count("TaskFailed") == 3
    assert [(s.state, s.status) for s in ex.steps[:2]] == [("Charge", "RETRYING")] * 2  # one step per try
    charge = ex.steps[2]
    assert (charge.state, charge.status, charge.attempt) == ("Charge", "CAUGHT_ERROR", 3)
    assert charge.trace["errorOutput"] == {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded"}


def test_hybrid_path_runs_unmocked_states_for_real(machine):
    from stepfn_lab.services.simulated import Services
    services = Services()
    ex = machine.run(ITEMS, mock_config=MOCKS, test_case="HybridPath", services=services)
    assert ex.status == "SUCCEEDED"
    assert [m["Body"] for m in services.messages("ship")] == ITEMS["items"]  # strings go as they are


def test_a_missing_invocation_fails_the_execution_with_states_runtime(machine):
    ex = machine.run(ITEMS, mock_config=MOCKS, test_case="TooFewShipments")
    assert ex.status == "FAILED"
    assert ex.error == "States.Runtime"
    assert "No mocked response for invocation 1 of state 'ShipItem' in test case 'TooFewShipments'" in ex.cause
    assert "covers invocations 0" in ex.cause


def test_the_config_can_be_a_file_or_json_text(machine, tmp_path):
    path = tmp_path / "MockConfigFile.json"
    path.write_text(json.dumps(MOCKS))
    assert machine.run(ITEMS, mock_config=str(path), test_case="HappyPath").status == "SUCCEEDED"
    assert machine.run(ITEMS, mock_config=path, test_case="RetryPath").output["payment"] == {"chargeId": "ch_2"}
    assert machine.run(ITEMS, mock_config=json.dumps(MOCKS), test_case="HappyPath").status == "SUCCEEDED"


@pytest.mark.parametrize("name, test_case, message", [
    ("Other", "HappyPath", "no state machine named 'Other' (it has 'OrderFlow')"),
    ("OrderFlow", "HapyPath", "did you mean 'HappyPath'?"),
    ("OrderFlow", None, "say which test case to run"),
])
def test_naming_errors(name, test_case, message):
    machine = sfl.StateMachine.from_json(ORDER_FLOW, name=name)
    with pytest.raises(MockConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        machine.run(ITEMS, mock_config=MOCKS, test_case=test_case)


@pytest.mark.parametrize("responses, message", [
    ({"R": {"first": {"Return": 1}}}, "'first' is not an invocation number or range"),
    ({"R": {"0": {"Return": 1, "Throw": {"Error": "E", "Cause": "C"}}}}, "exactly one of 'Return' or 'Throw'"),
    ({"R": {"0": {"Throw": {"Error": "E"}}}}, "needs string fields 'Error' and 'Cause'"),
    ({"R": {"0-2": {"Return": 1}, "2": {"Return": 2}}}, "invocation 2 is covered twice"),
    ({"R": {"3-1": {"Return": 1}}}, "ends before it starts"),
])
def test_malformed_mocked_responses_are_refused(responses, message):
    config = {"StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}}, "MockedResponses": responses}
    with pytest.raises(MockConfigError, match=message):
        load_mock_config(config)


def test_a_test_case_naming_an_undefined_response_is_refused():
    config = {"StateMachines": {"M": {"TestCases": {"T": {"S": "Nope"}}}}, "MockedResponses": {}}
    with pytest.raises(MockConfigError, match="MockedResponses has no 'Nope'"):
        MockRun(config, "M", "T")


def test_any_json_value_can_be_returned_and_ranges_may_leave_gaps():
    config = {"StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}},
              "MockedResponses": {"R": {"0": {"Return": "text"}, "2": {"Return": [1]}}}}
    run = MockRun(config, "M", "T")
    assert run.response_for("Other") is None
    assert run.response_for("S").result() == "text"
    with pytest.raises(sfl.StatesError, match="No mocked response for invocation 1"):
        run.response_for("S").result()
    assert run.response_for("S").result() == [1]
    counts = run.snapshot()
    run.response_for("S")
    run.restore(counts)
    assert run.invocations("S") == 3


def test_thrown_errors_are_task_failures_and_returns_are_copies():
    config = {"StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}},
              "MockedResponses": {"R": {"0": {"Throw": {"Error": "E", "Cause": "C"}}, "1-2": {"Return": {"a": []}}}}}
    run = MockRun(config, "M", "T")
    with pytest.raises(sfl.StatesError) as caught:
        run.response_for("S").result()
    assert (caught.value.error, caught.value.cause, caught.value.details) == ("E", "C", {"task": True})
    first = run.response_for("S").result()
    first["a"].append(1)
    assert run.response_for("S").result() == {"a": []}


def test_a_lambda_function_resource_gets_the_payload_of_the_mocked_invoke_response():
    config = {"StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}},
              "MockedResponses": {"R": {"0-1": {"Return": {"StatusCode": 200, "Payload": {"ok": True}}}}}}
    run = MockRun(config, "M", "T")
    function = parse_resource("arn:aws:lambda:us-east-1:123456789012:function:f")
    assert run.response_for("S").result(function) == {"ok": True}
    service = parse_resource("arn:aws:states:::lambda:invoke")
    assert run.response_for("S").result(service) == {"StatusCode": 200, "Payload": {"ok": True}}


def test_mocked_results_can_be_checked_against_the_api_models():
    pytest.importorskip("botocore", reason="the API models ship with botocore (pip install boto3)")
    invoke = "arn:aws:states:::lambda:invoke"
    assert check_mocked_result(invoke, {"StatusCode": 200, "Payload": {"any": "json"}}) == []
    problems = check_mocked_result(invoke, {"StatusCode": "200", "Body": 1})
    assert any("$.StatusCode should be a integer" in p for p in problems)
    assert any("$.Body is not a field of InvocationResponse" in p for p in problems)
    send = "arn:aws:states:::sqs:sendMessage"
    assert check_mocked_result(send, {"MessageId": "m"}, "PRESENT") == []
    assert check_mocked_result(send, {"MessageId": 5}, "NONE") == []
    assert check_mocked_result(send, {"MessageId": 5}, "PRESENT") == ["$.MessageId should be a string, not 5"]
    get = "arn:aws:states:::aws-sdk:dynamodb:getItem"
    assert check_mocked_result(get, {"Item": {"id": {"S": "1"}}}) == []
    assert check_mocked_result(get, {"Item": {"id": {"X": "1"}}}) != []
    with pytest.raises(MockConfigError, match="STRICT, PRESENT or NONE"):
        check_mocked_result(get, {}, "LOOSE")
