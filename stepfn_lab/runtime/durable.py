"""Durable Standard executions: save an execution to SQLite and bring it back in a new process.

Spec: Standard workflows are durable (AWS docs "Standard vs Express": they run
for up to a year and survive anything that happens to their caller). Locally,
``machine.start(input, store="runs.db")`` saves the execution after every
``run()``, ``step()``, callback and redrive, and ``load_execution(arn, store)``
rebuilds it, history included, ready to receive a callback or finish a Wait.
Taught in: notebooks/13-standard-vs-express.ipynb.

The saved form is JSON: the definition, every frame (cursor, data, variables,
children of running Parallel/Map states), the history, the virtual clock and
the random generator's state. Lambda handlers are code, not data: pass them
again to ``load_execution``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import datetime
from typing import Any

from ..errors import ExecutionError
from .dataflow import Trace
from .history import History
from .maprun import FINISHED

FORMAT = 1
_SCHEMA = """CREATE TABLE IF NOT EXISTS executions (
    arn TEXT PRIMARY KEY, name TEXT, machine TEXT, status TEXT, state TEXT, updated REAL)"""


def _connect(store: str) -> sqlite3.Connection:
    db = sqlite3.connect(store)
    db.execute(_SCHEMA)
    return db


def save(execution) -> None:
    state = to_state(execution)
    with _connect(execution.store) as db:
        db.execute("INSERT OR REPLACE INTO executions VALUES (?, ?, ?, ?, ?, ?)",
                   (execution.arn, execution.name, execution.machine.name, execution.status,
                    json.dumps(state), time.time()))
    db.close()


def list_executions(store: str) -> list[dict]:
    """The executions saved in a store: arn, name, machine and status."""
    with _connect(store) as db:
        rows = db.execute("SELECT arn, name, machine, status FROM executions ORDER BY updated").fetchall()
    db.close()
    return [{"arn": a, "name": n, "machine": m, "status": s} for a, n, m, s in rows]


def load_execution(arn: str, store: str, *, machine_type: type, execution_type: type,
                   lambdas: dict | None = None, services: Any = None, tasks: dict | None = None):
    """Bring a saved execution back (in this or another process); functions are given again, as at start.

    ``machine_type`` and ``execution_type`` are the engine's ``StateMachine`` and ``Execution``: the engine
    sits above this module (it saves through ``save``), so it hands its classes down instead of being imported.
    """
    with _connect(store) as db:
        row = db.execute("SELECT state FROM executions WHERE arn = ?", (arn,)).fetchone()
    db.close()
    if row is None:
        known = [r["arn"] for r in list_executions(store)]
        raise ExecutionError(f"ExecutionDoesNotExist: no execution {arn!r} in {store!r} "
                             f"(saved: {', '.join(known[-3:]) or 'none'})")
    execution = from_state(json.loads(row[0]), machine_type=machine_type, execution_type=execution_type,
                           lambdas=lambdas, services=services)
    execution.store = store
    from .local_tasks import normalize
    execution.tasks = normalize(tasks)
    return execution


# --- to and from plain data -----------------------------------------------------------------

_EXECUTION_FIELDS = ("name", "input", "status", "output", "error", "cause", "transitions", "retries",
                     "redrive_count", "deadline", "trace_enabled", "max_transitions", "sync", "redelivery_rate",
                     "deliveries", "s3_root", "workflow_type", "arn")

_FRAME_FIELDS = ("kind", "index", "path", "state", "phase", "raw_input", "effective", "output", "result", "next",
                 "entered_id", "entered_at", "last_id", "ready_at", "retry_counts", "retry_total", "status",
                 "error", "cause", "token", "assigned", "timeout", "heartbeat", "deadline", "heartbeat_deadline",
                 "blocked", "caught", "vars_before")

_FAN_FIELDS = ("inputs", "results", "next_index", "done", "failures", "limit", "tolerated_count",
               "tolerated_percentage", "rr", "distributed")


def _events(history: History) -> list:
    return [[e.id, e.previous_event_id, e.type, e.at, e.details, e.frame] for e in history]


def _history(start: datetime, events: list) -> History:
    history = History(start)
    for id_, previous, type_, at, details, frame in events:
        history.add(previous, type_, at, details, frame)
    return history


def to_state(execution) -> dict:
    machine = execution.machine
    return {
        "format": FORMAT,
        "machine": {"name": machine.name, "workflow_type": machine.workflow_type, "region": machine.region,
                    "account": machine.account, "definition": machine.raw},
        "execution": {k: getattr(execution, k) for k in _EXECUTION_FIELDS},
        "context": execution._exec_context,
        "clock": {"start": execution.clock.start.isoformat(), "now": execution.clock.now},
        "rng": _rng_state(execution.rng.getstate()),
        "ids": execution.ids.counts,
        "history": _events(execution.history),
        "root": _frame(execution, execution.root),
    }


def _rng_state(state: tuple) -> list:
    version, internal, gauss = state
    return [version, list(internal), gauss]


def _frame(execution, frame) -> dict:
    out = {k: getattr(frame, k) for k in _FRAME_FIELDS}
    out["trace"] = dict(frame.trace) if frame.trace is not None else None
    out["vars"] = frame.scope.own
    out["fan"] = _fan(execution, frame.fan)
    out["stash"] = _fan(execution, frame.stash)
    if frame.history is not execution.history:
        out["history"] = _events(frame.history)
    return out


def _fan(execution, fan) -> dict | None:
    if fan is None:
        return None
    out = {k: getattr(fan, k) for k in _FAN_FIELDS}
    out["inputs"] = list(fan.inputs)  # CSV rows are read lazily
    out["failed"] = list(fan.failed) if fan.failed is not None else None
    out["children"] = [_frame(execution, c) if c is not None and c is not FINISHED else
                       ("finished" if c is not None else None) for c in fan.children]
    out["active"] = [c.index for c in fan.active]
    return out


def from_state(state: dict, *, machine_type: type, execution_type: type, lambdas: dict | None = None,
               services: Any = None):
    """Rebuild an execution from ``to_state``'s data (the classes as in ``load_execution``)."""
    if state.get("format") != FORMAT:
        raise ExecutionError(f"this store was written by another version of stepfn_lab (format {state.get('format')})")
    m = state["machine"]
    machine = machine_type.from_json(m["definition"], name=m["name"], workflow_type=m["workflow_type"],
                                     region=m["region"], account=m["account"])
    e = state["execution"]
    start = datetime.fromisoformat(state["clock"]["start"])
    execution = execution_type.__new__(execution_type)
    execution.__dict__.update(_blank_execution(machine, lambdas, services))
    for key in _EXECUTION_FIELDS:
        setattr(execution, key, e[key])
    execution._exec_context = state["context"]
    from .clock import VirtualClock
    execution.clock = VirtualClock(start, state["clock"]["now"])
    version, internal, gauss = state["rng"]
    execution.rng.setstate((version, tuple(internal), gauss))
    execution.ids.counts = dict(state["ids"])
    execution.history = _history(start, state["history"])
    execution.root = _load_frame(execution, state["root"], machine.definition, None)
    execution.root.steps = execution.steps
    _collect_tokens(execution, execution.root)
    return execution


def _blank_execution(machine, lambdas, services) -> dict:
    from .clock import IdFactory, Rng
    from .dataflow import SizeMeter
    return {"machine": machine, "lambdas": lambdas or {}, "tasks": {}, "services": services, "mock": None,
            "rng": Rng(0),
            "ids": IdFactory(), "meter": SizeMeter(), "steps": [], "tokens": {}, "internal_error": None,
            "activity_workers": {}, "store": None, "_machine_context": {"Id": machine.arn, "Name": machine.name},
            "map_runs": [], "child_histories": None, "child_transitions": 0}


def _load_frame(execution, data: dict, definition, parent):
    from .frames import Frame, Scope
    if parent is None:
        scope, history = Scope(None, data["vars"]), execution.history
    else:
        distributed = "history" in data
        scope = Scope(None if distributed else parent.scope, data["vars"])
        history = _history(execution.clock.start, data["history"]) if distributed else parent.history
    frame = Frame(definition, data["raw_input"], parent=parent, kind=data["kind"], index=data["index"],
                  scope=scope, history=history, last_id=data["last_id"], path=data["path"])
    for key in _FRAME_FIELDS:
        setattr(frame, key, data[key])
    frame.trace = Trace(data["trace"]) if data["trace"] is not None else None
    frame.fan = _load_fan(execution, data["fan"], frame)
    frame.stash = _load_fan(execution, data["stash"], frame)
    return frame


def _load_fan(execution, data: dict | None, frame):
    from .frames import Fan
    if data is None:
        return None
    fan = Fan(len(data["children"]), data["limit"])
    for key in _FAN_FIELDS:
        setattr(fan, key, data[key])
    fan.failed = tuple(data["failed"]) if data["failed"] is not None else None
    state = frame.definition.states[frame.state]
    for i, child in enumerate(data["children"]):
        if child == "finished":  # a succeeded iteration whose frame was let go
            fan.children[i] = FINISHED
        elif child is not None:
            definition = state.branches[child["index"]] if child["kind"] == "branch" else state.processor
            fan.children[i] = _load_frame(execution, child, definition, frame)
    fan.active.extend(fan.children[i] for i in data["active"])
    return fan


def _collect_tokens(execution, frame) -> None:
    if frame.blocked and frame.token:
        execution.tokens[frame.token] = frame
    for fan in (frame.fan,):
        if fan is not None:
            for child in fan.children:
                if child is not None and child is not FINISHED:
                    _collect_tokens(execution, child)
