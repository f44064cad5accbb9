"""The notebook UI: the Stepper (step through an execution), Compare (Standard vs Express) and progress bars.

Spec: the Step Functions console's execution view (graph, step details with the data-flow stages of
TestState's ``inspectionData``, the event history), ``SendTaskSuccess``/``SendTaskFailure`` for callback
tasks, and "Choosing workflow type" for ``Compare``.
Taught in: notebooks/00-welcome.ipynb, then every notebook that steps through a run.

The widgets (ipywidgets) show the pictures ``stepfn_lab.views`` draws, beside panes that are plain
HTML text, so the panes and the recorder behind the buttons are tested without a browser:

Widgets (these import ipywidgets):

* ``stepper``   ``Stepper``: step, step over, back, play, breakpoints, callbacks; what the buttons do.
* ``controls``  the Stepper's buttons, breakpoint list, pickers and editors, built and laid out; ``LABELS``.
* ``compare``   ``Compare``: one definition run as a Standard and as an Express workflow.
* ``progress``  ``run_with_progress``: a progress bar of Map items for long runs.

Panes and moves, plain Python (no ipywidgets, no Graphviz):

* ``recorder``  ``Recorder``: forward and back over snapshots of an execution (what the buttons call).
* ``dataflow``  the data-flow X-ray (TestState's ``inspectionData`` stages) and the variables pane.
* ``panes``     header and clock, event history, Map iterations/Parallel branches, diagram pane,
  JSON check, the Standard/Express columns.
* ``style``     the console's status colours, the one stylesheet, escaping, JSON text, badges.

Learners write ``from stepfn_lab.widgets import Stepper`` (that module re-exports this package's
public names).

Layer: ui, above views: the notebook widgets, drawn with the views' pictures.

May import: errors, language, asl, runtime, services, views.

Nothing is imported here, so ``import stepfn_lab.ui.panes`` (or recorder, dataflow, style) loads no ipywidgets.
"""

from __future__ import annotations

__all__ = ["stepper", "controls", "compare", "progress", "recorder", "dataflow", "panes", "style"]
