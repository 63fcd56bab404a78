"""Where a local stack (`make up`) keeps its files: the one definition, read by the stack that
writes them (`reloop_localstack`) and by the `reloop` CLI that finds a running stack through them.

It lives here, not in `reloop_localstack`, because the runtime never imports the local stack.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

HOME_VARIABLE = "RELOOP_HOME"
"""Overrides `~/.cache/reloop`, where stacks and downloads are kept."""
STACK_VARIABLE = "RELOOP_STACK"
"""The stack the CLI speaks to when the environment names no broker or database."""
DEFAULT_STACK = "dev"
"""`make up`'s stack."""

STATE_FILE = "state.json"
"""A stack's processes, endpoints and services (where, never who)."""
KAFKA_CREDENTIALS_FILE = "kafka-credentials.json"
"""The local broker's SCRAM principals and their passwords (owner-only)."""
SIGNING_KEYS_FILE = "signing-keys.json"
"""The stack's token issuer."""
KEY_ENCRYPTION_KEYS_FILE = "key-encryption-keys.json"
"""The keys the stack's key store is wrapped under."""
KAFKA_ADMIN = "admin"
"""The broker's super user, in the credentials file."""


def cache_home(environ: Mapping[str, str] = os.environ) -> Path:
    """`$RELOOP_HOME`, else `~/.cache/reloop` (not created: a reader must not leave folders behind)."""
    return Path(environ.get(HOME_VARIABLE) or Path.home() / ".cache" / "reloop")


def stack_folder(name: str, environ: Mapping[str, str] = os.environ) -> Path:
    return cache_home(environ) / "stacks" / name


def stack_name(environ: Mapping[str, str] = os.environ) -> str:
    return environ.get(STACK_VARIABLE) or DEFAULT_STACK
