"""JSONata values in and out: plain JSON results, and numbers and strings written the JavaScript way.

Spec: AWS Step Functions developer guide, "Transforming data with JSONata in Step
Functions" (an expression's result is a JSON value; JSONata has one number type,
so ``2.0`` comes back as ``2``), and the JSONata 2.0 reference for ``$number``,
``$string`` and ``$count``, as the JavaScript library AWS runs behaves. Taught in:
notebooks/14-jsonata-and-variables.ipynb.

Where jsonata-python differs from the JavaScript reference (``$number`` of
``"0x10"``, ``$string`` of ``1e20``, ``$count`` of a null), the JavaScript
behaviour is restored here.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any

from .library import NULL, Functions, JException, Jsonata, Parser, Utils

_MISSING = object()


# --------------------------------------------------------------------------- results

_DROP = object()  # a function inside an object or array (JSON.stringify leaves it out)


def _is_function(value: Any) -> bool:
    return (isinstance(value, (Jsonata.JFunctionCallable, re.Pattern))
            or (isinstance(value, Parser.Symbol) and Functions.is_lambda(value)))


_EXPONENT_FROM = 10 ** 21


def _number_out(value: float) -> Any:
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < _EXPONENT_FROM:
        return int(value)
    return value


def _plain(value: Any, nested: bool = False) -> Any:
    """Plain JSON values out of JSONata's: null, whole numbers, sequences, no functions.

    Containers that need no change come back as they are (no copy).
    """
    kind = type(value)
    if kind is str or kind is bool:
        return value
    if kind is int:  # JSONata numbers are doubles: past 1e21 they are written with an exponent
        return value if -_EXPONENT_FROM < value < _EXPONENT_FROM else float(value)
    if kind is float:
        return _number_out(value)
    if kind is dict:
        changed = None  # becomes a copy at the first value that changes
        for key, item in value.items():
            new = _plain(item, True)
            if new is not item and changed is None:
                changed = {}  # the values before this one were kept as they are
                for done_key, done_item in value.items():
                    if done_key == key:
                        break
                    changed[done_key] = done_item
            if changed is not None and new is not _DROP:
                changed[key] = new
        return value if changed is None else changed
    if isinstance(value, list):
        items = [_plain(item, True) for item in value]
        items = [None if item is _DROP else item for item in items]
        if kind is list and all(new is old for new, old in zip(items, value)):
            return value
        return items
    if value is NULL:
        return None
    if _is_function(value):
        return _DROP if nested else value
    return value




def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def _js_json(value: Any) -> str:
    """``JSON.stringify`` of a value, as the JavaScript messages show it."""
    if value is None:
        return "undefined"
    if isinstance(value, float) and not math.isfinite(value):
        return "null"
    try:
        return json.dumps(_plain(value, nested=True), separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


# --------------------------------------------------------------------------- standard functions, JavaScript style

_JSON_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)?")
_PREFIXED_NUMBER = re.compile(r"0[xX][0-9A-Fa-f]+|0[oO][0-7]+|0[bB][01]+")


def _number(value: Any) -> Any:
    """JSONata's ``$number`` with the JavaScript rules: JSON number text, 0x/0o/0b, booleans."""
    if value is None:
        return None
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        if _JSON_NUMBER.fullmatch(value):
            number = float(value)
            if math.isfinite(number):
                return Utils.convert_number(number)
        elif _PREFIXED_NUMBER.fullmatch(value):
            return int(value, 0)
    raise JException("D3030", -1, value)


def _js_number_text(number: Any) -> str:
    """A number as JSONata's ``$string`` writes it: 15 significant digits, JavaScript notation."""
    if isinstance(number, int) and abs(number) < 10 ** 15:
        return str(number)
    if not math.isfinite(number):
        raise JException("D3001", -1)
    value = float(f"{float(number):.15g}")
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        if 1e-6 <= abs(value) < 1e21:  # JavaScript writes these out in full
            return format(Decimal(text), "f")
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{'-' if exponent.startswith('-') else '+'}{exponent.lstrip('+-').lstrip('0')}"
    return text


def _js_stringify(value: Any, indent: str | None, depth: int = 0) -> str:
    """``JSON.stringify`` as ``$string`` uses it: numbers as above, functions as ``""``."""
    if value is None or value is NULL:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _js_number_text(value) if math.isfinite(value) else "null"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if _is_function(value):
        return '""'
    if isinstance(value, dict):
        parts = [(json.dumps(str(key), ensure_ascii=False), _js_stringify(item, indent, depth + 1))
                 for key, item in value.items()]
        return _js_container("{", "}", [f"{key}:{' ' if indent else ''}{text}" for key, text in parts],
                             indent, depth)
    if isinstance(value, (list, tuple)):
        return _js_container("[", "]", [_js_stringify(item, indent, depth + 1) for item in value], indent, depth)
    return json.dumps(str(value), ensure_ascii=False)


def _js_container(open_: str, close: str, parts: list, indent: str | None, depth: int) -> str:
    if not parts:
        return open_ + close
    if not indent:
        return open_ + ",".join(parts) + close
    inner, outer = "\n" + indent * (depth + 1), "\n" + indent * depth
    return open_ + inner + ("," + inner).join(parts) + outer + close


def _string(value: Any, prettify: Any = None) -> Any:
    """JSONata's ``$string``, writing numbers the JavaScript way (``1e20`` -> ``100000000000000000000``)."""
    if isinstance(value, Utils.JList) and value.outer_wrapper:
        value = value[0]
    if value is None or isinstance(value, str):
        return value
    if _is_function(value):
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _js_number_text(value)
    return _js_stringify(value, "  " if prettify else None)


def _count(values: Any = None, *extra: Any) -> int:
    """``$count``: a JSON null is one value."""
    if extra:
        raise JException("T0410", -1, 2, "count")
    if values is None:
        return 0
    return len(values) if isinstance(values, list) else 1
