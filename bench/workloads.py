"""Benchmark workloads: each a state machine, its input and a plain-Python floor doing the same work.

Every workload factory returns ``(definition, input, run_kwargs, floor)``. The floor
is the least plain Python can do for the same result, measured in the same run,
so the table reads as ratios that hold on any machine. ``WORKLOADS`` maps a name
to ``(factory, workflow type)``; ``SERIES`` names the workloads that grow with
size (1k, 10k, 100k) so the table can show whether cost stays linear.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile

N_LOOP = 10_000
N_DMAP = 1_000_000


def _loop_definition(jsonata: bool, n: int) -> dict:
    if jsonata:
        return {"QueryLanguage": "JSONata", "StartAt": "Init", "States": {
            "Init": {"Type": "Pass", "Output": {"i": 0}, "Next": "Check"},
            "Check": {"Type": "Choice", "Choices": [
                {"Condition": "{% $states.input.i >= " + str(n) + " %}", "Next": "Done"}], "Default": "Inc"},
            "Inc": {"Type": "Pass", "Output": {"i": "{% $states.input.i + 1 %}"}, "Next": "Check"},
            "Done": {"Type": "Succeed"}}}
    return {"StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Result": 0, "ResultPath": "$.i", "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [
            {"Variable": "$.i", "NumericGreaterThanEquals": n, "Next": "Done"}], "Default": "Inc"},
        "Inc": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
        "Done": {"Type": "Succeed"}}}


def _loop_floor(n: int):
    def floor() -> None:
        data = {"i": 0}
        while True:
            if data["i"] >= n:
                break
            data = {"i": data["i"] + 1}
    return floor


def loop_jsonpath(n: int = N_LOOP):
    return lambda: (_loop_definition(False, n), {}, {}, _loop_floor(n))


def loop_jsonata():
    return _loop_definition(True, N_LOOP), {}, {}, _loop_floor(N_LOOP)


def map_10k():
    items = [{"id": i} for i in range(10_000)]  # 110 KB: within the 256 KiB input quota
    definition = {"StartAt": "EachItem", "States": {"EachItem": {
        "Type": "Map", "ItemsPath": "$.items",
        "ItemProcessor": {"StartAt": "Price", "States": {"Price": {"Type": "Pass", "End": True}}},
        "End": True}}}

    def floor() -> None:
        out = []
        for item in items:
            out.append(item)
        {"result": out}
    return definition, {"items": items}, {}, floor


def map_sized(n: int):
    """An inline Map over n numbers made inside the machine (n items would not fit the 256 KiB input
    quota), Pass children, and the count as output (the full result would not fit either)."""
    def factory():
        definition = {"QueryLanguage": "JSONata", "StartAt": "EachItem", "States": {"EachItem": {
            "Type": "Map", "Items": "{% [0.." + str(n - 1) + "] %}",
            "ItemProcessor": {"StartAt": "Price", "States": {"Price": {"Type": "Pass", "End": True}}},
            "Output": "{% $count($states.result) %}", "End": True}}}

        def floor() -> None:
            out = []
            for item in list(range(n)):
                out.append(item)
            len(out)
        return definition, {}, {}, floor
    return factory


def parallel_10x100():
    def branch(b: int) -> dict:
        states = {f"B{b}S{i}": {"Type": "Pass", "Next": f"B{b}S{i + 1}"} for i in range(99)}
        states[f"B{b}S99"] = {"Type": "Pass", "End": True}
        return {"StartAt": f"B{b}S0", "States": states}
    definition = {"StartAt": "FanOut", "States": {"FanOut": {
        "Type": "Parallel", "Branches": [branch(b) for b in range(10)], "End": True}}}

    def floor() -> None:
        results = []
        for _ in range(10):
            data = {"order": 1}
            for _ in range(100):
                data = data
            results.append(data)
    return definition, {"order": 1}, {}, floor


def _document() -> dict:
    doc = {"order": {"id": "A-1", "customer": {"id": "C-9", "name": "Ana"},
                     "lines": [{"sku": f"S{i}", "qty": i, "note": "x" * 40} for i in range(590)]},
           "meta": {"counter": 0}}
    return doc


def dataflow_chain():
    doc = _document()
    assert 45_000 < len(json.dumps(doc)) < 60_000
    states = {}
    for i in range(1000):
        states[f"S{i}"] = {
            "Type": "Pass", "InputPath": "$", "Parameters": {"counter.$": "$.meta.counter", "step": i},
            "ResultPath": "$.meta", "OutputPath": "$",
            **({"Next": f"S{i + 1}"} if i < 999 else {"End": True})}
    definition = {"StartAt": "S0", "States": states}

    def floor() -> None:
        data = doc
        for i in range(1000):
            selected = data
            params = {"counter": selected["meta"]["counter"], "step": i}
            new = dict(data)
            new["meta"] = params
            data = new
    return definition, doc, {}, floor


def retry_1000():
    definition = {"StartAt": "Flaky", "States": {"Flaky": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:flaky",
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "BackoffRate": 1.0, "MaxAttempts": 1000}],
        "End": True}}}

    class Boom(Exception):
        pass

    def flaky(event, context):
        raise Boom("still broken")

    def floor() -> None:
        for _ in range(1001):
            try:
                raise Boom("still broken")
            except Boom:
                pass
    return definition, {}, {"lambdas": {"flaky": flaky}}, floor


def wait_one_hour():
    definition = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}}}

    def floor() -> None:
        {"slept": 3600}
    return definition, {}, {}, floor


def history_25k():
    definition = {"StartAt": "Spin", "States": {
        "Spin": {"Type": "Pass", "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "Done"}],
                  "Default": "Spin"},
        "Done": {"Type": "Succeed"}}}

    def floor() -> None:
        events = []
        for i in range(25_000):
            events.append((i + 1, i, "PassStateEntered", None))
    return definition, {}, {}, floor


def _write_csv(path: str, n: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "customer", "amount"])
        for i in range(n):
            writer.writerow([i, f"C-{i % 997}", f"{(i * 37) % 10_000 / 100:.2f}"])


def dmap_csv(n: int = N_DMAP):
    """A Distributed Map over a generated CSV file of n rows (ItemReader), Express Pass children,
    results written to a local folder (ResultWriter): the ETL shape notebook 12 teaches."""
    def factory():
        root = tempfile.mkdtemp(prefix="stepfn-bench-")
        os.makedirs(os.path.join(root, "data"))
        _write_csv(os.path.join(root, "data", "rows.csv"), n)
        definition = {"StartAt": "EachRow", "States": {"EachRow": {
            "Type": "Map",
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                           "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                           "Parameters": {"Bucket": "data", "Key": "rows.csv"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                              "StartAt": "Price", "States": {"Price": {"Type": "Pass", "End": True}}},
            "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                             "Parameters": {"Bucket": "data", "Prefix": "out"}},
            "End": True}}}

        def floor() -> None:
            # read every row as a dict, and write each row's input and output as JSON
            with open(os.path.join(root, "data", "rows.csv"), encoding="utf-8", newline="") as src, \
                    open(os.path.join(root, "floor.json"), "w", encoding="utf-8") as out:
                out.write("[")
                for i, row in enumerate(csv.DictReader(src)):
                    text = json.dumps(row)
                    out.write(("," if i else "") + json.dumps({"Input": text, "Output": text,
                                                               "Status": "SUCCEEDED"}))
                out.write("]")
        return definition, {}, {"s3_root": root}, floor
    return factory


WORKLOADS = {
    "loop (JSONPath), 10,000 iterations": (loop_jsonpath(), "EXPRESS"),
    "loop (JSONata), 10,000 iterations": (loop_jsonata, "EXPRESS"),
    "inline Map, 10,000 items": (map_10k, "EXPRESS"),
    "Parallel, 10 x 100 states": (parallel_10x100, "STANDARD"),
    "data-flow chain, 1,000 states, 50 KB": (dataflow_chain, "STANDARD"),
    "Retry with back-off, 1,000 times": (retry_1000, "STANDARD"),
    "Wait one hour": (wait_one_hour, "STANDARD"),
    "run to 25,000 history events": (history_25k, "STANDARD"),
    "loop 1k": (loop_jsonpath(1_000), "EXPRESS"),
    "loop 10k": (loop_jsonpath(10_000), "EXPRESS"),
    "loop 100k": (loop_jsonpath(100_000), "EXPRESS"),
    "inline Map 1k": (map_sized(1_000), "EXPRESS"),
    "inline Map 10k": (map_sized(10_000), "EXPRESS"),
    "inline Map 100k": (map_sized(100_000), "EXPRESS"),
    "Distributed Map, 1,000,000 CSV rows": (dmap_csv(), "STANDARD"),
}

# Workloads that take seconds: measured once per run.
LARGE = ("loop 100k", "inline Map 100k", "Distributed Map, 1,000,000 CSV rows")

# No single execution makes 200,000 transitions on AWS (Express: 5 minutes at 10 ms a state;
# Standard: 25,000 events). To measure how cost grows with size, the bench lifts the Express
# 5-minute limit for these workloads only (in their own process).
UNLIMITED = ("loop 100k",)

__all__ = ["WORKLOADS", "LARGE", "UNLIMITED", "N_LOOP", "N_DMAP"]
