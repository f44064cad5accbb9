#!/usr/bin/env bash
# Slides that need no network: every notebook (English and pt-BR/) as a reveal.js deck in OUTDIR,
# with reveal.js, RequireJS, jQuery and MathJax copied next to the decks. They come from npm at
# build time (`npm pack`, kept in npm's cache, so later builds are offline too); the decks never
# load anything from a CDN. Instructor notes become speaker notes: press S in a deck to see them,
# the room never does.
#
# Usage: bash scripts/slides.sh [OUTDIR] [NOTEBOOK...]   (default build/slides, every notebook)
# Show:  python -m http.server -d build/slides 8000   then open http://127.0.0.1:8000/07-choice.slides.html
# Environment: STEPFN_LAB_PYTHON, the interpreter that has nbconvert (default .venv/bin/python, else python).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/build/slides}"
shift || true
PY="${STEPFN_LAB_PYTHON:-}"
if [ -z "$PY" ]; then
    if [ -x "$ROOT/.venv/bin/python" ]; then PY="$ROOT/.venv/bin/python"; else PY=python; fi
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "slides.sh: needs npm (Node.js) once, to fetch reveal.js, RequireJS, jQuery and MathJax:" >&2
    echo "           apt-get install npm (Debian/Ubuntu), or Node.js from your OS's package manager." >&2
    exit 1
fi
if ! "$PY" -c 'import nbconvert' >/dev/null 2>&1; then
    echo "slides.sh: '$PY' cannot import nbconvert; run 'bash scripts/lab.sh' first, or set STEPFN_LAB_PYTHON." >&2
    exit 1
fi

mkdir -p "$OUT/lib"
OUT="$(cd "$OUT" && pwd)"
LIB="$OUT/lib"

# fetch NAME VERSION: the npm package's files in lib/NAME (once).
fetch() {
    local name="$1" version="$2" dir="$LIB/$1"
    if [ -f "$dir/.stepfn-lab-$version" ]; then return; fi
    local tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "$name@$version" >/dev/null)
    rm -rf "$dir"
    mkdir -p "$dir"
    tar -xzf "$tmp"/*.tgz -C "$dir" --strip-components=1
    rm -rf "$tmp"
    touch "$dir/.stepfn-lab-$version"
}
fetch reveal.js 4.6.0
fetch requirejs 2.3.7
fetch jquery 3.7.1
fetch mathjax 2.7.9
# Some reveal.js themes (the "simple" one nbconvert uses among them) @import Google Fonts: the decks
# use the machine's own sans-serif fonts instead, so nothing is fetched while presenting.
sed -i.orig '/fonts\.googleapis\.com/d' "$LIB"/reveal.js/dist/theme/*.css
rm -f "$LIB"/reveal.js/dist/theme/*.css.orig

# convert PREFIX NOTEBOOK...: decks next to each other; PREFIX is the way back to lib/.
convert() {
    local prefix="$1" dest="$2"
    shift 2
    "$PY" -m nbconvert --to slides --log-level=WARN \
        --TemplateExporter.extra_template_basedirs="$ROOT/scripts/slides-templates" \
        --template stepfn-lab-slides \
        --SlidesExporter.reveal_url_prefix="${prefix}lib/reveal.js" \
        --SlidesExporter.require_js_url="${prefix}lib/requirejs/require.js" \
        --SlidesExporter.jquery_url="${prefix}lib/jquery/dist/jquery.min.js" \
        --SlidesExporter.mathjax_url="${prefix}lib/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe" \
        --SlidesExporter.reveal_width=1280 --SlidesExporter.reveal_height=960 \
        --output-dir="$dest" "$@"
}
if [ "$#" -gt 0 ]; then
    convert "" "$OUT" "$@"
else
    convert "" "$OUT" "$ROOT"/notebooks/*.ipynb
    convert "../" "$OUT/pt-BR" "$ROOT"/notebooks/pt-BR/*.ipynb
fi
echo "slides.sh: decks in $OUT; show them with: python -m http.server -d $OUT 8000" >&2
