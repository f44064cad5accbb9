"""From a definition to the uncoloured ``Graph``: one node per state, one edge per transition.

Spec: Amazon States Language (``StartAt``, ``Next``/``End``, ``Choices``/``Default``, ``Catch``,
``Branches``, ``ItemProcessor``/``Iterator``): each Map and Parallel becomes a cluster with a join
node its branches end in. Taught in: notebooks/01-what-is-a-state-machine.ipynb, notebooks/11-parallel.ipynb,
notebooks/12-map.ipynb.
"""

from __future__ import annotations

from typing import Any, Mapping

from .labels import _DETAILS, catch_label, describe_rule, retry_label
from .model import (CATCH, CHOICE, CONTAINERS, DEFAULT, END, END_EDGE, END_ID, JOIN, JOIN_SUFFIX, MISSING,
                    NEXT, START, START_EDGE, START_ID, Cluster, Edge, Graph, Node, _suggest)

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
