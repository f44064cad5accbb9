"""How a state machine and an execution show themselves: ``render()``, ``animate()``, notebook display, formats.

Spec: AWS Step Functions console "Graph view" (the machine) and the execution's graph with its
colours (``GetExecutionHistory``). Taught in: notebooks/01-what-is-a-state-machine.ipynb, and
every notebook that ends a cell with a machine or an execution.

The engine (``stepfn_lab.runtime``) knows nothing of pictures: this module holds the methods and
:func:`attach` puts them on the engine's classes. ``stepfn_lab/__init__`` calls it once at import,
the way ``graphviz`` and ``python-statemachine`` keep a model apart from the pictures drawn of it.
Nothing here is imported at module level beyond the standard library: ``render``/``diagram``/``animate``
(and so Graphviz) load only when something is drawn.
"""

from __future__ import annotations

from typing import Any


# --- StateMachine -------------------------------------------------------------------------------

def machine_render(self, direction: str = "TB", **kwargs: Any):
    """The machine's diagram as a ``graphviz.Digraph`` (needs the graphviz package and ``dot``)."""
    from . import diagram, render
    return render.to_digraph(diagram.extract(self.raw, direction=direction, **kwargs))


def machine_mimebundle(self, include=None, exclude=None):
    from . import render
    return render.mimebundle(self.raw, None)


def machine_format(self, spec: str) -> str:
    """``f"{machine:table}"`` (a text table of the states) and ``f"{machine:mermaid}"`` (a Mermaid chart)."""
    if spec == "table":
        from . import render
        return render.to_table(self.raw)
    if spec == "mermaid":
        from . import render
        return render.to_mermaid(self.raw)
    return format(str(self), spec)


# --- Execution ----------------------------------------------------------------------------------

def execution_render(self, direction: str = "TB", map_iteration: dict | None = None, **kwargs: Any):
    """The diagram with this execution's colours (``map_iteration={"MapState": 3}`` for one iteration)."""
    from . import diagram, render
    return render.to_digraph(diagram.extract(self.machine.raw, self.history, map_iteration=map_iteration,
                                             current=self._current_state(), direction=direction, **kwargs))


def execution_animate(self, **kwargs: Any):
    """A self-contained animated SVG that plays this execution state by state."""
    from . import animate
    return animate.animation(self.machine.raw, self.history, **kwargs)


def execution_mimebundle(self, include=None, exclude=None):
    from . import render
    return render.mimebundle(self.machine.raw, self.history, current=self._current_state())


def attach(machine_type: type, execution_type: type) -> None:
    """Give the engine's ``StateMachine`` and ``Execution`` their pictures (idempotent)."""
    machine_type.render = machine_render
    machine_type._repr_mimebundle_ = machine_mimebundle
    machine_type.__format__ = machine_format
    execution_type.render = execution_render
    execution_type.animate = execution_animate
    execution_type._repr_mimebundle_ = execution_mimebundle
