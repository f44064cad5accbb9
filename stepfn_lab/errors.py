"""The exception tree and the predefined ASL error names.

Spec: Amazon States Language, "Errors" (predefined error codes).
Taught in: notebooks/10-errors-retry-catch.ipynb.

Two families live here:

* ``StepFnLabError`` and its children are *Python* exceptions a user sees when
  something is wrong with what they gave the library (a broken definition, a bad
  path). They never escape from inside a running execution: an execution that
  meets a problem fails with an ASL error and keeps its history.
* ``StatesError`` is an *ASL* error raised while a state runs. Retry and Catch
  match its ``error`` name; its ``cause`` is the text AWS would write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Predefined error names (ASL spec, "Error names"), one table a reader can scan.
ALL = "States.ALL"
HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
TIMEOUT = "States.Timeout"
TASK_FAILED = "States.TaskFailed"
PERMISSIONS = "States.Permissions"
RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"
BRANCH_FAILED = "States.BranchFailed"
NO_CHOICE_MATCHED = "States.NoChoiceMatched"
INTRINSIC_FAILURE = "States.IntrinsicFailure"
EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"
ITEM_READER_FAILED = "States.ItemReaderFailed"
RESULT_WRITER_FAILED = "States.ResultWriterFailed"
DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
RUNTIME = "States.Runtime"

PREDEFINED_ERRORS = (
    ALL, HEARTBEAT_TIMEOUT, TIMEOUT, TASK_FAILED, PERMISSIONS, RESULT_PATH_MATCH_FAILURE,
    PARAMETER_PATH_FAILURE, QUERY_EVALUATION_ERROR, BRANCH_FAILED, NO_CHOICE_MATCHED,
    INTRINSIC_FAILURE, EXCEED_TOLERATED_FAILURE_THRESHOLD, ITEM_READER_FAILED,
    RESULT_WRITER_FAILED, DATA_LIMIT_EXCEEDED, RUNTIME,
)

# HTTP Tasks fail with States.Http.Socket, or States.Http.StatusCode.<code> for an HTTP error answer
# (AWS docs "Call HTTPS APIs in Step Functions workflows", connect-third-party-apis.html).
HTTP_ERROR = re.compile(r"States\.Http\.(Socket|StatusCode\.[1-5][0-9][0-9])")

# States.ALL does not match this one (a Retry or Catch must name it explicitly).
NOT_MATCHED_BY_ALL = (RUNTIME,)


class StepFnLabError(Exception):
    """Base of every exception the library raises to its user."""


@dataclass
class Problem:
    """One finding about a definition: where (a JSON pointer), what, and how bad."""

    location: str
    message: str
    code: str = "SCHEMA_VALIDATION_FAILED"
    severity: str = "ERROR"
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    excerpt: str | None = None

    def __str__(self) -> str:
        where = self.location or "(definition)"
        if self.line is not None:
            where += f" (line {self.line}, column {self.column})"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        if self.excerpt:
            text += "\n" + self.excerpt
        return text

    def to_aws(self) -> dict:
        """The diagnostic as ValidateStateMachineDefinition returns it."""
        out = {"severity": self.severity, "code": self.code, "message": self.message}
        if self.location:
            out["location"] = self.location
        return out


class DefinitionError(StepFnLabError, ValueError):
    """The definition cannot be run; ``problems`` lists every finding."""

    def __init__(self, problems: list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "ERROR"] or self.problems
        head = f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in definition:"
        super().__init__("\n".join([head] + ["  " + str(p).replace("\n", "\n  ") for p in errors]))


class PathSyntaxError(StepFnLabError, ValueError):
    """A path or expression that cannot be parsed, with a caret under the column."""

    def __init__(self, text: str, message: str, column: int | None = None, field_name: str | None = None):
        self.text = text
        self.column = column
        self.field_name = field_name
        self.reason = message
        head = f"invalid {field_name}: {message}" if field_name else message
        body = f"\n  {text}"
        if column is not None:
            body += "\n  " + " " * column + "^"
        super().__init__(head + body)


@dataclass
class StatesError(StepFnLabError):
    """An ASL error raised while a state runs: what Retry and Catch match."""

    error: str | None
    cause: str | None = None
    # extra payload for history events (e.g. a Lambda error payload)
    details: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.error}: {self.cause}" if self.cause else str(self.error))

    def __str__(self) -> str:
        return f"{self.error}: {self.cause}" if self.cause else str(self.error)


class TaskFailed(StatesError):
    """Raise from a local task handler to fail the task with an ASL error name.

    For example ``raise TaskFailed("Inventory.OutOfStock", "sku 42")`` fails the
    task with error ``Inventory.OutOfStock``, which a Retry or Catch can match.
    """

    def __init__(self, error: str, cause: str | None = None):
        super().__init__(error, cause)


class InvalidArgument(StepFnLabError, ValueError):
    """An argument the library cannot use (e.g. TestState input that is not JSON text)."""


class ExecutionError(StepFnLabError, RuntimeError):
    """Misuse of an execution (e.g. sending a token that does not exist)."""
