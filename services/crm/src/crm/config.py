"""CRM settings: `CRM_*` variables, plus the shared KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from reloop_shared.db.migrations import MigrationSource
from reloop_shared.settings import RuntimeSettings

MIGRATIONS = MigrationSource("crm", "crm", "migrations")


class CrmSettings(RuntimeSettings):
    model_config = SettingsConfigDict(env_prefix="CRM_", extra="ignore")

    http_port: int = 8105
    segment_interval_s: float = Field(default=300.0, description="How often the re-engagement segments are computed.")
    key_cache_size: int = Field(default=500_000, description="Subject keys kept in memory before the cache is reset.")
    lookup_rate_limit: str = Field(
        default="30/minute",
        description="Profile lookups a caller may make in a moving window (the `limits` notation).",
    )
    rate_limit_storage_uri: str = Field(
        default="memory://",
        description="Where the lookup windows are counted: memory, or a Redis several replicas share.",
    )
