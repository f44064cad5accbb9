#!/usr/bin/env bash
# The whole course in the browser, nothing installed: build a static JupyterLite site
# with every notebook (English and pt-BR) and stepfn_lab running on Pyodide, its
# packages bundled as wheels in the site. Nothing is fetched from anywhere else when
# the site runs, so it works from any static server with the network cut:
#
#   bash scripts/lite.sh                          # -> build/lite
#   python -m http.server -d build/lite           # then open http://localhost:8000
#
# Build time needs PyPI (the lite extra, pure wheels) and npm (Pyodide's core): both
# are cached in build/lite-cache (STEPFN_LAB_LITE_CACHE moves it), so a rebuild is
# offline. How the site is put together: scripts/lite_build.py.
#
# Usage: bash scripts/lite.sh [OUTDIR]
# Environment: STEPFN_LAB_PYTHON, an interpreter that already has stepfn_lab and the
# lite extra (e.g. an active conda environment): then nothing is installed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${1:-build/lite}"

if [ -n "${STEPFN_LAB_PYTHON:-}" ]; then
    PY="$STEPFN_LAB_PYTHON"
    if ! "$PY" -c 'import jupyterlite_core, jupyterlite_pyodide_kernel, packaging' >/dev/null 2>&1; then
        echo "lite.sh: '$PY' lacks the lite extra: pip install -e '.[lite]' (or unset STEPFN_LAB_PYTHON)." >&2
        exit 1
    fi
    command -v npm >/dev/null 2>&1 || { echo "lite.sh: needs npm, to fetch Pyodide's core: apt-get install npm" >&2; exit 1; }
else
    # npm, and the virtual environment with stepfn_lab and the lite extra (jupyterlite-core, the Pyodide kernel).
    bash scripts/setup.sh --lite
    PY=.venv/bin/python
fi
exec "$PY" scripts/lite_build.py "$OUT"
