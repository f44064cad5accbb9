"""stepfn_lab.runtime.maprun: a Distributed Map's child executions keep their own histories."""

import pytest

import stepfn_lab as sfl
from stepfn_lab.runtime.maprun import DISTRIBUTED_CONCURRENCY, FINISHED


def dmap(kind: str, processor_states: dict | None = None, **extra) -> sfl.StateMachine:
    states = processor_states or {"Double": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, $.n)"},
                                             "End": True}}
    return sfl.StateMachine.from_json({"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items", **extra,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": kind},
                          "StartAt": next(iter(states)), "States": states},
        "End": True}}})


ITEMS = {"items": [{"n": i} for i in range(5)]}


def test_standard_children_keep_their_own_history_and_steps():
    execution = dmap("STANDARD").run(ITEMS)
    assert execution.output == [{"n": 2 * i} for i in range(5)]
    # the parent's history and steps hold the Map, not its children (as on AWS)
    assert [e.type for e in execution.history] == [
        "ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunSucceeded",
        "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
    assert [s.state for s in execution.steps] == ["Each"]
    (run,) = execution.map_runs
    assert run.arn == execution.history[3].details["mapRunArn"] and run.status == "SUCCEEDED"
    child = run.child(3)
    assert child.status == "SUCCEEDED" and child.input == {"n": 3} and child.output == {"n": 6}
    assert [e.type for e in child.history] == ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                                               "ExecutionSucceeded"]
    assert [s.state for s in child.steps] == ["Double"] and child.steps[0].trace["output"] == {"n": 6}
    counts = run.describe()["executionCounts"]
    assert counts["succeeded"] == 5 and counts["total"] == 5 and counts["failed"] == counts["pending"] == 0


def test_express_children_keep_counts_unless_histories_are_asked_for():
    execution = dmap("EXPRESS").run(ITEMS)
    (run,) = execution.map_runs
    assert run.counts["SUCCEEDED"] == 5 and run.executions == {}
    with pytest.raises(KeyError, match="Express child executions keep no history"):
        run.child(0)
    kept = dmap("EXPRESS").run(ITEMS, child_histories=True)  # what a Stepper or a diagram asks for
    assert [e.type for e in kept.map_runs[0].child(4).history][-1] == "ExecutionSucceeded"
    none = dmap("STANDARD").run(ITEMS, child_histories=False)
    assert none.map_runs[0].executions == {} and none.output == execution.output


def test_failed_children_are_counted_with_their_error():
    states = {"Check": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 2, "Next": "Bad"}],
                        "Default": "Good"},
              "Good": {"Type": "Pass", "End": True},
              "Bad": {"Type": "Fail", "Error": "Item.Bad", "Cause": "two"}}
    execution = dmap("EXPRESS", states, ToleratedFailureCount=1).run(ITEMS)
    assert execution.status == "SUCCEEDED"
    run = execution.map_runs[0]
    assert run.failures == {2: ("Item.Bad", "two")} and run.counts["FAILED"] == 1 and run.counts["SUCCEEDED"] == 4
    assert execution.root.fan is None  # the Map is done; its children are gone with it


def test_finished_children_are_let_go_while_the_map_runs():
    execution = dmap("EXPRESS", MaxConcurrency=2).start({"items": [{"n": i} for i in range(50)]})
    while execution.root.fan is None or execution.root.fan.done < 10:
        execution.advance()
    fan = execution.root.fan
    finished = [c for c in fan.children if c is FINISHED]
    assert len(finished) == fan.done and len(fan.active) <= 2  # the frames of ended children are dropped
    assert execution.run().output == [{"n": 2 * i} for i in range(50)]


def test_defaults_and_limits_are_those_of_a_child_execution():
    execution = dmap("EXPRESS").start(ITEMS)
    while execution.root.fan is None:
        execution.advance()
    assert execution.root.fan.limit == DISTRIBUTED_CONCURRENCY == 10_000  # AWS's default (docs)
    # max_transitions guards the parent's own loop; each child is an execution of its own
    many = dmap("EXPRESS").run({"items": [{"n": i} for i in range(30)]}, max_transitions=5)
    assert many.status == "SUCCEEDED" and many.transitions == 31 and many.child_transitions == 30


def test_back_and_redrive_keep_working_with_let_go_children():
    machine = dmap("STANDARD")
    execution = machine.start(ITEMS)
    while execution.root.fan is None or execution.root.fan.done < 2:
        execution.advance()
    snapshot = execution.snapshot()
    finished = execution.run().output
    execution.restore(snapshot)
    assert execution.root.fan.done == 2 and execution.run().output == finished
