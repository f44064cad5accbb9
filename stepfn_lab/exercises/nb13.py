"""Exercises for notebooks/13-standard-vs-express.ipynb: choosing a workflow type, limits and cost.

Spec: AWS Step Functions developer guide, "Choosing workflow type" (Standard:
up to one year, exactly-once; Express: up to five minutes, at-least-once or
at-most-once) and the published prices ($0.025 per 1,000 state transitions
after 4,000 free transitions a month for Standard).
"""

from __future__ import annotations

import math
from typing import Any

from ..language import ENGLISH as EN, PORTUGUESE as PT, money
from . import Exercise, say, show

# --- q1: which type for which job? -----------------------------------------------------------------

SCENARIOS = {
    "iot_ingestion": ("EXPRESS", "100,000 sensor readings a second, each handled in under a second",
                      "100.000 leituras de sensores por segundo, cada uma tratada em menos de um segundo"),
    "manual_approval": ("STANDARD", "a manager approves a refund, sometimes days later",
                        "um gerente aprova um reembolso, às vezes dias depois"),
    "mobile_backend": ("EXPRESS", "a mobile app waits for the answer of a 300 ms API call",
                       "um app de celular espera a resposta de uma chamada de API de 300 ms"),
    "month_end_batch": ("STANDARD", "a three-hour month-end billing run that must never charge twice",
                        "um faturamento de fim de mês de três horas que nunca pode cobrar duas vezes"),
}

_WHY = {
    "iot_ingestion": ("High-volume, short event processing is what Express is for.",
                      "Processamento de eventos curtos e em alto volume é para o que o Express existe."),
    "manual_approval": ("Express runs for at most five minutes, and it cannot wait for a callback token.",
                        "O Express roda no máximo cinco minutos e não pode esperar um token de callback."),
    "mobile_backend": ("A short request that needs an answer right away: a synchronous Express workflow.",
                       "Uma requisição curta que precisa de resposta na hora: um workflow Express síncrono."),
    "month_end_batch": ("Three hours is over Express's five minutes, and exactly-once needs Standard.",
                        "Três horas passam dos cinco minutos do Express, e exatamente-uma-vez exige Standard."),
}


def _check_q1(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, dict):
        return False, say(f"Answer with a dict from scenario to \"STANDARD\" or \"EXPRESS\"; got {show(answer)}.",
                          f"Responda com um dict de cenário para \"STANDARD\" ou \"EXPRESS\"; veio {show(answer)}.")
    missing = [k for k in SCENARIOS if k not in answer]
    if missing:
        return False, say(f"Give a type for every scenario; missing: {', '.join(missing)}.",
                          f"Dê um tipo para cada cenário; faltam: {', '.join(missing)}.")
    for key, (expected, _, _) in SCENARIOS.items():
        value = answer[key]
        if not isinstance(value, str) or value.strip().upper() not in ("STANDARD", "EXPRESS"):
            return False, say(f"{key}: write \"STANDARD\" or \"EXPRESS\", not {show(value)}.",
                              f"{key}: escreva \"STANDARD\" ou \"EXPRESS\", e não {show(value)}.")
        if value.strip().upper() != expected:
            en, pt = _WHY[key]
            return False, say(f"{key}: not {value.strip().upper()}. {en}", f"{key}: não é {value.strip().upper()}. {pt}")
    return True, say("Long, durable or human-paced work: Standard. Short, high-volume events: Express.",
                     "Trabalho longo, durável ou no ritmo de pessoas: Standard. Eventos curtos e em alto volume: Express.")


q1 = Exercise(
    "nb13.q1",
    _check_q1,
    hints=[
        say("Ask two questions: can it take more than five minutes? Must it happen exactly once?",
            "Faça duas perguntas: pode levar mais de cinco minutos? Precisa acontecer exatamente uma vez?"),
        say("Two are STANDARD and two are EXPRESS.", "Dois são STANDARD e dois são EXPRESS."),
    ],
    solution={k: v[0] for k, v in SCENARIOS.items()},
    wrong=[
        ({k: "STANDARD" for k in SCENARIOS}, "iot_ingestion"),
        ({"iot_ingestion": "EXPRESS", "manual_approval": "EXPRESS", "mobile_backend": "EXPRESS",
          "month_end_batch": "STANDARD"}, "callback token"),
        ({"iot_ingestion": "EXPRESS", "manual_approval": "STANDARD", "mobile_backend": "EXPRESS",
          "month_end_batch": "EXPRESS"}, "exactly-once"),
        ({"iot_ingestion": "EXPRESS"}, "missing"),
    ],
)


# --- q2: what happens to a 6-minute Express execution? ---------------------------------------------

Q2_DEFINITION = {
    "StartAt": "Resize video",
    "States": {
        "Resize video": {"Type": "Wait", "Seconds": 120, "Next": "Wait for CDN"},
        "Wait for CDN": {"Type": "Wait", "Seconds": 240, "End": True},
    },
}


def _q2_status() -> str:
    from ..runtime.engine import StateMachine

    return StateMachine.from_json(Q2_DEFINITION, name="Video", workflow_type="EXPRESS").run({}).status


def _check_q2(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, str) or not answer.strip():
        return False, say(f"Answer with a status such as \"SUCCEEDED\"; got {show(answer)}.",
                          f"Responda com um status como \"SUCCEEDED\"; veio {show(answer)}.")
    guess = answer.strip().upper()
    expected = _q2_status()
    if guess == expected:
        return True, say("2 + 4 = 6 minutes, over Express's 5: the execution is stopped at 5 minutes, TIMED_OUT.",
                         "2 + 4 = 6 minutos, acima dos 5 do Express: a execução é parada aos 5 minutos, TIMED_OUT.")
    if guess == "SUCCEEDED":
        return False, say("Add the two waits: 2 + 4 minutes. What is the longest an Express execution may run?",
                          "Some as duas esperas: 2 + 4 minutos. Quanto tempo, no máximo, uma execução Express pode rodar?")
    if guess == "FAILED":
        return False, say("Close, but running out of time has its own status, different from FAILED.",
                          "Quase, mas estourar o tempo tem um status próprio, diferente de FAILED.")
    return False, say(f"{guess} is not an execution status here. The statuses are RUNNING, SUCCEEDED, FAILED, "
                      f"TIMED_OUT and ABORTED.",
                      f"{guess} não é um status de execução aqui. Os status são RUNNING, SUCCEEDED, FAILED, "
                      f"TIMED_OUT e ABORTED.")


q2 = Exercise(
    "nb13.q2",
    _check_q2,
    hints=[
        say("An Express execution can run for at most 5 minutes.", "Uma execução Express pode rodar no máximo 5 minutos."),
        say("The status is about time running out.", "O status tem a ver com o tempo acabar."),
    ],
    solution="TIMED_OUT",
    wrong=[("SUCCEEDED", "2 + 4"), ("FAILED", "own status"), ("TIMEOUT", "not an execution status")],
)


# --- q3: the monthly bill of a Standard workflow ----------------------------------------------------

Q3_EXECUTIONS, Q3_TRANSITIONS = 100_000, 12
PRICE_PER_1000, FREE_TRANSITIONS = 0.025, 4_000


def q3_expected() -> float:
    billable = max(0, Q3_EXECUTIONS * Q3_TRANSITIONS - FREE_TRANSITIONS)
    return round(billable / 1000 * PRICE_PER_1000, 2)


def _check_q3(answer: Any) -> tuple[bool, str]:
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return False, say(f"Answer with a number of US dollars, like 12.5; got {show(answer)}.",
                          f"Responda com um valor em dólares, como 12.5 (em Python, com ponto); veio {show(answer)}.")
    expected = q3_expected()
    if math.isclose(answer, expected, abs_tol=0.01):
        return True, say(f"1,200,000 transitions − 4,000 free = 1,196,000 × $0.025 / 1,000 = {money(expected, lang=EN)} a month.",
                         f"1.200.000 transições − 4.000 grátis = 1.196.000 × US$ 0,025 / 1.000 = "
                         f"{money(expected, lang=PT)} por mês.")
    total = Q3_EXECUTIONS * Q3_TRANSITIONS
    if math.isclose(answer, total / 1000 * PRICE_PER_1000, abs_tol=0.01):
        return False, say("Almost: the first 4,000 state transitions of each month are free.",
                          "Quase: as primeiras 4.000 transições de estado de cada mês são gratuitas.")
    if math.isclose(answer, (total - FREE_TRANSITIONS) * PRICE_PER_1000, rel_tol=0.001):
        return False, say("The price is per 1,000 transitions: divide by 1,000.",
                          "O preço é por 1.000 transições: divida por 1.000.")
    if math.isclose(answer, Q3_EXECUTIONS / 1000 * PRICE_PER_1000, abs_tol=0.01):
        return False, say("Standard is billed per state transition, not per execution: multiply by 12 first.",
                          "O Standard é cobrado por transição de estado, não por execução: multiplique por 12 antes.")
    return False, say(f"{money(answer, lang=EN)} is not it. Count the transitions, remove the free 4,000, then price them.",
                      f"{money(answer, lang=PT)} não é a resposta. Conte as transições, tire as 4.000 grátis e depois "
                      "calcule o preço.")


q3 = Exercise(
    "nb13.q3",
    _check_q3,
    hints=[
        say("Transitions = executions × transitions per execution.", "Transições = execuções × transições por execução."),
        say("(100,000 × 12 − 4,000) / 1,000 × 0.025", "(100.000 × 12 − 4.000) / 1.000 × 0,025"),
    ],
    solution=29.9,
    wrong=[(30.0, "4,000 state transitions"), (29900.0, "per 1,000"), (2.5, "per state transition")],
)
