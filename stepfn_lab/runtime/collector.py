"""Python's garbage collector during a run: fewer collections, nothing left changed afterwards.

Spec: none (an implementation concern). An execution allocates a few small objects
per transition (history events, step records) that live as long as the execution.
With the collector's default thresholds a long run triggers a young collection
every 700 allocations and, as the number of live objects grows, full collections
that walk all of them again: a 100,000-transition loop spent more than half its time
in the collector. During ``Execution.run()`` the young-generation threshold is raised
and the objects that existed before the run are frozen (not walked again); both are
restored when the run returns or raises, so the process is left as it was. Garbage
cycles are still collected during the run, only less often.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

YOUNG_THRESHOLD = 50_000  # allocations between young collections while an execution runs

_lock = threading.Lock()
_depth = 0
_saved: tuple | None = None  # (thresholds, froze) of the outermost run


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the collector's young threshold and freeze older objects for the duration (re-entrant)."""
    global _depth, _saved
    with _lock:
        _depth += 1
        if _depth == 1:
            thresholds = gc.get_threshold()
            # freeze only when nobody else froze objects: unfreezing would undo their freeze
            froze = gc.isenabled() and gc.get_freeze_count() == 0
            _saved = (thresholds, froze)
            if froze:
                gc.freeze()
            if thresholds[0]:  # a threshold of 0 means the owner disabled automatic collection
                gc.set_threshold(max(thresholds[0], YOUNG_THRESHOLD), *thresholds[1:])
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                thresholds, froze = _saved
                _saved = None
                gc.set_threshold(*thresholds)
                if froze:
                    gc.unfreeze()
