"""The local broker's SCRAM principals: the admin, one per service and one per outside reader, with
random passwords.

Generated on a stack's first start and kept in its folder (owner-only, never in the repository);
the broker is formatted with them at every start (`kafka-storage format --add-scram`), so a
password lives in this one file and nowhere else.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from reloop_contracts.access import principals
from reloop_shared import local_stack_files
from reloop_shared.kafka.connection import KafkaSecurity, Mechanism

ADMIN = local_stack_files.KAFKA_ADMIN
"""The broker's super user: the broker itself, the stack's topic and ACL set-up, test helpers."""
MECHANISM: Mechanism = "SCRAM-SHA-512"
FILE_NAME = local_stack_files.KAFKA_CREDENTIALS_FILE


@dataclass(frozen=True)
class KafkaCredentials:
    path: Path
    passwords: dict[str, str]

    @property
    def admin(self) -> KafkaSecurity:
        return self.of(ADMIN)

    def of(self, principal: str) -> KafkaSecurity:
        """How `principal` connects (SASL_PLAINTEXT: the local broker listens on 127.0.0.1 only)."""
        return KafkaSecurity(
            protocol="SASL_PLAINTEXT", mechanism=MECHANISM, username=principal, password=self.passwords[principal]
        )

    def scram_arguments(self) -> list[str]:
        """`kafka-storage format` arguments creating every principal's SCRAM credential."""
        arguments: list[str] = []
        for name, password in sorted(self.passwords.items()):
            arguments += ["--add-scram", f"{MECHANISM}=[name={name},password={password}]"]
        return arguments


def credentials(folder: Path) -> KafkaCredentials:
    """The stack's principals, creating the file (mode 0600) or adding a service new to the registry."""
    path = folder / FILE_NAME
    passwords: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    wanted = (ADMIN, *principals())
    if any(name not in passwords for name in wanted):
        # URL-safe characters only: the password is quoted in a JAAS line and a format argument.
        passwords = {name: passwords.get(name) or secrets.token_urlsafe(24) for name in wanted} | passwords
        _write_owner_only(path, json.dumps(passwords, indent=2, sort_keys=True))
    return KafkaCredentials(path, passwords)


def read(path: str | Path) -> KafkaCredentials:
    """Credentials a stack wrote earlier (`RELOOP_KAFKA_CREDENTIALS` points at the file)."""
    return KafkaCredentials(Path(path), json.loads(Path(path).read_text()))


def write_passwords(path: Path, passwords: dict[str, str]) -> KafkaCredentials:
    """Replace the file's passwords (a rotation); owner-only, swapped in whole."""
    _write_owner_only(path, json.dumps(passwords, indent=2, sort_keys=True))
    return KafkaCredentials(path, passwords)


def _write_owner_only(path: Path, text: str) -> None:
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(text)
    partial.replace(path)
