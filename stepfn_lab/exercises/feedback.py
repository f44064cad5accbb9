"""What an exercise shows: bilingual messages, the verdict (``Result``), the solution to paste.

Not an ASL feature: the course's exercise machinery (architecture §b.7, "Exercises"), first
shown in notebooks/00-welcome.ipynb. Messages are :class:`Say` pairs (English and Portuguese)
shown in the kit's language first; verdicts are words in colour, the emoji only decoration.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any, Mapping

from ..language import is_portuguese

__all__ = ["Say", "say", "ordered", "show", "Result", "Solution", "python_text", "escape", "NO_MATH"]


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
        lines = [escape(line) for line in ordered(self.message).splitlines()]
        head = f'<span style="color:{colour};font-weight:bold">{emoji} {escape(self._words())}</span>'
        body = ""
        if lines:
            body = " " + lines[0] + "".join(f'<br><span style="color:#5F6B7A">{line}</span>' for line in lines[1:])
        return (f'<div class="{NO_MATH}" style="border-left:4px solid {colour};background:{background};'
                f'padding:4px 10px;white-space:pre-wrap">{head}{body}</div>')


# Jupyter typesets text between two $ signs as math, and ASL messages are full of paths
# like $.total: MathJax skips elements with these classes (tex2jax_ignore for MathJax 2 in
# nbconvert's HTML, mathjax_ignore for MathJax 3 in JupyterLab).
NO_MATH = "tex2jax_ignore mathjax_ignore"


def escape(line: str) -> str:
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
        return (f'<div class="{NO_MATH}"><span style="color:{colour};font-weight:bold">{escape(self._head())}</span>'
                f'<pre>{escape(self._text())}</pre></div>')


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
