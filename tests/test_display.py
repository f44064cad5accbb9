"""A machine's and an execution's pictures, attached by the views layer (stepfn_lab.views.display)."""

from __future__ import annotations

import stepfn_lab as sfl
from stepfn_lab.views import display, render

DEFINITION = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}}


def test_the_engine_classes_get_their_pictures_from_the_views_layer() -> None:
    assert sfl.StateMachine._repr_mimebundle_ is display.machine_mimebundle
    assert sfl.StateMachine.render is display.machine_render
    assert sfl.StateMachine.__format__ is display.machine_format
    assert sfl.Execution._repr_mimebundle_ is display.execution_mimebundle
    assert sfl.Execution.render is display.execution_render
    assert sfl.Execution.animate is display.execution_animate


def test_a_machine_and_an_execution_display_as_the_views_draw_them() -> None:
    machine = sfl.StateMachine.from_json(DEFINITION)
    execution = machine.run({})
    assert machine._repr_mimebundle_() == render.mimebundle(machine.raw, None)
    assert execution._repr_mimebundle_() == render.mimebundle(machine.raw, execution.history, current=None)
    assert f"{machine:table}" == render.to_table(machine.raw)
    assert f"{machine:mermaid}" == render.to_mermaid(machine.raw)
    assert f"{machine:>3}".endswith(str(machine)) and format(machine, "") == str(machine)
