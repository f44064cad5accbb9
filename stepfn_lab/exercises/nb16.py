"""Exercises for notebooks/16-from-the-lab-to-aws.ipynb: MockConfigFile tests and ARNs on a real account.

Spec: AWS docs, "Using mocked service integrations for testing in Step Functions
Local" (MockConfigFile: ``Return`` and ``Throw`` responses) and "Amazon Resource
Names (ARNs)" for Step Functions (``arn:<partition>:states:<region>:<account>:stateMachine:<name>``).
The machine is the bundled ``ecommerce_order`` example.
"""

from __future__ import annotations

import re
from typing import Any

from . import Exercise, say, show, visited

# --- q1: a mocked response that makes the customer disappear -------------------------------------

CASE = "CustomerMissing"


def _config(response: Any) -> dict:
    return {"StateMachines": {"Shop": {"TestCases": {CASE: {"GetCustomer": "NoCustomer"}}}},
            "MockedResponses": {"NoCustomer": response}}


def _check_q1(answer: Any) -> tuple[bool, str]:
    from .. import examples
    from ..runtime.engine import StateMachine

    if not isinstance(answer, dict) or not answer:
        return False, say(f"A mocked response is a dict of invocation numbers, like {{\"0\": {{\"Return\": ...}}}}; "
                          f"got {show(answer)}.",
                          f"Uma resposta simulada é um dict de números de invocação, como "
                          f"{{\"0\": {{\"Return\": ...}}}}; veio {show(answer)}.")
    shop = StateMachine.from_json(examples.source("ecommerce_order"), name="Shop")
    execution = shop.run(examples.sample_input("ecommerce_order"), services=examples.prepare("ecommerce_order"),
                         mock_config=_config(answer), test_case=CASE)
    path = visited(execution)
    if "CustomerNotFound" in path and execution.error == "OrderFailed":
        return True, say("GetItem found no Item, so CustomerExists? took the CustomerNotFound path and the order "
                         "ended FAILED with OrderFailed, without a real table.",
                         "O GetItem não achou nenhum Item, então o CustomerExists? seguiu para CustomerNotFound e o "
                         "pedido terminou FAILED com OrderFailed, sem tabela de verdade.")
    first = next(iter(answer.values()), None)
    if isinstance(first, dict) and "Throw" in first:
        return False, say(f"A Throw fails the Task (the execution ended {execution.status} with {execution.error}): "
                          "a missing customer is not an error for GetItem, it answers without an Item.",
                          f"Um Throw faz a Task falhar (a execução terminou {execution.status} com "
                          f"{execution.error}): para o GetItem, cliente ausente não é erro, ele responde sem Item.")
    if execution.status == "SUCCEEDED":
        return False, say("The order went through: your mocked answer still holds an Item, so the customer was found.",
                          "O pedido passou: a sua resposta simulada ainda tem um Item, então o cliente foi encontrado.")
    return False, say(f"The execution went through {path} and ended {execution.status} with {execution.error}; "
                      "it should reach CustomerNotFound.",
                      f"A execução passou por {path} e terminou {execution.status} com {execution.error}; ela "
                      "deveria chegar a CustomerNotFound.")


q1 = Exercise(
    "nb16.q1",
    _check_q1,
    hints=[
        say("When DynamoDB's GetItem finds nothing, it answers with no \"Item\" key at all.",
            "Quando o GetItem do DynamoDB não acha nada, ele responde sem a chave \"Item\"."),
        say("Invocation \"0\" returns an empty object: {\"0\": {\"Return\": {}}}.",
            "A invocação \"0\" devolve um objeto vazio: {\"0\": {\"Return\": {}}}."),
    ],
    solution={"0": {"Return": {}}},
    wrong=[({"0": {"Return": {"Item": {"customerId": {"S": "c-ana"}, "name": {"S": "Ana"}}}}}, "went through"),
           ({"0": {"Throw": {"Error": "DynamoDB.ResourceNotFoundException", "Cause": "no customer"}}}, "Throw"),
           ([], "dict of invocation numbers")],
)


# --- q2: the ARN on a real account ----------------------------------------------------------------

ACCOUNT, REGION, NAME = "111122223333", "sa-east-1", "ecommerce_order"
EXPECTED_ARN = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{NAME}"
_ARN = re.compile(r"^arn:(?P<partition>[^:]*):(?P<service>[^:]*):(?P<region>[^:]*):(?P<account>[^:]*):"
                  r"(?P<kind>[^:]*):(?P<name>.*)$")


def _check_q2(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, str):
        return False, say(f"An ARN is text; got {show(answer)}.", f"Um ARN é um texto; veio {show(answer)}.")
    answer = answer.strip()
    if answer == EXPECTED_ARN:
        return True, say("arn:aws:states, then the region, the account and stateMachine:name: the ARN that "
                         "StartExecution takes on that account.",
                         "arn:aws:states, depois a região, a conta e stateMachine:nome: o ARN que o StartExecution "
                         "recebe naquela conta.")
    parts = _ARN.match(answer)
    if not parts:
        return False, say("An ARN has six parts joined by ':' (arn, partition, service, region, account, resource).",
                          "Um ARN tem seis partes separadas por ':' (arn, partição, serviço, região, conta, recurso).")
    checks = [("partition", "aws"), ("service", "states"), ("region", REGION), ("account", ACCOUNT),
              ("kind", "stateMachine"), ("name", NAME)]
    for field, want in checks:
        if parts.group(field) != want:
            return False, say(f"The {field} part is {parts.group(field)!r}; it should be {want!r}.",
                              f"A parte {_PT_FIELD[field]} é {parts.group(field)!r}; deveria ser {want!r}.")
    return False, say(f"{answer} is not {EXPECTED_ARN}.", f"{answer} não é {EXPECTED_ARN}.")


_PT_FIELD = {"partition": "partição", "service": "serviço", "region": "região", "account": "conta",
             "kind": "tipo de recurso", "name": "nome"}

q2 = Exercise(
    "nb16.q2",
    _check_q2,
    hints=[
        say("The local machine's ARN has the same shape: print shop.arn.",
            "O ARN da máquina local tem o mesmo formato: mostre shop.arn."),
        say("Only the region and the account change: arn:aws:states:REGION:ACCOUNT:stateMachine:NAME.",
            "Só a região e a conta mudam: arn:aws:states:REGIÃO:CONTA:stateMachine:NOME."),
    ],
    solution=EXPECTED_ARN,
    wrong=[(f"arn:aws:states:us-east-1:123456789012:stateMachine:{NAME}", "region"),
           (f"arn:aws:states:{REGION}:{ACCOUNT}:execution:{NAME}", "kind"),
           (f"arn:aws:lambda:{REGION}:{ACCOUNT}:stateMachine:{NAME}", "service"),
           ("ecommerce_order", "six parts"), (7, "ARN is text")],
)
