"""Durable Standard executions: save an execution to SQLite and bring it back in a new process.

Spec: Standard workflows are durable (AWS docs "Standard vs Express": they run
for up to a year and survive anything that happens to their caller). Locally,
``machine.start(input, store="runs.db")`` saves the execution at once, then after
every action (each one a few history events), callback, stop and redrive;
``load_execution(arn, store)`` rebuilds it, history included, ready to receive a
callback or finish a Wait. Taught in: notebooks/13-standard-vs-express.ipynb.

The guarantees, as durable workflow engines give them:

* **Atomic steps.** Each save is one SQLite transaction: the new history events
  and the execution's state are written together or not at all, so a process
  killed at any point (even SIGKILL) leaves the last completed action, never half
  of one. A handler's side effect whose completion the stored history records is
  never run again on resume; one that was running when the process died is run
  again (at-least-once, as on AWS when a worker dies).
* **One owner at a time.** Opening an execution takes ownership of it (owner =
  host, process id and a random token, plus a lease renewed at every save). A
  second opener is refused with ``ExecutionError`` while the owner is alive: on the
  same host, while its process exists; from another host, until the lease
  (``LEASE_SECONDS``) runs out. ``close()``, the end of the execution and the end
  of the owning process release it; ``take_over=True`` takes it from an owner you
  know is gone. A save by an owner that lost its execution is refused.
* **No "database is locked".** Every connection waits up to ``BUSY_TIMEOUT``
  seconds for another writer, and the store uses SQLite's write-ahead log, so
  readers never block writers.
* **Damage is reported, not raised from deep inside.** A store that is not a
  SQLite file, is truncated or holds an execution that cannot be read gives the
  kit's ``ExecutionError`` saying what to do.

The saved form is JSON: the definition, every frame (cursor, data, variables,
children of running Parallel/Map states), the virtual clock and the random
generator's state in ``executions``; the history, one row per event, in
``events`` (appended, never rewritten, so a save costs the new events only).
Lambda handlers are code, not data: pass them again to ``load_execution``.

``sqlite3`` is imported only when a store is used: the browser build (Pyodide)
has none, and nothing else in the kit needs it.
"""

from __future__ import annotations

import atexit
import json
import os
import socket
import time
import uuid
import weakref
from datetime import datetime
from typing import Any

from ..errors import ExecutionError
from .dataflow import Trace
from .history import History
from .maprun import FINISHED

FORMAT = 2  # 1: the history inside the state JSON (still read); 2: one row per event
LEASE_SECONDS = 60.0
BUSY_TIMEOUT = 30.0
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS executions (
        arn TEXT PRIMARY KEY, name TEXT, machine TEXT, status TEXT, state TEXT, updated REAL,
        owner TEXT, lease_until REAL)""",
    """CREATE TABLE IF NOT EXISTS events (
        arn TEXT NOT NULL, id INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (arn, id))""",
)
_OWNER_COLUMNS = (("owner", "TEXT"), ("lease_until", "REAL"))
_HOST = socket.gethostname()
_open: "weakref.WeakSet" = weakref.WeakSet()  # executions this process owns, released at exit


def _damaged(store: str, exc: BaseException, arn: str | None = None) -> ExecutionError:
    what = f"the saved execution {arn!r} in {store!r}" if arn else f"the store {store!r}"
    return ExecutionError(f"{what} cannot be read: it is damaged or is not a stepfn_lab store "
                          f"({type(exc).__name__}: {exc}). Keep a copy of the file for inspection, then start "
                          "the execution again with a new store (or put back a backup of the file).")


def _connect(store: str):
    import sqlite3  # only here: the browser build has no sqlite3
    try:
        db = sqlite3.connect(store, timeout=BUSY_TIMEOUT, isolation_level=None)
    except sqlite3.Error as exc:
        raise ExecutionError(f"cannot open the store {store!r}: {exc}") from None
    try:
        db.execute("PRAGMA journal_mode=WAL")
        # with the write-ahead log, NORMAL keeps every committed save across a killed process (only a
        # power cut may lose the last ones, never corrupt the store); FULL would sync at every step
        db.execute("PRAGMA synchronous=NORMAL")
        for statement in _SCHEMA:
            db.execute(statement)
        columns = {row[1] for row in db.execute("PRAGMA table_info(executions)")}
        for name, kind in _OWNER_COLUMNS:
            if name not in columns:  # a store written by an earlier version
                try:
                    db.execute(f"ALTER TABLE executions ADD COLUMN {name} {kind}")
                except sqlite3.OperationalError as exc:
                    if "duplicate column" not in str(exc):  # another process added it first: fine
                        raise
    except sqlite3.DatabaseError as exc:
        db.close()
        raise _damaged(store, exc) from None
    return db


def _new_owner() -> str:
    return f"{_HOST}:{os.getpid()}:{uuid.uuid4().hex}"


def _alive(pid: int) -> bool:
    """Is process ``pid`` running (on this host)? Never sends a signal that could stop it."""
    if pid == os.getpid():
        return True
    if os.name == "nt":
        import ctypes
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x100000, False, pid)  # SYNCHRONIZE
        if not handle:
            return False
        try:
            return kernel32.WaitForSingleObject(handle, 0) == 0x102  # WAIT_TIMEOUT: still running
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by another user
    except OSError:
        return False
    return True


def _held_by_other(owner: str | None, lease_until: float | None, me: str | None) -> str | None:
    """Why ``owner`` still holds the execution (for the refusal), or None when it is free to take."""
    if not owner or owner == me:
        return None
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host == _HOST and pid_text.isdigit():
        pid = int(pid_text)
        if not _alive(pid):
            return None  # its process is gone (killed or crashed): the execution is free
        where = "another Execution object in this process" if pid == os.getpid() else f"process {pid}"
        return f"it is open in {where}"
    if lease_until is not None and lease_until > time.time():
        return f"it is open on host {host!r} (lease until {datetime.fromtimestamp(lease_until).isoformat()})"
    return None


def _refusal(arn: str, store: str, why: str) -> ExecutionError:
    return ExecutionError(f"ExecutionAlreadyOpen: {arn!r} in {store!r} has one owner at a time and {why}. "
                          "Use the Execution you have there, or call close() on it (it is also released when "
                          "it ends and when its process exits); if you know its owner is gone, "
                          "load_execution(..., take_over=True).")


def save(execution) -> None:
    """Write the execution's new events and state in one transaction (see the module docstring)."""
    import sqlite3
    store = execution.store
    history = execution.history
    saved = min(getattr(execution, "_saved_events", None) or 0, len(history))
    try:
        state = json.dumps(to_state(execution, with_history=False))
        events = [(execution.arn, e.id, json.dumps(_event(e))) for e in list(history)[saved:]]
    except (TypeError, ValueError, RecursionError) as exc:
        raise ExecutionError(f"the execution cannot be saved to {store!r}: {type(exc).__name__}: {exc}") from None
    first = getattr(execution, "_saved_events", None) is None  # never saved nor loaded
    me = getattr(execution, "_owner", None)
    claim = me is None  # new, or a finished execution coming back (redrive): take ownership now
    if claim:
        me = _new_owner()
    running = execution.status == "RUNNING"
    db = _connect(store)
    try:
        db.execute("BEGIN IMMEDIATE")
        row = db.execute("SELECT owner, lease_until FROM executions WHERE arn = ?", (execution.arn,)).fetchone()
        problem = None
        if first and row is not None:
            problem = ExecutionError(f"ExecutionAlreadyExists: {execution.arn!r} is already saved in {store!r}; "
                                     "bring it back with stepfn_lab.load_execution(arn, store), or start this run "
                                     "with another name= or another store")
        elif not first and row is None:
            problem = ExecutionError(f"ExecutionOwnershipLost: {execution.arn!r} is no longer in {store!r}")
        elif not first and claim:
            why = _held_by_other(row[0], row[1], None)
            problem = _refusal(execution.arn, store, why) if why else None
        elif not first and row[0] != me:
            problem = ExecutionError(f"ExecutionOwnershipLost: {execution.arn!r} in {store!r} was taken over by "
                                     "another owner; this Execution object stops here. Load it again with "
                                     "stepfn_lab.load_execution to go on.")
        if problem is not None:
            db.execute("ROLLBACK")
            raise problem
        db.execute("DELETE FROM events WHERE arn = ? AND id > ?", (execution.arn, len(history)))
        db.executemany("INSERT OR REPLACE INTO events VALUES (?, ?, ?)", events)
        db.execute("INSERT OR REPLACE INTO executions (arn, name, machine, status, state, updated, owner, "
                   "lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (execution.arn, execution.name, execution.machine.name, execution.status, state, time.time(),
                    me if running else None, time.time() + LEASE_SECONDS if running else None))
        db.execute("COMMIT")
    except sqlite3.Error as exc:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise ExecutionError(f"the execution could not be saved to {store!r} ({exc}); nothing of this step was "
                             "written, the store holds the step before it") from None
    finally:
        db.close()
    execution._saved_events = len(history)
    execution._owner = me if running else None
    if running:
        _open.add(execution)
    else:
        execution._owner = None
        _open.discard(execution)


def release(execution) -> None:
    """Give up ownership of a stored execution (``Execution.close()``); it stays in the store."""
    import sqlite3
    me = getattr(execution, "_owner", None)
    _open.discard(execution)
    if me is None or execution.store is None:
        return
    execution._owner = None
    try:
        db = _connect(execution.store)
    except ExecutionError:
        return
    try:
        db.execute("UPDATE executions SET owner = NULL, lease_until = NULL WHERE arn = ? AND owner = ?",
                   (execution.arn, me))
    except sqlite3.Error:
        pass  # a store that cannot be written is reported by the next save or load
    finally:
        db.close()


@atexit.register
def _release_all() -> None:
    for execution in list(_open):
        release(execution)


def list_executions(store: str) -> list[dict]:
    """The executions saved in a store: arn, name, machine and status."""
    import sqlite3
    db = _connect(store)
    try:
        rows = db.execute("SELECT arn, name, machine, status FROM executions ORDER BY updated").fetchall()
    except sqlite3.DatabaseError as exc:
        raise _damaged(store, exc) from None
    finally:
        db.close()
    return [{"arn": a, "name": n, "machine": m, "status": s} for a, n, m, s in rows]


def load_execution(arn: str, store: str, *, machine_type: type, execution_type: type,
                   lambdas: dict | None = None, services: Any = None, tasks: dict | None = None,
                   take_over: bool = False):
    """Bring a saved execution back (in this or another process) and become its owner.

    ``machine_type`` and ``execution_type`` are the engine's ``StateMachine`` and ``Execution``: the engine
    sits above this module (it saves through ``save``), so it hands its classes down instead of being imported.

    Raises ExecutionError when it does not exist, when another live owner has it open (see the
    module docstring; ``take_over=True`` overrides) or when the store is damaged.
    """
    import sqlite3
    if not isinstance(arn, str) or not isinstance(store, (str, os.PathLike)):
        raise ExecutionError("load_execution(arn, store): the execution ARN and the store path are text")
    store = os.fspath(store)
    if not os.path.exists(store):
        raise ExecutionError(f"ExecutionDoesNotExist: there is no store {store!r} (start an execution with "
                             "machine.start(..., store=path) first)")
    owner = _new_owner()
    db = _connect(store)
    try:
        db.execute("BEGIN IMMEDIATE")
        row = db.execute("SELECT state, status, owner, lease_until FROM executions WHERE arn = ?",
                         (arn,)).fetchone()
        if row is None:
            db.execute("ROLLBACK")
            known = [r[0] for r in db.execute("SELECT arn FROM executions ORDER BY updated").fetchall()]
            raise ExecutionError(f"ExecutionDoesNotExist: no execution {arn!r} in {store!r} "
                                 f"(saved: {', '.join(known[-3:]) or 'none'})")
        text, status, held, lease_until = row
        why = None if take_over else _held_by_other(held, lease_until, None)
        if why:
            db.execute("ROLLBACK")
            raise _refusal(arn, store, why)
        running = status == "RUNNING"
        db.execute("UPDATE executions SET owner = ?, lease_until = ? WHERE arn = ?",
                   (owner if running else None, time.time() + LEASE_SECONDS if running else None, arn))
        events = [r[0] for r in db.execute("SELECT event FROM events WHERE arn = ? ORDER BY id", (arn,))]
        db.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise _damaged(store, exc, arn) from None
    finally:
        db.close()
    try:
        state = json.loads(text)
        if state.get("format") == FORMAT:
            state["history"] = [json.loads(e) for e in events]
        execution = from_state(state, machine_type=machine_type, execution_type=execution_type,
                               lambdas=lambdas, services=services)
    except ExecutionError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever is wrong in the stored JSON, say so plainly
        raise _damaged(store, exc, arn) from None
    execution.store = store
    from .local_tasks import normalize
    execution.tasks = normalize(tasks)  # functions are given again, as at start
    execution._saved_events = len(execution.history)
    if running:
        execution._owner = owner
        _open.add(execution)
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


def _event(e) -> list:
    return [e.id, e.previous_event_id, e.type, e.at, e.details, e.frame]


def _events(history: History) -> list:
    return [_event(e) for e in history]


def _history(start: datetime, events: list) -> History:
    history = History(start)
    for id_, previous, type_, at, details, frame in events:
        history.add(previous, type_, at, details, frame)
    return history


def to_state(execution, with_history: bool = True) -> dict:
    machine = execution.machine
    state = {
        "format": FORMAT,
        "machine": {"name": machine.name, "workflow_type": machine.workflow_type, "region": machine.region,
                    "account": machine.account, "definition": machine.raw},
        "execution": {k: getattr(execution, k) for k in _EXECUTION_FIELDS},
        "fanned": execution.fanned,  # Map items and child executions done/to run (progress bars)
        "context": execution._exec_context,
        "clock": {"start": execution.clock.start.isoformat(), "now": execution.clock.now},
        "rng": _rng_state(execution.rng.getstate()),
        "ids": execution.ids.counts,
        "history": _events(execution.history) if with_history else None,
        "root": _frame(execution, execution.root),
    }
    if not with_history:
        del state["history"]
    return state


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
    if state.get("format") not in (1, FORMAT):
        raise ExecutionError(f"this store was written by another version of stepfn_lab (format {state.get('format')}); "
                             "open it with that version")
    m = state["machine"]
    # the definition was accepted when the execution started: it is compiled, not validated again
    machine = machine_type.from_json(m["definition"], name=m["name"], workflow_type=m["workflow_type"],
                                     region=m["region"], account=m["account"], validate=False)
    e = state["execution"]
    start = datetime.fromisoformat(state["clock"]["start"])
    execution = execution_type.__new__(execution_type)
    execution.__dict__.update(_blank_execution(machine, lambdas, services))
    for key in _EXECUTION_FIELDS:
        setattr(execution, key, e[key])
    execution._exec_context = state["context"]
    if "fanned" in state:  # saves written before the progress counters have none
        execution.fanned = state["fanned"]
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
            "map_runs": [], "child_histories": None, "child_transitions": 0,
            "fanned": {"items": [0, 0], "child executions": [0, 0]}}


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
    if parent is None:  # the machine's step records go to the execution's; its branches and iterations inherit them
        frame.steps = execution.steps
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
