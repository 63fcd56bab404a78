"""Creates the topics a service produces or consumes (and their dead-letter topics) up front, so
partition counts come from the contracts, not from broker defaults."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from reloop_contracts import TopicSpec
from reloop_shared.kafka.connection import KafkaSecurity

log = logging.getLogger(__name__)


async def ensure_topics(
    bootstrap_servers: str, topics: Iterable[TopicSpec], *, replication: int = 1, security: KafkaSecurity | None = None
) -> None:
    wanted: dict[str, int] = {}
    for topic in topics:
        wanted[topic.name] = topic.partitions
        wanted[topic.dead_letter] = 1
    await ensure_topic_names(bootstrap_servers, wanted, replication=replication, security=security)


async def ensure_topic_names(
    bootstrap_servers: str, wanted: dict[str, int], *, replication: int = 1, security: KafkaSecurity | None = None
) -> None:
    admin = admin_client(bootstrap_servers, security)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(n, p, replication) for n, p in wanted.items() if n not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another service created it meanwhile
                await admin.create_topics(missing)
            log.info("created topics", extra={"topics": [t.name for t in missing]})
    finally:
        await admin.close()


def admin_client(bootstrap_servers: str, security: KafkaSecurity | None = None) -> AIOKafkaAdminClient:
    """An admin client connecting like every other client (`security` from the environment when not given)."""
    options = (security or KafkaSecurity.from_environment()).client_options()
    return AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **options)
