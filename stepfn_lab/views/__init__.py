"""Pictures of state machines and executions: the console's graph, offline.

Spec: AWS Step Functions console "Graph view" and Workflow Studio (the look);
``GetExecutionHistory`` (the execution overlay).
Taught in: notebooks/01-what-is-a-state-machine.ipynb (and every notebook that
shows a diagram).

Three modules, one layer each:

* ``diagram``  definition (+ history) -> ``Graph``, a plain-data model. No Graphviz.
  A package: ``model``, ``build`` (from the definition), ``labels``, ``replay`` (from the history).
* ``render``   ``Graph`` -> ``graphviz.Digraph``, SVG bundles, a text table and
  Mermaid. The only module that imports ``graphviz``, inside its functions.
* ``animate``  an execution replayed as a self-contained animated SVG.

* ``display``  the methods ``render()``, ``animate()``, ``_repr_mimebundle_`` and
  the ``table``/``mermaid`` formats, attached to the engine's classes by
  ``stepfn_lab/__init__`` (the engine itself knows nothing of pictures).

Layer: views, above services: the pictures a person looks at (the notebook widgets that show them,
``stepfn_lab.ui``, sit one layer above).

May import: errors, language, asl, runtime, services.

Nothing is imported here, so ``import stepfn_lab.views`` stays cheap; write
``from stepfn_lab.views import diagram, render``.
"""

from __future__ import annotations

__all__ = ["diagram", "render", "animate", "display"]
