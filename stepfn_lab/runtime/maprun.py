"""Distributed Map runs: a summary in the parent, a history of its own in each child execution.

Spec: AWS docs "Using Map state in Distributed mode" (each child workflow execution has
its own execution history, separate from the parent's; without MaxConcurrency, up to
10,000 child executions run at once), ``DescribeMapRun`` (item and execution counts) and
``ListExecutions(mapRunArn=...)``. Taught in: notebooks/12-map.ipynb.

The parent execution keeps one ``MapRun`` per Distributed Map run (``execution.map_runs``):
the counts of its child executions and, for the children whose history AWS keeps
(``ExecutionType: STANDARD``), a ``ChildExecution`` with that history and its step
records. Express child executions keep no history on AWS; here they keep none either
(only their counts, and error and cause when they fail) unless the execution was started
with ``child_histories=True`` (what a Stepper or a diagram of a child asks for). A finished
child's frame is dropped, so a 1,000,000-item Map holds its counts, not a million frames.
"""

from __future__ import annotations

from typing import Any

from .frames import FAILED, SUCCEEDED

DISTRIBUTED_CONCURRENCY = 10_000  # child executions at once when MaxConcurrency is not set (AWS docs)


class ChildExecution:
    """One child execution of a Distributed Map: its status, data and (when kept) history and steps."""

    __slots__ = ("index", "status", "input", "output", "error", "cause", "history", "steps")

    def __init__(self, index: int, child_input: Any, history: Any):
        self.index = index
        self.status = "RUNNING"
        self.input = child_input
        self.output = self.error = self.cause = None
        self.history = history
        self.steps: list = []

    def __repr__(self) -> str:
        return f"ChildExecution(index={self.index}, status={self.status}, events={len(self.history)})"


class Discard:
    """Where the step records of a child execution that keeps nothing go."""

    __slots__ = ()

    def append(self, item: Any) -> None:
        pass

    def __len__(self) -> int:
        return 0

    def __deepcopy__(self, memo: dict) -> Discard:
        return self


DISCARD = Discard()


class Finished:
    """Stands in a fan's list of children for a child that succeeded and was let go."""

    __slots__ = ()
    status = SUCCEEDED
    blocked = False
    token = None
    fan = None

    def __deepcopy__(self, memo: dict) -> Finished:
        return self

    def __repr__(self) -> str:
        return "<finished child>"


FINISHED = Finished()


class MapRun:
    """A Distributed Map run as DescribeMapRun reports it, with the child executions that keep a history."""

    def __init__(self, arn: str, state: str, execution_type: str, keep: bool, let_go: bool = True):
        self.arn = arn
        self.let_go = let_go  # drop a succeeded child's frame (not when WriterConfig alone needs it)
        self.state = state
        self.execution_type = execution_type
        self.keep = keep  # do child executions keep their history and steps?
        self.status = "RUNNING"
        self.total = 0
        self.counts = {"pending": 0, "running": 0, SUCCEEDED: 0, FAILED: 0, "aborted": 0}
        self.executions: dict[int, ChildExecution] = {}  # the kept children, by item index
        self.failures: dict[int, tuple] = {}  # index -> (error, cause) of every failed child
        self.transitions = 0

    def child(self, index: int) -> ChildExecution:
        """The child execution of item ``index`` (kept for Standard children, or with child_histories=True)."""
        try:
            return self.executions[index]
        except KeyError:
            why = ("Express child executions keep no history (start the execution with child_histories=True "
                   "to keep them)" if not self.keep else "that item has not run")
            raise KeyError(f"no child execution {index} in {self.arn}: {why}") from None

    def describe(self) -> dict:
        """DescribeMapRun's counts."""
        counts = {"pending": self.total - self.counts[SUCCEEDED] - self.counts[FAILED] - self.counts["running"]
                  - self.counts["aborted"], "running": self.counts["running"],
                  "succeeded": self.counts[SUCCEEDED], "failed": self.counts[FAILED], "timedOut": 0,
                  "aborted": self.counts["aborted"], "total": self.total,
                  "resultsWritten": self.counts[SUCCEEDED] + self.counts[FAILED]}
        return {"mapRunArn": self.arn, "status": self.status, "itemCounts": counts, "executionCounts": dict(counts)}

    def __repr__(self) -> str:
        return (f"MapRun({self.state!r}, {self.status}, succeeded={self.counts[SUCCEEDED]}, "
                f"failed={self.counts[FAILED]}, total={self.total})")


def start_child(execution, fan, child, child_input: Any) -> None:
    """A child execution starts: keep a ChildExecution for it if its history is kept."""
    run = fan.map_run
    if run is None:  # reloaded from a durable store mid-run: the summary starts again
        state = child.parent.definition.states[child.parent.state]
        run = fan.map_run = MapRun(child.parent.token or "", child.parent.state, "STANDARD",
                                   execution.child_histories is not False,
                                   let_go=not state.extra.get("result_writer"))  # ResultWriter reads the children
        run.total = len(fan.children)
        execution.map_runs.append(run)
    run.counts["running"] += 1
    if run.keep:
        record = ChildExecution(child.index, child_input, child.history)
        run.executions[child.index] = record
        child.steps = record.steps
    else:
        child.steps = DISCARD


def child_ended(execution, fan, child, status: str) -> None:
    """A child execution ended: count it, stream its result, let its frame go."""
    run = fan.map_run
    if run is None:
        start_child(execution, fan, child, None)
        run = fan.map_run
    run.counts["running"] -= 1
    run.counts[status] = run.counts.get(status, 0) + 1
    record = run.executions.get(child.index)
    if record is not None:  # a kept history ends as a child execution's does on AWS
        record.status, record.output, record.error, record.cause = status, child.output, child.error, child.cause
        if status == SUCCEEDED:
            details = {"output": child.output}
        else:
            details = {k: v for k, v in (("error", child.error), ("cause", child.cause)) if v is not None}
        child.history.add(child.last_id, f"Execution{status.title()}", execution.clock.now, details)
    if status == FAILED:
        run.failures[child.index] = (child.error, child.cause)
    if fan.sink is not None:
        fan.sink.ended(execution, child, status)
    if status == SUCCEEDED and run.let_go:
        fan.children[child.index] = FINISHED
