"""Lookups per caller in a moving window, with the `limits` library.

The window is counted in the storage `CrmSettings.rate_limit_storage_uri` names: memory for one
replica, a shared Redis (`redis://...`, `async+` is added) when several replicas must count
together, or a caller would get the limit once per replica."""

from __future__ import annotations

import math
import time

from limits import parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string


class MovingWindowLookups:
    def __init__(self, limit: str, storage_uri: str = "memory://") -> None:
        self.item = parse(limit)
        uri = storage_uri if storage_uri.startswith("async+") else f"async+{storage_uri}"
        storage = storage_from_string(uri)
        if not isinstance(storage, Storage):
            raise ValueError(f"{storage_uri} names no storage the asynchronous limiter can use")
        self.limiter = MovingWindowRateLimiter(storage)

    async def wait_before_next(self, caller: str) -> int | None:
        if await self.limiter.hit(self.item, "crm-lookups", caller):
            return None
        stats = await self.limiter.get_window_stats(self.item, "crm-lookups", caller)
        return max(1, math.ceil(stats.reset_time - time.time()))
