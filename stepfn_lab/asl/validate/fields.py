"""The tables of the validator: the fields of every state type, of a machine, a retrier, a catcher, a Choice rule and the Map state's objects; which query
language each field belongs to; the exclusive groups; the enumerations; AWS's limits; and, per field, the
rule its value follows (JSON types, range, allowed values, syntax, AWS's code and message, a check of its own).
The checker (``checker.py``) applies the rules, as jmespath applies its function signature table.

Spec: Amazon States Language, "States" (the fields of every state type), "Errors", "Choice Rules", and the
JSONata query-language rules; AWS docs for the Map state's ItemReader, ItemBatcher and ResultWriter.
Taught in: notebooks/02-asl-anatomy.ipynb.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

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
# The field rules: how each field's value is checked, one table per kind of object.
# ---------------------------------------------------------------------------------------

NOT_A_REFERENCE_PATH = "Value is not a Reference Path"  # AWS's message for any field that takes one
NOT_A_TIMESTAMP = "Value is not a valid timestamp"


@dataclass(frozen=True)
class Rule:
    """How one field's value is checked. The checker applies the parts in this order, and stops at the
    first problem:

    - ``expression``: in a JSONata state, a ``{% %}`` string may stand for the value;
    - ``enum`` (a key of ENUMS): the value is one of the allowed values; or
      ``types``: the value has one of these JSON types (an integral Number counts as an Integer; Null,
      when allowed, means "not set" and ends the checks);
    - ``minimum`` / ``maximum``: the range (AWS: "Minimum value is 1");
    - ``syntax`` (a key of ``expressions.SYNTAX``): the text parses, else AWS's ``code`` and ``message``
      with why as the hint;
    - ``check`` (a key of ``state_fields.CHECKS``): a check of the field's own.
    """

    types: tuple[str, ...] = ()
    minimum: int | float | None = None
    maximum: int | float | None = None
    enum: str | None = None
    expression: bool = False
    syntax: str | None = None
    message: str = ""
    code: str = "SCHEMA_VALIDATION_FAILED"
    check: str | None = None


ANY = Rule()  # any JSON value (a JSONata template: its {% %} strings are checked with the state's)
STRING = Rule(("String",))
BOOLEAN = Rule(("Boolean",))
PATH = Rule(("String", "Null"), syntax="path", message="Value is not a valid JSONPath")
REFERENCE = Rule(("String",), syntax="reference", message=NOT_A_REFERENCE_PATH)
CONTEXT_REFERENCE = Rule(("String",), syntax="reference+context", message=NOT_A_REFERENCE_PATH)
RESULT_PATH = Rule(("String", "Null"), syntax="result_path", message=NOT_A_REFERENCE_PATH)
PAYLOAD = Rule(check="payload")  # Parameters-like: '.$' keys are paths or intrinsic calls (JSONPath only)
ASSIGN = Rule(("Object",), check="assign")


def integer(minimum: int, maximum: int | None = None, expression: bool = True) -> Rule:
    return Rule(("Integer",), minimum, maximum, expression=expression)


def enum(name: str) -> Rule:
    return Rule(enum=name)


# Every field a state may have (STATE_FIELDS says which type has which), but Type and QueryLanguage, which
# the checker reads first. Fields are checked in the order the state lists them.
STATE_RULES: dict[str, Rule] = {
    "Comment": STRING, "Next": STRING, "Default": STRING, "End": BOOLEAN,
    "InputPath": PATH, "OutputPath": PATH, "ResultPath": RESULT_PATH,
    "Parameters": PAYLOAD, "ResultSelector": PAYLOAD, "ItemSelector": PAYLOAD,
    "Arguments": ANY, "Output": ANY, "Assign": ASSIGN,
    "Result": Rule(check="static_result"),
    "Credentials": Rule(("Object",), check="credentials"),
    # Task
    "Resource": Rule(("String",), check="resource"),
    "TimeoutSeconds": integer(1, MAX_SECONDS), "TimeoutSecondsPath": REFERENCE,
    "HeartbeatSeconds": integer(1, MAX_SECONDS), "HeartbeatSecondsPath": REFERENCE,
    "Retry": Rule(("Array",), check="retry"), "Catch": Rule(("Array",), check="catch"),
    # Choice
    "Choices": Rule(("Array",), check="choices"),
    # Wait
    "Seconds": integer(0, MAX_SECONDS), "SecondsPath": REFERENCE,
    "Timestamp": Rule(("String",), expression=True, syntax="timestamp_field", message=NOT_A_TIMESTAMP),
    "TimestampPath": REFERENCE,
    # Fail
    "Error": Rule(("String",), check="no_path"), "Cause": Rule(("String",), check="no_path"),
    "ErrorPath": Rule(check="error_or_cause_path"), "CausePath": Rule(check="error_or_cause_path"),
    # Parallel
    "Branches": Rule(("Array",), check="branches"),
    # Map
    "ItemProcessor": Rule(check="processor"), "Iterator": Rule(check="processor"),
    "ItemsPath": CONTEXT_REFERENCE, "Items": Rule(("Array",), expression=True),
    "MaxConcurrency": integer(0), "MaxConcurrencyPath": REFERENCE,
    "ToleratedFailurePercentage": Rule(("Number",), 0.0, 100.0, expression=True),
    "ToleratedFailurePercentagePath": REFERENCE,
    "ToleratedFailureCount": integer(0), "ToleratedFailureCountPath": REFERENCE,
    "ItemReader": Rule(("Object",), check="item_reader"), "ItemBatcher": Rule(("Object",), check="item_batcher"),
    "ResultWriter": Rule(("Object",), check="result_writer"), "Label": Rule(("String",), check="label"),
}

# The top of a state machine, checked first, in this order (QueryLanguage first: every state needs it).
TOP_RULES: dict[str, Rule] = {
    "QueryLanguage": enum("QueryLanguage"), "TimeoutSeconds": integer(1, MAX_SECONDS, expression=False),
    "Version": STRING,
}
# Any machine (the top, a branch, an item processor), after its required and unknown fields.
MACHINE_RULES: dict[str, Rule] = {"Comment": STRING, "StartAt": STRING}
PROCESSOR_CONFIG_RULES: dict[str, Rule] = {"Mode": enum("Mode"), "ExecutionType": enum("ExecutionType")}

# Retriers and catchers: unknown fields first, then the required ones, then these in this order.
RETRIER_RULES: dict[str, Rule] = {
    "ErrorEquals": Rule(("Array",), check="error_equals"),
    "IntervalSeconds": integer(1, MAX_SECONDS, expression=False),
    "MaxAttempts": integer(0, MAX_SECONDS, expression=False),
    "BackoffRate": Rule(("Number",), 1.0),
    "MaxDelaySeconds": integer(1, MAX_DELAY_SECONDS, expression=False),
    "JitterStrategy": enum("JitterStrategy"),
    "Comment": STRING,
}
CATCHER_RULES: dict[str, Rule] = {
    "ErrorEquals": Rule(("Array",), check="error_equals"), "Next": STRING, "ResultPath": RESULT_PATH,
    "Output": ANY, "Assign": ASSIGN, "Comment": STRING,
}
RETRIER_FIELDS = frozenset(RETRIER_RULES)
CATCHER_FIELDS = frozenset(CATCHER_RULES)

# Choice rules: a top-level rule's Next and Assign (nested rules have neither), a JSONPath rule's Variable,
# and the value of each kind of comparison operator (COMPARATORS says which operator is of which kind).
CHOICE_RULES: dict[str, Rule] = {"Next": STRING, "Assign": ASSIGN}
VARIABLE = Rule(("String",), syntax="path", message="Value is not a valid JSONPath")
COMPARISON_RULES: dict[str, Rule] = {
    "string": STRING, "numeric": Rule(("Number",)), "boolean": BOOLEAN, "is": BOOLEAN,
    "timestamp": Rule(("String",), syntax="timestamp", message=NOT_A_TIMESTAMP),
    "path": CONTEXT_REFERENCE,
}

# The Map state's objects (AWS docs "ItemReader (Map)", "ItemBatcher (Map)", "ResultWriter (Map)"): fields
# checked in the order the object lists them, then MAP_OBJECT_EXCLUSIVE, then the object's own check.
READER_RULES: dict[str, Rule] = {
    "Resource": STRING, "Parameters": PAYLOAD, "Arguments": ANY,
    "ReaderConfig": Rule(("Object",), check="reader_config"),
}
READER_CONFIG_RULES: dict[str, Rule] = {
    "InputType": enum("InputType"), "CSVHeaderLocation": enum("CSVHeaderLocation"),
    "CSVHeaders": Rule(("Array",), check="strings"), "CSVDelimiter": enum("CSVDelimiter"),
    "ManifestType": enum("ManifestType"), "Transformation": enum("ReaderTransformation"), "ItemsPointer": STRING,
    "MaxItems": integer(0, 100_000_000), "MaxItemsPath": REFERENCE,
}
BATCHER_RULES: dict[str, Rule] = {
    "MaxItemsPerBatch": integer(0), "MaxItemsPerBatchPath": REFERENCE,
    "MaxInputBytesPerBatch": integer(0, 262_144), "MaxInputBytesPerBatchPath": REFERENCE, "BatchInput": ANY,
}
WRITER_RULES: dict[str, Rule] = {
    "Resource": STRING, "Parameters": PAYLOAD, "Arguments": ANY,
    "WriterConfig": Rule(("Object",), check="writer_config"),
}
WRITER_CONFIG_RULES: dict[str, Rule] = {
    "OutputType": enum("OutputType"), "Transformation": enum("WriterTransformation"),
}
MAP_OBJECT_EXCLUSIVE = (("MaxItems", "MaxItemsPath"), ("MaxItemsPerBatch", "MaxItemsPerBatchPath"),
                        ("MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"), ("Parameters", "Arguments"))
