"""Validation of a Task's integration resource and its literal parameters.

Spec: Amazon States Language, "Task State"; AWS docs "Integrating optimized
services with Step Functions" (the integrations and patterns table), "AWS SDK
service integrations" (names, patterns, unsupported actions) and AWS's API
models (botocore's ``service-2.json``) for the request of every action.
Taught in: notebooks/08-task-states.ipynb.

``check_task(resource, body, lang, served)`` returns the problems of one Task
state as ``(code, where, message, hint, severity)`` tuples; ``validate``
records them. ``where`` is ``"Resource"`` or ``"Parameters"`` / ``"Arguments"``.

Design note: AWS refuses an unknown integration when the machine is created
(INVALID_RESOURCE: "The value of a Task-state resource field is invalid"). It
does not check an integration's parameters then: ValidateStateMachineDefinition
answers OK for ``lambda:invoke`` with an unknown ``TaskToken`` field and the run
fails with "The field "TaskToken" is not supported by Step Functions" (reported
by users; AWS's docs quote the same sentence for ``Filter`` vs ``Filters``). So
parameter problems are WARNINGs here, worded as AWS words the run-time failure
("... is not supported by Step Functions"; "... is required but was missing" and
"The value for the field 'X' must be a STRING" follow the same style and are not
recorded). Only literal values are checked: a ``"X.$"`` key or a JSONata
``{% %}`` value counts as given and its value is left to run time. Without
botocore the API-model checks are skipped with one WARNING that says so (the
browser build may lack botocore).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Callable

from . import integrations as _int
from . import sdk_models as _models

ERROR, WARNING = "ERROR", "WARNING"
Found = tuple  # (code, where, message, hint, severity)

# Members of an optimized integration that take any JSON (AWS serializes it to text for the API).
_SERIALIZED = {"sqs:sendMessage": ("MessageBody",), "sns:publish": ("Message",), "states:startExecution": ("Input",),
               "events:putEvents": ("Detail",), "lambda:invoke": ("Payload",), "bedrock:invokeModel": ("Body",)}
# Members an optimized integration adds to the API's request.
_EXTRA = {"bedrock:invokeModel": {"Input": {"type": "any"}, "Output": {"type": "any"}}}


def local_advice(key: str) -> str:
    if key == "http:invoke":
        return ("to run it locally, serve its endpoint with a function: run(input, tasks={'https://api.example.com/"
                "orders': fn}) (the start of ApiEndpoint) or tasks={'http:invoke': fn}; or give this state a "
                "MockConfigFile entry")
    return (f"to run it locally, serve it with a function: run(input, tasks={{'{key}': fn}}) in Python, "
            f"--task {key}=module:fn on the command line; or give this state a MockConfigFile entry")


def check_task(resource: Any, body: dict, lang: str, served: Callable[[str], bool] | None) -> list[Found]:
    key = _int.integration_key(resource) if isinstance(resource, str) else None
    if key is None:
        return []
    where = "Arguments" if lang == "JSONata" else "Parameters"
    if not isinstance(body.get(where), dict):
        return list(_check_resource(resource, key, served))
    try:
        text = json.dumps(body[where], sort_keys=True)
    except (TypeError, ValueError):
        return _check_full(resource, key, body, lang, served)
    return list(_check_with_parameters(resource, key, where, text, lang, served))


@lru_cache(maxsize=1024)
def _check_with_parameters(resource: str, key: str, where: str, text: str, lang: str,
                           served: Callable[[str], bool] | None) -> tuple:
    """Answered once per resource and parameters (a definition is validated again on every from_json)."""
    return tuple(_check_full(resource, key, {where: json.loads(text)}, lang, served))


@lru_cache(maxsize=1024)
def _check_resource(resource: str, key: str, served: Callable[[str], bool] | None) -> tuple:
    """The checks of a Task with no parameters depend on its resource only: answered once per resource."""
    return tuple(_check_full(resource, key, {}, "JSONPath", served))


def _check_full(resource: str, key: str, body: dict, lang: str, served: Callable[[str], bool] | None) -> list:
    sdk, service, api, pattern = _int.split_key(key)
    found = _check_sdk(resource, key, service, api, pattern) if sdk else _check_optimized(resource, key, service,
                                                                                           api)
    if any(f[4] == ERROR for f in found):
        return found
    found += _check_parameters(key, sdk, service, api, body, lang)
    if served is not None and not served(key):
        found.append(("NOT_SIMULATED", "Resource", f"stepfn_lab does not simulate '{key}'", local_advice(key),
                      WARNING))
    return found


def _check_optimized(arn: str, key: str, service: str, api: str) -> list[Found]:
    problem = _int.check_optimized(arn, key)
    if problem is None:
        return []
    message, hint = problem
    if service not in _int.OPTIMIZED and _models.data_dir() and _models.find_sdk_service(service):
        hint = f"did you mean 'arn:aws:states:::aws-sdk:{service}:{api}'? ({service} has no optimized integration)"
    return [("INVALID_RESOURCE", "Resource", message, hint, ERROR)]


def _check_sdk(arn: str, key: str, service: str, api: str, pattern: str) -> list[Found]:
    bad = [("INVALID_RESOURCE", "Resource", _int.not_recognized(arn))]
    if pattern in (_int.SYNC, _int.SYNC2):
        return [bad[0] + (f"AWS SDK integrations do not support {pattern}; use request-response or "
                          f".waitForTaskToken (or an optimized integration that supports {pattern})", ERROR)]
    if service in _models.DEPRECATED:
        return [bad[0] + (f"the AWS SDK integration of {_models.DEPRECATED[service]} is deprecated", ERROR)]
    if not api or not service:
        return [bad[0] + ("the form is arn:aws:states:::aws-sdk:serviceName:apiAction", ERROR)]
    if api[:1].isupper():
        return [bad[0] + (f"did you mean 'aws-sdk:{service}:{api[:1].lower() + api[1:]}{pattern}'? (the API "
                          f"action is camelCase)", ERROR)]
    if api in _models.UNSUPPORTED_ACTIONS.get(service, ()):
        return [bad[0] + (f"AWS does not support {service}:{api} as an AWS SDK integration", ERROR)]
    if _models.data_dir() is None:
        return [("SDK_MODELS_MISSING", "Resource", f"'{key}' was not checked against AWS's API models",
                 "install botocore (pip install botocore) to check AWS SDK resources and their parameters", WARNING)]
    found = _models.find_sdk_service(service)
    if found is None:
        return [bad[0] + (_service_hint(service), ERROR)]
    model = _models.load_model(found[0])
    if model is None or _models.find_operation(model, api) is None:
        actions = _models.action_names(model or {})
        hint = _models.did_you_mean(api, actions)
        return [bad[0] + (f"did you mean 'aws-sdk:{service}:{hint}{pattern}'?" if hint
                          else f"{service} has no action {api!r}", ERROR)]
    return []


def _service_hint(service: str) -> str:
    index = _models.sdk_index()
    renamed = {botocore: name for name, (botocore, _) in index.items()}
    if service in renamed:
        return f"did you mean 'aws-sdk:{renamed[service]}'? (the AWS SDK integration names it {renamed[service]!r})"
    guess = _models.did_you_mean(service, list(index))
    return f"did you mean 'aws-sdk:{guess}'?" if guess else f"no AWS service is named {service!r}"


# The HTTP Task has no AWS API model: its request as AWS documents it ("Call HTTPS APIs in Step Functions").
_HTTP_MODEL = {"shapes": {
    "HttpInvokeRequest": {"type": "structure", "required": ["ApiEndpoint", "Method"], "members": {
        "ApiEndpoint": {"shape": "String"}, "Method": {"shape": "String"}, "Authentication": {"shape": "Connection"},
        "InvocationConfig": {"shape": "Connection"}, "Headers": {"shape": "Any"},
        "QueryParameters": {"shape": "Any"}, "RequestBody": {"shape": "Any"}, "Transform": {"shape": "Any"}}},
    "Connection": {"type": "structure", "members": {"ConnectionArn": {"shape": "String"}}},
    "String": {"type": "string"}, "Any": {"type": "any"}}}


@lru_cache(maxsize=512)
def request_shape(key: str) -> tuple[dict, str, str] | None:
    """(model, input shape name, error prefix) of the API a resource calls, when botocore has it."""
    sdk, service, api, _ = _int.split_key(key)
    if not sdk and (service, api) == ("http", "invoke"):
        return _HTTP_MODEL, "HttpInvokeRequest", ""
    if _models.data_dir() is None:
        return None
    if sdk:
        found = _models.find_sdk_service(service)
        if found is None:
            return None
        botocore_name, prefix = found
    else:
        botocore_name = _models.OPTIMIZED_MODELS.get(f"{service}:{api}", _models.OPTIMIZED_MODELS.get(service,
                                                                                                     service))
        if botocore_name is None:
            return None
        prefix = ""
    model = _models.load_model(botocore_name)
    operation = _models.find_operation(model, api) if model else None
    if operation is None or "input" not in operation:
        return None
    return model, operation["input"]["shape"], prefix


def _check_parameters(key: str, sdk: bool, service: str, api: str, body: dict, lang: str) -> list[Found]:
    where = "Arguments" if lang == "JSONata" else "Parameters"
    value = body.get(where)
    if not isinstance(value, dict):
        return []
    found = request_shape(key)
    if found is None:
        return []
    model, shape, _ = found
    model = _with_integration_members(model, shape, f"{service}:{api}", sdk)
    out = []
    for problem in _models.check_value(model, shape, value, ""):
        out.append(("SCHEMA_VALIDATION_FAILED", where, problem, "AWS accepts the definition and fails the task "
                    "with this message when it runs", WARNING))
    return out


def _with_integration_members(model: dict, shape: str, name: str, sdk: bool) -> dict:
    """The model as the optimized integration accepts it (serialized members, extra members)."""
    if sdk or (name not in _SERIALIZED and name not in _EXTRA):
        return model
    return _integration_model(id(model), shape, name, model)


_MODELS: dict = {}


def _integration_model(model_id: int, shape: str, name: str, model: dict) -> dict:
    """Built once per integration (the models themselves are loaded once and kept)."""
    cached = _MODELS.get((model_id, shape, name))
    if cached is None:
        cached = _MODELS[(model_id, shape, name)] = _build_integration_model(model, shape, name)
    return cached


def _build_integration_model(model: dict, shape: str, name: str) -> dict:
    shapes = dict(model.get("shapes", {}))
    request = dict(shapes.get(shape, {}))
    members = dict(request.get("members", {}))
    for member, spec in _EXTRA.get(name, {}).items():
        shapes[f"stepfn_lab.{member}"] = spec
        members[member] = {"shape": f"stepfn_lab.{member}"}
    shapes["stepfn_lab.AnyJson"] = {"type": "any"}
    for member in _SERIALIZED.get(name, ()):
        for raw in [k for k in members if k[:1].upper() + k[1:] == member]:
            members[raw] = {"shape": "stepfn_lab.AnyJson"}
    request["members"] = members
    shapes[shape] = request
    if name == "events:putEvents":  # Entries[].Detail takes JSON too
        entry = dict(shapes.get("PutEventsRequestEntry", {}))
        entry_members = dict(entry.get("members", {}))
        if "Detail" in entry_members:
            entry_members["Detail"] = {"shape": "stepfn_lab.AnyJson"}
        entry["members"] = entry_members
        shapes["PutEventsRequestEntry"] = entry
    return {**model, "shapes": shapes}
