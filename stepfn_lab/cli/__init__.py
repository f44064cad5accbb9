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
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import click

from .. import __version__
from ..errors import DefinitionError, StepFnLabError

OK, FAILED, USAGE = 0, 1, 2
EXIT_CODES = ("\b\nExit codes:\n"
              "  0  success (the execution SUCCEEDED, no validation errors, every test passed)\n"
              "  1  an execution did not succeed, a definition has errors, or a test failed\n"
              "  2  usage or environment problem (bad option or file, Graphviz or boto3 missing)")
PROGRESS_EVERY = 1000  # events between two progress lines


class UpperChoice(click.Choice):
    """A choice of upper-case words, typed in any case (``express`` is ``EXPRESS``)."""

    def __init__(self, choices: list[str]):
        super().__init__(choices, case_sensitive=True)

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        return super().convert(str(value).upper(), param, ctx)


WORKFLOW_TYPES = UpperChoice(["STANDARD", "EXPRESS"])


class CliError(click.ClickException):
    """A message for the user and an exit code (2 unless told otherwise)."""

    def __init__(self, message: str, exit_code: int = USAGE):
        super().__init__(message)
        self.exit_code = exit_code


# --- option types ------------------------------------------------------------------------------

class DefinitionSource(click.ParamType):
    """A definition file (.json, .asl.json, .yaml) or ``example:NAME`` (a bundled example)."""

    name = "FILE"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, Source):
            return value
        text = str(value)
        if text.startswith("example:"):
            name = text.split(":", 1)[1]
            known = _examples().names()
            if name not in known:
                self.fail(f"no bundled example named {name!r}; the examples are: {', '.join(known)}", param, ctx)
            return Source(text, None, name)
        path = Path(text)
        if not path.is_file():
            self.fail(f"no such file: {text}" + ("" if path.suffix else " (bundled examples are example:NAME)"),
                      param, ctx)
        return Source(text, path, _stem(path))


def _examples() -> Any:
    from .. import examples
    return examples


class Source:
    """Where a definition comes from, the name a machine gets from it, and what an example brings along."""

    def __init__(self, label: str, path: Path | None, stem: str):
        self.label, self.path, self.stem = label, path, stem

    @property
    def example(self) -> str | None:
        return self.stem if self.path is None else None

    def value(self) -> Any:
        """What ``StateMachine.from_json`` and ``validate`` take: JSON text or a path (line numbers), or a dict."""
        if self.path is None:
            return _examples().source(self.stem)
        if self.path.suffix.lower() in (".yaml", ".yml"):
            from ..export import load
            return load(self.path)
        return str(self.path)

    def definition(self) -> dict:
        """The definition as a dict."""
        from ..export import load
        value = self.value()
        return load(value) if not isinstance(value, dict) else value

    def default_name(self) -> str:
        if self.example:
            return _examples().machine_name(self.stem)
        from ..runtime.engine import _NAME_FORBIDDEN  # a file name may hold what a machine name may not
        return _NAME_FORBIDDEN.sub("-", self.stem)[:80] or "StateMachine"

    def machine(self, name: str | None = None, workflow_type: str | None = None) -> Any:
        from ..runtime.engine import StateMachine
        return StateMachine.from_json(self.value(), name=name or self.default_name(),
                                      workflow_type=(workflow_type or "STANDARD").upper())

    def run_options(self, lambdas: tuple = ()) -> dict:
        """``lambdas`` and ``tasks`` (and, for an example, its own handlers and prepared services) for
        ``machine.start``."""
        options: dict[str, Any] = {"lambdas": dict(lambdas)}
        context = click.get_current_context(silent=True)
        tasks = context.meta.get("stepfn_lab.tasks") if context is not None else None
        if tasks:
            options["tasks"] = dict(tasks)
        if self.example:
            examples = _examples()
            options["lambdas"] = {**examples.handlers(self.example), **options["lambdas"]}
            options["services"] = examples.prepare(self.example)
        return options

    def input(self, given: Any) -> Any:
        """The input given, else an example's sample input, else ``{}``."""
        if given is not None:
            return given
        return _examples().sample_input(self.example) if self.example else {}


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".asl.json", ".asl.yaml", ".asl.yml", ".json", ".yaml", ".yml"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)] or name
    return path.stem


class JsonValue(click.ParamType):
    """JSON text, ``@path`` to a JSON file, or ``-`` for standard input."""

    name = "JSON|@FILE"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if not isinstance(value, str):
            return value
        where, text = "the value", value
        if value == "-":
            where, text = "standard input", sys.stdin.read()
        elif value.startswith("@"):
            where = value[1:]
            try:
                text = Path(where).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                self.fail(f"cannot read {where}: {exc}", param, ctx)
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            hint = "" if value.startswith(("@", "-")) else " (quote it for the shell: --input '{\"a\": 1}')"
            self.fail(f"{where} is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}{hint}", param, ctx)


class LambdaSpec(click.ParamType):
    """``NAME_OR_ARN=module:function`` or ``NAME_OR_ARN=path/to/file.py:function``."""

    name = "ARN=MODULE:FUNCTION"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, tuple):
            return value
        key, sep, target = str(value).partition("=")
        where, colon, attr = target.rpartition(":")
        if not (sep and key and colon and where and attr):
            self.fail(f"{value!r} is not NAME_OR_ARN=module:function (e.g. "
                      f"--lambda OnFirstMatch=handlers:first or --lambda OnFirstMatch=src/handlers.py:first)",
                      param, ctx)
        try:
            module = _import_handler_module(where)
        except Exception as exc:  # the user's module failed to import: show why, no traceback
            self.fail(f"cannot import {where!r} for {key}: {type(exc).__name__}: {exc}", param, ctx)
        handler: Any = module
        for part in attr.split("."):
            handler = getattr(handler, part, None)
            if handler is None:
                self.fail(f"{where!r} has no attribute {attr!r} (for {key})", param, ctx)
        if not callable(handler):
            self.fail(f"{where}:{attr} is not a function (for {key})", param, ctx)
        return key, handler


def _import_handler_module(where: str) -> Any:
    """A module by dotted name (importable from the current folder) or by file path."""
    if where.endswith(".py") or "/" in where or os.sep in where:
        path = Path(where).resolve()
        if not path.is_file():
            raise FileNotFoundError(f"no such file: {where}")
        name = "stepfn_lab_handlers_" + "".join(c if c.isalnum() else "_" for c in str(path))
        if name in sys.modules:
            return sys.modules[name]
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"{where} is not a Python file")
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(path.parent))  # let the file import its neighbours
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
        return module
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    return importlib.import_module(where)


def _read_json_file(path: str, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read the {what} {path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise CliError(f"the {what} {path} is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None


def _exit(code: int) -> None:
    """End the command with an exit code (click's way, so CliRunner and standalone runs agree)."""
    click.get_current_context().exit(code)


def _dump(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


# --- the group: errors become messages -----------------------------------------------------

class _Group(click.Group):
    """Turns library errors into messages and exit codes; no traceback reaches the user."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except DefinitionError as exc:
            raise CliError(_problems_text(exc.problems), FAILED) from None
        except StepFnLabError as exc:
            raise CliError(str(exc)) from None
        except OSError as exc:
            raise CliError(f"{type(exc).__name__}: {exc}") from None
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            raise CliError(f"unexpected {type(exc).__name__}: {exc}\n"
                           f"(this is a bug in stepfn_lab; `stepfn-lab --debug ...` shows where)") from None


def _problems_text(problems: list) -> str:
    from ..asl.validate import format_problems
    return "the definition cannot run:\n" + format_problems(problems)


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


# --- shared options ----------------------------------------------------------------------------

def _execution_options(func: Callable) -> Callable:
    """--input, --lambda, --mock-config/--test-case, --name, --workflow-type, --seed."""
    options = [
        click.option("--input", "input_", type=JsonValue(), default=None,
                     help="The execution input: JSON text, @file.json, or - for stdin. "
                          "Default {} (for example:NAME, the example's sample input)."),
        click.option("--lambda", "lambdas", type=LambdaSpec(), multiple=True,
                     help="Serve a Lambda function (by name or ARN) with a Python function: "
                          "NAME_OR_ARN=module:function or NAME_OR_ARN=path/to/file.py:function. Repeatable."),
        click.option("--task", "tasks", type=LambdaSpec(), multiple=True, expose_value=False,
                     callback=_remember_tasks, metavar="RESOURCE=MODULE:FUNCTION",
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


def _remember_tasks(ctx: Any, param: Any, value: tuple) -> None:
    """--task values go to the run options through the command's context (see ``Source.run_options``)."""
    ctx.meta["stepfn_lab.tasks"] = dict(value or ())


def _mock_options(mock_config: str | None, test_case: str | None, name: str | None) -> tuple[dict, str | None]:
    """``(run keyword arguments, machine name)`` for --mock-config / --test-case."""
    if mock_config is None:
        if test_case:
            raise CliError("--test-case needs --mock-config FILE")
        return {}, name
    config = _read_json_file(mock_config, "mock config")
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


def _execute(machine: Any, input_: Any, progress: bool | None, **options: Any) -> Any:
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


def _progress_option(func: Callable) -> Callable:
    return click.option("--progress/--quiet", "-p/-q", default=None,
                        help=f"Show (or hide) the event count on stderr every {PROGRESS_EVERY} events. "
                             f"Default: shown when stderr is a terminal.")(func)


# --- validate ---------------------------------------------------------------------------------

@cli.command("validate", epilog=EXIT_CODES)
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
        click.echo(_dump(answers[files[0].label] if len(files) == 1 else answers))
    _exit(FAILED if failed else OK)


# --- run --------------------------------------------------------------------------------------

@cli.command(epilog=EXIT_CODES)
@click.argument("file", type=DefinitionSource())
@_execution_options
@click.option("--execution-name", help="The execution's name (default: a UUID).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: status, output, error, cause.")
@click.option("--history", is_flag=True,
              help="Also print the history: a table, or with --json the events in GetExecutionHistory's shape.")
@_progress_option
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
    run_options, name = _mock_options(mock_config, test_case, name)
    machine = file.machine(name, workflow_type)
    execution = _execute(machine, file.input(input_), progress, seed=seed, name=execution_name,
                         **file.run_options(lambdas), **run_options)
    if as_json:
        answer = {"status": execution.status, "output": execution.output, "error": execution.error,
                  "cause": execution.cause}
        if history:
            answer["events"] = execution.history.to_aws()["events"]
        click.echo(_dump(answer))
    else:
        click.echo(_execution_text(execution))
        if history:
            click.echo()
            click.echo(execution.history.table())
    _exit(OK if execution.status == "SUCCEEDED" else FAILED)


def _execution_text(execution: Any) -> str:
    lines = [f"status: {execution.status}"]
    if execution.status == "SUCCEEDED":
        lines.append("output: " + _dump(execution.output))
    elif execution.status == "RUNNING":
        lines.append("(waiting for a task token callback, which the command line cannot send)")
    else:
        lines += [f"error:  {execution.error}", f"cause:  {execution.cause}"]
    lines.append(f"events: {len(execution.history)}, virtual duration: {execution.duration:g}s")
    return "\n".join(lines)


# --- render -----------------------------------------------------------------------------------

RENDER_FORMATS = ("svg", "png", "pdf", "dot", "gv", "mmd")


@cli.command(epilog=EXIT_CODES)
@click.argument("file", type=DefinitionSource())
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help=f"The picture to write; its suffix picks the format: {', '.join(RENDER_FORMATS)} "
                   f"(.mmd is Mermaid text and needs no Graphviz).")
@_execution_options
@click.option("--direction", type=UpperChoice(["TB", "LR"]), default="TB",
              show_default=True, help="Top to bottom or left to right.")
@_progress_option
def render(file: Source, out: str, input_: Any, lambdas: tuple, mock_config: str | None, test_case: str | None,
           name: str | None, workflow_type: str, seed: int, direction: str, progress: bool | None) -> None:
    """Draw a state machine, or with --input the path an execution took.

    Needs Graphviz (the `dot` program and `pip install graphviz`) except for .mmd.
    """
    fmt = Path(out).suffix.lower().lstrip(".")
    if fmt not in RENDER_FORMATS:
        raise CliError(f"cannot tell the format of {out!r}: end it with one of "
                       f"{', '.join('.' + f for f in RENDER_FORMATS)}")
    run_options, name = _mock_options(mock_config, test_case, name)
    machine = file.machine(name, workflow_type)
    execution = None
    if input_ is not None or mock_config is not None or lambdas:
        execution = _execute(machine, file.input(input_), progress, seed=seed, **file.run_options(lambdas),
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


# --- test -------------------------------------------------------------------------------------

_EXPECT_KEYS = ("status", "output", "error", "cause", "input")
STATUSES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "RUNNING")


@cli.command("test", epilog=EXIT_CODES)
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
    config = _read_json_file(mock_config, "mock config")
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
    _exit(OK if all(r.outcome == "PASSED" for r in ran) else FAILED)


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
        data = _read_json_file(path, "expectations file")
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
        return _CaseResult(machine_name, case, "ERROR", [_problems_text(exc.problems)])
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
        click.echo(_dump({"passed": counts["PASSED"], "failed": failed, "skipped": counts["SKIPPED"],
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


# --- inspect ----------------------------------------------------------------------------------

@cli.command("inspect", epilog=EXIT_CODES)
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
        click.echo(_dump(answer))
    else:
        click.echo(_inspection_text(answer))
    _exit(OK if answer.get("status") in ("SUCCEEDED", "CAUGHT_ERROR") else FAILED)


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


# --- export -----------------------------------------------------------------------------------

@cli.command("export", epilog=EXIT_CODES)
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


# --- parity -----------------------------------------------------------------------------------

@cli.command(epilog=EXIT_CODES)
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
    click.echo(_dump(report.to_dict()) if as_json else report.text())
    _exit(OK if report.ok else FAILED)


# --- the course -------------------------------------------------------------------------------

@cli.command("lab", epilog=EXIT_CODES, context_settings={"ignore_unknown_options": True})
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
    _exit(course.open_lab(where, jupyter_args))


# --- doctor -----------------------------------------------------------------------------------

@cli.command(epilog=EXIT_CODES)
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
    _exit(OK if all(f.ok for f in findings) else FAILED)


# --- the command line from a notebook ------------------------------------------------------------

def command(line: str, *, env: dict | None = None, cwd: str | None = None, timeout: float = 120) -> "CommandResult":
    """Run ``stepfn-lab <line>`` as a terminal would (a new process of this Python) and show what it printed.

    For notebooks, where ``!stepfn-lab`` depends on the shell's PATH: ``command("validate example:seed")``
    prints ``$ stepfn-lab validate example:seed``, the output and the exit code. ``env`` adds variables for
    that process only (the notebook's own environment is not changed).
    """
    import shlex

    arguments = shlex.split(line)
    full_env = {**os.environ, **(env or {})}
    done = subprocess.run([sys.executable, "-m", "stepfn_lab", *arguments], capture_output=True, text=True,
                          env=full_env, cwd=cwd, timeout=timeout, encoding="utf-8")
    return CommandResult(line, done.returncode, done.stdout, done.stderr)


class CommandResult:
    """What ``command()`` ran: ``exit_code``, ``stdout``, ``stderr``; shows as a terminal would."""

    def __init__(self, line: str, exit_code: int, stdout: str, stderr: str):
        self.line, self.exit_code, self.stdout, self.stderr = line, exit_code, stdout, stderr

    def __repr__(self) -> str:
        out = (self.stdout + self.stderr).rstrip("\n")
        return f"$ stepfn-lab {self.line}\n{out}\n(exit code {self.exit_code})" if out else \
            f"$ stepfn-lab {self.line}\n(exit code {self.exit_code})"
