"""The states of one machine as a graph: state names, transition targets, a terminal state, reachability.

Spec: Amazon States Language, "Structure of a State Machine" (StartAt, state names), "Transitions" (Next,
Default, Choices, Catch) and "Terminal States". Taught in: notebooks/02-asl-anatomy.ipynb.

Design note: "not reachable" follows AWS, not graph theory: a state is reported when no StartAt, Next,
Default or Catch names it (two states that only name each other are not reported), and not at all when the
machine has no terminal state (AWS then reports MISSING_END_STATE alone).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .fields import CONTROL, MAX_NAME, STATE_TYPES, Path
from .report import did_you_mean, render_location, type_name

if TYPE_CHECKING:
    from .checker import Validator


def graph(v: Validator, m: dict, states: dict, at: Path) -> None:
    names = [n for n in states if isinstance(n, str)]
    start = m.get("StartAt")
    if isinstance(start, str) and start not in states:
        missing_target(v, start, at + ("StartAt",), names)
    edges: dict[Any, list[str]] = {}
    for name, body in states.items():
        edges[name] = []
        for target, rel in transitions(body):
            if target in states:
                edges[name].append(target)
            else:
                missing_target(v, target, at + ("States", name) + rel, names)
    bodies = states.values()
    if not any(is_terminal(body) for body in bodies):
        if all(isinstance(b, dict) and b.get("Type") in STATE_TYPES for b in bodies):  # no cascades
            hint = None if not at else f"no state of the machine at {render_location(at)} ends it"
            v.report("MISSING_END_STATE", at, "Workflow has no terminal state", location="",
                     hint=hint or "give a state \"End\": true, or add a Succeed or Fail state")
        return
    if not isinstance(start, str):
        return  # already reported: StartAt is missing or not a string
    # Like AWS: a state is unreachable when no StartAt, Next, Default or Catch names it.
    named = {start}
    for targets in edges.values():
        named.update(targets)
    for name in states:
        if name not in named:
            v.report("MISSING_TRANSITION_TARGET", at + ("States", name), f'State "{name}" is not reachable.',
                     key=True, hint="no StartAt, Next, Default or Catch names this state")


def missing_target(v: Validator, target: str, at: Path, names: list) -> None:
    problem = v.report("MISSING_TRANSITION_TARGET", at, f"Missing 'Next' target: {target}",
                       hint=did_you_mean(target, names))
    if problem.hint is None:
        v.dangling.append((problem, target))


def state_name(v: Validator, name: Any, at: Path) -> None:
    if not isinstance(name, str):
        v.report("INVALID_STATE_NAME", at, f"Invalid State name: State names must be strings, "
                                           f"not {type_name(name)}", key=True)
        return
    if not name:
        v.report("INVALID_STATE_NAME", at, "Invalid State name: State '' must have a name", key=True)
    elif len(name) > MAX_NAME:
        v.report("INVALID_STATE_NAME", at, f"Invalid State name: State '{name}' exceeds the "
                                           f"{MAX_NAME}-character limit allowed by the service", key=True)
    elif CONTROL.search(name):
        v.report("INVALID_STATE_NAME", at, f"Invalid State name: State {name!r} contains a control "
                                           "character", key=True)
    first = v.state_names.get(name)
    if first is None:
        v.state_names[name] = at
    else:
        v.report("DUPLICATE_STATE_NAME", at, f"Duplicate State name: {name}", key=True,
                 hint=f"state names must be unique in the whole state machine, branches and "
                      f"item processors included; it is also defined at {render_location(first)}")


def transitions(body: Any):
    """``(target, relative_path)`` for every transition a state makes."""
    if not isinstance(body, dict):
        return
    if isinstance(body.get("Next"), str):
        yield body["Next"], ("Next",)
    if isinstance(body.get("Default"), str):
        yield body["Default"], ("Default",)
    for field in ("Choices", "Catch"):
        items = body.get(field)
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict) and isinstance(item.get("Next"), str):
                    yield item["Next"], (field, i, "Next")


def is_terminal(body: Any) -> bool:
    return isinstance(body, dict) and (body.get("Type") in ("Succeed", "Fail") or body.get("End") is True)
