"""The step-through debugger without its widgets: the recorder behind the buttons, the panes as HTML.

Spec: AWS TestState ``inspectionData`` (the data-flow stages), AWS
``GetExecutionHistory`` (event types), the Step Functions console legend
(status colours) and the Standard/Express comparison of the "Choosing workflow
type" page. Taught in: notebooks/00-welcome.ipynb and every notebook that steps
through an execution.

``Recorder`` moves an execution forward and back: a snapshot
(``execution.snapshot()``) after every step, ``restore()`` to go back, and a
replay of the recorded positions when the learner steps forward again, so
handlers with side effects are not called twice. A step is what
``Execution.step()`` does: one state of one frame (the machine, a branch, an
iteration) or one attempt of a retried state; ``step_over()`` runs a whole
Map, Parallel or retry sequence; ``run(stop, before)`` stops after or before a
breakpoint state at any depth. The panes are plain functions
returning HTML text. ``stepfn_lab.ui.stepper`` places both in ipywidgets; this
module imports neither ipywidgets nor Graphviz (the diagram pane imports
``stepfn_lab.views`` inside ``diagram_html``), so it is tested without a browser.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Container, Iterable, Iterator, Sequence

from ..language import number, text as words
from ..runtime.engine import RUNNING, Execution
from ..runtime.frames import ABORTED, RETRYING

# The console legend (the same colours as stepfn_lab.views.render.STATUS_COLOURS).
SUCCEEDED_COLOUR, FAILED_COLOUR, CAUGHT_COLOUR, IN_PROGRESS_COLOUR = "#2BD62E", "#DE322F", "#FFA500", "#53C9ED"
ABORTED_COLOUR = "#AAB7B8"  # the console draws stopped ("aborted") states and iterations grey
STATUS_COLOURS = {
    "SUCCEEDED": SUCCEEDED_COLOUR, "FAILED": FAILED_COLOUR, "CAUGHT_ERROR": CAUGHT_COLOUR,
    "RUNNING": IN_PROGRESS_COLOUR, "TIMED_OUT": FAILED_COLOUR, "ABORTED": ABORTED_COLOUR,
    "WAITING": IN_PROGRESS_COLOUR, RETRYING: CAUGHT_COLOUR,
}
CHANGED_BACKGROUND = "#FFF4CC"
INK, MUTED = "#16191F", "#5F6B7A"

# One stylesheet for every pane; class names start with ``sfl-`` so nothing else on the page changes.
STYLE = f"""<style>
.sfl-pane {{ font-family: Helvetica, Arial, sans-serif; font-size: 14px; color: {INK}; background: white;
  border: 1px solid #D5DBDB; border-radius: 6px; padding: 8px 10px; box-sizing: border-box; width: 100%;
  line-height: 1.4; margin-bottom: 6px; }}
.sfl-pane h4 {{ margin: 0 0 6px 0; font-size: 15px; font-weight: 600; }}
.sfl-pane pre {{ margin: 0; font-size: 13px; line-height: 1.35; white-space: pre-wrap; word-break: break-word;
  font-family: Menlo, Consolas, 'DejaVu Sans Mono', monospace; color: {INK}; background: transparent; }}
.sfl-badge {{ display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 13px; font-weight: 600;
  color: {INK}; }}
.sfl-muted {{ color: {MUTED}; }}
.sfl-table {{ border-collapse: collapse; width: 100%; font-size: 13px; line-height: 1.3; }}
.sfl-table th, .sfl-table td {{ text-align: left; vertical-align: top; padding: 3px 6px;
  border-bottom: 1px solid #EAEDED; color: {INK}; }}
.sfl-table th {{ font-weight: 600; white-space: nowrap; }}
.sfl-xray tr.sfl-changed td, .sfl-xray tr.sfl-changed th {{ background: {CHANGED_BACKGROUND}; }}
.sfl-xray tr.sfl-changed th {{ border-left: 4px solid {CAUGHT_COLOUR}; }}
.sfl-xray tr.sfl-same th {{ border-left: 4px solid transparent; color: {MUTED}; }}
.sfl-history {{ max-height: 300px; overflow-y: auto; display: flex; flex-direction: column-reverse; }}
.sfl-history tr.sfl-now td {{ background: #D7F1FA; font-weight: 600; }}
.sfl-history tr.sfl-step td {{ background: #EEF8FC; }}
.sfl-history td.sfl-id {{ color: {MUTED}; width: 3em; }}
.sfl-error {{ border-left: 4px solid {FAILED_COLOUR}; background: #FDECEC; padding: 4px 8px; margin: 4px 0; }}
.sfl-caught {{ border-left: 4px solid {CAUGHT_COLOUR}; background: #FFF3E0; padding: 4px 8px; margin: 4px 0; }}
.sfl-aborted {{ border-left: 4px solid {ABORTED_COLOUR}; background: #F2F3F3; padding: 4px 8px; margin: 4px 0; }}
.sfl-choice {{ border-left: 4px solid {IN_PROGRESS_COLOUR}; background: #EEF8FC; padding: 4px 8px; margin: 4px 0; }}
.sfl-history td.sfl-err {{ color: #B0201D; }}
.sfl-history td.sfl-in {{ white-space: nowrap; }}
.sfl-note {{ color: #0B5E7A; font-weight: 600; }}
.sfl-stepper .sfl-scroll {{ overflow: auto; }}
.sfl-breakpoint-box select {{ width: 100%; box-sizing: border-box; }}
.sfl-ok {{ color: #1D8102; font-weight: 600; }}
.sfl-bad {{ color: #B0201D; font-weight: 600; }}
.sfl-diagram {{ overflow: auto; background: white; text-align: center; }}
.sfl-diagram svg {{ max-width: 100%; max-height: 62vh; width: auto; height: auto; }}
.sfl-header {{ font-size: 16px; }}
.sfl-input textarea, .sfl-callback-output textarea {{ font-family: Menlo, Consolas, 'DejaVu Sans Mono', monospace;
  font-size: 14px; }}
</style>"""

class _XrayLabels:
    """The data-flow stages' captions in the kit's language (keys of stepfn_lab/language: "xray.<stage>")."""

    STAGES = ("input", "afterInputPath", "afterParameters", "afterArguments", "result", "afterResultSelector",
              "afterResultPath", "output")

    def __getitem__(self, stage: str) -> str:
        if stage not in self.STAGES:
            raise KeyError(stage)
        return words(f"xray.{stage}")

    def __iter__(self):
        return iter(self.STAGES)

    def __contains__(self, stage: object) -> bool:
        return stage in self.STAGES

    def get(self, stage: str, default: str = "") -> str:
        return self[stage] if stage in self.STAGES else default


XRAY_LABELS = _XrayLabels()
XRAY_STAGES = _XrayLabels.STAGES


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def to_json(value: Any, *, indent: int | None = 2, limit: int = 1500, width: int = 56) -> str:
    """JSON text of a value for a pane: small objects on one line, cut at ``limit`` characters."""
    try:
        flat = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        flat = repr(value)
    else:
        if indent is not None and len(flat) > width and len(flat) < 20 * limit:
            flat = _folded(value, 0, width)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def editable_json(value: Any) -> str:
    """The whole value as JSON text for an editor (folded like the panes, never cut)."""
    return _folded(value, 0, 56)


def _folded(value: Any, level: int, width: int) -> str:
    flat = json.dumps(value, ensure_ascii=False, default=str)
    if len(flat) + 2 * level <= width or not isinstance(value, (dict, list)) or not value:
        return flat
    pad = "  " * (level + 1)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(str(k), ensure_ascii=False)}: {_folded(v, level + 1, width)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * level + "}"
    items = [pad + _folded(v, level + 1, width) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + "  " * level + "]"


def badge(status: str, text: str | None = None) -> str:
    colour = STATUS_COLOURS.get(status, "#DDDDDD")
    return f'<span class="sfl-badge" style="background:{colour}">{esc(text or status)}</span>'


# --------------------------------------------------------------------------- the recorder

SNAPSHOT_EVENT_BUDGET = 250_000  # history events kept across all snapshots (Back reaches this far)
RECORDED_STEPS_PER_RUN = 500  # one Run records this many steps; the rest runs without snapshots


@dataclass
class Position:
    """The execution after one move: a snapshot to come back to, and how far it had got."""

    snapshot: dict | None
    steps: int  # len(execution.steps)
    events: int  # len(execution.history)


class Recorder:
    """Moves an execution forward and back over recorded positions (what the buttons call)."""

    def __init__(self, execution: Execution, budget: int = SNAPSHOT_EVENT_BUDGET):
        self.execution = execution
        self.budget = budget
        self.positions = [self._capture()]
        self.cursor = 0
        self._kept_events = self.positions[0].events

    def _capture(self) -> Position:
        ex = self.execution
        return Position(ex.snapshot(), len(ex.steps), len(ex.history))

    @property
    def recorded(self) -> int:
        return len(self.positions) - 1

    @property
    def live(self) -> bool:
        """True at the newest position (moving forward runs the execution)."""
        return self.cursor == self.recorded

    def can_back(self) -> bool:
        return self.cursor > 0 and self.positions[self.cursor - 1].snapshot is not None

    def can_step(self) -> bool:
        ex = self.execution
        return not self.live or (ex.status == RUNNING and not ex.waiting)

    paused_at: int | None = None  # the position where a "stop before" breakpoint paused the last run

    def back(self) -> bool:
        if not self.can_back():
            return False
        self._go(self.cursor - 1)
        return True

    def step(self, *, record: bool = True, before: Callable[[Any], bool] | None = None) -> bool:
        """One state forward: replay the next recorded position, or run the execution
        (``before``: stop before a frame that it says True for, after the first action)."""
        if not self.live:
            self._go(self.cursor + 1)
            return True
        return self._run_one(record, before)

    def run(self, stop: Callable[[list], bool] | None = None,
            before: Callable[[Any], bool] | None = None) -> int:
        """Step until the end, a callback wait, ``stop(steps of the move)``, or until the next frame to act
        is one that ``before(frame)`` wants to stop before; returns the moves made.

        A run that starts where a "stop before" breakpoint paused goes on past it; at the very start
        (position 0) a breakpoint before the ``StartAt`` state pauses at once, with no move.
        """
        if stop is None and before is None and not self.live:
            self._go(self.recorded)  # nothing to look at on the way: jump to the newest position
        if before is not None and self.cursor == 0 and self.paused_at != 0 and self._stops_before(before):
            self.paused_at = 0
            return 0
        self.paused_at = None
        moves = recorded = 0
        while self.can_step():
            count = len(self.execution.steps)
            keep = not self.live or recorded < RECORDED_STEPS_PER_RUN
            if not self.step(record=keep, before=before):
                break
            moves += 1
            recorded += keep and self.live
            if stop is not None and stop(self.execution.steps[count:]):
                break
            if before is not None and self._stops_before(before):
                self.paused_at = self.cursor if keep else None
                break
        if self.live and self.positions[-1].events != len(self.execution.history):
            self._append()  # the unrecorded tail of a long run becomes one position
            if self.paused_at is None and before is not None and self._stops_before(before):
                self.paused_at = self.cursor
        return moves

    def step_over(self) -> int:
        """Step until a state at the cursor's depth or above finishes (not an attempt that will be retried):
        a whole Map, Parallel or retry sequence is one move. Returns the engine steps it took."""
        ex = self.execution
        depth = self.depth()
        moves = 0
        while self.can_step():
            count = len(ex.steps)
            if self.live:
                if not self._run_one(record=False):
                    break
            else:
                self._go(self.cursor + 1)
            moves += 1
            if any(path_depth(s.path) <= depth and s.status not in (RETRYING, ABORTED) for s in ex.steps[count:]):
                break
        if self.live and moves and (self.positions[-1].events, self.positions[-1].steps) != (
                len(ex.history), len(ex.steps)):
            self._append()
        return moves

    def depth(self) -> int:
        """How deep the cursor is: 0 at the top level, 1 in a branch or iteration, 2 in one inside those ..."""
        moved = self.moved_steps()
        if moved:
            last = focus_step(moved)
            depth = path_depth(last.path)
            ended = last.status not in (RETRYING,) and last.next is None  # its branch or iteration ended
            return max(0, depth - 1) if ended and depth else depth
        upcoming = self.execution.next_frame()
        return path_depth(upcoming.path) if upcoming is not None else 0

    def _stops_before(self, before: Callable[[Any], bool]) -> bool:
        upcoming = self.execution.next_frame()
        return upcoming is not None and bool(before(upcoming))

    def truncate(self) -> None:
        """Forget the positions after the cursor (the learner changes what happens next)."""
        del self.positions[self.cursor + 1:]
        self._kept_events = sum(p.events for p in self.positions if p.snapshot is not None)

    def moved_steps(self) -> list:
        """The steps the last move to this position made (usually one)."""
        if self.cursor == 0:
            return []
        start, end = self.positions[self.cursor - 1].steps, self.positions[self.cursor].steps
        return self.execution.steps[start:end]

    def moved_events(self) -> range:
        """The ids of the history events the last move to this position wrote."""
        if self.cursor == 0:
            return range(1, self.positions[0].events + 1) if not self.execution.steps else range(0)
        return range(self.positions[self.cursor - 1].events + 1, self.positions[self.cursor].events + 1)

    def _run_one(self, record: bool, before: Callable[[Any], bool] | None = None) -> bool:
        ex = self.execution
        if ex.status != RUNNING:
            return False
        start = (len(ex.steps), len(ex.history), ex.clock.now)
        ex.step(before=before)
        while ex.status == RUNNING and not ex.current and ex.advance():
            pass  # the last state is done: write the execution's closing event now
        if (len(ex.steps), len(ex.history), ex.clock.now) == start:
            return False
        if record:
            self._append()
        return True

    def _append(self) -> None:
        self.positions.append(self._capture())
        self.cursor = self.recorded
        self._kept_events += self.positions[-1].events
        for old in self.positions[:-1]:
            if self._kept_events <= self.budget:
                break
            if old.snapshot is not None:
                old.snapshot = None
                self._kept_events -= old.events

    def _go(self, index: int) -> None:
        self.execution.restore(self.positions[index].snapshot)
        self.cursor = index


def path_depth(path: str) -> int:
    """``""`` -> 0, ``"Map[2]"`` -> 1, ``"Map[2]/Par[branch 0]"`` -> 2."""
    return path.count("/") + 1 if path else 0


def focus_step(steps: Sequence[Any]) -> Any:
    """The step of a move to show: the last one that was not stopped by a failing sibling."""
    for step in reversed(steps):
        if step.status != ABORTED:
            return step
    return steps[-1] if steps else None


def state_names(definition: dict, container: str = "") -> Iterator[tuple[str, str]]:
    """(label, name) for every state, in definition order, nested ones after their Map/Parallel."""
    for name, state in (definition.get("States") or {}).items():
        yield (f"{name}  (in {container})" if container else name), name
        if not isinstance(state, dict):
            continue
        for branch in state.get("Branches") or []:
            if isinstance(branch, dict):
                yield from state_names(branch, name)
        inner = state.get("ItemProcessor") or state.get("Iterator")
        if isinstance(inner, dict):
            yield from state_names(inner, name)


def has_state_type(definition: dict, kind: str) -> bool:
    return any(isinstance(state, dict) and state.get("Type") == kind
               for state in all_states(definition))


def all_states(definition: dict) -> Iterator[Any]:
    for state in (definition.get("States") or {}).values():
        yield state
        if isinstance(state, dict):
            for branch in state.get("Branches") or []:
                if isinstance(branch, dict):
                    yield from all_states(branch)
            inner = state.get("ItemProcessor") or state.get("Iterator")
            if isinstance(inner, dict):
                yield from all_states(inner)


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


# --------------------------------------------------------------------------- the data-flow X-ray

def xray_html(step: Any, *, title: str | None = None) -> str:
    """The stages of one state's data flow, the changed ones highlighted."""
    title = words("pane.data_flow") if title is None else title
    if step is None:
        return f'<div class="sfl-pane"><h4>{esc(title)}</h4><span class="sfl-muted">{words("pane.not_yet")} ' \
               f'press <b>Step</b>.</span></div>'
    parts = [f'<div class="sfl-pane sfl-xray-pane"><h4>{esc(title)}: {step_title(step)}</h4>']
    parts.append(_error_box(step))
    trace = getattr(step, "trace", None)
    if not trace:
        parts.append('<span class="sfl-muted">No data-flow trace was recorded for this state '
                     '(the execution was started with trace=False).</span></div>')
        return "".join(parts)
    stages = [(key, trace[key]) for key in XRAY_STAGES if key in trace]
    changed = set(_changed(stages))
    rows = []
    previous_key = None
    for key, value in stages:
        label = f'<code>{esc(key)}</code><br><span class="sfl-muted" style="font-weight:400">' \
                f'{esc(XRAY_LABELS[key])}</span>'
        if key in changed or previous_key is None:
            cls = "sfl-changed" if key in changed and previous_key is not None else "sfl-first"
            cell = f"<pre>{esc(to_json(value))}</pre>"
        else:
            cls = "sfl-same"
            cell = f'<span class="sfl-muted">{esc(words("pane.unchanged", stage=previous_key))}</span>'
        rows.append(f'<tr class="{cls}" data-stage="{esc(key)}"><th>{label}</th><td>{cell}</td></tr>')
        previous_key = key
    parts.append(f'<table class="sfl-table sfl-xray">{"".join(rows)}</table>')
    if "taskToken" in trace:
        parts.append(f'<div class="sfl-muted">task token: <code>{esc(trace["taskToken"])}</code></div>')
    parts.append("</div>")
    return "".join(parts)


def _changed(stages: Sequence[tuple[str, Any]]) -> list[str]:
    out, previous = [], object()
    for index, (key, value) in enumerate(stages):
        if index and value != previous:
            out.append(key)
        previous = value
    return out


def step_title(step: Any) -> str:
    where = f' <span class="sfl-muted">in {esc(step.path)}</span>' if step.path else ""
    status = getattr(step, "status", "RUNNING")
    to = f" → {esc(step.next)}" if getattr(step, "next", None) else ""
    attempt = getattr(step, "attempt", 1) or 1
    tries = f' <span class="sfl-muted">attempt {attempt}</span>' if attempt > 1 or status == RETRYING else ""
    return f"<b>{esc(step.state)}</b> ({esc(step.type)}){where} {badge(status)}{tries}{to}"


def _error_box(step: Any) -> str:
    """The error of the step that failed: red when nothing handled it, orange when a Catch or a Retry did."""
    status = getattr(step, "status", None)
    if status == ABORTED:
        return ('<div class="sfl-aborted">Stopped before it finished: another branch or iteration of the same '
                "Parallel or Map state failed first.</div>")
    error = getattr(step, "error", None)
    if not error:
        return _choice_box(step)
    cause = getattr(step, "cause", None)
    if status == RETRYING:
        cls = "sfl-caught"
        what = (f"attempt {step.attempt} failed; the Retry waits {getattr(step, 'retry_in', 0) or 0:g} s "
                f"on the virtual clock, then tries again")
    elif status == "CAUGHT_ERROR":
        cls = "sfl-caught"
        what = "caught: the Catch sent the execution on" + (f" to {esc(step.next)}" if step.next else "")
    else:
        cls = "sfl-error"
        what = "not caught: the state failed"
    return (f'<div class="{cls}" data-status="{esc(status)}"><b>{esc(error)}</b> '
            f'<span class="sfl-muted">({what})</span>'
            + (f"<br><span>{esc(cause)}</span>" if cause else "") + "</div>")


def _choice_box(step: Any) -> str:
    choice = getattr(step, "choice", None)
    if choice is None:
        return ""
    if choice == "Default":
        text = "no rule matched: <b>Default</b>"
    else:
        text = f"rule <b>#{int(choice) + 1}</b> of Choices matched (<code>Choices[{int(choice)}]</code>)"
    to = f" → {esc(step.next)}" if getattr(step, "next", None) else ""
    return f'<div class="sfl-choice">{text}{to}</div>'


@dataclass
class WaitingStep:
    """A task paused for a callback, shown in the X-ray like a finished step."""

    state: str
    type: str
    path: str
    trace: Any
    status: str = "WAITING"
    next: str | None = None
    error: str | None = None
    cause: str | None = None
    attempt: int = 1
    choice: Any = None


# --------------------------------------------------------------------------- variables

def variables_html(step: Any) -> str:
    """The workflow variables before and after the state (only states with Assign change them)."""
    head = f'<div class="sfl-pane sfl-variables"><h4>{words("pane.variables")}</h4>'
    before = getattr(step, "variables_before", None) if step is not None else None
    after = getattr(step, "variables_after", None) if step is not None else None
    if before is None and after is None:
        text = words("pane.no_state_yet") if step is None else words("pane.no_variables")
        return head + f'<span class="sfl-muted">{text}</span></div>'
    before, after = before or {}, after or {}
    rows = []
    for name in list(dict.fromkeys([*before, *after])):
        old = to_json(before[name], indent=None, limit=300) if name in before else "—"
        new = to_json(after[name], indent=None, limit=300) if name in after else "—"
        cls = ' class="sfl-changed"' if old != new else ""
        rows.append(f"<tr{cls}><th><code>${esc(name)}</code></th><td><pre>{esc(old)}</pre></td>"
                    f"<td><pre>{esc(new)}</pre></td></tr>")
    return (head + f'<table class="sfl-table sfl-xray"><tr><th>{words("pane.variable")}</th>'
            f'<th>{words("pane.before")}</th><th>{words("pane.after")}</th></tr>'
            + "".join(rows) + "</table></div>")


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


_TEXT_STATUS = {"succeeded": "SUCCEEDED", "failed": "FAILED", "caught": "CAUGHT_ERROR", "in_progress": "RUNNING"}


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
