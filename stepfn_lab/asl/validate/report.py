"""How the validator says things: JSON type names, short values, "did you mean" hints, locations
(``/States/C/Choices[0]/Next``), readable text, and AWS's ValidateStateMachineDefinition response shape.

Spec: AWS API ValidateStateMachineDefinition (diagnostics: severity, code, message, location).
Taught in: notebooks/02-asl-anatomy.ipynb.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from ...errors import Problem
from .fields import ERROR, MAX_HINT_CANDIDATES, WARNING, Path, is_int


def type_name(value: Any) -> str:
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Number"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Array"
    if isinstance(value, dict):
        return "Object"
    return type(value).__name__


def short(value: Any, limit: int = 60) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=repr)
    except (ValueError, RecursionError):
        text = type(value).__name__
    return text if len(text) <= limit else text[:limit - 1] + "…"


def did_you_mean(word: Any, candidates) -> str | None:
    if not isinstance(word, str) or not word or len(word) > 200:
        return None
    pool = [c for c in candidates if isinstance(c, str)]
    if not pool or len(pool) > MAX_HINT_CANDIDATES:
        return None
    lowered = {c.lower(): c for c in pool}
    if word.lower() in lowered and lowered[word.lower()] != word:
        return f"did you mean '{lowered[word.lower()]}'?"
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def render_location(path: Path) -> str:
    """``("States", "C", "Choices", 0, "Next")`` -> ``/States/C/Choices[0]/Next``; ``()`` -> ``/``."""
    out = ""
    for part in path:
        out += f"[{part}]" if is_int(part) else f"/{part}"
    return out or "/"


# AWS's wordings for a value no run can use: the wrong JSON type, a number out of range, required fields
# missing or clashing. StateMachine.from_json(validate=False) still refuses these (runtime/machine.py).
_UNRUNNABLE = ("Expected value of type", "Maximum value is", "Minimum value is",
               "There should only be one of the following fields", "One of these fields is required",
               "These fields are required")


def unrunnable(problems: list[Problem]) -> list[Problem]:
    """The problems among ``problems`` that no run can get past (see ``_UNRUNNABLE``)."""
    return [p for p in problems if p.severity == ERROR and p.message.startswith(_UNRUNNABLE)]


def format_problems(problems: list[Problem]) -> str:
    """Readable text: one block per problem (where, what, hint, caret excerpt), then a count."""
    if not problems:
        return "No problems: AWS would accept this definition."
    blocks = []
    for p in problems:
        where, message = p.location or "(definition)", p.message
        if p.code == "INVALID_JSON_DESCRIPTION":  # AWS repeats the whole text there; the excerpt shows it
            where, message = "(definition text)", message.split("\n at [Source:")[0]
        if p.line is not None:
            where += f" (line {p.line}, column {p.column})"
        block = [f"{p.severity} {p.code} at {where}", f"  {message}"]
        if p.hint:
            block.append(f"  hint: {p.hint}")
        if p.excerpt:
            block.extend("  " + line for line in p.excerpt.split("\n"))
        blocks.append("\n".join(block))
    errors = sum(p.severity == ERROR for p in problems)
    warnings = len(problems) - errors
    summary = f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
    return "\n\n".join(blocks) + "\n\n" + summary


# AWS's CreateStateMachine answers "SCHEMA_VALIDATION_FAILED: Value is not a valid resource ARN at
# /States/<state>/Resource" for a Resource that is not an ARN, which the kit only warns about (it runs
# a bare name as a local task): the AWS-shaped answer says what AWS says.
NOT_AN_ARN = "Value is not a valid resource ARN"


def _as_aws_says(problem: Problem) -> Problem:
    if problem.code == "INVALID_RESOURCE" and problem.severity == WARNING:
        return Problem(problem.location, NOT_AN_ARN, "SCHEMA_VALIDATION_FAILED", ERROR)
    return problem


def to_aws_response(problems: list[Problem], severity: str = ERROR, max_results: int = 100) -> dict:
    """The ValidateStateMachineDefinition response: ``result``, ``diagnostics``, ``truncated``.

    Like AWS, ``severity="ERROR"`` (the default) returns errors only and ``"WARNING"``
    returns warnings too; ``result`` is FAIL when any error exists. What the kit runs as a local
    convenience but AWS refuses (a Resource that is not an ARN) is shown as AWS's error.
    """
    problems = [_as_aws_says(p) for p in problems]
    shown = [p for p in problems if severity == WARNING or p.severity == ERROR]
    limit = max(0, min(max_results, 100)) if max_results else 100
    return {
        "result": "FAIL" if any(p.severity == ERROR for p in problems) else "OK",
        "diagnostics": [p.to_aws() for p in shown[:limit]],
        "truncated": len(shown) > limit,
    }
