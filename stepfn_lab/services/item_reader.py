"""Distributed Map's ItemReader: turning an S3 object into the Map's items, per ReaderConfig.

Spec: AWS docs "ItemReader (Map)" (input-output-itemreader.html). Taught in: notebooks/12-map.ipynb.

``ReaderConfig.InputType``:

* ``JSON`` - the object is a JSON array (or ``ItemsPointer``, a JSON Pointer such as ``/data/rows``,
  names the array inside it);
* ``JSONL`` - one JSON value per line (blank lines skipped);
* ``CSV`` - one object per row; ``CSVHeaderLocation`` ``FIRST_ROW`` (default: the first row names the
  columns) or ``GIVEN`` (``CSVHeaders`` names them and every row is data); ``CSVDelimiter`` COMMA
  (default), PIPE, SEMICOLON, SPACE or TAB;
* ``MANIFEST`` - an S3 Inventory ``manifest.json``: its CSV inventory files (gzip or plain) are read
  from the destination bucket and each row becomes an item named by the manifest's ``fileSchema``
  (``{"Bucket": ..., "Key": ..., "Size": ...}``); a plain CSV of ``bucket,key`` rows is read as well.

Design note: values read from CSV are strings; a short row fills the missing columns with ``""``, a
long row drops the extra fields, a blank last line is not an item (recorded on AWS:
``test_map_item_reader_csv_*``). A JSON object that is not an array fails with AWS's recorded
"Attempting to map over non-iterable node." The other failures (a bad line of JSONL, a missing
pointer, duplicate CSV headers, an inventory that is not CSV) fail with ``States.ItemReaderFailed``
as AWS documents for reader failures; their texts are the kit's, as AWS's are not recorded.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from typing import Any, Callable

from ..errors import ITEM_READER_FAILED, StatesError

DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}
INPUT_TYPES = ("JSON", "JSONL", "CSV", "MANIFEST")


def _failed(cause: str) -> StatesError:
    return StatesError(ITEM_READER_FAILED, cause)


def parse(body: str, config: dict, load: Callable[[str, str], bytes] | None = None) -> list:
    """The items in an object's text. ``load(bucket, key)`` reads the files a manifest lists."""
    kind = config.get("InputType", "JSON")
    if kind == "JSON":
        return _json(body, config.get("ItemsPointer"))
    if kind == "JSONL":
        return _json_lines(body)
    if kind == "CSV":
        return _csv(body, config)
    if kind == "MANIFEST":
        return _manifest(body, load)
    raise _failed(f"InputType {kind!r} is not supported locally ({', '.join(INPUT_TYPES)})")


def _json(body: str, pointer: str | None) -> list:
    try:
        value = json.loads(body)
    except ValueError as exc:
        raise _failed(f"The object is not valid JSON: {exc}") from None
    if pointer:
        value = _follow(value, pointer)
    if not isinstance(value, list):
        raise _failed("Attempting to map over non-iterable node.")
    return value


def _follow(value: Any, pointer: str) -> Any:
    """A JSON Pointer (RFC 6901): ``/a/0/b``, with ``~1`` for ``/`` and ``~0`` for ``~``."""
    for raw in pointer.split("/")[1:] if pointer.startswith("/") else pointer.split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            raise _failed(f"ItemsPointer {pointer!r} points at nothing: no {part!r} in the object")
    return value


def _json_lines(body: str) -> list:
    items = []
    for number, line in enumerate(body.splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except ValueError as exc:
            raise _failed(f"Line {number} of the JSONL object is not valid JSON: {exc}") from None
    return items


def _csv(body: str, config: dict):
    """The rows as ``s3objects.CsvRows``: dictionaries made on access, so a large file stays small."""
    from .s3objects import CsvRows
    delimiter = DELIMITERS.get(config.get("CSVDelimiter", "COMMA"), ",")
    given = config.get("CSVHeaderLocation", "FIRST_ROW") == "GIVEN"
    rows = CsvRows(body, delimiter, list(config.get("CSVHeaders") or []) if given else None)
    seen = set()
    for header in rows.headers:
        if header in seen:
            raise _failed(f"The CSV headers name the column {header!r} twice: every column needs its own name")
        seen.add(header)
    return rows


def _manifest(body: str, load: Callable[[str, str], bytes] | None) -> list:
    try:
        manifest = json.loads(body)
    except ValueError:
        manifest = None
    if not isinstance(manifest, dict):  # a plain CSV manifest: bucket,key rows
        return [{"Bucket": row[0], "Key": row[1]} for row in csv.reader(io.StringIO(body)) if len(row) >= 2]
    if str(manifest.get("fileFormat", "CSV")).upper() != "CSV":
        raise _failed(f"The S3 Inventory is in {manifest.get('fileFormat')} format: locally only CSV inventories "
                      "are read")
    columns = [c.strip() for c in str(manifest.get("fileSchema", "Bucket, Key")).split(",")]
    bucket = str(manifest.get("destinationBucket", "")).rsplit(":", 1)[-1]
    items = []
    for entry in manifest.get("files") or []:
        key = entry.get("key", "") if isinstance(entry, dict) else ""
        data = load(bucket, key) if load is not None else b""
        if key.endswith(".gz"):
            try:
                data = gzip.decompress(data)
            except OSError as exc:
                raise _failed(f"The inventory file s3://{bucket}/{key} is not gzip: {exc}") from None
        for row in csv.reader(io.StringIO(data.decode("utf-8"))):
            if row:
                items.append({c: (row[i] if i < len(row) else "") for i, c in enumerate(columns)})
    return items
