"""DynamoDB expressions: condition, key condition, filter, update and projection.

Spec: DynamoDB Developer Guide, "Using expressions in DynamoDB". Taught in:
notebooks/08-task-states.ipynb.

Two parts, each readable on its own:

- ``parse``: the grammar. A recursive-descent parser turns an expression into a
  small tree once (cached per text): ``parse_condition``, ``parse_update``,
  ``parse_projection`` give an ``Expression``.
- ``evaluate``: the trees applied to items. ``Scope`` holds a request's
  ``#name`` / ``:value`` placeholders; ``matches`` tests a condition against an
  item, ``update`` applies an update to a copy of an item, ``project`` keeps the
  attributes a projection names.

Layer: services (used by ``services.dynamodb``).

May import: errors, language, asl, runtime.
"""

from .evaluate import Scope, matches, project, update
from .parse import Expression, parse_condition, parse_projection, parse_update

__all__ = ["Expression", "Scope", "matches", "parse_condition", "parse_projection", "parse_update", "project",
           "update"]
