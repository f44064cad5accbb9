"""Build the course as a static JupyterLite site: stepfn_lab on Pyodide, nothing fetched at run time.

Run by ``bash scripts/lite.sh [OUTDIR]`` (default ``build/lite``), with the Python that has the
``lite`` extra (jupyterlite-core, jupyterlite-pyodide-kernel). What it does:

1. Pyodide's core (``pyodide.asm.wasm``, ``python_stdlib.zip``, ``pyodide.mjs``, its lock file) comes
   from the npm package ``pyodide``, at the version the installed jupyterlite-pyodide-kernel expects.
   That package carries no Python packages at all (no micropip, packaging, IPython...).
2. Every package the kernel and the course import is a pure-Python wheel from PyPI, fetched with
   ``pip download`` (at the version Pyodide's own lock file names, where it names one) together
   with a wheel of this checkout's stepfn_lab. The dependencies are followed from each wheel's
   metadata, with Pyodide's environment markers (Python 3.14, ``sys_platform == "emscripten"``).
3. A new ``pyodide-lock.json`` lists exactly those wheels, served beside Pyodide in
   ``static/pyodide/``, and the kernel preloads them (``loadPyodideOptions.packages``) with the
   PyPI fallback off: a notebook can ``import stepfn_lab`` in its first cell, and the site asks
   nothing of any other host.
4. ``jupyter lite build`` makes the site from notebooks/ (English, pt-BR, the READMEs), with the
   JupyterLab extensions of the build environment (ipywidgets' manager, anywidget for the
   WebAssembly Graphviz diagrams); then an opening page replaces JupyterLite's redirect.
   The site's copies of the notebooks are marked trusted (``"trusted": true`` in each code cell's
   metadata, as Jupyter's server marks the cells of a signed notebook): JupyterLite has no notary,
   and untrusted SVG outputs are not shown, so without it the stored diagrams would stay blank
   until a cell is run.

Downloads are cached in ``build/lite-cache`` (``STEPFN_LAB_LITE_CACHE`` moves it), so a rebuild
needs no network. Usage: ``python scripts/lite_build.py OUTDIR``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from email.parser import Parser
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

ROOT = Path(__file__).resolve().parent.parent

# What the browser's Python must be able to import, besides the kernel itself.
# (ipywidgets: the Stepper; graphviz + graphviz-anywidget + anywidget: diagrams drawn by
# Graphviz compiled to WebAssembly, since Pyodide has no `dot`; see stepfn_lab/views/wasm.py.)
ROOTS = [
    "stepfn-lab",
    "micropip", "packaging",            # the kernel's package manager, absent from npm's pyodide
    "ipython", "jedi", "comm",          # what the kernel would otherwise fetch at start
    "ipywidgets",
    "graphviz", "graphviz-anywidget", "anywidget",
]
# Dependencies the browser build leaves out, with the reason. Each is imported lazily by the
# code that needs it, and nothing a notebook runs needs it.
LEFT_OUT = {
    "pyyaml": "compiled (no pure wheel); only stepfn_lab.export (YAML/CloudFormation files, the CLI) imports it",
    "widgetsnbextension": "the classic-notebook extension; JupyterLite serves ipywidgets' lab extension itself",
    "jupyterlab-widgets": "the lab extension; the site serves it from the build environment",
}
# Pyodide's own core files, copied from the npm package.
CORE_FILES = ["pyodide.asm.mjs", "pyodide.asm.wasm", "pyodide.mjs", "pyodide.js", "python_stdlib.zip",
              "package.json"]


def say(message: str) -> None:
    print(f"\033[1m[lite]\033[0m {message}", flush=True)


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=True, text=True, **kwargs)


# ------------------------------------------------------------------------------------------
# Pyodide's core, from npm
# ------------------------------------------------------------------------------------------
def pyodide_core(version: str, cache: Path) -> Path:
    """The unpacked npm package ``pyodide@version`` (cached)."""
    folder = cache / f"pyodide-{version}"
    if (folder / "pyodide-lock.json").is_file():
        return folder
    if shutil.which("npm") is None:
        sys.exit("lite.sh: needs `npm` to fetch Pyodide's core (apt-get install npm).")
    say(f"npm pack pyodide@{version}")
    tmp = cache / "npm"
    tmp.mkdir(parents=True, exist_ok=True)
    out = run(["npm", "pack", f"pyodide@{version}", "--silent", "--pack-destination", str(tmp)],
              capture_output=True, cwd=tmp).stdout.strip().splitlines()[-1]
    unpacked = cache / f"pyodide-{version}.tmp"
    shutil.rmtree(unpacked, ignore_errors=True)
    with tarfile.open(tmp / out) as tar:
        tar.extractall(unpacked, filter="data")
    (unpacked / "package").rename(folder)
    shutil.rmtree(unpacked)
    return folder


# ------------------------------------------------------------------------------------------
# Pure wheels, from PyPI
# ------------------------------------------------------------------------------------------
def pyodide_environment(lock_info: dict) -> dict[str, str]:
    python = lock_info["python"]  # e.g. "3.14.2"
    env = default_environment()
    env.update(python_version=".".join(python.split(".")[:2]), python_full_version=python,
               sys_platform="emscripten", platform_system="Emscripten", platform_machine="wasm32",
               os_name="posix", implementation_name="cpython", platform_python_implementation="CPython",
               platform_release="", platform_version="")
    return env


def wheel_metadata(path: Path) -> tuple[str, str, list[str], list[str]]:
    """(name, version, Requires-Dist lines, top-level import names) of a wheel."""
    with zipfile.ZipFile(path) as wheel:
        names = wheel.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        meta = Parser().parsestr(wheel.read(meta_name).decode("utf-8"))
        tops = sorted({n.split("/")[0].removesuffix(".py") for n in names
                       if not n.split("/")[0].endswith((".dist-info", ".data"))
                       and (n.endswith(".py") or "/" in n) and not n.startswith("__")})
    return meta["Name"], meta["Version"], meta.get_all("Requires-Dist") or [], tops


def find_wheel(folder: Path, requirement: Requirement) -> Path | None:
    """The newest pure wheel in ``folder`` that satisfies ``requirement``."""
    best = None
    for path in folder.glob("*.whl"):
        name, version, _, tags = parse_wheel_filename(path.name)
        if name != canonicalize_name(requirement.name) or not any(t.platform == "any" for t in tags):
            continue
        if requirement.specifier.contains(version, prereleases=True) and (best is None or version > best[0]):
            best = (version, path)
    return best[1] if best else None


def download(requirements: list[Requirement], folder: Path, python: str) -> None:
    """Pure wheels for ``requirements`` (no dependencies) into ``folder``, from PyPI."""
    say("pip download " + " ".join(str(r) for r in requirements))
    run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--only-binary=:all:", "--platform", "any", "--implementation", "py",
         "--abi", "none", "--python-version", python, "-d", str(folder),
         *(str(r) for r in requirements)])


def self_wheel(folder: Path) -> Path:
    """A wheel of this checkout's stepfn_lab (rebuilt every time: the code changes)."""
    shutil.rmtree(folder, ignore_errors=True)
    say("pip wheel . (stepfn_lab)")
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
         "-w", str(folder), str(ROOT)])
    return next(folder.glob("stepfn_lab-*.whl"))


def resolve(npm_lock: dict, cache: Path) -> dict[str, Path]:
    """Every wheel the browser needs, by canonical name: ROOTS and their dependencies."""
    env = pyodide_environment(npm_lock["info"])
    python = env["python_version"]
    known = npm_lock["packages"]
    wheels_dir = cache / "wheels"
    wheels_dir.mkdir(parents=True, exist_ok=True)
    chosen: dict[str, Path] = {"stepfn-lab": self_wheel(cache / "self")}
    wanted = [Requirement(r) for r in ROOTS if r != "stepfn-lab"]
    wanted += requirements_of(chosen["stepfn-lab"], env)
    while wanted:
        todo: dict[str, Requirement] = {}
        for req in wanted:
            name = canonicalize_name(req.name)
            if name in chosen or name in LEFT_OUT or name in todo:
                continue
            entry = known.get(name)
            if entry and entry["file_name"].endswith("-none-any.whl"):
                # Pyodide's tested version, where its lock file names one.
                if not req.specifier.contains(entry["version"], prereleases=True):
                    sys.exit(f"lite.sh: {req} is wanted, but Pyodide {npm_lock['info']} ships "
                             f"{name} {entry['version']}")
                req = Requirement(f"{name}=={entry['version']}")
            elif entry:
                sys.exit(f"lite.sh: {name} has no pure-Python wheel (Pyodide builds {entry['file_name']}); "
                         "make its import lazy and add it to LEFT_OUT in scripts/lite_build.py")
            todo[name] = req
        missing = [req for req in todo.values() if find_wheel(wheels_dir, req) is None]
        if missing:
            download(missing, wheels_dir, python)
        wanted = []
        for name, req in todo.items():
            path = find_wheel(wheels_dir, req)
            if path is None:
                sys.exit(f"lite.sh: pip found no pure wheel for {req}")
            chosen[name] = path
            wanted += requirements_of(path, env)
    return chosen


def requirements_of(wheel: Path, env: dict[str, str]) -> list[Requirement]:
    out = []
    for line in wheel_metadata(wheel)[2]:
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate({**env, "extra": ""}):
            out.append(req)
    return out


# ------------------------------------------------------------------------------------------
# The Pyodide distribution of the site: core + wheels + a lock file naming exactly them
# ------------------------------------------------------------------------------------------
def write_pyodide(core: Path, wheels: dict[str, Path], npm_lock: dict, target: Path) -> list[str]:
    target.mkdir(parents=True)
    for name in CORE_FILES:
        shutil.copy2(core / name, target / name)
    env = pyodide_environment(npm_lock["info"])
    packages = {}
    for name, path in sorted(wheels.items()):
        shutil.copy2(path, target / path.name)
        _, version, _, tops = wheel_metadata(path)
        depends = sorted({canonicalize_name(r.name) for r in requirements_of(path, env)} - set(LEFT_OUT))
        missing = [d for d in depends if d not in wheels]
        assert not missing, f"{name} needs {missing}"
        entry = dict(npm_lock["packages"].get(name, {}))
        entry.update(name=name, version=str(version), file_name=path.name, install_dir="site",
                     sha256=hashlib.sha256(path.read_bytes()).hexdigest(), package_type="package",
                     imports=entry.get("imports") or tops, depends=depends,
                     unvendored_tests=False, shared_library=False)
        packages[name] = entry
    lock = {"info": npm_lock["info"], "packages": packages}
    (target / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True), encoding="utf-8")
    return sorted(packages)


def trusted_copy(source: Path, target: Path) -> int:
    """Copy the course folder for the site, every code cell of every notebook marked trusted; returns the count."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    count = 0
    import nbformat

    for path in sorted(target.rglob("*.ipynb")):
        # nbformat.read joins the stored lists of lines into strings, as Jupyter's server does
        # before sending a notebook; JupyterLite serves the file as it is, and JupyterLab would
        # then show a list's lines joined by commas (and a broken SVG).
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                cell["metadata"]["trusted"] = True
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        count += 1
    return count


def lite_config(packages: list[str]) -> dict:
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "stepfn_lab",
            "faviconUrl": "",
            "settingsOverrides": {
                # Render every cell, so stored diagrams and widgets show as the page scrolls.
                "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
                # JupyterLab's "news" fetches from the internet: off, as in jupyter-config/.
                "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
            },
            "litePluginSettings": {
                "@jupyterlite/pyodide-kernel-extension:kernel": {
                    # Nothing from PyPI at run time: every package is in the site's lock file.
                    "disablePyPIFallback": True,
                    "loadPyodideOptions": {"packages": packages},
                },
            },
        },
    }


OPENING_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>stepfn_lab: AWS Step Functions in your browser</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<!-- JupyterLite's apps read the site's settings from here (and from jupyter-lite.json): keep it. -->
<script id="jupyter-config-data" type="application/json" data-jupyter-lite-root=".">{{}}</script>
<style>
 body {{ font: 17px/1.5 system-ui, sans-serif; max-width: 44em; margin: 3em auto; padding: 0 1em; color: #16191f; }}
 h1 {{ font-size: 1.7em; margin-bottom: .2em; }}
 a.start {{ display: inline-block; background: #ff9900; color: #16191f; padding: .5em 1.1em; border-radius: 4px;
           text-decoration: none; font-weight: 600; margin: .3em .6em .3em 0; }}
 small, .note {{ color: #545b64; }}
</style>
</head>
<body>
<h1>stepfn_lab</h1>
<p>A course on <strong>AWS Step Functions</strong> that runs entirely in this browser tab: JupyterLab and
Python (Pyodide, compiled to WebAssembly), with stepfn_lab's local Amazon States Language interpreter.
Nothing to install, no AWS account, and once this page has loaded, no network: every notebook, package
and diagram comes from this site.</p>
<p>Um curso de <strong>AWS Step Functions</strong> que roda inteiro neste navegador: nada a instalar,
sem conta AWS, sem rede depois de carregar.</p>
<p>
 <a class="start" id="start-en" href="lab/index.html?path=00-welcome.ipynb">Start: 00 Welcome</a>
 <a class="start" id="start-pt" href="lab/index.html?path=pt-BR/00-welcome.ipynb">Começar: 00 Boas-vindas</a>
</p>
<p>Or open <a href="lab/index.html">JupyterLab with every notebook</a> (English at the top, Portuguese in
<code>pt-BR/</code>), or a <a href="repl/index.html?kernel=python&amp;toolbar=1">Python console</a>.</p>
<p class="note">Your edits are kept in this browser's storage, not on a server. Python starts in the page:
the first cell of a notebook can take up to a minute. stepfn_lab {version} on Pyodide {pyodide}.</p>
</body>
</html>
"""


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build" / "lite").resolve()
    cache = Path(os.environ.get("STEPFN_LAB_LITE_CACHE", ROOT / "build" / "lite-cache")).resolve()
    cache.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    from jupyterlite_pyodide_kernel.constants import PYODIDE_VERSION

    core = pyodide_core(PYODIDE_VERSION, cache)
    npm_lock = json.loads((core / "pyodide-lock.json").read_text(encoding="utf-8"))
    wheels = resolve(npm_lock, cache)

    src = cache / "site-src"
    for old in (src, cache / "site-contents"):
        shutil.rmtree(old, ignore_errors=True)
    packages = write_pyodide(core, wheels, npm_lock, src / "static" / "pyodide")
    (src / "jupyter-lite.json").write_text(json.dumps(lite_config(packages), indent=2), encoding="utf-8")
    say(f"Pyodide {PYODIDE_VERSION} with {len(packages)} wheels: {', '.join(packages)}")

    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(src / ".jupyterlite.doit.db", ignore_errors=True)
    count = trusted_copy(ROOT / "notebooks", cache / "site-contents")
    say(f"jupyter lite build -> {out} ({count} notebooks)")
    run([sys.executable, "-m", "jupyter", "lite", "build", "--lite-dir", str(src),
         "--contents", str(cache / "site-contents"), "--output-dir", str(out),
         "--no-sourcemaps", "--no-unused-shared-packages"], cwd=src)
    version = wheel_metadata(wheels["stepfn-lab"])[1]
    (out / "index.html").write_text(OPENING_PAGE.format(version=version, pyodide=PYODIDE_VERSION),
                                    encoding="utf-8")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    say(f"site ready in {time.monotonic() - started:.0f} s: {out} ({size / 2**20:.0f} MiB). "
        f"Serve it with: python -m http.server -d {os.path.relpath(out)}")


if __name__ == "__main__":
    main()
