"""Simulated AWS Step Functions: nested executions and task tokens sent from a workflow.

Spec: AWS docs "Start a new AWS Step Functions state machine from a running
execution" (``states:startExecution``, ``.sync``, ``.sync:2``,
``.waitForTaskToken``; what ``.sync`` returns: DescribeExecution's answer, with
Input and Output as text for ``.sync`` and as JSON for ``.sync:2``) and the
Step Functions API Reference (StartExecution, SendTaskSuccess, SendTaskFailure,
SendTaskHeartbeat: shapes and error names). Taught in:
notebooks/15-use-cases-and-capstone.ipynb.

State machines are made startable with ``services.register(machine)``. A
nested execution runs at once on the same virtual time line; a ``.sync`` task
lasts as long as it did. ``aws-sdk:sfn:sendTaskSuccess`` (and Failure,
Heartbeat) from inside a workflow answers a task token held by any execution
these services have seen: typically the parent that started this one with
``startExecution.waitForTaskToken``.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import RUNTIME, TASK_FAILED, StatesError
from .base import Call, ServiceError, iso, millis, required

SERVICE = "states"
PATTERNS = ("", ".sync", ".sync:2", ".waitForTaskToken")


def start_execution(call: Call) -> dict:
    arn = str(required(call, "StateMachineArn"))
    machine = call.services.machines.get(arn) or call.services.machines.get(arn.rsplit(":", 1)[-1])
    if machine is None:
        known = ", ".join(sorted(k for k in call.services.machines if k.startswith("arn:"))) or "none"
        raise ServiceError("states", "StateMachineDoesNotExist",
                           f"State Machine Does Not Exist: '{arn}' (register it with services.register(machine); "
                           f"registered: {known})", exception="StateMachineDoesNotExistException")
    child_input = call.params.get("Input", {})
    if isinstance(child_input, str):
        try:
            child_input = json.loads(child_input)
        except ValueError:
            raise ServiceError("states", "InvalidExecutionInput", f"Invalid State Machine Execution Input: "
                                                                  f"'{child_input}' is not JSON",
                               exception="InvalidExecutionInputException") from None
    child = start_child(call, machine, child_input, call.params.get("Name"))
    started = millis(child.clock.start)
    if call.pattern in (".sync", ".sync:2"):
        if child.status == "RUNNING":
            raise StatesError(RUNTIME, f"The nested execution {child.arn} is waiting for a callback; locally a "
                                       f"{call.pattern} task needs a nested execution that finishes on its own")
        if hasattr(call.execution, "clock"):
            call.execution.clock.advance(child.duration)  # the task lasts as long as the nested execution
        described = describe_execution(child, parsed=call.pattern == ".sync:2")
        if child.status != "SUCCEEDED":
            raise StatesError(TASK_FAILED, json.dumps(described, separators=(",", ":")), {"task": True})
        return described
    body = {"ExecutionArn": child.arn,
            "StartDate": started if not call.sdk else iso(child.clock.start)}
    return call.respond(body)


def describe_execution(execution: Any, parsed: bool = False) -> dict:
    """DescribeExecution's answer in the shape ``.sync`` returns it (``.sync:2``: Input and Output as JSON)."""
    def text(value: Any) -> Any:
        return value if parsed else json.dumps(value, separators=(",", ":"))

    out: dict = {"ExecutionArn": execution.arn, "Input": text(execution.input), "InputDetails": {"Included": True},
                 "Name": execution.name}
    if execution.status == "SUCCEEDED":
        out["Output"] = text(execution.output)
        out["OutputDetails"] = {"Included": True}
    if execution.status not in ("SUCCEEDED", "RUNNING"):
        if execution.error is not None:
            out["Error"] = execution.error
        if execution.cause is not None:
            out["Cause"] = execution.cause
    out["RedriveCount"] = 0
    if execution.status == "SUCCEEDED":
        out["RedriveStatus"] = "NOT_REDRIVABLE"
        out["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
    elif execution.status != "RUNNING":
        out["RedriveStatus"] = "REDRIVABLE"
    out["StartDate"] = millis(execution.clock.start)
    out["StateMachineArn"] = execution.machine.arn
    out["Status"] = execution.status
    if execution.status != "RUNNING":
        out["StopDate"] = millis(execution.clock.start) + int(round(execution.duration * 1000))
    return out



def start_child(call: Call, machine: Any, child_input: Any, name: str | None) -> Any:
    from ..errors import ExecutionError
    parent = call.execution
    services = call.services
    try:
        child = machine.start(child_input, name=name, lambdas=getattr(parent, "lambdas", None),
                              services=services, s3_root=getattr(parent, "s3_root", None), start_time=call.now(),
                              activity_workers=getattr(parent, "activity_workers", None),
                              **_inherited(parent))
    except ExecutionError:
        arn = f"arn:aws:states:{machine.region}:{machine.account}:execution:{machine.name}:{name}"
        raise ServiceError("states", "ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'",
                           exception="ExecutionAlreadyExistsException") from None
    services.executions[child.arn] = child
    child.run()
    services.db.record_execution(
        arn=child.arn, state_machine_arn=machine.arn, name=child.name, status=child.status,
        input=json.dumps(child.input), output=json.dumps(child.output) if child.status == "SUCCEEDED" else None,
        error=child.error, cause=child.cause, start_date=iso(child.clock.start), stop_date=iso(child.clock.datetime()),
        parent_arn=getattr(parent, "arn", None))
    return child


def _inherited(parent: Any) -> dict:
    """Options a nested execution takes from its parent (local functions for Task resources)."""
    tasks = getattr(parent, "tasks", None)
    return {"tasks": tasks} if tasks else {}


# --- task tokens sent from a workflow ------------------------------------------------------------------

def answer_callback(holder: Any, token: str, kind: str, *args: Any) -> None:
    from ..runtime.invoke import answer_callback as _answer
    _answer(holder, token, kind, *args)


def _holder(call: Call, token: Any) -> Any:
    if not isinstance(token, str) or not token:
        raise ServiceError("states", "InvalidToken", "Invalid Token: the TaskToken must be a non-empty string",
                           exception="InvalidTokenException")
    for execution in call.services.token_holders(call.execution):
        if token in getattr(execution, "tokens", {}):
            return execution
    raise ServiceError("states", "TaskDoesNotExist", f"Task Does Not Exist: no task is waiting for the token "
                                                     f"'{token[:40]}'", exception="TaskDoesNotExistException")


def send_task_success(call: Call) -> dict:
    token = required(call, "TaskToken")
    output = required(call, "Output")
    if isinstance(output, str):
        try:
            output = json.loads(output)
        except ValueError:
            raise ServiceError("states", "InvalidOutput", f"Invalid Output: '{output}' is not JSON",
                               exception="InvalidOutputException") from None
    holder = _holder(call, token)
    answer_callback(holder, token, "success", output)
    return call.respond({})


def send_task_failure(call: Call) -> dict:
    token = required(call, "TaskToken")
    holder = _holder(call, token)
    answer_callback(holder, token, "failure", call.params.get("Error"), call.params.get("Cause"))
    return call.respond({})


def send_task_heartbeat(call: Call) -> dict:
    token = required(call, "TaskToken")
    holder = _holder(call, token)
    answer_callback(holder, token, "heartbeat")
    return call.respond({})


OPERATIONS = {"startExecution": start_execution, "sendTaskSuccess": send_task_success,
              "sendTaskFailure": send_task_failure, "sendTaskHeartbeat": send_task_heartbeat}
