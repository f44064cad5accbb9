"""stepfn_lab.asl.paths: JSONPath and reference paths."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stepfn_lab.asl.paths import (PathNotFound, ResultPathMismatch, compile_path, compile_reference_path,
                                  evaluate_path)
from stepfn_lab.errors import PathSyntaxError

DOC = {"order": {"id": 7, "items": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 3}], "tags": ["x", "y"]},
       "a.b": 1, "odd key": 2}


@pytest.mark.parametrize("text, expected", [
    ("$", DOC),
    ("$.order.id", 7),
    ("$.order.items[1].sku", "B"),
    ("$['order']['tags'][0]", "x"),
    ('$["odd key"]', 2),
    ("$.order.items[*].sku", ["A", "B"]),
    ("$.order.items[?(@.qty > 1)].sku", ["B"]),
    ("$.order.tags[0:1]", ["x"]),
])
def test_get(text, expected):
    assert compile_path(text).get(DOC) == expected


def test_context_and_variables_roots():
    assert evaluate_path("$$.Execution.Name", {}, {"Execution": {"Name": "run-1"}}) == "run-1"
    assert evaluate_path("$total.net", {}, None, {"total": {"net": 5}}) == 5
    path = compile_path("$x")
    assert path.variable == "x"
    with pytest.raises(PathNotFound) as info:
        path.get({}, None, {})
    assert "Variable 'x' is not defined" in str(info.value)


def test_missing_leaf_and_missing_parent_use_jaywayish_messages():
    with pytest.raises(PathNotFound) as leaf:
        compile_path("$.order.nope").get(DOC)
    assert str(leaf.value) == "Invalid path '$.order.nope' : No results for path: $['order']['nope']"
    with pytest.raises(PathNotFound) as parent:
        compile_path("$.no.such.path").get(DOC)
    assert str(parent.value) == "Invalid path '$.no.such.path' : Missing property in path $['no']"


def test_index_out_of_range_and_type_mismatch_are_not_found():
    with pytest.raises(PathNotFound):
        compile_path("$.order.tags[5]").get(DOC)
    with pytest.raises(PathNotFound):
        compile_path("$.order.id.deeper").get(DOC)


def test_exists():
    assert compile_path("$.order.id").exists(DOC)
    assert not compile_path("$.order.missing").exists(DOC)
    assert not compile_path("$.order.items[?(@.qty > 9)]").exists(DOC)


def test_compiled_once():
    assert compile_path("$.order.id") is compile_path("$.order.id")


@pytest.mark.parametrize("bad", ["order.id", "", "$.order[", "$..[?(@.x ==)]"])
def test_syntax_errors(bad):
    with pytest.raises(PathSyntaxError):
        compile_path(bad)


def test_reference_path_copies_only_along_the_path():
    raw = {"keep": {"big": list(range(100))}, "target": {"old": 1}}
    out = compile_reference_path("$.target.new").apply(raw, {"r": 1})
    assert out == {"keep": raw["keep"], "target": {"old": 1, "new": {"r": 1}}}
    assert out["keep"] is raw["keep"]  # shared, not copied
    assert raw == {"keep": {"big": list(range(100))}, "target": {"old": 1}}  # input untouched
    assert compile_reference_path("$").apply(raw, 5) == 5


def test_reference_path_creates_missing_objects_and_rejects_scalars():
    assert compile_reference_path("$.a.b").apply({}, 1) == {"a": {"b": 1}}
    with pytest.raises(ResultPathMismatch):
        compile_reference_path("$.a.b").apply({"a": 3}, 1)
    with pytest.raises(PathSyntaxError):
        compile_reference_path("$.items[*]")
    with pytest.raises(PathSyntaxError):
        compile_reference_path("$$.Execution")


@given(st.dictionaries(st.text("abcxyz", min_size=1, max_size=4), st.integers(), min_size=1))
def test_every_key_of_a_flat_object_is_reachable(doc):
    for key, value in doc.items():
        assert compile_path(f"$['{key}']").get(doc) == value


def test_arithmetic_is_not_jsonpath():
    with pytest.raises(PathSyntaxError) as info:
        compile_path("$.stock - 1")
    assert "States.MathAdd" in str(info.value)


def test_a_dot_before_a_bracket_is_read_as_jayway_reads_it():
    # AWS sample workflows write $.[0].body, OutputPath "$.[0]" after a Parallel, and $.[?(...)] filters
    assert evaluate_path("$.[0].body", [{"body": "hi"}]) == "hi"  # definite: the value, not [value]
    assert evaluate_path("$.[0]", [{"a": 1}, {"a": 2}]) == {"a": 1}
    assert evaluate_path("$.a.['b c']", {"a": {"b c": 3}}) == 3
    assert evaluate_path("$.[?(@.x > 1)]", [{"x": 1}, {"x": 3}]) == [{"x": 3}]  # a filter: a list
    assert evaluate_path("$..x", [{"x": 1}, {"x": 2}]) == [1, 2]  # recursive descent is untouched
    assert compile_path("$.[0]").definite and not compile_path("$.[?(@.x)]").definite
