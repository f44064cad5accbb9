"""CloudWatch Logs records of Express executions, at AWS's log levels.

Spec: AWS docs "Logging in CloudWatch Logs" (levels ALL, ERROR, FATAL, OFF;
``includeExecutionData``). Express workflows keep no execution history on AWS:
what they leave is these records. Taught in: notebooks/13-standard-vs-express.ipynb.
"""

from __future__ import annotations

import json

LEVELS = ("ALL", "ERROR", "FATAL", "OFF")

# ERROR logs failures of every kind; FATAL only the ends of failed executions.
_FATAL = {"ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"}


def _is_error(event_type: str) -> bool:
    return event_type in _FATAL or event_type.endswith(("Failed", "TimedOut", "Aborted")) or \
        event_type == "EvaluationFailed"


def keeps(level: str):
    """Which event types a log level records (what an Express run at that level keeps)."""
    if level == "ERROR":
        return _is_error
    if level == "FATAL":
        return _FATAL.__contains__
    return lambda event_type: level != "OFF"


def records(execution, level: str = "ALL", include_execution_data: bool = True) -> list[dict]:
    """The log records AWS would send to CloudWatch Logs for this execution."""
    level = level.upper()
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    if level == "OFF":
        return []
    kept = getattr(execution, "log_level", None)
    if kept not in (None, "ALL") and execution.history.keep is not None and \
            LEVELS.index(level) < LEVELS.index(kept):
        from ..errors import ExecutionError
        raise ExecutionError(f"This execution ran with log_level={kept!r} and kept only what that level logs; "
                             f"start it with log_level={level!r} (or leave log_level unset) to read "
                             f"{level}-level records")
    out = []
    for event in execution.history:
        if level == "ERROR" and not _is_error(event.type):
            continue
        if level == "FATAL" and event.type not in _FATAL:
            continue
        details = {}
        for key, value in event.details.items():
            if key in ("input", "output", "parameters"):
                if include_execution_data:
                    details[key] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
                    details[key + "Details"] = {"truncated": False}
            else:
                details[key] = value
        out.append({
            "id": str(event.id),
            "type": event.type,
            "details": details,
            "previous_event_id": str(event.previous_event_id),
            "event_timestamp": str(int(execution.clock.epoch(event.at) * 1000)),
            "execution_arn": execution.arn,
            "redrive_count": str(execution.redrive_count),
        })
    return out
