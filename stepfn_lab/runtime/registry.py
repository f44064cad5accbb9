"""The services the runtime calls without importing them: a registry the layers above fill.

Not an ASL feature: this is the package's layering (asl < runtime < services < views). A Task
runs a simulated service, a test case's ``mock_config`` answers for a state, a Distributed Map
reads its items from (and writes its results to) the local S3: all of that lives in
``stepfn_lab.services``, one layer up. The runtime asks for it here by name and
``stepfn_lab/__init__`` provides each name at import, lazily (nothing is loaded until a run needs it).

Names the runtime asks for (each a module of ``stepfn_lab.services``):

* ``"simulated"``  ``Services.default()`` and ``simulates(key)`` (Task states' simulated services)
* ``"mocks"``      ``MockRun``, ``MockConfigError``, ``check_mocked_result``, ``ACTIVITY_CANNOT_BE_MOCKED``
* ``"s3files"``    ``read_items``, ``write_results``, ``result_sink`` (ItemReader and ResultWriter)
"""

from __future__ import annotations

from typing import Any, Callable

_providers: dict[str, Callable[[], Any]] = {}
_loaded: dict[str, Any] = {}


def provide(name: str, loader: Callable[[], Any]) -> None:
    """Register the function that loads ``name`` (called once, the first time the runtime needs it)."""
    _providers[name] = loader
    _loaded.pop(name, None)


def service(name: str) -> Any:
    """What ``provide`` registered for ``name``, loaded on first use. ImportError when nothing provides it."""
    if name not in _loaded:
        loader = _providers.get(name)
        if loader is None:
            raise ImportError(f"stepfn_lab's services layer provides no {name!r} "
                              f"(it is plugged in by 'import stepfn_lab')")
        _loaded[name] = loader()
    return _loaded[name]
