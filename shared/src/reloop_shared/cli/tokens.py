"""`reloop token issue` and `reloop keys rotate`: the local issuer's tokens and signing keys
(`reloop keys rotate-kek`, the key store's key-encryption keys, is in `key_encryption`).

The keys live in `$RELOOP_SIGNING_KEYS` (default `~/.config/reloop/signing-keys.json`, readable by
its owner only). Services trust them through `RELOOP_JWKS`, which names this file (only its public
half is read) or a real identity provider's JWKS URL instead.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from reloop_shared.auth.keys import LocalKeySet
from reloop_shared.auth.principal import STAFF, STOREFRONT
from reloop_shared.auth.tokens import issue_token
from reloop_shared.cli import key_encryption

DEFAULT_SIGNING_KEYS = "~/.config/reloop/signing-keys.json"


def signing_keys() -> LocalKeySet:
    return LocalKeySet(Path(os.environ.get("RELOOP_SIGNING_KEYS", DEFAULT_SIGNING_KEYS)).expanduser())


def register(commands: Any) -> None:
    token = commands.add_parser("token", help="tokens from the local issuer").add_subparsers(
        dest="action", required=True
    )
    issue = token.add_parser("issue", help="print a signed token")
    issue.add_argument("--subject", required=True, help="who: a staff member's id, or a customer id")
    issue.add_argument("--scope", action="append", default=[], help="a scope the token grants (repeat)")
    issue.add_argument("--ttl", type=int, default=3600, help="seconds it lives (at most 3600)")
    issue.add_argument("--customer", action="store_true", help=f"a customer token (audience {STOREFRONT})")
    issue.set_defaults(run=run_issue)
    keys = commands.add_parser("keys", help="the local signing keys").add_subparsers(dest="action", required=True)
    rotate = keys.add_parser("rotate", help="a new key signs from now; the old one verifies until its tokens expire")
    rotate.set_defaults(run=run_rotate)
    publish = keys.add_parser(
        "publish", help="write the public key set (JWKS) services verify with; a first signing key is made if none"
    )
    publish.add_argument("--out", required=True, help="the JWKS file to write (public keys only)")
    publish.set_defaults(run=run_publish)
    key_encryption.register(keys)


async def run_issue(args: argparse.Namespace) -> int:
    audience = STOREFRONT if args.customer else STAFF
    print(
        issue_token(
            signing_keys(), subject=args.subject, audience=audience, scopes=args.scope, ttl=timedelta(seconds=args.ttl)
        )
    )
    return 0


async def run_rotate(args: argparse.Namespace) -> int:
    keys = signing_keys()
    fresh = keys.rotate(datetime.now(UTC))
    for key in keys.held():
        state = "signs" if key.kid == fresh.kid else f"verifies until {key.retire_at:%Y-%m-%d %H:%M} UTC"
        print(f"{key.kid}  {state}")
    return 0


async def run_publish(args: argparse.Namespace) -> int:
    """A JWKS document of the public keys only: what a service's `RELOOP_JWKS` may name without the
    service ever being able to read a private key (docker compose's key job)."""
    keys = signing_keys()
    keys.signing_key()
    out = Path(args.out)
    write_public_key_set(keys, out)
    print(f"{out}: {', '.join(k.kid for k in keys.held())}")
    return 0


def write_public_key_set(keys: LocalKeySet, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(keys.public_jwks(), indent=2))
    out.chmod(0o644)  # public keys: any service user may read them
