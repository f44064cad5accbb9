"""What every simulated service shares: one call, its response, and AWS's error names.

Spec: Amazon States Language, "Task State"; AWS docs "Integrating services with
Step Functions" (the optimized integrations and the ``aws-sdk:`` ones, and how
each names a service's errors). Taught in: notebooks/08-task-states.ipynb.

The small interface a service module implements (``dynamodb.py``, ``sqs.py``,
``sns.py``, ``eventbridge.py``, ``s3.py``, ``stepfunctions.py``)::

    SERVICE = "sqs"                        # the optimized integration's service name
    PATTERNS = ("", ".waitForTaskToken")   # integration patterns of the optimized form
    OPERATIONS = {"sendMessage": send_message}   # api -> operation(call) -> response

An operation reads the request from ``call.params``, keeps what it stores in
``call.services.db`` (a ``Database``) and returns AWS's response, or raises a
``ServiceError`` that becomes the Task's error with AWS's name for it:

* optimized integrations: ``DynamoDB.ConditionalCheckFailedException``,
  ``SQS.QueueDoesNotExistException``, ... and a cause ending in the Java SDK's
  ``(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ...)``;
* ``aws-sdk:`` integrations: ``DynamoDb.ConditionalCheckFailedException``,
  ``Sqs.QueueDoesNotExistException``, ... (the SDK's own service names).
"""

from __future__ import annotations

import json
import zlib
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any

from ..errors import StatesError

# --- errors ------------------------------------------------------------------------------------

# service -> (error prefix of the optimized integration, Java SDK service name, generic exception)
OPTIMIZED_NAMES = {
    "dynamodb": ("DynamoDB", "AmazonDynamoDBv2", "AmazonDynamoDBException"),
    "sqs": ("SQS", "AmazonSQS", "AmazonSQSException"),
    "sns": ("SNS", "AmazonSNS", "AmazonSNSException"),
    "events": ("EventBridge", "AmazonEventBridge", "AmazonEventBridgeException"),
    "s3": ("S3", "Amazon S3", "AmazonS3Exception"),
    "states": ("StepFunctions", "AWSStepFunctions", "AWSStepFunctionsException"),
}
# service -> error prefix of the aws-sdk integration (the SDK v2 client names)
SDK_NAMES = {"dynamodb": "DynamoDb", "sqs": "Sqs", "sns": "Sns", "events": "EventBridge", "s3": "S3",
              "states": "Sfn"}
# aws-sdk service names that differ from the optimized integration's
SDK_SERVICES = {"eventbridge": "events", "sfn": "states"}



class ServiceError(Exception):
    """A simulated service refused a request, as the real one would (an HTTP 4xx)."""

    def __init__(self, service: str, code: str, message: str, *, exception: str | None = None, status: int = 400):
        super().__init__(message)
        self.service = service
        self.code = code
        self.message = message
        self.exception = exception  # None: the SDK's generic exception for the service
        self.status = status

    def to_states_error(self, call: Call) -> StatesError:
        if call.sdk:
            prefix = SDK_NAMES[self.service]
            name = self.exception or f"{prefix}Exception"
            cause = f"{self.message} (Service: {prefix}, Status Code: {self.status}, Request ID: {call.request_id})"
        else:
            prefix, java, generic = OPTIMIZED_NAMES[self.service]
            name = self.exception or generic
            cause = (f"{self.message} (Service: {java}; Status Code: {self.status}; Error Code: {self.code}; "
                     f"Request ID: {call.request_id}; Proxy: null)")
        return StatesError(f"{prefix}.{name}", cause, {"task": True})


def validation_error(service: str, message: str) -> ServiceError:
    return ServiceError(service, "ValidationException", message)


def required(call: Call, field: str) -> Any:
    value = call.params.get(field)
    if value is None or value == "":
        raise validation_error(call.service, f"The request must contain the parameter {field}.")
    return value


# --- one call -----------------------------------------------------------------------------------

class Call:
    """Everything an operation needs: the request, who asks, and how (optimized or aws-sdk)."""

    __slots__ = ("services", "execution", "frame", "state", "resource", "service", "api", "params", "sdk",
                 "pattern", "_request_id")

    def __init__(self, services: Services, execution: Any, frame: Any, state: Any, resource: Any, service: str,
                 params: dict, sdk: bool):
        self.services = services
        self.execution = execution
        self.frame = frame
        self.state = state
        self.resource = resource
        self.service = service
        self.api = resource.api
        self.params = params
        self.sdk = sdk
        self.pattern = resource.pattern
        self._request_id: str | None = None

    @property
    def request_id(self) -> str:
        if self._request_id is None:
            self._request_id = self.uuid()
        return self._request_id

    def uuid(self) -> str:
        rng = getattr(self.execution, "rng", None)
        if rng is not None:
            return rng.uuid()
        import uuid
        return str(uuid.uuid4())

    def now(self) -> datetime:
        clock = getattr(self.execution, "clock", None)
        return clock.datetime() if clock is not None else datetime.now(timezone.utc)

    def iso_now(self) -> str:
        return iso(self.now())

    @property
    def region(self) -> str:
        return getattr(getattr(self.execution, "machine", None), "region", self.services.region)

    @property
    def account(self) -> str:
        return getattr(getattr(self.execution, "machine", None), "account", self.services.account)

    def respond(self, body: dict, content_type: str = "application/x-amz-json-1.0") -> dict:
        """The response as the optimized integration returns it: the body plus the SDK's HTTP metadata."""
        if self.sdk:
            return body
        text = json.dumps(body, separators=(",", ":")).encode("utf-8")
        headers = {"Connection": "keep-alive", "Content-Length": str(len(text)), "Content-Type": content_type,
                   "Date": format_datetime(self.now(), usegmt=True), "x-amzn-RequestId": self.request_id}
        if self.service == "dynamodb":
            headers["x-amz-crc32"] = str(zlib.crc32(text))
        out = dict(body)
        out["SdkHttpMetadata"] = {"AllHttpHeaders": {k: [v] for k, v in headers.items()}, "HttpHeaders": headers,
                                  "HttpStatusCode": 200}
        out["SdkResponseMetadata"] = {"RequestId": self.request_id}
        return out


def to_text(value: Any) -> str:
    """A message body: strings as they are, any other JSON compact (as the optimized integrations do)."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def millis(moment: datetime) -> int:
    return int(round(moment.timestamp() * 1000))


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def wall_clock_iso() -> str:
    """Now, for bookkeeping outside an execution (a table created by a helper)."""
    return iso(datetime.now(timezone.utc))
