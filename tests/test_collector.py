"""stepfn_lab.runtime.collector: fewer garbage collections during a run, nothing left changed after."""

import gc

import pytest

import stepfn_lab as sfl
from stepfn_lab.runtime.collector import YOUNG_THRESHOLD, fewer_collections

LOOP = {"StartAt": "Spin", "States": {
    "Spin": {"Type": "Pass", "Next": "Check"},
    "Check": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "Done"}],
              "Default": "Spin"},
    "Done": {"Type": "Succeed"}}}


def test_a_run_raises_the_threshold_and_restores_it():
    before = gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()
    seen = {}

    def peek(event, context):
        seen["threshold"] = gc.get_threshold()[0]
        seen["frozen"] = gc.get_freeze_count()
        return event
    machine = sfl.StateMachine.from_json({"StartAt": "Peek", "States": {"Peek": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:peek", "End": True}}})
    assert machine.run({}, lambdas={"peek": peek}).status == "SUCCEEDED"
    assert seen["threshold"] >= YOUNG_THRESHOLD and seen["frozen"] > 0  # raised and frozen while running
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == before


def test_settings_come_back_after_an_error_and_when_nested():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError):
        with fewer_collections():
            with fewer_collections():
                assert gc.get_threshold()[0] >= YOUNG_THRESHOLD
            assert gc.get_threshold()[0] >= YOUNG_THRESHOLD  # the outer run still has it
            raise RuntimeError("boom")
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_an_owners_settings_are_respected():
    before = gc.get_threshold()
    try:
        gc.set_threshold(0)  # automatic collection switched off by the owner: stays off
        with fewer_collections():
            assert gc.get_threshold()[0] == 0
        assert gc.get_threshold()[0] == 0
        gc.set_threshold(*before)
        gc.freeze()  # objects frozen by the owner stay frozen after the run
        frozen = gc.get_freeze_count()
        sfl.StateMachine.from_json(LOOP).start({}).run(max_events=50)
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_garbage_cycles_made_during_a_run_are_collected_during_it():
    import weakref
    refs = []

    class Node:
        pass

    def make(event, context):
        node = Node()
        node.self = node  # a reference cycle: only the collector frees it
        refs.append(weakref.ref(node))
        return {"i": 0}

    def check(event, context):
        return {"collected": refs[0]() is None}
    lam = "arn:aws:lambda:us-east-1:123456789012:function:"
    machine = sfl.StateMachine.from_json({"StartAt": "Make", "States": {
        "Make": {"Type": "Task", "Resource": lam + "make", "Next": "Loop"},
        "Loop": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericGreaterThanEquals": 7_000,
                                                 "Next": "Check"}], "Default": "Inc"},
        "Inc": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Loop"},
        "Check": {"Type": "Task", "Resource": lam + "check", "End": True}}}, workflow_type="EXPRESS")
    execution = machine.run({}, lambdas={"make": make, "check": check})
    assert execution.output == {"collected": True}
