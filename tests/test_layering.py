"""The layering rules of the package (architecture, "Direction of dependencies").

Imports point down only: ``views -> runtime -> asl``; the services are reached
by the runtime through the task layer; the entry points (``widgets``, ``cli``,
``aws``, ``examples``, ``exercises``) sit on top. Graphviz and ipywidgets are
each imported by exactly one module, so running a state machine never loads
the notebook stack.

Two checks:
- dynamic: a fresh interpreter imports ``stepfn_lab`` and runs an execution,
  then no Jupyter, IPython, widget or Graphviz module may be loaded;
- static: the import statements of every module obey the rules below. Imports
  under ``if TYPE_CHECKING:`` are for annotations only and do not count.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "stepfn_lab"

# Top-level modules of the notebook stack that the engine must never load.
NOTEBOOK_STACK = ("graphviz", "graphviz_anywidget", "anywidget", "ipywidgets", "IPython", "ipykernel", "jupyter", "comm", "zmq")

RUN_AN_EXECUTION = textwrap.dedent(
    """
    import json, sys
    import stepfn_lab as sfl

    machine = sfl.StateMachine.from_json(
        {"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Result": {"hi": 1}, "End": True}}}
    )
    execution = machine.run({})
    assert execution.status == "SUCCEEDED", (execution.status, execution.error, execution.cause)
    assert execution.output == {"hi": 1}, execution.output
    print(json.dumps(sorted(sys.modules)))
    """
)


def _is_notebook_stack(module: str) -> bool:
    top = module.split(".")[0]
    return any(top == name or (name == "jupyter" and top.startswith("jupyter")) for name in NOTEBOOK_STACK)


def test_running_an_execution_loads_no_notebook_module() -> None:
    result = subprocess.run(
        [sys.executable, "-c", RUN_AN_EXECUTION],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, f"the execution failed:\n{result.stderr}"
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert "stepfn_lab" in loaded
    offenders = sorted(m for m in loaded if _is_notebook_stack(m))
    assert offenders == [], f"importing stepfn_lab and running an execution loaded {offenders}"


# --------------------------------------------------------------------------------------
# Static rules
# --------------------------------------------------------------------------------------
def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking_block(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, source: str | None = None) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function?) for every runtime import of a file."""
    if source is None:
        source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking_block(child):
                for sub in child.orelse:
                    visit(sub, in_function)
                continue
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (child.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                # `from pkg import name` may import the submodule pkg.name
                found.append((base, child.lineno, in_function))
                found.extend((f"{base}.{alias.name}", child.lineno, in_function) for alias in child.names)
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            visit(child, inner)

    visit(tree, False)
    return found


def _python_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _is_within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _violations(files: list[Path], forbidden: tuple[str, ...], *, allow_in_functions: bool = False) -> list[str]:
    problems = []
    for path in files:
        for module, line, in_function in _imports(path):
            if _is_within(module, forbidden) and not (allow_in_functions and in_function):
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return sorted(set(problems))


def _files_under(subpackage: str) -> list[Path]:
    return [p for p in _python_files() if p.is_relative_to(PACKAGE / subpackage)]


def test_the_package_has_modules_to_check() -> None:
    assert (PACKAGE / "__init__.py").is_file()
    assert len(_python_files()) >= 2


@pytest.mark.parametrize(
    ("library", "only_in"),
    [("graphviz", "stepfn_lab/views/render.py"), ("ipywidgets", "stepfn_lab/widgets.py"),
     ("graphviz_anywidget", "stepfn_lab/views/wasm.py"), ("anywidget", "stepfn_lab/views/wasm.py")],
)
def test_a_viz_library_is_imported_by_one_module_only(library: str, only_in: str) -> None:
    others = [p for p in _python_files() if p != ROOT / only_in]
    assert _violations(others, (library,)) == [], f"only {only_in} may import {library}"


TOP_ENTRY_POINTS = ("stepfn_lab.widgets", "stepfn_lab.cli", "stepfn_lab.aws",
                    "stepfn_lab.examples", "stepfn_lab.exercises")


def test_the_language_layer_imports_nothing_above_it() -> None:
    forbidden = ("stepfn_lab.runtime", "stepfn_lab.views", "stepfn_lab.services", *TOP_ENTRY_POINTS)
    assert _violations(_files_under("asl"), forbidden) == []


def test_the_runtime_layer_imports_neither_views_nor_entry_points() -> None:
    # A function body may import stepfn_lab.views lazily: that is how a machine
    # or an execution draws itself on demand (`render()`, `_repr_mimebundle_`)
    # without loading Graphviz when nobody draws. Module-level imports may not.
    assert _violations(_files_under("runtime"), ("stepfn_lab.views",), allow_in_functions=True) == []
    assert _violations(_files_under("runtime"), TOP_ENTRY_POINTS) == []


def test_the_static_check_sees_imports() -> None:
    """Guard the checker itself: it must find each kind of import it claims to check."""
    sample = ROOT / "stepfn_lab" / "asl" / "_layering_sample.py"
    source = textwrap.dedent(
        """
        from typing import TYPE_CHECKING
        import graphviz
        from ..runtime import engine
        from stepfn_lab.views.render import render
        if TYPE_CHECKING:
            import ipywidgets
        def later():
            from stepfn_lab import widgets
        """
    )
    names = {(m, in_fn) for m, _, in_fn in _imports(sample, source)}
    assert ("graphviz", False) in names
    assert ("stepfn_lab.runtime.engine", False) in names
    assert ("stepfn_lab.views.render", False) in names
    assert ("stepfn_lab.widgets", True) in names
    assert not any(m == "ipywidgets" for m, _ in names)
