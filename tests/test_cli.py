"""The ``stepfn-lab`` command line: every command, its output and its exit codes.

Most tests drive the click group in-process with ``CliRunner``; a few run
``python -m stepfn_lab`` as a real subprocess, as CI and a shell would.
The seed is the course README's ASL example (FirstState -> ChoiceState on
``$.foo`` -> FirstMatchState / SecondMatchState / DefaultState), written to a
temporary file here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import stepfn_lab as sfl
from stepfn_lab.cli import cli

ROOT = Path(__file__).resolve().parent.parent

SEED = {
    "Comment": "An example of the Amazon States Language using a choice state.",
    "StartAt": "FirstState",
    "States": {
        "FirstState": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:FUNCTION_NAME",
                       "Next": "ChoiceState"},
        "ChoiceState": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.foo", "NumericEquals": 1, "Next": "FirstMatchState"},
                {"Variable": "$.foo", "NumericEquals": 2, "Next": "SecondMatchState"},
            ],
            "Default": "DefaultState",
        },
        "FirstMatchState": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:OnFirstMatch",
                            "Next": "NextState"},
        "SecondMatchState": {"Type": "Task",
                             "Resource": "arn:aws:lambda:us-east-1:123456789012:function:OnSecondMatch",
                             "Next": "NextState"},
        "DefaultState": {"Type": "Fail", "Error": "DefaultStateError", "Cause": "No Matches!"},
        "NextState": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:FUNCTION_NAME",
                      "End": True},
    },
}

HANDLERS = '''
calls = {"flaky": 0}

def passthrough(event, context):
    return event

def first(event, context):
    return {**event, "matched": "first"}

def second(event):
    return {**event, "matched": "second"}

def explode(event):
    raise ValueError("the handler broke")

def flaky(event):
    calls["flaky"] += 1
    if calls["flaky"] == 1:
        raise ConnectionError("the drill slipped")
    return {**event, "doors": "hung"}

def step(name):
    def handler(event):
        return {**event, name: "done"}
    return handler

frame = step("frame")
shelves = step("shelves")
handles = step("handles")
'''

SEED_LAMBDAS = ["--lambda", "FUNCTION_NAME=course_handlers:passthrough",
                "--lambda", "OnFirstMatch=course_handlers:first",
                "--lambda", "arn:aws:lambda:us-east-1:123456789012:function:OnSecondMatch=course_handlers:second"]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A current folder holding seed.asl.json and course_handlers.py (freshly imported per test)."""
    (tmp_path / "seed.asl.json").write_text(json.dumps(SEED, indent=2), encoding="utf-8")
    (tmp_path / "course_handlers.py").write_text(HANDLERS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "course_handlers", raising=False)
    return tmp_path


def invoke(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), input=input)


def write(path: Path, value: Any) -> str:
    path.write_text(json.dumps(value), encoding="utf-8")
    return str(path)


# --- help -------------------------------------------------------------------------------------

COMMANDS = ["validate", "run", "render", "test", "inspect", "export", "parity"]


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_command_has_help_with_the_exit_codes(command: str | None) -> None:
    result = invoke(*([command] if command else []), "--help")
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout
    assert "Exit codes:" in result.stdout
    assert "2  usage or environment problem" in result.stdout


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert sfl.__version__ in result.stdout


# --- run: the seed ------------------------------------------------------------------------------

@pytest.mark.parametrize("foo, status, code", [(1, "SUCCEEDED", 0), (2, "SUCCEEDED", 0), (3, "FAILED", 1)])
def test_run_the_seed_on_each_path(workdir: Path, foo: int, status: str, code: int) -> None:
    result = invoke("run", "seed.asl.json", "--input", json.dumps({"foo": foo}), *SEED_LAMBDAS)
    assert result.exit_code == code, result.output
    assert result.stdout.splitlines()[0] == f"status: {status}"
    if foo == 1:
        assert '"matched": "first"' in result.stdout
    elif foo == 2:
        assert '"matched": "second"' in result.stdout
    else:
        assert "error:  DefaultStateError" in result.stdout
        assert "cause:  No Matches!" in result.stdout


def test_run_json_has_exactly_status_output_error_cause(workdir: Path) -> None:
    result = invoke("run", "seed.asl.json", "--input", '{"foo": 1}', "--json", *SEED_LAMBDAS)
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer == {"status": "SUCCEEDED", "output": {"foo": 1, "matched": "first"}, "error": None,
                      "cause": None}


def test_run_json_history_is_aws_shaped(workdir: Path) -> None:
    result = invoke("run", "seed.asl.json", "--input", '{"foo": 3}', "--json", "--history", *SEED_LAMBDAS)
    assert result.exit_code == 1
    answer = json.loads(result.stdout)
    assert (answer["status"], answer["error"], answer["cause"]) == ("FAILED", "DefaultStateError", "No Matches!")
    events = answer["events"]
    assert events[0]["type"] == "ExecutionStarted" and events[0]["id"] == 1
    assert events[-1]["type"] == "ExecutionFailed"
    assert events[-1]["executionFailedEventDetails"]["error"] == "DefaultStateError"
    assert any(e["type"] == "ChoiceStateEntered" for e in events)
    assert all("previousEventId" in e and "timestamp" in e for e in events)


def test_run_history_table(workdir: Path) -> None:
    result = invoke("run", "seed.asl.json", "--input", '{"foo": 2}', "--history", *SEED_LAMBDAS)
    assert result.exit_code == 0
    table = result.stdout.split("\n\n", 1)[1]
    assert table.splitlines()[0].split() == ["id", "prev", "elapsed", "type", "detail"]
    assert "ChoiceStateEntered" in table and "SecondMatchState" in table


def test_run_input_from_a_file_and_from_stdin(workdir: Path) -> None:
    (workdir / "in.json").write_text('{"foo": 2}', encoding="utf-8")
    from_file = invoke("run", "seed.asl.json", "--input", "@in.json", "--json", *SEED_LAMBDAS)
    from_stdin = invoke("run", "seed.asl.json", "--input", "-", "--json", *SEED_LAMBDAS, input='{"foo": 2}')
    assert json.loads(from_file.stdout)["output"] == {"foo": 2, "matched": "second"}
    assert json.loads(from_stdin.stdout) == json.loads(from_file.stdout)


def test_run_a_handler_from_a_file_path(workdir: Path) -> None:
    (workdir / "lib").mkdir()
    (workdir / "lib" / "greet.py").write_text("def hello(event):\n    return {'hello': event['name']}\n")
    machine = {"StartAt": "Greet", "States": {"Greet": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "Greeter", "Payload.$": "$"}, "OutputPath": "$.Payload", "End": True}}}
    path = write(workdir / "greet.asl.json", machine)
    result = invoke("run", path, "--input", '{"name": "Ana"}', "--lambda", "Greeter=lib/greet.py:hello", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["output"] == {"hello": "Ana"}


def test_a_failing_handler_fails_the_execution(workdir: Path) -> None:
    result = invoke("run", "seed.asl.json", "--input", '{"foo": 1}', "--json",
                    "--lambda", "FUNCTION_NAME=course_handlers:explode")
    assert result.exit_code == 1
    answer = json.loads(result.stdout)
    assert answer["status"] == "FAILED"
    assert answer["error"] == "ValueError"
    assert "the handler broke" in answer["cause"]


def test_run_without_a_handler_explains_the_missing_lambda(workdir: Path) -> None:
    result = invoke("run", "seed.asl.json", "--input", '{"foo": 1}')
    assert result.exit_code == 1
    assert "FUNCTION_NAME" in result.stdout


def test_run_names_the_machine_and_the_execution(workdir: Path) -> None:
    machine = {"StartAt": "Who", "States": {"Who": {"Type": "Pass", "End": True, "Parameters": {
        "machine.$": "$$.StateMachine.Name", "execution.$": "$$.Execution.Name"}}}}
    path = write(workdir / "who.asl.json", machine)
    plain = json.loads(invoke("run", path, "--json").stdout)
    assert plain["output"]["machine"] == "who"
    named = json.loads(invoke("run", path, "--name", "Orders", "--execution-name", "first-run", "--json").stdout)
    assert named["output"] == {"machine": "Orders", "execution": "first-run"}


def test_run_express(workdir: Path) -> None:
    long_wait = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 600, "End": True}}}
    path = write(workdir / "nap.asl.json", long_wait)
    assert invoke("run", path).exit_code == 0
    express = invoke("run", path, "--workflow-type", "express", "--json")
    assert express.exit_code == 1
    assert json.loads(express.stdout)["status"] == "TIMED_OUT"


def test_run_a_yaml_definition(workdir: Path) -> None:
    (workdir / "hello.asl.yaml").write_text(textwrap.dedent("""\
        StartAt: Hello
        States:
          Hello:
            Type: Pass
            Result: world
            ResultPath: $.greeting
            End: true
        """), encoding="utf-8")
    result = invoke("run", "hello.asl.yaml", "--input", '{"a": 1}', "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["output"] == {"a": 1, "greeting": "world"}


# --- the course's workflows -----------------------------------------------------------------------

FURNITURE = {
    "Comment": "Assembling furniture: frame, shelves, doors, handles; the doors step retries once.",
    "StartAt": "Frame",
    "States": {
        "Frame": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Frame",
                  "Next": "Shelves"},
        "Shelves": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Shelves",
                    "Next": "Doors"},
        "Doors": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Doors",
                  "Retry": [{"ErrorEquals": ["ConnectionError"], "IntervalSeconds": 2, "MaxAttempts": 2}],
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "CallForHelp"}],
                  "Next": "Handles"},
        "Handles": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Handles",
                    "End": True},
        "CallForHelp": {"Type": "Fail", "Error": "AssemblyFailed", "Cause": "the doors would not hang"},
    },
}
FURNITURE_LAMBDAS = ["--lambda", "Frame=course_handlers:frame", "--lambda", "Shelves=course_handlers:shelves",
                     "--lambda", "Handles=course_handlers:handles"]


def test_the_furniture_workflow_retries_and_succeeds(workdir: Path) -> None:
    path = write(workdir / "furniture.asl.json", FURNITURE)
    result = invoke("run", path, "--input", '{"kit": "bookcase"}', "--json", "--history", *FURNITURE_LAMBDAS,
                    "--lambda", "Doors=course_handlers:flaky")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["output"] == {"kit": "bookcase", "frame": "done", "shelves": "done", "doors": "hung",
                                "handles": "done"}
    types = [e["type"] for e in answer["events"]]
    assert types.count("LambdaFunctionFailed") == 1
    assert types.count("LambdaFunctionSucceeded") == 4


def test_the_furniture_workflow_fails_into_its_catch(workdir: Path) -> None:
    path = write(workdir / "furniture.asl.json", FURNITURE)
    result = invoke("run", path, *FURNITURE_LAMBDAS, "--lambda", "Doors=course_handlers:explode")
    assert result.exit_code == 1
    assert "error:  AssemblyFailed" in result.stdout


ECOMMERCE = {
    "Comment": "A purchase: the products API and the customers API, then a notification.",
    "StartAt": "RecordPurchase",
    "States": {
        "RecordPurchase": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Products", "States": {"Products": {
                    "Type": "Pass", "Parameters": {"sku.$": "$.sku", "sold": True}, "End": True}}},
                {"StartAt": "Customers", "States": {"Customers": {
                    "Type": "Pass", "Parameters": {"customer.$": "$.customer", "bought.$": "$.sku"}, "End": True}}},
            ],
            "ResultPath": "$.records",
            "Next": "Notify",
        },
        "Notify": {"Type": "Pass",
                   "Parameters": {"message.$": "States.Format('{} bought {}', $.customer, $.sku)"}, "End": True},
    },
}


def test_the_ecommerce_workflow(workdir: Path) -> None:
    path = write(workdir / "purchase.asl.json", ECOMMERCE)
    result = invoke("run", path, "--input", '{"sku": "P-1", "customer": "ana"}', "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["output"] == {"message": "ana bought P-1"}


@pytest.mark.parametrize("example", ["seed", "ecommerce_order", "furniture_assembly", "etl_pipeline"])
def test_the_bundled_course_workflows_run_with_their_handlers(example: str) -> None:
    result = invoke("run", f"example:{example}", "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    expected = sfl.examples.load(example).run(sfl.examples.sample_input(example),
                                              lambdas=sfl.examples.handlers(example),
                                              services=sfl.examples.prepare(example))
    assert answer["status"] == expected.status == "SUCCEEDED"
    assert answer["output"] == expected.output


@pytest.mark.parametrize("foo, matched", [(1, "FirstMatchState"), (2, "SecondMatchState")])
def test_the_bundled_seed_on_each_path(foo: int, matched: str) -> None:
    result = invoke("run", "example:seed", "--input", json.dumps({"foo": foo}), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["output"] == {"foo": foo, "matched": matched}
    failed = invoke("run", "example:seed", "--input", '{"foo": "other"}')
    assert failed.exit_code == 1
    assert "error:  DefaultStateError" in failed.stdout


def test_a_workflow_waiting_for_a_callback_is_not_a_success() -> None:
    result = invoke("run", "example:manual_approval")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        "status: RUNNING", "(waiting for a task token callback, which the command line cannot send)"]


# --- bad input: messages and exit 2, never a traceback --------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["run", "seed.asl.json", "--input", '{"foo": 1'], "is not JSON: Expecting ',' delimiter at line 1, column 10"),
    (["run", "seed.asl.json", "--input", "@missing.json"], "cannot read missing.json"),
    (["run", "nothing.asl.json"], "no such file: nothing.asl.json"),
    (["run", "seed.asl.json", "--lambda", "FUNCTION_NAME"], "is not NAME_OR_ARN=module:function"),
    (["run", "seed.asl.json", "--lambda", "F=no_such_module_here:f"], "No module named 'no_such_module_here'"),
    (["run", "seed.asl.json", "--lambda", "F=course_handlers:nope"], "has no attribute 'nope'"),
    (["run", "seed.asl.json", "--lambda", "F=course_handlers:calls"], "is not a function"),
    (["run", "seed.asl.json", "--test-case", "X"], "--test-case needs --mock-config FILE"),
    (["run", "seed.asl.json", "--workflow-type", "SLOW"], "'SLOW' is not one of"),
    (["render", "seed.asl.json", "-o", "picture.jpeg"], "cannot tell the format of 'picture.jpeg'"),
    (["run", "example:no-such-example"], "no bundled example named 'no-such-example'; the examples are: "),
    (["inspect", "seed.asl.json", "--state", "Nope"], "the definition has no top-level state 'Nope'"),
    (["nonsense"], "No such command 'nonsense'"),
])
def test_usage_problems_exit_2_with_a_message(workdir: Path, args: list[str], message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_handler_module_that_fails_to_import(workdir: Path) -> None:
    (workdir / "broken_handlers.py").write_text("raise RuntimeError('cannot start')\n")
    result = invoke("run", "seed.asl.json", "--lambda", "F=broken_handlers:f")
    assert result.exit_code == 2
    assert "RuntimeError: cannot start" in result.output


def test_an_invalid_definition_exits_1_with_the_problems(workdir: Path) -> None:
    broken = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "Bee": {"Type": "Succeed"}}}
    path = write(workdir / "broken.asl.json", broken)
    result = invoke("run", path)
    assert result.exit_code == 1
    assert "the definition cannot run" in result.output
    assert "Missing 'Next' target: B" in result.output
    assert "(line 1, column" in result.output  # located in the file
    assert "Traceback" not in result.output


def test_unexpected_errors_are_one_line_unless_debug(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_start(self, *args, **kwargs):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(sfl.StateMachine, "start", broken_start)
    result = invoke("run", "seed.asl.json")
    assert result.exit_code == 2
    assert "unexpected RuntimeError: engine exploded" in result.output
    assert "Traceback" not in result.output
    debug = invoke("--debug", "run", "seed.asl.json")
    assert isinstance(debug.exception, RuntimeError)


# --- progress -------------------------------------------------------------------------------------

LOOP = {
    "StartAt": "Init",
    "States": {
        "Init": {"Type": "Pass", "Result": 0, "ResultPath": "$.i", "Next": "Loop"},
        "Loop": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericGreaterThanEquals": 600, "Next": "Done"}],
                 "Default": "Inc"},
        "Inc": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Loop"},
        "Done": {"Type": "Succeed"},
    },
}


def test_progress_on_stderr_for_long_runs(workdir: Path) -> None:
    path = write(workdir / "loop.asl.json", LOOP)
    shown = invoke("run", path, "--progress", "--json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["output"] == {"i": 600}
    lines = shown.stderr.splitlines()
    assert re.fullmatch(r"loop: 1,00\d events, virtual time 0s, \d+\.\ds", lines[0]), lines
    assert re.fullmatch(r"loop: 2,00\d events, .*", lines[1]), lines
    assert len(lines) == 2  # about 2,400 events in all
    quiet = invoke("run", path, "--quiet")
    assert quiet.exit_code == 0 and quiet.stderr == ""
    default = invoke("run", path)  # stderr is not a terminal here
    assert default.stderr == ""


# --- validate -------------------------------------------------------------------------------------

def test_validate_ok_and_errors(workdir: Path) -> None:
    ok = invoke("validate", "seed.asl.json")
    assert ok.exit_code == 0 and ok.stdout.strip() == "seed.asl.json: OK"
    broken = write(workdir / "broken.asl.json", {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})
    bad = invoke("validate", broken)
    assert bad.exit_code == 1
    assert "ERROR MISSING_TRANSITION_TARGET at /States/A/Next" in bad.stdout


def test_validate_json_is_aws_shaped(workdir: Path) -> None:
    broken = write(workdir / "broken.asl.json", {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})
    result = invoke("validate", broken, "--json")
    assert result.exit_code == 1
    answer = json.loads(result.stdout)
    assert set(answer) == {"result", "diagnostics", "truncated"}
    assert answer["result"] == "FAIL"
    assert {"severity": "ERROR", "code": "MISSING_TRANSITION_TARGET", "message": "Missing 'Next' target: B",
            "location": "/States/A/Next"} in answer["diagnostics"]


def test_validate_warnings_alone_exit_0(workdir: Path) -> None:
    static = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"x.$": "$.a"}, "End": True}}}
    path = write(workdir / "static.asl.json", static)
    result = invoke("validate", path)
    assert result.exit_code == 0
    assert "WARNING PASS_RESULT_IS_STATIC" in result.stdout
    errors_only = json.loads(invoke("validate", path, "--json").stdout)
    assert errors_only == {"result": "OK", "diagnostics": [], "truncated": False}
    with_warnings = json.loads(invoke("validate", path, "--json", "--severity", "WARNING").stdout)
    assert [d["code"] for d in with_warnings["diagnostics"]] == ["PASS_RESULT_IS_STATIC"]
    assert with_warnings["diagnostics"][0]["severity"] == "WARNING"


def test_validate_several_files_and_a_workflow_type(workdir: Path) -> None:
    callback = {"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": True,
        "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                       "MessageBody": {"token.$": "$$.Task.Token"}}}}}
    path = write(workdir / "callback.asl.json", callback)
    standard = invoke("validate", "seed.asl.json", path, "--json")
    assert standard.exit_code == 0
    assert {k: v["result"] for k, v in json.loads(standard.stdout).items()} == {"seed.asl.json": "OK", path: "OK"}
    express = invoke("validate", "seed.asl.json", path, "--workflow-type", "EXPRESS")
    assert express.exit_code == 1
    assert "== seed.asl.json\nseed.asl.json: OK" in express.stdout
    assert f"== {path}\nERROR" in express.stdout


def test_validate_points_at_a_json_syntax_error(workdir: Path) -> None:
    (workdir / "typo.asl.json").write_text('{"StartAt": "A",\n "States": {"A": {"Type": "Pass" "End": true}}}')
    result = invoke("validate", "typo.asl.json")
    assert result.exit_code == 1
    assert "line 2" in result.stdout
    assert "^" in result.stdout


# --- render ---------------------------------------------------------------------------------------

@pytest.mark.dot
def test_render_the_machine_and_an_execution(workdir: Path) -> None:
    machine = invoke("render", "seed.asl.json", "-o", "seed.svg")
    assert machine.exit_code == 0, machine.output
    assert machine.stdout.strip() == "wrote seed.svg: the machine"
    svg = (workdir / "seed.svg").read_text()
    assert "<svg" in svg and "ChoiceState" in svg
    run = invoke("render", "seed.asl.json", "-o", "run.png", "--input", '{"foo": 3}', "--direction", "LR",
                 *SEED_LAMBDAS)
    assert run.exit_code == 0, run.output
    assert run.stdout.strip() == "wrote run.png: the execution (FAILED)"
    assert (workdir / "run.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.dot
def test_render_without_dot_is_a_clear_message(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(workdir / "empty-bin"))
    result = invoke("render", "seed.asl.json", "-o", "seed.svg")
    assert result.exit_code == 2
    assert "Graphviz's `dot` program is not installed" in result.output
    assert "apt-get install graphviz" in result.output
    assert not (workdir / "seed.svg").exists()


@pytest.mark.dot
def test_render_dot_source(workdir: Path) -> None:
    dot = invoke("render", "seed.asl.json", "-o", "seed.dot")
    assert dot.exit_code == 0, dot.output
    assert (workdir / "seed.dot").read_text().startswith("digraph")


def test_render_mermaid_needs_no_graphviz(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)
    mermaid = invoke("render", "seed.asl.json", "-o", "run.mmd", "--input", '{"foo": 2}', *SEED_LAMBDAS)
    assert mermaid.exit_code == 0, mermaid.output
    text = (workdir / "run.mmd").read_text()
    assert text.startswith("flowchart TB") and "SecondMatchState" in text


# --- test (MockConfigFile) -------------------------------------------------------------------------

MOCK_CONFIG = {
    "StateMachines": {
        "Seed": {
            "TestCases": {
                "FooIsOne": {"FirstState": "FooOne", "FirstMatchState": "Ok", "NextState": "Ok"},
                "FooIsTwo": {"FirstState": "FooTwo", "SecondMatchState": "Ok", "NextState": "Ok"},
                "NoMatch": {"FirstState": "FooThree"},
                "LambdaDown": {"FirstState": "Down"},
            }
        },
        "Other": {"TestCases": {"Unused": {}}},
    },
    "MockedResponses": {
        # the seed's Tasks call Lambda functions: a mocked Return is Lambda's Invoke response
        "FooOne": {"0": {"Return": {"StatusCode": 200, "Payload": {"foo": 1}}}},
        "FooTwo": {"0": {"Return": {"StatusCode": 200, "Payload": {"foo": 2}}}},
        "FooThree": {"0": {"Return": {"StatusCode": 200, "Payload": {"foo": 3}}}},
        "Ok": {"0": {"Return": {"StatusCode": 200, "Payload": {"ok": True}}}},
        "Down": {"0": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "the service is down"}}},
    },
}


def test_mock_config_cases_pass_and_fail_like_a_test_runner(workdir: Path) -> None:
    mocks = write(workdir / "MockConfigFile.json", MOCK_CONFIG)
    result = invoke("test", "--mock-config", mocks, "--definition", "Seed=seed.asl.json",
                    "--expect", "Seed:NoMatch=FAILED")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Seed::FooIsOne", "PASSED", "(SUCCEEDED)"]
    assert lines[1].split() == ["Seed::FooIsTwo", "PASSED", "(SUCCEEDED)"]
    assert lines[2].split() == ["Seed::NoMatch", "PASSED", "(FAILED)"]
    assert lines[3].split() == ["Seed::LambdaDown", "FAILED", "(FAILED)"]
    assert lines[4].strip() == "expected status SUCCEEDED, got FAILED"
    assert "Lambda.ServiceException" in lines[5]
    assert lines[6].split()[:2] == ["Other::Unused", "SKIPPED"]
    assert lines[-1] == "3 passed, 1 failed, 1 skipped"


def test_mock_config_expectations_file(workdir: Path) -> None:
    mocks = write(workdir / "MockConfigFile.json", MOCK_CONFIG)
    expectations = write(workdir / "expect.json", {"Seed": {
        "FooIsOne": {"status": "SUCCEEDED", "output": {"ok": True}},
        "FooIsTwo": {"output": {"ok": False}},
        "NoMatch": {"status": "FAILED", "error": "DefaultStateError", "cause": "No Matches!"},
        "LambdaDown": {"status": "FAILED", "error": "Lambda.ServiceException", "input": {"any": "thing"}},
    }})
    result = invoke("test", "--mock-config", mocks, "--definition", "Seed=seed.asl.json",
                    "--expectations", expectations, "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert (report["passed"], report["failed"], report["skipped"]) == (3, 1, 1)
    outcomes = {c["case"]: c["outcome"] for c in report["cases"]}
    assert outcomes == {"FooIsOne": "PASSED", "FooIsTwo": "FAILED", "NoMatch": "PASSED", "LambdaDown": "PASSED",
                        "Unused": "SKIPPED"}
    two = next(c for c in report["cases"] if c["case"] == "FooIsTwo")
    assert two["problems"] == ['expected output {"ok":false}, got {"ok":true}']


def test_mock_config_all_passing_exits_0(workdir: Path) -> None:
    config = {"StateMachines": {"Seed": MOCK_CONFIG["StateMachines"]["Seed"]},
              "MockedResponses": MOCK_CONFIG["MockedResponses"]}
    mocks = write(workdir / "MockConfigFile.json", config)
    result = invoke("test", "--mock-config", mocks, "--definition", "Seed=seed.asl.json",
                    "--expect", "Seed:NoMatch=FAILED", "--expect", "Seed:LambdaDown=FAILED")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "4 passed, 0 failed"


@pytest.mark.parametrize("args, message", [
    (["--definition", "Nope=seed.asl.json"], "the MockConfigFile has no state machine 'Nope'"),
    (["--definition", "Seed=seed.asl.json", "--expect", "Seed:Nope=FAILED"], "'Seed' has no test case 'Nope'"),
    (["--definition", "Seed=seed.asl.json", "--expect", "Seed=FAILED"], "is not NAME:CASE=STATUS"),
    (["--definition", "Seed=missing.asl.json"], "no such file: missing.asl.json"),
    (["--definition", "Seed=seed.asl.json", "--expect", "Seed:NoMatch=PASSED"], "the status must be one of"),
])
def test_mock_config_usage_errors(workdir: Path, args: list[str], message: str) -> None:
    mocks = write(workdir / "MockConfigFile.json", MOCK_CONFIG)
    result = invoke("test", "--mock-config", mocks, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_run_one_mock_test_case(workdir: Path) -> None:
    config = {"StateMachines": {"Seed": MOCK_CONFIG["StateMachines"]["Seed"]},
              "MockedResponses": MOCK_CONFIG["MockedResponses"]}
    mocks = write(workdir / "MockConfigFile.json", config)
    result = invoke("run", "seed.asl.json", "--mock-config", mocks, "--test-case", "FooIsTwo", "--json")
    assert result.exit_code == 0, result.output  # the machine's name comes from the only entry
    assert json.loads(result.stdout)["output"] == {"ok": True}
    missing = invoke("run", "seed.asl.json", "--mock-config", mocks)
    assert missing.exit_code == 2
    assert "--mock-config needs --test-case NAME (one of: FooIsOne, FooIsTwo, LambdaDown, NoMatch)" in missing.output


# --- inspect (TestState) ---------------------------------------------------------------------------

def test_inspect_a_choice_state(workdir: Path) -> None:
    result = invoke("inspect", "seed.asl.json", "--state", "ChoiceState", "--input", '{"foo": 2}', "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["status"] == "SUCCEEDED"
    assert answer["nextState"] == "SecondMatchState"


def test_inspect_a_fail_state_exits_1(workdir: Path) -> None:
    result = invoke("inspect", "seed.asl.json", "--state", "DefaultState", "--input", "{}")
    assert result.exit_code == 1, result.output
    assert "status: FAILED" in result.stdout
    assert "error: DefaultStateError" in result.stdout


def test_inspect_shows_the_data_flow_at_debug(workdir: Path) -> None:
    state = {"Type": "Pass", "InputPath": "$.order", "Parameters": {"id.$": "$.id"}, "ResultPath": "$.picked",
             "End": True}
    path = write(workdir / "pass.json", state)
    result = invoke("inspect", path, "--input", '{"order": {"id": 7}}', "--level", "DEBUG")
    assert result.exit_code == 0, result.output
    assert "inspectionData:" in result.stdout
    assert "afterInputPath" in result.stdout and '{"id": 7}' in result.stdout


def test_inspect_a_retry_and_a_mocked_task(workdir: Path) -> None:
    flaky = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Doors", "End": True,
             "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2, "IntervalSeconds": 3}]}
    path = write(workdir / "doors.json", flaky)
    mock = json.dumps({"errorOutput": {"error": "Door.Stuck", "cause": "hinge"}})
    retriable = invoke("inspect", path, "--mock", mock, "--level", "DEBUG", "--json")
    assert retriable.exit_code == 1, retriable.output
    answer = json.loads(retriable.stdout)
    assert answer["status"] == "RETRIABLE"
    assert answer["inspectionData"]["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 3}
    exhausted = invoke("inspect", path, "--mock", mock, "--retry-count", "2", "--json")
    assert json.loads(exhausted.stdout)["status"] == "FAILED"
    served = invoke("inspect", path, "--lambda", "Doors=course_handlers:flaky", "--input", '{"a": 1}', "--json")
    assert json.loads(served.stdout)["status"] == "RETRIABLE"  # the handler fails on its first call


# --- export ---------------------------------------------------------------------------------------

def test_export_json_and_yaml_round_trip(workdir: Path) -> None:
    as_json = invoke("export", "seed.asl.json", "--format", "json")
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout) == SEED
    as_yaml = invoke("export", "seed.asl.json", "--format", "yaml")
    assert as_yaml.exit_code == 0
    assert yaml.safe_load(as_yaml.stdout) == SEED
    (workdir / "seed.asl.yaml").write_text(as_yaml.stdout)
    back = invoke("export", "seed.asl.yaml", "--format", "json", "-o", "again.json")
    assert back.exit_code == 0 and back.stderr.strip() == "wrote again.json"
    assert json.loads((workdir / "again.json").read_text()) == SEED


def test_export_cloudformation(workdir: Path) -> None:
    result = invoke("export", "seed.asl.json", "--format", "cloudformation", "--name", "course-seed")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# CloudFormation template for the state machine 'course-seed' (STANDARD).")
    template = yaml.safe_load(result.stdout)
    machine = template["Resources"]["CourseSeed"]
    assert machine["Type"] == "AWS::StepFunctions::StateMachine"
    assert machine["Properties"]["Definition"] == SEED
    assert machine["Properties"]["StateMachineName"] == "course-seed"
    assert machine["Properties"]["RoleArn"] == {"Fn::GetAtt": ["CourseSeedRole", "Arn"]}
    role = template["Resources"]["CourseSeedRole"]["Properties"]
    statement = role["Policies"][0]["PolicyDocument"]["Statement"][0]
    assert statement["Action"] == "lambda:InvokeFunction"
    assert statement["Resource"] == [f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
                                     for name in ("FUNCTION_NAME", "OnFirstMatch", "OnSecondMatch")]
    assert template["Outputs"]["CourseSeedArn"]["Value"] == {"Ref": "CourseSeed"}


def test_export_cloudformation_as_json_with_a_role(workdir: Path) -> None:
    role = "arn:aws:iam::123456789012:role/existing"
    result = invoke("export", "seed.asl.json", "--format", "cloudformation", "--role-arn", role,
                    "--template-format", "json", "--workflow-type", "EXPRESS")
    template = json.loads(result.stdout)
    assert list(template["Resources"]) == ["Seed"]
    assert template["Resources"]["Seed"]["Properties"]["RoleArn"] == role
    assert template["Resources"]["Seed"]["Properties"]["StateMachineType"] == "EXPRESS"


def test_export_sam(workdir: Path) -> None:
    result = invoke("export", "seed.asl.json", "--format", "sam")
    assert result.exit_code == 0, result.output
    template = yaml.safe_load(result.stdout)
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    machine = template["Resources"]["Seed"]
    assert machine["Type"] == "AWS::Serverless::StateMachine"
    assert machine["Properties"]["Type"] == "STANDARD"
    assert machine["Properties"]["Policies"] == [{"LambdaInvokePolicy": {"FunctionName": n}}
                                                 for n in ("FUNCTION_NAME", "OnFirstMatch", "OnSecondMatch")]


def test_export_lists_the_permissions_left_to_add(workdir: Path) -> None:
    queue = {"StartAt": "Send", "States": {"Send": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True,
        "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MessageBody": "hi"}}}}
    path = write(workdir / "queue.asl.json", queue)
    result = invoke("export", path, "--format", "cloudformation")
    assert "# Add the IAM permissions these tasks need to the role: arn:aws:states:::sqs:sendMessage" in result.stdout
    role = yaml.safe_load(result.stdout)["Resources"]["QueueRole"]["Properties"]
    assert "Policies" not in role


def test_export_refuses_an_invalid_definition(workdir: Path) -> None:
    broken = write(workdir / "broken.asl.json", {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})
    refused = invoke("export", broken, "--format", "yaml")
    assert refused.exit_code == 1
    assert "Missing 'Next' target: B" in refused.output
    forced = invoke("export", broken, "--format", "yaml", "--no-validate")
    assert forced.exit_code == 0
    assert yaml.safe_load(forced.stdout)["States"]["A"]["Next"] == "B"


# --- a real process -------------------------------------------------------------------------------

def _python_m(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "stepfn_lab", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def test_python_m_stepfn_lab_runs_the_seed(workdir: Path) -> None:
    done = _python_m(["run", "seed.asl.json", "--input", '{"foo": 1}', "--json", *SEED_LAMBDAS], workdir)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["output"] == {"foo": 1, "matched": "first"}
    failed = _python_m(["run", "seed.asl.json", "--input", '{"foo": 9}', *SEED_LAMBDAS], workdir)
    assert failed.returncode == 1
    assert "error:  DefaultStateError" in failed.stdout
    usage = _python_m(["run", "seed.asl.json", "--input", "{oops"], workdir)
    assert usage.returncode == 2
    assert "is not JSON" in usage.stderr and "Traceback" not in usage.stderr
    helped = _python_m(["--help"], workdir)
    assert helped.returncode == 0 and "python -m stepfn_lab" in helped.stdout


def test_run_serves_a_task_resource_with_a_function(workdir: Path) -> None:
    (workdir / "labels.py").write_text("def detect(request):\n    return {'Labels': [{'Name': 'Cat'}]}\n",
                                       encoding="utf-8")
    machine = {"StartAt": "Detect", "States": {"Detect": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:rekognition:detectLabels",
        "Parameters": {"Image": {"S3Object": {"Bucket": "b", "Name": "cat.jpg"}}}, "End": True}}}
    path = write(workdir / "detect.asl.json", machine)
    result = invoke("run", path, "--task", "aws-sdk:rekognition:detectLabels=labels.py:detect", "--json")
    assert json.loads(result.stdout)["output"] == {"Labels": [{"Name": "Cat"}]}, result.stdout
    validated = invoke("validate", path)
    assert "NOT_SIMULATED" in validated.stdout and "--task aws-sdk:rekognition:detectLabels=" in validated.stdout
    assert validated.exit_code == 0  # a warning, not an error
