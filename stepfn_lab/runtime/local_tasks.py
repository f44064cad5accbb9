"""Task resources served by local Python functions: ``machine.run(input, tasks={...})``.

Spec: Amazon States Language, "Task State"; AWS docs "Service integration
patterns" (request-response, ``.sync``, ``.waitForTaskToken``), "AWS SDK
service integrations" (``ServiceName.ErrorName`` errors, always with the
``Exception`` suffix) and AWS's API models (botocore) for the request and
response of each action. Taught in: notebooks/08-task-states.ipynb.

``tasks`` maps a resource, written as it follows ``arn:aws:states:::``
(``"aws-sdk:rekognition:detectLabels"``, ``"batch:submitJob.sync"``,
``"http:invoke"``), to ``fn(request)`` or ``fn(request, context)``. A full ARN,
with or without region and account, is accepted as the key too; a key without
its pattern (``"batch:submitJob"``) also serves ``.sync`` and
``.waitForTaskToken``. A function wins over the simulated services.

* The function receives the request (the state's ``Parameters`` / ``Arguments``
  after evaluation) and returns the response. Both are checked against the
  action's shapes in AWS's API models when botocore is installed, so a mock that
  answers ``{"labels": []}`` instead of ``{"Labels": []}`` fails with a message
  naming the member and the fix.
* ``.sync``: the job is complete when the function returns; its return value is
  the task's result (what AWS's Describe call would show).
* ``.waitForTaskToken``: the function is the request that hands the token out
  (``context.token``); the task then waits for ``send_task_success`` as usual.
* An exception the function raises fails the task with AWS's name for it:
  ``Rekognition.InvalidImageFormatException`` for ``class InvalidImageFormatException``
  (or ``InvalidImageFormat``), the ``Error.Code`` of a botocore ``ClientError``,
  or a ``StatesError``'s own name. Python's own exceptions (``KeyError``...) are
  bugs in the mock: they fail the task with ``States.TaskFailed`` and say where.

Design note: a request or response that does not fit AWS's model fails the task
with ``States.Runtime`` (which ``States.ALL`` does not catch): it is a mistake
in the local setup, not a service error a workflow should handle. ``.sync``
results are not checked against a shape: AWS returns the job's description
(DescribeJobs, GetJobRun, ...), which differs from the starting action's output.
"""

from __future__ import annotations

import builtins
import json
from typing import Any, Callable

from ..asl import integrations as _int
from ..errors import RUNTIME, TASK_FAILED, StatesError

# Error prefixes of the optimized integrations (the Java SDK service names AWS uses in their error names).
OPTIMIZED_PREFIX = {
    "lambda": "Lambda", "batch": "Batch", "dynamodb": "DynamoDB", "ecs": "ECS", "glue": "Glue", "athena": "Athena",
    "sns": "SNS", "sqs": "SQS", "events": "EventBridge", "states": "StepFunctions", "sagemaker": "SageMaker",
    "bedrock": "Bedrock", "codebuild": "CodeBuild", "eks": "EKS", "elasticmapreduce": "EMR",
    "emr-containers": "EMRContainers", "emr-serverless": "EMRServerless", "databrew": "DataBrew",
    "mediaconvert": "MediaConvert", "apigateway": "ApiGateway", "http": "States.Http",
}
_METADATA = ("SdkHttpMetadata", "SdkResponseMetadata")


class TaskContext:
    """What a task function may want besides the request."""

    def __init__(self, resource: str, state: str, execution_arn: str, token: str | None):
        self.resource = resource          # "aws-sdk:rekognition:detectLabels"
        self.state = state                # the Task state's name
        self.execution_arn = execution_arn
        self.token = token                # the task token of a .waitForTaskToken task, else None

    def __repr__(self) -> str:
        return f"TaskContext(resource={self.resource!r}, state={self.state!r})"


def normalize(tasks: dict | None) -> dict:
    """``tasks`` with every key written as it follows ``arn:aws:states:::``; refuses what is not a function."""
    from ..errors import ExecutionError
    out: dict[str, Callable] = {}
    for key, fn in (tasks or {}).items():
        if not isinstance(key, str) or not key:
            raise ExecutionError(f"tasks= keys are resources such as 'aws-sdk:s3:getObject', not {key!r}")
        if not callable(fn):
            raise ExecutionError(f"tasks[{key!r}] must be a function fn(request) or fn(request, context), "
                                 f"not {type(fn).__name__}")
        out[_int.integration_key(key) or key] = fn
    return out


def find(tasks: dict | None, key: str) -> Callable | None:
    """The function serving a resource key (exact, then without its pattern)."""
    if not tasks:
        return None
    if key in tasks:
        return tasks[key]
    sdk, service, api, pattern = _int.split_key(key)
    if pattern:
        return tasks.get(f"{'aws-sdk:' if sdk else ''}{service}:{api}")
    return None


def serve(execution, frame, state, key: str, fn: Callable, payload: Any) -> Any:
    """Call the function for one Task and return the result, checking request and response."""
    from .tasks import _arity
    sdk, service, api, pattern = _int.split_key(key)
    request = json.loads(json.dumps({} if payload is None else payload))
    shapes = _shapes(key)
    if shapes is not None and isinstance(request, dict):
        model, input_shape, output_shape, _ = shapes
        problems = _check(model, input_shape, request, key, sdk, role="request")
        if problems:
            raise StatesError(RUNTIME, f"The request for '{key}' in state '{state.name}' does not match "
                                       f"{input_shape} in AWS's API model: " + "; ".join(problems[:5]))
    context = TaskContext(key, state.name, execution.arn, getattr(frame, "token", None))
    try:
        result = fn(request, context) if _arity(fn) >= 2 else fn(request)
    except StatesError as err:
        raise StatesError(err.error, err.cause, {"task": True}) from None
    except Exception as exc:  # the function's failure is the task's failure, named as AWS names it
        raise _as_task_error(exc, key, sdk, service, shapes) from None
    try:
        result = json.loads(json.dumps(result))
    except (TypeError, ValueError) as exc:
        raise StatesError(RUNTIME, f"The function for '{key}' returned a value that is not JSON: {exc}") from None
    if shapes is not None and pattern in ("", ".waitForTaskToken") and shapes[2]:
        model, _, output_shape, _ = shapes
        if not isinstance(result, dict):
            raise StatesError(RUNTIME, f"The function for '{key}' must return the response object "
                                       f"({output_shape}), not {json.dumps(result)[:80]}")
        answer = {k: v for k, v in result.items() if sdk or k not in _METADATA}
        problems = _check(model, output_shape, answer, key, sdk, role="response")
        if problems:
            raise StatesError(RUNTIME, f"The function for '{key}' returned a response that does not match "
                                       f"{output_shape} in AWS's API model: " + "; ".join(problems[:5]))
    return result


def _shapes(key: str) -> tuple[dict, str, str | None, str] | None:
    from ..asl.task_resources import request_shape
    found = request_shape(key)
    if found is None:
        return None
    model, input_shape, prefix = found
    from ..asl import sdk_models
    _, _, api, _ = _int.split_key(key)
    operation = sdk_models.find_operation(model, api) or {}
    output = operation.get("output", {}).get("shape")
    return model, input_shape, output, prefix


def _check(model: dict, shape: str, value: Any, key: str, sdk: bool, role: str) -> list[str]:
    from ..asl import sdk_models
    from ..asl.task_resources import _with_integration_members
    _, service, api, _ = _int.split_key(key)
    if role == "request":
        model = _with_integration_members(model, shape, f"{service}:{api}", sdk)
    return sdk_models.check_value(model, shape, value, "", role=role)


def error_prefix(key: str, shapes: Any = None) -> str:
    sdk, service, _, _ = _int.split_key(key)
    if not sdk:
        return OPTIMIZED_PREFIX.get(service, service[:1].upper() + service[1:])
    if shapes is not None and shapes[3]:
        return shapes[3]
    from ..asl import sdk_models
    found = sdk_models.find_sdk_service(service) if sdk_models.data_dir() else None
    return found[1] if found else service[:1].upper() + service[1:]


def _as_task_error(exc: Exception, key: str, sdk: bool, service: str, shapes: Any) -> StatesError:
    response = getattr(exc, "response", None)
    code = None
    if isinstance(response, dict) and isinstance(response.get("Error"), dict):  # botocore's ClientError
        code = response["Error"].get("Code")
        message = response["Error"].get("Message") or str(exc)
    elif type(exc).__name__ in vars(builtins):
        where = f"{type(exc).__name__}: {exc}"
        return StatesError(TASK_FAILED, f"The local function for '{key}' raised {where} (a bug in the function, "
                                        f"not an AWS error: raise an exception named like AWS's, e.g. "
                                        f"class InvalidParameterException(Exception))", {"task": True})
    else:
        code, message = type(exc).__name__, str(exc)
    name = code if str(code).endswith("Exception") else f"{code}Exception"
    return StatesError(f"{error_prefix(key, shapes)}.{name}", message, {"task": True})
