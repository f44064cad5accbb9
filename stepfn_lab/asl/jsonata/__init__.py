"""JSONata in Step Functions: ``{% ... %}`` expressions, compiled once, evaluated many times.

Spec: AWS Step Functions developer guide, "Transforming data with JSONata in Step
Functions" (JSONata 2.0.6, the reserved ``$states`` variable, and the functions
Step Functions adds to the language).
Taught in: notebooks/14-jsonata-and-variables.ipynb.

A string value is an expression when the *whole* string starts with ``{%`` and
ends with ``%}``: ``" {% 1 %}"`` (a leading space) is a plain string. Inside an
expression:

* ``$states`` is ``{"input", "context"}`` plus ``result`` (after a Task, Map or
  Parallel) and ``errorOutput`` (in a Catch);
* every workflow variable is ``$name``;
* Step Functions adds ``$partition``, ``$range``, ``$hash``, ``$random``,
  ``$uuid`` and ``$parse``, and takes ``$eval`` away.

An expression must produce a value: "nothing" (JSONata's *undefined*, e.g. a
missing field) fails the state with ``States.QueryEvaluationError``, and so does
a function value or an error raised while evaluating. The cause names the
expression and the field it was written in (``Output/result``, ``Items[0]``).

Results come back as plain JSON values, written as AWS writes them: JSONata has
one number type, so ``2.0`` comes back as ``2``.

``jsonata-python`` does the parsing and the evaluation. The package, by concept:

- ``expression``: recognising ``{% %}``, parsing once, ``Expression.evaluate``;
- ``template``: JSON values holding expressions at any depth (``compile_template``);
- ``checks``: what ValidateStateMachineDefinition reports (``diagnose``);
- ``functions``: the functions Step Functions adds, bound once into a shared scope;
- ``evaluator``: jsonata-python's evaluator with JavaScript arithmetic, direct
  paths and the ``TIMEOUT_MS`` limit (set it there: ``evaluator.TIMEOUT_MS``),
  and the per-thread state of an evaluation;
- ``values``: results as plain JSON, ``$number``/``$string``/``$count`` the JavaScript way;
- ``errors``: JSONata's errors worded as the JavaScript library words them;
- ``randomness``: the seeded rng of ``$random()`` and ``$uuid()``;
- ``library``: jsonata-python imported without touching the recursion limit.

Layer: asl (used by ``asl.parse`` and ``asl.validate``; the runtime evaluates what they compile).

May import: errors, language.
"""

from ..paths import json_type
from .checks import STATES_FIELDS, check_references, check_syntax, diagnose
from .evaluator import TIMEOUT_MS  # noqa: F401  (read here; it is set in .evaluator)
from .expression import Expression, compile_expression, is_expression
from .library import NULL  # noqa: F401
from .randomness import DEFAULT_RNG, SeededRng, java_random_double
from .template import Template, compile_template

__all__ = [
    "DEFAULT_RNG", "Expression", "SeededRng", "STATES_FIELDS", "Template", "check_references",
    "check_syntax", "compile_expression", "compile_template", "diagnose", "is_expression",
    "java_random_double", "json_type",
]
