"""Production refuses defaults: with `RELOOP_ENV=production` a service does not start on a secret
that ships with the code or the local stack (a default database password, plaintext Kafka, the
local token issuer, the local key-encryption keys). Each reason names its setting."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

from reloop_shared.auth.tokens import LOCAL_ISSUER
from reloop_shared.settings import DEFAULT_KEY_ENCRYPTION_KEYS, RuntimeSettings

DEFAULT_PASSWORDS = frozenset({"", "postgres", "change-me", "password", "secret"})
ENCRYPTED_KAFKA = frozenset({"SSL", "SASL_SSL"})


def refuse_defaults(settings: RuntimeSettings) -> list[str]:
    """Why `settings` may not run in production, one reason per setting; empty outside production."""
    if settings.environment != "production":
        return []
    prefix = str(settings.model_config.get("env_prefix") or "")
    databases = {
        "DATABASE_URL": settings.database_url,
        f"{prefix}SERVICE_DATABASE_URL": settings.service_database_url,
        "KEYVAULT_DATABASE_URL": settings.keyvault_database_url,
    }
    # The password itself is never printed: it may be a real one set in the wrong place.
    reasons = [
        f"{name} has no password or a default one: production requires its own"
        for name, url in databases.items()
        if url is not None and _default_password(url)
    ]
    if settings.kafka_security_protocol not in ENCRYPTED_KAFKA:
        reasons.append(
            f"KAFKA_SECURITY_PROTOCOL is {settings.kafka_security_protocol}: production requires SSL or SASL_SSL"
        )
    if settings.jwks is not None and not settings.jwks.startswith("https://"):
        reasons.append(
            "RELOOP_JWKS names a local key file: production verifies against an identity provider's https URL"
        )
    if settings.token_issuer == LOCAL_ISSUER:
        reasons.append(f"RELOOP_TOKEN_ISSUER is the local issuer {LOCAL_ISSUER!r}: name the identity provider's")
    if _same_file(settings.key_encryption_keys, DEFAULT_KEY_ENCRYPTION_KEYS):
        reasons.append(
            f"RELOOP_KEY_ENCRYPTION_KEYS is the default {DEFAULT_KEY_ENCRYPTION_KEYS}: "
            "production names its own key file (mounted from a secret) or a KMS"
        )
    return reasons


def exit_on_defaults(service: str, settings: RuntimeSettings) -> None:
    """Before anything is connected: one line on stderr naming the first refused setting, and exit
    status 2. No traceback: an operator reads the line and fixes the setting."""
    reasons = refuse_defaults(settings)
    if reasons:
        sys.stderr.write(f"{service}: refusing to start with RELOOP_ENV=production: {reasons[0]}\n")
        sys.stderr.flush()
        raise SystemExit(2)


def _default_password(url: str) -> bool:
    password = urlsplit(url).password
    return password is None or password in DEFAULT_PASSWORDS


def _same_file(setting: str, default: str) -> bool:
    return Path(setting).expanduser() == Path(default).expanduser()
