"""The parity report: one definition run locally and on a Step Functions endpoint, lined up.

Spec: DescribeExecution (status, output, error, cause) and GetExecutionHistory
(event types and the state each names); timestamps, ids and ARNs differ by
nature and are not compared. Taught in: ``stepfn-lab parity --help`` and
notebooks/16-from-the-lab-to-aws.ipynb.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from .runner import STANDARD, AwsRunner, RemoteExecution, compact

_FIELDS = ("status", "output", "error", "cause")


@dataclass(frozen=True)
class FieldRow:
    name: str
    local: Any
    remote: Any

    @property
    def same(self) -> bool:
        return self.local == self.remote


@dataclass(frozen=True)
class EventRow:
    """One line of the aligned histories; ``local`` or ``remote`` is None where one side has no event.

    ``moved`` marks an event both histories have, at other places: concurrent
    Parallel branches and Map iterations interleave differently from run to run
    (on AWS too), so such a row is shown but is not a difference.
    """

    local: str | None
    remote: str | None
    local_id: int | None = None
    remote_id: int | None = None
    moved: bool = False

    @property
    def mark(self) -> str:
        if self.moved:
            return "~"
        if self.local == self.remote:
            return " "
        if self.remote is None:
            return "<"
        if self.local is None:
            return ">"
        return "!"


@dataclass
class ParityReport:
    """Local and remote runs of one definition, compared. ``ok`` when nothing differs."""

    local: Any  # the local Execution
    remote: RemoteExecution
    fields: list[FieldRow]
    events: list[EventRow]
    where: str = "remote"

    @property
    def ok(self) -> bool:
        return not self.differences

    @property
    def history_compared(self) -> bool:
        """False when the remote side kept no history (an Express run through StartSyncExecution)."""
        return bool(self.remote.events)

    @property
    def differences(self) -> list[str]:
        """The names of what differs: some of status, output, error, cause, history."""
        names = [row.name for row in self.fields if not row.same]
        if self.history_compared and any(row.mark not in " ~" for row in self.events):
            names.append("history")
        return names

    def text(self) -> str:
        """Stable text: the field table, the aligned history, the verdict."""
        width = 40
        field_rows = [("field", "", "local", "remote")]
        for row in self.fields:
            field_rows.append((row.name, " " if row.same else "!", _cell(row.local, width), _cell(row.remote, width)))
        lines = [f"parity: local vs {self.where}", *_table(field_rows)]
        for row in self.fields:
            if not row.same and row.name == "output":
                lines += ["", "output, local:  " + compact(row.local), "output, remote: " + compact(row.remote)]
            elif not row.same and row.name == "cause":
                lines += ["", f"cause, local:  {_cell(row.local, 10_000)}",
                          f"cause, remote: {_cell(row.remote, 10_000)}"]
        if self.history_compared:
            matched = sum(row.mark == " " for row in self.events)
            moved = sum(row.mark == "~" and row.local is not None for row in self.events)
            lines += ["", f"history: {len(self.local_events)} local events, {len(self.remote.events)} remote "
                          f"events, {matched} alike" + (f", {moved} in another order" if moved else "")]
            event_rows = [("#", "", "local", "remote")]
            for number, row in enumerate(self.events, 1):
                event_rows.append((str(number), row.mark, row.local or "-", row.remote or "-"))
            lines += _table(event_rows)
        else:
            lines += ["", f"history: {len(self.local_events)} local events; none remotely "
                          f"(Express executions keep no history), not compared"]
        lines.append("")
        legend = "(! differs, < only local, > only remote, ~ same event in another order)"
        verdict = "result: same" if self.ok else f"result: DIFFERENT ({', '.join(self.differences)})"
        if any(row.mark != " " for row in self.events):
            verdict += f" {legend}"
        lines.append(verdict)
        return "\n".join(lines)

    @property
    def local_events(self) -> list[dict]:
        return self.local.history.to_aws()["events"]

    def to_dict(self) -> dict:
        """The report as JSON data."""
        return {
            "ok": self.ok,
            "differences": self.differences,
            "fields": {row.name: {"local": row.local, "remote": row.remote, "same": row.same}
                       for row in self.fields},
            "history_compared": self.history_compared,
            "history": [{"local": row.local, "remote": row.remote, "mark": row.mark}
                        for row in self.events] if self.history_compared else [],
        }

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, p, cycle) -> None:  # IPython hook
        p.text(self.text())


def _event_label(event: dict) -> str:
    """``"PassStateEntered Greet"``: the event type and the state it names, if any."""
    details = next((v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict)), {})
    name = details.get("name")
    return f"{event.get('type', '?')} {name}" if name else str(event.get("type", "?"))


def align_events(local: list[dict], remote: list[dict]) -> list[EventRow]:
    """The two histories side by side, matched where their labels agree (a longest-common-subsequence diff).

    Unmatched events that the other side also has, elsewhere, become ``moved`` rows;
    the rest pair up as differing rows (``!``) or stand alone (``<`` only local, ``>`` only remote).
    """
    a = [_event_label(e) for e in local]
    b = [_event_label(e) for e in remote]
    blocks = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    unmatched_a = Counter(a[i] for op, i1, i2, _, _ in blocks if op != "equal" for i in range(i1, i2))
    unmatched_b = Counter(b[j] for op, _, _, j1, j2 in blocks if op != "equal" for j in range(j1, j2))
    movable = unmatched_a & unmatched_b  # per label: how many events moved rather than differ
    budget_a, budget_b = Counter(movable), Counter(movable)
    rows: list[EventRow] = []
    for op, i1, i2, j1, j2 in blocks:
        if op == "equal":
            rows += [EventRow(a[i], b[j], local[i].get("id"), remote[j].get("id"))
                     for i, j in zip(range(i1, i2), range(j1, j2))]
            continue
        kept_a, moved_a = _split_moved(range(i1, i2), a, budget_a)
        kept_b, moved_b = _split_moved(range(j1, j2), b, budget_b)
        for k in range(max(len(kept_a), len(kept_b))):
            i = kept_a[k] if k < len(kept_a) else None
            j = kept_b[k] if k < len(kept_b) else None
            rows.append(EventRow(None if i is None else a[i], None if j is None else b[j],
                                 None if i is None else local[i].get("id"),
                                 None if j is None else remote[j].get("id")))
        rows += [EventRow(a[i], None, local[i].get("id"), None, moved=True) for i in moved_a]
        rows += [EventRow(None, b[j], None, remote[j].get("id"), moved=True) for j in moved_b]
    return rows


def _split_moved(indexes: range, labels: list[str], budget: Counter) -> tuple[list[int], list[int]]:
    kept, moved = [], []
    for index in indexes:
        if budget[labels[index]] > 0:
            budget[labels[index]] -= 1
            moved.append(index)
        else:
            kept.append(index)
    return kept, moved


def compare(local: Any, remote: RemoteExecution, where: str = "remote") -> ParityReport:
    """A ``ParityReport`` of a finished local ``Execution`` and a ``RemoteExecution``."""
    fields = [FieldRow(name, getattr(local, name), getattr(remote, name)) for name in _FIELDS]
    events = align_events(local.history.to_aws()["events"], remote.events)
    return ParityReport(local, remote, fields, events, where)


def parity_report(definition: Any, input: Any = None, *, lambdas: dict | None = None,
                  runner: AwsRunner | None = None, name: str | None = None, workflow_type: str | None = None,
                  timeout: float = 60.0, **local_options: Any) -> ParityReport:
    """Run ``definition`` here and on ``runner``'s endpoint with the same input; compare the two.

    ``lambdas`` serve the local run only (the remote one calls the real functions).
    ``local_options`` go to ``StateMachine.run`` (``seed``, ``mock_config``...).
    """
    from ..runtime.engine import StateMachine

    if isinstance(definition, StateMachine):
        machine = definition
    else:
        machine = StateMachine.from_json(definition, name=name or "StepFnLabParity",
                                         workflow_type=workflow_type or STANDARD)
    runner = runner if runner is not None else AwsRunner()
    local = machine.run(input, lambdas=lambdas, **local_options)
    remote = runner.run(machine, input, name=name or machine.name, timeout=timeout)
    return compare(local, remote, "remote endpoint" if runner.endpoint_url else f"AWS {runner.region}")


def _cell(value: Any, width: int) -> str:
    if value is None:
        return "-"
    text = value if isinstance(value, str) else compact(value)
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 3] + "..."


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return ["  ".join([*(r[i].ljust(widths[i]) for i in range(len(widths))), r[-1]]).rstrip() for r in rows]
