"""stepfn_lab.runtime.history: AWS event types, ids and shapes."""

import stepfn_lab as sfl
from stepfn_lab.runtime.history import details_key

SEED_LIKE = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"x": 1}, "Next": "B"},
                                        "B": {"Type": "Succeed"}}}


def test_ids_and_previous_ids_chain():
    ex = sfl.StateMachine.from_json(SEED_LIKE).run({"in": 1})
    assert ex.history.types == ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                                "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"]
    assert [e.id for e in ex.history] == [1, 2, 3, 4, 5, 6]
    assert [e.previous_event_id for e in ex.history] == [0, 1, 2, 3, 4, 5]


def test_to_aws_shape():
    ex = sfl.StateMachine.from_json(SEED_LIKE).run({"in": 1})
    events = ex.history.to_aws()["events"]
    assert events[1]["stateEnteredEventDetails"] == {"name": "A", "input": '{"in":1}',
                                                     "inputDetails": {"truncated": False}}
    assert events[2]["stateExitedEventDetails"]["output"] == '{"x":1}'
    assert events[0]["timestamp"] == "2026-01-01T12:00:00.000Z"
    assert events[-1]["executionSucceededEventDetails"]["output"] == '{"x":1}'


def test_details_keys_follow_aws_names():
    assert details_key("FailStateEntered") == "stateEnteredEventDetails"
    assert details_key("MapIterationStarted") == "mapIterationStartedEventDetails"
    assert details_key("LambdaFunctionFailed") == "lambdaFunctionFailedEventDetails"


def test_table_is_stable_text():
    ex = sfl.StateMachine.from_json(SEED_LIKE).run({"in": 1})
    table = ex.history.table()
    assert table.splitlines()[0].split() == ["id", "prev", "elapsed", "type", "detail"]
    assert "PassStateExited      A output={\"x\":1}" in table
    assert table == sfl.StateMachine.from_json(SEED_LIKE).run({"in": 1}).history.table()


def test_compact_details_read_as_dicts():
    from stepfn_lab.runtime.history import NAME_INPUT, History, HistoryEvent
    from datetime import datetime, timezone
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    history = History(start)
    event = history.add(0, "PassStateEntered", 1.5, (NAME_INPUT, "Hi", {"a": 1}))
    assert isinstance(event, HistoryEvent)
    assert event.details == {"name": "Hi", "input": {"a": 1}} and event.state_name == "Hi"
    assert event.to_aws()["stateEnteredEventDetails"] == {"name": "Hi", "input": '{"a":1}',
                                                           "inputDetails": {"truncated": False}}
    assert event.timestamp == datetime(2025, 1, 1, 0, 0, 1, 500000, tzinfo=timezone.utc)
    assert not hasattr(event, "__dict__")  # slots only: the start time is kept once, on the class
    other = History(start).add(0, "ExecutionStarted", 0.0, {"input": {}})
    assert type(other) is type(event)  # one class per start time, shared by histories


def test_a_long_run_keeps_compact_events():
    machine = sfl.StateMachine.from_json({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": True}}})
    execution = machine.run({"x": 1})
    entered = execution.history[1]
    assert type(entered._details) is tuple  # what the engine stores for every state
    assert entered.details == {"name": "A", "input": {"x": 1}}
    assert [e.state_name for e in execution.history] == [None, "A", "A", "B", "B", None]


def test_an_empty_history_like_another_starts_at_the_same_time():
    from datetime import datetime, timezone
    from stepfn_lab.runtime.history import History
    parent = History(datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    parent.add(0, "ExecutionStarted", 0.0, {"input": {}})
    child = parent.empty()
    assert len(child) == 0 and child.events == [] and child.keep is None
    event = child.add(0, "ExecutionStarted", 1.5, {"input": {"n": 1}})
    assert (event.id, event.timestamp, len(parent)) == (1, datetime(2025, 1, 2, 3, 4, 6, 500000, tzinfo=timezone.utc), 1)
    assert type(event) is type(parent.events[0])  # the start is shared by the class, not stored per event
