"""stepfn_lab.services.s3files and runtime.mapping: Distributed Map over a local folder (the ETL use case)."""

import json

import pytest

import stepfn_lab as sfl

CSV = "order,amount\nA-1,10\nA-2,25\nA-3,7\nA-4,40\nA-5,3\n"


def etl_machine():
    return sfl.StateMachine.from_json({"StartAt": "Extract", "States": {"Extract": {
        "Type": "Map", "Label": "orders",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                       "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                       "Parameters": {"Bucket": "raw", "Key": "orders.csv"}},
        "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"currency": "BRL"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                          "StartAt": "Transform", "States": {"Transform": {
                              "Type": "Pass", "Parameters": {"count.$": "States.ArrayLength($.Items)",
                                                             "currency.$": "$.currency"}, "End": True}}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": "processed", "Prefix": "runs"}},
        "End": True}}}, name="Etl")


def test_etl_with_item_batcher_and_result_writer(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "orders.csv").write_text(CSV)
    ex = etl_machine().run({}, s3_root=str(tmp_path))
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.history.types == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted",
                                "MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
    details = ex.output["ResultWriterDetails"]
    assert details["Bucket"] == "processed" and details["Key"].endswith("/manifest.json")
    manifest = json.loads((tmp_path / "processed" / details["Key"]).read_text())
    results = json.loads((tmp_path / "processed" / manifest["ResultFiles"]["SUCCEEDED"][0]["Key"]).read_text())
    assert [json.loads(r["Output"]) for r in results] == [
        {"count": 2, "currency": "BRL"}, {"count": 2, "currency": "BRL"}, {"count": 1, "currency": "BRL"}]


def test_missing_object_and_escaping_the_root(tmp_path):
    ex = etl_machine().run({}, s3_root=str(tmp_path))
    assert ex.error == "States.ItemReaderFailed" and "does not exist" in ex.cause
    no_root = etl_machine().run({})
    assert no_root.status == "FAILED" and "s3_root" in no_root.cause
    from stepfn_lab.services.s3files import resolve
    with pytest.raises(Exception):
        resolve(str(tmp_path), "..", "etc/passwd")


def test_json_lines_and_listing(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.jsonl").write_text('{"n": 1}\n{"n": 2}\n')
    machine = sfl.StateMachine.from_json({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                                      "ReaderConfig": {"InputType": "JSONL"},
                                      "Parameters": {"Bucket": "b", "Key": "x.jsonl"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}}})
    assert machine.run({}, s3_root=str(tmp_path)).output == [{"n": 1}, {"n": 2}]
    listing = sfl.StateMachine.from_json({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2",
                                      "Parameters": {"Bucket": "b"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "K", "States": {"K": {"Type": "Pass", "OutputPath": "$.Key", "End": True}}},
        "End": True}}})
    assert listing.run({}, s3_root=str(tmp_path)).output == ["x.jsonl"]


def test_result_files_record_each_input(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "orders.csv").write_text(CSV)
    ex = etl_machine().run({}, s3_root=str(tmp_path))
    details = ex.output["ResultWriterDetails"]
    manifest = json.loads((tmp_path / "processed" / details["Key"]).read_text())
    results = json.loads((tmp_path / "processed" / manifest["ResultFiles"]["SUCCEEDED"][0]["Key"]).read_text())
    first_batch = json.loads(results[0]["Input"])
    assert first_batch == {"currency": "BRL", "Items": [{"order": "A-1", "amount": "10"},
                                                        {"order": "A-2", "amount": "25"}]}


def test_item_batcher_limits_from_paths(tmp_path):
    m = sfl.StateMachine.from_json({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemsPath": "$.xs", "End": True,
        "ItemBatcher": {"MaxItemsPerBatchPath": "$.per_batch", "MaxInputBytesPerBatchPath": "$.bytes"},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}})
    out = m.run({"xs": [1, 2, 3], "per_batch": 2, "bytes": 1000}).output
    assert out == [{"Items": [1, 2]}, {"Items": [3]}]
    bad = m.run({"xs": [1], "per_batch": "two", "bytes": 1000})
    assert bad.error == "States.Runtime" and "MaxItemsPerBatchPath must point at a positive integer" in bad.cause
