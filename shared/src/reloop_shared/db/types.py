"""The connection type handlers and repositories receive: a plain or a pooled asyncpg connection."""

from __future__ import annotations

from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"
Pool: TypeAlias = "asyncpg.Pool[asyncpg.Record]"

__all__ = ["Connection", "Pool", "PoolConnectionProxy", "asyncpg"]
