"""DynamoDB's expressions applied to items: conditions tested, updates applied, projections taken.

Spec: DynamoDB Developer Guide, "Using expressions in DynamoDB": condition
expressions and their functions (``attribute_exists``, ``attribute_type``,
``begins_with``, ``contains``, ``size``), comparison rules for AttributeValues,
update expressions (SET / REMOVE / ADD / DELETE), projection expressions, and
the ExpressionAttributeNames / ExpressionAttributeValues of a request with the
ValidationException texts DynamoDB answers for them. Taught in:
notebooks/08-task-states.ipynb.

Works on the trees ``parse`` builds. ``matches`` tests a condition against an
item, ``update`` applies an update to a copy of an item (right-hand sides read
the item as it was), ``project`` keeps the attributes a projection names.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from ..attributes import av_equal, check_av, fmt, num, ordered
from ..base import validation_error
from .parse import Expression


class Scope:
    """ExpressionAttributeNames / ExpressionAttributeValues of one request."""

    def __init__(self, params: dict):
        self.names = params.get("ExpressionAttributeNames") or {}
        self.values = params.get("ExpressionAttributeValues") or {}
        for key, value in self.values.items():
            check_av(value, f"ExpressionAttributeValues.{key}")

    def name(self, token: str, field: str) -> str:
        if not token.startswith("#"):
            return token
        if token not in self.names:
            raise validation_error("dynamodb", f"Invalid {field}: An expression attribute name used in the document "
                                          f"path is not defined; attribute name: {token}")
        return self.names[token]

    def value(self, token: str, field: str) -> dict:
        if token not in self.values:
            raise validation_error("dynamodb", f"Invalid {field}: An expression attribute value used in expression is "
                                          f"not defined; attribute value: {token}")
        return self.values[token]

    def check_all_used(self, expressions: list[Expression]) -> None:
        """AWS refuses names and values that no expression uses."""
        used_names = set().union(*(e.names for e in expressions)) if expressions else set()
        used_values = set().union(*(e.values for e in expressions)) if expressions else set()
        unused = sorted(set(self.names) - used_names)
        if unused:
            raise validation_error("dynamodb", "Value provided in ExpressionAttributeNames unused in expressions: "
                                          f"keys: {{{', '.join(unused)}}}")
        unused = sorted(set(self.values) - used_values)
        if unused:
            raise validation_error("dynamodb", "Value provided in ExpressionAttributeValues unused in expressions: "
                                          f"keys: {{{', '.join(unused)}}}")


def _resolve(item: dict, path: tuple, scope: Scope, field: str) -> dict | None:
    """The AttributeValue at a document path, or None when it is not there."""
    current: Any = item.get(scope.name(path[0], field))
    for part in path[1:]:
        if current is None:
            return None
        if isinstance(part, int):
            items = current.get("L")
            current = items[part] if items is not None and part < len(items) else None
        else:
            members = current.get("M")
            current = members.get(scope.name(part, field)) if members is not None else None
    return current


def _operand(node: Any, item: dict, scope: Scope, field: str) -> dict | None:
    kind = node[0]
    if kind == "value":
        return scope.value(node[1], field)
    if kind == "size":
        target = _resolve(item, node[1][1], scope, field)
        if target is None:
            return None
        t, v = next(iter(target.items()))
        if t == "B":
            return {"N": str(len(base64.b64decode(v)))}
        if t in ("S", "L", "M", "SS", "NS", "BS"):
            return {"N": str(len(v))}
        raise validation_error("dynamodb", f"Invalid {field}: Incorrect operand type for operator or function; "
                                      f"operator or function: size, operand type: {t}")
    return _resolve(item, node[1], scope, field)


def matches(node: Any, item: dict, scope: Scope, field: str) -> bool:
    """Evaluate a condition expression tree against an item."""
    kind = node[0]
    if kind == "or":
        return matches(node[1], item, scope, field) or matches(node[2], item, scope, field)
    if kind == "and":
        return matches(node[1], item, scope, field) and matches(node[2], item, scope, field)
    if kind == "not":
        return not matches(node[1], item, scope, field)
    if kind == "cmp":
        _, op, left, right = node
        a, b = _operand(left, item, scope, field), _operand(right, item, scope, field)
        if op == "=":
            return av_equal(a, b)
        if op == "<>":
            return not av_equal(a, b)
        x, y = ordered(a), ordered(b)
        if x is None or y is None or x[0] != y[0]:
            return False
        return {"<": x[1] < y[1], "<=": x[1] <= y[1], ">": x[1] > y[1], ">=": x[1] >= y[1]}[op]
    if kind == "between":
        x, low, high = (ordered(_operand(n, item, scope, field)) for n in node[1:])
        if x is None or low is None or high is None or not x[0] == low[0] == high[0]:
            return False
        return low[1] <= x[1] <= high[1]
    if kind == "in":
        value = _operand(node[1], item, scope, field)
        return any(av_equal(value, _operand(o, item, scope, field)) for o in node[2])
    return _function(node[1], node[2], item, scope, field)


def _function(name: str, args: list, item: dict, scope: Scope, field: str) -> bool:
    target = _resolve(item, args[0][1], scope, field)
    if name == "attribute_exists":
        return target is not None
    if name == "attribute_not_exists":
        return target is None
    operand = _operand(args[1], item, scope, field)
    if target is None or operand is None:
        return False
    t, v = next(iter(target.items()))
    ot, ov = next(iter(operand.items()))
    if name == "attribute_type":
        return ot == "S" and t == ov
    if name == "begins_with":
        return t == ot and t in ("S", "B") and v.startswith(ov)
    # contains
    if t == "S":
        return ot == "S" and ov in v
    if t in ("SS", "NS", "BS"):
        return t[0] == ot and any(av_equal({ot: e}, operand) for e in v)
    if t == "L":
        return any(av_equal(e, operand) for e in v)
    return False


def update(item: dict, expression: Expression, scope: Scope, key_names: tuple) -> dict:
    """Apply an UpdateExpression to a copy of an item (right-hand sides read the item as it was)."""
    field = expression.field
    old = item
    new = json.loads(json.dumps(item))
    for target, value in expression.tree.get("SET", []):
        _assign(new, target[1], _set_value(value, old, scope, field), scope, field, key_names)
    for target in expression.tree.get("REMOVE", []):
        _remove(new, target[1], scope, field, key_names)
    for target, value in expression.tree.get("ADD", []):
        _add(new, target[1], scope.value(value[1], field), scope, field, key_names, delete=False)
    for target, value in expression.tree.get("DELETE", []):
        _add(new, target[1], scope.value(value[1], field), scope, field, key_names, delete=True)
    return new


def _set_value(node: Any, item: dict, scope: Scope, field: str) -> dict:
    kind = node[0]
    if kind == "value":
        return scope.value(node[1], field)
    if kind == "path":
        found = _resolve(item, node[1], scope, field)
        if found is None:
            raise validation_error("dynamodb", "The provided expression refers to an attribute that does not exist in "
                                          "the item")
        return found
    if kind == "if_not_exists":
        found = _resolve(item, node[1][1], scope, field)
        return found if found is not None else _set_value(node[2], item, scope, field)
    if kind == "list_append":
        first, second = _set_value(node[1], item, scope, field), _set_value(node[2], item, scope, field)
        for part in (first, second):
            if "L" not in part:
                raise validation_error("dynamodb", f"Invalid {field}: Incorrect operand type for operator or function; "
                                              f"operator or function: list_append, operand type: {next(iter(part))}")
        return {"L": first["L"] + second["L"]}
    # arithmetic
    _, op, left, right = node
    a, b = _set_value(left, item, scope, field), _set_value(right, item, scope, field)
    for part in (a, b):
        if "N" not in part:
            raise validation_error("dynamodb", f"Invalid {field}: Incorrect operand type for operator or function; "
                                          f"operator or function: {op}, operand type: {next(iter(part))}")
    x, y = num(a["N"]), num(b["N"])
    return {"N": fmt(x + y if op == "+" else x - y)}


def _container(item: dict, path: tuple, scope: Scope, field: str, key_names: tuple) -> tuple[Any, Any]:
    """The parent collection of a document path and the last step (a name or an index)."""
    first = scope.name(path[0], field)
    if len(path) == 1:
        if first in key_names:
            raise validation_error("dynamodb", f"One or more parameter values were invalid: Cannot update attribute "
                                          f"{first}. This attribute is part of the key")
        return item, first
    parent = item.get(first)
    for part in path[1:-1]:
        parent = _step(parent, part, scope, field)
    last = path[-1]
    if parent is None or ("L" if isinstance(last, int) else "M") not in parent:
        raise validation_error("dynamodb", "The document path provided in the update expression is invalid for update")
    return (parent["L"] if isinstance(last, int) else parent["M"]), (
        last if isinstance(last, int) else scope.name(last, field))


def _step(av: Any, part: Any, scope: Scope, field: str) -> Any:
    if av is None:
        return None
    if isinstance(part, int):
        items = av.get("L")
        return items[part] if items is not None and part < len(items) else None
    members = av.get("M")
    return members.get(scope.name(part, field)) if members is not None else None


def _assign(item: dict, path: tuple, value: dict, scope: Scope, field: str, key_names: tuple) -> None:
    parent, last = _container(item, path, scope, field, key_names)
    if isinstance(last, int):
        if last < len(parent):
            parent[last] = value
        else:
            parent.append(value)
    else:
        parent[last] = value


def _remove(item: dict, path: tuple, scope: Scope, field: str, key_names: tuple) -> None:
    parent, last = _container(item, path, scope, field, key_names)
    if isinstance(last, int):
        if last < len(parent):
            del parent[last]
    else:
        parent.pop(last, None)


def _add(item: dict, path: tuple, value: dict, scope: Scope, field: str, key_names: tuple, delete: bool) -> None:
    parent, last = _container(item, path, scope, field, key_names)
    current = parent[last] if (isinstance(last, int) and last < len(parent)) or (
        not isinstance(last, int) and last in parent) else None
    kind = next(iter(value))
    word = "DELETE" if delete else "ADD"
    if kind not in (("SS", "NS", "BS") if delete else ("N", "SS", "NS", "BS")):
        raise validation_error("dynamodb", f"Invalid {field}: Incorrect operand type for operator or function; "
                                      f"operator: {word}, operand type: {kind}")
    if current is None:
        if not delete:
            _assign(item, path, value, scope, field, key_names)
        return
    if next(iter(current)) != kind:
        raise validation_error("dynamodb", "An operand in the update expression has an incorrect data type")
    if kind == "N":
        result = {"N": fmt(num(current["N"]) + num(value["N"]))}
    else:
        norm = (lambda s: fmt(num(s))) if kind == "NS" else (lambda s: s)
        existing = list(current[kind])
        change = {norm(s) for s in value[kind]}
        if delete:
            kept = [s for s in existing if norm(s) not in change]
        else:
            kept = existing + [s for s in value[kind] if norm(s) not in {norm(e) for e in existing}]
        if not kept:
            _remove(item, path, scope, field, key_names)
            return
        result = {kind: kept}
    _assign(item, path, result, scope, field, key_names)


def project(item: dict, expression: Expression | None, scope: Scope) -> dict:
    if expression is None:
        return item
    out: dict = {}
    for path in expression.tree:
        name = scope.name(path[1][0], expression.field)
        if name in item:
            out[name] = item[name]
    return out
