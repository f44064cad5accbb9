"""Where a definition comes from: a file (.json, .asl.json, .yaml) or ``example:NAME``, for every command.

Spec: the definitions are Amazon States Language; a YAML file is the same document (AWS's
Workflow Studio and SAM write both). Taught in: ``stepfn-lab --help`` (FILE arguments).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

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
