"""The one way services build their faststream Kafka broker."""

from __future__ import annotations

from faststream.kafka import KafkaBroker


def make_broker(bootstrap_servers: str, *, client_id: str, graceful_timeout: float = 20.0) -> KafkaBroker:
    """An idempotent producer with acks=all: a retried send never duplicates or reorders a key.

    `graceful_timeout` lets in-flight batches finish (and commit) when the service stops.
    """
    return KafkaBroker(
        bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        max_batch_size=256 * 1024,
        request_timeout_ms=30_000,
        graceful_timeout=graceful_timeout,
        logger=None,
    )
