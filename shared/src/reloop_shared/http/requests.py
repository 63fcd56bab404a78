"""The base of every request body a service accepts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class RequestBody(BaseModel):
    """A request body: a field the route does not know is refused (422 naming it), never ignored,
    so a misspelt field is not silently lost. Text a database cannot store is refused before the
    body is parsed (`reloop_shared.http.body_guard`)."""

    model_config = ConfigDict(extra="forbid")
