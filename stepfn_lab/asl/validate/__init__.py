"""Static checks of a definition, answered like AWS ValidateStateMachineDefinition.

Spec: Amazon States Language, "Structure of a State Machine", "States" (the
fields of every state type), "Transitions", "Errors" (Retry and Catch),
"Paths" / "Reference Paths", "Payload Template", "Intrinsic Functions", and
the query-language rules of JSONata; AWS API ValidateStateMachineDefinition
(codes, messages, locations). Taught in: notebooks/02-asl-anatomy.ipynb.

``validate(definition)`` never raises for a bad definition: it returns a list
of ``Problem`` objects, each with AWS's ``severity``, ``code``, ``message`` and
``location`` (``/States/A/Next``), and what AWS does not give: the line and
column in the source text, a caret excerpt, and a "did you mean" hint.

>>> for p in validate({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Bees"},
...                                               "Bee": {"Type": "Succeed"}}}):
...     print(f"{p.code} {p.location}: {p.message} ({p.hint})")
MISSING_TRANSITION_TARGET /States/A/Next: Missing 'Next' target: Bees (did you mean 'Bee'?)
MISSING_TRANSITION_TARGET /States/Bee: State "Bee" is not reachable.
    (no StartAt, Next, Default or Catch names this state)

Design note: where AWS's wording is known (measured on AWS and recorded by
peers), it is used verbatim: ``These fields are required: [...]``,
``Field 'X' is not supported``, ``There should only be one of the following
fields: [...]``, ``Missing 'Next' target: X``, ``State "X" is not reachable.``,
``Workflow has no terminal state``, ``Minimum value is 0``, ``Value is not a
Reference Path``, ``Duplicate State name: X``, the 80-character state name
sentence, the QueryLanguage sentences, the Express ones and Jackson's JSON
syntax messages. Elsewhere the message is ours, written in the same style.
Besides the codes AWS documents, AWS also answers INVALID_JSONATA_EXPRESSION
and UNSUPPORTED_JSONATA_EXPRESSION for ``{% %}`` strings; so do we.

The package: one table says how every field is checked, one checker applies it, and the checks a
table row cannot say live by ASL concept (as jmespath drives its functions from a signature table):

- ``fields``: the tables: the fields of every state type, machine, retrier, catcher, Choice rule and Map
  object, query languages, exclusive groups, enumerations, AWS's limits, and a ``Rule`` per field (JSON
  types, range, allowed values, syntax with AWS's code and message, the name of a check of its own);
- ``checker``: the walk over machines and states that applies the rules and records each problem;
- ``graph``: state names, transition targets, terminal states, reachability;
- ``expressions``: paths, reference paths, intrinsic functions, payload templates, JSONata strings;
- ``state_fields`` (with the table of named checks), ``retry_catch``, ``choice_rules``, ``map_fields``;
- ``load``: the definition as given (dict, text, file), JSON and size checks, duplicate keys;
- ``report``: wording, locations, readable text and AWS's response shape.

Layer: asl (a package of the language layer).
May import: errors, language.
"""

from __future__ import annotations

from typing import Any, Callable

from ...errors import Problem
from .checker import Validator, run
from .fields import EXPRESS, STANDARD
from .load import check_json, duplicate_key, load
from .report import format_problems, render_location, short, to_aws_response, unrunnable

__all__ = ["validate", "unrunnable", "format_problems", "to_aws_response", "render_location", "STANDARD", "EXPRESS"]


def validate(definition: Any, workflow_type: str = STANDARD, *,
             served: Callable[[str], bool] | None = None) -> list[Problem]:
    """Every problem AWS would report for ``definition``, located, with a hint where we can.

    ``definition`` is a dict, JSON text, or a path to a file (str or ``os.PathLike``);
    ``workflow_type`` is ``"STANDARD"`` or ``"EXPRESS"``. Never raises for a bad
    definition. An empty list means AWS would accept it. ``served(key)`` tells
    whether an integration (``"sqs:sendMessage"``) runs locally; when given, the
    others get a WARNING saying how to run them.
    """
    kind = workflow_type.upper() if isinstance(workflow_type, str) else (workflow_type or STANDARD)
    if kind not in (STANDARD, EXPRESS):
        return [Problem("", "Value at 'type' failed to satisfy constraint: Member must satisfy enum value set: "
                            "[STANDARD, EXPRESS]", "SCHEMA_VALIDATION_FAILED", hint=f"got {short(kind)}")]
    value, src, problems = load(definition)
    if problems:
        return problems
    checker = Validator(kind, served)
    if not check_json(checker, value, src):
        return checker.finish(src)
    run(checker, value)
    if src is not None:
        for path, (line, column) in src.duplicate_keys():
            duplicate_key(checker, path, line, column, src)
    return checker.finish(src)
