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
- Messages are bilingual, English first and Portuguese on the next line,
  because the English and pt-BR notebooks share byte-identical code cells.
  Build them with :func:`say`.
- Solutions live here, not in the notebooks. ``wrong`` lists typical wrong
  answers with a piece of the message each must get; tests/test_exercises.py
  checks every solution passes and every wrong answer fails with its message.
"""

from __future__ import annotations

import copy
import html
import importlib
import json
import pkgutil
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

__all__ = [
    "Result", "Exercise", "Solution", "all_exercises", "say", "is_blank", "as_definition",
    "run", "same", "show", "visited", "first_problem", "build", "failure",
]


# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------
def say(en: str, pt: str) -> str:
    """One bilingual message: the English line, then the Portuguese line."""
    return f"{en}\n{pt}"


def show(value: Any, limit: int = 300) -> str:
    """A short, stable rendering of a value for messages (JSON where possible)."""
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_PREFIX = {
    "pass": "✅ Correct! / Correto!",
    "fail": "❌ Not yet / Ainda não:",
}


@dataclass
class Result:
    """What ``check()`` and ``hint()`` display: a verdict and a bilingual message.

    ``kind`` is "check" for verdicts, "hint" for hints and "solution" for solutions.
    """

    correct: bool
    message: str
    kind: str = "check"
    title: str = ""

    def _head(self) -> str:
        if self.kind == "check":
            return _PREFIX["pass" if self.correct else "fail"]
        return self.title

    def __repr__(self) -> str:
        head = self._head()
        return f"{head} {self.message}".rstrip() if self.message else head

    __str__ = __repr__

    def __bool__(self) -> bool:
        return self.correct

    def _repr_markdown_(self) -> str:
        body = "<br>".join(_markdown_text(line) for line in self.message.splitlines())
        head = self._head()
        if not body:
            return f"**{head}**"
        return f'**{head}** <span class="{_NO_MATH}">{body}</span>'



_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]$|~])")
# Jupyter typesets text between two $ signs as math, and ASL messages are full of paths
# like $.total: MathJax skips elements with these classes (tex2jax_ignore for MathJax 2 in
# nbconvert's HTML, mathjax_ignore for MathJax 3 in JupyterLab).
_NO_MATH = "tex2jax_ignore mathjax_ignore"


def _markdown_text(line: str) -> str:
    """Plain text for a Markdown output: HTML escaped, Markdown syntax and $ escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(line, quote=False))


class Solution:
    """The value ``solution()`` returns: shows the answer (as JSON where it can) and keeps ``.value``."""

    def __init__(self, name: str, value: Any):
        self.name = name
        self.value = value

    def _text(self) -> str:
        if isinstance(self.value, str):
            return self.value
        try:
            return json.dumps(self.value, indent=2, ensure_ascii=False)
        except (TypeError, ValueError):
            return repr(self.value)

    def __repr__(self) -> str:
        return f"💡 Solution / Solução ({self.name}):\n{self._text()}"

    def _repr_markdown_(self) -> str:
        return f"**💡 Solution / Solução ({self.name}):**\n\n```\n{self._text()}\n```"


# ---------------------------------------------------------------------------
# The exercise
# ---------------------------------------------------------------------------
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
        return Result(bool(correct), str(message))

    def hint(self, n: int = 1) -> Result:
        """Hint number ``n`` (1-based); asking past the last one shows the last one."""
        if not self.hints:
            return Result(False, say("No hints for this one: try the solution.", "Sem dicas aqui: veja a solução."),
                          kind="hint", title="💡 Hint / Dica:")
        try:
            index = max(1, min(int(n), len(self.hints)))
        except (TypeError, ValueError):
            index = 1
        return Result(False, self.hints[index - 1], kind="hint",
                      title=f"💡 Hint / Dica {index}/{len(self.hints)}:")

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

    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, StepFnLabError):
        return say(f"The kit rejected the answer: {text}", f"O kit recusou a resposta: {text}")
    return say(f"Checking the answer raised {type(exc).__name__}: {text}",
               f"A verificação da resposta gerou {type(exc).__name__}: {text}")


# ---------------------------------------------------------------------------
# Helpers for writing checks
# ---------------------------------------------------------------------------
def is_blank(answer: Any) -> bool:
    """True for the starter placeholders: ``...``, ``None``, ``""`` and an empty dict."""
    return answer is ... or answer is None or (isinstance(answer, str) and not answer.strip()) \
        or (isinstance(answer, dict) and not answer)


def as_definition(answer: Any) -> dict:
    """A definition dict from a dict, JSON text or StateMachine; raises ValueError with a bilingual message."""
    raw = getattr(answer, "raw", None)
    if isinstance(raw, dict):
        return raw
    if isinstance(answer, Mapping):
        return dict(answer)
    if isinstance(answer, str):
        try:
            value = json.loads(answer)
        except json.JSONDecodeError as exc:
            raise ValueError(say(f"That text is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).",
                                 f"Esse texto não é um JSON válido (linha {exc.lineno}, coluna {exc.colno}: {exc.msg}).")) from None
        if isinstance(value, dict):
            return value
    raise ValueError(say(f"Expected a state machine definition (a dict), got {type(answer).__name__}.",
                         f"Era esperada uma definição de máquina de estados (um dict), veio {type(answer).__name__}."))


def run(definition: Any, input: Any = None, **kwargs: Any):
    """Build and run a machine from an answer; returns the finished Execution."""
    from ..runtime.engine import StateMachine

    machine = StateMachine.from_json(as_definition(definition), name="Exercise")
    return machine.run({} if input is None else input, **kwargs)


def build(definition: Any, name: str = "Exercise"):
    """``(machine, None)``, or ``(None, message)`` saying why AWS would reject the definition."""
    from ..errors import DefinitionError
    from ..runtime.engine import StateMachine

    try:
        return StateMachine.from_json(as_definition(definition), name=name), None
    except DefinitionError as err:
        lines = [str(p).splitlines()[0] for p in getattr(err, "problems", None) or []] or [str(err)]
        shown = "; ".join(lines[:3]) + ("; …" if len(lines) > 3 else "")
        if len(lines) == 1:
            return None, say(f"AWS would reject this definition: {shown}", f"A AWS recusaria esta definição: {shown}")
        return None, say(f"AWS would reject this definition ({len(lines)} problems): {shown}",
                         f"A AWS recusaria esta definição ({len(lines)} problemas): {shown}")


def first_problem(err: Exception) -> str:
    """The first line of the first problem in a DefinitionError (or the error's text)."""
    problems = getattr(err, "problems", None) or []
    return str(problems[0]).splitlines()[0] if problems else str(err)


def failure(execution: Any, limit: int = 220) -> str:
    """A bilingual line saying how an execution failed (error name and a shortened cause)."""
    cause = str(execution.cause or "")
    prefix = "An error occurred while executing the state"
    if cause.startswith(prefix) and "). " in cause:
        cause = cause.split("). ", 1)[1]  # drop AWS's "(entered at the event id #N)" preamble
    if len(cause) > limit:
        cause = cause[: limit - 1] + "…"
    detail = f": {cause}" if cause else ""
    return say(f"The execution ended {execution.status} with {execution.error}{detail}",
               f"A execução terminou {execution.status} com {execution.error}{detail}")


def visited(execution: Any) -> list[str]:
    """Names of the top-level states an execution went through, in order."""
    return [step.state for step in execution.steps
            if not step.path and step.status not in ("RETRYING", "ABORTED")]  # one entry per state entered


def same(a: Any, b: Any) -> bool:
    """JSON equality: 1 == 1.0 but True != 1, and dict key order does not matter."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


# ---------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------
_MODULE = re.compile(r"^nb\d\d$")


def all_exercises() -> dict[str, Exercise]:
    """Every exercise in every ``nbNN`` module, keyed ``"nb04.q1"``, in notebook and question order."""
    found: dict[str, Exercise] = {}
    names = sorted(info.name for info in pkgutil.iter_modules(__path__) if _MODULE.match(info.name))
    for module_name in names:
        module = importlib.import_module(f"{__name__}.{module_name}")
        items = [(attr, value) for attr, value in vars(module).items() if isinstance(value, Exercise)]
        items.sort(key=lambda item: _question_order(item[0]))
        for attr, value in items:
            found[f"{module_name}.{attr}"] = value
    return found


def _question_order(attr: str) -> tuple[int, str]:
    match = re.fullmatch(r"q(\d+)", attr)
    return (int(match.group(1)), attr) if match else (10**6, attr)
