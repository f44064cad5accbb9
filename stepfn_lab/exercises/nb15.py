"""Exercises for notebooks/15-use-cases-and-capstone.ipynb: use cases and the e-commerce capstone.

Spec: AWS Step Functions developer guide, "Use cases" (security and IT
automation, ETL, microservice orchestration, large-scale parallel processing);
the capstone uses the bundled examples ``ecommerce_order`` and
``manual_approval`` on the simulated DynamoDB, SNS and SQS.
"""

from __future__ import annotations

import copy
from typing import Any

from ..errors import DefinitionError
from ..language import ENGLISH as EN, PORTUGUESE as PT, number
from . import Exercise, say, show


def _problem(err: DefinitionError) -> str:
    """The first problem of a rejected definition, on one line."""
    problems = getattr(err, "problems", None) or []
    return str(problems[0]).splitlines()[0] if problems else str(err).splitlines()[-1].strip()


# --- q1: which use case? ---------------------------------------------------------------------------------

USE_CASES = ("security_automation", "etl", "microservices", "parallel_processing")

SCENARIOS = {
    "revoke_leaked_key": ("security_automation",
                          "a leaked access key is detected: disable it, then wait for an engineer to approve deleting it",
                          "uma chave de acesso vazada é detectada: desativar e esperar um engenheiro aprovar a exclusão"),
    "nightly_reports": ("etl", "every night, extract yesterday's sales, clean them and load them into the warehouse, in order",
                        "toda noite, extrair as vendas de ontem, limpar e carregar no data warehouse, em ordem"),
    "checkout": ("microservices", "a checkout calls the products, customers and payments services and combines the answers",
                 "um checkout chama os serviços de produtos, clientes e pagamentos e junta as respostas"),
    "thumbnails": ("parallel_processing", "make thumbnails of 2 million images stored in S3",
                   "gerar miniaturas de 2 milhões de imagens guardadas no S3"),
}

_WHY = {
    "security_automation": ("incident response with a manual approval step is security and IT automation",
                            "resposta a incidente com etapa de aprovação manual é automação de segurança e TI"),
    "etl": ("long-running extract, transform and load jobs run in order are the ETL use case",
            "trabalhos longos de extração, transformação e carga rodando em ordem são o caso de uso de ETL"),
    "microservices": ("combining several services into one response is microservice orchestration",
                      "combinar vários serviços numa resposta é orquestração de microsserviços"),
    "parallel_processing": ("millions of items processed at once is large-scale parallel processing (a Distributed Map)",
                            "milhões de itens processados ao mesmo tempo é processamento paralelo em grande escala "
                            "(um Map distribuído)"),
}


def _check_q1(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, dict):
        return False, say(f"Answer with a dict from scenario to use case; got {show(answer)}.",
                          f"Responda com um dict de cenário para caso de uso; veio {show(answer)}.")
    missing = [k for k in SCENARIOS if k not in answer]
    if missing:
        return False, say(f"Give a use case for every scenario; missing: {', '.join(missing)}.",
                          f"Dê um caso de uso para cada cenário; faltam: {', '.join(missing)}.")
    for key, (expected, _, _) in SCENARIOS.items():
        value = answer[key]
        if value not in USE_CASES:
            return False, say(f"{key}: use one of {', '.join(USE_CASES)}, not {show(value)}.",
                              f"{key}: use um destes: {', '.join(USE_CASES)}; e não {show(value)}.")
        if value != expected:
            en, pt = _WHY[expected]
            return False, say(f"{key}: not {value}; {en}.", f"{key}: não é {value}; {pt}.")
    return True, say("Four scenarios, four use cases: the same service, very different jobs.",
                     "Quatro cenários, quatro casos de uso: o mesmo serviço, trabalhos bem diferentes.")


q1 = Exercise(
    "nb15.q1",
    _check_q1,
    hints=[
        say("Look for the key word: approval, in order, services, millions.",
            "Procure a palavra-chave: aprovação, em ordem, serviços, milhões."),
        say("Each use case is used exactly once.", "Cada caso de uso aparece exatamente uma vez."),
    ],
    solution={k: v[0] for k, v in SCENARIOS.items()},
    wrong=[
        ({"revoke_leaked_key": "etl", "nightly_reports": "etl", "checkout": "microservices",
          "thumbnails": "parallel_processing"}, "manual approval"),
        ({"revoke_leaked_key": "security_automation", "nightly_reports": "etl", "checkout": "parallel_processing",
          "thumbnails": "parallel_processing"}, "microservice orchestration"),
        ({"revoke_leaked_key": "security"}, "missing"),
        ({"revoke_leaked_key": "security", "nightly_reports": "etl", "checkout": "microservices",
          "thumbnails": "parallel_processing"}, "use one of"),
    ],
)


# --- q2: give the stock back (a compensating step) ----------------------------------------------------------

def capstone_with(release_state: Any) -> dict:
    """The ecommerce_order definition with the learner's ReleaseStock state on the customer-not-found path."""
    from ..examples import definition

    machine = definition("ecommerce_order")
    machine["States"]["ReleaseStock"] = copy.deepcopy(release_state)
    choice = machine["States"]["CustomerExists?"]
    for rule in choice["Choices"]:
        if rule.get("Next") == "CustomerNotFound":
            rule["Next"] = "ReleaseStock"
    return machine


def _run_capstone(definition: dict, order: dict):
    from .. import examples
    from ..runtime.engine import StateMachine

    services = examples.prepare("ecommerce_order")
    machine = StateMachine.from_json(definition, name="EcommerceOrder")
    return machine.run(order, services=services), services


def _stock(services) -> Any:
    item = services.get_item("Products", {"productId": "p-chair"})
    return item.get("stock") if item else None


def _check_q2(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, dict) or answer.get("Type") != "Task":
        return False, say(f"Write one Task state (a dict with \"Type\": \"Task\"); got {show(answer)}.",
                          f"Escreva um estado Task (um dict com \"Type\": \"Task\"); veio {show(answer)}.")
    if answer.get("Next") != "CustomerNotFound":
        return False, say(f"ReleaseStock goes to {show(answer.get('Next'))}. After it, go on to CustomerNotFound, so the "
                          f"order is marked FAILED with its reason.",
                          f"ReleaseStock vai para {show(answer.get('Next'))}. Depois dele, siga para CustomerNotFound, "
                          f"para o pedido ser marcado FAILED com o motivo.")
    try:
        definition = capstone_with(answer)
        bad, services = _run_capstone(definition, {"orderId": "o-3", "customerId": "c-bob", "productId": "p-chair",
                                                   "quantity": 2})
    except DefinitionError as err:
        return False, say(f"AWS would reject the workflow: {_problem(err)}",
                          f"A AWS recusaria o workflow: {_problem(err)}")
    stock = _stock(services)
    visited = [s.state for s in bad.steps]
    if "ReleaseStock" in visited and bad.error not in ("OrderFailed",) and bad.status == "FAILED":
        return False, say(f"ReleaseStock failed with {bad.error}: {bad.cause}",
                          f"ReleaseStock falhou com {bad.error}: {bad.cause}")
    if stock != 5:
        return False, say(f"After the failed order the chair's stock is {stock}, not back at 5. ReleaseStock should "
                          f"ADD the quantity back: SET stock = stock + :quantity.",
                          f"Depois do pedido com falha o estoque da cadeira ficou em {stock}, e não voltou para 5. "
                          f"ReleaseStock deve SOMAR a quantidade de volta: SET stock = stock + :quantity.")
    if bad.error != "OrderFailed" or bad.cause != "CUSTOMER_NOT_FOUND":
        return False, say(f"The stock is back, but the order ended with {bad.error} / {bad.cause}. After ReleaseStock "
                          f"go on to CustomerNotFound, so the order is marked FAILED with its reason.",
                          f"O estoque voltou, mas o pedido terminou com {bad.error} / {bad.cause}. Depois de "
                          f"ReleaseStock siga para CustomerNotFound, para o pedido ser marcado FAILED com o motivo.")
    good, services = _run_capstone(definition, {"orderId": "o-1", "customerId": "c-ana", "productId": "p-chair",
                                                "quantity": 2})
    if good.status != "SUCCEEDED" or _stock(services) != 3:
        return False, say(f"The happy path broke: status {good.status}, stock {_stock(services)}.",
                          f"O caminho feliz quebrou: status {good.status}, estoque {_stock(services)}.")
    return True, say("A failed order now gives its units back: a compensating step, the heart of the saga pattern.",
                     "Um pedido com falha agora devolve as unidades: um passo de compensação, o coração do padrão saga.")


_RELEASE = {
    "Type": "Task",
    "Resource": "arn:aws:states:::dynamodb:updateItem",
    "Parameters": {
        "TableName": "Products",
        "Key": {"productId": {"S.$": "$.productId"}},
        "UpdateExpression": "SET stock = stock + :quantity",
        "ExpressionAttributeValues": {":quantity": {"N.$": "States.Format('{}', $.quantity)"}},
    },
    "ResultPath": None,
    "Next": "CustomerNotFound",
}


def _variant(**changes: Any) -> dict:
    state = copy.deepcopy(_RELEASE)
    for key, value in changes.items():
        if key == "UpdateExpression":
            state["Parameters"]["UpdateExpression"] = value
        else:
            state[key] = value
    return state


q2 = Exercise(
    "nb15.q2",
    _check_q2,
    hints=[
        say("Copy ReserveStock's Parameters and change the UpdateExpression; drop its ConditionExpression.",
            "Copie os Parameters do ReserveStock e mude a UpdateExpression; tire a ConditionExpression."),
        say("UpdateExpression: \"SET stock = stock + :quantity\"; ResultPath: null; Next: \"CustomerNotFound\".",
            "UpdateExpression: \"SET stock = stock + :quantity\"; ResultPath: null; Next: \"CustomerNotFound\"."),
    ],
    solution=_RELEASE,
    wrong=[
        (_variant(UpdateExpression="SET stock = stock - :quantity"), "not back at 5"),
        (_variant(Next="MarkOrderFailed"), "go on to CustomerNotFound"),
        ({"Type": "Pass", "Next": "CustomerNotFound"}, "one Task state"),
    ],
)


# --- q3: a deadline for the approval --------------------------------------------------------------------------

def _check_q3(answer: Any) -> tuple[bool, str]:
    from .. import examples
    from ..runtime.engine import StateMachine

    if isinstance(answer, bool) or not isinstance(answer, int) or answer <= 0:
        return False, say(f"TimeoutSeconds is a positive whole number of seconds; got {show(answer)}.",
                          f"TimeoutSeconds é um número inteiro positivo de segundos; veio {show(answer)}.")
    definition = examples.definition("manual_approval")
    definition["States"]["RequestApproval"]["TimeoutSeconds"] = answer
    try:
        machine = StateMachine.from_json(definition, name="ManualApproval")
    except DefinitionError as err:
        return False, say(f"AWS would reject it: {_problem(err)}", f"A AWS recusaria: {_problem(err)}")
    services = examples.prepare("manual_approval")
    execution = machine.run(examples.sample_input("manual_approval"), services=services)
    execution.run(until=30 * 86400)  # nobody answers: let a month of virtual time pass
    if answer == 2 or answer == 48:
        return False, say(f"That is {answer} seconds: TimeoutSeconds counts seconds, and two days are 2 × 24 × 3600.",
                          f"Isso são {answer} segundos: TimeoutSeconds conta segundos, e dois dias são 2 × 24 × 3600.")
    if execution.error != "Rejected":
        return False, say(f"With nobody answering, the execution ended {execution.status} with {execution.error}.",
                          f"Sem ninguém responder, a execução terminou {execution.status} com {execution.error}.")
    days = execution.duration / 86400
    if execution.duration != 2 * 86400:
        hours = execution.duration / 3600
        return False, say(f"The request was rejected after {number(hours, 1, EN)} hours "
                          f"({number(days, 2, EN)} days); the deadline is 2 days.",
                          f"O pedido foi rejeitado depois de {number(hours, 1, PT)} horas "
                          f"({number(days, 2, PT)} dias); o prazo é de 2 dias.")
    return True, say("Unanswered for two days, the task timed out, the Catch took the request to Rejected.",
                     "Sem resposta por dois dias, a task expirou e o Catch levou o pedido para Rejected.")


q3 = Exercise(
    "nb15.q3",
    _check_q3,
    hints=[
        say("A day has 24 × 3600 = 86400 seconds.", "Um dia tem 24 × 3600 = 86400 segundos."),
        say("The Catch on States.ALL also catches States.Timeout, so you only need the number.",
            "O Catch em States.ALL também captura States.Timeout, então você só precisa do número."),
    ],
    solution=172800,
    wrong=[(2, "counts seconds"), (86400, "deadline is 2 days"), (-1, "positive")],
)
