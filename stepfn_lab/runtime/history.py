"""The execution history: AWS's event types, ids and previousEventIds.

Spec: AWS Step Functions API, ``GetExecutionHistory`` and ``HistoryEvent``
(62 event types). Taught in: notebooks/01-what-is-a-state-machine.ipynb and
notebooks/10-errors-retry-catch.ipynb.

Events are cheap records: the details keep references to the (never mutated)
Python values, and JSON text is produced only by ``to_aws()``.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Callable, Iterator

from ..language import json_short, number, text as words
from .clock import format_iso

# Details fields whose values are documents: AWS sends them as JSON text plus a
# "<field>Details": {"truncated": false} companion.
_DOCUMENT_FIELDS = ("input", "output", "parameters")


def details_key(event_type: str) -> str:
    """The name of an event's details object in AWS's JSON shape."""
    if event_type.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if event_type.endswith("StateExited"):
        return "stateExitedEventDetails"
    return event_type[0].lower() + event_type[1:] + "EventDetails"


class LazyText:
    """Text made only when something reads it (a failed Lambda call's cause holds a formatted stack
    trace: formatting one for each of a thousand retried attempts was half of their cost).

    ``str()`` makes the text once and keeps it. History events and Retry hold these; every
    public reader (``HistoryEvent.details``, Catch's error output, ``Execution.cause``) sees a str.
    """

    __slots__ = ("_make", "_text")

    def __init__(self, make: Callable[[], str]):
        self._make = make
        self._text: str | None = None

    def __str__(self) -> str:
        if self._text is None:
            self._text = self._make()
            self._make = None
        return self._text

    def __repr__(self) -> str:
        return repr(str(self))

    def __deepcopy__(self, memo: dict) -> LazyText:
        return self  # made once, never changed: snapshots can share it


def text(value: Any) -> Any:
    """``value``, with a LazyText made into its str."""
    return str(value) if type(value) is LazyText else value


# Compact details: the events every state and Map iteration writes keep their details as a
# tuple ``(keys, value, ...)`` instead of a dict (a third of the memory: a million-event run
# stays within bounds); ``HistoryEvent.details`` gives the dict.
NAME_INPUT = ("name", "input")
NAME_OUTPUT = ("name", "output")
NAME_INDEX = ("name", "index")


class HistoryEvent:
    """One event: ``id``, ``previous_event_id``, ``type``, ``timestamp``, ``details``."""

    __slots__ = ("id", "previous_event_id", "type", "at", "_details", "frame")
    _start: datetime  # the execution's start: a class attribute of History's own subclass (see _events_from)

    def __init__(self, id: int, previous_event_id: int, type: str, at: float, details: dict | None,
                 frame: str = ""):
        self.id = id
        self.previous_event_id = previous_event_id
        self.type = type
        self.at = at  # seconds since the execution started (virtual)
        self._details = details if details is not None else {}
        self.frame = frame  # which branch/iteration wrote it, e.g. "Map[3]/Par[1]"

    @property
    def details(self) -> dict:
        details = self._details
        if type(details) is tuple:  # a compact record (see Compact): a new dict at each read
            return dict(zip(details[0], details[1:]))
        cause = details.get("cause")
        if cause is not None and type(cause) is LazyText:  # formatted on first read
            details["cause"] = str(cause)
        return details

    @details.setter
    def details(self, value: dict) -> None:
        self._details = value

    @property
    def timestamp(self) -> datetime:
        return self._start + timedelta(seconds=self.at)

    @property
    def state_name(self) -> str | None:
        details = self._details
        if type(details) is tuple:
            return details[1] if details[0][0] == "name" else None
        return details.get("name")

    def to_aws(self) -> dict:
        """This event in GetExecutionHistory's JSON shape."""
        out: dict[str, Any] = {
            "timestamp": format_iso(self.timestamp),
            "type": self.type,
            "id": self.id,
            "previousEventId": self.previous_event_id,
        }
        if self.details or self.type in _ALWAYS_DETAILED:
            details: dict[str, Any] = {}
            for key, value in self.details.items():
                if key in _DOCUMENT_FIELDS:
                    details[key] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
                    details[key + "Details"] = {"truncated": False}
                elif key == "assignedVariables":
                    details[key] = {k: json.dumps(v, separators=(",", ":"), ensure_ascii=False)
                                    for k, v in value.items()}
                    details["assignedVariablesDetails"] = {"truncated": False}
                else:
                    details[key] = value
            out[details_key(self.type)] = details
        return out

    def __repr__(self) -> str:
        name = self.state_name
        return f"HistoryEvent(id={self.id}, type={self.type!r}" + (f", name={name!r})" if name else ")")


_ALWAYS_DETAILED = ("ExecutionFailed", "ExecutionTimedOut")


@lru_cache(maxsize=256)
def _events_from(start: datetime) -> type:
    """HistoryEvent for one start time: the start is kept once, on the class, not in every event
    (one slot less is 16 bytes less per event: 6 MB in a 400,000-event run)."""
    return type("HistoryEvent", (HistoryEvent,), {"__slots__": (), "_start": start, "__module__": __name__})


class History:
    """The list of events of one execution, in order."""

    def __init__(self, start: datetime):
        self.events: list[HistoryEvent] = []
        self.start = start
        self._event = _events_from(start)
        self.count = 0  # events written (ids); more than len(events) when ``keep`` drops some
        self.last_at = 0.0  # virtual time of the latest event, kept or not
        self.keep: Callable[[str], bool] | None = None  # which event types are kept (Express log levels)

    def add(self, previous_event_id: int, type: str, at: float, details: dict | None = None,
            frame: str = "") -> HistoryEvent:
        self.count = count = self.count + 1
        self.last_at = at
        event = self._event(count, previous_event_id, type, at, details, frame)
        keep = self.keep
        if keep is None or keep(type):
            self.events.append(event)
        return event

    def empty(self) -> History:
        """A new, empty history with the same start: a Distributed Map child execution's (made for
        each of a million children, it skips the lookup of the event class that ``__init__`` does)."""
        history = History.__new__(History)
        history.events, history.start, history._event = [], self.start, self._event
        history.count, history.last_at, history.keep = 0, 0.0, None
        return history

    def __len__(self) -> int:
        """How many events the execution wrote (the latest id), kept or not."""
        return self.count

    def __iter__(self) -> Iterator[HistoryEvent]:
        return iter(self.events)

    def __getitem__(self, index):
        return self.events[index]

    def __repr__(self) -> str:
        return f"<History: {len(self.events)} events>"

    @property
    def types(self) -> list[str]:
        return [e.type for e in self.events]

    def to_aws(self) -> dict:
        """``{"events": [...]}`` as GetExecutionHistory returns it."""
        return {"events": [e.to_aws() for e in self.events]}

    def table(self, limit: int | None = None, width: int = 100) -> str:
        """A stable text table: id, previous id, elapsed time, type and a short detail.

        Lines stay within ``width`` characters: a long detail goes on to the next
        line under its column, broken between words, never inside a JSON token
        (Jupyter's output area would otherwise wrap it mid-token). The headers
        follow ``stepfn_lab.set_language``; event types stay as AWS writes them.
        """
        head = tuple(words(f"col_{name}") for name in ("id", "prev", "elapsed", "type", "detail"))
        events = self.events if limit is None else self.events[:limit]
        rows = [(str(e.id), str(e.previous_event_id), _elapsed(e.at), e.type) for e in events]
        widths = [max(len(r[i]) for r in [head[:4], *rows]) for i in range(4)]
        column = sum(widths) + 2 * 4
        room = max(30, width - column)
        lines = ["  ".join(head[i].ljust(widths[i]) for i in range(4)) + "  " + head[4]]
        for e, r in zip(events, rows):
            start = "  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  "
            for i, part in enumerate(_detail_lines(_summary(e, room), room)):
                lines.append((start if i == 0 else " " * column) + part)
        if limit is not None and len(self.events) > limit:
            lines.append(words("more_events", count=len(self.events) - limit))
        return "\n".join(line.rstrip() for line in lines)

    def _repr_pretty_(self, p, cycle) -> None:  # IPython hook, no import needed
        p.text(self.table())


def _elapsed(seconds: float) -> str:
    """``1.500s``, ``2m05.000s``, ``1h02m05s`` (a decimal comma in pt-BR)."""
    if seconds < 60:
        return f"{number(seconds, 3)}s".rjust(8)
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{int(minutes)}m{number(secs, 3).rjust(6, '0')}s"
    hours, minutes = divmod(minutes, 60)
    return f"{int(hours)}h{int(minutes):02d}m{secs:02.0f}s"


def _detail_lines(detail: str, room: int) -> list[str]:
    """The detail in lines of at most ``room`` characters, broken between its parts (never inside one)."""
    lines: list[str] = []
    for part in detail.split(" \0"):
        if lines and len(lines[-1]) + 1 + len(part) <= room:
            lines[-1] += " " + part
        else:
            lines.append(part)
    return lines or [""]


def _summary(e: HistoryEvent, room: int = 60) -> str:
    """The detail column: parts joined by " \\0" (the places where a line may break)."""
    d = e.details
    parts = []
    if "name" in d:
        parts.append(str(d["name"]))
    if "index" in d:
        parts.append(f"[{d['index']}]")
    if "error" in d:
        parts.append(f"error={d['error']}")
    if "cause" in d and d["cause"] is not None:
        cause = str(d["cause"])
        limit = max(20, room - len("cause="))
        if len(cause) > limit:
            cause = cause[: limit - 3].rsplit(" ", 1)[0] + "..."
        parts.append("cause=" + cause)
    for key in ("input", "output"):
        if key in d and e.type in ("ExecutionStarted", "ExecutionSucceeded") or (
                key == "output" and key in d and e.type.endswith("StateExited")):
            parts.append(f"{key}={json_short(d[key], room - len(key) - 1)}")
            break
    if "resource" in d and "name" not in d:
        parts.append(str(d["resource"]))
    return " \0".join(parts)
