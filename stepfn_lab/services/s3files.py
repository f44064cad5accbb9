"""A local folder standing in for Amazon S3: Distributed Map's ItemReader and ResultWriter.

Spec: AWS docs "ItemReader (Map)", "ItemBatcher (Map)" and "ResultWriter (Map)".
Taught in: notebooks/12-map.ipynb.

``run(..., s3_root=folder)``: each bucket is a sub-folder of ``folder`` and each
key a file path inside it. No key may leave the root (``..`` is refused).

How an object's text becomes items (CSV, JSON, JSONL, manifests) is in ``item_reader``
(CSV rows are ``CsvRows``, made on access); the result files are in ``result_writer``; keys, files
and CSV rows in the folder are in ``s3objects``.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from typing import Any

from ..asl.paths import PathNotFound, compile_path
from ..errors import ITEM_READER_FAILED, RESULT_WRITER_FAILED, RUNTIME, StatesError
from .s3objects import CsvRows, _inside, append_text, resolve, write_text  # noqa: F401  (this module's API too)

_DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}


def _arguments(execution, frame, state, spec: dict, data: Any, states: dict | None) -> dict:
    raw = spec.get("Arguments") if state.is_jsonata else spec.get("Parameters")
    if raw is None:
        return {}
    if state.is_jsonata:
        from ..asl.jsonata import compile_template
        return compile_template(raw, "ItemReader/Arguments").evaluate(states, frame.scope, rng=execution.rng)
    from ..asl.payload import compile_payload
    return compile_payload(raw, "ItemReader.Parameters").evaluate(data, execution.context(frame, state),
                                                                  frame.scope, execution.rng)


def read_items(execution, frame, state, reader: dict, data: Any, states: dict | None) -> list:
    """ItemReader: the Map's items, read from the local folder standing in for S3 (``item_reader``)."""
    from .item_reader import parse
    config = reader.get("ReaderConfig") or {}
    resource = str(reader.get("Resource", "arn:aws:states:::s3:getObject"))
    max_items = _max_items(execution, frame, state, config, data, states)
    root = execution.s3_root

    def load(bucket: str, key: str) -> bytes:
        path = resolve(root, bucket, key)
        try:
            with open(path, "rb") as fh:
                return fh.read()
        except OSError:
            raise StatesError(ITEM_READER_FAILED, f"The specified key does not exist: s3://{bucket}/{key} "
                                                  f"(looked for {path})") from None

    if resource.endswith("s3:listObjectsV2"):
        args = _arguments(execution, frame, state, reader, data, states)
        bucket = args.get("Bucket", "")
        items = _list_objects(root, bucket, args.get("Prefix", ""))
        if config.get("Transformation") == "LOAD_AND_FLATTEN":
            # each listed object is read with the ReaderConfig and its items are flattened into one list
            items = [item for listed in items
                     for item in parse(_text(load(bucket, listed["Key"]), bucket, listed["Key"]), config, load)]
    else:
        if not reader.get("Parameters") and not reader.get("Arguments"):
            # without Parameters, the bucket and key come from the state input
            args = data if isinstance(data, dict) else {}
        else:
            args = _arguments(execution, frame, state, reader, data, states)
        bucket, key = str(args.get("Bucket", "")), str(args.get("Key", ""))
        items = parse(_text(load(bucket, key), bucket, key), config, load)
    if max_items:
        items = items[:max_items]
    return items


def _text(data: bytes, bucket: str, key: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StatesError(ITEM_READER_FAILED, f"s3://{bucket}/{key} is not UTF-8 text: {exc}") from None


def _max_items(execution, frame, state, config: dict, data: Any, states: dict | None) -> int | None:
    value = config.get("MaxItems")
    if "MaxItemsPath" in config:
        try:
            value = compile_path(config["MaxItemsPath"]).get(data, execution.context(frame, state), frame.scope)
        except PathNotFound as exc:
            raise StatesError(RUNTIME, str(exc)) from None
    elif isinstance(value, str) and states is not None:
        from ..asl.jsonata import compile_template
        value = compile_template(value, "ItemReader/ReaderConfig/MaxItems").evaluate(states, frame.scope)
    if value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise StatesError(ITEM_READER_FAILED, f"field MaxItems must be a positive integer, but was {value!r}") from None
    if number < 0:
        raise StatesError(ITEM_READER_FAILED, "field MaxItems must be positive")
    return number or None  # 0 means no limit (recorded on AWS: test_map_item_reader_csv_max_items_paths)


def _csv(body: str, config: dict) -> CsvRows:
    delimiter = _DELIMITERS.get(config.get("CSVDelimiter", "COMMA"), ",")
    given = config.get("CSVHeaderLocation", "FIRST_ROW") == "GIVEN"
    return CsvRows(body, delimiter, list(config.get("CSVHeaders") or []) if given else None)


def _list_objects(root: str | None, bucket: str, prefix: str) -> list:
    base = resolve(root, bucket)
    top = os.path.realpath(root)
    out = []
    for folder, _, files in os.walk(base):  # never descends into linked folders
        for name in files:
            full = os.path.join(folder, name)
            key = os.path.relpath(full, base).replace(os.sep, "/")
            if key.startswith(prefix or ""):
                if not _inside(top, os.path.realpath(full)):
                    continue  # a symlink to a file outside the root: not an object of this bucket
                try:
                    stat = os.stat(full)
                except OSError:  # a dangling link, or a file removed meanwhile
                    continue
                out.append({"Etag": f"\"{int(stat.st_mtime)}-{stat.st_size}\"", "Key": key,
                            "LastModified": datetime.fromtimestamp(stat.st_mtime, timezone.utc).strftime(
                                "%Y-%m-%dT%H:%M:%SZ"), "Size": stat.st_size, "StorageClass": "STANDARD"})
    return sorted(out, key=lambda o: o["Key"])


def _result_files(execution, frame, state, writer: dict, exporting: bool):
    from .result_writer import ResultFiles, writer_config
    transformation, output_type = writer_config(writer, exporting)
    run_arn = frame.token or "local"
    label = state.extra.get("label") or state.name
    machine = execution.machine
    machine_arn = f"arn:aws:states:{machine.region}:{machine.account}:stateMachine:{machine.name}/{label}"
    if not exporting:
        return ResultFiles("", "", "", run_arn, machine_arn, transformation, output_type)
    states = execution.states_for(frame, state) if state.is_jsonata else None
    args = _arguments(execution, frame, state, writer, frame.effective, states)
    bucket, prefix = args.get("Bucket"), args.get("Prefix") or ""
    if not bucket or not isinstance(bucket, str):
        raise StatesError(RESULT_WRITER_FAILED, f"ResultWriter needs a Bucket in its "
                                                f"{'Arguments' if state.is_jsonata else 'Parameters'}, "
                                                f"but got {json.dumps(args)}")
    run_id = run_arn.rsplit(":", 1)[-1]
    folder_key = f"{str(prefix).rstrip('/')}/{run_id}" if prefix else run_id
    return ResultFiles(resolve(execution.s3_root, bucket, folder_key), bucket, folder_key, run_arn, machine_arn,
                       transformation, output_type)


def _add_child(execution, files, fan, index: int, child, output: Any, iso: dict, names) -> None:
    """One child's entry (SUCCEEDED, FAILED, or PENDING when it never ran or still runs)."""
    if child is None:
        files.add("PENDING", "", fan.inputs[index] if index < len(fan.inputs) else None)
        return
    events = child.history.events
    name = names(index)
    started = stopped = None
    if events:
        first, last = events[0].at, events[-1].at
        started = iso.get(first) or iso.setdefault(first, execution.clock.iso(first))
        stopped = iso.get(last) or iso.setdefault(last, execution.clock.iso(last))
    child_input = events[0].details.get("input") if events else fan.inputs[index]
    if child.status == "SUCCEEDED":
        files.add("SUCCEEDED", name, child_input, output, started=started, stopped=stopped)
    elif child.status == "RUNNING":
        files.add("PENDING", name, child_input)
    else:  # failed, timed out or aborted children are written to the FAILED file
        files.add("FAILED", name, child_input, error=child.error, cause=child.cause, started=started,
                  stopped=stopped)


def _uuid_text(h: str) -> str:
    """A UUID version 5 from the hex of its SHA-1: the version nibble is 5, the variant bits 10 (RFC 4122)."""
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def _child_names(run_arn: str):
    """``index -> str(uuid.uuid5(uuid.NAMESPACE_URL, f"{run_arn}/{index}"))`` (each child execution's name),
    without UUID objects and hashing the common prefix once."""
    prefix = hashlib.sha1(_URL_NAMESPACE + f"{run_arn}/".encode("utf-8"))

    def name(index: int) -> str:
        h = prefix.copy()
        h.update(str(index).encode())
        return _uuid_text(h.hexdigest())
    return name


_URL_NAMESPACE = bytes.fromhex("6ba7b8119dad11d180b400c04fd430c8")  # uuid.NAMESPACE_URL


class ResultSink:
    """The export of a running Distributed Map: each child is written when it ends, in item order.

    Children that end before an earlier one wait here (at most about MaxConcurrency of them);
    the rest go to ``ResultFiles``, which appends them to the files in batches. The parent never
    holds every child's output (issue: a 1,000,000-item Map Run in bounded memory).
    """

    def __init__(self, files):
        self.files = files
        self.next = 0  # the next item index to write
        self.waiting: dict[int, tuple] = {}  # index -> (child, output) ended out of order
        self.iso: dict[float, str] = {}  # virtual time -> ISO text (children share a few times)
        self.names = _child_names(files.run_arn)  # item index -> child execution name
        self.result: Any = None

    def ended(self, execution, child, status: str) -> None:
        fan = child.parent.fan
        if child.index == self.next and not self.waiting:  # the usual case: it ended in item order
            _add_child(execution, self.files, fan, self.next, child, child.output, self.iso, self.names)
            self.next += 1
            return
        self.waiting[child.index] = (child, child.output)
        while self.next in self.waiting:
            ended, output = self.waiting.pop(self.next)
            _add_child(execution, self.files, fan, self.next, ended, output, self.iso, self.names)
            self.next += 1

    def close(self, execution, fan) -> Any:
        """The children not written yet (aborted, never started), then the files and the manifest."""
        if self.result is None:
            for index in range(self.next, len(fan.children)):
                child, output = self.waiting.pop(index, (fan.children[index], None))
                _add_child(execution, self.files, fan, index, child, output, self.iso, self.names)
            self.next = len(fan.children)
            self.result = self.files.close()
        return self.result


def result_sink(execution, frame, state, fan) -> ResultSink:
    return ResultSink(_result_files(execution, frame, state, state.extra["result_writer"] or {}, True))


def write_results(execution, frame, state, fan) -> Any:
    """ResultWriter: export the Map Run's children (``result_writer.ResultFiles``) and return the
    Map state's result, or apply WriterConfig alone. ``fan`` holds the children and their results."""
    from .result_writer import transform
    writer = state.extra["result_writer"] or {}
    exporting = "Resource" in writer
    files = _result_files(execution, frame, state, writer, exporting)
    transformation = files.transformation
    iso: dict = {}
    names = _child_names(files.run_arn)
    outputs: list = []
    for index, child in enumerate(fan.children):
        _add_child(execution, files, fan, index, child, fan.results[index], iso, names)
        if child is None or exporting:
            continue
        entries = files.entries["SUCCEEDED" if child.status == "SUCCEEDED" else "FAILED"]
        outputs.append(entries[-1] if child.status != "SUCCEEDED" or transformation == "NONE"
                       else fan.results[index])
    if exporting:
        return files.close()
    return transform(outputs, transformation)
