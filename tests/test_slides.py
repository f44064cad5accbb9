"""Slides with no network (scripts/slides.sh and its nbconvert template).

Builds the deck of notebook 07 (English) and of its pt-BR twin, serves the folder on
127.0.0.1, opens it in Chromium with every other request refused, and checks that
reveal.js, its speaker-notes plugin and MathJax load from the folder, that the
diagrams are there, and that the instructor notes exist only as speaker notes: hidden
from the room. A screenshot lands in test-artifacts/.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import ROOT, _skip_or_fail, block_outside_requests, screenshot_path

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCRIPT = ROOT / "scripts" / "slides.sh"
NOTEBOOK = ROOT / "notebooks" / "07-choice.ipynb"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def decks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("npm") is None:
        _skip_or_fail("scripts/slides.sh needs npm once, to fetch reveal.js: apt-get install npm")
    out = tmp_path_factory.mktemp("slides")
    import sys

    env = {**os.environ, "STEPFN_LAB_PYTHON": sys.executable}
    deck = out / NOTEBOOK.name.replace(".ipynb", ".slides.html")
    for notebook in (ROOT / "notebooks" / "pt-BR" / NOTEBOOK.name, NOTEBOOK):
        result = subprocess.run(["bash", str(SCRIPT), str(out), str(notebook)], env=env, capture_output=True,
                                text=True, timeout=900)
        assert result.returncode == 0, result.stderr[-3000:]
        if "pt-BR" in notebook.parts:  # same file name as the English deck: keep it under another
            deck.rename(out / "pt-BR.slides.html")
    return out


@pytest.fixture(scope="module")
def served(decks: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(decks)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _instructor_notes(notebook: Path) -> list[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    plain = [re.sub(r"[*_`>#\[\]]", "", "".join(c["source"])) for c in cells
             if "instructor" in c["metadata"].get("tags", [])]
    return [" ".join(text.split()[2:7]) for text in plain]


def test_the_deck_names_only_local_scripts_and_styles(decks: Path) -> None:
    html = (decks / "07-choice.slides.html").read_text(encoding="utf-8")
    assert 'src="lib/reveal.js' not in html  # reveal.js itself is loaded through RequireJS
    for local in ("lib/requirejs/require.js", "lib/jquery/dist/jquery.min.js", "lib/reveal.js/dist/reveal.css",
                  "lib/reveal.js/dist/reveal.js", "lib/reveal.js/plugin/notes/notes.js", "lib/mathjax/MathJax.js"):
        assert local in html
        assert (decks / local.split("?")[0]).is_file(), local
    assert "unpkg.com" not in html and "cdnjs" not in html and "cdn.jsdelivr" not in html


@pytest.mark.parametrize("deck, notebook", [("07-choice.slides.html", NOTEBOOK),
                                            ("pt-BR.slides.html", ROOT / "notebooks" / "pt-BR" / NOTEBOOK.name)])
def test_reveal_loads_offline_and_instructor_notes_are_speaker_notes(
        served: str, browser_page: Any, deck: str, notebook: Path) -> None:
    page = browser_page
    refused = block_outside_requests(page.context, served)
    page.goto(f"{served}/{deck}")
    page.wait_for_selector(".reveal.ready", state="attached", timeout=60_000)
    # reveal.js came in through RequireJS (no global): ask RequireJS for the module the deck loaded
    reveal = page.evaluate("""() => new Promise(ok => require(['lib/reveal.js/dist/reveal.js'],
        R => ok({ready: R.isReady(), total: R.getTotalSlides(), notes: R.hasPlugin('notes')})))""")
    assert reveal["ready"] and reveal["total"] > 5
    assert reveal["notes"]  # press S: the speaker view with the notes
    page.wait_for_function("window.MathJax && MathJax.Hub", timeout=30_000)
    assert page.locator(".reveal .slides img[src^='data:image/svg+xml']").count() >= 1  # the stored diagrams
    notes = _instructor_notes(notebook)
    assert notes
    for words in notes:
        where = page.evaluate(
            """(words) => {
                const norm = s => s.replace(/\\s+/g, ' ');
                const has = e => norm(e.textContent).includes(words);
                const hits = Array.from(document.querySelectorAll('.reveal .slides *'))
                    .filter(e => has(e) && !Array.from(e.children).some(has));
                return hits.map(e => !!e.closest('aside.notes') &&
                                     getComputedStyle(e.closest('aside.notes')).display === 'none');
            }""", words)
        assert where and all(where), f"instructor note {words!r} is visible to the room: {where}"
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(600)
    page.screenshot(path=str(screenshot_path(f"slides-offline-{deck}")))
    assert refused == [], f"the deck asked for outside resources: {refused}"
