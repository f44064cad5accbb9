"""The lesson linter: every course notebook follows the template of architecture §b.7.

Checks each notebook in notebooks/ and notebooks/pt-BR/ (title, objectives and
minutes, one setup cell, exercises with check/hint/solution, key points,
navigation footer, instructor notes, nbval tags), that every English notebook has
a Brazilian Portuguese twin with byte-identical code cells, and the course as a
whole (at least 12 notebooks, 30 exercises, the Stepper in 5 notebooks, an
exercises module per notebook, both index pages listing every notebook).
In the spirit of the Carpentries' lesson_check.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
PT = NOTEBOOKS / "pt-BR"
EXERCISES = ROOT / "stepfn_lab" / "exercises"

NAME = re.compile(r"^(\d\d)-[a-z0-9-]+\.ipynb$")
EN_FILES = sorted(NOTEBOOKS.glob("*.ipynb"))
PT_FILES = sorted(PT.glob("*.ipynb"))
ALL_FILES = EN_FILES + PT_FILES

# The words the template uses in each language.
WORDS = {
    "en": {"questions": "**Questions**", "objectives": "**Objectives**", "time": "**Time:**",
           "key_points": "## Key points", "index": "[Index](README.md)", "exercise": "### Exercise"},
    "pt": {"questions": "**Perguntas**", "objectives": "**Objetivos**", "time": "**Tempo:**",
           "key_points": "## Pontos-chave", "index": "[Índice](README.md)", "exercise": "### Exercício"},
}
RICH_OUTPUTS = ("image/svg+xml", "application/vnd.jupyter.widget-view+json")
CHECK_LINE = re.compile(r"^ex\.q(\d+)\.check\(answer\)\s*$")
MAX_CODE_LINES = 20
MAX_PROSE_WORDS = 250


def _id(path: Path) -> str:
    return str(path.relative_to(NOTEBOOKS))


def _lang(path: Path) -> str:
    return "pt" if path.parent == PT else "en"


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _number(path: Path) -> str:
    return path.name[:2]


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _code(nb) -> list:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def _markdown(nb) -> list:
    return [cell for cell in nb.cells if cell.cell_type == "markdown"]


def _exercise_cells(nb) -> list[tuple[int, int]]:
    """(cell index, question number) of every starter cell, in order."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        lines = [line for line in cell.source.strip().splitlines() if line.strip()]
        if lines and CHECK_LINE.match(lines[-1]):
            found.append((i, int(CHECK_LINE.match(lines[-1]).group(1))))
    return found


SET_LANGUAGE = re.compile(r'^sfl\.set_language\("([A-Za-z-]+)"\)$', re.MULTILINE)
LANGUAGE_CODE = {"en": "en", "pt": "pt-BR"}


def _language_of_setup(nb) -> str | None:
    """The language the setup cell gives the kit (``sfl.set_language("pt-BR")``), None if it sets none."""
    setup = next((c for c in _code(nb) if "import stepfn_lab as sfl" in c.source), None)
    found = SET_LANGUAGE.findall(setup.source) if setup is not None else []
    return found[0] if found else None


def _without_language(source: str) -> str:
    """A code cell with its set_language argument blanked: the one place the twins' code may differ."""
    return SET_LANGUAGE.sub('sfl.set_language("")', source)


def _text_of(output) -> str:
    if output.get("output_type") == "stream":
        return output.get("text", "")
    data = output.get("data", {})
    return data.get("text/plain", "") + data.get("text/markdown", "")


notebook = pytest.mark.parametrize("path", ALL_FILES, ids=[_id(p) for p in ALL_FILES])


# --- the course as a whole ---------------------------------------------------------------------

def test_there_are_at_least_twelve_notebooks():
    assert len(EN_FILES) >= 12, f"{len(EN_FILES)} notebooks in notebooks/; the course needs at least 12"


def test_file_names_are_two_digits_and_a_kebab_slug():
    bad = [_id(p) for p in ALL_FILES if not NAME.match(p.name)]
    assert not bad, f"names must look like 03-some-slug.ipynb: {bad}"
    numbers = [_number(p) for p in EN_FILES]
    assert len(numbers) == len(set(numbers)), f"two notebooks share a number: {numbers}"


def test_every_notebook_has_a_portuguese_twin_and_back():
    en = {p.name for p in EN_FILES}
    pt = {p.name for p in PT_FILES}
    assert not en - pt, f"missing in notebooks/pt-BR/: {sorted(en - pt)}"
    assert not pt - en, f"in notebooks/pt-BR/ but not in notebooks/: {sorted(pt - en)}"


def test_there_are_at_least_thirty_exercises():
    count = sum(len(_exercise_cells(_read(p))) for p in EN_FILES)
    assert count >= 30, f"{count} exercises in the English notebooks; the course needs at least 30"
    from stepfn_lab.exercises import all_exercises
    assert len(all_exercises()) >= 30


def test_the_stepper_is_used_in_at_least_five_notebooks():
    using = [p.name for p in EN_FILES if any("Stepper(" in cell.source for cell in _code(_read(p)))]
    assert len(using) >= 5, f"the Stepper appears only in {using}"


def test_each_notebook_has_an_exercises_module():
    missing = [p.name for p in EN_FILES if not (EXERCISES / f"nb{_number(p)}.py").exists()]
    assert not missing, f"no stepfn_lab/exercises/nbNN.py for {missing}"


def test_every_exercise_in_a_module_is_used_by_its_notebook():
    from stepfn_lab.exercises import all_exercises
    used = {f"nb{_number(p)}.q{q}" for p in EN_FILES for _, q in _exercise_cells(_read(p))}
    unused = sorted(set(all_exercises()) - used)
    assert not unused, f"exercises no notebook asks: {unused}"


@pytest.mark.parametrize("index", [NOTEBOOKS / "README.md", PT / "README.md"], ids=["README", "pt-BR/README"])
def test_the_index_lists_every_notebook(index):
    assert index.exists(), f"{index.relative_to(ROOT)} is missing"
    text = index.read_text(encoding="utf-8")
    missing = [p.name for p in EN_FILES if f"]({p.name})" not in text]
    assert not missing, f"{index.relative_to(ROOT)} does not link {missing}"


@pytest.mark.parametrize("folder", [NOTEBOOKS, PT], ids=["en", "pt-BR"])
def test_instructor_notes_and_a_one_page_cheat_sheet_in_each_language(folder):
    notes, sheet = folder / "INSTRUCTOR.md", folder / "CHEATSHEET.md"
    assert notes.exists(), f"{notes.relative_to(ROOT)} is missing"
    assert sheet.exists(), f"{sheet.relative_to(ROOT)} is missing"
    text = sheet.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 100, "the cheat sheet must fit on one page (100 lines at most)"
    for must in ("InputPath", "ResultSelector", "ResultPath", "OutputPath", "States.ALL", "States.Runtime",
                 "States.DataLimitExceeded", "Standard", "Express"):
        assert must in text, f"the cheat sheet does not mention {must}"
    index = (folder / "README.md").read_text(encoding="utf-8")
    assert "](CHEATSHEET.md)" in index and "](INSTRUCTOR.md)" in index, "the index must link both"


# --- each notebook -------------------------------------------------------------------------------

@notebook
def test_title_and_hook(path):
    first = _read(path).cells[0]
    assert first.cell_type == "markdown", "the first cell must be the title (Markdown)"
    lines = first.source.strip().splitlines()
    assert lines[0].startswith(f"# {_number(path)} · "), f"title must start '# {_number(path)} · ', got {lines[0]!r}"
    hook = " ".join(line for line in lines[1:] if line.strip())
    assert len(hook.split()) >= 6, "the title needs a one-sentence hook under it"


@notebook
def test_questions_objectives_and_minutes(path):
    words = WORDS[_lang(path)]
    cells = [c.source for c in _read(path).cells[:4] if c.cell_type == "markdown"]
    cell = next((s for s in cells if words["objectives"] in s), None)
    assert cell, f"no {words['objectives']} cell near the top"
    assert words["questions"] in cell and words["time"] in cell, f"the cell needs {words['questions']} and {words['time']}"
    minutes = [int(m) for m in re.findall(r"(\d+)\s*min", cell.split(words["time"], 1)[1])]
    assert len(minutes) == 2, f"{words['time']} must give teaching and exercise minutes, got {minutes}"
    assert 20 <= sum(minutes) <= 40, f"a notebook takes 20 to 40 minutes, this one says {sum(minutes)}"


@notebook
def test_one_setup_cell_imports_the_kit_and_the_exercises(path):
    code = _code(_read(path))
    setup = [c for c in code if "import stepfn_lab as sfl" in c.source]
    assert len(setup) == 1, f"{len(setup)} cells import stepfn_lab as sfl; there must be exactly one"
    assert setup[0] is code[0], "the setup cell must be the first code cell"
    assert f"from stepfn_lab.exercises import nb{_number(path)} as ex" in setup[0].source
    for cell in code:
        assert "pip install" not in cell.source and "sys.path" not in cell.source, \
            "no pip install or sys.path edits in notebooks"


@notebook
def test_the_setup_cell_sets_the_notebooks_language(path):
    """A pt-BR notebook shows the kit in Portuguese: its setup cell says so (and an English one says "en")."""
    found = _language_of_setup(_read(path))
    assert found == LANGUAGE_CODE[_lang(path)], \
        f'the setup cell must call sfl.set_language("{LANGUAGE_CODE[_lang(path)]}"), found {found!r}'


@notebook
def test_one_time_label_per_language(path):
    """Every notebook of a language names its minutes the same way ("min teaching" / "min de explicação")."""
    label = {"en": "min teaching", "pt": "min de explicação"}[_lang(path)]
    cells = [c.source for c in _read(path).cells[:4] if c.cell_type == "markdown"]
    time_line = next((line for s in cells for line in s.splitlines() if line.startswith(WORDS[_lang(path)]["time"])),
                     "")
    assert label in time_line, f"the time line must say '{label}': {time_line!r}"


@notebook
def test_at_least_two_exercises_with_check_hint_and_solution(path):
    nb = _read(path)
    words = WORDS[_lang(path)]
    starters = _exercise_cells(nb)
    numbers = [q for _, q in starters]
    assert len(numbers) >= 2, f"{len(numbers)} exercise(s); each notebook needs at least 2"
    assert numbers == list(range(1, len(numbers) + 1)), f"exercises must be q1, q2, ... in order, got {numbers}"
    module = importlib.import_module(f"stepfn_lab.exercises.nb{_number(path)}")
    for i, q in starters:
        assert hasattr(module, f"q{q}"), f"nb{_number(path)}.q{q} does not exist"
        prompt = nb.cells[i - 1]
        assert prompt.cell_type == "markdown" and words["exercise"] in prompt.source, \
            f"exercise {q} needs a prompt cell ('{words['exercise']} {q} · ...') right before its starter"
        after = nb.cells[i + 1] if i + 1 < len(nb.cells) else None
        assert after is not None and after.cell_type == "code", f"exercise {q} needs a hint/solution cell after it"
        lines = after.source.strip().splitlines()
        assert f"# ex.q{q}.hint()" in lines and f"# ex.q{q}.solution()" in lines, \
            f"the cell after exercise {q} must hold '# ex.q{q}.hint()' and '# ex.q{q}.solution()', commented out"


@notebook
def test_starters_run_clean_and_are_not_already_solved(path):
    nb = _read(path)
    verdict = "Ainda não / Not yet" if _language_of_setup(nb) == "pt-BR" else "Not yet / Ainda não"
    for i, q in _exercise_cells(nb):
        outputs = nb.cells[i].get("outputs", [])
        assert outputs, f"exercise {q}: no stored output (execute the notebook)"
        assert not any(o.get("output_type") == "error" for o in outputs), f"exercise {q}: the starter raises"
        shown = "".join(_text_of(o) for o in outputs)
        assert verdict in shown, f"exercise {q}: the starter should hold a wrong or empty answer ({verdict!r})"


@notebook
def test_key_points(path):
    words = WORDS[_lang(path)]
    cell = next((c.source for c in _markdown(_read(path)) if c.source.startswith(words["key_points"])), None)
    assert cell, f"no '{words['key_points']}' cell"
    bullets = [line for line in cell.splitlines() if line.startswith("- ")]
    assert 3 <= len(bullets) <= 5, f"key points need 3 to 5 bullets, got {len(bullets)}"


@notebook
def test_navigation_footer(path):
    words = WORDS[_lang(path)]
    last = _read(path).cells[-1]
    assert last.cell_type == "markdown" and words["index"] in last.source, \
        f"the last cell must be the navigation footer with {words['index']}"
    links = re.findall(r"\]\(([^)]+\.ipynb)\)", last.source)
    for link in links:
        assert (path.parent / link).exists(), f"the footer links {link}, which does not exist"
    number = int(_number(path))
    numbers = sorted(int(_number(p)) for p in EN_FILES)
    linked = {int(link[:2]) for link in links}
    if number != numbers[0]:
        assert number - 1 in linked, "the footer must link the previous notebook"
    if number != numbers[-1]:
        assert number + 1 in linked, "the footer must link the next notebook"


@notebook
def test_instructor_notes(path):
    tagged = [c for c in _read(path).cells if "instructor" in _tags(c)]
    assert tagged, "no cell tagged 'instructor'"
    assert all(c.cell_type == "markdown" for c in tagged), "instructor notes are Markdown cells"


@notebook
def test_nbval_tags(path):
    nb = _read(path)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", "kernelspec must be python3"
    for i, cell in enumerate(nb.cells):
        tags = _tags(cell)
        assert "nbval-skip" not in tags, f"cell {i}: never nbval-skip; make the cell deterministic"
        if cell.cell_type != "code":
            continue
        kinds = {kind for o in cell.get("outputs", []) for kind in o.get("data", {})}
        if kinds & set(RICH_OUTPUTS):
            assert "nbval-ignore-output" in tags, f"cell {i} shows an SVG or a widget: tag it nbval-ignore-output"
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            assert "raises-exception" in tags, f"cell {i} stores an error ({errors[0].get('ename')}) and is not tagged"


@notebook
def test_cells_stay_short(path):
    for i, cell in enumerate(_read(path).cells):
        if cell.cell_type == "code":
            lines = len(cell.source.strip().splitlines())
            assert lines <= MAX_CODE_LINES, f"cell {i} has {lines} lines of code; keep cells short"
        else:
            prose = " ".join(line for line in cell.source.splitlines() if not line.lstrip().startswith("|"))
            words = len(prose.split())
            assert words <= MAX_PROSE_WORDS, f"cell {i} has {words} words; split the prose"


# --- English and Portuguese twins -------------------------------------------------------------

PAIRS = [(p, PT / p.name) for p in EN_FILES if (PT / p.name).exists()]
pair = pytest.mark.parametrize("en,pt", PAIRS, ids=[p.name for p, _ in PAIRS])


@pair
def test_twins_have_identical_code_cells(en, pt):
    """Byte-identical, but for the setup cell's ``sfl.set_language("en")`` / ``("pt-BR")``."""
    a, b = _code(_read(en)), _code(_read(pt))
    assert len(a) == len(b), f"{len(a)} code cells in English, {len(b)} in Portuguese"
    for i, (x, y) in enumerate(zip(a, b)):
        same = x.source == y.source or (i == 0 and _without_language(x.source) == _without_language(y.source))
        assert same, f"code cell {i} differs:\n{x.source}\n---\n{y.source}"
        assert _tags(x) == _tags(y), f"code cell {i} has tags {_tags(x)} in English and {_tags(y)} in Portuguese"


@pair
def test_twins_have_the_same_shape_and_translated_prose(en, pt):
    a, b = _read(en).cells, _read(pt).cells
    assert [c.cell_type for c in a] == [c.cell_type for c in b], "the two notebooks' cells do not line up"
    for i, (x, y) in enumerate(zip(a, b)):
        if x.cell_type == "markdown" and len(x.source.split()) > 12:
            assert x.source != y.source, f"Markdown cell {i} is not translated"
        assert ("instructor" in _tags(x)) == ("instructor" in _tags(y)), f"cell {i}: instructor tag differs"
