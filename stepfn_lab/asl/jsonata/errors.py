"""JSONata's errors in the words AWS shows: States.QueryEvaluationError causes, texts, the caret's column.

Spec: AWS Step Functions developer guide, "Transforming data with JSONata in Step
Functions" (an expression that fails raises ``States.QueryEvaluationError``; a
definition with bad syntax is refused with ``INVALID_JSONATA_EXPRESSION``), and
the error codes of JSONata 2.0 (``S0202``, ``T2001``, ``D3030``...). Taught in:
notebooks/14-jsonata-and-variables.ipynb.
"""

from __future__ import annotations

import re

from ...errors import QUERY_EVALUATION_ERROR, PathSyntaxError, StatesError
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


# --------------------------------------------------------------------------- States.QueryEvaluationError

# Design note: JSONata numbers are IEEE doubles; a whole number past 1.8e308 has no double
# (JavaScript reads it as Infinity, which JSONata rejects with D1001). AWS's exact message
# for such data could not be established; stepfn_lab fails the state with JSONata's D1001.
OUT_OF_RANGE = ("threw an error during evaluation. D1001: Number out of range: a number in "
                "the data is larger than a JSONata number (a double, at most 1.8e308) can hold")


def query_error(text: str, field: str, what: str) -> StatesError:
    """The state's failure: ``what`` says what the expression did ("returned nothing (undefined).")."""
    return StatesError(QUERY_EVALUATION_ERROR,
                       f"The JSONata expression '{text}' specified for the field '{field}' {what}")


def evaluation_error(err: Exception) -> str:
    """What the cause says about an error raised while evaluating: JSONata's code and text, a Step
    Functions function's complaint, or the library's own slip (which still fails the state, not Python)."""
    if isinstance(err, JException):
        code, message = _explain(err)
        return f"threw an error during evaluation. {code}: {message}" if code \
            else f"threw an error during evaluation. {message}"
    if isinstance(err, _FunctionError):
        return f"threw an error during evaluation. {err}"
    if isinstance(err, RecursionError):
        code, message = _explain(JException("D1011", -1))
        return f"threw an error during evaluation. {code}: {message}"
    if isinstance(err, OverflowError):
        return OUT_OF_RANGE
    return f"threw an error during evaluation. {type(err).__name__}: {err}"
