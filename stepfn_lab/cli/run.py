"""``stepfn-lab run``, and the execution options ``run`` and ``render`` share.

Spec: ``run --json --history`` answers like DescribeExecution and GetExecutionHistory;
``--mock-config`` reads Step Functions Local's MockConfigFile. Taught in: ``stepfn-lab run --help``.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Callable

import click

from .common import (EXIT_CODES, FAILED, OK, WORKFLOW_TYPES, CliError, JsonValue, LambdaSpec, dump, exit_with,
                     read_json_file)
from .source import DefinitionSource, Source

PROGRESS_EVERY = 1000  # events between two progress lines


def execution_options(func: Callable) -> Callable:
    """--input, --lambda, --mock-config/--test-case, --name, --workflow-type, --seed."""
    options = [
        click.option("--input", "input_", type=JsonValue(), default=None,
                     help="The execution input: JSON text, @file.json, or - for stdin. "
                          "Default {} (for example:NAME, the example's sample input)."),
        click.option("--lambda", "lambdas", type=LambdaSpec(), multiple=True,
                     help="Serve a Lambda function (by name or ARN) with a Python function: "
                          "NAME_OR_ARN=module:function or NAME_OR_ARN=path/to/file.py:function. Repeatable."),
        click.option("--task", "tasks", type=LambdaSpec(), multiple=True, expose_value=False,
                     callback=remember_tasks, metavar="RESOURCE=MODULE:FUNCTION",
                     help="Serve a Task resource with a Python function fn(request): RESOURCE=module:function, "
                          "RESOURCE as it follows arn:aws:states::: (aws-sdk:rekognition:detectLabels, "
                          "batch:submitJob.sync). Repeatable."),
        click.option("--mock-config", type=click.Path(exists=True, dir_okay=False),
                     help="A Step Functions Local MockConfigFile (JSON) answering the Task states."),
        click.option("--test-case", help="The MockConfigFile test case to run (with --mock-config)."),
        click.option("--name", help="The state machine's name (default: the file name without .asl.json); "
                                    "MockConfigFile test cases are looked up under it."),
        click.option("--workflow-type", type=WORKFLOW_TYPES, default="STANDARD", show_default=True,
                     help="STANDARD or EXPRESS."),
        click.option("--seed", type=int, default=0, show_default=True,
                     help="Seed for States.UUID, States.MathRandom and retry jitter."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def remember_tasks(ctx: Any, param: Any, value: tuple) -> None:
    """--task values go to the run options through the command's context (see ``Source.run_options``)."""
    ctx.meta["stepfn_lab.tasks"] = dict(value or ())


def mock_options(mock_config: str | None, test_case: str | None, name: str | None) -> tuple[dict, str | None]:
    """``(run keyword arguments, machine name)`` for --mock-config / --test-case."""
    if mock_config is None:
        if test_case:
            raise CliError("--test-case needs --mock-config FILE")
        return {}, name
    config = read_json_file(mock_config, "mock config")
    machines = config.get("StateMachines") if isinstance(config, dict) else None
    if not isinstance(machines, dict) or not machines:
        raise CliError(f"{mock_config} has no \"StateMachines\" object; a MockConfigFile looks like "
                       f"{{\"StateMachines\": {{\"Name\": {{\"TestCases\": {{...}}}}}}, \"MockedResponses\": {{...}}}}")
    if name is None and len(machines) == 1:
        name = next(iter(machines))
    if not test_case:
        cases = sorted((machines.get(name) or {}).get("TestCases") or {}) if name else []
        raise CliError("--mock-config needs --test-case NAME" + (f" (one of: {', '.join(cases)})" if cases else ""))
    return {"mock_config": config, "test_case": test_case}, name


def execute(machine: Any, input_: Any, progress: bool | None, **options: Any) -> Any:
    """Start and run an execution; with ``progress``, report the event count on stderr as it goes."""
    if progress is None:
        progress = sys.stderr.isatty()
    execution = machine.start(input_, **options)
    if not progress:
        return execution.run()
    err = sys.stderr
    tty = err.isatty()
    started = time.perf_counter()
    while True:
        before = len(execution.history)
        execution.run(max_events=PROGRESS_EVERY)
        if execution.done or len(execution.history) - before < PROGRESS_EVERY:
            break
        line = (f"{machine.name}: {len(execution.history):,} events, virtual time {execution.clock.now:g}s, "
                f"{time.perf_counter() - started:.1f}s")
        err.write(f"\r{line}\x1b[K" if tty else line + "\n")
        err.flush()
    if tty:
        err.write("\r\x1b[K")
        err.flush()
    return execution


def progress_option(func: Callable) -> Callable:
    return click.option("--progress/--quiet", "-p/-q", default=None,
                        help=f"Show (or hide) the event count on stderr every {PROGRESS_EVERY} events. "
                             f"Default: shown when stderr is a terminal.")(func)


# --- run --------------------------------------------------------------------------------------

@click.command("run", epilog=EXIT_CODES)
@click.argument("file", type=DefinitionSource())
@execution_options
@click.option("--execution-name", help="The execution's name (default: a UUID).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: status, output, error, cause.")
@click.option("--history", is_flag=True,
              help="Also print the history: a table, or with --json the events in GetExecutionHistory's shape.")
@progress_option
def run(file: Source, input_: Any, lambdas: tuple, mock_config: str | None, test_case: str | None,
        name: str | None, workflow_type: str, seed: int, execution_name: str | None, as_json: bool,
        history: bool, progress: bool | None) -> None:
    """Run a state machine locally and print its status, output, error and cause.

    \b
    Examples:
      stepfn-lab run seed.asl.json --input '{"foo": 1}' --lambda FUNCTION_NAME=handlers:main
      stepfn-lab run orders.asl.json --input @order.json --mock-config mocks.json --test-case HappyPath

    Exits 0 when the execution SUCCEEDED, 1 otherwise.
    """
    run_options, name = mock_options(mock_config, test_case, name)
    machine = file.machine(name, workflow_type)
    execution = execute(machine, file.input(input_), progress, seed=seed, name=execution_name,
                         **file.run_options(lambdas), **run_options)
    if as_json:
        answer = {"status": execution.status, "output": execution.output, "error": execution.error,
                  "cause": execution.cause}
        if history:
            answer["events"] = execution.history.to_aws()["events"]
        click.echo(dump(answer))
    else:
        click.echo(_execution_text(execution))
        if history:
            click.echo()
            click.echo(execution.history.table())
    exit_with(OK if execution.status == "SUCCEEDED" else FAILED)


def _execution_text(execution: Any) -> str:
    lines = [f"status: {execution.status}"]
    if execution.status == "SUCCEEDED":
        lines.append("output: " + dump(execution.output))
    elif execution.status == "RUNNING":
        lines.append("(waiting for a task token callback, which the command line cannot send)")
    else:
        lines += [f"error:  {execution.error}", f"cause:  {execution.cause}"]
    lines.append(f"events: {len(execution.history)}, virtual duration: {execution.duration:g}s")
    return "\n".join(lines)
