"""A local Step Functions endpoint for the course: moto's server on a free localhost port.

Spec: the AWS Step Functions API as moto's server answers it (``python -m
moto.server``, with ``{"stepfunctions": {"execute_state_machine": true}}`` posted
to ``/moto-api/config`` so that executions really run instead of only being
recorded). Taught in: notebooks/16-from-the-lab-to-aws.ipynb, where
``stepfn-lab parity`` compares the kit's run of a machine with the endpoint's,
event by event, with no AWS account and no network.

    endpoint = LocalEndpoint.start()          # a child process, listening on 127.0.0.1 only
    runner = endpoint.runner()                # an aws.AwsRunner with the endpoint's dummy credentials
    endpoint.env()                            # the variables a `stepfn-lab parity --endpoint-url ...` process needs
    endpoint.stop()

Nothing here touches this process's environment: the dummy credentials go to
the boto3 clients it makes and to the child processes that are given ``env()``.
Needs the ``aws`` extra (boto3, moto[server]); a missing piece is a clear error.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from .errors import StepFnLabError

__all__ = ["LocalEndpoint", "EndpointError", "DUMMY_CREDENTIALS"]

# moto accepts any credentials; these keep real ones out of the picture.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                     "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
ACCOUNT = "123456789012"  # moto's default account id


class EndpointError(StepFnLabError, RuntimeError):
    """The local endpoint could not start or answer; the message says why and what to install."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalEndpoint:
    """moto's Step Functions (and DynamoDB, SNS, SQS) server, running in a child process."""

    def __init__(self, url: str, process: subprocess.Popen, log: Path, region: str = "us-east-1"):
        self.url = url
        self.region = region
        self._process = process
        self._log = log

    @classmethod
    def start(cls, timeout: float = 60.0, region: str = "us-east-1") -> "LocalEndpoint":
        """Start the server on a free port of 127.0.0.1 and wait until it runs executions."""
        for module, extra in (("boto3", "boto3"), ("moto", "moto[server]"), ("flask", "moto[server]")):
            if importlib.util.find_spec(module) is None:
                raise EndpointError(f"the local endpoint needs {extra}: pip install stepfn-lab[aws]")
        port = _free_port()
        log = Path(tempfile.mkdtemp(prefix="stepfn-lab-moto-")) / "moto.log"
        with open(log, "wb") as out:
            process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                       stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        endpoint = cls(f"http://127.0.0.1:{port}", process, log, region)
        try:
            endpoint._wait(timeout)
            endpoint._post("/moto-api/config", {"stepfunctions": {"execute_state_machine": True}})
        except BaseException:
            endpoint.stop()
            raise
        return endpoint

    def _wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self._process.poll() is not None:
                raise EndpointError(f"moto's server exited with code {self._process.returncode}: {self._tail()}")
            try:
                urllib.request.urlopen(f"{self.url}/moto-api/config", timeout=1).read()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise EndpointError(f"moto's server did not answer within {timeout:g} s: {self._tail()}") from None
                time.sleep(0.1)

    def _tail(self) -> str:
        try:
            return self._log.read_text(encoding="utf-8", errors="replace")[-800:].strip() or "(no output)"
        except OSError:
            return "(no log)"

    def _post(self, path: str, body: dict) -> None:
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    @property
    def running(self) -> bool:
        return self._process.poll() is None

    def client(self, service: str = "stepfunctions") -> Any:
        """A boto3 client of ``service`` on this endpoint, with the dummy credentials."""
        import boto3
        return boto3.client(service, endpoint_url=self.url, region_name=self.region,
                            aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                            aws_session_token=DUMMY_CREDENTIALS["AWS_SESSION_TOKEN"])

    def runner(self, poll_interval: float = 0.1) -> Any:
        """An ``aws.AwsRunner`` on this endpoint (what ``parity_report(..., runner=...)`` takes)."""
        from .aws import AwsRunner
        return AwsRunner(endpoint_url=self.url, region=self.region, client=self.client(),
                         poll_interval=poll_interval)

    def env(self) -> dict[str, str]:
        """Environment variables for a child process that talks to this endpoint (dummy credentials)."""
        return dict(DUMMY_CREDENTIALS, AWS_DEFAULT_REGION=self.region)

    def prepare(self, example: str) -> None:
        """Create on the endpoint the tables, items, topics and queues a bundled example expects.

        The same resources as ``stepfn_lab.examples.prepare`` creates for the local run.
        """
        if example != "ecommerce_order":
            raise EndpointError(f"no endpoint resources for the example {example!r}; "
                                "the course prepares 'ecommerce_order' only")
        dynamodb = self.client("dynamodb")
        for table, key in (("Orders", "orderId"), ("Products", "productId"), ("Customers", "customerId")):
            dynamodb.create_table(TableName=table, KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                                  AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
                                  BillingMode="PAY_PER_REQUEST")
        for item in ({"productId": "p-chair", "name": "Cadeira", "price": 120, "stock": 5},
                     {"productId": "p-table", "name": "Mesa", "price": 450, "stock": 0}):
            dynamodb.put_item(TableName="Products", Item=_typed(item))
        dynamodb.put_item(TableName="Customers",
                          Item=_typed({"customerId": "c-ana", "name": "Ana", "email": "ana@example.com"}))
        self.client("sns").create_topic(Name="order-events")
        self.client("sqs").create_queue(QueueName="shipping")

    def stop(self) -> None:
        """Stop the server (and wait for it)."""
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def __enter__(self) -> "LocalEndpoint":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:  # no port: it changes from run to run, and notebook outputs must not
        return f"LocalEndpoint(moto on 127.0.0.1, {'running' if self.running else 'stopped'})"


def _typed(item: dict) -> dict:
    """A plain item as DynamoDB's typed attribute values."""
    return {k: {"N": str(v)} if isinstance(v, (int, float)) and not isinstance(v, bool) else {"S": str(v)}
            for k, v in item.items()}
