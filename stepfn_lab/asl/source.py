"""JSON text -> value, plus where every value sits in the text (line and column).

Spec: RFC 8259 (JSON); AWS ValidateStateMachineDefinition, code
INVALID_JSON_DESCRIPTION. Taught in: notebooks/02-asl-anatomy.ipynb.

Validation speaks in paths such as ``("States", "A", "Next")``; a learner
reads line 7, column 15. ``parse`` does the fast part once (``json.loads``)
and ``Source.locate`` builds the path -> position map only when a problem has
to be located, so a clean definition never pays for it.

A syntax error is reported the way AWS (whose JSON reader is Jackson) words
it, for the common cases::

    >>> try:
    ...     parse("not a definition")
    ... except JSONTextError as exc:
    ...     print(exc.message)
    Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

Path = tuple  # ("States", "A", "Choices", 0, "Next")

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.S)
_WORD = re.compile(r"[A-Za-z0-9_$]+")


# stepfn_lab's own nesting limit for JSON values (definitions, inputs, results, state outputs,
# variables). Design note: AWS documents no nesting limit for state data; its JSON reader (Jackson)
# refuses documents nested more than 1,000 levels. The kit's limit is lower so that every value it
# accepts can be handled by plain recursive Python under the interpreter's *default* recursion limit
# (1,000 frames, with room for the caller's own stack, e.g. Jupyter's): stepfn_lab never raises the
# process's recursion limit. Deeper values get a clear error (TOO_DEEPLY_NESTED when validating,
# InvalidExecutionInput when starting, Runtime.MarshalError from a handler, States.Runtime in a state).
DEPTH_LIMIT = 256

_SCALARS = (str, int, float, bool, type(None))


def json_problem(value: Any, limit: int = DEPTH_LIMIT, allow_nan: bool = False) -> tuple[Path, str] | None:
    """``(path, why)`` for the first part of ``value`` that is not JSON stepfn_lab can handle, or None.

    Finds containers nested more than ``limit`` levels deep (a cycle is infinitely deep), NaN and
    Infinity (not JSON numbers), and values of other types. Iterative: time linear in the size of
    the value whatever its depth, and no recursion.
    """
    problem = _scalar_problem(value, allow_nan)
    if problem:
        return (), problem
    if not isinstance(value, (dict, list, tuple)):
        return None
    keys: list = []
    stack = [_members(value)]
    open_ids = [id(value)]  # the containers on the current path: a cycle comes back to one of them
    open_set = {id(value)}
    while stack:
        for key, child in stack[-1]:
            if not isinstance(key, _SCALARS):
                return tuple(keys), f"keys must be str, int, float, bool or None, not {type(key).__name__}"
            if isinstance(child, (dict, list, tuple)):
                if id(child) in open_set:
                    return tuple(keys) + (key,), "a circular reference (the value contains itself)"
                if len(stack) >= limit:
                    return tuple(keys) + (key,), f"nested more than {limit} levels deep (stepfn_lab's limit)"
                keys.append(key)
                stack.append(_members(child))
                open_ids.append(id(child))
                open_set.add(id(child))
                break
            problem = _scalar_problem(child, allow_nan)
            if problem:
                return tuple(keys) + (key,), problem
        else:
            stack.pop()
            open_set.discard(open_ids.pop())
            if keys:
                keys.pop()
    return None


def _members(value: Any):
    return iter(value.items()) if isinstance(value, dict) else enumerate(value)


def _scalar_problem(value: Any, allow_nan: bool) -> str | None:
    if isinstance(value, float):
        if not allow_nan and (value != value or value in (_INF, -_INF)):
            return f"{value!r} is not a JSON number"
        return None
    if isinstance(value, (dict, list, tuple)) or isinstance(value, _SCALARS):
        return None
    return f"Object of type {type(value).__name__} is not JSON serializable"  # Python's json words it so


_INF = float("inf")


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def too_deep_text(text: str, limit: int = DEPTH_LIMIT) -> bool:
    """Do the containers of JSON text nest more than ``limit`` deep? Counted without parsing: a
    bracket count bounds the depth (the common, fast answer); only beyond it are they followed."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for mark in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        depth += 1 if mark in "[{" else -1
        if depth > limit:
            return True
    return False


def definition_problem(value: Any) -> tuple[Path, str] | None:
    """``json_problem`` for definitions, fast in the common case: Python's C encoder checks the
    types and NaN, a bracket count checks the depth; only a value with a problem is walked."""
    try:
        text = json.dumps(value, allow_nan=False)
    except (RecursionError, TypeError, ValueError):
        return json_problem(value)
    return json_problem(value) if too_deep_text(text) else None


def not_a_definition(text: str) -> str | None:
    """Why the text of a *file* cannot be a state machine definition, in words that quote none
    of it (the file may be anything, secrets included), or None when it may be one."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        if '"StartAt"' in text or '"States"' in text:
            return None  # a definition with a typo: the usual error, with its excerpt, helps most
        return f"it is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
    except RecursionError:
        return f"its JSON is nested more than {DEPTH_LIMIT} levels deep"
    except ValueError:
        return "it is not JSON"
    if not isinstance(value, dict):
        kinds = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
        return f"it holds {kinds.get(type(value), 'a number')}, not an object with StartAt and States"
    return None  # a JSON object: a definition (or a single state) to check as usual


def pointer(path: Path) -> str:
    """A path as a JSON pointer for messages: ``/States/A/Result/0`` (a very deep one shortened)."""
    parts = ["/" + str(part).replace("~", "~0").replace("/", "~1") for part in path]
    if len(parts) > 16:
        parts = parts[:8] + [f"/…({len(parts) - 12} more)…"] + parts[-4:]
    return "".join(parts) or "(top level)"


class JSONTextError(ValueError):
    """Text that is not JSON: Jackson-style ``message``, 1-based ``line``/``column`` of the
    culprit, and ``aws_position``: where Jackson (and so AWS) says it stopped reading."""

    def __init__(self, message: str, line: int, column: int, aws_position: tuple[int, int] | None = None):
        super().__init__(f"{message} (line {line}, column {column})")
        self.message = message
        self.line = line
        self.column = column
        self.aws_position = aws_position or (line, column + 1)

    def aws_location(self, text: str) -> str:
        """Jackson's location: ``[Source: (String)"<text>"; line: 1, column: 4]``."""
        shown = text if len(text) <= 500 else f'{text[:500]}"[truncated {len(text) - 500} chars]'
        quoted = f'"{shown}"' if len(text) <= 500 else f'"{shown}'
        return f"[Source: (String){quoted}; line: {self.aws_position[0]}, column: {self.aws_position[1]}]"


class Source:
    """Parsed JSON text that can say where each value (or key) starts."""

    def __init__(self, text: str, value: Any, has_duplicates: bool = False):
        self.text = text
        self.value = value
        self.has_duplicates = has_duplicates
        self._values: dict[Path, int] | None = None
        self._keys: dict[Path, int] = {}
        self._duplicates: list[tuple[Path, int]] = []
        self._line_starts: list[int] | None = None

    # -- the position map, built on first use ------------------------------------------
    def _scan(self) -> None:
        values: dict[Path, int] = {}
        keys, duplicates = self._keys, self._duplicates
        # a frame: [path, is_object, current key or index, expecting_key, seen keys]
        stack: list[list] = []
        for m in _TOKEN.finditer(self.text):
            tok = m.group()
            if tok in ",:":
                if tok == "," and stack:
                    frame = stack[-1]
                    if frame[1]:
                        frame[3] = True
                    else:
                        frame[2] += 1
                continue
            if tok in "}]":
                if stack:
                    stack.pop()
                continue
            if stack and stack[-1][1] and stack[-1][3]:  # an object key
                frame = stack[-1]
                key = _decode_key(tok)
                where = frame[0] + (key,)
                if key in frame[4]:
                    duplicates.append((where, m.start()))
                frame[4].add(key)
                keys[where] = m.start()
                frame[2], frame[3] = key, False
                continue
            path = (stack[-1][0] + (stack[-1][2],)) if stack else ()
            values[path] = m.start()
            if tok == "{":
                stack.append([path, True, None, True, set()])
            elif tok == "[":
                stack.append([path, False, 0, False, None])
        self._values = values

    def _position(self, offset: int) -> tuple[int, int]:
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def locate(self, path: Path, key: bool = False) -> tuple[int, int] | None:
        """``(line, column)`` of the value at ``path`` (of its key when ``key``), else of
        its nearest located ancestor; None when nothing is known."""
        if self._values is None:
            self._scan()
        assert self._values is not None
        path = tuple(path)
        if key and path in self._keys:
            return self._position(self._keys[path])
        while True:
            if path in self._values:
                return self._position(self._values[path])
            if not path:
                return None
            path = path[:-1]

    def duplicate_keys(self) -> list[tuple[Path, tuple[int, int]]]:
        """Every repeated object key: its path and the position of the repeat."""
        if not self.has_duplicates:
            return []
        if self._values is None:
            self._scan()
        return [(path, self._position(offset)) for path, offset in self._duplicates]

    def excerpt(self, line: int, column: int) -> str:
        """The source line with a caret under ``column``."""
        return excerpt(self.text, line, column)


def _decode_key(token: str) -> str:
    try:
        return json.loads(token)
    except ValueError:
        return token.strip('"')


def excerpt(text: str, line: int, column: int, width: int = 100) -> str:
    """``   12 | "Next": "NOPE"`` over ``      |         ^``; long lines are cut around the column."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return ""
    src = lines[line - 1].rstrip("\r").expandtabs(1)
    col = max(column - 1, 0)
    if len(src) > width:
        start = max(0, min(col - width // 2, len(src) - width))
        src = ("…" if start else "") + src[start:start + width] + ("…" if start + width < len(src) else "")
        col = col - start + (1 if start else 0)
    gutter = f"{line:>5} | "
    return f"{gutter}{src}\n{' ' * (len(gutter) - 2)}| {' ' * col}^"


# -- parsing ----------------------------------------------------------------------------

def parse(text: str) -> Source:
    """Parse JSON text. Raises JSONTextError (syntax) or RecursionError (nesting)."""
    duplicates = False

    def pairs_hook(pairs: list) -> dict:
        nonlocal duplicates
        obj = dict(pairs)
        if len(obj) != len(pairs):
            duplicates = True
        return obj

    try:
        value = json.loads(text, object_pairs_hook=pairs_hook, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise _jackson_error(text, exc) from None
    except _Constant as exc:
        pos = text.find(exc.name)
        line, column = _line_column(text, max(pos, 0))
        raise JSONTextError(f"Non-standard token '{exc.name}': enable JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS "
                            "to allow", line, column) from None
    return Source(text, value, duplicates)


class _Constant(Exception):
    def __init__(self, name: str):
        self.name = name


def _reject_constant(name: str) -> Any:
    raise _Constant(name)  # NaN, Infinity and -Infinity are not JSON


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _describe(ch: str) -> str:
    """Jackson names a character as ``'}' (code 125)`` or ``(CTRL-CHAR, code 10)``."""
    code = ord(ch)
    if code < 32:
        return f"(CTRL-CHAR, code {code})"
    return f"'{ch}' (code {code})"


def _jackson_error(text: str, exc: json.JSONDecodeError) -> JSONTextError:
    pos, msg = exc.pos, exc.msg
    line, column = exc.lineno, exc.colno
    ch = text[pos] if pos < len(text) else ""
    end = _line_column(text, len(text))
    end = (end[0], end[1] + 1)  # Jackson stops after the last character
    if not ch and msg.startswith("Expecting"):
        return JSONTextError("Unexpected end-of-input: expected close marker for Object or Array"
                             if text.strip() else "No content to map due to end-of-input", line, column, end)
    if msg == "Expecting value":
        word = _WORD.match(text, pos)
        if word:
            token = word.group()
            return JSONTextError(f"Unrecognized token '{token}': was expecting (JSON String, Number, Array, "
                                 "Object or token 'null', 'true' or 'false')", line, column,
                                 (line, column + len(token)))
        return JSONTextError(f"Unexpected character ({_describe(ch)}): expected a value", line, column)
    if msg.startswith("Unterminated string"):
        return JSONTextError("Unexpected end-of-input: was expecting closing quote for a string value",
                             line, column, end)
    if msg.startswith("Invalid control character"):
        return JSONTextError(f"Illegal unquoted character ({_describe(ch)}): has to be escaped using "
                             "backslash to be included in string value", line, column)
    expecting = _EXPECTING.get(msg) or ("double-quote to start field name"
                                        if msg.startswith("Expecting property name") else None)
    if expecting:
        expecting = expecting.replace("{inside}", _enclosing(text, pos))
        return JSONTextError(f"Unexpected character ({_describe(ch)}): was expecting {expecting}", line, column)
    if msg == "Extra data":
        return JSONTextError(f"Unexpected character ({_describe(ch)}): expected end of input "
                             "(the definition has text after its closing brace)", line, column)
    return JSONTextError(msg, line, column)


_EXPECTING = {
    "Expecting ',' delimiter": "comma to separate {inside} entries",
    "Expecting ':' delimiter": "a colon to separate field name and value",
}


def _enclosing(text: str, pos: int) -> str:
    """'Object' or 'Array': the innermost open container before ``pos``."""
    depth_obj = depth_arr = 0
    for tok in reversed(_TOKEN.findall(text[:pos])):
        if tok == "}":
            depth_obj += 1
        elif tok == "]":
            depth_arr += 1
        elif tok == "{":
            if depth_obj == 0:
                return "Object"
            depth_obj -= 1
        elif tok == "[":
            if depth_arr == 0:
                return "Array"
            depth_arr -= 1
    return "Object"
