"""What the relay publishes through: a faststream broker's idempotent producer."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from faststream.kafka import KafkaBroker


class Publisher(Protocol):
    async def send(self, topic: str, key: bytes, value: bytes, headers: dict[str, str]) -> asyncio.Future[Any]:
        """Queue one record; the returned future resolves when the broker acknowledged it."""
        ...


class BrokerPublisher:
    def __init__(self, broker: KafkaBroker) -> None:
        self.broker = broker

    async def send(self, topic: str, key: bytes, value: bytes, headers: dict[str, str]) -> asyncio.Future[Any]:
        # no_confirm returns the acknowledgement future, so a whole batch is in flight at once
        # while the idempotent producer keeps each partition's order.
        return await self.broker.publish(value, topic, key=key, headers=headers, no_confirm=True)
