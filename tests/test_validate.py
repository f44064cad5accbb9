"""Tests of stepfn_lab.asl.validate: AWS's diagnostics, located, with the fix.

* a corpus of broken definitions (tests/validation_corpus/*.json), each with
  the code, location and message it must produce;
* every definition recorded on AWS (../shared/conformance/cases) validates
  with no ERROR;
* property-based tests: no Python exception escapes for any JSON value,
  any mutation of a valid definition, or any text;
* the API around it: inputs, positions, hints, formatting, AWS's response shape,
  limits and speed;
* the table of field rules (validate/fields.py): complete, and each row applied.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepfn_lab.asl.validate import (
    EXPRESS, format_problems, render_location, to_aws_response, validate,
)
from stepfn_lab.asl.validate import fields as rules_table
from stepfn_lab.asl.validate.expressions import SYNTAX
from stepfn_lab.asl.validate.state_fields import CHECKS
from stepfn_lab.errors import Problem

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((ROOT / "tests" / "validation_corpus").glob("*.json"))

AWS_CODES = {
    "SCHEMA_VALIDATION_FAILED", "INVALID_JSON_DESCRIPTION", "MISSING_DESCRIPTION", "INVALID_RESOURCE",
    "MISSING_END_STATE", "DUPLICATE_STATE_NAME", "INVALID_STATE_NAME", "MISSING_TRANSITION_TARGET",
    "TOO_DEEPLY_NESTED", "DUPLICATE_LABEL_NAME", "INVALID_LABEL_NAME", "NO_DOLLAR", "NO_PATH",
    "PASS_RESULT_IS_STATIC", "INVALID_JSONATA_EXPRESSION", "UNSUPPORTED_JSONATA_EXPRESSION",
}

HELLO = {"Comment": "hello", "StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "End": True}}}


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "ERROR"]


# ---------------------------------------------------------------------------------------
# The corpus of broken definitions
# ---------------------------------------------------------------------------------------

def test_corpus_is_large_enough():
    assert len(CORPUS) >= 60


@pytest.mark.parametrize("case_file", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_case(case_file: Path):
    case = json.loads(case_file.read_text(encoding="utf-8"))
    definition = case["text"] if "text" in case else case["definition"]
    problems = validate(definition, case.get("workflow_type", "STANDARD"))
    actual = [(p.code, p.location or None, p.message) for p in problems]
    for want in case["expected"]:
        key = (want["code"], want["location"], want["message"])
        assert key in actual, f"{case['description']}\nmissing {key}\ngot:\n{format_problems(problems)}"
        found = problems[actual.index(key)]
        assert found.severity == want.get("severity", "ERROR")
        for extra in ("hint", "line", "column"):
            if extra in want:
                assert getattr(found, extra) == want[extra], (extra, found)
    expected = {(w["code"], w["location"], w["message"]) for w in case["expected"]}
    unexpected = [a for a, p in zip(actual, problems) if p.severity == "ERROR" and a not in expected]
    assert not unexpected, f"{case['description']}\nunexpected errors {unexpected}"


# ---------------------------------------------------------------------------------------
# Everything AWS ran is valid
# ---------------------------------------------------------------------------------------

def test_conformance_definitions_have_no_errors(conformance_dir: Path):
    """``conformance_dir`` is ../shared/conformance beside the repository; the fixture skips
    with a clear message when it is missing (and fails under CI=true, where nothing may skip)."""
    files = sorted((conformance_dir / "cases").glob("*.json"))
    assert files, "the conformance folder is empty"
    failures = []
    for path in files:
        case = json.loads(path.read_text(encoding="utf-8"))
        found = errors(validate(case["definition"], case.get("state_machine_type", "STANDARD")))
        if found:
            failures.append(f"{path.name}: {found[0].code} {found[0].location} {found[0].message}")
    assert not failures, (f"{len(failures)} of {len(files)} definitions AWS ran were refused:\n"
                          + "\n".join(failures[:20]))


# ---------------------------------------------------------------------------------------
# Inputs: dict, text, path, bytes, nonsense
# ---------------------------------------------------------------------------------------

def test_valid_definition_has_no_problems():
    assert validate(HELLO) == []
    assert validate(json.dumps(HELLO)) == []


def test_every_input_form(tmp_path: Path):
    broken = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"},
                                         "C": {"Type": "Succeed"}}}
    text = json.dumps(broken, indent=2)
    file = tmp_path / "machine.asl.json"
    file.write_text(text, encoding="utf-8")
    forms = [broken, text, text.encode("utf-8"), str(file), file]
    results = [[(p.code, p.location, p.message) for p in validate(form)] for form in forms]
    assert results[0] == [("MISSING_TRANSITION_TARGET", "/States/C", 'State "C" is not reachable.')]
    assert all(r == results[0] for r in results)
    assert validate(broken)[0].line is None  # a dict has no text to point into
    assert validate(file)[0].line == 11


def test_missing_file_and_empty_inputs(tmp_path: Path):
    missing = validate(tmp_path / "nope.json")
    assert codes(missing) == ["MISSING_DESCRIPTION"] and "nope.json" in missing[0].message
    assert codes(validate(None)) == ["MISSING_DESCRIPTION"]
    assert codes(validate("")) == ["MISSING_DESCRIPTION"]
    typo = validate("order.asl.json")
    assert codes(typo) == ["INVALID_JSON_DESCRIPTION"]
    assert "no file named" in typo[0].hint


@pytest.mark.parametrize("value", [[], 42, "\"text\"", None, True, 3.5, {"a"}])
def test_non_object_definitions(value):
    problems = validate(value if not isinstance(value, str) else value)
    assert len(problems) == 1 and problems[0].severity == "ERROR"
    assert problems[0].code in {"SCHEMA_VALIDATION_FAILED", "MISSING_DESCRIPTION"}


def test_invalid_utf8_bytes():
    assert codes(validate(b"\xff\xfe{}")) == ["INVALID_JSON_DESCRIPTION"]


def test_unknown_workflow_type():
    problems = validate(HELLO, "SUPERFAST")
    assert codes(problems) == ["SCHEMA_VALIDATION_FAILED"] and "STANDARD, EXPRESS" in problems[0].message
    assert validate(HELLO, "express") == []


def test_non_json_python_values():
    with_set = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {1, 2}, "End": True}}}
    problems = validate(with_set)
    assert problems[0].location == "/States/A/Result" and "set" in problems[0].message
    nan = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": math.nan, "End": True}}}
    assert "not a JSON number" in validate(nan)[0].message
    cyclic: dict = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    cyclic["States"]["A"]["Result"] = cyclic
    problems = validate(cyclic)
    assert len(problems) == 1 and "circular" in problems[0].message
    odd_names = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}, 7: {"Type": "Succeed"}}}
    assert "INVALID_STATE_NAME" in codes(validate(odd_names))


def test_deeply_nested_documents_are_reported_not_raised():
    deep_text = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "Result": ' + "[" * 100_000 \
        + "]" * 100_000 + "}}}"
    assert codes(validate(deep_text)) == ["TOO_DEEPLY_NESTED"]
    deep: list = []
    node = deep
    for _ in range(100_000):
        node.append([])
        node = node[0]
    problems = validate({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, "Result": deep}}})
    assert codes(problems) == ["TOO_DEEPLY_NESTED"]


def test_nested_machines_and_rules_too_deep():
    machine: dict = {"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}
    for i in range(150):
        machine = {"StartAt": f"P{i}", "States": {f"P{i}": {"Type": "Parallel", "End": True, "Branches": [machine]}}}
    assert "TOO_DEEPLY_NESTED" in codes(validate(machine))
    rule: dict = {"Variable": "$.x", "IsPresent": True}
    for _ in range(300):
        rule = {"Not": rule}
    rule["Next"] = "D"
    choice = {"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [rule]}, "D": {"Type": "Succeed"}}}
    assert "TOO_DEEPLY_NESTED" in codes(validate(choice))


def test_definition_size_limit():
    big = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, "Result": "x" * 1_048_600}}}
    problems = validate(big)
    assert codes(problems) == ["SCHEMA_VALIDATION_FAILED"]
    assert "1048576" in problems[0].message and problems[0].location == ""
    assert codes(validate(json.dumps(big))) == ["SCHEMA_VALIDATION_FAILED"]


# ---------------------------------------------------------------------------------------
# Positions, excerpts and hints
# ---------------------------------------------------------------------------------------

TEXT = """{
  "StartAt": "Check",
  "States": {
    "Check": {
      "Type": "Choice",
      "Choices": [
        {"Variable": "$.ok", "BooleanEquals": true, "Next": "Shipit"}
      ],
      "Default": "Fail"
    },
    "ShipIt": {"Type": "Succeed"},
    "Fail": {"Type": "Fail", "Eror": "Oops"}
  }
}"""


def test_line_column_excerpt_and_hint():
    problems = validate(TEXT)
    target = next(p for p in problems if p.location == "/States/Check/Choices[0]/Next")
    assert (target.line, target.column) == (7, 61)
    assert target.hint == "did you mean 'ShipIt'?"
    assert target.excerpt.splitlines()[0].endswith('"Next": "Shipit"}')
    assert target.excerpt.splitlines()[1].index("^") == target.excerpt.splitlines()[0].index('"Shipit"')
    field = next(p for p in problems if p.message == "Field 'Eror' is not supported")
    assert field.location == "/States/Fail"  # AWS locates the state ...
    assert (field.line, field.column) == (12, 30)  # ... the caret shows the field itself
    assert field.hint == "did you mean 'Error'?"


def test_render_location():
    assert render_location(()) == "/"
    assert render_location(("States", "C", "Choices", 0, "Next")) == "/States/C/Choices[0]/Next"
    assert render_location(("States", "P", "Branches", 1, "States", "a/b")) == "/States/P/Branches[1]/States/a/b"


def test_hint_names_a_state_in_another_scope():
    definition = {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "End": True, "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}]},
        "Q": {"Type": "Pass", "Next": "B"}}}
    problem = next(p for p in validate(definition) if p.location == "/States/Q/Next")
    assert "/States/P/Branches[0]/States/B" in problem.hint


def test_jsonata_checks_run_only_in_jsonata_states():
    jsonpath = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"a": "{% 1 + %}"}, "End": True}}}
    assert validate(jsonpath) == []  # a literal string in JSONPath
    jsonata = {"QueryLanguage": "JSONata", "StartAt": "P",
               "States": {"P": {"Type": "Pass", "Output": {"a": "{% 1 + %}"}, "End": True}}}
    assert codes(validate(jsonata)) == ["INVALID_JSONATA_EXPRESSION"]


def test_errors_output_only_inside_catch():
    def machine(field_value, in_catch):
        task = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
                "Arguments": {"FunctionName": "f"}}
        if in_catch:
            task["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Done", "Output": field_value}]
        else:
            task["Output"] = field_value
        return {"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": task, "Done": {"Type": "Succeed"}}}
    assert errors(validate(machine("{% $states.errorOutput %}", True))) == []
    outside = errors(validate(machine("{% $states.errorOutput %}", False)))
    assert codes(outside) == ["UNSUPPORTED_JSONATA_EXPRESSION", "MISSING_TRANSITION_TARGET"]


def test_choice_rules_follow_the_query_language():
    rule = {"Condition": "{% true %}", "StringEquals": "x", "Next": "D"}
    jsonata = {"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [rule], "Default": "D"}, "D": {"Type": "Succeed"}}}
    assert [p.message for p in validate(jsonata)] == [
        "The QueryLanguage is set to 'JSONata', but field 'StringEquals' is only supported for the 'JSONPath' "
        "QueryLanguage"]
    del jsonata["QueryLanguage"]
    assert [p.message for p in validate(jsonata)] == [
        "The QueryLanguage is set to 'JSONPath', but field 'Condition' is only supported for the 'JSONata' "
        "QueryLanguage", "These fields are required: [Variable]"]


def test_valid_intrinsics_and_paths_pass():
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True, "Parameters": {
        "a.$": "States.Format('{} and {}', $.x, States.ArrayLength($.items))",
        "b.$": "$$.Execution.Id", "c.$": "$.items[?(@.price > 10)]", "d.$": "States.UUID()",
        "e.$": "States.MathRandom(1, 10)", "f.$": "$myVariable.field"}}}}
    assert validate(definition) == []


def test_express_accepts_request_response():
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                                   "End": True}}}
    assert validate(definition, EXPRESS) == []
    definition["States"]["T"]["Resource"] += ".waitForTaskToken"
    assert validate(definition) == []  # fine in STANDARD
    assert codes(validate(definition, EXPRESS)) == ["SCHEMA_VALIDATION_FAILED"]


# ---------------------------------------------------------------------------------------
# Output formats
# ---------------------------------------------------------------------------------------

def test_format_problems():
    text = format_problems(validate(TEXT))
    assert "ERROR MISSING_TRANSITION_TARGET at /States/Check/Choices[0]/Next (line 7, column 61)" in text
    assert "hint: did you mean 'ShipIt'?" in text
    assert text.rstrip().endswith("3 errors, 0 warnings")
    assert format_problems([]).startswith("No problems")


def test_to_aws_response():
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True, "Result": {"a.$": "$.a"}}}}
    problems = validate(definition)
    assert codes(problems) == ["PASS_RESULT_IS_STATIC"]
    assert to_aws_response(problems) == {"result": "OK", "diagnostics": [], "truncated": False}
    with_warnings = to_aws_response(problems, severity="WARNING")
    assert with_warnings["diagnostics"] == [{
        "severity": "WARNING", "code": "PASS_RESULT_IS_STATIC", "location": "/States/P/Result/a.$",
        "message": "The Result of a Pass state is static: field 'a.$' is not evaluated as a path"}]
    loop = validate({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}})
    response = to_aws_response(loop)
    assert response == {"result": "FAIL", "truncated": False, "diagnostics": [
        {"severity": "ERROR", "code": "MISSING_END_STATE", "message": "Workflow has no terminal state"}]}
    many = validate({"StartAt": "S", "States": dict({"S": {"Type": "Succeed"}},
                                                     **{f"X{i}": {"Type": "Succeed"} for i in range(150)})})
    response = to_aws_response(many)
    assert len(response["diagnostics"]) == 100 and response["truncated"] is True
    assert to_aws_response(many, max_results=5)["diagnostics"] == [p.to_aws() for p in many[:5]]


# ---------------------------------------------------------------------------------------
# Speed: validating a typical definition costs well under 2 ms
# ---------------------------------------------------------------------------------------

TYPICAL = {
    "Comment": "An order pipeline", "StartAt": "Validate",
    "States": {
        "Validate": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "OutputPath": "$.Payload",
                     "Parameters": {"FunctionName": "validate", "Payload.$": "$"},
                     "Retry": [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 2, "MaxAttempts": 3,
                                "BackoffRate": 2.0}],
                     "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
                     "Next": "InStock?"},
        "InStock?": {"Type": "Choice", "Choices": [
            {"And": [{"Variable": "$.stock", "IsPresent": True}, {"Variable": "$.stock", "NumericGreaterThan": 0}],
             "Next": "Ship"}], "Default": "Backorder"},
        "Backorder": {"Type": "Wait", "Seconds": 3600, "Next": "Ship"},
        "Ship": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 5, "ResultPath": "$.shipped",
                 "ItemProcessor": {"StartAt": "Pack", "States": {
                     "Pack": {"Type": "Pass", "Next": "Send",
                              "Parameters": {"sku.$": "$.sku", "label.$": "States.Format('#{}', $.sku)"}},
                     "Send": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}}},
                 "Next": "Notify"},
        "Notify": {"Type": "Parallel", "Branches": [
            {"StartAt": "Email", "States": {"Email": {"Type": "Pass", "End": True}}},
            {"StartAt": "Sms", "States": {"Sms": {"Type": "Pass", "End": True}}}], "Next": "Done"},
        "Done": {"Type": "Succeed"},
        "Failed": {"Type": "Fail", "Error": "OrderFailed", "CausePath": "$.error.Cause"},
    },
}


def test_typical_definition_is_valid():
    # Its speed is a goal of bench/run.py ("validate the e-commerce definition"), not of a unit test.
    assert validate(TYPICAL) == []
    assert validate(json.dumps(TYPICAL)) == []


# ---------------------------------------------------------------------------------------
# Properties: no exception escapes, whatever comes in (10,000+ generated documents)
# ---------------------------------------------------------------------------------------

def check_result(problems) -> None:
    assert isinstance(problems, list)
    for p in problems:
        assert isinstance(p, Problem)
        assert p.severity in ("ERROR", "WARNING")
        assert p.code in AWS_CODES, p.code
        assert isinstance(p.message, str) and p.message
        assert isinstance(p.location, str)
    format_problems(problems)
    json.dumps(to_aws_response(problems, severity="WARNING"))


FIELD_NAMES = sorted({
    "Type", "Next", "End", "StartAt", "States", "Comment", "QueryLanguage", "Resource", "Parameters", "Arguments",
    "Output", "Assign", "InputPath", "OutputPath", "ResultPath", "ResultSelector", "Result", "Retry", "Catch",
    "ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy",
    "Choices", "Default", "Variable", "And", "Or", "Not", "Condition", "StringEquals", "NumericEquals",
    "IsPresent", "TimestampEquals", "BooleanEqualsPath", "Seconds", "SecondsPath", "Timestamp", "TimestampPath",
    "Error", "Cause", "ErrorPath", "CausePath", "Branches", "ItemProcessor", "Iterator", "ProcessorConfig", "Mode",
    "ExecutionType", "ItemsPath", "Items", "ItemSelector", "MaxConcurrency", "ItemReader", "ReaderConfig",
    "ItemBatcher", "ResultWriter", "Label", "ToleratedFailurePercentage", "TimeoutSeconds", "HeartbeatSeconds",
    "Credentials", "a.$", "x",
})
STRINGS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["$", "$.a", "$$.Execution.Id", "$.a[?(@.b)]", "$[", "States.ALL", "States.Format('{}', $.a)",
                     "States.Nope(", "{% $states.input %}", "{% 1 + %}", "Pass", "Task", "Choice", "Wait", "Map",
                     "Parallel", "Succeed", "Fail", "JSONata", "JSONPath", "A", "B", "DISTRIBUTED", "INLINE",
                     "arn:aws:states:::lambda:invoke", "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                     "2024-01-01T00:00:00Z", "FULL"]),
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10, max_value=10**12),
                    st.floats(allow_nan=False, allow_infinity=False), STRINGS)
JSON = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=6)), inner, max_size=5)),
    max_leaves=25)

PROPERTY_SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.slow
@settings(max_examples=3000, **PROPERTY_SETTINGS)
@given(JSON)
def test_any_json_value_gives_problems_not_exceptions(value):
    check_result(validate(value))
    check_result(validate({"StartAt": "A", "States": {"A": value}}))


VALID_BASES = [HELLO, TYPICAL, {
    "QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.n > 1 %}", "Next": "M"}], "Default": "W"},
        "W": {"Type": "Wait", "Seconds": "{% $states.input.s %}", "Next": "M"},
        "M": {"Type": "Map", "Items": "{% $states.input.items %}", "End": True,
              "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                                "StartAt": "T", "States": {"T": {"Type": "Task", "Resource":
                                                                 "arn:aws:states:::lambda:invoke",
                                                                 "Arguments": {"x": "{% $states.input %}"},
                                                                 "End": True}}},
              "Label": "Items", "ItemBatcher": {"MaxItemsPerBatch": 10}}}}]


def all_paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from all_paths(child, prefix + (key,))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from all_paths(child, prefix + (i,))


def mutate(document, data):
    """Apply a few random edits: replace a value, delete or add a key, rename a key, wrap a value."""
    document = json.loads(json.dumps(document))
    for _ in range(data.draw(st.integers(1, 4), label="edits")):
        paths = list(all_paths(document))
        path = data.draw(st.sampled_from(paths), label="path")
        if not path:
            document = data.draw(JSON, label="new root") if data.draw(st.booleans()) else document
            continue
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        action = data.draw(st.sampled_from(["replace", "delete", "add", "rename", "wrap"]), label="action")
        if action == "replace":
            parent[last] = data.draw(JSON, label="value")
        elif action == "delete":
            del parent[last]
        elif action == "add" and isinstance(parent, dict):
            parent[data.draw(st.sampled_from(FIELD_NAMES), label="field")] = data.draw(JSON, label="value")
        elif action == "rename" and isinstance(parent, dict):
            parent[data.draw(STRINGS, label="name")] = parent.pop(last)
        elif action == "wrap":
            parent[last] = [parent[last]] if data.draw(st.booleans()) else {"x": parent[last]}
    return document


@pytest.mark.slow
@settings(max_examples=5000, **PROPERTY_SETTINGS)
@given(st.sampled_from(VALID_BASES), st.data())
def test_mutated_definitions_give_problems_not_exceptions(base, data):
    document = mutate(base, data)
    workflow_type = data.draw(st.sampled_from(["STANDARD", "EXPRESS"]), label="type")
    from_dict = validate(document, workflow_type)
    check_result(from_dict)
    from_text = validate(json.dumps(document, indent=1), workflow_type)
    check_result(from_text)
    # the same findings whether the definition came as a dict or as text
    if isinstance(document, dict):
        assert [(p.code, p.location, p.message) for p in from_dict] == \
            [(p.code, p.location, p.message) for p in from_text]
    assert all(p.line is not None for p in from_text if p.location not in ("", "/"))


@settings(max_examples=2000, **PROPERTY_SETTINGS)
@given(st.one_of(
    st.text(max_size=80),
    st.text(alphabet='{}[]:,"\\ \n0123456789-.eEtruefalsn$A', max_size=80),
    st.builds(lambda d, cut: json.dumps(d)[:cut], st.sampled_from(VALID_BASES), st.integers(0, 400)),
))
def test_any_text_gives_problems_not_exceptions(text):
    problems = validate(text)
    check_result(problems)
    for p in problems:
        if p.code == "INVALID_JSON_DESCRIPTION" and p.line is not None:
            assert p.line >= 1 and p.column >= 1 and "^" in (p.excerpt or "^")


def test_issue_17_validation_edges():
    task = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
            "Parameters": {"FunctionName": "f"}}
    no_role = validate({"StartAt": "T", "States": {"T": {**task, "Credentials": {"Role": "x"}}}})
    assert [(p.severity, p.message) for p in no_role] == [
        ("ERROR", "These fields are required: [RoleArn]"), ("ERROR", "Field 'Role' is not supported")]
    assert validate({"StartAt": "T", "States": {"T": {**task, "Credentials": {"RoleArn.$": "$.role"}}}}) == []
    quote = validate({"StartAt": "T", "States": {"T": {**task, "Parameters": {"FunctionName": "f", "Payload": {
        "m.$": "States.Format('say \\\"hi\\\" {}', $.a)"}}}}})
    assert [p.severity for p in quote] == ["ERROR"] and "is not an escape" in quote[0].hint
    http = validate({"StartAt": "T", "States": {"T": {**task, "Retry": [
        {"ErrorEquals": ["States.Http.Socket", "States.Http.StatusCode.429"]}]}}})
    assert http == []  # the errors of HTTP Tasks are predefined too
    local = validate({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "Charge", "End": True}}})
    assert [p.severity for p in local] == ["WARNING"] and "lambdas={'Charge': handler}" in local[0].message
    assert to_aws_response(local)["diagnostics"] == [{
        "severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": "Value is not a valid resource ARN",
        "location": "/States/T/Resource"}]


def test_result_writer_field_sets_and_transformations():
    def with_writer(writer):
        return validate({"StartAt": "M", "States": {"M": {
            "Type": "Map", "End": True, "ResultWriter": writer,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                              "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}})
    assert with_writer({"WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSONL"}}) == []
    assert [p.message for p in with_writer({})] == ["One of these fields is required: [WriterConfig, Resource]"]
    assert [p.message for p in with_writer({"Resource": "arn:aws:states:::s3:putObject"})] == [
        "These fields are required: [Parameters]"]
    bad = with_writer({"WriterConfig": {"Transformation": "FLATEN"}})
    assert bad[0].message.startswith("Value is not one of the allowed values: [NONE, COMPACT, FLATTEN]")
    assert bad[0].hint == "did you mean 'FLATTEN'?"


def test_a_file_that_is_not_a_definition_is_not_echoed(tmp_path):
    for text in ("password=hunter2\nline two\n", '["hunter2"]', '"hunter2"'):
        path = tmp_path / "secrets.txt"
        path.write_text(text)
        problems = validate(str(path))
        assert len(problems) == 1 and "hunter2" not in str(problems[0]) and problems[0].excerpt is None
        assert "is not a state machine definition" in problems[0].message


def test_deep_values_are_checked_in_time_linear_in_depth():
    import time
    for depth in (10_000, 40_000):
        value: dict = {}
        for _ in range(depth):
            value = {"a": value, "n": float("nan")}
        started = time.perf_counter()
        problems = validate({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": value, "End": True}}})
        assert codes(problems) == ["TOO_DEEPLY_NESTED"]
        assert time.perf_counter() - started < 5  # a hang regression (was 24 s at 40,000), not a speed goal


def test_a_nan_found_first_does_not_hide_other_values_that_are_not_json():
    deep: list = []
    for _ in range(300):
        deep = [deep]
    for bad in ({1, 2}, deep):
        definition = {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                                                     "Parameters": {"A": float("nan"), "Bucket": bad}, "End": True}}}
        problems = validate(definition)
        assert "not a JSON number" in problems[0].message and len(problems) == 2


# ---------------------------------------------------------------------------------------
# The field rules (fields.py): the tables are complete, and the checker applies each row.
# (Whether a row says what AWS says is the corpus's job above; these check that the table is whole and
# that each row is applied.)
# ---------------------------------------------------------------------------------------

ALL_RULE_TABLES = {name: table for name, table in vars(rules_table).items()
                   if name.endswith("_RULES") and isinstance(table, dict)}

# A smallest valid state of each type; the state under test is "S", and "Z" is a target.
SMALLEST = {
    "Pass": {"Type": "Pass", "End": True},
    "Task": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
             "Parameters": {"FunctionName": "f"}, "End": True},
    "Choice": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": True, "Next": "Z"}]},
    "Wait": {"Type": "Wait", "Seconds": 1, "End": True},
    "Succeed": {"Type": "Succeed"}, "Fail": {"Type": "Fail"},
    "Parallel": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}],
                 "End": True},
    "Map": {"Type": "Map", "ItemProcessor": {"StartAt": "M", "States": {"M": {"Type": "Succeed"}}}, "End": True},
}


def _a_type_with(field: str) -> str:
    return next(t for t in rules_table.STATE_TYPES if field in rules_table.STATE_FIELDS[t])


def _state_with(field: str, value, language: str = "JSONPath") -> list[tuple[str, str, str]]:
    body = dict(SMALLEST[_a_type_with(field)], **{field: value})
    definition = {"QueryLanguage": language, "StartAt": "S", "States": {"S": body, "Z": {"Type": "Succeed"}}}
    return [(p.code, p.location, p.message) for p in validate(definition)]


def test_every_field_a_state_may_have_has_a_rule():
    """A field without a rule would go unchecked: Type and QueryLanguage only are read before the rules."""
    unruled = rules_table.ALL_STATE_FIELDS - set(rules_table.STATE_RULES) - {"Type", "QueryLanguage"}
    assert unruled == set()
    assert set(rules_table.STATE_RULES) <= rules_table.ALL_STATE_FIELDS


def test_every_rule_names_what_exists():
    for table_name, table in ALL_RULE_TABLES.items():
        for field, rule in table.items():
            where = f"{table_name}[{field!r}]"
            assert rule.check is None or rule.check in CHECKS, where
            assert rule.syntax is None or rule.syntax in SYNTAX, where
            assert rule.enum is None or rule.enum in rules_table.ENUMS, where
            assert rule.syntax is None or rule.message, f"{where}: a syntax check needs AWS's message"
            assert rule.code in AWS_CODES, where
            assert set(rule.types) <= {"String", "Integer", "Number", "Boolean", "Array", "Object", "Null"}, where
    assert rules_table.RETRIER_FIELDS == frozenset(rules_table.RETRIER_RULES)
    assert rules_table.CATCHER_FIELDS == frozenset(rules_table.CATCHER_RULES)


@pytest.mark.parametrize("field", sorted(f for f, r in rules_table.STATE_RULES.items() if r.minimum is not None))
def test_each_bounded_state_field_reports_its_minimum(field):
    rule = rules_table.STATE_RULES[field]
    assert ("SCHEMA_VALIDATION_FAILED", f"/States/S/{field}", f"Minimum value is {rule.minimum}") in \
        _state_with(field, rule.minimum - 1)
    assert not [p for p in _state_with(field, rule.minimum) if p[1] == f"/States/S/{field}"]


@pytest.mark.parametrize("field", sorted(f for f, r in rules_table.STATE_RULES.items() if r.maximum is not None))
def test_each_bounded_state_field_reports_its_maximum(field):
    rule = rules_table.STATE_RULES[field]
    assert ("SCHEMA_VALIDATION_FAILED", f"/States/S/{field}", f"Maximum value is {rule.maximum}") in \
        _state_with(field, rule.maximum + 1)


@pytest.mark.parametrize("field", sorted(f for f, r in rules_table.STATE_RULES.items() if r.types))
def test_each_typed_state_field_reports_a_wrong_type(field):
    rule = rules_table.STATE_RULES[field]
    wrong = {"String": 7, "Integer": "x", "Number": "x", "Boolean": "x", "Array": "x", "Object": "x"}[rule.types[0]]
    language = "JSONata" if field in rules_table.JSONATA_ONLY else "JSONPath"
    expected = f"Expected value of type: {' or '.join(rule.types)}"
    assert ("SCHEMA_VALIDATION_FAILED", f"/States/S/{field}", expected) in _state_with(field, wrong, language)


@pytest.mark.parametrize("field", sorted(f for f, r in rules_table.STATE_RULES.items() if r.syntax))
def test_each_state_field_with_a_syntax_reports_aws_message(field):
    rule = rules_table.STATE_RULES[field]
    bad = "not a path or a time" if "timestamp" in rule.syntax else "$.a[?(@"
    assert (rule.code, f"/States/S/{field}", rule.message) in _state_with(field, bad)


@pytest.mark.parametrize("field", sorted(f for f, r in rules_table.STATE_RULES.items() if r.expression))
def test_a_jsonata_expression_stands_for_the_value_where_the_rule_says(field):
    located = [p for p in _state_with(field, "{% $states.input.n %}", "JSONata") if p[1] == f"/States/S/{field}"]
    assert located == []


@pytest.mark.parametrize(("table", "field"), sorted((t, f) for t, table in ALL_RULE_TABLES.items()
                                                    for f, r in table.items() if r.enum))
def test_each_enumerated_field_lists_the_allowed_values(table, field):
    rule = ALL_RULE_TABLES[table][field]
    allowed = rules_table.ENUMS[rule.enum]
    if table == "STATE_RULES":
        found = _state_with(field, "nope")
    else:  # the objects inside states: reach the field through the rule tables' own nesting
        found = _nested_with(table, field, "nope")
    assert any(m == f"Value is not one of the allowed values: [{', '.join(allowed)}]" and loc.endswith(field)
               for _, loc, m in found), found


def _nested_with(table: str, field: str, value) -> list[tuple[str, str, str]]:
    """A definition holding ``field: value`` in the object ``table`` describes."""
    state = {"Type": "Map", "ItemProcessor": {"StartAt": "M", "States": {"M": {"Type": "Succeed"}}}, "End": True}
    definition = {"StartAt": "S", "States": {"S": state}}
    if table == "TOP_RULES":
        definition[field] = value
    elif table == "PROCESSOR_CONFIG_RULES":
        state["ItemProcessor"]["ProcessorConfig"] = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD", field: value}
    elif table == "RETRIER_RULES":
        state["Retry"] = [{"ErrorEquals": ["States.ALL"], field: value}]
    elif table == "READER_CONFIG_RULES":
        state["ItemReader"] = {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {field: value}}
    elif table == "WRITER_CONFIG_RULES":
        state["ResultWriter"] = {"WriterConfig": {field: value}}
    else:
        raise AssertionError(f"no way to reach {table} here")
    return [(p.code, p.location, p.message) for p in validate(definition)]


def test_retrier_rules_are_applied_in_table_order_after_unknown_and_required_fields():
    retrier = {"MaxAttempts": -1, "Bogus": 1, "IntervalSeconds": 0}
    found = _state_with("Retry", [retrier])
    at = "/States/S/Retry[0]"
    assert [(loc, m) for _, loc, m in found if loc.startswith(at)] == [
        (at, "Field 'Bogus' is not supported"), (at, "These fields are required: [ErrorEquals]"),
        (f"{at}/IntervalSeconds", "Minimum value is 1"), (f"{at}/MaxAttempts", "Minimum value is 0"),
    ]
