"""JSONata in Step Functions: ``{% ... %}`` expressions, compiled once, evaluated many times.

Spec: AWS Step Functions developer guide, "Transforming data with JSONata in Step
Functions" (JSONata 2.0.6, the reserved ``$states`` variable, and the functions
Step Functions adds to the language).
Taught in: notebooks/14-jsonata-and-variables.ipynb.

A string value is an expression when the *whole* string starts with ``{%`` and
ends with ``%}``: ``" {% 1 %}"`` (a leading space) is a plain string. Inside an
expression:

* ``$states`` is ``{"input", "context"}`` plus ``result`` (after a Task, Map or
  Parallel) and ``errorOutput`` (in a Catch);
* every workflow variable is ``$name``;
* Step Functions adds ``$partition``, ``$range``, ``$hash``, ``$random``,
  ``$uuid`` and ``$parse``, and takes ``$eval`` away.

An expression must produce a value: "nothing" (JSONata's *undefined*, e.g. a
missing field) fails the state with ``States.QueryEvaluationError``, and so does
a function value or an error raised while evaluating. The cause names the
expression and the field it was written in (``Output/result``, ``Items[0]``).

Results come back as plain JSON values, written as AWS writes them: JSONata has
one number type, so ``2.0`` comes back as ``2``.

Design notes. ``jsonata-python`` does the parsing and the evaluation. This
module parses each expression once and keeps its syntax tree; an evaluation is
a single walk of that tree with a fresh, small scope (``$states`` and the
variables the expression mentions). The Step Functions functions live in one
shared scope, bound once at import. Plain paths such as ``$states.input.a.b``
are tagged at compile time and walked as dict lookups; anything else (arrays,
filters, grouping) takes JSONata's general route. Where jsonata-python differs
from the JavaScript reference that AWS runs (division by zero, ``%`` on
fractions, ``$number``, ``$string`` and ``$count`` corner cases, error texts),
the JavaScript behaviour is restored here. A runaway expression is stopped
after ``TIMEOUT_MS``.

Function behaviour not documented by AWS follows measurements of the real
service: arguments are rounded towards zero, ``$range`` gives a bare number for
a single value and nothing for a step of the wrong sign, ``$partition`` gives
nothing for a chunk size of 0 or an empty array, ``$hash`` without an algorithm
gives nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import threading
import time
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import sys

# jsonata-python raises the process's recursion limit to 10,000 when it is imported (to match
# JavaScript's stack). A library must not change process-wide state behind its user's back: the
# limit is put back at once, and stepfn_lab's own depth limit (``DEPTH_LIMIT`` in asl/source.py)
# keeps every value well inside the default limit.
_RECURSION_LIMIT = sys.getrecursionlimit()
try:
    from jsonata import JException, Jsonata
    from jsonata.functions import Functions
    from jsonata.parser import Parser
    from jsonata.utils import Utils
finally:
    sys.setrecursionlimit(_RECURSION_LIMIT)

from ...errors import QUERY_EVALUATION_ERROR, PathSyntaxError, StatesError
from ..paths import json_type  # noqa: F401  (part of this module's API too)

__all__ = [
    "DEFAULT_RNG", "Expression", "SeededRng", "STATES_FIELDS", "Template", "check_references",
    "check_syntax", "compile_expression", "compile_template", "diagnose", "is_expression",
    "java_random_double", "json_type",
]

NULL = Utils.NULL_VALUE  # JSONata's null; Python's None stands for JSONata's *undefined*
_MISSING = object()
STATES_FIELDS = ("input", "context", "result", "errorOutput")


# --------------------------------------------------------------------------- recognising

def is_expression(value: Any) -> bool:
    """True for a string that is a JSONata expression: ``{%`` first, ``%}`` last.

    >>> is_expression("{% $states.input %}"), is_expression(" {% $states.input %}")
    (True, False)
    """
    return isinstance(value, str) and len(value) >= 4 and value.startswith("{%") and value.endswith("%}")


def _inner(text: str) -> str:
    """The expression between the delimiters, without the spaces around it."""
    if is_expression(text):
        text = text[2:-2]
    return text.strip()


# --------------------------------------------------------------------------- error texts
# AWS runs the JavaScript JSONata, whose messages quote values as JSON
# (``Expected "]", got ","``). jsonata-python keeps the same templates but fills
# them with bare values and says "Object" where JavaScript says "function".

_PLACEHOLDER = re.compile(r"\{\{\{(\w+)\}\}\}|\{\{(\w+)\}\}")
_ARRAY_OF = {"a": "arrays", "b": "booleans", "f": "functions", "n": "numbers", "o": "objects", "s": "strings"}
_CODE_OF_TEXT = {
    "Second argument of replace function cannot be an empty string": "D3010",
    "Fourth argument of replace function must evaluate to a positive number": "D3011",
}
_AT_END = ("S0203", "S0207")  # errors found at the end of the text


def _js_json(value: Any) -> str:
    """``JSON.stringify`` of a value, as the JavaScript messages show it."""
    if value is None:
        return "undefined"
    if isinstance(value, float) and not math.isfinite(value):
        return "null"
    try:
        return json.dumps(_plain(value, nested=True), separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def _explain(err: JException) -> tuple[str | None, str]:
    """``(code, message)`` of a JSONata error, worded as the JavaScript library words it."""
    code = err.error
    template = JException.error_codes.get(code)
    if template is None:
        return _CODE_OF_TEXT.get(code), str(code)
    args = [err.current, err.expected, err.extra]
    if code == "T0412":
        args[2] = _ARRAY_OF.get(args[2], args[2])
    values = iter(args)

    def fill(match: re.Match) -> str:
        value = next(values, None)
        if match.group(1):  # {{{raw}}}
            return value if isinstance(value, str) else _js_json(value)
        return _js_json(value)

    return code, _PLACEHOLDER.sub(fill, template.replace("Object", "function"))


def _column(err: JException, text: str) -> int | None:
    """Where the caret goes: JSONata positions point just past the offending token."""
    location = getattr(err, "location", None)
    if not isinstance(location, int) or location < 0:
        return None
    if err.error in _AT_END:
        return len(text)
    return min(max(location - 1, 0), len(text))


class _FunctionError(Exception):
    """An argument a Step Functions function cannot work with; the text is the cause's tail."""


# --------------------------------------------------------------------------- randomness

_JAVA_MULTIPLIER = 0x5DEECE66D
_JAVA_MASK = (1 << 48) - 1


def java_random_double(seed: int) -> float:
    """``new java.util.Random(seed).nextDouble()``: what ``$random(seed)`` returns.

    The 48-bit linear congruential generator of the Java platform: scramble the
    seed, draw 26 and then 27 bits, and scale the 53-bit number into [0, 1).

    >>> java_random_double(42)
    0.7275636800328681
    """
    state = (seed ^ _JAVA_MULTIPLIER) & _JAVA_MASK
    state = (state * _JAVA_MULTIPLIER + 0xB) & _JAVA_MASK
    high = state >> (48 - 26)
    state = (state * _JAVA_MULTIPLIER + 0xB) & _JAVA_MASK
    low = state >> (48 - 27)
    return ((high << 27) + low) / float(1 << 53)


class SeededRng:
    """The randomness ``$random()`` and ``$uuid()`` draw from when no rng is passed in.

    Any object with ``random() -> float`` and ``uuid() -> str`` will do, such as
    the engine's own ``Rng``; this one keeps a notebook reproducible on its own.
    """

    __slots__ = ("_random",)

    def __init__(self, seed: int | None = 0):
        self._random = random.Random(seed)

    def random(self) -> float:
        return self._random.random()

    def uuid(self) -> str:
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))


DEFAULT_RNG = SeededRng(0)


# --------------------------------------------------------------------------- Step Functions' functions

TIMEOUT_MS = 5000  # an expression that runs longer is stopped (JSONata's D1012)
_RANGE_LIMIT = 360_145  # the longest $range AWS builds before "memory limit exceeded"
_HASHES = {"MD5": hashlib.md5, "SHA-1": hashlib.sha1, "SHA-256": hashlib.sha256,
           "SHA-384": hashlib.sha384, "SHA-512": hashlib.sha512}


def _integer(value: Any, function: str) -> int:
    """A number argument as an integer, rounded towards zero as AWS does."""
    if not math.isfinite(value):
        raise _FunctionError(f"The arguments of ${function} must be finite numbers, but one was {_js_json(value)}.")
    return int(value)


def _partition(array: Any, size: Any) -> Any:
    """``$partition([1,2,3,4,5], 2)`` -> ``[[1,2],[3,4],[5]]``."""
    if array is None or size is None:
        return None
    chunk = _integer(size, "partition")
    if chunk < 0:
        raise _FunctionError(f"The chunk size of $partition must be a positive integer, but was {_js_json(size)}.")
    if chunk == 0 or not array:
        return None
    items = list(array)
    return [items[start:start + chunk] for start in range(0, len(items), chunk)]


def _range(start: Any, end: Any, step: Any = None) -> Any:
    """``$range(0, 10, 3)`` -> ``[0,3,6,9]``: ``end`` is included when a step lands on it."""
    if start is None or end is None or step is None:
        return None
    first, last, stride = (_integer(v, "range") for v in (start, end, step))
    if stride == 0 or (last > first and stride < 0) or (last < first and stride > 0):
        return None
    if (last - first) // stride + 1 > _RANGE_LIMIT:
        raise _FunctionError("Expression evaluation memory limit exceeded")
    # a JSONata sequence: a single value comes back as the bare number, as on AWS
    return Utils.create_sequence_from_iter(range(first, last + (1 if stride > 0 else -1), stride))


def _hash(value: Any, algorithm: Any = None) -> Any:
    """``$hash("a", "SHA-256")``: the hex digest of the UTF-8 bytes."""
    if value is None or algorithm is None:
        return None
    digest = _HASHES.get(algorithm)
    if digest is None:
        raise _FunctionError(f"The hash algorithm {_js_json(algorithm)} is not supported by $hash: "
                             f"use one of {', '.join(_HASHES)}.")
    return digest(value.encode("utf-8")).hexdigest()


def _random(seed: Any = None) -> float:
    """``$random()`` draws from the evaluation's rng; ``$random(seed)`` is Java's ``Random(seed).nextDouble()``."""
    if seed is None:
        return _CALL.rng.random()
    return java_random_double(_integer(seed, "random"))


def _uuid() -> str:
    return _CALL.rng.uuid()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse(text: Any) -> Any:
    """``$parse('{"a": 1}')`` -> ``{"a": 1}``: the replacement for ``$eval``."""
    if text is None:
        return None
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        raise _FunctionError(f"The argument of $parse must be a JSON text, but was {_js_json(text)}.") from None
    return NULL if value is None else value


# --------------------------------------------------------------------------- standard functions, JavaScript style

_JSON_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)?")
_PREFIXED_NUMBER = re.compile(r"0[xX][0-9A-Fa-f]+|0[oO][0-7]+|0[bB][01]+")


def _number(value: Any) -> Any:
    """JSONata's ``$number`` with the JavaScript rules: JSON number text, 0x/0o/0b, booleans."""
    if value is None:
        return None
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        if _JSON_NUMBER.fullmatch(value):
            number = float(value)
            if math.isfinite(number):
                return Utils.convert_number(number)
        elif _PREFIXED_NUMBER.fullmatch(value):
            return int(value, 0)
    raise JException("D3030", -1, value)


def _js_number_text(number: Any) -> str:
    """A number as JSONata's ``$string`` writes it: 15 significant digits, JavaScript notation."""
    if isinstance(number, int) and abs(number) < 10 ** 15:
        return str(number)
    if not math.isfinite(number):
        raise JException("D3001", -1)
    value = float(f"{float(number):.15g}")
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        if 1e-6 <= abs(value) < 1e21:  # JavaScript writes these out in full
            return format(Decimal(text), "f")
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{'-' if exponent.startswith('-') else '+'}{exponent.lstrip('+-').lstrip('0')}"
    return text


def _js_stringify(value: Any, indent: str | None, depth: int = 0) -> str:
    """``JSON.stringify`` as ``$string`` uses it: numbers as above, functions as ``""``."""
    if value is None or value is NULL:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _js_number_text(value) if math.isfinite(value) else "null"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if _is_function(value):
        return '""'
    if isinstance(value, dict):
        parts = [(json.dumps(str(key), ensure_ascii=False), _js_stringify(item, indent, depth + 1))
                 for key, item in value.items()]
        return _js_container("{", "}", [f"{key}:{' ' if indent else ''}{text}" for key, text in parts],
                             indent, depth)
    if isinstance(value, (list, tuple)):
        return _js_container("[", "]", [_js_stringify(item, indent, depth + 1) for item in value], indent, depth)
    return json.dumps(str(value), ensure_ascii=False)


def _js_container(open_: str, close: str, parts: list, indent: str | None, depth: int) -> str:
    if not parts:
        return open_ + close
    if not indent:
        return open_ + ",".join(parts) + close
    inner, outer = "\n" + indent * (depth + 1), "\n" + indent * depth
    return open_ + inner + ("," + inner).join(parts) + outer + close


def _string(value: Any, prettify: Any = None) -> Any:
    """JSONata's ``$string``, writing numbers the JavaScript way (``1e20`` -> ``100000000000000000000``)."""
    if isinstance(value, Utils.JList) and value.outer_wrapper:
        value = value[0]
    if value is None or isinstance(value, str):
        return value
    if _is_function(value):
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _js_number_text(value)
    return _js_stringify(value, "  " if prettify else None)


def _count(values: Any = None, *extra: Any) -> int:
    """``$count``: a JSON null is one value."""
    if extra:
        raise JException("T0410", -1, 2, "count")
    if values is None:
        return 0
    return len(values) if isinstance(values, list) else 1


def _now_ms() -> int:
    """The evaluation's timestamp: fixed for one evaluation, as in JSONata."""
    if _CALL.now_ms is None:
        _CALL.now_ms = round(time.time() * 1000)
    return _CALL.now_ms


def _now(picture: Any = None, timezone: Any = None) -> str:
    return Functions.datetime_from_millis(_now_ms(), picture, timezone)


def _millis() -> int:
    return _now_ms()


# name -> (implementation, JSONata signature); None removes a standard function
_FUNCTIONS: dict[str, tuple | None] = {
    # added by Step Functions
    "partition": (_partition, "<an:a>"),
    "range": (_range, "<nnn?:a>"),
    "hash": (_hash, "<ss?:s>"),
    "random": (_random, "<n?:n>"),
    "uuid": (_uuid, "<:s>"),
    "parse": (_parse, "<s:x>"),
    # taken away by Step Functions (use $parse)
    "eval": None,
    # standard functions given their JavaScript behaviour and the evaluation's clock
    "number": (_number, "<(nsb)-:n>"),
    "string": (_string, "<x-b?:s>"),
    "count": (_count, None),  # no signature: jsonata-python would turn a null argument into undefined
    "now": (_now, "<s?s?:s>"),
    "millis": (_millis, "<:n>"),
}

_SCOPE = Jsonata.Frame(Jsonata.static_frame)  # the parent of every evaluation's scope
for _name, _entry in _FUNCTIONS.items():
    _SCOPE.bind(_name, None if _entry is None else Jsonata.JFunction(Jsonata.JLambda(_entry[0]), _entry[1]))
_FUNCTION_NAMES = frozenset(_FUNCTIONS) | frozenset(Jsonata.static_frame.bindings)


# --------------------------------------------------------------------------- the evaluator

class _Engine(Jsonata):
    """jsonata-python's evaluator with JavaScript arithmetic."""

    def evaluate_numeric_expression(self, lhs: Any, rhs: Any, op: Any) -> Any:
        if lhs is not None and not Utils.is_numeric(lhs):
            raise JException("T2001", -1, op, lhs)
        if rhs is not None and not Utils.is_numeric(rhs):
            raise JException("T2002", -1, op, rhs)
        if lhs is None or rhs is None:
            return None
        return _ARITHMETIC[op](float(lhs), float(rhs))

    def evaluate_path(self, expr: Any, input: Any, environment: Any) -> Any:
        # ``$states.input.a.b`` over objects, the common case, is a walk through dicts
        simple = getattr(expr, "simple_path", None)
        if simple is None:
            return super().evaluate_path(expr, input, environment)
        value = environment.lookup(simple[0])
        for key in simple[1]:
            if not isinstance(value, dict):
                if isinstance(value, list):  # JSONata maps the rest of the path over an array
                    return super().evaluate_path(expr, input, environment)
                return None
            value = value.get(key, _MISSING)
            if value is _MISSING:
                return None
            if value is None:
                value = NULL
        return value

    def apply_inner(self, proc: Any, args: Any, input: Any, environment: Any) -> Any:
        # every function call and every turn of a tail-call loop passes here: the place to stop a runaway
        call = _CALL
        call.calls += 1
        if not call.calls & 1023 and time.monotonic() > call.deadline:
            raise JException("D1012", -1, TIMEOUT_MS)
        return super().apply_inner(proc, args, input, environment)

    def evaluate_string_concat(self, lhs: Any, rhs: Any) -> str:
        return ("" if lhs is None else _string(lhs)) + ("" if rhs is None else _string(rhs))


def _number_result(value: float) -> Any:
    """A whole number as an int; Infinity and NaN stay as they are, as in JavaScript."""
    return Utils.convert_number(value) if math.isfinite(value) else value


def _divide(lhs: float, rhs: float) -> Any:
    if rhs == 0:
        if lhs == 0 or lhs != lhs:
            return math.nan
        return math.copysign(math.inf, lhs) * math.copysign(1.0, rhs)
    return _number_result(lhs / rhs)


def _remainder(lhs: float, rhs: float) -> Any:
    if rhs == 0:
        return math.nan
    return _number_result(math.fmod(lhs, rhs))  # the sign of the dividend, as in JavaScript


_ARITHMETIC = {
    "+": lambda lhs, rhs: _number_result(lhs + rhs),
    "-": lambda lhs, rhs: _number_result(lhs - rhs),
    "*": lambda lhs, rhs: _number_result(lhs * rhs),
    "/": _divide,
    "%": _remainder,
}


class _Call(threading.local):
    """What one evaluation hands to the functions it calls (one per thread)."""

    def __init__(self) -> None:
        self.engine = _Engine("$")
        self.rng: Any = DEFAULT_RNG
        self.now_ms: int | None = None
        self.calls = 0
        self.deadline = 0.0


_CALL = _Call()


# --------------------------------------------------------------------------- results

_DROP = object()  # a function inside an object or array (JSON.stringify leaves it out)


def _is_function(value: Any) -> bool:
    return (isinstance(value, (Jsonata.JFunctionCallable, re.Pattern))
            or (isinstance(value, Parser.Symbol) and Functions.is_lambda(value)))


_EXPONENT_FROM = 10 ** 21


def _number_out(value: float) -> Any:
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < _EXPONENT_FROM:
        return int(value)
    return value


def _plain(value: Any, nested: bool = False) -> Any:
    """Plain JSON values out of JSONata's: null, whole numbers, sequences, no functions.

    Containers that need no change come back as they are (no copy).
    """
    kind = type(value)
    if kind is str or kind is bool:
        return value
    if kind is int:  # JSONata numbers are doubles: past 1e21 they are written with an exponent
        return value if -_EXPONENT_FROM < value < _EXPONENT_FROM else float(value)
    if kind is float:
        return _number_out(value)
    if kind is dict:
        changed = None  # becomes a copy at the first value that changes
        for key, item in value.items():
            new = _plain(item, True)
            if new is not item and changed is None:
                changed = {}  # the values before this one were kept as they are
                for done_key, done_item in value.items():
                    if done_key == key:
                        break
                    changed[done_key] = done_item
            if changed is not None and new is not _DROP:
                changed[key] = new
        return value if changed is None else changed
    if isinstance(value, list):
        items = [_plain(item, True) for item in value]
        items = [None if item is _DROP else item for item in items]
        if kind is list and all(new is old for new, old in zip(items, value)):
            return value
        return items
    if value is NULL:
        return None
    if _is_function(value):
        return _DROP if nested else value
    return value




def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


# --------------------------------------------------------------------------- expressions

def _parse_text(text: str) -> Any:
    """The syntax tree of an expression; raises JException for bad syntax."""
    return Jsonata(text).ast


def _syntax_error(text: str, err: Exception, field: str | None) -> PathSyntaxError:
    if isinstance(err, JException):
        return PathSyntaxError(text, _explain(err)[1], _column(err, text), field)
    return PathSyntaxError(text, str(err) or type(err).__name__, None, field)


_CHILDREN = ("steps", "expressions", "arguments", "lhs", "rhs", "expression", "procedure", "body",
             "condition", "then", "_else", "pattern", "update", "delete", "group", "terms", "expr",
             "predicate", "stages", "lhs_object")


def _nodes(root: Any):
    """Every node of a syntax tree."""
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, (list, tuple)):
            pending.extend(node)
        elif isinstance(node, Parser.Symbol):
            yield node
            pending.extend(getattr(node, attr, None) for attr in _CHILDREN)


def _variable_names(ast: Any) -> tuple[frozenset, frozenset]:
    """(every ``$name`` the tree mentions, the ones that are workflow variables).

    The second set leaves out ``$states``, names the expression binds itself
    (``$x := ...``, lambda parameters, ``@$x``, ``#$i``) and function names.
    """
    mentioned, bound = set(), set()
    for node in _nodes(ast):
        kind = getattr(node, "type", None)
        if kind == "variable":
            mentioned.add(node.value)
        elif kind == "bind" and getattr(node.lhs, "type", None) == "variable":
            bound.add(node.lhs.value)
        elif kind == "lambda":
            bound.update(arg.value for arg in node.arguments or () if getattr(arg, "type", None) == "variable")
        for attr in ("focus", "index"):
            name = getattr(node, attr, None)
            if isinstance(name, str):
                bound.add(name)
    mentioned -= {"", "$", "states"}
    return frozenset(mentioned), frozenset(mentioned - bound - _FUNCTION_NAMES)


_STEP_EXTRAS = ("stages", "predicate", "group", "focus", "index", "tuple", "keep_array", "consarray")


def _mark_simple_paths(ast: Any) -> None:
    """Tag ``$name.key.key`` paths (no filters, no grouping) so the evaluator can walk them directly."""
    for node in _nodes(ast):
        steps = getattr(node, "steps", None)
        if (getattr(node, "type", None) != "path" or not steps or len(steps) < 2
                or getattr(node, "keep_singleton_array", False) or getattr(node, "group", None) is not None
                or getattr(node, "tuple", None) is not None or getattr(node, "seeking_parent", None) is not None):
            continue
        first, rest = steps[0], steps[1:]
        if getattr(first, "type", None) != "variable" or first.value in ("", "$"):
            continue
        if all(getattr(step, "type", None) == "name" and isinstance(step.value, str) for step in rest) and not any(
                getattr(step, extra, None) for step in steps for extra in _STEP_EXTRAS):
            node.simple_path = (first.value, tuple(step.value for step in rest))


class Expression:
    """A compiled ``{% %}`` expression.

    ``evaluate(states, variables, rng=None)`` returns a plain JSON value or
    raises ``StatesError("States.QueryEvaluationError", ...)``.

    >>> compile_expression("$states.input.counter + 1", "Output").evaluate({"input": {"counter": 41}}, {})
    42
    """

    __slots__ = ("text", "field", "variables", "_ast", "_bind")
    dynamic = True

    def __init__(self, text: str, field: str = "Output"):
        if not isinstance(text, str):
            raise PathSyntaxError(repr(text), f"a JSONata expression is a string, not {type(text).__name__}",
                                  None, field)
        self.text = _inner(text)
        self.field = field
        try:
            self._ast = _parse_text(self.text)
        except Exception as err:  # noqa: BLE001 - every parser failure is the user's syntax
            raise _syntax_error(self.text, err, field) from None
        self._bind, self.variables = _variable_names(self._ast)
        _mark_simple_paths(self._ast)

    def __repr__(self) -> str:
        return f"Expression({self.text!r}, field={self.field!r})"

    @property
    def raw(self) -> str:
        return "{% " + self.text + " %}"

    def evaluate(self, states: Mapping, variables: Mapping | None = None, rng: Any = None, *,
                 now: float | None = None, expect: str | None = None) -> Any:
        """Evaluate with ``$states`` and the workflow variables.

        ``rng`` gives ``$random()`` and ``$uuid()`` their values (default: a
        seeded module-level one); ``now`` (epoch seconds) is what ``$now()``
        and ``$millis()`` report (default: the real time). ``expect`` names the
        JSON type the field needs (``"array"`` for ``Items``, ...).
        """
        call = _CALL
        call.rng = DEFAULT_RNG if rng is None else rng
        call.now_ms = None if now is None else round(now * 1000)
        call.deadline = time.monotonic() + TIMEOUT_MS / 1000
        scope = Jsonata.Frame(_SCOPE)
        bindings = scope.bindings
        bindings["states"] = states
        if self._bind and variables is not None:  # (a Scope's truth value would count every variable)
            for name in self._bind:
                value = variables.get(name, _MISSING)
                if value is not _MISSING:
                    bindings[name] = NULL if value is None else value
        Jsonata.CURRENT.jsonata = call.engine
        try:
            result = call.engine.eval(self._ast, None, scope)
        except JException as err:
            code, message = _explain(err)
            raise self._failure(f"threw an error during evaluation. {code}: {message}" if code
                                else f"threw an error during evaluation. {message}") from None
        except _FunctionError as err:
            raise self._failure(f"threw an error during evaluation. {err}") from None
        except RecursionError:
            code, message = _explain(JException("D1011", -1))
            raise self._failure(f"threw an error during evaluation. {code}: {message}") from None
        except OverflowError:
            raise self._out_of_range() from None
        except Exception as err:  # noqa: BLE001 - the library's own slips still fail the state, not Python
            raise self._failure(f"threw an error during evaluation. {type(err).__name__}: {err}") from None
        if result is None:
            raise self._failure("returned nothing (undefined).")
        try:
            result = _plain(result)
        except OverflowError:
            raise self._out_of_range() from None
        if _is_function(result):
            raise self._failure("returned an unsupported result type.")
        if expect is not None and json_type(result) != expect:
            raise self._failure(f"returned an unexpected result type. Expected '{expect}', but was "
                                f"'{json_type(result)}' for value: {_compact(result)}")
        return result

    def _out_of_range(self) -> StatesError:
        # Design note: JSONata numbers are IEEE doubles; a whole number past 1.8e308 has no double
        # (JavaScript reads it as Infinity, which JSONata rejects with D1001). AWS's exact message
        # for such data could not be established; stepfn_lab fails the state with JSONata's D1001.
        return self._failure("threw an error during evaluation. D1001: Number out of range: a number in "
                             "the data is larger than a JSONata number (a double, at most 1.8e308) can hold")

    def _failure(self, what: str) -> StatesError:
        return StatesError(QUERY_EVALUATION_ERROR,
                           f"The JSONata expression '{self.text}' specified for the field '{self.field}' {what}")


def compile_expression(text: str, field: str = "Output") -> Expression:
    """Compile the text of an expression (with or without its ``{% %}``).

    ``field`` is the field path AWS names in messages: ``Output``,
    ``Output/result``, ``Arguments/a[0]``, ``Items``, ``Condition``, ``Assign/x``.
    Raises ``PathSyntaxError`` for bad syntax.
    """
    return Expression(text, field)


# --------------------------------------------------------------------------- templates

class _Constant:
    __slots__ = ("value",)
    dynamic = False

    def __init__(self, value: Any):
        self.value = value

    def evaluate(self, states, variables=None, rng=None, *, now=None, expect=None):
        return self.value


class _Object:
    __slots__ = ("items",)
    dynamic = True

    def __init__(self, items: list):
        self.items = items

    def evaluate(self, states, variables=None, rng=None, *, now=None, expect=None):
        return {key: node.evaluate(states, variables, rng, now=now) for key, node in self.items}


class _Array:
    __slots__ = ("items",)
    dynamic = True

    def __init__(self, items: list):
        self.items = items

    def evaluate(self, states, variables=None, rng=None, *, now=None, expect=None):
        return [node.evaluate(states, variables, rng, now=now) for node in self.items]


def _compile_node(value: Any, field: str):
    if is_expression(value):
        return Expression(value, field)
    if isinstance(value, dict):
        items = [(key, _compile_node(sub, f"{field}/{key}")) for key, sub in value.items()]
        return _Object(items) if any(node.dynamic for _, node in items) else _Constant(value)
    if isinstance(value, list):
        nodes = [_compile_node(sub, f"{field}[{index}]") for index, sub in enumerate(value)]
        return _Array(nodes) if any(node.dynamic for node in nodes) else _Constant(value)
    return _Constant(value)


class Template:
    """A JSON value whose ``{% %}`` strings are evaluated, at any depth.

    A template with no expression evaluates to the very object it was built
    from (no copy); in a mixed one, the constant parts are shared, not copied.
    """

    __slots__ = ("raw", "field", "root", "dynamic", "expressions")

    def __init__(self, raw: Any, field: str = "Output"):
        self.raw = raw
        self.field = field
        self.root = _compile_node(raw, field)
        self.dynamic = self.root.dynamic
        self.expressions = tuple(_expressions(self.root))

    @property
    def variables(self) -> frozenset:
        """The workflow variables the template's expressions read."""
        return frozenset().union(*(expr.variables for expr in self.expressions))

    def evaluate(self, states: Mapping, variables: Mapping | None = None, rng: Any = None, *,
                 now: float | None = None) -> Any:
        return self.root.evaluate(states, variables, rng, now=now)


def _expressions(node: Any):
    if isinstance(node, Expression):
        yield node
    elif isinstance(node, (_Object, _Array)):
        for item in node.items:
            yield from _expressions(item[1] if isinstance(item, tuple) else item)


def compile_template(value: Any, field: str = "Output") -> Template:
    """Compile a JSON value that may hold ``{% %}`` strings (``Output``, ``Arguments``, ``Assign``...).

    >>> compile_template({"n": "{% $states.input.n * 2 %}", "tag": "x"}).evaluate({"input": {"n": 2}})
    {'n': 4, 'tag': 'x'}
    """
    return Template(value, field)


# --------------------------------------------------------------------------- validation

def check_syntax(text: str) -> str | None:
    """AWS's ``INVALID_JSONATA_EXPRESSION`` message for bad syntax, or None.

    >>> check_syntax("{% a[1,2) %}")
    'Expected "]", got ","'
    """
    try:
        _parse_text(_inner(text))
    except JException as err:
        return _explain(err)[1]
    except Exception as err:  # noqa: BLE001
        return str(err) or type(err).__name__
    return None


def _reference_problems(node: Any, top: bool, fields: tuple, found: list) -> None:
    """Collect ``(position, message)`` for references AWS refuses in a definition.

    A name (or ``$``) that starts a path at the top level would read the context
    item, which Step Functions does not provide. Later steps, predicates, sort
    terms, groupings and transforms work on the values their path produced, so
    names there are fine. Lambda bodies keep the context they are written in.
    """
    if isinstance(node, (list, tuple)):
        for item in node:
            _reference_problems(item, top, fields, found)
        return
    if not isinstance(node, Parser.Symbol):
        return
    kind = getattr(node, "type", None)
    position = getattr(node, "position", 0) or 0
    if kind == "variable":
        if node.value == "$":
            found.append((position, "Reference to '$$' is not supported."))
        elif node.value == "" and top:
            found.append((position, "Reference to '$' is not supported."))
    if kind == "path":
        steps = node.steps or []
        if steps:
            first = steps[0]
            if top and getattr(first, "type", None) == "name":
                found.append((getattr(first, "position", 0) or 0,
                              f"Reference to '{first.value}' at the top level is not supported."))
            if (getattr(first, "type", None) == "variable" and first.value == "states" and len(steps) > 1
                    and getattr(steps[1], "type", None) == "name" and steps[1].value not in fields):
                found.append((getattr(steps[1], "position", 0) or 0,
                              f"Field '$states.{steps[1].value}' does not exist."))
            _reference_problems(first, top, fields, found)
            _reference_problems(steps[1:], False, fields, found)
        return
    relative = ("predicate", "stages", "group", "terms", "pattern", "update", "delete")
    for attr in _CHILDREN:
        if attr in ("steps",):
            continue
        child = getattr(node, attr, None)
        if child is not None:
            _reference_problems(child, top and attr not in relative, fields, found)


def check_references(text: str, states_fields: tuple = STATES_FIELDS) -> str | None:
    """AWS's ``UNSUPPORTED_JSONATA_EXPRESSION`` message, or None.

    ``states_fields`` lists the ``$states`` fields the field may read (leave out
    ``errorOutput`` outside a Catch, ``result`` where there is none). Text that
    does not parse gives None here: ``check_syntax`` reports it.

    >>> check_references("{% phone %}")
    "Reference to 'phone' at the top level is not supported."
    >>> check_references("{% $states.errorOutput %}", ("input", "context"))
    "Field '$states.errorOutput' does not exist."
    """
    try:
        ast = _parse_text(_inner(text))
    except Exception:  # noqa: BLE001
        return None
    found: list = []
    _reference_problems(ast, True, tuple(states_fields), found)
    return min(found, key=lambda item: item[0])[1] if found else None


def diagnose(text: str, states_fields: tuple = STATES_FIELDS) -> tuple[str, str] | None:
    """``(code, message)`` for a definition's ``{% %}`` string, as ValidateStateMachineDefinition reports it."""
    message = check_syntax(text)
    if message is not None:
        return "INVALID_JSONATA_EXPRESSION", message
    message = check_references(text, states_fields)
    if message is not None:
        return "UNSUPPORTED_JSONATA_EXPRESSION", message
    return None
