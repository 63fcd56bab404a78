"""Catalog settings: `CATALOG_*` variables, plus the shared KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from reloop_shared.settings import RuntimeSettings


class CatalogSettings(RuntimeSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", extra="ignore")

    http_port: int = 8101
