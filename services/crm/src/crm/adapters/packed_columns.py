"""Set-based writes and look-ups: a whole batch of rows in one statement.

Rows travel as one text parameter per column (values joined by a unit separator) that PostgreSQL
splits with `string_to_array`. asyncpg's array encoder inspects every element against abstract
base classes, which costs more than the rest of a projection's Python work; a joined string
costs one `str.join`. A column that cannot travel that way (a value holding the separator) falls
back to an ordinary array parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

SEPARATOR = "\x1f"
NULL = "\x1e"


def _text(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _texts(values: Sequence[Any], kind: str) -> list[str]:
    if kind == "timestamptz":
        return [NULL if v is None else v.isoformat() for v in values]
    if kind == "uuid":
        return [NULL if v is None else v.hex for v in values]
    if kind in ("int", "bigint"):
        return [NULL if v is None else str(v) for v in values]
    return [_text(v) for v in values]


def pack(values: Sequence[Any], kind: str = "text") -> str | None:
    """The column as one string, or None when a value would be misread."""
    try:
        joined = SEPARATOR.join(values)  # a column of strings, the usual case
        nulls = 0
    except TypeError:
        joined = SEPARATOR.join(_texts(values, kind))
        nulls = values.count(None)
    if joined.count(SEPARATOR) != len(values) - 1 or joined.count(NULL) != nulls or joined == "":
        return None
    return joined


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# Back from microseconds since 1970, in the order they were sent (exact: a double holds them).
_FROM_MICROSECONDS = (
    r"array(SELECT timestamptz 'epoch' + t.us * interval '1 microsecond'"
    r" FROM unnest(string_to_array(${n}, E'\x1f', E'\x1e')::bigint[]) WITH ORDINALITY AS t(us, o) ORDER BY t.o)"
)


def pack_times(values: Sequence[Any]) -> str | None:
    """Aware datetimes as microseconds since 1970: a third of what formatting each as an ISO date
    costs, and cheaper for PostgreSQL to read back. None when a value is not an aware datetime."""
    try:
        return SEPARATOR.join([NULL if v is None else str((v - _EPOCH) // _MICROSECOND) for v in values]) or None
    except TypeError:
        return None


def unnest(columns: Sequence[Sequence[Any]], types: Sequence[str], start: int = 1) -> tuple[str, list[Any]]:
    """`unnest(...)` over the columns, and the parameters to bind from `$start` on."""
    parts: list[str] = []
    args: list[Any] = []
    for offset, (values, kind) in enumerate(zip(columns, types, strict=True)):
        n = start + offset
        if kind == "timestamptz" and (micros := pack_times(values)) is not None:
            parts.append(_FROM_MICROSECONDS.format(n=n))
            args.append(micros)
            continue
        packed = pack(values, kind)
        if packed is None:
            parts.append(f"${n}::{kind}[]")
            args.append(list(values))
        else:
            parts.append(rf"string_to_array(${n}, E'\x1f', E'\x1e')::{kind}[]")
            args.append(packed)
    return f"unnest({', '.join(parts)})", args


def columns_of(rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    return [list(column) for column in zip(*rows, strict=True)]
