"""The data-flow pipeline of one state.

Spec: Amazon States Language, "Input and Output Processing"; AWS docs
"Processing input and output" (JSONPath: InputPath -> Parameters -> result ->
ResultSelector -> ResultPath -> OutputPath) and "Transforming data with JSONata"
(Arguments -> result -> Output). Taught in: notebooks/04-data-flow-paths.ipynb
and notebooks/05-parameters-and-result-selector.ipynb.

Also the context object (``$$``, ``$states.context``) and workflow variables (``Assign``,
their scopes and AWS's size limits): AWS docs "Accessing execution data from the Context object"
and "Passing data between states with variables", taught in notebooks/14-jsonata-and-variables.ipynb.
``DataFlow`` holds the ``Execution``'s methods for them (the engine's ``Execution`` inherits them).

Each function takes the compiled state and returns a new value; nothing is
copied beyond what the semantics need (ResultPath copies only the objects along
its path). A ``Trace`` records every stage, named as AWS TestState names them,
so notebooks can show the data flow of every state.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from ..asl.model import ROOT_PATH_MARK
from ..asl.paths import PathNotFound, ResultPathMismatch, to_json
from ..asl.source import DEPTH_LIMIT
from ..errors import DATA_LIMIT_EXCEEDED, RUNTIME, StatesError

if TYPE_CHECKING:
    from ..asl.model import State
    from .frames import Frame

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


VARIABLE_LIMIT = 262_144  # bytes per variable and per Assign
EXECUTION_VARIABLES_LIMIT = 10 * 1024 * 1024

# Only these states can retry, and only their context object has State.RetryCount (recorded on AWS).
_RETRYABLE = ("Task", "Parallel", "Map")


class DataFlow:
    """The ``Execution``'s data-flow methods (the engine's ``Execution`` inherits them): the context
    object, variables (Assign), a Task's payload, a field's value, and the way from a result to the
    state output."""

    # -- context object and variables ---------------------------------------------------

    def context(self, frame: Frame, state: State, item: tuple | None = None) -> dict:
        """The context object (``$$`` / ``$states.context``) as the state sees it."""
        ctx: dict[str, Any] = {
            "Execution": self._exec_context,
            "StateMachine": self._machine_context,
            "State": {"EnteredTime": self.clock.iso(frame.entered_at), "Name": state.name},
        }
        if state.type in _RETRYABLE:
            ctx["State"]["RetryCount"] = frame.retry_total
        if frame.token is not None:
            ctx["Task"] = {"Token": frame.token}
        if item is not None:
            ctx["Map"] = {"Item": {"Index": item[0], "Value": item[1]}}
        return ctx

    def context_if_used(self, frame: Frame, state: State) -> Any:
        return self.context(frame, state) if state.uses_context else None

    def states_for(self, frame: Frame, state: State, **extra: Any) -> dict:
        """``$states`` for JSONata expressions."""
        states = {"input": frame.raw_input}
        if state.uses_context:  # building the context object costs more than most expressions
            states["context"] = self.context(frame, state)
        if extra:
            states.update(extra)
        return states

    def assign(self, frame: Frame, state: State, template: Any, data: Any, states: dict | None = None) -> None:
        """Evaluate an Assign block against the variables from before the state, then store them."""
        if template is None:
            return
        if state.is_jsonata:
            values = template.evaluate(states if states is not None else self.states_for(frame, state),
                                       frame.scope, rng=self.rng)
        else:
            values = template.evaluate(data, self.context_if_used(frame, state), frame.scope, self.rng)
        if not isinstance(values, dict):
            raise StatesError(RUNTIME, "Assign must evaluate to an object of variable names and values")
        self._check_variables(frame, values)
        frame.assigned = values
        if frame.vars_before is None:
            frame.vars_before = frame.scope.snapshot()

    def _check_variables(self, frame: Frame, values: dict) -> None:
        """AWS's variable rules: no shadowing of outer variables, 256 KiB per variable and per Assign,
        10 MiB per execution. (The rules are AWS's; the sentences are stepfn_lab's.)"""
        outer = frame.scope.parent
        total = 0
        for name, value in values.items():
            if outer is not None and name in outer:
                raise StatesError(RUNTIME, f"The variable '{name}' belongs to an outer scope: a Parallel branch "
                                           "or Map iteration can read it but cannot assign it (variables cannot "
                                           "be shadowed). Use another name, or return the value as output.")
            size = self.meter.size(value)
            if size > VARIABLE_LIMIT:
                raise StatesError(DATA_LIMIT_EXCEEDED, f"The variable '{name}' would hold {size} bytes; a variable "
                                                       f"may hold at most {VARIABLE_LIMIT} bytes (256 KiB).")
            total += size
        if total > VARIABLE_LIMIT:
            raise StatesError(DATA_LIMIT_EXCEEDED, f"This Assign stores {total} bytes; one Assign may store at most "
                                                   f"{VARIABLE_LIMIT} bytes (256 KiB).")
        held = sum(self.meter.size(v) for k, v in frame.scope.snapshot().items() if k not in values) + total
        if held > EXECUTION_VARIABLES_LIMIT:
            raise StatesError(DATA_LIMIT_EXCEEDED, f"The execution's variables would hold {held} bytes; an "
                                                   f"execution may hold at most {EXECUTION_VARIABLES_LIMIT} bytes "
                                                   "(10 MiB) of variables.")

    def _commit_assign(self, frame: Frame) -> None:
        if frame.assigned:
            frame.scope.own.update(frame.assigned)

    def task_payload(self, frame: Frame, state: State) -> None:
        """InputPath and Parameters (or Arguments): what the task's work receives. Evaluated on entering
        the state and again for each retry, so ``$$.State.RetryCount`` and ``$$.Task.Token`` are current."""
        if state.is_jsonata:
            states = self.states_for(frame, state)
            payload = (state.arguments.evaluate(states, frame.scope, rng=self.rng)
                       if state.arguments is not None else frame.raw_input)
            if frame.trace is not None:
                frame.trace["afterArguments"] = payload
        else:
            ctx = self.context_if_used(frame, state)
            payload = select_input(state, frame.raw_input, ctx, frame.scope)
            if frame.trace is not None:
                frame.trace["afterInputPath"] = payload
            if state.parameters is not None:
                payload = state.parameters.evaluate(payload, ctx, frame.scope, self.rng)
                if frame.trace is not None:
                    frame.trace["afterParameters"] = payload
        frame.effective = payload

    def field_value(self, frame: Frame, state: State, key: str) -> tuple[str, Any]:
        """A field that may be a literal, a ``<Field>Path`` or a JSONata expression: ``(how, value)``."""
        kind, value = state.extra[key]
        if kind == "path":
            from ..asl.paths import PathNotFound
            try:
                return kind, value.get(frame.raw_input, self.context_if_used(frame, state), frame.scope)
            except PathNotFound as exc:
                raise StatesError(RUNTIME, str(exc)) from None
        if value is None:
            return kind, None
        if state.is_jsonata:
            return kind, value.evaluate(self.states_for(frame, state), frame.scope, rng=self.rng)
        return kind, value.evaluate()

    def after_result(self, frame: Frame, state: State, result: Any) -> None:
        """The data flow after a state produced its result: Assign, ResultSelector, ResultPath, OutputPath
        (JSONPath) or Assign and Output (JSONata)."""
        trace = frame.trace
        if state.is_jsonata:
            states = self.states_for(frame, state, result=result)
            output = state.output.evaluate(states, frame.scope, rng=self.rng) if state.output else result
            self.assign(frame, state, state.assign, None, states)
        else:
            # (every state runs this: the steps that have nothing to do cost no call)
            ctx = self.context(frame, state) if state.uses_context else None
            if state.assign is not None:
                self.assign(frame, state, state.assign, result)
            if state.result_selector is not None:
                result = state.result_selector.evaluate(result, ctx, frame.scope, self.rng)
                if trace is not None:
                    trace["afterResultSelector"] = result
            path = state.result_path
            output = result if path is ROOT_PATH_MARK else place_result(path, frame.raw_input, result)
            if trace is not None:
                trace["afterResultPath"] = output
            if state.output_path is not ROOT_PATH_MARK:
                output = select_output(state, output, ctx, frame.scope)
        frame.output = output
        frame.next = state.next
        frame.phase = "exit"
