"""The tables of the validator: the fields of every state type, of a machine, a retrier, a catcher and a
Choice rule, which query language each field belongs to, the exclusive groups, the enumerations and AWS's limits.

Spec: Amazon States Language, "States" (the fields of every state type), "Errors", "Choice Rules", and the
JSONata query-language rules; AWS docs for the Map state's ItemReader, ItemBatcher and ResultWriter.
Taught in: notebooks/02-asl-anatomy.ipynb.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .checker import State, Validator

STANDARD, EXPRESS = "STANDARD", "EXPRESS"
JSONPATH, JSONATA = "JSONPath", "JSONata"
ERROR, WARNING = "ERROR", "WARNING"

MAX_DEFINITION_LENGTH = 1_048_576  # characters (AWS: Definition max length)
MAX_NAME = 80  # state names and variable names
MAX_LABEL = 40
MAX_SECONDS = 99_999_999  # statelint: TimeoutSeconds, HeartbeatSeconds, IntervalSeconds, MaxAttempts
MAX_DELAY_SECONDS = 31_622_400
MAX_NESTING = 100  # nested machines (Parallel/Map) and nested Choice rules
MAX_HINT_CANDIDATES = 500

Path = tuple  # ("States", "A", "Choices", 0, "Next")


# ---------------------------------------------------------------------------------------
# The tables a reader scans: which fields each state type has, in which query language.
# ---------------------------------------------------------------------------------------

STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
_COMMON = ("Type", "Comment", "QueryLanguage")
_FLOW = ("Next", "End")
_IO = ("InputPath", "OutputPath", "Output")

STATE_FIELDS: dict[str, frozenset] = {
    "Pass": frozenset(_COMMON + _FLOW + _IO + ("Parameters", "ResultPath", "Result", "Assign")),
    "Task": frozenset(_COMMON + _FLOW + _IO + (
        "Resource", "Parameters", "Arguments", "ResultSelector", "ResultPath", "Assign", "Credentials",
        "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Retry", "Catch")),
    "Choice": frozenset(_COMMON + _IO + ("Choices", "Default", "Assign")),
    "Wait": frozenset(_COMMON + _FLOW + _IO + ("Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Assign")),
    "Succeed": frozenset(_COMMON + _IO),
    "Fail": frozenset(_COMMON + ("Error", "ErrorPath", "Cause", "CausePath")),
    "Parallel": frozenset(_COMMON + _FLOW + _IO + (
        "Branches", "Parameters", "Arguments", "ResultSelector", "ResultPath", "Assign", "Retry", "Catch")),
    "Map": frozenset(_COMMON + _FLOW + _IO + (
        "ItemProcessor", "Iterator", "ItemsPath", "Items", "ItemSelector", "Parameters", "ItemReader",
        "ItemBatcher", "ResultWriter", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath", "ToleratedFailureCount", "ToleratedFailureCountPath", "Label",
        "ResultSelector", "ResultPath", "Assign", "Retry", "Catch")),
}
ALL_STATE_FIELDS = frozenset().union(*STATE_FIELDS.values())

REQUIRED_FIELDS = {"Task": ("Resource",), "Choice": ("Choices",), "Parallel": ("Branches",)}

# Fields that only one query language knows; the other language's equivalent is the hint.
JSONPATH_ONLY = {
    "InputPath": "Arguments", "OutputPath": "Output", "Parameters": "Arguments", "ResultPath": "Output",
    "ResultSelector": "Output", "Result": "Output", "ItemsPath": "Items", "SecondsPath": "Seconds",
    "TimestampPath": "Timestamp", "TimeoutSecondsPath": "TimeoutSeconds",
    "HeartbeatSecondsPath": "HeartbeatSeconds", "ErrorPath": "Error", "CausePath": "Cause",
    "MaxConcurrencyPath": "MaxConcurrency", "ToleratedFailureCountPath": "ToleratedFailureCount",
    "ToleratedFailurePercentagePath": "ToleratedFailurePercentage", "MaxItemsPath": "MaxItems",
    "MaxItemsPerBatchPath": "MaxItemsPerBatch", "MaxInputBytesPerBatchPath": "MaxInputBytesPerBatch",
    "Variable": "Condition",
}
JSONATA_ONLY = {"Arguments": "Parameters", "Output": "OutputPath or ResultSelector", "Items": "ItemsPath",
                "Condition": "Variable with a comparison"}

# Pairs (or more) of which a state may have at most one.
EXCLUSIVE_FIELDS = {
    "Task": (("TimeoutSeconds", "TimeoutSecondsPath"), ("HeartbeatSeconds", "HeartbeatSecondsPath")),
    "Fail": (("Error", "ErrorPath"), ("Cause", "CausePath")),
    "Wait": (("Seconds", "SecondsPath", "Timestamp", "TimestampPath"),),
    "Map": (("ItemProcessor", "Iterator"), ("ItemSelector", "Parameters"), ("ItemsPath", "Items"),
            ("MaxConcurrency", "MaxConcurrencyPath"), ("ToleratedFailureCount", "ToleratedFailureCountPath"),
            ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath")),
}

MACHINE_FIELDS = frozenset(("StartAt", "States", "Comment", "Version", "TimeoutSeconds", "QueryLanguage"))
BRANCH_FIELDS = frozenset(("StartAt", "States", "Comment"))
PROCESSOR_FIELDS = frozenset(("StartAt", "States", "Comment", "ProcessorConfig"))

RETRIER_FIELDS = frozenset(("ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds",
                            "JitterStrategy", "Comment"))
CATCHER_FIELDS = frozenset(("ErrorEquals", "Next", "ResultPath", "Output", "Assign", "Comment"))

# Choice comparison operators and the kind of value each takes.
COMPARATORS: dict[str, str] = {"StringMatches": "string", "IsNull": "is", "IsPresent": "is",
                               "IsNumeric": "is", "IsString": "is", "IsBoolean": "is", "IsTimestamp": "is"}
for _op in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"):
    for _kind in ("String", "Numeric", "Timestamp"):
        COMPARATORS[_kind + _op] = _kind.lower()
        COMPARATORS[_kind + _op + "Path"] = "path"
COMPARATORS["BooleanEquals"] = "boolean"
COMPARATORS["BooleanEqualsPath"] = "path"
RULE_FIELDS_JSONPATH = frozenset(COMPARATORS) | {"And", "Or", "Not", "Variable", "Next", "Comment", "Assign"}
RULE_FIELDS_JSONATA = frozenset(("Condition", "Next", "Comment", "Assign", "Output"))

INTRINSIC_NAMES = (
    "States.Format", "States.StringToJson", "States.JsonToString", "States.Array", "States.ArrayPartition",
    "States.ArrayContains", "States.ArrayRange", "States.ArrayGetItem", "States.ArrayLength", "States.ArrayUnique",
    "States.Base64Encode", "States.Base64Decode", "States.Hash", "States.JsonMerge", "States.MathRandom",
    "States.MathAdd", "States.StringSplit", "States.UUID",
)

ENUMS = {
    "JitterStrategy": ("FULL", "NONE"),
    "Mode": ("INLINE", "DISTRIBUTED"),
    "ExecutionType": ("STANDARD", "EXPRESS"),
    "InputType": ("CSV", "JSON", "JSONL", "PARQUET", "MANIFEST"),
    "CSVHeaderLocation": ("FIRST_ROW", "GIVEN"),
    "CSVDelimiter": ("COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB"),
    "ManifestType": ("ATHENA_DATA", "S3_INVENTORY", "CSV"),
    "OutputType": ("JSON", "JSONL"),
    "WriterTransformation": ("NONE", "COMPACT", "FLATTEN"),  # AWS docs "ResultWriter (Map)"
    "ReaderTransformation": ("NONE", "LOAD_AND_FLATTEN"),  # AWS docs "ItemReader (Map)"
    "QueryLanguage": (JSONPATH, JSONATA),
}

TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})\Z")
ARN = re.compile(r"arn:[A-Za-z0-9-]+:[A-Za-z0-9-]+:[A-Za-z0-9-]*:(\d{12})?:\S+\Z")
ACTIVITY = re.compile(r"arn:[^:]+:states:[^:]*:[^:]*:activity:")
SYNC = re.compile(r"\.sync(:\d+)?\Z")
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
LABEL_FORBIDDEN = re.compile("[\\s<>{}\\[\\]?*\"#%\\\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
INTRINSIC_START = re.compile(r"States\.[A-Za-z0-9]+\s*\(")


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_expr(value: Any) -> bool:
    """A JSONata expression string: ``"{% ... %}"``."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}") and len(value) >= 4


def is_bool(value: Any) -> bool:
    return isinstance(value, bool)


# ---------------------------------------------------------------------------------------
# Checkers of plain values (string, boolean, bounded numbers)
# ---------------------------------------------------------------------------------------

def string(v: Validator, value: Any, at: Path, st: State) -> None:
    v.expect(value, at, "String")


def boolean(v: Validator, value: Any, at: Path, st: State) -> None:
    v.expect(value, at, "Boolean")


def timeout(v: Validator, value: Any, at: Path, st: State) -> None:
    v.integer(value, at, 1, MAX_SECONDS, st)


def seconds(v: Validator, value: Any, at: Path, st: State) -> None:
    v.integer(value, at, 0, MAX_SECONDS, st)


def count(v: Validator, value: Any, at: Path, st: State) -> None:
    v.integer(value, at, 0, None, st)


def percentage(v: Validator, value: Any, at: Path, st: State) -> None:
    v.number(value, at, 0.0, 100.0, st)
