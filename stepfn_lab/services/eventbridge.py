"""Simulated Amazon EventBridge: putEvents.

Spec: AWS docs "Call EventBridge with Step Functions" (``events:putEvents``,
request-response and ``.waitForTaskToken``; the optimized integration adds the
state machine and execution ARNs to each event's ``resources`` and fails with
``EventBridge.FailedEntry`` when an entry fails) and the EventBridge API
Reference (PutEvents). Taught in: notebooks/15-use-cases-and-capstone.ipynb.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import StatesError
from .base import Call, required, validation_error

SERVICE = "events"
PATTERNS = ("", ".waitForTaskToken")


def put_events(call: Call) -> dict:
    entries = required(call, "Entries")
    if not isinstance(entries, list) or not entries:
        raise validation_error("events", "Entries must be a non-empty list of events")
    results, failed = [], 0
    for entry in entries:
        problem = _event_problem(entry)
        if problem is not None:
            failed += 1
            results.append({"ErrorCode": problem[0], "ErrorMessage": problem[1]})
            continue
        detail = entry["Detail"]
        detail = detail if isinstance(detail, str) else json.dumps(detail, separators=(",", ":"))
        resources = list(entry.get("Resources") or [])
        if not call.sdk:  # the optimized integration names the state machine and the execution
            resources += [call.execution.machine.arn, call.execution.arn]
        event_id = call.uuid()
        bus = str(entry.get("EventBusName") or "default").rsplit("/", 1)[-1]
        call.services.db.add_event(event_id=event_id, bus=bus, source=entry["Source"],
                                   detail_type=entry["DetailType"], detail=detail, resources=resources,
                                   time=call.iso_now())
        results.append({"EventId": event_id})
    response = {"Entries": results, "FailedEntryCount": failed}
    if failed and not call.sdk:
        raise StatesError("EventBridge.FailedEntry", json.dumps(response, separators=(",", ":")), {"task": True})
    return response


def _event_problem(entry: Any) -> tuple[str, str] | None:
    if not isinstance(entry, dict):
        return "InvalidArgument", "Each entry must be an object with Source, DetailType and Detail."
    for field in ("Source", "DetailType", "Detail"):
        if entry.get(field) in (None, ""):
            return "InvalidArgument", f"Parameter {field} is not valid. Reason: {field} is a required argument."
    detail = entry["Detail"]
    if isinstance(detail, str):
        try:
            detail = json.loads(detail)
        except ValueError:
            return "MalformedDetail", "Detail is malformed."
    if not isinstance(detail, dict):
        return "MalformedDetail", "Detail is malformed."
    return None



OPERATIONS = {"putEvents": put_events}
