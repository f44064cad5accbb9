"""The kit's language setting (stepfn_lab/language): one switch, the views follow it, AWS's names stay.

Covers ``set_language``, the message tables, Brazilian number, money and date
formats, and the JSON line breaking the tables use. The views' own tests
(history, render, billing) check the words they print in both languages.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

import stepfn_lab as sfl
from stepfn_lab import language
from stepfn_lab.language import en, pt_br


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    sfl.set_language("en")


def test_one_switch_and_its_aliases():
    assert sfl.get_language() == "en"
    sfl.set_language("pt-BR")
    assert sfl.get_language() == "pt-BR"
    sfl.set_language("pt_br")
    assert sfl.get_language() == "pt-BR"
    sfl.set_language("EN")
    assert sfl.get_language() == "en"


@pytest.mark.parametrize("bad", ["fr", "", None, 3])
def test_an_unknown_language_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="'en' and 'pt-BR'"):
        sfl.set_language(bad)
    assert sfl.get_language() == "en"


def test_both_tables_have_the_same_keys_and_fields():
    assert en.MESSAGES.keys() == pt_br.MESSAGES.keys()
    import string
    for key in en.MESSAGES:
        fields = {f for _, f, _, _ in string.Formatter().parse(en.MESSAGES[key]) if f}
        assert fields == {f for _, f, _, _ in string.Formatter().parse(pt_br.MESSAGES[key]) if f}, key


def test_brazilian_numbers_money_and_dates():
    sfl.set_language("pt-BR")
    assert language.number(1234.5) == "1.234,5"
    assert language.number(1234567) == "1.234.567"
    assert language.number(0.0333333, 2) == "0,03"
    assert language.money(2500) == "US$ 2.500,00"
    assert language.money(-0.5) == "-US$ 0,50"
    assert language.date(date(2026, 12, 1)) == "01/12/2026"
    assert language.date(datetime(2026, 12, 1, 9, 5, 0), time=True) == "01/12/2026 09:05:00"
    assert language.seconds(1.5) == "1,5 s"


def test_english_numbers_money_and_dates():
    assert language.number(1234.5) == "1,234.5"
    assert language.money(2500) == "$2,500.00"
    assert language.date(date(2026, 12, 1)) == "2026-12-01"
    assert language.number(True) == "True"  # not a number: left alone


def test_an_explicit_language_overrides_the_setting():
    assert language.number(1234.5, lang="pt-BR") == "1.234,5"
    assert language.text("output", lang="pt-BR") == "saída"


def test_json_text_breaks_lines_between_items_only():
    value = {"customerId": "C-7", "customer": {"name": "Ana", "email": "ana@example.com"}, "ok": True, "x": None}
    text = language.json_text(value, width=30, indent=2)
    assert all(len(line) <= 30 for line in text.splitlines()[1:] if '"ana@example.com"' not in line)
    import json
    assert json.loads(text) == value  # only whitespace was added between tokens
    for line in text.splitlines():
        assert line.count('"') % 2 == 0, f"a string was cut: {line!r}"


def test_json_short_cuts_at_a_token_boundary():
    value = {"purchase": "Ana bought a coffee mug", "email": "ana@example.com"}
    short = language.json_short(value, 40)
    assert short.endswith("...") and len(short) <= 40
    assert short[:-3].count('"') % 2 == 0, short
    assert language.json_short("x" * 100, 20) == '"' + "x" * 16 + "..."  # one long token: cut inside it


def test_the_views_follow_the_setting_and_keep_aws_names():
    machine = sfl.StateMachine.from_json({"StartAt": "Fail", "States": {"Fail": {
        "Type": "Fail", "Error": "Order.Rejected", "Cause": "out of stock"}}}, name="Shop")
    execution = machine.run({"id": 1})
    sfl.set_language("pt-BR")
    table = execution.history.table()
    assert table.splitlines()[0].split() == ["id", "anterior", "tempo", "tipo", "detalhe"]
    assert "ExecutionFailed" in table and "0,000s" in table and "error=Order.Rejected" in table
    summary = execution.summary()
    assert "status: FAILED" in summary and "erro:   Order.Rejected" in summary
    assert "eventos: 3, duração virtual: 0s" in summary
    from stepfn_lab.views import render
    assert render.to_table(machine.raw).splitlines()[1].split() == ["estado", "tipo", "faz", "quando", "próximo"]
    assert "falha a execução" in render.to_table(machine.raw)
    assert [render.status_name(s) for s in ("succeeded", "failed")] == ["Com êxito", "Falhou"]
    sfl.set_language("en")
    assert execution.history.table().splitlines()[0].split() == ["id", "prev", "elapsed", "type", "detail"]
    assert "events: 3, virtual duration: 0s" in execution.summary()


def test_the_cost_table_in_brazilian_format():
    machine = sfl.StateMachine.from_json({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    cost = machine.run({}).cost()
    sfl.set_language("pt-BR")
    text = str(cost)
    assert text.startswith("workflow STANDARD em us-east-1 (preços de 01/2025)")
    assert "transições de estado" in text and "US$ 0,0000250000" in text
    assert "as primeiras 4.000 transições de cada mês são gratuitas" in text
    assert cost.month(1_000_000) == "1.000.000 execuções por mês: US$ 24,90"
    sfl.set_language("en")
    assert cost.month(1_000_000) == "1,000,000 executions a month: $24.90"
