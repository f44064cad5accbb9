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
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${1:-build/lite}"

if ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "[lite] apt-get install npm (to fetch Pyodide's core from the npm registry)"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Use-Pty=0 npm >/dev/null
    else
        echo "lite.sh: needs npm (Node.js) to fetch Pyodide's core: apt-get install npm," >&2
        echo "         or install Node.js from nodejs.org." >&2
        exit 1
    fi
fi

# The virtual environment with stepfn_lab and the lite extra (jupyterlite-core, the Pyodide kernel).
bash scripts/setup.sh
exec .venv/bin/python scripts/lite_build.py "$OUT"
