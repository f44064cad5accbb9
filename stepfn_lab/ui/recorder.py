"""Forward and back through an execution: the recorder behind the Stepper's buttons.

Spec: ``Execution.step()``, ``snapshot()`` and ``restore()`` (the engine is resumable between any two
events), read against AWS ``GetExecutionHistory``. Taught in: notebooks/00-welcome.ipynb and every
notebook that steps through an execution.

``Recorder`` moves an execution forward and back: a snapshot
(``execution.snapshot()``) after every step, ``restore()`` to go back, and a
replay of the recorded positions when the learner steps forward again, so
handlers with side effects are not called twice. A step is what
``Execution.step()`` does: one state of one frame (the machine, a branch, an
iteration) or one attempt of a retried state; ``step_over()`` runs a whole
Map, Parallel or retry sequence; ``run(stop, before)`` stops after or before a
breakpoint state at any depth. No ipywidgets: it is tested without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ..runtime.engine import RUNNING, Execution
from ..runtime.frames import ABORTED, RETRYING

SNAPSHOT_EVENT_BUDGET = 250_000  # history events kept across all snapshots (Back reaches this far)
RECORDED_STEPS_PER_RUN = 500  # one Run records this many steps; the rest runs without snapshots


@dataclass
class Position:
    """The execution after one move: a snapshot to come back to, and how far it had got."""

    snapshot: dict | None
    steps: int  # len(execution.steps)
    events: int  # len(execution.history)


class Recorder:
    """Moves an execution forward and back over recorded positions (what the buttons call)."""

    def __init__(self, execution: Execution, budget: int = SNAPSHOT_EVENT_BUDGET):
        self.execution = execution
        self.budget = budget
        self.positions = [self._capture()]
        self.cursor = 0
        self._kept_events = self.positions[0].events

    def _capture(self) -> Position:
        ex = self.execution
        return Position(ex.snapshot(), len(ex.steps), len(ex.history))

    @property
    def recorded(self) -> int:
        return len(self.positions) - 1

    @property
    def live(self) -> bool:
        """True at the newest position (moving forward runs the execution)."""
        return self.cursor == self.recorded

    def can_back(self) -> bool:
        return self.cursor > 0 and self.positions[self.cursor - 1].snapshot is not None

    def can_step(self) -> bool:
        ex = self.execution
        return not self.live or (ex.status == RUNNING and not ex.waiting)

    paused_at: int | None = None  # the position where a "stop before" breakpoint paused the last run

    def back(self) -> bool:
        if not self.can_back():
            return False
        self._go(self.cursor - 1)
        return True

    def step(self, *, record: bool = True, before: Callable[[Any], bool] | None = None) -> bool:
        """One state forward: replay the next recorded position, or run the execution
        (``before``: stop before a frame that it says True for, after the first action)."""
        if not self.live:
            self._go(self.cursor + 1)
            return True
        return self._run_one(record, before)

    def run(self, stop: Callable[[list], bool] | None = None,
            before: Callable[[Any], bool] | None = None) -> int:
        """Step until the end, a callback wait, ``stop(steps of the move)``, or until the next frame to act
        is one that ``before(frame)`` wants to stop before; returns the moves made.

        A run that starts where a "stop before" breakpoint paused goes on past it; at the very start
        (position 0) a breakpoint before the ``StartAt`` state pauses at once, with no move.
        """
        if stop is None and before is None and not self.live:
            self._go(self.recorded)  # nothing to look at on the way: jump to the newest position
        if before is not None and self.cursor == 0 and self.paused_at != 0 and self._stops_before(before):
            self.paused_at = 0
            return 0
        self.paused_at = None
        moves = recorded = 0
        while self.can_step():
            count = len(self.execution.steps)
            keep = not self.live or recorded < RECORDED_STEPS_PER_RUN
            if not self.step(record=keep, before=before):
                break
            moves += 1
            recorded += keep and self.live
            if stop is not None and stop(self.execution.steps[count:]):
                break
            if before is not None and self._stops_before(before):
                self.paused_at = self.cursor if keep else None
                break
        if self.live and self.positions[-1].events != len(self.execution.history):
            self._append()  # the unrecorded tail of a long run becomes one position
            if self.paused_at is None and before is not None and self._stops_before(before):
                self.paused_at = self.cursor
        return moves

    def step_over(self) -> int:
        """Step until a state at the cursor's depth or above finishes (not an attempt that will be retried):
        a whole Map, Parallel or retry sequence is one move. Returns the engine steps it took."""
        ex = self.execution
        depth = self.depth()
        moves = 0
        while self.can_step():
            count = len(ex.steps)
            if self.live:
                if not self._run_one(record=False):
                    break
            else:
                self._go(self.cursor + 1)
            moves += 1
            if any(path_depth(s.path) <= depth and s.status not in (RETRYING, ABORTED) for s in ex.steps[count:]):
                break
        if self.live and moves and (self.positions[-1].events, self.positions[-1].steps) != (
                len(ex.history), len(ex.steps)):
            self._append()
        return moves

    def depth(self) -> int:
        """How deep the cursor is: 0 at the top level, 1 in a branch or iteration, 2 in one inside those ..."""
        moved = self.moved_steps()
        if moved:
            last = focus_step(moved)
            depth = path_depth(last.path)
            ended = last.status not in (RETRYING,) and last.next is None  # its branch or iteration ended
            return max(0, depth - 1) if ended and depth else depth
        upcoming = self.execution.next_frame()
        return path_depth(upcoming.path) if upcoming is not None else 0

    def _stops_before(self, before: Callable[[Any], bool]) -> bool:
        upcoming = self.execution.next_frame()
        return upcoming is not None and bool(before(upcoming))

    def truncate(self) -> None:
        """Forget the positions after the cursor (the learner changes what happens next)."""
        del self.positions[self.cursor + 1:]
        self._kept_events = sum(p.events for p in self.positions if p.snapshot is not None)

    def moved_steps(self) -> list:
        """The steps the last move to this position made (usually one)."""
        if self.cursor == 0:
            return []
        start, end = self.positions[self.cursor - 1].steps, self.positions[self.cursor].steps
        return self.execution.steps[start:end]

    def moved_events(self) -> range:
        """The ids of the history events the last move to this position wrote."""
        if self.cursor == 0:
            return range(1, self.positions[0].events + 1) if not self.execution.steps else range(0)
        return range(self.positions[self.cursor - 1].events + 1, self.positions[self.cursor].events + 1)

    def _run_one(self, record: bool, before: Callable[[Any], bool] | None = None) -> bool:
        ex = self.execution
        if ex.status != RUNNING:
            return False
        start = (len(ex.steps), len(ex.history), ex.clock.now)
        ex.step(before=before)
        while ex.status == RUNNING and not ex.current and ex.advance():
            pass  # the last state is done: write the execution's closing event now
        if (len(ex.steps), len(ex.history), ex.clock.now) == start:
            return False
        if record:
            self._append()
        return True

    def _append(self) -> None:
        self.positions.append(self._capture())
        self.cursor = self.recorded
        self._kept_events += self.positions[-1].events
        for old in self.positions[:-1]:
            if self._kept_events <= self.budget:
                break
            if old.snapshot is not None:
                old.snapshot = None
                self._kept_events -= old.events

    def _go(self, index: int) -> None:
        self.execution.restore(self.positions[index].snapshot)
        self.cursor = index


def path_depth(path: str) -> int:
    """``""`` -> 0, ``"Map[2]"`` -> 1, ``"Map[2]/Par[branch 0]"`` -> 2."""
    return path.count("/") + 1 if path else 0


def focus_step(steps: Sequence[Any]) -> Any:
    """The step of a move to show: the last one that was not stopped by a failing sibling."""
    for step in reversed(steps):
        if step.status != ABORTED:
            return step
    return steps[-1] if steps else None
