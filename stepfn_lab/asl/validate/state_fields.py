"""One checker per field of a state, and the rules that look at several fields of one state type.

Spec: Amazon States Language, "States" (Task, Wait, Fail, Parallel, Map fields), "Task" (Resource,
Credentials, timeouts), "Map" (Label, ItemProcessor); AWS docs for Express workflows' limits.
Taught in: notebooks/02-asl-anatomy.ipynb, 08-task-states.ipynb, 09-wait-and-virtual-time.ipynb,
11-parallel.ipynb, 12-map.ipynb.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .choice_rules import choices
from .expressions import (assign, cached, intrinsic_reason, items_path, json_path, jsonata_template, payload,
                          payload_template, reference, result, result_path)
from .fields import (ACTIVITY, ARN, BRANCH_FIELDS, CONTROL, EXPRESS, JSONATA, JSONPATH, LABEL_FORBIDDEN, MAX_LABEL,
                     PROCESSOR_FIELDS, SYNC, TIMESTAMP, WARNING, Path, boolean, count, is_expr,
                     is_number, percentage, seconds, string, timeout)
from .map_fields import item_batcher, item_reader, result_writer
from .report import NOT_AN_ARN, render_location
from .retry_catch import catch, retry

if TYPE_CHECKING:
    from .checker import State, Validator


def resource(v: Validator, value: Any, at: Path, st: State) -> None:
    if not v.expect(value, at, "String"):
        return
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


def timestamp(v: Validator, value: Any, at: Path, st: State) -> None:
    if st.lang == JSONATA and is_expr(value):
        return
    if v.expect(value, at, "String") and not TIMESTAMP.match(value):
        hint = "did you mean 'TimestampPath'?" if value.startswith("$") else "use RFC 3339, e.g. 2024-01-31T09:00:00Z"
        v.schema(at, "Value is not a valid timestamp", hint=hint)


def error_or_cause(v: Validator, value: Any, at: Path, st: State) -> None:
    if not v.expect(value, at, "String"):
        return
    if st.lang == JSONPATH and value.startswith(("$.", "$$.")):
        v.report("NO_PATH", at, "Field value looks like a path, but field name does not end with 'Path'",
                 severity=WARNING, hint=f"did you mean '{at[-1]}Path'?")


def error_or_cause_path(v: Validator, value: Any, at: Path, st: State) -> None:
    if isinstance(value, str) and value.startswith("States."):
        reason = cached("intrinsic", value, intrinsic_reason)
        if reason:
            v.schema(at, "Value is not a valid intrinsic function call", hint=reason)
    else:
        v.reference(value, at, context=True)


def branches(v: Validator, value: Any, at: Path, st: State) -> None:
    if not v.expect(value, at, "Array"):
        return
    if not value:
        v.schema(at, "Minimum number of items is 1", hint="a Parallel state needs at least one branch")
    for i, branch in enumerate(value):
        v.machine(branch, at + (i,), st.depth + 1, BRANCH_FIELDS)


def processor(v: Validator, value: Any, at: Path, st: State) -> None:
    v.machine(value, at, st.depth + 1, PROCESSOR_FIELDS)


def items(v: Validator, value: Any, at: Path, st: State) -> None:
    if not is_expr(value):
        v.expect(value, at, "Array")


def credentials(v: Validator, value: Any, at: Path, st: State) -> None:
    if not v.expect(value, at, "Object"):
        return
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


def label(v: Validator, value: Any, at: Path, st: State) -> None:
    if not v.expect(value, at, "String"):
        return
    if len(value) > MAX_LABEL:
        v.report("INVALID_LABEL_NAME", at, f"Invalid Label name: Label '{value}' exceeds the {MAX_LABEL}-character "
                 "limit allowed by the service")
    elif not value or LABEL_FORBIDDEN.search(value):
        v.report("INVALID_LABEL_NAME", at, f"Invalid Label name: Label {value!r} contains invalid characters",
                 hint="no whitespace, brackets, wildcards or punctuation such as \" # % \\ ^ | ~ ` $ & , ; : /")
    first = v.labels.get(value)
    if first is None:
        v.labels[value] = at
    else:
        v.report("DUPLICATE_LABEL_NAME", at, f"Duplicate Label name: {value}",
                 hint=f"labels must be unique in the state machine; also used at {render_location(first)}")


FIELD_CHECKS: dict[str, Callable[[Validator, Any, Path, State], None]] = {
    "Comment": string, "Next": string, "Default": string, "End": boolean,
    "InputPath": json_path, "OutputPath": json_path, "ResultPath": result_path,
    "Parameters": payload, "ResultSelector": payload, "ItemSelector": payload, "Credentials": credentials,
    "Arguments": jsonata_template, "Output": jsonata_template, "Assign": assign, "Result": result,
    "Resource": resource, "Retry": retry, "Catch": catch,
    "TimeoutSeconds": timeout, "HeartbeatSeconds": timeout,
    "TimeoutSecondsPath": reference, "HeartbeatSecondsPath": reference,
    "Choices": choices,
    "Seconds": seconds, "SecondsPath": reference, "Timestamp": timestamp, "TimestampPath": reference,
    "Error": error_or_cause, "Cause": error_or_cause, "ErrorPath": error_or_cause_path,
    "CausePath": error_or_cause_path,
    "Branches": branches, "ItemProcessor": processor, "Iterator": processor,
    "ItemsPath": items_path, "Items": items, "MaxConcurrency": count, "MaxConcurrencyPath": reference,
    "ToleratedFailurePercentage": percentage, "ToleratedFailurePercentagePath": reference,
    "ToleratedFailureCount": count, "ToleratedFailureCountPath": reference,
    "ItemReader": item_reader, "ItemBatcher": item_batcher, "ResultWriter": result_writer, "Label": label,
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
