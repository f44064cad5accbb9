"""Retry and Catch: retriers, catchers and their ErrorEquals lists (their fields and rules: RETRIER_RULES and
CATCHER_RULES in fields.py).

Spec: Amazon States Language, "Errors" ("Retrying after error", "Fallback states", the predefined error
names). Taught in: notebooks/10-errors-retry-catch.ipynb.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import HTTP_ERROR, PREDEFINED_ERRORS
from .fields import CATCHER_RULES, RETRIER_RULES, WARNING, Path
from .report import did_you_mean

if TYPE_CHECKING:
    from .checker import State, Validator


def retry(v: Validator, value: list, at: Path, st: State) -> None:
    for i, r in enumerate(value):
        if v.expect(r, at + (i,), "Object"):
            v.table_fields(r, at + (i,), st, RETRIER_RULES, ("ErrorEquals",))
    states_all_last(v, value, at, "retrier")


def catch(v: Validator, value: list, at: Path, st: State) -> None:
    for i, c in enumerate(value):
        if v.expect(c, at + (i,), "Object"):
            v.table_fields(c, at + (i,), st, CATCHER_RULES, ("ErrorEquals", "Next"))
    states_all_last(v, value, at, "catcher")


def error_equals(v: Validator, value: list, at: Path, st: State) -> None:
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
