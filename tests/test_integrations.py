"""asl/integrations.py: integration ARNs (with or without region and account) and the optimized table."""

from __future__ import annotations

import pytest

from stepfn_lab.asl import integrations as integ


@pytest.mark.parametrize("arn, key", [
    ("arn:aws:states:::sqs:sendMessage", "sqs:sendMessage"),
    ("arn:aws:states:us-east-1:123456789012:aws-sdk:s3:putObject", "aws-sdk:s3:putObject"),
    ("arn:aws-cn:states:cn-north-1:123456789012:batch:submitJob.sync", "batch:submitJob.sync"),
    ("arn:aws:states:us-east-1:123456789012:activity:Approve", None),
    ("arn:aws:lambda:us-east-1:123456789012:function:f", None),
    ("LocalName", None),
])
def test_integration_keys_drop_region_and_account(arn, key):
    assert integ.integration_key(arn) == key


def test_split_key_reads_the_pattern():
    assert integ.split_key("aws-sdk:sfn:sendTaskSuccess") == (True, "sfn", "sendTaskSuccess", "")
    assert integ.split_key("states:startExecution.sync:2") == (False, "states", "startExecution", ".sync:2")
    assert integ.split_key("sqs:sendMessage.waitForTaskToken") == (False, "sqs", "sendMessage", ".waitForTaskToken")


@pytest.mark.parametrize("key, hint", [
    ("lambda:invok", "did you mean 'lambda:invoke'?"),
    ("dynamodb:putitem", "did you mean 'dynamodb:putItem'? (API names are camelCase)"),
    ("sqs:sendMessage.sync", "supports request-response, .waitForTaskToken; did you mean 'arn:aws:states:::sqs:sendMessage'?"),
    ("dynamodb:query", "any other API: arn:aws:states:::aws-sdk:dynamodb:query"),
    ("lamda:invoke", "did you mean 'lambda:invoke'?"),
])
def test_unknown_optimized_integrations_get_aws_answer_and_a_hint(key, hint):
    arn = "arn:aws:states:::" + key
    message, found = integ.check_optimized(arn, key)
    assert message == (f"The resource provided {arn} is not recognized. The value is not a valid resource ARN, "
                       f"or the resource is not available in this region.")
    assert hint in found


@pytest.mark.parametrize("key", ["lambda:invoke", "lambda:invoke.waitForTaskToken", "batch:submitJob.sync",
                                 "states:startExecution.sync:2", "ecs:runTask.waitForTaskToken", "http:invoke",
                                 "glue:startJobRun.sync", "athena:startQueryExecution.sync", "events:putEvents"])
def test_documented_integrations_and_patterns_are_accepted(key):
    assert integ.check_optimized("arn:aws:states:::" + key, key) is None
