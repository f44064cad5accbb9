"""Exercises for notebooks/11-parallel.ipynb: Parallel branches on the virtual clock.

Spec: Amazon States Language, "Parallel State" (Branches, the output array in
branch order, ResultSelector, Catch on a Parallel state).
"""

from __future__ import annotations

from typing import Any

from ..errors import DefinitionError
from ..runtime.engine import StateMachine
from . import Exercise, patched, say, show


def _problem(err: DefinitionError) -> str:
    """The first problem of a rejected definition, on one line."""
    problems = getattr(err, "problems", None) or []
    return str(problems[0]).splitlines()[0] if problems else str(err).splitlines()[-1].strip()

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"


def _waits(label: str, seconds: tuple) -> dict:
    """A branch made of Wait states of the given lengths (state names are unique per machine)."""
    names = [f"{label}: wait {i + 1}" for i in range(len(seconds))]
    states = {}
    for i, (name, s) in enumerate(zip(names, seconds)):
        state: dict[str, Any] = {"Type": "Wait", "Seconds": s}
        if i + 1 < len(names):
            state["Next"] = names[i + 1]
        else:
            state["End"] = True
        states[name] = state
    return {"StartAt": names[0], "States": states}


# --- q1: how long does a Parallel take? ----------------------------------------------------------

Q1_BRANCHES = {"A": (45,), "B": (20, 30), "C": (60,)}


def _q1_duration() -> float:
    from ..runtime.engine import StateMachine

    definition = {"StartAt": "Together", "States": {"Together": {
        "Type": "Parallel", "End": True, "Branches": [_waits(k, s) for k, s in Q1_BRANCHES.items()]}}}
    return StateMachine.from_json(definition, name="ThreeBranches").run({}).duration


def _check_q1(answer: Any) -> tuple[bool, str]:
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return False, say(f"Answer with a number of seconds, like 30; got {show(answer)}.",
                          f"Responda com um número de segundos, como 30; veio {show(answer)}.")
    expected = _q1_duration()
    if answer == expected:
        return True, say(f"The branches run side by side, so the Parallel lasts as long as its longest branch: "
                         f"{expected:g} s.",
                         f"Os ramos rodam lado a lado, então o Parallel dura o mesmo que o ramo mais longo: "
                         f"{expected:g} s.")
    total = sum(sum(s) for s in Q1_BRANCHES.values())
    if answer == total:
        return False, say("You added up every branch, as if they ran one after another. They run at the same time.",
                          "Você somou todos os ramos, como se rodassem um depois do outro. Eles rodam ao mesmo tempo.")
    if answer == 45 or answer == 30 or answer == 20:
        return False, say("Look at branch B again: two Waits in a row add up inside one branch.",
                          "Olhe de novo o ramo B: dois Waits seguidos se somam dentro de um ramo.")
    return False, say(f"{answer:g} s is not it. Work out each branch's length first, then compare them.",
                      f"{answer:g} s não é a resposta. Calcule primeiro a duração de cada ramo e depois compare.")


q1 = Exercise(
    "nb11.q1",
    _check_q1,
    hints=[
        say("Inside one branch the states run in order; the branches themselves run at the same time.",
            "Dentro de um ramo os estados rodam em ordem; os ramos em si rodam ao mesmo tempo."),
        say("A = 45, B = 20 + 30 = 50, C = 60. Which one ends last?",
            "A = 45, B = 20 + 30 = 50, C = 60. Qual termina por último?"),
    ],
    solution=60,
    wrong=[(155, "added up every branch"), (45, "branch B"), (50, "is not it")],
)


# --- q2: ResultSelector over the branch results ----------------------------------------------------

def _checks_machine(result_selector: Any):
    from ..runtime.engine import StateMachine

    definition = {"StartAt": "Checks", "States": {"Checks": {
        "Type": "Parallel",
        "Branches": [
            {"StartAt": "Check stock", "States": {"Check stock": {
                "Type": "Task", "Resource": LAMBDA + "CheckStock", "End": True}}},
            {"StartAt": "Check credit", "States": {"Check credit": {
                "Type": "Task", "Resource": LAMBDA + "CheckCredit", "End": True}}},
        ],
        "ResultSelector": result_selector, "ResultPath": "$.checks", "End": True}}}
    return StateMachine.from_json(definition, name="OrderChecks")


def check_stock(event, context=None):
    return {"sku": event["sku"], "inStock": event["quantity"] <= 5}


def check_credit(event, context=None):
    return {"customer": event["customer"], "approved": event["amount"] <= 100}


HANDLERS = {"CheckStock": check_stock, "CheckCredit": check_credit}
_ORDER = {"sku": "chair", "quantity": 2, "customer": "ana", "amount": 80}


def _check_q2(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, dict) or not answer:
        return False, say(f"ResultSelector is an object such as {{\"stock.$\": \"...\"}}; got {show(answer)}.",
                          f"ResultSelector é um objeto como {{\"stock.$\": \"...\"}}; veio {show(answer)}.")
    try:
        machine = _checks_machine(answer)
    except DefinitionError as err:
        return False, say(f"AWS would reject it: {_problem(err)}", f"A AWS recusaria: {_problem(err)}")
    execution = machine.run(_ORDER, lambdas=HANDLERS)
    if execution.status != "SUCCEEDED":
        return False, say(f"The execution ended {execution.status} with {execution.error}: {execution.cause}",
                          f"A execução terminou {execution.status} com {execution.error}: {execution.cause}")
    got = execution.output.get("checks")
    expected = {"stock": check_stock(_ORDER), "credit": check_credit(_ORDER)}
    if got == expected:
        return True, say(f"$.checks is now {show(got)}.", f"$.checks agora é {show(got)}.")
    if isinstance(got, dict) and any(isinstance(v, str) and v.startswith("$") for v in got.values()):
        return False, say("Some values are literal text. A key whose value is a path must end in .$ (\"stock.$\").",
                          "Alguns valores ficaram como texto literal. Uma chave cujo valor é um caminho precisa "
                          "terminar em .$ (\"stock.$\").")
    if isinstance(got, dict) and got.get("stock") == expected["credit"]:
        return False, say("Stock and credit are swapped: the output array follows the order of Branches "
                          "(stock is branch 0).",
                          "Estoque e crédito estão trocados: o array de saída segue a ordem de Branches "
                          "(estoque é o ramo 0).")
    return False, say(f"$.checks is {show(got)}; expected {show(expected)}.",
                      f"$.checks ficou {show(got)}; o esperado era {show(expected)}.")


q2 = Exercise(
    "nb11.q2",
    _check_q2,
    hints=[
        say("A Parallel's result is an array: [result of branch 0, result of branch 1].",
            "O resultado de um Parallel é um array: [resultado do ramo 0, resultado do ramo 1]."),
        say("Use \"stock.$\": \"$[0]\" and a similar line for credit.",
            "Use \"stock.$\": \"$[0]\" e uma linha parecida para o crédito."),
    ],
    solution={"stock.$": "$[0]", "credit.$": "$[1]"},
    wrong=[
        ({"stock": "$[0]", "credit": "$[1]"}, "must end in .$"),
        ({"stock.$": "$[1]", "credit.$": "$[0]"}, "swapped"),
    ],
)


# --- q3: Catch on the Parallel state -------------------------------------------------------------

def credit_offline(event, context=None):
    raise ConnectionError("credit bureau offline")


def _check_q3(answer: Any) -> tuple[bool, str]:
    from ..runtime.engine import StateMachine

    if isinstance(answer, dict):
        answer = [answer]
    if not isinstance(answer, list) or not answer:
        return False, say(f"Catch is a list of catchers, like [{{\"ErrorEquals\": [...], \"Next\": ...}}]; "
                          f"got {show(answer)}.",
                          f"Catch é uma lista de catchers, como [{{\"ErrorEquals\": [...], \"Next\": ...}}]; "
                          f"veio {show(answer)}.")
    definition = _checks_machine({"stock.$": "$[0]", "credit.$": "$[1]"}).raw
    definition["States"]["Checks"]["Catch"] = answer
    definition["States"]["Checks"]["End"] = True
    definition["States"]["Manual review"] = {"Type": "Pass", "End": True}
    try:
        machine = StateMachine.from_json(definition, name="OrderChecks")
    except DefinitionError as err:
        return False, say(f"AWS would reject it: {_problem(err)}", f"A AWS recusaria: {_problem(err)}")
    execution = machine.run(_ORDER, lambdas={"CheckStock": check_stock, "CheckCredit": credit_offline})
    visited = [s.state for s in execution.steps if not s.path]
    if execution.status != "SUCCEEDED" or "Manual review" not in visited:
        return False, say(f"The failing branch was not caught: the execution ended {execution.status} with "
                          f"{execution.error}. Does ErrorEquals match ConnectionError (or States.ALL), and is Next "
                          f"\"Manual review\"?",
                          f"O ramo com falha não foi capturado: a execução terminou {execution.status} com "
                          f"{execution.error}. O ErrorEquals cobre ConnectionError (ou States.ALL), e o Next é "
                          f"\"Manual review\"?")
    output = execution.output
    if not (isinstance(output, dict) and output.get("customer") == "ana"):
        return False, say("The order was replaced by the error. Add \"ResultPath\": \"$.error\" to keep the input "
                          "and add the error next to it.",
                          "O pedido foi substituído pelo erro. Adicione \"ResultPath\": \"$.error\" para manter a "
                          "entrada e colocar o erro ao lado dela.")
    error = output.get("error")
    if not (isinstance(error, dict) and error.get("Error") == "ConnectionError"):
        return False, say(f"The order is kept, but the error is not under $.error: output is {show(output)}.",
                          f"O pedido foi mantido, mas o erro não está em $.error: a saída é {show(output)}.")
    return True, say("One branch failed, the Parallel stopped the other one, and the Catch sent the order with "
                     "its error to Manual review.",
                     "Um ramo falhou, o Parallel parou o outro e o Catch mandou o pedido, com o erro, para "
                     "Manual review.")


q3 = Exercise(
    "nb11.q3",
    _check_q3,
    hints=[
        say("A catcher has ErrorEquals, Next and optionally ResultPath.",
            "Um catcher tem ErrorEquals, Next e, opcionalmente, ResultPath."),
        say("[{\"ErrorEquals\": [\"States.ALL\"], \"ResultPath\": \"$.error\", \"Next\": \"Manual review\"}]",
            "[{\"ErrorEquals\": [\"States.ALL\"], \"ResultPath\": \"$.error\", \"Next\": \"Manual review\"}]"),
    ],
    solution=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Manual review"}],
    wrong=[
        ([{"ErrorEquals": ["States.ALL"], "Next": "Manual review"}], "ResultPath"),
        ([{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.error", "Next": "Manual review"}], "not caught"),
    ],
)


# --- q4: which states did the failure stop? (step through it) -------------------------------------

Q4_DEFINITION = {"StartAt": "Get ready", "States": {"Get ready": {"Type": "Parallel", "End": True, "Branches": [
    {"StartAt": "Pack box", "States": {"Pack box": {"Type": "Wait", "Seconds": 30, "Next": "Label box"},
                                       "Label box": {"Type": "Pass", "End": True}}},
    {"StartAt": "Ask bank", "States": {"Ask bank": {"Type": "Wait", "Seconds": 5, "Next": "Check credit"},
                                       "Check credit": {"Type": "Task", "Resource": LAMBDA + "CheckCredit",
                                                        "End": True}}},
    {"StartAt": "Book courier", "States": {
        "Book courier": {"Type": "Task", "Resource": LAMBDA + "BookCourier", "Next": "Wait for courier"},
        "Wait for courier": {"Type": "Wait", "Seconds": 20, "End": True}}}]}}}


def _bank_offline(event, context=None):
    raise ConnectionError("credit bureau offline")


def _book(event, context=None):
    return {"courier": "c-7"}


def _q4_machine():
    from ..runtime.engine import StateMachine

    return StateMachine.from_json(Q4_DEFINITION, name="GetReady")


def _q4_lambdas() -> dict:
    return {"CheckCredit": _bank_offline, "BookCourier": _book}


def get_ready():
    """A Stepper on a Parallel of three branches; the bank is offline today."""
    from ..widgets import Stepper

    return Stepper(_q4_machine(), {"order": "o-12"}, lambdas=_q4_lambdas())


def _q4_stopped() -> list[str]:
    execution = _q4_machine().run({"order": "o-12"}, lambdas=_q4_lambdas())
    return sorted(s.state for s in execution.steps if s.status == "ABORTED")


def _check_q4(answer: Any) -> tuple[bool, str]:
    if isinstance(answer, str):
        answer = [answer]
    if not isinstance(answer, (list, tuple, set)) or not all(isinstance(x, str) for x in answer):
        return False, say(f"Answer with a list of state names, like [\"Label box\"]; got {show(answer)}.",
                          f"Responda com uma lista de nomes de estados, como [\"Label box\"]; veio {show(answer)}.")
    stopped = _q4_stopped()
    got = sorted(set(answer))
    if got == stopped:
        return True, say(f"The bank check failed at 5 s and stopped {' and '.join(stopped)}: both were waiting "
                         f"(WaitStateAborted in the history, ⊘ aborted in the branch picker).",
                         f"A consulta ao banco falhou aos 5 s e parou {' e '.join(stopped)}: os dois estavam "
                         f"esperando (WaitStateAborted no histórico, ⊘ aborted no seletor de ramos).")
    if "Check credit" in got:
        return False, say("Check credit is the state that failed (red), not one that was stopped (grey).",
                          "Check credit é o estado que falhou (vermelho), não um que foi parado (cinza).")
    missing = [s for s in stopped if s not in got]
    if missing:
        return False, say("Not all of them: one branch more was still running at 5 s. Pick each branch in the "
                          "\"Parallel branch\" list after the failure.",
                          "Faltou algum: mais um ramo ainda estava rodando aos 5 s. Escolha cada ramo na lista "
                          "\"Parallel branch\" depois da falha.")
    return False, say(f"{show(answer)} includes a state that never started or had already finished. Stopped "
                      f"states show ABORTED in the data-flow pane.",
                      f"{show(answer)} inclui um estado que nunca começou ou que já tinha terminado. Estados parados "
                      f"aparecem como ABORTED no painel de dados.")


q4 = Exercise(
    "nb11.q4",
    _check_q4,
    hints=[
        say("Click Step until the execution fails, then look at each branch in the \"Parallel branch\" list.",
            "Clique em Step até a execução falhar e então olhe cada ramo na lista \"Parallel branch\"."),
        say("Two branches were waiting when the bank check failed.",
            "Dois ramos estavam esperando quando a consulta ao banco falhou."),
    ],
    solution=["Pack box", "Wait for courier"],
    wrong=[(["Check credit"], "failed (red)"), (["Pack box"], "Not all of them"),
           (["Pack box", "Wait for courier", "Label box"], "never started"), (3, "list of state names")],
)


def _q5_problem(err: DefinitionError) -> str:
    """The first problem of a rejected definition, on one line."""
    problems = getattr(err, "problems", None) or []
    return str(problems[0]).splitlines()[0] if problems else str(err).splitlines()[-1].strip()


# --- q5: find the bug: every order is rejected ----------------------------------------------------

def _q5_stock(event, context=None):
    """The stock service: is there enough of the sku?"""
    stock = {"chair": 5, "lamp": 0}
    return {"available": stock.get(event.get("sku"), 0) >= event.get("quantity", 1)}


def _q5_credit(event, context=None):
    """The bank: is the amount within the customer's limit?"""
    return {"approved": event.get("amount", 0) <= 500}


_FN = "arn:aws:lambda:us-east-1:123456789012:function:"
BUG_LAMBDAS = {"CheckStock": _q5_stock, "CheckCredit": _q5_credit}
BUGGY = {
    "Comment": "Check stock and credit at once, then approve or reject. Every order fails.",
    "StartAt": "Checks",
    "States": {
        "Checks": {"Type": "Parallel", "ResultPath": "$.checks", "Next": "Decide",
                   "ResultSelector": {"stock.$": "$[1]", "credit.$": "$[0]"},
                   "Branches": [
                       {"StartAt": "Check stock", "States": {
                           "Check stock": {"Type": "Task", "Resource": _FN + "CheckStock", "End": True}}},
                       {"StartAt": "Check credit", "States": {
                           "Check credit": {"Type": "Task", "Resource": _FN + "CheckCredit", "End": True}}}]},
        "Decide": {"Type": "Choice", "Default": "Reject", "Choices": [
            {"And": [{"Variable": "$.checks.stock.available", "BooleanEquals": True},
                     {"Variable": "$.checks.credit.approved", "BooleanEquals": True}], "Next": "Approve"}]},
        "Approve": {"Type": "Succeed"},
        "Reject": {"Type": "Fail", "Error": "OrderRejected", "Cause": "no stock or no credit"},
    },
}
BUG_INPUT = {"sku": "chair", "quantity": 2, "amount": 80}
_Q5_CASES = [(BUG_INPUT, "SUCCEEDED"), ({"sku": "lamp", "quantity": 1, "amount": 80}, "OrderRejected"),
             ({"sku": "chair", "quantity": 1, "amount": 900}, "OrderRejected")]


def _check_q5(answer: Any) -> tuple[bool, str]:
    fixed, problem = patched(BUGGY, answer)
    if fixed is None:
        return False, problem
    try:
        machine = StateMachine.from_json(fixed, name="Checks")
    except DefinitionError as err:
        return False, say(f"AWS would reject it: {_q5_problem(err)}", f"A AWS recusaria: {_q5_problem(err)}")
    for order, want in _Q5_CASES:
        execution = machine.run(order, lambdas=BUG_LAMBDAS)
        got = execution.status if execution.status == "SUCCEEDED" else execution.error
        if got != want:
            return False, say(f"With your fix, the order {show(order)} ended with {got}; it should end with {want}.",
                              f"Com a sua correção, o pedido {show(order)} terminou com {got}; deveria terminar "
                              f"com {want}.")
    return True, say("A Parallel's output lists the branches' results in branch order, not finishing order: "
                     "$[0] is the stock check, $[1] the credit check.",
                     "A saída de um Parallel lista os resultados na ordem dos ramos, não na ordem de término: "
                     "$[0] é a checagem de estoque, $[1] a de crédito.")


q5 = Exercise(
    "nb11.q5",
    _check_q5,
    hints=[
        say("Step through Checks and read its output in the data-flow pane: what is under \"stock\"?",
            "Avance pelo Checks e leia a saída no painel de fluxo de dados: o que está em \"stock\"?"),
        say("The result is an array in branch order: the first branch is Check stock.",
            "O resultado é uma lista na ordem dos ramos: o primeiro ramo é Check stock."),
    ],
    solution={"Checks": {"ResultSelector": {"stock.$": "$[0]", "credit.$": "$[1]"}}},
    wrong=[({"Decide": {"Default": "Approve"}}, "not reachable"),
           ({"Checks": {"ResultSelector": {"stock.$": "$[1]", "credit.$": "$[1]"}}}, "should end with"),
           ({"Check": {"ResultSelector": {}}}, "did you mean 'Checks'")],
)
