"""A JSON value with ``{% %}`` strings at any depth (``Output``, ``Arguments``, ``Assign``...), compiled once.

Spec: AWS Step Functions developer guide, "Transforming data with JSONata in Step
Functions" (expressions inside the values of ``Arguments``, ``Output``,
``Assign``, ``Items``...; the field path AWS names in messages, such as
``Output/result`` or ``Arguments/a[0]``). Taught in:
notebooks/14-jsonata-and-variables.ipynb.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .expression import Expression, is_expression


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
