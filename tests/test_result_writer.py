"""stepfn_lab.services.result_writer: Distributed Map's result files, manifest and WriterConfig."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

import stepfn_lab as sfl
from stepfn_lab.services.result_writer import ResultFiles

DISTRIBUTED = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
FAIL_ODD = {"ProcessorConfig": DISTRIBUTED, "StartAt": "C", "States": {
    "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "F"}], "Default": "P"},
    "F": {"Type": "Fail", "Error": "Odd", "Cause": "one is odd"},
    "P": {"Type": "Pass", "Parameters": {"twice.$": "States.MathAdd($.n, $.n)"}, "End": True}}}


def machine(writer, processor=FAIL_ODD, **map_fields):
    return sfl.StateMachine.from_json({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemsPath": "$.items", "ItemProcessor": processor, "ResultWriter": writer,
        "End": True, **map_fields}}}, name="Orders")


EXPORT = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix.$": "$.prefix"}}


def _files(tmp_path, ex):
    details = ex.output["ResultWriterDetails"]
    manifest = json.loads((tmp_path / "out" / details["Key"]).read_text())
    return manifest, {status: [(tmp_path / "out" / f["Key"]) for f in files]
                      for status, files in manifest["ResultFiles"].items()}


def test_tolerated_failures_go_to_the_failed_file(tmp_path):
    ex = machine(EXPORT, ToleratedFailureCount=1).run({"prefix": "daily", "items": [{"n": 0}, {"n": 1}, {"n": 2}]},
                                                       s3_root=str(tmp_path))
    assert ex.status == "SUCCEEDED", ex.cause
    manifest, files = _files(tmp_path, ex)
    assert manifest["DestinationBucket"] == "out" and manifest["MapRunArn"] == ex.output["MapRunArn"]
    assert ex.output["ResultWriterDetails"]["Key"].startswith("daily/")
    assert files["PENDING"] == [] and len(files["SUCCEEDED"]) == len(files["FAILED"]) == 1
    succeeded = json.loads(files["SUCCEEDED"][0].read_text())
    failed = json.loads(files["FAILED"][0].read_text())
    assert [json.loads(e["Output"]) for e in succeeded] == [{"twice": 0}, {"twice": 4}]
    assert [json.loads(e["Input"]) for e in succeeded] == [{"n": 0}, {"n": 2}]
    assert {e["Status"] for e in succeeded} == {"SUCCEEDED"}
    first = succeeded[0]
    assert first["ExecutionArn"].startswith("arn:aws:states:us-east-1:123456789012:execution:Orders/M:")
    assert first["StateMachineArn"] == "arn:aws:states:us-east-1:123456789012:stateMachine:Orders/M"
    assert first["InputDetails"] == first["OutputDetails"] == {"Included": True}
    assert first["RedriveStatus"] == "NOT_REDRIVABLE" and first["StartDate"].endswith("Z")
    assert [(e["Status"], e["Error"], e["Cause"], json.loads(e["Input"])) for e in failed] == [
        ("FAILED", "Odd", "one is odd", {"n": 1})]
    assert "Output" not in failed[0]
    assert manifest["ResultFiles"]["SUCCEEDED"][0]["Size"] == files["SUCCEEDED"][0].stat().st_size


def test_a_failed_map_run_still_writes_failed_and_pending_files(tmp_path):
    ex = machine(EXPORT, MaxConcurrency=1).run({"prefix": "", "items": [{"n": 0}, {"n": 1}, {"n": 2}]},
                                               s3_root=str(tmp_path))
    assert ex.error == "States.ExceedToleratedFailureThreshold"
    run_id = next(e for e in ex.history if e.type == "MapRunStarted").details["mapRunArn"].rsplit(":", 1)[-1]
    manifest = json.loads((tmp_path / "out" / run_id / "manifest.json").read_text())
    counts = {status: sum(len(json.loads((tmp_path / "out" / f["Key"]).read_text())) for f in files)
              for status, files in manifest["ResultFiles"].items()}
    assert counts == {"SUCCEEDED": 1, "FAILED": 1, "PENDING": 1}


def test_writer_config_transformations_and_jsonl(tmp_path):
    arrays = {"ProcessorConfig": DISTRIBUTED, "StartAt": "P", "States": {
        "P": {"Type": "Pass", "Parameters": {"pair.$": "States.Array($.n, $.n)"}, "OutputPath": "$.pair",
              "End": True}}}
    items = {"prefix": "x", "items": [{"n": 1}, {"n": 2}]}
    compact = machine({"WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSON"}}, arrays).run(items)
    assert compact.output == [[1, 1], [2, 2]]
    flat = machine({"WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSON"}}, arrays).run(items)
    assert flat.output == [1, 1, 2, 2]
    jsonl = machine({**EXPORT, "WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSONL"}}, arrays)
    ex = jsonl.run(items, s3_root=str(tmp_path))
    manifest, files = _files(tmp_path, ex)
    assert files["SUCCEEDED"][0].name == "SUCCEEDED_0.jsonl"
    assert [json.loads(line) for line in files["SUCCEEDED"][0].read_text().splitlines()] == [1, 1, 2, 2]


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                     max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(status=st.sampled_from(["SUCCEEDED", "FAILED", "PENDING"]), child_input=_JSON, output=_JSON,
       same=st.booleans(), error=st.none() | st.text(), cause=st.none() | st.text(),
       started=st.none() | st.just("2025-01-01T00:00:00.000Z"), stopped=st.none() | st.just("2025-01-01T00:00:01Z"),
       arn=st.text(min_size=1).map(lambda t: f"arn:aws:states:us-east-1:1:mapRun:M/{t}:run-1"))
def test_an_exported_entry_is_the_json_of_its_fields_in_aws_order(status, child_input, output, same, error, cause,
                                                                  started, stopped, arn):
    """The text written for each child (made without a dictionary, for speed) is json.dumps of the entry."""
    files = ResultFiles("", "b", "k", arn, "arn:aws:states:us-east-1:1:stateMachine:M/Map")
    output = child_input if same else output
    args = (status, "8f1d2c3e-0000-5000-8000-000000000000", child_input, output, error, cause, started, stopped)
    entry = files.entry(*args)
    assert files.entry_text(*args) == json.dumps(entry, ensure_ascii=False)
    keys = ["ExecutionArn", "Input", "InputDetails", "Name", "Output", "OutputDetails", "Error", "Cause",
            "RedriveCount", "RedriveStatus", "RedriveStatusReason", "StartDate", "StateMachineArn", "Status",
            "StopDate"]
    assert list(entry) == [k for k in keys if k in entry]  # AWS's order
    assert json.loads(entry["Input"]) == child_input
