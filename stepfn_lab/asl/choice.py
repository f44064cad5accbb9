"""Choice rules: the 39 comparison operators and ``And`` / ``Or`` / ``Not``, compiled once.

Spec: Amazon States Language, "Choice Rules". Taught in: notebooks/07-choice.ipynb.

``compile_rule`` turns one JSONPath rule into a ``Rule`` whose ``evaluate(data,
context, variables)`` returns True or False. Every comparison is one entry of
``COMPARATORS``; a ``...Path`` operator reads its right-hand side with a path
(``$.x``, ``$$.x`` or ``$var``) and then uses the same function.

What AWS does, and this module reproduces (recorded in the conformance cases):

* a type mismatch compares false, it never fails: ``"12"`` is not ``NumericEquals``
  12, and ``true`` is not a number;
* a ``Variable`` (or a ``...Path`` operand) that selects nothing fails the state with
  ``States.Runtime`` "Invalid path '$.x': The choice state's condition path
  references an invalid value." Only ``IsPresent`` may look at a missing path;
* timestamps are RFC 3339 with a zone (``2016-03-14T01:59:00Z``,
  ``...T01:59:00.123+02:00``) and compare as instants; anything else is not a
  timestamp, so it compares false;
* ``StringMatches`` knows one wildcard, ``*``; ``\\*`` is a literal star.

``describe(rule)`` writes a rule as short text for diagrams: ``$.a > 1``.
"""

from __future__ import annotations

import calendar
import datetime
import difflib
import functools
import json
import re
from typing import Any, Callable

from ..errors import RUNTIME, DefinitionError, PathSyntaxError, Problem, StatesError, StepFnLabError
from .paths import PathNotFound, compile_path

# --- Value tests --------------------------------------------------------------------------

_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(?:[Zz]|([+-])(\d{2}):(\d{2}))\Z")


@functools.lru_cache(maxsize=4096)
def parse_timestamp(text: str) -> tuple[int, int] | None:
    """``'2016-03-14T01:59:00.5Z'`` -> ``(epoch_seconds, nanoseconds)``, or None if not a timestamp."""
    match = _TIMESTAMP.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, sign, off_h, off_m = match.groups()
    try:
        moment = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    except ValueError:  # month 13, hour 25, February 30 ...
        return None
    offset = 0
    if sign:
        if int(off_h) > 18 or int(off_m) > 59:
            return None
        offset = (int(off_h) * 3600 + int(off_m) * 60) * (1 if sign == "+" else -1)
    nanos = int((fraction or "").ljust(9, "0"))
    return calendar.timegm(moment.timetuple()) - offset, nanos


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)  # booleans are not numbers


def _utf16(text: str) -> bytes:
    """The UTF-16 code units of a string, big-endian: bytes that sort as Java's ``String.compareTo``.
    ``surrogatepass`` keeps a lone surrogate (legal in a JSON string, and in a Java string)."""
    return text.encode("utf-16-be", "surrogatepass")


def _strings(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    # Design note: AWS's interpreter is Java, whose String.compareTo orders strings by UTF-16 code
    # unit; Python orders them by code point. The two agree except when a character above U+FFFF
    # (a surrogate pair, e.g. an emoji) meets one between U+E000 and U+FFFF. Plain ASCII on both
    # sides (the common case) compares as it is; otherwise BOTH sides become UTF-16 code units,
    # so the comparison never mixes str and bytes.
    def test(value: Any, operand: Any) -> bool:
        if type(value) is not str or type(operand) is not str:
            return False
        if value.isascii() and operand.isascii():
            return compare(value, operand)
        return compare(_utf16(value), _utf16(operand))
    return test


def _numbers(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda value, operand: _is_number(value) and _is_number(operand) and compare(value, operand)


def _timestamps(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def test(value: Any, operand: Any) -> bool:
        if type(value) is not str or type(operand) is not str:
            return False
        left, right = parse_timestamp(value), parse_timestamp(operand)
        return left is not None and right is not None and compare(left, right)
    return test


@functools.lru_cache(maxsize=1024)
def wildcard_pattern(pattern: str) -> re.Pattern:
    """``'log-*.txt'`` -> a regex; ``\\*`` is a literal star and ``\\\\`` a literal backslash."""
    pieces, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "*\\":
            pieces.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        pieces.append(".*" if c == "*" else re.escape(c))
        i += 1
    return re.compile("".join(pieces), re.DOTALL)


def _string_matches(value: Any, pattern: Any) -> bool:
    return type(value) is str and type(pattern) is str and wildcard_pattern(pattern).fullmatch(value) is not None


def _type_test(test: Callable[[Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda value, expected: test(value) is expected


_ORDERINGS = {
    "Equals": lambda a, b: a == b,
    "LessThan": lambda a, b: a < b,
    "GreaterThan": lambda a, b: a > b,
    "LessThanEquals": lambda a, b: a <= b,
    "GreaterThanEquals": lambda a, b: a >= b,
}
_FAMILIES = {"String": _strings, "Numeric": _numbers, "Timestamp": _timestamps}

# One function per operator: fn(value selected by Variable, operand) -> bool.
COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    family + order: wrap(compare) for family, wrap in _FAMILIES.items() for order, compare in _ORDERINGS.items()
}
COMPARATORS.update({
    "StringMatches": _string_matches,
    "BooleanEquals": lambda value, operand: type(value) is bool and type(operand) is bool and value is operand,
    "IsNull": _type_test(lambda value: value is None),
    "IsNumeric": _type_test(_is_number),
    "IsString": _type_test(lambda value: type(value) is str),
    "IsBoolean": _type_test(lambda value: type(value) is bool),
    "IsTimestamp": _type_test(lambda value: type(value) is str and parse_timestamp(value) is not None),
    "IsPresent": lambda present, expected: present is expected,  # given presence, not the value
})
# The ...Path forms read the operand with a path, then compare the same way.
PATH_OPERATORS = {name + "Path": name for name in list(COMPARATORS)
                  if not name.startswith("Is") and name != "StringMatches"}
COMPARATORS.update({path_name: COMPARATORS[name] for path_name, name in PATH_OPERATORS.items()})

# The JSON type each operator's literal operand must have.
_OPERAND_TYPES = {"String": str, "Numeric": (int, float), "Timestamp": str, "Boolean": bool, "Is": bool}


def _operand_type(operator: str) -> Any:
    return next(kind for prefix, kind in _OPERAND_TYPES.items() if operator.startswith(prefix))


# --- Compiled rules -----------------------------------------------------------------------

class Rule:
    """A compiled Choice rule. Top-level rules carry ``next`` and, if present, the raw
    ``assign`` and ``output``; JSONata rules carry their raw ``condition``."""

    __slots__ = ("raw", "location", "next", "assign", "output", "condition", "_test")

    def __init__(self, raw: dict, location: str, test: Callable[[Any, Any, Any], bool] | None):
        self.raw, self.location, self._test = raw, location, test
        self.next = raw.get("Next")
        self.assign = raw.get("Assign")
        self.output = raw.get("Output")
        self.condition = raw.get("Condition")

    def evaluate(self, data: Any, context: Any = None, variables: Any = None) -> bool:
        """True when the rule matches. Raises ``StatesError`` (States.Runtime) on a missing path."""
        if self._test is None:
            raise StepFnLabError(f"{self.location} is a JSONata rule (Condition); "
                                 "it is evaluated by the JSONata module")
        return self._test(data, context, variables)

    def describe(self) -> str:
        return describe(self.raw)

    def __repr__(self) -> str:
        return f"Rule({describe(self.raw)!r} -> {self.next!r})"


def _invalid_path(text: str) -> StatesError:
    return StatesError(RUNTIME, f"Invalid path '{text}': The choice state's condition path references an invalid value.")


def _reader(path: Any) -> Callable[[Any, Any, Any], Any]:
    get, text = path.get, path.text

    def read(data: Any, context: Any, variables: Any) -> Any:
        try:
            return get(data, context, variables)
        except PathNotFound:
            raise _invalid_path(text) from None
    return read


class _Compiler:
    """Checks a rule's shape, collecting every problem, and builds its test function."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, where: str, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(where, message, hint=hint))

    def rule(self, raw: Any, where: str, top: bool) -> Callable | None:
        if not isinstance(raw, dict):
            self.problem(where, f"a Choice rule must be an object, not {json.dumps(raw)}")
            return None
        if top and not isinstance(raw.get("Next"), str):
            self.problem(where, "a Choice rule needs 'Next': the name of the state to go to when it matches")
        if not top and "Next" in raw:
            self.problem(where, "only top-level Choice rules have 'Next'",
                         "remove 'Next' from this rule inside And/Or/Not")
        for key in ("And", "Or", "Not"):
            if key in raw:
                return self.boolean(raw, key, where)
        return self.comparison(raw, where)

    def boolean(self, raw: dict, key: str, where: str) -> Callable | None:
        extra = sorted(set(raw) - {key, "Next", "Assign", "Output", "Comment"})
        if extra:
            self.problem(where, f"'{key}' cannot be combined with {', '.join(map(repr, extra))} in the same rule",
                         f"put the comparison inside the '{key}'")
        if key == "Not":
            inner = self.rule(raw["Not"], f"{where}/Not", top=False)
            return None if inner is None else (lambda d, c, v: not inner(d, c, v))
        rules = raw[key]
        if not isinstance(rules, list) or not rules:
            self.problem(where, f"'{key}' must be a non-empty array of rules")
            return None
        tests = [self.rule(r, f"{where}/{key}[{i}]", top=False) for i, r in enumerate(rules)]
        if any(t is None for t in tests):
            return None
        if key == "And":
            return lambda d, c, v: all(t(d, c, v) for t in tests)
        return lambda d, c, v: any(t(d, c, v) for t in tests)

    def comparison(self, raw: dict, where: str) -> Callable | None:
        operators = [k for k in raw if k in COMPARATORS]
        unknown = sorted(set(raw) - set(COMPARATORS) - {"Variable", "Next", "Assign", "Output", "Comment"})
        for key in unknown:
            close = difflib.get_close_matches(key, list(COMPARATORS) + ["Variable", "And", "Or", "Not"], n=1)
            self.problem(where, f"unknown field {key!r} in a Choice rule",
                         f"did you mean {close[0]!r}?" if close else None)
        if len(operators) != 1 and not (unknown and not operators):
            found = f"found {', '.join(operators)}" if operators else "found none"
            self.problem(where, f"a Choice rule needs exactly one comparison operator ({found})",
                         "e.g. \"NumericEquals\": 1, or combine rules with And/Or/Not")
        if len(operators) != 1:
            return None
        operator = operators[0]
        variable = self.path(raw.get("Variable"), f"{where}/Variable", "Variable")
        operand = self.operand(operator, raw[operator], f"{where}/{operator}")
        if variable is None or operand is None:
            return None
        return self.test(operator, variable, operand)

    def path(self, text: Any, where: str, field: str) -> Any:
        if not isinstance(text, str):
            self.problem(where, f"'{field}' must be a path string such as \"$.order.total\", not {json.dumps(text)}")
            return None
        try:
            return compile_path(text)
        except PathSyntaxError as exc:
            caret = f"{text}\n{' ' * exc.column}^" if exc.column is not None else None
            self.problems.append(Problem(where, f"invalid {field}: {exc.reason}", column=exc.column, excerpt=caret))
            return None

    def operand(self, operator: str, value: Any, where: str) -> Any:
        if operator in PATH_OPERATORS:
            return self.path(value, where, operator)
        kind = _operand_type(operator)
        if not isinstance(value, kind) or (kind != bool and isinstance(value, bool)):
            wanted = {str: "a string", bool: "true or false"}.get(kind, "a number")  # type: ignore[call-overload]
            self.problem(where, f"the value of '{operator}' must be {wanted}, not {json.dumps(value)}")
            return None
        if operator.startswith("Timestamp") and parse_timestamp(value) is None:
            self.problem(where, f"{json.dumps(value)} is not a timestamp",
                         "write RFC 3339 with a zone, e.g. \"2016-03-14T01:59:00Z\"")
            return None
        return value

    @staticmethod
    def test(operator: str, variable: Any, operand: Any) -> Callable[[Any, Any, Any], bool]:
        compare = COMPARATORS[operator]
        if operator == "IsPresent":
            exists = variable.exists
            return lambda d, c, v: compare(exists(d, c, v), operand)
        read = _reader(variable)
        if operator in PATH_OPERATORS:
            read_operand = _reader(operand)
            return lambda d, c, v: compare(read(d, c, v), read_operand(d, c, v))
        return lambda d, c, v: compare(read(d, c, v), operand)


def compile_rule(rule: dict, location: str = "/Choices[0]") -> Rule:
    """Compile a top-level Choice rule. Raises ``DefinitionError`` listing every problem.

    >>> rule = compile_rule({"Variable": "$.total", "NumericGreaterThan": 100, "Next": "Review"})
    >>> rule.evaluate({"total": 250}), rule.next
    (True, 'Review')
    """
    if isinstance(rule, dict) and "Condition" in rule:  # JSONata: carried raw for the engine
        return Rule(rule, location, None)
    compiler = _Compiler()
    test = compiler.rule(rule, location, top=True)
    if compiler.problems or test is None:
        raise DefinitionError(compiler.problems or [Problem(location, "invalid Choice rule")])
    return Rule(rule, location, test)


# --- Text for diagrams --------------------------------------------------------------------

_SYMBOLS = {"Equals": "==", "LessThan": "<", "GreaterThan": ">", "LessThanEquals": "<=", "GreaterThanEquals": ">="}
_TYPE_WORDS = {"IsNull": "null", "IsPresent": "present", "IsNumeric": "numeric", "IsString": "a string",
               "IsBoolean": "a boolean", "IsTimestamp": "a timestamp"}


def describe(rule: Any) -> str:
    """A rule as one line of text: ``$.a > 1``, ``not ($.x is present)``, ``($.a > 1) and ($.b < 2)``.

    >>> describe({"And": [{"Variable": "$.a", "NumericGreaterThan": 1},
    ...                   {"Variable": "$.b", "StringMatches": "log-*"}]})
    '($.a > 1) and ($.b matches "log-*")'
    """
    if not isinstance(rule, dict):
        return "(not a rule)"
    if "Condition" in rule:
        text = str(rule["Condition"]).strip()
        return text[2:-2].strip() if text.startswith("{%") and text.endswith("%}") else text
    if "Not" in rule:
        return f"not ({describe(rule['Not'])})"
    for key in ("And", "Or"):
        if key in rule:
            rules = rule[key] if isinstance(rule[key], list) else [rule[key]]
            return f" {key.lower()} ".join(f"({describe(r)})" for r in rules)
    variable = rule.get("Variable", "?")
    operator = next((k for k in rule if k in COMPARATORS), None)
    if operator is None:
        return f"{variable} ?"
    value = rule[operator]
    if operator in _TYPE_WORDS:
        return f"{variable} is {'' if value is not False else 'not '}{_TYPE_WORDS[operator]}"
    shown = str(value) if operator in PATH_OPERATORS else json.dumps(value, ensure_ascii=False)
    if operator == "StringMatches":
        return f"{variable} matches {shown}"
    base = PATH_OPERATORS.get(operator, operator)
    order = re.sub(r"^(String|Numeric|Timestamp|Boolean)", "", base)
    return f"{variable} {_SYMBOLS.get(order, order)} {shown}"
