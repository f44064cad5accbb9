"""Intrinsic functions: ``States.Format(...)`` and the other seventeen, compiled once.

Spec: Amazon States Language, "Intrinsic functions" (AWS docs "Intrinsic functions
for JSONPath states"). Taught in: notebooks/06-intrinsic-functions.ipynb.

A call is parsed by a small recursive-descent parser into a tree of arguments:
string literals in single quotes (``\\'``, ``\\{``, ``\\}`` and ``\\\\`` are the
escapes), JSON numbers, ``true``/``false``/``null``, paths (``$.x``, ``$$.x``,
``$var``) and nested calls, at most ten deep. Every function is declared once in
``FUNCTIONS`` with its parameter types, so arity and type failures produce their
messages from one place.

Design note: AWS accepts a definition with a wrong call and fails the execution
with ``States.Runtime`` ("... Invalid arguments in States.MathAdd"). What can be
seen without data (argument counts, the type of a literal, a broken Format template,
an unknown hash algorithm) is reported here at compile time as a ``PathSyntaxError``
with a caret; ``compile_intrinsic(text, strict=False)`` defers it to run time as AWS
does. Where AWS behaves surprisingly (truncation, lenient Base64, text comparison in
ArrayContains), the function says what was observed on AWS.
"""

from __future__ import annotations

import base64
import difflib
import functools
import hashlib
import json
import math
import random
import re
import uuid
from dataclasses import dataclass
from typing import Any, Callable

from ...errors import RUNTIME, PathSyntaxError, StatesError
from ..paths import CONTEXT, VARIABLE, PathNotFound, compile_path, to_json

MAX_NESTING = 10
MAX_RANGE_ITEMS = 1000
MAX_TEXT_LENGTH = 10_000  # Base64Encode, Base64Decode and Hash inputs, in UTF-16 units as Java counts
INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1

STRING, NUMBER, BOOLEAN, NULL, ARRAY, OBJECT, ANY = "string", "number", "boolean", "null", "array", "object", "any"


class IntrinsicError(StatesError):
    """A failed call. ``cause`` is AWS's text; ``hint`` says what was wrong in plain words."""

    def __init__(self, cause: str, hint: str | None = None):
        super().__init__(RUNTIME, cause)
        self.hint = hint

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text}\n  ({self.hint})" if self.hint else text


class _Invalid(Exception):
    """Raised by a function body: ``hint`` for people, ``tail`` replaces AWS's usual
    "Invalid arguments in States.X" at the end of the cause when AWS words it differently."""

    def __init__(self, hint: str, tail: str = "", offset: int = 0):
        super().__init__(hint)
        self.hint, self.tail, self.offset = hint, tail, offset


_JSON_TYPES = {int: NUMBER, float: NUMBER, str: STRING, list: ARRAY, dict: OBJECT, bool: BOOLEAN, type(None): NULL}


def json_type(value: Any) -> str:
    """The JSON type name of a Python value: 'string', 'number', 'array', ..."""
    kind = type(value)
    return _JSON_TYPES.get(kind) or (BOOLEAN if isinstance(value, bool) else kind.__name__)


def _a(types: tuple[str, ...]) -> str:
    """('array',) -> 'an array'; ('string', 'null') -> 'a string or a null'."""
    return " or ".join(("an " if t[0] in "aeiou" else "a ") + t for t in types)


def _shown(value: Any) -> str:
    text = to_json(value)
    return f"the {json_type(value)} {text if len(text) <= 60 else text[:57] + '...'}"


# --- The registry -----------------------------------------------------------------------

@dataclass(frozen=True)
class Param:
    """One declared parameter: its name, the JSON types it accepts, and how often it may occur."""

    name: str
    types: tuple[str, ...] = (ANY,)
    optional: bool = False
    variadic: bool = False


@dataclass(frozen=True)
class Function:
    """A ``States.*`` function: its parameters, what it returns, and its body."""

    name: str
    params: tuple[Param, ...]
    returns: str
    body: Callable
    needs_rng: bool = False

    @property
    def min_args(self) -> int:
        return sum(1 for p in self.params if not (p.optional or p.variadic))

    @property
    def max_args(self) -> int | None:
        return None if any(p.variadic for p in self.params) else len(self.params)

    def param(self, index: int) -> Param:
        return self.params[min(index, len(self.params) - 1)]

    @property
    def signature(self) -> str:
        def one(p: Param) -> str:
            text = f"{p.name}: {' | '.join(p.types)}"
            return f"...{text}" if p.variadic else f"{text}?" if p.optional else text
        return f"{self.name}({', '.join(one(p) for p in self.params)}) -> {self.returns}"

    def arity_problem(self, count: int) -> str | None:
        low, high = self.min_args, self.max_args
        if low <= count and (high is None or count <= high):
            return None
        expected = (f"at least {low}" if high is None else f"{low}" if low == high else f"{low} to {high}")
        plural = "" if expected.endswith(" 1") or expected == "1" else "s"
        return f"{self.name} takes {expected} argument{plural} but was given {count}: {self.signature}"


FUNCTIONS: dict[str, Function] = {}


def intrinsic(name: str, *params: Param, returns: str = ANY, needs_rng: bool = False):
    """Register a function body under its ``States.*`` name (jmespath's ``@signature`` idea)."""
    def register(body: Callable) -> Callable:
        FUNCTIONS[name] = Function(name, params, returns, body, needs_rng)
        return body
    return register


def _truncate(value: float) -> int:
    """Drop the fraction, as AWS does for ArrayRange, ArrayPartition, ArrayGetItem and MathRandom."""
    if isinstance(value, float) and not math.isfinite(value):
        raise _Invalid(f"{value} is not a finite number")
    return int(value)


def _java_round(value: float) -> int:
    """Java's Math.round (halves go up: 2.5 -> 3, -2.5 -> -2), which MathAdd uses on AWS."""
    if isinstance(value, int):
        return value
    if not math.isfinite(value):
        raise _Invalid(f"{value} is not a finite number")
    low = math.floor(value)
    return low + 1 if value - low >= 0.5 else low


def _java_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le", "surrogatepass")) // 2


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "replace")  # a lone surrogate becomes '?', as in Java


def _check_length(text: str, what: str) -> None:
    if _java_length(text) > MAX_TEXT_LENGTH:
        raise _Invalid(f"the {what} has {_java_length(text)} characters; the limit is {MAX_TEXT_LENGTH}")


# --- Generic ----------------------------------------------------------------------------

@functools.lru_cache(maxsize=1024)
def parse_template(template: str) -> tuple:
    """``'Hello {}!'`` -> ``('Hello ', None, '!')``; ``None`` marks a placeholder.

    ``\\{``, ``\\}``, ``\\'`` and ``\\\\`` are literal characters. Raises ``_Invalid``
    on a lone brace.
    """
    parts: list = []
    chunk: list[str] = []
    i, n = 0, len(template)
    while i < n:
        c = template[i]
        if c == "\\" and i + 1 < n:
            nxt = template[i + 1]
            chunk.append(nxt if nxt in "{}\\'" else c + nxt)
            i += 2
            continue
        if c == "{":
            if template.startswith("{}", i):
                parts.append("".join(chunk))
                parts.append(None)
                chunk = []
                i += 2
                continue
            raise _Invalid("this '{' is not followed by '}'; write \\{ for a literal brace",
                           "Invalid template in States.Format: matching '}' not found for '{'.", i)
        if c == "}":
            raise _Invalid("this '}' has no '{' before it; write \\} for a literal brace",
                           "Invalid template in States.Format: matching '{' not found for '}'.", i)
        chunk.append(c)
        i += 1
    parts.append("".join(chunk))
    return tuple(p for p in parts if p != "")


def _format_text(value: Any) -> str:
    """How Format writes a value: strings bare, objects like Java maps ({a=1, b=[]})."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + ", ".join(map(_format_text, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_format_text(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


@intrinsic("States.Format", Param("template", (STRING,)), Param("values", variadic=True), returns=STRING)
def _format(template: str, *values: Any) -> str:
    parts = parse_template(template)
    wanted = parts.count(None)
    if wanted != len(values):
        raise _Invalid(f"the template has {wanted} placeholder(s) {{}} but {len(values)} value(s) follow it",
                       "Invalid arguments in States.Format: number of arguments do not match the occurrences of {}.")
    given = iter(values)
    return "".join(_format_text(next(given)) if p is None else p for p in parts)


@intrinsic("States.UUID", returns=STRING, needs_rng=True)
def _uuid(*, rng: Any) -> str:
    return str(rng.uuid())


# --- JSON -------------------------------------------------------------------------------

def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


@intrinsic("States.StringToJson", Param("text", (STRING,)))
def _string_to_json(text: str) -> Any:
    if not text.strip():
        return None  # AWS returns null for an empty or blank string
    try:
        return json.loads(text, parse_constant=_no_constants)
    except ValueError as exc:
        raise _Invalid(f"the string is not valid JSON ({exc})") from None


@intrinsic("States.JsonToString", Param("value"), returns=STRING)
def _json_to_string(value: Any) -> str:
    return to_json(value)


@intrinsic("States.JsonMerge", Param("first", (OBJECT,)), Param("second", (OBJECT,)), Param("deep"),
           returns=OBJECT)
def _json_merge(first: dict, second: dict, deep: Any) -> dict:
    # AWS only merges shallowly; a non-boolean flag is accepted and means shallow too.
    if deep is True:
        raise _Invalid("only shallow merging is supported: the third argument must be false")
    return {**first, **second}


# --- Arrays -----------------------------------------------------------------------------

@intrinsic("States.Array", Param("values", variadic=True), returns=ARRAY)
def _array(*values: Any) -> list:
    return list(values)


@intrinsic("States.ArrayPartition", Param("array", (ARRAY,)), Param("size", (NUMBER,)), returns=ARRAY)
def _array_partition(array: list, size: float) -> list:
    chunk = _truncate(size)  # AWS truncates: 2.6 -> 2, and 0.6 -> 0 fails
    if chunk <= 0:
        raise _Invalid(f"the chunk size must be a positive integer, got {size}")
    return [array[i:i + chunk] for i in range(0, len(array), chunk)]


def _text_key(value: Any) -> tuple:
    """ArrayContains compares values as AWS does: scalars by their text, so true matches
    "true" and 7 matches "7"; objects and arrays by their JSON text, key order included."""
    if isinstance(value, (list, dict)):
        return ("json", to_json(value))
    if isinstance(value, str):
        return ("text", value)
    return ("text", json.dumps(value))


@intrinsic("States.ArrayContains", Param("array", (ARRAY,)), Param("value"), returns=BOOLEAN)
def _array_contains(array: list, value: Any) -> bool:
    wanted = _text_key(value)
    return any(_text_key(item) == wanted for item in array)


@intrinsic("States.ArrayRange", Param("first", (NUMBER,)), Param("last", (NUMBER,)), Param("step", (NUMBER,)),
           returns=ARRAY)
def _array_range(first: float, last: float, step: float) -> list:
    start, stop, by = _truncate(first), _truncate(last), _truncate(step)
    if by == 0:
        raise _Invalid(f"the step must not be zero (got {step})")
    count = max(0, (stop - start) // by + 1)
    if count > MAX_RANGE_ITEMS:
        raise _Invalid(f"the range has {count} items; the limit is {MAX_RANGE_ITEMS}")
    return list(range(start, stop + (1 if by > 0 else -1), by))


@intrinsic("States.ArrayGetItem", Param("array", (ARRAY,)), Param("index", (NUMBER,)))
def _array_get_item(array: list, index: float) -> Any:
    if not array:
        return None  # observed on AWS: any index of an empty array gives null
    position = _truncate(index)
    if not 0 <= position < len(array):
        raise _Invalid(f"index {index} is outside the array (valid: 0 to {len(array) - 1})")
    return array[position]


@intrinsic("States.ArrayLength", Param("array", (ARRAY,)), returns=NUMBER)
def _array_length(array: list) -> int:
    return len(array)


def _identity_key(value: Any) -> Any:
    """Structural identity for ArrayUnique: types count (1, "1" and true differ), key order does not."""
    if isinstance(value, list):
        return ("array", tuple(map(_identity_key, value)))
    if isinstance(value, dict):
        return ("object", frozenset((k, _identity_key(v)) for k, v in value.items()))
    return (type(value).__name__, value)


@intrinsic("States.ArrayUnique", Param("array", (ARRAY,)), returns=ARRAY)
def _array_unique(array: list) -> list:
    seen: set = set()
    unique = []
    for item in array:
        key = _identity_key(item)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


# --- Encoding and hashing ---------------------------------------------------------------

@intrinsic("States.Base64Encode", Param("text", (STRING,)), returns=STRING)
def _base64_encode(text: str) -> str:
    _check_length(text, "input string")
    return base64.b64encode(_utf8(text)).decode("ascii")


_BASE64_CHARS = re.compile(r"[^A-Za-z0-9+/]")


@intrinsic("States.Base64Decode", Param("text", (STRING,)), returns=STRING)
def _base64_decode(text: str) -> str:
    _check_length(text, "input string")
    # AWS decodes leniently: characters outside the alphabet are skipped and the
    # first '=' ends the data ('abc', ' YWJj ' and '!!!x!!!' all decode).
    data = _BASE64_CHARS.sub("", text.split("=", 1)[0].replace("-", "+").replace("_", "/"))
    data = data[: len(data) - len(data) % 4] if len(data) % 4 == 1 else data
    return base64.b64decode(data + "=" * (-len(data) % 4)).decode("utf-8", errors="replace")


HASH_ALGORITHMS = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


@intrinsic("States.Hash", Param("data"), Param("algorithm", (STRING,)), returns=STRING)
def _hash(data: Any, algorithm: str) -> str:
    text = data if isinstance(data, str) else to_json(data)  # AWS hashes other values as text
    _check_length(text, "data")
    if algorithm not in HASH_ALGORITHMS:
        raise _Invalid(_unknown_algorithm(algorithm))
    return hashlib.new(HASH_ALGORITHMS[algorithm], _utf8(text)).hexdigest()


def _unknown_algorithm(algorithm: Any) -> str:
    close = difflib.get_close_matches(str(algorithm).upper(), HASH_ALGORITHMS, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown hash algorithm {algorithm!r}: use one of {', '.join(HASH_ALGORITHMS)}{hint}"


# --- Math -------------------------------------------------------------------------------

def _int32(value: int, what: str) -> int:
    if not INT32_MIN <= value <= INT32_MAX:
        raise _Invalid(f"{what} {value} does not fit in a 32-bit integer")
    return value


@intrinsic("States.MathAdd", Param("value1", (NUMBER,)), Param("value2", (NUMBER,)), returns=NUMBER)
def _math_add(value1: float, value2: float) -> int:
    a = _int32(_java_round(value1), "the first value")
    b = _int32(_java_round(value2), "the second value")
    return _int32(a + b, "the sum")


class JavaRandom:
    """``java.util.Random``: a seeded MathRandom gives the numbers AWS's Java runtime gives."""

    _MULTIPLIER, _MASK = 0x5DEECE66D, (1 << 48) - 1

    def __init__(self, seed: int):
        self._seed = (seed ^ self._MULTIPLIER) & self._MASK

    def _next(self, bits: int) -> int:
        self._seed = (self._seed * self._MULTIPLIER + 0xB) & self._MASK
        value = self._seed >> (48 - bits)
        return value - (1 << 32) if value >= 1 << 31 else value  # Java's cast to a signed int

    def next_int(self, bound: int) -> int:
        r = self._next(31)
        if bound & (bound - 1) == 0:
            return (bound * r) >> 31
        while True:
            value = r % bound
            if r - value + bound - 1 < 2 ** 31:  # Java's overflow test, in unbounded ints
                return value
            r = self._next(31)

    def next_double(self) -> float:
        return ((self._next(26) << 27) + self._next(27)) * 2.0 ** -53


@intrinsic("States.MathRandom", Param("start", (NUMBER,)), Param("end", (NUMBER,)),
           Param("seed", (NUMBER,), optional=True), returns=NUMBER, needs_rng=True)
def _math_random(start: float, end: float, seed: float | None = None, *, rng: Any) -> int:
    low, high = _truncate(start), _truncate(end)  # AWS truncates: (1.4, 1.6) fails
    if low >= high:
        raise _Invalid(f"the start ({start}) must be less than the end ({end}); the end is excluded")
    if high - low > INT32_MAX:
        raise _Invalid("the range is wider than a 32-bit integer")
    if seed is not None:
        return low + JavaRandom(_truncate(seed)).next_int(high - low)
    return int(rng.randint(low, high - 1))


# --- Strings ----------------------------------------------------------------------------

@intrinsic("States.StringSplit", Param("text", (STRING,)), Param("delimiters", (STRING,)), returns=ARRAY)
def _string_split(text: str, delimiters: str) -> list:
    # Each character of the second argument is a delimiter and empty pieces are
    # dropped (Java's StringTokenizer): ",a,,b," split on "," is ["a", "b"].
    if not delimiters:
        return [text] if text else []
    pattern = "[" + "".join(re.escape(c) for c in delimiters) + "]"
    return [piece for piece in re.split(pattern, text) if piece]


# --- The parser ---------------------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOTTED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_KEYWORDS = {"true": True, "false": False, "null": None}
_UNESCAPE = re.compile(r"\\([\\'{}])")


class _Literal:
    __slots__ = ("value", "raw", "column")

    def __init__(self, value: Any, column: int, raw: str | None = None):
        self.value, self.column, self.raw = value, column, raw

    @property
    def type(self) -> str:
        return json_type(self.value)

    def evaluate(self, data: Any, context: Any, variables: Any, rng: Any) -> Any:
        return self.value


class _PathArg:
    __slots__ = ("path", "column", "owner")
    type = ANY

    def __init__(self, path: Any, column: int):
        self.path, self.column, self.owner = path, column, None

    def evaluate(self, data: Any, context: Any, variables: Any, rng: Any) -> Any:
        try:
            return self.path.get(data, context, variables)
        except PathNotFound as exc:
            document = {CONTEXT: context, VARIABLE: variables}.get(self.path.root, data)
            raise IntrinsicError(
                f"{self.owner.error_head()} The JsonPath argument for the field '{self.path.text}' "
                f"could not be found in the input '{_document_text(document)}'",
                f"{self.path.text} selects nothing ({exc.jayway})") from None


def _document_text(document: Any) -> str:
    try:
        return to_json(document if document is not None else {})
    except (TypeError, ValueError):  # a variables mapping that is not a plain dict
        return to_json(dict(document)) if hasattr(document, "keys") else "{}"


class _Call:
    __slots__ = ("function", "args", "text", "column", "problem", "checks")

    def __init__(self, function: Function, args: list, text: str, column: int):
        self.function, self.args, self.text, self.column = function, args, text, column
        self.problem: str | None = None  # a compile-time finding deferred to run time
        # (position, accepted types) for every argument whose type is declared
        self.checks = tuple((i, function.param(i).types) for i in range(len(args))
                            if function.params and function.param(i).types[0] != ANY)

    @property
    def type(self) -> str:
        return self.function.returns

    def error_head(self) -> str:
        return f"There was an error while evaluating the intrinsic function: {self.text}."

    def fail(self, hint: str, tail: str = "") -> IntrinsicError:
        return IntrinsicError(f"{self.error_head()} {tail or 'Invalid arguments in ' + self.function.name}", hint)

    def evaluate(self, data: Any, context: Any, variables: Any, rng: Any) -> Any:
        values = [arg.evaluate(data, context, variables, rng) for arg in self.args]
        function = self.function
        if self.problem:
            raise self.fail(self.problem)
        for i, types in self.checks:
            if _JSON_TYPES.get(type(values[i])) not in types:
                raise self.fail(f"argument {i + 1} ({function.param(i).name}) must be {_a(types)}, "
                                f"but is {_shown(values[i])}")
        try:
            if function.needs_rng:
                return function.body(*values, rng=rng)
            return function.body(*values)
        except _Invalid as exc:
            raise self.fail(exc.hint, exc.tail) from None


class _Parser:
    """Recursive descent over the call text; every error points at a column."""

    def __init__(self, text: str, field_name: str | None, strict: bool):
        self.text, self.field_name, self.strict, self.pos = text, field_name, strict, 0

    def fail(self, message: str, column: int | None = None) -> PathSyntaxError:
        return PathSyntaxError(self.text, message, self.pos if column is None else column, self.field_name)

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def parse(self) -> _Call:
        self.skip_spaces()
        call = self.call(1)
        self.skip_spaces()
        if self.pos < len(self.text):
            raise self.fail(f"unexpected {self.text[self.pos:]!r} after the end of the call")
        return call

    def call(self, depth: int) -> _Call:
        start = self.pos
        if depth > MAX_NESTING:
            raise self.fail(f"intrinsic functions can be nested at most {MAX_NESTING} deep", start)
        name = self.function_name()
        if not self.text.startswith("(", self.pos):
            raise self.fail(f"expected '(' after {name}")
        self.pos += 1
        args = self.arguments(depth)
        call = _Call(FUNCTIONS[name], args, self.text[start:self.pos], start)
        for arg in args:
            if isinstance(arg, _PathArg):
                arg.owner = call
        self.check(call)
        return call

    def function_name(self) -> str:
        start = self.pos
        match = _DOTTED_NAME.match(self.text, start)
        name = match.group(0) if match else ""
        if name in FUNCTIONS:
            self.pos = match.end()  # type: ignore[union-attr]
            return name
        if not name:
            raise self.fail("expected an intrinsic function such as States.Format(...)", start)
        close = [n for n in FUNCTIONS if n.lower() == name.lower()] or \
            difflib.get_close_matches(name, FUNCTIONS, n=1, cutoff=0.6)
        suggestion = f"; did you mean {close[0]}?" if close else f"; known functions: {', '.join(FUNCTIONS)}"
        raise self.fail(f"unknown intrinsic function {name!r}{suggestion}", start)

    def arguments(self, depth: int) -> list:
        args: list = []
        self.skip_spaces()
        if self.text.startswith(")", self.pos):
            self.pos += 1
            return args
        while True:
            args.append(self.argument(depth))
            self.skip_spaces()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith(")", self.pos):
                self.pos += 1
                return args
            else:
                found = repr(self.text[self.pos]) if self.pos < len(self.text) else "the end of the text"
                raise self.fail(f"expected ',' or ')' but found {found}")

    def argument(self, depth: int) -> Any:
        self.skip_spaces()
        if self.pos >= len(self.text):
            raise self.fail("expected an argument but the text ended; is a ')' missing?")
        c = self.text[self.pos]
        if c == "'":
            return self.string()
        if c == "$":
            return self.path()
        if c in "-." or c.isdigit():
            return self.number()
        if c in "[{":
            raise self.fail(f"{c!r} cannot start a value here: build arrays with States.Array(...) and "
                            "objects with States.StringToJson('...')")
        if c in ",)":
            raise self.fail("expected an argument here (a 'string', a number, a $.path or a call)")
        word = _NAME.match(self.text, self.pos)
        if word and word.group(0) in _KEYWORDS and not self.text.startswith(".", word.end()):
            self.pos = word.end()
            return _Literal(_KEYWORDS[word.group(0)], word.start())
        looks_like_call = word is not None and self.text.startswith("(", word.end())
        if looks_like_call or self.text.startswith("States.", self.pos):
            return self.call(depth + 1)
        token = word.group(0) if word else c
        raise self.fail(f"{token!r} is not a value: strings are written in single quotes ('{token}'), "
                        "paths start with '$'")

    def string(self) -> _Literal:
        start = self.pos
        i = start + 1
        while i < len(self.text):
            if self.text[i] == "\\":
                if self.text.startswith('\\"', i):
                    # Design note: AWS refuses the definition for a \" in an intrinsic function's string
                    # (issue 17, from definitions checked on AWS); a double quote needs no escape inside
                    # '...'. Other unknown escapes (\n) are kept as typed: what AWS does with them is
                    # not established.
                    raise self.fail("'\\\"' is not an escape in an intrinsic function string: write the \" "
                                    "without a backslash (the escapes are \\', \\{, \\} and \\\\)", i)
                i += 2
                continue
            if self.text[i] == "'":
                raw = self.text[start + 1:i]
                self.pos = i + 1
                return _Literal(_UNESCAPE.sub(r"\1", raw), start, raw)
            i += 1
        raise self.fail("this string is never closed: add a ' (write \\' for a quote inside a string)", start)

    def number(self) -> _Literal:
        start = self.pos
        match = _NUMBER.match(self.text, start)
        end = match.end() if match else start
        if not match or (end < len(self.text) and not (self.text[end].isspace() or self.text[end] in ",)")):
            raise self.fail("not a number: write numbers as in JSON (1, -2, 0.5, 1e3)", start)
        self.pos = end
        text = match.group(0)
        is_float = any(c in text for c in ".eE")
        return _Literal(float(text) if is_float else int(text), start)

    def path(self) -> _PathArg:
        start, text = self.pos, self.text
        brackets = parens = 0
        quote = None
        i = start
        while i < len(text):
            c = text[i]
            if quote:
                if c == "\\":
                    i += 1
                elif c == quote:
                    quote = None
            elif c in "'\"" and brackets:
                quote = c
            elif c in "[(":
                brackets += c == "["
                parens += c == "("
            elif c == "]":
                brackets -= 1
            elif c == ")" and parens:
                parens -= 1
            elif not (brackets or parens) and (c in ",)" or c.isspace()):
                break
            i += 1
        self.pos = i
        try:
            return _PathArg(compile_path(text[start:i]), start)
        except PathSyntaxError as exc:
            offset = exc.column if exc.column is not None else 0
            raise self.fail(exc.reason, start + offset) from None

    def check(self, call: _Call) -> None:
        """What can be known before any data arrives: counts, literal types, templates."""
        args = call.args
        if call.function.name == "States.Format" and args and isinstance(args[0], _Literal) and args[0].raw:
            args[0].value = args[0].raw  # a template keeps its escapes: \\{ is not a placeholder
        if not self.strict:
            call.problem = call.function.arity_problem(len(args))  # the rest fails at run time anyway
            return
        problem, column = self.static_problem(call)
        if problem:
            raise self.fail(problem, column)

    @staticmethod
    def static_problem(call: _Call) -> tuple[str | None, int]:
        function, args = call.function, call.args
        problem = function.arity_problem(len(args))
        if problem:
            return problem, call.column
        for i, arg in enumerate(args):
            types = function.param(i).types
            if types[0] != ANY and arg.type != ANY and arg.type not in types:
                shown = _shown(arg.value) if isinstance(arg, _Literal) else f"a call returning {arg.type}"
                return (f"argument {i + 1} ({function.param(i).name}) of {function.name} must be "
                        f"{_a(types)}, but is {shown}"), arg.column
        if function.name == "States.Format" and isinstance(args[0], _Literal):
            try:
                wanted = parse_template(args[0].value).count(None)
            except _Invalid as exc:
                return f"invalid template: {exc.hint}", args[0].column + 1 + exc.offset
            if wanted != len(args) - 1:
                return (f"the template has {wanted} placeholder(s) {{}} but {len(args) - 1} "
                        f"value(s) follow it"), args[0].column
        if function.name == "States.Hash" and isinstance(args[1], _Literal) and args[1].value not in HASH_ALGORITHMS:
            return _unknown_algorithm(args[1].value), args[1].column
        return None, call.column


# --- Public entry points ------------------------------------------------------------------

class _FallbackRng:
    """Used when no rng is given (a quick call in a notebook); engines pass their seeded one."""

    def __init__(self) -> None:
        self._random = random.Random()

    def random(self) -> float:
        return self._random.random()

    def randint(self, a: int, b: int) -> int:
        return self._random.randint(a, b)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))


_FALLBACK_RNG = _FallbackRng()


class Intrinsic:
    """A compiled call: ``evaluate(data, context, variables, rng)`` returns its value."""

    __slots__ = ("text", "root")

    def __init__(self, text: str, root: _Call):
        self.text, self.root = text, root

    @property
    def name(self) -> str:
        return self.root.function.name

    def evaluate(self, data: Any, context: Any = None, variables: Any = None, rng: Any = None) -> Any:
        """Run the call. Raises ``IntrinsicError`` (a ``States.Runtime`` StatesError) on failure."""
        return self.root.evaluate(data, context, variables, _FALLBACK_RNG if rng is None else rng)

    def __repr__(self) -> str:
        return f"Intrinsic({self.text!r})"


_INTRINSIC_START = re.compile(r"States\.[A-Za-z0-9_]+\(")


def is_intrinsic(text: Any) -> bool:
    """True for text that is an intrinsic call: ``States.`` + a name + ``(``."""
    return isinstance(text, str) and _INTRINSIC_START.match(text) is not None


_CACHE: dict[tuple[str, bool], Intrinsic] = {}


def compile_intrinsic(text: str, *, field_name: str | None = None, strict: bool = True) -> Intrinsic:
    """Parse a call once. Raises ``PathSyntaxError`` with a caret under the problem.

    >>> compile_intrinsic("States.Format('Hello {}!', $.name)").evaluate({"name": "Ada"})
    'Hello Ada!'
    >>> compile_intrinsic("States.MathAdd($.n, 1)").evaluate({"n": 41})
    42
    """
    if not isinstance(text, str):
        raise PathSyntaxError(str(text), "an intrinsic function call must be a string", None, field_name)
    key = (text, strict)
    compiled = _CACHE.get(key)
    if compiled is None:
        compiled = Intrinsic(text, _Parser(text, field_name, strict).parse())
        if len(_CACHE) < 10_000:
            _CACHE[key] = compiled
    return compiled


def call_intrinsic(text: str, data: Any = None, context: Any = None, variables: Any = None,
                   rng: Any = None) -> Any:
    """Compile and run a call in one step (for notebooks).

    >>> call_intrinsic("States.ArrayPartition($.items, 2)", {"items": [1, 2, 3]})
    [[1, 2], [3]]
    """
    return compile_intrinsic(text).evaluate(data, context, variables, rng)
