"""Tests for stepfn_lab.asl.choice: every comparator, And/Or/Not, failures, describe()."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stepfn_lab.asl.choice import (COMPARATORS, PATH_OPERATORS, Rule, compile_rule, describe, parse_timestamp,
                                   wildcard_pattern)
from stepfn_lab.errors import RUNTIME, DefinitionError, StatesError, StepFnLabError


def matches(rule: dict, data, context=None, variables=None) -> bool:
    return compile_rule({**rule, "Next": "Next"}).evaluate(data, context, variables)


def problems(rule) -> list:
    with pytest.raises(DefinitionError) as info:
        compile_rule(rule, "/States/Route/Choices[2]")
    return info.value.problems


def test_the_table_has_all_39_comparison_operators():
    families = [f + o for f in ("String", "Numeric", "Timestamp")
                for o in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")]
    direct = families + ["BooleanEquals", "StringMatches", "IsNull", "IsPresent", "IsNumeric", "IsString",
                         "IsBoolean", "IsTimestamp"]
    paths = [name + "Path" for name in families + ["BooleanEquals"]]
    assert sorted(COMPARATORS) == sorted(direct + paths)
    assert len(COMPARATORS) == 39
    assert sorted(PATH_OPERATORS) == sorted(paths)


# (operator, operand, value, expected): each line is checked with the literal operand and,
# for operators that have one, with the ...Path form reading the operand from the data.
COMPARISONS = [
    ("StringEquals", "kiwi", "kiwi", True),
    ("StringEquals", "kiwi", "Kiwi", False),
    ("StringLessThan", "kiwi", "apple", True),
    ("StringLessThan", "kiwi", "kiwi", False),
    ("StringGreaterThan", "kiwi", "mango", True),
    ("StringGreaterThan", "kiwi", "apple", False),
    ("StringLessThanEquals", "kiwi", "kiwi", True),
    ("StringLessThanEquals", "kiwi", "lime", False),
    ("StringGreaterThanEquals", "kiwi", "kiwi", True),
    ("StringGreaterThanEquals", "kiwi", "fig", False),
    ("NumericEquals", 3, 3.0, True),
    ("NumericEquals", 3, 3.5, False),
    ("NumericLessThan", 10, -2, True),
    ("NumericLessThan", 10, 10, False),
    ("NumericGreaterThan", 0.5, 0.75, True),
    ("NumericGreaterThan", 0.5, 0.5, False),
    ("NumericLessThanEquals", 7, 7, True),
    ("NumericLessThanEquals", 7, 7.01, False),
    ("NumericGreaterThanEquals", -1, -1, True),
    ("NumericGreaterThanEquals", -1, -1.5, False),
    ("BooleanEquals", False, False, True),
    ("BooleanEquals", False, True, False),
    ("TimestampEquals", "2024-05-01T12:00:00Z", "2024-05-01T14:00:00+02:00", True),
    ("TimestampEquals", "2024-05-01T12:00:00Z", "2024-05-01T12:00:00.001Z", False),
    ("TimestampLessThan", "2024-05-01T12:00:00Z", "2024-05-01T11:59:59.999Z", True),
    ("TimestampLessThan", "2024-05-01T12:00:00Z", "2024-05-01T12:00:00Z", False),
    ("TimestampGreaterThan", "2024-05-01T12:00:00Z", "2024-05-01T12:00:00.000000001Z", True),
    ("TimestampGreaterThan", "2024-05-01T12:00:00Z", "2024-05-01T08:00:00-03:00", False),
    ("TimestampLessThanEquals", "2024-05-01T12:00:00Z", "2024-05-01T12:00:00.000Z", True),
    ("TimestampLessThanEquals", "2024-05-01T12:00:00Z", "2024-05-02T00:00:00Z", False),
    ("TimestampGreaterThanEquals", "2024-05-01T12:00:00Z", "2024-05-01T12:00:00Z", True),
    ("TimestampGreaterThanEquals", "2024-05-01T12:00:00Z", "2023-12-31T23:59:59Z", False),
]


@pytest.mark.parametrize("operator, operand, value, expected", COMPARISONS)
def test_comparison_with_a_literal(operator, operand, value, expected):
    assert matches({"Variable": "$.v", operator: operand}, {"v": value}) is expected


@pytest.mark.parametrize("operator, operand, value, expected", COMPARISONS)
def test_comparison_path_form_reads_the_operand(operator, operand, value, expected):
    assert matches({"Variable": "$.v", operator + "Path": "$.other"}, {"v": value, "other": operand}) is expected


@pytest.mark.parametrize("operator, value", [
    ("StringEquals", 5), ("StringLessThan", None), ("StringGreaterThanEquals", ["z"]),
    ("NumericEquals", "5"), ("NumericLessThan", True), ("NumericGreaterThan", {"n": 9}),
    ("BooleanEquals", "true"), ("BooleanEquals", 1),
    ("TimestampEquals", 1714564800), ("TimestampLessThan", "2024-05-01"), ("TimestampGreaterThan", "yesterday"),
])
def test_type_mismatch_compares_false_and_never_fails(operator, value):
    operand = {"String": "m", "Numeric": 5, "Boolean": True, "Timestamp": "2024-05-01T00:00:00Z"}
    literal = next(v for k, v in operand.items() if operator.startswith(k))
    assert matches({"Variable": "$.v", operator: literal}, {"v": value}) is False
    assert matches({"Variable": "$.v", operator + "Path": "$.o"}, {"v": value, "o": literal}) is False


@pytest.mark.parametrize("operator, value", [
    ("StringEquals", 5), ("NumericEquals", "5"), ("BooleanEquals", 0), ("TimestampEquals", "not a time"),
])
def test_a_path_operand_of_the_wrong_type_compares_false(operator, value):
    good = {"String": "5", "Numeric": 5, "Boolean": False, "Timestamp": "2024-05-01T00:00:00Z"}
    variable = next(v for k, v in good.items() if operator.startswith(k))
    assert matches({"Variable": "$.v", operator + "Path": "$.o"}, {"v": variable, "o": value}) is False


def test_booleans_are_not_numbers():
    assert matches({"Variable": "$.v", "NumericEquals": 1}, {"v": True}) is False
    assert matches({"Variable": "$.v", "IsNumeric": True}, {"v": False}) is False


def test_large_integers_and_floats_compare_by_value():
    assert matches({"Variable": "$.v", "NumericGreaterThan": 9007199254740992}, {"v": 9007199254740993})
    assert matches({"Variable": "$.v", "NumericEquals": 0.1}, {"v": 0.1})


def test_strings_order_by_utf16_units_as_java_does():
    # U+FF61 sorts after U+1F600 in Python's code-point order but before it in UTF-16
    assert matches({"Variable": "$.v", "StringLessThan": "\U0001F600"}, {"v": "\uFF61"}) is False
    assert matches({"Variable": "$.v", "StringGreaterThan": "\U0001F600"}, {"v": "\uFF61"}) is True


@pytest.mark.parametrize("pattern, value, expected", [
    ("invoice-*.pdf", "invoice-2024-07.pdf", True),
    ("invoice-*.pdf", "invoice-.pdf", True),
    ("invoice-*.pdf", "invoice-7.pdfx", False),
    ("*", "", True),
    ("a*b*c", "a--b--c", True),
    ("a*b*c", "acb", False),
    ("total: 5\\*", "total: 5*", True),
    ("total: 5\\*", "total: 55", False),
    ("back\\\\slash*", "back\\slash!", True),
    ("(x+y)?[z]", "(x+y)?[z]", True),  # regex characters have no meaning
    ("(x+y)?[z]", "xxy", False),
    ("line*end", "line\nmiddle\nend", True),
    ("exact", "Exact", False),
])
def test_string_matches(pattern, value, expected):
    assert matches({"Variable": "$.v", "StringMatches": pattern}, {"v": value}) is expected


def test_string_matches_needs_a_string_value():
    assert matches({"Variable": "$.v", "StringMatches": "1*"}, {"v": 123}) is False


def test_wildcard_pattern_is_compiled_once():
    assert wildcard_pattern("a*") is wildcard_pattern("a*")


@pytest.mark.parametrize("operator, value", [
    ("IsNull", None), ("IsNumeric", 0), ("IsNumeric", -2.5), ("IsString", ""), ("IsBoolean", False),
    ("IsTimestamp", "1999-12-31T23:59:59.5-08:00"), ("IsPresent", None),
])
def test_type_tests_true(operator, value):
    assert matches({"Variable": "$.v", operator: True}, {"v": value}) is True
    assert matches({"Variable": "$.v", operator: False}, {"v": value}) is False


@pytest.mark.parametrize("operator, value", [
    ("IsNull", 0), ("IsNull", "null"), ("IsNumeric", "3"), ("IsNumeric", None), ("IsString", 3),
    ("IsString", ["a"]), ("IsBoolean", 0), ("IsBoolean", "true"), ("IsTimestamp", "2024-05-01"),
    ("IsTimestamp", 1714564800), ("IsTimestamp", "2024-05-01 12:00:00Z"),
])
def test_type_tests_false(operator, value):
    assert matches({"Variable": "$.v", operator: True}, {"v": value}) is False
    assert matches({"Variable": "$.v", operator: False}, {"v": value}) is True


def test_is_present_on_a_missing_path():
    assert matches({"Variable": "$.nothing.here", "IsPresent": False}, {"v": 1}) is True
    assert matches({"Variable": "$.nothing.here", "IsPresent": True}, {"v": 1}) is False
    assert matches({"Variable": "$undefined", "IsPresent": False}, {}, None, {"other": 1}) is True


@pytest.mark.parametrize("rule", [
    {"Variable": "$.missing", "NumericEquals": 1},
    {"Variable": "$.missing", "IsNull": True},
    {"Variable": "$.missing", "IsTimestamp": False},
    {"Variable": "$.missing", "StringMatches": "*"},
])
def test_a_missing_variable_fails_with_aws_message(rule):
    with pytest.raises(StatesError) as info:
        matches(rule, {"present": 1})
    assert info.value.error == RUNTIME
    assert info.value.cause == \
        "Invalid path '$.missing': The choice state's condition path references an invalid value."


def test_a_missing_path_operand_fails_with_its_own_path():
    with pytest.raises(StatesError) as info:
        matches({"Variable": "$.a", "NumericLessThanPath": "$.limit"}, {"a": 1})
    assert info.value.cause == \
        "Invalid path '$.limit': The choice state's condition path references an invalid value."


def test_missing_variable_reference_fails_too():
    with pytest.raises(StatesError) as info:
        matches({"Variable": "$count", "NumericEquals": 1}, {}, None, {})
    assert info.value.cause.startswith("Invalid path '$count':")


def test_context_and_variables_as_variable_and_operand():
    context = {"Execution": {"StartTime": "2024-05-01T10:00:00Z"}, "State": {"RetryCount": 2}}
    variables = {"deadline": "2024-05-01T11:00:00Z", "limit": 2}
    assert matches({"Variable": "$$.Execution.StartTime", "TimestampLessThanPath": "$deadline"},
                   {}, context, variables)
    assert matches({"Variable": "$limit", "NumericEqualsPath": "$$.State.RetryCount"}, {}, context, variables)
    assert matches({"Variable": "$$.State.RetryCount", "NumericGreaterThan": 5}, {}, context, variables) is False


def test_wildcard_variable_selects_a_list_which_is_not_a_number():
    assert matches({"Variable": "$.items[*].n", "NumericEquals": 1}, {"items": [{"n": 1}]}) is False
    assert matches({"Variable": "$.items[*].n", "IsPresent": True}, {"items": []}) is False


# --- And / Or / Not ----------------------------------------------------------------------

ORDER = {"total": 120, "country": "NZ", "vip": False}


@pytest.mark.parametrize("rule, expected", [
    ({"And": [{"Variable": "$.total", "NumericGreaterThan": 100}, {"Variable": "$.country", "StringEquals": "NZ"}]},
     True),
    ({"And": [{"Variable": "$.total", "NumericGreaterThan": 100}, {"Variable": "$.vip", "BooleanEquals": True}]},
     False),
    ({"Or": [{"Variable": "$.vip", "BooleanEquals": True}, {"Variable": "$.country", "StringEquals": "NZ"}]}, True),
    ({"Or": [{"Variable": "$.vip", "BooleanEquals": True}, {"Variable": "$.total", "NumericLessThan": 5}]}, False),
    ({"Not": {"Variable": "$.vip", "BooleanEquals": True}}, True),
    ({"Not": {"Not": {"Variable": "$.vip", "BooleanEquals": True}}}, False),
    ({"And": [{"Not": {"Variable": "$.coupon", "IsPresent": True}},
              {"Or": [{"Variable": "$.total", "NumericGreaterThanEquals": 120},
                      {"Variable": "$.vip", "BooleanEquals": True}]}]}, True),
])
def test_boolean_combinations(rule, expected):
    assert matches(rule, ORDER) is expected


def test_and_stops_at_the_first_false_rule():
    rule = {"And": [{"Variable": "$.vip", "BooleanEquals": True}, {"Variable": "$.missing", "NumericEquals": 1}]}
    assert matches(rule, ORDER) is False  # the missing path is never read


def test_or_stops_at_the_first_true_rule():
    rule = {"Or": [{"Variable": "$.vip", "BooleanEquals": False}, {"Variable": "$.missing", "NumericEquals": 1}]}
    assert matches(rule, ORDER) is True


def test_or_reaching_a_missing_path_fails():
    rule = {"Or": [{"Variable": "$.vip", "BooleanEquals": True}, {"Variable": "$.missing", "NumericEquals": 1}]}
    with pytest.raises(StatesError):
        matches(rule, ORDER)


# --- The compiled rule -------------------------------------------------------------------

def test_top_level_rule_keeps_next_assign_and_output():
    raw = {"Variable": "$.total", "NumericGreaterThan": 100, "Next": "Review",
           "Assign": {"reason.$": "$.total"}, "Output": {"x": 1}}
    rule = compile_rule(raw, "/States/Route/Choices[0]")
    assert isinstance(rule, Rule)
    assert (rule.next, rule.assign, rule.output, rule.location) == \
        ("Review", {"reason.$": "$.total"}, {"x": 1}, "/States/Route/Choices[0]")
    assert rule.raw is raw
    assert repr(rule) == "Rule('$.total > 100' -> 'Review')"


def test_jsonata_rule_is_carried_raw():
    raw = {"Condition": "{% $states.input.total > 100 %}", "Next": "Big", "Assign": {"seen": True}}
    rule = compile_rule(raw)
    assert (rule.condition, rule.next, rule.assign, rule.output) == (raw["Condition"], "Big", {"seen": True}, None)
    with pytest.raises(StepFnLabError, match="JSONata"):
        rule.evaluate({"total": 1})


def test_context_and_variables_default_to_none():
    assert compile_rule({"Variable": "$.a", "IsNull": True, "Next": "N"}).evaluate({"a": None}) is True


# --- Compile-time problems ---------------------------------------------------------------

def test_unknown_operator_suggests_the_right_one():
    found = problems({"Variable": "$.a", "NumericEqual": 1, "Next": "N"})
    assert [(p.location, p.message, p.hint) for p in found] == [
        ("/States/Route/Choices[2]", "unknown field 'NumericEqual' in a Choice rule", "did you mean 'NumericEquals'?")]


@pytest.mark.parametrize("rule, location, message", [
    ({"Variable": "$.a", "NumericEquals": 1}, "/States/Route/Choices[2]", "needs 'Next'"),
    ({"Variable": "$.a", "Next": "N"}, "/States/Route/Choices[2]", "exactly one comparison operator (found none)"),
    ({"Variable": "$.a", "IsNull": True, "IsString": True, "Next": "N"}, "/States/Route/Choices[2]",
     "exactly one comparison operator (found IsNull, IsString)"),
    ({"Variable": "$.a", "NumericEquals": "1", "Next": "N"}, "/States/Route/Choices[2]/NumericEquals",
     "must be a number, not \"1\""),
    ({"Variable": "$.a", "NumericEquals": True, "Next": "N"}, "/States/Route/Choices[2]/NumericEquals",
     "must be a number, not true"),
    ({"Variable": "$.a", "StringEquals": 3, "Next": "N"}, "/States/Route/Choices[2]/StringEquals",
     "must be a string"),
    ({"Variable": "$.a", "IsPresent": "yes", "Next": "N"}, "/States/Route/Choices[2]/IsPresent",
     "must be true or false"),
    ({"Variable": "$.a", "TimestampEquals": "2024-05-01", "Next": "N"},
     "/States/Route/Choices[2]/TimestampEquals", "is not a timestamp"),
    ({"Variable": "a.b", "IsNull": True, "Next": "N"}, "/States/Route/Choices[2]/Variable",
     "invalid Variable: a path must start with '$'"),
    ({"Variable": 7, "IsNull": True, "Next": "N"}, "/States/Route/Choices[2]/Variable", "must be a path string"),
    ({"Variable": "$.a", "NumericEqualsPath": "limit", "Next": "N"},
     "/States/Route/Choices[2]/NumericEqualsPath", "invalid NumericEqualsPath"),
    ({"And": [], "Next": "N"}, "/States/Route/Choices[2]", "'And' must be a non-empty array"),
    ({"Or": [{"Variable": "$.a", "IsNull": True, "Next": "X"}], "Next": "N"},
     "/States/Route/Choices[2]/Or[0]", "only top-level Choice rules have 'Next'"),
    ({"Not": {"Variable": "$.a"}, "Next": "N"}, "/States/Route/Choices[2]/Not", "exactly one comparison operator"),
    ({"Not": {"Variable": "$.a", "IsNull": True}, "Variable": "$.b", "Next": "N"}, "/States/Route/Choices[2]",
     "'Not' cannot be combined with 'Variable'"),
    ("IsNull", "/States/Route/Choices[2]", "must be an object"),
])
def test_rule_shape_problems(rule, location, message):
    found = problems(rule)
    assert any(p.location == location and message in p.message for p in found), found


def test_all_problems_are_reported_together():
    found = problems({"And": [{"Variable": "$.a", "NumericEquals": "x"}, {"Variable": "b", "IsNull": True}]})
    assert sorted(p.location for p in found) == [
        "/States/Route/Choices[2]", "/States/Route/Choices[2]/And[0]/NumericEquals",
        "/States/Route/Choices[2]/And[1]/Variable"]


def test_variable_syntax_error_has_a_caret_excerpt():
    found = problems({"Variable": "order.total", "IsNull": True, "Next": "N"})
    assert (found[0].column, found[0].excerpt) == (0, "order.total\n^")
    assert "invalid Variable: not a valid JSONPath" in problems({"Variable": "$.a[?(", "IsNull": True})[-1].message


# --- Timestamps ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("1970-01-01T00:00:00Z", (0, 0)),
    ("1970-01-01T01:00:00+01:00", (0, 0)),
    ("1970-01-01T00:00:01.25Z", (1, 250_000_000)),
    ("1969-12-31T23:59:59.999999999Z", (-1, 999_999_999)),
    ("2024-02-29T12:30Z", (1709209800, 0)),
    ("2024-02-29t12:30:00z", (1709209800, 0)),
])
def test_parse_timestamp(text, expected):
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize("text", [
    "2024-05-01T12:00:00", "2024-05-01 12:00:00Z", "01-05-2024T12:00:00Z", "2024-13-01T12:00:00Z",
    "2023-02-29T12:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T12:00:00+0100", "2024-05-01T12:00:00.Z",
    "2024-05-01T12:00:00.1234567890Z", "2024-05-01", " 2024-05-01T12:00:00Z",
])
def test_not_timestamps(text):
    assert parse_timestamp(text) is None


# --- describe() ----------------------------------------------------------------------------

@pytest.mark.parametrize("rule, text", [
    ({"Variable": "$.foo", "NumericEquals": 1}, "$.foo == 1"),
    ({"Variable": "$.name", "StringMatches": "a*"}, '$.name matches "a*"'),
    ({"Not": {"Variable": "$.x", "IsPresent": True}}, "not ($.x is present)"),
    ({"And": [{"Variable": "$.a", "NumericGreaterThan": 1}, {"Variable": "$.b", "NumericLessThan": 2}]},
     "($.a > 1) and ($.b < 2)"),
    ({"Or": [{"Variable": "$.s", "StringEquals": "ü"}, {"Variable": "$.ok", "BooleanEquals": False}]},
     '($.s == "ü") or ($.ok == false)'),
    ({"Variable": "$.t", "TimestampLessThanEqualsPath": "$$.Execution.StartTime"},
     "$.t <= $$.Execution.StartTime"),
    ({"Variable": "$.n", "NumericGreaterThanEquals": 2.5}, "$.n >= 2.5"),
    ({"Variable": "$.n", "IsNull": False}, "$.n is not null"),
    ({"Variable": "$.n", "IsTimestamp": True}, "$.n is a timestamp"),
    ({"Condition": "{% $states.input.n > 3 %}"}, "$states.input.n > 3"),
    ({"Variable": "$.n"}, "$.n ?"),
    ("not a rule", "(not a rule)"),
])
def test_describe(rule, text):
    assert describe(rule) == text


def test_rule_describe_method():
    assert compile_rule({"Variable": "$.a", "StringLessThanPath": "$.b", "Next": "N"}).describe() == "$.a < $.b"


# --- Properties ----------------------------------------------------------------------------

numbers = st.integers(-10 ** 6, 10 ** 6) | st.floats(-1e6, 1e6, allow_nan=False)


@given(numbers, numbers)
def test_numeric_operators_agree_with_arithmetic(value, operand):
    data = {"v": value, "o": operand}
    assert matches({"Variable": "$.v", "NumericLessThan": operand}, data) is (value < operand)
    assert matches({"Variable": "$.v", "NumericGreaterThanEqualsPath": "$.o"}, data) is (value >= operand)
    assert matches({"Not": {"Variable": "$.v", "NumericEquals": operand}}, data) is (value != operand)


moments = st.datetimes(min_value=datetime.datetime(1900, 1, 1), max_value=datetime.datetime(2200, 1, 1),
                       timezones=st.sampled_from([datetime.timezone(datetime.timedelta(minutes=m))
                                                  for m in (-600, -330, 0, 60, 345, 840)]))


def _rfc3339(moment: datetime.datetime) -> str:
    text = moment.isoformat(timespec="microseconds")
    return text.replace("+00:00", "Z")


@given(moments, moments)
def test_timestamp_order_agrees_with_datetime(left, right):
    data = {"l": _rfc3339(left), "r": _rfc3339(right)}
    assert matches({"Variable": "$.l", "TimestampLessThanPath": "$.r"}, data) is (left < right)
    assert matches({"Variable": "$.l", "TimestampEqualsPath": "$.r"}, data) is (left == right)


@pytest.mark.parametrize("operator, left, right, expected", [
    ("StringLessThan", "é", "abc", False),    # ASCII on one side, not on the other: no TypeError
    ("StringLessThan", "abc", "é", True),
    ("StringGreaterThanEquals", "zz", "ü", False),
    ("StringLessThanEquals", "\ud800", "a", False),  # a lone surrogate sorts as its code unit
    ("StringGreaterThan", "\ud800", "\uffff", False),
    ("StringLessThan", "\U0001F600", "\uffff", True),  # Java: a surrogate pair sorts below U+FFFF
])
def test_string_ordering_mixes_ascii_and_other_text(operator, left, right, expected):
    assert matches({"Variable": "$.v", operator: right}, {"v": left}) is expected


def test_ascii_and_non_ascii_comparison_runs_in_a_machine():
    import stepfn_lab as sfl
    machine = sfl.StateMachine.from_json({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "StringLessThan": "abc", "Next": "Y"}],
              "Default": "N"},
        "Y": {"Type": "Succeed"}, "N": {"Type": "Succeed"}}})
    run = machine.run({"a": "é"})
    assert run.status == "SUCCEEDED" and run.internal_error is None
    assert [s.state for s in run.steps][-1] == "N"
