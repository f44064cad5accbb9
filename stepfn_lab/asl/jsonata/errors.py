"""JSONata's errors in the words AWS shows: codes, JavaScript-style texts, and the caret's column.

Spec: AWS Step Functions developer guide, "Transforming data with JSONata in Step
Functions" (an expression that fails raises ``States.QueryEvaluationError``; a
definition with bad syntax is refused with ``INVALID_JSONATA_EXPRESSION``), and
the error codes of JSONata 2.0 (``S0202``, ``T2001``, ``D3030``...). Taught in:
notebooks/14-jsonata-and-variables.ipynb.
"""

from __future__ import annotations

import re

from ...errors import PathSyntaxError
from .library import JException
from .values import _js_json

# AWS runs the JavaScript JSONata, whose messages quote values as JSON
# (``Expected "]", got ","``). jsonata-python keeps the same templates but fills
# them with bare values and says "Object" where JavaScript says "function".

_PLACEHOLDER = re.compile(r"\{\{\{(\w+)\}\}\}|\{\{(\w+)\}\}")
_ARRAY_OF = {"a": "arrays", "b": "booleans", "f": "functions", "n": "numbers", "o": "objects", "s": "strings"}
_CODE_OF_TEXT = {
    "Second argument of replace function cannot be an empty string": "D3010",
    "Fourth argument of replace function must evaluate to a positive number": "D3011",
}
_AT_END = ("S0203", "S0207")  # errors found at the end of the text


def _explain(err: JException) -> tuple[str | None, str]:
    """``(code, message)`` of a JSONata error, worded as the JavaScript library words it."""
    code = err.error
    template = JException.error_codes.get(code)
    if template is None:
        return _CODE_OF_TEXT.get(code), str(code)
    args = [err.current, err.expected, err.extra]
    if code == "T0412":
        args[2] = _ARRAY_OF.get(args[2], args[2])
    values = iter(args)

    def fill(match: re.Match) -> str:
        value = next(values, None)
        if match.group(1):  # {{{raw}}}
            return value if isinstance(value, str) else _js_json(value)
        return _js_json(value)

    return code, _PLACEHOLDER.sub(fill, template.replace("Object", "function"))


def _column(err: JException, text: str) -> int | None:
    """Where the caret goes: JSONata positions point just past the offending token."""
    location = getattr(err, "location", None)
    if not isinstance(location, int) or location < 0:
        return None
    if err.error in _AT_END:
        return len(text)
    return min(max(location - 1, 0), len(text))


class _FunctionError(Exception):
    """An argument a Step Functions function cannot work with; the text is the cause's tail."""


def _syntax_error(text: str, err: Exception, field: str | None) -> PathSyntaxError:
    if isinstance(err, JException):
        return PathSyntaxError(text, _explain(err)[1], _column(err, text), field)
    return PathSyntaxError(text, str(err) or type(err).__name__, None, field)
