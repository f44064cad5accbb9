"""Reading an intrinsic call: a recursive-descent parser into a tree of arguments, compiled once.

Spec: Amazon States Language, "Intrinsic functions" (the call syntax: string
literals in single quotes with ``\\'``, ``\\{``, ``\\}`` and ``\\\\`` as escapes, JSON
numbers, ``true``/``false``/``null``, paths ``$.x``, ``$$.x``, ``$var``, and nested
calls, at most ten deep). Taught in: notebooks/06-intrinsic-functions.ipynb.

The parser builds a tree of ``_Literal``, ``_PathArg`` and ``_Call`` nodes; an
``Intrinsic`` evaluates it against the data, the context object and the
variables. ``compile_intrinsic`` caches one tree per text.

Design note: AWS accepts a definition with a wrong call and fails the execution
with ``States.Runtime`` ("... Invalid arguments in States.MathAdd"). What can be
seen without data (argument counts, the type of a literal, a broken Format template,
an unknown hash algorithm) is reported here at compile time as a ``PathSyntaxError``
with a caret; ``compile_intrinsic(text, strict=False)`` defers it to run time as AWS
does.
"""

from __future__ import annotations

import difflib
import random
import re
import uuid
from typing import Any

from ...errors import PathSyntaxError
from ..paths import CONTEXT, VARIABLE, PathNotFound, compile_path, to_json
from .functions import FUNCTIONS, HASH_ALGORITHMS, _unknown_algorithm, parse_template
from .signatures import _JSON_TYPES, ANY, Function, IntrinsicError, _a, _Invalid, _shown, json_type

__all__ = ["Intrinsic", "MAX_NESTING", "call_intrinsic", "compile_intrinsic", "is_intrinsic"]

MAX_NESTING = 10

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
