"""The explicit state of a running execution: frames, fans, variable scopes and step records.

Spec: none directly; this is how stepfn_lab keeps a run as data instead of on
Python's call stack, so it can stop between any two events (step, back,
callbacks, Redrive, a kernel restart) and go on later. Taught in:
notebooks/01-what-is-a-state-machine.ipynb (stepping) and 11/12 (branches and
iterations).

* ``Frame``: a cursor on one running sequence of states: the machine, a
  Parallel branch or a Map iteration (state name + phase + data).
* ``Fan``: the children of a running Parallel or Map state and their results.
* ``Scope``: the workflow variables a frame sees (its own, then its parent's).
* ``Step``: what one state did, with its data-flow trace (for notebooks).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from typing import Any

from ..asl.model import Definition, State
from .dataflow import Trace
from .history import History, LazyText

RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED = "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"
CAUGHT_ERROR = "CAUGHT_ERROR"  # a state failed and its Catch sent the execution on
RETRYING = "RETRYING"  # one attempt of a state failed and its Retry will try again
NEVER = math.inf


class Scope(Mapping):
    """Workflow variables visible to a frame: its own, then its parent's (read only)."""

    __slots__ = ("own", "parent")

    def __init__(self, parent: "Scope | None" = None, own: dict | None = None):
        self.own = own if own is not None else {}
        self.parent = parent

    def __getitem__(self, name: str) -> Any:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.own:
                return scope.own[name]
            scope = scope.parent
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.own:
                return True
            scope = scope.parent
        return False

    def __iter__(self):
        seen = set()
        scope: Scope | None = self
        while scope is not None:
            for k in scope.own:
                if k not in seen:
                    seen.add(k)
                    yield k
            scope = scope.parent

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def snapshot(self) -> dict:
        return {k: self[k] for k in self}


class Fan:
    """The bookkeeping of a running Parallel or Map state: its children and their results."""

    __slots__ = ("children", "inputs", "results", "active", "next_index", "done", "failures", "limit",
                 "tolerated_count", "tolerated_percentage", "failed", "rr", "distributed", "last", "map_run", "sink")

    def __init__(self, count: int, limit: int):
        self.children: list[Frame | None] = [None] * count
        self.inputs: list = []
        self.results: list = [None] * count
        self.active: deque[Frame] = deque()
        self.next_index = 0
        self.done = 0
        self.failures = 0
        self.limit = limit
        self.tolerated_count = 0
        self.tolerated_percentage = 0.0
        self.failed: tuple | None = None
        self.rr = 0
        self.distributed = False
        self.last = 0  # the id of the latest event that ended a child (the fan-in's previousEventId)
        self.map_run = None  # a Distributed Map's MapRun (runtime/maprun.py)
        self.sink = None  # a Distributed Map's ResultWriter export, written as children end


def _lazy_cause() -> property:
    """A ``cause`` attribute kept in ``_cause``: a failed Lambda call's stack trace (a ``LazyText``)
    is formatted on first read, so a retried call that nobody looks at costs no formatting."""

    def get(self) -> Any:
        cause = self._cause
        if cause is not None and type(cause) is LazyText:
            cause = self._cause = str(cause)
        return cause

    def put(self, value: Any) -> None:
        self._cause = value

    return property(get, put)


class Frame:
    """A cursor on one running sequence of states (the machine, a branch, an iteration)."""

    __slots__ = ("parent", "kind", "index", "definition", "state", "phase", "raw_input", "effective",
                 "output", "next", "entered_id", "entered_at", "last_id", "ready_at", "retry_counts",
                 "retry_total", "scope", "status", "error", "_cause", "fan", "trace", "history", "token",
                 "assigned", "timeout", "heartbeat", "blocked", "caught", "path", "result", "deadline",
                 "heartbeat_deadline", "vars_before", "stash", "steps", "choice", "attempt_id")

    def __init__(self, definition: Definition, raw_input: Any, *, parent: Frame | None, kind: str, index: int,
                 scope: Scope, history: History, last_id: int, path: str):
        self.parent = parent
        self.kind = kind
        self.index = index
        self.definition = definition
        self.state = definition.start_at
        self.phase = "enter"
        self.raw_input = raw_input
        self.effective = None
        self.output = None
        self.result = None
        self.next: str | None = None
        self.entered_id = 0
        self.entered_at = 0.0
        self.last_id = last_id
        self.ready_at = 0.0
        self.retry_counts: list[int] | None = None
        self.retry_total = 0
        self.scope = scope
        self.status = RUNNING
        self.error = self.cause = None
        self.fan: Fan | None = None
        self.trace: Trace | None = None
        self.history = history
        self.token: str | None = None
        self.assigned: dict | None = None
        self.timeout = self.heartbeat = None
        self.deadline = self.heartbeat_deadline = NEVER
        self.blocked = False
        self.caught = False
        self.path = path
        self.vars_before: dict | None = None
        self.stash: Fan | None = None  # the children of a failed Parallel/Map, kept for Redrive
        # where this frame's step records go: the execution's steps, or a child execution's own
        self.steps: list | None = parent.steps if parent is not None else None
        self.choice: int | str | None = None  # the Choice rule that matched (its index) or "Default"
        self.attempt_id = 0  # the first event of the current attempt (TaskScheduled, <Type>StateStarted)

    cause = _lazy_cause()  # the error's cause

    def current_state(self) -> State:
        return self.definition.states[self.state]


class Step:
    """What one state of one frame did, or one attempt of a retried state.

    ``status`` is SUCCEEDED, CAUGHT_ERROR (failed, and a Catch went on), FAILED,
    RETRYING (this attempt failed; the Retry tries again after ``retry_in``
    virtual seconds) or ABORTED (a sibling branch or iteration failed first).
    ``error``/``cause`` are set only on the steps that failed; ``attempt`` counts
    the tries of the state (1 = the first); ``choice`` is the index of the Choice
    rule that matched, or ``"Default"``.
    """

    __slots__ = ("state", "type", "path", "trace", "next", "status", "error", "_cause", "first_event",
                 "last_event", "variables_before", "variables_after", "frame_kind", "index", "attempt",
                 "choice", "retry_in", "at")

    def __init__(self, frame: Frame, state: State, status: str, first_event: int, last_event: int,
                 retry_in: float | None = None):
        self.state = state.name
        self.type = type_ = state.type
        self.path = frame.path
        self.trace = frame.trace
        self.status = status
        if status == SUCCEEDED:  # the common case, without the failure fields' tests
            self.next = frame.next
            self.error = self._cause = None
        else:
            self.next = frame.next if status == CAUGHT_ERROR else None
            failed = status in (FAILED, CAUGHT_ERROR, RETRYING)
            self.error = frame.error if failed else None
            self._cause = frame._cause if failed else None  # a stack trace stays unformatted until read
        self.first_event = first_event
        self.last_event = last_event
        before = self.variables_before = frame.vars_before
        self.variables_after = frame.scope.snapshot() if before is not None else None
        self.frame_kind = frame.kind
        self.index = frame.index
        self.attempt = frame.retry_total + 1
        self.choice = frame.choice if type_ == "Choice" else None
        self.retry_in = retry_in
        history = frame.history
        if last_event == history.count and history.keep is None:  # the latest event: no list look-up
            self.at = history.last_at
        else:
            events = history.events
            self.at = events[last_event - 1].at if 0 < last_event <= len(events) else None

    cause = _lazy_cause()  # the cause of the failure

    def __repr__(self) -> str:
        where = f" in {self.path}" if self.path else ""
        to = f" -> {self.next}" if self.next else ""
        attempt = f" (attempt {self.attempt})" if self.attempt > 1 or self.status == RETRYING else ""
        return f"Step({self.type} {self.state!r}{where}: {self.status}{attempt}{to})"
