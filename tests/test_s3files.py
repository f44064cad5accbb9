"""stepfn_lab.services.s3files and runtime.mapping: Distributed Map over a local folder (the ETL use case)."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# --- CSV items are made one at a time; results stream to the ResultWriter ------------------

TRICKY = 'id,name,note\r\n1,a,"x,y"\r\n\r\n2,b,"multi\nline"\n3,c\n4,d,e,extra\n5,"q ""quoted""",\n\n'


def _eager(body: str, delimiter: str = ",", headers: list | None = None) -> list:
    """The items as a whole-file parse gives them (what the lazy rows must equal)."""
    import csv
    import io
    rows = list(csv.reader(io.StringIO(body), delimiter=delimiter))
    if headers is None:
        headers, rows = rows[0], rows[1:]
    return [{h: (row[i] if i < len(row) else "") for i, h in enumerate(headers)} for row in rows if row]


@pytest.mark.parametrize("body, config", [
    (TRICKY, {}),
    (TRICKY.replace(",", "|"), {"CSVDelimiter": "PIPE"}),
    ("a,b\n1,2\n3,4", {"CSVHeaderLocation": "GIVEN", "CSVHeaders": ["x", "y"]}),
    ("only,header\n", {}),
    ("", {}),
])
def test_csv_rows_equal_a_whole_file_parse(body, config):
    from stepfn_lab.services.s3files import _csv
    rows = _csv(body, config)
    delimiter = "|" if config.get("CSVDelimiter") == "PIPE" else ","
    expected = _eager(body, delimiter, config.get("CSVHeaders")) if body else []
    assert len(rows) == len(expected)
    assert [rows[i] for i in range(len(rows))] == expected
    assert list(rows) == expected and rows == expected
    assert list(rows[:2]) == expected[:2] and len(rows[1:]) == max(len(expected) - 1, 0)


_PLAIN_LINE = st.one_of(st.just(""), st.lists(st.text(alphabet="abç 1;|\t", max_size=4), min_size=1, max_size=5))


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(_PLAIN_LINE, max_size=40), delimiter=st.sampled_from([",", ";", "|", "\t", " "]),
       given_headers=st.booleans(), end=st.sampled_from(["", "\n", "\n\n"]), order=st.randoms())
def test_plain_csv_rows_made_a_chunk_at_a_time_equal_a_whole_file_parse(lines, delimiter, given_headers, end,
                                                                         order):
    """A file without quotes or carriage returns is split CHUNK rows at a time: any access order gives the
    rows of a whole-file parse (blank lines skipped, short rows filled, long rows cut)."""
    from stepfn_lab.services.s3objects import CsvRows
    text = [delimiter.join(line) if isinstance(line, list) else line for line in lines]
    head = delimiter.join(["h1", "h2", "h3"])
    body = "\n".join(text if given_headers else [head, *text]) + end
    headers = ["x", "y"] if given_headers else None
    rows = CsvRows(body, delimiter, headers)
    rows.CHUNK = 3  # chunks of three rows: many chunk edges in a short file
    expected = _eager(body, delimiter, headers) if body.strip("\n") or given_headers else []
    assert rows._plain and len(rows) == len(expected)
    indexes = list(range(len(expected)))
    order.shuffle(indexes)
    assert [rows[i] for i in indexes] == [expected[i] for i in indexes]
    assert list(rows) == expected


def test_csv_rows_hold_text_and_offsets_not_dicts():
    import copy
    from stepfn_lab.services.s3files import CsvRows, _csv
    body = "id,city\n" + "".join(f"{i},São Paulo\n" for i in range(10_000))
    rows = _csv(body, {})
    assert isinstance(rows, CsvRows) and len(rows) == 10_000
    assert rows[9_999] == {"id": "9999", "city": "São Paulo"} and rows[-1] == rows[9_999]
    assert rows._starts.itemsize == 8 and len(rows._starts) == 10_001  # one offset a row, no dict
    assert copy.deepcopy(rows) is rows  # a snapshot (Stepper's Back) shares the never-changed rows


def _writer_machine(kind: str = "EXPRESS", tolerated: int | None = None, output_type: str = "JSON"):
    state = {"Type": "Map", "ItemsPath": "$.items",
             "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": kind},
                               "StartAt": "Check", "States": {"Check": {
                                   "Type": "Choice", "Choices": [{"Variable": "$.ok", "BooleanEquals": False,
                                                                  "Next": "Refuse"}], "Default": "Accept"},
                                   "Accept": {"Type": "Pass", "End": True},
                                   "Refuse": {"Type": "Fail", "Error": "Bad.Item", "Cause": "not ok"}}},
             "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                              "Parameters": {"Bucket": "out", "Prefix": "runs"},
                              "WriterConfig": {"OutputType": output_type}},
             "End": True}
    if tolerated is not None:
        state["ToleratedFailureCount"] = tolerated
    return sfl.StateMachine.from_json({"StartAt": "Each", "States": {"Each": state}})


def _files(root) -> dict:
    folder = next((root / "out" / "runs").iterdir())
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("output_type", ["JSON", "JSONL"])
def test_streamed_result_files_are_the_files_of_one_write(tmp_path, output_type):
    from stepfn_lab.services.result_writer import ResultFiles
    items = [{"ok": i % 7 != 3, "n": i, "text": "ação \"x\"\n"} for i in range(2_345)]
    runs = {}
    for flush in (100, 10**9):  # appended a hundred entries at a time, or written in one go
        ResultFiles.FLUSH, saved = flush, ResultFiles.FLUSH
        try:
            root = tmp_path / str(flush)
            execution = _writer_machine(tolerated=400, output_type=output_type).run({"items": items},
                                                                                  s3_root=str(root))
        finally:
            ResultFiles.FLUSH = saved
        assert execution.status == "SUCCEEDED"
        runs[flush] = _files(root)
    assert runs[100] == runs[10**9]  # byte for byte
    suffix = ".jsonl" if output_type == "JSONL" else ".json"
    text = runs[100]["SUCCEEDED_0" + suffix].decode()
    succeeded = ([json.loads(line) for line in text.splitlines()] if output_type == "JSONL" else json.loads(text))
    assert [json.loads(e["Input"])["n"] for e in succeeded] == [i for i in range(2_345) if i % 7 != 3]
    failed = runs[100]["FAILED_0" + suffix].decode()
    failed = [json.loads(line) for line in failed.splitlines()] if output_type == "JSONL" else json.loads(failed)
    assert {e["Error"] for e in failed} == {"Bad.Item"} and len(failed) == len([i for i in items if not i["ok"]])


def test_a_failed_run_still_leaves_complete_files(tmp_path):
    execution = _writer_machine().run({"items": [{"ok": True}, {"ok": False}, {"ok": True}]},
                                      s3_root=str(tmp_path))
    assert execution.status == "FAILED"
    files = _files(tmp_path)
    written = sum(len(json.loads(files[name])) for name in files if name != "manifest.json")
    assert written == 3  # every item is in one of the files (succeeded, failed/aborted or pending)
    assert json.loads(files["FAILED_0.json"])[0]["Status"] == "FAILED"


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


def test_streamed_result_files_are_appended_without_following_a_new_link(tmp_path):
    from stepfn_lab.errors import StatesError
    from stepfn_lab.services.s3files import append_text, write_text
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    path = tmp_path / "SUCCEEDED_0.json"
    path.symlink_to(target)
    write_text(str(path), "[1")  # replaces the planted link
    append_text(str(path), ", 2]")
    assert path.read_text() == "[1, 2]" and not path.is_symlink() and target.read_text() == "keep me"
    path.unlink()
    path.symlink_to(target)  # planted between two appends
    with pytest.raises(StatesError, match="Cannot append"):
        append_text(str(path), "more")
    assert target.read_text() == "keep me"


@pytest.mark.parametrize("tolerated", [0, 1])
@pytest.mark.parametrize("actions", [3, 8, 13])
def test_a_map_run_reloaded_from_a_durable_store_writes_the_files_of_an_uninterrupted_run(tmp_path, tolerated,
                                                                                         actions):
    """A durable execution stopped in the middle of its Map Run (after a few actions) and loaded again writes
    the same result files, byte for byte, as the same run without a stop."""
    definition = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "ToleratedFailureCount": tolerated,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                          "StartAt": "Check", "States": {
                              "Check": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 3,
                                                                       "Next": "Refuse"}], "Default": "Accept"},
                              "Accept": {"Type": "Pass", "End": True},
                              "Refuse": {"Type": "Fail", "Error": "Three", "Cause": "no threes"}}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": "out", "Prefix": "runs"}},
        "End": True}}}
    data = {"items": [{"n": i} for i in range(7)]}
    whole = sfl.StateMachine.from_json(definition, name="Nightly").start(data, name="run",
                                                                          s3_root=str(tmp_path / "a")).run()
    store = str(tmp_path / "store.db")
    first = sfl.StateMachine.from_json(definition, name="Nightly").start(data, name="run", store=store,
                                                                          s3_root=str(tmp_path / "b"))
    for _ in range(actions):
        first.advance()
    first._persist()
    first.close()
    assert first.status == "RUNNING" and first.root.fan is not None  # stopped inside the Map Run
    again = sfl.load_execution(first.arn, store)
    again.run()
    assert (again.status, again.error, again.output) == (whole.status, whole.error, whole.output)
    assert _files(tmp_path / "b") == _files(tmp_path / "a")
    assert "SUCCEEDED_0.json" in _files(tmp_path / "a")
