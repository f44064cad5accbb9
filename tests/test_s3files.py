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


def test_result_writer_never_writes_through_a_planted_symlink(tmp_path):
    first, second, outside = tmp_path / "first", tmp_path / "second", tmp_path / "outside"
    for root in (first, second):
        (root / "raw").mkdir(parents=True)
        (root / "raw" / "orders.csv").write_text(CSV)
    outside.mkdir()
    target = outside / "precious.txt"
    target.write_text("keep me")
    key = etl_machine().run({}, s3_root=str(first)).output["ResultWriterDetails"]["Key"]
    folder = second / "processed" / key.rsplit("/", 1)[0]  # the run id is predictable: plant links there
    folder.mkdir(parents=True)
    for name in ("SUCCEEDED_0.json", "FAILED_0.json", "PENDING_0.json", "manifest.json"):
        (folder / name).symlink_to(target)
    ex = etl_machine().run({}, s3_root=str(second))
    assert ex.status == "SUCCEEDED" and target.read_text() == "keep me"
    assert not (folder / "manifest.json").is_symlink() and json.loads((folder / "manifest.json").read_text())
    assert sorted(p.name for p in folder.iterdir()) == ["FAILED_0.json", "PENDING_0.json", "SUCCEEDED_0.json",
                                                        "manifest.json"]  # no temporary file left behind


def test_a_result_folder_linked_out_of_the_root_is_refused(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "orders.csv").write_text(CSV)
    outside = tmp_path.parent / (tmp_path.name + "-outside")
    outside.mkdir()
    (tmp_path / "processed").symlink_to(outside, target_is_directory=True)
    ex = etl_machine().run({}, s3_root=str(tmp_path))
    assert ex.status == "FAILED" and "leaves the s3_root folder" in ex.cause and not list(outside.iterdir())


def test_list_objects_skips_links_out_of_the_root_and_dangling_ones(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("x" * 1234)
    root = tmp_path / "root"
    (root / "b").mkdir(parents=True)
    (root / "b" / "real.txt").write_text("hello")
    (root / "b" / "inside-link.txt").symlink_to(root / "b" / "real.txt")
    (root / "b" / "escape.txt").symlink_to(outside / "secret.txt")
    (root / "b" / "dangling.txt").symlink_to(root / "b" / "gone.txt")
    listing = sfl.StateMachine.from_json({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": "b"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "K", "States": {"K": {"Type": "Pass", "End": True}}},
        "End": True}}}).run({}, s3_root=str(root))
    assert listing.status == "SUCCEEDED", listing.cause
    assert [(o["Key"], o["Size"]) for o in listing.output] == [("inside-link.txt", 5), ("real.txt", 5)]
