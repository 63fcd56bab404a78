"""`reloop keys rotate-kek`: re-wrap the key store's keys under a new key-encryption key.

The key-encryption keys live in `$RELOOP_KEY_ENCRYPTION_KEYS` (default
`~/.config/reloop/key-encryption-keys.json`), the key store in `--database-url` (default
`$KEYVAULT_DATABASE_URL`, else `reloop_keyvault` on `$DATABASE_URL`'s server), as for the services.
"""

from __future__ import annotations

import argparse
from typing import Any

from reloop_shared.db.urls import with_database
from reloop_shared.personal_data.kek_rotation import rotate_key_encryption_keys
from reloop_shared.personal_data.key_encryption_keys import local_key_encryption_keys
from reloop_shared.settings import RuntimeSettings


def register(keys: Any) -> None:
    """Adds `rotate-kek` and `create-kek` to the `reloop keys` commands."""
    rotate = keys.add_parser(
        "rotate-kek", help="wrap every data key under a new key-encryption key, then retire the unused ones"
    )
    rotate.add_argument("--database-url", help="the key store's database (default: as the services find it)")
    rotate.set_defaults(run=run_rotate_kek)
    create = keys.add_parser(
        "create-kek", help="create the key-encryption key file when it is missing; print the key that wraps"
    )
    create.set_defaults(run=run_create_kek)


async def run_rotate_kek(args: argparse.Namespace) -> int:
    settings = RuntimeSettings()
    url = args.database_url or settings.keyvault_database_url or with_database(settings.database_url, "reloop_keyvault")
    keks = local_key_encryption_keys(settings.key_encryption_keys)
    rotation = await rotate_key_encryption_keys(url, keks)
    print(f"re-wrapped {rotation.rewrapped} key(s) under {rotation.current}")
    print(f"retired: {', '.join(rotation.retired) or 'none'}")
    return 0


async def run_create_kek(args: argparse.Namespace) -> int:
    """Before the services start (docker compose's key job): they must all wrap under one key, so
    the file is made once, not by whichever service starts first."""
    settings = RuntimeSettings()
    print(local_key_encryption_keys(settings.key_encryption_keys).current_id())
    return 0
