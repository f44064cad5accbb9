"""The checks of a state's fields that a table row cannot say (fields.Rule.check names them: CHECKS below),
and the rules that look at several fields of one state type (TYPE_CHECKS).

Spec: Amazon States Language, "States" (Task, Fail, Parallel, Map fields), "Task" (Resource, Credentials,
timeouts), "Map" (ItemProcessor); AWS docs for Express workflows' limits.
Taught in: notebooks/02-asl-anatomy.ipynb, 08-task-states.ipynb, 09-wait-and-virtual-time.ipynb,
11-parallel.ipynb, 12-map.ipynb.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .choice_rules import choices
from .expressions import assign, cached, intrinsic_reason, payload, payload_template, static_result
from .fields import (ACTIVITY, ARN, BRANCH_FIELDS, CONTEXT_REFERENCE, CONTROL, EXPRESS, JSONATA, JSONPATH,
                     PROCESSOR_FIELDS, SYNC, WARNING, Path, is_number)
from .map_fields import item_batcher, item_reader, label, reader_config, result_writer, strings, writer_config
from .report import NOT_AN_ARN
from .retry_catch import catch, error_equals, retry

if TYPE_CHECKING:
    from .checker import State, Validator


def resource(v: Validator, value: str, at: Path, st: State) -> None:
    if not value.startswith("arn:"):
        if value.strip() and not CONTROL.search(value):
            # A local convenience: a bare name runs the handler of that name from lambdas={...}. AWS
            # refuses the definition; to_aws_response() reports it as AWS does (_as_aws_says).
            v.report("INVALID_RESOURCE", at, f"Resource '{value}' is not an ARN: stepfn_lab runs it as the local "
                     f"task '{value}' (lambdas={{'{value}': handler}}); AWS refuses it: "
                     f"{NOT_AN_ARN}", severity=WARNING,
                     hint="on AWS use an ARN such as arn:aws:states:::lambda:invoke")
        else:
            v.report("INVALID_RESOURCE", at, f"Resource {value!r} is not a valid resource",
                     hint="use an ARN such as arn:aws:states:::lambda:invoke")
        return
    if not ARN.match(value):
        v.report("INVALID_RESOURCE", at, f"Resource '{value}' is not a valid ARN",
                 hint="the form is arn:partition:service:region:account:resource")
        return
    if v.workflow_type == EXPRESS:
        if ACTIVITY.match(value):
            v.schema(at, "Express state machine does not support Activity ARN",
                     hint="activities need a STANDARD workflow")
        elif value.endswith(".waitForTaskToken"):
            v.schema(at, "Express state machine does not support '.waitForTaskToken' service integration ",
                     hint="callbacks need a STANDARD workflow")
        elif SYNC.search(value):
            v.schema(at, "Express state machine does not support '.sync' service integration ",
                     hint="'.sync' (run a job) needs a STANDARD workflow")


def no_path(v: Validator, value: str, at: Path, st: State) -> None:
    """Fail's Error and Cause: a value that looks like a path was likely meant for ErrorPath / CausePath."""
    if st.lang == JSONPATH and value.startswith(("$.", "$$.")):
        v.report("NO_PATH", at, "Field value looks like a path, but field name does not end with 'Path'",
                 severity=WARNING, hint=f"did you mean '{at[-1]}Path'?")


def error_or_cause_path(v: Validator, value: Any, at: Path, st: State) -> None:
    if isinstance(value, str) and value.startswith("States."):
        reason = cached("intrinsic", value, intrinsic_reason)
        if reason:
            v.schema(at, "Value is not a valid intrinsic function call", hint=reason)
    else:
        v.check(CONTEXT_REFERENCE, value, at, st)


def branches(v: Validator, value: list, at: Path, st: State) -> None:
    if not value:
        v.schema(at, "Minimum number of items is 1", hint="a Parallel state needs at least one branch")
    for i, branch in enumerate(value):
        v.machine(branch, at + (i,), st.depth + 1, BRANCH_FIELDS)


def processor(v: Validator, value: Any, at: Path, st: State) -> None:
    v.machine(value, at, st.depth + 1, PROCESSOR_FIELDS)


def credentials(v: Validator, value: dict, at: Path, st: State) -> None:
    # AWS docs "Credentials" (state-task.html): the role to assume is RoleArn (or RoleArn.$ in JSONPath)
    role_fields = ("RoleArn", "RoleArn.$") if st.lang == JSONPATH else ("RoleArn",)
    if not any(k in value for k in role_fields):
        v.schema(at, "These fields are required: [RoleArn]",
                 hint="name the IAM role to assume, e.g. \"RoleArn\": \"arn:aws:iam::123456789012:role/Target\"")
    for key in value:
        if key not in role_fields:
            v.unsupported(at, key, role_fields)
    if st.lang == JSONPATH:
        payload_template(v, value, at)


# The checks a field rule names (fields.Rule.check): (validator, value, path, state) -> None. Each runs after
# the value passed its rule's type check.
CHECKS: dict[str, Callable[[Validator, Any, Path, State], None]] = {
    "resource": resource, "credentials": credentials, "retry": retry, "catch": catch,
    "error_equals": error_equals, "choices": choices, "branches": branches, "processor": processor,
    "no_path": no_path, "error_or_cause_path": error_or_cause_path,
    "payload": payload, "assign": assign, "static_result": static_result,
    "item_reader": item_reader, "reader_config": reader_config, "strings": strings,
    "item_batcher": item_batcher, "result_writer": result_writer, "writer_config": writer_config, "label": label,
}


# ---------------------------------------------------------------------------------------
# Rules that look at several fields of one state type.
# ---------------------------------------------------------------------------------------

def _task_rules(v: Validator, body: dict, at: Path, st: State) -> None:
    from ..task_resources import check_task  # integrations and AWS's API models, read only when named
    for code, where, message, hint, severity in check_task(body.get("Resource"), body, st.lang, v.served):
        v.report(code, at + (where,), message, hint=hint, severity=severity)
    heartbeat, timeout_ = body.get("HeartbeatSeconds"), body.get("TimeoutSeconds")
    if is_number(heartbeat) and is_number(timeout_) and heartbeat >= timeout_ > 0:
        v.schema(at + ("HeartbeatSeconds",), "HeartbeatSeconds must be smaller than TimeoutSeconds",
                 hint=f"HeartbeatSeconds is {heartbeat}, TimeoutSeconds is {timeout_}")


def _wait_rules(v: Validator, body: dict, at: Path, st: State) -> None:
    options = ("Seconds", "Timestamp") if st.lang == JSONATA else ("Seconds", "SecondsPath", "Timestamp",
                                                                   "TimestampPath")
    if not any(f in body for f in options):
        v.schema(at, f"One of these fields is required: [{', '.join(options)}]")


def _map_rules(v: Validator, body: dict, at: Path, st: State) -> None:
    if "ItemProcessor" not in body and "Iterator" not in body:
        v.schema(at, "These fields are required: [ItemProcessor]",
                 hint="an ItemProcessor ({\"StartAt\": ..., \"States\": {...}}) runs once per item")


TYPE_CHECKS: dict[str, Callable[[Validator, dict, Path, State], None]] = {
    "Task": _task_rules, "Wait": _wait_rules, "Map": _map_rules,
}
