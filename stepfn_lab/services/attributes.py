"""DynamoDB AttributeValue JSON: typed values, how DynamoDB compares and stores them.

Spec: DynamoDB API Reference, "AttributeValue" (S, N, B, BOOL, NULL, L, M, SS,
NS, BS; numbers travel as strings); AWS docs "Call DynamoDB with Step
Functions". Taught in: notebooks/08-task-states.ipynb.

Design note: boto3 ships a TypeSerializer / TypeDeserializer for the same
conversion, but it works on the SDK's *wire* values (``bytes`` for B, ``Decimal``
only: a Python ``float`` is refused) while a workflow's values are JSON (B is
base64 text; course inputs use floats). Wrapping it would take as much code as
the conversion below, and would make the browser build load boto3 for
DynamoDB; so this module converts itself (about 40 lines).
"""

from __future__ import annotations

import base64
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from .base import validation_error

_AV_TYPES = ("S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS")


def to_attribute_value(value: Any) -> dict:
    """A plain Python / JSON value as DynamoDB AttributeValue JSON: ``"x"`` -> ``{"S": "x"}``."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float, Decimal)):
        return {"N": fmt(Decimal(str(value)))}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, (bytes, bytearray)):
        return {"B": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, (set, frozenset)):
        if all(isinstance(v, str) for v in value):
            return {"SS": sorted(value)}
        return {"NS": sorted((fmt(Decimal(str(v))) for v in value), key=Decimal)}
    if isinstance(value, (list, tuple)):
        return {"L": [to_attribute_value(v) for v in value]}
    if isinstance(value, dict):
        return {"M": {str(k): to_attribute_value(v) for k, v in value.items()}}
    raise TypeError(f"cannot store a {type(value).__name__} in DynamoDB: {value!r}")


def from_attribute_value(av: dict) -> Any:
    """AttributeValue JSON as a plain value: ``{"N": "3"}`` -> ``3`` (sets become sorted lists)."""
    kind, value = next(iter(av.items()))
    if kind == "S" or kind == "B":
        return value
    if kind == "N":
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "BOOL":
        return bool(value)
    if kind == "NULL":
        return None
    if kind == "L":
        return [from_attribute_value(v) for v in value]
    if kind == "M":
        return {k: from_attribute_value(v) for k, v in value.items()}
    if kind == "NS":
        return [from_attribute_value({"N": v}) for v in value]
    return list(value)


def to_item(plain: dict) -> dict:
    """A plain dict as a DynamoDB item (each value as AttributeValue JSON)."""
    return {str(k): to_attribute_value(v) for k, v in plain.items()}


def from_item(item: dict) -> dict:
    """A DynamoDB item as a plain dict."""
    return {k: from_attribute_value(v) for k, v in item.items()}


def is_attribute_value(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _AV_TYPES


def looks_typed(item: dict) -> bool:
    return bool(item) and all(is_attribute_value(v) for v in item.values())


def check_av(value: Any, where: str) -> None:
    """Refuse values that are not AttributeValue JSON, naming the field and the fix."""
    if not is_attribute_value(value):
        example = json.dumps(to_attribute_value(value)) if _plain_json(value) else '{"S": "..."}'
        raise validation_error("dynamodb", f"Supplied AttributeValue is empty, must contain exactly one of the "
                                      f"supported datatypes ({where} is {json.dumps(value)}; DynamoDB needs "
                                      f"typed AttributeValue JSON such as {example})")
    kind, inner = next(iter(value.items()))
    if kind == "N":
        num(inner)
    elif kind == "L":
        for i, v in enumerate(inner):
            check_av(v, f"{where}[{i}]")
    elif kind == "M":
        for k, v in inner.items():
            check_av(v, f"{where}.{k}")


def _plain_json(value: Any) -> bool:
    try:
        to_attribute_value(value)
        return True
    except TypeError:
        return False


def num(text: Any) -> Decimal:
    try:
        number = Decimal(str(text))
    except InvalidOperation:
        raise validation_error("dynamodb", f"A value provided cannot be converted into a number: {text!r}") from None
    if not number.is_finite():
        raise validation_error("dynamodb", f"A value provided cannot be converted into a number: {text!r}")
    return number


def fmt(number: Decimal) -> str:
    number = number.normalize()
    return "0" if number == 0 else format(number, "f")


def canonical(av: dict) -> str:
    """A key attribute as text that is equal for equal values (``{"N": "1.0"}`` == ``{"N": "1"}``)."""
    kind, value = next(iter(av.items()))
    if kind == "N":
        value = fmt(num(value))
    return json.dumps({kind: value}, sort_keys=True)


def normalized(av: dict) -> dict:
    """DynamoDB stores numbers normalized: ``{"N": "2.50"}`` comes back as ``{"N": "2.5"}``."""
    kind, value = next(iter(av.items()))
    if kind == "N":
        return {"N": fmt(num(value))}
    if kind == "NS":
        return {"NS": [fmt(num(v)) for v in value]}
    if kind == "L":
        return {"L": [normalized(v) for v in value]}
    if kind == "M":
        return {"M": {k: normalized(v) for k, v in value.items()}}
    return av


def av_equal(a: dict | None, b: dict | None) -> bool:
    if a is None or b is None:
        return False
    (ka, va), (kb, vb) = next(iter(a.items())), next(iter(b.items()))
    if ka != kb:
        return False
    if ka == "N":
        return num(va) == num(vb)
    if ka == "NS":
        return {num(x) for x in va} == {num(x) for x in vb}
    if ka in ("SS", "BS"):
        return set(va) == set(vb)
    if ka == "L":
        return len(va) == len(vb) and all(av_equal(x, y) for x, y in zip(va, vb))
    if ka == "M":
        return va.keys() == vb.keys() and all(av_equal(va[k], vb[k]) for k in va)
    return va == vb


def ordered(av: dict | None) -> tuple[str, Any] | None:
    """A sortable form of S, N and B values (None for the rest)."""
    if av is None:
        return None
    kind, value = next(iter(av.items()))
    if kind == "N":
        return kind, num(value)
    if kind in ("S", "B"):
        return kind, value
    return None

