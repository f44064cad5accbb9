"""stepfn_lab.runtime.invoke: callback tokens and the lambda:invoke integration as AWS answers it."""

import base64
import json

import stepfn_lab as sfl

FN = "arn:aws:lambda:us-east-1:123456789012:function:"


def machine(states, start=None, **kwargs):
    return sfl.StateMachine.from_json({"StartAt": start or next(iter(states)), "States": states}, **kwargs)


def test_task_scheduled_records_the_real_callback_token():
    m = machine({"Ask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                         "Parameters": {"FunctionName": "notify", "Payload": {"t.$": "$$.Task.Token"}},
                         "Retry": [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 1}],
                         "TimeoutSeconds": 10, "End": True}})
    seen = []
    ex = m.run({}, lambdas={"notify": lambda e, c: seen.append(e["t"]) or {}})
    ex.run(until=100)  # the first attempt times out; the retry gets a token of its own
    scheduled = [e for e in ex.history if e.type == "TaskScheduled"]
    assert len(scheduled) == 2 and len(seen) == 2 and seen[0] != seen[1]
    for event, token in zip(scheduled, seen):
        assert token and event.details["parameters"]["Payload"] == {"t": token}


def test_a_handler_past_its_timeout_by_the_wall_clock_times_out_at_timeout_seconds_in_virtual_time():
    import time

    def slow(event, context):
        time.sleep(1.2)
        return event
    for resource, timed_out in ((FN + "slow", "LambdaFunctionTimedOut"),
                                ("arn:aws:states:::lambda:invoke", "TaskTimedOut")):
        m = machine({"T": {"Type": "Task", "Resource": resource, "TimeoutSeconds": 1,
                           "Parameters": {"FunctionName": "slow", "Payload": {}}, "End": True}})
        ex = m.run({}, lambdas={"slow": slow})
        assert ex.error == "States.Timeout"
        started = next(e for e in ex.history if e.type.endswith("Started") and e.type != "ExecutionStarted")
        event = next(e for e in ex.history if e.type == timed_out)
        assert event.at - started.at == 1 and ex.clock.now == 1
