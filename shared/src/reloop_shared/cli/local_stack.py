"""The running local stack as the `reloop` CLI finds it: `make up` writes where its broker, its
databases and its services are into `state.json` (`reloop_shared.local_stack_files`), so a new
user's first `reloop` command speaks to the system they just started, with no variable to set.

Variables the environment sets always win; the stack only fills the missing ones.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reloop_shared import local_stack_files as files


@dataclass(frozen=True)
class StackService:
    name: str
    url: str
    env_prefix: str
    database_url: str | None = None


@dataclass(frozen=True)
class RunningStack:
    name: str
    folder: Path
    state: dict[str, Any]

    @property
    def endpoints(self) -> dict[str, str]:
        return dict(self.state.get("endpoints", {}))

    @property
    def services(self) -> list[StackService]:
        return [StackService(name, **entry) for name, entry in self.state.get("services", {}).items()]

    def admin_password(self) -> str | None:
        path = Path(self.endpoints.get("kafka_credentials") or self.folder / files.KAFKA_CREDENTIALS_FILE)
        if not path.exists():
            return None
        password = json.loads(path.read_text()).get(files.KAFKA_ADMIN)
        return str(password) if password else None


def find_stack(environ: Mapping[str, str] = os.environ) -> RunningStack | None:
    """The stack `$RELOOP_STACK` (else `dev`) names, when its state file says it runs."""
    name = files.stack_name(environ)
    folder = files.stack_folder(name, environ)
    state_file = folder / files.STATE_FILE
    if not state_file.exists():
        return None
    return RunningStack(name, folder, json.loads(state_file.read_text()))


def stack_environment(stack: RunningStack, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The variables the stack supplies that `environ` does not set.

    The broker's credentials come only with the broker: a `KAFKA_BOOTSTRAP_SERVERS` set by hand names
    another broker, and the stack's admin means nothing there (the same for the databases)."""
    endpoints = stack.endpoints
    filled: dict[str, str] = {}
    if not environ.get("KAFKA_BOOTSTRAP_SERVERS") and endpoints.get("kafka_bootstrap_servers"):
        filled["KAFKA_BOOTSTRAP_SERVERS"] = endpoints["kafka_bootstrap_servers"]
        password = stack.admin_password()
        if password and not environ.get("KAFKA_SECURITY_PROTOCOL"):
            filled |= {
                "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",  # the local broker listens on 127.0.0.1 only
                "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
                "KAFKA_SASL_USERNAME": files.KAFKA_ADMIN,
                "KAFKA_SASL_PASSWORD": password,
            }
        if endpoints.get("topic_namespace") and "RELOOP_TOPIC_NAMESPACE" not in environ:
            filled["RELOOP_TOPIC_NAMESPACE"] = endpoints["topic_namespace"]
    if not environ.get("DATABASE_URL") and endpoints.get("database_url"):
        filled["DATABASE_URL"] = endpoints["database_url"]
        if endpoints.get("keyvault_database_url") and not environ.get("KEYVAULT_DATABASE_URL"):
            filled["KEYVAULT_DATABASE_URL"] = endpoints["keyvault_database_url"]
        for service in stack.services:
            variable = f"{service.env_prefix}SERVICE_DATABASE_URL"
            if service.database_url and not environ.get(variable):
                filled[variable] = service.database_url
    for variable, file_name in (
        ("RELOOP_SIGNING_KEYS", files.SIGNING_KEYS_FILE),
        ("RELOOP_KEY_ENCRYPTION_KEYS", files.KEY_ENCRYPTION_KEYS_FILE),
    ):
        if not environ.get(variable) and (stack.folder / file_name).exists():
            filled[variable] = str(stack.folder / file_name)
    return filled
