"""What went wrong, in one line saying what to do: every `reloop` command fails through here
(`main`), so no command catches a broker or database error itself. A traceback is for `--debug`."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from urllib.parse import urlsplit

import asyncpg
import pydantic
from aiokafka import errors as kafka_errors

from reloop_shared.kafka.connection import KafkaSecurityError

START = "start the system with make up"


class CommandError(Exception):
    """A command's own refusal, already worded for the user (a topic that does not exist, say)."""


def explain(error: BaseException, environ: Mapping[str, str] = os.environ) -> str | None:
    """The line to print for `error`; None when it is a bug, whose traceback is worth more."""
    bootstrap = environ.get("KAFKA_BOOTSTRAP_SERVERS") or "127.0.0.1:9092"
    database = _server_of(environ.get("DATABASE_URL") or "postgresql://127.0.0.1:5432/postgres")
    match error:
        case CommandError() | KafkaSecurityError():
            return str(error)
        case kafka_errors.KafkaConnectionError() | kafka_errors.NodeNotReadyError():
            return _kafka_unreachable(bootstrap, environ)
        case kafka_errors.UnknownTopicOrPartitionError():
            return f"no such topic on Kafka at {bootstrap}: reloop dlq list shows the dead-letter topics"
        case (
            kafka_errors.TopicAuthorizationFailedError()
            | kafka_errors.GroupAuthorizationFailedError()
            | kafka_errors.ClusterAuthorizationFailedError()
        ):
            user = environ.get("KAFKA_SASL_USERNAME") or "anonymous"
            return (
                f"Kafka at {bootstrap} does not allow {user} this ({type(error).__name__}): use the admin's credentials"
            )
        case kafka_errors.KafkaTimeoutError():
            return f"Kafka at {bootstrap} did not answer in time: is the system running? ({START})"
        case kafka_errors.KafkaError():
            return f"Kafka at {bootstrap} refused: {error}"
        case asyncpg.InvalidPasswordError() | asyncpg.InvalidAuthorizationSpecificationError():
            return f"PostgreSQL at {database} refused the credentials: check DATABASE_URL ({error})"
        case asyncpg.InvalidCatalogNameError():
            return f"{error} on PostgreSQL at {database}: has the service started once (it creates it)? ({START})"
        case asyncpg.UndefinedTableError():
            return f"{error} on PostgreSQL at {database}: run the service's migrations (reloop migrate)"
        case asyncpg.PostgresError():
            return f"PostgreSQL at {database} refused: {error}"
        case ConnectionRefusedError() | socket.gaierror() if _names(error, database):
            return f"no PostgreSQL at {database}: {START}, or set DATABASE_URL"
        case ConnectionRefusedError() | socket.gaierror():
            return f"nothing answers ({error}): {START}, or set KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL"
        case FileNotFoundError() | PermissionError():
            return f"cannot read {error.filename}: {error.strerror}"
        case TimeoutError():
            return f"timed out waiting for Kafka at {bootstrap} or PostgreSQL at {database}: is the system running?"
        case OSError():
            return f"{error.strerror or error}: is the system running? ({START})"
        case pydantic.ValidationError():
            first = error.errors()[0]
            return f"a setting is wrong: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return None


def _kafka_unreachable(bootstrap: str, environ: Mapping[str, str]) -> str:
    """Connection refused and credentials refused look alike from aiokafka; a plain TCP probe tells."""
    if not _answers(bootstrap):
        return f"no Kafka at {bootstrap}: {START}, or set KAFKA_BOOTSTRAP_SERVERS"
    protocol = environ.get("KAFKA_SECURITY_PROTOCOL") or "PLAINTEXT"
    user = environ.get("KAFKA_SASL_USERNAME")
    who = f"{protocol} as {user}" if user else protocol
    return (
        f"Kafka at {bootstrap} answers but refused us ({who}): check KAFKA_SECURITY_PROTOCOL and "
        "KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD, or unset KAFKA_BOOTSTRAP_SERVERS to use the local stack"
    )


def _answers(bootstrap: str) -> bool:
    host, _, port = bootstrap.split(",")[0].rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port or 9092)), timeout=2):
            return True
    except (OSError, ValueError):
        return False


def _server_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname or '127.0.0.1'}:{parts.port or 5432}"


def _names(error: OSError, server: str) -> bool:
    """asyncpg's refusal names the address it tried: ("127.0.0.1", 5432)."""
    return server.rsplit(":", 1)[-1] in str(error)
