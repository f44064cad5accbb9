"""The notebook widgets under their first, public name: ``from stepfn_lab.widgets import Stepper``.

The code lives in the ``stepfn_lab.ui`` package (the UI layer, above ``stepfn_lab.views``); this
module only re-exports its public names, so notebooks, the README and learners' code keep working.
Importing it loads ipywidgets, as it always did; ``import stepfn_lab`` alone does not.
"""

from __future__ import annotations

from .ui.compare import Compare
from .ui.controls import LABELS
from .ui.progress import map_progress, progress_text, run_with_progress
from .ui.stepper import Stepper

__all__ = ["Stepper", "Compare", "run_with_progress", "map_progress", "progress_text", "LABELS"]
