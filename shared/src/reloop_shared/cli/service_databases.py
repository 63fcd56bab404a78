"""A service's database as its runtime finds it, for the commands that work on one (`migrate`,
`relay`, `status`): `<PREFIX>SERVICE_DATABASE_URL` (prefix: the service's name in capitals,
`store-sync` -> `STORE_SYNC_`), else `reloop_<service>` on `DATABASE_URL`'s server."""

from __future__ import annotations

import os

from reloop_shared.db.urls import with_database
from reloop_shared.settings import RuntimeSettings


def service_database_url(service: str) -> str:
    prefix = service.upper().replace("-", "_") + "_"
    own = os.environ.get(f"{prefix}SERVICE_DATABASE_URL")
    return own or with_database(RuntimeSettings().database_url, f"reloop_{service}")
