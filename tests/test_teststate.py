"""inspect_state, the local TestState: response shape, statuses, mocks, and agreement with run()."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import stepfn_lab as sfl
from stepfn_lab.errors import StepFnLabError
from stepfn_lab.services.mocks import MockConfigError

INVOKE = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
          "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 3, "MaxAttempts": 2,
                     "BackoffRate": 2}],
          "Catch": [{"ErrorEquals": ["Other"], "Next": "Other"},
                    {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Recover"}],
          "Next": "Ship"}
THROTTLED = {"errorOutput": {"error": "Lambda.TooManyRequestsException", "cause": "Rate exceeded"}}


def test_a_pass_state_at_debug_level_shows_every_stage():
    state = {"Type": "Pass", "InputPath": "$.order", "Parameters": {"total.$": "$.price"},
             "ResultPath": "$.sum", "OutputPath": "$.sum", "Next": "Done"}
    result = sfl.inspect_state(definition=state, input={"order": {"price": 7}}, inspection_level="DEBUG")
    assert result["status"] == "SUCCEEDED"
    assert result["output"] == '{"total":7}'
    assert result["nextState"] == "Done"
    data = result["inspectionData"]
    assert data["input"] == '{"order":{"price":7}}'
    assert data["afterInputPath"] == '{"price":7}'
    assert data["afterParameters"] == '{"total":7}'
    assert data["afterResultPath"] == '{"order":{"price":7},"sum":{"total":7}}'  # ResultPath writes into the raw input
    assert result.parsed()["output"] == {"total": 7}


def test_info_level_has_no_inspection_data_and_input_may_be_json_text():
    result = sfl.inspect_state(definition=json.dumps({"Type": "Succeed"}), input='{"a": [1]}')
    assert result == {"output": '{"a":[1]}', "status": "SUCCEEDED"}


def test_choice_reports_the_next_state():
    state = {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"}],
             "Default": "Small"}
    assert sfl.inspect_state(definition=state, input={"n": 11})["nextState"] == "Big"
    assert sfl.inspect_state(definition=state, input={"n": 1})["nextState"] == "Small"
    failed = sfl.inspect_state(definition={"Type": "Choice", "Choices": state["Choices"]}, input={"n": 1})
    assert failed["status"] == "FAILED" and failed["error"] == "States.NoChoiceMatched"


def test_a_fail_state_fails():
    result = sfl.inspect_state(definition={"Type": "Fail", "ErrorPath": "$.e", "Cause": "because"},
                               input={"e": "Broken"})
    assert result == {"error": "Broken", "cause": "because", "status": "FAILED"}


def test_a_mocked_task_result_goes_through_result_selector_and_result_path():
    state = {**INVOKE, "ResultSelector": {"id.$": "$.Payload.chargeId"}, "ResultPath": "$.charge"}
    mock = {"result": json.dumps({"StatusCode": 200, "Payload": {"chargeId": "ch_1"}})}
    result = sfl.inspect_state(definition=state, input={"amount": 5}, mock=mock, inspection_level="DEBUG")
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"amount": 5, "charge": {"id": "ch_1"}}
    assert result["nextState"] == "Ship"
    data = result.parsed()["inspectionData"]
    assert data["afterParameters"] == {"FunctionName": "charge", "Payload": {"amount": 5}}
    assert data["result"] == {"StatusCode": 200, "Payload": {"chargeId": "ch_1"}}
    assert data["afterResultSelector"] == {"id": "ch_1"}


def test_a_matching_retrier_makes_the_state_retriable():
    result = sfl.inspect_state(definition=INVOKE, input={}, mock=THROTTLED, inspection_level="DEBUG")
    assert result["status"] == "RETRIABLE"
    assert (result["error"], result["cause"]) == ("Lambda.TooManyRequestsException", "Rate exceeded")
    assert "nextState" not in result and "output" not in result
    assert result["inspectionData"]["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 3}
    again = sfl.inspect_state(definition=INVOKE, input={}, mock=THROTTLED, inspection_level="DEBUG",
                              state_configuration={"retrierRetryCount": 1})
    assert again["inspectionData"]["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 6}


def test_exhausted_retries_are_caught():
    result = sfl.inspect_state(definition=INVOKE, input={"a": 1}, mock=THROTTLED, inspection_level="DEBUG",
                               state_configuration={"retrierRetryCount": 2})
    assert result["status"] == "CAUGHT_ERROR"
    assert result["nextState"] == "Recover"
    assert json.loads(result["output"]) == {"a": 1, "error": {"Error": "Lambda.TooManyRequestsException",
                                                              "Cause": "Rate exceeded"}}
    assert result["inspectionData"]["errorDetails"] == {"catchIndex": 1}


def test_an_unhandled_error_fails():
    state = {k: v for k, v in INVOKE.items() if k not in ("Retry", "Catch")}
    result = sfl.inspect_state(definition=state, input={}, mock={"errorOutput": {"error": "Boom", "cause": "bad"}})
    assert result == {"error": "Boom", "cause": "bad", "status": "FAILED"}


def test_a_state_of_a_whole_machine_inherits_its_query_language_and_uses_variables():
    machine = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Pass", "Output": "{% $states.input.n * $factor %}", "Assign": {"seen": "{% true %}"},
              "End": True}}}
    result = sfl.inspect_state(definition=machine, state_name="B", input={"n": 4}, variables='{"factor": 3}',
                               inspection_level="DEBUG")
    assert result["status"] == "SUCCEEDED" and result["output"] == "12"
    assert json.loads(result["inspectionData"]["variables"]) == {"factor": 3, "seen": True}
    with pytest.raises(ValueError, match="no top-level state 'C'"):
        sfl.inspect_state(definition=machine, state_name="C")


def test_a_callback_task_answers_with_its_mock():
    state = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
             "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                            "MessageBody": {"token.$": "$$.Task.Token"}}, "End": True}
    result = sfl.inspect_state(definition=state, input={}, mock={"result": '{"approved": true}',
                                                                 "fieldValidationMode": "NONE"})
    assert result == {"output": '{"approved":true}', "status": "SUCCEEDED"}
    with pytest.raises(sfl.StepFnLabError, match="waits for a callback"):
        sfl.inspect_state(definition=state, input={})


def test_mocked_results_are_validated_against_the_api_model():
    pytest.importorskip("botocore", reason="the API models ship with botocore (pip install boto3)")
    bad = {"result": '{"StatusCode": "200"}'}
    with pytest.raises(MockConfigError, match=r"\$.StatusCode should be a integer"):
        sfl.inspect_state(definition=INVOKE, input={}, mock=bad)
    loose = sfl.inspect_state(definition=INVOKE, input={}, mock={**bad, "fieldValidationMode": "NONE"})
    assert loose["status"] == "SUCCEEDED"


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="inspection_level must be one of INFO, DEBUG, TRACE"):
        sfl.inspect_state(definition={"Type": "Succeed"}, inspection_level="ALL")
    with pytest.raises(ValueError, match="input is JSON text"):
        sfl.inspect_state(definition={"Type": "Succeed"}, input="hello")
    with pytest.raises(ValueError, match="mock= answers Task states"):
        sfl.inspect_state(definition={"Type": "Pass", "End": True}, mock={"result": "1"})



def test_a_start_at_that_is_not_a_name_is_refused_even_when_deeply_nested():
    deep: list = []
    for _ in range(5000):  # deeper than Python's stack: the message must not repr it whole
        deep = [deep]
    for start_at in (deep, ["Hello"], 7):
        definition = {"StartAt": start_at, "States": {"Hello": {"Type": "Pass", "End": True}}}
        with pytest.raises(ValueError, match="the state to test is named by a string") as caught:
            sfl.inspect_state(definition=definition)
        assert len(str(caught.value)) < 200

# --- agreement with run() on the AWS-recorded conformance cases --------------------------------------

_ISOLATABLE = {"Pass", "Choice", "Wait", "Succeed", "Fail"}
# what a one-state run cannot reproduce: the context object, randomness, the clock
_UNSTABLE = ("$$", "$states.context", "States.UUID", "States.MathRandom", "$uuid", "$random", "$now", "$millis")
_EVENT_ID = re.compile(r"\(entered at the event id #\d+\)")


def _agreement_problems(case: dict, handlers) -> tuple[int, list[str]]:
    """Run a case, then inspect_state every top-level JSONPath state it can isolate; list disagreements."""
    definition = case["definition"]
    top_language = definition.get("QueryLanguage", "JSONPath")
    machine = sfl.StateMachine.from_json(definition, workflow_type=case.get("state_machine_type", "STANDARD"))
    execution = machine.run(case["input"], lambdas=handlers(case.get("lambdas") or {}))
    variables: dict = {}
    compared, problems = 0, []
    for step in execution.steps:
        if step.path != "":
            continue
        before = variables
        if step.variables_after is not None:
            variables = step.variables_after
        raw = definition["States"][step.state]
        if step.type not in _ISOLATABLE or raw.get("QueryLanguage", top_language) != "JSONPath" \
                or any(mark in json.dumps(raw) for mark in _UNSTABLE):
            continue
        result = sfl.inspect_state(definition=definition, state_name=step.state, input=step.trace["input"],
                                   variables=before or None).parsed()
        compared += 1
        if step.status == "SUCCEEDED":
            same = (result["status"], result.get("output"), result.get("nextState")) == \
                   ("SUCCEEDED", step.trace["output"], step.next)
        else:
            same = (result["status"], result.get("error"), _EVENT_ID.sub("", result.get("cause") or "")) == \
                   ("FAILED", step.error, _EVENT_ID.sub("", step.cause or ""))
        if not same:
            problems.append(f"{case['_file']} state {step.state!r}: run gave {step.status} "
                            f"{step.trace.get('output')!r} -> {step.next!r} ({step.error}: {step.cause}); "
                            f"inspect_state gave {result}")
    return compared, problems


def test_inspect_state_agrees_with_run_on_the_conformance_cases(conformance_dir: Path):
    from conformance_executor import make_handlers
    compared, cases_used, problems = 0, 0, []
    for path in sorted((conformance_dir / "cases").glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        case["_file"] = path.name
        if "sleep" in json.dumps(case.get("lambdas") or {}):
            continue  # timeout cases: their Lambdas sleep, and they have no isolatable state to compare
        n, found = _agreement_problems(case, make_handlers)
        compared += n
        cases_used += bool(n)
        problems += found
    assert not problems, f"{len(problems)} of {compared} states disagree:\n" + "\n".join(problems[:20])
    assert compared > 500 and cases_used > 300, (compared, cases_used)


@pytest.mark.parametrize("definition", [
    {"StartAt": {1, 2}, "States": {"A": {"Type": "Pass", "End": True}}},
    {"StartAt": "A", "States": {"A": {1, 2}}},
    {"StartAt": "A", "States": {"A": "Pass"}},
    {"Type": "Pass", "Catch": 5, "Choices": {"x"}, "End": True},
])
def test_odd_definitions_get_the_kits_errors(definition):
    from stepfn_lab.errors import StepFnLabError
    try:
        result = sfl.inspect_state(definition, {})
    except StepFnLabError as exc:
        assert str(exc)
    else:
        assert result["status"] in ("SUCCEEDED", "FAILED", "CAUGHT_ERROR", "RETRIABLE")


def test_a_states_object_with_names_that_are_not_strings_gets_a_clear_answer():
    # found by the property suite: a Python dict with a tuple key made the hint's join raise TypeError
    with pytest.raises(StepFnLabError, match=r"no top-level state 'RecordOrder' \(states: \(1, 2\)\)"):
        sfl.inspect_state({"StartAt": "RecordOrder", "States": {(1, 2): 3}}, {})
