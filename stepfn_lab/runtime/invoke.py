"""Running a Task's work: Lambda handlers, simulated services, mocks and callbacks.

Spec: Amazon States Language, "Task State"; AWS docs "Service integration
patterns" (request-response, ``.sync``, ``.waitForTaskToken``) and the history
events each pattern writes. Taught in: notebooks/08-task-states.ipynb.

``TaskPhases`` holds a Task frame's phases as methods of the ``Execution`` (which inherits them):
``schedule`` (``TaskScheduled``, the token of ``.waitForTaskToken``), ``start`` (``TaskStarted``) and
``invoke``, and the callbacks (``send_task_success``/``failure``/``heartbeat``).
``invoke`` is the ``invoke`` phase of a Task frame. It either records the
result (``TaskSucceeded`` / ``LambdaFunctionSucceeded``) and runs the rest of
the data flow, records a failure and hands it to Retry/Catch, or - for
``.waitForTaskToken`` - records ``TaskSubmitted`` and blocks the frame until
``send_task_success`` / ``send_task_failure`` arrives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import HEARTBEAT_TIMEOUT, RUNTIME, TIMEOUT, ExecutionError, StatesError
from . import tasks as _tasks
from .machine import _check_json

if TYPE_CHECKING:
    from ..asl.model import State
    from .engine import Execution
    from .frames import Frame

_NO_TIMEOUT = 99_999_999


def schedule_details(execution, frame, resource: _tasks.Resource, lambda_events: bool) -> dict:
    if lambda_events:
        details: dict[str, Any] = {"resource": resource.arn, "input": frame.effective}
        if frame.timeout is not None:
            details["timeoutInSeconds"] = int(frame.timeout)
        return details
    details = {"resourceType": _resource_type(resource), "resource": _resource_name(resource),
               "region": execution.machine.region, "parameters": frame.effective}
    if frame.timeout is not None:
        details["timeoutInSeconds"] = int(frame.timeout)
    if frame.heartbeat is not None:
        details["heartbeatInSeconds"] = int(frame.heartbeat)
    return details


def _resource_type(resource: _tasks.Resource) -> str:
    return resource.service if resource.kind == "service" else resource.kind


def _resource_name(resource: _tasks.Resource) -> str:
    return resource.api + resource.pattern if resource.kind == "service" else resource.arn


def invoke(execution, frame, state) -> None:
    resource = _tasks.parse_resource(state.extra["resource"])
    if resource.pattern == ".waitForTaskToken" or resource.kind == "activity":
        _submit_for_callback(execution, frame, state, resource)
        return
    try:
        result = _call(execution, frame, state, resource)
    except _tasks.LambdaError as exc:
        cause = (_tasks.runtime_cause(exc.payload) if resource.kind == "lambda"
                 else _tasks.compact_cause(exc.payload))
        _task_failed(execution, frame, state, resource, str(exc.payload.get("errorType")), cause)
        return
    except StatesError as err:
        if err.error == TIMEOUT and err.cause is None:
            # The handler ran past TimeoutSeconds by the wall clock. The history shows the timeout
            # TimeoutSeconds after the task started, in virtual time: the frame waits until then.
            frame.ready_at = execution.clock.now + (frame.timeout or 0)
            frame.phase = "timed_out"
            return
        if err.details.get("task"):  # a failure of the work itself (handler, service, mock)
            _task_failed(execution, frame, state, resource, err.error, err.cause)
            return
        raise
    _task_succeeded(execution, frame, state, resource, result)


def timed_out(execution, frame, state) -> None:
    """The ``timed_out`` phase: the virtual clock has reached the task's TimeoutSeconds."""
    resource = _tasks.parse_resource(state.extra["resource"])
    # through an integration the error output carries an empty Cause (recorded on AWS)
    _task_timed_out(execution, frame, state, resource, TIMEOUT, None if resource.kind == "lambda" else "")


def _call(execution, frame, state, resource: _tasks.Resource) -> Any:
    """Do the work of a task; asynchronous Express runs may deliver it twice (at-least-once)."""
    result = _call_once(execution, frame, state, resource)
    if execution.redelivery_rate and execution.rng.random() < execution.redelivery_rate:
        result = _call_once(execution, frame, state, resource)  # the same request, delivered again
    return result


def _call_once(execution, frame, state, resource: _tasks.Resource) -> Any:
    """Do the work of a request-response or .sync task and return its result."""
    execution.deliveries[state.name] = execution.deliveries.get(state.name, 0) + 1
    if execution.mock is not None:
        mocked = execution.mock.response_for(state.name)
        if mocked is not None:
            return mocked.result(resource)  # a mocked function ARN passes on only the Payload
    payload = frame.effective
    if resource.kind == "service":
        from . import local_tasks
        served = local_tasks.find(getattr(execution, "tasks", None), resource.key, payload)
        if served is not None:  # a local function wins over the simulation
            return local_tasks.serve(execution, frame, state, resource.key, served, payload)
    if resource.kind in ("lambda", "local"):
        handler = _tasks.find_handler(execution.lambdas, resource.arn)
        if handler is None:
            raise StatesError(RUNTIME, _missing_handler(resource.arn, execution.lambdas))
        context = _lambda_context(execution, frame, resource.function or resource.arn)
        result, _ = _tasks.call_handler(handler, payload, context, frame.timeout)
        return result
    if resource.service == "lambda" and resource.api == "invoke":
        from . import lambda_invoke
        return lambda_invoke.invoke(execution, frame, payload, lambda fn: _lambda_context(execution, frame, fn))
    services = execution.services
    if services is None:
        try:
            from .registry import service
            simulated = service("simulated")
        except ImportError:
            raise _tasks.not_simulated(resource) from None
        services = execution.services = simulated.Services.default()
    return services.call(execution, frame, state, resource, payload)


def _lambda_context(execution, frame, function: str) -> _tasks.LambdaContext:
    request_id = execution.rng.uuid()
    arn = function if function.startswith("arn:") else \
        f"arn:aws:lambda:{execution.machine.region}:{execution.machine.account}:function:{function}"
    return _tasks.LambdaContext(function, request_id, frame.timeout or _NO_TIMEOUT, arn)


def _missing_handler(arn: str, lambdas: dict) -> str:
    import difflib
    known = [k for k in lambdas if isinstance(k, str)]
    name = arn.split(":")[6] if arn.count(":") >= 6 else arn
    hint = difflib.get_close_matches(name, [k.split(":")[-1] for k in known], n=1)
    text = f"No handler for '{arn}'. Pass one with lambdas={{'{name}': handler}}"
    if hint:
        text += f" (did you mean '{hint[0]}'?)"
    return text + "."


def _task_succeeded(execution, frame, state, resource, result: Any) -> None:
    from .dataflow import check_size
    try:
        # AWS names the resource here: the function ARN, or the service ("lambda") of an integration
        check_size(result, resource.arn if resource.kind == "lambda" else _resource_type(resource))
    except StatesError as err:
        _task_failed(execution, frame, state, resource, err.error, err.cause)
        return
    if resource.uses_lambda_events:
        execution.emit(frame, "LambdaFunctionSucceeded", {"output": result})
    else:
        execution.emit(frame, "TaskSucceeded", {"resourceType": _resource_type(resource),
                                                 "resource": _resource_name(resource), "output": result})
    execution.task_succeeded(frame, state, result)


def _task_failed(execution, frame, state, resource, error: str | None, cause: str | None) -> None:
    if resource.uses_lambda_events:
        details = {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}
        execution.emit(frame, "LambdaFunctionFailed", details)
    else:
        details = {"resourceType": _resource_type(resource), "resource": _resource_name(resource)}
        details.update({k: v for k, v in (("error", error), ("cause", cause)) if v is not None})
        execution.emit(frame, "TaskFailed", details)
    err = StatesError(error, None, {"raw": True})
    err.cause = cause  # set after the message is made: a LazyText cause stays unformatted
    execution.state_failed(frame, state, err)


def _task_timed_out(execution, frame, state, resource, error: str, cause: str | None) -> None:
    details = {"error": error}
    if cause is not None:
        details["cause"] = cause
    if resource.uses_lambda_events:
        execution.emit(frame, "LambdaFunctionTimedOut", details)
    else:
        details = {"resourceType": _resource_type(resource), "resource": _resource_name(resource), **details}
        execution.emit(frame, "TaskTimedOut", details)
    execution.state_failed(frame, state, StatesError(error, cause, {"raw": True}))


# --- callbacks ------------------------------------------------------------------------------

def _submit_for_callback(execution, frame, state, resource) -> None:
    mocked = execution.mock is not None and execution.mock.covers(state.name)
    if resource.kind == "activity" and mocked:
        from .registry import service
        raise StatesError(RUNTIME, service("mocks").ACTIVITY_CANNOT_BE_MOCKED, {"raw": True})
    if resource.kind == "activity" or not frame.token:  # an activity's token is made as a worker gets it
        issue_token(execution, frame)
        _reevaluate_payload_with_token(execution, frame, state)
    token = frame.token
    execution.tokens[token] = frame
    submitted: Any = None
    if resource.kind != "activity":
        try:
            submitted = _call(execution, frame, state, resource)
        except _tasks.LambdaError as exc:
            del execution.tokens[token]
            _task_failed(execution, frame, state, resource, str(exc.payload.get("errorType")),
                         _tasks.compact_cause(exc.payload))
            return
        except StatesError as err:
            if not err.details.get("task"):
                raise
            del execution.tokens[token]
            _task_failed(execution, frame, state, resource, err.error, err.cause)
            return
        execution.emit(frame, "TaskSubmitted", {"resourceType": _resource_type(resource),
                                                 "resource": _resource_name(resource), "output": submitted})
        if mocked:  # Step Functions Local answers a mocked callback at once, with the mocked result
            del execution.tokens[token]
            _task_succeeded(execution, frame, state, resource, submitted)
            return
    now = execution.clock.now
    frame.deadline = now + frame.timeout if frame.timeout else float("inf")
    frame.heartbeat_deadline = now + frame.heartbeat if frame.heartbeat else float("inf")
    frame.blocked = True
    frame.phase = "invoke_wait"
    if resource.kind == "activity":
        workers = execution.activity_workers
        worker = workers.get(resource.arn) or workers.get(resource.arn.rsplit(":", 1)[-1])
        if worker is not None:
            try:
                output = worker(frame.effective)
            except Exception as exc:  # the worker's failure is the task's failure
                resume_with_failure(execution, token, type(exc).__name__, str(exc))
            else:
                resume_with_success(execution, token, output)
    elif token in execution.__dict__.get("early_answers", ()):
        _apply_early_answer(execution, token)


def issue_token(execution, frame) -> str:
    """A fresh task token for this attempt, visible to the payload through ``$$.Task.Token``.

    Made before ``TaskScheduled`` for ``.waitForTaskToken`` tasks, so the event's parameters
    hold the token the worker receives (as AWS records it)."""
    token = execution.ids.uuid("task-token:" + execution.arn)
    frame.token = token
    if frame.trace is not None:
        frame.trace["taskToken"] = token
    return token


def _reevaluate_payload_with_token(execution, frame, state) -> None:
    execution.task_payload(frame, state)


def _frame_for(execution, token: str):
    frame = execution.tokens.get(token)
    if frame is None or not frame.blocked:
        known = ", ".join(list(execution.tokens)[:3]) or "none"
        raise ExecutionError(f"TaskDoesNotExist: no task is waiting for the token {token!r} (waiting tokens: {known})")
    return frame


def resume_with_success(execution, token: str, output: Any) -> None:
    frame = _frame_for(execution, token)
    state = frame.current_state()
    resource = _tasks.parse_resource(state.extra["resource"])
    frame.blocked = False
    del execution.tokens[token]
    execution.emit(frame, "TaskSucceeded", {"resourceType": _resource_type(resource),
                                             "resource": _resource_name(resource), "output": output})
    execution.guarded(frame, state, execution.task_succeeded, frame, state, output)


def resume_with_failure(execution, token: str, error: str | None, cause: str | None) -> None:
    frame = _frame_for(execution, token)
    state = frame.current_state()
    resource = _tasks.parse_resource(state.extra["resource"])
    frame.blocked = False
    del execution.tokens[token]
    _task_failed(execution, frame, state, resource, error, cause)


def heartbeat(execution, token: str) -> None:
    frame = _frame_for(execution, token)
    if frame.heartbeat:
        frame.heartbeat_deadline = execution.clock.now + frame.heartbeat


def expire_waiting_tasks(execution) -> None:
    """After the clock moved: fail callback tasks whose timeout or heartbeat has passed."""
    now = execution.clock.now
    for token, frame in list(execution.tokens.items()):
        if not frame.blocked:
            continue
        if now >= frame.heartbeat_deadline or now >= frame.deadline:
            error = HEARTBEAT_TIMEOUT if now >= frame.heartbeat_deadline and frame.heartbeat_deadline <= frame.deadline \
                else TIMEOUT
            state = frame.current_state()
            resource = _tasks.parse_resource(state.extra["resource"])
            frame.blocked = False
            del execution.tokens[token]
            _task_timed_out(execution, frame, state, resource, error, None)


def answer_callback(execution, token: str, kind: str, *args: Any) -> None:
    """SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat sent from inside a workflow (``aws-sdk:sfn:*``).

    The answer may come while the waiting task is still submitting its request (a nested execution that
    answers at once): it is kept and applied as soon as the task starts waiting.
    """
    frame = execution.tokens.get(token)
    if frame is not None and not frame.blocked:
        execution.__dict__.setdefault("early_answers", {})[token] = (kind, args)
        return
    if kind == "success":
        execution.send_task_success(token, args[0])
    elif kind == "failure":
        execution.send_task_failure(token, *args)
    else:
        execution.send_task_heartbeat(token)


def _apply_early_answer(execution, token: str) -> None:
    early = execution.__dict__.get("early_answers")
    if early and token in early:
        kind, args = early.pop(token)
        answer_callback(execution, token, kind, *args)


class TaskPhases:
    """The ``Execution``'s Task phases and callbacks (the engine's ``Execution`` inherits them)."""

    # -- Task phases ------------------------------------------------------------------------

    def _phase_schedule(self, frame: Frame, state: State) -> None:
        resource = _tasks.parse_resource(state.extra["resource"])
        if resource.pattern == ".waitForTaskToken":
            # the token exists before TaskScheduled: AWS records the real token in its parameters
            issue_token(self, frame)
            self.task_payload(frame, state)
        elif frame.retry_total and state.uses_context:
            self.task_payload(frame, state)  # a retry sees its own $$.State.RetryCount
        if resource.uses_lambda_events:
            scheduled = self.emit(frame, "LambdaFunctionScheduled",
                                  schedule_details(self, frame, resource, lambda_events=True))
        else:
            scheduled = self.emit(frame, "TaskScheduled", schedule_details(self, frame, resource, lambda_events=False))
        if frame.retry_total:
            frame.attempt_id = scheduled
        frame.phase = "start"

    def _phase_start(self, frame: Frame, state: State) -> None:
        resource = _tasks.parse_resource(state.extra["resource"])
        if resource.uses_lambda_events:
            self.emit(frame, "LambdaFunctionStarted")
        else:
            self.emit(frame, "TaskStarted", {"resourceType": _resource_type(resource),
                                              "resource": _resource_name(resource)})
        frame.phase = "invoke"

    def _phase_invoke(self, frame: Frame, state: State) -> None:
        invoke(self, frame, state)

    def task_succeeded(self, frame: Frame, state: State, result: Any) -> None:
        """Record a task's result and run the rest of the data flow (ResultSelector ... OutputPath)."""
        trace = frame.trace
        if trace is not None:
            trace["result"] = result
        self.after_result(frame, state, result)

    def _check_heartbeats(self) -> None:
        expire_waiting_tasks(self)

    # -- callbacks (.waitForTaskToken) ---------------------------------------------------------

    def send_task_success(self, token: str, output: Any) -> Execution:
        _check_json(output, "InvalidOutput", "the task output")
        resume_with_success(self, token, output)
        self._persist()
        return self

    def send_task_failure(self, token: str, error: str | None = None, cause: str | None = None) -> Execution:
        resume_with_failure(self, token, error, cause)
        self._persist()
        return self

    def send_task_heartbeat(self, token: str) -> Execution:
        heartbeat(self, token)
        return self
