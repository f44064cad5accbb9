"""Map states: items, iterations, concurrency, tolerated failures, Distributed Map.

Spec: Amazon States Language, "Map State"; AWS docs "Inline Map" and
"Distributed Map" (ItemReader, ItemBatcher, ResultWriter, MapRun events).
Taught in: notebooks/12-map.ipynb.

Each item becomes a child ``Frame`` (an *iteration*). Inline iterations write
their events into the execution's history between ``MapIterationStarted`` and
``MapIterationSucceeded``; Distributed Map iterations are child executions with
histories of their own, so the parent history shows only ``MapRunStarted`` and
``MapRunSucceeded`` (recorded on AWS). Distributed Map iterations do not see the
parent's variables. How iterations take turns, fan in and stop (shared with Parallel) is in
``parallel.py``.
"""

from __future__ import annotations

import json
from typing import Any

from ..asl.model import ROOT_PATH_MARK
from ..asl.paths import PathNotFound, json_type, to_json
from ..errors import QUERY_EVALUATION_ERROR, RUNTIME, StatesError
from .dataflow import select_input
from .frames import Fan, Frame, Scope
from .history import NAME_INDEX
from .machine import STANDARD
from .maprun import DISTRIBUTED_CONCURRENCY, MapRun, start_child

INLINE_CONCURRENCY = 40


def prepare_map(execution, frame, state) -> None:
    """Work out the items and the Map's settings (the ``enter`` phase of a Map)."""
    extra = state.extra
    if state.is_jsonata:
        states = execution.states_for(frame, state)
        data = frame.raw_input
        if extra.get("item_reader"):
            items = None  # read after MapRunStarted
        elif extra.get("items") is not None:
            items = extra["items"].evaluate(states, frame.scope, rng=execution.rng)
            if not isinstance(items, list):
                raw = state.raw.get("Items")
                expr = raw[2:-2].strip() if isinstance(raw, str) and raw.startswith("{%") else to_json(raw)
                raise StatesError(QUERY_EVALUATION_ERROR,
                                  f"The JSONata expression '{expr}' specified for the field 'Items' returned an "
                                  f"unexpected result type. Expected 'array', but was '{json_type(items)}' "
                                  f"for value: {to_json(items)}")
        else:
            items = data
            if not isinstance(items, list):
                raise StatesError(QUERY_EVALUATION_ERROR, f"Map state input must be an array but was: {to_json(items)}")
    else:
        ctx = execution.context_if_used(frame, state)
        data = select_input(state, frame.raw_input, ctx, frame.scope)
        if frame.trace is not None:
            frame.trace["afterInputPath"] = data
        if extra.get("item_reader"):
            items = None  # read after MapRunStarted
        else:
            path = extra.get("items_path", ROOT_PATH_MARK)
            if path is ROOT_PATH_MARK:
                items = data
            else:
                try:
                    items = path.get(data, execution.context(frame, state), frame.scope)
                except PathNotFound as exc:
                    raise StatesError(RUNTIME, str(exc)) from None
            if not isinstance(items, list):
                raise StatesError(RUNTIME, f"Map state input must be an array but was: {to_json(items)}")
    frame.effective = data
    frame.result = items
    # MaxConcurrency is read before MapStateStarted, the tolerated failures after it (recorded on AWS)
    frame.timeout = _number(execution, frame, state, "max_concurrency", "MaxConcurrency", int)


def _settings(execution, frame, state) -> tuple:
    """The tolerated failures, evaluated after MapStateStarted (as AWS does)."""
    limit = frame.timeout
    count = _number(execution, frame, state, "tolerated_count", "ToleratedFailureCount", int)
    percentage = _number(execution, frame, state, "tolerated_percentage", "ToleratedFailurePercentage", float)
    if count is not None and count < 0:
        raise StatesError(RUNTIME, "ToleratedFailureCount cannot be negative.")
    if percentage is not None and not 0 <= percentage <= 100:
        raise StatesError(RUNTIME, "ToleratedFailurePercentage must be between 0 and 100.")
    return limit or 0, count or 0, percentage or 0.0


def _number(execution, frame, state, key: str, field: str, kind: type) -> Any:
    spec = state.extra.get(key)
    if spec is None:
        return None
    how, result = execution.field_value(frame, state, key)
    if how == "path":
        raw = result
        shown = raw if isinstance(raw, str) else to_json(raw)
        word = "integer" if kind is int else "float"
        try:
            if isinstance(raw, bool) or isinstance(raw, (dict, list)) or raw is None:
                raise ValueError
            number = kind(raw)
            if kind is int and isinstance(raw, float) and raw != int(raw):
                raise ValueError
        except (TypeError, ValueError):
            raise StatesError(RUNTIME, f"The {field}Path field refers to value \"{shown}\" which is not a valid "
                                       f"{word}: {spec[1].text}") from None
        return number
    if result is None:
        return None
    if isinstance(result, bool) or not isinstance(result, (int, float)):
        try:
            result = kind(result)
        except (TypeError, ValueError):
            raise StatesError(QUERY_EVALUATION_ERROR if state.is_jsonata else RUNTIME,
                              f"The {field} field must be a number, but was {to_json(result)}") from None
    return kind(result)


def fan_out_map(execution, frame, state) -> None:
    items = frame.result
    distributed = state.extra.get("mode") == "DISTRIBUTED"
    execution.emit(frame, "MapStateStarted", {"length": len(items) if items is not None else 0})
    limit, count, percentage = _settings(execution, frame, state)
    if distributed:
        run_id = execution.ids.uuid("maprun:" + execution.arn)
        label = state.extra.get("label") or state.name
        frame.token = (f"arn:aws:states:{execution.machine.region}:{execution.machine.account}:mapRun:"
                       f"{execution.machine.name}/{label}:{run_id}")
        execution.emit(frame, "MapRunStarted", {"mapRunArn": frame.token})
    if items is None:
        states = execution.states_for(frame, state) if state.is_jsonata else None
        try:
            items = read_items(execution, frame, state, frame.effective, states)
        except StatesError as err:
            if distributed:
                execution.emit(frame, "MapRunFailed", {"error": err.error, "cause": err.cause})
            raise
    batcher = state.extra.get("item_batcher")
    if batcher:
        items = _batch(execution, frame, state, items, batcher, frame.effective)
    fan = Fan(len(items), limit if limit else (DISTRIBUTED_CONCURRENCY if distributed else INLINE_CONCURRENCY))
    execution.fanned["child executions" if distributed else "items"][1] += len(items)
    fan.inputs = items
    fan.tolerated_count = count
    fan.tolerated_percentage = percentage
    fan.distributed = distributed
    if distributed:
        writer = state.extra.get("result_writer")
        kind = state.extra.get("execution_type", "STANDARD")
        keep = execution.child_histories if execution.child_histories is not None else kind == "STANDARD"
        exporting = bool(writer) and "Resource" in writer
        durable = execution.store is not None and execution.workflow_type == STANDARD  # saved at every action
        streaming = exporting and not durable
        fan.map_run = MapRun(frame.token, state.name, kind, keep, let_go=streaming or not writer)
        fan.map_run.total = len(items)
        execution.map_runs.append(fan.map_run)
        if streaming:  # results go to the files as children end (bounded memory)
            # Design note: an execution saved in a durable store writes its result files at the end
            # instead, from the children it keeps: the stream's state (entries not yet appended, children
            # that ended out of order) is not part of a save, and a reloaded run must still write every
            # child's entry exactly once. A durable run saves its whole state at every action anyway.
            from .registry import service
            fan.sink = service("s3files").result_sink(execution, frame, state, fan)
    frame.fan = fan
    frame.phase = "children"


def start_iteration(execution, frame, state) -> None:
    """Start the next iteration of a Map (one action)."""
    fan = frame.fan
    index = fan.next_index
    fan.next_index += 1
    item = fan.inputs[index]
    selector = state.extra.get("item_selector")
    if selector is None:
        child_input = item
    elif state.is_jsonata:
        states = {"input": frame.raw_input, "context": execution.context(frame, state, (index, item))}
        child_input = selector.evaluate(states, frame.scope, rng=execution.rng)
    else:
        child_input = selector.evaluate(frame.effective, execution.context(frame, state, (index, item)),
                                        frame.scope, execution.rng)
    if fan.distributed:
        history = execution.history.empty()  # the child execution's own
        start = history.add(0, "ExecutionStarted", execution.clock.now, {"input": child_input})
        last_id, scope = start.id, Scope()
    else:
        last_id = execution.emit(frame, "MapIterationStarted", (NAME_INDEX, state.name, index))
        history, scope = frame.history, Scope(frame.scope)
    child = Frame(state.processor, child_input, parent=frame, kind="iteration", index=index, scope=scope,
                  history=history, last_id=last_id, path=f"{frame.path}/{state.name}[{index}]".lstrip("/"))
    fan.children[index] = child
    fan.active.append(child)
    if fan.distributed:
        start_child(execution, fan, child, child_input)




# --- Distributed Map: ItemReader, ItemBatcher, ResultWriter over a local folder ----------------

def read_items(execution, frame, state, data, states) -> list:
    from .registry import service
    _read = service("s3files").read_items
    reader = state.extra["item_reader"]
    return _read(execution, frame, state, reader, data, states)


def _batch_limit(execution, frame, state, batcher: dict, field: str, data: Any) -> Any:
    """MaxItemsPerBatch / MaxInputBytesPerBatch, or their ``...Path`` read from the state input."""
    if field + "Path" not in batcher:
        return batcher.get(field)
    from ..asl.paths import compile_path
    try:
        value = compile_path(batcher[field + "Path"]).get(data, execution.context(frame, state), frame.scope)
    except PathNotFound as exc:
        raise StatesError(RUNTIME, str(exc)) from None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise StatesError(RUNTIME, f"ItemBatcher.{field}Path must point at a positive integer, but "
                                   f"{batcher[field + 'Path']} is {to_json(value)}")
    return value


def _batch(execution, frame, state, items: list, batcher: dict, data: Any) -> list:
    size = _batch_limit(execution, frame, state, batcher, "MaxItemsPerBatch", data) or len(items) or 1
    max_bytes = _batch_limit(execution, frame, state, batcher, "MaxInputBytesPerBatch", data) or 262_144
    batch_input = batcher.get("BatchInput") or {}
    if not isinstance(size, int) or size <= 0:
        raise StatesError(RUNTIME, f"ItemBatcher.MaxItemsPerBatch must be a positive integer, but was {size!r}")
    batches: list = []
    current: list = []
    for item in items:
        candidate = current + [item]
        if current and (len(candidate) > size or
                        len(json.dumps({"Items": candidate, **batch_input}).encode()) > max_bytes):
            batches.append(current)
            current = [item]
        else:
            current = candidate
    if current:
        batches.append(current)
    return [{**batch_input, "Items": b} for b in batches]


def write_results(execution, frame, state, fan) -> Any:
    """ResultWriter, once every child has ended (or the Map Run failed): the Map state's result."""
    if fan.sink is not None:  # exported as the children ended: the rest, then the manifest
        return fan.sink.close(execution, fan)
    from .registry import service
    _write = service("s3files").write_results
    return _write(execution, frame, state, fan)


def write_results_of_failed_run(execution, frame, state, fan) -> None:
    """A failed Map Run still exports what its children did (FAILED and PENDING files, AWS docs
    "ResultWriter (Map)"); a failure to write does not hide the Map Run's own error."""
    writer = state.extra.get("result_writer") or {}
    if not fan.distributed or "Resource" not in writer:
        return
    try:
        write_results(execution, frame, state, fan)
    except StatesError:
        pass
