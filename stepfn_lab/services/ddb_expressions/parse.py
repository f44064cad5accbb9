"""DynamoDB's expression grammar: condition, key condition, filter, update and projection, parsed once.

Spec: DynamoDB Developer Guide, "Using expressions in DynamoDB": the condition
expression grammar (comparators, BETWEEN, IN, AND/OR/NOT, functions), update
expressions (SET / REMOVE / ADD / DELETE clauses, ``+``/``-``, ``if_not_exists``,
``list_append``), projection expressions, document paths (``a.b[0]``),
``#name`` and ``:value`` placeholders and reserved words, with the
ValidationException texts DynamoDB answers for a syntax error. Taught in:
notebooks/08-task-states.ipynb.

A recursive-descent parser turns an expression into a small tree of tuples
(``("cmp", "=", left, right)``, ``("path", ("a", 0))``...), cached per text;
``evaluate`` reads those trees against items.

Design note: no well-kept pure-Python library parses DynamoDB's expressions.
boto3's ``boto3.dynamodb.conditions`` only *builds* them; moto's parser is an
internal module of a mock server that pulls werkzeug, responses and
cryptography in, too heavy for the browser build. So the parser stays here,
in one module of its own.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

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
