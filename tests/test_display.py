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


def test_an_execution_stopped_mid_wait_draws_the_wait_cancelled_grey() -> None:
    machine = sfl.StateMachine.from_json({"StartAt": "Hold", "States": {
        "Hold": {"Type": "Wait", "Seconds": 3600, "Next": "Go"}, "Go": {"Type": "Pass", "End": True}}})
    execution = machine.start({})
    execution.run(until=60)
    assert execution._current_state() == "Hold"
    execution.stop()
    assert execution.status == "ABORTED" and execution._current_state() is None
    source = execution.render().source
    hold = next(line for line in source.splitlines() if 'tooltip="Hold (Wait)"' in line)
    go = next(line for line in source.splitlines() if 'tooltip="Go (Pass)"' in line)
    assert 'fillcolor="#DDDDDD"' in hold and 'fillcolor="#FFFFFF"' in go
    assert "Cancelled" in source and 'fillcolor="#DE322F"' not in source
