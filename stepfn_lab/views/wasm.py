"""Diagrams where Graphviz's ``dot`` is missing: Graphviz compiled to WebAssembly, run by the browser.

Spec: Graphviz DOT language (the same source ``render.to_digraph`` writes).
Taught in: notebooks/00-welcome.ipynb and every notebook that shows a diagram,
on a machine without ``dot`` (a plain ``pip install`` on Windows or macOS, and
the JupyterLite build on Pyodide, where no program can be started at all).

The picture is the same DOT laid out by the same Graphviz, so it has the
console's colours and the Stepper's highlight. The browser side is the PyPI
package ``graphviz-anywidget``: an anywidget whose JavaScript embeds
@hpcc-js/wasm Graphviz (the WebAssembly is inlined in the file, so nothing is
fetched at run time, from a CDN or elsewhere). Its JavaScript reaches the page
through the widget's comm, so JupyterLab and JupyterLite need only the
``anywidget`` and ``jupyter-widgets`` extensions they already carry.

Where ``dot`` exists nothing here is used: notebooks keep storing plain SVG,
which nbval compares and GitHub's viewer shows.

``STEPFN_LAB_DIAGRAMS=wasm`` (or ``=dot``) forces one path, e.g. to try the
browser drawing on a machine that has ``dot``.

Nothing is imported at module level beyond the standard library: anywidget
and ipywidgets load only when a picture is made.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

MODES = ("dot", "wasm")


def dot_available() -> bool:
    """True when diagrams are laid out by the ``dot`` program (SVG made in Python)."""
    forced = os.environ.get("STEPFN_LAB_DIAGRAMS", "").strip().lower()
    if forced in MODES:
        return forced == "dot"
    return shutil.which("dot") is not None


def browser_drawing() -> bool:
    """True when ``dot`` is missing and the WebAssembly widget can be made instead."""
    return not dot_available() and widget_class() is not None


def widget_class() -> Any:
    """``GraphvizAnyWidget``, or None when graphviz-anywidget (the ``lab`` extra) is not installed."""
    try:
        from graphviz_anywidget import GraphvizAnyWidget
    except ImportError:
        return None
    return GraphvizAnyWidget


def widget(dot_source: str = "") -> Any:
    """A widget that lays out and draws ``dot_source`` in the browser; set ``.dot_source`` to redraw.

    No zoom (the mouse wheel keeps scrolling the notebook) and no click
    highlighting: the colours are the execution's, as in the SVG. Returns None
    when graphviz-anywidget is not installed.
    """
    cls = widget_class()
    if cls is None:
        return None
    picture = cls(dot_source=dot_source, enable_zoom=False, selected_direction="single")
    picture.add_class("sfl-wasm-diagram")
    return picture


def mimebundle(dot_source: str, text: str) -> dict[str, Any] | None:
    """The notebook display of a widget drawing ``dot_source``, with ``text`` for plain-text viewers.

    None when the widget cannot be made (graphviz-anywidget missing).
    """
    picture = widget(dot_source)
    if picture is None:
        return None
    return _bundle(picture, text)


def _bundle(picture: Any, text: str) -> dict[str, Any]:
    shown = picture._repr_mimebundle_()
    bundle = dict(shown[0] if isinstance(shown, tuple) else shown)  # anywidget answers (data, metadata)
    bundle["text/plain"] = text
    return bundle


def player(dot_frames: list[str], seconds_per_step: float = 0.9, hold: float = 3.0, loops: int = 3) -> Any:
    """A widget that shows ``dot_frames`` one after another (an execution replay), ``loops`` times.

    The kernel's asyncio loop sets the next frame (``call_later``: no thread,
    so it runs in Pyodide too); the browser lays out and morphs each frame.
    It ends on the last frame, and stops early when the widget is closed.
    Returns None when graphviz-anywidget is not installed.
    """
    import asyncio

    picture = widget(dot_frames[0] if dot_frames else "")
    if picture is None or len(dot_frames) < 2:
        return picture
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:  # no event loop in this thread: a still picture of the first frame
        return picture
    total = loops * len(dot_frames)

    def show(shown: int) -> None:
        if picture.comm is None or shown >= total:  # closed, or done: stay on the last frame
            return
        index = shown % len(dot_frames)
        picture.dot_source = dot_frames[index]
        loop.call_later(hold if index == len(dot_frames) - 1 else seconds_per_step, show, shown + 1)

    loop.call_later(seconds_per_step, show, 1)
    return picture


def player_mimebundle(dot_frames: list[str], seconds_per_step: float, hold: float, text: str) -> dict | None:
    """The notebook display of ``player(...)``, with ``text`` for plain-text viewers (None without the widget)."""
    picture = player(dot_frames, seconds_per_step, hold)
    if picture is None:
        return None
    return _bundle(picture, text)
