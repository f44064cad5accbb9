"""What every command shares: exit codes, option types, the error a command raises, JSON out.

Spec: none of its own (the command line's conventions; the commands mirror AWS APIs, see
``stepfn_lab.cli``). Taught in: ``stepfn-lab --help``.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

OK, FAILED, USAGE = 0, 1, 2
EXIT_CODES = ("\b\nExit codes:\n"
              "  0  success (the execution SUCCEEDED, no validation errors, every test passed)\n"
              "  1  an execution did not succeed, a definition has errors, or a test failed\n"
              "  2  usage or environment problem (bad option or file, Graphviz or boto3 missing)")


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
            module = import_handler_module(where)
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


def import_handler_module(where: str) -> Any:
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


def read_json_file(path: str, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read the {what} {path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise CliError(f"the {what} {path} is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None


def exit_with(code: int) -> None:
    """End the command with an exit code (click's way, so CliRunner and standalone runs agree)."""
    click.get_current_context().exit(code)


def dump(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def problems_text(problems: list) -> str:
    from ..asl.validate import format_problems
    return "the definition cannot run:\n" + format_problems(problems)
