"""Store-sync settings: `STORE_SYNC_*` variables, plus the shared KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL
and KEYVAULT_DATABASE_URL."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from reloop_shared.settings import RuntimeSettings

MAX_UPLOAD = 5000
"""The most transactions (or tickets) an upload's body may hold; the setting may lower it."""


class StoreSyncSettings(RuntimeSettings):
    model_config = SettingsConfigDict(env_prefix="STORE_SYNC_", extra="ignore")

    http_port: int = 8104
    credential_cache_s: float = Field(
        default=5.0, ge=0, description="How long a shop key is trusted without a query (and a revoked one still works)."
    )
    max_upload_transactions: int = Field(
        default=MAX_UPLOAD, ge=1, le=MAX_UPLOAD, description="Transactions (or tickets) per upload."
    )
    feed_page_size: int = Field(default=500, ge=1, le=5000)
    voucher_hold_wait_s: float = Field(
        default=5.0,
        ge=0,
        le=30,
        description="How long a till's voucher hold request waits for trade-in's answer before answering pending.",
    )
    voucher_hold_poll_s: float = Field(
        default=0.1, gt=0, le=5, description="How often a waiting hold request reads its row for the answer."
    )
