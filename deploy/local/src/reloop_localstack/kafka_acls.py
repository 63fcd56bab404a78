"""Kafka's CreateAcls and DescribeAcls requests, spoken as the admin: aiokafka's admin client has no
ACL call, and its protocol module only knows versions Kafka 4 no longer accepts (KIP-896). Version 2
(the first flexible one, accepted by every broker since 2.8) is all this needs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import CompactArray, CompactString, Int8, Int16, Int32, Schema, TaggedFields

from reloop_contracts.access import Grant

RESOURCE_TYPE = {"topic": 2, "group": 3, "cluster": 4}
PATTERN_TYPE = {"literal": 3, "prefixed": 4}
OPERATION = {"Read": 3, "Write": 4, "Describe": 8, "IdempotentWrite": 12}
ALLOW = 3
ANY = 1
ANY_HOST = "*"


class CreateAclsResponse_v2(Response):  # type: ignore[misc]  # noqa: N801 -- aiokafka names versions so
    API_KEY = 30
    API_VERSION = 2
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        (
            "results",
            CompactArray(("error_code", Int16), ("error_message", CompactString("utf-8")), ("tags", TaggedFields)),
        ),
        ("tags", TaggedFields),
    )


class CreateAclsRequest_v2(RequestStruct):  # type: ignore[misc]  # noqa: N801
    FLEXIBLE_VERSION = True
    API_KEY = 30
    API_VERSION = 2
    RESPONSE_TYPE = CreateAclsResponse_v2
    SCHEMA = Schema(
        (
            "creations",
            CompactArray(
                ("resource_type", Int8),
                ("resource_name", CompactString("utf-8")),
                ("resource_pattern_type", Int8),
                ("principal", CompactString("utf-8")),
                ("host", CompactString("utf-8")),
                ("operation", Int8),
                ("permission_type", Int8),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class CreateAcls(Request[CreateAclsRequest_v2]):  # type: ignore[misc]
    API_KEY = 30

    def __init__(self, creations: list[tuple[Any, ...]]) -> None:
        self._creations = creations

    def build(self, request_struct_class: type[CreateAclsRequest_v2]) -> CreateAclsRequest_v2:
        return request_struct_class(self._creations, {})


class DescribeAclsResponse_v2(Response):  # type: ignore[misc]  # noqa: N801
    API_KEY = 29
    API_VERSION = 2
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        ("error_code", Int16),
        ("error_message", CompactString("utf-8")),
        (
            "resources",
            CompactArray(
                ("resource_type", Int8),
                ("resource_name", CompactString("utf-8")),
                ("pattern_type", Int8),
                (
                    "acls",
                    CompactArray(
                        ("principal", CompactString("utf-8")),
                        ("host", CompactString("utf-8")),
                        ("operation", Int8),
                        ("permission_type", Int8),
                        ("tags", TaggedFields),
                    ),
                ),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class DescribeAclsRequest_v2(RequestStruct):  # type: ignore[misc]  # noqa: N801
    FLEXIBLE_VERSION = True
    API_KEY = 29
    API_VERSION = 2
    RESPONSE_TYPE = DescribeAclsResponse_v2
    SCHEMA = Schema(
        ("resource_type_filter", Int8),
        ("resource_name_filter", CompactString("utf-8")),
        ("pattern_type_filter", Int8),
        ("principal_filter", CompactString("utf-8")),
        ("host_filter", CompactString("utf-8")),
        ("operation", Int8),
        ("permission_type", Int8),
        ("tags", TaggedFields),
    )


class DescribeAclsOf(Request[DescribeAclsRequest_v2]):  # type: ignore[misc]
    """Every ACL of one principal."""

    API_KEY = 29

    def __init__(self, principal: str) -> None:
        self._principal = principal

    def build(self, request_struct_class: type[DescribeAclsRequest_v2]) -> DescribeAclsRequest_v2:
        return request_struct_class(ANY, None, ANY, self._principal, None, ANY, ANY, {})


def creation(principal: str, grant: Grant) -> tuple[Any, ...]:
    return (
        RESOURCE_TYPE[grant.resource_type],
        grant.name,
        PATTERN_TYPE[grant.pattern],
        principal,
        ANY_HOST,
        OPERATION[grant.operation],
        ALLOW,
        {},
    )


async def create_acls(admin: AIOKafkaAdminClient, allowed: Iterable[tuple[str, Grant]]) -> None:
    """Allow each (principal, grant); creating an ACL that exists already is no error."""
    creations = [creation(principal, grant) for principal, grant in allowed]
    if not creations:
        return
    response = await admin._send_request(CreateAcls(creations))
    refused = [(c, r) for c, r in zip(creations, response.to_object()["results"], strict=True) if r["error_code"]]
    if refused:
        (what, result), *_ = refused
        raise RuntimeError(
            f"the broker refused {len(refused)} ACL(s), e.g. {what}: {result['error_code']} {result['error_message']}"
        )
    wanted: dict[str, set[str]] = {}
    for _type, name, _pattern, principal, *_ in creations:
        wanted.setdefault(principal, set()).add(name)
    await _until_enforced(admin, wanted)


async def _until_enforced(admin: AIOKafkaAdminClient, wanted: dict[str, set[str]], timeout: float = 30) -> None:
    """The controller has committed the ACLs; the broker applies them a moment later, and a client
    connecting in between would be refused. The broker answers DescribeAcls from what it enforces."""
    deadline = time.monotonic() + timeout
    pending = dict(wanted)
    while time.monotonic() < deadline:
        for principal, names in list(pending.items()):
            response = (await admin._send_request(DescribeAclsOf(principal))).to_object()
            if names <= {resource["resource_name"] for resource in response["resources"]}:
                del pending[principal]
        if not pending:
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"the broker did not enforce the ACLs of {sorted(pending)} within {timeout}s")
