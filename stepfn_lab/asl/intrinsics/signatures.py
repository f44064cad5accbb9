"""The signatures of the intrinsic functions: parameter types, arity, and the errors a call raises.

Spec: Amazon States Language, "Intrinsic functions" (the argument types each
function accepts and AWS's ``States.Runtime`` texts for a failed call: "Invalid
arguments in States.X"). Taught in: notebooks/06-intrinsic-functions.ipynb.

Every function is declared once with ``@intrinsic(name, Param(...), returns=...)``
(jmespath's ``@signature`` idea), so arity and type failures get their messages
from one place. The declarations themselves are the table in ``functions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ...errors import RUNTIME, StatesError
from ..paths import to_json

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
