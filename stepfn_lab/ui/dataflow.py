"""The data-flow X-ray and the variables pane: what one state did to its input, stage by stage.

Spec: AWS TestState ``inspectionData`` (the stages ``input``, ``afterInputPath``, ``afterParameters``,
``result``, ``afterResultSelector``, ``afterResultPath``, ``output``; ``afterArguments`` for JSONata),
the ASL "Input and Output Processing" section, and workflow variables (``Assign``).
Taught in: notebooks/04-data-flow-paths.ipynb and notebooks/14-jsonata-and-variables.ipynb.

Plain HTML text: no ipywidgets, no Graphviz.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from ..language import text as words
from ..runtime.frames import ABORTED, RETRYING
from .style import badge, esc, to_json


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
