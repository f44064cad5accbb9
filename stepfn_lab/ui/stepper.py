"""Step through an execution in the notebook: ``Stepper``, and ``Compare`` for workflow types.

Spec: the Step Functions console's execution view (graph, step details with
input/output and the data-flow stages of TestState's ``inspectionData``, the
event history) and ``SendTaskSuccess``/``SendTaskFailure`` for callback tasks;
"Choosing workflow type" for ``Compare``.
Taught in: notebooks/00-welcome.ipynb, then every notebook that walks through a run.

    from stepfn_lab.widgets import Stepper   # or: from stepfn_lab.ui.stepper import Stepper
    stepper = Stepper(machine, {"foo": 1}, lambdas={"FUNCTION_NAME": handler})
    stepper                      # Step, Step over, Back, Play/Pause, Run to end, Run to breakpoint, Reset
    stepper.execution            # the live Execution

One Step is one state of one frame (the machine, one Parallel branch, one Map
iteration) or one attempt of a retried state, in the order of the history;
Step over runs a whole Map, Parallel or retry sequence as one move.

Back rewinds with ``execution.snapshot()``/``restore()``: the stepper keeps a
snapshot after every step ("positions"); Step after Back replays the recorded
positions (handlers are not called twice) until it reaches the newest, then
runs on. This is the only module that imports ipywidgets; the panes are HTML
built by ``stepfn_lab.ui.panes``.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable

import ipywidgets as w

from ..errors import StepFnLabError
from ..language import text as words
from ..runtime.engine import EXPRESS, RUNNING, STANDARD, Execution, StateMachine
from ..views import wasm
from . import panes

_ids = itertools.count(1)


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


# --------------------------------------------------------------------------- Stepper

class Stepper(w.VBox):
    """Step, rewind, play and break through an execution, with its diagram and data flow."""

    def __init__(self, machine: Any, input: Any = None, *, lambdas: dict | None = None, **start_kwargs: Any):
        super().__init__()
        if isinstance(machine, Execution):
            if input is not None:
                raise StepFnLabError("Stepper(execution) steps an execution that already has its input; "
                                     "write Stepper(machine, input, ...) to start a new one")
            execution = machine
            self._start_kwargs = {"lambdas": execution.lambdas, "services": execution.services,
                                  "s3_root": execution.s3_root, "tasks": getattr(execution, "tasks", None),
                                  **start_kwargs}
            if lambdas is not None:
                self._start_kwargs["lambdas"] = lambdas
            self.machine = execution.machine
        else:
            self.machine = machine if isinstance(machine, StateMachine) else StateMachine.from_json(machine)
            self._start_kwargs = {"lambdas": lambdas, **start_kwargs}
            execution = self.machine.start(input, **self._start_kwargs)
        self._start_kwargs.pop("name", None)  # a new run after Reset needs a new name
        self._recorder = panes.Recorder(execution)
        self._prefix = f"sfl{next(_ids)}-"
        self._message = ""
        self._note = ""
        self._diagram_key: tuple | None = None
        self._updating = False
        self._build(execution.input)
        self._refresh()

    # -- public API (the buttons call these) --------------------------------------------------

    @property
    def execution(self) -> Execution:
        return self._recorder.execution

    @property
    def position(self) -> int:
        """How many moves from the start the cursor is (Back lowers it)."""
        return self._recorder.cursor

    @property
    def recorded(self) -> int:
        return self._recorder.recorded

    @property
    def breakpoints(self) -> tuple[str, ...]:
        return tuple(self._breakpoints.value)

    @breakpoints.setter
    def breakpoints(self, names: Any) -> None:
        names = (names,) if isinstance(names, str) else tuple(names)
        known = [value for _, value in self._breakpoints.options]
        unknown = [name for name in names if name not in known]
        if unknown:
            raise StepFnLabError(f"no state named {unknown[0]!r} in {self.machine.name!r}; "
                                 f"breakpoints can be: {', '.join(known)}")
        self._breakpoints.value = names

    def step(self) -> bool:
        """One state of one frame, or one attempt of a retried state."""
        return self._do(self._recorder.step)

    def step_over(self) -> bool:
        """The next state at the cursor's level, to its end: a whole Map, Parallel or retry sequence."""
        return bool(self._do(self._recorder.step_over))

    def back(self) -> bool:
        return self._do(self._recorder.back)

    def run_to_end(self) -> int:
        return self._do(self._recorder.run)

    def run_to_breakpoint(self) -> int:
        """Run until a breakpoint state, at any depth: before it is entered, or after it ends."""
        return self._do(self._run_to_breakpoint)

    def _run_to_breakpoint(self) -> int:
        after, before = self._stoppers()
        moves = self._recorder.run(after, before)
        self._note = self._paused_note()
        return moves

    def reset(self, input: Any = None) -> None:
        """Start a new execution (with ``input``, or the JSON in the editor)."""
        if input is None:
            check = panes.check_json(self._input.value)
            if not check.ok:
                raise StepFnLabError(f"the input is not valid JSON: {check.message}")
            input = check.value
        else:
            self._input.value = panes.editable_json(input)
        self.player.playing = False
        self._recorder = panes.Recorder(self.machine.start(input, **self._start_kwargs))
        self._message = ""
        self._refresh()

    def send_task_success(self, output: Any, token: str | None = None) -> None:
        self._callback(lambda ex, tok: ex.send_task_success(tok, output), token)

    def send_task_failure(self, error: str | None = None, cause: str | None = None, token: str | None = None) -> None:
        self._callback(lambda ex, tok: ex.send_task_failure(tok, error, cause), token)

    def __repr__(self) -> str:
        ex = self.execution
        name = self.machine.name if len(self.machine.name) <= 24 else self.machine.name[:23] + "…"
        state = self._where() or (ex.steps[-1].state if ex.steps else self.machine.definition.start_at)
        return (f"Stepper(machine={name!r}, state={state!r}, step {self.position}/{self.recorded}, "
                f"status={ex.status})")

    # -- building the widget --------------------------------------------------------------

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
        self._breakpoints = w.SelectMultiple(options=list(panes.state_names(raw)), rows=4,
                                             layout=w.Layout(width="auto", min_width="0", flex="1 1 auto"))
        self._stop_mode = w.ToggleButtons(options=[(LABELS["stop_before"][0], "before"),
                                                   (LABELS["stop_after"][0], "after")],
                                          value="before", style={"button_width": "104px"})
        self._input = w.Textarea(value=panes.editable_json(input), rows=6, continuous_update=True,
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
        self._wire()
        self._layout(raw)

    def _wire(self) -> None:
        for button, action in ((self._step, self.step), (self._step_over, self.step_over), (self._back, self.back),
                               (self._run_end, self.run_to_end), (self._run_break, self.run_to_breakpoint)):
            button.on_click(lambda _b, act=action: act())
        self._play.on_click(lambda _b: self._toggle_play())
        self._reset.on_click(lambda _b: self._guard(self.reset))
        self._send_success.on_click(lambda _b: self._guard(self._send_success_clicked))
        self._send_failure.on_click(lambda _b: self._guard(
            lambda: self.send_task_failure(self._callback_error.value or None, self._callback_cause.value or None)))
        self.player.observe(self._tick, "value")
        self.player.observe(lambda _c: self._refresh_buttons(), "playing")
        self._speed.observe(lambda c: setattr(self.player, "interval", int(1000 / c["new"])), "value")
        self.player.interval = int(1000 / self._speed.value)
        self._input.observe(lambda _c: self._refresh_input(), "value")
        self._callback_output.observe(lambda _c: self._refresh_callback_check(), "value")
        self._breakpoints.observe(lambda _c: self._refresh_buttons(), "value")
        for picker in (self._map_picker, self._branch_picker):
            picker.observe(self._picked, "value")
        self._run_steps.observe(lambda _c: None if self._updating else self._refresh_chosen_step(), "value")

    def _layout(self, raw: dict) -> None:
        """Diagram beside the panes on a wide screen; diagram above them at 1280 px and below."""
        def row(*children: w.Widget, **extra: str) -> w.HBox:
            return w.HBox(list(children), layout=w.Layout(flex_flow="row wrap", **extra))

        title, hint = LABELS["breakpoints"]
        breakpoints = w.VBox([w.HTML(f'<b>{panes.esc(title)}</b> <span class="sfl-muted">{panes.esc(hint)}</span>'),
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
                   if panes.has_state_type(raw, kind)]
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
        self.children = [w.HTML(panes.STYLE), self._header, toolbar,
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

    # -- actions ------------------------------------------------------------------------

    def _do(self, action: Callable[[], Any]) -> Any:
        self._message = ""
        self._note = ""
        try:
            result = action()
        except StepFnLabError as exc:
            self._message = str(exc)
            result = False
        self._refresh()
        return result

    def _guard(self, action: Callable[[], Any]) -> None:
        try:
            action()
        except StepFnLabError as exc:
            self._message = str(exc)
            self._refresh()

    def _stoppers(self) -> tuple[Callable[[list], bool] | None, Callable[[Any], bool] | None]:
        """(after, before): the breakpoint tests for the chosen mode; they look at every depth."""
        names, mode = set(self._breakpoints.value), self._stop_mode.value
        if not names:
            return None, None
        if mode == "after":
            return (lambda moved: any(step.state in names and step.status not in ("RETRYING", "ABORTED")
                                      for step in moved)), None
        return None, (lambda frame: frame.phase == "enter" and frame.state in names)

    def _paused_note(self) -> str:
        """Say which breakpoint the cursor stopped at (before a state, or after one)."""
        ex = self.execution
        names = set(self._breakpoints.value)
        if not names or ex.status != RUNNING:
            return ""
        if self._stop_mode.value == "before":
            upcoming = ex.next_frame()
            if upcoming is not None and upcoming.phase == "enter" and upcoming.state in names:
                where = f" in {panes.run_label(upcoming.path)}" if upcoming.path else ""
                return LABELS["paused_before"][0].format(state=upcoming.state, where=where)
            return ""
        hit = [s for s in self._recorder.moved_steps() if s.state in names]
        if hit:
            where = f" in {panes.run_label(hit[-1].path)}" if hit[-1].path else ""
            return LABELS["paused_after"][0].format(state=hit[-1].state, where=where)
        return ""

    def _toggle_play(self) -> None:
        if self.player.playing:
            self.player.playing = False
        elif self._recorder.can_step():
            self.player.playing = True
        self._refresh_buttons()

    def _tick(self, _change: dict) -> None:
        """One tick of the Play widget: one step, then pause at a breakpoint or at the end."""
        if not self.player.playing:
            return
        count = len(self.execution.steps)
        after, before = self._stoppers()
        moved = self._do(lambda: self._recorder.step(before=before))
        hit = (after is not None and after(self.execution.steps[count:])) or (
            before is not None and self._recorder._stops_before(before))
        if not moved or not self._recorder.can_step() or hit:
            self.player.playing = False
            if hit:
                self._note = self._paused_note()
                self._refresh_header()

    def _callback(self, send: Callable[[Execution, str], Any], token: str | None) -> None:
        ex = self.execution
        token = token or self._tokens.value
        if not token or token not in ex.tokens:
            raise StepFnLabError("no task is waiting for a callback here: step until a .waitForTaskToken "
                                 "task runs, then send its token")
        self._recorder.truncate()
        send(ex, token)
        self._recorder.run(lambda moved: bool(moved))  # the task finishes: one recorded move
        self._message = ""
        self._refresh()

    def _send_success_clicked(self) -> None:
        check = panes.check_json(self._callback_output.value)
        if not check.ok:
            raise StepFnLabError(f"the task output is not valid JSON: {check.message}")
        self.send_task_success(check.value)

    def _picked(self, change: dict) -> None:
        if self._updating:
            return
        if change["new"] != FOLLOW:  # one inner run at a time
            other = self._branch_picker if change["owner"] is self._map_picker else self._map_picker
            self._updating = True
            other.value = FOLLOW
            self._updating = False
        self._refresh_runs(reset=True)
        self._refresh_focus()
        self._refresh_history()
        self._refresh_diagram()

    def _refresh_chosen_step(self) -> None:
        self._refresh_focus()
        self._refresh_history()

    # -- refreshing the panes -----------------------------------------------------------

    def _refresh(self) -> None:
        self._refresh_buttons()
        self._refresh_input()
        self._refresh_callback()
        self._refresh_runs()
        self._refresh_focus()
        self._refresh_history()
        self._refresh_diagram()
        self._refresh_header()  # last: when the page shows the new header, the panes are there too

    def _where(self) -> str | None:
        current = self.execution.current if self.execution.status == RUNNING else []
        return current[-1][1] if current else None

    def _refresh_header(self) -> None:
        ex = self.execution
        self._header.value = panes.header_html(
            self.machine.name, ex.status, waiting=ex.waiting, position=self.position, recorded=self.recorded,
            clock_iso=ex.clock.iso(), clock_now=ex.clock.now, where=self._where(), message=self._message,
            note=self._note)

    def _refresh_buttons(self) -> None:
        rec, playing = self._recorder, self.player.playing
        can_step = rec.can_step()
        self._back.disabled = playing or not rec.can_back()
        self._step.disabled = self._step_over.disabled = self._run_end.disabled = playing or not can_step
        self._run_break.disabled = playing or not can_step or not self._breakpoints.value
        self._play.disabled = not playing and not can_step
        self._play.description, self._play.icon = ((LABELS["pause"][0], "pause") if playing
                                                   else (LABELS["play"][0], "play"))

    def _refresh_input(self) -> None:
        check = panes.check_json(self._input.value)
        self._input_check.value = check.html()
        self._reset.disabled = not check.ok

    def _refresh_callback_check(self) -> None:
        check = panes.check_json(self._callback_output.value)
        self._callback_check.value = check.html()
        self._send_success.disabled = not check.ok

    def _refresh_callback(self) -> None:
        tokens = self.execution.tokens
        _show(self._callback_box, bool(tokens))
        if tokens:
            _set_options(self._tokens, [(f"{f.state}{' in ' + f.path if f.path else ''} · {t[:8]}…", t)
                                        for t, f in tokens.items()])
        self._refresh_callback_check()

    def _chosen_run(self) -> str:
        return self._map_picker.value or self._branch_picker.value or FOLLOW

    def _refresh_runs(self, reset: bool = False) -> None:
        """Offer the inner runs that have steps so far; list the chosen run's steps."""
        self._updating = True
        try:
            done = self.execution.steps
            iterations, branches = self._inner_runs()
            _set_options(self._map_picker, [("—", FOLLOW)] + [(panes.run_label(p, st), p)
                                                              for p, st in iterations.items()])
            _set_options(self._branch_picker, [("—", FOLLOW)] + [(panes.run_label(p, st), p)
                                                                 for p, st in branches.items()])
            run = self._chosen_run()
            mine = [(i, s) for i, s in enumerate(done) if s.path == run] if run else []
            options = [(f"{n}. {s.state} ({s.status})", i) for n, (i, s) in enumerate(mine, 1)] or [("—", -1)]
            latest = options[-1][1]
            follow = reset or self._run_steps.value == self._run_steps.options[-1][1]
            _set_options(self._run_steps, options)
            if follow:
                self._run_steps.value = latest
            _show(self._run_steps, bool(run))
        finally:
            self._updating = False

    def _inner_runs(self) -> tuple[dict[str, str], dict[str, str]]:
        """Every iteration and branch that ran, with its status (read again only when the run moved)."""
        ex = self.execution
        key = (id(ex), len(ex.history), len(ex.steps), self.position)
        if getattr(self, "_runs_key", None) != key:
            self._runs_key, self._runs = key, panes.inner_runs(ex.steps, ex.history.events)
        return self._runs

    @property
    def runs(self) -> dict[str, str]:
        """Every Map iteration and Parallel branch that ran so far (path -> status), in item order."""
        iterations, branches = self._inner_runs()
        return {**iterations, **branches}

    def choose_run(self, path: str | None) -> None:
        """Show one iteration or branch in the panes (what the pickers do); ``None`` follows the cursor."""
        path = path or FOLLOW
        iterations, branches = self._inner_runs()
        if path and path not in iterations and path not in branches:
            raise StepFnLabError(f"no iteration or branch {path!r} has run; these have: "
                                 f"{', '.join([*iterations, *branches]) or 'none yet'}")
        picker = self._branch_picker if path in branches else self._map_picker
        picker.value = path
        if not path:
            self._branch_picker.value = FOLLOW

    def _focus(self) -> Any:
        """The step the X-ray shows: the chosen inner run's, else the cursor's, else the waiting task."""
        ex = self.execution
        if self._chosen_run():
            index = self._run_steps.value
            return ex.steps[index] if isinstance(index, int) and 0 <= index < len(ex.steps) else None
        moved = self._recorder.moved_steps()
        if moved:
            return panes.focus_step(moved)
        for frame in ex.tokens.values():
            return panes.WaitingStep(frame.state, frame.current_state().type, frame.path, frame.trace)
        return ex.steps[-1] if ex.steps else None

    def _refresh_focus(self) -> None:
        step = self._focus()
        run = self._chosen_run()
        title = words("pane.data_flow") if not run else \
            words("pane.data_flow_of", run=panes.run_label(run, self.runs.get(run)))
        if run and step is None:
            text = LABELS["aborted_early" if self.runs.get(run) == "ABORTED" else "no_steps"][0]
            self._xray.value = (f'<div class="sfl-pane"><h4>{panes.esc(title)}</h4><span class="sfl-muted">'
                                f'{panes.esc(text)}</span></div>')
        else:
            self._xray.value = panes.xray_html(step, title=title)
        self._variables.value = panes.variables_html(step)

    def _refresh_history(self) -> None:
        ex = self.execution
        events = ex.history.events
        focus = self._focus() if self._chosen_run() else None
        if focus is not None and getattr(focus, "last_event", None):
            # an inner run's step: its own events, and the table ends a few events after it
            now = {e.id for e in events[focus.first_event - 1:focus.last_event] if e.frame == focus.path}
            self._history.value = panes.history_html(events[:focus.last_event + 3], now=now,
                                                     total=len(events))
            return
        related: set[int] = set()
        for step in self._recorder.moved_steps():
            related.update(e.id for e in events[step.first_event - 1:step.last_event] if e.frame == step.path)
        self._history.value = panes.history_html(events, now=self._recorder.moved_events(), step_ids=related)

    def _refresh_diagram(self) -> None:
        ex = self.execution
        run = self._chosen_run()
        if run:
            current = next((state for path, state, _ in ex.current if path == run), None)
        else:
            current = self._where()
        selection = panes.map_selection(run)
        key = (id(ex), len(ex.history), self.position, run, current)
        if key == self._diagram_key:
            return
        self._diagram_key = key
        dot: list[str] | None = [] if self._wasm is not None else None
        picture = panes.diagram_html(self.machine.raw, ex.history.events, current=current,
                                     map_iteration=selection, id_prefix=self._prefix, dot_source=dot)
        if self._wasm is not None:  # no `dot`: Graphviz compiled to WebAssembly draws the same DOT
            _show(self._wasm, bool(dot))
            _show(self._diagram, not dot)
            if dot:
                self._wasm.dot_source = dot[0]
        self._diagram.value = picture.html
        if picture.width:  # beside the panes when both fit (a little smaller than life), else above them
            natural = int(picture.width) + 24
            self._diagram_column.layout.flex = f"1 1 {max(300, int(natural * 0.75))}px"
            self._diagram_column.layout.max_width = f"{max(natural, 420)}px"


# --------------------------------------------------------------------------- Compare

class Compare(w.VBox):
    """One definition run as a Standard and as an Express workflow, side by side."""

    def __init__(self, definition: Any, input: Any = None, *, lambdas: dict | None = None,
                 name: str | None = None, sync: bool = False, **start_kwargs: Any):
        super().__init__()
        if isinstance(definition, StateMachine):
            name = name or definition.name
            definition = definition.raw
        self.name = name or "Compare"
        self.definition = definition
        self.input = input
        self._start_kwargs = {"lambdas": lambdas, **start_kwargs}
        self.standard, self._standard_problem = self._run(STANDARD, sync=False)
        self.express: Execution | None = None
        self._express_problem: str | None = None
        self._mode = w.ToggleButtons(options=[("Express: asynchronous", False), ("Express: synchronous", True)],
                                     value=bool(sync), style={"button_width": "180px"})
        self._standard_html, self._express_html = w.HTML(), w.HTML()
        half = dict(flex="1 1 460px", min_width="380px", padding="0 4px")
        title = w.HTML(f'<div class="sfl-pane sfl-header"><b>{panes.esc(self.name)}</b>: the same definition '
                       "and input, run as a Standard and as an Express workflow</div>")
        self.children = [w.HTML(panes.STYLE), title, self._mode,
                         w.HBox([w.VBox([self._standard_html], layout=w.Layout(**half)),
                                 w.VBox([self._express_html], layout=w.Layout(**half))],
                                layout=w.Layout(flex_flow="row wrap", width="100%"))]
        self.add_class("sfl-compare")
        self._mode.observe(lambda _c: self._rerun_express(), "value")
        self._rerun_express()
        self._standard_html.value = panes.workflow_column(STANDARD, self.standard, problem=self._standard_problem)

    @property
    def sync(self) -> bool:
        return bool(self._mode.value)

    @sync.setter
    def sync(self, value: bool) -> None:
        self._mode.value = bool(value)

    def _run(self, workflow_type: str, *, sync: bool) -> tuple[Execution | None, str | None]:
        try:
            machine = StateMachine.from_json(self.definition, name=self.name, workflow_type=workflow_type)
            options = dict(self._start_kwargs, sync=True) if sync else self._start_kwargs
            return machine.run(self.input, **options), None
        except StepFnLabError as exc:
            kind = "Standard" if workflow_type == STANDARD else "Express"
            return None, f"{kind} cannot run this definition: {exc}"

    def _rerun_express(self) -> None:
        self.express, self._express_problem = self._run(EXPRESS, sync=self.sync)
        self._express_html.value = panes.workflow_column(EXPRESS, self.express, sync=self.sync,
                                                         problem=self._express_problem)

    def __repr__(self) -> str:
        def status(ex: Execution | None) -> str:
            return ex.status if ex is not None else "NOT_RUN"
        return f"Compare(machine={self.name!r}, standard={status(self.standard)}, express={status(self.express)})"


def map_progress(execution: Execution) -> tuple[int, int]:
    """Map iterations finished and to run so far, over every Map state of the execution (finished ones too)."""
    counts = execution.fanned.values()
    return sum(done for done, _ in counts), sum(total for _, total in counts)


def progress_text(execution: Execution) -> str:
    """``"3/3 items"``, ``"1,000/1,000 child executions"`` (both when a run has both kinds)."""
    parts = [f"{done:,}/{total:,} {what}" for what, (done, total) in execution.fanned.items() if total]
    return " · ".join(parts) or "no Map items"


def run_with_progress(execution: Execution, every: int = 200,
                      show: Callable[[w.Widget], Any] | None = None) -> Execution:
    """Run an execution to its end with a progress bar of its Map iterations (long Distributed Maps).

    The bar is an ipywidgets ``IntProgress`` updated every ``every`` actions; it ends on the
    true count ("3/3 items", "1,000/1,000 child executions"). The execution is the same as
    with ``execution.run()``. ``show`` displays the bar (default: IPython's ``display``).
    """
    if show is None:
        from IPython.display import display as show

    bar = w.IntProgress(value=0, min=0, max=1, description="Map items", bar_style="info",
                        layout=w.Layout(width="420px"))
    label = w.HTML()
    show(w.HBox([bar, label]))
    steps = 0
    while execution.advance():
        steps += 1
        if steps % every == 0:
            _show_progress(execution, bar, label)
    execution.run()  # persists a durable run, as run() always does
    _show_progress(execution, bar, label)
    bar.bar_style = "success" if execution.status == "SUCCEEDED" else "danger"
    return execution


def _show_progress(execution: Execution, bar: w.IntProgress, label: w.HTML) -> None:
    done, total = map_progress(execution)
    if total:
        bar.max, bar.value = total, done
    elif execution.status != RUNNING:
        bar.max, bar.value = 1, 1
    label.value = f"{progress_text(execution)} · {len(execution.history):,} events · {execution.status}"


__all__ = ["Stepper", "Compare", "run_with_progress", "map_progress", "progress_text", "LABELS"]
