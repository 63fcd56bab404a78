"""Inventory settings: `INVENTORY_*` variables, plus the shared KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from reloop_shared.settings import RuntimeSettings


class InventorySettings(RuntimeSettings):
    model_config = SettingsConfigDict(env_prefix="INVENTORY_", extra="ignore")

    http_port: int = 8102
    expiry_interval_s: float = 1.0
    trade_in_centre: str | None = None
    """The location trade-in units are received at (`INVENTORY_TRADE_IN_CENTRE`); unset, the one
    refurbishment centre of the markets paid in the currency the device was bought in."""
