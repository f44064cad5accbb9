"""The Choice state's rules: comparison operators and their values, And / Or / Not, JSONata Conditions
(the rules of their values: CHOICE_RULES, VARIABLE and COMPARISON_RULES in fields.py).

Spec: Amazon States Language, "Choice Rules" (and the JSONata Condition field).
Taught in: notebooks/07-choice.ipynb.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .fields import (CHOICE_RULES, COMPARATORS, COMPARISON_RULES, JSONATA, MAX_NESTING, RULE_FIELDS_JSONATA,
                     RULE_FIELDS_JSONPATH, VARIABLE, Path, is_bool, is_expr)
from .report import did_you_mean

if TYPE_CHECKING:
    from .checker import State, Validator


def choices(v: Validator, value: list, at: Path, st: State) -> None:
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
        v.required(rule, at, ("Next",))
        for key, field_rule in CHOICE_RULES.items():
            if key in rule:
                v.check(field_rule, rule[key], at + (key,), st)
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
    else:
        v.check(VARIABLE, rule["Variable"], at + ("Variable",), st)
    v.check(COMPARISON_RULES[COMPARATORS[op]], rule[op], at + (op,), st)
