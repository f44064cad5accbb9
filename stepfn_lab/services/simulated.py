"""The simulated AWS account a local execution talks to: ``Services``.

Spec: Amazon States Language, "Task State"; AWS docs "Integrating services with
Step Functions" (the optimized integrations, the ``aws-sdk:`` integrations and
the table of integration patterns each supports). Taught in:
notebooks/08-task-states.ipynb (services and callbacks) and
notebooks/15-use-cases-and-capstone.ipynb.

The engine calls ``Services.call(execution, frame, state, resource, payload)``
for every ``arn:aws:states:::<service>:<api>`` resource other than
``lambda:invoke``. Each simulated service is one module with the same small
interface (``SERVICE``, ``PATTERNS``, ``OPERATIONS``; see ``base.py``):
``dynamodb``, ``sqs``, ``sns``, ``eventbridge``, ``s3``, ``stepfunctions``.
What they store lives in a ``Database`` (plain Python, in memory unless a file
is named), so notebook code can look at table items, queue messages,
notifications and events after a run.

Design note: AWS requires tables, queues, topics and buckets to exist before a
workflow uses them. Locally they are created on first use (``auto_create=True``)
so a lesson can start with the workflow; ``Services(auto_create=False)`` makes
missing resources fail as on AWS (``DynamoDB.ResourceNotFoundException``,
``SQS.QueueDoesNotExistException``, ``SNS.NotFoundException``,
``S3.NoSuchBucketException``).
"""

from __future__ import annotations

import json
import weakref
from typing import Any, Callable

from ..errors import RUNTIME, TASK_FAILED, StatesError
from . import dynamodb, eventbridge, s3, sns, sqs, stepfunctions
from .attributes import from_attribute_value, from_item, to_attribute_value, to_item
from .base import SDK_SERVICES, Call, ServiceError
from .database import Database, queue_name
from .stepfunctions import describe_execution

# The simulated services, one module each, by the optimized integration's service name.
SERVICES = {module.SERVICE: module for module in (dynamodb, sqs, sns, eventbridge, s3, stepfunctions)}


def operation(service: str, api: str) -> Callable[[Call], dict] | None:
    """The simulated operation for ``service:api`` (``aws-sdk:`` names are mapped), or None."""
    module = SERVICES.get(service)
    return None if module is None else module.OPERATIONS.get(api)


def simulated_resources() -> list[str]:
    """Every ``service:api`` the simulation answers, for messages and notebooks."""
    return [f"{service}:{api}" for service, module in SERVICES.items() for api in module.OPERATIONS]


def simulates(key: str) -> bool:
    """Whether ``service:api[.pattern]`` or ``aws-sdk:service:api`` (a resource after ``arn:aws:states:::``) is
    simulated."""
    sdk = key.startswith("aws-sdk:")
    rest = key[len("aws-sdk:"):] if sdk else key
    pattern = ""
    for suffix in (".waitForTaskToken", ".sync:2", ".sync"):
        if rest.endswith(suffix):
            rest, pattern = rest[: -len(suffix)], suffix
            break
    service, _, api = rest.partition(":")
    if sdk:
        service = SDK_SERVICES.get(service, service)
    if operation(service, api) is None:
        return False
    allowed = ("", ".waitForTaskToken") if sdk else SERVICES[service].PATTERNS
    return pattern in allowed


def _not_simulated(resource: Any, tasks: dict | None = None) -> StatesError:
    """A task failure naming the resource, what is simulated, and how to serve it locally.

    Design note: AWS has no such case (every resource it accepts is served). The kit fails the task with
    ``States.TaskFailed``, which ``Catch`` (``States.ALL`` or ``States.TaskFailed``) can handle, so a workflow
    with one unserved task still runs its error handling locally; the validator warns about it first.
    """
    import difflib
    name = f"{resource.service}:{resource.api}"
    close = difflib.get_close_matches(name + resource.pattern, list(tasks or {}), n=1, cutoff=0.6)
    given = f" (tasks= has {close[0]!r}: a typo?)" if close else ""
    return StatesError(TASK_FAILED, f"'{name}' is not simulated by stepfn_lab (resource '{resource.arn}'). Simulated: "
                                f"{', '.join(simulated_resources())} (also as aws-sdk:...; EventBridge is "
                                f"aws-sdk:eventbridge, Step Functions aws-sdk:sfn). Serve it with a local function: "
                                f"tasks={{'{name}{resource.pattern}': fn}}{given}, or mock this state with "
                                f"mock_config=...", {"task": True})


# --- the services object ----------------------------------------------------------------------------------

_DEFAULT: Services | None = None


class Services:
    """The simulated AWS account a local execution talks to.

    >>> services = Services()
    >>> services.create_table("Products", partition_key="sku")
    'Products'
    >>> services.put_item("Products", {"sku": "chair", "stock": 3})
    >>> services.get_item("Products", {"sku": "chair"})
    {'sku': 'chair', 'stock': 3}
    """

    def __init__(self, database: Database | str | None = None, *, auto_create: bool = True,
                 region: str = "us-east-1", account: str = "123456789012"):
        self.db = database if isinstance(database, Database) else Database(database)
        self.auto_create = auto_create
        self.region = region
        self.account = account
        self.machines: dict[str, Any] = {}
        self.executions: dict[str, Any] = {}
        self._callers: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
        self._handed_out: set[str] = set()

    @classmethod
    def default(cls) -> Services:
        """The shared services used by executions started without ``services=`` (one local account)."""
        global _DEFAULT
        if _DEFAULT is None:
            _DEFAULT = cls()
        return _DEFAULT

    @classmethod
    def reset_default(cls) -> Services:
        """Forget everything the shared services hold and return them."""
        services = cls.default()
        services.reset()
        return services

    def reset(self) -> None:
        """Empty the database and forget nested executions (registered machines stay)."""
        self.db.reset()
        self.executions.clear()
        self._callers.clear()
        self._handed_out.clear()

    def __repr__(self) -> str:
        counts = {"tables": len(self.db.tables()), "items": sum(len(self.db.items(t["TableName"]))
                                                                 for t in self.db.tables()),
                  "messages": len(self.db.messages(include_deleted=True)), "notifications": len(self.notifications()),
                  "events": len(self.events())}
        return "Services(" + ", ".join(f"{k}={v}" for k, v in counts.items()) + ")"

    # -- the engine's entry point --------------------------------------------------------------------

    def call(self, execution: Any, frame: Any, state: Any, resource: Any, payload: Any) -> Any:
        """Answer one Task: look the operation up, run it, and turn service errors into ASL errors."""
        sdk = resource.service.startswith("aws-sdk:")
        service = resource.service[len("aws-sdk:"):] if sdk else resource.service
        service = SDK_SERVICES.get(service, service) if sdk else service
        found = operation(service, resource.api)
        if found is None:
            raise _not_simulated(resource, getattr(execution, "tasks", None))
        allowed = (".waitForTaskToken", "") if sdk else SERVICES[service].PATTERNS
        if resource.pattern not in allowed:
            raise StatesError(RUNTIME, f"'{resource.service}:{resource.api}' does not support the "
                                       f"{resource.pattern} integration pattern (supported: "
                                       f"{', '.join(p or 'request-response' for p in allowed)})")
        if payload is None:
            payload = {}
        if not isinstance(payload, dict):
            raise StatesError(RUNTIME, f"The parameters of '{resource.service}:{resource.api}' must be a JSON "
                                       f"object, but were {json.dumps(payload)}")
        arn = getattr(execution, "arn", None)
        if arn is not None:
            self._callers[arn] = execution
        call = Call(self, execution, frame, state, resource, service, payload, sdk)
        try:
            return found(call)
        except ServiceError as err:
            raise err.to_states_error(call) from None

    def token_holders(self, execution: Any = None) -> list:
        """The executions that may hold a task token: the asking one, those that called these services and the
        nested ones they started."""
        seen: dict[int, Any] = {}
        for candidate in [execution, *list(self._callers.values()), *self.executions.values()]:
            if candidate is not None:
                seen.setdefault(id(candidate), candidate)
        return list(seen.values())

    # -- DynamoDB helpers -------------------------------------------------------------------------------

    def create_table(self, name: str, partition_key: str = "id", sort_key: str | None = None,
                     items: list | tuple = ()) -> str:
        """Create a table (AWS needs one before a workflow uses it) and optionally put items in it."""
        dynamodb.create_table(self.db, name, partition_key, sort_key)
        for item in items:
            self.put_item(name, item)
        return name

    def put_item(self, table: str, item: dict) -> None:
        """Write an item, given as a plain dict or in AttributeValue JSON."""
        dynamodb.put_plain(self, table, item)

    def get_item(self, table: str, key: dict, typed: bool = False) -> dict | None:
        """Read an item by its key (plain or typed); None when it is not there."""
        item = dynamodb.get_plain(self.db, table, key)
        return item if item is None or typed else from_item(item)

    def items(self, table: str, typed: bool = False) -> list[dict]:
        """Every item of a table (plain dicts unless ``typed=True``)."""
        rows = self.db.items(table)
        return rows if typed else [from_item(r) for r in rows]

    # -- SQS helpers ---------------------------------------------------------------------------------------

    def create_queue(self, name: str) -> str:
        """Create a queue and return its URL."""
        return sqs.create_queue(self, name)

    def queue_url(self, name: str) -> str:
        return sqs.queue_url(self, name)

    def messages(self, queue: str | None = None) -> list[dict]:
        """The messages waiting in a queue (by name or URL), oldest first; nothing is removed."""
        return self.db.messages(queue)

    def receive_messages(self, queue: str, max_messages: int = 1) -> list[dict]:
        """ReceiveMessage: the oldest messages, each with a fresh ReceiptHandle (they stay until deleted)."""
        return self.db.receive(queue_name(queue), max(1, min(10, int(max_messages))))

    def delete_message(self, queue: str, receipt_handle: str) -> None:
        self.db.delete_message(queue_name(queue), receipt_handle)

    # -- SNS, EventBridge, S3 helpers -------------------------------------------------------------------------

    def create_topic(self, name: str) -> str:
        """Create an SNS topic and return its ARN."""
        return sns.create_topic(self, name)

    def notifications(self, topic: str | None = None) -> list[dict]:
        """SNS messages published (to one topic by name or ARN, or to all)."""
        return self.db.notifications(topic)

    def events(self, bus: str | None = None) -> list[dict]:
        """EventBridge events put (on one bus, or on all)."""
        return self.db.events(bus)

    def create_bucket(self, name: str) -> str:
        return s3.create_bucket(self, name)

    def put_object(self, bucket: str, key: str, body: Any, content_type: str = "binary/octet-stream") -> None:
        """Store an S3 object (text, bytes, or JSON written compactly)."""
        s3.put_plain(self, bucket, key, body, content_type)

    def get_object(self, bucket: str, key: str) -> str | None:
        """The text of an S3 object kept in the store, or None."""
        row = self.db.get_object(bucket, key)
        return None if row is None else row["body"].decode("utf-8", errors="replace")

    # -- Step Functions helpers ------------------------------------------------------------------------------

    def register(self, *machines: Any) -> Services:
        """Make state machines startable by ``states:startExecution`` (by ARN or by name)."""
        for machine in machines:
            self.machines[machine.arn] = machine
            self.machines[machine.name] = machine
        return self

    def describe_execution(self, arn: str) -> dict:
        """DescribeExecution for an execution started by ``states:startExecution``."""
        return describe_execution(self.executions[arn], parsed=True)

    # -- activities ---------------------------------------------------------------------------------------------

    def get_activity_task(self, execution: Any, activity: str) -> dict | None:
        """GetActivityTask: the next task an execution is waiting on for this activity (name or ARN), or None.

        Answer it with ``execution.send_task_success(task["taskToken"], output)`` (or ``send_task_failure``).
        """
        from ..runtime.tasks import parse_resource
        for token, frame in list(getattr(execution, "tokens", {}).items()):
            if token in self._handed_out or not frame.blocked:
                continue
            arn = frame.current_state().extra["resource"]
            if parse_resource(arn).kind == "activity" and activity in (arn, arn.rsplit(":", 1)[-1]):
                self._handed_out.add(token)
                return {"taskToken": token, "input": json.dumps(frame.effective, separators=(",", ":"))}
        return None


__all__ = ["Services", "ServiceError", "Database", "to_attribute_value", "from_attribute_value", "to_item",
           "from_item", "describe_execution", "simulated_resources", "simulates", "SERVICES"]
