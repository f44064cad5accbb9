"""asl/task_resources.py: Task resources and literal parameters checked at validation, as AWS checks them."""

from __future__ import annotations

import pytest

import stepfn_lab as sfl
from stepfn_lab.asl import sdk_models
from stepfn_lab.asl.validate import validate

needs_models = pytest.mark.skipif(sdk_models.data_dir() is None, reason="botocore's models are not installed")


def task(resource: str, parameters: dict | None = None, **fields) -> dict:
    state = {"Type": "Task", "Resource": resource, "End": True, **fields}
    if parameters is not None:
        state["Parameters"] = parameters
    return {"StartAt": "T", "States": {"T": state}}


def problems(definition: dict, **kw) -> list[tuple]:
    return [(p.severity, p.code, p.location, p.message, p.hint) for p in validate(definition, **kw)]


@pytest.mark.parametrize("resource, hint", [
    ("arn:aws:states:::lambda:invok", "did you mean 'lambda:invoke'?"),
    ("arn:aws:states:::dynamodb:putitem", "did you mean 'dynamodb:putItem'?"),
    ("arn:aws:states:::sqs:sendMessage.sync", "supports request-response, .waitForTaskToken"),
    ("arn:aws:states:::aws-sdk:s3:listObjectsV2.sync", "AWS SDK integrations do not support .sync"),
    ("arn:aws:states:::aws-sdk:s3:ListObjectsV2", "did you mean 'aws-sdk:s3:listObjectsV2'? (the API action is "
                                                 "camelCase)"),
    ("arn:aws:states:::aws-sdk:lambda:invokeAsync", "AWS does not support lambda:invokeAsync"),
    ("arn:aws:states:::aws-sdk:mobile:listProjects", "deprecated"),
])
def test_typos_and_unsupported_resources_are_invalid_resource_errors(resource, hint):
    [found] = problems(task(resource))
    assert found[:3] == ("ERROR", "INVALID_RESOURCE", "/States/T/Resource")
    assert "is not recognized" in found[3] and hint in found[4]


@needs_models
@pytest.mark.parametrize("resource, hint", [
    ("arn:aws:states:::aws-sdk:rekognition:detectLabel", "did you mean 'aws-sdk:rekognition:detectLabels'?"),
    ("arn:aws:states:::aws-sdk:rekognitoin:detectLabels", "did you mean 'aws-sdk:rekognition'?"),
    ("arn:aws:states:::aws-sdk:stepfunctions:startExecution", "did you mean 'aws-sdk:sfn'?"),
    ("arn:aws:states:::aws-sdk:events:putEvents", "did you mean 'aws-sdk:eventbridge'?"),
    ("arn:aws:states:::rekognition:detectLabels", "did you mean 'arn:aws:states:::aws-sdk:rekognition:detectLabels'"),
])
def test_aws_sdk_services_and_actions_come_from_aws_api_models(resource, hint):
    [found] = problems(task(resource))
    assert found[1] == "INVALID_RESOURCE" and hint in found[4]


@needs_models
def test_literal_parameters_are_checked_against_the_action_request():
    found = problems(task("arn:aws:states:::aws-sdk:rekognition:detectLabels",
                          {"Image": {"S3Object": {"Bucket": "b", "Nme": "k.jpg"}}, "MaxLabels": "10"}))
    messages = [f[3] for f in found if f[1] == "SCHEMA_VALIDATION_FAILED"]
    assert all(f[2] == "/States/T/Parameters" for f in found if f[1] == "SCHEMA_VALIDATION_FAILED")
    assert "The field 'Image.S3Object.Nme' is not supported by Step Functions (did you mean 'Name'?)" in messages
    assert any(m.startswith("The value for the field 'MaxLabels' must be an INTEGER") for m in messages)
    found = problems(task("arn:aws:states:::batch:submitJob.sync", {"JobName": "j", "JobQueue": "q"}))
    assert [f[3] for f in found if f[0] == "ERROR"] == ["The field 'JobDefinition' is required but was missing"]


@needs_models
def test_optimized_integrations_take_json_where_aws_serializes_it():
    ok = [task("arn:aws:states:::sqs:sendMessage", {"QueueUrl": "q", "MessageBody": {"a": 1}}),
          task("arn:aws:states:::states:startExecution.sync:2", {"StateMachineArn": "arn", "Input": {"a": 1}}),
          task("arn:aws:states:::events:putEvents", {"Entries": [{"Detail": {"a": 1}, "DetailType": "t",
                                                                   "Source": "s"}]}),
          task("arn:aws:states:::bedrock:invokeModel", {"ModelId": "m", "Body": {"prompt": "hi"}})]
    for definition in ok:
        assert [f for f in problems(definition) if f[0] == "ERROR"] == [], definition


@needs_models
def test_jsonata_arguments_are_checked_and_expressions_left_to_run_time():
    definition = task("arn:aws:states:::aws-sdk:s3:listObjectsV2", QueryLanguage="JSONata",
                      Arguments={"Bucket": "{% $states.input.bucket %}", "MaxKeys": "{% 3 %}", "Prefx": "a/"})
    assert [(f[2], f[3]) for f in problems(definition)] == [
        ("/States/T/Arguments", "The field 'Prefx' is not supported by Step Functions (did you mean 'Prefix'?)")]


def test_resources_nobody_serves_locally_get_a_warning_with_the_way_to_run_them():
    served = lambda key: key.startswith("sqs:")  # noqa: E731 (what the local run can serve)
    found = problems(task("arn:aws:states:::batch:submitJob.sync", {"JobName": "j", "JobQueue": "q",
                                                                   "JobDefinition": "d"}), served=served)
    assert [(f[0], f[1]) for f in found] == [("WARNING", "NOT_SIMULATED")]
    assert "tasks={'batch:submitJob.sync': fn}" in found[0][4] and "--task batch:submitJob.sync=" in found[0][4]
    assert problems(task("arn:aws:states:::sqs:sendMessage", {"QueueUrl": "q", "MessageBody": "m"}),
                    served=served) == []


def test_region_and_account_qualified_resources_validate_like_the_short_form():
    qualified = task("arn:aws:states:us-east-1:123456789012:sqs:sendMessage", {"QueueUrl": "q", "MessageBody": "m"})
    assert problems(qualified) == []
    machine = sfl.StateMachine.from_json(task("arn:aws:states:us-east-1:123456789012:aws-sdk:s3:putObject",
                                              {"Bucket": "b", "Key": "k", "Body": "x"}))
    assert machine.run({}).status == "SUCCEEDED"  # the simulated S3 serves it, as for arn:aws:states:::


def test_without_botocore_the_model_checks_are_skipped_with_a_warning(monkeypatch):
    from stepfn_lab.asl import task_resources
    monkeypatch.setattr(sdk_models, "data_dir", lambda: None)
    monkeypatch.setattr(task_resources, "_check_resource", task_resources._check_resource.__wrapped__)
    task_resources.request_shape.cache_clear()
    try:
        found = problems(task("arn:aws:states:::aws-sdk:rekognition:detectLabels", {"Whatever": 1}))
    finally:
        task_resources.request_shape.cache_clear()
    assert [(f[0], f[1]) for f in found] == [("WARNING", "SDK_MODELS_MISSING")]
    assert "pip install botocore" in found[0][4]
