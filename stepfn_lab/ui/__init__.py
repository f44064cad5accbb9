"""The notebook UI: the Stepper (step through an execution), Compare (Standard vs Express) and progress bars.

Spec: the Step Functions console's execution view (graph, step details with the data-flow stages of
TestState's ``inspectionData``, the event history), ``SendTaskSuccess``/``SendTaskFailure`` for callback
tasks, and "Choosing workflow type" for ``Compare``.
Taught in: notebooks/00-welcome.ipynb, then every notebook that steps through a run.

The widgets (ipywidgets) show the pictures ``stepfn_lab.views`` draws, beside panes that are plain
HTML text, so the panes and the recorder behind the buttons are tested without a browser:

* ``stepper``  ``Stepper``: the ipywidgets step-through debugger.
* ``panes``    the recorder (forward and back over snapshots) and the panes as HTML; no ipywidgets.

Learners write ``from stepfn_lab.widgets import Stepper`` (that module re-exports this package's
public names).

Layer: ui, above views: the notebook widgets, drawn with the views' pictures.

May import: errors, language, asl, runtime, services, views.

Nothing is imported here, so ``import stepfn_lab.ui.panes`` loads no ipywidgets.
"""

from __future__ import annotations

__all__ = ["stepper", "panes"]
