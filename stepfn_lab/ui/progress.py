"""A progress bar for long runs: Map items and Distributed Map child executions done so far.

Spec: the console's Map Run page (items processed / total) for Distributed Map.
Taught in: notebooks/12-map.ipynb.

    from stepfn_lab.widgets import run_with_progress
    run_with_progress(machine.start(input))
"""

from __future__ import annotations

from typing import Any, Callable

import ipywidgets as w

from ..runtime.engine import RUNNING, Execution


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
