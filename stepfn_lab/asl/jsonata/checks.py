"""What ValidateStateMachineDefinition says about a definition's ``{% %}`` strings.

Spec: AWS Step Functions developer guide, "Transforming data with JSONata in Step
Functions" (what an expression may reference: ``$states`` fields by state and
field, no top-level names, no ``$`` or ``$$``) and the ValidateStateMachineDefinition
API (diagnostics ``INVALID_JSONATA_EXPRESSION`` and
``UNSUPPORTED_JSONATA_EXPRESSION``). Taught in:
notebooks/14-jsonata-and-variables.ipynb.
"""

from __future__ import annotations

from typing import Any

from .errors import _explain
from .expression import _CHILDREN, _inner, _parse_text
from .library import JException, Parser

STATES_FIELDS = ("input", "context", "result", "errorOutput")


def check_syntax(text: str) -> str | None:
    """AWS's ``INVALID_JSONATA_EXPRESSION`` message for bad syntax, or None.

    >>> check_syntax("{% a[1,2) %}")
    'Expected "]", got ","'
    """
    try:
        _parse_text(_inner(text))
    except JException as err:
        return _explain(err)[1]
    except Exception as err:  # noqa: BLE001
        return str(err) or type(err).__name__
    return None


def _reference_problems(node: Any, top: bool, fields: tuple, found: list) -> None:
    """Collect ``(position, message)`` for references AWS refuses in a definition.

    A name (or ``$``) that starts a path at the top level would read the context
    item, which Step Functions does not provide. Later steps, predicates, sort
    terms, groupings and transforms work on the values their path produced, so
    names there are fine. Lambda bodies keep the context they are written in.
    """
    if isinstance(node, (list, tuple)):
        for item in node:
            _reference_problems(item, top, fields, found)
        return
    if not isinstance(node, Parser.Symbol):
        return
    kind = getattr(node, "type", None)
    position = getattr(node, "position", 0) or 0
    if kind == "variable":
        if node.value == "$":
            found.append((position, "Reference to '$$' is not supported."))
        elif node.value == "" and top:
            found.append((position, "Reference to '$' is not supported."))
    if kind == "path":
        steps = node.steps or []
        if steps:
            first = steps[0]
            if top and getattr(first, "type", None) == "name":
                found.append((getattr(first, "position", 0) or 0,
                              f"Reference to '{first.value}' at the top level is not supported."))
            if (getattr(first, "type", None) == "variable" and first.value == "states" and len(steps) > 1
                    and getattr(steps[1], "type", None) == "name" and steps[1].value not in fields):
                found.append((getattr(steps[1], "position", 0) or 0,
                              f"Field '$states.{steps[1].value}' does not exist."))
            _reference_problems(first, top, fields, found)
            _reference_problems(steps[1:], False, fields, found)
        return
    relative = ("predicate", "stages", "group", "terms", "pattern", "update", "delete")
    for attr in _CHILDREN:
        if attr in ("steps",):
            continue
        child = getattr(node, attr, None)
        if child is not None:
            _reference_problems(child, top and attr not in relative, fields, found)


def check_references(text: str, states_fields: tuple = STATES_FIELDS) -> str | None:
    """AWS's ``UNSUPPORTED_JSONATA_EXPRESSION`` message, or None.

    ``states_fields`` lists the ``$states`` fields the field may read (leave out
    ``errorOutput`` outside a Catch, ``result`` where there is none). Text that
    does not parse gives None here: ``check_syntax`` reports it.

    >>> check_references("{% phone %}")
    "Reference to 'phone' at the top level is not supported."
    >>> check_references("{% $states.errorOutput %}", ("input", "context"))
    "Field '$states.errorOutput' does not exist."
    """
    try:
        ast = _parse_text(_inner(text))
    except Exception:  # noqa: BLE001
        return None
    found: list = []
    _reference_problems(ast, True, tuple(states_fields), found)
    return min(found, key=lambda item: item[0])[1] if found else None


def diagnose(text: str, states_fields: tuple = STATES_FIELDS) -> tuple[str, str] | None:
    """``(code, message)`` for a definition's ``{% %}`` string, as ValidateStateMachineDefinition reports it."""
    message = check_syntax(text)
    if message is not None:
        return "INVALID_JSONATA_EXPRESSION", message
    message = check_references(text, states_fields)
    if message is not None:
        return "UNSUPPORTED_JSONATA_EXPRESSION", message
    return None
