"""Which ``arn:aws:states:`` Task resources exist: the optimized integrations and the ``aws-sdk:`` form.

Spec: Amazon States Language, "Task State" (``Resource``); AWS docs
"Integrating optimized services with Step Functions" (the table of optimized
integrations and the patterns each supports: request-response, ``.sync``,
``.waitForTaskToken``), "Service integration patterns", "AWS SDK service
integrations" (``arn:aws:states:::aws-sdk:serviceName:apiAction[.pattern]``:
camelCase actions, PascalCase parameters, ``.sync`` not supported) and each
service's "Call X from Step Functions" page for its APIs. Taught in:
notebooks/08-task-states.ipynb.

``integration_key(arn)`` turns any integration ARN - ``arn:aws:states:::sqs:sendMessage``
or one exported from a deployed machine with its region and account,
``arn:aws:states:us-east-1:123456789012:sqs:sendMessage`` - into the key a local
function is registered under (``sqs:sendMessage``). ``check_optimized`` answers
whether an optimized integration and its pattern exist, with a did-you-mean.

Design note: the table lists the APIs and patterns AWS documents for each
optimized integration (the "Call X with Step Functions" pages, 2024-2025).
Where a page lists APIs by pattern, a pattern is allowed only for the APIs
named with it. AWS answers an unknown resource with the code INVALID_RESOURCE
("The value of a Task-state resource field is invalid"); the sentence used here,
"The resource provided ... is not recognized. The value is not a valid
resource ARN, or the resource is not available in this region.", is the one
AWS's CreateStateMachine answers in our experience; it has not been recorded
in the shared conformance cases.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

RR, SYNC, SYNC2, TOKEN = "", ".sync", ".sync:2", ".waitForTaskToken"
PATTERNS = (TOKEN, SYNC2, SYNC)  # longest first, for parsing

# service -> api -> the patterns AWS supports for it (RR: request-response).
OPTIMIZED: dict[str, dict[str, tuple[str, ...]]] = {
    "apigateway": {"invoke": (RR, TOKEN)},
    "athena": {"startQueryExecution": (RR, SYNC), "stopQueryExecution": (RR,), "getQueryExecution": (RR,),
               "getQueryResults": (RR,)},
    "batch": {"submitJob": (RR, SYNC)},
    "bedrock": {"invokeModel": (RR,), "createModelCustomizationJob": (RR, SYNC, TOKEN)},
    "codebuild": {"startBuild": (RR, SYNC), "stopBuild": (RR,), "batchDeleteBuilds": (RR,),
                  "batchGetReports": (RR,), "startBuildBatch": (RR, SYNC), "stopBuildBatch": (RR,),
                  "retryBuildBatch": (RR, SYNC), "deleteBuildBatch": (RR,)},
    "dynamodb": {"getItem": (RR,), "putItem": (RR,), "updateItem": (RR,), "deleteItem": (RR,)},
    "ecs": {"runTask": (RR, SYNC, TOKEN)},
    "eks": {"createCluster": (RR, SYNC), "deleteCluster": (RR, SYNC), "createFargateProfile": (RR, SYNC),
            "deleteFargateProfile": (RR, SYNC), "createNodegroup": (RR, SYNC), "deleteNodegroup": (RR, SYNC),
            "runJob": (RR, SYNC), "call": (RR,)},
    "elasticmapreduce": {"createCluster": (RR, SYNC), "terminateCluster": (RR, SYNC), "addStep": (RR, SYNC),
                         "cancelStep": (RR,), "setClusterTerminationProtection": (RR,),
                         "modifyInstanceFleetByName": (RR,), "modifyInstanceGroupByName": (RR,)},
    "emr-containers": {"createVirtualCluster": (RR,), "deleteVirtualCluster": (RR, SYNC),
                       "startJobRun": (RR, SYNC)},
    "emr-serverless": {"createApplication": (RR, SYNC), "startApplication": (RR, SYNC),
                       "stopApplication": (RR, SYNC), "deleteApplication": (RR, SYNC),
                       "startJobRun": (RR, SYNC), "cancelJobRun": (RR, SYNC)},
    "events": {"putEvents": (RR, TOKEN)},
    "glue": {"startJobRun": (RR, SYNC)},
    "databrew": {"startJobRun": (RR, SYNC)},
    "http": {"invoke": (RR,)},
    "lambda": {"invoke": (RR, TOKEN)},
    "mediaconvert": {"createJob": (RR, SYNC)},
    "sagemaker": {"createEndpoint": (RR,), "createEndpointConfig": (RR,), "createModel": (RR,),
                  "updateEndpoint": (RR,), "createHyperParameterTuningJob": (RR, SYNC),
                  "createLabelingJob": (RR, SYNC), "createProcessingJob": (RR, SYNC),
                  "createTrainingJob": (RR, SYNC), "createTransformJob": (RR, SYNC)},
    "sns": {"publish": (RR, TOKEN)},
    "sqs": {"sendMessage": (RR, TOKEN)},
    "states": {"startExecution": (RR, SYNC, SYNC2, TOKEN)},
}

# Resources Distributed Map's ItemReader and ResultWriter name (not Task resources).
MAP_RESOURCES = ("s3:getObject", "s3:listObjectsV2", "s3:putObject")

_QUALIFIED = re.compile(r"^arn:(aws[a-z-]*):states:([a-z0-9-]*):(\d{12}|):(.+)$")


@lru_cache(maxsize=1024)
def integration_key(arn: str) -> str | None:
    """``arn:aws:states:[region]:[account]:<service>:<api>[.pattern]`` -> ``<service>:<api>[.pattern]``.

    None for anything that is not an integration (a Lambda function ARN, an activity, a local name).
    """
    if not isinstance(arn, str):
        return None
    match = _QUALIFIED.match(arn)
    if match is None:
        return None
    rest = match.group(4)
    if rest.startswith(("activity:", "stateMachine:", "execution:", "express:")):
        return None
    return rest


@lru_cache(maxsize=1024)
def split_key(key: str) -> tuple[bool, str, str, str]:
    """``aws-sdk:s3:getObject.waitForTaskToken`` -> (True, "s3", "getObject", ".waitForTaskToken")."""
    sdk = key.startswith("aws-sdk:")
    rest = key[len("aws-sdk:"):] if sdk else key
    pattern = ""
    for suffix in PATTERNS:
        if rest.endswith(suffix):
            rest, pattern = rest[: -len(suffix)], suffix
            break
    service, _, api = rest.partition(":")
    return sdk, service, api, pattern


def not_recognized(arn: str) -> str:
    return (f"The resource provided {arn} is not recognized. The value is not a valid resource ARN, or the resource "
            f"is not available in this region.")


def check_optimized(arn: str, key: str) -> tuple[str, str | None] | None:
    """None when the optimized integration exists with that pattern; else (message, hint)."""
    _, service, api, pattern = split_key(key)
    apis = OPTIMIZED.get(service)
    if apis is None:
        known = [f"{s}:{a}" for s, table in OPTIMIZED.items() for a in table]
        return not_recognized(arn), _did_you_mean(f"{service}:{api}", known + [f"aws-sdk:{service}:{api}"])
    if api not in apis:
        exact = {a.lower(): a for a in apis}.get(api.lower())
        if exact:
            return not_recognized(arn), f"did you mean '{service}:{exact}{pattern}'? (API names are camelCase)"
        close = difflib.get_close_matches(api, list(apis), n=1, cutoff=0.6)
        hint = f"did you mean '{service}:{close[0]}{pattern}'?" if close else \
            f"'{service}' offers {', '.join(apis)}; any other API: arn:aws:states:::aws-sdk:{service}:{api}"
        return not_recognized(arn), hint
    if pattern not in apis[api]:
        allowed = ", ".join(p or "request-response" for p in apis[api])
        base = f"arn:aws:states:::{service}:{api}"
        return not_recognized(arn), f"{service}:{api} supports {allowed}; did you mean '{base}" \
                                    f"{_closest_pattern(pattern, apis[api])}'?"
    return None


def _closest_pattern(pattern: str, allowed: tuple[str, ...]) -> str:
    for candidate in (SYNC, SYNC2, TOKEN, RR):
        if candidate in allowed and candidate != pattern and (candidate.startswith(pattern[:5]) or not pattern):
            return candidate
    return allowed[0]


def _did_you_mean(word: str, candidates: list[str]) -> str | None:
    lowered = {c.lower(): c for c in candidates}
    if word.lower() in lowered:
        return f"did you mean '{lowered[word.lower()]}'?"
    match = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6) or \
        difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    if not match:
        return None
    found = lowered.get(match[0], match[0])
    return f"did you mean '{found}'?"
