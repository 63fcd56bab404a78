"""Production refuses defaults: each default secret is refused with a reason naming its setting,
development refuses nothing, and a service process started in production on a default exits
non-zero with one line saying why."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reloop_shared.production import refuse_defaults
from reloop_shared.settings import RuntimeSettings

SAFE: dict[str, Any] = {
    "environment": "production",
    "database_url": "postgresql://reloop:s3cr3t-from-vault@db.internal:5432/postgres",
    "kafka_security_protocol": "SASL_SSL",
    "jwks": "https://login.example.org/.well-known/jwks.json",
    "token_issuer": "https://login.example.org/",
    "key_encryption_keys": "/run/secrets/reloop-key-encryption-keys.json",
}


def production(**changed: Any) -> RuntimeSettings:
    return RuntimeSettings(**(SAFE | changed))


def test_production_with_every_secret_of_its_own_starts() -> None:
    assert refuse_defaults(production()) == []


def test_development_refuses_nothing_even_on_every_default() -> None:
    assert refuse_defaults(RuntimeSettings(environment="development")) == []


def test_without_reloop_env_nothing_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RELOOP_ENV", raising=False)
    assert RuntimeSettings().environment == "development"
    assert refuse_defaults(RuntimeSettings()) == []


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://postgres@db.internal:5432/postgres",
        "postgresql://postgres:postgres@db.internal:5432/postgres",
        "postgresql://reloop:change-me@db.internal:5432/postgres",
        "postgresql://reloop:@db.internal:5432/postgres",
    ],
)
def test_a_database_url_without_a_password_of_its_own_is_refused_naming_it(url: str) -> None:
    (reason,) = refuse_defaults(production(database_url=url))
    assert reason.startswith("DATABASE_URL ")
    assert "change-me" not in reason  # a password is never repeated


def test_the_service_and_key_store_databases_are_checked_under_their_own_names() -> None:
    reasons = refuse_defaults(
        production(
            service_database_url="postgresql://postgres@db/reloop_catalog",
            keyvault_database_url="postgresql://postgres:postgres@db/reloop_keyvault",
        )
    )
    assert [r.split(" ")[0] for r in reasons] == ["SERVICE_DATABASE_URL", "KEYVAULT_DATABASE_URL"]


def test_plaintext_kafka_is_refused_naming_the_protocol_setting() -> None:
    (reason,) = refuse_defaults(production(kafka_security_protocol="PLAINTEXT"))
    assert reason.startswith("KAFKA_SECURITY_PROTOCOL is PLAINTEXT")
    assert refuse_defaults(production(kafka_security_protocol="SSL")) == []


def test_a_local_signing_key_file_as_the_trusted_key_set_is_refused(tmp_path: Path) -> None:
    (reason,) = refuse_defaults(production(jwks=str(tmp_path / "signing-keys.json")))
    assert reason.startswith("RELOOP_JWKS ")


def test_the_local_token_issuer_is_refused() -> None:
    (reason,) = refuse_defaults(production(token_issuer="reloop-local"))
    assert reason.startswith("RELOOP_TOKEN_ISSUER ")


def test_the_default_key_encryption_key_file_is_refused() -> None:
    (reason,) = refuse_defaults(production(key_encryption_keys="~/.config/reloop/key-encryption-keys.json"))
    assert reason.startswith("RELOOP_KEY_ENCRYPTION_KEYS ")
    home = str(Path.home() / ".config" / "reloop" / "key-encryption-keys.json")
    assert refuse_defaults(production(key_encryption_keys=home)) == [reason]


def test_a_production_mode_start_with_a_default_secret_exits_non_zero_with_one_line_naming_it(
    tmp_path: Path,
) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KAFKA_", "DATABASE_URL", "KEYVAULT_", "RELOOP_", "CATALOG_"))
    }
    env |= {
        "RELOOP_ENV": "production",
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:9/postgres",  # the default password: none
        "HOME": str(tmp_path),  # nothing of the user's is read or created
    }
    done = subprocess.run(
        [sys.executable, "-m", "catalog"], env=env, capture_output=True, text=True, timeout=30, check=False
    )

    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode != 0
    assert len(lines) == 1, done.stderr
    assert "DATABASE_URL" in lines[0]
    assert "RELOOP_ENV=production" in lines[0]
    assert list(tmp_path.iterdir()) == []
