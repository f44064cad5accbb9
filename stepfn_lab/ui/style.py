"""The panes' look: the console's status colours, one stylesheet, escaping, JSON text and status badges.

Spec: the Step Functions console legend (status colours: succeeded green, failed red, caught orange,
in progress blue, aborted grey). Taught in: notebooks/00-welcome.ipynb and every notebook that steps
through an execution (the Stepper's panes and Compare's columns are drawn with these).

Plain HTML text: no ipywidgets, no Graphviz.
"""

from __future__ import annotations

import html
import json
from typing import Any

from ..runtime.frames import RETRYING

# The console legend (the same colours as stepfn_lab.views.render.STATUS_COLOURS).
SUCCEEDED_COLOUR, FAILED_COLOUR, CAUGHT_COLOUR, IN_PROGRESS_COLOUR = "#2BD62E", "#DE322F", "#FFA500", "#53C9ED"
# Stopped ("aborted") states and iterations: the console legend's "Cancelled" grey (see the Design note on
# STATUS_COLOURS in stepfn_lab/views/render.py for the source).
ABORTED_COLOUR = "#DDDDDD"
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
