"""``stepfn-lab doctor`` (stepfn_lab/doctor.py): one plain answer per item of the room check.

The checks look at the machine they run on; here each is driven both ways by
giving it what it looks for or taking it away (a folder of untrusted notebooks,
no ``dot`` on PATH, a missing module), and the command is run as a user would.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from stepfn_lab import doctor
from stepfn_lab.cli import cli, command

ROOT = Path(__file__).resolve().parent.parent


def _notebook(path: Path) -> None:
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("1 + 1"))
    nbformat.write(nb, path)


def test_untrusted_notebooks_are_a_problem_with_the_fix(tmp_path: Path) -> None:
    from nbformat.sign import NotebookNotary

    (tmp_path / "pt-BR").mkdir()
    _notebook(tmp_path / "00-a.ipynb")
    _notebook(tmp_path / "pt-BR" / "00-a.ipynb")
    finding = doctor.check_trusted(tmp_path, notary=NotebookNotary(db_file=":memory:", secret=b"k"))
    assert not finding.ok
    assert "0 of 2 notebooks" in finding.answer
    assert finding.fix.startswith("jupyter trust ") and str(tmp_path) in finding.fix


def test_trusted_notebooks_are_ok(tmp_path: Path) -> None:
    import nbformat
    from nbformat.sign import NotebookNotary

    notary = NotebookNotary(db_file=":memory:", secret=b"this test's own key")  # never the user's store
    _notebook(tmp_path / "00-a.ipynb")
    assert not doctor.check_trusted(tmp_path, notary=notary).ok
    notary.sign(nbformat.read(tmp_path / "00-a.ipynb", as_version=4))
    finding = doctor.check_trusted(tmp_path, notary=notary)
    assert finding.ok and "all 1 notebooks" in finding.answer


def test_an_empty_folder_says_so(tmp_path: Path) -> None:
    finding = doctor.check_trusted(tmp_path, "pt-BR")
    assert not finding.ok and "nenhum notebook" in finding.answer


def test_diagrams_without_dot_nor_the_browser_widget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doctor.shutil, "which", lambda name: None)
    monkeypatch.setattr(doctor, "_installed", lambda module: module not in ("graphviz_anywidget", "anywidget"))
    finding = doctor.check_diagrams()
    assert not finding.ok and "dot program is not on PATH" in finding.answer
    assert "brew install graphviz" in finding.fix and "graphviz-anywidget" in finding.fix


def test_diagrams_drawn_in_the_browser_without_dot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doctor.shutil, "which", lambda name: None)
    monkeypatch.setattr(doctor, "_installed", lambda module: True)
    finding = doctor.check_diagrams("pt-BR")
    assert finding.ok and "WebAssembly" in finding.answer


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")
def test_diagrams_with_dot() -> None:
    assert doctor.check_diagrams().ok


def test_widgets_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doctor, "_installed", lambda module: module != "ipywidgets")
    finding = doctor.check_widgets("pt-BR")
    assert not finding.ok and "não está instalado" in finding.answer and "ipywidgets>=8" in finding.fix


def test_widgets_without_the_lab_extension(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doctor, "_installed", lambda module: module != "jupyterlab_widgets")
    finding = doctor.check_widgets()
    assert not finding.ok and "jupyterlab_widgets" in finding.answer


def test_kernel_without_ipykernel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doctor, "_installed", lambda module: module != "ipykernel")
    finding = doctor.check_kernel()
    assert not finding.ok and sys.executable in finding.fix


def test_this_machine_has_widgets_and_a_kernel() -> None:
    """The machine the tests run on has the course's environment (pyproject's extras)."""
    assert doctor.check_widgets().ok, doctor.check_widgets()
    assert doctor.check_kernel().ok, doctor.check_kernel()


def test_the_report_reads_plainly() -> None:
    findings = [doctor.Finding("widgets", True, "fine."), doctor.Finding("diagrams", False, "no dot.", "install it")]
    text = doctor.report(findings)
    assert text.splitlines() == ["OK       widgets: fine.", "PROBLEM  diagrams: no dot.", "         fix: install it",
                                 "", "1 check(s) need attention (see PROBLEM above)."]
    assert doctor.report(findings[:1], "pt-BR").endswith("Tudo pronto: todas as verificações passaram.")


def test_the_command_answers_every_item_and_exits_by_the_result(tmp_path: Path) -> None:
    _notebook(tmp_path / "00-a.ipynb")
    result = CliRunner().invoke(cli, ["doctor", str(tmp_path)])
    lines = result.output.splitlines()
    for item in ("widgets:", "trusted notebooks:", "diagrams:", "kernel:"):
        assert any(item in line for line in lines), (item, result.output)
    assert result.exit_code == 1  # the fresh notebook is not trusted
    result = CliRunner().invoke(cli, ["doctor", "--language", "pt-BR", str(tmp_path)])
    assert "notebooks confiáveis:" in result.output


def test_command_runs_the_cli_in_a_new_process_and_shows_it_like_a_terminal(tmp_path: Path) -> None:
    path = tmp_path / "hello.asl.json"
    path.write_text(json.dumps({"StartAt": "Hi", "States": {"Hi": {"Type": "Pass", "End": True}}}))
    result = command(f"validate {path}", env={"PYTHONPATH": str(ROOT)})
    assert result.exit_code == 0
    assert repr(result) == f"$ stepfn-lab validate {path}\n{path}: OK\n(exit code 0)"
    bad = command("run no-such-file.json", env={"PYTHONPATH": str(ROOT)})
    assert bad.exit_code == 2 and "no-such-file.json" in repr(bad)
