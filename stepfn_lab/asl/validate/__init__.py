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

Design note: "not reachable" follows AWS, not graph theory: a state is
reported when no StartAt, Next, Default or Catch names it (two states that only
name each other are not reported), and not at all when the machine has no
terminal state (AWS then reports MISSING_END_STATE alone).
"""

from __future__ import annotations

import difflib
import json
import os
import re
from typing import Any, Callable

from ...errors import HTTP_ERROR, PREDEFINED_ERRORS, PathSyntaxError, Problem
from .. import source as _source
from ..paths import CONTEXT, compile_path, compile_reference_path

__all__ = ["validate", "format_problems", "to_aws_response", "STANDARD", "EXPRESS"]

STANDARD, EXPRESS = "STANDARD", "EXPRESS"
JSONPATH, JSONATA = "JSONPath", "JSONata"
ERROR, WARNING = "ERROR", "WARNING"

MAX_DEFINITION_LENGTH = 1_048_576  # characters (AWS: Definition max length)
MAX_NAME = 80  # state names and variable names
MAX_LABEL = 40
MAX_SECONDS = 99_999_999  # statelint: TimeoutSeconds, HeartbeatSeconds, IntervalSeconds, MaxAttempts
MAX_DELAY_SECONDS = 31_622_400
MAX_NESTING = 100  # nested machines (Parallel/Map) and nested Choice rules
MAX_HINT_CANDIDATES = 500

Path = tuple  # ("States", "A", "Choices", 0, "Next")

# ---------------------------------------------------------------------------------------
# The tables a reader scans: which fields each state type has, in which query language.
# ---------------------------------------------------------------------------------------

STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
_COMMON = ("Type", "Comment", "QueryLanguage")
_FLOW = ("Next", "End")
_IO = ("InputPath", "OutputPath", "Output")

STATE_FIELDS: dict[str, frozenset] = {
    "Pass": frozenset(_COMMON + _FLOW + _IO + ("Parameters", "ResultPath", "Result", "Assign")),
    "Task": frozenset(_COMMON + _FLOW + _IO + (
        "Resource", "Parameters", "Arguments", "ResultSelector", "ResultPath", "Assign", "Credentials",
        "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Retry", "Catch")),
    "Choice": frozenset(_COMMON + _IO + ("Choices", "Default", "Assign")),
    "Wait": frozenset(_COMMON + _FLOW + _IO + ("Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Assign")),
    "Succeed": frozenset(_COMMON + _IO),
    "Fail": frozenset(_COMMON + ("Error", "ErrorPath", "Cause", "CausePath")),
    "Parallel": frozenset(_COMMON + _FLOW + _IO + (
        "Branches", "Parameters", "Arguments", "ResultSelector", "ResultPath", "Assign", "Retry", "Catch")),
    "Map": frozenset(_COMMON + _FLOW + _IO + (
        "ItemProcessor", "Iterator", "ItemsPath", "Items", "ItemSelector", "Parameters", "ItemReader",
        "ItemBatcher", "ResultWriter", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath", "ToleratedFailureCount", "ToleratedFailureCountPath", "Label",
        "ResultSelector", "ResultPath", "Assign", "Retry", "Catch")),
}
ALL_STATE_FIELDS = frozenset().union(*STATE_FIELDS.values())

REQUIRED_FIELDS = {"Task": ("Resource",), "Choice": ("Choices",), "Parallel": ("Branches",)}

# Fields that only one query language knows; the other language's equivalent is the hint.
JSONPATH_ONLY = {
    "InputPath": "Arguments", "OutputPath": "Output", "Parameters": "Arguments", "ResultPath": "Output",
    "ResultSelector": "Output", "Result": "Output", "ItemsPath": "Items", "SecondsPath": "Seconds",
    "TimestampPath": "Timestamp", "TimeoutSecondsPath": "TimeoutSeconds",
    "HeartbeatSecondsPath": "HeartbeatSeconds", "ErrorPath": "Error", "CausePath": "Cause",
    "MaxConcurrencyPath": "MaxConcurrency", "ToleratedFailureCountPath": "ToleratedFailureCount",
    "ToleratedFailurePercentagePath": "ToleratedFailurePercentage", "MaxItemsPath": "MaxItems",
    "MaxItemsPerBatchPath": "MaxItemsPerBatch", "MaxInputBytesPerBatchPath": "MaxInputBytesPerBatch",
    "Variable": "Condition",
}
JSONATA_ONLY = {"Arguments": "Parameters", "Output": "OutputPath or ResultSelector", "Items": "ItemsPath",
                "Condition": "Variable with a comparison"}

# Pairs (or more) of which a state may have at most one.
EXCLUSIVE_FIELDS = {
    "Task": (("TimeoutSeconds", "TimeoutSecondsPath"), ("HeartbeatSeconds", "HeartbeatSecondsPath")),
    "Fail": (("Error", "ErrorPath"), ("Cause", "CausePath")),
    "Wait": (("Seconds", "SecondsPath", "Timestamp", "TimestampPath"),),
    "Map": (("ItemProcessor", "Iterator"), ("ItemSelector", "Parameters"), ("ItemsPath", "Items"),
            ("MaxConcurrency", "MaxConcurrencyPath"), ("ToleratedFailureCount", "ToleratedFailureCountPath"),
            ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath")),
}

MACHINE_FIELDS = frozenset(("StartAt", "States", "Comment", "Version", "TimeoutSeconds", "QueryLanguage"))
BRANCH_FIELDS = frozenset(("StartAt", "States", "Comment"))
PROCESSOR_FIELDS = frozenset(("StartAt", "States", "Comment", "ProcessorConfig"))

RETRIER_FIELDS = frozenset(("ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds",
                            "JitterStrategy", "Comment"))
CATCHER_FIELDS = frozenset(("ErrorEquals", "Next", "ResultPath", "Output", "Assign", "Comment"))

# Choice comparison operators and the kind of value each takes.
COMPARATORS: dict[str, str] = {"StringMatches": "string", "IsNull": "is", "IsPresent": "is",
                               "IsNumeric": "is", "IsString": "is", "IsBoolean": "is", "IsTimestamp": "is"}
for _op in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"):
    for _kind in ("String", "Numeric", "Timestamp"):
        COMPARATORS[_kind + _op] = _kind.lower()
        COMPARATORS[_kind + _op + "Path"] = "path"
COMPARATORS["BooleanEquals"] = "boolean"
COMPARATORS["BooleanEqualsPath"] = "path"
RULE_FIELDS_JSONPATH = frozenset(COMPARATORS) | {"And", "Or", "Not", "Variable", "Next", "Comment", "Assign"}
RULE_FIELDS_JSONATA = frozenset(("Condition", "Next", "Comment", "Assign", "Output"))

INTRINSIC_NAMES = (
    "States.Format", "States.StringToJson", "States.JsonToString", "States.Array", "States.ArrayPartition",
    "States.ArrayContains", "States.ArrayRange", "States.ArrayGetItem", "States.ArrayLength", "States.ArrayUnique",
    "States.Base64Encode", "States.Base64Decode", "States.Hash", "States.JsonMerge", "States.MathRandom",
    "States.MathAdd", "States.StringSplit", "States.UUID",
)

ENUMS = {
    "JitterStrategy": ("FULL", "NONE"),
    "Mode": ("INLINE", "DISTRIBUTED"),
    "ExecutionType": ("STANDARD", "EXPRESS"),
    "InputType": ("CSV", "JSON", "JSONL", "PARQUET", "MANIFEST"),
    "CSVHeaderLocation": ("FIRST_ROW", "GIVEN"),
    "CSVDelimiter": ("COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB"),
    "ManifestType": ("ATHENA_DATA", "S3_INVENTORY", "CSV"),
    "OutputType": ("JSON", "JSONL"),
    "WriterTransformation": ("NONE", "COMPACT", "FLATTEN"),  # AWS docs "ResultWriter (Map)"
    "ReaderTransformation": ("NONE", "LOAD_AND_FLATTEN"),  # AWS docs "ItemReader (Map)"
    "QueryLanguage": (JSONPATH, JSONATA),
}

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})\Z")
_ARN = re.compile(r"arn:[A-Za-z0-9-]+:[A-Za-z0-9-]+:[A-Za-z0-9-]*:(\d{12})?:\S+\Z")
_ACTIVITY = re.compile(r"arn:[^:]+:states:[^:]*:[^:]*:activity:")
_SYNC = re.compile(r"\.sync(:\d+)?\Z")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_LABEL_FORBIDDEN = re.compile("[\\s<>{}\\[\\]?*\"#%\\\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
_INTRINSIC_START = re.compile(r"States\.[A-Za-z0-9]+\s*\(")


def _type_name(value: Any) -> str:
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


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_expr(value: Any) -> bool:
    """A JSONata expression string: ``"{% ... %}"``."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}") and len(value) >= 4


def _did_you_mean(word: Any, candidates) -> str | None:
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
        out += f"[{part}]" if _is_int(part) else f"/{part}"
    return out or "/"


# ---------------------------------------------------------------------------------------
# Paths, intrinsic functions and JSONata expressions: syntax only, cached by text.
# ---------------------------------------------------------------------------------------

_SYNTAX_CACHE: dict[tuple[str, str], Any] = {}


def _cached(kind: str, text: str, check: Callable[[str], Any]) -> Any:
    key = (kind, text)
    if key not in _SYNTAX_CACHE:
        if len(_SYNTAX_CACHE) > 20_000:
            _SYNTAX_CACHE.clear()
        _SYNTAX_CACHE[key] = check(text)
    return _SYNTAX_CACHE[key]


def _path_reason(text: str) -> str | None:
    """Why ``text`` is not a JSONPath (``$``, ``$$`` or ``$variable`` root), or None."""
    try:
        compile_path(text)
    except PathSyntaxError as exc:
        return exc.reason
    except RecursionError:
        return "the path is nested too deeply"
    except Exception as exc:  # a path library's own failure is still a syntax problem for the user
        return f"{type(exc).__name__}: {exc}"
    return None


def _reference_reason(text: str, context: bool = False) -> str | None:
    """Why ``text`` is not a reference path (a single value: names and indices only)."""
    reason = _cached("path", text, _path_reason)
    if reason:
        return reason
    path = compile_path(text)
    if path.keys is None:
        return "a reference path names one value: names and indices only, no wildcards, filters, slices or '..'"
    if path.root == CONTEXT and not context:
        return "the context object ($$) cannot be used here"
    return None


def _result_path_reason(text: str) -> str | None:
    try:
        compile_reference_path(text)
    except PathSyntaxError as exc:
        return exc.reason
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _intrinsic_reason(text: str) -> str | None:
    """Why ``text`` is not a valid intrinsic function call (syntax, name, arity), or None."""
    try:
        from ..intrinsics import compile_intrinsic  # written alongside; optional here
    except Exception:  # without it, check the function name only
        name = text.split("(", 1)[0].strip()
        if name in INTRINSIC_NAMES:
            return None
        hint = _did_you_mean(name, INTRINSIC_NAMES)
        return f"unknown intrinsic function '{name}'" + (f"; {hint}" if hint else "")
    try:
        compile_intrinsic(text)
    except PathSyntaxError as exc:
        return exc.reason
    except RecursionError:
        return "intrinsic functions are nested too deeply"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _jsonata_reason(text: str, states_fields: tuple) -> tuple[str, str] | None:
    """``(code, message)`` when the ``{% %}`` string ``text`` does not parse (or reads what
    AWS refuses, such as a bare top-level name), else None."""
    try:
        from ..jsonata import diagnose  # written alongside; optional here
    except Exception:
        diagnose = None
    try:
        if diagnose is not None:
            return diagnose(text, states_fields)
        import jsonata  # the jsonata-python parser, when the project's wrapper is absent
        jsonata.Jsonata(text[2:-2].strip())
    except RecursionError:
        return "INVALID_JSONATA_EXPRESSION", "the expression is nested too deeply"
    except Exception as exc:
        return "INVALID_JSONATA_EXPRESSION", str(getattr(exc, "message", None) or exc)
    return None


def _states_fields(relative: Path, stype: str) -> tuple:
    """The ``$states`` fields a JSONata string may read, by where it sits in the state."""
    if relative[:1] == ("Catch",):
        return ("input", "context", "errorOutput")
    if relative[:1] in (("Output",), ("Assign",)) and stype in ("Task", "Parallel", "Map"):
        return ("input", "context", "result")
    return ("input", "context")


def _looks_dynamic(text: str) -> bool:
    """A literal string a learner probably meant as a path or an intrinsic call."""
    return text.startswith(("$.", "$$.", "$[")) or text in ("$", "$$") or bool(_INTRINSIC_START.match(text))


class _State:
    """What a field checker needs to know about the state it is in."""

    __slots__ = ("name", "type", "lang", "depth", "body", "at")

    def __init__(self, name: Any, type_: str, lang: str, depth: int, body: dict, at: Path):
        self.name, self.type, self.lang, self.depth, self.body, self.at = name, type_, lang, depth, body, at


# ---------------------------------------------------------------------------------------
# The checker: walks the definition once and records problems with where they are.
# ---------------------------------------------------------------------------------------

class _Validator:
    def __init__(self, workflow_type: str, served: Callable[[str], bool] | None = None):
        self.workflow_type = workflow_type
        self.served = served  # which integration resources run locally (None: not asked)
        self.found: list[tuple[Problem, Path, bool]] = []
        self.state_names: dict[Any, Path] = {}
        self.labels: dict[str, Path] = {}
        self.top_lang = JSONPATH
        self.dangling: list[tuple[Problem, str]] = []

    # -- recording -----------------------------------------------------------------------
    def report(self, code: str, at: Path, message: str, *, location: Path | None = None, key: bool = False,
               hint: str | None = None, severity: str = ERROR) -> Problem:
        where = "" if location == "" else render_location(at if location is None else location)
        problem = Problem(where, message, code, severity, hint=hint)
        self.found.append((problem, at, key))
        return problem

    def schema(self, at: Path, message: str, **kw: Any) -> Problem:
        return self.report("SCHEMA_VALIDATION_FAILED", at, message, **kw)

    def unsupported(self, at: Path, field: Any, allowed, hint: str | None = None) -> None:
        hint = hint or _did_you_mean(field, allowed)
        self.schema(at + (field,), f"Field '{field}' is not supported", location=at, key=True, hint=hint)

    def expect(self, value: Any, at: Path, *kinds: str) -> bool:
        """True when ``value`` has one of the JSON types ``kinds``; reports it otherwise."""
        actual = _type_name(value)
        if actual in kinds or (actual == "Integer" and "Number" in kinds):
            return True
        self.schema(at, f"Expected value of type: {' or '.join(kinds)}", hint=f"got {actual}: {_short(value)}")
        return False

    def integer(self, value: Any, at: Path, minimum: int, maximum: int | None, st: _State | None = None) -> None:
        if st is not None and st.lang == JSONATA and _is_expr(value):
            return
        if not _is_int(value):
            if _is_number(value) and float(value).is_integer():
                value = int(value)
            else:
                path_field = f"{at[-1]}Path" if at and isinstance(at[-1], str) else ""
                if isinstance(value, str) and value.startswith("$") and path_field in JSONPATH_ONLY:
                    self.schema(at, "Expected value of type: Integer", hint=f"did you mean '{path_field}'?")
                else:
                    self.expect(value, at, "Integer")
                return
        if value < minimum:
            self.schema(at, f"Minimum value is {minimum}", hint=f"got {value}")
        elif maximum is not None and value > maximum:
            self.schema(at, f"Maximum value is {maximum}", hint=f"got {value}")

    def number(self, value: Any, at: Path, minimum: float, maximum: float | None, st: _State | None = None) -> None:
        if st is not None and st.lang == JSONATA and _is_expr(value):
            return
        if not self.expect(value, at, "Number"):
            return
        if value < minimum:
            self.schema(at, f"Minimum value is {float(minimum)}", hint=f"got {value}")
        elif maximum is not None and value > maximum:
            self.schema(at, f"Maximum value is {float(maximum)}", hint=f"got {value}")

    def enum(self, value: Any, at: Path, name: str) -> None:
        allowed = ENUMS[name]
        if not isinstance(value, str) or value not in allowed:
            self.schema(at, f"Value is not one of the allowed values: [{', '.join(allowed)}]",
                        hint=_did_you_mean(value, allowed) or f"got {_short(value)}")

    def reference(self, value: Any, at: Path, context: bool = False) -> None:
        if not self.expect(value, at, "String"):
            return
        reason = _cached("ref+ctx" if context else "ref", value, lambda t: _reference_reason(t, context))
        if reason:
            self.schema(at, "Value is not a Reference Path", hint=reason)

    def path(self, value: Any, at: Path) -> None:
        if value is None or not self.expect(value, at, "String", "Null"):
            return
        reason = _cached("path", value, _path_reason)
        if reason:
            self.schema(at, "Value is not a valid JSONPath", hint=reason)

    # -- machines ------------------------------------------------------------------------
    def machine(self, m: Any, at: Path, depth: int, fields: frozenset) -> None:
        if not self.expect(m, at, "Object"):
            return
        if depth > MAX_NESTING:
            self.report("TOO_DEEPLY_NESTED", at, f"The definition nests more than {MAX_NESTING} Parallel/Map "
                                                 "states inside each other")
            return
        missing = [f for f in ("States", "StartAt") if f not in m]
        if missing:
            self.schema(at, f"These fields are required: [{', '.join(missing)}]")
        for key in m:
            if key not in fields:
                if key == "QueryLanguage" and at:
                    self.schema(at + (key,), "Field 'QueryLanguage' is not supported", location=at, key=True,
                                hint="a branch or item processor takes its query language from the top of "
                                     "the state machine; set QueryLanguage on each state instead")
                else:
                    self.unsupported(at, key, fields)
        if "Comment" in m:
            self.expect(m["Comment"], at + ("Comment",), "String")
        if "StartAt" in m:
            self.expect(m["StartAt"], at + ("StartAt",), "String")
        states = m.get("States")
        if "States" in m and self.expect(states, at + ("States",), "Object"):
            for name, body in states.items():
                self.state(name, body, at + ("States", name), depth)
            self.graph(m, states, at)
        if "ProcessorConfig" in m and "ProcessorConfig" in fields:
            self.processor_config(m["ProcessorConfig"], at + ("ProcessorConfig",))

    def processor_config(self, config: Any, at: Path) -> None:
        if not self.expect(config, at, "Object"):
            return
        for key, value in config.items():
            if key in ("Mode", "ExecutionType"):
                self.enum(value, at + (key,), key)
            else:
                self.unsupported(at, key, ("Mode", "ExecutionType"))
        if config.get("Mode") == "DISTRIBUTED" and "ExecutionType" not in config:
            self.schema(at, "These fields are required: [ExecutionType]",
                        hint="a DISTRIBUTED map runs child workflows: say STANDARD or EXPRESS")

    # -- the graph: targets exist, a terminal state exists, every state is reachable -----
    def graph(self, m: dict, states: dict, at: Path) -> None:
        names = [n for n in states if isinstance(n, str)]
        start = m.get("StartAt")
        if isinstance(start, str) and start not in states:
            self.missing_target(start, at + ("StartAt",), names)
        edges: dict[Any, list[str]] = {}
        for name, body in states.items():
            edges[name] = []
            for target, rel in _transitions(body):
                if target in states:
                    edges[name].append(target)
                else:
                    self.missing_target(target, at + ("States", name) + rel, names)
        bodies = states.values()
        if not any(_is_terminal(body) for body in bodies):
            if all(isinstance(b, dict) and b.get("Type") in STATE_TYPES for b in bodies):  # no cascades
                hint = None if not at else f"no state of the machine at {render_location(at)} ends it"
                self.report("MISSING_END_STATE", at, "Workflow has no terminal state", location="",
                            hint=hint or "give a state \"End\": true, or add a Succeed or Fail state")
            return
        if not isinstance(start, str):
            return  # already reported: StartAt is missing or not a string
        # Like AWS: a state is unreachable when no StartAt, Next, Default or Catch names it.
        named = {start}
        for targets in edges.values():
            named.update(targets)
        for name in states:
            if name not in named:
                self.report("MISSING_TRANSITION_TARGET", at + ("States", name), f'State "{name}" is not reachable.',
                            key=True, hint="no StartAt, Next, Default or Catch names this state")

    def missing_target(self, target: str, at: Path, names: list) -> None:
        problem = self.report("MISSING_TRANSITION_TARGET", at, f"Missing 'Next' target: {target}",
                              hint=_did_you_mean(target, names))
        if problem.hint is None:
            self.dangling.append((problem, target))

    # -- states ----------------------------------------------------------------------------
    def state_name(self, name: Any, at: Path) -> None:
        if not isinstance(name, str):
            self.report("INVALID_STATE_NAME", at, f"Invalid State name: State names must be strings, "
                                                  f"not {_type_name(name)}", key=True)
            return
        if not name:
            self.report("INVALID_STATE_NAME", at, "Invalid State name: State '' must have a name", key=True)
        elif len(name) > MAX_NAME:
            self.report("INVALID_STATE_NAME", at, f"Invalid State name: State '{name}' exceeds the "
                                                  f"{MAX_NAME}-character limit allowed by the service", key=True)
        elif _CONTROL.search(name):
            self.report("INVALID_STATE_NAME", at, f"Invalid State name: State {name!r} contains a control "
                                                  "character", key=True)
        first = self.state_names.get(name)
        if first is None:
            self.state_names[name] = at
        else:
            self.report("DUPLICATE_STATE_NAME", at, f"Duplicate State name: {name}", key=True,
                        hint=f"state names must be unique in the whole state machine, branches and "
                             f"item processors included; it is also defined at {render_location(first)}")

    def state(self, name: Any, body: Any, at: Path, depth: int) -> None:
        self.state_name(name, at)
        if not self.expect(body, at, "Object"):
            return
        stype = body.get("Type")
        if "Type" not in body:
            self.schema(at, "These fields are required: [Type]")
            return
        if not isinstance(stype, str) or stype not in STATE_TYPES:
            self.schema(at + ("Type",), f"Value is not one of the allowed values: [{', '.join(STATE_TYPES)}]",
                        hint=_did_you_mean(stype, STATE_TYPES) or f"got {_short(stype)}")
            return
        st = _State(name, stype, self.state_language(body, at), depth, body, at)
        allowed = STATE_FIELDS[stype]
        checks = []
        for key in body:
            if key not in allowed:
                self.unsupported(at, key, allowed, _other_type_hint(key, stype))
            elif not self.language_allows(key, st.lang, at):
                continue
            elif key in _FIELD_CHECKS:
                checks.append(key)
        for fields in (REQUIRED_FIELDS.get(stype, ())):
            if fields not in body:
                self.schema(at, f"These fields are required: [{fields}]")
        for group in EXCLUSIVE_FIELDS.get(stype, ()):
            present = [f for f in group if f in body]
            if len(present) > 1:
                self.schema(at, f"There should only be one of the following fields: [{', '.join(present)}]")
        self.transition_fields(body, at, stype)
        for key in checks:
            _FIELD_CHECKS[key](self, body[key], at + (key,), st)
        extra = _TYPE_CHECKS.get(stype)
        if extra:
            extra(self, body, at, st)
        if st.lang == JSONATA:
            self.jsonata_strings(body, at, stype)

    def state_language(self, body: dict, at: Path) -> str:
        if "QueryLanguage" not in body:
            return self.top_lang
        value = body["QueryLanguage"]
        self.enum(value, at + ("QueryLanguage",), "QueryLanguage")
        if value == JSONPATH and self.top_lang == JSONATA:
            self.schema(at, "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
                        hint="a JSONata state machine cannot hold JSONPath states; remove this QueryLanguage")
            return JSONATA
        return JSONPATH if value == JSONPATH else JSONATA

    def language_allows(self, key: str, lang: str, at: Path) -> bool:
        """False (and reported) when ``key`` belongs to the other query language."""
        if (lang == JSONPATH and key in JSONATA_ONLY) or (lang == JSONATA and key in JSONPATH_ONLY):
            self.wrong_language(at, key, lang)
            return False
        return True

    def wrong_language(self, at: Path, key: str, lang: str) -> None:
        other = JSONATA if lang == JSONPATH else JSONPATH
        if lang == JSONPATH:
            hint = (f"in JSONPath use {JSONATA_ONLY.get(key, 'the JSONPath fields')}, "
                    "or set \"QueryLanguage\": \"JSONata\"")
        else:
            hint = f"in JSONata use {JSONPATH_ONLY.get(key, 'a Condition')}"
        self.schema(at + (key,), f"The QueryLanguage is set to '{lang}', but field '{key}' is only supported for "
                                 f"the '{other}' QueryLanguage", location=at, key=True, hint=hint)

    def transition_fields(self, body: dict, at: Path, stype: str) -> None:
        if stype in ("Choice", "Succeed", "Fail"):
            return
        has_next, end = "Next" in body, body.get("End")
        if has_next and "End" in body:
            self.schema(at, "There should only be one of the following fields: [Next, End]",
                        hint="a state either goes to \"Next\" or ends the workflow with \"End\": true")
        elif not has_next and end is not True:
            if "End" in body and _is_bool(end):
                self.schema(at + ("End",), "Value must be true when 'Next' is absent",
                            hint="set \"End\": true, or give the state a \"Next\"")
            elif "End" not in body:
                self.schema(at, "One of these fields is required: [Next, End]",
                            hint="add \"Next\": \"<state name>\" or \"End\": true")

    # -- JSONata strings anywhere in a JSONata state -------------------------------------
    def jsonata_strings(self, body: dict, at: Path, stype: str) -> None:
        stack = [(v, at + (k,)) for k, v in reversed(list(body.items()))
                 if k not in ("Comment", "Branches", "ItemProcessor", "Iterator", "Type", "Next", "Default")]
        while stack:
            node, where = stack.pop()
            if isinstance(node, str):
                if _is_expr(node):
                    fields = _states_fields(where[len(at):], stype)
                    found = _cached("jsonata:" + ",".join(fields), node, lambda t: _jsonata_reason(t, fields))
                    if found:
                        self.report(found[0], where, found[1], hint=f"in {_short(node, 80)}")
            elif isinstance(node, dict):
                stack.extend((v, where + (k,)) for k, v in reversed(list(node.items())) if k != "Comment")
            elif isinstance(node, list):
                stack.extend((v, where + (i,)) for i, v in reversed(list(enumerate(node))))

    # -- payload templates: Parameters, ResultSelector, ItemSelector, Assign, Credentials ---
    def payload(self, value: Any, at: Path) -> None:
        stack = [(value, at)]
        while stack:
            node, where = stack.pop()
            if isinstance(node, dict):
                children = []
                for key, child in node.items():
                    if not isinstance(key, str):
                        self.expect(key, where + (key,), "String")
                        continue
                    if key.endswith(".$") and len(key) > 2:
                        if key[:-2] in node:
                            self.schema(where + (key,), f"A duplicate field will exist after renaming to strip "
                                                        f"the '.$' suffix from: {key}", key=True,
                                        hint=f"both '{key[:-2]}' and '{key}' are present")
                        self.dynamic(child, where + (key,), key)
                    else:
                        if isinstance(child, str) and _looks_dynamic(child):
                            self.report("NO_DOLLAR", where + (key,), f"No '.$' on field '{key}', whose value "
                                        "looks like a JSONPath or an intrinsic function: it is used as plain text",
                                        severity=WARNING, key=True, hint=f"did you mean '{key}.$'?")
                        children.append((child, where + (key,)))
                stack.extend(reversed(children))
            elif isinstance(node, list):
                stack.extend((v, where + (i,)) for i, v in reversed(list(enumerate(node))))

    def dynamic(self, value: Any, at: Path, key: str) -> None:
        """The value of a ``.$`` field: a path or an intrinsic function call."""
        message = f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call"
        if not isinstance(value, str):
            self.schema(at, message, hint=f"got {_type_name(value)}: {_short(value)}")
            return
        if value.startswith("States."):
            reason = _cached("intrinsic", value, _intrinsic_reason)
        elif value.startswith("$"):
            reason = _cached("path", value, _path_reason)
        else:
            reason = "a path starts with '$' and an intrinsic function with 'States.'"
        if reason:
            self.schema(at, message, hint=reason)

    # -- Retry and Catch ---------------------------------------------------------------------
    def error_equals(self, value: Any, at: Path) -> None:
        if not self.expect(value, at, "Array"):
            return
        if not value:
            self.schema(at, "Minimum number of items is 1", hint="list at least one error name, e.g. States.ALL")
        for i, name in enumerate(value):
            if not self.expect(name, at + (i,), "String"):
                continue
            if name.startswith("States.") and name not in PREDEFINED_ERRORS and not HTTP_ERROR.fullmatch(name):
                # Design note: AWS deploys definitions whose ErrorEquals names a States.* error it never
                # raises (AWS sample workflows do; what AWS's validator says of one is not established),
                # so the kit warns instead of refusing: such a retrier or catcher never matches.
                self.report("SCHEMA_VALIDATION_FAILED", at + (i,), f"'{name}' is not a predefined error name: "
                            "no error is ever called that, so this never matches", severity=WARNING,
                            hint=_did_you_mean(name, PREDEFINED_ERRORS)
                            or "error names that start with 'States.' are reserved for the predefined errors")

    def states_all_last(self, items: list, at: Path, what: str) -> None:
        for i, item in enumerate(items):
            names = item.get("ErrorEquals") if isinstance(item, dict) else None
            if not isinstance(names, list) or "States.ALL" not in names:
                continue
            if len(names) != 1:
                self.schema(at + (i, "ErrorEquals"), "'States.ALL' must appear alone in ErrorEquals",
                            hint="States.ALL already matches every other error name")
            if i != len(items) - 1:
                self.schema(at + (i,), f"The {what} that matches 'States.ALL' must be the last one",
                            hint=f"the {what}s after it could never be used")

    def retrier(self, r: dict, at: Path) -> None:
        for key in r:
            if key not in RETRIER_FIELDS:
                self.unsupported(at, key, RETRIER_FIELDS)
        if "ErrorEquals" not in r:
            self.schema(at, "These fields are required: [ErrorEquals]")
        else:
            self.error_equals(r["ErrorEquals"], at + ("ErrorEquals",))
        if "IntervalSeconds" in r:
            self.integer(r["IntervalSeconds"], at + ("IntervalSeconds",), 1, MAX_SECONDS)
        if "MaxAttempts" in r:
            self.integer(r["MaxAttempts"], at + ("MaxAttempts",), 0, MAX_SECONDS)
        if "BackoffRate" in r:
            self.number(r["BackoffRate"], at + ("BackoffRate",), 1.0, None)
        if "MaxDelaySeconds" in r:
            self.integer(r["MaxDelaySeconds"], at + ("MaxDelaySeconds",), 1, MAX_DELAY_SECONDS)
        if "JitterStrategy" in r:
            self.enum(r["JitterStrategy"], at + ("JitterStrategy",), "JitterStrategy")
        if "Comment" in r:
            self.expect(r["Comment"], at + ("Comment",), "String")

    def catcher(self, c: dict, at: Path, st: _State) -> None:
        for key in c:
            if key not in CATCHER_FIELDS:
                self.unsupported(at, key, CATCHER_FIELDS)
        missing = [f for f in ("ErrorEquals", "Next") if f not in c]
        if missing:
            self.schema(at, f"These fields are required: [{', '.join(missing)}]")
        if "ErrorEquals" in c:
            self.error_equals(c["ErrorEquals"], at + ("ErrorEquals",))
        if "Next" in c:
            self.expect(c["Next"], at + ("Next",), "String")
        if "ResultPath" in c and self.language_allows("ResultPath", st.lang, at):
            result_path(self, c["ResultPath"], at + ("ResultPath",), st)
        if "Output" in c:
            self.language_allows("Output", st.lang, at)
        if "Assign" in c:
            assign(self, c["Assign"], at + ("Assign",), st)
        if "Comment" in c:
            self.expect(c["Comment"], at + ("Comment",), "String")

    # -- Choice rules ------------------------------------------------------------------------
    def rule(self, rule: Any, at: Path, st: _State, top: bool, depth: int) -> None:
        if not self.expect(rule, at, "Object"):
            return
        if depth > MAX_NESTING:
            self.report("TOO_DEEPLY_NESTED", at, f"Choice rules are nested more than {MAX_NESTING} levels deep")
            return
        allowed = RULE_FIELDS_JSONATA if st.lang == JSONATA else RULE_FIELDS_JSONPATH
        for key in rule:
            if key == "Next" and not top:
                self.schema(at + (key,), "Field 'Next' is not supported", location=at, key=True,
                            hint="only the top-level rules of Choices have a Next; nested rules just compare")
            elif key in ("Assign", "Output") and not top:
                self.unsupported(at, key, allowed)
            elif key not in allowed:
                other = RULE_FIELDS_JSONPATH if st.lang == JSONATA else RULE_FIELDS_JSONATA
                if key in other:
                    self.wrong_language(at, key, st.lang)
                else:
                    self.unsupported(at, key, allowed)
        if top:
            if "Next" not in rule:
                self.schema(at, "These fields are required: [Next]")
            else:
                self.expect(rule["Next"], at + ("Next",), "String")
            if "Assign" in rule:
                assign(self, rule["Assign"], at + ("Assign",), st)
        if st.lang == JSONATA:
            if "Condition" not in rule:
                self.schema(at, "These fields are required: [Condition]")
            elif not (_is_bool(rule["Condition"]) or _is_expr(rule["Condition"])):
                self.schema(at + ("Condition",), "Value must be a boolean or a JSONata expression",
                            hint="write the test as \"{% ... %}\"")
            return
        self.jsonpath_rule(rule, at, st, depth)

    def jsonpath_rule(self, rule: dict, at: Path, st: _State, depth: int) -> None:
        operators = [k for k in rule if k in ("And", "Or", "Not") or k in COMPARATORS]
        if not operators:
            self.schema(at, "A Choice rule must have exactly one comparison operator or one of [And, Or, Not]",
                        hint=_did_you_mean(next((k for k in rule if k not in RULE_FIELDS_JSONPATH), None),
                                           COMPARATORS) or "for example \"StringEquals\": \"...\"")
            return
        if len(operators) > 1:
            self.schema(at, f"There should only be one of the following fields: [{', '.join(operators)}]",
                        hint="combine several tests with And / Or")
        op = operators[0]
        if op in ("And", "Or"):
            if "Variable" in rule:
                self.unsupported(at, "Variable", ())
            items = rule[op]
            if self.expect(items, at + (op,), "Array"):
                if not items:
                    self.schema(at + (op,), "Minimum number of items is 1")
                for i, sub in enumerate(items):
                    self.rule(sub, at + (op, i), st, False, depth + 1)
            return
        if op == "Not":
            if "Variable" in rule:
                self.unsupported(at, "Variable", ())
            self.rule(rule["Not"], at + ("Not",), st, False, depth + 1)
            return
        if "Variable" not in rule:
            self.schema(at, "These fields are required: [Variable]")
        elif self.expect(rule["Variable"], at + ("Variable",), "String"):
            self.path(rule["Variable"], at + ("Variable",))
        self.comparison(op, rule[op], at + (op,))

    def comparison(self, op: str, value: Any, at: Path) -> None:
        kind = COMPARATORS[op]
        if kind == "string" and self.expect(value, at, "String"):
            return
        if kind == "numeric":
            self.expect(value, at, "Number")
        elif kind in ("boolean", "is"):
            self.expect(value, at, "Boolean")
        elif kind == "timestamp":
            if self.expect(value, at, "String") and not _TIMESTAMP.match(value):
                self.schema(at, "Value is not a valid timestamp", hint="use RFC 3339, e.g. 2024-01-31T09:00:00Z")
        elif kind == "path" and self.expect(value, at, "String"):
            reason = _cached("ref+ctx", value, lambda t: _reference_reason(t, True))
            if reason:
                self.schema(at, "Value is not a Reference Path", hint=reason)

    # -- put positions on the problems -----------------------------------------------------
    def finish(self, src: _source.Source | None) -> list[Problem]:
        for problem, target in self.dangling:
            elsewhere = self.state_names.get(target)
            if elsewhere is not None:
                problem.hint = (f"'{target}' is defined at {render_location(elsewhere)}, in another States "
                                "object; a state can only go to states of its own machine, branch or processor")
        problems = []
        for problem, at, key in self.found:
            if src is not None and problem.line is None:
                where = src.locate(at, key)
                if where is not None:
                    problem.line, problem.column = where
                    problem.excerpt = src.excerpt(*where)
            problems.append(problem)
        return problems


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _short(value: Any, limit: int = 60) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=repr)
    except (ValueError, RecursionError):
        text = type(value).__name__
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _other_type_hint(field: Any, stype: str) -> str | None:
    owners = [t for t in STATE_TYPES if field in STATE_FIELDS[t]]
    if owners and isinstance(field, str):
        return f"'{field}' is a field of {', '.join(owners)} states, not of {stype} states"
    return _did_you_mean(field, STATE_FIELDS[stype])


def _transitions(body: Any):
    """``(target, relative_path)`` for every transition a state makes."""
    if not isinstance(body, dict):
        return
    if isinstance(body.get("Next"), str):
        yield body["Next"], ("Next",)
    if isinstance(body.get("Default"), str):
        yield body["Default"], ("Default",)
    for field in ("Choices", "Catch"):
        items = body.get(field)
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict) and isinstance(item.get("Next"), str):
                    yield item["Next"], (field, i, "Next")


def _is_terminal(body: Any) -> bool:
    return isinstance(body, dict) and (body.get("Type") in ("Succeed", "Fail") or body.get("End") is True)


# ---------------------------------------------------------------------------------------
# One checker per field (the dispatch table is _FIELD_CHECKS below).
# ---------------------------------------------------------------------------------------

def string(v: _Validator, value: Any, at: Path, st: _State) -> None:
    v.expect(value, at, "String")


def boolean(v: _Validator, value: Any, at: Path, st: _State) -> None:
    v.expect(value, at, "Boolean")


def json_path(v: _Validator, value: Any, at: Path, st: _State) -> None:
    v.path(value, at)


def result_path(v: _Validator, value: Any, at: Path, st: _State) -> None:
    if value is None or not v.expect(value, at, "String", "Null"):
        return
    reason = _cached("resultpath", value, _result_path_reason)
    if reason:
        v.schema(at, "Value is not a Reference Path", hint=reason)


def reference(v: _Validator, value: Any, at: Path, st: _State) -> None:
    v.reference(value, at)


def items_path(v: _Validator, value: Any, at: Path, st: _State) -> None:
    v.reference(value, at, context=True)


def payload(v: _Validator, value: Any, at: Path, st: _State) -> None:
    if st.lang == JSONPATH:  # in JSONata, '.$' keys mean nothing special
        v.payload(value, at)


def jsonata_template(v: _Validator, value: Any, at: Path, st: _State) -> None:
    pass  # any JSON; its {% %} strings are checked by _Validator.jsonata_strings


def assign(v: _Validator, value: Any, at: Path, st: _State) -> None:
    if not v.expect(value, at, "Object"):
        return
    for key in value:
        name = key[:-2] if isinstance(key, str) and key.endswith(".$") and st.lang == JSONPATH else key
        if not isinstance(name, str) or not name.isidentifier():
            v.schema(at + (key,), f"Invalid variable name: {_short(name)}", key=True,
                     hint="a variable name starts with a letter or '_' and holds letters, digits and '_'")
        elif len(name) > MAX_NAME:
            v.schema(at + (key,), f"Invalid variable name: '{name}' exceeds the {MAX_NAME}-character limit",
                     key=True)
        elif name == "states":
            v.schema(at + (key,), "Invalid variable name: 'states' is reserved", key=True,
                     hint="$states holds the input, result and context of the state")
    if st.lang == JSONPATH:
        v.payload(value, at)


def result(v: _Validator, value: Any, at: Path, st: _State) -> None:
    stack = [(value, at)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            for key, child in node.items():
                if isinstance(key, str) and key.endswith(".$"):
                    v.report("PASS_RESULT_IS_STATIC", where + (key,), f"The Result of a Pass state is static: "
                             f"field '{key}' is not evaluated as a path", severity=WARNING, key=True,
                             hint="use \"Parameters\" to build the output from the input")
                stack.append((child, where + (key,)))
        elif isinstance(node, list):
            stack.extend((child, where + (i,)) for i, child in enumerate(node))


def resource(v: _Validator, value: Any, at: Path, st: _State) -> None:
    if not v.expect(value, at, "String"):
        return
    if not value.startswith("arn:"):
        if value.strip() and not _CONTROL.search(value):
            # A local convenience: a bare name runs the handler of that name from lambdas={...}. AWS
            # refuses the definition; to_aws_response() reports it as AWS does (_as_aws_says).
            v.report("INVALID_RESOURCE", at, f"Resource '{value}' is not an ARN: stepfn_lab runs it as the local "
                     f"task '{value}' (lambdas={{'{value}': handler}}); AWS refuses it: "
                     f"{NOT_AN_ARN}", severity=WARNING,
                     hint="on AWS use an ARN such as arn:aws:states:::lambda:invoke")
        else:
            v.report("INVALID_RESOURCE", at, f"Resource {value!r} is not a valid resource",
                     hint="use an ARN such as arn:aws:states:::lambda:invoke")
        return
    if not _ARN.match(value):
        v.report("INVALID_RESOURCE", at, f"Resource '{value}' is not a valid ARN",
                 hint="the form is arn:partition:service:region:account:resource")
        return
    if v.workflow_type == EXPRESS:
        if _ACTIVITY.match(value):
            v.schema(at, "Express state machine does not support Activity ARN",
                     hint="activities need a STANDARD workflow")
        elif value.endswith(".waitForTaskToken"):
            v.schema(at, "Express state machine does not support '.waitForTaskToken' service integration ",
                     hint="callbacks need a STANDARD workflow")
        elif _SYNC.search(value):
            v.schema(at, "Express state machine does not support '.sync' service integration ",
                     hint="'.sync' (run a job) needs a STANDARD workflow")


def timeout(v: _Validator, value: Any, at: Path, st: _State) -> None:
    v.integer(value, at, 1, MAX_SECONDS, st)


def seconds(v: _Validator, value: Any, at: Path, st: _State) -> None:
    v.integer(value, at, 0, MAX_SECONDS, st)


def count(v: _Validator, value: Any, at: Path, st: _State) -> None:
    v.integer(value, at, 0, None, st)


def percentage(v: _Validator, value: Any, at: Path, st: _State) -> None:
    v.number(value, at, 0.0, 100.0, st)


def timestamp(v: _Validator, value: Any, at: Path, st: _State) -> None:
    if st.lang == JSONATA and _is_expr(value):
        return
    if v.expect(value, at, "String") and not _TIMESTAMP.match(value):
        hint = "did you mean 'TimestampPath'?" if value.startswith("$") else "use RFC 3339, e.g. 2024-01-31T09:00:00Z"
        v.schema(at, "Value is not a valid timestamp", hint=hint)


def error_or_cause(v: _Validator, value: Any, at: Path, st: _State) -> None:
    if not v.expect(value, at, "String"):
        return
    if st.lang == JSONPATH and value.startswith(("$.", "$$.")):
        v.report("NO_PATH", at, "Field value looks like a path, but field name does not end with 'Path'",
                 severity=WARNING, hint=f"did you mean '{at[-1]}Path'?")


def error_or_cause_path(v: _Validator, value: Any, at: Path, st: _State) -> None:
    if isinstance(value, str) and value.startswith("States."):
        reason = _cached("intrinsic", value, _intrinsic_reason)
        if reason:
            v.schema(at, "Value is not a valid intrinsic function call", hint=reason)
    else:
        v.reference(value, at, context=True)


def retry(v: _Validator, value: Any, at: Path, st: _State) -> None:
    if not v.expect(value, at, "Array"):
        return
    for i, r in enumerate(value):
        if v.expect(r, at + (i,), "Object"):
            v.retrier(r, at + (i,))
    v.states_all_last(value, at, "retrier")


def catch(v: _Validator, value: Any, at: Path, st: _State) -> None:
    if not v.expect(value, at, "Array"):
        return
    for i, c in enumerate(value):
        if v.expect(c, at + (i,), "Object"):
            v.catcher(c, at + (i,), st)
    v.states_all_last(value, at, "catcher")


def choices(v: _Validator, value: Any, at: Path, st: _State) -> None:
    if not v.expect(value, at, "Array"):
        return
    if not value:
        v.schema(at, "Minimum number of items is 1", hint="a Choice state needs at least one rule")
    for i, rule in enumerate(value):
        v.rule(rule, at + (i,), st, True, 1)


def branches(v: _Validator, value: Any, at: Path, st: _State) -> None:
    if not v.expect(value, at, "Array"):
        return
    if not value:
        v.schema(at, "Minimum number of items is 1", hint="a Parallel state needs at least one branch")
    for i, branch in enumerate(value):
        v.machine(branch, at + (i,), st.depth + 1, BRANCH_FIELDS)


def processor(v: _Validator, value: Any, at: Path, st: _State) -> None:
    v.machine(value, at, st.depth + 1, PROCESSOR_FIELDS)


def items(v: _Validator, value: Any, at: Path, st: _State) -> None:
    if not _is_expr(value):
        v.expect(value, at, "Array")


def credentials(v: _Validator, value: Any, at: Path, st: _State) -> None:
    if not v.expect(value, at, "Object"):
        return
    # AWS docs "Credentials" (state-task.html): the role to assume is RoleArn (or RoleArn.$ in JSONPath)
    role_fields = ("RoleArn", "RoleArn.$") if st.lang == JSONPATH else ("RoleArn",)
    if not any(k in value for k in role_fields):
        v.schema(at, "These fields are required: [RoleArn]",
                 hint="name the IAM role to assume, e.g. \"RoleArn\": \"arn:aws:iam::123456789012:role/Target\"")
    for key in value:
        if key not in role_fields:
            v.unsupported(at, key, role_fields)
    if st.lang == JSONPATH:
        v.payload(value, at)


def label(v: _Validator, value: Any, at: Path, st: _State) -> None:
    if not v.expect(value, at, "String"):
        return
    if len(value) > MAX_LABEL:
        v.report("INVALID_LABEL_NAME", at, f"Invalid Label name: Label '{value}' exceeds the {MAX_LABEL}-character "
                 "limit allowed by the service")
    elif not value or _LABEL_FORBIDDEN.search(value):
        v.report("INVALID_LABEL_NAME", at, f"Invalid Label name: Label {value!r} contains invalid characters",
                 hint="no whitespace, brackets, wildcards or punctuation such as \" # % \\ ^ | ~ ` $ & , ; : /")
    first = v.labels.get(value)
    if first is None:
        v.labels[value] = at
    else:
        v.report("DUPLICATE_LABEL_NAME", at, f"Duplicate Label name: {value}",
                 hint=f"labels must be unique in the state machine; also used at {render_location(first)}")


def _sub_object(v: _Validator, value: Any, at: Path, st: _State, fields: dict[str, Callable]) -> bool:
    """Check an object whose fields each have a checker (ItemReader, ItemBatcher, ...)."""
    if not v.expect(value, at, "Object"):
        return False
    for key, child in value.items():
        check = fields.get(key)
        if check is None:
            v.unsupported(at, key, fields)
        elif v.language_allows(key, st.lang, at):
            check(v, child, at + (key,), st)
    for group in _SUB_EXCLUSIVE:
        present = [f for f in group if f in value]
        if len(present) > 1:
            v.schema(at, f"There should only be one of the following fields: [{', '.join(present)}]")
    return True


def _enum_field(name: str) -> Callable:
    return lambda v, value, at, st: v.enum(value, at, name)


def _string_array(v: _Validator, value: Any, at: Path, st: _State) -> None:
    if v.expect(value, at, "Array"):
        for i, item in enumerate(value):
            v.expect(item, at + (i,), "String")


def _max_items(v: _Validator, value: Any, at: Path, st: _State) -> None:
    v.integer(value, at, 0, 100_000_000, st)


def _max_bytes(v: _Validator, value: Any, at: Path, st: _State) -> None:
    v.integer(value, at, 0, 262_144, st)


_READER_CONFIG = {"InputType": _enum_field("InputType"), "CSVHeaderLocation": _enum_field("CSVHeaderLocation"),
                  "CSVHeaders": _string_array, "CSVDelimiter": _enum_field("CSVDelimiter"),
                  "ManifestType": _enum_field("ManifestType"), "Transformation": _enum_field("ReaderTransformation"),
                  "ItemsPointer": string,
                  "MaxItems": _max_items, "MaxItemsPath": reference}
_WRITER_CONFIG = {"OutputType": _enum_field("OutputType"), "Transformation": _enum_field("WriterTransformation")}
_SUB_EXCLUSIVE = (("MaxItems", "MaxItemsPath"), ("MaxItemsPerBatch", "MaxItemsPerBatchPath"),
                  ("MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"), ("Parameters", "Arguments"))


def reader_config(v: _Validator, value: Any, at: Path, st: _State) -> None:
    if _sub_object(v, value, at, st, _READER_CONFIG):
        if value.get("CSVHeaderLocation") == "GIVEN" and "CSVHeaders" not in value:
            v.schema(at, "These fields are required: [CSVHeaders]",
                     hint="with CSVHeaderLocation GIVEN, list the column names in CSVHeaders")


def item_reader(v: _Validator, value: Any, at: Path, st: _State) -> None:
    if _sub_object(v, value, at, st, {"Resource": string, "Parameters": payload, "Arguments": jsonata_template,
                                      "ReaderConfig": reader_config}) and "Resource" not in value:
        v.schema(at, "These fields are required: [Resource]")


def item_batcher(v: _Validator, value: Any, at: Path, st: _State) -> None:
    fields = {"MaxItemsPerBatch": count, "MaxItemsPerBatchPath": reference, "MaxInputBytesPerBatch": _max_bytes,
              "MaxInputBytesPerBatchPath": reference, "BatchInput": jsonata_template}
    if _sub_object(v, value, at, st, fields) and not any(k in value for k in fields if k != "BatchInput"):
        v.schema(at, "One of these fields is required: [MaxItemsPerBatch, MaxInputBytesPerBatch]")


def result_writer(v: _Validator, value: Any, at: Path, st: _State) -> None:
    if not _sub_object(v, value, at, st, {"Resource": string, "Parameters": payload, "Arguments": jsonata_template,
                                          "WriterConfig": lambda v2, val, at2, st2: _sub_object(v2, val, at2, st2,
                                                                                                _WRITER_CONFIG)}):
        return
    # AWS docs "ResultWriter (Map)": WriterConfig alone, Resource with its Parameters/Arguments, or all three
    arguments = "Arguments" if st.lang == JSONATA else "Parameters"
    if "Resource" not in value and "WriterConfig" not in value:
        v.schema(at, "One of these fields is required: [WriterConfig, Resource]",
                 hint="the ResultWriter field cannot be empty")
    elif "Resource" in value and arguments not in value:
        v.schema(at, f"These fields are required: [{arguments}]",
                 hint=f"name the S3 bucket (and prefix) to write to: \"{arguments}\": {{\"Bucket\": \"...\"}}")


_FIELD_CHECKS: dict[str, Callable[[_Validator, Any, Path, _State], None]] = {
    "Comment": string, "Next": string, "Default": string, "End": boolean,
    "InputPath": json_path, "OutputPath": json_path, "ResultPath": result_path,
    "Parameters": payload, "ResultSelector": payload, "ItemSelector": payload, "Credentials": credentials,
    "Arguments": jsonata_template, "Output": jsonata_template, "Assign": assign, "Result": result,
    "Resource": resource, "Retry": retry, "Catch": catch,
    "TimeoutSeconds": timeout, "HeartbeatSeconds": timeout,
    "TimeoutSecondsPath": reference, "HeartbeatSecondsPath": reference,
    "Choices": choices,
    "Seconds": seconds, "SecondsPath": reference, "Timestamp": timestamp, "TimestampPath": reference,
    "Error": error_or_cause, "Cause": error_or_cause, "ErrorPath": error_or_cause_path,
    "CausePath": error_or_cause_path,
    "Branches": branches, "ItemProcessor": processor, "Iterator": processor,
    "ItemsPath": items_path, "Items": items, "MaxConcurrency": count, "MaxConcurrencyPath": reference,
    "ToleratedFailurePercentage": percentage, "ToleratedFailurePercentagePath": reference,
    "ToleratedFailureCount": count, "ToleratedFailureCountPath": reference,
    "ItemReader": item_reader, "ItemBatcher": item_batcher, "ResultWriter": result_writer, "Label": label,
}


# ---------------------------------------------------------------------------------------
# Rules that look at several fields of one state type.
# ---------------------------------------------------------------------------------------

def _task_rules(v: _Validator, body: dict, at: Path, st: _State) -> None:
    from ..task_resources import check_task  # integrations and AWS's API models, read only when named
    for code, where, message, hint, severity in check_task(body.get("Resource"), body, st.lang, v.served):
        v.report(code, at + (where,), message, hint=hint, severity=severity)
    heartbeat, timeout_ = body.get("HeartbeatSeconds"), body.get("TimeoutSeconds")
    if _is_number(heartbeat) and _is_number(timeout_) and heartbeat >= timeout_ > 0:
        v.schema(at + ("HeartbeatSeconds",), "HeartbeatSeconds must be smaller than TimeoutSeconds",
                 hint=f"HeartbeatSeconds is {heartbeat}, TimeoutSeconds is {timeout_}")


def _wait_rules(v: _Validator, body: dict, at: Path, st: _State) -> None:
    options = ("Seconds", "Timestamp") if st.lang == JSONATA else ("Seconds", "SecondsPath", "Timestamp",
                                                                    "TimestampPath")
    if not any(f in body for f in options):
        v.schema(at, f"One of these fields is required: [{', '.join(options)}]")


def _map_rules(v: _Validator, body: dict, at: Path, st: _State) -> None:
    if "ItemProcessor" not in body and "Iterator" not in body:
        v.schema(at, "These fields are required: [ItemProcessor]",
                 hint="an ItemProcessor ({\"StartAt\": ..., \"States\": {...}}) runs once per item")


_TYPE_CHECKS: dict[str, Callable[[_Validator, dict, Path, _State], None]] = {
    "Task": _task_rules, "Wait": _wait_rules, "Map": _map_rules,
}


# ---------------------------------------------------------------------------------------
# Entry points.
# ---------------------------------------------------------------------------------------

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
                            "[STANDARD, EXPRESS]", "SCHEMA_VALIDATION_FAILED", hint=f"got {_short(kind)}")]
    value, src, problems = _load(definition)
    if problems:
        return problems
    checker = _Validator(kind, served)
    if not _check_json(checker, value, src):
        return checker.finish(src)
    checker_run(checker, value)
    if src is not None:
        for path, (line, column) in src.duplicate_keys():
            _duplicate_key(checker, path, line, column, src)
    return checker.finish(src)


def checker_run(v: _Validator, d: dict) -> None:
    """The top level: QueryLanguage first (every state needs it), then the machine."""
    if "QueryLanguage" in d:
        v.enum(d["QueryLanguage"], ("QueryLanguage",), "QueryLanguage")
        v.top_lang = JSONPATH if d["QueryLanguage"] == JSONPATH else JSONATA
    if "TimeoutSeconds" in d:
        v.integer(d["TimeoutSeconds"], ("TimeoutSeconds",), 1, MAX_SECONDS)
    if "Version" in d:
        v.expect(d["Version"], ("Version",), "String")
    v.machine(d, (), 0, MACHINE_FIELDS)


def _load(definition: Any) -> tuple[Any, _source.Source | None, list[Problem]]:
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


def _check_json(v: _Validator, value: Any, src: _source.Source | None) -> bool:
    """The definition is a JSON object of allowed size. False when nothing more can be checked."""
    if not isinstance(value, dict):
        v.schema((), "Definition must be a valid JSON object", location="",
                 hint=f"got {_type_name(value)}; a definition looks like {{\"StartAt\": ..., \"States\": {{...}}}}")
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


def _duplicate_key(v: _Validator, path: Path, line: int, column: int, src: _source.Source) -> None:
    if len(path) >= 2 and path[-2] == "States":
        problem = Problem(render_location(path), f"Duplicate State name: {path[-1]}", "DUPLICATE_STATE_NAME",
                          hint="two states of one States object have the same name; JSON keeps only the last")
    else:
        problem = Problem(render_location(path[:-1]), f"Duplicate field '{path[-1]}'", "SCHEMA_VALIDATION_FAILED",
                          hint="the same key twice in one object; JSON keeps only the last value")
    problem.line, problem.column, problem.excerpt = line, column, src.excerpt(line, column)
    v.found.append((problem, (), False))


# ---------------------------------------------------------------------------------------
# Output: text for people, and the AWS response shape for tools.
# ---------------------------------------------------------------------------------------

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
