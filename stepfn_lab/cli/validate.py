"""``stepfn-lab validate``: check definitions as AWS's ValidateStateMachineDefinition does.

Spec: ValidateStateMachineDefinition (``--json`` gives its response shape). Taught in:
``stepfn-lab validate --help`` (the notebooks call ``stepfn_lab.validate``).
"""

from __future__ import annotations

from typing import Any

import click

from .common import EXIT_CODES, FAILED, OK, WORKFLOW_TYPES, UpperChoice, dump, exit_with
from .source import DefinitionSource, Source

@click.command("validate", epilog=EXIT_CODES)
@click.argument("files", type=DefinitionSource(), nargs=-1, required=True)
@click.option("--workflow-type", type=WORKFLOW_TYPES, default="STANDARD", show_default=True,
              help="Check the rules of this workflow type (Express forbids .sync and .waitForTaskToken).")
@click.option("--json", "as_json", is_flag=True,
              help="Answer in AWS's ValidateStateMachineDefinition shape (one FILE), or an object "
                   "{FILE: response} (several).")
@click.option("--severity", type=UpperChoice(["ERROR", "WARNING"]), default="ERROR",
              show_default=True, help="With --json: ERROR lists errors only (as AWS does); WARNING adds warnings.")
def validate_command(files: tuple[Source, ...], workflow_type: str, as_json: bool, severity: str) -> None:
    """Check definitions as AWS would, with line numbers and hints.

    Exits 1 when a FILE has errors; warnings alone exit 0.
    """
    from ..asl.validate import format_problems, to_aws_response, validate as check

    failed = False
    answers: dict[str, Any] = {}
    from ..runtime.tasks import served_locally
    for source in files:
        # the text answer also says which Task resources need a local function (AWS's JSON answer does not)
        problems = check(source.value(), workflow_type.upper(), served=None if as_json else served_locally)
        failed |= any(p.severity == "ERROR" for p in problems)
        if as_json:
            answers[source.label] = to_aws_response(problems, severity=severity.upper())
            continue
        if len(files) > 1:
            click.echo(f"== {source.label}")
        click.echo(format_problems(problems) if problems else f"{source.label}: OK")
        if len(files) > 1:
            click.echo()
    if as_json:
        click.echo(dump(answers[files[0].label] if len(files) == 1 else answers))
    exit_with(FAILED if failed else OK)
