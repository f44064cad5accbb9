"""Simulated AWS services: request and response shapes, error names, the SQLite database, callbacks."""

from __future__ import annotations

import hashlib
import json

import pytest

import stepfn_lab as sfl
from stepfn_lab.services import simulated
from stepfn_lab.services.database import Database
from stepfn_lab.services.simulated import Services, from_item, to_attribute_value, to_item

ACCOUNT = "123456789012"
QUEUE = f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/orders"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:order-events"


def task(resource: str, parameters: dict, **fields) -> dict:
    state = {"Type": "Task", "Resource": resource, "Parameters": parameters, "End": True}
    state.update(fields)
    return {"StartAt": "Call", "States": {"Call": state}}


def call(services: Services, resource: str, parameters: dict, **fields) -> sfl.Execution:
    machine = sfl.StateMachine.from_json(task(resource, parameters, **fields), name="Caller")
    return machine.run({}, services=services)


def ddb(api: str, sdk: bool = False) -> str:
    return f"arn:aws:states:::{'aws-sdk:' if sdk else ''}dynamodb:{api}"


@pytest.fixture
def services() -> Services:
    s = Services()
    s.create_table("Products", partition_key="productId")
    s.put_item("Products", {"productId": "chair", "stock": 5, "tags": {"wood"}, "dims": {"h": 90, "parts": [1, 2]}})
    return s


# --- AttributeValue JSON ----------------------------------------------------------------------------

def test_attribute_values_round_trip():
    plain = {"s": "x", "n": 2, "f": 1.5, "b": True, "none": None, "l": [1, "a"], "m": {"k": [True]}, "ss": {"a", "b"}}
    typed = to_item(plain)
    assert typed["s"] == {"S": "x"} and typed["n"] == {"N": "2"} and typed["f"] == {"N": "1.5"}
    assert typed["none"] == {"NULL": True} and typed["ss"] == {"SS": ["a", "b"]}
    assert typed["m"] == {"M": {"k": {"L": [{"BOOL": True}]}}}
    back = from_item(typed)
    assert back == {**plain, "ss": ["a", "b"]}
    assert to_attribute_value(10.0) == {"N": "10"}


# --- DynamoDB -----------------------------------------------------------------------------------------

def test_get_item_returns_the_typed_item_with_sdk_metadata(services):
    ex = call(services, ddb("getItem"), {"TableName": "Products", "Key": {"productId": {"S": "chair"}}})
    assert ex.status == "SUCCEEDED"
    assert ex.output["Item"]["stock"] == {"N": "5"}
    meta = ex.output["SdkHttpMetadata"]
    assert meta["HttpStatusCode"] == 200
    assert meta["HttpHeaders"]["Content-Type"] == "application/x-amz-json-1.0"
    assert ex.output["SdkResponseMetadata"]["RequestId"] == meta["HttpHeaders"]["x-amzn-RequestId"]


def test_numbers_are_stored_normalized(services):
    call(services, ddb("putItem"), {"TableName": "Products", "Item": {"productId": {"S": "lamp"},
                                                                      "price": {"N": "02.50"}}})
    ex = call(services, ddb("getItem", sdk=True), {"TableName": "Products", "Key": {"productId": {"S": "lamp"}}})
    assert ex.output == {"Item": {"productId": {"S": "lamp"}, "price": {"N": "2.5"}}}


def test_aws_sdk_get_item_has_no_metadata_and_a_missing_item_has_no_item_field(services):
    ex = call(services, ddb("getItem", sdk=True), {"TableName": "Products", "Key": {"productId": {"S": "sofa"}}})
    assert ex.status == "SUCCEEDED"
    assert ex.output == {}


def test_put_item_with_a_condition_fails_with_aws_error_names(services):
    params = {"TableName": "Products", "Item": {"productId": {"S": "chair"}, "stock": {"N": "1"}},
              "ConditionExpression": "attribute_not_exists(productId)"}
    ex = call(services, ddb("putItem"), params)
    assert ex.status == "FAILED"
    assert ex.error == "DynamoDB.ConditionalCheckFailedException"
    assert ex.cause.startswith("The conditional request failed (Service: AmazonDynamoDBv2; Status Code: 400; "
                               "Error Code: ConditionalCheckFailedException; Request ID: ")
    assert ex.cause.endswith("; Proxy: null)")
    failed = [e for e in ex.history if e.type == "TaskFailed"]
    assert failed and failed[0].details["resourceType"] == "dynamodb"
    assert failed[0].details["resource"] == "putItem"

    ex = call(services, ddb("putItem", sdk=True), params)
    assert ex.error == "DynamoDb.ConditionalCheckFailedException"
    assert ex.cause.startswith("The conditional request failed (Service: DynamoDb, Status Code: 400, Request ID: ")
    assert services.get_item("Products", {"productId": "chair"})["stock"] == 5  # nothing was written


def test_the_conditional_failure_can_be_caught_and_retried(services):
    params = {"TableName": "Products", "Item": {"productId": {"S": "chair"}},
              "ConditionExpression": "attribute_not_exists(productId)"}
    fields = {"Retry": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "MaxAttempts": 1}],
              "Catch": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "ResultPath": "$.error",
                         "Next": "Exists"}]}
    definition = task(ddb("putItem"), params, **fields)
    definition["States"]["Call"].pop("End")
    definition["States"]["Call"]["Next"] = "Done"
    definition["States"]["Done"] = {"Type": "Succeed"}
    definition["States"]["Exists"] = {"Type": "Pass", "End": True}
    ex = sfl.StateMachine.from_json(definition).run({}, services=services)
    assert ex.status == "SUCCEEDED"
    assert ex.output["error"]["Error"] == "DynamoDB.ConditionalCheckFailedException"
    assert ex.history.types.count("TaskFailed") == 2


def test_update_expressions(services):
    params = {
        "TableName": "Products", "Key": {"productId": {"S": "chair"}},
        "UpdateExpression": "SET stock = stock - :one, sold = if_not_exists(sold, :zero) + :one, "
                            "history = list_append(if_not_exists(history, :empty), :event), dims.parts[5] = :three, "
                            "#n = :name REMOVE dims.h ADD tags :new, visits :one DELETE tags :old",
        "ExpressionAttributeNames": {"#n": "name"},
        "ExpressionAttributeValues": {":one": {"N": "1"}, ":zero": {"N": "0"}, ":empty": {"L": []},
                                      ":event": {"L": [{"S": "sold"}]}, ":three": {"N": "3"},
                                      ":name": {"S": "Cadeira"}, ":new": {"SS": ["oak"]}, ":old": {"SS": ["wood"]}},
        "ReturnValues": "ALL_NEW",
    }
    ex = call(services, ddb("updateItem"), params)
    assert ex.status == "SUCCEEDED", ex.cause
    item = from_item(ex.output["Attributes"])
    assert item == {"productId": "chair", "stock": 4, "sold": 1, "history": ["sold"], "name": "Cadeira",
                    "dims": {"parts": [1, 2, 3]}, "tags": ["oak"], "visits": 1}
    assert services.get_item("Products", {"productId": "chair"}) == item


def test_update_return_values_and_upsert(services):
    params = {"TableName": "Products", "Key": {"productId": {"S": "lamp"}},
              "UpdateExpression": "SET stock = :n", "ExpressionAttributeValues": {":n": {"N": "7"}},
              "ReturnValues": "UPDATED_NEW"}
    ex = call(services, ddb("updateItem"), params)
    assert ex.output["Attributes"] == {"stock": {"N": "7"}}
    params["ReturnValues"] = "UPDATED_OLD"
    params["ExpressionAttributeValues"] = {":n": {"N": "8"}}
    ex = call(services, ddb("updateItem"), params)
    assert ex.output["Attributes"] == {"stock": {"N": "7"}}


def test_condition_expression_operators(services):
    cases = {
        "stock BETWEEN :lo AND :hi": True,
        "stock IN (:lo, :hi)": False,
        "stock > :lo AND NOT (stock >= :hi)": True,
        "begins_with(productId, :p) OR stock < :lo": True,
        "contains(tags, :t) AND size(dims.parts) = :two": True,
        "attribute_type(stock, :nt)": True,
        "stock <> :lo": True,
        "missing <> :lo": True,
        "missing < :hi": False,
    }
    values = {":lo": {"N": "1"}, ":hi": {"N": "10"}, ":p": {"S": "ch"}, ":t": {"S": "wood"}, ":two": {"N": "2"},
              ":nt": {"S": "N"}}
    for condition, expected in cases.items():
        used = {k: v for k, v in values.items() if k in condition}
        params = {"TableName": "Products", "Key": {"productId": {"S": "chair"}}, "ConditionExpression": condition,
                  "UpdateExpression": "SET checked = :lo", "ExpressionAttributeValues": {**used, ":lo": values[":lo"]}}
        ex = call(services, ddb("updateItem"), params)
        assert (ex.status == "SUCCEEDED") is expected, (condition, ex.cause)
        if not expected:
            assert ex.error == "DynamoDB.ConditionalCheckFailedException"


@pytest.mark.parametrize("params, message", [
    ({"UpdateExpression": "SET status = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
     "Attribute name is a reserved keyword; reserved keyword: status"),
    ({"UpdateExpression": "SET a = :v"},
     "An expression attribute value used in expression is not defined; attribute value: :v"),
    ({"UpdateExpression": "SET #a = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
     "An expression attribute name used in the document path is not defined; attribute name: #a"),
    ({"UpdateExpression": "SET a = :v", "ExpressionAttributeValues": {":v": {"S": "x"}, ":w": {"S": "y"}}},
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"),
    ({"UpdateExpression": "SET a = = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
     'Invalid UpdateExpression: Syntax error; token: "="'),
    ({"UpdateExpression": "SET productId = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
     "Cannot update attribute productId. This attribute is part of the key"),
    ({"UpdateExpression": "SET stock = name + :v", "ExpressionAttributeValues": {":v": {"N": "1"}}},
     "reserved keyword: name"),
])
def test_validation_errors_name_the_problem(services, params, message):
    ex = call(services, ddb("updateItem"),
              {"TableName": "Products", "Key": {"productId": {"S": "chair"}}, **params})
    assert ex.status == "FAILED"
    assert ex.error == "DynamoDB.AmazonDynamoDBException"
    assert message in ex.cause
    assert "Error Code: ValidationException" in ex.cause


def test_untyped_values_are_refused_with_the_fix(services):
    # a literal untyped Item is refused at validation (as AWS does); one that arrives from the input fails the task
    with pytest.raises(sfl.DefinitionError, match='Item.productId.*typed values such as'):
        call(services, ddb("putItem"), {"TableName": "Products", "Item": {"productId": "sofa"}})
    machine = sfl.StateMachine.from_json(task(ddb("putItem"), {"TableName": "Products", "Item.$": "$.item"}))
    ex = machine.run({"item": {"productId": "sofa"}}, services=services)
    assert ex.error == "DynamoDB.AmazonDynamoDBException"
    assert 'Item.productId is "sofa"' in ex.cause and '{"S": "sofa"}' in ex.cause


def test_key_must_match_the_schema(services):
    ex = call(services, ddb("getItem"), {"TableName": "Products", "Key": {"id": {"S": "chair"}}})
    assert ex.error == "DynamoDB.AmazonDynamoDBException"
    assert "The provided key element does not match the schema" in ex.cause


def test_delete_item_returns_the_old_item(services):
    ex = call(services, ddb("deleteItem"), {"TableName": "Products", "Key": {"productId": {"S": "chair"}},
                                            "ReturnValues": "ALL_OLD"})
    assert from_item(ex.output["Attributes"])["stock"] == 5
    assert services.items("Products") == []


def test_query_sorts_filters_pages_and_projects():
    s = Services()
    s.create_table("Orders", partition_key="customer", sort_key="at")
    for at in (3, 1, 2, 5, 4):
        s.put_item("Orders", {"customer": "ana", "at": at, "spent": at * 10, "note": f"n{at}"})
    s.put_item("Orders", {"customer": "bia", "at": 1, "spent": 99})
    base = {"TableName": "Orders", "KeyConditionExpression": "customer = :c AND #at >= :from",
            "ExpressionAttributeNames": {"#at": "at"},
            "ExpressionAttributeValues": {":c": {"S": "ana"}, ":from": {"N": "2"}}}
    ex = call(s, ddb("query", sdk=True), base)
    assert [i["at"]["N"] for i in ex.output["Items"]] == ["2", "3", "4", "5"]
    assert ex.output["Count"] == ex.output["ScannedCount"] == 4

    ex = call(s, ddb("query", sdk=True), {**base, "ScanIndexForward": False, "Limit": 2})
    assert [i["at"]["N"] for i in ex.output["Items"]] == ["5", "4"]
    assert ex.output["LastEvaluatedKey"] == {"customer": {"S": "ana"}, "at": {"N": "4"}}

    filtered = {**base, "FilterExpression": "spent > :t", "ProjectionExpression": "#at, note",
                "ExpressionAttributeValues": {**base["ExpressionAttributeValues"], ":t": {"N": "30"}}}
    ex = call(s, ddb("query", sdk=True), filtered)
    assert ex.output["Items"] == [{"at": {"N": "4"}, "note": {"S": "n4"}}, {"at": {"N": "5"}, "note": {"S": "n5"}}]
    assert ex.output["Count"] == 2 and ex.output["ScannedCount"] == 4

    ex = call(s, ddb("query", sdk=True), {"TableName": "Orders", "KeyConditionExpression": "#at = :a",
                                          "ExpressionAttributeNames": {"#at": "at"},
                                          "ExpressionAttributeValues": {":a": {"N": "1"}}})
    assert ex.error == "DynamoDb.DynamoDbException"
    assert "Query condition missed key schema element: customer" in ex.cause


def test_tables_are_created_on_first_use_unless_auto_create_is_off():
    s = Services()
    ex = call(s, ddb("putItem"), {"TableName": "Fresh", "Item": {"id": {"S": "1"}, "v": {"N": "2"}}})
    assert ex.status == "SUCCEEDED"
    assert s.db.tables() == [{"TableName": "Fresh", "PartitionKey": "id", "SortKey": None, "CreatedOnFirstUse": True}]
    strict = Services(auto_create=False)
    ex = call(strict, ddb("getItem"), {"TableName": "Fresh", "Key": {"id": {"S": "1"}}})
    assert ex.error == "DynamoDB.ResourceNotFoundException"
    assert ex.cause.startswith("Requested resource not found")


# --- SQS, SNS, EventBridge ------------------------------------------------------------------------------

def test_send_message_serializes_the_body_and_stores_the_message():
    s = Services()
    ex = call(s, "arn:aws:states:::sqs:sendMessage", {"QueueUrl": QUEUE, "MessageBody": {"orderId": "o-1"}})
    body = '{"orderId":"o-1"}'
    assert ex.output["MD5OfMessageBody"] == hashlib.md5(body.encode()).hexdigest()
    assert ex.output["SdkHttpMetadata"]["HttpHeaders"]["Content-Type"] == "text/xml"
    [message] = s.messages("orders")
    assert message["Body"] == body and message["MessageId"] == ex.output["MessageId"]
    assert s.messages(QUEUE) == [message]
    [received] = s.receive_messages("orders")
    assert received["ReceiptHandle"] and received["Attributes"]["ApproximateReceiveCount"] == "1"
    s.delete_message("orders", received["ReceiptHandle"])
    assert s.messages("orders") == []


def test_sqs_errors():
    strict = Services(auto_create=False)
    ex = call(strict, "arn:aws:states:::sqs:sendMessage", {"QueueUrl": QUEUE, "MessageBody": "hi"})
    assert ex.error == "SQS.QueueDoesNotExistException"
    assert ex.cause.startswith("The specified queue does not exist for this wsdl version. (Service: AmazonSQS; "
                               "Status Code: 400; Error Code: AWS.SimpleQueueService.NonExistentQueue;")
    ex = call(strict, "arn:aws:states:::aws-sdk:sqs:sendMessage", {"QueueUrl": QUEUE, "MessageBody": "hi"})
    assert ex.error == "Sqs.QueueDoesNotExistException"
    strict.create_queue("orders.fifo")
    ex = call(strict, "arn:aws:states:::sqs:sendMessage", {"QueueUrl": QUEUE + ".fifo", "MessageBody": "hi"})
    assert ex.error == "SQS.AmazonSQSException" and "MessageGroupId" in ex.cause


def test_message_attributes_have_their_md5():
    s = Services()
    attributes = {"kind": {"DataType": "String", "StringValue": "order"}}
    ex = call(s, "arn:aws:states:::sqs:sendMessage", {"QueueUrl": QUEUE, "MessageBody": "x",
                                                      "MessageAttributes": attributes})
    # SQS's documented encoding: length-prefixed name, type, a transport byte (1 = string), value
    digest = hashlib.md5()
    for part in (b"kind", b"String"):
        digest.update(len(part).to_bytes(4, "big") + part)
    digest.update(b"\x01" + len(b"order").to_bytes(4, "big") + b"order")
    assert ex.output["MD5OfMessageAttributes"] == digest.hexdigest()
    assert s.messages("orders")[0]["MessageAttributes"] == attributes


def test_sns_publish_records_the_notification():
    s = Services()
    ex = call(s, "arn:aws:states:::sns:publish", {"TopicArn": TOPIC, "Message": {"status": "ok"}, "Subject": "Hi"})
    assert set(ex.output) == {"MessageId", "SdkHttpMetadata", "SdkResponseMetadata"}
    [note] = s.notifications("order-events")
    assert note == {"TopicArn": TOPIC, "MessageId": ex.output["MessageId"], "Message": '{"status":"ok"}',
                    "Subject": "Hi", "Timestamp": "2026-01-01T12:00:00.000Z"}
    strict = Services(auto_create=False)
    ex = call(strict, "arn:aws:states:::sns:publish", {"TopicArn": TOPIC, "Message": "x"})
    assert ex.error == "SNS.NotFoundException"
    assert "Status Code: 404; Error Code: NotFound" in ex.cause


def test_put_events_adds_the_execution_to_resources_and_fails_on_failed_entries():
    s = Services()
    entry = {"Source": "shop", "DetailType": "OrderPlaced", "Detail": {"id": 1}}
    ex = call(s, "arn:aws:states:::events:putEvents", {"Entries": [entry]})
    assert ex.output["FailedEntryCount"] == 0 and len(ex.output["Entries"]) == 1
    [event] = s.events("default")
    assert event["detail"] == {"id": 1} and event["detail-type"] == "OrderPlaced"
    assert event["resources"] == [f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:Caller", ex.arn]

    ex = call(s, "arn:aws:states:::events:putEvents", {"Entries": [{"Source": "shop", "DetailType": "x"}]})
    assert ex.error == "EventBridge.FailedEntry"
    assert json.loads(ex.cause)["FailedEntryCount"] == 1
    ex = call(s, "arn:aws:states:::aws-sdk:eventbridge:putEvents", {"Entries": [{"Source": "shop", "DetailType": "x"}]})
    assert ex.status == "SUCCEEDED" and ex.output["FailedEntryCount"] == 1


# --- S3 --------------------------------------------------------------------------------------------------

def test_s3_objects_in_the_database_and_in_an_s3_root_folder(tmp_path):
    s = Services()
    ex = call(s, "arn:aws:states:::aws-sdk:s3:putObject", {"Bucket": "b", "Key": "k/x.json", "Body": {"a": 1}})
    etag = '"' + hashlib.md5(b'{"a":1}').hexdigest() + '"'
    assert ex.output == {"ETag": etag, "ServerSideEncryption": "AES256"}
    ex = call(s, "arn:aws:states:::aws-sdk:s3:getObject", {"Bucket": "b", "Key": "k/x.json"})
    assert ex.output["Body"] == '{"a":1}' and ex.output["ContentLength"] == 7
    assert s.db.objects("b")[0]["Key"] == "k/x.json"
    ex = call(s, "arn:aws:states:::aws-sdk:s3:getObject", {"Bucket": "b", "Key": "nope"})
    assert ex.error == "S3.NoSuchKeyException"
    assert ex.cause.startswith("The specified key does not exist. (Service: S3, Status Code: 404")

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "in.txt").write_text("hello")
    machine = sfl.StateMachine.from_json(task("arn:aws:states:::aws-sdk:s3:getObject", {"Bucket": "data",
                                                                                        "Key": "in.txt"}))
    assert machine.run({}, services=s, s3_root=str(tmp_path)).output["Body"] == "hello"
    machine = sfl.StateMachine.from_json(task("arn:aws:states:::aws-sdk:s3:putObject",
                                              {"Bucket": "out", "Key": "a/b.txt", "Body": "written"}))
    assert machine.run({}, services=s, s3_root=str(tmp_path)).status == "SUCCEEDED"
    assert (tmp_path / "out" / "a" / "b.txt").read_text() == "written"


# --- Step Functions: nested executions ---------------------------------------------------------------------

@pytest.fixture
def nested() -> Services:
    s = Services()
    child = sfl.StateMachine.from_json({"StartAt": "Wait", "States": {
        "Wait": {"Type": "Wait", "Seconds": 5, "Next": "Double"},
        "Double": {"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "End": True}}},
        name="Child")
    broken = sfl.StateMachine.from_json({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Nope",
                                                                          "Cause": "bad"}}}, name="Broken")
    return s.register(child, broken)


def start(pattern: str, arn: str, input_value) -> dict:
    return task("arn:aws:states:::states:startExecution" + pattern, {"StateMachineArn": arn, "Input": input_value})


def test_start_execution_request_response(nested):
    child = nested.machines["Child"]
    ex = sfl.StateMachine.from_json(start("", child.arn, {"n": 2})).run({}, services=nested)
    assert ex.status == "SUCCEEDED"
    arn = ex.output["ExecutionArn"]
    assert arn.startswith(f"arn:aws:states:us-east-1:{ACCOUNT}:execution:Child:")
    assert ex.output["StartDate"] == 1767268800000 and "SdkHttpMetadata" in ex.output
    assert nested.executions[arn].output == {"doubled": 4}
    assert ex.duration == 0  # request-response does not wait for the nested execution
    assert nested.db.executions()[0]["status"] == "SUCCEEDED"


def test_start_execution_sync_and_sync2(nested):
    child = nested.machines["Child"]
    ex = sfl.StateMachine.from_json(start(".sync", child.arn, {"n": 3})).run({}, services=nested)
    out = ex.output
    assert out["Status"] == "SUCCEEDED" and out["Output"] == '{"doubled":6}' and out["Input"] == '{"n":3}'
    assert out["StopDate"] - out["StartDate"] == 5000
    assert out["OutputDetails"] == {"Included": True} and out["RedriveStatus"] == "NOT_REDRIVABLE"
    assert ex.duration == 5  # the parent waited for the nested execution
    ex = sfl.StateMachine.from_json(start(".sync:2", child.arn, '{"n": 4}')).run({}, services=nested)
    assert ex.output["Output"] == {"doubled": 8} and ex.output["Input"] == {"n": 4}


def test_a_failed_nested_execution_fails_the_sync_task(nested):
    broken = nested.machines["Broken"]
    ex = sfl.StateMachine.from_json(start(".sync", broken.arn, {})).run({}, services=nested)
    assert ex.error == "States.TaskFailed"
    described = json.loads(ex.cause)
    assert described["Status"] == "FAILED" and described["Error"] == "Nope" and described["Cause"] == "bad"


def test_start_execution_errors(nested):
    ex = sfl.StateMachine.from_json(start("", "arn:aws:states:us-east-1:1:stateMachine:Nope", {})).run(
        {}, services=nested)
    assert ex.error == "StepFunctions.StateMachineDoesNotExistException"
    assert "State Machine Does Not Exist: 'arn:aws:states:us-east-1:1:stateMachine:Nope'" in ex.cause
    definition = task("arn:aws:states:::aws-sdk:sfn:startExecution",
                      {"StateMachineArn": nested.machines["Child"].arn, "Name": "once", "Input": "{}"},
                      Retry=[{"ErrorEquals": ["Sfn.ExecutionAlreadyExistsException"], "MaxAttempts": 0}])
    assert sfl.StateMachine.from_json(definition).run({}, services=nested).status == "SUCCEEDED"
    again = sfl.StateMachine.from_json(definition).run({}, services=nested)
    assert again.error == "Sfn.ExecutionAlreadyExistsException"


# --- what is not simulated -----------------------------------------------------------------------------------

def test_unsimulated_resources_fail_with_a_catchable_error_naming_them():
    # issue 19: a resource with no simulation and no function fails the task (Catch can handle it) with advice
    ex = call(Services(), "arn:aws:states:::aws-sdk:ec2:describeInstances", {})
    assert ex.error == "States.TaskFailed"
    assert "'aws-sdk:ec2:describeInstances' is not simulated by stepfn_lab" in ex.cause
    assert "mock_config" in ex.cause and "tasks={'aws-sdk:ec2:describeInstances': fn}" in ex.cause
    assert ex.history.types.count("TaskFailed") == 1
    # AWS refuses a pattern an integration does not support when the machine is created
    definition = task("arn:aws:states:::dynamodb:getItem.sync", {"TableName": "T", "Key": {"id": {"S": "1"}}})
    with pytest.raises(sfl.DefinitionError, match="not recognized"):
        sfl.StateMachine.from_json(definition)
    machine = sfl.StateMachine.from_json(definition, validate=False)
    ex = machine.run({}, services=Services())
    assert ex.error == "States.Runtime" and "does not support the .sync integration pattern" in ex.cause
    assert "sqs:sendMessage" in simulated.simulated_resources()


# --- callbacks and activities ------------------------------------------------------------------------------------

APPROVAL = {"StartAt": "Ask", "States": {
    "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": QUEUE, "MessageBody": {"token.$": "$$.Task.Token", "order.$": "$.order"}},
            "ResultPath": "$.answer", "Catch": [{"ErrorEquals": ["Denied"], "ResultPath": "$.error", "Next": "No"}],
            "Next": "Yes"},
    "Yes": {"Type": "Succeed"},
    "No": {"Type": "Fail", "Error": "Denied", "Cause": "not approved"}}}


def test_wait_for_task_token_pauses_until_the_token_comes_back():
    s = Services()
    ex = sfl.StateMachine.from_json(APPROVAL).run({"order": "o-7"}, services=s)
    assert ex.status == "RUNNING" and ex.waiting
    assert ex.history.types[-1] == "TaskSubmitted"
    [message] = s.receive_messages(QUEUE)
    body = json.loads(message["Body"])
    assert body["order"] == "o-7" and list(ex.tokens) == [body["token"]]
    ex.send_task_heartbeat(body["token"])
    ex.send_task_success(body["token"], {"approved": True})
    ex.run()
    assert ex.status == "SUCCEEDED"
    assert ex.output == {"order": "o-7", "answer": {"approved": True}}
    with pytest.raises(sfl.StepFnLabError, match="TaskDoesNotExist"):
        ex.send_task_success(body["token"], {})


def test_send_task_failure_goes_to_the_catch():
    s = Services()
    ex = sfl.StateMachine.from_json(APPROVAL).run({"order": "o-8"}, services=s)
    token = json.loads(s.messages("orders")[0]["Body"])["token"]
    ex.send_task_failure(token, "Denied", "manager said no").run()
    assert ex.status == "FAILED" and ex.error == "Denied"
    assert ex.steps[0].status == "CAUGHT_ERROR"


ACTIVITY = {"StartAt": "Work", "States": {"Work": {
    "Type": "Task", "Resource": f"arn:aws:states:us-east-1:{ACCOUNT}:activity:Packer", "End": True}}}


def test_activities_served_by_a_worker_function():
    machine = sfl.StateMachine.from_json(ACTIVITY)
    ex = machine.run({"box": 3}, activity_workers={"Packer": lambda task: {"packed": task["box"]}})
    assert ex.status == "SUCCEEDED" and ex.output == {"packed": 3}
    arn = f"arn:aws:states:us-east-1:{ACCOUNT}:activity:Packer"
    failing = machine.run({"box": 3}, activity_workers={arn: lambda task: 1 / 0})
    assert failing.error == "ZeroDivisionError" and failing.cause == "division by zero"


def test_a_nested_execution_shares_the_parents_handlers_and_workers():
    s = Services().register(sfl.StateMachine.from_json(ACTIVITY, name="Packing"))
    parent = sfl.StateMachine.from_json(start(".sync:2", "Packing", {"box": 5}))
    ex = parent.run({}, services=s, activity_workers={"Packer": lambda task: {"packed": task["box"]}})
    assert ex.status == "SUCCEEDED" and ex.output["Output"] == {"packed": 5}


def test_activities_polled_with_get_activity_task():
    s = Services()
    ex = sfl.StateMachine.from_json(ACTIVITY).run({"box": 4}, services=s)
    assert ex.status == "RUNNING" and ex.waiting
    assert s.get_activity_task(ex, "Nobody") is None
    work = s.get_activity_task(ex, f"arn:aws:states:us-east-1:{ACCOUNT}:activity:Packer")
    assert json.loads(work["input"]) == {"box": 4}
    assert s.get_activity_task(ex, "Packer") is None  # handed out once
    ex.send_task_success(work["taskToken"], {"packed": True}).run()
    assert ex.output == {"packed": True}


# --- the database ------------------------------------------------------------------------------------------

def test_a_database_file_keeps_the_data(tmp_path):
    path = str(tmp_path / "lab.sqlite")
    s = Services(path)
    call(s, ddb("putItem"), {"TableName": "Notes", "Item": {"id": {"S": "1"}, "text": {"S": "hi"}}})
    s.db.close()
    again = Database(path)
    assert again.items("Notes") == [{"id": {"S": "1"}, "text": {"S": "hi"}}]
    assert again.sql("SELECT count(*) AS n FROM ddb_items") == [{"n": 1}]


def test_executions_without_services_use_the_shared_default():
    shared = Services.reset_default()
    ex = call(None, "arn:aws:states:::sns:publish", {"TopicArn": TOPIC, "Message": "x"})  # type: ignore[arg-type]
    assert ex.services is shared
    assert len(shared.notifications()) == 1
    Services.reset_default()
    assert shared.notifications() == []


def test_reset_empties_everything(services):
    services.create_queue("q")
    services.reset()
    assert services.items("Products") == [] and services.db.tables() == [] and services.db.queues() == []


# --- pure Python: the browser build has no sqlite3 ------------------------------------------------------------

def test_the_services_run_without_sqlite3():
    import subprocess
    import sys
    script = (
        "import sys; sys.modules['sqlite3'] = None\n"  # an import of sqlite3 now fails, as on Pyodide
        "import stepfn_lab as sfl\n"
        "from stepfn_lab.services.simulated import Services\n"
        "s = Services()\n"
        "m = sfl.StateMachine.from_json({'StartAt': 'A', 'States': {'A': {'Type': 'Task', "
        "'Resource': 'arn:aws:states:::dynamodb:putItem', 'Parameters': {'TableName': 'T', "
        "'Item': {'id': {'S': '1'}}}, 'End': True}}})\n"
        "assert m.run({}, services=s).status == 'SUCCEEDED'\n"
        "assert s.items('T') == [{'id': '1'}]\n"
        "try:\n    s.db.sql('SELECT 1')\nexcept RuntimeError as exc:\n    print(exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "needs Python's sqlite3 module" in result.stdout and "items()" in result.stdout


def test_a_database_file_is_json_and_survives_a_restart(tmp_path):
    path = tmp_path / "lab.json"
    s = Services(str(path))
    s.create_queue("q")
    call(s, "arn:aws:states:::sqs:sendMessage", {"QueueUrl": "q", "MessageBody": "hi"})
    s.put_object("b", "k", b"\x00\x01")
    assert json.loads(path.read_text())["format"] == "stepfn_lab.services/1"
    again = Services(str(path))
    assert [m["Body"] for m in again.messages("q")] == ["hi"]
    assert again.db.get_object("b", "k")["body"] == b"\x00\x01"


def test_a_file_of_the_earlier_sqlite_store_is_read(tmp_path):
    import sqlite3
    path = tmp_path / "old.sqlite"
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE ddb_tables (name TEXT, partition_key TEXT, sort_key TEXT, created_at TEXT, "
        "created_on_first_use INTEGER);"
        "CREATE TABLE ddb_items (table_name TEXT, pk TEXT, sk TEXT, item TEXT, seq INTEGER);"
        "INSERT INTO ddb_tables VALUES ('Notes', 'id', NULL, '2026-01-01T00:00:00.000Z', 0);"
        "INSERT INTO ddb_items VALUES ('Notes', '{\"S\": \"1\"}', '', '{\"id\": {\"S\": \"1\"}}', 1);")
    connection.commit()
    connection.close()
    assert Database(str(path)).items("Notes") == [{"id": {"S": "1"}}]
    assert Services(str(path)).get_item("Notes", {"id": "1"}) == {"id": "1"}


# --- S3 listObjectsV2, task tokens sent from a workflow ------------------------------------------------------

def test_list_objects_v2_in_the_store_and_in_a_folder(tmp_path):
    s = Services()
    for key in ("in/b.csv", "in/a.csv", "out/x.json"):
        s.put_object("data", key, "x")
    resource = "arn:aws:states:::aws-sdk:s3:listObjectsV2"
    ex = call(s, resource, {"Bucket": "data", "Prefix": "in/", "MaxKeys": 1})
    assert [o["Key"] for o in ex.output["Contents"]] == ["in/a.csv"]
    assert ex.output["IsTruncated"] is True and ex.output["KeyCount"] == 1
    token = ex.output["NextContinuationToken"]
    ex = call(s, resource, {"Bucket": "data", "Prefix": "in/", "ContinuationToken": token})
    assert [o["Key"] for o in ex.output["Contents"]] == ["in/b.csv"] and ex.output["IsTruncated"] is False
    (tmp_path / "files" / "sub").mkdir(parents=True)
    (tmp_path / "files" / "sub" / "one.txt").write_text("1")
    machine = sfl.StateMachine.from_json(task(resource, {"Bucket": "files"}))
    out = machine.run({}, services=s, s3_root=str(tmp_path)).output
    assert [(o["Key"], o["Size"]) for o in out["Contents"]] == [("sub/one.txt", 1)]


def test_a_nested_workflow_answers_its_parents_token_with_aws_sdk_sfn():
    s = Services()
    worker = sfl.StateMachine.from_json({"StartAt": "Answer", "States": {"Answer": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess", "End": True,
        "Parameters": {"TaskToken.$": "$.token", "Output.$": "States.JsonToString($.result)"}}}}, name="Worker")
    s.register(worker)
    parent = sfl.StateMachine.from_json(task("arn:aws:states:::states:startExecution.waitForTaskToken",
                                             {"StateMachineArn": worker.arn,
                                              "Input": {"token.$": "$$.Task.Token", "result": {"done": "j-1"}}}))
    ex = parent.run({}, services=s)
    assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
    assert ex.output == {"done": "j-1"}
    child = sfl.StateMachine.from_json(task("arn:aws:states:::aws-sdk:sfn:sendTaskFailure",
                                            {"TaskToken": "nope", "Error": "E"}))
    failed = child.run({}, services=s)
    assert failed.error == "Sfn.TaskDoesNotExistException"


def test_list_objects_v2_in_a_folder_ignores_links_out_of_the_root(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("x" * 1234)
    root = tmp_path / "root"
    (root / "files").mkdir(parents=True)
    (root / "files" / "one.txt").write_text("1")
    (root / "files" / "escape.txt").symlink_to(outside / "secret.txt")
    (root / "files" / "dangling.txt").symlink_to(root / "files" / "gone.txt")
    machine = sfl.StateMachine.from_json(task("arn:aws:states:::aws-sdk:s3:listObjectsV2", {"Bucket": "files"}))
    out = machine.run({}, services=Services(), s3_root=str(root)).output
    assert [(o["Key"], o["Size"]) for o in out["Contents"]] == [("one.txt", 1)]
