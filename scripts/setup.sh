#!/usr/bin/env bash
# Install everything the course needs on Debian or Ubuntu, idempotently:
#   - Graphviz's `dot` (apt) when it is missing,
#   - with --browser, Chromium (apt) for the browser tests when it is missing,
#   - with --lite or --browser, npm (apt), which fetches Pyodide for the browser
#     build (scripts/lite.sh; the browser tests build it too) and reveal.js for the offline
#     slides (scripts/slides.sh, tests/test_slides.py),
#   - a virtual environment in .venv with stepfn_lab and all its extras
#     (lab, test, aws, lite), installed in editable mode from this checkout.
#
# Usage: bash scripts/setup.sh [--browser] [--lite]
# Environment: PYTHON (default python3) picks the interpreter, 3.10 or newer.
# Needs root or sudo only when an apt package is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

WANT_BROWSER=0
WANT_NPM=0
for arg in "$@"; do
    case "$arg" in
        --browser) WANT_BROWSER=1; WANT_NPM=1 ;;
        --lite) WANT_NPM=1 ;;
        *) echo "setup.sh: unknown option '$arg' (expected --browser or --lite)" >&2; exit 2 ;;
    esac
done

PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"
STAMP="$VENV/.stepfn-lab-installed"
export PIP_DISABLE_PIP_VERSION_CHECK=1

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

stage_start=$SECONDS
stage_done() { say "$1 ($((SECONDS - stage_start)) s)"; stage_start=$SECONDS; }

# --- apt --------------------------------------------------------------------

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    SUDO=()
fi

APT_UPDATED=0
apt_install() {
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "setup.sh: '$*' is missing and this is not a Debian/Ubuntu system (no apt-get)." >&2
        echo "          Install it with your package manager, or use the conda path in README.md." >&2
        exit 1
    fi
    if [ "$(id -u)" -ne 0 ] && [ ${#SUDO[@]} -eq 0 ]; then
        echo "setup.sh: '$*' is missing and installing it needs root." >&2
        echo "          Run: sudo apt-get install -y $*   (then run this command again)" >&2
        exit 1
    fi
    if [ "$APT_UPDATED" -eq 0 ]; then
        say "apt-get update"
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        APT_UPDATED=1
    fi
    say "apt-get install $*"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq -o Dpkg::Use-Pty=0 "$@" >/dev/null
}

if ! command -v dot >/dev/null 2>&1; then
    apt_install graphviz
    command -v dot >/dev/null 2>&1 || {
        echo "setup.sh: Graphviz is installed but its 'dot' program is not on PATH ($PATH)." >&2
        exit 1
    }
fi
tools="dot: $(command -v dot)"

chromium_binary() {
    if [ -n "${STEPFN_LAB_CHROMIUM:-}" ]; then echo "$STEPFN_LAB_CHROMIUM"; return; fi
    command -v chromium || command -v chromium-browser
}
if [ "$WANT_BROWSER" -eq 1 ]; then
    if ! chromium_binary >/dev/null; then
        # Debian's package is `chromium`; Ubuntu's is `chromium-browser`.
        apt_install chromium || apt_install chromium-browser
    fi
    browser="$(chromium_binary)" || {
        echo "setup.sh: no Chromium for the browser tests. Install one, or point" >&2
        echo "          STEPFN_LAB_CHROMIUM at a Chromium or Chrome binary." >&2
        exit 1
    }
    tools+=", chromium: $browser"
fi
if [ "$WANT_NPM" -eq 1 ]; then
    if ! command -v npm >/dev/null 2>&1; then
        apt_install npm
    fi
    tools+=", npm: $(command -v npm)"
fi
stage_done "system packages ready ($tools)"

# --- Python -----------------------------------------------------------------

if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "setup.sh: '$PYTHON' not found. Install Python 3.10 or newer (apt-get install python3)," >&2
    echo "          or point PYTHON at one: PYTHON=/usr/bin/python3.12 bash scripts/setup.sh" >&2
    exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "setup.sh: stepfn_lab needs Python 3.10 or newer; '$PYTHON' is $("$PYTHON" -V 2>&1)." >&2
    echo "          Point PYTHON at a newer one: PYTHON=/usr/bin/python3.12 bash scripts/setup.sh" >&2
    exit 1
fi

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
    rm -rf "$VENV"
    # Debian and Ubuntu ship venv's pip bootstrap (ensurepip) as a separate package.
    if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        apt_install "python3-venv"
    fi
    say "creating the virtual environment .venv"
    "$PYTHON" -m venv "$VENV"
fi

# Reinstall only when pyproject.toml or the interpreter changed: the package is
# installed in editable mode, so edits to stepfn_lab/ need no reinstall.
want_stamp="$(cat pyproject.toml "$VENV/pyvenv.cfg" | sha256sum | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want_stamp" ] \
    && "$VENV/bin/python" -c 'import stepfn_lab' >/dev/null 2>&1; then
    say "Python packages already installed (.venv)"
else
    say "installing stepfn_lab and its packages into .venv (wheels only)"
    # (The filter drops pip's notes about configured local package folders that do not exist.)
    "$VENV/bin/python" -m pip install --quiet --only-binary=:all: --editable ".[lab,test,aws,lite]" 2>&1 \
        | { grep -v "^WARNING: Location 'file:.*' is ignored" || true; }
    echo "$want_stamp" > "$STAMP"
fi
stage_done "Python environment ready: $("$VENV/bin/python" -V)"
