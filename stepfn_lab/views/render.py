"""Draw a ``diagram.Graph``: Graphviz DOT/SVG, a text table, Mermaid.

Spec: the Step Functions console "Graph view" legend and Workflow Studio's
shapes; Graphviz DOT language; Mermaid ``flowchart``.
Taught in: notebooks/01-what-is-a-state-machine.ipynb (and wherever a diagram
is shown).

This is the only module that imports ``graphviz``, and only inside the
functions that need it: a learner without Graphviz still gets ``to_table``,
``to_mermaid`` and a ``text/plain`` bundle that names the fix.

    >>> print(to_table({"StartAt": "Hi", "States": {"Hi": {"Type": "Pass", "End": True}}}))
    StartAt: Hi
    state  type  does  on   next
    -----  ----  ----  ---  ----
    Hi     Pass        End
"""

from __future__ import annotations

import html
import shutil
import textwrap
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..errors import StepFnLabError
from ..language import text
from . import diagram as d
from . import wasm

INSTALL_HINT = ("Install the course's packages to see diagrams: `pip install \"stepfn-lab[lab]\"` draws them in "
                "the browser (Graphviz compiled to WebAssembly, no other program needed). Or install Graphviz "
                "itself: `sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) or "
                "`conda install -c conda-forge python-graphviz`; the Python package alone is `pip install graphviz`.")

# Design note (status colours): the console's graph legend, exactly as the AWS graph library ships it
# (the renderer the console uses, loaded by the Step Functions Data Science SDK: Success #2BD62E green,
# Failed #DE322F red, Cancelled #DDDDDD grey, In Progress #53C9ED blue, Caught Error #FFA500 orange;
# github.com/aws/aws-step-functions-data-science-sdk-python src/stepfunctions/workflow/widgets/graph.py,
# the course reference asl-reference.md §1.13). Cancelled is a state cut short (a sibling's failure
# aborted it, or the execution was stopped or timed out while it ran), so it is grey, not red: red marks
# only the state whose error ended the run. That legend has no "not run" entry: states the run never
# reached keep the graph's plain white fill, which also keeps them apart from the grey of Cancelled.
STATUS_COLOURS = {
    d.SUCCEEDED: "#2BD62E",
    d.FAILED: "#DE322F",
    d.CANCELLED: "#DDDDDD",
    d.CAUGHT: "#FFA500",
    d.IN_PROGRESS: "#53C9ED",
    d.NOT_RUN: "#FFFFFF",
}
LEGEND = (d.IN_PROGRESS, d.SUCCEEDED, d.FAILED, d.CANCELLED, d.CAUGHT, d.NOT_RUN)
# The legend's words, in the language of stepfn_lab.set_language (keys of stepfn_lab/language/*.py).
_STATUS_KEYS = {d.IN_PROGRESS: "IN_PROGRESS", d.SUCCEEDED: "SUCCEEDED", d.FAILED: "FAILED",
                d.CANCELLED: "CANCELLED", d.CAUGHT: "CAUGHT_ERROR", d.NOT_RUN: "NOT_RUN"}


def status_name(status: str) -> str:
    """The console legend's name of a node status, in the kit's language."""
    return text(_STATUS_KEYS[status])


class GraphvizMissing(StepFnLabError, RuntimeError):
    """Graphviz (the Python package or the ``dot`` program) is not installed."""

    def __init__(self, what: str):
        super().__init__(f"{what} is not installed. {INSTALL_HINT}")


@dataclass(frozen=True)
class RenderStyle:
    """The knobs of the picture. ``RenderStyle(legend=False)``, ``RenderStyle(font_size=14)``..."""

    font: str = "Helvetica,Arial,sans-serif"
    font_size: float = 11.0
    small_size: float = 9.0
    ink: str = "#16191F"
    muted: str = "#5F6B7A"
    edge: str = "#545B64"
    unvisited: str = "#B6BEC9"
    catch: str = "#B25E00"
    visited_catch: str = "#E07B00"
    background: str = "white"
    status_colours: Mapping[str, str] = field(default_factory=lambda: dict(STATUS_COLOURS))
    legend: bool = True
    wrap: int = 30  # characters per line of labels
    id_prefix: str = ""  # prefixed to SVG ids, so several pictures can share one HTML page
    nodesep: float = 0.35
    ranksep: float = 0.42


# Per state type: shape and outline colour (Workflow Studio's palette, roughly).
_SHAPES: dict[str, dict[str, str]] = {
    "Task": {"shape": "box", "style": "rounded,filled", "color": "#0972D3"},
    "Pass": {"shape": "box", "style": "rounded,filled", "color": "#7D8998"},
    "Wait": {"shape": "box", "style": "rounded,filled,dashed", "color": "#7D8998"},
    "Choice": {"shape": "hexagon", "style": "filled", "color": "#8C4FFF"},
    "Succeed": {"shape": "box", "style": "rounded,filled", "color": "#037F0C", "peripheries": "2"},
    "Fail": {"shape": "octagon", "style": "filled", "color": "#D91515", "penwidth": "2"},
    "Map": {"shape": "box", "style": "rounded,filled,bold", "color": "#5F6B7A"},
    "Parallel": {"shape": "box", "style": "rounded,filled,bold", "color": "#5F6B7A"},
    d.START: {"shape": "circle", "style": "filled", "color": "#16191F", "fixedsize": "true", "width": "0.5"},
    d.END: {"shape": "doublecircle", "style": "filled", "color": "#16191F", "fixedsize": "true", "width": "0.45"},
    d.JOIN: {"shape": "point", "width": "0.09", "color": "#5F6B7A"},
    d.MISSING: {"shape": "box", "style": "rounded,dashed", "color": "#D91515", "fontcolor": "#D91515"},
}
_FILLS = {"Pass": "#F4F6F8", "Wait": "#FFF8EC", "Choice": "#F5F0FF", "Succeed": "#F0FAF0", "Fail": "#FFF1F0",
          "Map": "#F4F6F8", "Parallel": "#F4F6F8", d.START: "#16191F", d.END: "#16191F"}
_CLUSTERS = {
    "Map": {"style": "rounded,dashed", "color": "#5F6B7A", "bgcolor": "#FAFBFC", "label": "ItemProcessor"},
    "Parallel": {"style": "rounded", "color": "#5F6B7A", "bgcolor": "#FAFBFC", "label": "Branches"},
    "Branch": {"style": "rounded,dashed", "color": "#AAB7B8", "bgcolor": "white"},
}


# ---------------------------------------------------------------- DOT

def to_digraph(graph: d.Graph, style: RenderStyle | None = None) -> Any:
    """The ``graphviz.Digraph`` of a diagram model (deterministic source)."""
    try:
        import graphviz
    except ImportError:
        raise GraphvizMissing("The Python package 'graphviz'") from None
    style = style or RenderStyle()
    overlay = graph.execution_status is not None
    dot = graphviz.Digraph("stepfunctions", engine="dot")
    dot.attr(rankdir=graph.direction, newrank="true", nodesep=str(style.nodesep), ranksep=str(style.ranksep),
             fontname=style.font, fontsize=str(style.small_size), bgcolor=style.background,
             outputorder="edgesfirst", pad="0.2")
    dot.attr("node", fontname=style.font, fontsize=str(style.font_size), fontcolor=style.ink,
             margin="0.14,0.05", height="0.4", penwidth="1.2")
    dot.attr("edge", fontname=style.font, fontsize=str(style.small_size), fontcolor=style.muted,
             color=style.edge, arrowsize="0.7", penwidth="1.2")
    if overlay and style.legend:
        dot.attr(label=_legend(style), labelloc="b", labeljust="l")
    names = dot_names(graph)
    children: dict[str | None, list[d.Cluster]] = {}
    for cluster in graph.clusters:
        children.setdefault(cluster.parent, []).append(cluster)
    _fill(dot, None, graph, children, names, style, overlay, _spines(graph))
    for i, edge in enumerate(graph.edges):
        dot.edge(names[edge.tail], names[edge.head], **_edge_attrs(edge, i, style, overlay))
    return dot


def dot_names(graph: d.Graph) -> dict[str, str]:
    """Node id -> its DOT name (``n0``, ``n1``...), also its ``id`` in the SVG.

    Short names keep state names such as ``"Step: 1"`` away from DOT's
    ``node:port`` syntax; the state name is in the label and the tooltip.
    """
    return {node.id: f"n{i}" for i, node in enumerate(graph.nodes)}


def _spines(graph: d.Graph) -> dict[str, str]:
    """Node id -> group name for the main path of each level (Next and Default from StartAt).

    Graphviz keeps the edges inside a group straight, so a long machine reads
    as one column instead of drifting sideways at every Choice and Catch.
    """
    by_id = {n.id: n for n in graph.nodes}
    follow: dict[str, str] = {}
    for edge in graph.edges:  # a Choice follows its Default, or its first rule if Default fails
        if edge.kind in (d.START_EDGE, d.NEXT, d.END_EDGE, d.CHOICE):
            follow.setdefault(edge.tail, edge.head)
        elif edge.kind == d.DEFAULT and by_id[edge.head].kind not in ("Fail", d.MISSING):
            follow[edge.tail] = edge.head
    groups: dict[str, str] = {}
    for entry in [d.START_ID] + [n.id for n in graph.nodes if n.kind in d.CONTAINERS]:
        group, node = f"spine:{entry}", entry
        while node is not None and node not in groups:
            groups[node] = group
            node = follow.get(node + d.JOIN_SUFFIX if by_id[node].kind in d.CONTAINERS and node != entry
                              else node)
    return groups


def _fill(target: Any, cluster_id: str | None, graph: d.Graph, children: dict, names: dict,
          style: RenderStyle, overlay: bool, groups: Mapping[str, str]) -> None:
    """Declare the nodes of one cluster (or of the top level), then its sub-clusters."""
    for node in graph.nodes:
        if node.cluster == cluster_id:
            attrs = _node_attrs(node, style, overlay)
            if node.id in groups:
                attrs["group"] = names[groups[node.id].split(":", 1)[1]]
            target.node(names[node.id], id=style.id_prefix + names[node.id], **attrs)
    for cluster in children.get(cluster_id, []):
        with target.subgraph(name=cluster.id) as sub:
            sub.attr(**_cluster_attrs(cluster, style, overlay))
            _fill(sub, cluster.id, graph, children, names, style, overlay, groups)


def _node_attrs(node: d.Node, style: RenderStyle, overlay: bool) -> dict[str, str]:
    attrs = dict(_SHAPES.get(node.kind, _SHAPES["Pass"]))
    if node.kind in (d.START, d.END):
        attrs.update(label=node.name, fontsize=str(style.small_size - 1), fontcolor="white")
    elif node.kind == d.JOIN:
        attrs["label"] = ""
    else:
        attrs["label"] = _node_label(node, style, overlay)
        attrs["tooltip"] = f"{node.name} ({node.kind})" + (f": {node.comment}" if node.comment else "")
    if "filled" in attrs.get("style", ""):
        attrs["fillcolor"] = _FILLS.get(node.kind, "white")
    if overlay and node.status is not None:
        colour = style.status_colours[node.status]
        if node.kind in (d.START, d.END):
            colour = style.unvisited if node.status == d.NOT_RUN else colour  # a white circle would vanish
            attrs.update(fillcolor=colour, color=colour, fontcolor=style.ink)
        elif node.kind == d.JOIN:
            attrs["color"] = style.ink if node.status != d.NOT_RUN else style.unvisited
        elif node.kind != d.MISSING:
            attrs["fillcolor"] = colour
            if node.status == d.IN_PROGRESS:
                attrs["penwidth"] = "2.5"
    return attrs


def _node_label(node: d.Node, style: RenderStyle, overlay: bool) -> str:
    faded = overlay and node.status == d.NOT_RUN
    ink = style.muted if faded else style.ink
    small = f'point-size="{style.small_size:g}"'
    lines = [f'<font color="{ink}"><b>{_html_lines(node.name, style.wrap)}</b></font>']
    if node.detail and node.detail != node.name:
        lines.append(f'<font {small} color="{style.muted if not overlay else ink}">'
                     f'{_html_lines(node.detail, style.wrap + 6)}</font>')
    if node.retry:
        lines.append(f'<font {small} color="{ink if overlay else style.catch}">{_html(node.retry)}</font>')
    if node.note:
        lines.append(f'<font {small} color="{style.ink}"><i>{_html(node.note)}</i></font>')
    return "<" + "<br/>".join(lines) + ">"


def _edge_attrs(edge: d.Edge, number: int, style: RenderStyle, overlay: bool) -> dict[str, str]:
    attrs = {"id": f"{style.id_prefix}e{number}"}
    if edge.label:
        attrs["label"] = "<" + _html_lines(edge.label, style.wrap, max_lines=4) + ">"
    if edge.kind in (d.NEXT, d.START_EDGE, d.DEFAULT):
        attrs["weight"] = "4"  # keep the main path straight; rules and catches bend around it
    if edge.kind == d.CATCH:
        attrs.update(style="dashed", color=style.catch, fontcolor=style.catch)
    elif edge.kind == d.DEFAULT:
        attrs["fontcolor"] = style.ink
    if not overlay:
        return attrs
    if edge.visited:
        colour = style.visited_catch if edge.kind == d.CATCH else style.ink
        attrs.update(color=colour, penwidth="2.4", fontcolor=colour)
    else:
        attrs.update(color=style.unvisited, fontcolor=style.unvisited)
    return attrs


def _cluster_attrs(cluster: d.Cluster, style: RenderStyle, overlay: bool) -> dict[str, str]:
    attrs = dict(_CLUSTERS[cluster.kind])
    attrs["id"] = style.id_prefix + cluster.id
    if cluster.label:
        attrs["label"] = cluster.label
    attrs.update(fontsize=str(style.small_size - 1), fontcolor=style.muted, labeljust="r", labelloc="t",
                 margin="10")
    if overlay and cluster.status not in (None, d.NOT_RUN) and cluster.kind != "Branch":
        attrs.update(color=style.status_colours[cluster.status], penwidth="2")
    return attrs


def cluster_colour(kind: str) -> str:
    """The outline of a Map, Parallel or Branch cluster when no execution colours it."""
    return _CLUSTERS[kind]["color"]


def _legend(style: RenderStyle) -> str:
    cells = []
    for status in LEGEND:  # a gap after each word: Graphviz measures text with its own font metrics, and a
        # browser drawing the wasm layout with a wider sans-serif font would run the word into the next swatch
        outline = f' border="1" color="{style.unvisited}"' if status == d.NOT_RUN else ""  # white on white
        cells.append(f'<td bgcolor="{style.status_colours[status]}" width="14" height="10" fixedsize="true"'
                     f'{outline}></td>'
                     f'<td align="left">{_html(status_name(status))}</td><td width="10"></td>')
    return ('<<table border="0" cellborder="0" cellspacing="3" cellpadding="1"><tr>'
            + "".join(cells) + "</tr></table>>")


def _html(text: str) -> str:
    return html.escape(text, quote=True)


def _html_lines(text: str, width: int, max_lines: int = 3) -> str:
    lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [text]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] += " …"
    return "<br/>".join(_html(line) for line in lines)


# ---------------------------------------------------------------- notebook display

def mimebundle(definition: Any, history: Any = None, *, style: RenderStyle | None = None,
               **options: Any) -> dict[str, str]:
    """``_repr_mimebundle_`` for a machine or an execution: SVG plus a text table.

    Never raises: without Graphviz (or for a definition that cannot be drawn)
    the bundle is ``text/plain`` saying why and how to fix it.
    """
    try:
        table = to_table(definition)
    except StepFnLabError as exc:
        return {"text/plain": f"Cannot draw this definition: {exc}"}
    try:
        graph = d.extract(definition, history, **options)
        if not wasm.dot_available():  # no `dot`: Graphviz compiled to WebAssembly draws it in the browser
            bundle = wasm.mimebundle(to_dot(graph, style), table)
            if bundle is not None:
                return bundle
        svg = to_svg(graph, style)
    except StepFnLabError as exc:  # GraphvizMissing included: the message names the install command
        return {"text/plain": f"{table}\n\n(No diagram: {exc})"}
    return {"image/svg+xml": svg, "text/plain": table}


def to_dot(graph: d.Graph, style: RenderStyle | None = None) -> str:
    """The DOT source of a diagram (what ``dot``, or Graphviz in the browser, lays out)."""
    return to_digraph(graph, style).source


def to_svg(graph: d.Graph, style: RenderStyle | None = None) -> str:
    """SVG text of a diagram; raises ``GraphvizMissing`` if ``dot`` is not installed."""
    digraph = to_digraph(graph, style)
    import graphviz

    if shutil.which("dot") is None:  # also where no program can start at all (Pyodide, JupyterLite)
        raise GraphvizMissing("The Graphviz 'dot' program")
    try:
        return digraph.pipe(format="svg", encoding="utf-8")
    except (graphviz.ExecutableNotFound, OSError):  # OSError: no programs at all (Pyodide, in a browser)
        raise GraphvizMissing("The Graphviz 'dot' program") from None
    except graphviz.CalledProcessError as exc:
        raise StepFnLabError(f"Graphviz could not lay out this diagram: {exc}") from None


# ---------------------------------------------------------------- text table

def to_table(definition: Any) -> str:
    """States, types and transitions as an aligned text table (deterministic).

    Nested states follow their Map or Parallel, indented; ``[Branch n]`` heads
    each Parallel branch.
    """
    graph = d.extract(definition)
    by_id = {n.id: n for n in graph.nodes}
    outgoing: dict[str, list[d.Edge]] = {}
    for edge in graph.edges:
        outgoing.setdefault(edge.tail, []).append(edge)
    inside: dict[str | None, list[d.Node]] = {}
    for node in graph.nodes:
        if node.kind not in (d.START, d.END, d.JOIN, d.MISSING):
            inside.setdefault(node.parent, []).append(node)
    lanes = {c.id: c.label for c in graph.clusters if c.kind == "Branch"}
    rows: list[tuple[str, ...]] = [tuple(text(f"col_{c}") for c in ("state", "type", "does", "on", "next"))]
    _table_rows(rows, inside, None, 0, outgoing, by_id, lanes)
    return f"StartAt: {_start_name(graph, by_id)}\n" + _align(rows)


def _table_rows(rows: list, inside: dict, parent: str | None, depth: int, outgoing: dict,
                by_id: Mapping[str, d.Node], lanes: Mapping[str, str]) -> None:
    lane = None
    for node in inside.get(parent, []):
        indent = "  " * depth
        if node.cluster in lanes and node.cluster != lane:
            lane = node.cluster
            rows.append((indent + "[" + lanes[lane] + "]", "", "", "", ""))
        if lane is not None:
            indent += "  "
        transitions = _transitions(node, outgoing, by_id)
        if node.retry:
            transitions.append((node.retry, ""))
        first, *rest = transitions or [("", "")]
        rows.append((indent + node.name, node.kind, node.detail if node.detail != node.kind else "", *first))
        rows.extend(("", "", "", on, target) for on, target in rest)
        if node.kind in d.CONTAINERS:
            _table_rows(rows, inside, node.id, len(indent) // 2 + 1, outgoing, by_id, lanes)


def _transitions(node: d.Node, outgoing: dict, by_id: Mapping[str, d.Node]) -> list[tuple[str, str]]:
    tail = node.id + d.JOIN_SUFFIX if node.kind in d.CONTAINERS else node.id
    out = []
    for edge in outgoing.get(tail, []):
        target = by_id[edge.head]
        if target.kind in (d.END, d.JOIN):
            out.append((text("fails_execution") if node.kind == "Fail" else "End", ""))
        elif target.kind == d.MISSING:
            out.append((edge.label or "Next", f"{target.name} ({text('missing')})"))
        else:
            out.append((edge.label or "Next", target.name))
    if node.kind == "Fail" and not out:
        container = by_id[node.parent].kind if node.parent else ""
        out.append((text("fails_iteration") if container == "Map" else text("fails_branch"), ""))
    return out


def _start_name(graph: d.Graph, by_id: Mapping[str, d.Node]) -> str:
    head = next((e.head for e in graph.edges if e.tail == d.START_ID), None)
    return by_id[head].name if head in by_id else "?"


def _align(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    rows.insert(1, tuple("-" * w for w in widths))
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


# ---------------------------------------------------------------- Mermaid

_MERMAID_SHAPES = {
    "Task": ('("', '")'), "Pass": ('("', '")'), "Wait": ('[/"', '"/]'), "Choice": ('{{"', '"}}'),
    "Succeed": ('(["', '"])'), "Fail": ('[["', '"]]'), "Map": ('[["', '"]]'), "Parallel": ('[["', '"]]'),
    d.START: ('(("', '"))'), d.END: ('(("', '"))'), d.JOIN: ('((" "', '))'), d.MISSING: ('["', '"]'),
}
_MERMAID_KINDS = {"Fail": "stroke:#D91515,stroke-width:2px", "Succeed": "stroke:#037F0C,stroke-width:2px",
                  "Choice": "stroke:#8C4FFF", "Missing": "stroke:#D91515,stroke-dasharray:4 3",
                  "Join": "fill:#5F6B7A,stroke:#5F6B7A"}
_MERMAID_CLUSTERS = {"Map": "fill:#FAFBFC,stroke:{c},stroke-dasharray:5 3",
                     "Parallel": "fill:#FAFBFC,stroke:{c}",
                     "Branch": "fill:#FFFFFF,stroke:{c},stroke-dasharray:5 3"}


def to_mermaid(definition: Any, history: Any = None, **options: Any) -> str:
    """A Mermaid ``flowchart`` of the machine, coloured by ``history`` if given."""
    graph = definition if isinstance(definition, d.Graph) else d.extract(definition, history, **options)
    style = RenderStyle()
    numbers = {n.id: f"n{i}" for i, n in enumerate(graph.nodes)}
    lines = [f"flowchart {graph.direction}"]
    children: dict[str | None, list[d.Cluster]] = {}
    for cluster in graph.clusters:
        children.setdefault(cluster.parent, []).append(cluster)
    _mermaid_block(lines, None, graph, children, numbers, "  ")
    for edge in graph.edges:
        arrow = "-.->" if edge.kind == d.CATCH else "-->"
        label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"  {numbers[edge.tail]} {arrow}{label} {numbers[edge.head]}")
    for kind, css in _MERMAID_KINDS.items():
        members = [numbers[n.id] for n in graph.nodes if n.kind == kind]
        if members:
            lines.append(f"  classDef {kind.lower()} {css}")
            lines.append(f"  class {','.join(members)} {kind.lower()}")
    for cluster in graph.clusters:
        colour = _CLUSTERS[cluster.kind]["color"]
        if cluster.status not in (None, d.NOT_RUN) and cluster.kind != "Branch":
            colour = style.status_colours[cluster.status]
        lines.append(f"  style {_mermaid_cluster(cluster)} {_MERMAID_CLUSTERS[cluster.kind].format(c=colour)}")
    if graph.execution_status is not None:
        _mermaid_overlay(lines, graph, numbers, style)
    return "\n".join(lines)


def _mermaid_cluster(cluster: d.Cluster) -> str:
    return cluster.id.replace("cluster_", "c")


def _mermaid_block(lines: list[str], cluster_id: str | None, graph: d.Graph, children: dict,
                   numbers: dict, indent: str) -> None:
    for node in graph.nodes:
        if node.cluster == cluster_id:
            opening, closing = _MERMAID_SHAPES.get(node.kind, _MERMAID_SHAPES["Pass"])
            if node.kind == d.JOIN:
                lines.append(f"{indent}{numbers[node.id]}{opening}{closing}")
                continue
            text = _mermaid_text(node.name)
            for extra in (node.detail if node.detail != node.name else "", node.retry, node.note):
                if extra:
                    text += "<br/><small>" + _mermaid_text(extra) + "</small>"
            lines.append(f"{indent}{numbers[node.id]}{opening}{text}{closing}")
    for cluster in children.get(cluster_id, []):
        title = cluster.label or _CLUSTERS[cluster.kind].get("label", "")
        lines.append(f'{indent}subgraph {_mermaid_cluster(cluster)} ["{_mermaid_text(title)}"]')
        _mermaid_block(lines, cluster.id, graph, children, numbers, indent + "  ")
        lines.append(f"{indent}end")


def _mermaid_overlay(lines: list[str], graph: d.Graph, numbers: dict, style: RenderStyle) -> None:
    for status in d.STATUSES:
        members = [numbers[n.id] for n in graph.nodes if n.status == status and n.kind != d.JOIN]
        if members:
            lines.append(f"  classDef {status} fill:{style.status_colours[status]},color:{style.ink}")
            lines.append(f"  class {','.join(members)} {status}")
    visited = [str(i) for i, e in enumerate(graph.edges) if e.visited]
    unvisited = [str(i) for i, e in enumerate(graph.edges) if not e.visited]
    if visited:
        lines.append(f"  linkStyle {','.join(visited)} stroke:{style.ink},stroke-width:3px")
    if unvisited:
        lines.append(f"  linkStyle {','.join(unvisited)} stroke:{style.unvisited},stroke-width:1px")


def _mermaid_text(text: str) -> str:
    return (text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;"))
