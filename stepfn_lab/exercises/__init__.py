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

Layer: entry points (the top, with cli, aws, examples, widgets): it may use every layer below.

May import: errors, language, asl, runtime, services, views, ui.
"""

from __future__ import annotations

import copy
import html
import importlib
import json
import pkgutil
import re
import sys
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from ..language import is_portuguese

__all__ = [
    "Result", "Exercise", "Solution", "Progress", "all_exercises", "say", "Say", "ordered", "python_text", "is_blank", "as_definition",
    "run", "same", "show", "visited", "first_problem", "build", "failure", "patched", "touched",
]


# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------
class Say(str):
    """A bilingual message: ``str`` of it is the English line then the Portuguese line.

    ``en`` and ``pt`` stay apart so that feedback can put the kit's language first.
    """

    en: str
    pt: str

    def __new__(cls, en: str, pt: str) -> "Say":
        self = super().__new__(cls, f"{en}\n{pt}")
        self.en, self.pt = str(en), str(pt)
        return self

    def lines(self) -> tuple[str, str]:
        """(first, second): the kit's language first."""
        return (self.pt, self.en) if is_portuguese() else (self.en, self.pt)


def say(en: str, pt: str) -> Say:
    """One bilingual message (English and Portuguese); shown in the kit's language first."""
    return Say(en, pt)


def ordered(message: str) -> str:
    """A message as the learner reads it: for a :class:`Say`, the kit's language first."""
    if isinstance(message, Say):
        first, second = message.lines()
        return f"{first}\n{second}"
    return message


def show(value: Any, limit: int = 300) -> str:
    """A short, stable rendering of a value for messages (JSON where possible)."""
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# The verdicts: words first, in colour (AWS console green and red); the emoji is only decoration,
# so a machine without an emoji font still reads right and wrong.
_VERDICT = {
    "pass": ("✅", say("Correct!", "Correto!"), "#037F0C", "#F2FCF3"),
    "fail": ("❌", say("Not yet", "Ainda não"), "#D91515", "#FFF5F5"),
    "hint": ("💡", say("Hint", "Dica"), "#0972D3", "#F2F8FD"),
    "solution": ("💡", say("Solution", "Solução"), "#5F6B7A", "#F4F6F8"),
}


def _both(message: Say, sep: str = " / ") -> str:
    first, second = message.lines()
    return f"{first}{sep}{second}"


@dataclass
class Result:
    """What ``check()`` and ``hint()`` display: a verdict and a bilingual message.

    ``kind`` is "check" for verdicts, "hint" for hints and "solution" for solutions;
    ``detail`` is what follows the verdict word in a hint's head ("1/2").
    """

    correct: bool
    message: str
    kind: str = "check"
    detail: str = ""

    def _verdict(self) -> str:
        if self.kind == "check":
            return "pass" if self.correct else "fail"
        return self.kind

    def _words(self) -> str:
        _, words, _, _ = _VERDICT[self._verdict()]
        head = _both(words)
        if self.detail:
            head += f" {self.detail}"
        return head + (":" if self._verdict() != "pass" else "")

    def _head(self) -> str:
        return f"{_VERDICT[self._verdict()][0]} {self._words()}"

    def __repr__(self) -> str:
        head = self._head()
        body = ordered(self.message)
        return f"{head} {body}".rstrip() if body else head

    __str__ = __repr__

    def __bool__(self) -> bool:
        return self.correct

    def _repr_html_(self) -> str:
        emoji, _, colour, background = _VERDICT[self._verdict()]
        lines = [_html(line) for line in ordered(self.message).splitlines()]
        head = f'<span style="color:{colour};font-weight:bold">{emoji} {_html(self._words())}</span>'
        body = ""
        if lines:
            body = " " + lines[0] + "".join(f'<br><span style="color:#5F6B7A">{line}</span>' for line in lines[1:])
        return (f'<div class="{_NO_MATH}" style="border-left:4px solid {colour};background:{background};'
                f'padding:4px 10px;white-space:pre-wrap">{head}{body}</div>')


# Jupyter typesets text between two $ signs as math, and ASL messages are full of paths
# like $.total: MathJax skips elements with these classes (tex2jax_ignore for MathJax 2 in
# nbconvert's HTML, mathjax_ignore for MathJax 3 in JupyterLab).
_NO_MATH = "tex2jax_ignore mathjax_ignore"


def _html(line: str) -> str:
    return html.escape(line, quote=False)


class Solution:
    """The value ``solution()`` returns: shows the answer as Python to paste (``None``, ``True``) and keeps ``.value``."""

    def __init__(self, name: str, value: Any):
        self.name = name
        self.value = value

    def _text(self) -> str:
        if callable(self.value):
            import inspect
            try:
                return inspect.getsource(self.value).rstrip()
            except (OSError, TypeError):
                return repr(self.value)
        return f"answer = {python_text(self.value)}"

    def _head(self) -> str:
        return f"💡 {_both(_VERDICT['solution'][1])} ({self.name}):"

    def __repr__(self) -> str:
        return f"{self._head()}\n{self._text()}"

    def _repr_html_(self) -> str:
        colour = _VERDICT["solution"][2]
        return (f'<div class="{_NO_MATH}"><span style="color:{colour};font-weight:bold">{_html(self._head())}</span>'
                f'<pre>{_html(self._text())}</pre></div>')


def python_text(value: Any, indent: int = 0, width: int = 88) -> str:
    """A Python literal for JSON-like data, laid out like JSON (``None``/``True``/``False``, double quotes).

    >>> print(python_text({"ResultPath": None, "ok": True, "n": [1, 2.5]}))
    {"ResultPath": None, "ok": True, "n": [1, 2.5]}
    """
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, Mapping):
        items = [f"{json.dumps(str(k), ensure_ascii=False)}: " for k in value]
        parts = [k + python_text(v, indent + 4, width) for k, v in zip(items, value.values())]
        opener, closer = "{", "}"
    elif isinstance(value, (list, tuple)):
        parts = [python_text(v, indent + 4, width) for v in value]
        opener, closer = "[", "]"
    else:
        return repr(value)
    flat = opener + ", ".join(parts) + closer
    if "\n" not in flat and indent + len(flat) <= width:
        return flat
    pad = " " * (indent + 4)
    return opener + "\n" + ",\n".join(pad + p for p in parts) + ",\n" + " " * indent + closer


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


# ---------------------------------------------------------------------------
# Progress: ex.progress() in every notebook
# ---------------------------------------------------------------------------
def _register(exercise: Exercise) -> None:
    """Give the exercise's ``nbNN`` module a ``progress()`` (so a notebook can call ``ex.progress()``)."""
    module = sys.modules.get(f"{__name__}.{exercise.name.split('.')[0]}")
    if module is not None and not hasattr(module, "progress"):
        module.progress = _progress_of(module)


def _progress_of(module: Any) -> Callable[[], "Progress"]:
    def progress() -> Progress:
        """Which of this notebook's exercises you have answered right in this session."""
        items = [(attr, value) for attr, value in vars(module).items() if isinstance(value, Exercise)]
        items.sort(key=lambda item: _question_order(item[0]))
        return Progress(module.__name__.rsplit(".", 1)[1], [value for _, value in items])
    return progress


_STATUS = {"done": ("✅", say("done", "feito"), "#037F0C"),
           "tried": ("❌", say("tried, not yet right", "tentado, ainda não está certo"), "#D91515"),
           "todo": ("·", say("not tried yet", "ainda não tentado"), "#5F6B7A")}


class Progress:
    """The exercises of one notebook and where the learner stands on each (done, tried, not tried)."""

    def __init__(self, notebook: str, exercises: list[Exercise]):
        self.notebook = notebook
        self.exercises = exercises

    @property
    def done(self) -> int:
        return sum(e.done for e in self.exercises)

    def _rows(self) -> list[tuple[str, str]]:
        return [(e.name.split(".")[1], "done" if e.done else "tried" if e.tried else "todo") for e in self.exercises]

    def _title(self) -> str:
        total = len(self.exercises)
        if is_portuguese():
            return f"Notebook {self.notebook[2:]}: {self.done} de {total} exercícios feitos"
        return f"Notebook {self.notebook[2:]}: {self.done} of {total} exercises done"

    def __repr__(self) -> str:
        lines = [self._title()]
        for q, status in self._rows():
            emoji, words, _ = _STATUS[status]
            lines.append(f"  {q}  {emoji} {words.lines()[0]}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(f'<br>{q}: <span style="color:{_STATUS[s][2]};font-weight:bold">{_STATUS[s][0]} '
                       f'{_html(_STATUS[s][1].lines()[0])}</span>' for q, s in self._rows())
        return f'<div class="{_NO_MATH}"><b>{_html(self._title())}</b>{rows}</div>'


# ---------------------------------------------------------------------------
# Find-the-bug exercises: the learner answers with a fix, {state name: {field: new value}}
# ---------------------------------------------------------------------------
def patched(definition: dict, patch: Any) -> tuple[dict | None, str | None]:
    """A copy of ``definition`` with a learner's fix applied, or ``(None, message)`` saying what is wrong with it.

    The fix names states (at any depth, inside Parallel branches and Map processors too) and the fields to
    set on each: ``{"PriceOrder": {"ResultPath": "$.price"}}``. ``None`` sets a field to JSON ``null``.
    """
    if not isinstance(patch, Mapping) or not patch:
        return None, say("Answer with the fix as {\"StateName\": {\"Field\": new value}}, "
                         f"like {{\"PriceOrder\": {{\"ResultPath\": \"$.price\"}}}}; got {show(patch)}.",
                         "Responda com a correção no formato {\"NomeDoEstado\": {\"Campo\": valor novo}}, "
                         f"como {{\"PriceOrder\": {{\"ResultPath\": \"$.price\"}}}}; veio {show(patch)}.")
    fixed = copy.deepcopy(definition)
    states = _all_states(fixed)
    for name, fields in patch.items():
        if name not in states:
            import difflib
            close = difflib.get_close_matches(str(name), list(states), n=1)
            hint_en = f" (did you mean {close[0]!r}?)" if close else f"; the states are {', '.join(states)}"
            hint_pt = f" (você quis dizer {close[0]!r}?)" if close else f"; os estados são {', '.join(states)}"
            return None, say(f"There is no state {name!r} in this machine{hint_en}.",
                             f"Não existe estado {name!r} nesta máquina{hint_pt}.")
        if not isinstance(fields, Mapping) or not fields:
            return None, say(f"For {name!r}, give the fields to change as a dict, like {{\"ResultPath\": \"$.x\"}}; "
                             f"got {show(fields)}.",
                             f"Para {name!r}, dê os campos a mudar num dict, como {{\"ResultPath\": \"$.x\"}}; "
                             f"veio {show(fields)}.")
        states[name].update(copy.deepcopy(dict(fields)))
    return fixed, None


def _all_states(definition: dict) -> dict[str, dict]:
    """Every state of a definition by name, nested ones included (the dicts themselves, to edit in place)."""
    found: dict[str, dict] = {}
    for name, state in (definition.get("States") or {}).items():
        if isinstance(state, dict):
            found.setdefault(name, state)
            for branch in state.get("Branches") or []:
                if isinstance(branch, dict):
                    found.update({k: v for k, v in _all_states(branch).items() if k not in found})
            inner = state.get("ItemProcessor") or state.get("Iterator")
            if isinstance(inner, dict):
                found.update({k: v for k, v in _all_states(inner).items() if k not in found})
    return found


def touched(patch: Any) -> list[str]:
    """The state names a fix changes (for messages)."""
    return list(patch) if isinstance(patch, Mapping) else []
