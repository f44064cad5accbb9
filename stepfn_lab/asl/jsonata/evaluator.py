"""The JSONata evaluator: jsonata-python's, with JavaScript arithmetic, direct paths and a time limit.

Spec: AWS Step Functions developer guide, "Transforming data with JSONata in Step
Functions" (JSONata 2.0.6 as AWS runs it: JavaScript numbers, so ``1/0`` is
Infinity and ``%`` keeps the dividend's sign). Taught in:
notebooks/14-jsonata-and-variables.ipynb.

``_CALL`` holds what one evaluation hands to the functions it calls (the rng,
the clock, the evaluator itself), one per thread. A runaway expression is
stopped after ``TIMEOUT_MS``.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

from .library import NULL, JException, Jsonata, Utils
from .randomness import DEFAULT_RNG
from .values import _MISSING, _string

TIMEOUT_MS = 5000  # an expression that runs longer is stopped (JSONata's D1012)



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
        if not call.calls & 1023 and time.monotonic() - call.started > TIMEOUT_MS / 1000:
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
        self.started = 0.0  # when the evaluation began (time.monotonic)


_CALL = _Call()
