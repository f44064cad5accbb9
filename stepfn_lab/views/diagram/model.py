"""The diagram's model: nodes, edges, clusters and the ``Graph`` that holds them, as frozen plain data.

Spec: the Step Functions console's graph (its legend of statuses: succeeded, failed, cancelled,
caught error, in progress; plus "not run" for states the execution never reached) and the ASL
transitions an edge stands for (``StartAt``, ``Next``/``End``,
``Choices``/``Default``, ``Catch``). Taught in: notebooks/01-what-is-a-state-machine.ipynb.

Frozen dataclasses and constants, nothing else: ``build`` fills them from a definition, ``replay``
colours them from a history, ``stepfn_lab.views.render`` draws them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Iterable

from ...errors import StepFnLabError

# Node statuses: the console's legend. CANCELLED is a state cut short: stopped by a sibling's failure
# (``*StateAborted``, ``MapIterationAborted``) or still running when the execution was stopped or timed
# out; the console draws it "Cancelled", grey, and keeps red for the state whose error ended the run.
SUCCEEDED, FAILED, CAUGHT, IN_PROGRESS, NOT_RUN = "succeeded", "failed", "caught", "in_progress", "not_run"
CANCELLED = "cancelled"
STATUSES = (SUCCEEDED, FAILED, CANCELLED, CAUGHT, IN_PROGRESS, NOT_RUN)
# When several runs of a state disagree (Map iterations), the first listed wins.
_PRECEDENCE = (FAILED, IN_PROGRESS, CAUGHT, CANCELLED, SUCCEEDED, NOT_RUN)

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


def _suggest(name: Any, names: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(name), list(names), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
