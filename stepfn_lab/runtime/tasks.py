"""Task resources: what a ``Resource`` ARN names and how a local run serves it.

Spec: Amazon States Language, "Task State"; AWS docs "Service integration
patterns" and "Invoke Lambda". Taught in: notebooks/08-task-states.ipynb.

Resources, one row each in ``parse_resource``:

* ``arn:aws:lambda:<region>:<account>:function:<name>`` - a Lambda function
  called directly (history: ``LambdaFunction*`` events);
* ``arn:aws:states:::lambda:invoke`` - the optimized Lambda integration
  (``Task*`` events, the result wrapped in ``Payload``/``StatusCode``/metadata);
* ``arn:aws:states:::<service>:<api>[.sync|.sync:2|.waitForTaskToken]`` and
  ``arn:aws:states:::aws-sdk:<service>:<api>`` - simulated AWS services;
* ``arn:aws:states:<region>:<account>:activity:<name>`` - an activity.

A Lambda handler is a plain ``handler(event, context)``. An exception it raises
fails the task with the exception's class name as the error and the Lambda
error payload as the cause, written as AWS writes it for each way of calling:
the Python runtime's text (``", "`` and ``": "``) for a function ARN, compact
JSON for ``lambda:invoke`` (recorded on AWS: conformance cases
``test_task_lambda`` and ``test_task_service_lambda``).
"""

from __future__ import annotations

import inspect
import json
import sys
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from ..asl.integrations import integration_key, split_key
from ..errors import RUNTIME, TIMEOUT, StatesError


@dataclass(frozen=True)
class Resource:
    arn: str
    kind: str  # "lambda" | "service" | "activity" | "local"
    service: str = ""
    api: str = ""
    pattern: str = ""  # "", ".sync", ".sync:2", ".waitForTaskToken"
    function: str = ""

    @property
    def key(self) -> str:
        """The resource as it follows ``arn:aws:states:::`` (how ``tasks=`` names it): ``aws-sdk:s3:getObject``."""
        return f"{self.service}:{self.api}{self.pattern}"

    @property
    def uses_lambda_events(self) -> bool:
        return self.kind == "lambda"

    @property
    def short_name(self) -> str:
        if self.kind == "lambda":
            return f"lambda: {self.function}"
        if self.kind == "activity":
            return "activity: " + self.arn.rsplit(":", 1)[-1]
        if self.kind == "service":
            return f"{self.service}:{self.api}{self.pattern}"
        return self.arn


@lru_cache(maxsize=1024)
def parse_resource(arn: str) -> Resource:
    """What a Task's ``Resource`` names (parsed once per resource text)."""
    if not isinstance(arn, str):
        return Resource(str(arn), "local")
    parts = arn.split(":")
    if arn.startswith("arn:") and len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
        return Resource(arn, "lambda", function=parts[6])
    if arn.startswith("arn:") and len(parts) >= 7 and parts[2] == "states" and parts[5] == "activity":
        return Resource(arn, "activity")
    key = integration_key(arn)  # with or without region and account (issue: exported ARNs carry both)
    if key is not None:
        sdk, service, api, pattern = split_key(key)
        return Resource(arn, "service", ("aws-sdk:" if sdk else "") + service, api, pattern)
    return Resource(arn, "local", function=arn)


class LambdaContext:
    """The ``context`` a handler receives, with the attributes Lambda's Python runtime gives."""

    def __init__(self, function_name: str, request_id: str, timeout_seconds: float, arn: str):
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = arn
        self.memory_limit_in_mb = 128
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self.client_context = None  # set from lambda:invoke's ClientContext
        self.identity = None
        self._deadline = time.monotonic() + min(timeout_seconds, 900)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def split_function_name(name: str) -> tuple[str, str | None]:
    """``(function, qualifier)`` of any FunctionName form the Lambda API accepts: ``charge``,
    ``charge:prod`` (alias), ``charge:3`` (version), ``123456789012:function:charge[:q]`` (partial
    ARN) and ``arn:aws:lambda:<region>:<account>:function:charge[:q]``."""
    parts = name.split(":")
    if name.startswith("arn:") and len(parts) >= 7:
        return parts[6], (parts[7] if len(parts) > 7 else None)
    if len(parts) >= 3 and parts[1] == "function":
        return parts[2], (parts[3] if len(parts) > 3 else None)
    if len(parts) == 2:
        return parts[0], parts[1]
    return name, None


def find_handler(lambdas: dict, name_or_arn: str) -> Callable | None:
    """A handler by full ARN, by ARN without qualifier, or by bare function name."""
    if not lambdas or not isinstance(name_or_arn, str):
        return None
    if name_or_arn in lambdas:
        return lambdas[name_or_arn]
    parts = name_or_arn.split(":")
    if len(parts) >= 7 and parts[2] == "lambda":
        base = ":".join(parts[:7])
        if base in lambdas:
            return lambdas[base]
    name = split_function_name(name_or_arn)[0]
    if name in lambdas:
        return lambdas[name]
    for key, handler in lambdas.items():
        if isinstance(key, str) and key.split(":")[6:7] == [name]:
            return handler
    return None


_ARITY: dict = {}


def _arity(handler: Callable) -> int:
    """How many positional arguments a handler takes (1 or 2), looked up once per handler."""
    try:
        return _ARITY[handler]
    except (KeyError, TypeError):
        pass
    arity = _count_positional(handler)
    try:
        if len(_ARITY) < 4096:
            _ARITY[handler] = arity
    except TypeError:  # an unhashable callable
        pass
    return arity


def _count_positional(handler: Callable) -> int:
    try:
        params = inspect.signature(handler).parameters.values()
    except (TypeError, ValueError):
        return 2
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return 2
    return min(len(positional), 2)


class LambdaError(Exception):
    """A handler failed: ``payload`` is the Lambda error payload."""

    def __init__(self, payload: dict):
        super().__init__(payload.get("errorMessage"))
        self.payload = payload


def call_handler(handler: Callable, event: Any, context: LambdaContext, timeout: float | None) -> tuple[Any, float]:
    """Call a handler across a JSON boundary, as Lambda does. Returns (result, seconds taken).

    Raises LambdaError with the runtime's error payload, or StatesError(States.Timeout).
    """
    event_copy = json.loads(json.dumps(event))
    started = time.perf_counter()
    try:
        if timeout is not None and timeout <= _WATCHED_TIMEOUT and _THREADS:
            result = _call_with_deadline(handler, event_copy, context, timeout)
        else:
            result = handler(event_copy, context) if _arity(handler) >= 2 else handler(event_copy)
    except StatesError:
        raise
    except Exception as exc:  # the handler's own failure becomes the task's failure
        elapsed = time.perf_counter() - started
        if timeout is not None and elapsed > timeout:
            raise StatesError(TIMEOUT, None) from None
        payload = getattr(exc, "payload", None)
        if not (isinstance(payload, dict) and "errorType" in payload):
            payload = {"errorMessage": _message(exc), "errorType": type(exc).__name__,
                       "requestId": context.aws_request_id,
                       "stackTrace": StackTrace(exc.__traceback__)}
        raise LambdaError(payload) from None
    elapsed = time.perf_counter() - started
    if timeout is not None and elapsed > timeout:
        raise StatesError(TIMEOUT, None)
    return _marshal(result, context), elapsed


def _message(exc: BaseException) -> str:
    """``str(exc)``, even for an exception whose ``__str__`` itself fails (Python's own
    traceback printer writes ``<exception str() failed>`` then; so does the payload here)."""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - any failure of user code becomes the placeholder
        return "<exception str() failed>"
    return text if isinstance(text, str) else "<exception str() failed>"


def _marshal(result: Any, context: LambdaContext) -> Any:
    """The handler's result as Step Functions receives it: through JSON text.

    Design note: Lambda's Python runtime (awslambdaric, lambda_runtime_marshaller.py) serialises
    the result with simplejson and reports a failure as ``Runtime.MarshalError: Unable to marshal
    response: ...``; it passes ``bytes`` through as they are. Step Functions then reads the response
    as JSON (RFC 8259: no NaN or Infinity, which simplejson would write). stepfn_lab turns every
    result AWS could not read as JSON into that same Lambda error: values of other types, NaN and
    Infinity, bytes that are not UTF-8 JSON text, and data nested deeper than stepfn_lab's limit.
    The exact text AWS shows for a non-JSON response could not be established; the cause says what
    was wrong. A lone surrogate ("\\ud800") is legal JSON text and is passed on, as Java does.
    """
    from ..asl.source import json_problem, pointer
    if isinstance(result, (bytes, bytearray)):
        try:
            text = bytes(result).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _marshal_error(context, f"the response is not UTF-8 text ({exc.reason} at byte {exc.start})")
        if not text.strip():
            return None
        try:
            result = json.loads(text, parse_constant=_no_constant)
        except RecursionError:
            raise _marshal_error(context, "the response is nested too deeply to read") from None
        except ValueError as exc:
            raise _marshal_error(context, f"the response is not JSON text ({exc})") from None
    found = json_problem(result)
    if found is not None:
        where, why = found
        raise _marshal_error(context, why if not where else f"{why} (at {pointer(where)})")
    return json.loads(json.dumps(result))


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _marshal_error(context: LambdaContext, why: str) -> LambdaError:
    return LambdaError({"errorMessage": f"Unable to marshal response: {why}", "errorType": "Runtime.MarshalError",
                        "requestId": context.aws_request_id, "stackTrace": []})


# Handlers of tasks with a TimeoutSeconds up to this run on a watched thread, so that a
# handler still running when the timeout passes fails the task with States.Timeout
# (as AWS does) instead of holding the notebook for its whole run.
_WATCHED_TIMEOUT = 900
# Pyodide (the browser build, scripts/lite.sh) and WASI cannot start threads: there a handler
# runs to its end, and one that took longer than TimeoutSeconds still fails with States.Timeout
# (the elapsed-time check in call_handler), as it would on AWS; only the early stop is lost.
_THREADS = sys.platform not in ("emscripten", "wasi")


def _call_with_deadline(handler: Callable, event: Any, context: LambdaContext, timeout: float) -> Any:
    import threading
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["result"] = handler(event, context) if _arity(handler) >= 2 else handler(event)
        except BaseException as exc:  # handed back to the caller's thread below
            outcome["error"] = exc

    worker = threading.Thread(target=target, name="stepfn-lab-task", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise StatesError(TIMEOUT, None)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


class StackTrace:
    """The handler's frames as Lambda's Python runtime lists them, with file names only
    (``/var/task/handler.py`` on AWS; a bare name here, so causes do not depend on where
    a notebook or kernel keeps its files).

    Only the code objects and positions are taken when the handler fails (no frame, so no
    local variable, is kept alive); the lines are formatted by ``lines()``, when a cause is read.
    """

    __slots__ = ("_entries",)

    def __init__(self, tb: Any):
        import linecache
        entries = []
        tb = tb.tb_next if tb is not None else None  # the first frame is call_handler's own
        while tb is not None:
            frame = tb.tb_frame
            code = frame.f_code
            linecache.lazycache(code.co_filename, frame.f_globals)  # sources of zip or notebook modules
            entries.append((code, tb.tb_lineno, tb.tb_lasti))
            tb = tb.tb_next
        self._entries = entries

    def lines(self) -> list[str]:
        import os
        import traceback
        frames = []
        for code, lineno, lasti in self._entries:
            positions = _position(code, lasti)
            summary = traceback.FrameSummary(code.co_filename, lineno, code.co_name, lookup_line=True,
                                             **positions)
            summary.filename = os.path.basename(code.co_filename)
            frames.append(summary)
        return traceback.format_list(frames)


def _position(code: Any, lasti: int) -> dict:
    """The end line and columns of an instruction, as tracebacks show them (Python 3.11+)."""
    positions = getattr(code, "co_positions", None)
    if positions is None or lasti < 0:
        return {}
    import itertools
    _, end_lineno, colno, end_colno = next(itertools.islice(positions(), lasti // 2, None), (None,) * 4)
    return {"end_lineno": end_lineno, "colno": colno, "end_colno": end_colno}


def _listed(payload: dict) -> dict:
    trace = payload.get("stackTrace")
    return {**payload, "stackTrace": trace.lines()} if isinstance(trace, StackTrace) else payload


def runtime_cause(payload: dict) -> Any:
    """The cause AWS writes for a function-ARN task: the Python runtime's own JSON text
    (a LazyText when it holds a stack trace: formatted only if something reads it)."""
    if isinstance(payload.get("stackTrace"), StackTrace):
        from .history import LazyText
        return LazyText(lambda: json.dumps(_listed(payload)))
    return json.dumps(payload)


def compact_cause(payload: dict) -> Any:
    """The cause AWS writes through ``lambda:invoke``: compact JSON (a LazyText, as above)."""
    if isinstance(payload.get("stackTrace"), StackTrace):
        from .history import LazyText
        return LazyText(lambda: json.dumps(_listed(payload), separators=(",", ":")))
    return json.dumps(payload, separators=(",", ":"))


def invoke_response(payload: Any, request_id: str, when, status: int = 200, executed_version: str = "$LATEST",
                    log_result: str | None = None) -> dict:
    """The ``lambda:invoke`` result: the function's output under ``Payload`` plus the SDK metadata.

    ``status`` 200 answers a synchronous call (recorded on AWS); 202 (``InvocationType`` Event) and
    204 (DryRun) have an empty body, so ``Payload`` is ``""`` and there is no executed version (Lambda
    API reference, Invoke: "The API response only includes a status code")."""
    from email.utils import format_datetime  # loads socket and urllib: only when a task calls lambda:invoke
    synchronous = status == 200
    # Lambda's Python runtime writes its response with json.dumps' default separators
    length = str(len(json.dumps(payload).encode("utf-8"))) if synchronous else "0"
    date = format_datetime(when, usegmt=True)
    trace = f"Root=1-{request_id[:8]}-{request_id[9:13]}{request_id[14:18]}{request_id[19:23]}{request_id[24:28]};Sampled=0"
    all_headers: dict[str, list] = {}
    if synchronous:
        all_headers["X-Amz-Executed-Version"] = [executed_version]
    if log_result is not None:
        all_headers["X-Amz-Log-Result"] = [log_result]
    all_headers.update({"x-amzn-Remapped-Content-Length": ["0"], "Connection": ["keep-alive"],
                        "x-amzn-RequestId": [request_id], "Content-Length": [length], "Date": [date],
                        "X-Amzn-Trace-Id": [trace], "Content-Type": ["application/json"]})
    headers = {k: v[0] for k, v in sorted(all_headers.items(), key=lambda kv: kv[0].lower())}
    out: dict[str, Any] = {}
    if synchronous:
        out["ExecutedVersion"] = executed_version
    if log_result is not None:
        out["LogResult"] = log_result
    out.update({
        "Payload": payload if synchronous else "",
        "SdkHttpMetadata": {"AllHttpHeaders": all_headers, "HttpHeaders": headers, "HttpStatusCode": status},
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": status,
    })
    return out


def not_simulated(resource: Resource) -> StatesError:
    return StatesError(RUNTIME, f"The resource '{resource.arn}' is not simulated by stepfn_lab. Serve it with a "
                                f"local function: tasks={{'{resource.key}': fn}}, or use a mock_config.")


def served_locally(key: str) -> bool:
    """Whether an integration (``"sqs:sendMessage"``, ``"aws-sdk:s3:getObject"``) runs without a ``tasks=``
    function: ``lambda:invoke`` through ``lambdas=``, the simulated services through ``Services``."""
    from ..asl.integrations import split_key
    _, service, api, _ = split_key(key)
    if not key.startswith("aws-sdk:") and (service, api) == ("lambda", "invoke"):
        return True
    from .registry import service
    return service("simulated").simulates(key)
