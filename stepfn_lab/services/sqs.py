"""Simulated Amazon SQS: sendMessage (and, for notebook code, receive and delete).

Spec: AWS docs "Call Amazon SQS with Step Functions" (``sqs:sendMessage``,
request-response and ``.waitForTaskToken``) and the SQS API Reference
(SendMessage's response, MD5 of the body and of the message attributes, error
names). Taught in: notebooks/08-task-states.ipynb (the approval queue).

Design note: AWS requires a queue to exist; locally it is created on first use
unless ``Services(auto_create=False)``, which answers
``SQS.QueueDoesNotExistException`` as AWS does.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from typing import Any

from .base import Call, ServiceError, required, to_text, wall_clock_iso
from .database import queue_name

SERVICE = "sqs"
PATTERNS = ("", ".waitForTaskToken")


def queue_url(services: Any, name: str) -> str:
    return f"https://sqs.{services.region}.amazonaws.com/{services.account}/{queue_name(name)}"


def create_queue(services: Any, name: str) -> str:
    url = queue_url(services, name)
    services.db.add_queue(name, url, wall_clock_iso())
    return url


def _queue(call: Call, url: str) -> str:
    name = queue_name(url)
    if call.services.db.queue(name) is not None:
        return name
    if not call.services.auto_create:
        message = ("The specified queue does not exist." if call.sdk
                   else "The specified queue does not exist for this wsdl version.")
        raise ServiceError("sqs", "AWS.SimpleQueueService.NonExistentQueue", message,
                           exception="QueueDoesNotExistException")
    create_queue(call.services, name)
    return name


def send_message(call: Call) -> dict:
    url = str(required(call, "QueueUrl"))
    if "MessageBody" not in call.params or call.params["MessageBody"] is None:
        raise ServiceError("sqs", "MissingParameter", "The request must contain the parameter MessageBody.",
                           exception="AmazonSQSException" if not call.sdk else "SqsException")
    body = to_text(call.params["MessageBody"])
    name = _queue(call, url)
    group = call.params.get("MessageGroupId")
    if name.endswith(".fifo") and not group:
        raise ServiceError("sqs", "MissingParameter", "The request must contain the parameter MessageGroupId.")
    attributes = call.params.get("MessageAttributes")
    message_id = call.uuid()
    md5 = hashlib.md5(body.encode("utf-8")).hexdigest()
    seq = call.services.db.add_message(queue=name, message_id=message_id, body=body, md5=md5,
                                       attributes=attributes or None, group_id=group,
                                       deduplication_id=call.params.get("MessageDeduplicationId"),
                                       sent_at=call.iso_now())
    response = {"MD5OfMessageBody": md5}
    if attributes:
        response["MD5OfMessageAttributes"] = _md5_of_attributes(attributes)
    response["MessageId"] = message_id
    if name.endswith(".fifo"):
        response["SequenceNumber"] = f"{18_000_000_000_000_000_000 + seq}"
    return call.respond(response, "text/xml")


def _md5_of_attributes(attributes: dict) -> str:
    """SQS's MD5 of message attributes (names sorted; each part length-prefixed)."""
    digest = hashlib.md5()

    def part(data: bytes) -> None:
        digest.update(struct.pack(">I", len(data)) + data)

    for name in sorted(attributes):
        value = attributes[name] or {}
        data_type = str(value.get("DataType", "String"))
        part(name.encode("utf-8"))
        part(data_type.encode("utf-8"))
        if "BinaryValue" in value:
            digest.update(b"\x02")
            part(base64.b64decode(value["BinaryValue"]))
        else:
            digest.update(b"\x01")
            part(str(value.get("StringValue", "")).encode("utf-8"))
    return digest.hexdigest()



OPERATIONS = {"sendMessage": send_message}
