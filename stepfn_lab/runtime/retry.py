"""Errors: a failed state is retried, caught, or fails its frame (and then the execution).

Spec: Amazon States Language, "Errors" ("Retrying after error", "Fallback states"); AWS docs
"Handling errors in Step Functions workflows" (error names, States.ALL, States.TaskFailed,
back-off, jitter, MaxDelaySeconds). Taught in: notebooks/10-errors-retry-catch.ipynb.

``RetryCatch`` holds the ``Execution``'s methods for it (the engine's ``Execution`` inherits them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import (ALL, DATA_LIMIT_EXCEEDED, HEARTBEAT_TIMEOUT, INTRINSIC_FAILURE, QUERY_EVALUATION_ERROR,
                      RUNTIME, TASK_FAILED, TIMEOUT, StatesError)
from .dataflow import _RETRYABLE, check_size, place_result
from .frames import FAILED, RETRYING, RUNNING, TIMED_OUT, Frame, Step
from .history import text
from .maprun import DISCARD

if TYPE_CHECKING:
    from ..asl.model import State


# Errors whose cause AWS prefixes with "An error occurred while executing the state ...".
_PREFIXED = (RUNTIME, QUERY_EVALUATION_ERROR, INTRINSIC_FAILURE)


class RetryCatch:
    """The ``Execution``'s error handling: Retry, Catch, a failed frame or execution."""

    def state_failed(self, frame: Frame, state: State, err: StatesError, prefixed: bool = False) -> None:
        """A state raised an ASL error: retry it, catch it, or fail the frame."""
        error, cause = err.error, err.cause
        if not prefixed and error in _PREFIXED and not err.details.get("raw"):
            cause = (f"An error occurred while executing the state '{state.name}' "
                     f"(entered at the event id #{frame.entered_id}). {cause}")
        frame.error, frame.cause = error, cause
        frame.blocked = False
        frame.fan = None
        if error == QUERY_EVALUATION_ERROR:
            self.emit(frame, "EvaluationFailed", {"error": error, "cause": cause, "state": state.name})
        retryable = error != RUNTIME and state.type in _RETRYABLE
        if retryable and self._retry(frame, state, error):
            return  # a retried attempt's cause (a LazyText stack trace) is formatted only if its event is read
        cause = frame.cause = text(cause)
        if retryable:
            if state.type != "Task":
                # a failed Parallel or Map that is not retried records <Type>StateFailed (recorded on AWS)
                frame.last_id = max(frame.last_id, len(frame.history)) if frame.kind == "root" else frame.last_id
                self.emit(frame, f"{state.type}StateFailed")
            if self._catch(frame, state, error, cause):
                return
        if frame.steps is not DISCARD:
            frame.steps.append(Step(frame, state, FAILED, frame.attempt_id or frame.entered_id, frame.last_id))
        self.frame_failed(frame, error, cause)

    def _retry(self, frame: Frame, state: State, error: str) -> bool:
        for i, retrier in enumerate(state.retriers):
            if not _matches(error, retrier.error_equals):
                continue
            counts = frame.retry_counts or [0] * len(state.retriers)
            frame.retry_counts = counts
            if counts[i] >= retrier.max_attempts:
                return False
            delay = retrier.interval_seconds * (retrier.backoff_rate ** counts[i])
            if retrier.max_delay_seconds is not None:
                delay = min(delay, retrier.max_delay_seconds)
            if retrier.jitter_strategy == "FULL":
                delay = self.rng.uniform(0, delay)
            # one attempt is one Step: the Stepper shows each try and each back-off wait
            if frame.steps is not DISCARD:
                frame.steps.append(Step(frame, state, RETRYING, frame.attempt_id or frame.entered_id, frame.last_id,
                                        retry_in=delay))
            counts[i] += 1
            frame.retry_total += 1
            self.retries += 1
            frame.ready_at = self.clock.now + delay
            # A retry runs the state again. Where the state's own input processing failed (InputPath and
            # Parameters, Arguments, Items, ItemSelector...: phase "enter"), that is evaluated again, with the
            # new $$.State.RetryCount; otherwise the work is scheduled (Task) or fanned out (Parallel, Map) again.
            if frame.phase in ("enter", "prepare"):
                frame.phase = "prepare"
            else:
                frame.phase = "schedule" if state.type == "Task" else "fanout"
            return True
        return False

    def _catch(self, frame: Frame, state: State, error: str, cause: str | None) -> bool:
        for catcher in state.catchers:
            if not _matches(error, catcher.error_equals):
                continue
            error_output = {"Error": error, "Cause": cause}
            if state.is_jsonata:
                states = self.states_for(frame, state, errorOutput=error_output)
                output = catcher.output.evaluate(states, frame.scope, rng=self.rng) if catcher.output else error_output
                frame.assigned = None
                self.assign(frame, state, catcher.assign, None, states)
            else:
                frame.assigned = None
                self.assign(frame, state, catcher.assign, error_output)
                output = place_result(catcher.result_path, frame.raw_input, error_output)
            frame.output = output
            frame.next = catcher.next
            frame.caught = True
            frame.phase = "exit"
            if frame.trace is not None:
                frame.trace["errorOutput"] = error_output
            return True
        return False

    def _fail_execution(self, error: str | None, cause: str | None) -> None:
        if self.status != RUNNING:
            return
        if error == TIMEOUT and cause == "":
            cause = None  # a timed-out task's empty cause is not reported on the execution (recorded on AWS)
        frame = self.root
        frame.last_id = len(self.history)
        details = {}
        if error is not None:
            details["error"] = error
        if cause is not None:
            details["cause"] = cause
        self.emit(frame, "ExecutionFailed", details)
        self.status = FAILED
        self.error, self.cause = error, cause

    def _timed_out(self) -> None:
        frame = self.root
        frame.last_id = len(self.history)
        self.emit(frame, "ExecutionTimedOut")
        self.status = TIMED_OUT
        self.error, self.cause = None, None  # DescribeExecution reports neither (recorded on AWS)

    def _check_input_size(self, value: Any) -> None:
        try:
            check_size(value, "input")
        except StatesError:
            self._fail_execution(DATA_LIMIT_EXCEEDED, "The execution input exceeds the maximum number of bytes "
                                                      "service limit (262144 bytes).")

    def _check_output_size(self, value: Any) -> None:
        try:
            check_size(value, "output")
        except StatesError as err:
            self._fail_execution(err.error, err.cause)

def _matches(error: str | None, equals: tuple) -> bool:
    """Does a Retry/Catch ``ErrorEquals`` list match this error?

    Design note: ``States.ALL`` matches every error but ``States.Runtime`` (which
    nothing catches). AWS's docs ("Error names", States.ALL and
    States.DataLimitExceeded) also call ``States.DataLimitExceeded`` "a terminal
    error that can't be caught by the States.ALL error type", but a run recorded
    on AWS on 2024-03-21 says otherwise: a Lambda returning 263,168 bytes fails with
    ``States.DataLimitExceeded`` and a Catch on ``States.ALL`` takes it
    (``test_task_lambda_catch_state_all_data_limit_exceeded_on_large_utf8_response``
    in shared/conformance, from localstack's AWS-validated snapshots). AWS's
    behaviour wins, so the kit catches it too. ``States.TaskFailed`` acts as a wildcard for every error
    but the timeouts (AWS docs, "Error names"; recorded on AWS in
    ``test_raise_exception_catch``, where ``States.TaskFailed`` catches a Lambda's
    ``Exception``).
    """
    if error in equals:
        return True
    if ALL in equals and error != RUNTIME:
        return True
    return TASK_FAILED in equals and error not in (RUNTIME, TIMEOUT, HEARTBEAT_TIMEOUT)
