"""Paths, intrinsic functions, JSONata strings and payload templates: their syntax, checked once per text.

Spec: Amazon States Language, "Paths", "Reference Paths", "Payload Template", "Intrinsic Functions", the
Pass state's Result, Variables (Assign), and the JSONata query language's ``{% %}`` strings.
Taught in: notebooks/04-data-flow-paths.ipynb, 05-parameters-and-result-selector.ipynb,
06-intrinsic-functions.ipynb, 14-jsonata-and-variables.ipynb.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ...errors import PathSyntaxError
from ..paths import CONTEXT, compile_path, compile_reference_path
from .fields import INTRINSIC_NAMES, INTRINSIC_START, JSONPATH, MAX_NAME, TIMESTAMP, WARNING, Path, is_expr
from .report import did_you_mean, short, type_name

if TYPE_CHECKING:
    from .checker import State, Validator

_SYNTAX_CACHE: dict[tuple[str, str], Any] = {}


def cached(kind: str, text: str, check: Callable[[str], Any]) -> Any:
    key = (kind, text)
    if key not in _SYNTAX_CACHE:
        if len(_SYNTAX_CACHE) > 20_000:
            _SYNTAX_CACHE.clear()
        _SYNTAX_CACHE[key] = check(text)
    return _SYNTAX_CACHE[key]


def path_reason(text: str) -> str | None:
    """Why ``text`` is not a JSONPath (``$``, ``$$`` or ``$variable`` root), or None."""
    try:
        compile_path(text)
    except PathSyntaxError as exc:
        return exc.reason
    except RecursionError:
        return "the path is nested too deeply"
    except Exception as exc:  # a path library's own failure is still a syntax problem for the user
        return f"{type(exc).__name__}: {exc}"
    return None


def reference_reason(text: str, context: bool = False) -> str | None:
    """Why ``text`` is not a reference path (a single value: names and indices only)."""
    reason = cached("path", text, path_reason)
    if reason:
        return reason
    path = compile_path(text)
    if path.keys is None:
        return "a reference path names one value: names and indices only, no wildcards, filters, slices or '..'"
    if path.root == CONTEXT and not context:
        return "the context object ($$) cannot be used here"
    return None


def result_path_reason(text: str) -> str | None:
    try:
        compile_reference_path(text)
    except PathSyntaxError as exc:
        return exc.reason
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def intrinsic_reason(text: str) -> str | None:
    """Why ``text`` is not a valid intrinsic function call (syntax, name, arity), or None."""
    try:
        from ..intrinsics import compile_intrinsic  # written alongside; optional here
    except Exception:  # without it, check the function name only
        name = text.split("(", 1)[0].strip()
        if name in INTRINSIC_NAMES:
            return None
        hint = did_you_mean(name, INTRINSIC_NAMES)
        return f"unknown intrinsic function '{name}'" + (f"; {hint}" if hint else "")
    try:
        compile_intrinsic(text)
    except PathSyntaxError as exc:
        return exc.reason
    except RecursionError:
        return "intrinsic functions are nested too deeply"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def jsonata_reason(text: str, states_fields: tuple) -> tuple[str, str] | None:
    """``(code, message)`` when the ``{% %}`` string ``text`` does not parse (or reads what
    AWS refuses, such as a bare top-level name), else None."""
    try:
        from ..jsonata import diagnose  # written alongside; optional here
    except Exception:
        diagnose = None
    try:
        if diagnose is not None:
            return diagnose(text, states_fields)
        import jsonata  # the jsonata-python parser, when the project's wrapper is absent
        jsonata.Jsonata(text[2:-2].strip())
    except RecursionError:
        return "INVALID_JSONATA_EXPRESSION", "the expression is nested too deeply"
    except Exception as exc:
        return "INVALID_JSONATA_EXPRESSION", str(getattr(exc, "message", None) or exc)
    return None


def timestamp_reason(text: str) -> str | None:
    """Why ``text`` is not an RFC 3339 timestamp, or None."""
    return None if TIMESTAMP.match(text) else "use RFC 3339, e.g. 2024-01-31T09:00:00Z"


def timestamp_field_reason(text: str) -> str | None:
    """The same for the Wait state's Timestamp, where a path means TimestampPath was meant."""
    if TIMESTAMP.match(text):
        return None
    return "did you mean 'TimestampPath'?" if text.startswith("$") else "use RFC 3339, e.g. 2024-01-31T09:00:00Z"


# The syntax checks a field rule names (fields.Rule.syntax): text -> why it does not parse, or None.
SYNTAX: dict[str, Callable[[str], str | None]] = {
    "path": lambda text: cached("path", text, path_reason),
    "reference": lambda text: cached("ref", text, reference_reason),
    "reference+context": lambda text: cached("ref+ctx", text, lambda t: reference_reason(t, True)),
    "result_path": lambda text: cached("resultpath", text, result_path_reason),
    "timestamp": timestamp_reason,
    "timestamp_field": timestamp_field_reason,
}


def states_fields(relative: Path, stype: str) -> tuple:
    """The ``$states`` fields a JSONata string may read, by where it sits in the state."""
    if relative[:1] == ("Catch",):
        return ("input", "context", "errorOutput")
    if relative[:1] in (("Output",), ("Assign",)) and stype in ("Task", "Parallel", "Map"):
        return ("input", "context", "result")
    return ("input", "context")


def looks_dynamic(text: str) -> bool:
    """A literal string a learner probably meant as a path or an intrinsic call."""
    return text.startswith(("$.", "$$.", "$[")) or text in ("$", "$$") or bool(INTRINSIC_START.match(text))


# ---------------------------------------------------------------------------------------
# JSONata strings anywhere in a JSONata state
# ---------------------------------------------------------------------------------------

def jsonata_strings(v: Validator, body: dict, at: Path, stype: str) -> None:
    stack = [(child, at + (k,)) for k, child in reversed(list(body.items()))
             if k not in ("Comment", "Branches", "ItemProcessor", "Iterator", "Type", "Next", "Default")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            if is_expr(node):
                fields = states_fields(where[len(at):], stype)
                found = cached("jsonata:" + ",".join(fields), node, lambda t: jsonata_reason(t, fields))
                if found:
                    v.report(found[0], where, found[1], hint=f"in {short(node, 80)}")
        elif isinstance(node, dict):
            stack.extend((child, where + (k,)) for k, child in reversed(list(node.items())) if k != "Comment")
        elif isinstance(node, list):
            stack.extend((item, where + (i,)) for i, item in reversed(list(enumerate(node))))


# ---------------------------------------------------------------------------------------
# Payload templates: Parameters, ResultSelector, ItemSelector, Assign, Credentials
# ---------------------------------------------------------------------------------------

def payload_template(v: Validator, value: Any, at: Path) -> None:
    stack = [(value, at)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            children = []
            for key, child in node.items():
                if not isinstance(key, str):
                    v.expect(key, where + (key,), "String")
                    continue
                if key.endswith(".$") and len(key) > 2:
                    if key[:-2] in node:
                        v.schema(where + (key,), f"A duplicate field will exist after renaming to strip "
                                                 f"the '.$' suffix from: {key}", key=True,
                                 hint=f"both '{key[:-2]}' and '{key}' are present")
                    dynamic(v, child, where + (key,), key)
                else:
                    if isinstance(child, str) and looks_dynamic(child):
                        v.report("NO_DOLLAR", where + (key,), f"No '.$' on field '{key}', whose value "
                                 "looks like a JSONPath or an intrinsic function: it is used as plain text",
                                 severity=WARNING, key=True, hint=f"did you mean '{key}.$'?")
                    children.append((child, where + (key,)))
            stack.extend(reversed(children))
        elif isinstance(node, list):
            stack.extend((item, where + (i,)) for i, item in reversed(list(enumerate(node))))


def dynamic(v: Validator, value: Any, at: Path, key: str) -> None:
    """The value of a ``.$`` field: a path or an intrinsic function call."""
    message = f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call"
    if not isinstance(value, str):
        v.schema(at, message, hint=f"got {type_name(value)}: {short(value)}")
        return
    if value.startswith("States."):
        reason = cached("intrinsic", value, intrinsic_reason)
    elif value.startswith("$"):
        reason = cached("path", value, path_reason)
    else:
        reason = "a path starts with '$' and an intrinsic function with 'States.'"
    if reason:
        v.schema(at, message, hint=reason)


# ---------------------------------------------------------------------------------------
# The checks of fields whose value is a template, variables or a static value (fields.Rule.check)
# ---------------------------------------------------------------------------------------

def payload(v: Validator, value: Any, at: Path, st: State) -> None:
    if st.lang == JSONPATH:  # in JSONata, '.$' keys mean nothing special
        payload_template(v, value, at)


def assign(v: Validator, value: dict, at: Path, st: State) -> None:
    for key in value:
        name = key[:-2] if isinstance(key, str) and key.endswith(".$") and st.lang == JSONPATH else key
        if not isinstance(name, str) or not name.isidentifier():
            v.schema(at + (key,), f"Invalid variable name: {short(name)}", key=True,
                     hint="a variable name starts with a letter or '_' and holds letters, digits and '_'")
        elif len(name) > MAX_NAME:
            v.schema(at + (key,), f"Invalid variable name: '{name}' exceeds the {MAX_NAME}-character limit",
                     key=True)
        elif name == "states":
            v.schema(at + (key,), "Invalid variable name: 'states' is reserved", key=True,
                     hint="$states holds the input, result and context of the state")
    if st.lang == JSONPATH:
        payload_template(v, value, at)


def static_result(v: Validator, value: Any, at: Path, st: State) -> None:
    """A Pass state's Result: '.$' keys there are not paths (a warning: the learner likely meant Parameters)."""
    stack = [(value, at)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            for key, child in node.items():
                if isinstance(key, str) and key.endswith(".$"):
                    v.report("PASS_RESULT_IS_STATIC", where + (key,), f"The Result of a Pass state is static: "
                             f"field '{key}' is not evaluated as a path", severity=WARNING, key=True,
                             hint="use \"Parameters\" to build the output from the input")
                stack.append((child, where + (key,)))
        elif isinstance(node, list):
            stack.extend((child, where + (i,)) for i, child in enumerate(node))
