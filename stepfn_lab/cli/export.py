"""``stepfn-lab export``: write a definition as ASL JSON/YAML or a CloudFormation or SAM template.

Spec: AWS::StepFunctions::StateMachine and AWS::Serverless::StateMachine (see ``stepfn_lab.export``).
Taught in: notebooks/16-from-the-lab-to-aws.ipynb.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import DefinitionError
from .common import EXIT_CODES, WORKFLOW_TYPES
from .source import DefinitionSource, Source

@click.command("export", epilog=EXIT_CODES)
@click.argument("file", type=DefinitionSource())
@click.option("--format", "fmt", type=click.Choice(["json", "yaml", "cloudformation", "sam"], case_sensitive=False),
              default="json", show_default=True, help="ASL as JSON or YAML, or a CloudFormation / SAM template.")
@click.option("--name", help="The state machine's name in a template (default: the file name).")
@click.option("--workflow-type", type=WORKFLOW_TYPES, default="STANDARD", show_default=True)
@click.option("--role-arn", help="Use this IAM role in a template instead of creating one.")
@click.option("--template-format", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True,
              help="How a CloudFormation or SAM template is written.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")
@click.option("--no-validate", is_flag=True, help="Export even a definition with validation errors.")
def export_command(file: Source, fmt: str, name: str | None, workflow_type: str, role_arn: str | None,
           template_format: str, out: str | None, no_validate: bool) -> None:
    """Write a definition as ASL JSON/YAML or as a CloudFormation or SAM template."""
    from .. import export as exporter

    value = file.definition()
    if not no_validate:
        from ..asl.validate import validate as check
        problems = check(value, workflow_type.upper())
        if any(p.severity == "ERROR" for p in problems):
            raise DefinitionError(problems)
    options: dict[str, Any] = {}
    if fmt.lower() in ("cloudformation", "sam"):
        options = {"name": name or file.stem, "workflow_type": workflow_type.upper(), "role_arn": role_arn,
                   "fmt": template_format}
    text = exporter.export(value, fmt, **options)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}", err=True)
    else:
        click.echo(text, nl=False)
