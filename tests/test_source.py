"""stepfn_lab.asl.source: JSON values the kit can handle (depth limit, NaN, types) and files that
are not definitions."""

from __future__ import annotations

import pytest

from stepfn_lab.asl.source import DEPTH_LIMIT, json_problem, not_a_definition, pointer, too_deep_text


def nested(depth: int, leaf=1):
    value = leaf
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


def test_values_up_to_the_limit_are_accepted_and_deeper_ones_located():
    assert json_problem(nested(DEPTH_LIMIT)) is None
    where, why = json_problem(nested(DEPTH_LIMIT + 1))
    assert len(where) == DEPTH_LIMIT and why == f"nested more than {DEPTH_LIMIT} levels deep (stepfn_lab's limit)"


def test_the_check_never_recurses_and_stops_at_the_limit():
    deep = nested(200_000)  # far past Python's recursion limit
    assert json_problem(deep)[1].startswith("nested more than")
    assert json_problem([nested(50) for _ in range(2_000)]) is None


@pytest.mark.parametrize("value, where, why", [
    ({"a": [1, float("nan")]}, ("a", 1), "nan is not a JSON number"),
    ([float("-inf")], (0,), "-inf is not a JSON number"),
    ({"a": {1, 2}}, ("a",), "Object of type set is not JSON serializable"),
    ({(1, 2): 3}, (), "keys must be str, int, float, bool or None, not tuple"),
    (b"x", (), "Object of type bytes is not JSON serializable"),
])
def test_what_is_not_json_is_named_with_its_place(value, where, why):
    assert json_problem(value) == (where, why)


def test_a_cycle_is_reported_as_one():
    cyclic: dict = {"a": []}
    cyclic["a"].append(cyclic)
    assert json_problem(cyclic) == (("a", 0), "a circular reference (the value contains itself)")
    shared = [1]
    assert json_problem({"x": shared, "y": shared}) is None  # shared, not circular


def test_lone_surrogates_and_huge_integers_are_json():
    assert json_problem({"s": "\ud800", "n": 10 ** 400}) is None


def test_a_file_that_is_not_a_definition_is_described_without_its_contents():
    for text in ("password=hunter2\n", '["hunter2"]', '"hunter2"', "[" * 5000 + "]" * 5000):
        reason = not_a_definition(text)
        assert reason and "hunter2" not in reason
    assert not_a_definition('{"StartAt": "A", "States": {}}') is None
    assert not_a_definition('{"StartAt": "A",\n "States": {"A": {"Type": "Pass" "End": true}}}') is None  # a typo


def test_pointers_are_escaped_and_shortened():
    assert pointer(("States", "a/b", 0)) == "/States/a~1b/0"
    assert pointer(()) == "(top level)"
    assert "more)" in pointer(tuple(range(40)))


def test_too_deep_text_counts_brackets_outside_strings():
    assert not too_deep_text('{"a": "' + "[" * 1000 + '"}')  # brackets in a string do not nest
    assert not too_deep_text("[" * DEPTH_LIMIT + "]" * DEPTH_LIMIT)
    assert too_deep_text("[" * (DEPTH_LIMIT + 1) + "]" * (DEPTH_LIMIT + 1))
    assert not too_deep_text("[" + "[], " * 5000 + "[]]")  # many containers, shallow
