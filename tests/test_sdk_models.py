"""asl/sdk_models.py: AWS's API models read from botocore's data, without importing botocore."""

from __future__ import annotations

import subprocess
import sys

import pytest

from stepfn_lab.asl import sdk_models as models

pytestmark = pytest.mark.skipif(models.data_dir() is None, reason="botocore's models are not installed")


@pytest.mark.parametrize("service_id, name", [
    ("DynamoDB", "DynamoDb"), ("SFN", "Sfn"), ("EventBridge", "EventBridge"), ("ACM PCA", "AcmPca"),
    ("Cost Explorer", "CostExplorer"), ("Database Migration Service", "DatabaseMigration"), ("EC2", "Ec2"),
    ("CloudHSM V2", "CloudHsmV2"), ("IoT Events", "IotEvents"), ("IoTAnalytics", "IoTAnalytics"),
    ("codestar notifications", "CodestarNotifications"), ("Elastic Load Balancing v2", "ElasticLoadBalancingV2"),
])
def test_java_client_names_match_aws_exception_prefix_table(service_id, name):
    # the "Exception prefix" column of AWS's "AWS SDK service integrations" table
    assert models.java_name(service_id) == name


def test_aws_sdk_service_names_map_to_botocore_models():
    assert models.find_sdk_service("sfn") == ("stepfunctions", "Sfn")
    assert models.find_sdk_service("eventbridge") == ("events", "EventBridge")
    assert models.find_sdk_service("costexplorer") == ("ce", "CostExplorer")
    assert models.find_sdk_service("rekognition") == ("rekognition", "Rekognition")
    assert models.find_sdk_service("stepfunctions") is None  # the integration calls it sfn


def test_request_members_are_pascal_case_and_checked():
    model = models.load_model("batch")
    shape = models.find_operation(model, "submitJob")["input"]["shape"]
    assert models.check_value(model, shape, {"JobName": "j", "JobQueue": "q", "JobDefinition": "d"}, "") == []
    problems = models.check_value(model, shape, {"JobName": "j", "JobQueu": "q", "JobDefinition": 3}, "")
    assert "The field 'JobQueu' is not supported by Step Functions (did you mean 'JobQueue'?)" in problems
    assert "The field 'JobQueue' is required but was missing" in problems
    assert any(p.startswith("The value for the field 'JobDefinition' must be a STRING") for p in problems)


def test_dynamic_members_count_as_given_and_are_not_type_checked():
    model = models.load_model("batch")
    shape = models.find_operation(model, "submitJob")["input"]["shape"]
    assert models.check_value(model, shape, {"JobName.$": "$.n", "JobQueue.$": "$.q", "JobDefinition": "d"},
                              "") == []


def test_reading_models_does_not_import_botocore():
    script = ("import sys; from stepfn_lab.asl import sdk_models as m; m.find_sdk_service('sfn'); "
              "m.load_model('stepfunctions'); print('botocore' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "False", result.stderr
