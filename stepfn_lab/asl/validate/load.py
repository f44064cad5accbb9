"""The definition as given: a dict, JSON text or a file; read, parsed with positions, checked to be a JSON
object of allowed size with no duplicate keys, before the checker walks it.

Spec: AWS API ValidateStateMachineDefinition (INVALID_JSON_DESCRIPTION, MISSING_DESCRIPTION, the definition's
length limit, DUPLICATE_STATE_NAME). Taught in: notebooks/02-asl-anatomy.ipynb.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from ...errors import Problem
from .. import source as _source
from .fields import MAX_DEFINITION_LENGTH, Path
from .report import render_location, type_name

if TYPE_CHECKING:
    from .checker import Validator


def load(definition: Any) -> tuple[Any, _source.Source | None, list[Problem]]:
    """``(value, source_or_None, problems)``: problems stop validation before it starts."""
    if definition is None or (isinstance(definition, (str, bytes)) and not definition):
        return None, None, [Problem("", "Received a null or empty workflow input.", "MISSING_DESCRIPTION")]
    if isinstance(definition, os.PathLike) or (isinstance(definition, str) and _names_a_file(definition)):
        path = os.fspath(definition)
        try:
            with open(definition, encoding="utf-8") as handle:
                definition = handle.read()
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            return None, None, [Problem("", f"Cannot read the definition file '{path}': {exc}",
                                        "MISSING_DESCRIPTION")]
        reason = _source.not_a_definition(definition)
        if reason:  # say why without echoing the file: it may be any file, secrets included
            return None, None, [Problem("", f"The file '{path}' is not a state machine definition: {reason}",
                                        "INVALID_JSON_DESCRIPTION",
                                        hint="pass the path of an .asl.json file, JSON text or a dict")]
    if isinstance(definition, bytes):
        try:
            definition = definition.decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, None, [Problem("", f"Invalid UTF-8 in the definition: {exc}", "INVALID_JSON_DESCRIPTION")]
    if not isinstance(definition, str):
        return definition, None, []
    if not definition.strip():
        return None, None, [Problem("", "Definition must be a valid JSON object", "SCHEMA_VALIDATION_FAILED")]
    try:
        src = _source.parse(definition)
    except _source.JSONTextError as exc:
        hint = None
        if "\n" not in definition.strip() and definition.strip().endswith(".json"):
            hint = f"there is no file named {definition.strip()!r} either"
        where = exc.aws_location(definition)
        return None, None, [Problem(where, f"{exc.message}\n at {where}", "INVALID_JSON_DESCRIPTION",
                                    line=exc.line, column=exc.column, hint=hint,
                                    excerpt=_source.excerpt(definition, exc.line, exc.column))]
    except RecursionError:
        return None, None, [Problem("", f"The definition is nested more than {_source.DEPTH_LIMIT} levels deep "
                                        "(stepfn_lab's limit)", "TOO_DEEPLY_NESTED",
                                    hint="JSON nesting this deep is never a state machine")]
    return src.value, src, []


def _names_a_file(text: str) -> bool:
    if text.lstrip().startswith(("{", "[")) or len(text) > 4096 or "\n" in text:
        return False
    try:
        return os.path.isfile(text)
    except (ValueError, OSError):
        return False


def check_json(v: Validator, value: Any, src: _source.Source | None) -> bool:
    """The definition is a JSON object of allowed size. False when nothing more can be checked."""
    if not isinstance(value, dict):
        v.schema((), "Definition must be a valid JSON object", location="",
                 hint=f"got {type_name(value)}; a definition looks like {{\"StartAt\": ..., \"States\": {{...}}}}")
        return False
    text = src.text if src is not None else None
    if text is None:
        try:
            text = json.dumps(value, allow_nan=False)  # C speed: types and NaN in one go
        except (RecursionError, TypeError, ValueError):
            text = None
    # the iterative walk (linear, safe on any depth) runs only when something is wrong
    found = _source.json_problem(value) if text is None or _source.too_deep_text(text) else None
    if found is not None and found[1].endswith("is not a JSON number"):
        v.schema(found[0], f"Value is not JSON: {found[1]}")
        found = _source.json_problem(value, allow_nan=True)  # NaN can still be checked; anything else cannot
    if found is not None:
        where, why = found
        if why.startswith("nested more than"):
            v.report("TOO_DEEPLY_NESTED", where, f"The definition is {why}",
                     hint="JSON nesting this deep is never a state machine")
            return False
        v.schema(where, f"Value is not JSON: {why}")
        return False  # values that are not JSON stop the checks: they cannot be read
    length = len(text if text is not None else json.dumps(value))  # NaN only, written as Python writes it
    if length > MAX_DEFINITION_LENGTH:
        v.schema((), f"Value at 'definition' failed to satisfy constraint: Member must have length less than or "
                     f"equal to {MAX_DEFINITION_LENGTH}", location="", hint=f"this definition is {length} characters")
    return True


def duplicate_key(v: Validator, path: Path, line: int, column: int, src: _source.Source) -> None:
    if len(path) >= 2 and path[-2] == "States":
        problem = Problem(render_location(path), f"Duplicate State name: {path[-1]}", "DUPLICATE_STATE_NAME",
                          hint="two states of one States object have the same name; JSON keeps only the last")
    else:
        problem = Problem(render_location(path[:-1]), f"Duplicate field '{path[-1]}'", "SCHEMA_VALIDATION_FAILED",
                          hint="the same key twice in one object; JSON keeps only the last value")
    problem.line, problem.column, problem.excerpt = line, column, src.excerpt(line, column)
    v.found.append((problem, (), False))
