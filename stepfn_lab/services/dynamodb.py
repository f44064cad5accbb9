"""Simulated Amazon DynamoDB: getItem, putItem, updateItem, deleteItem, query, scan.

Spec: AWS docs "Call DynamoDB with Step Functions" (the optimized integration
``arn:aws:states:::dynamodb:<api>``, request-response only) and the DynamoDB API
Reference (request and response shapes, ValidationException and
ConditionalCheckFailedException messages). Taught in:
notebooks/08-task-states.ipynb.

Design note: AWS requires a table to exist before a workflow uses it. Locally
it is created on first use (``Services(auto_create=True)``, the default) with
the key the first request names (``Key``) or a key-like attribute of the first
item (``id``, ``pk``...), so a lesson can start with the workflow;
``auto_create=False`` answers ``DynamoDB.ResourceNotFoundException`` as AWS does.
Secondary indexes are not simulated (a request naming ``IndexName`` is refused
with a message that says so).
"""

from __future__ import annotations

from typing import Any

from .attributes import av_equal, canonical, check_av, looks_typed, normalized, ordered, to_item
from .base import Call, ServiceError, required, validation_error, wall_clock_iso
from .ddb_expressions import Expression, Scope, matches, parse_condition, parse_projection, parse_update, project
from .ddb_expressions import update as apply_update

SERVICE = "dynamodb"
PATTERNS = ("",)

class _Table:
    __slots__ = ("name", "partition_key", "sort_key")

    def __init__(self, name: str, partition_key: str, sort_key: str | None):
        self.name, self.partition_key, self.sort_key = name, partition_key, sort_key

    @property
    def key_names(self) -> tuple:
        return (self.partition_key,) if self.sort_key is None else (self.partition_key, self.sort_key)

    def identity(self, item: dict, what: str) -> tuple[str, str]:
        for name in self.key_names:
            if name not in item:
                raise validation_error("dynamodb", f"One or more parameter values were invalid: Missing the key {name} "
                                              f"in the {what}")
            if next(iter(item[name])) not in ("S", "N", "B"):
                raise validation_error("dynamodb", f"One or more parameter values were invalid: Type mismatch for key "
                                              f"{name}: a key attribute must be a string (S), number (N) or binary (B)")
        sort = canonical(item[self.sort_key]) if self.sort_key else ""
        return canonical(item[self.partition_key]), sort


# --- tables, as the store keeps them ------------------------------------------------------------

def find_table(db: Any, name: str) -> _Table | None:
    row = db.table(name)
    return _Table(name, row["partition_key"], row["sort_key"]) if row else None


def create_table(db: Any, name: str, partition_key: str, sort_key: str | None) -> None:
    existing = find_table(db, name)
    if existing is not None and (existing.partition_key, existing.sort_key) != (partition_key, sort_key):
        raise ValueError(f"table {name!r} already exists with the key {' + '.join(existing.key_names)}")
    if existing is None:
        db.add_table(name, partition_key, sort_key, wall_clock_iso(), created_on_first_use=False)


def table_for(services: Any, name: str, key: dict | None = None, item: dict | None = None) -> _Table:
    """The table a request names; created on first use unless ``auto_create`` is off."""
    found = find_table(services.db, name)
    if found is not None:
        return found
    if not services.auto_create:
        raise ServiceError("dynamodb", "ResourceNotFoundException", f"Requested resource not found: Table: "
                                                                    f"{name} not found",
                           exception="ResourceNotFoundException")
    names = list(key) if key else []
    if not names and item:
        names = [next((k for k in ("id", "pk", "PK", "Id", "ID") if k in item), next(iter(item)))]
    if not names:
        raise validation_error("dynamodb", f"cannot create table {name!r} on first use without a key; create it "
                                           f"with services.create_table({name!r}, partition_key=...)")
    sort = names[1] if len(names) > 1 else None
    services.db.add_table(name, names[0], sort, wall_clock_iso(), created_on_first_use=True)
    return _Table(name, names[0], sort)


def store(db: Any, table: _Table, identity: tuple[str, str], item: dict) -> dict:
    """Write an item (numbers normalized, as DynamoDB stores them) and return what was stored."""
    item = {k: normalized(v) for k, v in item.items()}
    db.put_item(table.name, identity, item)
    return item


def put_plain(services: Any, table: str, item: dict) -> None:
    """Write an item given as a plain dict or in AttributeValue JSON (``Services.put_item``)."""
    typed = item if looks_typed(item) else to_item(item)
    found = table_for(services, table, item=typed)
    store(services.db, found, found.identity(typed, "item"), typed)


def get_plain(db: Any, table: str, key: dict) -> dict | None:
    """Read an item by its key (plain or typed) in AttributeValue JSON; None when it is not there."""
    found = find_table(db, table)
    if found is None:
        return None
    typed_key = key if looks_typed(key) else to_item(key)
    return db.get_item(found.name, found.identity(typed_key, "key"))


# --- operations -----------------------------------------------------------------------------------

def _table(call: Call, key: dict | None = None, item: dict | None = None) -> _Table:
    name = required(call, "TableName")
    return table_for(call.services, str(name), key=key, item=item)


def _key(call: Call, table: _Table) -> tuple[dict, tuple[str, str]]:
    key = required(call, "Key")
    if not isinstance(key, dict):
        raise validation_error("dynamodb", "The parameter Key must be an object of attribute names and AttributeValues")
    for name, value in key.items():
        check_av(value, f"Key.{name}")
    if set(key) != set(table.key_names):
        raise validation_error("dynamodb", f"The provided key element does not match the schema (table {table.name!r} "
                                      f"has the key {' + '.join(table.key_names)}; the Key had {', '.join(key) or 'none'})")
    return key, table.identity(key, "key")


def _keyed(call: Call) -> tuple[_Table, Scope, dict, tuple[str, str]]:
    """What GetItem, UpdateItem and DeleteItem start with: the table (made on first use from the Key's
    names), the expression scope, the checked Key and the item's identity."""
    key_param = call.params.get("Key")
    table = _table(call, key=key_param if isinstance(key_param, dict) else None)
    scope = Scope(call.params)
    key, identity = _key(call, table)
    return table, scope, key, identity


def _condition(call: Call, scope: Scope) -> Expression | None:
    text = call.params.get("ConditionExpression")
    return parse_condition(text, "ConditionExpression") if text else None


def _check_condition(expression: Expression | None, existing: dict | None, scope: Scope) -> None:
    if expression is not None and not matches(expression.tree, existing or {}, scope, expression.field):
        raise ServiceError("dynamodb", "ConditionalCheckFailedException", "The conditional request failed",
                           exception="ConditionalCheckFailedException")


def _returned(call: Call, allowed: tuple, old: dict | None, new: dict | None, changed: set | None = None) -> dict:
    mode = call.params.get("ReturnValues", "NONE")
    if mode not in allowed:
        raise validation_error("dynamodb", f"ReturnValues can only be {', '.join(allowed)} for {call.api} "
                                      f"(it was {mode!r})")
    source = {"ALL_OLD": old, "UPDATED_OLD": old, "ALL_NEW": new, "UPDATED_NEW": new}.get(mode)
    if not source:
        return {}
    if mode.startswith("UPDATED") and changed is not None:
        source = {k: v for k, v in source.items() if k in changed}
    return {"Attributes": source} if source else {}


def get_item(call: Call) -> dict:
    table, scope, _, identity = _keyed(call)
    projection = call.params.get("ProjectionExpression")
    expression = parse_projection(projection) if projection else None
    scope.check_all_used([expression] if expression else [])
    item = call.services.db.get_item(table.name, identity)
    return call.respond({"Item": project(item, expression, scope)} if item is not None else {})


def put_item(call: Call) -> dict:
    item = required(call, "Item")
    if not isinstance(item, dict):
        raise validation_error("dynamodb", "The parameter Item must be an object of attribute names and AttributeValues")
    for name, value in item.items():
        check_av(value, f"Item.{name}")
    table = _table(call, item=item)
    scope = Scope(call.params)
    identity = table.identity(item, "item")
    condition = _condition(call, scope)
    scope.check_all_used([condition] if condition else [])
    old = call.services.db.get_item(table.name, identity)
    _check_condition(condition, old, scope)
    store(call.services.db, table, identity, item)
    return call.respond(_returned(call, ("NONE", "ALL_OLD"), old, item))


def update_item(call: Call) -> dict:
    table, scope, key, identity = _keyed(call)
    text = call.params.get("UpdateExpression")
    changes = parse_update(text) if text else None
    condition = _condition(call, scope)
    scope.check_all_used([e for e in (changes, condition) if e is not None])
    old = call.services.db.get_item(table.name, identity)
    _check_condition(condition, old, scope)
    new = dict(key) if old is None else old
    if changes is not None:
        new = apply_update(new, changes, scope, table.key_names)
    new = store(call.services.db, table, identity, new)
    changed = {k for k in set(new) | set(old or {})
               if k not in table.key_names and not av_equal((old or {}).get(k), new.get(k))}
    return call.respond(_returned(call, ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"),
                                  old, new, changed))


def delete_item(call: Call) -> dict:
    table, scope, _, identity = _keyed(call)
    condition = _condition(call, scope)
    scope.check_all_used([condition] if condition else [])
    old = call.services.db.get_item(table.name, identity)
    _check_condition(condition, old, scope)
    if old is not None:
        call.services.db.delete_item(table.name, identity)
    return call.respond(_returned(call, ("NONE", "ALL_OLD"), old, None))


def query(call: Call) -> dict:
    return _read_many(call, query=True)


def scan(call: Call) -> dict:
    return _read_many(call, query=False)


def _read_many(call: Call, query: bool) -> dict:
    if call.params.get("IndexName"):
        raise validation_error("dynamodb", "stepfn_lab does not simulate secondary indexes (IndexName); query "
                                           "the table by its own key")
    name = str(required(call, "TableName"))
    table = find_table(call.services.db, name)
    scope = Scope(call.params)
    key_condition = None
    if query:
        text = call.params.get("KeyConditionExpression")
        if not text:
            raise validation_error("dynamodb", "Either the KeyConditions or KeyConditionExpression parameter must be "
                                          "specified in the request.")
        key_condition = parse_condition(text, "KeyConditionExpression")
    filter_text = call.params.get("FilterExpression")
    filter_expr = parse_condition(filter_text, "FilterExpression") if filter_text else None
    projection_text = call.params.get("ProjectionExpression")
    projection = parse_projection(projection_text) if projection_text else None
    scope.check_all_used([e for e in (key_condition, filter_expr, projection) if e is not None])
    if table is None:
        return call.respond({"Count": 0, "Items": [], "ScannedCount": 0})
    if key_condition is not None:
        _check_key_condition(key_condition, table, scope)
    items = call.services.db.items(table.name)
    if key_condition is not None:
        items = [i for i in items if matches(key_condition.tree, i, scope, key_condition.field)]
    if table.sort_key:
        items.sort(key=lambda i: ordered(i.get(table.sort_key)) or ("", ""))
    if query and call.params.get("ScanIndexForward", True) is False:
        items.reverse()
    start = call.params.get("ExclusiveStartKey")
    if start:
        wanted = table.identity(start, "ExclusiveStartKey")
        for position, item in enumerate(items):
            if table.identity(item, "item") == wanted:
                items = items[position + 1:]
                break
    limit = call.params.get("Limit")
    last_key = None
    if isinstance(limit, int) and 0 < limit < len(items):
        items = items[:limit]
        last_key = {k: items[-1][k] for k in table.key_names}
    scanned = len(items)
    if filter_expr is not None:
        items = [i for i in items if matches(filter_expr.tree, i, scope, filter_expr.field)]
    body: dict = {"Count": len(items)}
    if call.params.get("Select") != "COUNT":
        body["Items"] = [project(i, projection, scope) for i in items]
    if last_key is not None:
        body["LastEvaluatedKey"] = last_key
    body["ScannedCount"] = scanned
    return call.respond(body)


def _check_key_condition(expression: Expression, table: _Table, scope: Scope) -> None:
    """A KeyConditionExpression must test the partition key with ``=`` (and may only use key attributes)."""
    used: list[str] = []
    equal: set[str] = set()

    def walk(node: Any) -> None:
        kind = node[0]
        if kind == "and":
            walk(node[1])
            walk(node[2])
        elif kind in ("or", "not", "in"):
            raise validation_error("dynamodb", f"Invalid KeyConditionExpression: Invalid operator used in "
                                          f"KeyConditionExpression: {kind.upper()}")
        elif kind in ("cmp", "between", "fn"):
            targets = [node[2]] if kind == "cmp" else [node[1]] if kind == "between" else [node[2][0]]
            for target in targets:
                if target[0] == "path":
                    attr = scope.name(target[1][0], expression.field)
                    used.append(attr)
                    if kind == "cmp" and node[1] == "=":
                        equal.add(attr)

    walk(expression.tree)
    if table.partition_key not in equal:
        raise validation_error("dynamodb", f"Query condition missed key schema element: {table.partition_key}")
    extra = [a for a in used if a not in table.key_names]
    if extra:
        raise validation_error("dynamodb", f"Query key condition not supported (attribute {extra[0]} is not part of "
                                      f"the key of {table.name!r}; use a FilterExpression for it)")



OPERATIONS = {"getItem": get_item, "putItem": put_item, "updateItem": update_item, "deleteItem": delete_item,
              "query": query, "scan": scan}
