"""``stepfn-lab render``: draw a state machine, or the path an execution took, to a file.

Spec: none (pictures; Graphviz for svg/png/pdf/dot, Mermaid text for .mmd). Taught in:
``stepfn-lab render --help`` (the notebooks draw with ``machine.render()``).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import click

from .common import EXIT_CODES, FAILED, CliError, UpperChoice
from .run import execute, execution_options, mock_options, progress_option
from .source import DefinitionSource, Source

RENDER_FORMATS = ("svg", "png", "pdf", "dot", "gv", "mmd")


@click.command("render", epilog=EXIT_CODES)
@click.argument("file", type=DefinitionSource())
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help=f"The picture to write; its suffix picks the format: {', '.join(RENDER_FORMATS)} "
                   f"(.mmd is Mermaid text and needs no Graphviz).")
@execution_options
@click.option("--direction", type=UpperChoice(["TB", "LR"]), default="TB",
              show_default=True, help="Top to bottom or left to right.")
@progress_option
def render(file: Source, out: str, input_: Any, lambdas: tuple, mock_config: str | None, test_case: str | None,
           name: str | None, workflow_type: str, seed: int, direction: str, progress: bool | None) -> None:
    """Draw a state machine, or with --input the path an execution took.

    Needs Graphviz (the `dot` program and `pip install graphviz`) except for .mmd.
    """
    fmt = Path(out).suffix.lower().lstrip(".")
    if fmt not in RENDER_FORMATS:
        raise CliError(f"cannot tell the format of {out!r}: end it with one of "
                       f"{', '.join('.' + f for f in RENDER_FORMATS)}")
    run_options, name = mock_options(mock_config, test_case, name)
    machine = file.machine(name, workflow_type)
    execution = None
    if input_ is not None or mock_config is not None or lambdas:
        execution = execute(machine, file.input(input_), progress, seed=seed, **file.run_options(lambdas),
                             **run_options)
    direction = direction.upper()
    if fmt == "mmd":
        from ..views import render as views
        events = execution.history.to_aws()["events"] if execution is not None else None
        Path(out).write_text(views.to_mermaid(machine.raw, events, direction=direction) + "\n", encoding="utf-8")
    else:
        _write_picture(_digraph(machine, execution, direction), fmt, Path(out))
    what = f"the execution ({execution.status})" if execution is not None else "the machine"
    click.echo(f"wrote {out}: {what}")


def _digraph(machine: Any, execution: Any, direction: str) -> Any:
    """The graphviz.Digraph of a machine or an execution (``render()``), or built from the views directly."""
    from ..views import diagram, render as views
    target = execution if execution is not None else machine
    try:
        return target.render(direction=direction)
    except AttributeError:  # views without the render() glue: build the picture from its parts
        events = execution.history.to_aws()["events"] if execution is not None else None
        return views.to_digraph(diagram.extract(machine.raw, events, direction=direction))
    except ImportError:
        raise CliError(_graphviz_missing("the Python package 'graphviz'")) from None


def _write_picture(digraph: Any, fmt: str, out: Path) -> None:
    if fmt in ("dot", "gv"):
        out.write_text(digraph.source, encoding="utf-8")
        return
    if shutil.which("dot") is None:  # what graphviz would run; its own import stays in views.render
        raise CliError(_graphviz_missing("Graphviz's `dot` program"))
    try:
        data = digraph.pipe(format=fmt)
    except subprocess.CalledProcessError as exc:
        raise CliError(f"Graphviz could not draw {out}: {exc}", FAILED) from None
    out.write_bytes(data)


def _graphviz_missing(what: str) -> str:
    return (f"{what} is not installed, so no picture can be drawn. Install Graphviz: "
            f"`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) or "
            f"`conda install -c conda-forge python-graphviz`, and `pip install graphviz`. "
            f"Without it, -o FILE.mmd writes a Mermaid diagram.")
