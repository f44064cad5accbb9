"""Retry and Catch: retriers, catchers and their ErrorEquals lists.

Spec: Amazon States Language, "Errors" ("Retrying after error", "Fallback states", the predefined error
names). Taught in: notebooks/10-errors-retry-catch.ipynb.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...errors import HTTP_ERROR, PREDEFINED_ERRORS
from .expressions import assign, result_path
from .fields import CATCHER_FIELDS, MAX_DELAY_SECONDS, MAX_SECONDS, RETRIER_FIELDS, WARNING, Path
from .report import did_you_mean

if TYPE_CHECKING:
    from .checker import State, Validator


def error_equals(v: Validator, value: Any, at: Path) -> None:
    if not v.expect(value, at, "Array"):
        return
    if not value:
        v.schema(at, "Minimum number of items is 1", hint="list at least one error name, e.g. States.ALL")
    for i, name in enumerate(value):
        if not v.expect(name, at + (i,), "String"):
            continue
        if name.startswith("States.") and name not in PREDEFINED_ERRORS and not HTTP_ERROR.fullmatch(name):
            # Design note: AWS deploys definitions whose ErrorEquals names a States.* error it never
            # raises (AWS sample workflows do; what AWS's validator says of one is not established),
            # so the kit warns instead of refusing: such a retrier or catcher never matches.
            v.report("SCHEMA_VALIDATION_FAILED", at + (i,), f"'{name}' is not a predefined error name: "
                     "no error is ever called that, so this never matches", severity=WARNING,
                     hint=did_you_mean(name, PREDEFINED_ERRORS)
                     or "error names that start with 'States.' are reserved for the predefined errors")


def states_all_last(v: Validator, items: list, at: Path, what: str) -> None:
    for i, item in enumerate(items):
        names = item.get("ErrorEquals") if isinstance(item, dict) else None
        if not isinstance(names, list) or "States.ALL" not in names:
            continue
        if len(names) != 1:
            v.schema(at + (i, "ErrorEquals"), "'States.ALL' must appear alone in ErrorEquals",
                     hint="States.ALL already matches every other error name")
        if i != len(items) - 1:
            v.schema(at + (i,), f"The {what} that matches 'States.ALL' must be the last one",
                     hint=f"the {what}s after it could never be used")


def retrier(v: Validator, r: dict, at: Path) -> None:
    for key in r:
        if key not in RETRIER_FIELDS:
            v.unsupported(at, key, RETRIER_FIELDS)
    if "ErrorEquals" not in r:
        v.schema(at, "These fields are required: [ErrorEquals]")
    else:
        error_equals(v, r["ErrorEquals"], at + ("ErrorEquals",))
    if "IntervalSeconds" in r:
        v.integer(r["IntervalSeconds"], at + ("IntervalSeconds",), 1, MAX_SECONDS)
    if "MaxAttempts" in r:
        v.integer(r["MaxAttempts"], at + ("MaxAttempts",), 0, MAX_SECONDS)
    if "BackoffRate" in r:
        v.number(r["BackoffRate"], at + ("BackoffRate",), 1.0, None)
    if "MaxDelaySeconds" in r:
        v.integer(r["MaxDelaySeconds"], at + ("MaxDelaySeconds",), 1, MAX_DELAY_SECONDS)
    if "JitterStrategy" in r:
        v.enum(r["JitterStrategy"], at + ("JitterStrategy",), "JitterStrategy")
    if "Comment" in r:
        v.expect(r["Comment"], at + ("Comment",), "String")


def catcher(v: Validator, c: dict, at: Path, st: State) -> None:
    for key in c:
        if key not in CATCHER_FIELDS:
            v.unsupported(at, key, CATCHER_FIELDS)
    missing = [f for f in ("ErrorEquals", "Next") if f not in c]
    if missing:
        v.schema(at, f"These fields are required: [{', '.join(missing)}]")
    if "ErrorEquals" in c:
        error_equals(v, c["ErrorEquals"], at + ("ErrorEquals",))
    if "Next" in c:
        v.expect(c["Next"], at + ("Next",), "String")
    if "ResultPath" in c and v.language_allows("ResultPath", st.lang, at):
        result_path(v, c["ResultPath"], at + ("ResultPath",), st)
    if "Output" in c:
        v.language_allows("Output", st.lang, at)
    if "Assign" in c:
        assign(v, c["Assign"], at + ("Assign",), st)
    if "Comment" in c:
        v.expect(c["Comment"], at + ("Comment",), "String")


def retry(v: Validator, value: Any, at: Path, st: State) -> None:
    if not v.expect(value, at, "Array"):
        return
    for i, r in enumerate(value):
        if v.expect(r, at + (i,), "Object"):
            retrier(v, r, at + (i,))
    states_all_last(v, value, at, "retrier")


def catch(v: Validator, value: Any, at: Path, st: State) -> None:
    if not v.expect(value, at, "Array"):
        return
    for i, c in enumerate(value):
        if v.expect(c, at + (i,), "Object"):
            catcher(v, c, at + (i,), st)
    states_all_last(v, value, at, "catcher")
