"""Drawing the diagram model: DOT source, notebook bundles, the text table, Mermaid, the replay.

Assertions are on the DOT source, the text forms and the frames of the replay,
never on SVG bytes (those change with the Graphviz version). Tests that run
the ``dot`` program are marked ``dot``.
"""

from __future__ import annotations

import re
import sys
import time

import pytest

from stepfn_lab.views import animate as a
from stepfn_lab.views import diagram as d
from stepfn_lab.views import render as r
from test_diagram import (FURNITURE, PARALLEL_ABORT, PARALLEL_IN_MAP, SEED, AwsHistory, furniture_history,
                          parallel_in_map_history, seed_history)


def _dot(definition, history=None, **options) -> str:
    return r.to_digraph(d.extract(definition, history, **options)).source


def _node_line(source: str, graph: d.Graph, state: str) -> str:
    name = r.dot_names(graph)[graph.node(state).id]
    return next(line for line in source.splitlines() if line.strip().startswith(f"{name} ["))


def _edge_line(source: str, graph: d.Graph, tail: str, head: str) -> str:
    names = r.dot_names(graph)
    [edge] = graph.edges_between(tail, head)
    arrow = f"{names[edge.tail]} -> {names[edge.head]} "
    return next(line for line in source.splitlines() if line.strip().startswith(arrow))


# ---------------------------------------------------------------- DOT: the machine


def test_dot_is_deterministic():
    assert _dot(PARALLEL_IN_MAP) == _dot(PARALLEL_IN_MAP)
    history = parallel_in_map_history()
    assert _dot(PARALLEL_IN_MAP, history) == _dot(PARALLEL_IN_MAP, parallel_in_map_history())


def test_graph_attributes_font_and_direction():
    source = _dot(SEED)
    assert 'fontname="Helvetica,Arial,sans-serif"' in source
    assert "rankdir=TB" in source
    assert "rankdir=LR" in _dot(SEED, direction="LR")
    assert "label=<<table" not in source  # no legend without an execution


def test_shapes_by_state_type():
    graph = d.extract(FURNITURE)
    source = r.to_digraph(graph).source
    assert "shape=circle" in _node_line(source, graph, "(start)")
    assert "shape=doublecircle" in _node_line(source, graph, "(end)")
    task = _node_line(source, graph, "BuildFrame")
    assert "shape=box" in task and "rounded" in task
    assert "<b>BuildFrame</b>" in task and "lambda: build-frame" in task
    assert "shape=octagon" in _node_line(source, graph, "AssemblyFailed")
    assert "peripheries=2" in _node_line(source, graph, "Done")
    assert "Wait 1d" in _node_line(source, graph, "WaitForDelivery")
    assert "↻ Retry ×3" in _node_line(source, graph, "AddShelves")
    seed = d.extract(SEED)
    assert "shape=hexagon" in _node_line(r.to_digraph(seed).source, seed, "ChoiceState")


def test_edges_choice_rules_default_and_dashed_catch():
    graph = d.extract(SEED)
    source = r.to_digraph(graph).source
    assert "label=<$.foo == 1>" in _edge_line(source, graph, "ChoiceState", "FirstMatchState")
    assert "label=<Default>" in _edge_line(source, graph, "ChoiceState", "DefaultState")
    graph = d.extract(FURNITURE)
    source = r.to_digraph(graph).source
    catch = _edge_line(source, graph, "AttachHandles", "OrderHandles")
    assert "style=dashed" in catch and "Catch: Handles.Missing" in catch
    assert "style=dashed" not in _edge_line(source, graph, "AttachHandles", "Done")


def test_labels_are_escaped_for_html_labels():
    definition = {"StartAt": "A<b>&", "States": {
        "A<b>&": {"Type": "Choice", "Choices": [{"Variable": "$.x", "StringEquals": "<&>", "Next": "B: 1"}],
                  "Default": "B: 1"},
        "B: 1": {"Type": "Pass", "End": True}}}
    graph = d.extract(definition)
    source = r.to_digraph(graph).source
    assert "<b>A&lt;b&gt;&amp;</b>" in _node_line(source, graph, "A<b>&")
    assert "&quot;&lt;&amp;&gt;&quot;" in source
    assert "<b>B: 1</b>" in _node_line(source, graph, "B: 1")  # a colon in a name is not a DOT port


def test_clusters_nest_in_the_dot_source():
    graph = d.extract(PARALLEL_IN_MAP)
    source = r.to_digraph(graph).source
    names = r.dot_names(graph)
    lines = source.splitlines()
    depth, where = 0, {}
    for line in lines:
        if line.strip().startswith("subgraph cluster_"):
            depth += 1
        elif line.strip() == "}":
            depth -= 1
        else:
            match = re.match(r"\s*(n\d+) \[", line)
            if match:
                where[match.group(1)] = depth
    assert where[names[graph.node("LoadOrders").id]] == 0
    assert where[names[graph.node("ProcessOrders").id]] == 1
    assert where[names[graph.node("Validate").id]] == 1
    assert where[names[graph.node("Fulfil").id]] == 2
    assert where[names[graph.node("ChargeCard").id]] == 3
    assert "label=ItemProcessor" in source and 'label="Branch 2"' in source
    assert source.count("subgraph cluster_") == 4


# ---------------------------------------------------------------- DOT: the execution overlay


def test_overlay_colours_every_state_with_the_console_legend():
    graph = d.extract(SEED, seed_history(7))
    source = r.to_digraph(graph).source
    expected = {"FirstState": "#2BD62E", "ChoiceState": "#2BD62E", "DefaultState": "#DE322F",
                "FirstMatchState": "#FFFFFF", "SecondMatchState": "#FFFFFF", "NextState": "#FFFFFF"}  # not run
    for state, colour in expected.items():
        assert f'fillcolor="{colour}"' in _node_line(source, graph, state), state
    assert "label=<<table" in source  # the legend
    for colour in r.STATUS_COLOURS.values():
        assert f'bgcolor="{colour}"' in source


def _aborted_parallel() -> tuple[d.Graph, str]:
    h = AwsHistory()
    run = h.start()
    run("ParallelStateEntered", name="Ship", input={})
    started = run("ParallelStateStarted")
    charge, cool, label = h.chain(started), h.chain(started), h.chain(started)
    cool("WaitStateEntered", name="Cool off", input={})
    label("TaskStateEntered", name="Label", input={})
    charge.task("Charge", failures=("Card.Declined",), succeed=False, exit=False)
    cool("WaitStateAborted")
    label("TaskStateAborted")
    end = h.chain(label.last)
    end("ParallelStateFailed", error="Card.Declined", cause="...")
    end("ExecutionFailed", error="Card.Declined", cause="...")
    graph = d.extract(PARALLEL_ABORT, h.to_aws())
    return graph, r.to_digraph(graph).source


def test_a_cut_short_state_is_the_console_s_cancelled_grey_and_only_the_failed_one_is_red():
    graph, source = _aborted_parallel()
    assert r.STATUS_COLOURS[d.CANCELLED] == "#DDDDDD" and r.STATUS_COLOURS[d.FAILED] == "#DE322F"
    assert 'fillcolor="#DE322F"' in _node_line(source, graph, "Charge")
    for state in ("Cool off", "Label"):
        assert 'fillcolor="#DDDDDD"' in _node_line(source, graph, state), state
    assert 'fillcolor="#FFFFFF"' in _node_line(source, graph, "Pack")  # not run: white, apart from grey


@pytest.mark.parametrize("language, words", [
    ("en", ["In progress", "Succeeded", "Failed", "Cancelled", "Caught error", "Not run"]),
    ("pt-BR", ["Em andamento", "Com êxito", "Falhou", "Cancelado", "Erro capturado", "Não executado"]),
])
def test_the_legend_names_cancelled_in_the_kit_s_language(language, words):
    import stepfn_lab as sfl

    sfl.set_language(language)
    try:
        source = r.to_digraph(_aborted_parallel()[0]).source
    finally:
        sfl.set_language("en")
    legend = source[source.index("label=<<table"):]
    legend = legend[:legend.index("</table>")]
    assert re.findall(r'<td align="left">([^<]+)</td>', legend) == words
    swatches = re.findall(r'<td bgcolor="(#[0-9A-F]{6})"', legend)
    assert swatches == ["#53C9ED", "#2BD62E", "#DE322F", "#DDDDDD", "#FFA500", "#FFFFFF"]


def test_mermaid_marks_cancelled_states_with_their_own_class():
    graph, _ = _aborted_parallel()
    text = r.to_mermaid(graph)
    numbers = {n.name: f"n{i}" for i, n in enumerate(graph.nodes)}
    assert "classDef cancelled fill:#DDDDDD" in text
    cancelled = next(line.split()[1] for line in text.splitlines() if line.strip().startswith("class ")
                     and line.strip().endswith(" cancelled"))
    assert set(cancelled.split(",")) == {numbers["Cool off"], numbers["Label"]}
    failed = next(line.split()[1] for line in text.splitlines() if line.strip().startswith("class ")
                  and line.strip().endswith(" failed"))
    assert numbers["Charge"] in failed.split(",") and numbers["Cool off"] not in failed.split(",")


def test_overlay_caught_and_in_progress_colours():
    h = AwsHistory()
    run = h.start()
    run.task("BuildFrame")
    run.task("AddShelves", failures=("Shelf.Misaligned",) * 4, succeed=False)
    run("PassStateEntered", name="ReportProblem", input={})
    graph = d.extract(FURNITURE, h.to_aws())
    source = r.to_digraph(graph).source
    assert 'fillcolor="#FFA500"' in _node_line(source, graph, "AddShelves")
    in_progress = _node_line(source, graph, "ReportProblem")
    assert 'fillcolor="#53C9ED"' in in_progress and "penwidth=2.5" in in_progress
    catch = _edge_line(source, graph, "AddShelves", "ReportProblem")
    assert "penwidth=2.4" in catch and f'color="{r.RenderStyle().visited_catch}"' in catch


def test_visited_edges_are_emphasised_and_others_faded():
    graph = d.extract(SEED, seed_history(1))
    source = r.to_digraph(graph).source
    style = r.RenderStyle()
    taken = _edge_line(source, graph, "ChoiceState", "FirstMatchState")
    assert "penwidth=2.4" in taken and f'color="{style.ink}"' in taken
    skipped = _edge_line(source, graph, "ChoiceState", "SecondMatchState")
    assert "penwidth" not in skipped and f'color="{style.unvisited}"' in skipped


def test_map_iteration_changes_only_the_inner_path():
    aggregate = d.extract(PARALLEL_IN_MAP, parallel_in_map_history())
    one = d.extract(PARALLEL_IN_MAP, parallel_in_map_history(), map_iteration={"ProcessOrders": 1})
    src_all, src_one = r.to_digraph(aggregate).source, r.to_digraph(one).source
    assert 'fillcolor="#2BD62E"' in _node_line(src_all, aggregate, "Record")
    assert 'fillcolor="#FFFFFF"' in _node_line(src_one, one, "Record")  # not run in iteration 1
    assert 'fillcolor="#DE322F"' in _node_line(src_one, one, "Reject")
    assert "showing index 1 of 3 iterations" in _node_line(src_one, one, "ProcessOrders")
    assert _node_line(src_all, aggregate, "Summarize") == _node_line(src_one, one, "Summarize")


def test_style_knobs():
    graph = d.extract(SEED, seed_history(1))
    source = r.to_digraph(graph, r.RenderStyle(legend=False, font="DejaVu Sans", id_prefix="x-")).source
    assert "label=<<table" not in source
    assert 'fontname="DejaVu Sans"' in source
    assert 'id="x-n1"' in source and 'id="x-e0"' in source


def test_sixty_states_stay_a_tidy_dot_source():
    states = {}
    for i in range(60):
        name = f"Step{i:02d}"
        if i == 59:
            states[name] = {"Type": "Succeed"}
        elif i % 10 == 5:
            states[name] = {"Type": "Choice", "Default": f"Step{i + 1:02d}", "Choices": [
                {"Variable": "$.retry", "BooleanEquals": True, "Next": f"Step{i - 3:02d}"}]}
        else:
            states[name] = {"Type": "Task", "Resource": LAMBDA_ARN + name, "Next": f"Step{i + 1:02d}",
                            "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}]}
    machine = {"StartAt": "Step00", "States": states}
    graph = d.extract(machine)
    assert len([n for n in graph.nodes if n.kind not in (d.START, d.END)]) == 60
    source = r.to_digraph(graph).source
    assert source.count(" -> ") == len(graph.edges) == 61 + 6
    assert r.to_digraph(d.extract(machine)).source == source


LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:"


# ---------------------------------------------------------------- bundles for notebooks


@pytest.mark.dot
def test_mimebundle_is_svg_and_a_text_table():
    bundle = r.mimebundle(SEED, seed_history(1))
    assert set(bundle) == {"image/svg+xml", "text/plain"}
    assert "<svg" in bundle["image/svg+xml"]
    assert bundle["text/plain"] == r.to_table(SEED)


@pytest.mark.dot
def test_sixty_states_render_quickly():
    states = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(59)}
    states["S59"] = {"Type": "Succeed"}
    started = time.perf_counter()
    svg = r.to_svg(d.extract({"StartAt": "S0", "States": states}, direction="LR"))
    assert time.perf_counter() - started < 20
    assert svg.count('class="node"') == 62


def test_mimebundle_without_the_dot_program_names_the_fix(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("STEPFN_LAB_DIAGRAMS", raising=False)
    # and without graphviz-anywidget, which would draw in the browser (tests/test_wasm.py)
    monkeypatch.setitem(sys.modules, "graphviz_anywidget", None)
    bundle = r.mimebundle(FURNITURE, furniture_history())
    assert set(bundle) == {"text/plain"}
    text = bundle["text/plain"]
    assert "sudo apt-get install graphviz" in text and "conda install -c conda-forge python-graphviz" in text
    assert text.startswith(r.to_table(FURNITURE))


def test_mimebundle_without_the_graphviz_package_names_the_fix(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # makes `import graphviz` raise ImportError
    bundle = r.mimebundle(SEED)
    assert set(bundle) == {"text/plain"}
    assert "'graphviz'" in bundle["text/plain"] and "pip install graphviz" in bundle["text/plain"]
    with pytest.raises(r.GraphvizMissing, match="sudo apt-get install graphviz"):
        r.to_digraph(d.extract(SEED))


def test_mimebundle_never_raises_on_a_broken_definition_or_argument():
    assert "no States" in r.mimebundle({"StartAt": "A"})["text/plain"]
    assert "not a Map state" in r.mimebundle(SEED, seed_history(1), map_iteration={"X": 0})["text/plain"]


# ---------------------------------------------------------------- text forms


def test_table_of_the_seed_example():
    assert r.to_table(SEED) == "\n".join([
        "StartAt: FirstState",
        "state             type    does                      on                   next",
        "----------------  ------  ------------------------  -------------------  ----------------",
        "FirstState        Task    lambda: FUNCTION_NAME     Next                 ChoiceState",
        "ChoiceState       Choice                            $.foo == 1           FirstMatchState",
        "                                                    $.foo == 2           SecondMatchState",
        "                                                    Default              DefaultState",
        "FirstMatchState   Task    lambda: OnFirstMatch      Next                 NextState",
        "SecondMatchState  Task    lambda: OnSecondMatch     Next                 NextState",
        "DefaultState      Fail    Fail · DefaultStateError  fails the execution",
        "NextState         Task    lambda: FUNCTION_NAME     End",
    ])


def test_table_nests_map_and_parallel_states():
    lines = r.to_table(PARALLEL_IN_MAP).splitlines()
    width = len(lines[2].split()[0])  # the dashes under "state"
    names = [line[:width].rstrip() for line in lines[3:] if line[:width].strip()]
    assert names == ["LoadOrders", "ProcessOrders", "  Validate", "  Reject", "  Fulfil", "    [Branch 1]",
                     "      ChargeCard", "      ReserveStock", "    [Branch 2]", "      NotifyCustomer",
                     "  Record", "Summarize", "TooManyFailures"]
    assert any("Catch: States.ExceedToleratedFailureThreshold  TooManyFailures" in line for line in lines)
    assert any("↻ Retry ×3" in line for line in lines)
    assert any(line.startswith("  Reject") and "fails the iteration" in line for line in lines)


def test_table_marks_a_missing_target():
    text = r.to_table({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}})
    assert "Nowhere (missing)" in text


def test_mermaid_flowchart():
    text = r.to_mermaid(PARALLEL_IN_MAP)
    lines = text.splitlines()
    assert lines[0] == "flowchart TB"
    assert sum(line.strip().startswith("subgraph ") for line in lines) == 4
    assert sum(line.strip() == "end" for line in lines) == 4
    assert '-->|"$.qty #gt; 0"|' in text
    assert '-.->|"Catch: States.ExceedToleratedFailureThreshold"|' in text
    assert r.to_mermaid(PARALLEL_IN_MAP) == text
    assert r.to_mermaid(SEED, direction="LR").startswith("flowchart LR")


def test_mermaid_overlay_classes_and_link_styles():
    graph = d.extract(SEED, seed_history(1))
    text = r.to_mermaid(graph)
    numbers = {n.id: f"n{i}" for i, n in enumerate(graph.nodes)}
    succeeded = next(line for line in text.splitlines() if line.strip().startswith("class ") and "succeeded" in line)
    assert numbers["FirstMatchState"] in succeeded.split()[1].split(",")
    assert "classDef failed" not in text and "classDef not_run fill:#FFFFFF" in text
    visited = [str(i) for i, e in enumerate(graph.edges) if e.visited]
    assert f"linkStyle {','.join(visited)} stroke:" in text


# ---------------------------------------------------------------- the replay


def test_replay_frames_follow_the_execution():
    graph, frames = a.frames(SEED, seed_history(1))
    index = {n.name: i for i, n in enumerate(graph.nodes)}
    first = [f.statuses[index["FirstState"]] for f in frames]
    assert first[0] == d.NOT_RUN
    assert d.IN_PROGRESS in first and first[-1] == d.SUCCEEDED
    assert first.index(d.IN_PROGRESS) < first.index(d.SUCCEEDED)
    assert frames[0].caption == "Execution started"
    assert frames[-1].caption == "Execution succeeded"
    assert "ChoiceState · entered" in [f.caption for f in frames]
    assert frames[-1].statuses == tuple(n.status for n in graph.nodes)
    assert frames[-1].visited == tuple(e.visited for e in graph.edges)
    assert not any(frames[0].visited[1:])


def test_replay_captions_name_the_map_iteration():
    _, frames = a.frames(PARALLEL_IN_MAP, parallel_in_map_history())
    captions = [f.caption for f in frames]
    assert "Reject · entered · ProcessOrders[1]" in captions
    assert "Validate · entered · ProcessOrders[2]" in captions


def test_replay_is_sampled_when_long():
    _, frames = a.frames(PARALLEL_IN_MAP, parallel_in_map_history(), max_frames=5)
    assert len(frames) == 5 and frames[-1].caption == "Execution succeeded"


@pytest.mark.dot
def test_animated_svg_is_self_contained():
    svg = a.animate(FURNITURE, furniture_history(), seconds_per_step=0.5)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "@keyframes" in svg and "infinite" in svg
    assert "<script" not in svg
    urls = set(re.findall(r"https?://[^\s\"'<>]+", svg))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink",
                    "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"}
    assert a.animate(FURNITURE, furniture_history(), seconds_per_step=0.5) == svg


@pytest.mark.dot
def test_animation_displays_in_notebooks_and_freezes_for_stills(tmp_path):
    shown = a.animation(SEED, seed_history(7))
    bundle = shown._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/plain"} and bundle["image/svg+xml"] == shown.svg
    assert shown.to_html().startswith('<div class="stepfn-lab-animation tex2jax_ignore mathjax_ignore"')
    assert repr(shown).startswith(f"<Animation: {len(shown.captions)} steps")
    still = shown.at(2.0)
    assert "animation-delay: -2.0s !important" in still.svg and "paused" in still.svg
    shown.save(str(tmp_path / "replay.html"))
    assert (tmp_path / "replay.html").read_text().startswith("<!DOCTYPE html>")


def test_animation_without_graphviz_explains_instead_of_raising(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("STEPFN_LAB_DIAGRAMS", raising=False)
    # and without graphviz-anywidget, which would play it in the browser (tests/test_wasm.py)
    monkeypatch.setitem(sys.modules, "graphviz_anywidget", None)
    shown = a.animation(SEED, seed_history(1))
    assert "sudo apt-get install graphviz" in shown.to_html()
    assert "sudo apt-get install graphviz" in shown._repr_mimebundle_()["text/plain"]
    with pytest.raises(r.GraphvizMissing):
        a.animate(SEED, seed_history(1))
