"""The eighteen intrinsic functions: one table of ``@intrinsic`` declarations and their bodies.

Spec: Amazon States Language, "Intrinsic functions" (AWS docs "Intrinsic functions
for JSONPath states": generic, JSON, array, encoding and hashing, math and string
functions). Taught in: notebooks/06-intrinsic-functions.ipynb.

Each function is declared with its parameters (``signatures.Param``) right above
its body; the bodies receive values already checked against those types. Where
AWS behaves surprisingly (truncation, lenient Base64, text comparison in
ArrayContains), the function says what was observed on AWS.
"""

from __future__ import annotations

import base64
import difflib
import functools
import hashlib
import json
import math
import re
from typing import Any

from ..paths import to_json
from .signatures import ARRAY, BOOLEAN, FUNCTIONS, NUMBER, OBJECT, STRING, Param, _Invalid, intrinsic

__all__ = ["FUNCTIONS", "HASH_ALGORITHMS", "INT32_MAX", "INT32_MIN", "JavaRandom", "MAX_RANGE_ITEMS",
           "MAX_TEXT_LENGTH", "parse_template"]

MAX_RANGE_ITEMS = 1000
MAX_TEXT_LENGTH = 10_000  # Base64Encode, Base64Decode and Hash inputs, in UTF-16 units as Java counts
INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1


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
