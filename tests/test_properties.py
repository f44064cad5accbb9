"""Property-based robustness suite (hypothesis): nothing but the kit's own answers ever comes out.

Mutated definitions, deep and odd data (lone surrogates, huge numbers, NaN and Infinity, deep
nesting, long strings, values that are not JSON) and misbehaving handlers are thrown at
``validate``, ``StateMachine.from_json`` (with and without validation), ``run``,
``inspect_state`` and a durable store. The properties: every call returns within TIME_BOUND,
raises nothing but a ``StepFnLabError``, and an execution that goes wrong fails with an
AWS-style error (never the kit's "Internal error" safety net).

Profiles (hypothesis settings profiles, chosen with STEPFN_LAB_PROPERTIES): ``ci`` (the default,
small: the whole file runs in well under a minute), ``medium`` (2,000 examples) and ``large`` (100,000 examples in all,
shared out between the properties: run it once before a release, in the background, e.g.
``STEPFN_LAB_PROPERTIES=large nice pytest tests/test_properties.py``; or in parts, each with its own
``--hypothesis-seed`` and ``STEPFN_LAB_PROPERTIES_TOTAL`` = its share).
"""

from __future__ import annotations

import copy
import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stepfn_lab as sfl
from stepfn_lab.errors import StepFnLabError

TIME_BOUND = 20.0  # CPU seconds per call: generous; a hang takes far longer
LARGE_TOTAL = int(os.environ.get("STEPFN_LAB_PROPERTIES_TOTAL", 100_000))  # lower it to run the large profile in parts
# each property's share of the large profile's examples (a durable example costs ~5 times the others)
SHARES = {"validate": 0.19, "values": 0.19, "runs": 0.19, "good": 0.19, "inspect": 0.19, "durable": 0.05}
_COMMON = dict(deadline=None, database=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
settings.register_profile("stepfn-ci", max_examples=20, derandomize=True, **_COMMON)  # the same examples every run
settings.register_profile("stepfn-medium", max_examples=2_000 // len(SHARES), **_COMMON)
settings.register_profile("stepfn-large", max_examples=LARGE_TOTAL // len(SHARES), **_COMMON)
PROFILE_NAME = "stepfn-" + os.environ.get("STEPFN_LAB_PROPERTIES", "ci")
PROFILE = settings.get_profile(PROFILE_NAME)


def profile(name: str) -> settings:
    """The chosen profile; the large one gives each property its share of LARGE_TOTAL examples."""
    if PROFILE_NAME == "stepfn-large":
        return settings(PROFILE, max_examples=round(LARGE_TOTAL * SHARES[name]))
    return PROFILE


FN = "arn:aws:lambda:us-east-1:123456789012:function:work"
EXAMPLES = Path(sfl.__file__).parent / "examples"

# --- data -------------------------------------------------------------------------------------

HUGE = [10 ** 400, -(10 ** 400), 2 ** 63, 2 ** 64 + 1, 10 ** 21, 1e308, -1e308, 5e-324]
text = st.text(alphabet=st.characters(exclude_categories=()), max_size=12)  # lone surrogates included
long_text = st.sampled_from(["x" * 300_000, "é" * 100_000, "\ud800" * 1000, "{% $x %}" * 100, "$" * 5000])
leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.sampled_from(HUGE),
                 st.floats(allow_nan=True, allow_infinity=True), text, long_text)
json_like = st.recursive(leaf, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(text, inner, max_size=4)), max_leaves=12)


class _Shown:
    """A deep value's outermost container, shown by hypothesis as one line (its printer recurses)."""

    def _repr_pretty_(self, printer, cycle):
        printer.text(f"<{self.levels} levels of {self.kind}>")


class DeepList(_Shown, list):
    pass


class DeepDict(_Shown, dict):
    pass


def nest(depth: int, kind: str, bottom):
    value = bottom
    for i in range(depth - 1):
        value = [value] if kind == "list" or (kind == "mixed" and i % 2) else {"k": value}
    top = DeepList([value]) if kind == "list" else DeepDict(k=value)
    top.levels, top.kind = depth, kind
    return top


deep = st.builds(nest, st.integers(1, 5000), st.sampled_from(["list", "dict", "mixed"]), leaf)
odd = st.sampled_from([{1, 2}, b"bytes", object(), (1, 2), {(1, 2): 3}, float("nan"), {"x": float("-inf")}])
data = st.one_of(json_like, deep, odd)

# --- handlers that misbehave ----------------------------------------------------------------------


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("__str__ fails too")


def handler_for(behaviour: str, value):
    def handler(event, context=None):
        if behaviour == "raise":
            raise ValueError(value)
        if behaviour == "unprintable":
            raise Unprintable()
        if behaviour == "task-failed":
            raise sfl.TaskFailed(str(value)[:50], str(value)[:50])
        if behaviour == "bytes":
            return value if isinstance(value, bytes) else json.dumps(value, default=str).encode("utf-8", "replace")
        if behaviour == "echo":
            return event
        return value
    return handler


handlers = st.builds(handler_for, st.sampled_from(["return", "raise", "unprintable", "task-failed", "bytes", "echo"]),
                     st.one_of(data, st.sampled_from([b"\xff\xfe", b"{not json", b"NaN", b"[1,", b""])))

# --- definitions and their mutations ------------------------------------------------------------

BASES = [json.loads(p.read_text()) for p in sorted(EXAMPLES.glob("*.asl.json"))] + [
    {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": FN, "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}], "Next": "C"},
        "C": {"Type": "Choice", "Choices": [
            {"Variable": "$.a", "StringLessThan": "é", "Next": "W"},
            {"Variable": "$.n", "NumericGreaterThan": 1, "Next": "P"}], "Default": "P"},
        "W": {"Type": "Wait", "Seconds": 5, "Next": "P"},
        "P": {"Type": "Pass", "Parameters": {"v.$": "$", "j.$": "States.JsonToString($)",
                                             "h.$": "States.Hash(States.JsonToString($), 'SHA-256')"},
              "ResultPath": "$.p", "Next": "M"},
        "M": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {"StartAt": "I", "States": {
            "I": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Parameters": {"FunctionName": "work", "Payload.$": "$"}, "End": True}}}, "Next": "Par"},
        "Par": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}],
                "End": True}}},
    {"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"x": "{% $states.input %}"},
              "Output": "{% $string($states.input) & $x.n + 1 %}", "Next": "B"},
        "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Arguments": {"FunctionName": "work", "Payload": "{% $states.input %}"},
              "Output": "{% $states.result.Payload %}", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input = 1 %}", "Next": "D"}], "Default": "D"},
        "D": {"Type": "Map", "Items": "{% [1, 2] %}", "ItemProcessor": {"StartAt": "E", "States": {
            "E": {"Type": "Pass", "Output": "{% $states.input * 1e308 * 10 %}", "End": True}}}, "End": True}}},
]
FIELDS = ["Type", "Next", "End", "Resource", "Parameters", "ResultPath", "InputPath", "OutputPath", "Result",
          "ResultSelector", "Choices", "Default", "Branches", "ItemProcessor", "Iterator", "ItemsPath", "Items",
          "Seconds", "SecondsPath", "Timestamp", "Retry", "Catch", "Assign", "Output", "Arguments", "StartAt",
          "States", "QueryLanguage", "TimeoutSeconds", "MaxConcurrency", "ErrorEquals", "Variable", "Condition"]
odd_field_values = st.one_of(data, st.sampled_from(
    ["$", "$$", "$.a", "$..x", "$[0]", "States.Format('{}', $.a)", "{% $states.input %}", "{% ) %}",
     "{% $states.input.n + 1 %}", "T", "P", "Missing", "Pass", "Task", "Map", -1, 0, 10 ** 30, [], {}]))


def _containers(value, frozen: set):
    """(path, container) of a definition down to 30 levels (iteratively), skipping the values a
    mutation put in: they may be shared with the strategies and must never change."""
    todo = [((), value)]
    while todo:
        path, node = todo.pop()
        if isinstance(node, (dict, list)) and len(path) < 30 and id(node) not in frozen:
            yield path, node
            pairs = node.items() if isinstance(node, dict) else enumerate(node)
            todo.extend((path + (key,), child) for key, child in pairs)


@st.composite
def definitions(draw):
    definition = copy.deepcopy(draw(st.sampled_from(BASES)))
    frozen: set = set()
    for _ in range(draw(st.integers(0, 4))):
        places = list(_containers(definition, frozen))
        path, target = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["set", "delete", "replace"]))
        if isinstance(target, dict):
            key = draw(st.one_of(st.sampled_from(FIELDS + list(target)), text))
            if action == "delete" and target:
                target.pop(draw(st.sampled_from(sorted(target, key=str))), None)
                continue
            value = target[key] = draw(odd_field_values)
        elif target:
            index = draw(st.integers(0, len(target) - 1))
            if action == "delete":
                del target[index]
                continue
            value = target[index] = draw(odd_field_values)
        else:
            continue
        frozen.add(id(value))
    return definition


# --- the properties ----------------------------------------------------------------------------

def within_bound(call, *args, **kwargs):
    """Call; return its result or None for a StepFnLabError; anything else fails the property."""
    started = time.process_time()  # CPU time: a hang burns it, a busy machine does not
    try:
        return call(*args, **kwargs)
    except StepFnLabError:
        return None
    finally:
        assert time.process_time() - started < TIME_BOUND, f"{call.__name__} took too long"


def check_execution(execution) -> None:
    assert execution.internal_error is None, execution.internal_error
    if execution.status == "FAILED":
        assert isinstance(execution.error, str) and execution.error, execution.error
        assert "Internal error" not in (execution.cause or "")
    json.dumps([e.to_aws() for e in execution.history], default=str)


@profile("validate")
@given(definitions())
def test_validate_answers_every_definition(definition):
    problems = within_bound(sfl.validate, definition)
    assert problems is not None and all(isinstance(p, sfl.errors.Problem) for p in problems)
    try:
        text = json.dumps(definition, default=str)
    except (RecursionError, ValueError, TypeError):
        return  # not JSON text Python's json can write: the dict form was checked above
    assert within_bound(sfl.validate, text) is not None


@profile("values")
@given(st.one_of(definitions(), data))
def test_validate_and_from_json_answer_any_value(value):
    assert within_bound(sfl.validate, value) is not None
    within_bound(sfl.StateMachine.from_json, value)
    within_bound(sfl.StateMachine.from_json, value, validate=False)


@profile("runs")
@given(definitions(), data, handlers, st.booleans())
def test_runs_end_with_the_kits_answers(definition, value, handler, validate):
    machine = within_bound(sfl.StateMachine.from_json, definition, validate=validate)
    if machine is None:
        return
    execution = within_bound(machine.run, value, lambdas={"work": handler}, max_transitions=200)
    if execution is not None:
        check_execution(execution)


@profile("good")
@given(st.sampled_from(BASES[-2:]), st.one_of(json_like, deep), handlers)
def test_good_definitions_fail_bad_data_with_aws_errors(definition, value, handler):
    machine = sfl.StateMachine.from_json(definition)
    execution = within_bound(machine.run, value, lambdas={"work": handler}, max_transitions=200)
    if execution is not None:
        check_execution(execution)


@profile("inspect")
@given(st.one_of(definitions(), st.sampled_from([s for b in BASES for s in b["States"].values()])),
       st.one_of(data, text), handlers, st.sampled_from(["INFO", "DEBUG", "TRACE"]))
def test_inspect_state_answers(definition, value, handler, level):
    result = within_bound(sfl.inspect_state, definition, value, level, lambdas={"work": handler})
    if result is not None:
        json.dumps(result, default=str)


@profile("durable")
@given(definitions(), st.one_of(json_like, deep), handlers, st.data())
def test_durable_runs_answer_and_reload(tmp_path_factory, definition, value, handler, draw):
    machine = within_bound(sfl.StateMachine.from_json, definition, validate=False)
    if machine is None:
        return
    store = str(tmp_path_factory.mktemp("store") / "runs.db")
    execution = within_bound(machine.start, value, store=store, lambdas={"work": handler}, max_transitions=50)
    if execution is None:
        return
    within_bound(execution.run, max_events=draw.draw(st.integers(1, 40)))
    execution.close()
    again = sfl.load_execution(execution.arn, store, lambdas={"work": handler})  # must always come back
    assert len(again.history) == len(execution.history)
    finished = within_bound(again.run)
    if finished is not None:
        check_execution(finished)
    again.close()


def test_the_ci_profile_is_small_and_the_large_one_has_100000_examples():
    assert settings.get_profile("stepfn-ci").max_examples * len(SHARES) < 200
    assert sum(round(LARGE_TOTAL * share) for share in SHARES.values()) == LARGE_TOTAL
