"""``Stepper``: step through an execution in the notebook, forward and back, with breakpoints.

Spec: the Step Functions console's execution view (graph, step details with
input/output and the data-flow stages of TestState's ``inspectionData``, the
event history) and ``SendTaskSuccess``/``SendTaskFailure`` for callback tasks.
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
runs on. The widgets are built and laid out by ``controls.StepperControls``
(this class adds what they do); the moves are ``recorder.Recorder``'s; the
panes are HTML text from ``dataflow`` (the X-ray, the variables) and ``panes``.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable

from ..errors import StepFnLabError
from ..language import text as words
from ..runtime.engine import RUNNING, Execution, StateMachine
from . import dataflow, panes
from .controls import FOLLOW, LABELS, StepperControls, _set_options, _show
from .recorder import Recorder, focus_step
from .style import editable_json, esc

_ids = itertools.count(1)


# --------------------------------------------------------------------------- Stepper

class Stepper(StepperControls):
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
        self._recorder = Recorder(execution)
        self._prefix = f"sfl{next(_ids)}-"
        self._message = ""
        self._note = ""
        self._diagram_key: tuple | None = None
        self._updating = False
        self._build(execution.input)
        self._wire()
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
            self._input.value = editable_json(input)
        self.player.playing = False
        self._recorder = Recorder(self.machine.start(input, **self._start_kwargs))
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
            return focus_step(moved)
        for frame in ex.tokens.values():
            return dataflow.WaitingStep(frame.state, frame.current_state().type, frame.path, frame.trace)
        return ex.steps[-1] if ex.steps else None

    def _refresh_focus(self) -> None:
        step = self._focus()
        run = self._chosen_run()
        title = words("pane.data_flow") if not run else \
            words("pane.data_flow_of", run=panes.run_label(run, self.runs.get(run)))
        if run and step is None:
            text = LABELS["aborted_early" if self.runs.get(run) == "ABORTED" else "no_steps"][0]
            self._xray.value = (f'<div class="sfl-pane"><h4>{esc(title)}</h4><span class="sfl-muted">'
                                f'{esc(text)}</span></div>')
        else:
            self._xray.value = dataflow.xray_html(step, title=title)
        self._variables.value = dataflow.variables_html(step)

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


