#!/usr/bin/env bash
# Open the course in JupyterLab on notebooks/, with the project's JupyterLab
# settings (jupyter-config/: no "news" pop-up), its notebooks trusted.
# Installs nothing.
#
# Usage: bash scripts/serve.sh [jupyter lab options, e.g. --port 9999 --no-browser]
# Environment: STEPFN_LAB_PYTHON, the interpreter that has jupyterlab
# (default: `python` on PATH, e.g. the active conda environment).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${STEPFN_LAB_PYTHON:-python}"

if ! "$PY" -c 'import jupyterlab, stepfn_lab' >/dev/null 2>&1; then
    echo "serve.sh: '$PY' cannot import jupyterlab and stepfn_lab." >&2
    echo "          Run 'bash scripts/lab.sh' (it installs everything), or activate the" >&2
    echo "          conda environment first: conda activate stepfn-lab" >&2
    exit 1
fi

# Trust the course's notebooks (what `jupyter trust` does), so their stored
# diagrams, animations and widget fallbacks show on the first open, before any
# cell runs. Notebooks you changed are trusted by JupyterLab when you save them.
"$PY" -m nbformat.sign "$ROOT"/notebooks/*.ipynb "$ROOT"/notebooks/pt-BR/*.ipynb >/dev/null

export JUPYTER_CONFIG_PATH="$ROOT/jupyter-config${JUPYTER_CONFIG_PATH:+:$JUPYTER_CONFIG_PATH}"
args=(--ServerApp.root_dir="$ROOT/notebooks")
if [ "$(id -u)" -eq 0 ]; then
    # JupyterLab refuses to run as root unless told to.
    args+=(--allow-root)
fi
exec "$PY" -m jupyterlab "${args[@]}" "$@"
