"""What every route module of the HTTP edge is given: a unit of work per request, the sealer,
the guards, the clock and the settings (built once in bootstrap)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reloop_shared.clock import Clock
from reloop_shared.http.errors import ApiError
from store_sync.adapters.credentials import Authenticator
from store_sync.config import StoreSyncSettings
from store_sync.entrypoints.auth import Guards
from store_sync.service_layer.ports import Sealer
from store_sync.service_layer.unit_of_work import StoreSyncUnitOfWork

UPLOAD_LIMIT = 16 * 2**20
"""The largest body of an upload of transactions or partner tickets: an offline till's backlog of
up to `max_upload_transactions` (5,000 by default) at a few hundred bytes each, with room."""


@dataclass(frozen=True)
class Edge:
    unit_of_work: Callable[[], StoreSyncUnitOfWork]
    sealer: Sealer
    guards: Guards
    clock: Clock
    settings: StoreSyncSettings
    authenticator: Callable[[], Authenticator]

    def at_most(self, count: int, field: str) -> None:
        """An upload's size limit, refused at the edge before any work."""
        limit = self.settings.max_upload_transactions
        if count > limit:
            raise ApiError(422, "TooMany", f"at most {limit} per upload", field=field)
