"""The Stepper's other panes as HTML: header and clock, event history, inner runs, diagram, JSON check.

Spec: AWS ``GetExecutionHistory`` (event types), the console's Map iteration and Parallel branch
pickers, its execution graph, and the Standard/Express comparison of the "Choosing workflow type"
page. Taught in: notebooks/00-welcome.ipynb, notebooks/11-parallel.ipynb, notebooks/12-map.ipynb,
notebooks/13-standard-vs-express.ipynb.

The panes are plain functions returning HTML text; ``stepfn_lab.ui.stepper`` and
``stepfn_lab.ui.compare`` place them in ipywidgets. This module imports neither
ipywidgets nor Graphviz (the diagram pane imports ``stepfn_lab.views`` inside
``diagram_html``), so it is tested without a browser. The data-flow X-ray is in
``dataflow``, the recorder in ``recorder``, the colours and stylesheet in ``style``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Container, Iterable, Sequence

from ..language import number, text as words
from ..runtime.frames import ABORTED
from .style import badge, esc, to_json


# --------------------------------------------------------------------------- JSON input

@dataclass(frozen=True)
class JsonCheck:
    """The result of checking JSON text as a learner types it."""

    ok: bool
    value: Any
    message: str  # "✓ valid JSON" or the error with its line and column
    line: int | None = None
    column: int | None = None

    def html(self) -> str:
        cls = "sfl-ok" if self.ok else "sfl-bad"
        return f'<span class="{cls}" style="font-size:14px">{esc(self.message)}</span>'


def check_json(text: str) -> JsonCheck:
    """Parse JSON text; the message names the line and column of the first error."""
    if not text.strip():
        return JsonCheck(False, None, "✗ empty: type a JSON value, e.g. {} or {\"foo\": 1}", 1, 1)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return JsonCheck(False, None, f"✗ {exc.msg} at line {exc.lineno}, column {exc.colno}",
                         exc.lineno, exc.colno)
    return JsonCheck(True, value, "✓ valid JSON")


# --------------------------------------------------------------------------- history

def history_html(events: Sequence[Any], *, now: Container[int], step_ids: Iterable[int] = (), limit: int = 400,
                 total: int | None = None) -> str:
    """The history as a table of AWS event types; ``now`` are the events of the current step.

    The table is anchored at its bottom (it scrolls with the newest rows in view), so pass the
    events up to the step to show; ``total`` counts the events after them too.
    """
    step_ids = set(step_ids)
    total = len(events) if total is None else total
    shown = events[-limit:] if len(events) > limit else events
    rows = []
    for event in shown:
        cls = "sfl-now" if event.id in now else "sfl-step" if event.id in step_ids else ""
        error = (event.details or {}).get("error")
        rows.append(f'<tr class="{cls}" data-event="{event.id}"><td class="sfl-id">{event.id}</td>'
                    f"<td>{esc(elapsed(event.at))}</td><td>{esc(event.type)}</td>"
                    f"<td>{esc(_event_state(event))}</td><td class=\"sfl-in\">{esc(event.frame or '')}"
                    f"</td><td class=\"sfl-err\">{esc(error or '')}</td></tr>")
    earlier = (f'<tr><td colspan="6" class="sfl-muted">… {len(events) - len(shown)} earlier events</td></tr>'
               if len(shown) < len(events) else "")
    later = (f'<tr><td colspan="6" class="sfl-muted">… {total - len(events)} later events</td></tr>'
             if total > len(events) else "")
    columns = "".join(f"<th>{words(f'pane.col_{c}')}</th>" for c in ("id", "time", "type", "state", "in", "error"))
    count = words("pane.events_one") if total == 1 else words("pane.events_many", count=number(total))
    return (f'<div class="sfl-pane"><h4>{words("pane.history")} <span class="sfl-muted" style="font-weight:400">'
            f'({count}; {words("pane.highlighted")})</span></h4>'
            f'<div class="sfl-history"><table class="sfl-table"><tr>{columns}</tr>'
            f'{earlier}{"".join(rows)}{later}</table></div></div>')


def _event_state(event: Any) -> str:
    """The state column: the state an event names, with the iteration index of Map iteration events."""
    details = event.details or {}
    name = str(details["name"]) if details.get("name") else ""
    if isinstance(details.get("index"), int):
        name += f" [{details['index']}]"
    return name


def elapsed(seconds: float) -> str:
    if seconds < 60:
        return f"+{number(seconds, 3)}s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"+{int(minutes)}m{number(secs, 1).rjust(4, '0')}s"
    hours, minutes = divmod(minutes, 60)
    return f"+{int(hours)}h{int(minutes):02d}m"


# --------------------------------------------------------------------------- header and clock

def header_html(name: str, status: str, *, waiting: bool, position: int, recorded: int, clock_iso: str,
                clock_now: float, where: str | None, message: str = "", note: str = "") -> str:
    shown = "WAITING" if waiting else status
    text = words("header.waiting") if waiting else status
    at = f' · {words("header.next")}: <b>{esc(where)}</b>' if where else ""
    note = (f'<div class="sfl-bad" style="margin-top:4px">{esc(message)}</div>' if message else
            f'<div class="sfl-note" style="margin-top:4px">{esc(note)}</div>' if note else "")
    return (f'<div class="sfl-pane sfl-header"><b>{esc(name)}</b> {badge(shown, text)}'
            f' · {words("header.step", position=position, recorded=recorded)}{at}'
            f' · <span title="{esc(words("header.clock_tip"))}">'
            f'{words("header.clock")} <b>{esc(clock_iso)}</b> '
            f'<span class="sfl-muted">({esc(words("header.since_start", elapsed=elapsed(clock_now)))})</span></span>'
            f"{note}</div>")


# --------------------------------------------------------------------------- inner runs

_SEGMENT = re.compile(r"^(?P<state>.*)\[(?:branch (?P<branch>\d+)|(?P<index>\d+))\]$")


def map_selection(path: str) -> dict[str, int]:
    """``"Outer[2]/Par[branch 1]/Inner[0]"`` -> ``{"Outer": 2, "Inner": 0}`` for the diagram."""
    chosen: dict[str, int] = {}
    for segment in path.split("/") if path else ():
        match = _SEGMENT.match(segment)
        if match and match.group("index") is not None:
            chosen[match.group("state")] = int(match.group("index"))
    return chosen


_ITERATION_ENDS = {"MapIterationSucceeded": "SUCCEEDED", "MapIterationFailed": "FAILED",
                   "MapIterationAborted": "ABORTED"}


def inner_runs(steps: Iterable[Any], events: Iterable[Any] = ()) -> tuple[dict[str, str], dict[str, str]]:
    """Every Map iteration and Parallel branch that ran, in item (branch) order, with its status.

    Inline iterations come from the history (``MapIterationStarted`` and its closing event), so an
    iteration stopped before any of its states finished is listed too; Distributed Map child
    executions and Parallel branches come from the steps. Statuses: RUNNING, SUCCEEDED, FAILED,
    ABORTED, as the console marks them.
    """
    iterations: dict[str, str] = {}
    branches: dict[str, str] = {}
    for event in events:
        kind = event.type
        if kind == "MapIterationStarted" or kind in _ITERATION_ENDS:
            details = event.details or {}
            path = f"{event.frame}/{details.get('name')}[{details.get('index')}]".lstrip("/")
            iterations[path] = _ITERATION_ENDS.get(kind, "RUNNING")
        elif event.frame:
            path = event.frame
            match = _SEGMENT.match(path.rsplit("/", 1)[-1])
            if match and match.group("branch") is not None:
                branches.setdefault(path, "RUNNING")
    for step in steps:
        if not step.path:
            continue
        runs = iterations if step.frame_kind == "iteration" else branches
        if runs.get(step.path, "RUNNING") != "RUNNING":
            continue  # the history closed it already (inline iterations)
        if step.status in ("FAILED", ABORTED):
            runs[step.path] = step.status
        elif step.next is None and step.status in ("SUCCEEDED", "CAUGHT_ERROR"):
            runs[step.path] = "SUCCEEDED"
        else:
            runs[step.path] = "RUNNING"
    key = _natural_key
    return ({p: iterations[p] for p in sorted(iterations, key=key)},
            {p: branches[p] for p in sorted(branches, key=key)})


RUN_MARKS = {"SUCCEEDED": "✓ succeeded", "FAILED": "✗ failed", "ABORTED": "⊘ aborted", "RUNNING": "… running"}


def _natural_key(path: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path)]


def run_label(path: str, status: str | None = None) -> str:
    """``"EachItem[3]"`` -> ``"EachItem · iteration 3"``; ``"Fan[branch 1]"`` -> ``"Fan · branch 1"``;
    with a status, its mark is added: ``"EachItem · iteration 3 · ✗ failed"``."""
    if status is not None:
        return f"{run_label(path)} · {RUN_MARKS.get(status, status.lower())}"
    match = _SEGMENT.match(path.rsplit("/", 1)[-1])
    if not match:
        return path
    outer = path.rsplit("/", 1)[0] + " / " if "/" in path else ""
    if match.group("branch") is not None:
        return f"{outer}{match.group('state')} · branch {match.group('branch')}"
    return f"{outer}{match.group('state')} · iteration {match.group('index')}"


# --------------------------------------------------------------------------- the diagram

@dataclass(frozen=True)
class Picture:
    """The diagram pane: its HTML and the SVG's natural width in CSS pixels (None for the text fallback)."""

    html: str
    width: float | None = None


def diagram_html(definition: Any, events: Sequence[Any], *, current: str | None,
                 map_iteration: dict[str, int] | None, id_prefix: str, font_size: float = 13.0,
                 dot_source: list[str] | None = None) -> Picture:
    """The execution overlay as inline SVG, or a text table when Graphviz is missing.

    Given a ``dot_source`` list, appends the overlay's DOT to it instead of
    drawing (an empty ``Picture``), for Graphviz running in the browser.
    """
    from ..errors import StepFnLabError
    from ..views import diagram, render

    try:
        graph = diagram.extract(definition, list(events), map_iteration=map_iteration or None, current=current)
    except StepFnLabError as exc:
        return Picture(f'<div class="sfl-pane"><h4>Diagram</h4><span class="sfl-bad">{esc(exc)}</span></div>')
    style = render.RenderStyle(id_prefix=id_prefix, font_size=font_size, small_size=font_size - 2, ranksep=0.36)
    if dot_source is not None:  # no `dot` here: the caller's widget draws this DOT in the browser
        try:
            dot_source.append(render.to_dot(graph, style))
            return Picture("")
        except StepFnLabError:  # the Python package 'graphviz' is missing: the text table below says so
            pass
    try:
        svg = render.to_svg(graph, style)
    except StepFnLabError as exc:  # GraphvizMissing, or a layout failure
        return Picture(_diagram_text(definition, graph, str(exc)))
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    size = re.search(r'width="([\d.]+)pt"', svg[:400])
    width = float(size.group(1)) * 4 / 3 if size else None  # 1 pt = 4/3 CSS px
    return Picture(f'<div class="sfl-pane sfl-diagram">{svg}</div>', width)


_TEXT_STATUS = {"succeeded": "SUCCEEDED", "failed": "FAILED", "caught": "CAUGHT_ERROR", "in_progress": "RUNNING",
                "cancelled": ABORTED}


def _diagram_text(definition: Any, graph: Any, why: str) -> str:
    from ..views import render

    rows = []
    for name, status in graph.statuses.items():
        shown = _TEXT_STATUS.get(status or "")
        mark = badge(shown, (status or "").replace("_", " ")) if shown else '<span class="sfl-muted">not run</span>'
        rows.append(f"<tr><th>{esc(name)}</th><td>{mark}</td></tr>")
    return (f'<div class="sfl-pane sfl-diagram" style="text-align:left"><h4>Diagram (text)</h4>'
            f"<pre>{esc(render.to_table(definition))}</pre>"
            f'<table class="sfl-table">{"".join(rows)}</table>'
            f'<div class="sfl-muted" style="margin-top:6px">{esc(why)}</div></div>')


# --------------------------------------------------------------------------- Standard vs Express

DELIVERY = {
    "STANDARD": "exactly-once: an execution and each of its states run once (unless a Retry says otherwise)",
    "EXPRESS": "at-least-once (asynchronous): an execution may run more than once; make tasks idempotent",
    "EXPRESS_SYNC": "at-most-once (synchronous): an execution runs once or not at all; it is never started again",
}
LIMITS = {"STANDARD": "up to 1 year", "EXPRESS": "up to 5 minutes"}
PRICING = {
    "STANDARD": "$0.025 per 1,000 state transitions (4,000 free per month)",
    "EXPRESS": "$1.00 per million requests + $0.00001667 per GB-second (billed in 100 ms, 64 MB steps)",
}


def workflow_column(kind: str, execution: Any, *, sync: bool = False, problem: str | None = None) -> str:
    """One side of the Standard/Express comparison."""
    title = "Standard" if kind == "STANDARD" else "Express" + (f' ({words("compare.sync")})' if sync
                                                              else f' ({words("compare.async")})')
    head = f'<div class="sfl-pane" data-workflow="{kind}"><h4>{title}</h4>'
    if execution is None:
        return head + f'<div class="sfl-error">{esc(problem or "not run")}</div></div>'
    status = execution.status + (" (waiting for a callback)" if getattr(execution, "waiting", False) else "")
    rows = [
        (words("compare.status"), badge(execution.status, status)),
        (words("compare.duration"), words("compare.duration_value", seconds=number(round(execution.duration, 3)))),
        (words("compare.transitions"), str(getattr(execution, "billed_transitions", len(execution.steps)))),
        (words("compare.history"), _history_line(kind, execution)),
        (words("compare.delivery"), esc(DELIVERY["EXPRESS_SYNC" if kind == "EXPRESS" and sync else kind])),
        (words("compare.max_duration"), LIMITS[kind]),
        (words("compare.cost"), _cost_line(kind, execution)),
    ]
    if execution.status == "SUCCEEDED":
        rows.append(("output", f"<pre>{esc(to_json(execution.output, limit=600))}</pre>"))
    elif execution.error:
        rows.append(("error", f"<b>{esc(execution.error)}</b> {esc(execution.cause or '')}"))
    body = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return head + f'<table class="sfl-table">{body}</table></div>'


MONTHLY_VOLUME = 1_000_000  # the executions per month the cost line projects


def _history_line(kind: str, execution: Any) -> str:
    if kind == "STANDARD":
        return f"{len(execution.history)} events, kept for 90 days (GetExecutionHistory)"
    logs = getattr(execution, "logs", None)
    records = logs() if callable(logs) else logs
    if records is not None:
        return f"no history — {len(records)} CloudWatch Logs records (log level ALL)"
    return "no history — CloudWatch Logs records"


def _cost_line(kind: str, execution: Any) -> str:
    cost = getattr(execution, "cost", None)
    if callable(cost):
        bill = cost()
        total = getattr(bill, "total_usd", None)
        if total is not None:
            monthly = bill.per_month(MONTHLY_VOLUME) if hasattr(bill, "per_month") else None
            month = (f"; about ${monthly:,.2f} for {MONTHLY_VOLUME:,} runs a month" if monthly is not None else "")
            return f"<b>${total:.7f}</b> for this run{month}<br>" \
                   f'<span class="sfl-muted">{esc(PRICING[kind])}</span>'
    return esc(PRICING[kind])
