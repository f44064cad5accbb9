"""Exercises for notebooks/04-data-flow-paths.ipynb: InputPath, ResultPath and OutputPath.

Spec: Amazon States Language, "Input and Output Processing" (InputPath,
ResultPath, OutputPath; "ResultPath": null discards the result) and
"Reference Paths".
"""

from __future__ import annotations

import re
from typing import Any

from . import Exercise, build, failure, patched, say, show, touched

ORDER = {"order": {"id": 7, "items": ["mug", "tea"]}, "customer": "Ana"}
ARN = "arn:aws:lambda:us-east-1:123456789012:function:PriceOrder"


def price_order(event, context):
    """The notebook's handler: 10 per item in the event's "items" (0 when there are none)."""
    items = event.get("items", []) if isinstance(event, dict) else []
    return {"total": 10 * len(items), "currency": "BRL"}


def _task(**paths: Any) -> dict:
    state = {"Type": "Task", "Resource": ARN, "End": True}
    state.update(paths)
    return {"StartAt": "PriceOrder", "States": {"PriceOrder": state}}


def _run(**paths: Any):
    """(execution, handler's event) or (None, message)."""
    seen: list = []

    def handler(event, context):
        seen.append(event)
        return price_order(event, context)

    machine, problem = build(_task(**paths), "Paths")
    if machine is None:
        return None, problem
    execution = machine.run(ORDER, lambdas={"PriceOrder": handler})
    return execution, (seen[0] if seen else None)


def _not_a_path(answer: Any) -> str | None:
    if answer is not None and not isinstance(answer, str):
        return say(f"A path is text starting with $, like \"$.order\"; got {show(answer)}.",
                   f"Um caminho é um texto que começa com $, como \"$.order\"; veio {show(answer)}.")
    return None


# --- q1: give the handler only the order ------------------------------------------------------

def _check_q1(answer: Any) -> tuple[bool, str]:
    problem = _not_a_path(answer)
    if problem or answer is None:
        return False, problem or say("InputPath null gives the handler {}: it should get the order.",
                                     "InputPath null entrega {} ao handler: ele deveria receber o pedido.")
    if re.match(r"\$[A-Za-z_]", answer):
        return False, say(f"{answer} reads a workflow variable (notebook 14); a path into the input starts with \"$.\".",
                          f"{answer} lê uma variável do workflow (notebook 14); um caminho na entrada começa com \"$.\".")
    execution, event = _run(InputPath=answer)
    if execution is None:
        return False, event
    if execution.status != "SUCCEEDED":
        return False, failure(execution)
    if event == ORDER["order"]:
        return True, say("The handler received only {\"id\": 7, \"items\": [...]}.",
                         "O handler recebeu só {\"id\": 7, \"items\": [...]}.")
    return False, say(f"The handler received {show(event)}; it should receive the order object only.",
                      f"O handler recebeu {show(event)}; ele deveria receber só o objeto do pedido.")


q1 = Exercise(
    "nb04.q1",
    _check_q1,
    hints=[
        say("InputPath picks a part of the state's input; \"$\" is the whole input.",
            "InputPath escolhe uma parte da entrada do estado; \"$\" é a entrada inteira."),
        say("The order sits under the key \"order\": $ then .order.", "O pedido está na chave \"order\": $ e depois .order."),
    ],
    solution="$.order",
    wrong=[("$", "received"), ("$.customer", "received"), ("order", "would reject"), ("$order", "workflow variable"),
           (7, "starting with $")],
)


# --- q2: keep the input, add the price under "price" -------------------------------------------

def _check_q2(answer: Any) -> tuple[bool, str]:
    problem = _not_a_path(answer)
    if problem:
        return False, problem
    execution, _ = _run(InputPath="$.order", ResultPath=answer)
    if execution is None:
        return False, _
    if execution.status != "SUCCEEDED":
        return False, failure(execution)
    output = execution.output
    if output == {**ORDER, "price": {"total": 20, "currency": "BRL"}}:
        return True, say("The result went under \"price\" and the order and customer were kept.",
                         "O resultado foi para \"price\" e o pedido e o cliente foram mantidos.")
    if answer is None:
        return False, say("null throws the result away: the output is the input, with no price.",
                          "null descarta o resultado: a saída é a entrada, sem preço.")
    if output == {"total": 20, "currency": "BRL"}:
        return False, say("The result replaced the whole input (that is what \"$\" does): the order and customer are gone.",
                          "O resultado substituiu a entrada inteira (é isso que \"$\" faz): o pedido e o cliente sumiram.")
    return False, say(f"The output is {show(output)}; the result should go under the key \"price\".",
                      f"A saída é {show(output)}; o resultado deveria ficar na chave \"price\".")


q2 = Exercise(
    "nb04.q2",
    _check_q2,
    hints=[
        say("ResultPath says *where in the input* the result is written.",
            "ResultPath diz *em que lugar da entrada* o resultado é escrito."),
        say("A new key \"price\" at the top: $ then .price.", "Uma chave nova \"price\" no topo: $ e depois .price."),
    ],
    solution="$.price",
    wrong=[("$", "replaced the whole input"), (None, "throws the result away"), ("$.order.price", "The output is"),
           ("price", "would reject")],
)


# --- q3: discard the result --------------------------------------------------------------------

def _check_q3(answer: Any) -> tuple[bool, str]:
    problem = _not_a_path(answer)
    if problem:
        return False, problem
    execution, _ = _run(ResultPath=answer)
    if execution is None:
        return False, _
    if execution.status != "SUCCEEDED":
        return False, failure(execution)
    if execution.output == ORDER:
        return True, say("ResultPath null: the task ran, its result was discarded, and the input went on unchanged.",
                         "ResultPath null: a task rodou, o resultado foi descartado e a entrada seguiu sem mudança.")
    if answer == "$":
        return False, say("\"$\" is the default: the result replaces the input.",
                          "\"$\" é o padrão: o resultado substitui a entrada.")
    return False, say(f"The output is {show(execution.output)}: the result was still written into the input.",
                      f"A saída é {show(execution.output)}: o resultado ainda foi escrito na entrada.")


q3 = Exercise(
    "nb04.q3",
    _check_q3,
    hints=[
        say("It is not a path at all.", "Não é um caminho."),
        say("In JSON it is null; in Python, None.", "Em JSON é null; em Python, None."),
    ],
    solution=None,
    wrong=[("$", "default"), ("$.price", "still written"), ("null", "would reject")],
)


# --- q4: find the bug: the order disappears before shipping ------------------------------------

def ship_order(event, context):
    """The shipping service: needs the order id, the items and the total."""
    return {"shipped": event["orderId"], "items": len(event["items"]), "charged": event["total"]}


LAMBDAS = {"PriceOrder": price_order, "ShipOrder": ship_order}
SHIP_ARN = "arn:aws:lambda:us-east-1:123456789012:function:ShipOrder"
BUGGY = {
    "Comment": "Price the order, then ship it. Something loses the order on the way.",
    "StartAt": "PriceOrder",
    "States": {
        "PriceOrder": {"Type": "Task", "Resource": ARN, "InputPath": "$.order", "ResultPath": "$.order",
                       "Next": "ShipOrder"},
        "ShipOrder": {"Type": "Task", "Resource": SHIP_ARN, "End": True,
                      "Parameters": {"orderId.$": "$.order.id", "items.$": "$.order.items", "total.$": "$.price.total"}},
    },
}


def _check_q4(answer: Any) -> tuple[bool, str]:
    fixed, problem = patched(BUGGY, answer)
    if fixed is None:
        return False, problem
    machine, problem = build(fixed, "PriceAndShip")
    if machine is None:
        return False, problem
    execution = machine.run(ORDER, lambdas=LAMBDAS)
    if execution.status == "SUCCEEDED" and execution.output == {"shipped": 7, "items": 2, "charged": 20}:
        if "PriceOrder" in touched(answer):
            return True, say("PriceOrder's ResultPath wrote the price over the order; under \"price\" the order "
                             "survives and ShipOrder finds both.",
                             "O ResultPath de PriceOrder escrevia o preço por cima do pedido; em \"price\" o "
                             "pedido sobrevive e ShipOrder encontra os dois.")
    if execution.status == "SUCCEEDED":
        return False, say(f"It runs, but ShipOrder answered {show(execution.output)}; it should ship order 7 with "
                          "2 items for 20.",
                          f"Roda, mas ShipOrder respondeu {show(execution.output)}; deveria despachar o pedido 7 com "
                          "2 itens por 20.")
    if touched(answer) == ["ShipOrder"]:
        return False, say("The error shows up in ShipOrder, but the order was already gone when ShipOrder started: "
                          "look at PriceOrder's output in the history (TaskStateExited).",
                          "O erro aparece em ShipOrder, mas o pedido já tinha sumido quando ShipOrder começou: "
                          "olhe a saída de PriceOrder no histórico (TaskStateExited).")
    return False, failure(execution)


q4 = Exercise(
    "nb04.q4",
    _check_q4,
    hints=[
        say("Step through it: which state's output no longer has the order's id and items?",
            "Avance passo a passo: a saída de qual estado já não tem o id e os itens do pedido?"),
        say("ResultPath says where the result goes in the state's input; \"$.order\" writes over the order.",
            "O ResultPath diz onde o resultado entra na entrada do estado; \"$.order\" escreve por cima do pedido."),
        say("ShipOrder reads the total from $.price.total.", "ShipOrder lê o total em $.price.total."),
    ],
    solution={"PriceOrder": {"ResultPath": "$.price"}},
    wrong=[({"ShipOrder": {"Parameters": {"orderId.$": "$.order.id"}}}, "already gone"),
           ({"PriceOrder": {"ResultPath": "$"}}, "execution ended FAILED"),
           ({"PriceOrder": {"ResultPath": None}}, "execution ended FAILED"),
           ({"Price": {"ResultPath": "$.price"}}, "did you mean 'PriceOrder'"),
           ("$.price", "Answer with the fix")],
)
