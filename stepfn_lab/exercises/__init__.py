"""Exercises for the course notebooks: ``check()``, ``hint()`` and ``solution()``.

Not an ASL feature: this is the course's exercise machinery (architecture §b.7,
"Exercises"), first used in notebooks/00-welcome.ipynb. One module per notebook,
``stepfn_lab/exercises/nbNN.py``, holds ``q1``, ``q2``, ... as :class:`Exercise`
objects. A notebook imports its module as ``ex`` and ends a starter cell with
``ex.q1.check(answer)``.

Rules every exercise follows:

- ``check()`` *displays* a :class:`Result` and never raises, whatever the answer
  is (an exception from the answer or the checker becomes a failed Result that
  says what went wrong), so starter notebooks run clean under nbval.
- Messages are bilingual because the English and pt-BR notebooks share
  byte-identical code cells: build them with :func:`say`. They show the
  language of ``stepfn_lab.set_language`` first (English, or Portuguese in the
  pt-BR notebooks) and the other one under it.
- Right and wrong read without an emoji font: the verdict is a word
  ("Correct!", "Not yet") in colour (green, red); the emoji is decoration.
- ``solution()`` prints Python (``None``, ``True``) a learner can paste into a cell.
- ``ex.progress()`` (every ``nbNN`` module gets one) lists the notebook's
  exercises and which ones were answered right in this session.
- Solutions live here, not in the notebooks. ``wrong`` lists typical wrong
  answers with a piece of the message each must get; tests/test_exercises.py
  checks every solution passes and every wrong answer fails with its message.

The machinery: ``exercise`` (:class:`Exercise`), ``feedback`` (bilingual messages, :class:`Result`,
:class:`Solution`), ``progress`` (``ex.progress()``) and ``check`` (helpers the ``nbNN`` checkers use);
every name is importable from this package, as the ``nbNN`` modules do.

Layer: entry points (the top, with cli, aws, examples, widgets): it may use every layer below.

May import: errors, language, asl, runtime, services, views, ui.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

from .check import (as_definition, build, failure, first_problem, is_blank, patched, run, same, touched,
                    visited)
from .exercise import Exercise, question_order
from .feedback import Result, Say, Solution, ordered, python_text, say, show
from .progress import Progress

__all__ = [
    "Result", "Exercise", "Solution", "Progress", "all_exercises", "say", "Say", "ordered", "python_text", "is_blank", "as_definition",
    "run", "same", "show", "visited", "first_problem", "build", "failure", "patched", "touched",
]


_MODULE = re.compile(r"^nb\d\d$")


def all_exercises() -> dict[str, Exercise]:
    """Every exercise in every ``nbNN`` module, keyed ``"nb04.q1"``, in notebook and question order."""
    found: dict[str, Exercise] = {}
    names = sorted(info.name for info in pkgutil.iter_modules(__path__) if _MODULE.match(info.name))
    for module_name in names:
        module = importlib.import_module(f"{__name__}.{module_name}")
        items = [(attr, value) for attr, value in vars(module).items() if isinstance(value, Exercise)]
        items.sort(key=lambda item: question_order(item[0]))
        for attr, value in items:
            found[f"{module_name}.{attr}"] = value
    return found
