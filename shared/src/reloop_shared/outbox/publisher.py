"""What the relay publishes through: a faststream broker's idempotent producer."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer


class Publisher(Protocol):
    async def send(self, topic: str, key: bytes, value: bytes, headers: dict[str, str]) -> asyncio.Future[Any]:
        """Queue one record; the returned future resolves when the broker acknowledged it."""
        ...


class ProducerPublisher:
    """The relay's publisher: the bare aiokafka producer, a third of faststream's cost per record."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self.producer = producer

    async def send(self, topic: str, key: bytes, value: bytes, headers: dict[str, str]) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = await self.producer.send(
            topic, value, key=key, headers=[(name, text.encode()) for name, text in headers.items()]
        )
        return future
