"""The execution graph as plain data: states, transitions, clusters, colours.

Spec: Amazon States Language (``StartAt``, ``Next``/``End``, ``Choices``/
``Default``, ``Retry``/``Catch``, ``Branches``, ``ItemProcessor``) and the AWS
``GetExecutionHistory`` event shapes. Look: the Step Functions console graph.
Taught in: notebooks/01-what-is-a-state-machine.ipynb (and wherever a diagram
is shown).

``extract(definition, history)`` returns a ``Graph``: frozen dataclasses and
nothing else, so tests can assert on the model and ``render`` can draw it with
Graphviz (or Mermaid) without this module importing either.

The overlay reads AWS's history shape, so a real execution's history colours
the picture as well as a local one does. Events of Map iterations and Parallel
branches are interleaved in the list; they are told apart the way AWS links
them, by walking ``previousEventId`` back to the ``MapIterationStarted`` (or
``ParallelStateStarted``) that began their branch.

    >>> g = extract({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    >>> [(e.tail, e.head, e.kind) for e in g.edges]
    [('(start)', 'A', 'start'), ('A', '(end)', 'end')]
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Mapping

from ...asl import choice
from ...errors import DefinitionError, Problem, StepFnLabError

# Node statuses: the console's legend.
SUCCEEDED, FAILED, CAUGHT, IN_PROGRESS, NOT_RUN = "succeeded", "failed", "caught", "in_progress", "not_run"
STATUSES = (SUCCEEDED, FAILED, CAUGHT, IN_PROGRESS, NOT_RUN)
# When several runs of a state disagree (Map iterations), the first listed wins.
_PRECEDENCE = (FAILED, IN_PROGRESS, CAUGHT, SUCCEEDED, NOT_RUN)

# Node kinds besides the eight ASL state types.
START, END, JOIN, MISSING = "Start", "End", "Join", "Missing"
START_ID, END_ID = "(start)", "(end)"
CONTAINERS = ("Map", "Parallel")

# Edge kinds.
START_EDGE, NEXT, CHOICE, DEFAULT, CATCH, END_EDGE = "start", "next", "choice", "default", "catch", "end"

DIRECTIONS = ("TB", "LR")


class DiagramError(StepFnLabError, ValueError):
    """A diagram was asked for with an argument it cannot honour."""


@dataclass(frozen=True)
class Node:
    """One box of the picture: a state, Start/End, a Map/Parallel join, or a missing target."""

    id: str
    name: str
    kind: str
    detail: str = ""  # second line: "lambda: Fn", "Wait 1h", "Fail · MyError"
    retry: str = ""  # "↻ Retry ×3"
    cluster: str | None = None  # the cluster it is drawn in
    parent: str | None = None  # id of the Map/Parallel state whose states include it
    comment: str = ""
    status: str | None = None  # one of STATUSES; None when drawn without an execution
    note: str = ""  # what the execution adds: "retried 2×", "3 iterations · 1 failed"


@dataclass(frozen=True)
class Edge:
    """A transition: Next, a Choice rule, Default, Catch, or into Start/End/join."""

    tail: str
    head: str
    kind: str
    label: str = ""
    visited: bool | None = None  # None when drawn without an execution


@dataclass(frozen=True)
class Cluster:
    """A Map item processor, a Parallel state, or one Parallel branch."""

    id: str
    kind: str  # "Map", "Parallel" or "Branch"
    label: str
    parent: str | None  # enclosing cluster id
    state: str | None  # id of the Map/Parallel node this cluster belongs to
    status: str | None = None


@dataclass(frozen=True)
class Graph:
    """The whole picture, ready for ``render.to_digraph`` or ``render.to_mermaid``."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    clusters: tuple[Cluster, ...]
    direction: str = "TB"
    comment: str = ""
    execution_status: str | None = None  # "SUCCEEDED", "FAILED", "RUNNING"...; None without history
    map_iteration: tuple[tuple[str, int], ...] = ()

    def node(self, name: str) -> Node:
        """The node of a state (by state name, or by node id)."""
        for node in self.nodes:
            if node.name == name and node.kind not in (START, END, JOIN, MISSING):
                return node
        for node in self.nodes:
            if node.id == name:
                return node
        raise DiagramError(f"no state named {name!r} in this diagram" + _suggest(name, self.state_names()))

    def state_names(self) -> list[str]:
        return [n.name for n in self.nodes if n.kind not in (START, END, JOIN, MISSING)]

    def status_of(self, name: str) -> str | None:
        return self.node(name).status

    @property
    def statuses(self) -> dict[str, str | None]:
        """``{state name: status}`` for every state (not Start/End/joins)."""
        return {n.name: n.status for n in self.nodes if n.kind not in (START, END, JOIN, MISSING)}

    def edges_between(self, tail: str, head: str) -> list[Edge]:
        """Edges leaving state ``tail`` (or its join) for state ``head``; names or ids."""
        tails = {self._id(tail), self._id(tail) + JOIN_SUFFIX}
        head_id = self._id(head)
        return [e for e in self.edges if e.tail in tails and e.head == head_id]

    def _id(self, name: str) -> str:
        if name in (START_ID, END_ID):
            return name
        return self.node(name).id


JOIN_SUFFIX = ":end"


# ---------------------------------------------------------------- entry point

def extract(definition: Any, history: Any = None, *, map_iteration: Mapping[str, int] | None = None,
            current: str | None = None, direction: str = "TB") -> Graph:
    """Build the diagram model of a definition, coloured by an execution's history.

    Args:
        definition: the ASL definition (a dict, or JSON text).
        history: optional; AWS ``GetExecutionHistory`` output (``{"events": [...]}``
            or the list of events), or a ``History`` with ``.events``.
        map_iteration: ``{"MapStateName": 3}`` shows that iteration's path inside
            the Map; without it each inner state shows all iterations together.
        current: the state a paused execution is in (drawn in progress).
        direction: ``"TB"`` (top to bottom) or ``"LR"`` (left to right).
    """
    graph = structure(definition, direction)
    _check_selection(graph, map_iteration)
    if history is None and current is None:
        return graph
    return overlay(graph, history if history is not None else [], map_iteration=map_iteration, current=current)


def structure(definition: Any, direction: str = "TB") -> Graph:
    """The uncoloured model of a definition: what ``extract`` returns without a history."""
    if direction not in DIRECTIONS:
        raise DiagramError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    return _Builder().build(_as_definition(definition), direction)


def overlay(graph: Graph, history: Any, *, map_iteration: Mapping[str, int] | None = None,
            current: str | None = None, strict: bool = True) -> Graph:
    """Colour an uncoloured ``graph`` with a history (raw, or already ``read_history``-ed).

    With ``strict=False`` a ``map_iteration`` that has not started yet is not an
    error (the animation replays histories one prefix at a time).
    """
    selection = _check_selection(graph, map_iteration)
    return _Replay(graph, read_history(history), selection).overlay(current, strict)


def iterations(graph: Graph, history: Any) -> list[tuple[tuple[str, int | None], ...]]:
    """For each event, the Map iterations it ran in: ``(("ProcessOrders", 1),)``; ``()`` outside Maps."""
    records = read_history(history)
    replay = _Replay(graph, records, {})
    out = []
    for record in records:
        node_id = replay.by_name.get(record.name or "")
        out.append(replay._frame(record, node_id) if node_id is not None else ())
    return out


def _as_definition(definition: Any) -> Mapping[str, Any]:
    if isinstance(definition, (str, bytes)):
        try:
            definition = json.loads(definition)
        except ValueError as exc:
            raise DefinitionError([Problem("", f"the definition is not valid JSON: {exc}")]) from None
    inner = getattr(definition, "definition", None)
    if not isinstance(definition, Mapping) and isinstance(inner, Mapping):
        definition = inner
    if not isinstance(definition, Mapping):
        raise DefinitionError([Problem("", "a definition is a JSON object with StartAt and States, "
                                           f"not {type(definition).__name__}")])
    if not isinstance(definition.get("States"), Mapping):
        raise DefinitionError([Problem("/States", "the definition has no States object",
                                       hint='add "States": {"Name": {"Type": "Pass", "End": true}}')])
    return definition


def _suggest(name: Any, names: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(name), list(names), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_selection(graph: Graph, map_iteration: Mapping[str, int] | None) -> dict[str, int]:
    selection = dict(map_iteration or {})
    maps = [n.name for n in graph.nodes if n.kind == "Map"]
    for name, index in selection.items():
        if name not in maps:
            known = ", ".join(repr(m) for m in maps) or "none"
            raise DiagramError(f"map_iteration names {name!r}, which is not a Map state "
                               f"(Map states: {known})" + _suggest(name, maps))
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            raise DiagramError(f"map_iteration[{name!r}] must be an iteration index (0, 1, ...), not {index!r}")
    return selection


# ---------------------------------------------------------------- labels

def describe_rule(rule: Any) -> str:
    """A Choice rule as a reader would say it (``$.foo == 1``): the shared ``asl.choice`` wording."""
    return choice.describe(rule)


def _strip_jsonata(value: Any) -> str:
    text = str(value).strip()
    if text.startswith("{%") and text.endswith("%}"):
        text = text[2:-2].strip()
    return text


def resource_label(state: Mapping[str, Any]) -> str:
    """A Task's resource the way the console shows it: ``lambda: Fn``, ``dynamodb:putItem``."""
    resource = state.get("Resource")
    if not isinstance(resource, str):
        return "Task"
    if not resource.startswith("arn:"):
        return resource  # a local task name
    parts = resource.split(":")
    service = parts[2] if len(parts) > 2 else ""
    if service == "lambda" and "function" in parts[:-1]:
        return "lambda: " + parts[parts.index("function") + 1]
    if service != "states" or len(parts) < 6:
        return ":".join(parts[2:3] + parts[5:]) or resource
    rest = parts[5:]
    if rest[0] == "activity":
        return "activity: " + ":".join(rest[1:])
    if rest[0] == "aws-sdk":
        rest = rest[1:]
    if rest[:2] == ["lambda", "invoke"]:
        function = _function_name(state)
        if function:
            return "lambda: " + function
    return ":".join(rest)


def _function_name(state: Mapping[str, Any]) -> str:
    for key in ("Parameters", "Arguments"):
        args = state.get(key)
        if isinstance(args, Mapping) and isinstance(args.get("FunctionName"), str):
            name = args["FunctionName"]
            if name.startswith("{%"):
                return ""
            if ":function:" in name:
                name = name.split(":function:", 1)[1]
            return name.split(":", 1)[0]
    return ""


def duration(seconds: Any) -> str:
    """``3600`` -> ``"1h"``, ``90`` -> ``"1m 30s"``."""
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
        return str(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return " ".join(parts) or "0s"


def _wait_label(state: Mapping[str, Any]) -> str:
    if "Seconds" in state:
        value = state["Seconds"]
        return "Wait " + (_strip_jsonata(value) if isinstance(value, str) else duration(value))
    if "SecondsPath" in state:
        return f"Wait {state['SecondsPath']} s"
    if "Timestamp" in state:
        return "Wait until " + _strip_jsonata(state["Timestamp"])
    if "TimestampPath" in state:
        return f"Wait until {state['TimestampPath']}"
    return "Wait"


def _fail_label(state: Mapping[str, Any]) -> str:
    error = state.get("Error", state.get("ErrorPath"))
    return f"Fail · {_strip_jsonata(error)}" if error else "Fail"


def _map_label(state: Mapping[str, Any]) -> str:
    processor = state.get("ItemProcessor") or {}
    config = processor.get("ProcessorConfig") if isinstance(processor, Mapping) else None
    mode = "Distributed Map" if isinstance(config, Mapping) and config.get("Mode") == "DISTRIBUTED" else "Map"
    items = state.get("ItemsPath", state.get("Items"))
    if isinstance(items, str) and items != "$":
        return f"{mode} over {_strip_jsonata(items)}"
    return mode


def _parallel_label(state: Mapping[str, Any]) -> str:
    branches = state.get("Branches")
    count = len(branches) if isinstance(branches, list) else 0
    return f"Parallel · {count} branch{'es' if count != 1 else ''}"


_DETAILS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "Task": resource_label,
    "Wait": _wait_label,
    "Fail": _fail_label,
    "Map": _map_label,
    "Parallel": _parallel_label,
}


def retry_label(state: Mapping[str, Any]) -> str:
    """``↻ Retry ×3`` (one ×N per retrier, N = MaxAttempts, default 3)."""
    retriers = state.get("Retry")
    if not isinstance(retriers, list) or not retriers:
        return ""
    counts = [r.get("MaxAttempts", 3) if isinstance(r, Mapping) else "?" for r in retriers]
    return "↻ Retry " + ", ".join(f"×{c}" for c in counts)


def catch_label(catcher: Any) -> str:
    errors = catcher.get("ErrorEquals") if isinstance(catcher, Mapping) else None
    names = ", ".join(str(e) for e in errors) if isinstance(errors, list) and errors else "?"
    return f"Catch: {names}"


# ---------------------------------------------------------------- structure

class _Builder:
    """Walks a definition once, container by container, and collects the model."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []
        self.clusters: list[Cluster] = []
        self.exit_of: dict[str, str] = {}  # a state's node -> the node its transitions leave from
        self.ids: set[str] = set()

    def build(self, definition: Mapping[str, Any], direction: str) -> Graph:
        self._add(Node(START_ID, "Start", START))
        self._container(definition, "", None, None, START_ID, END_ID, top=True)
        self._add(Node(END_ID, "End", END))
        comment = definition.get("Comment")
        return Graph(tuple(self.nodes), tuple(self.edges), tuple(self.clusters), direction,
                     comment if isinstance(comment, str) else "")

    def _add(self, node: Node) -> str:
        self.nodes.append(node)
        self.ids.add(node.id)
        return node.id

    def _unique(self, wanted: str) -> str:
        candidate, n = wanted, 2
        while candidate in self.ids or candidate in (START_ID, END_ID):
            candidate, n = f"{wanted}#{n}", n + 1
        return candidate

    def _container(self, body: Any, prefix: str, cluster: str | None, parent: str | None,
                   entry: str, exit: str, top: bool = False) -> None:
        """One level: its states, then its transitions, then the inside of its Maps and Parallels."""
        states = body.get("States") if isinstance(body, Mapping) else None
        states = states if isinstance(states, Mapping) else {}
        scope = (prefix, cluster, parent)
        inner: list[tuple[str, Mapping[str, Any]]] = []
        ids = {name: self._state(str(name), state, scope, inner) for name, state in states.items()}
        start_at = body.get("StartAt") if isinstance(body, Mapping) else None
        self._edge(entry, self._target(start_at, ids, scope), START_EDGE)
        for name, state in states.items():
            self._transitions(ids[name], state if isinstance(state, Mapping) else {}, ids, scope, exit, top)
        for node_id, state in inner:
            self._inside(node_id, state)

    def _state(self, name: str, state: Any, scope: tuple, inner: list) -> str:
        prefix, cluster, parent = scope
        state = state if isinstance(state, Mapping) else {}
        kind = state.get("Type") if isinstance(state.get("Type"), str) else "Unknown"
        node_id = self._unique(prefix + name)
        comment = state.get("Comment")
        comment = comment if isinstance(comment, str) else ""
        detail = _DETAILS[kind](state) if kind in _DETAILS else kind
        if kind in CONTAINERS:
            box = f"cluster_{len(self.clusters)}"
            self.clusters.append(Cluster(box, kind, "", cluster, node_id))
            cluster = box
            self.exit_of[node_id] = self._unique(node_id + JOIN_SUFFIX)
            self.ids.add(self.exit_of[node_id])
            inner.append((node_id, state))
        return self._add(Node(node_id, name, kind, detail, retry_label(state), cluster, parent, comment))

    def _inside(self, node_id: str, state: Mapping[str, Any]) -> None:
        """The states of a Map's item processor or a Parallel's branches, then the join they end in."""
        box = next(c.id for c in self.clusters if c.state == node_id and c.kind != "Branch")
        join = self.exit_of[node_id]
        if state.get("Type") == "Map":
            processor = state.get("ItemProcessor", state.get("Iterator"))
            self._container(processor, node_id + "/", box, node_id, node_id, join)
        else:
            branches = state.get("Branches") if isinstance(state.get("Branches"), list) else []
            for number, branch in enumerate(branches, 1):
                lane = f"cluster_{len(self.clusters)}"
                self.clusters.append(Cluster(lane, "Branch", f"Branch {number}", box, node_id))
                self._container(branch, f"{node_id}/{number}/", lane, node_id, node_id, join)
        self._add(Node(join, "", JOIN, cluster=box, parent=node_id))

    def _target(self, name: Any, ids: Mapping[str, str], scope: tuple) -> str:
        if name in ids:
            return ids[name]
        prefix, cluster, parent = scope
        wanted = f"{prefix}?{name}"
        if wanted not in self.ids:
            label = f"{name!r} is not a state here" if name is not None else "no StartAt"
            self._add(Node(wanted, str(name), MISSING, label + _suggest(name, ids), cluster=cluster, parent=parent))
        return wanted

    def _edge(self, tail: str, head: str, kind: str, label: str = "") -> None:
        self.edges.append(Edge(tail, head, kind, label))

    def _transitions(self, node_id: str, state: Mapping[str, Any], ids: Mapping[str, str],
                     scope: tuple, exit: str, top: bool) -> None:
        tail = self.exit_of.get(node_id, node_id)
        kind = state.get("Type")
        if kind == "Choice":
            choices = state.get("Choices") if isinstance(state.get("Choices"), list) else []
            for rule in choices:
                target = rule.get("Next") if isinstance(rule, Mapping) else None
                self._edge(tail, self._target(target, ids, scope), CHOICE, describe_rule(rule))
            if "Default" in state:
                self._edge(tail, self._target(state["Default"], ids, scope), DEFAULT, "Default")
        elif kind == "Succeed" or (kind == "Fail" and top) or state.get("End") is True:
            self._edge(tail, exit, END_EDGE)
        elif "Next" in state:
            self._edge(tail, self._target(state["Next"], ids, scope), NEXT)
        catchers = state.get("Catch") if isinstance(state.get("Catch"), list) else []
        for catcher in catchers:
            target = catcher.get("Next") if isinstance(catcher, Mapping) else None
            self._edge(tail, self._target(target, ids, scope), CATCH, catch_label(catcher))


# ---------------------------------------------------------------- history

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


def _outcome(event_type: str) -> bool | None:
    """True for an event that says the state's work failed, False for success, else None."""
    if event_type.startswith(("Execution", "MapIteration", "MapRun")):
        return None
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
        self.iterations: dict[str, list[tuple[tuple, int | None, bool]]] = {}  # map -> (outer frame, index, failed)
        self.ended_frames: set[tuple] = set()
        self.execution_status = "RUNNING" if events else None
        self._memo: dict[tuple[int, str], Any] = {}

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
                if visit is not None:
                    visit.failed = _outcome(t)
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
            self.iterations.setdefault(e.name or "", []).append((outer, e.index, False))
            return
        self.ended_frames.add(outer + ((e.name, e.index),))
        if e.type != "MapIterationSucceeded":
            runs = self.iterations.get(e.name or "", [])
            for i, (frame, index, _) in enumerate(runs):
                if frame == outer and index == e.index:
                    runs[i] = (frame, index, True)

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
        if visit.exited:
            return CAUGHT if visit.failed else SUCCEEDED
        if self.nodes[visit.node].kind == "Fail" or self.execution_status != "RUNNING":
            return FAILED
        if any(visit.frame[:n] in self.ended_frames for n in range(1, len(visit.frame) + 1)):
            return FAILED
        parent = visit.parent
        while parent is not None:
            if parent.exited or parent.failed:
                return FAILED
            parent = parent.parent
        return IN_PROGRESS

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
            status = {"SUCCEEDED": SUCCEEDED, "RUNNING": NOT_RUN, None: NOT_RUN}.get(self.execution_status, FAILED)
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
        runs = [(i, failed) for frame, i, failed in self.iterations.get(name, []) if self._selected(frame)]
        if not runs:
            return ""
        if name in self.selection:
            return f"showing index {self.selection[name]} of {len(runs)} iterations"
        failed = sum(1 for _, f in runs if f)
        text = f"{len(runs)} iteration{'s' if len(runs) != 1 else ''}"
        return text + (f" · {failed} failed" if failed else "")

    def _check_iterations(self) -> None:
        for name, index in self.selection.items():
            seen = sorted({i for _, i, _ in self.iterations.get(name, []) if i is not None})
            if not seen:
                raise DiagramError(f"Map state {name!r} started no iteration in this history")
            if index not in seen:
                raise DiagramError(f"Map state {name!r} ran iterations {seen[0]}–{seen[-1]}; "
                                   f"there is no iteration {index}")
