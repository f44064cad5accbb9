"""The optimized Lambda integration ``arn:aws:states:::lambda:invoke``: its parameters and its answer.

Spec: AWS docs "Invoke an AWS Lambda function with Step Functions" (connect-lambda.html) and the
Lambda API reference "Invoke" (API_Invoke.html), whose request fields the integration passes on.
Taught in: notebooks/08-task-states.ipynb.

Parameters, as the Lambda API documents them:

* ``FunctionName`` - ``charge``, ``charge:prod`` (alias), ``charge:3`` (version), a partial ARN
  ``123456789012:function:charge[:qualifier]`` or a full ARN: all name the local function ``charge``;
* ``Qualifier`` - a version or alias;
* ``Payload`` - any JSON value; a string holding JSON is sent as that JSON;
* ``InvocationType`` - ``RequestResponse`` (default, HTTP 200), ``Event`` (asynchronous: 202 and an
  empty body; a failure of the function does not fail the task), ``DryRun`` (nothing runs: 204);
* ``LogType`` - ``Tail`` adds ``LogResult``: base64 of the last 4 KB of the invocation's log;
* ``ClientContext`` - base64 of a JSON object, seen by the handler as ``context.client_context``.

Design note: a local function has a single version. A numeric qualifier (``charge:3`` or
``Qualifier: "3"``) is reported back as ``ExecutedVersion``; an alias resolves to ``$LATEST`` (no alias
table exists locally). The log of a local invocation is Lambda's ``START``/``END``/``REPORT`` lines
around what the handler printed; durations are virtual (0 ms), so the text is the same run after run.
A ``ClientContext`` that is not base64 JSON fails the task with ``Lambda.InvalidRequestContentException``
(the Lambda API's error for a request it cannot read; its exact message on AWS is not established).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import json
import sys
from typing import Any

from ..errors import StatesError
from . import tasks as _tasks

_TYPES = ("RequestResponse", "Event", "DryRun")
_STATUS = {"RequestResponse": 200, "Event": 202, "DryRun": 204}
_LOG_TAIL_BYTES = 4096


def _task_error(error: str, cause: str) -> StatesError:
    return StatesError(error, cause, {"task": True})


def invoke(execution, frame, payload: Any, make_context) -> Any:
    """Call the local function a ``lambda:invoke`` task names; return what the task receives."""
    if not isinstance(payload, dict) or "FunctionName" not in payload:
        raise _task_error("States.TaskFailed", "lambda:invoke needs a 'FunctionName' parameter")
    name = payload["FunctionName"]
    if not isinstance(name, str) or not name:
        raise _task_error("Lambda.InvalidParameterValueException",
                          f"FunctionName must be a non-empty string, but was {json.dumps(name)}")
    function, qualifier = _tasks.split_function_name(name)
    if payload.get("Qualifier") is not None:
        qualifier = str(payload["Qualifier"])
    kind = payload.get("InvocationType", "RequestResponse")
    if kind not in _TYPES:
        raise _task_error("Lambda.InvalidParameterValueException",
                          f"InvocationType must be one of {', '.join(_TYPES)}, but was {json.dumps(kind)}")
    log_type = payload.get("LogType", "None")
    if log_type not in ("None", "Tail"):
        raise _task_error("Lambda.InvalidParameterValueException",
                          f"LogType must be None or Tail, but was {json.dumps(log_type)}")
    handler = _tasks.find_handler(execution.lambdas, function)
    if handler is None:
        raise _task_error("Lambda.ResourceNotFoundException",
                          f"Function not found: {name} (pass a handler in lambdas={{'{function}': handler}})")
    context = make_context(function)
    version = qualifier if qualifier and qualifier.isdigit() else "$LATEST"
    context.function_version = version
    if qualifier:
        context.invoked_function_arn += ":" + qualifier
    context.client_context = _client_context(payload.get("ClientContext"))
    when = execution.clock.datetime()
    if kind == "DryRun":
        return _tasks.invoke_response(None, context.aws_request_id, when, status=204)
    event = payload.get("Payload")
    if isinstance(event, str):
        # a string Payload is sent as the request body itself: the function sees the JSON it holds
        # (recorded on AWS: test_invoke_json_values)
        try:
            event = json.loads(event)
        except ValueError:
            pass
    printed = io.StringIO()
    try:
        with _tee_stdout(printed) if log_type == "Tail" else contextlib.nullcontext():
            result, _ = _tasks.call_handler(handler, event, context, frame.timeout)
    except _tasks.LambdaError:
        if kind == "Event":  # an asynchronous invocation was accepted; its failure is Lambda's to retry
            result = None
        else:
            raise
    log = _log_tail(context.aws_request_id, version, printed.getvalue()) if log_type == "Tail" else None
    if kind == "Event":
        return _tasks.invoke_response(None, context.aws_request_id, when, status=202, log_result=log)
    return _tasks.invoke_response(result, context.aws_request_id, when, executed_version=version, log_result=log)


class ClientContext:
    """``context.client_context`` as Lambda's Python runtime gives it: ``client``, ``custom``, ``env``."""

    def __init__(self, data: dict):
        self.client = data.get("client")
        self.custom = data.get("custom")
        self.env = data.get("env")

    def __repr__(self) -> str:
        return f"ClientContext(client={self.client!r}, custom={self.custom!r}, env={self.env!r})"


def _client_context(raw: Any) -> ClientContext | None:
    if raw is None:
        return None
    try:
        data = json.loads(base64.b64decode(str(raw), validate=True).decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _task_error("Lambda.InvalidRequestContentException",
                          "ClientContext must be base64 of a JSON object, e.g. "
                          "base64 of {\"custom\": {\"tenant\": \"acme\"}}") from None
    return ClientContext(data)


class _Tee(io.TextIOBase):
    def __init__(self, *streams):
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


@contextlib.contextmanager
def _tee_stdout(buffer: io.StringIO):
    """What the handler prints still shows where it would, and is kept for LogType Tail."""
    with contextlib.redirect_stdout(_Tee(sys.stdout, buffer)):
        yield


def _log_tail(request_id: str, version: str, printed: str) -> str:
    text = (f"START RequestId: {request_id} Version: {version}\n{printed}"
            f"END RequestId: {request_id}\n"
            f"REPORT RequestId: {request_id}\tDuration: 0.00 ms\tBilled Duration: 1 ms\t"
            f"Memory Size: 128 MB\tMax Memory Used: 128 MB\t\n")
    return base64.b64encode(text.encode("utf-8")[-_LOG_TAIL_BYTES:]).decode("ascii")
