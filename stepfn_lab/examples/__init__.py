"""The bundled example state machines, their Lambda handlers, inputs and data.

Spec: the definitions are plain Amazon States Language; ``seed`` is the example
of the course README exactly as written there. Taught in: every notebook
(``seed`` in notebooks/00-welcome.ipynb and notebooks/02-asl-anatomy.ipynb, ``ecommerce_order`` in the
capstone, ``manual_approval`` in notebooks/08-task-states.ipynb).

>>> from stepfn_lab import examples
>>> examples.names()
['ecommerce_order', 'etl_pipeline', 'furniture_assembly', 'manual_approval', 'seed']
>>> machine = examples.load("seed")
>>> machine.run({"foo": 1}, lambdas=examples.handlers("seed")).output["matched"]
'FirstMatchState'

Layer: entry points (the top, with cli, aws, exercises, widgets): it may use every layer below.

May import: errors, language, asl, runtime, services, views, ui.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any, Callable

from .handlers import _HANDLERS

_SUFFIX = ".asl.json"

# A sample input for each example: the happy path.
_INPUTS: dict[str, Any] = {
    "seed": {"foo": 1},
    "ecommerce_order": {"orderId": "o-1001", "customerId": "c-ana", "productId": "p-chair", "quantity": 2},
    "furniture_assembly": {"furniture": "wardrobe", "shelves": 3, "misalignedTries": 1},
    "manual_approval": {"requestId": "r-42", "amount": 1500, "requestedBy": "ana@example.com"},
    "etl_pipeline": {"key": "2026/01/sales.json"},
}

_SALES = [
    {"saleId": " s-001 ", "region": "north", "amount": "120.50"},
    {"saleId": "s-002", "region": "south ", "amount": "80"},
    {"saleId": "s-003", "region": "North", "amount": "42,10"},
]


def names() -> list[str]:
    """The names of the bundled examples."""
    folder = resources.files(__name__)
    return sorted(p.name[: -len(_SUFFIX)] for p in folder.iterdir() if p.name.endswith(_SUFFIX))


def definition(name: str) -> dict:
    """An example's definition as a dict (a fresh copy each time)."""
    return json.loads(source(name))


def source(name: str) -> str:
    """An example's definition as the JSON text in the file."""
    _check(name)
    return resources.files(__name__).joinpath(name + _SUFFIX).read_text(encoding="utf-8")


def load(name: str, **kwargs: Any):
    """An example as a StateMachine, named after the example (``ecommerce_order`` -> ``EcommerceOrder``)."""
    from ..runtime.engine import StateMachine
    kwargs.setdefault("name", machine_name(name))
    return StateMachine.from_json(source(name), **kwargs)


def machine_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def handlers(name: str) -> dict[str, Callable]:
    """Ready-made local Lambda handlers for an example: pass them as ``lambdas=``."""
    _check(name)
    return {handler: make() for handler, make in _HANDLERS.get(name, {}).items()}


def sample_input(name: str) -> Any:
    """An input that takes the example's happy path."""
    _check(name)
    return copy.deepcopy(_INPUTS[name])


def prepare(name: str, services: Any = None):
    """Create the tables, items, queues, topics and objects an example expects; return the services.

    AWS needs these resources to exist before a workflow runs; the simulated
    services would create empty ones on first use, which is not what the
    examples' happy paths need.
    """
    _check(name)
    if services is None:
        from ..services.simulated import Services
        services = Services()
    if name == "ecommerce_order":
        services.create_table("Orders", partition_key="orderId")
        services.create_table("Products", partition_key="productId", items=[
            {"productId": "p-chair", "name": "Cadeira", "price": 120, "stock": 5},
            {"productId": "p-table", "name": "Mesa", "price": 450, "stock": 0},
        ])
        services.create_table("Customers", partition_key="customerId", items=[
            {"customerId": "c-ana", "name": "Ana", "email": "ana@example.com"},
        ])
        services.create_topic("order-events")
        services.create_queue("shipping")
    elif name == "manual_approval":
        services.create_queue("approvals")
    elif name == "etl_pipeline":
        services.put_object("sales-raw", "2026/01/sales.json", _SALES, content_type="application/json")
        services.create_table("Sales", partition_key="saleId")
    return services


def _check(name: str) -> None:
    if name not in _INPUTS:
        import difflib
        hint = difflib.get_close_matches(str(name), list(_INPUTS), n=1)
        raise ValueError(f"no example named {name!r}" + (f" (did you mean {hint[0]!r}?)" if hint else
                                                          f"; examples: {', '.join(sorted(_INPUTS))}"))


__all__ = ["names", "load", "definition", "source", "handlers", "sample_input", "prepare", "machine_name"]
