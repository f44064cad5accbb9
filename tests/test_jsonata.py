"""JSONata in Step Functions: expressions, templates, the added functions, errors and speed."""

from __future__ import annotations

import re
import threading
import time
import uuid

import pytest

from stepfn_lab.asl.jsonata import (
    Expression, SeededRng, check_references, check_syntax, compile_expression, compile_template,
    diagnose, is_expression, java_random_double, json_type,
)
from stepfn_lab.errors import QUERY_EVALUATION_ERROR, PathSyntaxError, StatesError

STATES = {
    "input": {"counter": 41, "price": 2.0, "name": "ada", "gone": None,
              "items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 3}]},
    "context": {"Execution": {"Id": "exec-1"}, "State": {"Name": "Step"}},
}


def run(text, states=STATES, variables=None, **kwargs):
    return compile_expression(text, "Output").evaluate(states, variables or {}, **kwargs)


def failure(text, field="Output", states=STATES, variables=None, **kwargs):
    with pytest.raises(StatesError) as caught:
        compile_expression(text, field).evaluate(states, variables or {}, **kwargs)
    assert caught.value.error == QUERY_EVALUATION_ERROR
    return caught.value.cause


# --------------------------------------------------------------------------- recognising

@pytest.mark.parametrize("value, expected", [
    ("{% $states.input %}", True),
    ("{%$states.input%}", True),
    ("{% %}", True),
    (" {% $states.input %}", False),   # AWS: a leading space makes it a plain string
    ("{% $states.input %} ", False),
    ("{% $states.input", False),
    ("$states.input", False),
    ("{%}", False),
    (42, False),
    (None, False),
])
def test_is_expression_needs_the_whole_string(value, expected):
    assert is_expression(value) is expected


def test_text_is_taken_with_or_without_delimiters_and_trimmed():
    assert compile_expression("{%   $states.input.counter   %}", "Output").text == "$states.input.counter"
    assert compile_expression("$states.input.counter", "Output").text == "$states.input.counter"
    assert run("{% $states.input.counter %}") == 41


# --------------------------------------------------------------------------- $states and variables

def test_states_fields_and_variables():
    assert run("$states.input.counter + 1") == 42
    assert run("$states.context.Execution.Id") == "exec-1"
    assert run("$states.input.items[qty > 2].sku") == "b"
    assert run("$states.input.items.sku") == ["a", "b"]
    assert run("$total * 2", variables={"total": 21}) == 42
    assert run("$order.lines[1]", variables={"order": {"lines": [10, 20]}}) == 20
    states = {"input": {}, "context": {}, "result": {"Payload": 7}, "errorOutput": {"Error": "E"}}
    assert run("$states.result.Payload", states) == 7
    assert run("$states.errorOutput.Error", states) == "E"


def test_paths_follow_jsonata_through_arrays_and_other_dicts():
    from collections import OrderedDict
    states = {"input": {"objs": [{"a": 1}, {"a": [2, 3]}], "one": [5], "deep": {"x": {"y": "z"}},
                        "ordered": OrderedDict(k="v")}}
    assert run("$states.input.objs.a", states) == [1, 2, 3]   # mapped over the array, then flattened
    assert run("$states.input.one", states) == [5]            # an array value stays an array
    assert run("$states.input.deep.x.y", states) == "z"
    assert run("$states.input.ordered.k", states) == "v"
    assert run("$v.k", variables={"v": [{"k": 1}, {"k": 2}]}) == [1, 2]
    assert failure("$states.input.deep.x.y.z", states=states).endswith("returned nothing (undefined).")


def test_null_is_a_value_and_missing_is_not():
    assert run("$states.input.gone") is None
    assert run("{'v': $states.input.gone}") == {"v": None}
    assert run("$v", variables={"v": None}) is None
    assert run("$exists($v)", variables={"v": None}) is True
    assert run("$type($states.input.gone)") == "null"
    assert run("$count(null)") == 1


def test_a_variable_that_is_not_set_is_undefined():
    assert failure("$nope", "Output/result") == (
        "The JSONata expression '$nope' specified for the field 'Output/result' returned nothing (undefined).")


def test_local_bindings_do_not_leak_into_the_next_evaluation():
    expr = compile_expression("($x := $states.input.counter; $x + $y)", "Output")
    assert expr.evaluate(STATES, {"y": 1}) == 42
    assert expr.evaluate({"input": {"counter": 1}}, {"y": 1}) == 2


def test_variables_the_expression_reads():
    expr = compile_expression("($t := $a + $b; $f := function($q){ $q * $c }; $f($t) + $sum([1]))", "Output")
    assert expr.variables == {"a", "b", "c"}
    assert compile_expression("$states.input.x", "Output").variables == frozenset()


# --------------------------------------------------------------------------- numbers

def test_whole_numbers_come_back_as_integers():
    assert run("$states.input.price") == 2 and type(run("$states.input.price")) is int
    assert type(run("1.5 * 2")) is int
    assert run("1.5 + 1") == 2.5
    assert run("$parse('[1.0, {\"a\": 3.0}]')") == [1, {"a": 3}]
    assert type(run("$parse('[1.0]')")[0]) is int
    assert run("1e21 * 10") == 1e22 and isinstance(run("1e21 * 10"), float)


def test_javascript_arithmetic():
    assert run("5.5 % 2") == 1.5
    assert run("-5.5 % 2") == -1.5
    assert run("1 / 0") == "Infinity"
    assert run("-1 / 0") == "-Infinity"
    assert run("0 / 0") == "NaN"


def test_string_writes_numbers_as_javascript_does():
    assert run("$string(1e20)") == "100000000000000000000"
    assert run("$string(1e21)") == "1e+21"
    assert run("$string(0.1 + 0.2)") == "0.3"
    assert run("$string(0.000001)") == "0.000001"
    assert run("$string(1.5e-7)") == "1.5e-7"
    assert run("'n=' & 2.50") == "n=2.5"
    assert run("$string({'a': [1, 2.5, null]})") == '{"a":[1,2.5,null]}'
    assert run("$string({'a': 1}, true)") == '{\n  "a": 1\n}'


def test_number_follows_the_javascript_rules():
    assert run("$number('12')") == 12
    assert run("$number('0x1F')") == 31
    assert run("$number(true)") == 1
    assert failure("$number('12abc')").endswith(
        "threw an error during evaluation. D3030: Unable to cast value to a number: \"12abc\"")


# --------------------------------------------------------------------------- what fails a state

def test_function_results_are_not_supported():
    assert failure("$fn := function($x){$x}", "Items") == (
        "The JSONata expression '$fn := function($x){$x}' specified for the field 'Items' "
        "returned an unsupported result type.")
    assert failure("$sum").endswith("returned an unsupported result type.")
    assert run("{'f': function($x){$x}, 'a': 1}") == {"a": 1}


def test_evaluation_errors_read_like_the_javascript_library():
    assert failure("$states.input.name + 1", "Arguments/total") == (
        "The JSONata expression '$states.input.name + 1' specified for the field 'Arguments/total' "
        "threw an error during evaluation. T2001: The left side of the \"+\" operator must evaluate to a number")
    assert failure("1 < 'a'").endswith(
        'T2009: The values 1 and "a" either side of operator "<" must be of the same data type')
    assert failure("$uppercase(1)").endswith(
        'T0410: Argument 1 of function "uppercase" does not match function signature')
    assert failure("$error('stop here')").endswith("threw an error during evaluation. D3137: stop here")


def test_eval_is_taken_away():
    assert failure("$eval('1 + 1')").endswith("threw an error during evaluation. T1006: Attempted to invoke a non-function")


def test_a_runaway_expression_is_stopped(monkeypatch):
    import stepfn_lab.asl.jsonata.evaluator as module
    monkeypatch.setattr(module, "TIMEOUT_MS", 200)
    started = time.monotonic()
    cause = failure("($loop := function($n){ $loop($n + 1) }; $loop(0))")
    assert "D1012" in cause and time.monotonic() - started < 5
    assert "D1011" in failure("($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000))")


def test_expected_type():
    expr = compile_expression("$states.input.name", "Items")
    with pytest.raises(StatesError) as caught:
        expr.evaluate(STATES, {}, expect="array")
    assert caught.value.cause == ("The JSONata expression '$states.input.name' specified for the field 'Items' "
                                  "returned an unexpected result type. Expected 'array', but was 'string' "
                                  "for value: \"ada\"")
    null_items = compile_expression("null", "Items")
    with pytest.raises(StatesError, match="but was 'null' for value: null"):
        null_items.evaluate(STATES, {}, expect="array")
    assert compile_expression("$states.input.items.qty", "Items").evaluate(STATES, {}, expect="array") == [1, 3]
    assert [json_type(v) for v in (None, True, 1, 1.5, "s", [], {})] == [
        "null", "boolean", "number", "number", "string", "array", "object"]


# --------------------------------------------------------------------------- syntax

def test_syntax_errors_name_the_field_and_the_column():
    with pytest.raises(PathSyntaxError) as caught:
        compile_expression("{% $states.input.a[1,2) %}", "Output/result")
    err = caught.value
    assert err.field_name == "Output/result"
    assert err.reason == 'Expected "]", got ","'
    assert err.text[err.column] == ","
    assert "Output/result" in str(err) and "^" in str(err)


@pytest.mark.parametrize("text, message", [
    ("a[1,2)", 'Expected "]", got ","'),
    ('"open', "String literal must be terminated by a matching quote"),
    ("1 +", "Unexpected end of expression"),
    ('{"a":}', 'The symbol "}" cannot be used as a unary operator'),
    ('$match("a", /abc', "No terminating / in regular expression"),
    ("", "Unexpected end of expression"),
    ("(1", 'Expected ")" before end of expression'),
    ("$states.input.a", None),
])
def test_check_syntax(text, message):
    assert check_syntax(text) == message
    assert check_syntax("{% " + text + " %}") == message


@pytest.mark.parametrize("text, message", [
    ("phone", "Reference to 'phone' at the top level is not supported."),
    ("{'a': b}", "Reference to 'b' at the top level is not supported."),
    ("$map($states.input.a, function($x){ b })", "Reference to 'b' at the top level is not supported."),
    ("$$", "Reference to '$$' is not supported."),
    ("$string($)", "Reference to '$' is not supported."),
    ("$states.nothing", "Field '$states.nothing' does not exist."),
    ("$states.input.items[qty > 3].sku", None),
    ("$states.input.items^(qty){sku: qty}", None),
    ("$states.input.(a + b)", None),
    ("$x[$ > 1]", None),
])
def test_check_references(text, message):
    assert check_references(text) == message


def test_error_output_outside_a_catch_and_diagnose():
    assert check_references("$states.errorOutput") is None
    assert check_references("$states.errorOutput", ("input", "context")) == "Field '$states.errorOutput' does not exist."
    assert diagnose("{% a[1,2) %}") == ("INVALID_JSONATA_EXPRESSION", 'Expected "]", got ","')
    assert diagnose("{% phone %}") == ("UNSUPPORTED_JSONATA_EXPRESSION",
                                       "Reference to 'phone' at the top level is not supported.")
    assert diagnose("{% $states.input.phone %}") is None


# --------------------------------------------------------------------------- Step Functions' functions

@pytest.mark.parametrize("text, expected", [
    ("$partition([1,2,3,4,5], 2)", [[1, 2], [3, 4], [5]]),
    ("$partition([1,2,3], 3)", [[1, 2, 3]]),
    ("$partition([7], 1)", [[7]]),              # stays nested: not a JSONata sequence
    ("$partition([1,2,3], 10)", [[1, 2, 3]]),
    ("$partition([1,2,3,4], 2.9)", [[1, 2], [3, 4]]),  # rounded towards zero
    ("$partition(['a','b','c'], 1)", [["a"], ["b"], ["c"]]),
])
def test_partition(text, expected):
    assert run(text) == expected


def test_partition_edges():
    assert failure("$partition([1,2], 0)").endswith("returned nothing (undefined).")
    assert failure("$partition([], 2)").endswith("returned nothing (undefined).")
    assert "positive integer" in failure("$partition([1,2], -1)")
    assert "T0410" in failure("$partition([1, 2], 'two')")


@pytest.mark.parametrize("text, expected", [
    ("$range(0, 10, 2)", [0, 2, 4, 6, 8, 10]),     # end included
    ("$range(0, 10, 3)", [0, 3, 6, 9]),
    ("$range(10, 0, -5)", [10, 5, 0]),
    ("$range(1, 9, 9)", 1),                          # one value: the bare number
    ("$range(-1.7, 2, 1)", [-1, 0, 1, 2]),
    ("$range(3, 3, 1)", 3),
])
def test_range(text, expected):
    assert run(text) == expected


def test_range_edges():
    for text in ("$range(5, 1, 1)", "$range(1, 5, -1)", "$range(1, 5)", "$range(1, 5, 0)"):
        assert failure(text).endswith("returned nothing (undefined)."), text
    assert run("$count($range(1, 360145, 1))") == 360145
    assert failure("$range(1, 360146, 1)").endswith("Expression evaluation memory limit exceeded")


@pytest.mark.parametrize("algorithm, digest", [
    ("MD5", "5d41402abc4b2a76b9719d911017c592"),
    ("SHA-1", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"),
    ("SHA-256", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
    ("SHA-384", "59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90"
                "125a3c79f90397bdf5f6a13de828684f"),
    ("SHA-512", "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca7"
                "2323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043"),
])
def test_hash(algorithm, digest):
    assert run(f"$hash('hello', '{algorithm}')") == digest


def test_hash_edges():
    assert "not supported by $hash" in failure("$hash('hello', 'sha-256')")  # names are case-sensitive
    assert failure("$hash('hello')").endswith("returned nothing (undefined).")
    assert len(run("$hash('héllo', 'SHA-256')")) == 64


class JavaRandom:
    """java.util.Random as its documentation specifies it, written out for the test."""

    def __init__(self, seed):
        self.seed = (seed ^ 0x5DEECE66D) % (1 << 48)

    def next(self, bits):
        self.seed = (self.seed * 0x5DEECE66D + 0xB) % (1 << 48)
        value = self.seed >> (48 - bits)
        return value - (1 << bits) if value >= 1 << (bits - 1) else value  # Java's signed int

    def next_long(self):
        return (self.next(32) << 32) + self.next(32)

    def next_double(self):
        return (((self.next(26) & ((1 << 26) - 1)) << 27) + (self.next(27) & ((1 << 27) - 1))) * 2.0 ** -53


def test_the_reference_generator_matches_published_java_values():
    assert JavaRandom(0).next_long() == -4962768465676381896
    first = JavaRandom(42)
    assert [first.next_double(), first.next_double()] == [0.7275636800328681, 0.6832234717598454]


@pytest.mark.parametrize("seed", [42, 0, 1, -7, 123456789, 2 ** 40, -(2 ** 33)])
def test_seeded_random_is_java_next_double(seed):
    expected = JavaRandom(seed).next_double()
    assert java_random_double(seed) == expected
    assert run(f"$random({seed})") == expected


def test_seeded_random_details():
    assert run("$random(42)") == 0.7275636800328681
    assert run("$random(42.9)") == run("$random(42)")   # rounded towards zero
    assert run("$random($states.input.counter)") == JavaRandom(41).next_double()


class ScriptedRng:
    def __init__(self):
        self.draws = iter([0.25, 0.5])
        self.ids = iter(["11111111-1111-4111-8111-111111111111"])

    def random(self):
        return next(self.draws)

    def uuid(self):
        return next(self.ids)


def test_unseeded_random_and_uuid_draw_from_the_rng_passed_in():
    rng = ScriptedRng()
    assert run("[$random(), $random()]", rng=rng) == [0.25, 0.5]
    assert run("$uuid()", rng=rng) == "11111111-1111-4111-8111-111111111111"


def test_default_randomness_is_seeded_and_reproducible():
    text = "{'r': $random(), 'id': $uuid()}"
    first = run(text, rng=SeededRng(7))
    again = run(text, rng=SeededRng(7))
    assert first == again
    assert 0 <= first["r"] < 1
    parsed = uuid.UUID(first["id"])
    assert parsed.version == 4 and str(parsed) == first["id"]
    assert run(text) != run(text)   # the module's default rng moves on between calls


@pytest.mark.parametrize("source, expected", [
    ('{"Arg1": 1, "Arg2": []}', {"Arg1": 1, "Arg2": []}),
    ("[1, 2, \"x\"]", [1, 2, "x"]),
    ("-0", 0),
    ("1.5", 1.5),
    ("true", True),
    ('"text"', "text"),
    ("null", None),
])
def test_parse(source, expected):
    assert run("$parse($s)", variables={"s": source}) == expected


def test_parse_rejects_what_is_not_json():
    assert "must be a JSON text" in failure("$parse($s)", variables={"s": "{'single': 1}"})
    assert "must be a JSON text" in failure("$parse($s)", variables={"s": "NaN"})


def test_now_and_millis_follow_the_clock_passed_in():
    assert run("$now()", now=1735732800.25) == "2025-01-01T12:00:00.250Z"
    assert run("$millis()", now=1735732800.25) == 1735732800250
    assert run("$millis() = $millis()") is True
    assert abs(run("$millis()") - time.time() * 1000) < 60_000


# --------------------------------------------------------------------------- templates

def test_template_evaluates_expressions_at_any_depth():
    template = compile_template({
        "total": "{% $states.input.counter + 1 %}",
        "static": {"keep": [1, 2]},
        "lines": ["{% $states.input.items[0].sku %}", "plain", {"deep": ["{% $tag %}"]}],
        "not_an_expression": " {% $states.input %} ",
    }, "Output")
    result = template.evaluate(STATES, {"tag": "t"})
    assert result == {"total": 42, "static": {"keep": [1, 2]},
                      "lines": ["a", "plain", {"deep": ["t"]}],
                      "not_an_expression": " {% $states.input %} "}
    assert result["static"] is template.raw["static"]   # constant parts are shared, not copied
    assert template.variables == {"tag"}
    assert template.dynamic


def test_template_without_expressions_is_returned_as_it_is():
    raw = {"a": [1, {"b": "$.not.a.path"}], "c": None}
    template = compile_template(raw, "Arguments")
    assert not template.dynamic
    assert template.evaluate(STATES, {}) is raw
    assert compile_template("plain", "Output").evaluate(STATES) == "plain"


def test_template_field_names_in_messages():
    template = compile_template({"a": {"b": [0, "{% $missing %}"]}}, "Output")
    with pytest.raises(StatesError) as caught:
        template.evaluate(STATES, {})
    assert caught.value.cause == ("The JSONata expression '$missing' specified for the field 'Output/a/b[1]' "
                                  "returned nothing (undefined).")
    with pytest.raises(StatesError, match="'Assign/x'"):
        compile_template({"x": "{% $nope %}"}, "Assign").evaluate(STATES, {})
    with pytest.raises(StatesError, match="'Output'"):
        compile_template("{% $nope %}", "Output").evaluate(STATES, {})


def test_an_expression_must_be_a_string():
    with pytest.raises(PathSyntaxError, match="is a string, not int"):
        compile_expression(42, "Condition")


def test_template_syntax_error_names_the_nested_field():
    with pytest.raises(PathSyntaxError) as caught:
        compile_template({"a": ["ok", "{% 1 + %}"]}, "Arguments")
    assert caught.value.field_name == "Arguments/a[1]"


# --------------------------------------------------------------------------- speed and threads

def test_an_expression_is_parsed_once_not_per_evaluation(monkeypatch):
    import stepfn_lab.asl.jsonata.expression as module
    parsed = []
    real = module._parse_text
    monkeypatch.setattr(module, "_parse_text", lambda text: parsed.append(text) or real(text))
    expr = compile_expression("{% $states.input.counter + 1 %}", "Output")
    states = {"input": {"counter": 1}, "context": {}}
    results = {expr.evaluate(states, {"a": 1}) for _ in range(500)}
    assert results == {2}
    assert len(parsed) == 1, f"parsed {len(parsed)} times for one compile and 500 evaluations"


def test_evaluation_in_other_threads():
    expr = compile_expression("[$states.input.n * 2, $random(1), $uuid()]", "Output")
    results = {}

    def work(n):
        results[n] = expr.evaluate({"input": {"n": n}}, {})

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seeded = JavaRandom(1).next_double()
    assert {n: value[:2] for n, value in results.items()} == {n: [n * 2, seeded] for n in range(4)}
    assert len({value[2] for value in results.values()}) == 4


def test_expression_repr_and_raw():
    expr = compile_expression("{%  $states.input %}", "Output")
    assert isinstance(expr, Expression)
    assert expr.raw == "{% $states.input %}"
    assert re.search(r"Expression\('\$states\.input', field='Output'\)", repr(expr))


def test_importing_jsonata_leaves_the_recursion_limit_alone():
    import subprocess
    import sys
    code = ("import sys; before = sys.getrecursionlimit(); import stepfn_lab.asl.jsonata as j; "
            "j.compile_expression('{% 1 + 1 %}').evaluate({}); print(before, sys.getrecursionlimit())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == out[1], out


@pytest.mark.parametrize("text", ["$states.input.n + 1", "$states.input.n", "[$states.input.n]",
                                  "$string($states.input.n)"])
def test_a_number_past_the_double_range_is_a_query_evaluation_error(text):
    import stepfn_lab as sfl
    machine = sfl.StateMachine.from_json({"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Pass", "Output": "{% " + text + " %}", "End": True}}})
    run = machine.run({"n": 10 ** 400})
    assert run.status == "FAILED" and run.error == "States.QueryEvaluationError", run.cause
    assert "D1001" in run.cause and run.internal_error is None
