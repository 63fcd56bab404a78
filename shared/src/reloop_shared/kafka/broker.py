"""The one way services build their faststream Kafka broker."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker

from reloop_shared.kafka.connection import KafkaSecurity

# One producer configuration for the faststream broker and the outbox relay's bare producer:
# idempotent with acks=all, so a retried send neither duplicates nor reorders a key.
PRODUCER_SETTINGS: dict[str, object] = {
    "enable_idempotence": True,
    "acks": "all",
    "linger_ms": 5,
    "max_batch_size": 256 * 1024,
    "request_timeout_ms": 30_000,
}


def make_broker(
    bootstrap_servers: str,
    *,
    client_id: str,
    graceful_timeout: float = 20.0,
    security: KafkaSecurity | None = None,
) -> KafkaBroker:
    """An idempotent producer with acks=all: a retried send never duplicates or reorders a key.

    `graceful_timeout` lets in-flight batches finish (and commit) when the service stops;
    `security` is read from the environment when not given.
    """
    security = security or KafkaSecurity.from_environment()
    return KafkaBroker(
        bootstrap_servers,
        client_id=client_id,
        graceful_timeout=graceful_timeout,
        logger=None,
        security=security.for_faststream(),
        **PRODUCER_SETTINGS,  # type: ignore[arg-type]
    )


def make_producer(bootstrap_servers: str, *, client_id: str, security: KafkaSecurity | None = None) -> AIOKafkaProducer:
    """A bare producer for the relay's hot path, configured exactly like the broker's."""
    options = (security or KafkaSecurity.from_environment()).client_options()
    return AIOKafkaProducer(bootstrap_servers=bootstrap_servers, client_id=client_id, **PRODUCER_SETTINGS, **options)
