"""``stepfn-lab inspect``: run one state alone, like AWS's TestState API, and show its data flow.

Spec: TestState (inspectionLevel INFO/DEBUG/TRACE, mock, stateConfiguration). Taught in:
``stepfn-lab inspect --help`` (the notebooks call ``stepfn_lab.inspect_state``).
"""

from __future__ import annotations

import json
from typing import Any

import click

from ..errors import StepFnLabError
from .common import EXIT_CODES, FAILED, OK, CliError, JsonValue, LambdaSpec, UpperChoice, dump, exit_with
from .source import DefinitionSource, Source

@click.command("inspect", epilog=EXIT_CODES)
@click.argument("file", type=DefinitionSource())
@click.option("--state", "state_name", help="The state to test (required when FILE is a whole state machine).")
@click.option("--input", "input_", type=JsonValue(), default=None, help="The state's input. Default {}.")
@click.option("--level", type=UpperChoice(["INFO", "DEBUG", "TRACE"]), default="INFO",
              show_default=True, help="How much inspectionData to show, as TestState's inspectionLevel.")
@click.option("--variables", type=JsonValue(), default=None, help="Workflow variables visible to the state.")
@click.option("--mock", type=JsonValue(), default=None,
              help='A mocked Task result, as TestState takes it: {"result": "..."} or {"errorOutput": {...}}.')
@click.option("--context", type=JsonValue(), default=None, help="The context object ($$) the state sees.")
@click.option("--retry-count", type=click.IntRange(min=0), default=None,
              help="How many retries already ran (TestState's stateConfiguration.retrierRetryCount).")
@click.option("--lambda", "lambdas", type=LambdaSpec(), multiple=True,
              help="Serve a Lambda function the state calls: NAME_OR_ARN=module:function. Repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print TestState's response as JSON.")
def inspect_command(file: Source, state_name: str | None, input_: Any, level: str, variables: Any, mock: Any,
                    context: Any, retry_count: int | None, lambdas: tuple, as_json: bool) -> None:
    """Run one state alone, like AWS's TestState API, and show its data flow.

    FILE is one state's JSON, or a state machine with --state NAME (default:
    its StartAt state). TestState writes JSON values as JSON text; so does --json.

    Exits 0 when the state SUCCEEDED (or caught its error), 1 otherwise.
    """
    from .. import inspect_state

    options: dict[str, Any] = {
        "input": json.dumps(file.input(input_)), "inspection_level": level.upper(), "state_name": state_name,
        "variables": None if variables is None else json.dumps(variables), "mock": mock, "context": context,
        "state_configuration": None if retry_count is None else {"retrierRetryCount": retry_count},
    }
    run_options = file.run_options(lambdas)
    try:
        answer = inspect_state(definition=file.definition(), **{k: v for k, v in options.items() if v is not None},
                               **run_options)
    except ValueError as exc:  # TestState's ValidationException: a request it cannot run
        if isinstance(exc, StepFnLabError):
            raise
        raise CliError(str(exc)) from None
    answer = _as_dict(answer)
    if as_json:
        click.echo(dump(answer))
    else:
        click.echo(_inspection_text(answer))
    exit_with(OK if answer.get("status") in ("SUCCEEDED", "CAUGHT_ERROR") else FAILED)


def _as_dict(answer: Any) -> dict:
    for method in ("to_aws", "to_dict"):
        if hasattr(answer, method):
            return getattr(answer, method)()
    if isinstance(answer, dict):
        return answer
    return dict(vars(answer))


def _inspection_text(answer: dict) -> str:
    lines = []
    for key in ("status", "nextState", "output", "error", "cause"):
        if answer.get(key) is not None:
            lines.append(f"{key}: {_maybe_json(answer[key])}")
    data = answer.get("inspectionData") or {}
    if data:
        lines.append("inspectionData:")
        width = max(len(k) for k in data)
        for key, value in data.items():
            lines.append(f"  {key.ljust(width)}  {_maybe_json(value)}")
    return "\n".join(lines)


def _maybe_json(value: Any) -> str:
    """TestState answers with JSON text in its fields: show it compact, decoded when it parses."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
