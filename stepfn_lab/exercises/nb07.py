"""Exercises for notebooks/07-choice.ipynb: Choice rules, And/Or/Not, Default.

Spec: Amazon States Language, "Choice State" (Choice Rules, comparison
operators, Boolean combinations, Default) and the predefined error
States.NoChoiceMatched.
"""

from __future__ import annotations

from typing import Any

from . import Exercise, build, patched, say, show, visited


def _router(rule: Any, target: str, default: str):
    """(machine, None) or (None, message): a Choice with the learner's rule, then two Succeed states."""
    if not isinstance(rule, dict):
        return None, say(f"A Choice rule is a JSON object (a dict), like {{\"Variable\": ..., \"Next\": ...}}; got {show(rule)}.",
                         f"Uma regra de Choice é um objeto JSON (um dict), como {{\"Variable\": ..., \"Next\": ...}}; veio {show(rule)}.")
    if rule.get("Next") != target:
        return None, say(f"The rule must send matching orders on with \"Next\": \"{target}\" (it has {show(rule.get('Next'))}).",
                         f"A regra deve mandar os pedidos que casam para \"Next\": \"{target}\" (ela tem {show(rule.get('Next'))}).")
    definition = {"StartAt": "Route", "States": {
        "Route": {"Type": "Choice", "Choices": [rule], "Default": default},
        target: {"Type": "Succeed"}, default: {"Type": "Succeed"}}}
    return build(definition, "Router")


def _route(machine, order: dict) -> str:
    execution = machine.run(order)
    path = visited(execution)
    if execution.status == "FAILED":
        return f"FAILED ({execution.error})"
    return path[-1] if path else "?"


def _check_cases(rule: Any, target: str, default: str, cases: list[tuple[dict, str]], ok: tuple[str, str]):
    machine, problem = _router(rule, target, default)
    if machine is None:
        return False, problem
    for order, want in cases:
        got = _route(machine, order)
        if got != want:
            return False, say(f"The order {show(order)} went to {got}; it should go to {want}.",
                              f"O pedido {show(order)} foi para {got}; deveria ir para {want}.")
    return True, say(*ok)


# --- q1: free shipping from 100 -----------------------------------------------------------------

_Q1_CASES = [({"total": 99.99}, "PaidShipping"), ({"total": 100}, "FreeShipping"), ({"total": 250}, "FreeShipping"),
             ({"total": 0}, "PaidShipping")]


def _check_q1(answer: Any) -> tuple[bool, str]:
    return _check_cases(answer, "FreeShipping", "PaidShipping", _Q1_CASES,
                        ("99.99 pays, 100 and up ship free: NumericGreaterThanEquals includes the boundary.",
                         "99.99 paga, de 100 para cima o frete é grátis: NumericGreaterThanEquals inclui o limite."))


q1 = Exercise(
    "nb07.q1",
    _check_q1,
    hints=[
        say("\"Variable\": \"$.total\" and a Numeric... operator with 100.",
            "\"Variable\": \"$.total\" e um operador Numeric... com 100."),
        say("\"from 100\" includes 100: GreaterThan or GreaterThanEquals?",
            "\"a partir de 100\" inclui o 100: GreaterThan ou GreaterThanEquals?"),
    ],
    solution={"Variable": "$.total", "NumericGreaterThanEquals": 100, "Next": "FreeShipping"},
    wrong=[({"Variable": "$.total", "NumericGreaterThan": 100, "Next": "FreeShipping"}, "should go to FreeShipping"),
           ({"Variable": "$.total", "NumericGreaterThanEquals": 100}, "must send"),
           ({"Variable": "$.total", "NumericGreaterThanEquals": "100", "Next": "FreeShipping"}, "would reject"),
           ({"Variable": "$.total", "NumericLessThan": 100, "Next": "FreeShipping"}, "should go to")],
)


# --- q2: VIP customers in Brazil ----------------------------------------------------------------

_Q2_CASES = [({"vip": True, "country": "BR"}, "Express"), ({"vip": True, "country": "PT"}, "Standard"),
             ({"vip": False, "country": "BR"}, "Standard"), ({"vip": False, "country": "PT"}, "Standard")]


def _check_q2(answer: Any) -> tuple[bool, str]:
    if isinstance(answer, dict) and "Or" in answer:
        machine, problem = _router(answer, "Express", "Standard")
        if machine is not None and _route(machine, {"vip": True, "country": "PT"}) == "Express":
            return False, say("With Or, a VIP in Portugal also went to Express: both conditions must hold, so use And.",
                              "Com Or, um VIP em Portugal também foi para Express: as duas condições precisam valer, então use And.")
    return _check_cases(answer, "Express", "Standard", _Q2_CASES,
                        ("And: only a VIP customer in Brazil goes to Express.",
                         "And: só um cliente VIP no Brasil vai para Express."))


q2 = Exercise(
    "nb07.q2",
    _check_q2,
    hints=[
        say("Combine two rules with \"And\": [rule, rule]; the Next goes on the outer rule only.",
            "Combine duas regras com \"And\": [regra, regra]; o Next fica só na regra de fora."),
        say("BooleanEquals for $.vip, StringEquals for $.country.", "BooleanEquals para $.vip, StringEquals para $.country."),
    ],
    solution={"And": [{"Variable": "$.vip", "BooleanEquals": True},
                      {"Variable": "$.country", "StringEquals": "BR"}], "Next": "Express"},
    wrong=[({"Or": [{"Variable": "$.vip", "BooleanEquals": True},
                    {"Variable": "$.country", "StringEquals": "BR"}], "Next": "Express"}, "use And"),
           ({"Variable": "$.vip", "BooleanEquals": True, "Next": "Express"}, "should go to Standard"),
           ({"And": [{"Variable": "$.vip", "BooleanEquals": True, "Next": "Express"},
                     {"Variable": "$.country", "StringEquals": "BR"}], "Next": "Express"}, "would reject")],
)


# --- q3: the error when nothing matches ---------------------------------------------------------

def _check_q3(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, str):
        return False, say(f"Answer with the error name as text; got {show(answer)}.",
                          f"Responda com o nome do erro em texto; veio {show(answer)}.")
    name = answer.strip()
    if name == "States.NoChoiceMatched":
        return True, say("No rule matched and there was no Default: the execution failed with States.NoChoiceMatched.",
                         "Nenhuma regra casou e não havia Default: a execução falhou com States.NoChoiceMatched.")
    if name.lower() == "states.nochoicematched" or name == "NoChoiceMatched":
        return False, say("Almost: error names are exact and case-sensitive, and the predefined ones start with \"States.\".",
                          "Quase: nomes de erro são exatos e diferenciam maiúsculas, e os predefinidos começam com \"States.\".")
    if name in ("States.ALL", "States.Runtime", "States.TaskFailed"):
        return False, say(f"{name} is another predefined error; run the Choice without Default and read execution.error.",
                          f"{name} é outro erro predefinido; rode o Choice sem Default e leia execution.error.")
    return False, say(f"{show(name)} is not it; run the Choice without Default and read execution.error.",
                      f"{show(name)} não é isso; rode o Choice sem Default e leia execution.error.")


q3 = Exercise(
    "nb07.q3",
    _check_q3,
    hints=[
        say("Predefined error names start with \"States.\".", "Os nomes de erro predefinidos começam com \"States.\"."),
        say("No choice ... matched.", "Nenhuma escolha (choice) ... casou (matched)."),
    ],
    solution="States.NoChoiceMatched",
    wrong=[("NoChoiceMatched", "Almost"), ("States.ALL", "another predefined"), ("Default", "not it"), (1, "as text")],
)


# --- q4: find the bug: nobody ever gets free shipping ----------------------------------------------

BUGGY = {
    "Comment": "Discount shipping from 50, free shipping from 100. Customers say nobody ever ships free.",
    "StartAt": "Route",
    "States": {
        "Route": {"Type": "Choice", "Default": "PaidShipping", "Choices": [
            {"Variable": "$.total", "NumericGreaterThanEquals": 50, "Next": "DiscountedShipping"},
            {"Variable": "$.total", "NumericGreaterThanEquals": 100, "Next": "FreeShipping"},
        ]},
        "DiscountedShipping": {"Type": "Pass", "Result": 4.9, "ResultPath": "$.shipping", "End": True},
        "FreeShipping": {"Type": "Pass", "Result": 0, "ResultPath": "$.shipping", "End": True},
        "PaidShipping": {"Type": "Pass", "Result": 9.9, "ResultPath": "$.shipping", "End": True},
    },
}
_Q4_CASES = [({"total": 30}, "PaidShipping"), ({"total": 50}, "DiscountedShipping"),
             ({"total": 99.9}, "DiscountedShipping"), ({"total": 100}, "FreeShipping"), ({"total": 150}, "FreeShipping")]


def _check_q4(answer: Any) -> tuple[bool, str]:
    fixed, problem = patched(BUGGY, answer)
    if fixed is None:
        return False, problem
    machine, problem = build(fixed, "Shipping")
    if machine is None:
        return False, problem
    for order, want in _Q4_CASES:
        got = _route(machine, order)
        if got != want:
            return False, say(f"With your fix, the order {show(order)} goes to {got}; it should go to {want}.",
                              f"Com a sua correção, o pedido {show(order)} vai para {got}; deveria ir para {want}.")
    return True, say("Every total of 100 or more also matched the rule for 50, which came first: the free-shipping "
                     "rule never had a chance. With the stricter rule first, each rule gets its orders.",
                     "Todo total de 100 ou mais também casava com a regra de 50, que vinha antes: a regra do frete "
                     "grátis nunca tinha vez. Com a regra mais estrita primeiro, cada regra recebe os seus pedidos.")


q4 = Exercise(
    "nb07.q4",
    _check_q4,
    hints=[
        say("Step an order of 150 through: which rule does the Choice's ChoiceStateExited say it took?",
            "Avance um pedido de 150: por qual regra o Choice seguiu, segundo o ChoiceStateExited?"),
        say("Rules are tried in order and the first match wins. Is 150 >= 50?",
            "As regras são testadas em ordem e a primeira que casa vence. 150 >= 50?"),
        say("Give Route its Choices again, the rule for 100 first: {\"Route\": {\"Choices\": [rule100, rule50]}}.",
            "Dê de novo as Choices do Route, com a regra de 100 primeiro: {\"Route\": {\"Choices\": [regra100, regra50]}}."),
    ],
    solution={"Route": {"Choices": [
        {"Variable": "$.total", "NumericGreaterThanEquals": 100, "Next": "FreeShipping"},
        {"Variable": "$.total", "NumericGreaterThanEquals": 50, "Next": "DiscountedShipping"},
    ]}},
    wrong=[({"Route": {"Default": "FreeShipping"}}, "not reachable"),
           ({"Route": {"Choices": [{"Variable": "$.total", "NumericGreaterThanEquals": 100, "Next": "FreeShipping"}]}},
            "not reachable"),
           ({"Route": {"Choices": [
               {"Variable": "$.total", "NumericGreaterThan": 100, "Next": "FreeShipping"},
               {"Variable": "$.total", "NumericGreaterThanEquals": 50, "Next": "DiscountedShipping"}]}},
            "should go to FreeShipping"),
           ({"FreeShipping": {"Result": 0}}, "should go to FreeShipping"),
           ({"Rout": {"Choices": []}}, "did you mean 'Route'")],
)
