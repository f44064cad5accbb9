"""One exercise: ``check()`` that never raises, ``hint(n)``, ``solution()``, and ``ex.progress()``.

Not an ASL feature: the course's exercise machinery (architecture §b.7, "Exercises"), first
used in notebooks/00-welcome.ipynb. Each ``Exercise`` made in an ``nbNN`` module gives that
module a ``progress()`` (see ``progress.Progress``).
"""

from __future__ import annotations

import copy
import re
import sys
from typing import Any, Callable, Iterable

from .feedback import Result, Say, Solution, say
from .progress import Progress

_PACKAGE = __name__.rpartition(".")[0]  # stepfn_lab.exercises, whose nbNN modules hold the exercises


class Exercise:
    """One exercise: a checker, hints, the solution and typical wrong answers.

    ``check(answer) -> (correct, message)`` may raise; :meth:`check` turns any
    exception into a failed Result. ``wrong`` holds ``(answer, substring)``
    pairs: each answer must fail with a message containing the substring.
    """

    def __init__(self, name: str, check: Callable[[Any], tuple[bool, str]], hints: list[str],
                 solution: Any, wrong: Iterable[tuple[Any, str]] = ()):
        self.name = name
        self._check = check
        self.hints = list(hints)
        self._solution = solution
        self.wrong = list(wrong)
        self.tried = False  # checked at least once in this session
        self.done = False  # answered right at least once in this session
        _register(self)

    def __repr__(self) -> str:
        return f"<Exercise {self.name}: {len(self.hints)} hint(s)>"

    def check(self, answer: Any) -> Result:
        """Judge an answer; never raises."""
        if answer is ...:
            return Result(False, say("Replace the ... with your answer, then run the cell again.",
                                     "Troque o ... pela sua resposta e rode a célula de novo."))
        try:
            verdict = self._check(copy.deepcopy(answer) if _copyable(answer) else answer)
        except Exception as exc:  # noqa: BLE001 - a learner's answer must never crash the notebook
            return Result(False, _explain_exception(exc))
        if isinstance(verdict, Result):
            return verdict
        try:
            correct, message = verdict
        except (TypeError, ValueError):
            return Result(bool(verdict), "")
        message = message if isinstance(message, str) else str(message)
        self.tried = True
        self.done = self.done or bool(correct)
        return Result(bool(correct), message)

    def hint(self, n: int = 1) -> Result:
        """Hint number ``n`` (1-based); asking past the last one shows the last one."""
        if not self.hints:
            return Result(False, say("No hints for this one: try the solution.", "Sem dicas aqui: veja a solução."),
                          kind="hint")
        try:
            index = max(1, min(int(n), len(self.hints)))
        except (TypeError, ValueError):
            index = 1
        return Result(False, self.hints[index - 1], kind="hint", detail=f"{index}/{len(self.hints)}")

    def solution(self) -> Solution:
        """Shows the solution; ``.value`` is the answer itself."""
        return Solution(self.name, self.solution_value)

    @property
    def solution_value(self) -> Any:
        return copy.deepcopy(self._solution) if _copyable(self._solution) else self._solution


def _copyable(value: Any) -> bool:
    return isinstance(value, (dict, list, tuple, set))


def _explain_exception(exc: Exception) -> str:
    from ..errors import StepFnLabError

    if exc.args and isinstance(exc.args[0], Say):
        return exc.args[0]
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, StepFnLabError):
        return say(f"The kit rejected the answer: {text}", f"O kit recusou a resposta: {text}")
    return say(f"Checking the answer raised {type(exc).__name__}: {text}",
               f"A verificação da resposta gerou {type(exc).__name__}: {text}")


def question_order(attr: str) -> tuple[int, str]:
    match = re.fullmatch(r"q(\d+)", attr)
    return (int(match.group(1)), attr) if match else (10**6, attr)


# ---------------------------------------------------------------------------
# Progress: ex.progress() in every notebook
# ---------------------------------------------------------------------------
def _register(exercise: Exercise) -> None:
    """Give the exercise's ``nbNN`` module a ``progress()`` (so a notebook can call ``ex.progress()``)."""
    module = sys.modules.get(f"{_PACKAGE}.{exercise.name.split('.')[0]}")
    if module is not None and not hasattr(module, "progress"):
        module.progress = _progress_of(module)


def _progress_of(module: Any) -> Callable[[], "Progress"]:
    def progress() -> Progress:
        """Which of this notebook's exercises you have answered right in this session."""
        items = [(attr, value) for attr, value in vars(module).items() if isinstance(value, Exercise)]
        items.sort(key=lambda item: question_order(item[0]))
        return Progress(module.__name__.rsplit(".", 1)[1], [value for _, value in items])
    return progress
