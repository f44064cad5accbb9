"""Replay an execution, state by state, as one self-contained animated SVG.

Spec: AWS ``GetExecutionHistory`` (the events replayed) and the console's
legend colours; CSS Animations inside SVG (no script, no network, no kernel).
Taught in: notebooks/01-what-is-a-state-machine.ipynb and the notebooks on
Choice, errors, Parallel and Map, where watching the path matters.

The picture is laid out once by Graphviz; each frame is the overlay of a
prefix of the history (what the console would have shown at that moment).
CSS keyframes switch each node's fill and each edge's stroke at the right
time, a caption names the event, and a bar shows progress. Because the result
is plain SVG, it plays in JupyterLab, VS Code, nbconvert HTML and slides,
GitHub and any browser, where widgets do not.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, replace
from typing import Any, Mapping

from ..errors import StepFnLabError
from . import diagram as d
from . import render, wasm

CAPTION_HEIGHT = 28.0
_NODE_SHAPES = ("path", "polygon", "ellipse")


@dataclass(frozen=True)
class Frame:
    """One moment of the replay: a caption, node statuses and the edges taken so far."""

    caption: str
    statuses: tuple[str | None, ...]  # per graph node, in graph order
    visited: tuple[bool, ...]  # per graph edge, in graph order


def frames(definition: Any, history: Any, *, map_iteration: Mapping[str, int] | None = None,
           max_frames: int = 150) -> tuple[d.Graph, list[Frame]]:
    """The laid-out graph (final colours) and the frames of the replay, oldest first."""
    base = d.structure(definition)
    records = d.read_history(history)
    final = d.overlay(base, records, map_iteration=map_iteration)
    out: list[Frame] = []
    where = d.iterations(base, records)
    cuts = [i for i, r in enumerate(records) if i == 0 or _changes_picture(r.type)]
    if len(cuts) > 2 * max_frames:  # each frame replays its prefix: sample before, not after
        cuts = _sample(cuts, 2 * max_frames)
    for position in cuts:
        graph = d.overlay(base, records[:position + 1], map_iteration=map_iteration, strict=False)
        frame = Frame(_caption(records[position], where[position]), tuple(n.status for n in graph.nodes),
                      tuple(bool(e.visited) for e in graph.edges))
        if out and (frame.statuses, frame.visited) == (out[-1].statuses, out[-1].visited):
            continue  # a retry or an inner event that does not change the picture
        out.append(frame)
    return final, _sample(out, max_frames)


def _changes_picture(event_type: str) -> bool:
    return (event_type.endswith(("StateEntered", "StateExited", "Failed", "TimedOut", "Aborted", "Succeeded"))
            and not event_type.startswith("MapRun"))


def _caption(record: d.EventRecord, where: tuple = ()) -> str:
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", record.type).split()
    if record.type.endswith(("StateEntered", "StateExited")):
        inside = "".join(f" · {name}[{index}]" for name, index in where)
        return f"{record.name} · {words[-1].lower()}{inside}"
    if record.type.startswith("MapIteration") and record.index is not None:
        return f"{record.name} · iteration {record.index} {words[-1].lower()}"
    if record.type == "ExecutionStarted":
        return "Execution started"
    return " ".join([words[0]] + [w.lower() for w in words[1:]])


def _sample(items: list, limit: int) -> list:
    """``limit`` items spread evenly, the first and the last included."""
    if len(items) <= limit:
        return items
    step = (len(items) - 1) / (limit - 1)
    return [items[round(i * step)] for i in range(limit)]


# ---------------------------------------------------------------- SVG

def animate(definition: Any, history: Any, *, seconds_per_step: float = 0.9, hold: float = 3.0,
            map_iteration: Mapping[str, int] | None = None, direction: str = "TB",
            style: render.RenderStyle | None = None, max_frames: int = 150) -> str:
    """A self-contained animated SVG that plays the execution state by state, then loops.

    Raises ``render.GraphvizMissing`` (with the install command) without Graphviz.
    """
    return animation(definition, history, seconds_per_step=seconds_per_step, hold=hold,
                     map_iteration=map_iteration, direction=direction, style=style,
                     max_frames=max_frames, _raise=True).svg


def animation(definition: Any, history: Any, *, seconds_per_step: float = 0.9, hold: float = 3.0,
              map_iteration: Mapping[str, int] | None = None, direction: str = "TB",
              style: render.RenderStyle | None = None, max_frames: int = 150,
              _raise: bool = False) -> Animation:
    """Like ``animate``, wrapped for notebooks (an SVG image output); never raises for missing Graphviz."""
    final, replay = frames(definition, history, map_iteration=map_iteration, max_frames=max_frames)
    if direction != final.direction:
        final = d.overlay(d.structure(definition, direction), history, map_iteration=map_iteration)
    style = style or render.RenderStyle()
    prefix = "sfa" + hashlib.sha1(repr((final, replay)).encode()).hexdigest()[:10] + "-"
    style = replace(style, id_prefix=prefix)
    timing = _Timing(len(replay), seconds_per_step, hold)
    try:
        if not _raise and wasm.browser_drawing():  # no `dot`: Graphviz in the browser plays the same frames
            sources = [render.to_dot(_frame_graph(final, frame), style) for frame in replay]
            missing = str(render.GraphvizMissing("The Graphviz 'dot' program"))
            return Animation("", [f.caption for f in replay], timing.total, dot_frames=sources,
                             seconds_per_step=seconds_per_step, hold=hold,
                             message=f"{missing} (In a notebook this replay plays in the browser; "
                                     f"the self-contained animated SVG needs `dot`.)")
        svg = render.to_svg(final, style)
    except render.GraphvizMissing as exc:
        if _raise:
            raise
        return Animation("", [f.caption for f in replay], 0.0, message=str(exc))
    return Animation(_compose(svg, final, replay, prefix, style, timing), [f.caption for f in replay],
                     timing.total)


def _frame_graph(final: d.Graph, frame: Frame) -> d.Graph:
    """The picture at one frame: the final graph with that frame's node statuses and edges taken."""
    nodes = tuple(replace(n, status=s) for n, s in zip(final.nodes, frame.statuses))
    edges = tuple(replace(e, visited=v) for e, v in zip(final.edges, frame.visited))
    return replace(final, nodes=nodes, edges=edges)


@dataclass(frozen=True)
class _Timing:
    count: int
    step: float
    hold: float

    @property
    def total(self) -> float:
        return round(self.count * self.step + self.hold, 3)

    def percent(self, index: int) -> str:
        return f"{100 * index * self.step / self.total:.3f}%"


def _css(graph: d.Graph, replay: list[Frame], prefix: str, style: render.RenderStyle, timing: _Timing,
         width: float) -> str:
    names = render.dot_names(graph)
    rules = [f"#{prefix}root * {{ animation-duration: {timing.total}s; animation-iteration-count: infinite; "
             f"animation-timing-function: step-end; }}"]
    colours = style.status_colours
    for i, node in enumerate(graph.nodes):
        track = [(k, colours[f.statuses[i] or d.NOT_RUN]) for k, f in enumerate(replay)]
        props = "fill: {v}; stroke: {v}" if node.kind in (d.START, d.END, d.JOIN) else "fill: {v}"
        if node.kind in (d.START, d.END):  # not run yet: grey-blue like an untaken edge, as render draws it
            track = [(k, style.unvisited if (replay[k].statuses[i] or d.NOT_RUN) == d.NOT_RUN else v) for k, v in track]
        if node.kind == d.JOIN:
            track = [(k, style.ink if f.statuses[i] == d.SUCCEEDED else style.unvisited)
                     for k, f in enumerate(replay)]
        name = f"{prefix}k{i}"
        rules.append(_keyframes(name, track, props, timing))
        selector = ", ".join(f"#{prefix}{names[node.id]} {shape}" for shape in _NODE_SHAPES)
        rules.append(f"{selector} {{ animation-name: {name}; }}")
    index = {node.id: i for i, node in enumerate(graph.nodes)}
    for cluster in graph.clusters:
        if cluster.kind == "Branch" or cluster.state not in index:
            continue
        plain = render.cluster_colour(cluster.kind)
        track = [(k, colours[f.statuses[index[cluster.state]]]
                  if f.statuses[index[cluster.state]] not in (None, d.NOT_RUN) else plain)
                 for k, f in enumerate(replay)]
        name = f"{prefix}{cluster.id}-k"
        rules.append(_keyframes(name, track, "stroke: {v}", timing))
        rules.append(f"#{prefix}{cluster.id} > path, #{prefix}{cluster.id} > polygon {{ animation-name: {name}; }}")
    for i, edge in enumerate(graph.edges):
        on = style.visited_catch if edge.kind == d.CATCH else style.ink
        track = [(k, on if f.visited[i] else style.unvisited) for k, f in enumerate(replay)]
        widths = {on: "2.4", style.unvisited: "1.2"}
        line = [(k, f"{c}; stroke-width: {widths[c]}") for k, c in track]
        rules.append(_keyframes(f"{prefix}s{i}", line, "stroke: {v}", timing))
        rules.append(_keyframes(f"{prefix}h{i}", track, "fill: {v}; stroke: {v}", timing))
        rules.append(f"#{prefix}e{i} path {{ animation-name: {prefix}s{i}; }} "
                     f"#{prefix}e{i} polygon {{ animation-name: {prefix}h{i}; }}")
    for k in range(len(replay)):
        shown = [(k, "visible"), (k + 1, "hidden")] if k + 1 < len(replay) else [(k, "visible")]
        rules.append(_caption_keyframes(f"{prefix}c{k}", k, shown, timing))
        rules.append(f"#{prefix}c{k} {{ animation-name: {prefix}c{k}; }}")
    # visibility and stroke-dashoffset animate on the main thread: no compositor needed
    played = f"{100 * len(replay) * timing.step / timing.total:.3f}%"
    rules.append(f"@keyframes {prefix}bar {{ 0% {{ stroke-dashoffset: {width:g}; }} "
                 f"{played} {{ stroke-dashoffset: 0; }} 100% {{ stroke-dashoffset: 0; }} }}")
    rules.append(f"#{prefix}bar {{ animation-name: {prefix}bar; animation-timing-function: linear; }}")
    last = max(timing.total - timing.hold / 2, 0)
    rules.append(f"@media (prefers-reduced-motion: reduce) {{ #{prefix}root * {{ animation-delay: -{last}s; "
                 f"animation-play-state: paused; }} }}")
    return "\n".join(rules)


def _keyframes(name: str, track: list[tuple[int, str]], props: str, timing: _Timing) -> str:
    """Keyframes that switch value only when it changes (``step-end`` holds it until then)."""
    stops, previous = [], None
    for index, value in track:
        if value != previous:
            stops.append(f"{timing.percent(index) if index else '0%'} {{ {props.format(v=value)}; }}")
            previous = value
    stops.append(f"100% {{ {props.format(v=previous)}; }}")
    return f"@keyframes {name} {{ {' '.join(stops)} }}"


def _caption_keyframes(name: str, k: int, shown: list[tuple[int, str]], timing: _Timing) -> str:
    stops = [] if k == 0 else ["0% { visibility: hidden; }"]
    for index, value in shown:
        stops.append(f"{timing.percent(index) if index else '0%'} {{ visibility: {value}; }}")
    stops.append(f"100% {{ visibility: {shown[-1][1]}; }}")
    return f"@keyframes {name} {{ {' '.join(stops)} }}"


_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.S)
_VIEWBOX = re.compile(r'viewBox="([\d.\s-]+)"')


def _compose(svg: str, graph: d.Graph, replay: list[Frame], prefix: str, style: render.RenderStyle,
             timing: _Timing) -> str:
    """Graphviz's SVG nested under a caption strip, with the animation's stylesheet."""
    opening = _SVG_OPEN.search(svg)
    viewbox = _VIEWBOX.search(opening.group(0)) if opening else None
    if opening is None or viewbox is None:
        raise StepFnLabError("unexpected SVG from Graphviz: no <svg viewBox=...>")
    _, _, width, height = (float(v) for v in viewbox.group(1).split())
    body = svg[opening.end():svg.rindex("</svg>")]
    css = _css(graph, replay, prefix, style, timing, width)
    total, bar = height + CAPTION_HEIGHT, CAPTION_HEIGHT - 3
    font = html.escape(style.font, quote=True)
    captions = []
    for k, frame in enumerate(replay):
        text = html.escape(f"{k + 1}/{len(replay)} · {frame.caption}")
        captions.append(f'<text id="{prefix}c{k}" x="10" y="18" font-family="{font}" font-size="12" '
                        f'fill="{style.ink}" visibility="{"visible" if k == len(replay) - 1 else "hidden"}">'
                        f"{text}</text>")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'id="{prefix}root" width="{width:g}pt" height="{total:g}pt" viewBox="0 0 {width:g} {total:g}" '
        f'role="img" aria-label="Execution replay, {len(replay)} steps">\n'
        f"<style>\n{css}\n</style>\n"
        f'<rect x="0" y="0" width="{width:g}" height="{total:g}" fill="{style.background}"/>\n'
        + "\n".join(captions)
        + f'\n<line x1="0" y1="{bar:g}" x2="{width:g}" y2="{bar:g}" stroke="#E9EBED" stroke-width="3"/>'
        f'\n<line id="{prefix}bar" x1="0" y1="{bar:g}" x2="{width:g}" y2="{bar:g}" stroke="#0972D3" '
        f'stroke-width="3" stroke-dasharray="{width:g} {width:g}"/>\n'
        f'<svg x="0" y="{CAPTION_HEIGHT:g}" width="{width:g}" height="{height:g}" '
        f'viewBox="{viewbox.group(1)}">{body}</svg>\n</svg>\n'
    )


class Animation:
    """An execution replay that displays itself in notebooks and saves as .svg or .html."""

    def __init__(self, svg: str, captions: list[str], duration: float, message: str = "", *,
                 dot_frames: list[str] | None = None, seconds_per_step: float = 0.9, hold: float = 3.0):
        self.svg = svg
        self.captions = captions
        self.duration = duration
        self.message = message
        self.dot_frames = list(dot_frames or [])  # without `dot`: one DOT per frame, for the browser
        self._timing = (seconds_per_step, hold)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """An SVG image: JupyterLab shows it as a picture (its CSS animation plays there, trusted
        or not, and MathJax never reads the ``$`` of its labels); nbconvert HTML and slides inline it."""
        if not self.svg and self.dot_frames:
            bundle = wasm.player_mimebundle(self.dot_frames, *self._timing, text=repr(self))
            if bundle is not None:
                return bundle
        if not self.svg:
            return {"text/plain": repr(self)}
        return {"image/svg+xml": self.svg, "text/plain": repr(self)}

    def to_html(self) -> str:
        """The animation in an HTML block (for pages and saved files)."""
        if not self.svg:
            return f"<pre>{html.escape(self.message)}</pre>"
        return (f'<div class="stepfn-lab-animation tex2jax_ignore mathjax_ignore" style="overflow:auto">'
                f"{self.svg}</div>")

    def __repr__(self) -> str:
        if not self.svg and self.dot_frames:
            return f"<Animation: {len(self.captions)} steps, {self.duration:g}s, played by Graphviz in the browser>"
        if not self.svg:
            return f"<Animation unavailable: {self.message}>"
        return f"<Animation: {len(self.captions)} steps, {self.duration:g}s, loops>"

    def at(self, seconds: float) -> Animation:
        """The same picture frozen ``seconds`` into the replay (for stills and checks)."""
        if not self.svg:
            return self
        prefix = re.search(r'id="(sfa[0-9a-f]+-)root"', self.svg).group(1)
        freeze = (f"#{prefix}root * {{ animation-delay: -{seconds}s !important; "
                  f"animation-play-state: paused !important; }}\n</style>")
        return Animation(self.svg.replace("</style>", freeze, 1), self.captions, self.duration)

    def save(self, path: str) -> None:
        """Write ``.svg`` as is, or ``.html`` (any other name) as a minimal page around it."""
        text = self.svg if str(path).endswith(".svg") else (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Execution replay</title></head>'
            f"<body style=\"margin:0;background:white\">{self.to_html()}</body></html>\n")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
