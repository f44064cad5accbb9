"""stepfn_lab: a Jupyter teaching kit for AWS Step Functions, built on a local ASL interpreter.

>>> import stepfn_lab as sfl
>>> machine = sfl.StateMachine.from_json({"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Result": "world", "End": True}}})
>>> machine.run().output
'world'

The names here are the public API; ``stepfn_lab.widgets`` (ipywidgets) and the
diagram views are imported only when used.

Layers, each importing only the ones before it (tests/test_layering.py checks, and no import cycles):
foundation (``errors``, ``language``) < ``asl`` (the language) < ``runtime`` (the engine) < ``services``
< ``views`` (pictures) < ``ui`` (the notebook widgets) < entry points (this package's top: ``cli``, ``aws``,
``exercises``, ``examples``, ``widgets``, ...). This module is the top: it plugs the services into the runtime's registry and gives the
engine's classes their pictures from ``views.display``.
"""

from __future__ import annotations

from .asl.paths import evaluate_path
from .errors import DefinitionError, PathSyntaxError, StatesError, StepFnLabError, TaskFailed
from .language import get_language, json_text, set_language
from .runtime import registry as _registry
from .runtime.engine import Execution, StateMachine, Step
from .views import display as _display

# The top level wires the layers together (the layers themselves import only downwards):
# the runtime reaches the services layer through its registry, loaded on first use ...
def _simulated():
    from .services import simulated
    return simulated


def _mocks():
    from .services import mocks
    return mocks


def _s3files():
    from .services import s3files
    return s3files


_registry.provide("simulated", _simulated)
_registry.provide("mocks", _mocks)
_registry.provide("s3files", _s3files)
# ... and a machine or an execution draws itself (render(), animate(), notebook display) through the views layer.
_display.attach(StateMachine, Execution)

__version__ = "0.1.0"

__all__ = [
    "StateMachine", "Execution", "Step", "DefinitionError", "PathSyntaxError", "StatesError", "StepFnLabError",
    "TaskFailed", "evaluate_path", "validate", "set_language", "get_language", "json_text", "inspect_state", "load_execution", "examples", "__version__",
]


def validate(definition, workflow_type: str = "STANDARD"):
    """AWS-style diagnostics for a definition (dict, JSON text or path). See ``stepfn_lab.asl.validate``."""
    from .asl.validate import validate as _validate
    from .runtime.tasks import served_locally
    return _validate(definition, workflow_type=workflow_type, served=served_locally)


def inspect_state(*args, **kwargs):
    """The local twin of AWS's TestState API. See ``stepfn_lab.runtime.teststate``."""
    from .runtime.teststate import inspect_state as _inspect
    return _inspect(*args, **kwargs)


def load_execution(arn: str, store: str, **kwargs):
    """Bring back an execution saved with ``machine.start(..., store=path)``. See ``stepfn_lab.runtime.durable``."""
    from .runtime.durable import load_execution as _load
    return _load(arn, store, machine_type=StateMachine, execution_type=Execution, **kwargs)


def __getattr__(name: str):
    if name in ("examples", "exercises"):
        import importlib
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'stepfn_lab' has no attribute {name!r}")
