"""JSONPath and reference paths: compile once, evaluate many times.

Spec: Amazon States Language, "Paths" and "Reference Paths"; AWS docs
"Processing input and output" and "Context object".
Taught in: notebooks/04-data-flow-paths.ipynb.

A path starts at one of three roots:

* ``$``   the state's data (``$.order.items[0]``),
* ``$$``  the context object (``$$.Execution.Id``),
* ``$name`` a workflow variable (``$order.total``).

Simple paths (names and array indices only) are the overwhelming majority in
real definitions; they compile to a tuple of keys and are walked with plain
dict/list indexing. Everything else (wildcards, filters, slices, recursive
descent) goes through ``jsonpath-ng``.

Design note: AWS evaluates paths with the Jayway JSONPath library, and its
failure texts come from there. A missing *last* property reads
``No results for path: $['a']['b']``; a missing property *before* the last
reads ``Missing property in path $['a']``. Both are reproduced here
(recorded on AWS: conformance cases ``test_invalid_jsonpath_*`` and
``test_catch_states_runtime``).

Design note: as in Jayway, a *definite* path (names and indices only, ``$.[0]``
included) selects one value; a path with a wildcard, filter, slice or
recursive descent selects a list of matches (Jayway ``Configuration`` default,
AWS docs "Paths": "reference paths ... must identify a single node").
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import PathSyntaxError

DATA, CONTEXT, VARIABLE = "data", "context", "variable"

_SIMPLE_SEGMENT = re.compile(
    r"""\.(?P<name>[^.\[\]\s'"()*?@,:]+)"""  # .name
    r"""|\.?\[\s*'(?P<quoted>(?:[^'\\]|\\.)*)'\s*\]"""  # ['name'] (or .['name'])
    r"""|\.?\[\s*"(?P<dquoted>(?:[^"\\]|\\.)*)"\s*\]"""  # ["name"]
    r"""|\.?\[\s*(?P<index>\d+)\s*\]"""  # [0] (or .[0])
)
# Jayway, the JSONPath library AWS uses, reads a dot before a bracket as no dot at all:
# ``$.[0].body`` is ``$[0].body`` and ``$.[?(@.x)]`` is ``$[?(@.x)]`` (AWS sample workflows use both).
_DOT_BRACKET = re.compile(r"(?<!\.)\.(?=\[)")
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class PathNotFound(Exception):
    """No value at a path. ``jayway`` is the Jayway-style reason AWS quotes."""

    def __init__(self, path: str, jayway: str):
        super().__init__(f"Invalid path '{path}' : {jayway}")
        self.path = path
        self.jayway = jayway


def _normalized(keys: tuple) -> str:
    """``('a', 0)`` -> ``$['a'][0]``, as Jayway prints paths."""
    return "$" + "".join(f"[{k}]" if isinstance(k, int) else f"['{k}']" for k in keys)


class Path:
    """A compiled path. ``get(data, context, variables)`` returns the value it selects."""

    __slots__ = ("text", "root", "variable", "keys", "_jp", "definite", "get")

    def __init__(self, text: str):
        self.text = text
        self._jp = None
        self.keys: tuple | None = None
        self.variable: str | None = None
        rest = self._split_root(text)
        keys = _simple_keys(rest)
        if keys is not None:
            self.keys = keys
            self.definite = True
            self.get = self._get_simple
        else:
            self._jp = _compile_jsonpath_ng(text, rest)
            self.definite = False
            self.get = self._get_complex

    def _split_root(self, text: str) -> str:
        if not isinstance(text, str) or not text.startswith("$"):
            raise PathSyntaxError(str(text), "a path must start with '$'", 0)
        if text.startswith("$$"):
            self.root = CONTEXT
            return text[2:]
        m = _VARIABLE_NAME.match(text, 1)
        if m:
            self.root = VARIABLE
            self.variable = m.group(0)
            return text[m.end():]
        self.root = DATA
        return text[1:]

    def _root_value(self, data: Any, context: Any, variables: Any) -> Any:
        if self.root is DATA:
            return data
        if self.root is CONTEXT:
            return context if context is not None else {}
        if variables is None or self.variable not in variables:
            raise PathNotFound(self.text, f"Variable '{self.variable}' is not defined")
        return variables[self.variable]

    def _get_simple(self, data: Any, context: Any = None, variables: Any = None) -> Any:
        value = data if self.root is DATA else self._root_value(data, context, variables)
        keys = self.keys
        for i, key in enumerate(keys):  # type: ignore[arg-type]
            if isinstance(key, str):
                if type(value) is dict and key in value:
                    value = value[key]
                    continue
            elif type(value) is list and key < len(value):
                value = value[key]
                continue
            raise self._not_found(i)
        return value

    def _not_found(self, i: int) -> PathNotFound:
        keys = self.keys or ()
        if i == len(keys) - 1:
            return PathNotFound(self.text, f"No results for path: {_normalized(keys)}")
        return PathNotFound(self.text, f"Missing property in path {_normalized(keys[: i + 1])}")

    def _get_complex(self, data: Any, context: Any = None, variables: Any = None) -> Any:
        root = self._root_value(data, context, variables)
        try:
            matches = self._jp.find(root)  # type: ignore[union-attr]
        except Exception as exc:  # jsonpath-ng raises plain exceptions on odd data
            raise PathNotFound(self.text, f"{type(exc).__name__}: {exc}") from None
        return [m.value for m in matches]

    def exists(self, data: Any, context: Any = None, variables: Any = None) -> bool:
        """True when the path selects something (Choice ``IsPresent``)."""
        try:
            value = self.get(data, context, variables)
        except PathNotFound:
            return False
        return self.definite or value != []

    def __repr__(self) -> str:
        return f"Path({self.text!r})"


def _simple_keys(rest: str) -> tuple | None:
    """Keys of a path made of names and indices only, else None."""
    keys: list = []
    pos = 0
    while pos < len(rest):
        m = _SIMPLE_SEGMENT.match(rest, pos)
        if not m:
            return None
        if m.group("name") is not None:
            keys.append(m.group("name"))
        elif m.group("quoted") is not None:
            keys.append(m.group("quoted").replace("\\'", "'"))
        elif m.group("dquoted") is not None:
            keys.append(m.group("dquoted").replace('\\"', '"'))
        else:
            keys.append(int(m.group("index")))
        pos = m.end()
    return tuple(keys)


def _compile_jsonpath_ng(text: str, rest: str):
    try:
        from jsonpath_ng.ext import parse  # imported on first complex path only
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise PathSyntaxError(text, f"this path needs the 'jsonpath-ng' package ({exc})") from None
    try:
        compiled = parse("$" + _DOT_BRACKET.sub("", rest))
    except Exception as exc:  # jsonpath-ng's parser raises several exception types
        column = None
        m = re.search(r"line \d+, col (\d+)", str(exc))
        if m:
            column = int(m.group(1)) + (len(text) - len(rest) - 1)
        raise PathSyntaxError(text, f"not a valid JSONPath ({exc})", column) from None
    if type(compiled).__name__ == "Operation":  # jsonpath-ng's arithmetic: AWS's JSONPath has none
        raise PathSyntaxError(text, "JSONPath has no arithmetic; compute values with an intrinsic "
                              "function such as States.MathAdd, or with JSONata", None)
    return compiled


_CACHE: dict[str, Path] = {}


def compile_path(text: str) -> Path:
    """Compile a path once; the same text returns the same object.

    >>> compile_path("$.order.items[0]").get({"order": {"items": ["book"]}})
    'book'
    >>> compile_path("$$.Execution.Name").get({}, {"Execution": {"Name": "run-1"}})
    'run-1'
    """
    path = _CACHE.get(text) if isinstance(text, str) else None
    if path is None:
        path = Path(text)
        if len(_CACHE) < 10_000:
            _CACHE[text] = path
    return path


def evaluate_path(text: str, data: Any, context: Any = None, variables: Any = None) -> Any:
    """Evaluate a path once (for notebooks): ``evaluate_path("$.a", {"a": 1}) == 1``."""
    return compile_path(text).get(data, context, variables)


# --- Reference paths (ResultPath): where a result is written ---------------------------

class ReferencePath:
    """A ResultPath: a definite path into the data, used to *write* a value."""

    __slots__ = ("text", "keys")

    def __init__(self, text: str):
        self.text = text
        if not isinstance(text, str) or not text.startswith("$") or text.startswith("$$"):
            raise PathSyntaxError(str(text), "a ResultPath must start with '$' and point into the state input", 0)
        keys = _simple_keys(text[1:])
        if keys is None:
            raise PathSyntaxError(text, "a ResultPath must be a reference path: names and indices only, "
                                  "no wildcards, filters or slices", 1)
        self.keys = keys

    def apply(self, raw_input: Any, result: Any) -> Any:
        """Return a new document: ``raw_input`` with ``result`` placed at this path.

        Only the objects along the path are copied; the rest is shared (values are
        never mutated in place, so sharing is safe).
        """
        if not self.keys:
            return result
        return _set_in(raw_input, self.keys, 0, result, self.text)


class ResultPathMismatch(Exception):
    """The ResultPath cannot be applied to the input (States.ResultPathMatchFailure)."""


def _set_in(node: Any, keys: tuple, i: int, value: Any, text: str) -> Any:
    key = keys[i]
    last = i == len(keys) - 1
    if isinstance(key, int):
        if type(node) is not list or key >= len(node):
            raise ResultPathMismatch(text)
        new_list = list(node)
        new_list[key] = value if last else _set_in(node[key], keys, i + 1, value, text)
        return new_list
    if node is None:
        node = {}
    if type(node) is not dict:
        raise ResultPathMismatch(text)
    new = dict(node)
    new[key] = value if last else _set_in(node.get(key), keys, i + 1, value, text)
    return new


_REF_CACHE: dict[str, ReferencePath] = {}


def compile_reference_path(text: str) -> ReferencePath:
    ref = _REF_CACHE.get(text)
    if ref is None:
        ref = _REF_CACHE[text] = ReferencePath(text)
    return ref


def json_type(value: Any) -> str:
    """The JSON type name of a value, as AWS names it in messages ("number", "object", ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, (list, tuple)) else "object"


def to_json(value: Any) -> str:
    """JSON text as AWS writes it in causes and history: compact, UTF-8 kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
