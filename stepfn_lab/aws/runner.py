"""The Step Functions client: deploy a definition, start it, wait, fetch its history, explain failures.

Spec: AWS Step Functions API (``CreateStateMachine``, ``UpdateStateMachine``,
``ListStateMachines``, ``StartExecution``, ``StartSyncExecution``,
``DescribeExecution``, ``GetExecutionHistory``), called through boto3, imported
only when a runner is made. Taught in: ``stepfn-lab parity --help`` and
notebooks/16-from-the-lab-to-aws.ipynb (against the local endpoint).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..errors import StepFnLabError
from ..runtime.clock import format_iso

__all__ = ["AwsRunner", "RemoteExecution", "AwsError", "AwsUnavailable", "AwsTimeout", "INSTALL_HINT"]

INSTALL_HINT = "pip install stepfn-lab[aws]"
DEFAULT_ROLE = "arn:aws:iam::123456789012:role/stepfn-lab"  # accepted by emulators, which do not check roles
STANDARD, EXPRESS = "STANDARD", "EXPRESS"
_DONE_EVENTS = ("ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted")


class AwsError(StepFnLabError, RuntimeError):
    """A call to the Step Functions endpoint failed; the message names the call and the reason."""


class AwsUnavailable(AwsError, ImportError):
    """boto3 is not installed."""


class AwsTimeout(AwsError, TimeoutError):
    """An execution did not finish within the time given to ``wait``."""


def _boto3() -> Any:
    try:
        import boto3
    except ImportError:
        raise AwsUnavailable(f"running on AWS needs boto3, an optional extra: {INSTALL_HINT}") from None
    return boto3


# --- results -----------------------------------------------------------------------------

@dataclass
class RemoteExecution:
    """What a remote execution did: ``status``, ``output`` (parsed JSON), ``error``, ``cause``, ``events``."""

    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None
    events: list[dict] = field(default_factory=list)
    arn: str | None = None
    state_machine_arn: str | None = None

    @property
    def types(self) -> list[str]:
        """The history's event types, in order."""
        return [e.get("type", "") for e in self.events]

    def summary(self) -> str:
        """A few stable lines, the same shape as ``Execution.summary()``."""
        lines = [f"status: {self.status}"]
        if self.status == "SUCCEEDED":
            lines.append("output: " + compact(self.output))
        elif self.status != "RUNNING":
            lines.append(f"error:  {self.error}")
            lines.append(f"cause:  {self.cause}")
        lines.append(f"events: {len(self.events)}")
        return "\n".join(lines)


# --- the runner --------------------------------------------------------------------------

class AwsRunner:
    """Deploys definitions to a Step Functions endpoint and runs them there.

    Args:
        endpoint_url: ``None`` for AWS itself, else the URL of an emulator.
        region: the AWS region.
        role_arn: the IAM role executions assume; required on AWS, a placeholder elsewhere.
        client: a ready boto3 ``stepfunctions`` client (then ``endpoint_url`` and ``region`` are unused).
        poll_interval: seconds between ``DescribeExecution`` calls while waiting.
    """

    def __init__(self, endpoint_url: str | None = None, region: str = "us-east-1", role_arn: str | None = None,
                 *, client: Any = None, poll_interval: float = 0.2):
        self.endpoint_url = endpoint_url
        self.region = region
        self.role_arn = role_arn
        self.poll_interval = poll_interval
        if client is None:
            boto3 = _boto3()
            options: dict[str, Any] = {}
            if endpoint_url is not None:  # no "sync-" host prefix (StartSyncExecution) on an emulator's URL
                from botocore.config import Config
                options["config"] = Config(inject_host_prefix=False)
            client = boto3.client("stepfunctions", endpoint_url=endpoint_url, region_name=region, **options)
        self.client = client

    def __repr__(self) -> str:
        where = self.endpoint_url or f"AWS {self.region}"
        return f"AwsRunner({where})"

    # -- one call, errors for people --

    def _call(self, operation: str, **params: Any) -> dict:
        try:
            return getattr(self.client, operation)(**params)
        except Exception as exc:  # botocore's exceptions, translated below
            raise _translate(exc, operation, self.endpoint_url) from None

    # -- the API --

    def deploy(self, machine_or_definition: Any, name: str | None = None, workflow_type: str | None = None) -> str:
        """Create the state machine, or update the one of that name; return its ARN.

        ``machine_or_definition`` is a ``StateMachine``, a dict, JSON text or a path.
        A machine's type cannot change on update: use another name for the other type.
        """
        raw, name, kind = _machine_parts(machine_or_definition, name, workflow_type)
        role = self._role()
        text = json.dumps(raw, ensure_ascii=False)
        arn = self._find(name)
        if arn is None:
            return self._call("create_state_machine", name=name, definition=text, roleArn=role,
                              type=kind)["stateMachineArn"]
        current = self._call("describe_state_machine", stateMachineArn=arn).get("type", kind)
        if current != kind:
            raise AwsError(f"the state machine {name!r} exists as {current}; its type cannot change to {kind}. "
                           f"Deploy under another name, or delete it first.")
        self._call("update_state_machine", stateMachineArn=arn, definition=text, roleArn=role)
        return arn

    def start(self, arn: str, input: Any = None, name: str | None = None) -> str:
        """Start an execution of the machine ``arn`` with ``input`` (a JSON value); return its ARN."""
        params = {"stateMachineArn": arn, "input": _input_text(input), "name": name or str(uuid.uuid4())}
        return self._call("start_execution", **params)["executionArn"]

    def wait(self, execution_arn: str, timeout: float = 60.0) -> dict:
        """Poll until the execution leaves RUNNING; return ``DescribeExecution``'s answer."""
        deadline = time.monotonic() + timeout
        while True:
            described = self._call("describe_execution", executionArn=execution_arn)
            if described.get("status") != "RUNNING":
                return described
            if time.monotonic() >= deadline:
                raise AwsTimeout(f"the execution {execution_arn} is still RUNNING after {timeout:g} s; "
                                 f"wait longer (timeout=...) or stop it")
            time.sleep(self.poll_interval)

    def history(self, execution_arn: str) -> list[dict]:
        """Every event of the execution (all pages), in ``GetExecutionHistory``'s JSON shape."""
        events: list[dict] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000,
                                      "includeExecutionData": True}
            if token:
                params["nextToken"] = token
            page = self._call("get_execution_history", **params)
            events.extend(_plain_event(e) for e in page.get("events", []))
            token = page.get("nextToken")
            if not token:
                return events

    def run(self, definition: Any, input: Any = None, *, name: str | None = None,
            workflow_type: str | None = None, execution_name: str | None = None,
            timeout: float = 60.0) -> RemoteExecution:
        """Deploy, start, wait and fetch the history.

        Express machines run through ``StartSyncExecution`` (AWS keeps no history for
        them, so ``events`` is empty); on an emulator without it they run as Standard ones do.
        """
        raw, name, kind = _machine_parts(definition, name, workflow_type)
        arn = self.deploy(raw, name, kind)
        if kind == EXPRESS:
            try:
                return self._run_sync(arn, input, execution_name)
            except AwsError:
                if self.endpoint_url is None:
                    raise
                # emulators (moto) lack StartSyncExecution but run Express machines asynchronously
        execution_arn = self.start(arn, input, execution_name)
        described = self.wait(execution_arn, timeout)
        events = self.history(execution_arn)
        return _remote(described, events, execution_arn, arn)

    def _run_sync(self, arn: str, input: Any, name: str | None) -> RemoteExecution:
        answer = self._call("start_sync_execution", stateMachineArn=arn, input=_input_text(input),
                            name=name or str(uuid.uuid4()))
        return _remote(answer, [], answer.get("executionArn"), arn)

    def _role(self) -> str:
        if self.role_arn:
            return self.role_arn
        if self.endpoint_url is None:
            raise AwsError("deploying to AWS needs an IAM role that Step Functions can assume: "
                           "AwsRunner(role_arn='arn:aws:iam::<account>:role/<name>')")
        return DEFAULT_ROLE

    def _find(self, name: str) -> str | None:
        token: str | None = None
        while True:
            page = self._call("list_state_machines", **({"nextToken": token} if token else {}))
            for item in page.get("stateMachines", []):
                if item.get("name") == name:
                    return item["stateMachineArn"]
            token = page.get("nextToken")
            if not token:
                return None


def _machine_parts(machine_or_definition: Any, name: str | None, workflow_type: str | None) -> tuple[dict, str, str]:
    """``(definition dict, name, STANDARD|EXPRESS)`` from a StateMachine or a definition."""
    raw = getattr(machine_or_definition, "raw", None)
    if not isinstance(raw, dict):
        from ..export import load
        raw = load(machine_or_definition)
    name = name or getattr(machine_or_definition, "name", None) or "StepFnLab"
    kind = (workflow_type or getattr(machine_or_definition, "workflow_type", None) or STANDARD).upper()
    if kind not in (STANDARD, EXPRESS):
        raise AwsError(f"workflow type must be STANDARD or EXPRESS, not {kind!r}")
    return raw, name, kind


def _input_text(value: Any) -> str:
    try:
        return json.dumps({} if value is None else value, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise AwsError(f"the execution input must be JSON data: {exc}") from None


def _plain_event(event: dict) -> dict:
    """An event as JSON data: boto3's datetime timestamps become ISO text, as in the local history."""
    out = dict(event)
    stamp = out.get("timestamp")
    if isinstance(stamp, datetime):
        out["timestamp"] = format_iso(stamp)
    return out


def _remote(described: dict, events: list[dict], execution_arn: str | None, machine_arn: str) -> RemoteExecution:
    output = described.get("output")
    if isinstance(output, str):
        try:
            output = json.loads(output)
        except ValueError:
            pass
    error, cause = described.get("error"), described.get("cause")
    if error is None and cause is None:
        for event in reversed(events):
            if event.get("type") in _DONE_EVENTS:
                details = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
                error, cause = details.get("error"), details.get("cause")
                break
    return RemoteExecution(described.get("status", "UNKNOWN"), output, error, cause, events, execution_arn,
                           machine_arn)


def _translate(exc: Exception, operation: str, endpoint_url: str | None) -> AwsError:
    """botocore's exceptions as one ``AwsError`` whose message says what to do."""
    where = endpoint_url or "AWS"
    kind = type(exc).__name__
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        code = response["Error"].get("Code", kind)
        message = response["Error"].get("Message", "")
        if message.lstrip().startswith("<"):  # an HTML error page, not an AWS answer
            message = "the endpoint answered with an HTML error page (it may not support this operation)"
        return AwsError(f"{operation} failed on {where}: {code}: {message}")
    if kind in ("NoCredentialsError", "PartialCredentialsError"):
        return AwsError(f"no AWS credentials for {operation}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                        f"(or AWS_PROFILE); an emulator accepts any values, e.g. 'testing'")
    if kind in ("EndpointConnectionError", "ConnectTimeoutError", "ConnectionClosedError", "ReadTimeoutError"):
        return AwsError(f"cannot reach the Step Functions endpoint {where}: {exc}")
    if kind in ("ParamValidationError", "NoRegionError"):
        return AwsError(f"{operation}: {exc}")
    return AwsError(f"{operation} failed on {where}: {kind}: {exc}")


# --- text ----------------------------------------------------------------------------------------

def compact(value: Any) -> str:
    """JSON on one line with sorted keys (the parity report's cells too), else ``repr``."""
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        return repr(value)
