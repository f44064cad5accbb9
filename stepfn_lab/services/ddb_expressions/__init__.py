"""DynamoDB expressions: condition, key condition, filter, update and projection.

Spec: DynamoDB Developer Guide, "Using expressions in DynamoDB" (condition
expression grammar, update expressions SET / REMOVE / ADD / DELETE, document
paths, ``#name`` and ``:value`` placeholders, reserved words) and the
ValidationException messages DynamoDB answers. Taught in:
notebooks/08-task-states.ipynb.

A recursive-descent parser turns an expression into a small tree once (cached
per text); ``test`` evaluates a condition against an item and ``update``
applies an update to a copy of an item.

Design note: no well-kept pure-Python library parses DynamoDB's expressions.
boto3's ``boto3.dynamodb.conditions`` only *builds* them; moto's parser is an
internal module of a mock server that pulls werkzeug, responses and
cryptography in, too heavy for the browser build. So the parser stays here,
in one module of its own.
"""

from __future__ import annotations

import base64
import json
import re
from functools import lru_cache
from typing import Any

from ..attributes import av_equal, check_av, fmt, num, ordered
from ..base import ServiceError, validation_error

_TOKEN = re.compile(r"\s*(?:(?P<op><>|<=|>=|[=<>(),.\[\]+-])|(?P<name>#[A-Za-z0-9_]+)|(?P<value>:[A-Za-z0-9_]+)"
                    r"|(?P<num>\d+)|(?P<word>[A-Za-z_][A-Za-z0-9_]*))")
_KEYWORDS = {"AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE"}
_FUNCTIONS = {"attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains", "size",
              "if_not_exists", "list_append"}
# A part of DynamoDB's reserved words: the ones lessons meet first. Use "#name" placeholders for them.
_RESERVED = frozenset("""ACTION ADD ALL AND BETWEEN BY COMMENT COUNT DATA DATE DAY DELETE DESC DOMAIN DURATION END
EXISTS FROM GROUP HOUR IN INDEX ITEM ITEMS KEY KEYS LEVEL LIMIT LOCATION MINUTE MONTH NAME NOT NULL NUMBER OR ORDER
OWNER PERCENT POSITION REGION REMOVE ROLE SECOND SET SIZE SOURCE STATE STATUS STRING TABLE TIME TIMESTAMP TOTAL TYPE
USER USERS VALUE VALUES YEAR ZONE""".split())


class Expression:
    """A parsed expression: its tree and the #names and :values it uses."""

    __slots__ = ("field", "text", "tree", "names", "values")

    def __init__(self, field: str, text: str, tree: Any, names: set, values: set):
        self.field, self.text, self.tree, self.names, self.values = field, text, tree, names, values


class _Parser:
    """Recursive descent over DynamoDB's condition and update expression grammar."""

    def __init__(self, text: str, field: str):
        self.text, self.field = text, field
        self.tokens: list[tuple[str, str, int]] = []
        pos, end = 0, len(text.rstrip())
        while pos < end:
            match = _TOKEN.match(text, pos)
            if not match or match.lastgroup is None:
                raise self._syntax(text[pos:].strip()[:1] or text[pos:pos + 1], pos)
            self.tokens.append((match.lastgroup, match.group(match.lastgroup), match.start(match.lastgroup)))
            pos = match.end()
        self.i = 0
        self.names: set[str] = set()
        self.values: set[str] = set()

    # -- token helpers
    def peek(self, k: int = 0) -> tuple[str | None, str, int]:
        j = self.i + k
        return self.tokens[j] if j < len(self.tokens) else (None, "<EOF>", len(self.text))

    def take(self) -> tuple[str | None, str, int]:
        token = self.peek()
        self.i += 1
        return token

    def is_op(self, op: str) -> bool:
        kind, text, _ = self.peek()
        return kind == "op" and text == op

    def accept_op(self, op: str) -> bool:
        if self.is_op(op):
            self.i += 1
            return True
        return False

    def expect_op(self, op: str) -> None:
        if not self.accept_op(op):
            _, text, pos = self.peek()
            raise self._syntax(text, pos)

    def accept_word(self, *words: str) -> str | None:
        kind, text, _ = self.peek()
        if kind == "word" and text.upper() in words:
            self.i += 1
            return text.upper()
        return None

    def _syntax(self, token: str, pos: int) -> ServiceError:
        near = self.text[max(0, pos - 10): pos + 10].strip()
        return validation_error("dynamodb", f'Invalid {self.field}: Syntax error; token: "{token}", near: "{near}"')

    def done(self) -> None:
        if self.i < len(self.tokens):
            _, text, pos = self.peek()
            raise self._syntax(text, pos)

    # -- conditions
    def condition(self) -> Any:
        left = self.conjunction()
        while self.accept_word("OR"):
            left = ("or", left, self.conjunction())
        return left

    def conjunction(self) -> Any:
        left = self.negation()
        while self.accept_word("AND"):
            left = ("and", left, self.negation())
        return left

    def negation(self) -> Any:
        if self.accept_word("NOT"):
            return ("not", self.negation())
        return self.primary()

    def primary(self) -> Any:
        if self.accept_op("("):
            inner = self.condition()
            self.expect_op(")")
            return inner
        kind, text, pos = self.peek()
        if kind == "word" and text in _FUNCTIONS and text != "size" and self.peek(1)[1] == "(":
            return self.function()
        left = self.operand()
        if self.accept_word("BETWEEN"):
            low = self.operand()
            if not self.accept_word("AND"):
                _, text, pos = self.peek()
                raise self._syntax(text, pos)
            return ("between", left, low, self.operand())
        if self.accept_word("IN"):
            self.expect_op("(")
            options = [self.operand()]
            while self.accept_op(","):
                options.append(self.operand())
            self.expect_op(")")
            return ("in", left, options)
        kind, text, pos = self.peek()
        if kind == "op" and text in ("=", "<>", "<", "<=", ">", ">="):
            self.i += 1
            return ("cmp", text, left, self.operand())
        raise self._syntax(text, pos)

    def function(self) -> Any:
        _, name, _ = self.take()
        self.expect_op("(")
        args = [self.path()]
        if name in ("attribute_type", "begins_with", "contains"):
            self.expect_op(",")
            args.append(self.operand())
        self.expect_op(")")
        return ("fn", name, args)

    def operand(self) -> Any:
        kind, text, pos = self.peek()
        if kind == "value":
            self.i += 1
            self.values.add(text)
            return ("value", text)
        if kind == "word" and text == "size" and self.peek(1)[1] == "(":
            self.i += 1
            self.expect_op("(")
            inner = self.path()
            self.expect_op(")")
            return ("size", inner)
        return self.path()

    def path(self) -> Any:
        parts = [self.path_name()]
        while True:
            if self.accept_op("."):
                parts.append(self.path_name())
            elif self.accept_op("["):
                kind, text, pos = self.take()
                if kind != "num":
                    raise self._syntax(text, pos)
                self.expect_op("]")
                parts.append(int(text))
            else:
                return ("path", tuple(parts))

    def path_name(self) -> str:
        kind, text, pos = self.take()
        if kind == "name":
            self.names.add(text)
            return text
        if kind == "word" and text.upper() not in _KEYWORDS:
            if text.upper() in _RESERVED:
                raise validation_error("dynamodb", f"Invalid {self.field}: Attribute name is a reserved keyword; "
                                              f"reserved keyword: {text} (write \"#{text}\" in the expression and "
                                              f"\"ExpressionAttributeNames\": {{\"#{text}\": \"{text}\"}})")
            return text
        raise self._syntax(text, pos)

    # -- updates
    def update(self) -> dict:
        clauses: dict[str, list] = {}
        while self.i < len(self.tokens):
            word = self.accept_word("SET", "REMOVE", "ADD", "DELETE")
            if word is None or word in clauses:
                _, text, pos = self.peek() if word is None else self.tokens[self.i - 1]
                raise self._syntax(text, pos)
            actions = clauses[word] = [self.update_action(word)]
            while self.accept_op(","):
                actions.append(self.update_action(word))
        if not clauses:
            raise self._syntax("<EOF>", len(self.text))
        return clauses

    def update_action(self, word: str) -> Any:
        target = self.path()
        if word == "REMOVE":
            return target
        if word in ("ADD", "DELETE"):
            kind, text, pos = self.take()
            if kind != "value":
                raise self._syntax(text, pos)
            self.values.add(text)
            return (target, ("value", text))
        self.expect_op("=")
        value = self.set_operand()
        if self.is_op("+") or self.is_op("-"):
            op = self.take()[1]
            value = ("arith", op, value, self.set_operand())
        return (target, value)

    def set_operand(self) -> Any:
        kind, text, pos = self.peek()
        if kind == "word" and text in ("if_not_exists", "list_append") and self.peek(1)[1] == "(":
            self.i += 1
            self.expect_op("(")
            first = self.path() if text == "if_not_exists" else self.set_operand()
            self.expect_op(",")
            second = self.set_operand()
            self.expect_op(")")
            return (text, first, second)
        if kind == "value":
            self.i += 1
            self.values.add(text)
            return ("value", text)
        return self.path()


@lru_cache(maxsize=512)
def parse_condition(text: str, field: str) -> Expression:
    parser = _Parser(text, field)
    tree = parser.condition()
    parser.done()
    return Expression(field, text, tree, parser.names, parser.values)


@lru_cache(maxsize=512)
def parse_update(text: str) -> Expression:
    parser = _Parser(text, "UpdateExpression")
    tree = parser.update()
    return Expression("UpdateExpression", text, tree, parser.names, parser.values)


def parse_projection(text: str) -> Expression:
    parser = _Parser(text, "ProjectionExpression")
    paths = [parser.path()]
    while parser.accept_op(","):
        paths.append(parser.path())
    parser.done()
    return Expression("ProjectionExpression", text, paths, parser.names, parser.values)


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

