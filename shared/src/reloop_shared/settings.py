"""Settings shared by every service; each service subclasses with its own env prefix.

`KAFKA_BOOTSTRAP_SERVERS` and `DATABASE_URL` are read without a prefix so one pair of variables
points the whole system at an existing broker and server; `<PREFIX>DATABASE_URL` overrides the
database of one service.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RuntimeSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", env_prefix="")

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS")
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
    relay_batch_size: int = 500
    relay_poll_interval_s: float = 1.0
    trace_sql: bool = Field(default=True, description="One span per SQL statement (asyncpg instrumentation).")
