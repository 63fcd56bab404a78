"""Text no database can store, refused at the edge with 422 naming the field.

PostgreSQL stores no NUL character and no lone UTF-16 surrogate. A JSON body carrying one (as
`\\u0000` or `\\ud800`), in any key or value, is refused before a route runs, instead of failing
deep in a repository with a 500. Every service's edge runs this for every request with a body:
one pass of a regular expression over the raw bytes, and the body is walked to name the field
only when that pass finds something.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

# A NUL escape, or any surrogate escape: a pair is checked once decoded (it is then one character).
_SUSPECT = re.compile(rb"\\u0000|\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


async def refuse_unstorable_text(request: Request) -> None:
    if request.method in ("GET", "HEAD", "OPTIONS", "DELETE"):
        return
    body = await request.body()  # read once: the route's own parsing reuses it
    if not _SUSPECT.search(body):
        return
    try:
        document = json.loads(body)
    except ValueError:
        return  # not JSON: the route's own parsing answers
    path = next(_unstorable_paths(document, ()), None)
    if path is not None:
        raise RequestValidationError(
            [
                {
                    "loc": ("body", *path),
                    "msg": "text must not contain NUL characters or lone surrogates",
                    "type": "string_unstorable",
                }
            ]
        )


def _unstorable_paths(value: Any, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """The path of each key or string value that holds a NUL or a lone surrogate."""
    if isinstance(value, str):
        if _UNSTORABLE.search(value):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if _UNSTORABLE.search(key):
                yield (*path, "<key>")
            yield from _unstorable_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unstorable_paths(item, (*path, str(index)))
