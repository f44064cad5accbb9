"""The data-flow pipeline of one state.

Spec: Amazon States Language, "Input and Output Processing"; AWS docs
"Processing input and output" (JSONPath: InputPath -> Parameters -> result ->
ResultSelector -> ResultPath -> OutputPath) and "Transforming data with JSONata"
(Arguments -> result -> Output). Taught in: notebooks/04-data-flow-paths.ipynb
and notebooks/05-parameters-and-result-selector.ipynb.

Each function takes the compiled state and returns a new value; nothing is
copied beyond what the semantics need (ResultPath copies only the objects along
its path). A ``Trace`` records every stage, named as AWS TestState names them,
so notebooks can show the data flow of every state.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..asl.model import ROOT_PATH_MARK
from ..asl.paths import PathNotFound, ResultPathMismatch, to_json
from ..asl.source import DEPTH_LIMIT
from ..errors import DATA_LIMIT_EXCEEDED, RUNTIME, StatesError

PAYLOAD_LIMIT = 262_144  # bytes: 256 KiB, AWS's quota for state input and output

TRACE_FIELDS = ("input", "afterInputPath", "afterParameters", "afterArguments", "result",
                "afterResultSelector", "afterResultPath", "output")


def select_input(state, raw_input: Any, context: Any, variables: Any) -> Any:
    """InputPath: the part of the state input the state works on."""
    path = state.input_path
    if path is ROOT_PATH_MARK:
        return raw_input
    if path is None:
        return {}
    try:
        return path.get(raw_input, context, variables)
    except PathNotFound as exc:
        raise StatesError(RUNTIME, str(exc)) from None


def select_output(state, value: Any, context: Any, variables: Any) -> Any:
    """OutputPath: the part of the state output passed to the next state."""
    path = state.output_path
    if path is ROOT_PATH_MARK:
        return value
    if path is None:
        return {}
    try:
        return path.get(value, context, variables)
    except PathNotFound as exc:
        raise StatesError(RUNTIME, str(exc)) from None


def place_result(result_path: Any, raw_input: Any, result: Any) -> Any:
    """ResultPath: where the result goes in the state input ($ replaces it, null discards the result)."""
    if result_path is ROOT_PATH_MARK:
        return result
    if result_path is None:
        return raw_input
    try:
        return result_path.apply(raw_input, result)
    except ResultPathMismatch:
        raise StatesError(RUNTIME, f"Unable to apply ReferencePath {result_path.text} to input "
                                   f"'{to_json(raw_input)}'") from None


_INF = float("inf")
_PLAIN = re.compile(r'[^\x20-\x7e]|["\\]')


class SizeMeter:
    """Measures JSON sizes for the 256 KiB quota without serialising shared parts again.

    ResultPath copies only the objects along its path, so consecutive states share
    almost all of a large document. The meter remembers the size of every large
    container it has measured (by identity, holding a reference so the identity
    stays valid), and a state whose output shares a 50 KB subtree with its input
    costs a few dictionary look-ups instead of a full serialisation.
    """

    __slots__ = ("_known", "_keys")
    BIG = 16  # containers with at least this many members are remembered

    def __init__(self) -> None:
        self._known: dict[int, tuple[Any, int]] = {}
        self._keys: dict[str, int] = {}  # the size of each member name seen (names repeat from state to state)

    def size(self, value: Any, depth: int = 1) -> int:
        """The JSON size of ``value`` in UTF-8 bytes. Raises StatesError(States.Runtime) for data
        nested more than DEPTH_LIMIT levels (stepfn_lab's limit, see asl/source.py)."""
        kind = type(value)
        if kind is dict or kind is list:
            known = self._known.get(id(value))
            # a size measured at this depth or deeper holds here too (the subtree fits the limit)
            if known is not None and known[0] is value and depth <= known[2]:
                return known[1]
            if depth > DEPTH_LIMIT:
                raise StatesError(RUNTIME, f"The data is nested more than {DEPTH_LIMIT} levels deep "
                                           "(stepfn_lab's limit for JSON values)")
            inner = depth + 1
            size = self.size
            if kind is dict:
                # braces, a colon per member, commas between members; names, integers and plain
                # strings are measured here, without a call each (this runs at every state's exit)
                total = 1 + 2 * len(value) if value else 2
                keys = self._keys
                for k, v in value.items():
                    n = keys.get(k) if type(k) is str else None
                    if n is None:
                        n = size(k, inner)
                        if type(k) is str:
                            if len(keys) > 4096:
                                keys.clear()
                            keys[k] = n
                    t = type(v)
                    if t is int:
                        n += len(str(v))
                    elif t is str and v.isascii() and not _PLAIN.search(v):
                        n += len(v) + 2
                    else:
                        n += size(v, inner)
                    total += n
            else:
                total = 1 + max(len(value), 1) + sum(size(v, inner) for v in value)
            if len(value) >= self.BIG:
                if len(self._known) > 8192:
                    self._known.clear()
                self._known[id(value)] = (value, total, depth)
            return total
        if value is None or value is True:
            return 4
        if value is False:
            return 5
        if kind is str:
            if value.isascii() and not _PLAIN.search(value):
                return len(value) + 2
            return _utf8_length(value)
        if kind is int:
            return len(str(value))
        if kind is float:
            return len(repr(value)) if value == value and value not in (_INF, -_INF) else len(json.dumps(value))
        return _utf8_length(value)

    def check(self, value: Any, state_name: str) -> None:
        if self.size(value) > PAYLOAD_LIMIT:
            raise StatesError(DATA_LIMIT_EXCEEDED, f"The state/task '{state_name}' returned a result with a size "
                                                   "exceeding the maximum number of bytes service limit.")


def _utf8_length(value: Any) -> int:
    # a lone surrogate (legal in JSON text and in AWS's Java strings) is counted, never an error
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass"))


def payload_size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass"))


def check_size(value: Any, state_name: str) -> None:
    """AWS's 256 KiB limit on what a state passes on (States.DataLimitExceeded)."""
    if _maybe_large(value) and payload_size(value) > PAYLOAD_LIMIT:
        raise StatesError(DATA_LIMIT_EXCEEDED, f"The state/task '{state_name}' returned a result with a size "
                                               "exceeding the maximum number of bytes service limit.")


def _maybe_large(value: Any, budget: int = 2048) -> bool:
    """Cheap pre-check: only documents with big strings or many nodes can pass 256 KiB."""
    stack = [value]
    seen = 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > budget:
            return True
        if isinstance(node, str):
            if len(node) > 4096:
                return True
        elif isinstance(node, dict):
            stack.extend(node.values())
            seen += len(node)
        elif isinstance(node, list):
            stack.extend(node)
    return False


class Trace(dict):
    """The data at every stage of one state, keyed as AWS TestState's ``inspectionData``."""

    __slots__ = ()  # no per-instance __dict__: one is kept for every step of a run

    def stages(self) -> list[tuple[str, Any]]:
        return [(k, self[k]) for k in TRACE_FIELDS if k in self]

    def changed(self) -> list[str]:
        """The stages whose value differs from the stage before (what a learner should look at)."""
        out, previous = [], object()
        for key, value in self.stages():
            if value != previous:
                out.append(key)
            previous = value
        return out
