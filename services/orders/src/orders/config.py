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
    voucher_hold_timeout_s: float = Field(
        default=30.0,
        gt=0,
        description="How long a checkout waits for trade-in's answer to each voucher hold before the order fails.",
    )
    voucher_sweep_s: float = Field(
        default=1.0, gt=0, description="How often orders waiting past that deadline are failed."
    )
