"""State machines: a definition compiled and checked once, with its name, type, region and log level.

Spec: Amazon States Language (the definition as a whole); the Step Functions API reference,
CreateStateMachine and StartExecution (names, ``InvalidName``, ``InvalidExecutionInput``,
the logging level). Taught in: notebooks/01-what-is-a-state-machine.ipynb and
notebooks/02-asl-anatomy.ipynb (validation).

``CompiledMachine`` parses, validates and compiles a definition (``from_json``); the engine's
``StateMachine`` (``runtime/engine.py``) adds starting executions of it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..asl.model import Definition
from ..errors import DefinitionError, ExecutionError
from .clock import IdFactory

if TYPE_CHECKING:
    from .engine import StateMachine

STANDARD, EXPRESS = "STANDARD", "EXPRESS"

# Execution and state machine names (StartExecution / CreateStateMachine "name"): 1-80 characters, none of
# whitespace, < > { } [ ], ? *, " # % \\ ^ | ~ ` $ & , ; : /, control characters (U+0000-001F,
# U+007F-009F), U+FFFE-FFFF or surrogates; AWS answers InvalidName otherwise (Step Functions API reference).
_NAME_FORBIDDEN = re.compile("[\\s<>{}\\[\\]?*\"#%\\\\^|~`$&,;:/\x00-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def invalid_name(name: Any, what: str) -> str | None:
    """AWS's InvalidName answer for a bad execution or state machine name, else None."""
    if isinstance(name, str) and 1 <= len(name) <= 80 and not _NAME_FORBIDDEN.search(name):
        return None
    shown = name if isinstance(name, str) else repr(name)
    bad = _NAME_FORBIDDEN.search(name) if isinstance(name, str) else None
    why = (f"it contains {bad.group(0)!r}" if bad else
           "it must be 1 to 80 characters" if isinstance(name, str) else "it must be a string")
    return (f"InvalidName: Invalid Name: '{shown}' ({what} names are 1-80 characters without whitespace, "
            f"brackets, wildcards or \" # % \\ ^ | ~ ` $ & , ; : /; {why})")

class CompiledMachine:
    """A compiled, validated definition (the engine's ``StateMachine`` runs executions of it)."""

    def __init__(self, definition: Definition, raw: dict, *, name: str = "StateMachine",
                 workflow_type: str = STANDARD, region: str = "us-east-1", account: str = "123456789012",
                 source: str | None = None, problems: list | None = None, log_level: str | None = None):
        problem = invalid_name(name, "state machine")
        if problem:
            raise DefinitionError(problem)
        self.definition = definition
        # Express: the CloudWatch Logs level (ALL, ERROR, FATAL, OFF). A run keeps the events this level
        # logs; None keeps every event (the lab's default, so runs can be drawn and stepped through).
        self.log_level = _log_level(log_level)
        self.raw = raw
        self.name = name
        self.workflow_type = workflow_type
        self.region = region
        self.account = account
        self.source = source
        self.problems = problems or []
        self.arn = f"arn:aws:states:{region}:{account}:stateMachine:{name}"
        self.role_arn = f"arn:aws:iam::{account}:role/StepFunctions-{name}-role"
        self._ids = IdFactory()
        self._names: set[str] = set()

    @classmethod
    def from_json(cls, definition: Any, name: str = "StateMachine", workflow_type: str = STANDARD, *,
                  validate: bool = True, region: str = "us-east-1", account: str = "123456789012",
                  log_level: str | None = None) -> StateMachine:
        """Parse, validate and compile a definition (a dict, JSON text or a file path).

        Raises DefinitionError listing every problem found.
        """
        from ..asl.parse import compile_definition, load_definition, structure_problems
        from ..errors import DefinitionError, Problem
        raw, source = load_definition(definition)
        workflow_type = (workflow_type or STANDARD).upper() if isinstance(workflow_type, str) else STANDARD
        problems: list = []
        if validate:
            problems = _validate(raw if source is None else source, workflow_type)
        else:  # what the engine cannot run at all is still refused, with the fix
            found = structure_problems(raw) or _unrunnable(raw if source is None else source, workflow_type)
            if found:
                raise DefinitionError(found)
        try:
            compiled = compile_definition(raw)
        except DefinitionError:
            raise
        except Exception as exc:  # only reachable with validate=False: validation reports these first
            raise DefinitionError([Problem("", f"the definition cannot be compiled ({type(exc).__name__}: {exc})",
                                           hint="run stepfn_lab.validate(definition) to see every problem")]) \
                from None
        return cls(compiled, raw, name=name, workflow_type=workflow_type, region=region,
                   account=account, source=source, problems=problems, log_level=log_level)

    from_file = from_json

    # render(), _repr_mimebundle_ and __format__ come from stepfn_lab.views.display (the views layer)

    def __repr__(self) -> str:
        return (f"StateMachine(name={self.name!r}, type={self.workflow_type}, start_at={self.definition.start_at!r}, "
                f"states={len(self.definition.states)})")


def _check_json(value: Any, error: str, what: str) -> None:
    """AWS's APIs take JSON text: refuse what is not JSON (NaN, Infinity, other types) or is
    deeper than stepfn_lab handles, naming where it is."""
    from ..asl.source import json_problem, pointer
    found = json_problem(value)
    if found is not None:
        where, why = found
        raise ExecutionError(f"{error}: {what} is not JSON stepfn_lab can take: at {pointer(where)}, {why}")


def _validate(definition: Any, workflow_type: str) -> list:
    from ..errors import DefinitionError
    try:
        from ..asl.validate import validate
    except ImportError:
        return []
    from .tasks import served_locally
    problems = validate(definition, workflow_type=workflow_type, served=served_locally)
    if any(p.severity == "ERROR" for p in problems):
        raise DefinitionError(problems)
    return problems


# Design note: ``validate=False`` skips what AWS checks but the engine does not need (names, reachability,
# unknown fields, query-language rules, integrations). What no run can use is refused all the same, in the
# validator's own words (``asl.validate.unrunnable``): a field of the wrong JSON type, a number out of range,
# required fields missing or clashing. Without this, such a value reached the state's phase and ended in
# "Internal error" or a Python exception (found by the property suite and a field-by-value sweep).
def _unrunnable(definition: Any, workflow_type: str) -> list:
    try:
        from ..asl.validate import unrunnable, validate
    except ImportError:
        return []
    return unrunnable(validate(definition, workflow_type=workflow_type))


def _log_level(level: str | None) -> str | None:
    if level is None:
        return None
    from .logs import LEVELS
    if not isinstance(level, str) or level.upper() not in LEVELS:
        raise ExecutionError(f"log_level must be one of {', '.join(LEVELS)} (CloudWatch Logs levels), "
                             f"not {level!r}")
    return level.upper()
