"""Exercises for notebooks/10-errors-retry-catch.ipynb: Retry, back-off and Catch.

Spec: Amazon States Language, "Errors", "Retrying after an error" (ErrorEquals,
IntervalSeconds, MaxAttempts, BackoffRate) and "Fallback states" (Catch, its
ResultPath, the order of catchers).
"""

from __future__ import annotations

from typing import Any

from ..errors import DefinitionError
from ..runtime.engine import StateMachine
from . import Exercise, patched, say, show, visited


def _problem(err: DefinitionError) -> str:
    """The first problem of a rejected definition, on one line."""
    problems = getattr(err, "problems", None) or []
    return str(problems[0]).splitlines()[0] if problems else str(err).splitlines()[-1].strip()

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"


class PrinterJam(Exception):
    """The label printer jammed (a flaky device)."""


class ScrewMissing(Exception):
    """A screw is missing from the box."""


def _flaky(failures: int, error: type = PrinterJam):
    """A handler that fails its first ``failures`` calls, then succeeds."""
    calls = {"n": 0}

    def handler(event, context=None):
        calls["n"] += 1
        if calls["n"] <= failures:
            raise error(f"try {calls['n']} failed")
        return {"printed": True, "tries": calls["n"]}

    return handler


def _as_list(answer: Any, what: str) -> list | None:
    if isinstance(answer, dict):
        return [answer]
    if isinstance(answer, list) and answer and all(isinstance(x, dict) for x in answer):
        return answer
    return None


def _task_machine(field: str, value: Any, extra_states: dict | None = None):
    from ..runtime.engine import StateMachine

    task = {"Type": "Task", "Resource": LAMBDA + "PrintLabel", "End": True, field: value}
    states = {"Print label": task, **(extra_states or {})}
    return StateMachine.from_json({"StartAt": "Print label", "States": states}, name="Labels")


def _attempts(execution) -> list[float]:
    """Virtual times at which the task was scheduled."""
    return [e.at for e in execution.history if e.type in ("LambdaFunctionScheduled", "TaskScheduled")]


# --- q1: a Retry that rescues a flaky task ---------------------------------------------------------------

def _check_q1(answer: Any) -> tuple[bool, str]:
    retriers = _as_list(answer, "Retry")
    if retriers is None:
        return False, say(f"Retry is a list of retriers, like [{{\"ErrorEquals\": [...], ...}}]; got {show(answer)}.",
                          f"Retry é uma lista de retriers, como [{{\"ErrorEquals\": [...], ...}}]; veio {show(answer)}.")
    try:
        machine = _task_machine("Retry", retriers)
    except DefinitionError as err:
        return False, say(f"AWS would reject it: {_problem(err)}", f"A AWS recusaria: {_problem(err)}")
    execution = machine.run({"order": "o-5"}, lambdas={"PrintLabel": _flaky(2)})
    tries = len(_attempts(execution))
    if execution.status == "SUCCEEDED":
        return True, say(f"Two jams, two retries, and the third try printed the label ({tries} tries in all).",
                         f"Dois enroscos, duas novas tentativas, e a terceira imprimiu a etiqueta ({tries} tentativas "
                         f"ao todo).")
    if tries == 1:
        return False, say("The task was not retried at all: does ErrorEquals match PrinterJam (or States.ALL)?",
                          "A task não foi repetida nenhuma vez: o ErrorEquals cobre PrinterJam (ou States.ALL)?")
    return False, say(f"The task was tried {tries} times and still failed: it jams twice, so it needs at least "
                      f"2 retries (MaxAttempts counts retries, not tries).",
                      f"A task foi tentada {tries} vezes e ainda falhou: ela enrosca duas vezes, então precisa de pelo "
                      f"menos 2 novas tentativas (MaxAttempts conta as repetições, não as tentativas).")


q1 = Exercise(
    "nb10.q1",
    _check_q1,
    hints=[
        say("A retrier needs ErrorEquals; MaxAttempts says how many times to retry (default 3).",
            "Um retrier precisa de ErrorEquals; MaxAttempts diz quantas vezes repetir (o padrão é 3)."),
        say("[{\"ErrorEquals\": [\"PrinterJam\"], \"IntervalSeconds\": 1, \"MaxAttempts\": 2}]",
            "[{\"ErrorEquals\": [\"PrinterJam\"], \"IntervalSeconds\": 1, \"MaxAttempts\": 2}]"),
    ],
    solution=[{"ErrorEquals": ["PrinterJam"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 2.0}],
    wrong=[
        ([{"ErrorEquals": ["PrinterJam"], "MaxAttempts": 1}], "at least 2 retries"),
        ([{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 3}], "not retried at all"),
        ({"ErrorEquals": "PrinterJam"}, "reject"),
    ],
)


# --- q2: the back-off waits -------------------------------------------------------------------------------

Q2_RETRIER = {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3, "MaxAttempts": 4, "BackoffRate": 2.0}


def _q2_waits() -> list[float]:
    execution = _task_machine("Retry", [Q2_RETRIER]).run({}, lambdas={"PrintLabel": _flaky(99)})
    times = _attempts(execution)
    return [b - a for a, b in zip(times, times[1:])]


def _check_q2(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, (list, tuple)) or not all(isinstance(x, (int, float)) and not isinstance(x, bool)
                                                       for x in answer):
        return False, say(f"Answer with a list of numbers of seconds, like [1, 2]; got {show(answer)}.",
                          f"Responda com uma lista de números de segundos, como [1, 2]; veio {show(answer)}.")
    waits = _q2_waits()
    got = [float(x) for x in answer]
    if got == waits:
        return True, say(f"The history agrees: the task was scheduled again after {', '.join(f'{w:g}' for w in waits)} "
                         f"seconds, then the execution failed.",
                         f"O histórico confirma: a task foi agendada de novo depois de "
                         f"{', '.join(f'{w:g}' for w in waits)} segundos, e então a execução falhou.")
    if len(got) != len(waits):
        return False, say(f"You listed {len(got)} waits. MaxAttempts is {Q2_RETRIER['MaxAttempts']}: that many "
                          f"retries, so that many waits.",
                          f"Você listou {len(got)} esperas. MaxAttempts é {Q2_RETRIER['MaxAttempts']}: esse é o "
                          f"número de repetições, e portanto de esperas.")
    if len(set(got)) == 1:
        return False, say("Every wait is the same: BackoffRate multiplies the interval after each retry.",
                          "Todas as esperas são iguais: o BackoffRate multiplica o intervalo depois de cada repetição.")
    return False, say(f"Not quite: {show(answer)}. The first wait is IntervalSeconds; each next one is the previous "
                      f"× BackoffRate.",
                      f"Ainda não: {show(answer)}. A primeira espera é o IntervalSeconds; cada uma das seguintes é a "
                      f"anterior × BackoffRate.")


q2 = Exercise(
    "nb10.q2",
    _check_q2,
    hints=[
        say("Wait n = IntervalSeconds × BackoffRate^(n-1).", "Espera n = IntervalSeconds × BackoffRate^(n-1)."),
        say("3, then 3 × 2, then ... four waits in all.", "3, depois 3 × 2, depois ... quatro esperas ao todo."),
    ],
    solution=[3, 6, 12, 24],
    wrong=[([3, 6, 12], "MaxAttempts is 4"), ([3, 3, 3, 3], "BackoffRate multiplies"), ([3, 6, 9, 12], "Not quite")],
)


# --- q3: two catchers, in order ----------------------------------------------------------------------------

def _raiser(error: type):
    def handler(event, context=None):
        raise error("it went wrong")
    return handler


def _check_q3(answer: Any) -> tuple[bool, str]:
    from ..runtime.engine import StateMachine

    catchers = _as_list(answer, "Catch")
    if catchers is None:
        return False, say(f"Catch is a list of catchers, like [{{\"ErrorEquals\": [...], \"Next\": ...}}]; got "
                          f"{show(answer)}.",
                          f"Catch é uma lista de catchers, como [{{\"ErrorEquals\": [...], \"Next\": ...}}]; veio "
                          f"{show(answer)}.")
    definition = {"StartAt": "Hang door", "States": {
        "Hang door": {"Type": "Task", "Resource": LAMBDA + "HangDoor", "Catch": catchers, "Next": "Done"},
        "Done": {"Type": "Succeed"}}}
    targets = {c.get("Next") for c in catchers}
    for name in ("Fix door", "Call support"):
        if name in targets:  # only the fallback states the answer uses, so none is unreachable
            definition["States"][name] = {"Type": "Pass", "End": True}
    try:
        machine = StateMachine.from_json(definition, name="Doors")
    except DefinitionError as err:
        text = _problem(err)
        extra_en = extra_pt = ""
        if "States.ALL" in text:
            extra_en = ". A catcher with States.ALL must come last: the catchers are tried in order."
            extra_pt = ". Um catcher com States.ALL precisa vir por último: os catchers são testados em ordem."
        return False, say(f"AWS would reject it: {text}{extra_en}", f"A AWS recusaria: {text}{extra_pt}")
    order = {"door": "left", "order": "o-3"}
    for error, target in ((DoorMisaligned, "Fix door"), (ScrewMissing, "Call support")):
        execution = machine.run(order, lambdas={"HangDoor": _raiser(error)})
        visited = [s.state for s in execution.steps]
        if target not in visited:
            where = next((s for s in ("Fix door", "Call support") if s in visited), None)
            if where:
                return False, say(f"{error.__name__} went to {where}, not to {target}. The first catcher whose "
                                  f"ErrorEquals matches wins.",
                                  f"{error.__name__} foi para {where}, e não para {target}. Vence o primeiro catcher "
                                  f"cujo ErrorEquals combina.")
            return False, say(f"{error.__name__} was not caught: the execution ended {execution.status}.",
                              f"{error.__name__} não foi capturado: a execução terminou {execution.status}.")
        output = execution.output
        if not (isinstance(output, dict) and output.get("door") == "left"):
            return False, say("The order was replaced by the error: add \"ResultPath\": \"$.error\" to both catchers.",
                              "O pedido foi substituído pelo erro: acrescente \"ResultPath\": \"$.error\" aos dois "
                              "catchers.")
        if not (isinstance(output.get("error"), dict) and output["error"].get("Error") == error.__name__):
            return False, say(f"The order is kept, but the error is not under $.error: got {show(output)}.",
                              f"O pedido foi mantido, mas o erro não está em $.error: veio {show(output)}.")
    return True, say("DoorMisaligned goes to Fix door, anything else to Call support, and the order keeps the error "
                     "under $.error.",
                     "DoorMisaligned vai para Fix door, qualquer outro erro para Call support, e o pedido guarda o "
                     "erro em $.error.")


q3 = Exercise(
    "nb10.q3",
    _check_q3,
    hints=[
        say("Two catchers: the specific one first, the States.ALL one last.",
            "Dois catchers: o específico primeiro, o de States.ALL por último."),
        say("Each catcher: {\"ErrorEquals\": [...], \"ResultPath\": \"$.error\", \"Next\": \"...\"}",
            "Cada catcher: {\"ErrorEquals\": [...], \"ResultPath\": \"$.error\", \"Next\": \"...\"}"),
    ],
    solution=[
        {"ErrorEquals": ["DoorMisaligned"], "ResultPath": "$.error", "Next": "Fix door"},
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Call support"},
    ],
    wrong=[
        ([{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Call support"},
          {"ErrorEquals": ["DoorMisaligned"], "ResultPath": "$.error", "Next": "Fix door"}], "must come last"),
        ([{"ErrorEquals": ["DoorMisaligned"], "Next": "Fix door"},
          {"ErrorEquals": ["States.ALL"], "Next": "Call support"}], "ResultPath"),
        ([{"ErrorEquals": ["DoorMisaligned"], "ResultPath": "$.error", "Next": "Fix door"}], "was not caught"),
    ],
)


# --- q4: watch the retries in the Stepper ------------------------------------------------------------------

Q4_JAMS = 3  # hidden from the learner: the Stepper shows it
Q4_DEFINITION = {"StartAt": "Print label", "States": {
    "Print label": {"Type": "Task", "Resource": LAMBDA + "PrintLabel", "Next": "Ship",
                    "Retry": [{"ErrorEquals": ["PrinterJam"], "IntervalSeconds": 1, "MaxAttempts": 5,
                               "BackoffRate": 2.0}]},
    "Ship": {"Type": "Pass", "End": True}}}


def _q4_machine():
    from ..runtime.engine import StateMachine

    return StateMachine.from_json(Q4_DEFINITION, name="MysteryPrinter")


def mystery_printer():
    """A Stepper on a label printer that jams a few times (how many? step through and see)."""
    from ..widgets import Stepper

    return Stepper(_q4_machine(), {"order": "o-9"}, lambdas={"PrintLabel": _flaky(Q4_JAMS)})


def _q4_truth() -> tuple[int, float]:
    execution = _q4_machine().run({"order": "o-9"}, lambdas={"PrintLabel": _flaky(Q4_JAMS)})
    final = [s for s in execution.steps if s.state == "Print label"][-1]
    return final.attempt, final.at


def _check_q4(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, dict) or not {"attempt", "seconds"} <= set(answer):
        return False, say(f"Answer with {{\"attempt\": ..., \"seconds\": ...}}; got {show(answer)}.",
                          f"Responda com {{\"attempt\": ..., \"seconds\": ...}}; veio {show(answer)}.")
    attempt, seconds = _q4_truth()
    got_attempt, got_seconds = answer["attempt"], answer["seconds"]
    if got_attempt == attempt - 1:
        return False, say(f"{got_attempt} is the number of retries. The attempt counts the first try too: the "
                          f"Stepper's data-flow title says \"attempt n\".",
                          f"{got_attempt} é o número de novas tentativas. A tentativa conta também a primeira: o "
                          f"título do painel de dados no Stepper diz \"attempt n\".")
    if got_attempt != attempt:
        return False, say(f"Not attempt {show(got_attempt)}. Click Step until Print label turns green (SUCCEEDED) "
                          f"and read its attempt number.",
                          f"Não foi a tentativa {show(got_attempt)}. Clique em Step até Print label ficar verde "
                          f"(SUCCEEDED) e leia o número da tentativa.")
    if isinstance(got_seconds, bool) or not isinstance(got_seconds, (int, float)) or got_seconds != seconds:
        return False, say(f"The attempt is right. The time is not {show(got_seconds)} s: read the virtual clock in "
                          f"the Stepper's header after that Step (the back-off waits add up: 1 s, 2 s, ...).",
                          f"A tentativa está certa. O tempo não é {show(got_seconds)} s: leia o relógio virtual no "
                          f"cabeçalho do Stepper depois desse Step (as esperas somam: 1 s, 2 s, ...).")
    return True, say(f"Attempt {attempt}, {seconds:g} s after the start: {attempt - 1} jams, each retry waiting "
                     f"twice as long as the one before.",
                     f"Tentativa {attempt}, {seconds:g} s depois do início: {attempt - 1} enroscos, cada nova "
                     f"tentativa esperando o dobro da anterior.")


q4 = Exercise(
    "nb10.q4",
    _check_q4,
    hints=[
        say("Each Step is one try of Print label: an orange box means that try failed and will be retried.",
            "Cada Step é uma tentativa de Print label: uma caixa laranja quer dizer que essa tentativa falhou e "
            "será repetida."),
        say("Waits of 1, 2, 4 ... seconds: add up the ones before the successful try.",
            "Esperas de 1, 2, 4 ... segundos: some as que vieram antes da tentativa que deu certo."),
    ],
    solution={"attempt": Q4_JAMS + 1, "seconds": 7},
    wrong=[({"attempt": Q4_JAMS, "seconds": 7}, "number of retries"),
           ({"attempt": 2, "seconds": 1}, "Click Step"),
           ({"attempt": Q4_JAMS + 1, "seconds": 3}, "virtual clock"),
           ("4", "Answer with")],
)


def _q5_problem(err: DefinitionError) -> str:
    """The first problem of a rejected definition, on one line."""
    problems = getattr(err, "problems", None) or []
    return str(problems[0]).splitlines()[0] if problems else str(err).splitlines()[-1].strip()


# --- q5: find the bug: crooked doors always go to support -------------------------------------------

class DoorMisaligned(Exception):
    """The door hangs crooked: realign it."""


class HingeBroken(Exception):
    """A hinge broke: call support."""


def hang_door(event, context=None):
    """Hangs the door in ``event["door"]``: "ok", "crooked" (DoorMisaligned) or "broken" (HingeBroken)."""
    door = event.get("door") if isinstance(event, dict) else None
    if door == "crooked":
        raise DoorMisaligned("the door is 4 mm out of line")
    if door == "broken":
        raise HingeBroken("the top hinge snapped")
    return {**event, "hung": True}


_FN = "arn:aws:lambda:us-east-1:123456789012:function:"
BUG_LAMBDAS = {"HangDoor": hang_door}
BUGGY = {
    "Comment": "A crooked door should be realigned, anything else goes to support. Crooked doors go to support too.",
    "StartAt": "Hang door",
    "States": {
        "Hang door": {"Type": "Task", "Resource": _FN + "HangDoor", "Next": "Done", "Catch": [
            {"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "Call support"},
            {"ErrorEquals": ["DoorMisaligned"], "ResultPath": "$.error", "Next": "Realign door"},
        ]},
        "Realign door": {"Type": "Pass", "Result": "realigned", "ResultPath": "$.fix", "Next": "Done"},
        "Call support": {"Type": "Pass", "Result": "support called", "ResultPath": "$.fix", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
_Q5_CASES = [({"door": "crooked"}, "Realign door"), ({"door": "broken"}, "Call support"), ({"door": "ok"}, "Done")]


def _check_q5(answer: Any) -> tuple[bool, str]:
    fixed, problem = patched(BUGGY, answer)
    if fixed is None:
        return False, problem
    try:
        machine = StateMachine.from_json(fixed, name="Doors")
    except DefinitionError as err:
        return False, say(f"AWS would reject it: {_q5_problem(err)}", f"A AWS recusaria: {_q5_problem(err)}")
    for door, want in _Q5_CASES:
        execution = machine.run(door, lambdas=BUG_LAMBDAS)
        path = visited(execution)
        if execution.status != "SUCCEEDED":
            return False, say(f"With your fix, the door {show(door)} ended {execution.status} with {execution.error}.",
                              f"Com a sua correção, a porta {show(door)} terminou {execution.status} com "
                              f"{execution.error}.")
        if want != "Done" and want not in path or want == "Done" and len(path) != 2:
            return False, say(f"With your fix, the door {show(door)} went through {show(path)}; it should go to {want}.",
                              f"Com a sua correção, a porta {show(door)} passou por {show(path)}; deveria ir para {want}.")
    return True, say("Catchers are tried in order, and States.TaskFailed matches every error a task raises, "
                     "DoorMisaligned included: the specific catcher must come first.",
                     "Os catchers são testados em ordem, e States.TaskFailed casa com todo erro que uma task "
                     "lança, inclusive DoorMisaligned: o catcher específico precisa vir primeiro.")


q5 = Exercise(
    "nb10.q5",
    _check_q5,
    hints=[
        say("Step a crooked door through: which catcher does TaskStateExited's error output go to?",
            "Avance uma porta torta: para qual catcher vai a saída de erro no TaskStateExited?"),
        say("Catchers are tried in order; States.TaskFailed matches DoorMisaligned too.",
            "Os catchers são testados em ordem; States.TaskFailed também casa com DoorMisaligned."),
        say("Give \"Hang door\" its Catch again with the DoorMisaligned catcher first.",
            "Dê de novo o Catch de \"Hang door\" com o catcher de DoorMisaligned primeiro."),
    ],
    solution={"Hang door": {"Catch": [
        {"ErrorEquals": ["DoorMisaligned"], "ResultPath": "$.error", "Next": "Realign door"},
        {"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "Call support"},
    ]}},
    wrong=[({"Hang door": {"Catch": [{"ErrorEquals": ["DoorMisaligned"], "ResultPath": "$.error",
                                      "Next": "Realign door"}]}}, "not reachable"),
           ({"Hang door": {"Retry": [{"ErrorEquals": ["DoorMisaligned"], "MaxAttempts": 2}]}}, "should go to"),
           ({"Hang doors": {"Catch": []}}, "did you mean 'Hang door'")],
)
