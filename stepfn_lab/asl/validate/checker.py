"""The checker: walks a definition once, machine by machine and state by state, and records each problem
with where it is (a path of keys, turned into AWS's location, a line and column, and a caret excerpt).

Spec: Amazon States Language, "Structure of a State Machine", "States" (common fields, Next/End), the
QueryLanguage rules; AWS API ValidateStateMachineDefinition. Taught in: notebooks/02-asl-anatomy.ipynb.
"""

from __future__ import annotations

from typing import Any, Callable

from ...errors import Problem
from .. import source as _source
from .expressions import cached, jsonata_strings, path_reason, reference_reason
from .fields import (ENUMS, ERROR, EXCLUSIVE_FIELDS, JSONATA, JSONATA_ONLY, JSONPATH, JSONPATH_ONLY, MACHINE_FIELDS,
                     MAX_NESTING, MAX_SECONDS, REQUIRED_FIELDS, STATE_FIELDS, STATE_TYPES, Path, is_bool, is_expr,
                     is_int, is_number)
from .graph import graph, state_name
from .report import did_you_mean, render_location, short, type_name
from .state_fields import FIELD_CHECKS, TYPE_CHECKS


class State:
    """What a field checker needs to know about the state it is in."""

    __slots__ = ("name", "type", "lang", "depth", "body", "at")

    def __init__(self, name: Any, type_: str, lang: str, depth: int, body: dict, at: Path):
        self.name, self.type, self.lang, self.depth, self.body, self.at = name, type_, lang, depth, body, at


# ---------------------------------------------------------------------------------------
# The checker: walks the definition once and records problems with where they are.
# ---------------------------------------------------------------------------------------

class Validator:
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
        hint = hint or did_you_mean(field, allowed)
        self.schema(at + (field,), f"Field '{field}' is not supported", location=at, key=True, hint=hint)

    def expect(self, value: Any, at: Path, *kinds: str) -> bool:
        """True when ``value`` has one of the JSON types ``kinds``; reports it otherwise."""
        actual = type_name(value)
        if actual in kinds or (actual == "Integer" and "Number" in kinds):
            return True
        self.schema(at, f"Expected value of type: {' or '.join(kinds)}", hint=f"got {actual}: {short(value)}")
        return False

    def integer(self, value: Any, at: Path, minimum: int, maximum: int | None, st: State | None = None) -> None:
        if st is not None and st.lang == JSONATA and is_expr(value):
            return
        if not is_int(value):
            if is_number(value) and float(value).is_integer():
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

    def number(self, value: Any, at: Path, minimum: float, maximum: float | None, st: State | None = None) -> None:
        if st is not None and st.lang == JSONATA and is_expr(value):
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
                        hint=did_you_mean(value, allowed) or f"got {short(value)}")

    def reference(self, value: Any, at: Path, context: bool = False) -> None:
        if not self.expect(value, at, "String"):
            return
        reason = cached("ref+ctx" if context else "ref", value, lambda t: reference_reason(t, context))
        if reason:
            self.schema(at, "Value is not a Reference Path", hint=reason)

    def path(self, value: Any, at: Path) -> None:
        if value is None or not self.expect(value, at, "String", "Null"):
            return
        reason = cached("path", value, path_reason)
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
            graph(self, m, states, at)
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

    # -- states ----------------------------------------------------------------------------
    def state(self, name: Any, body: Any, at: Path, depth: int) -> None:
        state_name(self, name, at)
        if not self.expect(body, at, "Object"):
            return
        stype = body.get("Type")
        if "Type" not in body:
            self.schema(at, "These fields are required: [Type]")
            return
        if not isinstance(stype, str) or stype not in STATE_TYPES:
            self.schema(at + ("Type",), f"Value is not one of the allowed values: [{', '.join(STATE_TYPES)}]",
                        hint=did_you_mean(stype, STATE_TYPES) or f"got {short(stype)}")
            return
        st = State(name, stype, self.state_language(body, at), depth, body, at)
        allowed = STATE_FIELDS[stype]
        checks = []
        for key in body:
            if key not in allowed:
                self.unsupported(at, key, allowed, other_type_hint(key, stype))
            elif not self.language_allows(key, st.lang, at):
                continue
            elif key in FIELD_CHECKS:
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
            FIELD_CHECKS[key](self, body[key], at + (key,), st)
        extra = TYPE_CHECKS.get(stype)
        if extra:
            extra(self, body, at, st)
        if st.lang == JSONATA:
            jsonata_strings(self, body, at, stype)

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
            if "End" in body and is_bool(end):
                self.schema(at + ("End",), "Value must be true when 'Next' is absent",
                            hint="set \"End\": true, or give the state a \"Next\"")
            elif "End" not in body:
                self.schema(at, "One of these fields is required: [Next, End]",
                            hint="add \"Next\": \"<state name>\" or \"End\": true")

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


def other_type_hint(field: Any, stype: str) -> str | None:
    owners = [t for t in STATE_TYPES if field in STATE_FIELDS[t]]
    if owners and isinstance(field, str):
        return f"'{field}' is a field of {', '.join(owners)} states, not of {stype} states"
    return did_you_mean(field, STATE_FIELDS[stype])


def run(v: Validator, d: dict) -> None:
    """The top level: QueryLanguage first (every state needs it), then the machine."""
    if "QueryLanguage" in d:
        v.enum(d["QueryLanguage"], ("QueryLanguage",), "QueryLanguage")
        v.top_lang = JSONPATH if d["QueryLanguage"] == JSONPATH else JSONATA
    if "TimeoutSeconds" in d:
        v.integer(d["TimeoutSeconds"], ("TimeoutSeconds",), 1, MAX_SECONDS)
    if "Version" in d:
        v.expect(d["Version"], ("Version",), "String")
    v.machine(d, (), 0, MACHINE_FIELDS)
