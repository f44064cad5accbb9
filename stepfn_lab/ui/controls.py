"""The Stepper's controls: its buttons, breakpoint list, pickers, input editor and callback box, laid out.

Spec: the Step Functions console's execution view (graph beside step details and the event history)
and ``SendTaskSuccess``/``SendTaskFailure`` for callback tasks. Taught in: notebooks/00-welcome.ipynb,
then every notebook that walks through a run.

``StepperControls`` builds the widgets and places them (diagram beside the panes on a wide screen,
above them on a narrow one); ``stepfn_lab.ui.stepper.Stepper`` adds what they do. Every label and
tooltip comes from ``LABELS`` (the kit's language).
"""

from __future__ import annotations

from typing import Any, Iterator

import ipywidgets as w

from ..language import text as words
from ..views import wasm
from .style import STYLE, editable_json, esc

# --------------------------------------------------------------------------- small widget helpers

def _button(description: str, icon: str, tooltip: str, style: str = "") -> w.Button:
    button = w.Button(description=description, icon=icon, tooltip=tooltip, button_style=style,
                      layout=w.Layout(width="auto", min_width="96px", height="36px"))
    button.style.font_size = "15px"
    return button


def _show(widget: w.Widget, visible: bool) -> None:
    widget.layout.display = None if visible else "none"


def _set_options(dropdown: w.Dropdown, options: list[tuple[str, Any]]) -> None:
    if list(dropdown.options) != options:
        value = dropdown.value
        dropdown.options = options
        dropdown.value = value if value in [v for _, v in options] else options[0][1]


FOLLOW = ""  # picker value: no inner run chosen, the X-ray follows the cursor
MAX_HEIGHT = "calc(100vh - 170px)"  # the Stepper's height at most: JupyterLab's chrome takes about 170 px

# Every label and tooltip of the Stepper's controls, in one place (for translations).
class _Labels:
    """``LABELS[key] -> (label, tooltip)`` in the kit's language (``stepfn_lab.set_language``).

    The words live in stepfn_lab/language/en.py and pt_br.py under ``"stepper.<key>"`` (and
    ``"stepper.<key>.tip"`` for the tooltip); they are read when a Stepper is built.
    """

    KEYS = ("back", "step", "step_over", "play", "pause", "run_end", "run_break", "speed", "breakpoints",
            "stop_before", "stop_after", "map_picker", "branch_picker", "run_steps", "paused_before",
            "paused_after", "no_steps", "aborted_early", "reset")

    def __getitem__(self, key: str) -> tuple[str, str]:
        if key not in self.KEYS:
            raise KeyError(key)
        return words(f"stepper.{key}"), words(f"stepper.{key}.tip")

    def __iter__(self):
        return iter(self.KEYS)

    def __contains__(self, key: object) -> bool:
        return key in self.KEYS

    def keys(self):
        return self.KEYS

    def items(self):
        return [(key, self[key]) for key in self.KEYS]


LABELS = _Labels()


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


# --------------------------------------------------------------------------- the widgets and their layout

class StepperControls(w.VBox):
    """The Stepper's widgets, built (``_build``) and laid out (``_layout``); the Stepper wires them."""

    def _build(self, input: Any) -> None:
        raw = self.machine.raw
        self._header = w.HTML()
        self._back = _button(LABELS["back"][0], "step-backward", LABELS["back"][1])
        self._step = _button(LABELS["step"][0], "step-forward", LABELS["step"][1], "primary")
        self._step_over = _button(LABELS["step_over"][0], "share", LABELS["step_over"][1])
        self._play = _button(LABELS["play"][0], "play", LABELS["play"][1])
        self._run_end = _button(LABELS["run_end"][0], "fast-forward", LABELS["run_end"][1])
        self._run_break = _button(LABELS["run_break"][0], "forward", LABELS["run_break"][1])
        self._speed = w.FloatSlider(value=2.0, min=0.5, max=10.0, step=0.5, description=LABELS["speed"][0],
                                    readout_format=".1f", style={"description_width": "initial"},
                                    layout=w.Layout(width="300px"))
        self.player = w.Play(value=0, min=0, max=10**9, step=1, interval=500, show_repeat=False,
                             layout=w.Layout(display="none"))
        self._breakpoints = w.SelectMultiple(options=list(state_names(raw)), rows=4,
                                             layout=w.Layout(width="auto", min_width="0", flex="1 1 auto"))
        self._stop_mode = w.ToggleButtons(options=[(LABELS["stop_before"][0], "before"),
                                                   (LABELS["stop_after"][0], "after")],
                                          value="before", style={"button_width": "104px"})
        self._input = w.Textarea(value=editable_json(input), rows=6, continuous_update=True,
                                 layout=w.Layout(width="100%"))
        self._input_check = w.HTML()
        self._reset = _button(LABELS["reset"][0], "refresh", LABELS["reset"][1])
        self._map_picker = w.Dropdown(description=LABELS["map_picker"][0], options=[("—", FOLLOW)],
                                      style={"description_width": "initial"}, layout=w.Layout(width="auto"))
        self._branch_picker = w.Dropdown(description=LABELS["branch_picker"][0], options=[("—", FOLLOW)],
                                         style={"description_width": "initial"}, layout=w.Layout(width="auto"))
        self._run_steps = w.Dropdown(description=LABELS["run_steps"][0], options=[("—", -1)],
                                     style={"description_width": "initial"}, layout=w.Layout(width="auto"))
        self._diagram, self._xray = w.HTML(), w.HTML()
        self._wasm = wasm.widget() if wasm.browser_drawing() else None
        self._variables, self._history = w.HTML(), w.HTML()
        self._tokens = w.Dropdown(description="Task token", style={"description_width": "initial"},
                                  layout=w.Layout(width="100%"))
        self._callback_output = w.Textarea(value="{}", rows=3, layout=w.Layout(width="100%"))
        self._callback_check = w.HTML()
        self._send_success = _button("Send task success", "check", "SendTaskSuccess with the output above",
                                     "success")
        self._callback_error = w.Text(value="Rejected", description="error", layout=w.Layout(width="96%"))
        self._callback_cause = w.Text(value="", description="cause", layout=w.Layout(width="96%"))
        self._send_failure = _button("Send task failure", "times", "SendTaskFailure with this error and cause",
                                     "danger")
        for widget, name in ((self._breakpoints, "sfl-breakpoints"), (self._input, "sfl-input"),
                             (self._map_picker, "sfl-map-picker"), (self._branch_picker, "sfl-branch-picker"),
                             (self._run_steps, "sfl-run-steps"), (self._tokens, "sfl-tokens"),
                             (self._callback_output, "sfl-callback-output"),
                             (self._input_check, "sfl-input-check"), (self._callback_check, "sfl-callback-check")):
            widget.add_class(name)
        self._layout(raw)

    def _layout(self, raw: dict) -> None:
        """Diagram beside the panes on a wide screen; diagram above them at 1280 px and below."""
        def row(*children: w.Widget, **extra: str) -> w.HBox:
            return w.HBox(list(children), layout=w.Layout(flex_flow="row wrap", **extra))

        title, hint = LABELS["breakpoints"]
        breakpoints = w.VBox([w.HTML(f'<b>{esc(title)}</b> <span class="sfl-muted">{esc(hint)}</span>'),
                              self._breakpoints],
                             layout=w.Layout(flex="1 1 240px", min_width="200px", max_width="420px"))
        breakpoints.add_class("sfl-breakpoint-box")
        toolbar = row(row(self._back, self._step, self._step_over, self._play, self._speed, self._run_end,
                          align_items="center"),
                      row(breakpoints, w.VBox([self._stop_mode, self._run_break], layout=w.Layout(flex="0 0 auto")),
                          align_items="flex-end", padding="0 0 0 10px", border_left="2px solid #D5DBDB",
                          flex="1 1 480px", min_width="0", max_width="100%"),
                      align_items="flex-end", margin="4px 0 8px 0", width="100%")
        toolbar.add_class("sfl-toolbar")
        pickers = [p for p, kind in ((self._map_picker, "Map"), (self._branch_picker, "Parallel"))
                   if has_state_type(raw, kind)]
        self._pickers = row(*pickers, self._run_steps, display=None if pickers else "none", margin="0 0 4px 0")
        answer = w.VBox([w.HTML("<b>output</b> (JSON)"), self._callback_output, self._callback_check,
                         self._send_success], layout=w.Layout(flex="1 1 260px"))
        refuse = w.VBox([self._callback_error, self._callback_cause, self._send_failure],
                        layout=w.Layout(flex="1 1 260px"))
        self._callback_box = w.VBox([
            w.HTML('<div class="sfl-pane"><h4>A task is waiting for a callback</h4>'
                   "Answer it as your worker would, with SendTaskSuccess or SendTaskFailure.</div>"),
            self._tokens, row(answer, refuse)],
            layout=w.Layout(border="2px solid #53C9ED", padding="6px", margin="0 0 6px 0"))
        details = row(w.VBox([self._xray], layout=w.Layout(flex="1 1 440px", min_width="0")),
                      w.VBox([self._variables, self._history], layout=w.Layout(flex="1 1 440px", min_width="0")))
        # never taller than the notebook view: the diagram and the panes scroll inside
        panes_column = w.VBox([self._callback_box, self._pickers, details],
                              layout=w.Layout(flex="1 1 420px", min_width="0", max_height="64vh", overflow="auto"))
        panes_column.add_class("sfl-scroll")
        self._diagram_column = w.VBox([self._diagram] + ([self._wasm] if self._wasm else []),
                                      layout=w.Layout(flex="1 1 600px", min_width="0", max_height="64vh",
                                                      overflow="auto"))
        self._diagram_column.add_class("sfl-scroll")
        editor = w.VBox([w.HTML(f'<div class="sfl-pane"><h4>{words("pane.input")}</h4>'
                                f'{words("pane.input_help")}</div>'),
                         self._input, row(self._reset, self._input_check, align_items="center")],
                        layout=w.Layout(width="100%", max_width="900px", margin="8px 0 0 0"))
        self.children = [w.HTML(STYLE), self._header, toolbar,
                         row(self._diagram_column, panes_column, align_items="flex-start", width="100%"),
                         editor, self.player]
        for child in self.children:  # the Stepper scrolls as a whole: no part of it is squeezed
            child.layout.flex = "0 0 auto"
        self.add_class("sfl-stepper")
        self.layout.width = "100%"
        # the whole Stepper fits in the notebook's view (the page less JupyterLab's menu, tabs, toolbar and
        # status bar); what does not fit scrolls inside
        self.layout.max_height = MAX_HEIGHT
        self.layout.overflow = "auto"

