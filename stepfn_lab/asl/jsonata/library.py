"""jsonata-python, imported without touching the process's recursion limit.

Spec: AWS Step Functions developer guide, "Transforming data with JSONata in Step
Functions" (Step Functions runs JSONata 2.0.6; jsonata-python is its Python
port). Taught in: notebooks/14-jsonata-and-variables.ipynb.

Every module of this package imports jsonata-python from here: the guard below
runs once, before anything else loads the library.
"""

from __future__ import annotations

import sys

# jsonata-python raises the process's recursion limit to 10,000 when it is imported (to match
# JavaScript's stack). A library must not change process-wide state behind its user's back: the
# limit is put back at once, and stepfn_lab's own depth limit (``DEPTH_LIMIT`` in asl/source.py)
# keeps every value well inside the default limit.
_RECURSION_LIMIT = sys.getrecursionlimit()
try:
    from jsonata import JException, Jsonata
    from jsonata.functions import Functions
    from jsonata.parser import Parser
    from jsonata.utils import Utils
finally:
    sys.setrecursionlimit(_RECURSION_LIMIT)

NULL = Utils.NULL_VALUE  # JSONata's null; Python's None stands for JSONata's *undefined*

__all__ = ["Functions", "JException", "Jsonata", "NULL", "Parser", "Utils"]
