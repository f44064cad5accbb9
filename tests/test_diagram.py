"""The diagram model: structure from a definition, colours from an AWS-shaped history.

Histories here are written by hand in GetExecutionHistory's JSON shape, with
``previousEventId`` chains as AWS links them (an inner ``*StateEntered`` points
at its ``MapIterationStarted``/``ParallelStateStarted``, then each event at the
previous one of its own branch), so the same code colours a real AWS history.
"""

from __future__ import annotations

import json

import pytest

from stepfn_lab.errors import DefinitionError
from stepfn_lab.views import diagram as d

# ---------------------------------------------------------------- AWS-shaped histories


def _details_key(event_type: str) -> str:
    if event_type.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if event_type.endswith("StateExited"):
        return "stateExitedEventDetails"
    return event_type[0].lower() + event_type[1:] + "EventDetails"


class AwsHistory:
    """Appends events as AWS writes them; ``chain(after)`` follows one branch."""

    def __init__(self) -> None:
        self.events: list[dict] = []

    def add(self, event_type: str, after: int, **details) -> int:
        ident = len(self.events) + 1
        event = {"timestamp": f"2024-05-01T12:{ident // 60:02d}:{ident % 60:02d}.000Z", "type": event_type,
                 "id": ident, "previousEventId": after}
        for key in ("input", "output"):
            if key in details and not isinstance(details[key], str):
                details[key] = json.dumps(details[key], separators=(",", ":"))
                details[key + "Details"] = {"truncated": False}
        if details:
            event[_details_key(event_type)] = details
        self.events.append(event)
        return ident

    def chain(self, after: int) -> Chain:
        return Chain(self, after)

    def start(self, input=None) -> Chain:
        first = self.add("ExecutionStarted", 0, input=input or {}, roleArn="arn:aws:iam::111111111111:role/sfn")
        return self.chain(first)

    def to_aws(self) -> dict:
        return {"events": self.events}


class Chain:
    """One branch of events: each new event points at the previous one of the branch."""

    def __init__(self, history: AwsHistory, after: int) -> None:
        self.history, self.last = history, after

    def __call__(self, event_type: str, **details) -> int:
        self.last = self.history.add(event_type, self.last, **details)
        return self.last

    def state(self, kind: str, name: str, output=None) -> None:
        self(f"{kind}StateEntered", name=name, input={})
        if kind != "Fail":
            self(f"{kind}StateExited", name=name, output=output if output is not None else {})

    def task(self, name: str, failures: tuple[str, ...] = (), succeed: bool = True, exit: bool = True,
             service: str = "LambdaFunction") -> None:
        self("TaskStateEntered", name=name, input={})
        for error in failures:
            self(f"{service}Scheduled", resource="arn:aws:lambda:us-east-1:111111111111:function:f", input="{}")
            self(f"{service}Started")
            self(f"{service}Failed", error=error, cause=f"{error} in {name}")
        if succeed:
            self(f"{service}Scheduled", resource="arn:aws:lambda:us-east-1:111111111111:function:f", input="{}")
            self(f"{service}Started")
            self(f"{service}Succeeded", output={})
        if exit:
            self("TaskStateExited", name=name, output={})


# ---------------------------------------------------------------- the three example machines

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"

# The seed example of the course README (a Task, a Choice, a Fail).
SEED = {
    "Comment": "An example of the Amazon States Language using a choice state.",
    "StartAt": "FirstState",
    "States": {
        "FirstState": {"Type": "Task", "Resource": LAMBDA + "FUNCTION_NAME", "Next": "ChoiceState"},
        "ChoiceState": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.foo", "NumericEquals": 1, "Next": "FirstMatchState"},
                {"Variable": "$.foo", "NumericEquals": 2, "Next": "SecondMatchState"},
            ],
            "Default": "DefaultState",
        },
        "FirstMatchState": {"Type": "Task", "Resource": LAMBDA + "OnFirstMatch", "Next": "NextState"},
        "SecondMatchState": {"Type": "Task", "Resource": LAMBDA + "OnSecondMatch", "Next": "NextState"},
        "DefaultState": {"Type": "Fail", "Error": "DefaultStateError", "Cause": "No Matches!"},
        "NextState": {"Type": "Task", "Resource": LAMBDA + "FUNCTION_NAME", "End": True},
    },
}


def seed_history(foo: int) -> dict:
    """The seed machine run with ``{"foo": foo}``: 1 and 2 succeed, anything else fails."""
    h = AwsHistory()
    run = h.start({"foo": foo})
    run.task("FirstState")
    run.state("Choice", "ChoiceState")
    if foo in (1, 2):
        run.task("FirstMatchState" if foo == 1 else "SecondMatchState")
        run.task("NextState")
        run("ExecutionSucceeded", output={"foo": foo})
    else:
        run.state("Fail", "DefaultState")
        run("ExecutionFailed", error="DefaultStateError", cause="No Matches!")
    return h.to_aws()


# Assembling furniture: frame, shelves, doors, handles; a Retry, two Catches and a loop.
FURNITURE = {
    "Comment": "Assemble a wardrobe: frame, shelves, doors, handles.",
    "StartAt": "BuildFrame",
    "States": {
        "BuildFrame": {"Type": "Task", "Resource": LAMBDA + "build-frame", "Next": "AddShelves"},
        "AddShelves": {
            "Type": "Task", "Resource": LAMBDA + "add-shelves",
            "Retry": [{"ErrorEquals": ["Shelf.Misaligned"], "MaxAttempts": 3, "IntervalSeconds": 2}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "ReportProblem"}],
            "Next": "HangDoors",
        },
        "HangDoors": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                      "Parameters": {"FunctionName": LAMBDA + "hang-doors:$LATEST", "Payload.$": "$"},
                      "Next": "AttachHandles"},
        "AttachHandles": {
            "Type": "Task", "Resource": LAMBDA + "attach-handles",
            "Catch": [{"ErrorEquals": ["Handles.Missing"], "Next": "OrderHandles"}],
            "Next": "Done",
        },
        "OrderHandles": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                         "Parameters": {"TableName": "orders", "Item": {"part": {"S": "handle"}}},
                         "Next": "WaitForDelivery"},
        "WaitForDelivery": {"Type": "Wait", "Seconds": 86400, "Next": "AttachHandles"},
        "Done": {"Type": "Succeed"},
        "ReportProblem": {"Type": "Pass", "Result": "call support", "Next": "AssemblyFailed"},
        "AssemblyFailed": {"Type": "Fail", "Error": "Assembly.Failed", "Cause": "see the shelves"},
    },
}


def furniture_history() -> dict:
    """Shelves misaligned once (retried), handles missing (caught), ordered, waited, attached."""
    h = AwsHistory()
    run = h.start({"model": "wardrobe"})
    run.task("BuildFrame")
    run.task("AddShelves", failures=("Shelf.Misaligned",))
    run.task("HangDoors", service="Task")
    run.task("AttachHandles", failures=("Handles.Missing",), succeed=False)
    run.task("OrderHandles", service="Task")
    run.state("Wait", "WaitForDelivery")
    run.task("AttachHandles")
    run.state("Succeed", "Done")
    run("ExecutionSucceeded", output={})
    return h.to_aws()


# A Map whose item processor holds a Choice and a Parallel (two branches).
PARALLEL_IN_MAP = {
    "Comment": "Process each order: validate, then charge and notify in parallel.",
    "StartAt": "LoadOrders",
    "States": {
        "LoadOrders": {"Type": "Pass", "Next": "ProcessOrders"},
        "ProcessOrders": {
            "Type": "Map", "ItemsPath": "$.orders", "MaxConcurrency": 3, "ToleratedFailurePercentage": 50,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Validate",
                "States": {
                    "Validate": {"Type": "Choice",
                                 "Choices": [{"Variable": "$.qty", "NumericGreaterThan": 0, "Next": "Fulfil"}],
                                 "Default": "Reject"},
                    "Reject": {"Type": "Fail", "Error": "Order.Invalid", "Cause": "qty must be positive"},
                    "Fulfil": {
                        "Type": "Parallel", "Next": "Record",
                        "Branches": [
                            {"StartAt": "ChargeCard", "States": {
                                "ChargeCard": {"Type": "Task", "Resource": LAMBDA + "charge",
                                               "Retry": [{"ErrorEquals": ["States.TaskFailed"]}],
                                               "Next": "ReserveStock"},
                                "ReserveStock": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem",
                                                 "End": True}}},
                            {"StartAt": "NotifyCustomer", "States": {
                                "NotifyCustomer": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                                                   "End": True}}},
                        ],
                    },
                    "Record": {"Type": "Pass", "End": True},
                },
            },
            "Catch": [{"ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "Next": "TooManyFailures"}],
            "Next": "Summarize",
        },
        "Summarize": {"Type": "Pass", "End": True},
        "TooManyFailures": {"Type": "Fail", "Error": "Orders.Failed"},
    },
}


def parallel_in_map_history(finish: bool = True) -> dict:
    """Three orders processed concurrently (events interleaved): 0 and 2 fulfilled, 1 rejected.

    With ``finish=False`` the execution is paused while order 2 is still charging.
    """
    h = AwsHistory()
    run = h.start({"orders": [{"qty": 1}, {"qty": 0}, {"qty": 2}]})
    run.state("Pass", "LoadOrders")
    run("MapStateEntered", name="ProcessOrders", input={})
    started = run("MapStateStarted", length=3)
    iterations = []
    for index in range(3):
        it = h.chain(started)
        it("MapIterationStarted", name="ProcessOrders", index=index)
        iterations.append(it)
    for it in iterations:  # interleaved: each iteration validates in turn
        it.state("Choice", "Validate")
    it0, it1, it2 = iterations
    it1.state("Fail", "Reject")
    branches = {}
    for index, it in ((0, it0), (2, it2)):
        it("ParallelStateEntered", name="Fulfil", input={})
        par = it("ParallelStateStarted")
        branches[index] = (h.chain(par), h.chain(par))
    it1("MapIterationFailed", name="ProcessOrders", index=1)
    for index in (0, 2):
        charge, notify = branches[index]
        notify.task("NotifyCustomer", service="Task")
        charge.task("ChargeCard", failures=("States.TaskFailed",) if index == 0 else (),
                    succeed=finish or index == 0, exit=finish or index == 0)
    charge0, notify0 = branches[0]
    charge0.task("ReserveStock", service="Task")
    it0.last = charge0.last
    it0("ParallelStateSucceeded")
    it0("ParallelStateExited", name="Fulfil", output=[{}, {}])
    it0.state("Pass", "Record")
    it0("MapIterationSucceeded", name="ProcessOrders", index=0)
    if not finish:
        return h.to_aws()
    charge2, notify2 = branches[2]
    charge2.task("ReserveStock", service="Task")
    it2.last = charge2.last
    it2("ParallelStateSucceeded")
    it2("ParallelStateExited", name="Fulfil", output=[{}, {}])
    it2.state("Pass", "Record")
    done = it2("MapIterationSucceeded", name="ProcessOrders", index=2)
    after = h.chain(done)
    after("MapStateSucceeded")
    after("MapStateExited", name="ProcessOrders", output=[])
    after.state("Pass", "Summarize")
    after("ExecutionSucceeded", output={})
    return h.to_aws()


# ---------------------------------------------------------------- structure


def _edges(graph: d.Graph) -> list[tuple[str, str, str, str]]:
    return [(e.tail, e.head, e.kind, e.label) for e in graph.edges]


def test_seed_structure_start_end_and_choice_rules():
    g = d.extract(SEED)
    kinds = {n.name: n.kind for n in g.nodes}
    assert kinds["ChoiceState"] == "Choice" and kinds["DefaultState"] == "Fail"
    assert g.nodes[0].kind == d.START and g.nodes[-1].kind == d.END
    assert _edges(g) == [
        ("(start)", "FirstState", "start", ""),
        ("FirstState", "ChoiceState", "next", ""),
        ("ChoiceState", "FirstMatchState", "choice", "$.foo == 1"),
        ("ChoiceState", "SecondMatchState", "choice", "$.foo == 2"),
        ("ChoiceState", "DefaultState", "default", "Default"),
        ("FirstMatchState", "NextState", "next", ""),
        ("SecondMatchState", "NextState", "next", ""),
        ("DefaultState", "(end)", "end", ""),
        ("NextState", "(end)", "end", ""),
    ]
    assert all(n.status is None for n in g.nodes) and all(e.visited is None for e in g.edges)
    assert g.execution_status is None
    assert g.comment.startswith("An example")


def test_task_details_show_the_resource_short_name():
    g = d.extract(FURNITURE)
    assert g.node("BuildFrame").detail == "lambda: build-frame"
    assert g.node("HangDoors").detail == "lambda: hang-doors"  # lambda:invoke with FunctionName
    assert g.node("OrderHandles").detail == "dynamodb:putItem"
    assert g.node("WaitForDelivery").detail == "Wait 1d"
    assert g.node("AssemblyFailed").detail == "Fail · Assembly.Failed"
    assert g.node("AddShelves").retry == "↻ Retry ×3"
    assert g.node("BuildFrame").retry == ""


@pytest.mark.parametrize("resource, expected", [
    ("arn:aws:states:::aws-sdk:s3:listBuckets", "s3:listBuckets"),
    ("arn:aws:states:::sqs:sendMessage.waitForTaskToken", "sqs:sendMessage.waitForTaskToken"),
    ("arn:aws:states:us-east-1:123456789012:activity:Approve", "activity: Approve"),
    ("arn:aws:lambda:us-east-1:123456789012:function:Fn:prod", "lambda: Fn"),
    ("arn:aws:states:::lambda:invoke", "lambda:invoke"),
    ("CheckStock", "CheckStock"),
])
def test_resource_labels(resource, expected):
    assert d.resource_label({"Type": "Task", "Resource": resource}) == expected


@pytest.mark.parametrize("state, expected", [
    ({"Seconds": 3600}, "Wait 1h"),
    ({"Seconds": 90}, "Wait 1m 30s"),
    ({"Seconds": 0}, "Wait 0s"),
    ({"SecondsPath": "$.delay"}, "Wait $.delay s"),
    ({"Timestamp": "2016-03-14T01:59:00Z"}, "Wait until 2016-03-14T01:59:00Z"),
    ({"TimestampPath": "$.when"}, "Wait until $.when"),
    ({"Seconds": "{% $states.input.delay %}"}, "Wait $states.input.delay"),
])
def test_wait_labels(state, expected):
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "End": True, **state}}}
    assert d.extract(definition).node("W").detail == expected


@pytest.mark.parametrize("rule", [
    {"Variable": "$.n", "NumericLessThanEqualsPath": "$.max"},
    {"Variable": "$.x", "IsPresent": False},
    {"Not": {"Variable": "$.t", "StringEquals": "x"}},
    {"And": [{"Variable": "$.a", "NumericGreaterThan": 1}, {"Variable": "$.b", "IsString": True}]},
])
def test_choice_edges_carry_the_shared_rule_wording(rule):
    from stepfn_lab.asl import choice

    definition = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [dict(rule, Next="P")], "Default": "P"},
        "P": {"Type": "Pass", "End": True}}}
    [rule_edge, default_edge] = d.extract(definition).edges_between("C", "P")
    assert rule_edge.label == choice.describe(dict(rule, Next="P"))
    assert (default_edge.kind, default_edge.label) == ("default", "Default")


def test_a_jsonata_condition_is_shown_as_its_text():
    definition = {"StartAt": "C", "QueryLanguage": "JSONata", "States": {
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.qty > 0 %}", "Next": "P"}]},
        "P": {"Type": "Pass", "End": True}}}
    assert d.extract(definition).edges_between("C", "P")[0].label == "$states.input.qty > 0"


def test_catch_edges_are_labelled_with_the_error_names():
    g = d.extract(FURNITURE)
    [catch] = [e for e in g.edges_between("AttachHandles", "OrderHandles")]
    assert (catch.kind, catch.label) == ("catch", "Catch: Handles.Missing")
    assert [e.kind for e in g.edges_between("AddShelves", "ReportProblem")] == ["catch"]
    assert [e.kind for e in g.edges_between("AssemblyFailed", "(end)")] == ["end"]


def test_map_and_parallel_become_nested_clusters_with_a_join():
    g = d.extract(PARALLEL_IN_MAP)
    clusters = {c.id: c for c in g.clusters}
    map_node, par = g.node("ProcessOrders"), g.node("Fulfil")
    assert clusters[map_node.cluster].kind == "Map" and clusters[map_node.cluster].state == map_node.id
    assert clusters[par.cluster].kind == "Parallel"
    assert clusters[par.cluster].parent == map_node.cluster  # nested
    charge, notify = g.node("ChargeCard"), g.node("NotifyCustomer")
    assert clusters[charge.cluster].kind == clusters[notify.cluster].kind == "Branch"
    assert charge.cluster != notify.cluster
    assert [clusters[charge.cluster].label, clusters[notify.cluster].label] == ["Branch 1", "Branch 2"]
    assert charge.parent == par.id and g.node("Validate").parent == map_node.id
    assert charge.id == "ProcessOrders/Fulfil/1/ChargeCard"
    # into the container through its own node, out through its join
    assert ("ProcessOrders", "ProcessOrders/Validate", "start", "") in _edges(g)
    assert ("ProcessOrders/Fulfil", "ProcessOrders/Fulfil/2/NotifyCustomer", "start", "") in _edges(g)
    assert ("ProcessOrders/Fulfil/1/ReserveStock", "ProcessOrders/Fulfil:end", "end", "") in _edges(g)
    assert ("ProcessOrders/Fulfil:end", "ProcessOrders/Record", "next", "") in _edges(g)
    assert ("ProcessOrders:end", "Summarize", "next", "") in _edges(g)
    assert ("ProcessOrders:end", "TooManyFailures", "catch", "Catch: States.ExceedToleratedFailureThreshold") \
        in _edges(g)
    # a Fail inside a branch fails the branch: no edge to the join
    assert not [e for e in g.edges if e.tail == "ProcessOrders/Reject"]
    assert g.node("ProcessOrders").detail == "Map over $.orders"
    assert g.node("Fulfil").detail == "Parallel · 2 branches"


def test_nesting_to_any_depth():
    def nest(depth: int) -> dict:
        if depth == 0:
            return {"StartAt": "Leaf", "States": {"Leaf": {"Type": "Pass", "End": True}}}
        kind = "Map" if depth % 2 else "Parallel"
        state = {"Type": kind, "End": True}
        if kind == "Map":
            state["ItemProcessor"] = nest(depth - 1)
        else:
            state["Branches"] = [nest(depth - 1)]
        return {"StartAt": f"L{depth}", "States": {f"L{depth}": state}}

    g = d.extract(nest(6))
    leaf = g.node("Leaf")
    depth, cluster = 0, leaf.cluster
    parents = {c.id: c.parent for c in g.clusters}
    while cluster is not None:
        depth, cluster = depth + 1, parents[cluster]
    assert depth == 9  # three Parallels contribute a cluster and a branch lane each


def test_a_missing_target_is_drawn_not_raised():
    g = d.extract({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Shipit"},
                                              "ShipIt": {"Type": "Succeed"}}})
    missing = g.node("?Shipit")
    assert missing.kind == d.MISSING
    assert "did you mean 'ShipIt'" in missing.detail
    assert ("A", "?Shipit", "next", "") in _edges(g)


def test_deprecated_iterator_and_jsonata_items():
    g = d.extract({"StartAt": "M", "QueryLanguage": "JSONata", "States": {"M": {
        "Type": "Map", "Items": "{% $states.input.xs %}", "End": True,
        "Iterator": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}})
    assert g.node("P").parent == "M"
    assert g.node("M").detail == "Map over $states.input.xs"


def test_same_input_same_model_and_direction():
    assert d.extract(PARALLEL_IN_MAP) == d.extract(json.loads(json.dumps(PARALLEL_IN_MAP)))
    assert d.extract(SEED, direction="LR").direction == "LR"
    with pytest.raises(d.DiagramError, match="direction"):
        d.extract(SEED, direction="sideways")


def test_bad_definitions_raise_the_library_error():
    with pytest.raises(DefinitionError, match="no States"):
        d.extract({"StartAt": "A"})
    with pytest.raises(DefinitionError, match="not valid JSON"):
        d.extract("{not json")
    assert d.extract(json.dumps(SEED)) == d.extract(SEED)


# ---------------------------------------------------------------- the execution overlay


def test_seed_success_colours_the_path_taken():
    g = d.extract(SEED, seed_history(1))
    assert g.execution_status == "SUCCEEDED"
    assert g.statuses == {
        "FirstState": d.SUCCEEDED, "ChoiceState": d.SUCCEEDED, "FirstMatchState": d.SUCCEEDED,
        "SecondMatchState": d.NOT_RUN, "DefaultState": d.NOT_RUN, "NextState": d.SUCCEEDED,
    }
    visited = {(e.tail, e.head) for e in g.edges if e.visited}
    assert visited == {("(start)", "FirstState"), ("FirstState", "ChoiceState"),
                       ("ChoiceState", "FirstMatchState"), ("FirstMatchState", "NextState"),
                       ("NextState", "(end)")}
    assert g.node("(start)").status == d.SUCCEEDED and g.node("(end)").status == d.SUCCEEDED


def test_seed_default_branch_fails():
    g = d.extract(SEED, seed_history(7))
    assert g.execution_status == "FAILED"
    assert g.status_of("DefaultState") == d.FAILED
    assert g.status_of("FirstMatchState") == d.NOT_RUN
    assert [e.visited for e in g.edges_between("ChoiceState", "DefaultState")] == [True]
    assert [e.visited for e in g.edges_between("DefaultState", "(end)")] == [True]
    assert g.node("(end)").status == d.FAILED


def test_history_as_a_plain_list_or_json_text():
    events = seed_history(2)["events"]
    assert d.extract(SEED, events) == d.extract(SEED, {"events": events}) == d.extract(SEED, json.dumps(events))


def test_retry_caught_error_and_a_loop():
    g = d.extract(FURNITURE, furniture_history())
    assert g.status_of("AddShelves") == d.SUCCEEDED
    assert g.node("AddShelves").note == "retried 1×"
    # AttachHandles was caught the first time and succeeded the second: latest run wins
    assert g.status_of("AttachHandles") == d.SUCCEEDED
    assert g.node("AttachHandles").note == "ran 2×"
    assert [e.visited for e in g.edges_between("AttachHandles", "OrderHandles")] == [True]
    assert [e.visited for e in g.edges_between("WaitForDelivery", "AttachHandles")] == [True]
    assert [e.visited for e in g.edges_between("AddShelves", "ReportProblem")] == [False]
    assert g.status_of("ReportProblem") == d.NOT_RUN
    assert g.status_of("Done") == d.SUCCEEDED


def test_a_caught_error_is_orange_and_follows_the_catch_edge():
    h = AwsHistory()
    run = h.start()
    run.task("BuildFrame")
    run.task("AddShelves", failures=("Shelf.Misaligned",) * 4, succeed=False)
    run.state("Pass", "ReportProblem")
    run.state("Fail", "AssemblyFailed")
    run("ExecutionFailed", error="Assembly.Failed", cause="see the shelves")
    g = d.extract(FURNITURE, h.to_aws())
    assert g.status_of("AddShelves") == d.CAUGHT
    assert g.node("AddShelves").note == "retried 3×"
    assert [e.visited for e in g.edges_between("AddShelves", "ReportProblem")] == [True]
    assert [e.visited for e in g.edges_between("AddShelves", "HangDoors")] == [False]
    assert g.status_of("AssemblyFailed") == d.FAILED


def test_an_uncaught_task_failure_is_red():
    h = AwsHistory()
    run = h.start()
    run.task("BuildFrame", failures=("Frame.Cracked",), succeed=False, exit=False)
    run("ExecutionFailed", error="Frame.Cracked", cause="...")
    g = d.extract(FURNITURE, h.to_aws())
    assert g.status_of("BuildFrame") == d.FAILED
    assert g.status_of("AddShelves") == d.NOT_RUN


def test_a_paused_execution_shows_the_current_state_in_progress():
    h = AwsHistory()
    run = h.start()
    run.task("BuildFrame")
    run("TaskStateEntered", name="AddShelves", input={})
    g = d.extract(FURNITURE, h.to_aws())
    assert g.execution_status == "RUNNING"
    assert g.status_of("AddShelves") == d.IN_PROGRESS
    assert g.node("(end)").status == d.NOT_RUN
    # a stepping engine may name the state it will run next, before entering it
    g = d.extract(FURNITURE, h.events[:-1], current="AddShelves")
    assert g.status_of("AddShelves") == d.IN_PROGRESS
    assert g.status_of("BuildFrame") == d.SUCCEEDED
    with pytest.raises(d.DiagramError, match="did you mean 'AddShelves'"):
        d.extract(FURNITURE, h.events, current="AddShelve")


def test_parallel_in_map_aggregate_over_iterations():
    g = d.extract(PARALLEL_IN_MAP, parallel_in_map_history())
    assert g.execution_status == "SUCCEEDED"
    assert g.statuses == {
        "LoadOrders": d.SUCCEEDED,
        "ProcessOrders": d.SUCCEEDED,  # one failed iteration is tolerated (50%)
        "Validate": d.SUCCEEDED,
        "Reject": d.FAILED,  # iteration 1 failed here
        "Fulfil": d.SUCCEEDED, "ChargeCard": d.SUCCEEDED, "ReserveStock": d.SUCCEEDED,
        "NotifyCustomer": d.SUCCEEDED, "Record": d.SUCCEEDED,
        "Summarize": d.SUCCEEDED, "TooManyFailures": d.NOT_RUN,
    }
    assert g.node("ProcessOrders").note == "3 iterations · 1 failed"
    assert g.node("ChargeCard").note == "ran 2× · retried 1×"
    clusters = {c.state: c.status for c in g.clusters if c.kind == "Map"}
    assert clusters == {"ProcessOrders": d.SUCCEEDED}
    visited = {(e.tail, e.head) for e in g.edges if e.visited}
    assert ("ProcessOrders", "ProcessOrders/Validate") in visited
    assert ("ProcessOrders/Validate", "ProcessOrders/Reject") in visited
    assert ("ProcessOrders/Fulfil:end", "ProcessOrders/Record") in visited
    assert ("ProcessOrders/Record", "ProcessOrders:end") in visited
    assert ("ProcessOrders:end", "Summarize") in visited
    assert ("ProcessOrders:end", "TooManyFailures") not in visited


@pytest.mark.parametrize("index, path, not_run", [
    (0, {"Validate", "Fulfil", "ChargeCard", "ReserveStock", "NotifyCustomer", "Record"}, {"Reject"}),
    (1, {"Validate", "Reject"}, {"Fulfil", "ChargeCard", "ReserveStock", "NotifyCustomer", "Record"}),
])
def test_map_iteration_draws_one_iterations_path(index, path, not_run):
    g = d.extract(PARALLEL_IN_MAP, parallel_in_map_history(), map_iteration={"ProcessOrders": index})
    inner = {name: status for name, status in g.statuses.items() if name in path | not_run}
    assert {n for n, s in inner.items() if s == d.NOT_RUN} == not_run
    assert all(g.status_of(n) in (d.SUCCEEDED, d.FAILED) for n in path)
    assert g.node("ProcessOrders").note == f"showing index {index} of 3 iterations"
    assert g.map_iteration == (("ProcessOrders", index),)
    assert g.status_of("Summarize") == d.SUCCEEDED  # outside the Map: unaffected
    reject_edge = g.edges_between("Validate", "Reject")[0]
    assert reject_edge.visited is (index == 1)
    assert g.node("ChargeCard").note == ("retried 1×" if index == 0 else "")


def test_map_iteration_errors_name_the_fix():
    with pytest.raises(d.DiagramError, match="not a Map state.*'ProcessOrders'"):
        d.extract(PARALLEL_IN_MAP, parallel_in_map_history(), map_iteration={"Fulfil": 0})
    with pytest.raises(d.DiagramError, match="ran iterations 0–2; there is no iteration 5"):
        d.extract(PARALLEL_IN_MAP, parallel_in_map_history(), map_iteration={"ProcessOrders": 5})
    with pytest.raises(d.DiagramError, match="iteration index"):
        d.extract(PARALLEL_IN_MAP, parallel_in_map_history(), map_iteration={"ProcessOrders": "1"})


def test_running_map_shows_the_open_iteration_in_progress():
    g = d.extract(PARALLEL_IN_MAP, parallel_in_map_history(finish=False))
    assert g.execution_status == "RUNNING"
    assert g.status_of("ProcessOrders") == d.IN_PROGRESS
    assert g.status_of("Reject") == d.FAILED
    assert g.status_of("ChargeCard") == d.IN_PROGRESS  # iteration 2 is still charging
    assert g.status_of("NotifyCustomer") == d.SUCCEEDED
    g2 = d.extract(PARALLEL_IN_MAP, parallel_in_map_history(finish=False), map_iteration={"ProcessOrders": 0})
    assert g2.status_of("ChargeCard") == d.SUCCEEDED and g2.status_of("Record") == d.SUCCEEDED
    g3 = d.extract(PARALLEL_IN_MAP, parallel_in_map_history(finish=False), map_iteration={"ProcessOrders": 2})
    assert g3.status_of("ChargeCard") == d.IN_PROGRESS and g3.status_of("Record") == d.NOT_RUN


def test_a_failed_parallel_branch_fails_the_parallel_and_its_aborted_sibling():
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "a", "End": True}}},
        {"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 5, "End": True}}}]}}}
    h = AwsHistory()
    run = h.start()
    run("ParallelStateEntered", name="P", input={})
    started = run("ParallelStateStarted")
    a, b = h.chain(started), h.chain(started)
    a.task("A", failures=("Boom",), succeed=False, exit=False, service="Task")
    b("WaitStateEntered", name="B", input={})
    fail = h.chain(a.last)
    fail("ParallelStateFailed", error="Boom", cause="...")
    fail("ExecutionFailed", error="Boom", cause="...")
    g = d.extract(definition, h.to_aws())
    # no WaitStateAborted in this history: A's failure event still tells the failed state from the stopped one
    assert g.statuses == {"P": d.FAILED, "A": d.FAILED, "B": d.CANCELLED}
    assert g.node("(end)").status == d.FAILED


# ---------------------------------------------------------------- cut short: the console's grey "Cancelled"

PARALLEL_ABORT = {"StartAt": "Ship", "States": {"Ship": {"Type": "Parallel", "Next": "Done", "Branches": [
    {"StartAt": "Charge", "States": {"Charge": {"Type": "Task", "Resource": LAMBDA + "charge", "End": True}}},
    {"StartAt": "Cool off", "States": {"Cool off": {"Type": "Wait", "Seconds": 60, "Next": "Pack"},
                                       "Pack": {"Type": "Task", "Resource": LAMBDA + "pack", "End": True}}},
    {"StartAt": "Label", "States": {"Label": {"Type": "Task", "Resource": LAMBDA + "label", "End": True}}}]},
    "Done": {"Type": "Succeed"}}}


def test_a_failing_branch_is_red_and_the_siblings_it_stopped_are_grey():
    h = AwsHistory()
    run = h.start()
    run("ParallelStateEntered", name="Ship", input={})
    started = run("ParallelStateStarted")
    charge, cool, label = h.chain(started), h.chain(started), h.chain(started)
    cool("WaitStateEntered", name="Cool off", input={})
    label("TaskStateEntered", name="Label", input={})
    label("LambdaFunctionScheduled", resource=LAMBDA + "label", input="{}")
    charge.task("Charge", failures=("Card.Declined",), succeed=False, exit=False)
    cool("WaitStateAborted")
    label("TaskStateAborted")
    end = h.chain(label.last)
    end("ParallelStateFailed", error="Card.Declined", cause="...")
    end("ExecutionFailed", error="Card.Declined", cause="...")
    g = d.extract(PARALLEL_ABORT, h.to_aws())
    assert g.statuses == {"Ship": d.FAILED, "Charge": d.FAILED, "Cool off": d.CANCELLED, "Label": d.CANCELLED,
                          "Pack": d.NOT_RUN, "Done": d.NOT_RUN}
    assert g.node("(end)").status == d.FAILED


def _map_with_a_failing_iteration() -> dict:
    """Three lines at once: iteration 1 fails on Reserve; 0 (waiting in Cool off) and 2 are aborted."""
    h = AwsHistory()
    run = h.start()
    run("MapStateEntered", name="Each line", input={})
    started = run("MapStateStarted")
    its = []
    for index in range(3):
        it = h.chain(started if index == 0 else its[-1].last)
        it("MapIterationStarted", name="Each line", index=index)
        its.append(it)
    zero, one, two = (h.chain(it.last) for it in its)
    zero.task("Reserve")
    zero("WaitStateEntered", name="Cool off", input={})
    two("TaskStateEntered", name="Reserve", input={})
    one.task("Reserve", failures=("OutOfStock",), succeed=False, exit=False)
    one("MapIterationFailed", name="Each line", index=1)
    zero("WaitStateAborted")
    zero("MapIterationAborted", name="Each line", index=0)
    two("TaskStateAborted")
    two("MapIterationAborted", name="Each line", index=2)
    two("MapStateFailed")
    two("ExecutionFailed", error="OutOfStock", cause="...")
    return h.to_aws()


MAP_ABORT = {"StartAt": "Each line", "States": {"Each line": {"Type": "Map", "End": True, "ItemProcessor": {
    "StartAt": "Reserve", "States": {
        "Reserve": {"Type": "Task", "Resource": LAMBDA + "reserve", "Next": "Cool off"},
        "Cool off": {"Type": "Wait", "Seconds": 5, "Next": "Pack"},
        "Pack": {"Type": "Pass", "End": True}}}}}}


@pytest.mark.parametrize("index, expected", [
    (None, {"Reserve": d.FAILED, "Cool off": d.CANCELLED, "Pack": d.NOT_RUN}),
    (0, {"Reserve": d.SUCCEEDED, "Cool off": d.CANCELLED, "Pack": d.NOT_RUN}),
    (1, {"Reserve": d.FAILED, "Cool off": d.NOT_RUN, "Pack": d.NOT_RUN}),
    (2, {"Reserve": d.CANCELLED, "Cool off": d.NOT_RUN, "Pack": d.NOT_RUN}),
])
def test_a_map_with_a_failing_iteration_draws_the_aborted_iterations_grey(index, expected):
    selection = None if index is None else {"Each line": index}
    g = d.extract(MAP_ABORT, _map_with_a_failing_iteration(), map_iteration=selection)
    assert g.statuses == {"Each line": d.FAILED, **expected}
    if index is None:  # the Map's note counts stopped iterations apart from the failed one
        assert g.node("Each line").note == "3 iterations · 1 failed · 2 aborted"


def test_an_iteration_aborted_without_state_events_is_grey_from_map_iteration_aborted():
    h = AwsHistory()
    run = h.start()
    run("MapStateEntered", name="Each line", input={})
    started = run("MapStateStarted")
    zero = h.chain(started)
    zero("MapIterationStarted", name="Each line", index=0)
    one = h.chain(zero.last)
    one("MapIterationStarted", name="Each line", index=1)
    zero("TaskStateEntered", name="Reserve", input={})
    one.task("Reserve", failures=("OutOfStock",), succeed=False, exit=False)
    one("MapIterationFailed", name="Each line", index=1)
    zero("MapIterationAborted", name="Each line", index=0)  # no TaskStateAborted written
    g = d.extract(MAP_ABORT, h.to_aws(), map_iteration={"Each line": 0})
    assert g.status_of("Reserve") == d.CANCELLED


WAIT_THEN_PASS = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 3600, "Next": "Go"},
                                                "Go": {"Type": "Pass", "End": True}}}


@pytest.mark.parametrize("ending, end_status", [("ExecutionAborted", d.CANCELLED),
                                                ("ExecutionTimedOut", d.FAILED)])
def test_a_state_still_running_when_the_execution_is_stopped_or_times_out_is_grey(ending, end_status):
    h = AwsHistory()
    run = h.start()
    run("WaitStateEntered", name="Hold", input={})
    run(ending)
    g = d.extract(WAIT_THEN_PASS, h.to_aws())
    assert g.statuses == {"Hold": d.CANCELLED, "Go": d.NOT_RUN}
    assert g.node("(end)").status == end_status
    assert g.execution_status == {"ExecutionAborted": "ABORTED", "ExecutionTimedOut": "TIMED_OUT"}[ending]


def test_a_state_stopped_between_retries_is_grey_not_red():
    h = AwsHistory()
    run = h.start()
    run.task("BuildFrame")
    run.task("AddShelves", failures=("Shelf.Misaligned",), succeed=False, exit=False)  # its Retry waits
    run("ExecutionAborted", error="Operator", cause="stopped by hand")
    g = d.extract(FURNITURE, h.to_aws())
    assert g.status_of("BuildFrame") == d.SUCCEEDED and g.status_of("AddShelves") == d.CANCELLED


def test_a_tolerated_failed_iteration_stays_red_when_the_execution_is_stopped_later():
    h = AwsHistory()
    run = h.start()
    run("MapStateEntered", name="Each line", input={})
    started = run("MapStateStarted")
    zero = h.chain(started)
    zero("MapIterationStarted", name="Each line", index=0)
    zero.task("Reserve", failures=("OutOfStock",), succeed=False, exit=False)
    zero("MapIterationFailed", name="Each line", index=0)
    one = h.chain(zero.last)
    one("MapIterationStarted", name="Each line", index=1)
    one.task("Reserve")
    one("WaitStateEntered", name="Cool off", input={})
    one("ExecutionAborted")
    assert d.extract(MAP_ABORT, h.to_aws(), map_iteration={"Each line": 0}).status_of("Reserve") == d.FAILED
    stopped = d.extract(MAP_ABORT, h.to_aws(), map_iteration={"Each line": 1})
    assert stopped.status_of("Reserve") == d.SUCCEEDED and stopped.status_of("Cool off") == d.CANCELLED
    assert stopped.status_of("Each line") == d.CANCELLED


def test_the_engine_s_own_histories_are_coloured_the_same_way():
    import stepfn_lab as sfl

    def charge(event, context):
        raise RuntimeError("declined")

    machine = sfl.StateMachine.from_json(PARALLEL_ABORT, name="Ship")
    execution = machine.run({}, lambdas={"charge": charge, "label": lambda e, c: e, "pack": lambda e, c: e})
    assert [e.type for e in execution.history if e.type.endswith("Aborted")] == ["WaitStateAborted",
                                                                                 "TaskStateAborted"]
    g = d.extract(PARALLEL_ABORT, execution.history)
    assert g.statuses == {"Ship": d.FAILED, "Charge": d.FAILED, "Cool off": d.CANCELLED, "Label": d.CANCELLED,
                          "Pack": d.NOT_RUN, "Done": d.NOT_RUN}
    held = sfl.StateMachine.from_json(WAIT_THEN_PASS, name="Hold").start({})
    held.run(until=10)
    held.stop()
    assert [e.type for e in held.history][-2:] == ["WaitStateEntered", "ExecutionAborted"]
    assert d.extract(WAIT_THEN_PASS, held.history).statuses == {"Hold": d.CANCELLED, "Go": d.NOT_RUN}


def test_events_without_previous_ids_fall_back_to_list_order():
    events = [{k: v for k, v in e.items() if k != "previousEventId"} for e in furniture_history()["events"]]
    assert d.extract(FURNITURE, events).statuses == d.extract(FURNITURE, furniture_history()).statuses


def test_objects_with_snake_case_attributes_are_read_too():
    class Event:
        def __init__(self, raw: dict):
            self.id, self.previous_event_id, self.type = raw["id"], raw["previousEventId"], raw["type"]
            self.details = next((v for k, v in raw.items() if k.endswith("EventDetails")), {})

    class History:
        def __init__(self, raw: dict):
            self.events = [Event(e) for e in raw["events"]]

    raw = parallel_in_map_history()
    assert d.extract(PARALLEL_IN_MAP, History(raw)) == d.extract(PARALLEL_IN_MAP, raw)


def test_a_history_that_is_not_one_raises_the_library_error():
    with pytest.raises(d.DiagramError, match="events"):
        d.extract(SEED, {"items": []})
