"""The ``stepfn-lab`` command: the kit outside notebooks, for instructors and CI.

Spec: none of its own; each command answers like the AWS API it mirrors
(``validate``: ValidateStateMachineDefinition; ``run --json --history``:
DescribeExecution and GetExecutionHistory; ``inspect``: TestState; ``test``:
Step Functions Local's MockConfigFile). Taught in: ``stepfn-lab --help`` and
each command's ``--help`` (the notebooks call the library directly).

Exit codes are part of the interface (see ``EXIT_CODES``): 0 when all is well,
1 when an execution did not succeed, a definition has errors or a test failed,
2 for usage and environment problems. Library errors are shown as messages,
never as Python tracebacks (``--debug`` shows the traceback of an unexpected one).

The commands live one module per command (or small family) in this package: ``validate``, ``run``
(with the execution options ``render`` shares), ``render``, ``testing`` (``test``), ``inspect``,
``export``, ``parity``, ``course`` (``lab``, ``doctor``); ``common`` and ``source`` hold the option
types, exit codes and output helpers; ``notebook`` holds ``command()``. This module is the group: it
turns library errors into messages and exit codes.

Layer: entry points (the top, with aws, examples, exercises, widgets): it may use every layer below.

May import: errors, language, asl, runtime, services, views, ui.
"""

from __future__ import annotations

from typing import Any

import click

from .. import __version__
from ..errors import DefinitionError, StepFnLabError
from .common import EXIT_CODES, FAILED, OK, USAGE, CliError, problems_text
from .course import doctor, lab
from .export import export_command
from .inspect import inspect_command
from .notebook import CommandResult, command
from .parity import parity
from .render import render
from .run import run
from .testing import run_tests
from .validate import validate_command

__all__ = ["cli", "main", "command", "CommandResult", "CliError", "EXIT_CODES", "OK", "FAILED", "USAGE"]


# --- the group: errors become messages -----------------------------------------------------

class _Group(click.Group):
    """Turns library errors into messages and exit codes; no traceback reaches the user."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except DefinitionError as exc:
            raise CliError(problems_text(exc.problems), FAILED) from None
        except StepFnLabError as exc:
            raise CliError(str(exc)) from None
        except OSError as exc:
            raise CliError(f"{type(exc).__name__}: {exc}") from None
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            raise CliError(f"unexpected {type(exc).__name__}: {exc}\n"
                           f"(this is a bug in stepfn_lab; `stepfn-lab --debug ...` shows where)") from None


@click.group(cls=_Group, epilog=EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stepfn-lab")
@click.option("--debug", is_flag=True, help="Show the Python traceback of an unexpected error.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Validate, run, draw, test and export AWS Step Functions state machines, offline.

    FILE arguments are Amazon States Language definitions (.json, .asl.json or
    .yaml), or example:NAME for a bundled example (e.g. example:seed).
    """
    ctx.ensure_object(dict)["debug"] = debug


def main(argv: list[str] | None = None, prog_name: str | None = None) -> None:
    """The console script ``stepfn-lab`` (and ``python -m stepfn_lab``)."""
    cli.main(args=argv, prog_name=prog_name)


for _command in (validate_command, run, render, run_tests, inspect_command, export_command, parity, lab, doctor):
    cli.add_command(_command)
