"""runtime/local_tasks.py: any Task resource served by a local function (``tasks=``), checked against AWS's models."""

from __future__ import annotations

import json

import pytest

import stepfn_lab as sfl
from stepfn_lab.asl import sdk_models
from stepfn_lab.services.simulated import Services

needs_models = pytest.mark.skipif(sdk_models.data_dir() is None, reason="botocore's models are not installed")

DETECT = {"StartAt": "Detect", "States": {"Detect": {
    "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:rekognition:detectLabels",
    "Parameters": {"Image": {"S3Object": {"Bucket.$": "$.bucket", "Name.$": "$.key"}}, "MaxLabels": 3},
    "ResultSelector": {"labels.$": "$.Labels[*].Name"},
    "Catch": [{"ErrorEquals": ["Rekognition.InvalidImageFormatException"], "ResultPath": "$.error",
               "Next": "Unreadable"}],
    "End": True},
    "Unreadable": {"Type": "Pass", "End": True}}}
PHOTO = {"bucket": "photos", "key": "cat.jpg"}


def detect_labels(request):
    assert request == {"Image": {"S3Object": {"Bucket": "photos", "Name": "cat.jpg"}}, "MaxLabels": 3}
    return {"Labels": [{"Name": "Cat", "Confidence": 99.2}, {"Name": "Pet", "Confidence": 97.0}]}


def test_a_function_serves_an_aws_sdk_resource():
    ex = sfl.StateMachine.from_json(DETECT).run(PHOTO, tasks={"aws-sdk:rekognition:detectLabels": detect_labels})
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == {"labels": ["Cat", "Pet"]}
    scheduled = [e for e in ex.history if e.type == "TaskScheduled"][0]
    assert scheduled.details["resourceType"] == "aws-sdk:rekognition" and scheduled.details["resource"] == \
        "detectLabels"


def test_keys_may_be_full_arns_with_region_and_account():
    qualified = json.loads(json.dumps(DETECT).replace(
        "arn:aws:states:::", "arn:aws:states:us-east-1:123456789012:"))
    ex = sfl.StateMachine.from_json(qualified).run(
        PHOTO, tasks={"arn:aws:states:::aws-sdk:rekognition:detectLabels": detect_labels})
    assert ex.output == {"labels": ["Cat", "Pet"]}


class InvalidImageFormatException(Exception):
    pass


class InvalidImageFormat(Exception):  # AWS always adds the Exception suffix
    pass


@pytest.mark.parametrize("raised", [InvalidImageFormatException, InvalidImageFormat])
def test_errors_take_aws_names_and_can_be_caught(raised):
    def broken(request):
        raise raised("Request has invalid image format")

    ex = sfl.StateMachine.from_json(DETECT).run(PHOTO, tasks={"aws-sdk:rekognition:detectLabels": broken})
    assert ex.status == "SUCCEEDED"
    assert ex.output["error"] == {"Error": "Rekognition.InvalidImageFormatException",
                                  "Cause": "Request has invalid image format"}


def test_a_botocore_client_error_and_a_states_error_keep_their_names():
    class ClientError(Exception):  # the shape of botocore.exceptions.ClientError
        def __init__(self):
            super().__init__("An error occurred (AccessDeniedException)")
            self.response = {"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}

    def denied(request):
        raise ClientError()

    machine = sfl.StateMachine.from_json(DETECT)
    ex = machine.run(PHOTO, tasks={"aws-sdk:rekognition:detectLabels": denied})
    assert (ex.error, ex.cause) == ("Rekognition.AccessDeniedException", "not allowed")

    def throttled(request):
        raise sfl.StatesError("Rekognition.ThrottlingException", "slow down")

    ex = machine.run(PHOTO, tasks={"aws-sdk:rekognition:detectLabels": throttled})
    assert (ex.error, ex.cause) == ("Rekognition.ThrottlingException", "slow down")


def test_a_python_bug_in_the_function_is_a_task_failure_that_says_so():
    ex = sfl.StateMachine.from_json(DETECT).run(PHOTO, tasks={"aws-sdk:rekognition:detectLabels": lambda r: r["x"]})
    assert ex.error == "States.TaskFailed"
    assert "raised KeyError: 'x' (a bug in the function, not an AWS error" in ex.cause


@needs_models
def test_a_wrong_mock_response_fails_with_the_member_to_fix():
    ex = sfl.StateMachine.from_json(DETECT).run(
        PHOTO, tasks={"aws-sdk:rekognition:detectLabels": lambda r: {"labels": [{"Name": "Cat"}]}})
    assert ex.status == "FAILED" and ex.error == "States.Runtime"
    assert "returned a response that does not match DetectLabelsResponse in AWS's API model" in ex.cause
    assert "'labels' is not a member of DetectLabelsResponse (did you mean 'Labels'?)" in ex.cause
    ex = sfl.StateMachine.from_json(DETECT).run(
        PHOTO, tasks={"aws-sdk:rekognition:detectLabels": lambda r: {"Labels": [{"Confidence": "high"}]}})
    assert "The value for the field 'Labels[0].Confidence' must be a FLOAT" in ex.cause


@needs_models
def test_a_request_that_does_not_fit_the_model_fails_before_the_function_runs():
    calls = []
    definition = json.loads(json.dumps(DETECT))
    definition["States"]["Detect"]["Parameters"]["MaxLabels.$"] = "$.max"
    del definition["States"]["Detect"]["Parameters"]["MaxLabels"]
    ex = sfl.StateMachine.from_json(definition).run(
        {**PHOTO, "max": "three"}, tasks={"aws-sdk:rekognition:detectLabels": lambda r: calls.append(r) or {}})
    assert ex.error == "States.Runtime" and calls == []
    assert "The value for the field 'MaxLabels' must be an INTEGER" in ex.cause


def test_sync_jobs_complete_when_the_function_returns():
    definition = {"StartAt": "Job", "States": {"Job": {
        "Type": "Task", "Resource": "arn:aws:states:::batch:submitJob.sync", "End": True,
        "Parameters": {"JobName": "nightly", "JobQueue": "q", "JobDefinition": "d"}}}}
    machine = sfl.StateMachine.from_json(definition)

    def job(request, context):
        assert context.resource == "batch:submitJob.sync" and context.state == "Job" and context.token is None
        return {"JobName": request["JobName"], "JobId": "j-1", "Status": "SUCCEEDED"}

    for key in ("batch:submitJob.sync", "batch:submitJob"):  # the key may leave the pattern out
        ex = machine.run({}, tasks={key: job})
        assert ex.output == {"JobName": "nightly", "JobId": "j-1", "Status": "SUCCEEDED"}

    class AWSBatchException(Exception):
        pass

    def failing(request):
        raise AWSBatchException("queue disabled")

    assert machine.run({}, tasks={"batch:submitJob.sync": failing}).error == "Batch.AWSBatchException"


def test_wait_for_task_token_hands_the_token_to_the_function_and_waits():
    definition = {"StartAt": "Run", "States": {"Run": {
        "Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.waitForTaskToken", "End": True,
        "Parameters": {"TaskDefinition": "worker", "Overrides": {"ContainerOverrides": [{
            "Name": "worker", "Environment": [{"Name": "TOKEN", "Value.$": "$$.Task.Token"}]}]}}}}}
    tokens = []

    def run_task(request, context):
        tokens.append(context.token)
        assert request["Overrides"]["ContainerOverrides"][0]["Environment"][0]["Value"] == context.token
        return {"Tasks": [{"TaskArn": "arn:aws:ecs:us-east-1:123456789012:task/t-1"}], "Failures": []}

    ex = sfl.StateMachine.from_json(definition).run({}, tasks={"ecs:runTask": run_task})
    assert ex.status == "RUNNING" and ex.waiting and ex.history.types[-1] == "TaskSubmitted"
    ex.send_task_success(tokens[0], {"exitCode": 0}).run()
    assert ex.status == "SUCCEEDED" and ex.output == {"exitCode": 0}


def test_a_function_wins_over_the_simulation_and_mocks_still_win_over_both(tmp_path):
    definition = {"StartAt": "Save", "States": {"Save": {
        "Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "End": True,
        "Parameters": {"TableName": "Orders", "Item": {"id": {"S": "o-1"}}}}}}
    machine = sfl.StateMachine.from_json(definition, name="Orders")
    services = Services()
    ex = machine.run({}, services=services, tasks={"dynamodb:putItem": lambda r: {}})
    assert ex.status == "SUCCEEDED" and services.items("Orders") == []
    mocks = {"StateMachines": {"Orders": {"TestCases": {"Happy": {"Save": "Saved"}}}},
             "MockedResponses": {"Saved": {"0": {"Return": {"mocked": True}}}}}
    path = tmp_path / "mocks.json"
    path.write_text(json.dumps(mocks), encoding="utf-8")
    ex = machine.run({}, tasks={"dynamodb:putItem": lambda r: {}}, mock_config=str(path), test_case="Happy")
    assert ex.output == {"mocked": True}


def test_nested_executions_use_the_parents_functions():
    child = sfl.StateMachine.from_json(DETECT, name="Labeler")
    parent = sfl.StateMachine.from_json({"StartAt": "Run child", "States": {"Run child": {
        "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2", "End": True,
        "Parameters": {"StateMachineArn": child.arn, "Input.$": "$"}, "OutputPath": "$.Output"}}})
    ex = parent.run(PHOTO, services=Services().register(child),
                    tasks={"aws-sdk:rekognition:detectLabels": detect_labels})
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == {"labels": ["Cat", "Pet"]}


def test_bad_tasks_arguments_are_refused_clearly():
    machine = sfl.StateMachine.from_json(DETECT)
    with pytest.raises(sfl.StepFnLabError, match="must be a function"):
        machine.start(PHOTO, tasks={"aws-sdk:rekognition:detectLabels": "detect_labels"})


def test_without_botocore_functions_still_serve_unchecked(monkeypatch):
    from stepfn_lab.asl import task_resources
    monkeypatch.setattr(sdk_models, "data_dir", lambda: None)
    task_resources.request_shape.cache_clear()
    try:
        ex = sfl.StateMachine.from_json(DETECT, validate=False).run(
            PHOTO, tasks={"aws-sdk:rekognition:detectLabels": lambda r: {"Labels": [{"Name": "Cat"}]}})
    finally:
        task_resources.request_shape.cache_clear()
    assert ex.output == {"labels": ["Cat"]}
