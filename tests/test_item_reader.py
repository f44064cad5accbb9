"""stepfn_lab.services.item_reader: every ReaderConfig AWS documents, and its failures."""

import gzip
import json

import pytest

import stepfn_lab as sfl
from stepfn_lab.errors import StatesError
from stepfn_lab.services.item_reader import parse


@pytest.mark.parametrize("delimiter, sep", [("COMMA", ","), ("PIPE", "|"), ("SEMICOLON", ";"), ("SPACE", " "),
                                            ("TAB", "\t")])
def test_csv_delimiters_and_header_locations(delimiter, sep):
    body = sep.join(["id", "name"]) + "\n" + sep.join(["1", "ana"]) + "\n"
    assert parse(body, {"InputType": "CSV", "CSVDelimiter": delimiter}) == [{"id": "1", "name": "ana"}]
    given = {"InputType": "CSV", "CSVDelimiter": delimiter, "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["a", "b"]}
    assert parse(body, given) == [{"a": "id", "b": "name"}, {"a": "1", "b": "ana"}]  # GIVEN: every row is data


def test_json_items_pointer_and_json_lines():
    assert parse('{"data": {"rows": [1, 2]}}', {"InputType": "JSON", "ItemsPointer": "/data/rows"}) == [1, 2]
    assert parse('{"a/b": [[0], [7]]}', {"ItemsPointer": "/a~1b/1"}) == [7]
    assert parse('{"n": 1}\n\n[2]\n', {"InputType": "JSONL"}) == [{"n": 1}, [2]]


@pytest.mark.parametrize("body, config, cause", [
    ('{"a": 1}', {"InputType": "JSON"}, "Attempting to map over non-iterable node."),  # recorded on AWS
    ("[1,", {"InputType": "JSON"}, "The object is not valid JSON"),
    ('{"a": []}', {"InputType": "JSON", "ItemsPointer": "/b"}, "ItemsPointer '/b' points at nothing"),
    ('{"n": 1}\n{oops}\n', {"InputType": "JSONL"}, "Line 2 of the JSONL object is not valid JSON"),
    ("a,a\n1,2\n", {"InputType": "CSV"}, "name the column 'a' twice"),
    ("x", {"InputType": "PARQUET"}, "not supported locally"),
    ('{"fileFormat": "ORC", "files": []}', {"InputType": "MANIFEST"}, "only CSV inventories"),
])
def test_documented_failures_are_item_reader_failed(body, config, cause):
    with pytest.raises(StatesError) as err:
        parse(body, config)
    assert err.value.error == "States.ItemReaderFailed" and cause in err.value.cause


def _distributed(reader, **fields):
    return sfl.StateMachine.from_json({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemReader": reader, "End": True, **fields,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}})


def test_s3_inventory_manifest(tmp_path):
    (tmp_path / "inventory" / "data").mkdir(parents=True)
    rows = '"photos","2025/a.jpg","120"\n"photos","2025/b.jpg","80"\n'
    (tmp_path / "inventory" / "data" / "part-1.csv.gz").write_bytes(gzip.compress(rows.encode()))
    (tmp_path / "inventory" / "manifest.json").write_text(json.dumps({
        "sourceBucket": "photos", "destinationBucket": "arn:aws:s3:::inventory", "fileFormat": "CSV",
        "fileSchema": "Bucket, Key, Size", "files": [{"key": "data/part-1.csv.gz", "size": 60}]}))
    m = _distributed({"Resource": "arn:aws:states:::s3:getObject",
                      "ReaderConfig": {"InputType": "MANIFEST"},
                      "Parameters": {"Bucket": "inventory", "Key": "manifest.json"}})
    assert m.run({}, s3_root=str(tmp_path)).output == [{"Bucket": "photos", "Key": "2025/a.jpg", "Size": "120"},
                                                       {"Bucket": "photos", "Key": "2025/b.jpg", "Size": "80"}]


def test_list_objects_with_a_prefix_max_items_and_load_and_flatten(tmp_path):
    (tmp_path / "b" / "in").mkdir(parents=True)
    (tmp_path / "b" / "in" / "1.json").write_text("[1, 2]")
    (tmp_path / "b" / "in" / "2.json").write_text("[3]")
    (tmp_path / "b" / "other.json").write_text("[9]")
    listing = {"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": "b", "Prefix": "in/"}}
    out = _distributed(listing).run({}, s3_root=str(tmp_path)).output
    assert [o["Key"] for o in out] == ["in/1.json", "in/2.json"] and out[0]["Size"] == 6
    assert _distributed({**listing, "ReaderConfig": {"MaxItems": 1}}).run({}, s3_root=str(tmp_path)).output[0]["Key"] \
        == "in/1.json"
    flat = _distributed({**listing, "ReaderConfig": {"InputType": "JSON", "Transformation": "LOAD_AND_FLATTEN"}})
    assert flat.run({}, s3_root=str(tmp_path)).output == [1, 2, 3]
    missing = _distributed({"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
                            "Parameters": {"Bucket": "b", "Key": "nope.json"}}).run({}, s3_root=str(tmp_path))
    assert missing.error == "States.ItemReaderFailed" and "s3://b/nope.json" in missing.cause
