"""Exercises for notebooks/14-jsonata-and-variables.ipynb: JSONata expressions and Assign.

Spec: Amazon States Language with ``"QueryLanguage": "JSONata"`` (``{% %}``
expressions, ``$states``, ``Output``) and workflow variables (``Assign``,
evaluated with the values from before the state).
"""

from __future__ import annotations

from typing import Any

from ..errors import DefinitionError
from . import Exercise, build, failure, patched, same, say, show


def _problem(err: DefinitionError) -> str:
    """The first problem of a rejected definition, on one line."""
    problems = getattr(err, "problems", None) or []
    return str(problems[0]).splitlines()[0] if problems else str(err).splitlines()[-1].strip()

CART = {"items": [{"sku": "lamp", "price": 12.5, "qty": 2}, {"sku": "mug", "price": 4.0, "qty": 3}]}
CART_TOTAL = 37.0


def _run(definition: dict, data: Any):
    from ..runtime.engine import StateMachine

    return StateMachine.from_json(definition, name="JSONataExercise").run(data)


# --- q1: an Output expression ----------------------------------------------------------------------

def _check_q1(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, str) or not answer.strip():
        return False, say(f"Answer with the text of an expression, like \"{{% ... %}}\"; got {show(answer)}.",
                          f"Responda com o texto de uma expressão, como \"{{% ... %}}\"; veio {show(answer)}.")
    text = answer.strip()
    if not (text.startswith("{%") and text.endswith("%}")):
        return False, say("Without {% and %} around it, the text is a literal string, not an expression.",
                          "Sem {% e %} em volta, o texto é uma string literal, e não uma expressão.")
    definition = {"QueryLanguage": "JSONata", "StartAt": "Total",
                  "States": {"Total": {"Type": "Pass", "Output": text, "End": True}}}
    try:
        execution = _run(definition, CART)
    except DefinitionError as err:
        return False, say(f"AWS would reject it: {_problem(err)}", f"A AWS recusaria: {_problem(err)}")
    if execution.status != "SUCCEEDED":
        return False, say(f"The state failed with {execution.error}: {execution.cause}",
                          f"O estado falhou com {execution.error}: {execution.cause}")
    got = execution.output
    if same(got, CART_TOTAL):
        return True, say("12.5 × 2 + 4 × 3 = 37: one expression replaced a Lambda function.",
                         "12,5 × 2 + 4 × 3 = 37: uma expressão substituiu uma função Lambda.")
    if same(got, 16.5):
        return False, say("That adds the prices once each. Multiply each price by its qty before summing.",
                          "Isso soma cada preço uma vez só. Multiplique cada preço pela sua qty antes de somar.")
    return False, say(f"The output is {show(got)}; the cart's total is {CART_TOTAL:g}.",
                      f"A saída é {show(got)}; o total do carrinho é {CART_TOTAL:g}.")


q1 = Exercise(
    "nb14.q1",
    _check_q1,
    hints=[
        say("$states.input.items.(price * qty) gives one number per item.",
            "$states.input.items.(price * qty) dá um número por item."),
        say("Wrap it in $sum( ... ) and in {% %}.", "Envolva com $sum( ... ) e com {% %}."),
    ],
    solution="{% $sum($states.input.items.(price * qty)) %}",
    wrong=[
        ("$sum($states.input.items.(price * qty))", "literal string"),
        ("{% $sum($states.input.items.price) %}", "Multiply each price"),
        ("{% $states.input.items %}", "total is 37"),
    ],
)


# --- q2: Assign a variable and use it later -----------------------------------------------------------

def _greeting_machine(assign: Any) -> dict:
    return {"QueryLanguage": "JSONata", "StartAt": "Remember", "States": {
        "Remember": {"Type": "Pass", "Assign": assign, "Output": {"step": "lookup"}, "Next": "Look up"},
        "Look up": {"Type": "Pass", "Output": {"step": "greet"}, "Next": "Greet"},
        "Greet": {"Type": "Pass", "Output": "{% 'Olá, ' & $customer & '!' %}", "End": True},
    }}


def _check_q2(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, dict) or not answer:
        return False, say(f"Assign is an object of variable names and values; got {show(answer)}.",
                          f"Assign é um objeto com nomes de variáveis e valores; veio {show(answer)}.")
    if "customer" not in answer:
        names = ", ".join(answer)
        return False, say(f"The later state reads $customer, but you assigned: {names}. Name the variable customer "
                          f"(no $ in the name).",
                          f"O estado seguinte lê $customer, mas você atribuiu: {names}. Chame a variável de customer "
                          f"(sem $ no nome).")
    try:
        execution = _run(_greeting_machine(answer), {"name": "Ana", "cart": ["lamp"]})
    except DefinitionError as err:
        return False, say(f"AWS would reject it: {_problem(err)}", f"A AWS recusaria: {_problem(err)}")
    if execution.status != "SUCCEEDED":
        if "returned nothing" in (execution.cause or ""):
            return False, say("The expression found nothing in the input {\"name\": \"Ana\", \"cart\": [...]}: "
                              "which field holds the name?",
                              "A expressão não encontrou nada na entrada {\"name\": \"Ana\", \"cart\": [...]}: "
                              "qual campo guarda o nome?")
        return False, say(f"The execution failed with {execution.error}: {execution.cause}",
                          f"A execução falhou com {execution.error}: {execution.cause}")
    value = execution.steps[0].variables_after.get("customer") if execution.steps[0].variables_after else None
    if execution.output == "Olá, Ana!":
        other = _run(_greeting_machine(answer), {"name": "Bruno", "cart": []})
        if other.output != "Olá, Bruno!":
            return False, say("That works for Ana only: read the name from the input, so that Bruno is greeted too.",
                              "Isso só funciona para a Ana: leia o nome a partir da entrada, para que o Bruno também "
                              "seja saudado.")
        return True, say("Two states later, $customer still holds \"Ana\", although the data between them changed.",
                         "Dois estados depois, $customer ainda guarda \"Ana\", embora os dados entre eles tenham mudado.")
    if isinstance(value, str) and value.startswith("$"):
        return False, say(f"$customer holds the literal text {show(value)}: wrap the expression in {{% %}}.",
                          f"$customer guarda o texto literal {show(value)}: envolva a expressão com {{% %}}.")
    return False, say(f"$customer holds {show(value)}; it should hold the input's name, \"Ana\".",
                      f"$customer guarda {show(value)}; deveria guardar o nome da entrada, \"Ana\".")


q2 = Exercise(
    "nb14.q2",
    _check_q2,
    hints=[
        say("The input of the first state is $states.input; the name is in its name field.",
            "A entrada do primeiro estado é $states.input; o nome está no campo name."),
        say("{\"customer\": \"{% $states.input.name %}\"}", "{\"customer\": \"{% $states.input.name %}\"}"),
    ],
    solution={"customer": "{% $states.input.name %}"},
    wrong=[
        ({"customer": "$states.input.name"}, "literal text"),
        ({"name": "{% $states.input.name %}"}, "Name the variable customer"),
        ({"customer": "{% $states.input.customer %}"}, "found nothing"),
        ({"customer": "{% $states.input.cart %}"}, "should hold"),
        ({"customer": "Ana"}, "from the input"),
    ],
)


# --- q3: predict a swap ------------------------------------------------------------------------------

Q3_DEFINITION = {"QueryLanguage": "JSONata", "StartAt": "Start", "States": {
    "Start": {"Type": "Pass", "Assign": {"a": 1, "b": 2}, "Next": "Swap"},
    "Swap": {"Type": "Pass", "Assign": {"a": "{% $b %}", "b": "{% $a %}"}, "Output": "{% [$a, $b] %}", "End": True},
}}


def _q3_truth() -> dict:
    execution = _run(Q3_DEFINITION, {})
    after = execution.steps[-1].variables_after or {}
    return {"output": execution.output, "a": after.get("a"), "b": after.get("b")}


def _check_q3(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, dict) or not {"output", "a", "b"} <= set(answer):
        return False, say(f"Answer with {{\"output\": ..., \"a\": ..., \"b\": ...}}; got {show(answer)}.",
                          f"Responda com {{\"output\": ..., \"a\": ..., \"b\": ...}}; veio {show(answer)}.")
    truth = _q3_truth()
    swapped = same(answer["a"], truth["a"]) and same(answer["b"], truth["b"])
    output_ok = same(answer["output"], truth["output"])
    if swapped and output_ok:
        return True, say("Every expression of the state read the values from before it: the swap works, and Output "
                         "still sees [1, 2].",
                         "Todas as expressões do estado leram os valores de antes dele: a troca funciona, e o Output "
                         "ainda vê [1, 2].")
    if same(answer["a"], 2) and same(answer["b"], 2):
        return False, say("Assign does not run line by line: every value is computed from the variables as they were "
                          "before the state, so b gets the old a.",
                          "O Assign não roda linha por linha: cada valor é calculado com as variáveis como estavam "
                          "antes do estado, então b recebe o a antigo.")
    if swapped:
        return False, say("The variables are right. Look at Output again: it is evaluated with the values from before "
                          "the state, too.",
                          "As variáveis estão certas. Olhe o Output de novo: ele também é avaliado com os valores de "
                          "antes do estado.")
    return False, say(f"Not quite: a and b should end swapped. You said a={show(answer['a'])}, b={show(answer['b'])}.",
                      f"Ainda não: a e b devem terminar trocados. Você disse a={show(answer['a'])}, b={show(answer['b'])}.")


q3 = Exercise(
    "nb14.q3",
    _check_q3,
    hints=[
        say("Within one state, Assign and Output all read the variables as they were when the state was entered.",
            "Dentro de um estado, Assign e Output leem as variáveis como estavam quando o estado começou."),
        say("Before Swap: a = 1, b = 2. New a = old b, new b = old a.",
            "Antes do Swap: a = 1, b = 2. Novo a = b antigo, novo b = a antigo."),
    ],
    solution={"output": [1, 2], "a": 2, "b": 1},
    wrong=[
        ({"output": [2, 2], "a": 2, "b": 2}, "line by line"),
        ({"output": [2, 1], "a": 2, "b": 1}, "Output again"),
        ({"output": [1, 2], "a": 1, "b": 2}, "end swapped"),
    ],
)


# --- q4: find the bug: the receipt forgets the tax ------------------------------------------------

BUGGY = {
    "Comment": "Add up the items, then write the receipt with 10% tax. The receipt shows the total without tax.",
    "QueryLanguage": "JSONata",
    "StartAt": "AddUp",
    "States": {
        "AddUp": {"Type": "Pass", "Assign": {"total": "{% $sum($states.input.items.price) %}"},
                  "Output": "{% $states.input %}", "Next": "Receipt"},
        "Receipt": {"Type": "Pass", "Assign": {"total": "{% $total * 1.1 %}"},
                    "Output": "{% {'customer': $states.input.customer, 'total': $total} %}", "End": True},
    },
}
BUGGY_INPUT = {"customer": "Ana", "items": [{"price": 10}, {"price": 20}]}


def _check_q4(answer: Any) -> tuple[bool, str]:
    fixed, problem = patched(BUGGY, answer)
    if fixed is None:
        return False, problem
    machine, problem = build(fixed, "Receipt")
    if machine is None:
        return False, problem
    execution = machine.run(BUGGY_INPUT)
    if execution.status != "SUCCEEDED":
        return False, failure(execution)
    output = execution.output
    total = output.get("total") if isinstance(output, dict) else None
    if isinstance(total, (int, float)) and not isinstance(total, bool) and abs(total - 33) < 1e-6 \
            and output.get("customer") == "Ana":
        return True, say("A state's expressions all see the variables as they were when it was entered: Output read "
                         "$total before Receipt's own Assign changed it. Computing the tax where it is used fixes it.",
                         "Todas as expressões de um estado veem as variáveis como estavam quando ele começou: o "
                         "Output lia $total antes de o próprio Assign do Receipt mudá-lo. Calcular o imposto onde "
                         "ele é usado resolve.")
    if total == 30:
        return False, say("The receipt still says 30: Output still reads $total as it was when Receipt was entered.",
                          "O recibo ainda diz 30: o Output ainda lê $total como estava quando o Receipt começou.")
    return False, say(f"The receipt is {show(output)}; it should be {{\"customer\": \"Ana\", \"total\": 33}} "
                      "(30 plus 10%).",
                      f"O recibo é {show(output)}; deveria ser {{\"customer\": \"Ana\", \"total\": 33}} (30 mais 10%).")


q4 = Exercise(
    "nb14.q4",
    _check_q4,
    hints=[
        say("Step to Receipt and open the variables pane: what is $total before and after the state?",
            "Avance até o Receipt e abra o painel de variáveis: quanto vale $total antes e depois do estado?"),
        say("Assign and Output are evaluated together, with the variables as they were on entering the state.",
            "Assign e Output são avaliados juntos, com as variáveis como estavam na entrada do estado."),
        say("Let Receipt's Output compute the tax itself: 'total': $total * 1.1.",
            "Deixe o Output do Receipt calcular o imposto: 'total': $total * 1.1."),
    ],
    solution={"Receipt": {"Output": "{% {'customer': $states.input.customer, 'total': $total * 1.1} %}"}},
    wrong=[({"AddUp": {"Output": "{% $states.input %}"}}, "still says 30"),
           ({"Receipt": {"Output": "{% {'total': $total * 1.1} %}"}}, "should be"),
           ({"Recipt": {"Output": "{% 1 %}"}}, "did you mean 'Receipt'"),
           (["Receipt"], "Answer with the fix")],
)
