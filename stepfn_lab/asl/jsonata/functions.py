"""The functions Step Functions adds to JSONata ($partition, $range, $hash, $random, $uuid, $parse).

Spec: AWS Step Functions developer guide, "Transforming data with JSONata in Step
Functions", section "Step Functions functions" (and ``$eval``, which Step
Functions takes away). Taught in: notebooks/14-jsonata-and-variables.ipynb.

``_FUNCTIONS`` is the table: each name with its body and JSONata signature.
The standard ``$number``, ``$string`` and ``$count`` are bound to their
JavaScript-style versions (``values``), ``$now`` and ``$millis`` to the
evaluation's clock. The table is bound once, at import, into ``_SCOPE``, the
parent of every evaluation's scope.

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
import time
from typing import Any

from .errors import _FunctionError
from .evaluator import _CALL
from .library import NULL, Functions, Jsonata, Utils
from .randomness import java_random_double
from .values import _count, _js_json, _number, _string

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
