"""The store behind the simulated AWS services: plain Python, in memory, optionally saved to a file.

Spec: none of ASL; it keeps what the simulated integrations of
``stepfn_lab.services`` write (AWS docs "Integrating services with Step
Functions"). Taught in: notebooks/08-task-states.ipynb.

One ``Database`` holds everything a workflow can leave behind: DynamoDB tables
and their items, SQS messages, SNS notifications, EventBridge events, S3
objects (when no ``s3_root`` folder is used) and the executions started with
``states:startExecution``. Notebook code looks inside with the helpers below::

    db = Database()                 # or Database("lab.json"): kept in that file
    db.items("Orders")              # DynamoDB items, in AttributeValue JSON
    db.messages("approvals")        # SQS messages, oldest first
    db.sql("SELECT queue, body FROM sqs_messages")   # plain SQL on a snapshot

Design note: the store is plain Python (dicts and lists) so the same code runs
in the JupyterLite browser build, whose Python (Pyodide) has no ``sqlite3``.
With a file name, the whole store is written to that file as JSON after every
change (atomically: a temporary file, then a rename), which suits the small
data of a lesson. ``sql()`` copies the store into an in-memory SQLite database
with the earlier schema and runs the query there, importing ``sqlite3`` only
then; a file written by the earlier SQLite store is read the same way.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

# The tables ``sql()`` shows, with their columns in order (the earlier SQLite schema).
SCHEMA = {
    "ddb_tables": ("name", "partition_key", "sort_key", "created_at", "created_on_first_use"),
    "ddb_items": ("table_name", "pk", "sk", "item", "seq"),
    "sqs_queues": ("name", "url", "fifo", "created_at"),
    "sqs_messages": ("seq", "queue", "message_id", "body", "md5", "attributes", "group_id", "deduplication_id",
                     "sent_at", "receive_count", "receipt_handle", "deleted"),
    "sns_topics": ("arn", "name", "created_at"),
    "sns_messages": ("seq", "topic_arn", "message_id", "message", "subject", "attributes", "published_at"),
    "events": ("seq", "event_id", "bus", "source", "detail_type", "detail", "resources", "time"),
    "s3_buckets": ("name", "created_at"),
    "s3_objects": ("bucket", "key", "body", "content_type", "etag", "last_modified", "metadata"),
    "executions": ("arn", "state_machine_arn", "name", "status", "input", "output", "error", "cause",
                   "start_date", "stop_date", "parent_arn"),
}
_JSON_COLUMNS = {"item", "attributes", "resources", "metadata"}  # kept as Python values, shown as JSON text
_SQLITE_MAGIC = b"SQLite format 3\x00"


class Database:
    """The services' data, in memory (``Database()``) or kept in a JSON file (``Database("lab.json")``)."""

    def __init__(self, path: str | None = None):
        self.path = None if path in (None, ":memory:") else os.fspath(path)
        self._rows: dict[str, Any] = {}
        self._clear()
        if self.path and os.path.exists(self.path):
            self._load()

    def __repr__(self) -> str:
        return f"Database({self.path or ':memory:'!r})"

    def _clear(self) -> None:
        self._rows = {
            "ddb_tables": {},       # name -> row
            "ddb_items": {},        # table name -> {(pk, sk): item}, in the order items were first written
            "sqs_queues": {},       # name -> row
            "sqs_messages": [],     # rows, oldest first
            "sns_topics": {},       # arn -> row
            "sns_messages": [],
            "events": [],
            "s3_buckets": {},       # name -> row
            "s3_objects": {},       # (bucket, key) -> row (body as bytes)
            "executions": {},       # arn -> row
        }
        self._seq = 0

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    # -- raw access ---------------------------------------------------------------------------

    def rows(self, table: str) -> list[dict]:
        """The rows of one of the ``SCHEMA`` tables, as dicts (JSON columns as JSON text)."""
        if table not in SCHEMA:
            raise ValueError(f"no table {table!r}; the tables are {', '.join(SCHEMA)}")
        out = []
        for row in self._iter(table):
            out.append({c: (json.dumps(row.get(c)) if c in _JSON_COLUMNS and row.get(c) is not None
                            else row.get(c)) for c in SCHEMA[table]})
        return out

    def _iter(self, table: str):
        data = self._rows[table]
        if table == "ddb_items":
            for name, items in data.items():
                for (pk, sk), entry in items.items():
                    yield {"table_name": name, "pk": pk, "sk": sk, "item": entry["item"], "seq": entry["seq"]}
        elif isinstance(data, dict):
            yield from data.values()
        else:
            yield from data

    def sql(self, query: str, *params: Any) -> list[dict]:
        """Run one SQL statement on a snapshot of the store and return its rows as dicts.

        Needs Python's ``sqlite3`` module (the browser build has none: use the helpers such as
        ``items()`` and ``messages()`` there). Changes made by the statement are not kept.
        """
        connection = _sqlite_connect(":memory:")
        try:
            for table, columns in SCHEMA.items():
                connection.execute(f"CREATE TABLE {table} ({', '.join(columns)})")
                marks = ", ".join("?" for _ in columns)
                connection.executemany(f"INSERT INTO {table} VALUES ({marks})",
                                       [tuple(r[c] for c in columns) for r in self.rows(table)])
            return [dict(row) for row in connection.execute(query, params)]
        finally:
            connection.close()

    def reset(self) -> None:
        """Empty every table."""
        self._clear()
        self.changed()

    def close(self) -> None:
        """Nothing to release (kept for code written for the earlier SQLite store)."""

    # -- saving -------------------------------------------------------------------------------

    def changed(self) -> None:
        """Called after every change: writes the file, when there is one."""
        if not self.path:
            return
        document = {"format": "stepfn_lab.services/1", "seq": self._seq,
                    "tables": {t: [_encode(r) for r in self._iter(t)] for t in SCHEMA}}
        folder = os.path.dirname(os.path.abspath(self.path))
        temporary = os.path.join(folder, f".{os.path.basename(self.path)}.{os.getpid()}.tmp")
        with open(temporary, "w", encoding="utf-8") as fh:
            json.dump(document, fh, ensure_ascii=False, separators=(",", ":"))
        os.replace(temporary, self.path)

    def _load(self) -> None:
        with open(self.path, "rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
        if head == _SQLITE_MAGIC:
            tables = _read_sqlite(self.path)
            seq = 0
        else:
            try:
                with open(self.path, encoding="utf-8") as fh:
                    document = json.load(fh)
                tables, seq = document["tables"], int(document.get("seq", 0))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{self.path} is not a file written by stepfn_lab's services ({exc}); "
                                 f"give Database() another file name") from None
        for table, rows in tables.items():
            for row in rows:
                self._insert(table, _decode(row))
        self._seq = max([seq] + [r.get("seq") or 0 for t in ("sqs_messages", "sns_messages", "events")
                                 for r in self._rows[t]]
                        + [e["seq"] for items in self._rows["ddb_items"].values() for e in items.values()])

    def _insert(self, table: str, row: dict) -> None:
        data = self._rows.get(table)
        if data is None:
            return
        if table == "ddb_items":
            data.setdefault(row["table_name"], {})[(row["pk"], row["sk"])] = {"item": row["item"],
                                                                              "seq": row.get("seq") or 0}
        elif table == "s3_objects":
            data[(row["bucket"], row["key"])] = row
        elif isinstance(data, dict):
            data[row[SCHEMA[table][0]]] = row
        else:
            data.append(row)

    # -- DynamoDB -------------------------------------------------------------------------------

    def table(self, name: str) -> dict | None:
        return self._rows["ddb_tables"].get(name)

    def add_table(self, name: str, partition_key: str, sort_key: str | None, created_at: str,
                  created_on_first_use: bool) -> None:
        self._rows["ddb_tables"][name] = {"name": name, "partition_key": partition_key, "sort_key": sort_key,
                                          "created_at": created_at, "created_on_first_use": int(created_on_first_use)}
        self.changed()

    def get_item(self, table: str, identity: tuple[str, str]) -> dict | None:
        entry = self._rows["ddb_items"].get(table, {}).get(identity)
        return None if entry is None else json.loads(json.dumps(entry["item"]))

    def put_item(self, table: str, identity: tuple[str, str], item: dict) -> None:
        items = self._rows["ddb_items"].setdefault(table, {})
        entry = items.get(identity)
        if entry is None:
            items[identity] = {"item": item, "seq": self._next_seq()}
        else:
            entry["item"] = item
        self.changed()

    def delete_item(self, table: str, identity: tuple[str, str]) -> None:
        self._rows["ddb_items"].get(table, {}).pop(identity, None)
        self.changed()

    def tables(self) -> list[dict]:
        """DynamoDB tables: name, key attributes and whether they were created on first use."""
        return [{"TableName": r["name"], "PartitionKey": r["partition_key"], "SortKey": r["sort_key"],
                 "CreatedOnFirstUse": bool(r["created_on_first_use"])}
                for _, r in sorted(self._rows["ddb_tables"].items())]

    def items(self, table: str) -> list[dict]:
        """The items of a DynamoDB table, in AttributeValue JSON, in the order they were first written."""
        entries = self._rows["ddb_items"].get(table, {}).values()
        return [json.loads(json.dumps(e["item"])) for e in entries]

    # -- SQS --------------------------------------------------------------------------------------

    def queue(self, name: str) -> dict | None:
        return self._rows["sqs_queues"].get(name)

    def add_queue(self, name: str, url: str, created_at: str) -> None:
        if name not in self._rows["sqs_queues"]:
            self._rows["sqs_queues"][name] = {"name": name, "url": url, "fifo": int(name.endswith(".fifo")),
                                              "created_at": created_at}
            self.changed()

    def add_message(self, **row: Any) -> int:
        """Store a sent SQS message; returns how many messages were sent so far (for FIFO sequence numbers)."""
        row.update(seq=self._next_seq(), receive_count=0, receipt_handle=None, deleted=0)
        self._rows["sqs_messages"].append(row)
        self.changed()
        return len(self._rows["sqs_messages"])

    def receive(self, queue: str, max_messages: int) -> list[dict]:
        """ReceiveMessage: the oldest messages not deleted, each received once more."""
        out = []
        for row in self._rows["sqs_messages"]:
            if len(out) >= max_messages:
                break
            if row["queue"] == queue and not row["deleted"]:
                row["receive_count"] += 1
                row["receipt_handle"] = base64.b64encode(
                    f"{row['message_id']}:{row['receive_count']}".encode()).decode()
                out.append(_message(row))
        self.changed()
        return out

    def delete_message(self, queue: str, receipt_handle: str) -> None:
        for row in self._rows["sqs_messages"]:
            if row["queue"] == queue and row["receipt_handle"] == receipt_handle:
                row["deleted"] = 1
        self.changed()

    def queues(self) -> list[dict]:
        return [{"QueueName": r["name"], "QueueUrl": r["url"]} for _, r in sorted(self._rows["sqs_queues"].items())]

    def messages(self, queue: str | None = None, include_deleted: bool = False) -> list[dict]:
        """SQS messages (all queues, or one by name or URL), oldest first, in ReceiveMessage's shape."""
        name = None if queue is None else queue_name(queue)
        return [_message(r) for r in self._rows["sqs_messages"]
                if (name is None or r["queue"] == name) and (include_deleted or not r["deleted"])]

    # -- SNS, EventBridge ---------------------------------------------------------------------------

    def topic(self, arn: str) -> dict | None:
        return self._rows["sns_topics"].get(arn)

    def add_topic(self, arn: str, name: str, created_at: str) -> None:
        if arn not in self._rows["sns_topics"]:
            self._rows["sns_topics"][arn] = {"arn": arn, "name": name, "created_at": created_at}
            self.changed()

    def add_notification(self, **row: Any) -> None:
        row["seq"] = self._next_seq()
        self._rows["sns_messages"].append(row)
        self.changed()

    def notifications(self, topic: str | None = None) -> list[dict]:
        """SNS messages published (to every topic, or one by name or ARN), oldest first."""
        out = []
        for r in self._rows["sns_messages"]:
            if topic is not None and topic not in (r["topic_arn"], r["topic_arn"].rsplit(":", 1)[-1]):
                continue
            item = {"TopicArn": r["topic_arn"], "MessageId": r["message_id"], "Message": r["message"]}
            if r.get("subject") is not None:
                item["Subject"] = r["subject"]
            if r.get("attributes"):
                item["MessageAttributes"] = r["attributes"]
            item["Timestamp"] = r["published_at"]
            out.append(item)
        return out

    def add_event(self, **row: Any) -> None:
        row["seq"] = self._next_seq()
        self._rows["events"].append(row)
        self.changed()

    def events(self, bus: str | None = None) -> list[dict]:
        """EventBridge events put (on every bus, or one), oldest first, in an event's shape."""
        return [{"id": r["event_id"], "source": r["source"], "detail-type": r["detail_type"],
                 "detail": _maybe_json(r["detail"]), "resources": list(r.get("resources") or []),
                 "time": r["time"], "event-bus-name": r["bus"]}
                for r in self._rows["events"] if bus is None or r["bus"] == bus]

    # -- S3 ------------------------------------------------------------------------------------------

    def bucket(self, name: str) -> dict | None:
        return self._rows["s3_buckets"].get(name)

    def add_bucket(self, name: str, created_at: str) -> None:
        if name not in self._rows["s3_buckets"]:
            self._rows["s3_buckets"][name] = {"name": name, "created_at": created_at}
            self.changed()

    def put_object(self, bucket: str, key: str, body: bytes, content_type: str, etag: str, last_modified: str,
                   metadata: dict) -> None:
        self._rows["s3_objects"][(bucket, key)] = {
            "bucket": bucket, "key": key, "body": bytes(body), "content_type": content_type, "etag": etag,
            "last_modified": last_modified, "metadata": dict(metadata)}
        self.changed()

    def get_object(self, bucket: str, key: str) -> dict | None:
        """The stored object (``body`` as bytes), or None."""
        row = self._rows["s3_objects"].get((bucket, key))
        return None if row is None else dict(row)

    def object_keys(self, bucket: str) -> list[str]:
        return sorted(k for b, k in self._rows["s3_objects"] if b == bucket)

    def objects(self, bucket: str | None = None) -> list[dict]:
        """S3 objects kept in the store (not the ones under an ``s3_root`` folder)."""
        return [{"Bucket": r["bucket"], "Key": r["key"], "Size": len(r["body"]), "ETag": r["etag"],
                 "LastModified": r["last_modified"]}
                for _, r in sorted(self._rows["s3_objects"].items()) if bucket is None or r["bucket"] == bucket]

    # -- Step Functions -------------------------------------------------------------------------------

    def record_execution(self, **row: Any) -> None:
        self._rows["executions"][row["arn"]] = row
        self.changed()

    def executions(self) -> list[dict]:
        """Executions started by ``states:startExecution``."""
        rows = sorted(self._rows["executions"].values(), key=lambda r: (r["start_date"] or "", r["arn"]))
        return [{c: r.get(c) for c in SCHEMA["executions"]} for r in rows]


def queue_name(queue: str) -> str:
    """``https://sqs.us-east-1.amazonaws.com/123456789012/orders`` or ``arn:aws:sqs:...:orders`` -> ``orders``."""
    text = str(queue).rstrip("/")
    return text.rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def _message(row: dict) -> dict:
    message = {"MessageId": row["message_id"], "ReceiptHandle": row["receipt_handle"] or "",
               "MD5OfBody": row["md5"], "Body": row["body"],
               "Attributes": {"SentTimestamp": row["sent_at"],
                              "ApproximateReceiveCount": str(row["receive_count"])}}
    if row.get("group_id"):
        message["Attributes"]["MessageGroupId"] = row["group_id"]
    if row.get("attributes"):
        message["MessageAttributes"] = json.loads(json.dumps(row["attributes"]))
    return message


def _maybe_json(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _encode(row: dict) -> dict:
    """A row as JSON (bytes as base64 under ``{"$bytes": ...}``)."""
    return {k: {"$bytes": base64.b64encode(v).decode("ascii")} if isinstance(v, (bytes, bytearray)) else v
            for k, v in row.items()}


def _decode(row: dict) -> dict:
    return {k: base64.b64decode(v["$bytes"]) if isinstance(v, dict) and set(v) == {"$bytes"} else v
            for k, v in row.items()}


def _sqlite_connect(path: str):
    try:
        import sqlite3
    except ImportError:
        raise RuntimeError("Database.sql() needs Python's sqlite3 module, which this Python lacks (the browser "
                           "build has none); read the data with items(), messages(), notifications(), events(), "
                           "objects() or rows(table) instead") from None
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    return connection


def _read_sqlite(path: str) -> dict[str, list[dict]]:
    """The rows of a file written by the earlier SQLite store, JSON columns parsed."""
    connection = _sqlite_connect(path)
    try:
        names = {r["name"] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        tables: dict[str, list[dict]] = {}
        for table in SCHEMA:
            if table not in names:
                continue
            rows = []
            for row in connection.execute(f"SELECT * FROM {table}"):
                row = dict(row)
                for column in _JSON_COLUMNS & set(row):
                    if isinstance(row[column], str):
                        row[column] = json.loads(row[column])
                if "body" in row and row["body"] is not None:
                    row["body"] = bytes(row["body"])
                rows.append(row)
            tables[table] = rows
        return tables
    finally:
        connection.close()
