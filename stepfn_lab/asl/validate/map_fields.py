"""The Map state's own objects: ItemReader (and its ReaderConfig), ItemBatcher, ResultWriter (and its
WriterConfig), and the Label of a Distributed Map. Their fields and rules: READER_RULES, BATCHER_RULES,
WRITER_RULES... in fields.py; here, the rules that look at several fields of one object.

Spec: AWS docs "ItemReader (Map)", "ItemBatcher (Map)", "ResultWriter (Map)", "Map state" (Label).
Taught in: notebooks/12-map.ipynb.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .fields import (BATCHER_RULES, JSONATA, LABEL_FORBIDDEN, MAP_OBJECT_EXCLUSIVE, MAX_LABEL, READER_CONFIG_RULES,
                     READER_RULES, WRITER_CONFIG_RULES, WRITER_RULES, Path)
from .report import render_location

if TYPE_CHECKING:
    from .checker import State, Validator


def item_reader(v: Validator, value: dict, at: Path, st: State) -> None:
    v.object_fields(value, at, st, READER_RULES, MAP_OBJECT_EXCLUSIVE)
    v.required(value, at, ("Resource",))


def reader_config(v: Validator, value: dict, at: Path, st: State) -> None:
    v.object_fields(value, at, st, READER_CONFIG_RULES, MAP_OBJECT_EXCLUSIVE)
    if value.get("CSVHeaderLocation") == "GIVEN" and "CSVHeaders" not in value:
        v.schema(at, "These fields are required: [CSVHeaders]",
                 hint="with CSVHeaderLocation GIVEN, list the column names in CSVHeaders")


def strings(v: Validator, value: list, at: Path, st: State) -> None:
    for i, item in enumerate(value):
        v.expect(item, at + (i,), "String")


def item_batcher(v: Validator, value: dict, at: Path, st: State) -> None:
    v.object_fields(value, at, st, BATCHER_RULES, MAP_OBJECT_EXCLUSIVE)
    if not any(k in value for k in BATCHER_RULES if k != "BatchInput"):
        v.schema(at, "One of these fields is required: [MaxItemsPerBatch, MaxInputBytesPerBatch]")


def result_writer(v: Validator, value: dict, at: Path, st: State) -> None:
    v.object_fields(value, at, st, WRITER_RULES, MAP_OBJECT_EXCLUSIVE)
    # AWS docs "ResultWriter (Map)": WriterConfig alone, Resource with its Parameters/Arguments, or all three
    arguments = "Arguments" if st.lang == JSONATA else "Parameters"
    if "Resource" not in value and "WriterConfig" not in value:
        v.schema(at, "One of these fields is required: [WriterConfig, Resource]",
                 hint="the ResultWriter field cannot be empty")
    elif "Resource" in value and arguments not in value:
        v.schema(at, f"These fields are required: [{arguments}]",
                 hint=f"name the S3 bucket (and prefix) to write to: \"{arguments}\": {{\"Bucket\": \"...\"}}")


def writer_config(v: Validator, value: dict, at: Path, st: State) -> None:
    v.object_fields(value, at, st, WRITER_CONFIG_RULES, MAP_OBJECT_EXCLUSIVE)


def label(v: Validator, value: str, at: Path, st: State) -> None:
    if len(value) > MAX_LABEL:
        v.report("INVALID_LABEL_NAME", at, f"Invalid Label name: Label '{value}' exceeds the {MAX_LABEL}-character "
                 "limit allowed by the service")
    elif not value or LABEL_FORBIDDEN.search(value):
        v.report("INVALID_LABEL_NAME", at, f"Invalid Label name: Label {value!r} contains invalid characters",
                 hint="no whitespace, brackets, wildcards or punctuation such as \" # % \\ ^ | ~ ` $ & , ; : /")
    first = v.labels.get(value)
    if first is None:
        v.labels[value] = at
    else:
        v.report("DUPLICATE_LABEL_NAME", at, f"Duplicate Label name: {value}",
                 hint=f"labels must be unique in the state machine; also used at {render_location(first)}")
