"""Distributed Map's ResultWriter: the result files, the manifest, and WriterConfig.

Spec: AWS docs "ResultWriter (Map)" (input-output-resultwriter.html): ``Resource`` s3:putObject with
``Parameters``/``Arguments`` {Bucket, Prefix} exports the child executions' results to S3;
``WriterConfig`` {``Transformation`` NONE | COMPACT | FLATTEN, ``OutputType`` JSON | JSONL} formats
them. Taught in: notebooks/12-map.ipynb.

What AWS documents, and this module writes under ``<Prefix>/<MapRun id>/`` (a local folder standing
in for S3, see ``s3files.resolve``):

* ``SUCCEEDED_<n>.json``, ``FAILED_<n>.json``, ``PENDING_<n>.json`` - one entry per child execution
  that succeeded, failed (a tolerated failure, or the one that failed the Map Run), or never ran
  because the Map Run failed first; a file is written only for a status that has entries;
* ``manifest.json`` - ``DestinationBucket``, ``MapRunArn`` and ``ResultFiles`` {FAILED, PENDING,
  SUCCEEDED: [{Key, Size}]};
* the Map state's result is ``{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}``.

Transformation: ``NONE`` (the default when exporting) writes each child execution with its metadata
(ExecutionArn, Input and Output as JSON text, Status, dates...); ``COMPACT`` (the default without a
ResultWriter) writes the outputs only; ``FLATTEN`` writes the outputs with array outputs flattened
into one list. A failed child is always written as under NONE (AWS docs: "If a child workflow
execution fails, Step Functions returns its execution result unchanged"). ``WriterConfig`` alone
(no Resource) exports nothing: the transformed results become the Map state's result.

Design note: with ``OutputType`` JSONL each file holds one JSON document per line and its name ends
in ``.jsonl``; AWS documents the format but no file name, so the extension is the kit's choice.
The 5 GB split of large result files is not reproduced (one file per status: ``_0``).

``ResultFiles`` collects the children one at a time (``add``), so a caller can hand them over as
they finish; when exporting, every ``FLUSH`` entries of a status go to its file (the text is the
same as one ``json.dumps`` of the whole list), so a 1,000,000-child Map Run holds a thousand
entries at a time, not a million; ``close`` writes the rest and the manifest.
"""

from __future__ import annotations

import json
import os
from typing import Any

from ..errors import RESULT_WRITER_FAILED, StatesError
from .s3objects import append_text, write_text

TRANSFORMATIONS = ("NONE", "COMPACT", "FLATTEN")
OUTPUT_TYPES = ("JSON", "JSONL")
STATUSES = ("SUCCEEDED", "FAILED", "PENDING")
_REASONS = {"SUCCEEDED": "Execution is SUCCEEDED and cannot be redriven"}
# one encoder each, made once (json.dumps with options builds a new encoder at every call)
_compact = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
if getattr(json.encoder, "c_make_encoder", None) is not None:
    # the C encoder that _compact makes at every call, made once (half the cost of a small document)
    _c_compact = json.encoder.c_make_encoder(None, json.JSONEncoder().default, json.encoder.encode_basestring,
                                             None, ":", ",", False, False, True)

    def _compact(value: Any, _encode=_compact) -> str:  # noqa: F811
        if isinstance(value, (dict, list)):
            return "".join(_c_compact(value, 0))
        return _encode(value)  # a str, number, boolean or null alone: as json.dumps writes it
_text = json.JSONEncoder(ensure_ascii=False).encode
_quote = json.encoder.encode_basestring  # what _text does with a str
_SUCCEEDED_REASON = _quote(_REASONS["SUCCEEDED"])


def writer_config(writer: dict, exporting: bool) -> tuple[str, str]:
    """``(Transformation, OutputType)``, with AWS's defaults (NONE when exporting, else COMPACT)."""
    config = writer.get("WriterConfig") or {}
    transformation = config.get("Transformation", "NONE" if exporting else "COMPACT")
    output_type = config.get("OutputType", "JSON")
    if transformation not in TRANSFORMATIONS:
        raise StatesError(RESULT_WRITER_FAILED, f"ResultWriter.WriterConfig.Transformation must be one of "
                                                f"{', '.join(TRANSFORMATIONS)}, but was {json.dumps(transformation)}")
    if output_type not in OUTPUT_TYPES:
        raise StatesError(RESULT_WRITER_FAILED, f"ResultWriter.WriterConfig.OutputType must be JSON or JSONL, "
                                                f"but was {json.dumps(output_type)}")
    return transformation, output_type


def transform(outputs: list, transformation: str) -> list:
    """The child outputs as COMPACT or FLATTEN returns them (WriterConfig without an export)."""
    if transformation == "FLATTEN":
        flat: list = []
        for output in outputs:
            if isinstance(output, list):
                flat.extend(output)
            else:
                flat.append(output)
        return flat
    return list(outputs)


class ResultFiles:
    """The export of one Map Run: ``add`` each child, then ``close`` to write the files."""

    FLUSH = 1000  # entries of one status held before they are appended to its file

    def __init__(self, folder: str, bucket: str, folder_key: str, run_arn: str, machine_arn: str,
                 transformation: str = "NONE", output_type: str = "JSON"):
        self.folder, self.bucket, self.folder_key = folder, bucket, folder_key
        self.run_arn, self.machine_arn = run_arn, machine_arn
        self.transformation, self.output_type = transformation, output_type
        # the entries held until the next flush: their JSON text when exporting, else the values
        self.entries: dict[str, list] = {status: [] for status in STATUSES}
        self._execution_prefix = f"{run_arn.replace(':mapRun:', ':execution:', 1).rsplit(':', 1)[0]}:"
        self._execution_quoted = '{"ExecutionArn": ' + _quote(self._execution_prefix)[:-1]  # the name follows
        self._machine_quoted = _quote(machine_arn)
        self.written: dict[str, int] = {status: 0 for status in STATUSES}  # entries already in the files

    def add(self, status: str, name: str, input: Any, output: Any = None, error: str | None = None,
            cause: str | None = None, started: str | None = None, stopped: str | None = None) -> None:
        """One child execution. ``status`` is SUCCEEDED, FAILED or PENDING (never started)."""
        entries = self.entries[status]
        if status == "SUCCEEDED" and self.transformation != "NONE":
            values = output if self.transformation == "FLATTEN" and isinstance(output, list) else (output,)
            entries.extend(map(_text, values) if self.folder else values)
        elif self.folder:  # exporting: the entry's JSON text, made once (see entry_text)
            entries.append(self.entry_text(status, name, input, output, error, cause, started, stopped))
        else:
            entries.append(self.entry(status, name, input, output, error, cause, started, stopped))
        if self.folder and len(entries) >= self.FLUSH:
            self._flush(status)

    def entry(self, status: str, name: str, input: Any, output: Any = None, error: str | None = None,
              cause: str | None = None, started: str | None = None, stopped: str | None = None) -> dict:
        """A child execution's entry under Transformation NONE, in AWS's key order."""
        entry: dict[str, Any] = {"Input": _compact(input),
                                 "InputDetails": {"Included": True}}
        if status != "PENDING":
            entry = {"ExecutionArn": self._execution_prefix + name, **entry, "Name": name}
        if status == "SUCCEEDED":
            entry["Output"] = _compact(output)
            entry["OutputDetails"] = {"Included": True}
        if status == "FAILED":
            if error is not None:
                entry["Error"] = error
            if cause is not None:
                entry["Cause"] = cause
        if status != "PENDING":
            entry["RedriveCount"] = 0
            entry["RedriveStatus"] = "NOT_REDRIVABLE" if status == "SUCCEEDED" else "REDRIVABLE_BY_MAP_RUN"
            if status in _REASONS:
                entry["RedriveStatusReason"] = _REASONS[status]
            if started:
                entry["StartDate"] = started
            entry["StateMachineArn"] = self.machine_arn
        entry["Status"] = status
        if stopped and status != "PENDING":
            entry["StopDate"] = stopped
        return entry

    def entry_text(self, status: str, name: str, input: Any, output: Any = None, error: str | None = None,
                   cause: str | None = None, started: str | None = None, stopped: str | None = None) -> str:
        """``json.dumps(self.entry(...), ensure_ascii=False)``, made without the dictionary (a million-child
        Map Run writes a million of them: this was two fifths of its time). The constant parts are
        encoded once; an output that is the input itself (a Pass child) is encoded once for both."""
        quoted_input = _quote(_compact(input))
        if status == "PENDING":
            return f'{{"Input": {quoted_input}, "InputDetails": {{"Included": true}}, "Status": "PENDING"}}'
        parts = [self._execution_quoted, name, '", "Input": ', quoted_input,
                 ', "InputDetails": {"Included": true}, "Name": "', name, '"']
        if status == "SUCCEEDED":
            parts += (', "Output": ', quoted_input if output is input else _quote(_compact(output)),
                      ', "OutputDetails": {"Included": true}, "RedriveCount": 0, "RedriveStatus": "NOT_REDRIVABLE", '
                      '"RedriveStatusReason": ', _SUCCEEDED_REASON)
        else:
            if error is not None:
                parts += (', "Error": ', _text(error))
            if cause is not None:
                parts += (', "Cause": ', _text(cause))
            parts.append(', "RedriveCount": 0, "RedriveStatus": "REDRIVABLE_BY_MAP_RUN"')
        if started:
            parts += (', "StartDate": ', _quote(started))
        parts += (', "StateMachineArn": ', self._machine_quoted, ', "Status": ', _quote(status))
        if stopped:
            parts += (', "StopDate": ', _quote(stopped))
        parts.append("}")
        return "".join(parts)

    def _name(self, status: str) -> str:
        return f"{status}_0{'.jsonl' if self.output_type == 'JSONL' else '.json'}"

    def _flush(self, status: str) -> None:
        """Append the held entries of a status to its file (created by the first flush)."""
        entries = self.entries[status]
        if not entries:
            return
        if self.output_type == "JSONL":
            text = "\n".join(entries) + "\n"
        else:  # pieces of json.dumps(all_entries): "[", then entries joined by ", ", then "]" in close
            text = ("[" if not self.written[status] else ", ") + ", ".join(entries)
        path = os.path.join(self.folder, self._name(status))
        if not self.written[status]:
            os.makedirs(self.folder, exist_ok=True)
            write_text(path, text)  # a new file replaces whatever was there, a planted symlink included
        else:
            append_text(path, text)
        self.written[status] += len(entries)
        entries.clear()

    def close(self) -> dict:
        """Write the result files and the manifest; return the Map state's result."""
        os.makedirs(self.folder, exist_ok=True)
        files: dict[str, list] = {status: [] for status in ("FAILED", "PENDING", "SUCCEEDED")}
        for status in STATUSES:
            self._flush(status)
            if not self.written[status]:
                continue
            name = self._name(status)
            path = os.path.join(self.folder, name)
            if self.output_type != "JSONL":
                append_text(path, "]")
            files[status].append({"Key": f"{self.folder_key}/{name}", "Size": os.path.getsize(path)})
        manifest = {"DestinationBucket": self.bucket, "MapRunArn": self.run_arn, "ResultFiles": files}
        write_text(os.path.join(self.folder, "manifest.json"), json.dumps(manifest, indent=1))
        return {"MapRunArn": self.run_arn,
                "ResultWriterDetails": {"Bucket": self.bucket, "Key": f"{self.folder_key}/manifest.json"}}
