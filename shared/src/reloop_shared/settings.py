"""Settings shared by every service; each service subclasses with its own env prefix.

`KAFKA_BOOTSTRAP_SERVERS` and `DATABASE_URL` are read without a prefix so one pair of variables
points the whole system at an existing broker and server; `<PREFIX>DATABASE_URL` overrides the
database of one service.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_KEY_ENCRYPTION_KEYS = "~/.config/reloop/key-encryption-keys.json"
"""Where the local key-encryption keys live unless told: fine on a laptop, refused in production."""


class RuntimeSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", env_prefix="")

    environment: Literal["development", "production"] = Field(
        default="development",
        validation_alias=AliasChoices("RELOOP_ENV", "environment"),
        description="`production` refuses to start on a default secret (`reloop_shared.production`).",
    )
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS")
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT",
        validation_alias=AliasChoices("KAFKA_SECURITY_PROTOCOL", "kafka_security_protocol"),
        description="How the brokers are spoken to; production requires SSL or SASL_SSL.",
    )
    kafka_ssl_cafile: str | None = Field(
        default=None,
        validation_alias=AliasChoices("KAFKA_SSL_CAFILE", "kafka_ssl_cafile"),
        description="The CA that signed the brokers' certificates; the system's CAs when unset.",
    )
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = Field(
        default="SCRAM-SHA-512", validation_alias=AliasChoices("KAFKA_SASL_MECHANISM", "kafka_sasl_mechanism")
    )
    kafka_sasl_username: str | None = Field(
        default=None, validation_alias=AliasChoices("KAFKA_SASL_USERNAME", "kafka_sasl_username")
    )
    kafka_sasl_password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("KAFKA_SASL_PASSWORD", "kafka_sasl_password")
    )
    kafka_replication_factor: int = Field(
        default=1,
        ge=1,
        validation_alias=AliasChoices("KAFKA_REPLICATION_FACTOR", "kafka_replication_factor"),
        description="Replicas of a topic this service creates when it is missing (1 on a laptop, 3 in a "
        "cluster, where Strimzi's KafkaTopics usually create them first).",
    )
    kafka_manage_topics: bool = Field(
        default=True,
        validation_alias=AliasChoices("KAFKA_MANAGE_TOPICS", "kafka_manage_topics"),
        description="Create this service's topics and align their configs with the registry at start. "
        "`false` where another does it (Strimzi's topic operator, the local stack's admin): the service "
        "then only checks that they exist, and does not start without them.",
    )
    database_url: str = Field(
        default="postgresql://postgres@127.0.0.1:5432/postgres", validation_alias=AliasChoices("DATABASE_URL")
    )
    service_database_url: str | None = Field(
        default=None, description="This service's own database; derived from DATABASE_URL when unset."
    )
    keyvault_database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("KEYVAULT_DATABASE_URL", "keyvault_database_url"),
        description="The key store of personal-data keys; `reloop_keyvault` on the DATABASE_URL server when unset.",
    )
    key_encryption_keys: str = Field(
        default=DEFAULT_KEY_ENCRYPTION_KEYS,
        validation_alias=AliasChoices("RELOOP_KEY_ENCRYPTION_KEYS", "key_encryption_keys"),
        description="The file of the key-encryption keys the key store's keys are wrapped under (owner-only; "
        "created on first use). Production names its own, mounted from a secret or a KMS.",
    )
    jwks: str | None = Field(
        default=None,
        validation_alias=AliasChoices("RELOOP_JWKS", "jwks"),
        description="The key set bearer tokens are verified with: the local signing keys' file (only its "
        "public half is read) or an identity provider's JWKS URL. Unset: the edge trusts no token.",
    )
    token_issuer: str = Field(
        default="reloop-local",
        validation_alias=AliasChoices("RELOOP_TOKEN_ISSUER", "token_issuer"),
        description="The `iss` every accepted token must carry.",
    )
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None, validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT")
    )
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("LOG_LEVEL"))
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    db_pool_size: int = 10
    consumer_max_records: int = 500
    topic_namespace: str = Field(
        default="",
        validation_alias=AliasChoices("RELOOP_TOPIC_NAMESPACE", "topic_namespace"),
        description="Prefix of every topic name (`<namespace>.<topic>`): environments sharing a cluster.",
    )
    consumer_group_suffix: str = Field(
        default="", description="Appended to every consumer group id: isolates a bench or a second environment."
    )
    consumer_start_from: str = Field(
        default="earliest",
        pattern="^(earliest|latest)$",
        description="Where a consumer group without committed offsets starts; earliest loses nothing.",
    )
    consumer_max_attempts: int = 3
    relay_in_process: bool = Field(
        default=True,
        description="Run the outbox relay in the service process; false when it runs apart (`reloop relay`).",
    )
    processed_events_keep_for_days: float = Field(
        default=7.0,
        ge=1.0,
        description="How long a consumer remembers an event it applied, to recognise a redelivery: a group "
        "rewound or a dead letter replayed again further back than this applies the event again. A consumer "
        "of a topic with a retention keeps them at least as long as the broker may hold the record "
        "(`reloop_shared.consumer.pruning`).",
    )
    processed_events_prune_every_s: float = Field(
        default=3600.0, gt=0, description="How often the remembered events older than that are pruned."
    )
    held_keys_drain_every_s: float = Field(
        default=10.0,
        gt=0,
        description="How often events held behind a discarded dead letter are applied when their partition "
        "receives nothing new (`reloop dlq discard`; a new record of the partition drains them at once).",
    )
    processed_events_prune_batch: int = Field(
        default=10_000, ge=1, description="Rows deleted per statement while pruning: short locks, one batch at a time."
    )
    relay_batch_size: int = 500
    relay_poll_interval_s: float = 1.0
    relay_lease_s: float = Field(
        default=10.0,
        gt=0,
        description="How long the relay's leadership lasts without renewal: a standby takes over after "
        "that when the leader is gone or frozen (`reloop_shared.outbox.lease`).",
    )
    relay_park_after: int = Field(
        default=5,
        ge=1,
        description="Refusals of one outbox row by the broker (too large, not authorised) before it is "
        "parked for an operator (`reloop outbox parked`); broker outages do not count.",
    )
    trace_sql: bool = Field(default=True, description="One span per SQL statement (asyncpg instrumentation).")
