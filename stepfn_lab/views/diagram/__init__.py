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

A package of four modules, one concern each; this ``__init__`` is the entry
(``extract``, ``structure``, ``overlay``, ``iterations``) and re-exports the
model, so ``from stepfn_lab.views import diagram as d`` gives ``d.Graph``,
``d.SUCCEEDED`` and the rest:

* ``model``   ``Node``, ``Edge``, ``Cluster``, ``Graph``: frozen data, the console's status legend.
* ``build``   definition -> the uncoloured ``Graph`` (a cluster per Map/Parallel).
* ``labels``  the words on boxes and edges (resources, Choice rules, waits, Retry, Catch).
* ``replay``  a history -> the coloured ``Graph`` (states run, edges taken, iterations).

The console's colours for each status are ``stepfn_lab.views.render.STATUS_COLOURS``.

    >>> g = extract({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    >>> [(e.tail, e.head, e.kind) for e in g.edges]
    [('(start)', 'A', 'start'), ('A', '(end)', 'end')]
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from ...errors import DefinitionError, Problem
from .build import _Builder
from .labels import catch_label, describe_rule, duration, resource_label, retry_label
from .model import (CANCELLED, CATCH, CAUGHT, CHOICE, CONTAINERS, DEFAULT, DIRECTIONS, END, END_EDGE, END_ID, FAILED,
                    IN_PROGRESS, JOIN, JOIN_SUFFIX, MISSING, NEXT, NOT_RUN, START, START_EDGE, START_ID, STATUSES,
                    SUCCEEDED, Cluster, DiagramError, Edge, Graph, Node, _suggest)
from .replay import EventRecord, _Replay, read_history

__all__ = [
    "extract", "structure", "overlay", "iterations", "read_history", "EventRecord", "DiagramError",
    "Graph", "Node", "Edge", "Cluster", "STATUSES", "SUCCEEDED", "FAILED", "CANCELLED",
    "CAUGHT", "IN_PROGRESS", "NOT_RUN",
    "START", "END", "JOIN", "MISSING", "START_ID", "END_ID", "JOIN_SUFFIX", "CONTAINERS", "DIRECTIONS",
    "START_EDGE", "NEXT", "CHOICE", "DEFAULT", "CATCH", "END_EDGE",
    "describe_rule", "resource_label", "duration", "retry_label", "catch_label",
]


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
