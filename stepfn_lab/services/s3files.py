"""A local folder standing in for Amazon S3: Distributed Map's ItemReader and ResultWriter.

Spec: AWS docs "ItemReader (Map)", "ItemBatcher (Map)" and "ResultWriter (Map)".
Taught in: notebooks/12-map.ipynb.

``run(..., s3_root=folder)``: each bucket is a sub-folder of ``folder`` and each
key a file path inside it. No key may leave the root (``..`` is refused).

How an object's text becomes items (CSV, JSON, JSONL, manifests) is in ``item_reader``;
the result files ResultWriter writes are in ``result_writer``.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from typing import Any

from ..asl.paths import PathNotFound, compile_path
from ..errors import ITEM_READER_FAILED, RESULT_WRITER_FAILED, RUNTIME, StatesError


def resolve(root: str | None, bucket: str, key: str = "") -> str:
    """The local file for ``s3://bucket/key``, refusing anything outside the root."""
    if not root:
        raise StatesError(RUNTIME, "This Map reads from S3: run it with s3_root=<folder>, where each bucket is a "
                                   "sub-folder of that folder.")
    base = os.path.realpath(root)
    path = os.path.realpath(os.path.join(base, str(bucket), str(key)))
    if path != base and not path.startswith(base + os.sep):
        raise StatesError(RUNTIME, f"The S3 location s3://{bucket}/{key} leaves the s3_root folder.")
    return path


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


def _list_objects(root: str | None, bucket: str, prefix: str) -> list:
    base = resolve(root, bucket)
    out = []
    for folder, _, files in os.walk(base):
        for name in files:
            full = os.path.join(folder, name)
            key = os.path.relpath(full, base).replace(os.sep, "/")
            if key.startswith(prefix or ""):
                stat = os.stat(full)
                out.append({"Etag": f"\"{int(stat.st_mtime)}-{stat.st_size}\"", "Key": key,
                            "LastModified": datetime.fromtimestamp(stat.st_mtime, timezone.utc).strftime(
                                "%Y-%m-%dT%H:%M:%SZ"), "Size": stat.st_size, "StorageClass": "STANDARD"})
    return sorted(out, key=lambda o: o["Key"])


def write_results(execution, frame, state, fan) -> Any:
    """ResultWriter: export the Map Run's children (``result_writer.ResultFiles``) and return the
    Map state's result, or apply WriterConfig alone. ``fan`` holds the children and their results."""
    import uuid
    from .result_writer import ResultFiles, transform, writer_config
    writer = state.extra["result_writer"] or {}
    exporting = "Resource" in writer
    transformation, output_type = writer_config(writer, exporting)
    run_arn = frame.token or "local"
    label = state.extra.get("label") or state.name
    machine = execution.machine
    machine_arn = f"arn:aws:states:{machine.region}:{machine.account}:stateMachine:{machine.name}/{label}"
    if exporting:
        states = execution.states_for(frame, state) if state.is_jsonata else None
        args = _arguments(execution, frame, state, writer, frame.effective, states)
        bucket, prefix = args.get("Bucket"), args.get("Prefix") or ""
        if not bucket or not isinstance(bucket, str):
            raise StatesError(RESULT_WRITER_FAILED, f"ResultWriter needs a Bucket in its "
                                                    f"{'Arguments' if state.is_jsonata else 'Parameters'}, "
                                                    f"but got {json.dumps(args)}")
        run_id = run_arn.rsplit(":", 1)[-1]
        folder_key = f"{str(prefix).rstrip('/')}/{run_id}" if prefix else run_id
        files = ResultFiles(resolve(execution.s3_root, bucket, folder_key), bucket, folder_key, run_arn, machine_arn,
                            transformation, output_type)
    else:
        files = ResultFiles("", "", "", run_arn, machine_arn, transformation, output_type)
    outputs: list = []
    for index, child in enumerate(fan.children):
        if child is None:
            files.add("PENDING", "", fan.inputs[index] if index < len(fan.inputs) else None)
            continue
        events = child.history.events
        name = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{run_arn}/{index}"))
        started = execution.clock.iso(events[0].at) if events else None
        stopped = execution.clock.iso(events[-1].at) if events else None
        child_input = events[0].details.get("input") if events else fan.inputs[index]
        if child.status == "SUCCEEDED":
            files.add("SUCCEEDED", name, child_input, fan.results[index], started=started, stopped=stopped)
        elif child.status == "RUNNING":
            files.add("PENDING", name, child_input)
        else:  # failed, timed out or aborted children are written to the FAILED file
            files.add("FAILED", name, child_input, error=child.error, cause=child.cause, started=started,
                      stopped=stopped)
        if not exporting:
            entries = files.entries["SUCCEEDED" if child.status == "SUCCEEDED" else "FAILED"]
            outputs.append(entries[-1] if child.status != "SUCCEEDED" or transformation == "NONE"
                           else fan.results[index])
    if exporting:
        return files.close()
    return transform(outputs, transformation)
