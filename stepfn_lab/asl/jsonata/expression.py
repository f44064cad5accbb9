"""A ``{% ... %}`` expression: recognised, parsed once, evaluated many times.

Spec: AWS Step Functions developer guide, "Transforming data with JSONata in Step
Functions" (a field's value is an expression when the whole string starts with
``{%`` and ends with ``%}``; ``$states`` and the workflow variables are in
scope; an expression that produces nothing, a function or an error fails the
state with ``States.QueryEvaluationError``). Taught in:
notebooks/14-jsonata-and-variables.ipynb.

Design notes. Each expression is parsed once and keeps its syntax tree; an
evaluation is a single walk of that tree with a fresh, small scope (``$states``
and the variables the expression mentions). Plain paths such as
``$states.input.a.b`` are tagged at compile time and walked as dict lookups
(``evaluator``); anything else takes JSONata's general route.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from ...errors import PathSyntaxError, StatesError
from ..paths import json_type
from .errors import OUT_OF_RANGE, _syntax_error, evaluation_error, query_error
from .evaluator import _CALL
from .functions import _FUNCTION_NAMES, _SCOPE
from .library import NULL, Jsonata, Parser
from .randomness import DEFAULT_RNG
from .values import _MISSING, _compact, _is_function, _plain


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


def _parse_text(text: str) -> Any:
    """The syntax tree of an expression; raises JException for bad syntax."""
    return Jsonata(text).ast


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
        call.started = time.monotonic()
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
        except Exception as err:  # noqa: BLE001 - every failure fails the state, never Python
            raise self._failure(evaluation_error(err)) from None
        if result is None:
            raise self._failure("returned nothing (undefined).")
        try:
            result = _plain(result)
        except OverflowError:
            raise self._failure(OUT_OF_RANGE) from None
        if _is_function(result):
            raise self._failure("returned an unsupported result type.")
        if expect is not None and json_type(result) != expect:
            raise self._failure(f"returned an unexpected result type. Expected '{expect}', but was "
                                f"'{json_type(result)}' for value: {_compact(result)}")
        return result

    def _failure(self, what: str) -> StatesError:
        return query_error(self.text, self.field, what)


def compile_expression(text: str, field: str = "Output") -> Expression:
    """Compile the text of an expression (with or without its ``{% %}``).

    ``field`` is the field path AWS names in messages: ``Output``,
    ``Output/result``, ``Arguments/a[0]``, ``Items``, ``Condition``, ``Assign/x``.
    Raises ``PathSyntaxError`` for bad syntax.
    """
    return Expression(text, field)
