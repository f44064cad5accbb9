"""The interpreter: ``StateMachine`` and ``Execution``, as explicit, resumable state.

Spec: Amazon States Language (all state types, "Errors", "Parallel", "Map") and
AWS's execution semantics as recorded in the conformance corpus.
Taught in: every notebook from 01 on.

An execution is data, never a Python call stack: a tree of ``Frame`` objects
(the top-level machine, each Parallel branch and each Map iteration), each one
a cursor on a state and a *phase* within it (``enter``, ``schedule``, ``start``,
``invoke``, ``invoke_wait``, ``timed_out``, ``fanout``, ``children``, ``exit``). ``advance()`` performs
exactly one action of one frame and writes at most a few history events, so an
execution can stop between any two events and go on later (step, back,
breakpoints, callbacks, a kernel restart).

Concurrency is simulated deterministically: Parallel branches that are ready at
the same virtual time take turns one action at a time (round robin), which
reproduces the interleaving AWS records for them; Map iterations take turns one
state at a time (see ``_pick`` in ``parallel.py``); a frame that waits (Wait, retry back-off) is
skipped until the virtual clock reaches its time.

``step()`` runs until one state of one frame has finished, or one attempt of a
retried state has failed: that is the Stepper's Step, in history order.

This module is the core: ``StateMachine.start``, the run loop (``run``, ``step``,
``advance``), one action of a frame (``_act``, the ``_PHASES`` table, ``emit``), the
``enter`` and ``exit`` phases every state goes through, and ``snapshot``/``restore``.
``Execution`` inherits the rest from the modules beside the state types they serve:
``dataflow`` (context object, variables, the way from a result to the output),
``invoke`` (the Task phases and callbacks), ``parallel`` (Parallel and Map child frames:
turns, fan-out, fan-in, ends, aborts), ``retry`` (Retry, Catch, failed frames and
executions) and ``describe`` (DescribeExecution, history, logs, cost); ``machine``
compiles definitions and checks names.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Callable

from ..asl.model import Definition, State
from ..errors import RUNTIME, ExecutionError, StatesError
from .clock import IdFactory, Rng, VirtualClock
from .collector import fewer_collections
from .dataflow import DataFlow, SizeMeter, Trace
from .describe import Describe
from .frames import (ABORTED, CAUGHT_ERROR, FAILED, RUNNING, SUCCEEDED, TIMED_OUT, Frame, Scope, Step)
from .history import NAME_INPUT, NAME_OUTPUT, History
from .invoke import TaskPhases
from .machine import EXPRESS, STANDARD, CompiledMachine, _check_json, _log_level, invalid_name
from .maprun import DISCARD
from .parallel import ChildFrames
from .retry import RetryCatch
from .states import ENTER

# Names that lived here before the engine was split, still importable from here.
from .dataflow import EXECUTION_VARIABLES_LIMIT, VARIABLE_LIMIT  # noqa: E402,F401
from .machine import _NAME_FORBIDDEN  # noqa: E402,F401
from .retry import _matches  # noqa: E402,F401

MAX_HISTORY_EVENTS = 25_000
STANDARD_MAX_SECONDS = 365 * 24 * 3600
EXPRESS_MAX_SECONDS = 300
# Design note: virtual time an Express state takes. AWS ends an Express execution TIMED_OUT after
# 5 minutes of execution time, however many states it runs ("Standard vs Express": maximum duration
# 5 minutes), so an endless Express loop must use up time: each state entered in an Express
# execution costs 10 ms of virtual time. AWS publishes no per-state latency; 10 ms is of the order
# of an Express state's latency and lets an endless loop reach the 5-minute timeout after 30,000
# states (about a second locally, bounded memory). Express bills duration in 100 ms steps, so a
# short run still bills the 100 ms minimum. Standard states cost no virtual time: a Standard run
# may last a year, its endless loops end at the 25,000-event history limit as on AWS, and the
# course's Standard histories show only the time Waits, retries and timeouts take.
EXPRESS_STATE_SECONDS = 0.010
INLINE_MAP_CONCURRENCY = 40  # AWS runs at most 40 inline Map iterations at once
NEVER = math.inf


# --- the machine --------------------------------------------------------------------------

class StateMachine(CompiledMachine):
    """A compiled, validated definition that can run executions.

    >>> machine = StateMachine.from_json({"StartAt": "Hi", "States": {"Hi": {"Type": "Pass", "End": True}}})
    >>> machine.run({"name": "Ana"}).output
    {'name': 'Ana'}
    """

    def start(self, input: Any = None, *, name: str | None = None, lambdas: dict | None = None,
              seed: int | None = 0, start_time: datetime | None = None, s3_root: str | None = None,
              **options: Any) -> Execution:
        """Start an execution and stop before its first state; ``step()`` or ``run()`` it."""
        if name is None:
            name = self._ids.uuid(self.arn)
        elif invalid_name(name, "execution"):
            raise ExecutionError(invalid_name(name, "execution"))
        elif self.workflow_type == STANDARD and name in self._names:
            raise ExecutionError(f"ExecutionAlreadyExists: an execution named {name!r} already ran on "
                                 f"{self.name!r}; Standard execution names are unique per state machine")
        self._names.add(name)
        return Execution(self, {} if input is None else input, name=name, lambdas=lambdas or {}, seed=seed,
                         start_time=start_time, s3_root=s3_root, **options)

    def run(self, input: Any = None, **kwargs: Any) -> Execution:
        """Start an execution and run it to its end (or until it must wait for a callback).

        ``sync=True`` runs an Express machine as StartSyncExecution does (at-most-once).
        """
        return self.start(input, **kwargs).run()

    def start_sync_execution(self, input: Any = None, **kwargs: Any) -> Execution:
        """StartSyncExecution: Express only; runs to the end and returns the finished execution."""
        if self.workflow_type != EXPRESS:
            raise ExecutionError("StartSyncExecution is only supported for EXPRESS state machines; "
                                 "use run() (StartExecution) for STANDARD")
        return self.start(input, sync=True, **kwargs).run()

# --- the execution --------------------------------------------------------------------------

class Execution(DataFlow, TaskPhases, ChildFrames, RetryCatch, Describe):
    """One run of a state machine: status, output, history, and the cursor to go on."""

    def __init__(self, machine: StateMachine, input: Any, *, name: str, lambdas: dict, seed: int | None,
                 start_time: datetime | None, s3_root: str | None, trace: bool = True,
                 max_transitions: int = 1_000_000, services: Any = None, mock_config: Any = None,
                 test_case: str | None = None, sync: bool = False, redelivery_rate: float = 0.0,
                 activity_workers: dict | None = None, store: str | None = None, tasks: dict | None = None,
                 child_histories: bool | None = None, log_level: str | None = None):
        _check_json(input, "InvalidExecutionInput", "the execution input")
        self.machine = machine
        self.name = name
        self.input = input
        self.lambdas = lambdas
        from .local_tasks import normalize
        self.tasks = normalize(tasks)  # resource key -> local function (machine.run(..., tasks={...}))
        self.s3_root = s3_root
        self.trace_enabled = trace
        self.max_transitions = max_transitions
        self.services = services
        self.mock = None
        if mock_config is not None:
            from .registry import service
            self.mock = service("mocks").MockRun(mock_config, machine.name, test_case)
        self.workflow_type = machine.workflow_type
        self.sync = sync
        if redelivery_rate and (self.workflow_type != EXPRESS or sync):
            raise ExecutionError("redelivery_rate simulates the at-least-once delivery of asynchronous Express "
                                 "executions; Standard runs tasks exactly once and synchronous Express at most once")
        self.redelivery_rate = redelivery_rate
        self.deliveries: dict[str, int] = {}  # task state -> how many times its work ran
        self.activity_workers = activity_workers or {}
        self.retries = 0
        self.store = None if store is None else str(store)
        kind = "express" if self.workflow_type == EXPRESS else "execution"
        self.arn = f"arn:aws:states:{machine.region}:{machine.account}:{kind}:{machine.name}:{name}"
        if self.workflow_type == EXPRESS:  # Express ARNs carry a run id after the name
            self.arn += ":" + machine._ids.uuid("express-run:" + machine.arn)
        self.clock = VirtualClock(start_time)
        self.rng = Rng(seed)
        self.ids = IdFactory()
        self.meter = SizeMeter()
        self.history = History(self.clock.start)
        self.log_level = _log_level(log_level) or machine.log_level
        if self.workflow_type == EXPRESS and self.log_level not in (None, "ALL"):
            # Design note: AWS keeps no history for Express executions, only the CloudWatch Logs records
            # of the state machine's log level (AWS docs, "Logging in CloudWatch Logs"). With a level
            # below ALL a run keeps those events only, and no step records or data-flow traces (nothing
            # could show them); ids still count every event. A Stepper or a diagram asks for ALL.
            from .logs import keeps
            self.history.keep = keeps(self.log_level)
            self.trace_enabled = False
        self.status = RUNNING
        self.output: Any = None
        self.error: str | None = None
        self.cause: str | None = None
        self.steps: list[Step] = []
        self.transitions = 0
        self.child_transitions = 0  # those of Distributed Map child executions (counted in transitions)
        # Distributed Map children keep their own history: None = as AWS (Standard children do,
        # Express ones do not), True = all (for a Stepper or a diagram of a child), False = none
        self.child_histories = child_histories
        self.map_runs: list = []  # one MapRun per Distributed Map run (runtime/maprun.py)
        self.tokens: dict[str, Frame] = {}
        self.redrive_count = 0
        self.internal_error: str | None = None
        # Map iterations finished and started, for progress bars: inline items, Distributed Map child executions
        self.fanned: dict[str, list[int]] = {"items": [0, 0], "child executions": [0, 0]}
        self._exec_context = {
            "Id": self.arn, "Input": input, "StartTime": self.clock.iso(), "Name": name,
            "RoleArn": machine.role_arn,
        }
        if self.workflow_type == STANDARD:  # Express executions cannot be redriven: no RedriveCount
            self._exec_context["RedriveCount"] = 0
        self._machine_context = {"Id": machine.arn, "Name": machine.name}
        limit = EXPRESS_MAX_SECONDS if self.workflow_type == EXPRESS else STANDARD_MAX_SECONDS
        top = machine.definition.timeout_seconds
        if isinstance(top, (int, float)) and not isinstance(top, bool) and top > 0:
            limit = min(limit, top)
        self.deadline = float(limit)
        ev = self.history.add(0, "ExecutionStarted", 0.0, {"input": input, "roleArn": machine.role_arn})
        self.root = Frame(machine.definition, input, parent=None, kind="root", index=0, scope=Scope(),
                          history=self.history, last_id=ev.id, path="")
        self.root.steps = self.steps if self.history.keep is None else DISCARD
        self._check_input_size(input)
        self._persist()  # a stored execution exists from its start, before its first state

    # -- public control -------------------------------------------------------------------

    @property
    def done(self) -> bool:
        return self.status != RUNNING

    @property
    def waiting(self) -> bool:
        """True when the execution is paused until a callback arrives (send_task_success ...)."""
        return self.status == RUNNING and self._pick(self.root, commit=False) is None and self._next_wake() == NEVER

    def run(self, max_events: int | None = None, until: float | None = None) -> Execution:
        """Run until the end, or until it must wait for a callback (status stays RUNNING).

        ``max_events`` stops after that many more history events; ``until`` stops before
        the virtual clock passes that many seconds since the start (e.g. inside a long Wait).
        """
        limit = None if max_events is None else len(self.history) + max_events
        advance = self.advance
        durable = self.store is not None and self.workflow_type == STANDARD
        with fewer_collections():  # linear cost at any size; the collector's settings come back after
            while advance(until):
                if durable:
                    self._persist()  # every action is saved before the next one starts
                if limit is not None and len(self.history) >= limit:
                    break
            else:
                if until is not None:
                    self._let_time_pass(until)
        self._persist()
        return self

    def _let_time_pass(self, until: float) -> None:
        """``run(until=T)`` with nothing due before T: the virtual clock moves on to T, so that a
        heartbeat or a callback sent next happens at T (the execution's own timeout may come first)."""
        if self.status != RUNNING or self._pick(self.root, commit=False) is not None or until <= self.clock.now:
            return
        if self.deadline <= until:
            self.clock.advance_to(self.deadline)
            self._timed_out()
        else:
            self.clock.advance_to(until)

    def step(self, before: Callable[[Frame], bool] | None = None) -> Step | None:
        """Run until one state of one frame finishes (or one attempt of a retried state fails);
        return its record, None when nothing is left to do.

        ``before(frame)`` is asked before every action but the first: when it says True the
        step stops there, before that frame acts (breakpoints "stop before"), and returns None.
        """
        count = len(self.steps)
        first = True
        durable = self.store is not None and self.workflow_type == STANDARD
        while len(self.steps) == count:
            if before is not None and not first and self.status == RUNNING:
                upcoming = self.next_frame()
                if upcoming is not None and before(upcoming):
                    break
            first = False
            if not self.advance():
                break
            if durable:
                self._persist()  # every action is saved before the next one starts
        self._persist()
        return self.steps[count] if len(self.steps) > count else None

    def next_frame(self) -> Frame | None:
        """The frame that acts next (None when every frame waits for time or a callback); changes nothing."""
        return self._pick(self.root, commit=False) if self.status == RUNNING else None

    def _persist(self) -> None:
        if self.store is not None and self.workflow_type == STANDARD:
            if len(self.history) == getattr(self, "_saved_events", None) and self.status != RUNNING \
                    and getattr(self, "_owner", None) is None:
                return  # a finished execution already saved as it is
            from .durable import save
            save(self)

    def close(self) -> None:
        """Give up ownership of a stored execution so that another process can load it (it stays
        in the store; ``load_execution`` brings it back). Executions without a store: nothing to do."""
        if self.store is not None:
            from .durable import release
            release(self)

    def advance(self, until: float | None = None) -> bool:
        """Perform one action (a few history events at most). False when nothing can happen now."""
        if self.status != RUNNING:
            return False
        root = self.root
        wake = None
        if root.phase == "children" or root.blocked:
            frame = self._pick(root)
        elif root.ready_at > self.clock.now:  # a machine without branches or iterations, waiting for its time:
            frame, wake = None, root.ready_at  # what _pick and _wake would say, without their calls
        else:
            frame = root
        if frame is None:
            # Design note: a task waiting for a callback does not let virtual time run on its own
            # (the learner is the one who answers); its TimeoutSeconds/HeartbeatSeconds fire when
            # time passes for another reason, or when run(until=...) lets it pass.
            if wake is None or root.status != RUNNING:
                wake = self._wake(root, timers=until is not None)
            if wake == NEVER or (until is not None and wake > until):
                return False  # waiting for a callback, or for a time past `until`
            if wake > self.deadline:
                self.clock.advance_to(self.deadline)
                self._timed_out()
                return True
            self.clock.advance_to(wake)
            if self.tokens:  # only a task waiting for a callback has a heartbeat or a timeout to check
                self._check_heartbeats()
            if self.tokens or self.status != RUNNING:
                return True
            # the time came for a frame (an Express state's 10 ms, a Wait, a back-off): it acts now,
            # in the same call, instead of costing an extra round of scheduling
            if root.phase == "children" or root.blocked or root.ready_at > self.clock.now:
                frame = self._pick(root)
                if frame is None:
                    return True
            else:
                frame = root
        if self.tokens and min((f.heartbeat_deadline for f in self.tokens.values()), default=NEVER) <= self.clock.now:
            self._check_heartbeats()
        if self.workflow_type == STANDARD and self.history.count >= MAX_HISTORY_EVENTS:
            self._fail_execution(RUNTIME, f"The execution reached the maximum number of history events "
                                          f"({MAX_HISTORY_EVENTS}).")
            return True
        self._act(frame)
        return True

    @property
    def current(self) -> list[tuple[str, str, str]]:
        """Where the execution is: (frame path, state name, phase) for every running frame."""
        out: list[tuple[str, str, str]] = []
        self._collect_current(self.root, out)
        return out

    def _collect_current(self, frame: Frame, out: list) -> None:
        if frame.status != RUNNING:
            return
        out.append((frame.path, frame.state, frame.phase))
        if frame.fan:
            for child in frame.fan.active:
                self._collect_current(child, out)

    # -- one action ---------------------------------------------------------------------------

    def _act(self, frame: Frame) -> None:
        state = frame.definition.states.get(frame.state)
        if state is None:  # only a store edited by hand can get here: definitions are checked first
            self.frame_failed(frame, RUNTIME, f"There is no state named {frame.state!r} in this machine.")
            return
        try:  # guarded(), without a call more for every action
            _PHASES[frame.phase](self, frame, state)
        except Exception as exc:
            self._failed_action(frame, state, exc)

    def guarded(self, frame: Frame, state: State, action: Callable, *args: Any) -> None:
        """Run one action of a state; whatever goes wrong fails the state (Retry and Catch apply)
        instead of escaping to the caller: the run and its history are never lost."""
        try:
            action(*args)
        except Exception as exc:
            self._failed_action(frame, state, exc)

    def _failed_action(self, frame: Frame, state: State, exc: Exception) -> None:
        """An action of a state raised ``exc`` (called while it is being handled)."""
        if isinstance(exc, StatesError):
            self.state_failed(frame, state, exc)
        elif isinstance(exc, RecursionError):
            from ..asl.source import DEPTH_LIMIT
            self.state_failed(frame, state, StatesError(RUNTIME, f"The data is nested too deeply to process "
                                                                 f"(stepfn_lab's limit is {DEPTH_LIMIT} levels)."))
        else:  # a defect must not lose the run: fail it and keep the history
            import traceback
            self.internal_error = traceback.format_exc()
            self.state_failed(frame, state, StatesError(RUNTIME, f"Internal error in stepfn_lab while running "
                                                                  f"this state: {type(exc).__name__}: {exc}"))

    def emit(self, frame: Frame, type: str, details: dict | tuple | None = None) -> int:
        ev = frame.history.add(frame.last_id, type, self.clock.now, details, frame.path)
        frame.last_id = ev.id
        return ev.id

    # -- phases ---------------------------------------------------------------------------

    def _phase_enter(self, frame: Frame, state: State) -> None:
        frame.entered_at = self.clock.now
        frame.assigned = None
        frame.vars_before = None
        frame.caught = False
        frame.retry_counts = None
        frame.retry_total = 0
        frame.token = None
        frame.error = frame.cause = None  # an earlier state's caught error is not this state's
        frame.choice = None
        self.transitions += 1
        if frame.history is not self.history:  # a Distributed Map's child execution: its own count
            self.child_transitions += 1
        elif self.transitions - self.child_transitions > self.max_transitions:
            raise StatesError(RUNTIME, f"The execution made more than {self.max_transitions} state transitions; "
                                       "is there an endless loop? (raise max_transitions= to allow more)")
        # emit(), inlined (twice per state)
        frame.last_id = frame.entered_id = frame.attempt_id = frame.history.add(
            frame.last_id, _ENTERED[state.type], self.clock.now, (NAME_INPUT, state.name, frame.raw_input), frame.path).id
        if self.trace_enabled and frame.steps is not DISCARD:  # a child execution that keeps nothing
            frame.trace = trace = Trace()
            trace["input"] = frame.raw_input
        ENTER[state.type](self, frame, state)
        if self.workflow_type == EXPRESS:
            ready = self.clock.now + EXPRESS_STATE_SECONDS
            if ready > frame.ready_at:
                frame.ready_at = ready

    def _phase_exit(self, frame: Frame, state: State) -> None:
        if frame.output is not frame.raw_input:  # an unchanged input was measured when it arrived
            self.meter.check(frame.output, state.name)
        self._commit_assign(frame)
        if frame.assigned is None:  # the compact form of the details (history.py)
            details: Any = (NAME_OUTPUT, state.name, frame.output)
        else:
            details = {"name": state.name, "output": frame.output, "assignedVariables": frame.assigned}
        first = frame.attempt_id or frame.entered_id  # after retries: the events of the last attempt
        frame.last_id = frame.history.add(frame.last_id, _EXITED[state.type], self.clock.now, details, frame.path).id
        if frame.trace is not None:
            frame.trace["output"] = frame.output
        if frame.steps is not DISCARD:
            frame.steps.append(Step(frame, state, CAUGHT_ERROR if frame.caught else SUCCEEDED, first, frame.last_id))
        if frame.next is None:
            self._frame_succeeded(frame, frame.output)
        else:
            frame.state = frame.next
            frame.raw_input = frame.output
            frame.phase = "enter"

    def redrive(self) -> Execution:
        """RedriveExecution: restart a failed, aborted or timed-out Standard execution from where it
        stopped, keeping its successful steps (only failed Map iterations and Parallel branches run
        again). Call ``run()`` or ``step()`` afterwards."""
        from .redrive import redrive
        redrive(self)
        self._persist()
        return self

    def stop(self, error: str | None = None, cause: str | None = None) -> Execution:
        """Abort a running execution (StopExecution)."""
        if self.status == RUNNING:
            frame = self.root
            frame.last_id = len(self.history)
            details = {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}
            self.emit(frame, "ExecutionAborted", details)
            self.status = ABORTED
            self.error, self.cause = error, cause
            self._persist()
        return self

    # -- views ------------------------------------------------------------------------------

    @property
    def duration(self) -> float:
        """Virtual seconds from start to the last event."""
        return self.history.last_at

    # render(), animate() and _repr_mimebundle_ come from stepfn_lab.views.display (the views layer)

    def _current_state(self) -> str | None:
        cur = self.current
        return cur[-1][1] if cur and self.status == RUNNING else None

    def __repr__(self) -> str:
        text = f"Execution(name={self.name!r}, status={self.status}, events={len(self.history)}"
        if self.status == FAILED:
            text += f", error={self.error!r}"
        return text + ")"


_ENTERED = {t: f"{t}StateEntered" for t in ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")}
_EXITED = {t: f"{t}StateExited" for t in ("Pass", "Task", "Choice", "Wait", "Succeed", "Parallel", "Map")}


def _invoke_timed_out(execution: Execution, frame: Frame, state: State) -> None:
    from .invoke import timed_out
    timed_out(execution, frame, state)


# One handler per phase of a frame.
_PHASES: dict[str, Callable[[Execution, Frame, State], None]] = {
    "enter": Execution._phase_enter,
    "prepare": lambda execution, frame, state: ENTER[state.type](execution, frame, state),  # retried input
    "schedule": Execution._phase_schedule,
    "start": Execution._phase_start,
    "invoke": Execution._phase_invoke,
    "invoke_wait": lambda execution, frame, state: None,  # blocked until a callback arrives
    "timed_out": lambda execution, frame, state: _invoke_timed_out(execution, frame, state),
    "fanout": Execution._phase_fanout,
    "children": Execution._phase_children,
    "exit": Execution._phase_exit,
}

__all__ = ["StateMachine", "Execution", "Step", "Frame", "Scope", "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT",
           "ABORTED", "STANDARD", "EXPRESS"]


def _definitions(definition: Definition, out: dict) -> dict:
    """Every Definition (machine, branches, item processors) by id, to share in snapshots."""
    out[id(definition)] = definition
    for state in definition.states.values():
        for branch in state.branches:
            _definitions(branch, out)
        if state.processor is not None:
            _definitions(state.processor, out)
    return out


def _snapshot(self: Execution) -> dict:
    """A copy of everything that changes while the execution runs (for Back and Reset)."""
    import copy
    memo = _definitions(self.machine.definition, {})
    for shared in (self.machine, self.lambdas, self.tasks, self.services, self.mock):
        if shared is not None:
            memo[id(shared)] = shared
    snapshot = copy.deepcopy({k: v for k, v in self.__dict__.items()
                              if k not in ("machine", "lambdas", "tasks", "services", "mock")}, memo)
    if self.mock is not None:  # the mocks' invocation counters rewind with the execution
        snapshot["_mock_counts"] = self.mock.snapshot()
    return snapshot


def _restore(self: Execution, snapshot: dict) -> None:
    """Go back to a snapshot taken with ``snapshot()`` (the snapshot stays usable)."""
    import copy
    memo = _definitions(self.machine.definition, {})
    state = copy.deepcopy(snapshot, memo)
    counts = state.pop("_mock_counts", None)
    self.__dict__.update(state)
    if counts is not None and self.mock is not None:
        self.mock.restore(counts)


Execution.snapshot = _snapshot  # type: ignore[attr-defined]
Execution.restore = _restore  # type: ignore[attr-defined]
