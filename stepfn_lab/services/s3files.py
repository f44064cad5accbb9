"""A local folder standing in for Amazon S3: Distributed Map's ItemReader and ResultWriter.

Spec: AWS docs "ItemReader (Map)", "ItemBatcher (Map)" and "ResultWriter (Map)".
Taught in: notebooks/12-map.ipynb.

``run(..., s3_root=folder)``: each bucket is a sub-folder of ``folder`` and each
key a file path inside it. No key may leave the root (``..`` is refused).

How an object's text becomes items (CSV, JSON, JSONL, manifests) is in ``item_reader``
(CSV rows are ``CsvRows``, made on access); the result files are in ``result_writer``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from datetime import datetime, timezone
from collections.abc import Sequence
from typing import Any

from ..asl.paths import PathNotFound, compile_path
from ..errors import ITEM_READER_FAILED, RESULT_WRITER_FAILED, RUNTIME, StatesError

_DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}


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


def _inside(base: str, path: str) -> bool:
    return path == base or path.startswith(base + os.sep)


def write_text(path: str, text: str, root: str | None = None) -> int:
    """Write ``text`` to ``path`` (from ``resolve``) without ever following a symlink out of the root.

    Result paths are predictable (``<Prefix>/<MapRun id>/SUCCEEDED_0.json``), so a link planted
    there must not redirect the write: the text goes to a new private temporary file in the folder
    (checked to be inside ``root`` when given), which then *replaces* the name: ``os.replace`` swaps
    a symlink itself, never its target. Returns the number of bytes written.
    """
    folder = os.path.realpath(os.path.dirname(path))
    if root is not None and not _inside(os.path.realpath(root), folder):
        raise StatesError(RESULT_WRITER_FAILED, f"The result folder {os.path.dirname(path)} leaves the s3_root folder.")
    data = text.encode("utf-8", "replace")  # a lone surrogate becomes '?', as Java writes it
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".stepfn-lab-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as fh:
            fh.write(data)
        os.replace(temporary, os.path.join(folder, os.path.basename(path)))
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return len(data)


def append_text(path: str, text: str) -> None:
    """Append to a file ``write_text`` created, refusing to follow a symlink put there meanwhile
    (``O_NOFOLLOW`` where the system has it)."""
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        handle = os.open(path, flags)
    except OSError as exc:
        raise StatesError(RESULT_WRITER_FAILED, f"Cannot append to the result file {path}: {exc.strerror}") from None
    with os.fdopen(handle, "wb") as fh:
        fh.write(text.encode("utf-8", "replace"))


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


class CsvRows(Sequence):
    """The items of a CSV object, made one at a time as iterations start.

    A 1,000,000-row file is kept as its text and the offset of each row (about 8 bytes a row),
    not as a million dictionaries: a Distributed Map reads it in bounded memory. Each item
    is the dictionary of header to value, made when the Map asks for it.
    """

    def __init__(self, body: str, delimiter: str, headers: list | None, starts: Any = None,
                 span: range | None = None):
        self._body = body
        self._delimiter = delimiter
        if starts is None:
            headers, starts = self._index(body, delimiter, headers)
        self.headers = headers
        self._starts = starts  # offsets of the rows, then the end of the text
        self._span = span if span is not None else range(len(starts) - 1)

    @staticmethod
    def _index(body: str, delimiter: str, headers: list | None) -> tuple:
        from array import array
        position = [0]

        def lines():
            start, end = 0, len(body)
            while start < end:
                stop = body.find("\n", start)
                stop = end if stop < 0 else stop + 1
                position[0] = stop
                yield body[start:stop]
                start = stop

        reader = csv.reader(lines(), delimiter=delimiter)
        starts = array("q")
        begin = 0
        for row in reader:
            if headers is None:
                headers = row
            elif row:  # a blank line is not an item
                starts.append(begin)
            begin = position[0]
        starts.append(len(body))
        return headers or [], starts

    def __len__(self) -> int:
        return len(self._span)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return CsvRows(self._body, self._delimiter, self.headers, self._starts, self._span[index])
        i = self._span[index]
        text = self._body[self._starts[i]:self._starts[i + 1]]
        if '"' in text or "\r" in text.rstrip("\r\n"):
            row = next(csv.reader(io.StringIO(text), delimiter=self._delimiter), [])
        else:  # no quoting: the csv module would split it the same way, only slower
            row = text.rstrip("\r\n").split(self._delimiter)
        headers = self.headers
        if len(row) == len(headers):
            return dict(zip(headers, row))
        return {h: (row[k] if k < len(row) else "") for k, h in enumerate(headers)}

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, (list, CsvRows)) and len(self) == len(other) and all(
            a == b for a, b in zip(self, other))

    def __repr__(self) -> str:
        return f"<{len(self)} CSV rows>"

    def __deepcopy__(self, memo: dict) -> CsvRows:
        return self  # never changed: snapshots share it


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


def _add_child(execution, files, fan, index: int, child, output: Any, iso: dict) -> None:
    """One child's entry (SUCCEEDED, FAILED, or PENDING when it never ran or still runs)."""
    if child is None:
        files.add("PENDING", "", fan.inputs[index] if index < len(fan.inputs) else None)
        return
    events = child.history.events
    name = _uuid5(f"{files.run_arn}/{index}")
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


def _uuid5(name: str) -> str:
    """``str(uuid.uuid5(uuid.NAMESPACE_URL, name))``, without the UUID object (once per child)."""
    digest = bytearray(hashlib.sha1(_URL_NAMESPACE + name.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


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
        self.result: Any = None

    def ended(self, execution, child, status: str) -> None:
        fan = child.parent.fan
        self.waiting[child.index] = (child, child.output)
        while self.next in self.waiting:
            ended, output = self.waiting.pop(self.next)
            _add_child(execution, self.files, fan, self.next, ended, output, self.iso)
            self.next += 1

    def close(self, execution, fan) -> Any:
        """The children not written yet (aborted, never started), then the files and the manifest."""
        if self.result is None:
            for index in range(self.next, len(fan.children)):
                child, output = self.waiting.pop(index, (fan.children[index], None))
                _add_child(execution, self.files, fan, index, child, output, self.iso)
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
    outputs: list = []
    for index, child in enumerate(fan.children):
        _add_child(execution, files, fan, index, child, fan.results[index], iso)
        if child is None or exporting:
            continue
        entries = files.entries["SUCCEEDED" if child.status == "SUCCEEDED" else "FAILED"]
        outputs.append(entries[-1] if child.status != "SUCCEEDED" or transformation == "NONE"
                       else fan.results[index])
    if exporting:
        return files.close()
    return transform(outputs, transformation)
