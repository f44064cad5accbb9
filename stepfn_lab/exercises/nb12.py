"""Exercises for notebooks/12-map.ipynb: inline Map (ItemsPath, MaxConcurrency, ItemSelector).

Spec: Amazon States Language, "Map State" (ItemsPath, ItemSelector and the
context object's ``$$.Map.Item``, MaxConcurrency).
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import DefinitionError
from ..runtime.engine import StateMachine
from . import Exercise, patched, say, show


def _problem(err: DefinitionError) -> str:
    """The first problem of a rejected definition, on one line."""
    problems = getattr(err, "problems", None) or []
    return str(problems[0]).splitlines()[0] if problems else str(err).splitlines()[-1].strip()

ORDER = {"order": {"id": "o-81", "lines": [{"sku": "lamp", "qty": 1}, {"sku": "desk", "qty": 1},
                                           {"sku": "chair", "qty": 4}]}}


def _map_machine(**fields: Any):
    from ..runtime.engine import StateMachine

    state = {"Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Pick",
                                              "States": {"Pick": {"Type": "Pass", "End": True}}},
             "End": True, **fields}
    return StateMachine.from_json({"StartAt": "Each line", "States": {"Each line": state}}, name="Lines")


# --- q1: ItemsPath ----------------------------------------------------------------------------------

def _check_q1(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, str) or not answer.strip():
        return False, say(f"ItemsPath is a JSONPath text such as \"$.something\"; got {show(answer)}.",
                          f"ItemsPath é um texto JSONPath como \"$.algo\"; veio {show(answer)}.")
    try:
        machine = _map_machine(ItemsPath=answer)
    except DefinitionError as err:
        return False, say(f"AWS would reject it: {_problem(err)}", f"A AWS recusaria: {_problem(err)}")
    execution = machine.run(ORDER)
    if execution.status != "SUCCEEDED":
        cause = execution.cause or ""
        if "must be an array" in cause:
            return False, say(f"{answer} points at an object, not at the list of lines. Go one level deeper.",
                              f"{answer} aponta para um objeto, não para a lista de itens. Desça mais um nível.")
        return False, say(f"The Map failed with {execution.error}: {cause}",
                          f"O Map falhou com {execution.error}: {cause}")
    if execution.output != ORDER["order"]["lines"]:
        return False, say(f"The Map ran over {show(execution.output)}, not over the order's lines.",
                          f"O Map percorreu {show(execution.output)}, e não as linhas do pedido.")
    return True, say("Three iterations, one per order line.", "Três iterações, uma por linha do pedido.")


q1 = Exercise(
    "nb12.q1",
    _check_q1,
    hints=[
        say("Follow the input from the top: the lines are inside order.", "Siga a entrada a partir do topo: as linhas estão dentro de order."),
        say("Two steps: $.order, then .lines", "Dois passos: $.order, depois .lines"),
    ],
    solution="$.order.lines",
    wrong=[("$.order", "one level deeper"), ("$.lines", "failed"), ("order.lines", "reject")],
)


# --- q2: MaxConcurrency on the virtual clock ---------------------------------------------------------

Q2_ITEMS, Q2_SECONDS, Q2_LIMIT = 8, 10, 3


def _q2_duration() -> float:
    from ..runtime.engine import StateMachine

    state = {"Type": "Map", "MaxConcurrency": Q2_LIMIT, "End": True,
             "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Work",
                               "States": {"Work": {"Type": "Wait", "Seconds": Q2_SECONDS, "End": True}}}}
    machine = StateMachine.from_json({"StartAt": "Each", "States": {"Each": state}}, name="Batches")
    return machine.run(list(range(Q2_ITEMS))).duration


def _check_q2(answer: Any) -> tuple[bool, str]:
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return False, say(f"Answer with a number of seconds; got {show(answer)}.",
                          f"Responda com um número de segundos; veio {show(answer)}.")
    expected = _q2_duration()
    if answer == expected:
        return True, say(f"At most {Q2_LIMIT} at a time: {math.ceil(Q2_ITEMS / Q2_LIMIT)} rounds of {Q2_SECONDS} s "
                         f"= {expected:g} s.",
                         f"No máximo {Q2_LIMIT} por vez: {math.ceil(Q2_ITEMS / Q2_LIMIT)} rodadas de {Q2_SECONDS} s "
                         f"= {expected:g} s.")
    if answer == Q2_ITEMS * Q2_SECONDS:
        return False, say("That is one item at a time (MaxConcurrency 1). Here 3 run at once.",
                          "Isso seria um item por vez (MaxConcurrency 1). Aqui rodam 3 ao mesmo tempo.")
    if answer == Q2_SECONDS:
        return False, say("That is all items at once (MaxConcurrency 0, no limit). Here only 3 run at once.",
                          "Isso seria todos os itens de uma vez (MaxConcurrency 0, sem limite). Aqui só 3 rodam juntos.")
    if math.isclose(answer, Q2_ITEMS / Q2_LIMIT * Q2_SECONDS):
        return False, say("Close: but there is no such thing as a third of an iteration. The last round still "
                          "takes a full 10 s.",
                          "Quase: não existe um terço de iteração. A última rodada também leva 10 s inteiros.")
    return False, say(f"{answer:g} s is not it. How many rounds of 3 are needed for 8 items?",
                      f"{answer:g} s não é a resposta. Quantas rodadas de 3 são necessárias para 8 itens?")


q2 = Exercise(
    "nb12.q2",
    _check_q2,
    hints=[
        say("With MaxConcurrency 3, a new item starts only when one of the 3 running ones ends.",
            "Com MaxConcurrency 3, um novo item só começa quando um dos 3 em andamento termina."),
        say("8 items in groups of 3: 3 + 3 + 2. Each group takes 10 s.",
            "8 itens em grupos de 3: 3 + 3 + 2. Cada grupo leva 10 s."),
    ],
    solution=30,
    wrong=[(80, "one item at a time"), (10, "all items at once"), (80 / 3, "third of an iteration")],
)


# --- q3: ItemSelector with the context object -------------------------------------------------------

Q3_INPUT = {"orderId": "o-81", "lines": [{"sku": "lamp", "qty": 1}, {"sku": "chair", "qty": 4}]}
Q3_EXPECTED = [{"position": 0, "sku": "lamp", "orderId": "o-81"}, {"position": 1, "sku": "chair", "orderId": "o-81"}]


_NOT_IN_ITEM = ("orderId is in the Map's input, not in the item: inside ItemSelector, $ is the Map's input, "
                "so use \"$.orderId\".",
                "orderId está na entrada do Map, não no item: dentro do ItemSelector, $ é a entrada do Map, "
                "então use \"$.orderId\".")


def _check_q3(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, dict) or not answer:
        return False, say(f"ItemSelector is an object like {{\"position.$\": \"...\"}}; got {show(answer)}.",
                          f"ItemSelector é um objeto como {{\"position.$\": \"...\"}}; veio {show(answer)}.")
    text = show(answer)
    if "$.Map.Item" in text and "$$.Map.Item" not in text:
        return False, say("Map.Item lives in the context object, which starts with two dollars: $$.Map.Item.Index.",
                          "Map.Item fica no objeto de contexto, que começa com dois cifrões: $$.Map.Item.Index.")
    try:
        machine = _map_machine(ItemsPath="$.lines", ItemSelector=answer)
    except DefinitionError as err:
        return False, say(f"AWS would reject it: {_problem(err)}", f"A AWS recusaria: {_problem(err)}")
    execution = machine.run(Q3_INPUT)
    if execution.status != "SUCCEEDED":
        if "Map.Item.Value.orderId" in (execution.cause or ""):
            return False, say(_NOT_IN_ITEM[0], _NOT_IN_ITEM[1])
        return False, say(f"The Map failed with {execution.error}: {execution.cause}",
                          f"O Map falhou com {execution.error}: {execution.cause}")
    got = execution.output
    if got == Q3_EXPECTED:
        return True, say(f"Each iteration got {show(got[0])}, ...", f"Cada iteração recebeu {show(got[0])}, ...")
    return False, say(f"The iterations got {show(got)}; expected {show(Q3_EXPECTED)}.",
                      f"As iterações receberam {show(got)}; o esperado era {show(Q3_EXPECTED)}.")


q3 = Exercise(
    "nb12.q3",
    _check_q3,
    hints=[
        say("$$.Map.Item.Index is the position and $$.Map.Item.Value the item itself.",
            "$$.Map.Item.Index é a posição e $$.Map.Item.Value é o próprio item."),
        say("In ItemSelector, \"$\" is the Map state's input, so the order id is \"$.orderId\".",
            "No ItemSelector, \"$\" é a entrada do estado Map, então o id do pedido é \"$.orderId\"."),
    ],
    solution={"position.$": "$$.Map.Item.Index", "sku.$": "$$.Map.Item.Value.sku", "orderId.$": "$.orderId"},
    wrong=[
        ({"position.$": "$.Map.Item.Index", "sku.$": "$.Map.Item.Value.sku", "orderId.$": "$.orderId"}, "two dollars"),
        ({"position.$": "$$.Map.Item.Index", "sku.$": "$$.Map.Item.Value.sku", "orderId.$": "$$.Map.Item.Value.orderId"},
         "not in the item"),
    ],
)


# --- q4: which iteration failed first? (step through it) --------------------------------------------

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
Q4_LINES = [{"sku": "lamp", "qty": 1, "days": 4}, {"sku": "chair", "qty": 6, "days": 3},
            {"sku": "desk", "qty": 1, "days": 1}, {"sku": "sofa", "qty": 5, "days": 2},
            {"sku": "rug", "qty": 2, "days": 5}]
Q4_DEFINITION = {"StartAt": "Each line", "States": {"Each line": {
    "Type": "Map", "ItemsPath": "$.lines", "End": True,
    "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Wait for stock", "States": {
        "Wait for stock": {"Type": "Wait", "SecondsPath": "$.days", "Next": "Reserve"},
        "Reserve": {"Type": "Task", "Resource": LAMBDA + "Reserve", "End": True}}}}}}


def _reserve(line, context=None):
    if line["qty"] > 3:
        raise ValueError(f"only 3 {line['sku']}s left")
    return {"sku": line["sku"], "reserved": line["qty"]}


def _q4_machine():
    from ..runtime.engine import StateMachine

    return StateMachine.from_json(Q4_DEFINITION, name="Restock")


def restock():
    """A Stepper on a Map whose iterations wait a different number of seconds each."""
    from ..widgets import Stepper

    return Stepper(_q4_machine(), {"lines": Q4_LINES}, lambdas={"Reserve": _reserve})


def _q4_truth() -> tuple[int, list[int]]:
    execution = _q4_machine().run({"lines": Q4_LINES}, lambdas={"Reserve": _reserve})
    failed = next(s.index for s in execution.steps if s.status == "FAILED" and s.path)
    aborted = [e.details["index"] for e in execution.history if e.type == "MapIterationAborted"]
    return failed, sorted(aborted)


def _check_q4(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, dict) or not {"failed", "aborted"} <= set(answer):
        return False, say(f"Answer with {{\"failed\": index, \"aborted\": [indexes]}}; got {show(answer)}.",
                          f"Responda com {{\"failed\": índice, \"aborted\": [índices]}}; veio {show(answer)}.")
    failed, aborted = _q4_truth()
    if answer["failed"] == 1:
        return False, say("The chair (iteration 1) is the first bad line in the list, but it waits 3 s. Step "
                          "through: which iteration turns red first?",
                          "A cadeira (iteração 1) é a primeira linha ruim da lista, mas espera 3 s. Avance com "
                          "Step: qual iteração fica vermelha primeiro?")
    if answer["failed"] != failed:
        return False, say(f"Iteration {show(answer['failed'])} is not the one. Step until the first red box and "
                          f"read its path (Each line[n]).",
                          f"A iteração {show(answer['failed'])} não é essa. Avance até a primeira caixa vermelha e "
                          f"leia o caminho (Each line[n]).")
    got = answer["aborted"]
    if not isinstance(got, (list, tuple)) or sorted(got) != aborted:
        early = isinstance(got, (list, tuple)) and 2 in got  # the desk had finished before the failure
        extra_en = " The desk (iteration 2) waited only 1 s: it had finished before the failure." if early else ""
        extra_pt = " A mesa (iteração 2) esperou só 1 s: ela já tinha terminado antes da falha." if early else ""
        return False, say(f"The failed iteration is right; the stopped ones are not {show(got)}. The "
                          f"\"Map iteration\" list marks them ⊘ aborted.{extra_en}",
                          f"A iteração que falhou está certa; as paradas não são {show(got)}. A lista "
                          f"\"Map iteration\" as marca com ⊘ aborted.{extra_pt}")
    return True, say(f"Iteration {failed} (the sofa, 2 s) failed first; iterations {aborted} were still waiting "
                     f"and were stopped with MapIterationAborted.",
                     f"A iteração {failed} (o sofá, 2 s) falhou primeiro; as iterações {aborted} ainda esperavam e "
                     f"foram paradas com MapIterationAborted.")


q4 = Exercise(
    "nb12.q4",
    _check_q4,
    hints=[
        say("The iterations wait 4, 3, 1, 2 and 5 seconds: the one that fails first is not the first in the list.",
            "As iterações esperam 4, 3, 1, 2 e 5 segundos: a que falha primeiro não é a primeira da lista."),
        say("Click Step until the header says FAILED, then open the \"Map iteration\" list.",
            "Clique em Step até o cabeçalho dizer FAILED e então abra a lista \"Map iteration\"."),
    ],
    solution={"failed": 3, "aborted": [0, 1, 4]},
    wrong=[({"failed": 1, "aborted": [0, 2, 3, 4]}, "first bad line"),
           ({"failed": 0, "aborted": [1]}, "is not the one"),
           ({"failed": 3, "aborted": [0, 1, 2, 4]}, "only 1 s"),
           (3, "Answer with")],
)


def _q5_problem(err: DefinitionError) -> str:
    """The first problem of a rejected definition, on one line."""
    problems = getattr(err, "problems", None) or []
    return str(problems[0]).splitlines()[0] if problems else str(err).splitlines()[-1].strip()


# --- q5: find the bug: nobody gets the bulk price ---------------------------------------------------

BUGGY = {
    "Comment": "Price each order line: 10 or more units get the bulk price. Nobody ever gets it.",
    "StartAt": "Each line",
    "States": {
        "Each line": {"Type": "Map", "ItemsPath": "$.lines", "End": True,
                      "ItemSelector": {"sku.$": "$$.Map.Item.Value.sku", "qty.$": "$$.Map.Item.Index"},
                      "ItemProcessor": {"StartAt": "Bulk?", "States": {
                          "Bulk?": {"Type": "Choice", "Default": "Unit price", "Choices": [
                              {"Variable": "$.qty", "NumericGreaterThanEquals": 10, "Next": "Bulk price"}]},
                          "Bulk price": {"Type": "Pass", "Result": "bulk", "ResultPath": "$.price", "End": True},
                          "Unit price": {"Type": "Pass", "Result": "unit", "ResultPath": "$.price", "End": True}}}},
    },
}
BUG_INPUT = {"lines": [{"sku": "lamp", "qty": 1}, {"sku": "desk", "qty": 12}, {"sku": "chair", "qty": 30}]}
_Q5_WANT = [{"sku": "lamp", "qty": 1, "price": "unit"}, {"sku": "desk", "qty": 12, "price": "bulk"},
            {"sku": "chair", "qty": 30, "price": "bulk"}]


def _check_q5(answer: Any) -> tuple[bool, str]:
    fixed, problem = patched(BUGGY, answer)
    if fixed is None:
        return False, problem
    try:
        machine = StateMachine.from_json(fixed, name="Lines")
    except DefinitionError as err:
        return False, say(f"AWS would reject it: {_q5_problem(err)}", f"A AWS recusaria: {_q5_problem(err)}")
    execution = machine.run(BUG_INPUT)
    if execution.status != "SUCCEEDED":
        return False, say(f"With your fix the execution ended {execution.status} with {execution.error}.",
                          f"Com a sua correção a execução terminou {execution.status} com {execution.error}.")
    if execution.output == _Q5_WANT:
        return True, say("Each iteration got its line's position as its quantity (0, 1, 2): "
                         "$$.Map.Item.Index is the position, $$.Map.Item.Value the item itself.",
                         "Cada iteração recebia a posição da linha como quantidade (0, 1, 2): "
                         "$$.Map.Item.Index é a posição, $$.Map.Item.Value é o próprio item.")
    return False, say(f"The lines came out as {show(execution.output)}; they should be {show(_Q5_WANT)}.",
                      f"As linhas saíram como {show(execution.output)}; deveriam ser {show(_Q5_WANT)}.")


q5 = Exercise(
    "nb12.q5",
    _check_q5,
    hints=[
        say("Pick iteration 2 (the chair, 30 units) in the Stepper: what qty does Bulk? see?",
            "Escolha a iteração 2 (a cadeira, 30 unidades) no Stepper: que qty o Bulk? enxerga?"),
        say("In ItemSelector, $$.Map.Item.Index is the item's position; its value is in $$.Map.Item.Value.",
            "No ItemSelector, $$.Map.Item.Index é a posição do item; o valor está em $$.Map.Item.Value."),
    ],
    solution={"Each line": {"ItemSelector": {"sku.$": "$$.Map.Item.Value.sku", "qty.$": "$$.Map.Item.Value.qty"}}},
    wrong=[({"Bulk?": {"Default": "Bulk price"}}, "not reachable"),
           ({"Each line": {"ItemSelector": {"sku.$": "$$.Map.Item.Value.sku", "qty.$": "$.qty"}}}, "ended FAILED"),
           ({"Each Line": {"ItemsPath": "$.lines"}}, "did you mean 'Each line'")],
)
