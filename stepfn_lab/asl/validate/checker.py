"""The checker: walks a definition once, machine by machine and state by state, applies the field rules of
``fields.py`` to each object it meets, and records each problem with where it is (a path of keys, turned into
AWS's location, a line and column, and a caret excerpt).

Spec: Amazon States Language, "Structure of a State Machine", "States" (common fields, Next/End), the
QueryLanguage rules; AWS API ValidateStateMachineDefinition. Taught in: notebooks/02-asl-anatomy.ipynb.
"""

from __future__ import annotations

from typing import Any, Callable

from ...errors import Problem
from .. import source as _source
from .expressions import SYNTAX, jsonata_strings
from .fields import (ENUMS, ERROR, EXCLUSIVE_FIELDS, JSONATA, JSONATA_ONLY, JSONPATH, JSONPATH_ONLY, MACHINE_FIELDS,
                     MACHINE_RULES, MAX_NESTING, PROCESSOR_CONFIG_RULES, REQUIRED_FIELDS, STATE_FIELDS, STATE_RULES,
                     STATE_TYPES, TOP_RULES, Path, Rule, is_bool, is_expr, is_int, is_number)
from .graph import graph, state_name
from .report import did_you_mean, render_location, short, type_name
from .state_fields import CHECKS, TYPE_CHECKS


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

    def enum(self, value: Any, at: Path, name: str) -> None:
        allowed = ENUMS[name]
        if not isinstance(value, str) or value not in allowed:
            self.schema(at, f"Value is not one of the allowed values: [{', '.join(allowed)}]",
                        hint=did_you_mean(value, allowed) or f"got {short(value)}")

    def integral(self, value: Any, at: Path) -> int | None:
        """``value`` as an int (an integral Number counts), or None when it is not one (reported)."""
        if is_int(value):
            return value
        if is_number(value) and float(value).is_integer():
            return int(value)
        path_field = f"{at[-1]}Path" if at and isinstance(at[-1], str) else ""
        if isinstance(value, str) and value.startswith("$") and path_field in JSONPATH_ONLY:
            self.schema(at, "Expected value of type: Integer", hint=f"did you mean '{path_field}'?")
        else:
            self.expect(value, at, "Integer")
        return None

    # -- the field rules (fields.Rule) ---------------------------------------------------
    def check(self, rule: Rule, value: Any, at: Path, st: State | None) -> None:
        """Apply one field rule to ``value``; ``st`` is the state it is in (None outside states)."""
        if rule.expression and st is not None and st.lang == JSONATA and is_expr(value):
            return
        if rule.enum is not None:
            self.enum(value, at, rule.enum)
            return
        if rule.types == ("Integer",):
            value = self.integral(value, at)
            if value is None:
                return
        elif rule.types and (not self.expect(value, at, *rule.types) or value is None):
            return
        if rule.minimum is not None and value < rule.minimum:
            self.schema(at, f"Minimum value is {rule.minimum}", hint=f"got {value}")
        elif rule.maximum is not None and value > rule.maximum:
            self.schema(at, f"Maximum value is {rule.maximum}", hint=f"got {value}")
        if rule.syntax is not None:
            reason = SYNTAX[rule.syntax](value)
            if reason:
                self.report(rule.code, at, rule.message, hint=reason)
        if rule.check is not None:
            CHECKS[rule.check](self, value, at, st)

    def object_fields(self, obj: dict, at: Path, st: State | None, rules: dict[str, Rule], exclusive=()) -> None:
        """Each field of ``obj`` in the order it lists them: unknown, of the other query language, or
        checked by its rule; then the groups of fields of which ``obj`` may have one only."""
        for key, value in obj.items():
            rule = rules.get(key)
            if rule is None:
                self.unsupported(at, key, rules)
            elif st is None or self.language_allows(key, st.lang, at):
                self.check(rule, value, at + (key,), st)
        self.exclusive(obj, at, exclusive)

    def table_fields(self, obj: dict, at: Path, st: State, rules: dict[str, Rule], required: tuple) -> None:
        """The unknown fields of ``obj``, the missing required ones, then each field in the order of ``rules``."""
        for key in obj:
            if key not in rules:
                self.unsupported(at, key, rules)
        self.required(obj, at, required)
        for key, rule in rules.items():
            if key in obj and self.language_allows(key, st.lang, at):
                self.check(rule, obj[key], at + (key,), st)

    def required(self, obj: dict, at: Path, fields: tuple) -> None:
        missing = [f for f in fields if f not in obj]
        if missing:
            self.schema(at, f"These fields are required: [{', '.join(missing)}]")

    def exclusive(self, obj: dict, at: Path, groups: tuple) -> None:
        for group in groups:
            present = [f for f in group if f in obj]
            if len(present) > 1:
                self.schema(at, f"There should only be one of the following fields: [{', '.join(present)}]")

    # -- machines ------------------------------------------------------------------------
    def machine(self, m: Any, at: Path, depth: int, fields: frozenset) -> None:
        if not self.expect(m, at, "Object"):
            return
        if depth > MAX_NESTING:
            self.report("TOO_DEEPLY_NESTED", at, f"The definition nests more than {MAX_NESTING} Parallel/Map "
                                                 "states inside each other")
            return
        self.required(m, at, ("States", "StartAt"))
        for key in m:
            if key not in fields:
                if key == "QueryLanguage" and at:
                    self.schema(at + (key,), "Field 'QueryLanguage' is not supported", location=at, key=True,
                                hint="a branch or item processor takes its query language from the top of "
                                     "the state machine; set QueryLanguage on each state instead")
                else:
                    self.unsupported(at, key, fields)
        for key, rule in MACHINE_RULES.items():
            if key in m:
                self.check(rule, m[key], at + (key,), None)
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
        self.object_fields(config, at, None, PROCESSOR_CONFIG_RULES)
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
            elif key in STATE_RULES:
                checks.append(key)
        self.required(body, at, REQUIRED_FIELDS.get(stype, ()))
        self.exclusive(body, at, EXCLUSIVE_FIELDS.get(stype, ()))
        self.transition_fields(body, at, stype)
        for key in checks:
            self.check(STATE_RULES[key], body[key], at + (key,), st)
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
    for key, rule in TOP_RULES.items():
        if key in d:
            v.check(rule, d[key], (key,), None)
    if "QueryLanguage" in d:
        v.top_lang = JSONPATH if d["QueryLanguage"] == JSONPATH else JSONATA
    v.machine(d, (), 0, MACHINE_FIELDS)
