"""The interpreter: ``StateMachine`` and ``Execution``, as explicit, resumable state.

Spec: Amazon States Language (all state types, "Errors", "Parallel", "Map") and
AWS's execution semantics as recorded in the conformance corpus.
Taught in: every notebook from 01 on.

An execution is data, never a Python call stack: a tree of ``Frame`` objects
(the top-level machine, each Parallel branch and each Map iteration), each one
a cursor on a state and a *phase* within it (``enter``, ``schedule``, ``start``,
``invoke``, ``fanout``, ``children``, ``fanin``, ``exit``). ``advance()`` performs
exactly one action of one frame and writes at most a few history events, so an
execution can stop between any two events and go on later (step, back,
breakpoints, callbacks, a kernel restart).

Concurrency is simulated deterministically: Parallel branches that are ready at
the same virtual time take turns one action at a time (round robin), which
reproduces the interleaving AWS records for them; Map iterations take turns one
state at a time (see ``_pick``); a frame that waits (Wait, retry back-off) is
skipped until the virtual clock reaches its time.

``step()`` runs until one state of one frame has finished, or one attempt of a
retried state has failed: that is the Stepper's Step, in history order.
"""

from __future__ import annotations

import json
import math
import re
from collections import deque
from datetime import datetime
from typing import Any, Callable

from ..asl.model import Definition, State
from ..errors import (ALL, DATA_LIMIT_EXCEEDED, HEARTBEAT_TIMEOUT, TASK_FAILED, EXCEED_TOLERATED_FAILURE_THRESHOLD,
                      INTRINSIC_FAILURE, QUERY_EVALUATION_ERROR, RUNTIME, TIMEOUT,
                      DefinitionError, ExecutionError, StatesError)
from . import tasks as _tasks
from .clock import IdFactory, Rng, VirtualClock
from .collector import fewer_collections
from .dataflow import SizeMeter, Trace, check_size, place_result, select_input, select_output
from .frames import (ABORTED, CAUGHT_ERROR, FAILED, RETRYING, RUNNING, SUCCEEDED, TIMED_OUT, Fan, Frame, Scope,
                     Step)
from .history import NAME_INDEX, NAME_INPUT, NAME_OUTPUT, History, text
from .maprun import DISCARD, FINISHED, child_ended
from .states import ENTER

STANDARD, EXPRESS = "STANDARD", "EXPRESS"

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
VARIABLE_LIMIT = 262_144  # bytes per variable and per Assign
EXECUTION_VARIABLES_LIMIT = 10 * 1024 * 1024

# Execution and state machine names (StartExecution / CreateStateMachine "name"): 1-80 characters, none of
# whitespace, < > { } [ ], ? *, " # % \\ ^ | ~ ` $ & , ; : /, control characters (U+0000-001F,
# U+007F-009F), U+FFFE-FFFF or surrogates; AWS answers InvalidName otherwise (Step Functions API reference).
_NAME_FORBIDDEN = re.compile("[\\s<>{}\\[\\]?*\"#%\\\\^|~`$&,;:/\x00-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def invalid_name(name: Any, what: str) -> str | None:
    """AWS's InvalidName answer for a bad execution or state machine name, else None."""
    if isinstance(name, str) and 1 <= len(name) <= 80 and not _NAME_FORBIDDEN.search(name):
        return None
    shown = name if isinstance(name, str) else repr(name)
    bad = _NAME_FORBIDDEN.search(name) if isinstance(name, str) else None
    why = (f"it contains {bad.group(0)!r}" if bad else
           "it must be 1 to 80 characters" if isinstance(name, str) else "it must be a string")
    return (f"InvalidName: Invalid Name: '{shown}' ({what} names are 1-80 characters without whitespace, "
            f"brackets, wildcards or \" # % \\ ^ | ~ ` $ & , ; : /; {why})")


# Errors whose cause AWS prefixes with "An error occurred while executing the state ...".
_PREFIXED = (RUNTIME, QUERY_EVALUATION_ERROR, INTRINSIC_FAILURE)


# --- the machine --------------------------------------------------------------------------

class StateMachine:
    """A compiled, validated definition that can run executions.

    >>> machine = StateMachine.from_json({"StartAt": "Hi", "States": {"Hi": {"Type": "Pass", "End": True}}})
    >>> machine.run({"name": "Ana"}).output
    {'name': 'Ana'}
    """

    def __init__(self, definition: Definition, raw: dict, *, name: str = "StateMachine",
                 workflow_type: str = STANDARD, region: str = "us-east-1", account: str = "123456789012",
                 source: str | None = None, problems: list | None = None, log_level: str | None = None):
        problem = invalid_name(name, "state machine")
        if problem:
            raise DefinitionError(problem)
        self.definition = definition
        # Express: the CloudWatch Logs level (ALL, ERROR, FATAL, OFF). A run keeps the events this level
        # logs; None keeps every event (the lab's default, so runs can be drawn and stepped through).
        self.log_level = _log_level(log_level)
        self.raw = raw
        self.name = name
        self.workflow_type = workflow_type
        self.region = region
        self.account = account
        self.source = source
        self.problems = problems or []
        self.arn = f"arn:aws:states:{region}:{account}:stateMachine:{name}"
        self.role_arn = f"arn:aws:iam::{account}:role/StepFunctions-{name}-role"
        self._ids = IdFactory()
        self._names: set[str] = set()

    @classmethod
    def from_json(cls, definition: Any, name: str = "StateMachine", workflow_type: str = STANDARD, *,
                  validate: bool = True, region: str = "us-east-1", account: str = "123456789012",
                  log_level: str | None = None) -> StateMachine:
        """Parse, validate and compile a definition (a dict, JSON text or a file path).

        Raises DefinitionError listing every problem found.
        """
        from ..asl.parse import compile_definition, load_definition, structure_problems
        from ..errors import DefinitionError, Problem
        raw, source = load_definition(definition)
        workflow_type = (workflow_type or STANDARD).upper() if isinstance(workflow_type, str) else STANDARD
        problems: list = []
        if validate:
            problems = _validate(raw if source is None else source, workflow_type)
        else:  # what the engine cannot run at all is still refused, with the fix
            found = structure_problems(raw)
            if found:
                raise DefinitionError(found)
        try:
            compiled = compile_definition(raw)
        except DefinitionError:
            raise
        except Exception as exc:  # only reachable with validate=False: validation reports these first
            raise DefinitionError([Problem("", f"the definition cannot be compiled ({type(exc).__name__}: {exc})",
                                           hint="run stepfn_lab.validate(definition) to see every problem")]) \
                from None
        return cls(compiled, raw, name=name, workflow_type=workflow_type, region=region,
                   account=account, source=source, problems=problems, log_level=log_level)

    from_file = from_json

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

    # render(), _repr_mimebundle_ and __format__ come from stepfn_lab.views.display (the views layer)

    def __repr__(self) -> str:
        return (f"StateMachine(name={self.name!r}, type={self.workflow_type}, start_at={self.definition.start_at!r}, "
                f"states={len(self.definition.states)})")


def _check_json(value: Any, error: str, what: str) -> None:
    """AWS's APIs take JSON text: refuse what is not JSON (NaN, Infinity, other types) or is
    deeper than stepfn_lab handles, naming where it is."""
    from ..asl.source import json_problem, pointer
    found = json_problem(value)
    if found is not None:
        where, why = found
        raise ExecutionError(f"{error}: {what} is not JSON stepfn_lab can take: at {pointer(where)}, {why}")


def _validate(definition: Any, workflow_type: str) -> list:
    from ..errors import DefinitionError
    try:
        from ..asl.validate import validate
    except ImportError:
        return []
    from .tasks import served_locally
    problems = validate(definition, workflow_type=workflow_type, served=served_locally)
    if any(p.severity == "ERROR" for p in problems):
        raise DefinitionError(problems)
    return problems


# --- the execution --------------------------------------------------------------------------

class Execution:
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
        frame = self._pick(self.root)
        if frame is None:
            # Design note: a task waiting for a callback does not let virtual time run on its own
            # (the learner is the one who answers); its TimeoutSeconds/HeartbeatSeconds fire when
            # time passes for another reason, or when run(until=...) lets it pass.
            wake = self._wake(self.root, timers=until is not None)
            if wake == NEVER or (until is not None and wake > until):
                return False  # waiting for a callback, or for a time past `until`
            if wake > self.deadline:
                self.clock.advance_to(self.deadline)
                self._timed_out()
                return True
            self.clock.advance_to(wake)
            self._check_heartbeats()
            if self.tokens or self.status != RUNNING:
                return True
            # the time came for a frame (an Express state's 10 ms, a Wait, a back-off): it acts now,
            # in the same call, instead of costing an extra round of scheduling
            frame = self._pick(self.root)
            if frame is None:
                return True
        if self.tokens and min((f.heartbeat_deadline for f in self.tokens.values()), default=NEVER) <= self.clock.now:
            self._check_heartbeats()
        if len(self.history) >= MAX_HISTORY_EVENTS and self.workflow_type == STANDARD:
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

    # -- scheduling -----------------------------------------------------------------------

    def _pick(self, frame: Frame, commit: bool = True) -> Frame | None:
        """The frame that acts next, or None when all are waiting (``commit=False``: only look).

        Design note: AWS runs the branches and iterations of a state at the same time, so
        their events interleave. For Parallel branches the recorded histories fix the order:
        round robin, one action each (every branch's ``PassStateEntered`` before the first
        ``PassStateExited``). For Map iterations every recorded history has MaxConcurrency 1,
        one iteration after the other, and AWS documents no order for concurrent ones; the kit
        gives each running iteration a turn of one whole state (until it exits, fails or has to
        wait), in item order, so that one Step of the Stepper is one state of one iteration.
        """
        if frame.phase != "children":
            if frame.blocked or frame.ready_at > self.clock.now:
                return None
            return frame
        fan = frame.fan
        if fan.failed is not None or (fan.next_index >= len(fan.children) and not fan.active):
            return frame  # fan-in (or fail) is the parent's next action
        if fan.next_index < len(fan.children) and (fan.limit <= 0 or len(fan.active) < fan.limit):
            return frame  # start another child
        active = fan.active
        n = len(active)
        if fan.distributed:
            # independent child executions take turns in a rotating queue: O(1) per action with
            # thousands running (AWS runs them concurrently; no history records their interleaving)
            looking = iter(active)  # only looking: the queue stays as it is
            for _ in range(n):
                if commit:
                    child = active[0]
                    active.rotate(-1)
                else:
                    child = next(looking)
                picked = self._pick(child, commit)
                if picked is not None:
                    return picked
            return None
        if frame.definition.states[frame.state].type == "Map":
            # fan.rr is the item index that holds the turn
            start = next((k for k, child in enumerate(active) if child.index >= fan.rr), 0)
            for k in range(n):
                child = active[(start + k) % n]
                picked = self._pick(child, commit)
                if picked is not None:
                    if commit:  # the turn passes on when the child's state ends with this action
                        fan.rr = child.index + 1 if picked is child and child.phase == "exit" else child.index
                    return picked
            if commit:
                fan.rr = 0  # every iteration waits: when time moves on, the first item goes first
            return None
        for k in range(n):
            child = active[(fan.rr + k) % n]
            picked = self._pick(child, commit)
            if picked is not None:
                if commit:
                    fan.rr = (fan.rr + k + 1) % max(n, 1)
                return picked
        return None

    def _next_wake(self) -> float:
        return self._wake(self.root)

    def _wake(self, frame: Frame, timers: bool = False) -> float:
        """The virtual time of the next thing that can happen (callback timers only if ``timers``)."""
        if frame.status != RUNNING:
            return NEVER
        if frame.phase == "children":
            return min((self._wake(c, timers) for c in frame.fan.active), default=NEVER)
        if frame.blocked:
            return min(frame.deadline, frame.heartbeat_deadline) if timers else NEVER
        return frame.ready_at

    # -- one action ---------------------------------------------------------------------------

    def _act(self, frame: Frame) -> None:
        state = frame.definition.states.get(frame.state)
        if state is None:  # only a store edited by hand can get here: definitions are checked first
            self.frame_failed(frame, RUNTIME, f"There is no state named {frame.state!r} in this machine.")
            return
        self.guarded(frame, state, _PHASES[frame.phase], self, frame, state)

    def guarded(self, frame: Frame, state: State, action: Callable, *args: Any) -> None:
        """Run one action of a state; whatever goes wrong fails the state (Retry and Catch apply)
        instead of escaping to the caller: the run and its history are never lost."""
        try:
            action(*args)
        except StatesError as err:
            self.state_failed(frame, state, err)
        except RecursionError:
            from ..asl.source import DEPTH_LIMIT
            self.state_failed(frame, state, StatesError(RUNTIME, f"The data is nested too deeply to process "
                                                                 f"(stepfn_lab's limit is {DEPTH_LIMIT} levels)."))
        except Exception as exc:  # a defect must not lose the run: fail it and keep the history
            import traceback
            self.internal_error = traceback.format_exc()
            self.state_failed(frame, state, StatesError(RUNTIME, f"Internal error in stepfn_lab while running "
                                                                  f"this state: {type(exc).__name__}: {exc}"))

    def emit(self, frame: Frame, type: str, details: dict | tuple | None = None) -> int:
        ev = frame.history.add(frame.last_id, type, self.clock.now, details, frame.path)
        frame.last_id = ev.id
        return ev.id

    # -- context object and variables ---------------------------------------------------

    def context(self, frame: Frame, state: State, item: tuple | None = None) -> dict:
        """The context object (``$$`` / ``$states.context``) as the state sees it."""
        ctx: dict[str, Any] = {
            "Execution": self._exec_context,
            "StateMachine": self._machine_context,
            "State": {"EnteredTime": self.clock.iso(frame.entered_at), "Name": state.name},
        }
        if state.type in _RETRYABLE:
            ctx["State"]["RetryCount"] = frame.retry_total
        if frame.token is not None:
            ctx["Task"] = {"Token": frame.token}
        if item is not None:
            ctx["Map"] = {"Item": {"Index": item[0], "Value": item[1]}}
        return ctx

    def context_if_used(self, frame: Frame, state: State) -> Any:
        return self.context(frame, state) if state.uses_context else None

    def states_for(self, frame: Frame, state: State, **extra: Any) -> dict:
        """``$states`` for JSONata expressions."""
        states = {"input": frame.raw_input}
        if state.uses_context:  # building the context object costs more than most expressions
            states["context"] = self.context(frame, state)
        if extra:
            states.update(extra)
        return states

    def assign(self, frame: Frame, state: State, template: Any, data: Any, states: dict | None = None) -> None:
        """Evaluate an Assign block against the variables from before the state, then store them."""
        if template is None:
            return
        if state.is_jsonata:
            values = template.evaluate(states if states is not None else self.states_for(frame, state),
                                       frame.scope, rng=self.rng)
        else:
            values = template.evaluate(data, self.context_if_used(frame, state), frame.scope, self.rng)
        if not isinstance(values, dict):
            raise StatesError(RUNTIME, "Assign must evaluate to an object of variable names and values")
        self._check_variables(frame, values)
        frame.assigned = values
        if frame.vars_before is None:
            frame.vars_before = frame.scope.snapshot()

    def _check_variables(self, frame: Frame, values: dict) -> None:
        """AWS's variable rules: no shadowing of outer variables, 256 KiB per variable and per Assign,
        10 MiB per execution. (The rules are AWS's; the sentences are stepfn_lab's.)"""
        outer = frame.scope.parent
        total = 0
        for name, value in values.items():
            if outer is not None and name in outer:
                raise StatesError(RUNTIME, f"The variable '{name}' belongs to an outer scope: a Parallel branch "
                                           "or Map iteration can read it but cannot assign it (variables cannot "
                                           "be shadowed). Use another name, or return the value as output.")
            size = self.meter.size(value)
            if size > VARIABLE_LIMIT:
                raise StatesError(DATA_LIMIT_EXCEEDED, f"The variable '{name}' would hold {size} bytes; a variable "
                                                       f"may hold at most {VARIABLE_LIMIT} bytes (256 KiB).")
            total += size
        if total > VARIABLE_LIMIT:
            raise StatesError(DATA_LIMIT_EXCEEDED, f"This Assign stores {total} bytes; one Assign may store at most "
                                                   f"{VARIABLE_LIMIT} bytes (256 KiB).")
        held = sum(self.meter.size(v) for k, v in frame.scope.snapshot().items() if k not in values) + total
        if held > EXECUTION_VARIABLES_LIMIT:
            raise StatesError(DATA_LIMIT_EXCEEDED, f"The execution's variables would hold {held} bytes; an "
                                                   f"execution may hold at most {EXECUTION_VARIABLES_LIMIT} bytes "
                                                   "(10 MiB) of variables.")

    def _commit_assign(self, frame: Frame) -> None:
        if frame.assigned:
            frame.scope.own.update(frame.assigned)

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
        frame.entered_id = self.emit(frame, _ENTERED[state.type], (NAME_INPUT, state.name, frame.raw_input))
        frame.attempt_id = frame.entered_id
        if self.trace_enabled and frame.steps is not DISCARD:  # a child execution that keeps nothing
            frame.trace = Trace(input=frame.raw_input)
        ENTER[state.type](self, frame, state)
        if self.workflow_type == EXPRESS:
            frame.ready_at = max(frame.ready_at, self.clock.now + EXPRESS_STATE_SECONDS)

    def _phase_exit(self, frame: Frame, state: State) -> None:
        if frame.output is not frame.raw_input:  # an unchanged input was measured when it arrived
            self.meter.check(frame.output, state.name)
        self._commit_assign(frame)
        if frame.assigned is None:  # the compact form of the details (history.py)
            details: Any = (NAME_OUTPUT, state.name, frame.output)
        else:
            details = {"name": state.name, "output": frame.output, "assignedVariables": frame.assigned}
        first = frame.attempt_id or frame.entered_id  # after retries: the events of the last attempt
        self.emit(frame, _EXITED[state.type], details)
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

    def task_payload(self, frame: Frame, state: State) -> None:
        """InputPath and Parameters (or Arguments): what the task's work receives. Evaluated on entering
        the state and again for each retry, so ``$$.State.RetryCount`` and ``$$.Task.Token`` are current."""
        if state.is_jsonata:
            states = self.states_for(frame, state)
            payload = (state.arguments.evaluate(states, frame.scope, rng=self.rng)
                       if state.arguments is not None else frame.raw_input)
            if frame.trace is not None:
                frame.trace["afterArguments"] = payload
        else:
            ctx = self.context_if_used(frame, state)
            payload = select_input(state, frame.raw_input, ctx, frame.scope)
            if frame.trace is not None:
                frame.trace["afterInputPath"] = payload
            if state.parameters is not None:
                payload = state.parameters.evaluate(payload, ctx, frame.scope, self.rng)
                if frame.trace is not None:
                    frame.trace["afterParameters"] = payload
        frame.effective = payload

    def field_value(self, frame: Frame, state: State, key: str) -> tuple[str, Any]:
        """A field that may be a literal, a ``<Field>Path`` or a JSONata expression: ``(how, value)``."""
        kind, value = state.extra[key]
        if kind == "path":
            from ..asl.paths import PathNotFound
            try:
                return kind, value.get(frame.raw_input, self.context_if_used(frame, state), frame.scope)
            except PathNotFound as exc:
                raise StatesError(RUNTIME, str(exc)) from None
        if value is None:
            return kind, None
        if state.is_jsonata:
            return kind, value.evaluate(self.states_for(frame, state), frame.scope, rng=self.rng)
        return kind, value.evaluate()

    # -- Task phases ------------------------------------------------------------------------

    def _phase_schedule(self, frame: Frame, state: State) -> None:
        from .invoke import schedule_details
        resource = _tasks.parse_resource(state.extra["resource"])
        if resource.pattern == ".waitForTaskToken":
            # the token exists before TaskScheduled: AWS records the real token in its parameters
            from .invoke import issue_token
            issue_token(self, frame)
            self.task_payload(frame, state)
        elif frame.retry_total and state.uses_context:
            self.task_payload(frame, state)  # a retry sees its own $$.State.RetryCount
        if resource.uses_lambda_events:
            scheduled = self.emit(frame, "LambdaFunctionScheduled",
                                  schedule_details(self, frame, resource, lambda_events=True))
        else:
            scheduled = self.emit(frame, "TaskScheduled", schedule_details(self, frame, resource, lambda_events=False))
        if frame.retry_total:
            frame.attempt_id = scheduled
        frame.phase = "start"

    def _phase_start(self, frame: Frame, state: State) -> None:
        resource = _tasks.parse_resource(state.extra["resource"])
        if resource.uses_lambda_events:
            self.emit(frame, "LambdaFunctionStarted")
        else:
            self.emit(frame, "TaskStarted", {"resourceType": _resource_type(resource),
                                              "resource": _resource_name(resource)})
        frame.phase = "invoke"

    def _phase_invoke(self, frame: Frame, state: State) -> None:
        from .invoke import invoke
        invoke(self, frame, state)

    def task_succeeded(self, frame: Frame, state: State, result: Any) -> None:
        """Record a task's result and run the rest of the data flow (ResultSelector ... OutputPath)."""
        trace = frame.trace
        if trace is not None:
            trace["result"] = result
        self.after_result(frame, state, result)

    def after_result(self, frame: Frame, state: State, result: Any) -> None:
        """The data flow after a state produced its result: Assign, ResultSelector, ResultPath, OutputPath
        (JSONPath) or Assign and Output (JSONata)."""
        trace = frame.trace
        if state.is_jsonata:
            states = self.states_for(frame, state, result=result)
            output = state.output.evaluate(states, frame.scope, rng=self.rng) if state.output else result
            self.assign(frame, state, state.assign, None, states)
        else:
            ctx = self.context_if_used(frame, state)
            self.assign(frame, state, state.assign, result)
            if state.result_selector is not None:
                result = state.result_selector.evaluate(result, ctx, frame.scope, self.rng)
                if trace is not None:
                    trace["afterResultSelector"] = result
            output = place_result(state.result_path, frame.raw_input, result)
            if trace is not None:
                trace["afterResultPath"] = output
            output = select_output(state, output, ctx, frame.scope)
        frame.output = output
        frame.next = state.next
        frame.phase = "exit"

    # -- Parallel and Map ------------------------------------------------------------------

    def _phase_fanout(self, frame: Frame, state: State) -> None:
        if frame.stash is not None and self.redrive_count:
            from .redrive import resume_fan
            if resume_fan(self, frame, state):
                return
        frame.stash = None
        if frame.retry_total:
            frame.attempt_id = len(frame.history) + 1  # this attempt starts with <Type>StateStarted
        if state.type == "Parallel":
            self.emit(frame, "ParallelStateStarted")
            branches = state.branches
            fan = Fan(len(branches), 0)
            frame.fan = fan
            for i, branch in enumerate(branches):
                child = Frame(branch, frame.effective, parent=frame, kind="branch", index=i,
                              scope=Scope(frame.scope), history=frame.history, last_id=frame.last_id,
                              path=f"{frame.path}/{state.name}[branch {i}]".lstrip("/"))
                fan.children[i] = child
                fan.active.append(child)
            fan.next_index = len(branches)
            frame.phase = "children"
        else:
            from .mapping import fan_out_map
            fan_out_map(self, frame, state)

    def _phase_children(self, frame: Frame, state: State) -> None:
        fan = frame.fan
        if fan.failed is not None:
            error, cause = fan.failed
            frame.stash = fan
            frame.fan = None
            frame.last_id = max(frame.last_id, fan.last)
            if fan.map_run is not None:
                fan.map_run.status = FAILED
            if fan.distributed:
                from .mapping import write_results_of_failed_run
                write_results_of_failed_run(self, frame, state, fan)
                self.emit(frame, "MapRunFailed", {"error": error, "cause": cause})
            self.state_failed(frame, state, StatesError(error, cause), prefixed=True)
            return
        if fan.next_index < len(fan.children):
            from .mapping import start_iteration
            start_iteration(self, frame, state)
            return
        # every child is done: fan in (AWS writes no ParallelStateSucceeded event, only MapStateSucceeded)
        frame.fan = None
        frame.last_id = max(frame.last_id, fan.last)
        if state.type == "Map":
            if fan.distributed:
                self.emit(frame, "MapRunSucceeded")
            self.emit(frame, "MapStateSucceeded")
        results = fan.results
        if fan.map_run is not None:
            fan.map_run.status = SUCCEEDED
        if state.type == "Map" and state.extra.get("result_writer"):
            from .mapping import write_results
            results = write_results(self, frame, state, fan)
        if frame.trace is not None:
            frame.trace["result"] = results
        self.after_result(frame, state, results)

    # -- ends of frames -----------------------------------------------------------------------

    def _frame_succeeded(self, frame: Frame, output: Any) -> None:
        frame.status = SUCCEEDED
        frame.output = output
        parent = frame.parent
        if parent is None:
            self._check_output_size(output)
            if self.status == RUNNING:
                self.emit(frame, "ExecutionSucceeded", {"output": output})
                self.status = SUCCEEDED
                self.output = output
            return
        fan = parent.fan
        if fan.sink is None:  # an exported Map Run's results go to its result files as children end
            fan.results[frame.index] = output
        fan.done += 1
        _remove(fan.active, frame)
        if frame.kind == "iteration":
            self.fanned["child executions" if fan.distributed else "items"][0] += 1
            if fan.distributed:
                child_ended(self, fan, frame, SUCCEEDED)
            else:
                parent.last_id = frame.last_id  # each event follows the last one of its own branch or iteration
                self.emit(parent, "MapIterationSucceeded", (NAME_INDEX, parent.state, frame.index))
                fan.last = parent.last_id
                fan.children[frame.index] = FINISHED  # a succeeded iteration's frame is let go (memory)
        elif frame.history is parent.history:
            fan.last = max(fan.last, frame.last_id)

    def frame_failed(self, frame: Frame, error: str | None, cause: str | None) -> None:
        frame.status = FAILED
        frame.error, frame.cause = error, cause
        parent = frame.parent
        if parent is None:
            self._fail_execution(error, cause)
            return
        fan = parent.fan
        _remove(fan.active, frame)
        fan.done += 1
        if frame.kind == "iteration":
            self.fanned["child executions" if fan.distributed else "items"][0] += 1
            if fan.distributed:
                child_ended(self, fan, frame, FAILED)
        if frame.kind == "branch":
            fan.last = max(fan.last, frame.last_id)
            fan.failed = (error, cause)
            self._abort_children(fan)
            return
        if not fan.distributed:
            parent.last_id = frame.last_id
            self.emit(parent, "MapIterationFailed", {"name": parent.state, "index": frame.index})
            fan.last = parent.last_id
        fan.failures += 1
        total = len(fan.children)
        over_count = fan.failures > fan.tolerated_count
        over_percentage = total > 0 and fan.failures * 100.0 / total > fan.tolerated_percentage
        if over_count and over_percentage:
            # Design note: a Distributed Map Run fails as a whole once its failures pass the threshold,
            # which is 0 by default, so one failed child fails the Map with
            # States.ExceedToleratedFailureThreshold and not with the child's own error (AWS docs,
            # "Setting failure thresholds for Distributed Map states" in state-map-distributed.html:
            # the default tolerance is 0; "the Map Run fails" with that error when it is exceeded). The
            # child's error stays in its own history. An Inline Map has no Map Run: it fails with the
            # child's error unless a tolerance was set (recorded on AWS: test_map_state_tolerated_*).
            if fan.tolerated_count or fan.tolerated_percentage or fan.distributed:
                fan.failed = (EXCEED_TOLERATED_FAILURE_THRESHOLD,
                              "The specified tolerated failure threshold was exceeded")
            else:
                fan.failed = (error, cause)
            self._abort_children(fan)

    def _abort_children(self, fan: Fan) -> None:
        """Stop the branches or iterations still running after a sibling failed, with their closing events.

        Design note: AWS stops the other branches of a failed Parallel state and the other
        iterations of a failed Map ("When the Map state fails, all iterations are stopped",
        AWS docs "Map state in Inline mode"), and its history has a closing event for each
        thing it stopped: ``TaskStateAborted``, ``WaitStateAborted``, ``MapStateAborted``,
        ``ParallelStateAborted`` for a state in progress and ``MapIterationAborted`` for an
        inline iteration (the event types of the API reference, "HistoryEvent"). Pass,
        Choice, Succeed and Fail have no Aborted event: they never wait. The recorded cases
        have no failure beside a running sibling (their Maps run one iteration at a time),
        so the place is the kit's choice: right after the failing child's events, in item
        order, before the ``MapStateFailed``/``ParallelStateFailed`` of the state.
        A Distributed Map's child execution gets ``ExecutionAborted`` in its own history.
        """
        if fan.map_run is not None:
            fan.map_run.counts["running"] -= len(fan.active)
            fan.map_run.counts["aborted"] += len(fan.active)
        for child in sorted(fan.active, key=lambda f: f.index):
            self._abort_frame(child, fan)
        fan.active.clear()
        fan.next_index = len(fan.children)

    def _abort_frame(self, frame: Frame, fan: Fan) -> None:
        frame.status = ABORTED
        parent = frame.parent
        for token in [t for t, f in self.tokens.items() if f is frame]:
            del self.tokens[token]  # nobody can answer a stopped task
        state = frame.definition.states[frame.state]
        if frame.phase != "enter":  # the state was entered and has not ended
            inner = frame.fan
            if inner is not None:
                for child in sorted(inner.active, key=lambda f: f.index):
                    self._abort_frame(child, inner)
                inner.active.clear()
                frame.last_id = max(frame.last_id, inner.last)
            if frame.history is parent.history and state.type in _ABORTED:
                self.emit(frame, _ABORTED[state.type])
            if frame.steps is not DISCARD:
                frame.steps.append(Step(frame, state, ABORTED, frame.attempt_id or frame.entered_id, frame.last_id))
        if frame.kind == "iteration":
            self.fanned["child executions" if fan.distributed else "items"][0] += 1
            if fan.distributed:
                record = fan.map_run.executions.get(frame.index) if fan.map_run is not None else None
                if record is not None:  # a kept child history ends as AWS ends a stopped child execution
                    record.status = ABORTED
                    self.emit(frame, "ExecutionAborted")
                return
            parent.last_id = frame.last_id
            self.emit(parent, "MapIterationAborted", {"name": parent.state, "index": frame.index})
            fan.last = parent.last_id
        elif frame.history is parent.history:
            fan.last = max(fan.last, frame.last_id)

    def state_failed(self, frame: Frame, state: State, err: StatesError, prefixed: bool = False) -> None:
        """A state raised an ASL error: retry it, catch it, or fail the frame."""
        error, cause = err.error, err.cause
        if not prefixed and error in _PREFIXED and not err.details.get("raw"):
            cause = (f"An error occurred while executing the state '{state.name}' "
                     f"(entered at the event id #{frame.entered_id}). {cause}")
        frame.error, frame.cause = error, cause
        frame.blocked = False
        frame.fan = None
        if error == QUERY_EVALUATION_ERROR:
            self.emit(frame, "EvaluationFailed", {"error": error, "cause": cause, "state": state.name})
        retryable = error != RUNTIME and state.type in _RETRYABLE
        if retryable and self._retry(frame, state, error):
            return  # a retried attempt's cause (a LazyText stack trace) is formatted only if its event is read
        cause = frame.cause = text(cause)
        if retryable:
            if state.type != "Task":
                # a failed Parallel or Map that is not retried records <Type>StateFailed (recorded on AWS)
                frame.last_id = max(frame.last_id, len(frame.history)) if frame.kind == "root" else frame.last_id
                self.emit(frame, f"{state.type}StateFailed")
            if self._catch(frame, state, error, cause):
                return
        if frame.steps is not DISCARD:
            frame.steps.append(Step(frame, state, FAILED, frame.attempt_id or frame.entered_id, frame.last_id))
        self.frame_failed(frame, error, cause)

    def _retry(self, frame: Frame, state: State, error: str) -> bool:
        for i, retrier in enumerate(state.retriers):
            if not _matches(error, retrier.error_equals):
                continue
            counts = frame.retry_counts or [0] * len(state.retriers)
            frame.retry_counts = counts
            if counts[i] >= retrier.max_attempts:
                return False
            delay = retrier.interval_seconds * (retrier.backoff_rate ** counts[i])
            if retrier.max_delay_seconds is not None:
                delay = min(delay, retrier.max_delay_seconds)
            if retrier.jitter_strategy == "FULL":
                delay = self.rng.uniform(0, delay)
            # one attempt is one Step: the Stepper shows each try and each back-off wait
            if frame.steps is not DISCARD:
                frame.steps.append(Step(frame, state, RETRYING, frame.attempt_id or frame.entered_id, frame.last_id,
                                        retry_in=delay))
            counts[i] += 1
            frame.retry_total += 1
            self.retries += 1
            frame.ready_at = self.clock.now + delay
            frame.phase = "schedule" if state.type == "Task" else "fanout"
            return True
        return False

    def _catch(self, frame: Frame, state: State, error: str, cause: str | None) -> bool:
        for catcher in state.catchers:
            if not _matches(error, catcher.error_equals):
                continue
            error_output = {"Error": error, "Cause": cause}
            if state.is_jsonata:
                states = self.states_for(frame, state, errorOutput=error_output)
                output = catcher.output.evaluate(states, frame.scope, rng=self.rng) if catcher.output else error_output
                frame.assigned = None
                self.assign(frame, state, catcher.assign, None, states)
            else:
                frame.assigned = None
                self.assign(frame, state, catcher.assign, error_output)
                output = place_result(catcher.result_path, frame.raw_input, error_output)
            frame.output = output
            frame.next = catcher.next
            frame.caught = True
            frame.phase = "exit"
            if frame.trace is not None:
                frame.trace["errorOutput"] = error_output
            return True
        return False

    def _fail_execution(self, error: str | None, cause: str | None) -> None:
        if self.status != RUNNING:
            return
        if error == TIMEOUT and cause == "":
            cause = None  # a timed-out task's empty cause is not reported on the execution (recorded on AWS)
        frame = self.root
        frame.last_id = len(self.history)
        details = {}
        if error is not None:
            details["error"] = error
        if cause is not None:
            details["cause"] = cause
        self.emit(frame, "ExecutionFailed", details)
        self.status = FAILED
        self.error, self.cause = error, cause

    def _timed_out(self) -> None:
        frame = self.root
        frame.last_id = len(self.history)
        self.emit(frame, "ExecutionTimedOut")
        self.status = TIMED_OUT
        self.error, self.cause = None, None  # DescribeExecution reports neither (recorded on AWS)

    def _check_heartbeats(self) -> None:
        from .invoke import expire_waiting_tasks
        expire_waiting_tasks(self)

    def _check_input_size(self, value: Any) -> None:
        try:
            check_size(value, "input")
        except StatesError:
            self._fail_execution(DATA_LIMIT_EXCEEDED, "The execution input exceeds the maximum number of bytes "
                                                      "service limit (262144 bytes).")

    def _check_output_size(self, value: Any) -> None:
        try:
            check_size(value, "output")
        except StatesError as err:
            self._fail_execution(err.error, err.cause)

    # -- callbacks (.waitForTaskToken) ---------------------------------------------------------

    def send_task_success(self, token: str, output: Any) -> Execution:
        from .invoke import resume_with_success
        _check_json(output, "InvalidOutput", "the task output")
        resume_with_success(self, token, output)
        self._persist()
        return self

    def send_task_failure(self, token: str, error: str | None = None, cause: str | None = None) -> Execution:
        from .invoke import resume_with_failure
        resume_with_failure(self, token, error, cause)
        self._persist()
        return self

    def send_task_heartbeat(self, token: str) -> Execution:
        from .invoke import heartbeat
        heartbeat(self, token)
        return self

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

    # -- workflow types: cost, logs, AWS-like APIs ----------------------------------------

    @property
    def billed_transitions(self) -> int:
        """State transitions as AWS bills them for Standard workflows (retries count)."""
        return self.transitions + self.retries

    @property
    def peak_payload_bytes(self) -> int:
        """The largest state input or output of the run (what Express memory billing follows)."""
        sizes = [self.meter.size(e.details[k]) for e in self.history for k in ("input", "output")
                 if k in e.details]
        return max(sizes, default=2)

    def cost(self):
        """What this execution would cost on AWS (``.total_usd``, ``.lines``, ``.per_month(n)``)."""
        from .billing import execution_cost
        return execution_cost(self)

    def logs(self, level: str = "ALL", include_execution_data: bool = True) -> list[dict]:
        """The CloudWatch Logs records AWS would write for an Express run at this log level."""
        from .logs import records
        return records(self, level, include_execution_data)

    def get_execution_history(self) -> dict:
        """GetExecutionHistory, as AWS answers it: Express executions have none.

        (stepfn_lab keeps the events of Express runs internally so that they can be
        drawn and stepped through; AWS would not.)
        """
        if self.workflow_type == EXPRESS:
            raise ExecutionError("InvalidArn: Express executions keep no execution history on AWS; "
                                 "read execution.logs() (CloudWatch Logs) instead")
        return self.history.to_aws()

    def describe(self) -> dict:
        """DescribeExecution's answer (for Express: StartSyncExecution's)."""
        out = {"executionArn": self.arn, "stateMachineArn": self.machine.arn, "name": self.name,
               "status": self.status, "startDate": self.clock.iso(0.0), "input": self.input,
               "redriveCount": self.redrive_count}
        if self.status != RUNNING:
            out["stopDate"] = self.clock.iso(self.duration)
        if self.status == SUCCEEDED:
            out["output"] = self.output
        for key, value in (("error", self.error), ("cause", self.cause)):
            if value is not None:
                out[key] = value
        return out

    def summary(self) -> str:
        """A few stable lines: status, output or error and cause, events, virtual duration.

        The labels follow ``stepfn_lab.set_language``; the status and error names stay AWS's.
        """
        from ..language import json_text, number, text
        labels = {key: text(key) for key in ("status", "output", "error", "cause")}
        pad = max(len(label) for label in labels.values()) + 2
        lines = [f"{labels['status']}:".ljust(pad) + self.status]
        if self.status == SUCCEEDED:
            lines.append(f"{labels['output']}:".ljust(pad) + json_text(self.output, 100 - pad, pad))
        elif self.status != RUNNING:
            lines.append(f"{labels['error']}:".ljust(pad) + str(self.error))
            lines.append(f"{labels['cause']}:".ljust(pad) + str(self.cause))
        lines.append(text("summary_events", events=len(self.history),
                          duration=f"{number(round(self.duration, 3))}s"))
        return "\n".join(lines)


def _log_level(level: str | None) -> str | None:
    if level is None:
        return None
    from .logs import LEVELS
    if not isinstance(level, str) or level.upper() not in LEVELS:
        raise ExecutionError(f"log_level must be one of {', '.join(LEVELS)} (CloudWatch Logs levels), "
                             f"not {level!r}")
    return level.upper()


def _remove(active: deque, frame: Frame) -> None:
    if active and active[-1] is frame:  # a Distributed Map child that just acted (rotated to the end)
        active.pop()
        return
    try:
        active.remove(frame)
    except ValueError:
        pass


def _matches(error: str | None, equals: tuple) -> bool:
    """Does a Retry/Catch ``ErrorEquals`` list match this error?

    Design note: ``States.ALL`` matches every error but ``States.Runtime`` (which
    nothing catches). AWS's docs ("Error names", States.ALL and
    States.DataLimitExceeded) also call ``States.DataLimitExceeded`` "a terminal
    error that can't be caught by the States.ALL error type", but a run recorded
    on AWS on 2024-03-21 says otherwise: a Lambda returning 263,168 bytes fails with
    ``States.DataLimitExceeded`` and a Catch on ``States.ALL`` takes it
    (``test_task_lambda_catch_state_all_data_limit_exceeded_on_large_utf8_response``
    in shared/conformance, from localstack's AWS-validated snapshots). AWS's
    behaviour wins, so the kit catches it too. ``States.TaskFailed`` acts as a wildcard for every error
    but the timeouts (AWS docs, "Error names"; recorded on AWS in
    ``test_raise_exception_catch``, where ``States.TaskFailed`` catches a Lambda's
    ``Exception``).
    """
    if error in equals:
        return True
    if ALL in equals and error != RUNTIME:
        return True
    return TASK_FAILED in equals and error not in (RUNTIME, TIMEOUT, HEARTBEAT_TIMEOUT)


def _resource_type(resource: _tasks.Resource) -> str:
    if resource.kind == "service":
        return resource.service
    return resource.kind


def _resource_name(resource: _tasks.Resource) -> str:
    if resource.kind == "service":
        return resource.api + resource.pattern
    return resource.arn






def _to_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# Only these states can retry, and only their context object has State.RetryCount (recorded on AWS).
_RETRYABLE = ("Task", "Parallel", "Map")

_ENTERED = {t: f"{t}StateEntered" for t in ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")}
_EXITED = {t: f"{t}StateExited" for t in ("Pass", "Task", "Choice", "Wait", "Succeed", "Parallel", "Map")}
_ABORTED = {t: f"{t}StateAborted" for t in ("Task", "Wait", "Parallel", "Map")}


def _invoke_timed_out(execution: Execution, frame: Frame, state: State) -> None:
    from .invoke import timed_out
    timed_out(execution, frame, state)


# One handler per phase of a frame.
_PHASES: dict[str, Callable[[Execution, Frame, State], None]] = {
    "enter": Execution._phase_enter,
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
