"""The Map state's own objects: ItemReader (and its ReaderConfig), ItemBatcher, ResultWriter.

Spec: AWS docs "ItemReader (Map)", "ItemBatcher (Map)", "ResultWriter (Map)" (the Distributed Map state).
Taught in: notebooks/12-map.ipynb.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .expressions import jsonata_template, payload, reference
from .fields import JSONATA, Path, count, string

if TYPE_CHECKING:
    from .checker import State, Validator


def _sub_object(v: Validator, value: Any, at: Path, st: State, fields: dict[str, Callable]) -> bool:
    """Check an object whose fields each have a checker (ItemReader, ItemBatcher, ...)."""
    if not v.expect(value, at, "Object"):
        return False
    for key, child in value.items():
        check = fields.get(key)
        if check is None:
            v.unsupported(at, key, fields)
        elif v.language_allows(key, st.lang, at):
            check(v, child, at + (key,), st)
    for group in _SUB_EXCLUSIVE:
        present = [f for f in group if f in value]
        if len(present) > 1:
            v.schema(at, f"There should only be one of the following fields: [{', '.join(present)}]")
    return True


def _enum_field(name: str) -> Callable:
    return lambda v, value, at, st: v.enum(value, at, name)


def _string_array(v: Validator, value: Any, at: Path, st: State) -> None:
    if v.expect(value, at, "Array"):
        for i, item in enumerate(value):
            v.expect(item, at + (i,), "String")


def _max_items(v: Validator, value: Any, at: Path, st: State) -> None:
    v.integer(value, at, 0, 100_000_000, st)


def _max_bytes(v: Validator, value: Any, at: Path, st: State) -> None:
    v.integer(value, at, 0, 262_144, st)


_READER_CONFIG = {"InputType": _enum_field("InputType"), "CSVHeaderLocation": _enum_field("CSVHeaderLocation"),
                  "CSVHeaders": _string_array, "CSVDelimiter": _enum_field("CSVDelimiter"),
                  "ManifestType": _enum_field("ManifestType"), "Transformation": _enum_field("ReaderTransformation"),
                  "ItemsPointer": string,
                  "MaxItems": _max_items, "MaxItemsPath": reference}
_WRITER_CONFIG = {"OutputType": _enum_field("OutputType"), "Transformation": _enum_field("WriterTransformation")}
_SUB_EXCLUSIVE = (("MaxItems", "MaxItemsPath"), ("MaxItemsPerBatch", "MaxItemsPerBatchPath"),
                  ("MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"), ("Parameters", "Arguments"))


def reader_config(v: Validator, value: Any, at: Path, st: State) -> None:
    if _sub_object(v, value, at, st, _READER_CONFIG):
        if value.get("CSVHeaderLocation") == "GIVEN" and "CSVHeaders" not in value:
            v.schema(at, "These fields are required: [CSVHeaders]",
                     hint="with CSVHeaderLocation GIVEN, list the column names in CSVHeaders")


def item_reader(v: Validator, value: Any, at: Path, st: State) -> None:
    if _sub_object(v, value, at, st, {"Resource": string, "Parameters": payload, "Arguments": jsonata_template,
                                      "ReaderConfig": reader_config}) and "Resource" not in value:
        v.schema(at, "These fields are required: [Resource]")


def item_batcher(v: Validator, value: Any, at: Path, st: State) -> None:
    fields = {"MaxItemsPerBatch": count, "MaxItemsPerBatchPath": reference, "MaxInputBytesPerBatch": _max_bytes,
              "MaxInputBytesPerBatchPath": reference, "BatchInput": jsonata_template}
    if _sub_object(v, value, at, st, fields) and not any(k in value for k in fields if k != "BatchInput"):
        v.schema(at, "One of these fields is required: [MaxItemsPerBatch, MaxInputBytesPerBatch]")


def result_writer(v: Validator, value: Any, at: Path, st: State) -> None:
    if not _sub_object(v, value, at, st, {"Resource": string, "Parameters": payload, "Arguments": jsonata_template,
                                          "WriterConfig": lambda v2, val, at2, st2: _sub_object(v2, val, at2, st2,
                                                                                                _WRITER_CONFIG)}):
        return
    # AWS docs "ResultWriter (Map)": WriterConfig alone, Resource with its Parameters/Arguments, or all three
    arguments = "Arguments" if st.lang == JSONATA else "Parameters"
    if "Resource" not in value and "WriterConfig" not in value:
        v.schema(at, "One of these fields is required: [WriterConfig, Resource]",
                 hint="the ResultWriter field cannot be empty")
    elif "Resource" in value and arguments not in value:
        v.schema(at, f"These fields are required: [{arguments}]",
                 hint=f"name the S3 bucket (and prefix) to write to: \"{arguments}\": {{\"Bucket\": \"...\"}}")
