"""AWS's API models (shipped by botocore) behind ``aws-sdk:`` and optimized Task resources.

Spec: AWS docs "AWS SDK service integrations" (resource syntax, camelCase
actions, PascalCase parameters, ``ServiceName.ErrorName`` errors with the
``Exception`` suffix always added, the ``Equals`` -> ``EqualsValue`` rename,
the unsupported actions and deprecated services it lists). Taught in:
notebooks/08-task-states.ipynb.

The models are the JSON files AWS's SDKs are generated from; botocore ships
them under ``botocore/data/<service>/<version>/service-2.json[.gz]``. This
module reads those files itself - it never imports botocore - and only when a
definition or a run names such a resource, so ``import stepfn_lab`` stays light
and the browser build works without botocore (the checks then say they were
skipped).

Design note: the ``aws-sdk:`` service names are the lower-cased names of AWS's
Java SDK v2 clients, and the error prefix is that client name (``sfn`` /
``Sfn``, ``eventbridge`` / ``EventBridge``, ``dynamodb`` / ``DynamoDb``,
``acmpca`` / ``AcmPca``, ``costexplorer`` / ``CostExplorer``). Both are derived
here from each model's ``serviceId`` with the SDK's own word-splitting rule
(split on spaces, camel humps and acronyms; capitalize each word; drop a
trailing "Service"), which reproduces every row of AWS's table of supported
services and exception prefixes that we checked.
"""

from __future__ import annotations

import difflib
import gzip
import importlib.util
import json
import os
import re
from functools import lru_cache
from typing import Any

# Documented in "AWS SDK service integrations": deprecated services and unsupported actions.
DEPRECATED = {"mobile": "AWS Mobile", "macie": "Amazon Macie"}
UNSUPPORTED_ACTIONS = {
    "comprehendmedical": {"detectEntities"}, "efs": {"createTags"}, "elastictranscoder": {"testRole"},
    "emr": {"describeJobFlows"}, "iotdeviceadvisor": {"listTestCases"}, "kinesis": {"subscribeToShard"},
    "lambda": {"invokeAsync"}, "lexruntimev2": {"startConversation"}, "mediapackage": {"rotateChannelCredentials"},
    "rds": {"executeSql"}, "s3": {"selectObjectContent"}, "s3control": {"selectObjectContent"},
    "shield": {"deleteSubscription"},
}
# Optimized integrations whose API lives in another botocore model than the service's name.
OPTIMIZED_MODELS = {"bedrock:invokeModel": "bedrock-runtime", "states": "stepfunctions", "emr-containers":
                    "emr-containers", "elasticmapreduce": "emr", "http": None, "apigateway": None,
                    "eks:call": None, "eks:runJob": None}

_SERVICE_ID = re.compile(rb'"serviceId"\s*:\s*"([^"]+)"')


@lru_cache(maxsize=1)
def data_dir() -> str | None:
    """botocore's model folder, found without importing botocore (None when it is not installed)."""
    try:
        spec = importlib.util.find_spec("botocore")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = os.path.join(list(spec.submodule_search_locations)[0], "data")
    return folder if os.path.isdir(folder) else None


def java_name(service_id: str) -> str:
    """The Java SDK v2 client name for a model's serviceId: ``"ACM PCA"`` -> ``AcmPca``, ``"DynamoDB"`` ->
    ``DynamoDb``."""
    text = re.sub(r"[^A-Za-z0-9]+", " ", service_id)
    text = re.sub(r"(?<=[a-z])(?=[A-Z](?:[a-zA-Z]|[0-9]))", " ", text)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text)
    text = re.sub(r"([0-9])([a-zA-Z])", r"\1 \2", text)
    words = [w[:1].upper() + w[1:].lower() for w in text.split()]
    if words and words[0] in ("Amazon", "Aws") and len(words) > 1:
        words = words[1:]
    if len(words) > 1 and words[-1] == "Service":
        words = words[:-1]
    return "".join(words)


def _model_file(folder: str, service: str) -> str | None:
    base = os.path.join(folder, service)
    if not os.path.isdir(base):
        return None
    for version in sorted(os.listdir(base), reverse=True):
        for name in ("service-2.json.gz", "service-2.json"):
            path = os.path.join(base, version, name)
            if os.path.isfile(path):
                return path
    return None


def _open(path: str):
    return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")


def _service_id(path: str) -> str | None:
    with _open(path) as fh:
        match = _SERVICE_ID.search(fh.read(4096))
    return match.group(1).decode() if match else None


@lru_cache(maxsize=1)
def sdk_index() -> dict[str, tuple[str, str]]:
    """aws-sdk service name -> (botocore model name, error prefix), for every model botocore ships."""
    folder = data_dir()
    out: dict[str, tuple[str, str]] = {}
    if folder is None:
        return out
    for service in sorted(os.listdir(folder)):
        path = _model_file(folder, service)
        service_id = _service_id(path) if path else None
        if service_id:
            prefix = java_name(service_id)
            out.setdefault(prefix.lower(), (service, prefix))
    return out


@lru_cache(maxsize=256)
def find_sdk_service(name: str) -> tuple[str, str] | None:
    """(botocore model, error prefix) for an aws-sdk service name; tries the likely model first."""
    folder = data_dir()
    if folder is None:
        return None
    for guess in (name, {"sfn": "stepfunctions", "eventbridge": "events"}.get(name, "")):
        path = _model_file(folder, guess) if guess else None
        service_id = _service_id(path) if path else None
        if service_id and java_name(service_id).lower() == name:
            return guess, java_name(service_id)
    return sdk_index().get(name)


@lru_cache(maxsize=32)
def load_model(service: str) -> dict | None:
    folder = data_dir()
    path = _model_file(folder, service) if folder else None
    if path is None:
        return None
    with _open(path) as fh:
        return json.load(fh)


def operation_name(action: str) -> str:
    """``detectLabels`` -> ``DetectLabels``."""
    return action[:1].upper() + action[1:]


def find_operation(model: dict, action: str) -> dict | None:
    return model.get("operations", {}).get(operation_name(action))


def action_names(model: dict) -> list[str]:
    return [name[:1].lower() + name[1:] for name in model.get("operations", {})]


def did_you_mean(word: str, candidates: list[str]) -> str | None:
    lowered = {c.lower(): c for c in candidates}
    if word.lower() in lowered:
        return lowered[word.lower()]
    match = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    if match:
        return match[0]
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def error_names(model: dict, operation: dict, prefix: str) -> list[str]:
    """The errors an operation documents, named as Step Functions names them (``Rekognition.XException``)."""
    names = []
    for error in operation.get("errors", []):
        shape = error.get("shape", "")
        names.append(f"{prefix}.{shape if shape.endswith('Exception') else shape + 'Exception'}")
    return names


# --- shapes ------------------------------------------------------------------------------------------

def _member_name(name: str) -> str:
    """A model member as a state machine writes it: PascalCase (``jobName`` -> ``JobName``), and ``Equals`` as
    ``EqualsValue`` (both documented in "AWS SDK service integrations")."""
    name = name[:1].upper() + name[1:]
    return "EqualsValue" if name == "Equals" else name


def check_value(model: dict, shape_name: str, value: Any, where: str, *, role: str = "request",
                depth: int = 0) -> list[str]:
    """Problems of a value against a shape: unknown members (with a did-you-mean), missing required members,
    wrong types. Keys ending in ``.$`` and JSONata strings are dynamic: their names count, their values are not
    checked. ``role`` is "request" (a state's parameters) or "response" (what a local function returned)."""
    shapes = model.get("shapes", {})
    shape = shapes.get(shape_name, {})
    kind = shape.get("type")
    if depth > 30 or _dynamic(value):
        return []
    if kind == "structure":
        if not isinstance(value, dict):
            typed = (f"; DynamoDB takes typed values such as {{\"S\": {json.dumps(value)}}}"
                     if shape_name == "AttributeValue" and isinstance(value, str) else "")
            return [_type_problem(where, "an object", value) + typed]
        members = {_member_name(k): v for k, v in shape.get("members", {}).items()}
        problems = []
        given = {}
        for key, item in value.items():
            name = key[:-2] if isinstance(key, str) and key.endswith(".$") else key
            given[name] = item
            if name not in members:
                hint = did_you_mean(name, list(members))
                text = (f"The field '{_join(where, name)}' is not supported by Step Functions" if role == "request"
                        else f"'{_join(where, name)}' is not a member of {shape_name}")
                problems.append(text + (f" (did you mean '{hint}'?)" if hint else
                                        f" ({shape_name} has: {', '.join(sorted(members)) or 'no fields'})"))
                continue
            if not (isinstance(key, str) and key.endswith(".$")):
                problems += check_value(model, members[name]["shape"], item, _join(where, name), role=role,
                                        depth=depth + 1)
        for name in shape.get("required", []):
            if _member_name(name) not in given:
                problems.append(f"The field '{_join(where, _member_name(name))}' is required but was missing")
        return problems
    if kind == "list":
        if not isinstance(value, list):
            return [_type_problem(where, "a LIST", value)]
        member = shape.get("member", {}).get("shape")
        problems = []
        for i, item in enumerate(value):
            problems += check_value(model, member, item, f"{where}[{i}]", role=role, depth=depth + 1)
        return problems
    if kind == "map":
        if not isinstance(value, dict):
            return [_type_problem(where, "an object", value)]
        inner = shape.get("value", {}).get("shape")
        problems = []
        for key, item in value.items():
            if not (isinstance(key, str) and key.endswith(".$")):
                problems += check_value(model, inner, item, _join(where, key), role=role, depth=depth + 1)
        return problems
    expected = _SCALARS.get(kind)
    if expected is not None and not expected[0](value):
        return [_type_problem(where, expected[1], value)]
    return []


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


_SCALARS = {
    "string": (lambda v: isinstance(v, str), "a STRING"),
    "integer": (_is_int, "an INTEGER"),
    "long": (_is_int, "a LONG"),
    "float": (_is_number, "a FLOAT"),
    "double": (_is_number, "a DOUBLE"),
    "boolean": (lambda v: isinstance(v, bool), "a BOOLEAN"),
    "timestamp": (lambda v: isinstance(v, str) or _is_number(v), "a TIMESTAMP"),
    "blob": (lambda v: isinstance(v, (str, dict, list)), "a BLOB"),
}


def _type_problem(where: str, expected: str, value: Any) -> str:
    return (f"The value for the field '{where or 'the request'}' must be {expected} "
            f"(it is {_kind(value)}: {json.dumps(value)[:60]})")


def _dynamic(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{%") and value.rstrip().endswith("%}")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _join(where: str, name: Any) -> str:
    return f"{where}.{name}" if where else str(name)
