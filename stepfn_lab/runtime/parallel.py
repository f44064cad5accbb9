"""Parallel and Map: branches and iterations as child frames that take turns, fan in, end and stop.

Spec: Amazon States Language, "Parallel State" and "Map State" (a failed branch or iteration
fails the state and stops the others); AWS docs "Map state in Inline mode" and the history
events of each (``ParallelStateStarted``, ``MapIteration*``, ``*StateAborted``).
Taught in: notebooks/11-parallel.ipynb and notebooks/12-map.ipynb.

``ChildFrames`` holds the ``Execution``'s methods for it (the engine's ``Execution`` inherits them):
which frame acts next (``_pick``), the ``fanout`` and ``children`` phases, how a frame ends
(``_frame_succeeded``, ``frame_failed``) and how its siblings are stopped. Map's items, settings
and Distributed Map runs are in ``mapping.py`` and ``maprun.py``.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from ..errors import EXCEED_TOLERATED_FAILURE_THRESHOLD, StatesError
from .frames import ABORTED, FAILED, NEVER, RUNNING, SUCCEEDED, Fan, Frame, Scope, Step
from .history import NAME_INDEX
from .mapping import fan_out_map, start_iteration, write_results, write_results_of_failed_run
from .maprun import DISCARD, FINISHED, child_ended

if TYPE_CHECKING:
    from ..asl.model import State


_ABORTED = {t: f"{t}StateAborted" for t in ("Task", "Wait", "Parallel", "Map")}


def _remove(active: deque, frame: Frame) -> None:
    if active and active[-1] is frame:  # a Distributed Map child that just acted (rotated to the end)
        active.pop()
        return
    try:
        active.remove(frame)
    except ValueError:
        pass


class ChildFrames:
    """The ``Execution``'s Parallel and Map machinery: turns, fan-out, fan-in, ends of frames."""

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
                write_results_of_failed_run(self, frame, state, fan)
                self.emit(frame, "MapRunFailed", {"error": error, "cause": cause})
            self.state_failed(frame, state, StatesError(error, cause), prefixed=True)
            return
        if fan.next_index < len(fan.children):
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
