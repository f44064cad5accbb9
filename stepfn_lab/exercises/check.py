"""Helpers for writing checks: read an answer as a definition, run it, compare JSON, apply a fix.

Not an ASL feature: the course's exercise machinery (architecture §b.7, "Exercises"); the
``nbNN`` modules build their checkers from these. Every message is bilingual (see ``feedback.say``);
``patched`` serves the find-the-bug exercises (notebooks/04-data-flow-paths.ipynb and later).
"""

from __future__ import annotations

import copy
import json
from typing import Any, Mapping

from .feedback import say, show


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
