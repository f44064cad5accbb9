"""``Compare``: one definition run as a Standard and as an Express workflow, side by side.

Spec: "Choosing workflow type" (Standard vs Express: delivery, duration, history, pricing) and
``StartSyncExecution``. Taught in: notebooks/13-standard-vs-express.ipynb.

    from stepfn_lab.widgets import Compare
    Compare(definition, {"order": 1}, lambdas=...)   # Express asynchronous; .sync = True for synchronous
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..errors import StepFnLabError
from ..runtime.engine import EXPRESS, STANDARD, Execution, StateMachine
from .panes import workflow_column
from .style import STYLE, esc


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
        title = w.HTML(f'<div class="sfl-pane sfl-header"><b>{esc(self.name)}</b>: the same definition '
                       "and input, run as a Standard and as an Express workflow</div>")
        self.children = [w.HTML(STYLE), title, self._mode,
                         w.HBox([w.VBox([self._standard_html], layout=w.Layout(**half)),
                                 w.VBox([self._express_html], layout=w.Layout(**half))],
                                layout=w.Layout(flex_flow="row wrap", width="100%"))]
        self.add_class("sfl-compare")
        self._mode.observe(lambda _c: self._rerun_express(), "value")
        self._rerun_express()
        self._standard_html.value = workflow_column(STANDARD, self.standard, problem=self._standard_problem)

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
        self._express_html.value = workflow_column(EXPRESS, self.express, sync=self.sync,
                                                         problem=self._express_problem)

    def __repr__(self) -> str:
        def status(ex: Execution | None) -> str:
            return ex.status if ex is not None else "NOT_RUN"
        return f"Compare(machine={self.name!r}, standard={status(self.standard)}, express={status(self.express)})"
