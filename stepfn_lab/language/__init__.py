"""The kit's language: one switch for every word the views print, and the number and date formats.

Not an ASL feature: the course runs in English and in Brazilian Portuguese
(notebooks/ and notebooks/pt-BR/). Each pt-BR notebook's setup cell calls
``sfl.set_language("pt-BR")`` (the English ones ``sfl.set_language("en")``), and
the Stepper, ``Compare``, the diagram legend, the tables, ``summary()``,
``history.table()`` and the exercise feedback follow it.

    >>> import stepfn_lab as sfl
    >>> sfl.set_language("pt-BR")
    >>> number(1234.5), money(2500), text("output")
    ('1.234,5', 'US$ 2.500,00', 'saída')
    >>> sfl.set_language("en")
    >>> number(1234.5), money(2500), text("output")
    ('1,234.5', '$2,500.00', 'output')

AWS's own names (state types, field names, error names, event types, statuses
such as SUCCEEDED) are never translated: the learner meets them as AWS writes them.

The setting is this module's own state (one value per Python process, like a
notebook kernel); nothing outside the kit changes. The message tables are
``en.MESSAGES`` and ``pt_br.MESSAGES``: one key, one short phrase, ``str.format`` fields.

Layer: foundation (with ``stepfn_lab.errors``), below asl: every layer may use it.

May import: errors.
"""

from __future__ import annotations

from datetime import date as _date, datetime
from typing import Any

from . import en, pt_br

ENGLISH, PORTUGUESE = "en", "pt-BR"
LANGUAGES = {ENGLISH: en.MESSAGES, PORTUGUESE: pt_br.MESSAGES}
_ALIASES = {"en": ENGLISH, "en-us": ENGLISH, "en-gb": ENGLISH, "english": ENGLISH,
            "pt": PORTUGUESE, "pt-br": PORTUGUESE, "pt_br": PORTUGUESE, "portugues": PORTUGUESE,
            "português": PORTUGUESE}

_current = ENGLISH

__all__ = ["set_language", "get_language", "text", "number", "money", "date", "seconds", "is_portuguese",
           "ENGLISH", "PORTUGUESE"]


def set_language(code: str) -> None:
    """Switch the kit's words to ``"en"`` or ``"pt-BR"`` (``get_language()`` says which is in use)."""
    global _current
    key = str(code).strip().lower() if isinstance(code, str) else None
    if key not in _ALIASES:
        raise ValueError(f"set_language({code!r}): the kit speaks 'en' and 'pt-BR' "
                         f"(o kit fala 'en' e 'pt-BR').")
    _current = _ALIASES[key]


def get_language() -> str:
    """The language in use: ``"en"`` or ``"pt-BR"``."""
    return _current


def is_portuguese(lang: str | None = None) -> bool:
    return (lang or _current) == PORTUGUESE


def text(key: str, lang: str | None = None, **values: Any) -> str:
    """The phrase ``key`` in the language in use (English when a table lacks it), formatted with ``values``."""
    table = LANGUAGES.get(lang or _current, en.MESSAGES)
    phrase = table.get(key, en.MESSAGES.get(key, key))
    return phrase.format(**values) if values else phrase


def number(value: float, places: int | None = None, lang: str | None = None) -> str:
    """``1234.5`` -> ``"1,234.5"`` (en) or ``"1.234,5"`` (pt-BR). ``places`` fixes the decimals; else ``:g``-like."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if places is None:
        if float(value).is_integer() and abs(value) < 1e15:
            body = f"{int(value):,}"
        else:
            body = f"{value:,.6f}".rstrip("0").rstrip(".")
    else:
        body = f"{value:,.{places}f}"
    if is_portuguese(lang):
        body = body.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return body


def money(usd: float, places: int = 2, lang: str | None = None) -> str:
    """US dollars: ``"$2,500.00"`` (en) or ``"US$ 2.500,00"`` (pt-BR)."""
    body = number(abs(usd), places, lang)
    sign = "-" if usd < 0 else ""
    return f"{sign}US$ {body}" if is_portuguese(lang) else f"{sign}${body}"


def date(value: _date | datetime, lang: str | None = None, *, time: bool = False) -> str:
    """``dd/mm/aaaa`` (pt-BR) or ISO ``yyyy-mm-dd`` (en); with ``time=True`` the clock time too (24 h)."""
    day = value.strftime("%d/%m/%Y") if is_portuguese(lang) else value.strftime("%Y-%m-%d")
    if time and isinstance(value, datetime):
        day += " " + value.strftime("%H:%M:%S")
    return day


def seconds(value: float, lang: str | None = None) -> str:
    """A duration in seconds, the way a person writes it: ``"1.5 s"`` / ``"1,5 s"``."""
    return f"{number(round(value, 3), lang=lang)} s"


# --------------------------------------------------------------------------- JSON for people

def _pieces(value: Any) -> list[str]:
    """Compact JSON cut after each item's comma: the places a line may break without splitting a token."""
    import json
    try:
        chunks = json.JSONEncoder(ensure_ascii=False, allow_nan=True).iterencode(value)
        pieces, current = [], ""
        for chunk in chunks:
            if chunk.startswith(", "):
                pieces.append(current + ",")
                current = chunk[2:]
            else:
                current += chunk
        pieces.append(current)
        return pieces
    except (TypeError, ValueError):
        return [repr(value)]


def json_text(value: Any, width: int = 88, indent: int = 0) -> str:
    """JSON (``null``, ``true``) on lines of at most ``width`` characters, broken only between items.

    Continuation lines start with ``indent`` spaces, so the text lines up after a label::

        >>> print("out:", json_text({"id": 7, "items": ["mug", "tea", "coffee"]}, width=24, indent=5))
        out: {"id": 7, "items":
             ["mug", "tea",
             "coffee"]}

    A single token longer than ``width`` (a long string) stays whole on its own line.
    """
    lines: list[str] = []
    line = ""
    for piece in _pieces(value):
        if line and len(line) + 1 + len(piece) > width:
            lines.append(line)
            line = piece
        else:
            line = f"{line} {piece}" if line else piece
    lines.append(line)
    return ("\n" + " " * indent).join(lines)


def json_short(value: Any, width: int = 60, separators: tuple[str, str] = (",", ":")) -> str:
    """Compact JSON cut to about ``width`` characters at a token boundary, ``...`` marking the cut."""
    import json
    try:
        whole = json.dumps(value, separators=separators, ensure_ascii=False)
    except (TypeError, ValueError):
        whole = repr(value)
        return whole if len(whole) <= width else whole[: width - 3] + "..."
    if len(whole) <= width:
        return whole
    out = ""
    for chunk in json.JSONEncoder(separators=separators, ensure_ascii=False).iterencode(value):
        if len(out) + len(chunk) > width - 3:
            break
        out += chunk
    if not out:  # one long token (a long string): cut inside it
        return whole[: width - 3] + "..."
    return out.rstrip(",:") + "..."
