"""Every course exercise: its solution passes, and each typical wrong answer fails with a helpful message.

Covers stepfn_lab/exercises (the check/hint/solution machinery, architecture §b.7)
and every ``nbNN`` module in it, as the notebooks use them.
"""

from __future__ import annotations

import re

import pytest

from stepfn_lab import set_language
from stepfn_lab.exercises import Exercise, Result, Solution, all_exercises, say

EXERCISES = all_exercises()
WRONG = [(key, i) for key, exercise in EXERCISES.items() for i in range(len(exercise.wrong))]


def _bilingual(message: str) -> bool:
    lines = [line for line in message.splitlines() if line.strip()]
    return len(lines) >= 2


# --- the registry -----------------------------------------------------------------------------

def test_the_registry_finds_exercises_named_by_module_and_question():
    assert EXERCISES, "no exercises found"
    for key, exercise in EXERCISES.items():
        assert re.fullmatch(r"nb\d\d\.q\d+", key), key
        assert isinstance(exercise, Exercise)
        assert exercise.name == key, f"{key} is registered under the name {exercise.name!r}"


def test_questions_are_numbered_from_one_without_gaps():
    by_module: dict[str, list[int]] = {}
    for key in EXERCISES:
        module, question = key.split(".")
        by_module.setdefault(module, []).append(int(question[1:]))
    for module, numbers in by_module.items():
        assert numbers == list(range(1, len(numbers) + 1)), f"{module}: questions {numbers}"
        assert len(numbers) >= 2, f"{module} has {len(numbers)} exercise(s); each notebook needs at least 2"


# --- each exercise ----------------------------------------------------------------------------

@pytest.mark.parametrize("key", list(EXERCISES))
def test_the_solution_passes(key):
    exercise = EXERCISES[key]
    result = exercise.check(exercise.solution_value)
    assert isinstance(result, Result)
    assert result.correct, f"{key}: the solution fails with: {result.message}"
    assert repr(result).startswith("✅ Correct! / Correto!")


@pytest.mark.parametrize("key", list(EXERCISES))
def test_every_exercise_has_wrong_answers_hints_and_bilingual_messages(key):
    exercise = EXERCISES[key]
    assert exercise.wrong, f"{key} lists no typical wrong answer"
    assert exercise.hints, f"{key} has no hint"
    for n, hint in enumerate(exercise.hints, start=1):
        assert _bilingual(hint), f"{key} hint {n} is not bilingual (English line, then Portuguese line): {hint!r}"
        shown = exercise.hint(n)
        assert hint in repr(shown) and f"{n}/{len(exercise.hints)}" in repr(shown)
    assert _bilingual(exercise.check(exercise.solution_value).message), f"{key}: the success message is not bilingual"


@pytest.mark.parametrize("key,index", WRONG, ids=[f"{k}-wrong{i + 1}" for k, i in WRONG])
def test_a_typical_wrong_answer_fails_with_its_message(key, index):
    exercise = EXERCISES[key]
    answer, expected = exercise.wrong[index]
    result = exercise.check(answer)
    assert not result.correct, f"{key}: the wrong answer {answer!r} was accepted"
    assert expected in result.message, f"{key}: for {answer!r} expected {expected!r} in: {result.message}"
    assert _bilingual(result.message), f"{key}: the message for {answer!r} is not bilingual: {result.message!r}"
    assert repr(result).startswith("❌ Not yet / Ainda não:")


@pytest.mark.parametrize("key", list(EXERCISES))
@pytest.mark.parametrize("odd", [..., None, 0, "", [], {}, "not json {", object(), float("nan")],
                         ids=["ellipsis", "none", "zero", "empty-str", "empty-list", "empty-dict", "text", "object", "nan"])
def test_check_never_raises_and_judges_odd_answers(key, odd):
    exercise = EXERCISES[key]
    result = exercise.check(odd)
    assert isinstance(result, Result)
    if odd is ...:
        assert not result.correct and "..." in result.message
    assert result.message.strip(), f"{key}: an empty message for {odd!r}"


@pytest.mark.parametrize("key", list(EXERCISES))
def test_the_solution_is_shown_and_cannot_be_changed_by_the_learner(key):
    exercise = EXERCISES[key]
    shown = exercise.solution()
    assert isinstance(shown, Solution)
    assert key in repr(shown) and "Solution / Solução" in shown._repr_html_()
    if not callable(shown.value):  # the text pastes into a Python cell and gives the answer back
        scope: dict = {}
        exec(shown._text(), scope)
        assert scope["answer"] == shown.value
    value = exercise.solution_value
    if isinstance(value, (dict, list)):
        value.clear()
        assert exercise.check(exercise.solution_value).correct, f"{key}: clearing a copy broke the stored solution"


# --- the machinery ----------------------------------------------------------------------------

def _toy() -> Exercise:
    def check(answer):
        if answer == 42:
            return True, say("Right.", "Certo.")
        if answer == "boom":
            raise RuntimeError("kaboom")
        return False, say(f"{answer} is not 42.", f"{answer} não é 42.")

    return Exercise("nb99.q1", check, [say("Six times seven.", "Seis vezes sete."), say("42.", "42.")], 42,
                    wrong=[(41, "not 42")])


def test_results_render_the_same_way_as_text_and_html():
    toy = _toy()
    good, bad = toy.check(42), toy.check(41)
    assert repr(good) == "✅ Correct! / Correto! Right.\nCerto."
    assert repr(bad) == "❌ Not yet / Ainda não: 41 is not 42.\n41 não é 42."
    html = good._repr_html_()
    assert 'class="tex2jax_ignore mathjax_ignore"' in html
    assert "Right.<br>" in html and "Certo." in html
    assert bool(good) and not bool(bad)


def test_right_and_wrong_read_without_an_emoji_font():
    """Issue 15.4: the verdict is a coloured word; with the emoji removed it still says right or wrong."""
    toy = _toy()
    good, bad = toy.check(42)._repr_html_(), toy.check(41)._repr_html_()
    for shown, word, colour in ((good, "Correct!", "#037F0C"), (bad, "Not yet", "#D91515")):
        no_emoji = shown.replace("✅", "").replace("❌", "")
        assert word in no_emoji
        assert f'<span style="color:{colour};font-weight:bold">' in shown
        assert f"border-left:4px solid {colour}" in shown
    assert "#037F0C" not in bad and "#D91515" not in good


def test_portuguese_comes_first_when_the_kit_speaks_portuguese():
    toy = _toy()
    try:
        set_language("pt-BR")
        assert repr(toy.check(42)) == "✅ Correto! / Correct! Certo.\nRight."
        assert repr(toy.check(41)) == "❌ Ainda não / Not yet: 41 não é 42.\n41 is not 42."
        assert repr(toy.hint()) == "💡 Dica / Hint 1/2: Seis vezes sete.\nSix times seven."
        assert repr(toy.solution()).startswith("💡 Solução / Solution (nb99.q1):")
    finally:
        set_language("en")
    assert repr(toy.check(42)).startswith("✅ Correct! / Correto!")


def test_html_escapes_messages_and_keeps_dollar_paths_away_from_math():
    result = Result(False, say("<b>no</b> use $.Payload.total", "<i>não</i>"))
    html = result._repr_html_()
    assert "&lt;b&gt;no&lt;/b&gt;" in html and "<b>no" not in html
    assert "$.Payload.total" in html  # inside an element MathJax 2 and 3 skip
    assert 'class="tex2jax_ignore mathjax_ignore"' in html


def test_a_kit_error_in_bilingual_words_keeps_both_languages():
    ex = Exercise("nb99.q3", lambda a: (_ for _ in ()).throw(ValueError(say("Bad.", "Ruim."))), [], 1)
    result = ex.check(2)
    assert not result.correct and result.message == "Bad.\nRuim."


def test_progress_lists_done_tried_and_untried_exercises():
    from stepfn_lab.exercises import nb04
    for exercise in nb04.progress().exercises:  # other tests may have checked them already
        exercise.done = exercise.tried = False
    nb04.q1.check(nb04.q1.solution_value)
    nb04.q2.check("$")
    progress = nb04.progress()
    assert progress.done == 1
    text = repr(progress)
    assert text.splitlines()[0] == f"Notebook 04: 1 of {len(progress.exercises)} exercises done"
    assert "q1  ✅ done" in text and "q2  ❌ tried, not yet right" in text and "q3  · not tried yet" in text
    try:
        set_language("pt-BR")
        assert "q1  ✅ feito" in repr(nb04.progress()) and "exercícios feitos" in repr(nb04.progress())
    finally:
        set_language("en")
    assert "color:#037F0C" in progress._repr_html_()


def test_every_notebook_module_has_progress():
    from stepfn_lab.exercises import all_exercises as every
    import importlib
    for module in {key.split(".")[0] for key in every()}:
        assert callable(importlib.import_module(f"stepfn_lab.exercises.{module}").progress), module


def test_an_exception_in_a_check_becomes_a_failed_result():
    result = _toy().check("boom")
    assert not result.correct
    assert "RuntimeError: kaboom" in result.message and "gerou RuntimeError" in result.message


def test_the_placeholder_asks_for_an_answer():
    result = _toy().check(...)
    assert not result.correct and "Replace the ..." in result.message and "Troque o ..." in result.message


def test_hints_are_numbered_and_clamped():
    toy = _toy()
    assert repr(toy.hint()) == "💡 Hint / Dica 1/2: Six times seven.\nSeis vezes sete."
    assert repr(toy.hint(2)).startswith("💡 Hint / Dica 2/2: 42.")
    assert repr(toy.hint(9)) == repr(toy.hint(2))
    assert repr(toy.hint("x")) == repr(toy.hint(1))


def test_the_solution_is_python_to_paste():
    value = {"Variable": "$.total", "ResultPath": None, "Next": True, "n": [1, 2.5]}
    shown = Exercise("nb99.q2", lambda a: (True, ""), [], value).solution()
    assert shown.value == value
    code = repr(shown).split("\n", 1)[1]
    assert "null" not in code and "true" not in code and "None" in code and "True" in code
    scope: dict = {}
    exec(code, scope)
    assert scope["answer"] == value
