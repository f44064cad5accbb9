"""The bridge to a real Step Functions endpoint: deploy, run, fetch the history, compare.

Spec: AWS Step Functions API (``CreateStateMachine``, ``UpdateStateMachine``,
``ListStateMachines``, ``StartExecution``, ``StartSyncExecution``,
``DescribeExecution``, ``GetExecutionHistory``), called through boto3.
Taught in: ``stepfn-lab parity --help`` (no notebook runs on AWS: the course
stays offline).

boto3 is an optional extra (``pip install stepfn-lab[aws]``), imported only when
a runner is made. The endpoint is AWS itself or any URL that speaks the same
API (moto's server, LocalStack, Step Functions Local)::

    runner = AwsRunner(endpoint_url="http://127.0.0.1:5000")
    remote = runner.run({"StartAt": "Hi", "States": {"Hi": {"Type": "Pass", "End": True}}}, {"a": 1})
    remote.status, remote.output          # ('SUCCEEDED', {'a': 1})
    print(parity_report(definition, {"a": 1}, runner=runner))

``parity_report`` runs one definition locally and remotely and lines up what
each did: status, output, error and cause, and the history's event types (with
the state each event names). Timestamps, ids and ARNs differ by nature and are
not compared.
"""

from __future__ import annotations

import difflib
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..errors import StepFnLabError
from ..runtime.clock import format_iso

__all__ = ["AwsRunner", "RemoteExecution", "ParityReport", "parity_report", "AwsError", "AwsUnavailable",
           "AwsTimeout", "INSTALL_HINT"]

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
            lines.append("output: " + _compact(self.output))
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


# --- the parity report ---------------------------------------------------------------------

_FIELDS = ("status", "output", "error", "cause")


@dataclass(frozen=True)
class FieldRow:
    name: str
    local: Any
    remote: Any

    @property
    def same(self) -> bool:
        return self.local == self.remote


@dataclass(frozen=True)
class EventRow:
    """One line of the aligned histories; ``local`` or ``remote`` is None where one side has no event.

    ``moved`` marks an event both histories have, at other places: concurrent
    Parallel branches and Map iterations interleave differently from run to run
    (on AWS too), so such a row is shown but is not a difference.
    """

    local: str | None
    remote: str | None
    local_id: int | None = None
    remote_id: int | None = None
    moved: bool = False

    @property
    def mark(self) -> str:
        if self.moved:
            return "~"
        if self.local == self.remote:
            return " "
        if self.remote is None:
            return "<"
        if self.local is None:
            return ">"
        return "!"


@dataclass
class ParityReport:
    """Local and remote runs of one definition, compared. ``ok`` when nothing differs."""

    local: Any  # the local Execution
    remote: RemoteExecution
    fields: list[FieldRow]
    events: list[EventRow]
    where: str = "remote"

    @property
    def ok(self) -> bool:
        return not self.differences

    @property
    def history_compared(self) -> bool:
        """False when the remote side kept no history (an Express run through StartSyncExecution)."""
        return bool(self.remote.events)

    @property
    def differences(self) -> list[str]:
        """The names of what differs: some of status, output, error, cause, history."""
        names = [row.name for row in self.fields if not row.same]
        if self.history_compared and any(row.mark not in " ~" for row in self.events):
            names.append("history")
        return names

    def text(self) -> str:
        """Stable text: the field table, the aligned history, the verdict."""
        width = 40
        field_rows = [("field", "", "local", "remote")]
        for row in self.fields:
            field_rows.append((row.name, " " if row.same else "!", _cell(row.local, width), _cell(row.remote, width)))
        lines = [f"parity: local vs {self.where}", *_table(field_rows)]
        for row in self.fields:
            if not row.same and row.name == "output":
                lines += ["", "output, local:  " + _compact(row.local), "output, remote: " + _compact(row.remote)]
            elif not row.same and row.name == "cause":
                lines += ["", f"cause, local:  {_cell(row.local, 10_000)}",
                          f"cause, remote: {_cell(row.remote, 10_000)}"]
        if self.history_compared:
            matched = sum(row.mark == " " for row in self.events)
            moved = sum(row.mark == "~" and row.local is not None for row in self.events)
            lines += ["", f"history: {len(self.local_events)} local events, {len(self.remote.events)} remote "
                          f"events, {matched} alike" + (f", {moved} in another order" if moved else "")]
            event_rows = [("#", "", "local", "remote")]
            for number, row in enumerate(self.events, 1):
                event_rows.append((str(number), row.mark, row.local or "-", row.remote or "-"))
            lines += _table(event_rows)
        else:
            lines += ["", f"history: {len(self.local_events)} local events; none remotely "
                          f"(Express executions keep no history), not compared"]
        lines.append("")
        legend = "(! differs, < only local, > only remote, ~ same event in another order)"
        verdict = "result: same" if self.ok else f"result: DIFFERENT ({', '.join(self.differences)})"
        if any(row.mark != " " for row in self.events):
            verdict += f" {legend}"
        lines.append(verdict)
        return "\n".join(lines)

    @property
    def local_events(self) -> list[dict]:
        return self.local.history.to_aws()["events"]

    def to_dict(self) -> dict:
        """The report as JSON data."""
        return {
            "ok": self.ok,
            "differences": self.differences,
            "fields": {row.name: {"local": row.local, "remote": row.remote, "same": row.same}
                       for row in self.fields},
            "history_compared": self.history_compared,
            "history": [{"local": row.local, "remote": row.remote, "mark": row.mark}
                        for row in self.events] if self.history_compared else [],
        }

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, p, cycle) -> None:  # IPython hook
        p.text(self.text())


def _event_label(event: dict) -> str:
    """``"PassStateEntered Greet"``: the event type and the state it names, if any."""
    details = next((v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict)), {})
    name = details.get("name")
    return f"{event.get('type', '?')} {name}" if name else str(event.get("type", "?"))


def align_events(local: list[dict], remote: list[dict]) -> list[EventRow]:
    """The two histories side by side, matched where their labels agree (a longest-common-subsequence diff).

    Unmatched events that the other side also has, elsewhere, become ``moved`` rows;
    the rest pair up as differing rows (``!``) or stand alone (``<`` only local, ``>`` only remote).
    """
    a = [_event_label(e) for e in local]
    b = [_event_label(e) for e in remote]
    blocks = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    unmatched_a = Counter(a[i] for op, i1, i2, _, _ in blocks if op != "equal" for i in range(i1, i2))
    unmatched_b = Counter(b[j] for op, _, _, j1, j2 in blocks if op != "equal" for j in range(j1, j2))
    movable = unmatched_a & unmatched_b  # per label: how many events moved rather than differ
    budget_a, budget_b = Counter(movable), Counter(movable)
    rows: list[EventRow] = []
    for op, i1, i2, j1, j2 in blocks:
        if op == "equal":
            rows += [EventRow(a[i], b[j], local[i].get("id"), remote[j].get("id"))
                     for i, j in zip(range(i1, i2), range(j1, j2))]
            continue
        kept_a, moved_a = _split_moved(range(i1, i2), a, budget_a)
        kept_b, moved_b = _split_moved(range(j1, j2), b, budget_b)
        for k in range(max(len(kept_a), len(kept_b))):
            i = kept_a[k] if k < len(kept_a) else None
            j = kept_b[k] if k < len(kept_b) else None
            rows.append(EventRow(None if i is None else a[i], None if j is None else b[j],
                                 None if i is None else local[i].get("id"),
                                 None if j is None else remote[j].get("id")))
        rows += [EventRow(a[i], None, local[i].get("id"), None, moved=True) for i in moved_a]
        rows += [EventRow(None, b[j], None, remote[j].get("id"), moved=True) for j in moved_b]
    return rows


def _split_moved(indexes: range, labels: list[str], budget: Counter) -> tuple[list[int], list[int]]:
    kept, moved = [], []
    for index in indexes:
        if budget[labels[index]] > 0:
            budget[labels[index]] -= 1
            moved.append(index)
        else:
            kept.append(index)
    return kept, moved


def compare(local: Any, remote: RemoteExecution, where: str = "remote") -> ParityReport:
    """A ``ParityReport`` of a finished local ``Execution`` and a ``RemoteExecution``."""
    fields = [FieldRow(name, getattr(local, name), getattr(remote, name)) for name in _FIELDS]
    events = align_events(local.history.to_aws()["events"], remote.events)
    return ParityReport(local, remote, fields, events, where)


def parity_report(definition: Any, input: Any = None, *, lambdas: dict | None = None,
                  runner: AwsRunner | None = None, name: str | None = None, workflow_type: str | None = None,
                  timeout: float = 60.0, **local_options: Any) -> ParityReport:
    """Run ``definition`` here and on ``runner``'s endpoint with the same input; compare the two.

    ``lambdas`` serve the local run only (the remote one calls the real functions).
    ``local_options`` go to ``StateMachine.run`` (``seed``, ``mock_config``...).
    """
    from ..runtime.engine import StateMachine

    if isinstance(definition, StateMachine):
        machine = definition
    else:
        machine = StateMachine.from_json(definition, name=name or "StepFnLabParity",
                                         workflow_type=workflow_type or STANDARD)
    runner = runner if runner is not None else AwsRunner()
    local = machine.run(input, lambdas=lambdas, **local_options)
    remote = runner.run(machine, input, name=name or machine.name, timeout=timeout)
    return compare(local, remote, "remote endpoint" if runner.endpoint_url else f"AWS {runner.region}")


# --- text helpers ---------------------------------------------------------------------------

def _compact(value: Any) -> str:
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        return repr(value)


def _cell(value: Any, width: int) -> str:
    if value is None:
        return "-"
    text = value if isinstance(value, str) else _compact(value)
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 3] + "..."


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return ["  ".join([*(r[i].ljust(widths[i]) for i in range(len(widths))), r[-1]]).rstrip() for r in rows]
