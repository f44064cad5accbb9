"""Colour the ``Graph`` with an execution's history: which states ran, how they ended, which edges were taken.

Spec: AWS ``GetExecutionHistory`` (event types and ``previousEventId``), read the way the console's
graph reads it. Events of Map iterations and Parallel branches are interleaved in the list; they
are told apart the way AWS links them, by walking ``previousEventId`` back to the
``MapIterationStarted`` (or ``ParallelStateStarted``) that began their branch.
Taught in: notebooks/01-what-is-a-state-machine.ipynb and every notebook that colours a run.

Design note (cut-short states): the console's graph has a "Cancelled" status, grey, beside "Failed",
red (the AWS graph library's legend as the Data Science SDK loads it: Success #2BD62E, Failed #DE322F,
Cancelled #DDDDDD, In Progress #53C9ED, Caught Error #FFA500;
github.com/aws/aws-step-functions-data-science-sdk-python, src/stepfunctions/workflow/widgets/graph.py).
A state is drawn CANCELLED when the history says it was cut short, never guessed:
* its own ``TaskStateAborted``/``WaitStateAborted``/``MapStateAborted``/``ParallelStateAborted`` (a
  sibling branch or iteration failed while it ran), or it sits in a Map iteration that ended
  ``MapIterationAborted``, or inside a Map/Parallel that was aborted;
* it was unfinished, without an error of its own, in a Map/Parallel where another branch or
  iteration failed by its own error (a failure event, or a Fail state): a history that leaves out
  the ``*Aborted`` event still shows which one failed and which one was stopped;
* it was still in progress when the execution ended ``ExecutionAborted`` (``stop()``) or
  ``ExecutionTimedOut``. AWS writes ``ExecutionAborted``; whether it also writes a ``*StateAborted``
  for the running state is not established here, so the history stays as the engine writes it
  (``ExecutionAborted`` only) and the status is derived from the execution's end: either way it is
  CANCELLED.
FAILED stays for the state whose error ended its branch or run (issue 16: errors show only on the
failed state), and for the Map/Parallel that failed with it. The End node is FAILED for a FAILED or
TIMED_OUT execution (both end the run with an error) and CANCELLED for an ABORTED one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

from .model import (CANCELLED, CATCH, CAUGHT, CONTAINERS, END, END_EDGE, END_ID, FAILED, IN_PROGRESS, JOIN,
                    JOIN_SUFFIX, MISSING, NOT_RUN, START, START_EDGE, START_ID, SUCCEEDED, _PRECEDENCE,
                    DiagramError, Edge, Graph, Node)

@dataclass(frozen=True)
class EventRecord:
    """What the overlay needs of one history event."""

    id: int
    prev: int | None
    type: str
    name: str | None
    index: int | None
    pos: int


def read_history(history: Any) -> list[EventRecord]:
    """Normalise AWS JSON events (or ``History`` objects) to small records, in order."""
    if isinstance(history, (str, bytes)):
        history = json.loads(history)
    if isinstance(history, Mapping):
        if not isinstance(history.get("events"), list):
            raise DiagramError("a history is GetExecutionHistory's {\"events\": [...]} or its list of events")
        history = history["events"]
    items = getattr(history, "events", history)
    out: list[EventRecord] = []
    for pos, item in enumerate(items):
        if isinstance(item, EventRecord):
            out.append(item)
            continue
        if isinstance(item, Mapping):
            details = next((v for k, v in item.items() if k.endswith("EventDetails") and isinstance(v, Mapping)), {})
            ident, prev, kind = item.get("id", pos + 1), item.get("previousEventId"), item.get("type", "")
        else:
            details = getattr(item, "details", None) or {}
            ident, prev, kind = getattr(item, "id", pos + 1), getattr(item, "previous_event_id", None), item.type
        index = details.get("index")
        out.append(EventRecord(int(ident), None if prev is None else int(prev), str(kind), details.get("name"),
                          index if isinstance(index, int) else None, pos))
    return out


_EXECUTION_END = {"ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED",
                  "ExecutionAborted": "ABORTED", "ExecutionTimedOut": "TIMED_OUT"}
_CONTAINER_OPEN = ("MapStateEntered", "ParallelStateEntered")
_CONTAINER_CLOSE = ("MapStateExited", "ParallelStateExited")
_ITERATION_END = ("MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted")


_ABORTED = "aborted"


def _outcome(event_type: str) -> bool | str | None:
    """True for an event that says the state's work failed, False for success, ``_ABORTED`` when a
    state was stopped half-way (``TaskStateAborted``...), else None."""
    if event_type.startswith(("Execution", "MapIteration", "MapRun")):
        return None
    if event_type.endswith("StateAborted"):
        return _ABORTED
    if event_type.endswith(("Failed", "TimedOut", "Aborted")):
        return True
    if event_type.endswith("Succeeded"):
        return False
    return None


@dataclass
class _Visit:
    """One entry into a state, in one branch/iteration ("frame")."""

    node: str
    frame: tuple[tuple[str, int | None], ...]
    parent: _Visit | None
    exited: bool = False
    failed: bool = False  # the last outcome was a failure (caught, if the state is exited)
    aborted: bool = False  # a *StateAborted event stopped it half-way
    failures: int = 0
    edges: list[int] = field(default_factory=list)  # edge indices this visit traversed


class _Replay:
    """Reads the events once and records, per visit, what happened and which edges it took."""

    def __init__(self, graph: Graph, events: list[EventRecord], selection: dict[str, int]):
        self.graph, self.events, self.selection = graph, events, selection
        self.by_id = {e.id: e for e in events}
        self.nodes = {n.id: n for n in graph.nodes}
        self.by_name: dict[str, str] = {}
        for n in graph.nodes:
            if n.kind not in (START, END, JOIN, MISSING):
                self.by_name.setdefault(n.name, n.id)
        self.edge_index: dict[tuple[str, str], list[int]] = {}
        for i, e in enumerate(graph.edges):
            self.edge_index.setdefault((e.tail, e.head), []).append(i)
        self.visits: list[_Visit] = []
        self.entered: dict[int, _Visit] = {}  # StateEntered event id -> visit
        self.closed: dict[int, _Visit] = {}  # StateExited event id -> visit
        self.latest: dict[tuple, _Visit] = {}  # (node, frame) -> latest visit
        # map -> (outer frame, index, how it ended: "failed", "aborted" or "" while running or succeeded)
        self.iterations: dict[str, list[tuple[tuple, int | None, str]]] = {}
        self.ended_frames: set[tuple] = set()
        self.aborted_frames: set[tuple] = set()  # iterations that ended MapIterationAborted
        self.execution_status = "RUNNING" if events else None
        self._memo: dict[tuple[int, str], Any] = {}
        self._failing: set[int] | None = None

    # -- walking previousEventId back

    def _prev(self, e: EventRecord) -> EventRecord | None:
        if e.prev is not None:
            p = self.by_id.get(e.prev)
            if p is not None and p.id < e.id:
                return p
            if e.prev == 0:
                return None
        return self.events[e.pos - 1] if e.pos > 0 else None

    def _walk(self, e: EventRecord, key: str, hit: Callable[[EventRecord], Any]) -> Any:
        """The first non-None ``hit(event)`` going back from ``e`` (memoised per key)."""
        walked, cur, result = [], e, None
        while cur is not None:
            if (cur.id, key) in self._memo:
                result = self._memo[(cur.id, key)]
                break
            result = hit(cur)
            if result is not None:
                break
            walked.append(cur.id)
            cur = self._prev(cur)
        for ident in walked:
            self._memo[(ident, key)] = result
        return result

    def _iteration(self, e: EventRecord, map_name: str) -> int | None:
        return self._walk(e, "map:" + map_name,
                          lambda c: c.index if c.type == "MapIterationStarted" and c.name == map_name else None)

    def _owner(self, e: EventRecord) -> _Visit | None:
        """The visit a task/evaluation event belongs to: the nearest StateEntered behind it."""
        entered = self._walk(e, "owner", lambda c: c if c.type.endswith("StateEntered") else None)
        return self.entered.get(entered.id) if entered else None

    def _container_owner(self, e: EventRecord) -> _Visit | None:
        """The Map/Parallel visit of a ``MapState*``/``ParallelState*`` event (nesting-aware)."""
        depth, cur = 0, self._prev(e)
        while cur is not None:
            if cur.type in _CONTAINER_CLOSE:
                depth += 1
            elif cur.type in _CONTAINER_OPEN:
                if depth == 0:
                    return self.entered.get(cur.id)
                depth -= 1
            cur = self._prev(cur)
        return None

    def _maps(self, node_id: str) -> list[str]:
        names, parent = [], self.nodes[node_id].parent
        while parent is not None:
            if self.nodes[parent].kind == "Map":
                names.append(self.nodes[parent].name)
            parent = self.nodes[parent].parent
        return names[::-1]

    def _frame(self, e: EventRecord, node_id: str) -> tuple:
        return tuple((m, self._iteration(e, m)) for m in self._maps(node_id))

    # -- reading events

    def run(self) -> None:
        for e in self.events:
            t = e.type
            if t.endswith("StateEntered"):
                self._enter(e)
            elif t.endswith("StateExited"):
                self._exit(e)
            elif t in _EXECUTION_END:
                self.execution_status = _EXECUTION_END[t]
            elif t == "MapIterationStarted" or t in _ITERATION_END:
                self._iteration_event(e)
            elif _outcome(t) is not None:
                visit = self._container_owner(e) if t.startswith(("MapState", "ParallelState")) else self._owner(e)
                if visit is None:
                    continue
                if _outcome(t) == _ABORTED:
                    visit.aborted = True
                else:
                    visit.failed = bool(_outcome(t))
                    visit.failures += visit.failed
        self._end_edges()

    def _enter(self, e: EventRecord) -> None:
        node_id = self.by_name.get(e.name or "")
        if node_id is None:
            return
        node = self.nodes[node_id]
        frame = self._frame(e, node_id)
        parent = None
        if node.parent is not None:
            parent = self.latest.get((node.parent, frame[:len(self._maps(node.parent))]))
        visit = _Visit(node_id, frame, parent)
        visit.edges.extend(self._edges_into(e, node))
        self.visits.append(visit)
        self.entered[e.id] = visit
        self.latest[(node_id, frame)] = visit

    def _edges_into(self, e: EventRecord, node: Node) -> list[int]:
        p = self._prev(e)
        if p is None or p.type == "ExecutionStarted":
            return self.edge_index.get((START_ID, node.id), [])
        if p.type in ("MapIterationStarted", "ParallelStateStarted") and node.parent:
            return self.edge_index.get((node.parent, node.id), [])
        source = self.closed.get(p.id) if p.type.endswith("StateExited") else None
        if source is None:
            return []
        tail = self.nodes[source.node].id
        tail = tail + JOIN_SUFFIX if (tail + JOIN_SUFFIX, node.id) in self.edge_index else tail
        found = self.edge_index.get((tail, node.id), [])
        catches = [i for i in found if self.graph.edges[i].kind == CATCH]
        others = [i for i in found if self.graph.edges[i].kind != CATCH]
        return (catches or others) if source.failed else (others or catches)

    def _exit(self, e: EventRecord) -> None:
        node_id = self.by_name.get(e.name or "")
        if node_id is None:
            return
        visit = self.latest.get((node_id, self._frame(e, node_id)))
        if visit is None or visit.exited:
            return
        visit.exited = True
        self.closed[e.id] = visit

    def _iteration_event(self, e: EventRecord) -> None:
        map_id = self.by_name.get(e.name or "")
        if map_id is None:
            return
        outer = self._frame(e, map_id)
        if e.type == "MapIterationStarted":
            self.iterations.setdefault(e.name or "", []).append((outer, e.index, ""))
            return
        self.ended_frames.add(outer + ((e.name, e.index),))
        if e.type == "MapIterationAborted":
            self.aborted_frames.add(outer + ((e.name, e.index),))
        if e.type != "MapIterationSucceeded":
            runs = self.iterations.get(e.name or "", [])
            for i, (frame, index, _) in enumerate(runs):
                if frame == outer and index == e.index:
                    runs[i] = (frame, index, "aborted" if e.type == "MapIterationAborted" else "failed")

    def _end_edges(self) -> None:
        """Edges into End and into a Map/Parallel join, taken by states that finished their branch."""
        for visit in self.visits:
            node = self.nodes[visit.node]
            ends = [i for i in self.edge_index.get((self._tail(node), self._exit_target(node)), [])
                    if self.graph.edges[i].kind == END_EDGE]
            if not ends:
                continue
            if node.kind == "Fail":
                if self.execution_status == "FAILED":
                    visit.edges.extend(ends)
            elif visit.exited and not visit.failed:
                visit.edges.extend(ends)

    def _tail(self, node: Node) -> str:
        return node.id + JOIN_SUFFIX if node.kind in CONTAINERS else node.id

    def _exit_target(self, node: Node) -> str:
        return END_ID if node.parent is None else node.parent + JOIN_SUFFIX

    # -- statuses

    def _selected(self, frame: tuple) -> bool:
        return all(self.selection.get(m, i) == i for m, i in frame)

    def _visit_status(self, visit: _Visit) -> str:
        """How one entry into a state ended (see the module's Design note on cut-short states)."""
        if visit.exited:
            return CAUGHT if visit.failed else SUCCEEDED
        if self.nodes[visit.node].kind == "Fail":
            return FAILED
        if self._cut_short(visit):
            return CANCELLED
        if self.execution_status != "RUNNING":
            return FAILED
        if any(visit.frame[:n] in self.ended_frames for n in range(1, len(visit.frame) + 1)):
            return FAILED
        parent = visit.parent
        while parent is not None:
            if parent.exited or parent.failed:
                return FAILED
            parent = parent.parent
        return IN_PROGRESS

    def _cut_short(self, visit: _Visit) -> bool:
        """True when the history says this unfinished visit was stopped, not failed by its own error."""
        frames = [visit.frame[:n] for n in range(1, len(visit.frame) + 1)]
        if visit.aborted or any(f in self.aborted_frames for f in frames):
            return True
        parents, parent = [], visit.parent
        while parent is not None:
            parents.append(parent)
            parent = parent.parent
        if any(p.aborted for p in parents):
            return True
        if not visit.failed and visit.parent is not None and id(visit.parent) in self._failing_parents():
            return True  # a sibling branch or iteration failed and stopped this one (no *Aborted event written)
        # still running when the execution was stopped or timed out (not ended earlier by its own failure)
        return (self.execution_status in ("ABORTED", "TIMED_OUT") and not any(f in self.ended_frames for f in frames)
                and not any(p.exited for p in parents))

    def _failing_parents(self) -> set[int]:
        """Map/Parallel visits (by ``id``) one of whose inner visits failed by its own error."""
        if self._failing is None:
            self._failing = {id(v.parent) for v in self.visits if v.parent is not None and not v.exited
                             and not v.aborted and (v.failed or self.nodes[v.node].kind == "Fail")}
        return self._failing

    def overlay(self, current: str | None, strict: bool = True) -> Graph:
        self.run()
        if strict:
            self._check_iterations()
        chosen = [v for v in self.visits if self._selected(v.frame)]
        last: dict[tuple, _Visit] = {}
        for visit in chosen:
            last[(visit.node, visit.frame)] = visit
        per_node: dict[str, list[str]] = {}
        for (node_id, _), visit in last.items():
            per_node.setdefault(node_id, []).append(self._visit_status(visit))
        visited = {i for v in chosen for i in v.edges}
        if chosen and any(e.kind == START_EDGE and e.tail == START_ID for e in self.graph.edges):
            visited |= set(self.edge_index.get((START_ID, self._start_target()), []))
        current_id = self.graph.node(current).id if current is not None else None
        edges = tuple(replace(e, visited=i in visited) for i, e in enumerate(self.graph.edges))
        nodes = tuple(self._node(n, per_node, chosen, edges, current_id) for n in self.graph.nodes)
        status_by_id = {n.id: n.status for n in nodes}
        clusters = tuple(replace(c, status=status_by_id.get(c.state or "")) for c in self.graph.clusters)
        selection = tuple(sorted(self.selection.items()))
        return replace(self.graph, nodes=nodes, edges=edges, clusters=clusters,
                       execution_status=self.execution_status or "RUNNING", map_iteration=selection)

    def _start_target(self) -> str:
        return next(e.head for e in self.graph.edges if e.tail == START_ID)

    def _node(self, node: Node, per_node: dict[str, list[str]], chosen: list[_Visit],
              edges: tuple[Edge, ...], current_id: str | None) -> Node:
        if node.id == current_id:
            return replace(node, status=IN_PROGRESS, note=self._note(node, chosen))
        if node.kind == START:
            return replace(node, status=SUCCEEDED if self.events else NOT_RUN)
        if node.kind == END:
            status = {"SUCCEEDED": SUCCEEDED, "RUNNING": NOT_RUN, None: NOT_RUN,
                      "ABORTED": CANCELLED}.get(self.execution_status, FAILED)
            return replace(node, status=status)
        if node.kind == JOIN:
            taken = any(e.visited and node.id in (e.head, e.tail) for e in edges)
            return replace(node, status=SUCCEEDED if taken else NOT_RUN)
        statuses = per_node.get(node.id, [])
        status = next((s for s in _PRECEDENCE if s in statuses), NOT_RUN)
        return replace(node, status=status, note=self._note(node, chosen))

    def _note(self, node: Node, chosen: list[_Visit]) -> str:
        mine = [v for v in chosen if v.node == node.id]
        parts = []
        if node.kind == "Map":
            parts.append(self._iteration_note(node.name))
        elif len(mine) > 1:
            parts.append(f"ran {len(mine)}×")
        retries = sum(v.failures - (1 if v.failed else 0) for v in mine)
        if retries > 0:
            parts.append(f"retried {retries}×")
        return " · ".join(p for p in parts if p)

    def _iteration_note(self, name: str) -> str:
        runs = [(i, ended) for frame, i, ended in self.iterations.get(name, []) if self._selected(frame)]
        if not runs:
            return ""
        if name in self.selection:
            return f"showing index {self.selection[name]} of {len(runs)} iterations"
        text = f"{len(runs)} iteration{'s' if len(runs) != 1 else ''}"
        for ended in ("failed", "aborted"):
            count = sum(1 for _, e in runs if e == ended)
            text += f" · {count} {ended}" if count else ""
        return text

    def _check_iterations(self) -> None:
        for name, index in self.selection.items():
            seen = sorted({i for _, i, _ in self.iterations.get(name, []) if i is not None})
            if not seen:
                raise DiagramError(f"Map state {name!r} started no iteration in this history")
            if index not in seen:
                raise DiagramError(f"Map state {name!r} ran iterations {seen[0]}–{seen[-1]}; "
                                   f"there is no iteration {index}")
