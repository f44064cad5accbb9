"""Definition text, dict or file -> the compiled ``model``.

Spec: Amazon States Language, "State Machine Structure" and every state type's
fields. Taught in: notebooks/02-asl-anatomy.ipynb.

``load_definition`` reads JSON (reporting the line and column of a syntax error),
``compile_definition`` turns a validated definition into ``model.Definition``:
every path, payload template, JSONata expression and Choice rule is compiled
here, once per definition.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path as FilePath
from typing import Any

from ..errors import DefinitionError, PathSyntaxError, Problem
from . import model
from .model import JSONPATH, Catcher, Definition, Retrier, State
from .paths import compile_path, compile_reference_path


def load_definition(definition: Any) -> tuple[dict, str | None]:
    """Return ``(definition_dict, source_text_or_None)`` from a dict, JSON text or a path."""
    from .source import DEPTH_LIMIT, definition_problem, json_problem, not_a_definition, pointer, too_deep_text
    if isinstance(definition, dict):
        found = definition_problem(definition)
        if found is not None:
            where, why = found
            code = "TOO_DEEPLY_NESTED" if why.startswith("nested more") else "SCHEMA_VALIDATION_FAILED"
            raise DefinitionError([Problem(pointer(where), f"the value is not JSON stepfn_lab can run: {why}",
                                           code)])
        return definition, None
    if isinstance(definition, os.PathLike) or (
            isinstance(definition, str) and not definition.lstrip().startswith(("{", "[")) and len(definition) < 4096
            and _is_file(definition)):
        path = os.fspath(definition)
        try:
            text = FilePath(definition).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise DefinitionError([Problem("", f"Cannot read the definition file '{path}': {exc}",
                                           "MISSING_DESCRIPTION")]) from None
        reason = not_a_definition(text)
        if reason:  # say why without echoing the file: it may be any file, secrets included
            raise DefinitionError([Problem("", f"The file '{path}' is not a state machine definition: {reason}",
                                           "INVALID_JSON_DESCRIPTION")])
    elif isinstance(definition, (str, bytes)):
        try:
            text = definition.decode("utf-8") if isinstance(definition, bytes) else definition
        except UnicodeDecodeError as exc:
            raise DefinitionError([Problem("", f"Invalid UTF-8 in the definition: {exc}",
                                           "INVALID_JSON_DESCRIPTION")]) from None
    else:
        raise DefinitionError([Problem("", f"a definition must be a dict, JSON text or a file path, "
                                           f"not {type(definition).__name__}", "INVALID_JSON_DESCRIPTION")])
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        line = text.splitlines()[exc.lineno - 1] if text.splitlines() else ""
        raise DefinitionError([Problem("", f"Invalid JSON: {exc.msg}", "INVALID_JSON_DESCRIPTION",
                                       line=exc.lineno, column=exc.colno,
                                       excerpt=f"{line}\n{' ' * (exc.colno - 1)}^")]) from None
    except RecursionError:
        raise DefinitionError([Problem("", f"The definition is nested more than {DEPTH_LIMIT} levels deep "
                                           "(stepfn_lab's limit)", "TOO_DEEPLY_NESTED")]) from None
    if not isinstance(value, dict):
        raise DefinitionError([Problem("", "the definition must be a JSON object with 'StartAt' and 'States'",
                                       "SCHEMA_VALIDATION_FAILED")])
    if too_deep_text(text):
        found = json_problem(value)
        raise DefinitionError([Problem(pointer(found[0]), f"The definition is {found[1]}", "TOO_DEEPLY_NESTED")])
    return value, text


def _is_file(text: str) -> bool:
    try:
        return os.path.exists(text)
    except (ValueError, OSError):  # e.g. a NUL character in the text
        return False


_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")


def structure_problems(raw: dict) -> list[Problem]:
    """What the engine needs to run a definition at all, checked even with ``validate=False``:
    every machine has States and a StartAt that names one, every state is an object of a known
    Type, and every transition (Next, Default, a Choice rule's or a Catcher's Next) names a state.
    Iterative over nested machines; the full check is ``validate``."""
    from difflib import get_close_matches
    problems: list[Problem] = []
    todo: list[tuple[Any, str]] = [(raw, "")]
    while todo:
        machine, at = todo.pop()
        if not isinstance(machine, dict):
            problems.append(Problem(at, f"a state machine must be an object with StartAt and States, "
                                        f"not {type(machine).__name__}"))
            continue
        states = machine.get("States")
        if not isinstance(states, dict) or not states:
            problems.append(Problem(at + "/States", "States must be an object with at least one state"))
            continue
        names = [n for n in states if isinstance(n, str)]

        def target(where: str, field: str, value: Any) -> None:
            if not isinstance(value, str) or value not in states:
                close = get_close_matches(str(value), names, 1)
                problems.append(Problem(where, f"{field} names no state of this machine: {value!r}",
                                        hint=f"did you mean {close[0]!r}?" if close else None))
        target(at + "/StartAt", "StartAt", machine.get("StartAt"))
        for name, body in states.items():
            where = f"{at}/States/{name}"
            if not isinstance(name, str) or not isinstance(body, dict):
                problems.append(Problem(where, "a state must be an object named by a string"))
                continue
            kind = body.get("Type")
            if kind not in _TYPES:
                close = get_close_matches(str(kind), _TYPES, 1)
                problems.append(Problem(where + "/Type", f"unknown state Type {kind!r}",
                                        hint=f"did you mean {close[0]!r}?" if close else None))
                continue
            if "Next" in body:
                target(where + "/Next", "Next", body["Next"])
            elif kind not in ("Choice", "Succeed", "Fail") and body.get("End") is not True:
                problems.append(Problem(where, "the state needs \"Next\" or \"End\": true"))
            for field in ("Retry", "Catch") + (("Choices",) if kind == "Choice" else ()):
                rules = body.get(field, [])
                if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
                    problems.append(Problem(f"{where}/{field}", f"{field} must be an array of objects"))
                elif field != "Retry":
                    for i, rule in enumerate(rules):
                        target(f"{where}/{field}/{i}/Next", "Next", rule.get("Next"))
            if kind == "Choice":
                if not body.get("Choices"):
                    problems.append(Problem(where + "/Choices", "a Choice state needs at least one rule"))
                if "Default" in body:
                    target(where + "/Default", "Default", body["Default"])
            elif kind == "Parallel":
                branches = body.get("Branches")
                if not isinstance(branches, list) or not branches:
                    problems.append(Problem(where + "/Branches", "a Parallel state needs at least one branch"))
                else:
                    todo.extend((b, f"{where}/Branches/{i}") for i, b in enumerate(branches))
            elif kind == "Map":
                field = "ItemProcessor" if "ItemProcessor" in body else "Iterator"
                todo.append((body.get(field), f"{where}/{field}"))
    return problems


def compile_definition(raw: dict) -> Definition:
    """Compile a definition that passed validation. Raises DefinitionError on what cannot compile."""
    problems: list[Problem] = []
    result = _compile_machine(raw, "", raw.get("QueryLanguage", JSONPATH), problems)
    if problems:
        raise DefinitionError(problems)
    return result


def _compile_machine(raw: dict, pointer: str, language: str, problems: list[Problem]) -> Definition:
    language = raw.get("QueryLanguage", language)
    states: dict[str, State] = {}
    for name, body in (raw.get("States") or {}).items():
        where = f"{pointer}/States/{name}"
        try:
            states[name] = _compile_state(name, body, where, body.get("QueryLanguage", language), problems)
        except PathSyntaxError as exc:
            problems.append(Problem(where + (f"/{exc.field_name}" if exc.field_name else ""), str(exc)))
    timeout = raw.get("TimeoutSeconds")
    return Definition(raw.get("StartAt"), states, language, timeout, raw.get("Comment"), raw, pointer)


def _compile_state(name: str, raw: dict, pointer: str, language: str, problems: list[Problem]) -> State:
    state = State(name, raw.get("Type"), raw, pointer, language)
    if language == JSONPATH:
        _compile_jsonpath_flow(state, raw)
    else:
        _compile_jsonata_flow(state, raw)
    compile_type = _TYPE_COMPILERS.get(state.type)
    if compile_type:
        compile_type(state, raw, problems)
    state.retriers = [_retrier(r) for r in raw.get("Retry", [])]
    state.catchers = [_catcher(c, state, i) for i, c in enumerate(raw.get("Catch", []))]
    if "Assign" in raw:
        state.assign = _template(state, raw["Assign"], "Assign")
    text = json.dumps(raw)
    # only states that can read the context object get one built (it costs more than most expressions)
    state.uses_context = "$$" in text or _READS_CONTEXT.search(text) is not None
    return state


_READS_CONTEXT = re.compile(r"\$states(?!\.(?:input|result|errorOutput)\b)")


def _optional_path(raw: dict, key: str):
    if key not in raw:
        return model.ROOT_PATH_MARK
    if raw[key] is None:
        return None
    try:
        return compile_path(raw[key])
    except PathSyntaxError as exc:
        exc.field_name = key
        raise


def _compile_jsonpath_flow(state: State, raw: dict) -> None:
    from .payload import compile_payload
    state.input_path = _optional_path(raw, "InputPath")
    state.output_path = _optional_path(raw, "OutputPath")
    if "ResultPath" in raw:
        state.result_path = None if raw["ResultPath"] is None else compile_reference_path(raw["ResultPath"])
    if "Parameters" in raw:
        state.parameters = compile_payload(raw["Parameters"], "Parameters")
    if "ResultSelector" in raw:
        state.result_selector = compile_payload(raw["ResultSelector"], "ResultSelector")


def _compile_jsonata_flow(state: State, raw: dict) -> None:
    if "Arguments" in raw:
        state.arguments = _jsonata_template(raw["Arguments"], "Arguments")
    if "Output" in raw:
        state.output = _jsonata_template(raw["Output"], "Output")


def _jsonata_template(value: Any, field: str):
    from .jsonata import compile_template
    return compile_template(value, field)


def _template(state: State, value: Any, field: str):
    """A template in the state's own query language (Assign, Output of a Catch, ...)."""
    if state.is_jsonata:
        return _jsonata_template(value, field)
    from .payload import compile_payload
    return compile_payload(value, field)


def _value_or_expression(state: State, raw: dict, key: str):
    """A field that is a literal, or (JSONata) a ``{% %}`` expression, or (JSONPath) has a ``<key>Path``."""
    if key in raw:
        value = raw[key]
        if state.is_jsonata and isinstance(value, str):
            from .jsonata import compile_template
            return ("value", compile_template(value, key))
        return ("value", None if value is None else _Const(value))
    if key + "Path" in raw:
        text = raw[key + "Path"]
        from .intrinsics import compile_intrinsic, is_intrinsic
        if isinstance(text, str) and is_intrinsic(text):  # ErrorPath/CausePath may call an intrinsic
            return ("intrinsic", compile_intrinsic(text))
        return ("path", compile_path(text))
    return None


class _Const:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def evaluate(self, *args, **kwargs):
        return self.value


def _retrier(raw: dict) -> Retrier:
    return Retrier(tuple(raw.get("ErrorEquals", ())), raw.get("IntervalSeconds", 1), raw.get("MaxAttempts", 3),
                   raw.get("BackoffRate", 2.0), raw.get("MaxDelaySeconds"), raw.get("JitterStrategy", "NONE"))


def _catcher(raw: dict, state: State, index: int) -> Catcher:
    catcher = Catcher(tuple(raw.get("ErrorEquals", ())), raw.get("Next"))
    if state.is_jsonata:
        if "Output" in raw:
            catcher.output = _jsonata_template(raw["Output"], "Output")
    elif "ResultPath" in raw:
        catcher.result_path = None if raw["ResultPath"] is None else compile_reference_path(raw["ResultPath"])
    else:
        catcher.result_path = model.ROOT_PATH_MARK
    if "Assign" in raw:
        catcher.assign = _template(state, raw["Assign"], "Assign")
    return catcher


# --- one compiler per state type -------------------------------------------------------

def _compile_pass(state: State, raw: dict, problems) -> None:
    state.extra["has_result"] = "Result" in raw
    state.extra["result"] = raw.get("Result")


def _compile_task(state: State, raw: dict, problems) -> None:
    state.extra["resource"] = raw.get("Resource")
    state.extra["timeout"] = _value_or_expression(state, raw, "TimeoutSeconds")
    state.extra["heartbeat"] = _value_or_expression(state, raw, "HeartbeatSeconds")
    state.extra["credentials"] = raw.get("Credentials")


def _compile_choice(state: State, raw: dict, problems) -> None:
    state.default = raw.get("Default")
    rules = []
    for i, rule in enumerate(raw.get("Choices", [])):
        where = f"{state.pointer}/Choices[{i}]"
        if state.is_jsonata or "Condition" in rule:
            rules.append(_JsonataRule(rule, where))
        else:
            from .choice import compile_rule
            compiled = compile_rule(rule, where)
            compiled.assign = _template(state, rule["Assign"], "Assign") if "Assign" in rule else None
            compiled.output = None
            rules.append(compiled)
    state.choices = rules


class _JsonataRule:
    """A JSONata Choice rule: ``Condition``, ``Next`` and optional ``Assign``/``Output``."""

    def __init__(self, raw: dict, pointer: str):
        from .jsonata import compile_template
        self.raw = raw
        self.next = raw.get("Next")
        self.condition = compile_template(raw.get("Condition"), "Condition")
        self.assign = compile_template(raw["Assign"], "Assign") if "Assign" in raw else None
        self.output = compile_template(raw["Output"], "Output") if "Output" in raw else None


def _compile_wait(state: State, raw: dict, problems) -> None:
    for key in ("Seconds", "Timestamp"):
        spec = _value_or_expression(state, raw, key)
        if spec:
            state.extra["wait"] = (key,) + spec


def _compile_fail(state: State, raw: dict, problems) -> None:
    state.extra["error"] = _value_or_expression(state, raw, "Error")
    state.extra["cause"] = _value_or_expression(state, raw, "Cause")


def _compile_parallel(state: State, raw: dict, problems) -> None:
    state.branches = [_compile_machine(b, f"{state.pointer}/Branches[{i}]", state.query_language, problems)
                      for i, b in enumerate(raw.get("Branches", []))]


def _compile_map(state: State, raw: dict, problems) -> None:
    processor = raw.get("ItemProcessor") or raw.get("Iterator") or {}
    key = "ItemProcessor" if "ItemProcessor" in raw else "Iterator"
    state.processor = _compile_machine(processor, f"{state.pointer}/{key}", state.query_language, problems)
    config = processor.get("ProcessorConfig") or {}
    state.extra["mode"] = config.get("Mode", "INLINE")
    state.extra["execution_type"] = config.get("ExecutionType", "STANDARD")
    if state.is_jsonata:
        if "Items" in raw:
            state.extra["items"] = _jsonata_template(raw["Items"], "Items")
        if "ItemSelector" in raw:
            state.extra["item_selector"] = _jsonata_template(raw["ItemSelector"], "ItemSelector")
    else:
        from .payload import compile_payload
        state.extra["items_path"] = _optional_path(raw, "ItemsPath")
        selector = raw.get("ItemSelector", raw.get("Parameters") if "Parameters" in raw else None)
        if selector is not None:
            state.extra["item_selector"] = compile_payload(selector, "ItemSelector")
        state.parameters = None  # a Map's Parameters is the legacy ItemSelector
    state.extra["max_concurrency"] = _value_or_expression(state, raw, "MaxConcurrency")
    state.extra["tolerated_count"] = _value_or_expression(state, raw, "ToleratedFailureCount")
    state.extra["tolerated_percentage"] = _value_or_expression(state, raw, "ToleratedFailurePercentage")
    state.extra["item_reader"] = raw.get("ItemReader")
    state.extra["item_batcher"] = raw.get("ItemBatcher")
    state.extra["result_writer"] = raw.get("ResultWriter")
    state.extra["label"] = raw.get("Label")


_TYPE_COMPILERS = {
    "Pass": _compile_pass,
    "Task": _compile_task,
    "Choice": _compile_choice,
    "Wait": _compile_wait,
    "Succeed": lambda state, raw, problems: None,
    "Fail": _compile_fail,
    "Parallel": _compile_parallel,
    "Map": _compile_map,
}
