"""``stepfn-lab parity``: run a definition locally and on Step Functions, and compare the two runs.

Spec: StartExecution / DescribeExecution / GetExecutionHistory on AWS or an emulator (see
``stepfn_lab.aws``). Taught in: notebooks/16-from-the-lab-to-aws.ipynb.
"""

from __future__ import annotations

from typing import Any

import click

from .common import EXIT_CODES, FAILED, OK, WORKFLOW_TYPES, JsonValue, LambdaSpec, dump, exit_with
from .source import DefinitionSource, Source

@click.command("parity", epilog=EXIT_CODES)
@click.argument("file", type=DefinitionSource())
@click.option("--input", "input_", type=JsonValue(), default=None, help="The execution input. Default {}.")
@click.option("--lambda", "lambdas", type=LambdaSpec(), multiple=True,
              help="A local handler for the local run (the remote run calls the real function). Repeatable.")
@click.option("--endpoint-url", help="A Step Functions endpoint (an emulator); default: AWS itself.")
@click.option("--region", default="us-east-1", show_default=True)
@click.option("--role-arn", help="The IAM role the remote machine runs as (required on AWS).")
@click.option("--name", help="The state machine's name, locally and remotely (created or updated).")
@click.option("--workflow-type", type=WORKFLOW_TYPES, default="STANDARD", show_default=True)
@click.option("--timeout", type=float, default=60.0, show_default=True,
              help="Seconds to wait for the remote execution.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def parity(file: Source, input_: Any, lambdas: tuple, endpoint_url: str | None, region: str,
           role_arn: str | None, name: str | None, workflow_type: str, timeout: float, as_json: bool) -> None:
    """Run a definition locally and on Step Functions, and compare the two runs.

    Needs boto3 (pip install stepfn-lab[aws]) and credentials for the endpoint.
    Exits 0 when the runs agree, 1 when they differ.
    """
    from ..aws import AwsRunner, parity_report

    runner = AwsRunner(endpoint_url=endpoint_url, region=region, role_arn=role_arn)
    machine = file.machine(name, workflow_type)
    report = parity_report(machine, file.input(input_), runner=runner, timeout=timeout, **file.run_options(lambdas))
    click.echo(dump(report.to_dict()) if as_json else report.text())
    exit_with(OK if report.ok else FAILED)
