"""Standard vs Express, cost, logs, Redrive and durable runs (stepfn_lab.runtime.billing/logs/redrive/durable)."""

import subprocess
import sys
import textwrap

import pytest

import stepfn_lab as sfl
from stepfn_lab.errors import DefinitionError, ExecutionError

FN = "arn:aws:lambda:us-east-1:123456789012:function:"
ORDER = {"StartAt": "Reserve", "States": {
    "Reserve": {"Type": "Task", "Resource": FN + "reserve", "Next": "Pause"},
    "Pause": {"Type": "Wait", "Seconds": 400, "Next": "Done"},
    "Done": {"Type": "Succeed"}}}


def handlers(log):
    return {"reserve": lambda event, context: log.append(event) or {"reserved": True}}


def test_the_same_definition_as_standard_and_express():
    log = []
    standard = sfl.StateMachine.from_json(ORDER, name="Orders").run({"id": 1}, lambdas=handlers(log))
    express = sfl.StateMachine.from_json(ORDER, name="Orders", workflow_type="EXPRESS").run(
        {"id": 1}, lambdas=handlers(log))
    assert standard.status == "SUCCEEDED" and standard.duration == 400
    assert express.status == "TIMED_OUT" and express.duration == 300  # the 5-minute limit, virtually
    assert standard.get_execution_history()["events"]
    with pytest.raises(ExecutionError):
        express.get_execution_history()
    assert [r["type"] for r in express.logs("FATAL")] == ["ExecutionTimedOut"]
    assert len(express.logs("ALL")) == len(express.history) and express.logs("OFF") == []
    assert ":express:Orders:" in express.arn


def test_express_rejects_callbacks_and_sync_jobs_at_creation():
    wait = {"StartAt": "T", "States": {"T": {"Type": "Task", "End": True,
                                             "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken"}}}
    with pytest.raises(DefinitionError):
        sfl.StateMachine.from_json(wait, workflow_type="EXPRESS")
    sfl.StateMachine.from_json(wait)  # fine for Standard


def test_at_least_once_versus_at_most_once():
    quick = {"StartAt": "Reserve", "States": {"Reserve": {"Type": "Task", "Resource": FN + "reserve", "End": True}}}
    machine = sfl.StateMachine.from_json(quick, workflow_type="EXPRESS")
    log = []
    runs = [machine.run({"n": i}, lambdas=handlers(log), redelivery_rate=0.5, seed=i) for i in range(10)]
    assert any(r.deliveries["Reserve"] == 2 for r in runs) and any(r.deliveries["Reserve"] == 1 for r in runs)
    assert len(log) == sum(r.deliveries["Reserve"] for r in runs)
    sync = machine.start_sync_execution({"n": 1}, lambdas=handlers(log))
    assert sync.deliveries == {"Reserve": 1} and sync.status == "SUCCEEDED"
    with pytest.raises(ExecutionError):
        machine.run({}, lambdas=handlers(log), redelivery_rate=0.5, sync=True)
    with pytest.raises(ExecutionError):
        sfl.StateMachine.from_json(quick).start_sync_execution({})


def test_cost():
    log = []
    standard = sfl.StateMachine.from_json(ORDER).run({}, lambdas=handlers(log)).cost()
    assert standard.total_usd == pytest.approx(3 * 0.025 / 1000)
    assert standard.per_month(1000) == pytest.approx((3000 - 4000 if 3000 > 4000 else 0) * 0.000025)
    assert standard.per_month(10_000) == pytest.approx((30_000 - 4000) * 0.025 / 1000)
    quick = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    express = sfl.StateMachine.from_json(quick, workflow_type="EXPRESS").run({}).cost()
    assert express.total_usd == pytest.approx(1e-6 + 0.1 * 64 / 1024 * 0.00001667)
    assert "64 MB" in str(express)


def test_redrive_runs_only_what_failed():
    state = {"broken": True}
    calls = []

    def work(item, context):
        calls.append(item)
        if state["broken"] and item == 2:
            raise ValueError("item 2 broke")
        return item * 10
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "MaxConcurrency": 1, "End": True,
        "ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FN + "work", "End": True}}}}}}
    ex = sfl.StateMachine.from_json(definition).run([1, 2, 3], lambdas={"work": work})
    assert ex.status == "FAILED"
    state["broken"] = False
    ex.redrive().run()
    assert ex.status == "SUCCEEDED" and ex.output == [10, 20, 30]
    assert calls == [1, 2, 2, 3]  # item 1 is not run again
    assert ex.history.types.count("ExecutionRedriven") == 1 and ex.redrive_count == 1
    with pytest.raises(ExecutionError):
        ex.redrive()


def test_durable_run_survives_its_process(tmp_path):
    store = tmp_path / "runs.db"
    first = textwrap.dedent(f"""
        import stepfn_lab as sfl
        d = {{"StartAt": "Nap", "States": {{"Nap": {{"Type": "Wait", "Seconds": 3600, "Next": "Ask"}},
             "Ask": {{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                      "Parameters": {{"FunctionName": "notify", "Payload": {{"t.$": "$$.Task.Token"}}}},
                      "Next": "Done"}}, "Done": {{"Type": "Succeed"}}}}}}
        m = sfl.StateMachine.from_json(d, name="Approval")
        e = m.start({{"order": 7}}, store={str(store)!r}, lambdas={{"notify": lambda ev, c: {{}}}})
        e.run(until=60)
        print(e.arn)
    """)
    arn = subprocess.run([sys.executable, "-c", first], capture_output=True, text=True, check=True).stdout.strip()
    second = textwrap.dedent(f"""
        import stepfn_lab as sfl
        e = sfl.load_execution({arn!r}, store={str(store)!r}, lambdas={{"notify": lambda ev, c: {{}}}})
        assert e.status == "RUNNING" and e.current == [("", "Nap", "exit")], e.current
        e.run()
        print(list(e.tokens)[0])
    """)
    token = subprocess.run([sys.executable, "-c", second], capture_output=True, text=True,
                           check=True).stdout.strip()
    ex = sfl.load_execution(arn, store=str(store))
    ex.send_task_success(token, {"approved": True}).run()
    assert ex.status == "SUCCEEDED" and ex.output == {"approved": True} and ex.duration == 3600
    assert ex.history.types[:3] == ["ExecutionStarted", "WaitStateEntered", "WaitStateExited"]
    again = sfl.load_execution(arn, store=str(store))
    assert again.status == "SUCCEEDED" and len(again.history) == len(ex.history)


def test_an_endless_express_loop_times_out_at_five_minutes_of_virtual_time():
    loop = {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "E"}], "Default": "A"},
        "E": {"Type": "Succeed"}}}
    ex = sfl.StateMachine.from_json(loop, workflow_type="EXPRESS").run({})
    assert ex.status == "TIMED_OUT" and ex.clock.now == 300
    assert ex.transitions == 30_001  # 10 ms of virtual time per Express state (Design note in engine.py)
    short = sfl.StateMachine.from_json(loop, workflow_type="EXPRESS").run({"stop": 1})
    assert short.status == "SUCCEEDED" and short.duration == pytest.approx(0.03)


def test_a_saved_map_run_keeps_counting_its_items(tmp_path):
    machine = sfl.StateMachine.from_json({"StartAt": "M", "States": {"M": {
        "Type": "Map", "MaxConcurrency": 1, "End": True,
        "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}}}}}},
        name="Counted")
    store = str(tmp_path / "runs.db")
    ex = machine.start([1, 2, 3], store=store).run(until=7)  # one item done, the second waiting
    assert ex.fanned["items"] == [1, 3]
    ex.close()  # one owner at a time: hand the run over
    again = sfl.load_execution(ex.arn, store=store).run()
    assert again.status == "SUCCEEDED" and again.fanned == {"items": [3, 3], "child executions": [0, 0]}


# --- Express runs keep what their log level keeps -------------------------------------------

FLAKY_EXPRESS = {"StartAt": "Try", "States": {
    "Try": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:boom",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}], "Next": "Done"},
    "Done": {"Type": "Pass", "End": True}}}


def _boom(event, context):
    raise ValueError("no")


def test_an_express_run_keeps_what_its_log_level_logs():
    full = sfl.StateMachine.from_json(FLAKY_EXPRESS, workflow_type="EXPRESS").run({}, lambdas={"boom": _boom})
    lean = sfl.StateMachine.from_json(FLAKY_EXPRESS, workflow_type="EXPRESS", log_level="error").run(
        {}, lambdas={"boom": _boom})
    assert lean.status == full.status == "SUCCEEDED" and lean.output == full.output
    assert [e.type for e in lean.history] == ["LambdaFunctionFailed"]  # what level ERROR logs
    kept = lean.history[0]
    twin = next(e for e in full.history if e.type == "LambdaFunctionFailed")
    assert (kept.id, kept.previous_event_id) == (twin.id, twin.previous_event_id)  # ids count every event
    assert len(lean.history) == len(full.history) and lean.duration == full.duration
    assert lean.steps == [] and full.steps  # no step records at a level below ALL
    assert lean.logs("ERROR") == full.logs("ERROR")
    with pytest.raises(sfl.StepFnLabError, match="log_level='ERROR'"):
        lean.logs("ALL")


def test_log_level_off_keeps_no_event_and_standard_keeps_all():
    machine = sfl.StateMachine.from_json(FLAKY_EXPRESS, workflow_type="EXPRESS")
    off = machine.run({}, lambdas={"boom": _boom}, log_level="OFF")
    assert off.status == "SUCCEEDED" and list(off.history) == [] and len(off.history) > 0 and off.logs("OFF") == []
    standard = sfl.StateMachine.from_json(FLAKY_EXPRESS, log_level="OFF").run({}, lambdas={"boom": _boom})
    assert len(list(standard.history)) == len(standard.history)  # Standard keeps its history on AWS
    with pytest.raises(sfl.StepFnLabError, match="log_level must be one of ALL, ERROR, FATAL, OFF"):
        machine.start({}, log_level="DEBUG")
