"""A new SCRAM password for one principal of a running local broker, set as the admin through
Kafka's AlterUserScramCredentials request, then written to the stack's credentials file.

aiokafka has no call for it, so the request is spoken here as `kafka_acls` speaks CreateAcls. The
client salts and hashes the password (PBKDF2, as SCRAM's `Hi`), so the clear text never reaches the
broker. The file is rewritten after the broker accepted, and the next start formats the broker
from the file: both keep the same password.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from typing import Any

from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import CompactArray, CompactBytes, CompactString, Int8, Int16, Int32, Schema, TaggedFields

from reloop_localstack import kafka
from reloop_localstack.kafka_credentials import ADMIN, KafkaCredentials, write_passwords
from reloop_localstack.stack import read_state
from reloop_shared.kafka.admin import admin_client

SCRAM_SHA_512 = 2
"""The mechanism's number in the request (SCRAM-SHA-256 is 1)."""
ITERATIONS = 8192
"""Kafka accepts 4096 to 16384 for SCRAM-SHA-512."""


class AlterUserScramCredentialsResponse_v0(Response):  # type: ignore[misc]  # noqa: N801 -- aiokafka names versions so
    API_KEY = 51
    API_VERSION = 0
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        (
            "results",
            CompactArray(
                ("user", CompactString("utf-8")),
                ("error_code", Int16),
                ("error_message", CompactString("utf-8")),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class AlterUserScramCredentialsRequest_v0(RequestStruct):  # type: ignore[misc]  # noqa: N801
    FLEXIBLE_VERSION = True
    API_KEY = 51
    API_VERSION = 0
    RESPONSE_TYPE = AlterUserScramCredentialsResponse_v0
    SCHEMA = Schema(
        ("deletions", CompactArray(("name", CompactString("utf-8")), ("mechanism", Int8), ("tags", TaggedFields))),
        (
            "upsertions",
            CompactArray(
                ("name", CompactString("utf-8")),
                ("mechanism", Int8),
                ("iterations", Int32),
                ("salt", CompactBytes),
                ("salted_password", CompactBytes),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class UpsertScramCredential(Request[AlterUserScramCredentialsRequest_v0]):  # type: ignore[misc]
    API_KEY = 51

    def __init__(self, principal: str, password: str) -> None:
        salt = secrets.token_bytes(32)
        salted = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, ITERATIONS)
        self._upsertion: tuple[Any, ...] = (principal, SCRAM_SHA_512, ITERATIONS, salt, salted, {})

    def build(
        self, request_struct_class: type[AlterUserScramCredentialsRequest_v0]
    ) -> AlterUserScramCredentialsRequest_v0:
        return request_struct_class([], [self._upsertion], {})


async def set_password(bootstrap: str, credentials: KafkaCredentials, principal: str, password: str) -> None:
    """Tell the broker, as the admin, that `principal`'s password is now `password`."""
    client = admin_client(bootstrap, credentials.admin)
    await client.start()
    try:
        response = (await client._send_request(UpsertScramCredential(principal, password))).to_object()
    finally:
        await client.close()
    for result in response["results"]:
        if result["error_code"]:
            raise RuntimeError(
                f"the broker refused {principal}'s new password: {result['error_code']} {result['error_message']}"
            )


def rotate(bootstrap: str, credentials: KafkaCredentials, principal: str) -> KafkaCredentials:
    """A new random password for `principal`: on the broker, then in the credentials file.

    Returns once the broker accepts the new password (it applies its metadata a moment later)."""
    if principal == ADMIN:
        # The broker logs in as the admin itself (server.properties): a new password there needs a restart.
        raise ValueError("the admin's password is the broker's own; a new stack makes a new one")
    if principal not in credentials.passwords:
        raise KeyError(f"the stack has no principal {principal!r}: {', '.join(sorted(credentials.passwords))}")
    password = secrets.token_urlsafe(24)
    asyncio.run(set_password(bootstrap, credentials, principal, password))
    rotated = write_passwords(credentials.path, credentials.passwords | {principal: password})
    kafka.wait_ready(bootstrap, timeout=30, security=rotated.of(principal))
    return rotated


def bootstrap_of(credentials: KafkaCredentials) -> str:
    """The running stack's broker address, from the state file beside its credentials."""
    return str(read_state(credentials.path.parent)["endpoints"]["kafka_bootstrap_servers"])
