"""stepfn_lab.runtime.engine: every state type, data flow, errors, Parallel/Map, stepping."""

import pytest

import stepfn_lab as sfl
from stepfn_lab import DefinitionError
from stepfn_lab.errors import ExecutionError

FN = "arn:aws:lambda:us-east-1:123456789012:function:"


def machine(states, start=None, **kwargs):
    return sfl.StateMachine.from_json({"StartAt": start or next(iter(states)), "States": states}, **kwargs)


def test_pass_data_flow_and_trace():
    m = machine({"P": {"Type": "Pass", "InputPath": "$.order", "Parameters": {"id.$": "$.id", "src": "web"},
                       "ResultPath": "$.copy", "OutputPath": "$.copy", "End": True}})
    ex = m.start({"order": {"id": 7}})
    step = ex.step()
    assert ex.status == "SUCCEEDED" and ex.output == {"id": 7, "src": "web"}
    assert step.trace["afterInputPath"] == {"id": 7}
    assert step.trace["afterParameters"] == {"id": 7, "src": "web"}
    assert step.trace["afterResultPath"] == {"order": {"id": 7}, "copy": {"id": 7, "src": "web"}}
    assert step.trace.changed()[0] == "input"


def test_pass_result_is_literal():
    ex = machine({"P": {"Type": "Pass", "Result": {"k.$": "$.not.evaluated"}, "End": True}}).run({})
    assert ex.output == {"k.$": "$.not.evaluated"}


def test_result_path_null_keeps_input():
    ex = machine({"P": {"Type": "Pass", "Result": 1, "ResultPath": None, "End": True}}).run({"a": 1})
    assert ex.output == {"a": 1}


def test_choice_and_default_and_no_match():
    states = {"C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 5, "Next": "Big"}],
                    "Default": "Small"},
              "Big": {"Type": "Pass", "Result": "big", "End": True},
              "Small": {"Type": "Pass", "Result": "small", "End": True}}
    m = machine(states)
    assert m.run({"n": 9}).output == "big"
    assert m.run({"n": 1}).output == "small"
    no_default = machine({"C": {"Type": "Choice", "Choices": [
        {"Variable": "$.n", "NumericEquals": 1, "Next": "E"}]}, "E": {"Type": "Succeed"}})
    ex = no_default.run({"n": 2})
    assert ex.status == "FAILED" and ex.error == "States.NoChoiceMatched"


def test_wait_one_hour_costs_no_time(monkeypatch):
    import time

    def no_sleeping(seconds):
        raise AssertionError(f"the run slept {seconds} s of real time")

    monkeypatch.setattr(time, "sleep", no_sleeping)
    m = machine({"W": {"Type": "Wait", "Seconds": 3600, "End": True}})
    ex = m.run({})
    assert ex.duration == 3600 and ex.history[-1].timestamp.isoformat().startswith("2026-01-01T13:00")


def test_wait_timestamp_and_bad_seconds_path():
    m = machine({"W": {"Type": "Wait", "TimestampPath": "$.at", "End": True}})
    assert m.run({"at": "2026-01-01T12:30:00Z"}).duration == 1800
    bad = m.run({"at": "2026-01-01 12:30:00Z"})
    assert bad.error == "States.Runtime" and "ISO-8601" in bad.cause
    neg = machine({"W": {"Type": "Wait", "SecondsPath": "$.s", "End": True}}).run({"s": -1})
    assert neg.cause.endswith("The SecondsPath parameter references a negative value: $.s == -1")


def test_fail_state():
    ex = machine({"F": {"Type": "Fail", "Error": "Oops", "Cause": "because"}}).run({})
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "Oops", "because")
    assert ex.history.types[-2:] == ["FailStateEntered", "ExecutionFailed"]


def test_task_lambda_by_name_and_error_payload():
    def boom(event, context):
        raise ValueError("no stock")
    m = machine({"T": {"Type": "Task", "Resource": FN + "Check", "End": True}})
    assert m.run({"a": 1}, lambdas={"Check": lambda e, c: {"ok": e["a"]}}).output == {"ok": 1}
    ex = m.run({}, lambdas={"Check": boom})
    assert ex.error == "ValueError"
    assert ex.cause.startswith('{"errorMessage": "no stock", "errorType": "ValueError"')
    assert "LambdaFunctionFailed" in ex.history.types


def test_missing_handler_is_a_clear_failure():
    ex = machine({"T": {"Type": "Task", "Resource": FN + "Chek", "End": True}}).run({}, lambdas={"Check": print})
    assert ex.status == "FAILED" and "did you mean 'Check'" in ex.cause


def test_retry_backoff_on_the_virtual_clock_then_catch():
    calls = []

    def flaky(event, context):
        calls.append(1)
        raise RuntimeError("busy")
    states = {"T": {"Type": "Task", "Resource": FN + "flaky", "Next": "Ok",
                    "Retry": [{"ErrorEquals": ["RuntimeError"], "IntervalSeconds": 2, "MaxAttempts": 3,
                               "BackoffRate": 3}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Handled"}]},
              "Ok": {"Type": "Succeed"}, "Handled": {"Type": "Pass", "End": True}}
    ex = machine(states).run({"x": 1}, lambdas={"flaky": flaky})
    assert len(calls) == 4
    assert ex.duration == 2 + 6 + 18
    assert ex.output["err"]["Error"] == "RuntimeError" and ex.output["x"] == 1
    # one step record per attempt: three retried attempts, then the fourth caught
    assert [(s.status, s.attempt, s.retry_in) for s in ex.steps[:4]] == [
        ("RETRYING", 1, 2), ("RETRYING", 2, 6), ("RETRYING", 3, 18), ("CAUGHT_ERROR", 4, None)]
    assert ex.steps[4].state == "Handled" and ex.steps[4].error is None


def test_states_runtime_is_never_caught():
    states = {"P": {"Type": "Pass", "InputPath": "$.missing", "Next": "E"}, "E": {"Type": "Succeed"}}
    ex = machine(states).run({})
    assert ex.error == "States.Runtime"
    assert ex.cause.startswith("An error occurred while executing the state 'P' (entered at the event id #2).")


def test_parallel_results_in_branch_order_and_time_is_the_longest_branch():
    def branch(secs, val):  # state names are unique across the whole machine
        return {"StartAt": f"W{val}", "States": {
            f"W{val}": {"Type": "Wait", "Seconds": secs, "Next": f"R{val}"},
            f"R{val}": {"Type": "Pass", "Result": val, "End": True}}}
    m = machine({"Par": {"Type": "Parallel", "Branches": [branch(30, "slow"), branch(5, "fast")], "End": True}})
    ex = m.run({})
    assert ex.output == ["slow", "fast"]
    assert ex.duration == 30


def test_map_with_item_selector_and_context():
    m = machine({"M": {"Type": "Map", "ItemsPath": "$.xs", "MaxConcurrency": 2,
                       "ItemSelector": {"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value"},
                       "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                       "End": True}})
    ex = m.run({"xs": ["a", "b", "c"]})
    assert ex.output == [{"i": 0, "v": "a"}, {"i": 1, "v": "b"}, {"i": 2, "v": "c"}]
    assert ex.history.types.count("MapIterationSucceeded") == 3


def test_map_tolerated_failures():
    fail_odd = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 1, "Next": "F"}], "Default": "P"},
        "F": {"Type": "Fail", "Error": "Odd"}, "P": {"Type": "Pass", "End": True}}}
    tolerant = machine({"M": {"Type": "Map", "ToleratedFailureCount": 1, "ItemProcessor": fail_odd, "End": True}})
    assert tolerant.run([0, 1, 2]).status == "SUCCEEDED"
    strict = machine({"M": {"Type": "Map", "ItemProcessor": fail_odd, "End": True}})
    assert strict.run([0, 1, 2]).error == "Odd"


def test_distributed_map_at_the_default_tolerance_fails_with_the_threshold_error():
    fail_odd = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 1, "Next": "F"}], "Default": "P"},
        "F": {"Type": "Fail", "Error": "Odd"}, "P": {"Type": "Pass", "End": True}}}
    ex = machine({"M": {"Type": "Map", "ItemProcessor": fail_odd, "End": True}}).run([0, 1, 2])
    assert (ex.error, ex.cause) == ("States.ExceedToleratedFailureThreshold",
                                    "The specified tolerated failure threshold was exceeded")
    failed = [e for e in ex.history if e.type == "MapRunFailed"]
    assert failed[0].details["error"] == "States.ExceedToleratedFailureThreshold"


def test_step_back_with_snapshots():
    m = machine({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Result": 2, "End": True}})
    ex = m.start({})
    before = ex.snapshot()
    assert ex.step().state == "A"
    assert ex.step().state == "B" and ex.status == "SUCCEEDED"
    ex.restore(before)
    assert ex.status == "RUNNING" and len(ex.history) == 1 and ex.steps == []
    assert ex.run().output == 2


def test_variables_assign_and_scopes():
    m = machine({"A": {"Type": "Pass", "Assign": {"total": 5}, "Next": "B"},
                 "B": {"Type": "Pass", "Parameters": {"t.$": "$total"}, "End": True}})
    ex = m.run({})
    assert ex.output == {"t": 5}
    assert ex.history[2].details["assignedVariables"] == {"total": 5}
    assert ex.steps[0].variables_after == {"total": 5} and ex.steps[0].variables_before == {}


def test_definition_errors_list_every_problem():
    with pytest.raises(DefinitionError) as info:
        sfl.StateMachine.from_json({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nope"}}})
    assert "Nope" in str(info.value)


def test_standard_names_are_unique():
    m = machine({"A": {"Type": "Succeed"}})
    m.run({}, name="once")
    with pytest.raises(ExecutionError):
        m.run({}, name="once")


def test_endless_loop_stops_with_a_clear_error():
    m = machine({"A": {"Type": "Pass", "Next": "C"},
                 "C": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "E"}],
                       "Default": "A"}, "E": {"Type": "Succeed"}}, workflow_type="EXPRESS")
    ex = m.run({}, max_transitions=500)
    assert ex.status == "FAILED" and "endless loop" in ex.cause
    standard = machine({"A": {"Type": "Pass", "Next": "C"},
                        "C": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "E"}],
                              "Default": "A"}, "E": {"Type": "Succeed"}}).run({})
    assert standard.status == "FAILED" and "25000" in standard.cause and len(standard.history) == 25001


def test_payload_quota():
    m = machine({"P": {"Type": "Pass", "Parameters": {"big.$": "States.ArrayRange(1, 999, 1)", "s.$": "$.s"},
                       "End": True}})
    ex = m.run({"s": "x" * 260_000})
    assert ex.error == "States.DataLimitExceeded"


def test_callback_pauses_and_resumes():
    m = machine({"Ask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                         "Parameters": {"FunctionName": "notify", "Payload": {"t.$": "$$.Task.Token"}},
                         "HeartbeatSeconds": 60, "TimeoutSeconds": 600, "End": True}})
    seen = []
    ex = m.run({}, lambdas={"notify": lambda e, c: seen.append(e["t"]) or {}})
    assert ex.status == "RUNNING" and ex.waiting and list(ex.tokens) == seen
    ex.send_task_success(seen[0], {"ok": True}).run()
    assert ex.output == {"ok": True}
    late = m.run({}, lambdas={"notify": lambda e, c: {}})
    assert late.status == "RUNNING"  # time does not run while the workflow waits for a person
    with pytest.raises(ExecutionError):
        late.send_task_success("not-a-token", {})
    late.run(until=120)  # let two virtual minutes pass: the 60 s heartbeat expires
    assert late.error == "States.HeartbeatTimeout" and late.clock.now == 60


def test_a_retry_sees_its_own_retry_count():
    seen = []

    def flaky(event, context):
        seen.append(event["attempt"])
        if len(seen) < 3:
            raise RuntimeError("busy")
        return event
    m = machine({"T": {"Type": "Task", "Resource": FN + "flaky", "Parameters": {"attempt.$": "$$.State.RetryCount"},
                       "Retry": [{"ErrorEquals": ["RuntimeError"], "MaxAttempts": 5}], "End": True}})
    assert m.run({}, lambdas={"flaky": flaky}).output == {"attempt": 2}
    assert seen == [0, 1, 2]


def test_variable_rules_no_shadowing_and_size_limits():
    shadow = machine({"A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "P"},
                      "P": {"Type": "Parallel", "End": True, "Branches": [
                          {"StartAt": "B", "States": {"B": {"Type": "Pass", "Assign": {"x": 2}, "End": True}}}]}})
    ex = shadow.run({})
    assert ex.status == "FAILED" and "cannot be shadowed" in ex.cause
    reads = machine({"A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "P"},
                     "P": {"Type": "Parallel", "End": True, "Branches": [
                         {"StartAt": "B", "States": {"B": {"Type": "Pass", "Parameters": {"seen.$": "$x"},
                                                           "End": True}}}]}})
    assert reads.run({}).output == [{"seen": 1}]
    big = machine({"A": {"Type": "Pass", "Assign": {"blob.$": "$.s"}, "End": True}})
    assert big.run({"s": "x" * 200_000}).status == "SUCCEEDED"
    two = machine({"A": {"Type": "Pass", "Assign": {"a.$": "$.s", "b.$": "$.s"}, "End": True}})
    failed = two.run({"s": "x" * 200_000})
    assert failed.error == "States.DataLimitExceeded" and "one Assign may store" in failed.cause


def test_previous_event_ids_follow_each_iteration_and_branch():
    pim = machine({"EachOrder": {"Type": "Map", "End": True, "ItemProcessor": {"StartAt": "Both", "States": {
        "Both": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "S", "States": {"S": {"Type": "Pass", "End": True}}},
            {"StartAt": "C", "States": {"C": {"Type": "Pass", "End": True}}}]}}}}})
    ex = pim.run([1, 2, 3])
    by_id = {e.id: e for e in ex.history}

    def iteration_of(event):
        while event.type != "MapIterationStarted":
            if event.previous_event_id == 0:
                return None
            event = by_id[event.previous_event_id]
        return event.details["index"]
    for event in ex.history:
        if event.type in ("ParallelStateExited", "MapIterationSucceeded") or event.frame:
            assert iteration_of(event) == int(event.frame.split("[")[1].split("]")[0]) if event.frame else True
    exits = [e for e in ex.history if e.type == "ParallelStateExited"]
    assert sorted(iteration_of(e) for e in exits) == [0, 1, 2]


def test_run_until_moves_the_clock_when_nothing_is_due_before():
    m = machine({"Ask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                         "Parameters": {"FunctionName": "notify", "Payload": {"t.$": "$$.Task.Token"}},
                         "HeartbeatSeconds": 600, "End": True}})
    tokens = []
    ex = m.run({}, lambdas={"notify": lambda e, c: tokens.append(e["t"]) or {}})
    ex.run(until=500)
    assert ex.status == "RUNNING" and ex.clock.now == 500
    ex.send_task_heartbeat(tokens[0])  # sent at t=500: the next 600 s count from there
    ex.run(until=1000)
    assert ex.status == "RUNNING" and ex.clock.now == 1000
    ex.run(until=2000)
    assert ex.error == "States.HeartbeatTimeout" and ex.clock.now == 1100


def test_run_until_past_the_execution_timeout_times_out_at_the_timeout():
    m = sfl.StateMachine.from_json({"StartAt": "Ask", "TimeoutSeconds": 300, "States": {
        "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}}, "End": True}}})
    ex = m.run({}).run(until=1000)
    assert ex.status == "TIMED_OUT" and ex.clock.now == 300


def test_execution_and_state_machine_names_follow_aws_rules():
    with pytest.raises(DefinitionError, match="InvalidName"):
        machine({"P": {"Type": "Pass", "End": True}}, name="my machine")
    m = machine({"P": {"Type": "Pass", "End": True}}, name="Orders-2025_v1")
    for bad in ("order 1", "a/b", "x" * 81, ""):
        with pytest.raises(ExecutionError, match="InvalidName: Invalid Name"):
            m.run({}, name=bad)
    assert m.run({}, name="pedido-ção-1").status == "SUCCEEDED"  # non-ASCII letters are allowed


def _deep(depth):
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_inputs_that_are_not_json_are_refused_as_aws_refuses_them():
    from stepfn_lab.asl.source import DEPTH_LIMIT
    m = machine({"P": {"Type": "Pass", "End": True}})
    assert m.run(_deep(DEPTH_LIMIT)).status == "SUCCEEDED"
    for bad, words in ((_deep(3000), f"nested more than {DEPTH_LIMIT} levels"), ({"x": float("nan")}, "at /x"),
                       ({"x": {1, 2}}, "Object of type set")):
        with pytest.raises(ExecutionError, match="InvalidExecutionInput") as info:
            m.run(bad)
        assert words in str(info.value)


def test_lone_surrogates_in_the_input_run_like_any_text():
    m = machine({"P": {"Type": "Pass", "Parameters": {"echo.$": "States.Format('{}!', $.s)"}, "End": True}})
    run = m.run({"s": "\ud800"})
    assert run.status == "SUCCEEDED" and run.output == {"echo": "\ud800!"}


def test_a_state_output_past_the_depth_limit_fails_the_state_cleanly():
    m = machine({"P": {"Type": "Pass", "Parameters": {"v.$": "States.StringToJson($.text)"}, "End": True}})
    run = m.run({"text": "[" * 400 + "]" * 400})
    assert run.status == "FAILED" and run.error == "States.Runtime" and run.internal_error is None
    assert "nested" in run.cause


def test_callback_output_must_be_json():
    m = machine({"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                       "Parameters": {"FunctionName": "f", "Payload": {"t.$": "$$.Task.Token"}}, "End": True}})
    run = m.run({}, lambdas={"f": lambda event: {}})
    token = list(run.tokens)[0]
    with pytest.raises(ExecutionError, match="InvalidOutput"):
        run.send_task_success(token, {"x": float("inf")})
    assert run.send_task_success(token, {"ok": True}).run().output == {"ok": True}


def test_running_the_kit_changes_no_process_wide_state(tmp_path):
    import subprocess
    import sys
    from pathlib import Path
    code = f"""
import decimal, locale, logging, os, random, signal, socket, sys, threading, warnings
def snapshot():
    return dict(recursion=sys.getrecursionlimit(), warnings=list(warnings.filters),
                locale=locale.setlocale(locale.LC_ALL), decimal=str(decimal.getcontext()),
                environ=dict(os.environ), random=random.getstate(), switch=sys.getswitchinterval(),
                signals={{s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}},
                logging=(logging.root.level, list(logging.root.handlers)), stack=threading.stack_size(),
                hooks=(sys.excepthook, sys.displayhook), timeout=socket.getdefaulttimeout(), cwd=os.getcwd(),
                int_digits=sys.get_int_max_str_digits())
before = snapshot()
import stepfn_lab as sfl
d = {{"QueryLanguage": "JSONata", "StartAt": "A", "States": {{
    "A": {{"Type": "Pass", "Output": "{{% $string($now()) & $random() & $formatNumber(3.5, '#0.0') & $uuid() %}}",
          "Next": "B"}},
    "B": {{"Type": "Map", "Items": "{{% [1, 2] %}}", "ItemProcessor": {{"StartAt": "C", "States": {{
          "C": {{"Type": "Pass", "End": True}}}}}}, "Next": "D"}},
    "D": {{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Arguments": {{"FunctionName": "f", "Payload": "{{% $states.input %}}"}}, "End": True}}}}}}
m = sfl.StateMachine.from_json(d)
assert m.run({{}}, lambdas={{"f": lambda event: event}}).status == "SUCCEEDED"
sfl.validate(d)
sfl.inspect_state(d, {{}}, state_name="A")
e = sfl.StateMachine.from_json({{"StartAt": "P", "States": {{"P": {{"Type": "Pass", "End": True}}}}}}).start(
    {{}}, store={str(tmp_path / "runs.db")!r})
e.run()
sfl.load_execution(e.arn, {str(tmp_path / "runs.db")!r})
after = snapshot()
print([k for k in before if before[k] != after[k]])
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**__import__("os").environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"


# --- a retry after the state's own input processing failed (found by the property suite) ----------

@pytest.mark.parametrize("state_type", ["Task", "Parallel", "Map"])
def test_a_retry_after_failed_input_processing_evaluates_the_input_again(state_type):
    state = {"Type": state_type, "End": True, "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}]}
    if state_type == "Task":
        state.update(Resource="arn:aws:lambda:us-east-1:123456789012:function:work",
                     Arguments="{% $states.input.missing.deeper + 1 %}")
    elif state_type == "Parallel":
        state.update(Branches=[{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}],
                     Arguments='{% $error("boom") %}')
    else:  # Items defaults to the state's input, which is not an array
        state.update(ItemProcessor={"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    machine = sfl.StateMachine.from_json({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": state}})
    calls = []
    execution = machine.run({"a": 1}, lambdas={"work": lambda event, context: calls.append(event) or event})
    # each try evaluates the input again and fails again: the work never runs with a stale or missing input
    assert (execution.status, execution.error, execution.internal_error) == ("FAILED", "States.QueryEvaluationError", None)
    assert [e.type for e in execution.history].count("EvaluationFailed") == 3 and calls == []


def test_without_validation_a_field_no_run_can_use_is_still_refused():
    # validate=False skips AWS's checks, but not a value of the wrong JSON type or out of range
    for field, value in (("ItemBatcher", [1]), ("ItemReader", "x"), ("ToleratedFailurePercentage", 10 ** 400)):
        state = {"Type": "Map", "ItemsPath": "$.items", "End": True, field: value,
                 "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}
        with pytest.raises(DefinitionError) as info:
            sfl.StateMachine.from_json({"StartAt": "A", "States": {"A": state}}, validate=False)
        assert info.value.problems[0].location == f"/States/A/{field}"
    # what AWS would refuse but a run can use still runs: an unknown field and an unreachable state
    loose = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, "Note": 1},
                                        "B": {"Type": "Pass", "End": True}}}
    assert sfl.StateMachine.from_json(loose, validate=False).run({}).status == "SUCCEEDED"
