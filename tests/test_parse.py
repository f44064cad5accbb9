"""stepfn_lab.asl.parse: loading definitions (dict, text, file) and what from_json(validate=False)
still refuses: nothing Python-level ever escapes."""

from __future__ import annotations

import pytest

import stepfn_lab as sfl
from stepfn_lab.asl.parse import load_definition, structure_problems
from stepfn_lab.asl.source import DEPTH_LIMIT
from stepfn_lab.errors import DefinitionError


@pytest.mark.parametrize("definition, where, words", [
    ({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Missing"}}}, "/States/A/Next", "'Missing'"),
    ({"StartAt": "A"}, "/States", "at least one state"),
    ({"StartAt": "A", "States": [1]}, "/States", "at least one state"),
    ({"StartAt": "B", "States": {"A": {"Type": "Pass", "End": True}}}, "/StartAt", "'B'"),
    ({"StartAt": "A", "States": {"A": 3}}, "/States/A", "must be an object"),
    ({"StartAt": "A", "States": {"A": {"Type": "Pas", "End": True}}}, "/States/A/Type", "'Pas'"),
    ({"StartAt": "A", "States": {"A": {"Type": "Pass"}}}, "/States/A", "needs \"Next\""),
    ({"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": 5}}}, "/States/A/Choices", "array"),
    ({"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [{"Next": "X"}]}}}, "/States/A/Choices/0/Next",
     "'X'"),
    ({"StartAt": "A", "States": {"A": {"Type": "Map", "End": True}}}, "/States/A/Iterator", "StartAt and States"),
    ({"StartAt": "A", "States": {"A": {"Type": "Parallel", "Branches": [{}], "End": True}}},
     "/States/A/Branches/0/States", "at least one state"),
    ({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, "Catch": [{"Next": "Nope"}]}}},
     "/States/A/Catch/0/Next", "'Nope'"),
])
def test_validate_false_still_refuses_what_cannot_run(definition, where, words):
    with pytest.raises(DefinitionError) as info:
        sfl.StateMachine.from_json(definition, validate=False)
    problem = info.value.problems[0]
    assert problem.location == where and words in problem.message
    assert structure_problems(definition)


def test_did_you_mean_for_a_misspelled_next():
    problems = structure_problems({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Fnish"},
                                                             "Finish": {"Type": "Succeed"}}})
    assert problems[0].hint == "did you mean 'Finish'?"


def test_odd_values_no_run_can_use_are_refused_even_without_validation():
    # a string where Wait needs seconds used to reach the run and end in "Internal error ... ValueError"
    with pytest.raises(DefinitionError) as info:
        sfl.StateMachine.from_json({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": "x",
                                                                     "End": True}}}, validate=False)
    problem = info.value.problems[0]
    assert (problem.location, problem.message) == ("/States/W/Seconds", "Expected value of type: Integer")


def test_too_deep_definitions_are_refused_with_the_limit():
    value: list = []
    for _ in range(DEPTH_LIMIT + 10):
        value = [value]
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": value, "End": True}}}
    for validate in (True, False):
        with pytest.raises(DefinitionError) as info:
            sfl.StateMachine.from_json(definition, validate=validate)
        assert info.value.problems[0].code == "TOO_DEEPLY_NESTED"
    text = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "Result": ' + "[" * 50_000 \
        + "]" * 50_000 + "}}}"
    with pytest.raises(DefinitionError, match="nested more than"):
        sfl.StateMachine.from_json(text, validate=False)


def test_a_file_that_is_not_a_definition_is_not_echoed(tmp_path):
    secret = tmp_path / "notes.txt"
    secret.write_text("password=hunter2\nsecond line\n")
    for call in (lambda: load_definition(str(secret)), lambda: sfl.StateMachine.from_json(secret)):
        with pytest.raises(DefinitionError) as info:
            call()
        assert "hunter2" not in str(info.value) and "not a state machine definition" in str(info.value)
    bad = tmp_path / "bin.asl.json"
    bad.write_bytes(b"\xff\xfe{")
    with pytest.raises(DefinitionError, match="Cannot read the definition file"):
        load_definition(bad)


@pytest.mark.parametrize("resource", [[], {"a": 1}, 5, None])
def test_a_task_resource_that_is_not_a_string_is_a_definition_error_without_validation(resource):
    # found by the property suite: Resource [] reached the Task's first phase and ended in "Internal error"
    task = {"Type": "Task", "End": True} if resource is None else {"Type": "Task", "Resource": resource, "End": True}
    with pytest.raises(DefinitionError) as info:
        sfl.StateMachine.from_json({"StartAt": "A", "States": {"A": task}}, validate=False)
    problem = info.value.problems[0]
    assert problem.location in ("/States/A/Resource", "/States/A")
    assert "Resource" in str(problem) or problem.location.endswith("/Resource")
