"""Simulated Amazon SNS: publish.

Spec: AWS docs "Call Amazon SNS with Step Functions" (``sns:publish``,
request-response and ``.waitForTaskToken``) and the SNS API Reference (Publish,
its errors). Taught in: notebooks/08-task-states.ipynb.

Design note: AWS requires a topic to exist; locally it is created on first use
unless ``Services(auto_create=False)``, which answers ``SNS.NotFoundException``.
"""

from __future__ import annotations

from typing import Any

from .base import Call, ServiceError, to_text, wall_clock_iso

SERVICE = "sns"
PATTERNS = ("", ".waitForTaskToken")


def create_topic(services: Any, name: str) -> str:
    arn = f"arn:aws:sns:{services.region}:{services.account}:{name}"
    services.db.add_topic(arn, name, wall_clock_iso())
    return arn


def _topic(call: Call, arn: str) -> str:
    if call.services.db.topic(arn) is not None:
        return arn
    if not call.services.auto_create:
        raise ServiceError("sns", "NotFound", "Topic does not exist", exception="NotFoundException", status=404)
    call.services.db.add_topic(arn, arn.rsplit(":", 1)[-1], wall_clock_iso())
    return arn


def publish(call: Call) -> dict:
    topic = call.params.get("TopicArn") or call.params.get("TargetArn")
    if not topic:
        raise ServiceError("sns", "InvalidParameter", "Invalid parameter: TopicArn or TargetArn Reason: no value "
                                                      "for required parameter", exception="InvalidParameterException")
    if call.params.get("Message") is None:
        raise ServiceError("sns", "InvalidParameter", "Invalid parameter: Message Reason: no value for required "
                                                      "parameter", exception="InvalidParameterException")
    arn = _topic(call, str(topic))
    message_id = call.uuid()
    attributes = call.params.get("MessageAttributes")
    call.services.db.add_notification(topic_arn=arn, message_id=message_id, message=to_text(call.params["Message"]),
                                      subject=call.params.get("Subject"), attributes=attributes or None,
                                      published_at=call.iso_now())
    return call.respond({"MessageId": message_id}, "text/xml")


OPERATIONS = {"publish": publish}
