"""The words on the diagram: resource and Choice rule labels, waits, Retry and Catch notes.

Spec: the ASL states' fields as the console's graph shows them (``Resource`` and the optimised
integrations' ``arn:aws:states:::service:action``, Wait's ``Seconds``/``Timestamp``, Map's
``MaxConcurrency``, Choice rules, ``Retry`` and ``Catch``). Taught in:
notebooks/01-what-is-a-state-machine.ipynb, notebooks/07-choice.ipynb, notebooks/10-errors-retry-catch.ipynb.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ...asl import choice

def describe_rule(rule: Any) -> str:
    """A Choice rule as a reader would say it (``$.foo == 1``): the shared ``asl.choice`` wording."""
    return choice.describe(rule)


def _strip_jsonata(value: Any) -> str:
    text = str(value).strip()
    if text.startswith("{%") and text.endswith("%}"):
        text = text[2:-2].strip()
    return text


def resource_label(state: Mapping[str, Any]) -> str:
    """A Task's resource the way the console shows it: ``lambda: Fn``, ``dynamodb:putItem``."""
    resource = state.get("Resource")
    if not isinstance(resource, str):
        return "Task"
    if not resource.startswith("arn:"):
        return resource  # a local task name
    parts = resource.split(":")
    service = parts[2] if len(parts) > 2 else ""
    if service == "lambda" and "function" in parts[:-1]:
        return "lambda: " + parts[parts.index("function") + 1]
    if service != "states" or len(parts) < 6:
        return ":".join(parts[2:3] + parts[5:]) or resource
    rest = parts[5:]
    if rest[0] == "activity":
        return "activity: " + ":".join(rest[1:])
    if rest[0] == "aws-sdk":
        rest = rest[1:]
    if rest[:2] == ["lambda", "invoke"]:
        function = _function_name(state)
        if function:
            return "lambda: " + function
    return ":".join(rest)


def _function_name(state: Mapping[str, Any]) -> str:
    for key in ("Parameters", "Arguments"):
        args = state.get(key)
        if isinstance(args, Mapping) and isinstance(args.get("FunctionName"), str):
            name = args["FunctionName"]
            if name.startswith("{%"):
                return ""
            if ":function:" in name:
                name = name.split(":function:", 1)[1]
            return name.split(":", 1)[0]
    return ""


def duration(seconds: Any) -> str:
    """``3600`` -> ``"1h"``, ``90`` -> ``"1m 30s"``."""
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
        return str(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return " ".join(parts) or "0s"


def _wait_label(state: Mapping[str, Any]) -> str:
    if "Seconds" in state:
        value = state["Seconds"]
        return "Wait " + (_strip_jsonata(value) if isinstance(value, str) else duration(value))
    if "SecondsPath" in state:
        return f"Wait {state['SecondsPath']} s"
    if "Timestamp" in state:
        return "Wait until " + _strip_jsonata(state["Timestamp"])
    if "TimestampPath" in state:
        return f"Wait until {state['TimestampPath']}"
    return "Wait"


def _fail_label(state: Mapping[str, Any]) -> str:
    error = state.get("Error", state.get("ErrorPath"))
    return f"Fail · {_strip_jsonata(error)}" if error else "Fail"


def _map_label(state: Mapping[str, Any]) -> str:
    processor = state.get("ItemProcessor") or {}
    config = processor.get("ProcessorConfig") if isinstance(processor, Mapping) else None
    mode = "Distributed Map" if isinstance(config, Mapping) and config.get("Mode") == "DISTRIBUTED" else "Map"
    items = state.get("ItemsPath", state.get("Items"))
    if isinstance(items, str) and items != "$":
        return f"{mode} over {_strip_jsonata(items)}"
    return mode


def _parallel_label(state: Mapping[str, Any]) -> str:
    branches = state.get("Branches")
    count = len(branches) if isinstance(branches, list) else 0
    return f"Parallel · {count} branch{'es' if count != 1 else ''}"


_DETAILS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "Task": resource_label,
    "Wait": _wait_label,
    "Fail": _fail_label,
    "Map": _map_label,
    "Parallel": _parallel_label,
}


def retry_label(state: Mapping[str, Any]) -> str:
    """``↻ Retry ×3`` (one ×N per retrier, N = MaxAttempts, default 3)."""
    retriers = state.get("Retry")
    if not isinstance(retriers, list) or not retriers:
        return ""
    counts = [r.get("MaxAttempts", 3) if isinstance(r, Mapping) else "?" for r in retriers]
    return "↻ Retry " + ", ".join(f"×{c}" for c in counts)


def catch_label(catcher: Any) -> str:
    errors = catcher.get("ErrorEquals") if isinstance(catcher, Mapping) else None
    names = ", ".join(str(e) for e in errors) if isinstance(errors, list) and errors else "?"
    return f"Catch: {names}"
