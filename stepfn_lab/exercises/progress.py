"""``ex.progress()``: a notebook's exercises and where the learner stands on each.

Not an ASL feature: the course's exercise machinery (architecture §b.7, "Exercises"); every
notebook's last exercise cell can call ``ex.progress()`` (notebooks/00-welcome.ipynb shows it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..language import is_portuguese
from .feedback import NO_MATH, escape, say

if TYPE_CHECKING:
    from .exercise import Exercise


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
                       f'{escape(_STATUS[s][1].lines()[0])}</span>' for q, s in self._rows())
        return f'<div class="{NO_MATH}"><b>{escape(self._title())}</b>{rows}</div>'
