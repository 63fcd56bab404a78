"""Orders settings: `ORDERS_*` variables, plus the shared KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from reloop_shared.settings import RuntimeSettings


class OrdersSettings(RuntimeSettings):
    model_config = SettingsConfigDict(env_prefix="ORDERS_", extra="ignore")

    http_port: int = 8103
    payment_limit_minor: int = Field(
        default=1_000_000,
        ge=0,
        description="The local payment ledger declines any authorisation above this many minor units.",
    )
