"""Intrinsic functions: ``States.Format(...)`` and the other seventeen, compiled once.

Spec: Amazon States Language, "Intrinsic functions" (AWS docs "Intrinsic functions
for JSONPath states"). Taught in: notebooks/06-intrinsic-functions.ipynb.

Three parts:

- ``signatures``: how a function is declared (``Param``, ``Function``,
  ``@intrinsic``), the JSON type names, and ``IntrinsicError``, the
  ``States.Runtime`` failure of a call;
- ``functions``: the table of the eighteen functions, each declared with its
  parameter types right above its body;
- ``parse``: the call syntax, read by a recursive-descent parser into a tree
  compiled once per text (``compile_intrinsic``, ``call_intrinsic``,
  ``is_intrinsic``).

Layer: asl (used by ``asl.payload`` and ``asl.validate``).

May import: errors, language.
"""

from .functions import (FUNCTIONS, HASH_ALGORITHMS, INT32_MAX, INT32_MIN, MAX_RANGE_ITEMS, MAX_TEXT_LENGTH,
                        JavaRandom, parse_template)
from .parse import MAX_NESTING, Intrinsic, call_intrinsic, compile_intrinsic, is_intrinsic
from .signatures import (ANY, ARRAY, BOOLEAN, NULL, NUMBER, OBJECT, STRING, Function, IntrinsicError, Param,
                         intrinsic, json_type)

__all__ = [
    "ANY", "ARRAY", "BOOLEAN", "FUNCTIONS", "Function", "HASH_ALGORITHMS", "INT32_MAX", "INT32_MIN", "Intrinsic",
    "IntrinsicError", "JavaRandom", "MAX_NESTING", "MAX_RANGE_ITEMS", "MAX_TEXT_LENGTH", "NULL", "NUMBER",
    "OBJECT", "Param", "STRING", "call_intrinsic", "compile_intrinsic", "intrinsic", "is_intrinsic", "json_type",
    "parse_template",
]
