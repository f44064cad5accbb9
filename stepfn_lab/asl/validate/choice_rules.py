"""The Choice state's rules: comparison operators and their values, And / Or / Not, JSONata Conditions.

Spec: Amazon States Language, "Choice Rules" (and the JSONata Condition field).
Taught in: notebooks/07-choice.ipynb.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .expressions import assign, cached, reference_reason
from .fields import COMPARATORS, JSONATA, MAX_NESTING, RULE_FIELDS_JSONATA, RULE_FIELDS_JSONPATH, TIMESTAMP, Path, \
    is_bool, is_expr
from .report import did_you_mean

if TYPE_CHECKING:
    from .checker import State, Validator


def choices(v: Validator, value: Any, at: Path, st: State) -> None:
    if not v.expect(value, at, "Array"):
        return
    if not value:
        v.schema(at, "Minimum number of items is 1", hint="a Choice state needs at least one rule")
    for i, rule in enumerate(value):
        choice_rule(v, rule, at + (i,), st, True, 1)


def choice_rule(v: Validator, rule: Any, at: Path, st: State, top: bool, depth: int) -> None:
    if not v.expect(rule, at, "Object"):
        return
    if depth > MAX_NESTING:
        v.report("TOO_DEEPLY_NESTED", at, f"Choice rules are nested more than {MAX_NESTING} levels deep")
        return
    allowed = RULE_FIELDS_JSONATA if st.lang == JSONATA else RULE_FIELDS_JSONPATH
    for key in rule:
        if key == "Next" and not top:
            v.schema(at + (key,), "Field 'Next' is not supported", location=at, key=True,
                     hint="only the top-level rules of Choices have a Next; nested rules just compare")
        elif key in ("Assign", "Output") and not top:
            v.unsupported(at, key, allowed)
        elif key not in allowed:
            other = RULE_FIELDS_JSONPATH if st.lang == JSONATA else RULE_FIELDS_JSONATA
            if key in other:
                v.wrong_language(at, key, st.lang)
            else:
                v.unsupported(at, key, allowed)
    if top:
        if "Next" not in rule:
            v.schema(at, "These fields are required: [Next]")
        else:
            v.expect(rule["Next"], at + ("Next",), "String")
        if "Assign" in rule:
            assign(v, rule["Assign"], at + ("Assign",), st)
    if st.lang == JSONATA:
        if "Condition" not in rule:
            v.schema(at, "These fields are required: [Condition]")
        elif not (is_bool(rule["Condition"]) or is_expr(rule["Condition"])):
            v.schema(at + ("Condition",), "Value must be a boolean or a JSONata expression",
                     hint="write the test as \"{% ... %}\"")
        return
    jsonpath_rule(v, rule, at, st, depth)


def jsonpath_rule(v: Validator, rule: dict, at: Path, st: State, depth: int) -> None:
    operators = [k for k in rule if k in ("And", "Or", "Not") or k in COMPARATORS]
    if not operators:
        v.schema(at, "A Choice rule must have exactly one comparison operator or one of [And, Or, Not]",
                 hint=did_you_mean(next((k for k in rule if k not in RULE_FIELDS_JSONPATH), None),
                                   COMPARATORS) or "for example \"StringEquals\": \"...\"")
        return
    if len(operators) > 1:
        v.schema(at, f"There should only be one of the following fields: [{', '.join(operators)}]",
                 hint="combine several tests with And / Or")
    op = operators[0]
    if op in ("And", "Or"):
        if "Variable" in rule:
            v.unsupported(at, "Variable", ())
        items = rule[op]
        if v.expect(items, at + (op,), "Array"):
            if not items:
                v.schema(at + (op,), "Minimum number of items is 1")
            for i, sub in enumerate(items):
                choice_rule(v, sub, at + (op, i), st, False, depth + 1)
        return
    if op == "Not":
        if "Variable" in rule:
            v.unsupported(at, "Variable", ())
        choice_rule(v, rule["Not"], at + ("Not",), st, False, depth + 1)
        return
    if "Variable" not in rule:
        v.schema(at, "These fields are required: [Variable]")
    elif v.expect(rule["Variable"], at + ("Variable",), "String"):
        v.path(rule["Variable"], at + ("Variable",))
    comparison(v, op, rule[op], at + (op,))


def comparison(v: Validator, op: str, value: Any, at: Path) -> None:
    kind = COMPARATORS[op]
    if kind == "string" and v.expect(value, at, "String"):
        return
    if kind == "numeric":
        v.expect(value, at, "Number")
    elif kind in ("boolean", "is"):
        v.expect(value, at, "Boolean")
    elif kind == "timestamp":
        if v.expect(value, at, "String") and not TIMESTAMP.match(value):
            v.schema(at, "Value is not a valid timestamp", hint="use RFC 3339, e.g. 2024-01-31T09:00:00Z")
    elif kind == "path" and v.expect(value, at, "String"):
        reason = cached("ref+ctx", value, lambda t: reference_reason(t, True))
        if reason:
            v.schema(at, "Value is not a Reference Path", hint=reason)
