"""Rows as the text of PostgreSQL's ``COPY … FROM STDIN`` (its default text format), built column by column.

psycopg's ``Copy.write_row`` formats a row at a time: 4–5 µs a row, 13 s of a million certificates' import
with their links. Here each column is turned into text once per distinct value (most columns of a
certificate file hold a few distinct values), and a block of rows is joined into one string written with
``Copy.write``. Text format: columns separated by a tab, rows by a newline, NULL as ``\\N``, and a backslash,
tab, newline or carriage return inside a value escaped with a backslash (PostgreSQL, COPY, "Text Format").
Values of a type not listed here raise :class:`Unsupported`; the caller then lets psycopg adapt them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

BLOCK = 50_000
NULL = "\\N"
_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_SPECIAL = ("\\", "\t", "\n", "\r")


class Unsupported(Exception):
    """A value this module does not write as text (psycopg adapts it instead)."""


def write(copy: Any, rows: Sequence[tuple[Any, ...]]) -> None:
    """``rows`` into an open psycopg ``Copy`` (text format), ``BLOCK`` rows at a time; a block holding a
    value of another type goes row by row through psycopg's own adaptation (the two mix in one COPY)."""
    for start in range(0, len(rows), BLOCK):
        chunk = rows[start : start + BLOCK]
        try:
            data = block(chunk)
        except Unsupported:
            for row in chunk:
                copy.write_row(row)
        else:
            copy.write(data)


def block(rows: Sequence[tuple[Any, ...]]) -> bytes:
    """The rows as COPY text, UTF-8 encoded."""
    columns = [column(values) for values in zip(*rows, strict=True)]
    return ("\n".join(map("\t".join, zip(*columns, strict=True))) + "\n").encode("utf-8")


def column(values: tuple[Any, ...]) -> list[str]:
    """One column's values as COPY text."""
    kinds = set(map(type, values))
    if kinds <= {str}:
        return _texts(list(values))
    if kinds <= {int, type(None)}:  # bool is not int here: type(True) is bool
        return [NULL if v is None else str(v) for v in values]
    memo: dict[tuple[type, Any], str] = {}
    out = []
    for v in values:
        key = (type(v), v)
        done = memo.get(key)
        if done is None:
            done = memo[key] = text(v)
        out.append(done)
    return out


def _texts(values: list[str]) -> list[str]:
    joined = "".join(values)  # once: the test below runs for each special character
    if any(c in joined for c in _SPECIAL):
        return [v.translate(_ESCAPE) for v in values]
    return values


def text(value: Any) -> str:
    """One value as COPY text (as psycopg's text adaptation writes it)."""
    if value is None:
        return NULL
    kind = type(value)
    if kind is str:
        return value.translate(_ESCAPE)  # type: ignore[no-any-return]
    if kind is bool:
        return "t" if value else "f"
    if kind is int or kind is Decimal:
        return str(value)
    if kind is dt.datetime or kind is dt.date or kind is dt.time:
        return value.isoformat()  # type: ignore[no-any-return]
    raise Unsupported(kind)


__all__ = ["Unsupported", "block", "column", "text", "write"]
