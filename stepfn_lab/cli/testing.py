"""``stepfn-lab test``: run every test case of a MockConfigFile and report pass or fail.

Spec: Step Functions Local's MockConfigFile (StateMachines, TestCases, MockedResponses).
Taught in: ``stepfn-lab test --help``. (Named ``testing`` so pytest does not take it for a test file.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..errors import DefinitionError, StepFnLabError
from .common import EXIT_CODES, FAILED, OK, CliError, JsonValue, dump, exit_with, problems_text, read_json_file
from .source import DefinitionSource, Source

_EXPECT_KEYS = ("status", "output", "error", "cause", "input")
STATUSES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "RUNNING")


@click.command("test", epilog=EXIT_CODES)
@click.option("--mock-config", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The MockConfigFile (Step Functions Local format) whose test cases run.")
@click.option("--definition", "definitions", multiple=True, required=True, metavar="NAME=FILE",
              help="The definition of the state machine NAME of the MockConfigFile. Repeatable.")
@click.option("--expect", "expects", multiple=True, metavar="NAME:CASE=STATUS",
              help="The status a test case must end with (default SUCCEEDED). Repeatable.")
@click.option("--expectations", type=click.Path(exists=True, dir_okay=False),
              help='A JSON file {"Machine": {"Case": {"status": ..., "output": ..., "error": ..., "cause": ..., '
                   '"input": ...}}}: what each case must give, and its input.')
@click.option("--input", "input_", type=JsonValue(), default=None,
              help="The input of the cases that have none in --expectations. Default {}.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def run_tests(mock_config: str, definitions: tuple[str, ...], expects: tuple[str, ...], expectations: str | None,
         input_: Any, as_json: bool) -> None:
    """Run every test case of a MockConfigFile and report pass or fail.

    A case passes when its execution ends with the expected status (SUCCEEDED
    unless --expect or --expectations says otherwise) and, where expectations
    give them, the expected output, error and cause.

    \b
    Example:
      stepfn-lab test --mock-config MockConfigFile.json --definition Orders=orders.asl.json \\
                      --expect Orders:OutOfStock=FAILED

    Exits 0 when every case passed, 1 when one failed.
    """
    config = read_json_file(mock_config, "mock config")
    machines = config.get("StateMachines") if isinstance(config, dict) else None
    if not isinstance(machines, dict):
        raise CliError(f"{mock_config} has no \"StateMachines\" object")
    sources = _definition_pairs(definitions, machines)
    wanted = _expectations(expectations, expects, machines)
    results = []
    compiled: dict[str, Any] = {}  # one StateMachine per definition, run once per test case
    for machine_name, entry in machines.items():
        cases = (entry or {}).get("TestCases") or {}
        for case in cases:
            if machine_name not in sources:
                results.append(_CaseResult(machine_name, case, "SKIPPED",
                                           [f"no --definition {machine_name}=FILE"]))
                continue
            expected = {"status": "SUCCEEDED", **wanted.get(machine_name, {}).get(case, {})}
            results.append(_run_case(sources[machine_name], machine_name, case, config, expected, input_, compiled))
    _report(results, as_json)
    ran = [r for r in results if r.outcome != "SKIPPED"]
    if not ran:
        raise CliError("no test case ran: give --definition NAME=FILE for the machines of the MockConfigFile "
                       f"({', '.join(machines) or 'it has none'})")
    exit_with(OK if all(r.outcome == "PASSED" for r in ran) else FAILED)


class _CaseResult:
    def __init__(self, machine: str, case: str, outcome: str, problems: list[str], execution: Any = None):
        self.machine, self.case, self.outcome = machine, case, outcome
        self.problems, self.execution = problems, execution

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"machine": self.machine, "case": self.case, "outcome": self.outcome,
                               "problems": self.problems}
        if self.execution is not None:
            out.update(status=self.execution.status, output=self.execution.output, error=self.execution.error,
                       cause=self.execution.cause)
        return out


def _definition_pairs(definitions: tuple[str, ...], machines: dict) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for item in definitions:
        name, sep, file = item.partition("=")
        if not sep:
            name, file = "", item
        source = DefinitionSource().convert(file, None, None) if Path(file).is_file() or file.startswith(
            "example:") else None
        if source is None:
            raise CliError(f"--definition {item}: no such file: {file}")
        name = name or source.stem
        if name not in machines:
            raise CliError(f"--definition {item}: the MockConfigFile has no state machine {name!r} "
                           f"(it has: {', '.join(machines) or 'none'})")
        sources[name] = source
    return sources


def _expectations(path: str | None, expects: tuple[str, ...], machines: dict) -> dict[str, dict[str, dict]]:
    wanted: dict[str, dict[str, dict]] = {}
    if path:
        data = read_json_file(path, "expectations file")
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise CliError(f"{path} must be an object {{\"Machine\": {{\"Case\": {{\"status\": ...}}}}}}")
        for machine, cases in data.items():
            for case, entry in cases.items():
                if not isinstance(entry, dict) or set(entry) - set(_EXPECT_KEYS):
                    extra = sorted(set(entry) - set(_EXPECT_KEYS)) if isinstance(entry, dict) else entry
                    raise CliError(f"{path}: {machine}/{case}: expected an object with some of "
                                   f"{', '.join(_EXPECT_KEYS)}; got {extra!r}")
                _check_case(machine, case, machines, path)
                wanted.setdefault(machine, {})[case] = dict(entry)
    for item in expects:
        target, sep, status = item.partition("=")
        machine, colon, case = target.partition(":")
        if not (sep and colon and machine and case and status):
            raise CliError(f"--expect {item!r} is not NAME:CASE=STATUS (e.g. Orders:OutOfStock=FAILED)")
        _check_case(machine, case, machines, "--expect")
        if status.upper() not in STATUSES:
            raise CliError(f"--expect {item!r}: the status must be one of {', '.join(STATUSES)}")
        wanted.setdefault(machine, {}).setdefault(case, {})["status"] = status.upper()
    return wanted


def _check_case(machine: str, case: str, machines: dict, where: str) -> None:
    if machine not in machines:
        raise CliError(f"{where}: the MockConfigFile has no state machine {machine!r} "
                       f"(it has: {', '.join(machines) or 'none'})")
    cases = (machines[machine] or {}).get("TestCases") or {}
    if case not in cases:
        raise CliError(f"{where}: {machine!r} has no test case {case!r} (it has: {', '.join(cases) or 'none'})")


def _run_case(source: Source, machine_name: str, case: str, config: dict, expected: dict, input_: Any,
              compiled: dict[str, Any]) -> _CaseResult:
    run_input = expected.pop("input", input_)
    try:
        if machine_name not in compiled:
            compiled[machine_name] = source.machine(machine_name)
        machine = compiled[machine_name]
        execution = machine.run(source.input(run_input), mock_config=config, test_case=case,
                                **source.run_options())
    except DefinitionError as exc:
        return _CaseResult(machine_name, case, "ERROR", [problems_text(exc.problems)])
    except StepFnLabError as exc:
        return _CaseResult(machine_name, case, "ERROR", [str(exc)])
    problems = []
    for key, value in expected.items():
        got = getattr(execution, key)
        if got != value:
            problems.append(f"expected {key} {_short(value)}, got {_short(got)}")
    if problems and execution.status != "SUCCEEDED":
        problems.append(f"error: {execution.error}; cause: {_short(execution.cause)}")
    return _CaseResult(machine_name, case, "FAILED" if problems else "PASSED", problems, execution)


def _short(value: Any, width: int = 200) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text if len(text) <= width else text[: width - 3] + "..."


def _report(results: list[_CaseResult], as_json: bool) -> None:
    counts = {outcome: sum(r.outcome == outcome for r in results) for outcome in ("PASSED", "FAILED", "ERROR",
                                                                                   "SKIPPED")}
    failed = counts["FAILED"] + counts["ERROR"]
    summary = f"{counts['PASSED']} passed, {failed} failed" + (
        f", {counts['SKIPPED']} skipped" if counts["SKIPPED"] else "")
    if as_json:
        click.echo(dump({"passed": counts["PASSED"], "failed": failed, "skipped": counts["SKIPPED"],
                          "cases": [r.to_dict() for r in results]}))
        return
    width = max((len(f"{r.machine}::{r.case}") for r in results), default=0)
    for r in results:
        label = f"{r.machine}::{r.case}"
        status = f" ({r.execution.status})" if r.execution is not None else ""
        click.echo(f"{label.ljust(width)}  {r.outcome}{status}")
        for problem in r.problems:
            click.echo("    " + problem.replace("\n", "\n    "))
    click.echo(summary)
