"""``stepfn-lab doctor``: the instructor's room check, one plain answer per item.

Not an ASL feature: before a class, each laptop runs ``stepfn-lab doctor`` (or
``stepfn-lab doctor --language pt-BR``) and reads four answers:

- **widgets**: can JupyterLab show the Stepper's buttons (ipywidgets 8 and its
  JupyterLab extension)?
- **trusted notebooks**: will the stored diagrams and animations show before any
  cell runs (Jupyter shows SVG and HTML outputs only of trusted notebooks)?
- **diagrams**: can the kit draw (the ``graphviz`` package and Graphviz's ``dot``)?
- **kernel**: is there a Python kernel for the notebooks, and does it import this kit?

Each check returns a :class:`Finding`: ``ok``, the answer and, when not ok, the
fix. Taught in: notebooks/INSTRUCTOR.md and notebooks/pt-BR/INSTRUCTOR.md
("Before the course"). Nothing here changes the machine: the fixes are printed,
never run.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

__all__ = ["Finding", "check_widgets", "check_trusted", "check_diagrams", "check_kernel", "run_checks", "report"]

_WORDS = {
    "en": {
        "widgets": "widgets", "trusted": "trusted notebooks", "diagrams": "diagrams", "kernel": "kernel",
        "ok": "OK", "problem": "PROBLEM", "fix": "fix",
        "widgets_ok": "ipywidgets {version} and its JupyterLab extension are installed: the Stepper's buttons work.",
        "widgets_missing": "ipywidgets is not installed: the Stepper shows one line of text instead of buttons.",
        "widgets_old": "ipywidgets {version} is too old: the Stepper needs ipywidgets 8.",
        "widgets_no_lab": "ipywidgets is installed but not its JupyterLab extension (jupyterlab_widgets): "
                          "the Stepper shows one line of text instead of buttons.",
        "widgets_fix": "pip install 'ipywidgets>=8' jupyterlab_widgets, then restart JupyterLab.",
        "trusted_ok": "all {total} notebooks in {folder} are trusted: their stored diagrams show on first open.",
        "trusted_some": "{trusted} of {total} notebooks in {folder} are trusted; the others show their stored "
                        "diagrams only after their cells run.",
        "trusted_none": "no notebooks found in {folder}.",
        "trusted_fix": "jupyter trust {pattern}",
        "trusted_no_nbformat": "nbformat is not installed, so trust cannot be checked (JupyterLab is missing?).",
        "trusted_nbformat_fix": "pip install jupyterlab",
        "diagrams_ok": "the graphviz package and Graphviz's dot ({dot}) are installed: diagrams draw as pictures.",
        "diagrams_no_dot": "Graphviz's dot program is not on PATH, nor graphviz-anywidget: diagrams show as "
                           "text tables.",
        "diagrams_wasm": "no dot program, but graphviz-anywidget is installed: JupyterLab draws the diagrams in "
                         "the browser (Graphviz compiled to WebAssembly).",
        "diagrams_no_package": "the Python package graphviz is not installed: diagrams show as text tables.",
        "diagrams_fix_dot": "pip install graphviz-anywidget anywidget (diagrams drawn in the browser), or install "
                            "Graphviz: sudo apt-get install graphviz (Debian/Ubuntu), brew install graphviz (macOS).",
        "diagrams_fix_package": "pip install graphviz",
        "kernel_ok": "Python {python} with stepfn_lab {version}; Jupyter kernel '{name}' is installed.",
        "kernel_no_ipykernel": "ipykernel is not installed: JupyterLab cannot run the notebooks with this Python.",
        "kernel_no_spec": "no Jupyter kernel named python3 is registered.",
        "kernel_fix": "{python} -m pip install ipykernel && {python} -m ipykernel install --user",
        "kernel_old": "Python {python} is too old: the kit needs Python 3.10 or newer.",
        "kernel_old_fix": "install Python 3.10 or newer and the kit into it.",
        "all_ok": "Ready: every check passed.",
        "some_bad": "{count} check(s) need attention (see PROBLEM above).",
    },
    "pt-BR": {
        "widgets": "widgets", "trusted": "notebooks confiáveis", "diagrams": "diagramas", "kernel": "kernel",
        "ok": "OK", "problem": "PROBLEMA", "fix": "como resolver",
        "widgets_ok": "o ipywidgets {version} e a extensão dele para o JupyterLab estão instalados: os botões do "
                      "Stepper funcionam.",
        "widgets_missing": "o ipywidgets não está instalado: o Stepper aparece como uma linha de texto, sem botões.",
        "widgets_old": "o ipywidgets {version} é antigo demais: o Stepper precisa do ipywidgets 8.",
        "widgets_no_lab": "o ipywidgets está instalado, mas não a extensão dele para o JupyterLab "
                          "(jupyterlab_widgets): o Stepper aparece como uma linha de texto, sem botões.",
        "widgets_fix": "pip install 'ipywidgets>=8' jupyterlab_widgets e depois reinicie o JupyterLab.",
        "trusted_ok": "os {total} notebooks de {folder} são confiáveis: os diagramas guardados aparecem logo ao abrir.",
        "trusted_some": "{trusted} de {total} notebooks de {folder} são confiáveis; os outros só mostram os "
                        "diagramas guardados depois de rodar as células.",
        "trusted_none": "nenhum notebook em {folder}.",
        "trusted_fix": "jupyter trust {pattern}",
        "trusted_no_nbformat": "o nbformat não está instalado, então não dá para conferir (falta o JupyterLab?).",
        "trusted_nbformat_fix": "pip install jupyterlab",
        "diagrams_ok": "o pacote graphviz e o dot do Graphviz ({dot}) estão instalados: os diagramas aparecem "
                       "como figuras.",
        "diagrams_no_dot": "o programa dot do Graphviz não está no PATH, nem o graphviz-anywidget: os diagramas "
                           "aparecem como tabelas de texto.",
        "diagrams_wasm": "não há o programa dot, mas o graphviz-anywidget está instalado: o JupyterLab desenha os "
                         "diagramas no navegador (Graphviz compilado para WebAssembly).",
        "diagrams_no_package": "o pacote Python graphviz não está instalado: os diagramas aparecem como tabelas "
                               "de texto.",
        "diagrams_fix_dot": "pip install graphviz-anywidget anywidget (diagramas desenhados no navegador), ou "
                            "instale o Graphviz: sudo apt-get install graphviz (Debian/Ubuntu), brew install "
                            "graphviz (macOS).",
        "diagrams_fix_package": "pip install graphviz",
        "kernel_ok": "Python {python} com stepfn_lab {version}; o kernel '{name}' do Jupyter está instalado.",
        "kernel_no_ipykernel": "o ipykernel não está instalado: o JupyterLab não consegue rodar os notebooks com "
                               "este Python.",
        "kernel_no_spec": "nenhum kernel do Jupyter chamado python3 está registrado.",
        "kernel_fix": "{python} -m pip install ipykernel && {python} -m ipykernel install --user",
        "kernel_old": "o Python {python} é antigo demais: o kit precisa do Python 3.10 ou mais novo.",
        "kernel_old_fix": "instale o Python 3.10 ou mais novo e o kit nele.",
        "all_ok": "Tudo pronto: todas as verificações passaram.",
        "some_bad": "{count} verificação(ões) precisam de atenção (veja PROBLEMA acima).",
    },
}


@dataclass(frozen=True)
class Finding:
    """One item of the room check: its name, whether it is fine, the answer, and the fix when it is not."""

    item: str
    ok: bool
    answer: str
    fix: str = ""


def _say(lang: str, key: str, **values: object) -> str:
    return _WORDS[lang][key].format(**values)


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def check_widgets(lang: str = "en") -> Finding:
    item = _say(lang, "widgets")
    if not _installed("ipywidgets"):
        return Finding(item, False, _say(lang, "widgets_missing"), _say(lang, "widgets_fix"))
    from importlib.metadata import PackageNotFoundError, version
    try:
        found = version("ipywidgets")
    except PackageNotFoundError:
        found = "?"
    if found.split(".")[0].isdigit() and int(found.split(".")[0]) < 8:
        return Finding(item, False, _say(lang, "widgets_old", version=found), _say(lang, "widgets_fix"))
    if not _installed("jupyterlab_widgets"):
        return Finding(item, False, _say(lang, "widgets_no_lab"), _say(lang, "widgets_fix"))
    return Finding(item, True, _say(lang, "widgets_ok", version=found))


def check_trusted(folder: Path, lang: str = "en", notary: object = None) -> Finding:
    """Are the course notebooks trusted? ``notary`` is Jupyter's ``NotebookNotary`` (the user's, by default)."""
    item = _say(lang, "trusted")
    if not _installed("nbformat"):
        return Finding(item, False, _say(lang, "trusted_no_nbformat"), _say(lang, "trusted_nbformat_fix"))
    import nbformat
    from nbformat.sign import NotebookNotary

    paths = sorted(folder.glob("*.ipynb")) + sorted(folder.glob("*/*.ipynb"))
    if not paths:
        return Finding(item, False, _say(lang, "trusted_none", folder=folder), "")
    notary = notary if notary is not None else NotebookNotary()
    trusted = 0
    for path in paths:
        try:
            trusted += bool(notary.check_signature(nbformat.read(path, as_version=4)))  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - an unreadable notebook is simply not trusted
            pass
    if trusted == len(paths):
        return Finding(item, True, _say(lang, "trusted_ok", total=len(paths), folder=folder))
    pattern = f"{folder}/*.ipynb {folder}/*/*.ipynb"
    return Finding(item, False, _say(lang, "trusted_some", trusted=trusted, total=len(paths), folder=folder),
                   _say(lang, "trusted_fix", pattern=pattern))


def check_diagrams(lang: str = "en") -> Finding:
    item = _say(lang, "diagrams")
    if not _installed("graphviz"):
        return Finding(item, False, _say(lang, "diagrams_no_package"), _say(lang, "diagrams_fix_package"))
    dot = shutil.which("dot")
    if dot is None:
        if _installed("graphviz_anywidget") and _installed("anywidget"):
            return Finding(item, True, _say(lang, "diagrams_wasm"))
        return Finding(item, False, _say(lang, "diagrams_no_dot"), _say(lang, "diagrams_fix_dot"))
    return Finding(item, True, _say(lang, "diagrams_ok", dot=dot))


def check_kernel(lang: str = "en") -> Finding:
    from . import __version__

    item = _say(lang, "kernel")
    python = ".".join(str(n) for n in sys.version_info[:3])
    if sys.version_info < (3, 10):
        return Finding(item, False, _say(lang, "kernel_old", python=python), _say(lang, "kernel_old_fix"))
    fix = _say(lang, "kernel_fix", python=sys.executable)
    if not _installed("ipykernel"):
        return Finding(item, False, _say(lang, "kernel_no_ipykernel"), fix)
    specs: dict = {}
    if _installed("jupyter_client"):
        from jupyter_client.kernelspec import KernelSpecManager
        try:
            specs = KernelSpecManager().find_kernel_specs()
        except Exception:  # noqa: BLE001 - a broken Jupyter data folder reads as "no kernel"
            specs = {}
    if "python3" not in specs:
        return Finding(item, False, _say(lang, "kernel_no_spec"), fix)
    return Finding(item, True, _say(lang, "kernel_ok", python=python, version=__version__, name="python3"))


def default_folder() -> Path:
    """The course's notebooks: ``./notebooks`` when it exists, else the checkout's ``notebooks/``."""
    here = Path.cwd() / "notebooks"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parent.parent / "notebooks"


def run_checks(folder: Path | None = None, lang: str = "en") -> list[Finding]:
    """The four findings, in the order an instructor reads them."""
    checks: list[Callable[[], Finding]] = [
        lambda: check_widgets(lang), lambda: check_trusted(folder or default_folder(), lang),
        lambda: check_diagrams(lang), lambda: check_kernel(lang),
    ]
    return [check() for check in checks]


def report(findings: list[Finding], lang: str = "en") -> str:
    """The findings as plain lines: ``OK  widgets: ...`` or ``PROBLEM  diagrams: ...`` and the fix under it."""
    lines = []
    width = max(len(_say(lang, "ok")), len(_say(lang, "problem")))
    for finding in findings:
        mark = _say(lang, "ok") if finding.ok else _say(lang, "problem")
        lines.append(f"{mark.ljust(width)}  {finding.item}: {finding.answer}")
        if not finding.ok and finding.fix:
            lines.append(f"{' ' * width}  {_say(lang, 'fix')}: {finding.fix}")
    bad = sum(not f.ok for f in findings)
    lines.append("")
    lines.append(_say(lang, "all_ok") if not bad else _say(lang, "some_bad", count=bad))
    return "\n".join(lines)
