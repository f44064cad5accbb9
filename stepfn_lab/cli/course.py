"""``stepfn-lab lab`` and ``stepfn-lab doctor``: open the course, and check the room before a class.

Spec: none (the course's packaging, see ``stepfn_lab.course`` and ``stepfn_lab.doctor``). Taught in:
the README's "Start the course" and notebooks/INSTRUCTOR.md.
"""

from __future__ import annotations

from pathlib import Path

import click

from .common import EXIT_CODES, FAILED, OK, exit_with

# --- the course -------------------------------------------------------------------------------

@click.command("lab", epilog=EXIT_CODES, context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED, metavar="[FOLDER] [JUPYTERLAB OPTIONS]...")
@click.option("--copy-only", is_flag=True,
              help="Copy the course into FOLDER and trust it, without starting JupyterLab.")
def lab(args: tuple[str, ...], copy_only: bool) -> None:
    """Open the course in JupyterLab: notebooks, diagrams and the Stepper, on any OS.

    Copies the course's notebooks (English and pt-BR/) into FOLDER (default
    ./stepfn-lab-course) unless they are there already, so your answers are
    never overwritten; trusts them, so their stored diagrams show before any
    cell runs; and starts JupyterLab there on 00-welcome.ipynb with the course's
    settings. Needs the lab extra (pip install "stepfn-lab[lab]"); Graphviz's
    `dot` is optional (without it the browser draws the diagrams). Options after
    FOLDER go to JupyterLab, e.g. stepfn-lab lab my-course --port 9999 --no-browser.
    Stop it with Ctrl+C.
    """
    from .. import course

    folder, jupyter_args = (args[0], args[1:]) if args and not args[0].startswith("-") else (None, args)
    where, copied, signed = course.prepare(folder or course.DEFAULT_FOLDER)
    click.echo(f"The course is in {where}: {len(copied)} new files copied, {signed} notebooks trusted.", err=True)
    if copy_only:
        return
    exit_with(course.open_lab(where, jupyter_args))


# --- doctor -----------------------------------------------------------------------------------

@click.command("doctor", epilog=EXIT_CODES)
@click.argument("folder", required=False, type=click.Path(file_okay=False))
@click.option("--language", "lang", type=click.Choice(["en", "pt-BR"]), default="en", show_default=True,
              help="The language of the answers.")
def doctor(folder: str | None, lang: str) -> None:
    """The room check before a class: widgets, trusted notebooks, diagrams, kernel.

    FOLDER holds the course notebooks (default: ./notebooks, else the checkout's).
    One plain answer per item, with the fix when something is missing. Exits 0
    when all is ready, 1 otherwise. Changes nothing on the machine.
    """
    from ..doctor import report, run_checks

    findings = run_checks(Path(folder) if folder else None, lang)
    click.echo(report(findings, lang))
    exit_with(OK if all(f.ok for f in findings) else FAILED)
