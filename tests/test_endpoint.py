"""stepfn_lab.endpoint: the local Step Functions endpoint notebook 16 starts (moto's server on a free port).

Where boto3 or moto is missing the tests are skipped, except under CI=true.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

import stepfn_lab as sfl
from stepfn_lab.aws import parity_report
from stepfn_lab.endpoint import DUMMY_CREDENTIALS, EndpointError, LocalEndpoint

IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _need_aws() -> None:
    for module in ("boto3", "moto", "flask"):
        if importlib.util.find_spec(module) is None:
            message = f"needs {module!r}, an optional extra: pip install -e '.[aws]'"
            if IN_CI:
                pytest.fail(f"CI=true, where nothing may be skipped: {message}", pytrace=False)
            pytest.skip(message)


@pytest.fixture(scope="module")
def endpoint():
    _need_aws()
    before = dict(os.environ)
    started = LocalEndpoint.start()
    assert dict(os.environ) == before, "starting the endpoint must not change this process's environment"
    yield started
    started.stop()


def test_it_listens_on_localhost_only_and_shows_no_port(endpoint: LocalEndpoint) -> None:
    assert endpoint.url.startswith("http://127.0.0.1:")
    assert repr(endpoint) == "LocalEndpoint(moto on 127.0.0.1, running)"
    assert endpoint.env() == DUMMY_CREDENTIALS


def test_a_machine_runs_the_same_here_and_there(endpoint: LocalEndpoint) -> None:
    machine = {"StartAt": "Route", "States": {
        "Route": {"Type": "Choice", "Default": "Small",
                  "Choices": [{"Variable": "$.total", "NumericGreaterThan": 10, "Next": "Big"}]},
        "Big": {"Type": "Pass", "Result": "big", "ResultPath": "$.size", "End": True},
        "Small": {"Type": "Pass", "Result": "small", "ResultPath": "$.size", "End": True}}}
    report = parity_report(machine, {"total": 50}, runner=endpoint.runner(), name="EndpointRouter")
    assert report.ok, report.text()
    assert report.remote.output == {"total": 50, "size": "big"}


def test_the_e_commerce_resources_exist_on_the_endpoint(endpoint: LocalEndpoint) -> None:
    endpoint.prepare("ecommerce_order")
    item = endpoint.client("dynamodb").get_item(TableName="Products", Key={"productId": {"S": "p-chair"}})["Item"]
    assert item["stock"] == {"N": "5"} and item["name"] == {"S": "Cadeira"}
    assert any(t["TopicArn"].endswith(":order-events") for t in endpoint.client("sns").list_topics()["Topics"])
    report = parity_report(sfl.examples.load("ecommerce_order"), sfl.examples.sample_input("ecommerce_order"),
                           runner=endpoint.runner(), services=sfl.examples.prepare("ecommerce_order"))
    assert report.local.status == "SUCCEEDED"
    # The two runs agree up to GetProduct's task result; notebook 16 explains where they part ways.
    assert [row.mark for row in report.events[:10]] == [" "] * 10


def test_an_example_without_endpoint_resources_is_a_clear_error(endpoint: LocalEndpoint) -> None:
    with pytest.raises(EndpointError, match="'ecommerce_order' only"):
        endpoint.prepare("seed")


def test_stop_stops_it() -> None:
    _need_aws()
    with LocalEndpoint.start() as endpoint:
        assert endpoint.running
    assert not endpoint.running and repr(endpoint).endswith("stopped)")
