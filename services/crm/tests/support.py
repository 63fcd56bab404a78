"""Helpers for CRM's tests against the real broker and database (a plain module, no fixtures).

The tests play the other services: they publish sales and returns as orders and store-sync would
(personal fields sealed under the customer's key, with the real key store), and the other
holders' erasure confirmations. They call CRM as its staff would, each call with a token of this
session's issuer holding the scopes it needs (a fresh token per call: tokens expire).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition

from crm.config import CrmSettings
from reloop_contracts import REGISTRY, Event, NonNegativeMoney, TopicSpec
from reloop_contracts.common import Consent, CustomerRef, SealedPersonalData
from reloop_contracts.sales import ReturnLine, ReturnRecorded, SaleLine, SaleRecorded
from reloop_localstack.testing import (
    NAMESPACE,
    TEST_KEKS,
    eventually,
    kafka_options,
    publish,
    service_settings,
    staff_headers,
)
from reloop_shared.personal_data import PersonalDataSealer, PostgresKeyStore


class Run:
    """One test's own topics (a namespace of its own), so what another test published stays out."""

    def __init__(self, env: dict[str, str]) -> None:
        self.bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
        self.namespace = f"{NAMESPACE}x{uuid.uuid4().hex[:6]}"
        self.registry = REGISTRY.namespaced(self.namespace)

    def topic(self, topic: TopicSpec) -> str:
        return f"{self.namespace}.{topic.name}"

    async def publish(self, *events: Event, producer: str = "test") -> None:
        await publish(self.bootstrap, list(events), producer=producer, registry=self.registry)


def settings(run: Run, env: dict[str, str], database_url: str, keyvault_url: str, **extra: Any) -> CrmSettings:
    """CRM on the session's stack, trusting its token issuer, on the test's own topics."""
    values: dict[str, Any] = {
        "keyvault_database_url": keyvault_url,
        "topic_namespace": run.namespace,
        "segment_interval_s": 3600.0,
        "consumer_group_suffix": f"-{uuid.uuid4().hex[:6]}",
        # The helpers below poll lookups; the limit itself is proved with a small one of its own.
        "lookup_rate_limit": "100000/minute",
        **extra,
    }
    return service_settings(CrmSettings, env, database_url, **values)


WAITING = "test: waiting for the projection"
"""The purpose the helpers give when they open or look up personal data (recorded in the audit)."""


def personal_reader(purpose: str = WAITING, subject: str = "staff-test") -> dict[str, str]:
    """Customer service: profiles with their contact details opened, and look-ups by e-mail or phone,
    saying why (`X-Purpose`)."""
    return {**staff_headers("crm:read", "crm:read-personal", subject=subject), "X-Purpose": purpose}


def reader() -> dict[str, str]:
    """An analyst or a back-office reader: profiles with their contact details redacted, the reports."""
    return staff_headers("crm:read")


def writer() -> dict[str, str]:
    """Who records a consent change or declares a shop's catchment."""
    return staff_headers("crm:write")


def merger() -> dict[str, str]:
    """An operator who merges and un-merges profiles and reads the merge audit trail."""
    return staff_headers("crm:merge")


def eraser() -> dict[str, str]:
    """The privacy office: erasure requests and their progress."""
    return {**staff_headers("crm:erase"), "X-Purpose": "test: erasure asked by letter"}


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@asynccontextmanager
async def key_store(keyvault_url: str) -> AsyncIterator[PersonalDataSealer]:
    """The key store as a producer (orders, store-sync) uses it, to seal what it publishes."""
    keys = await PostgresKeyStore.connect(keyvault_url, TEST_KEKS)
    try:
        yield PersonalDataSealer(keys)
    finally:
        await keys.close()


def money(amount: int, currency: str = "EUR") -> NonNegativeMoney:
    return NonNegativeMoney(amount_minor=amount, currency=currency)


def consent(
    *, marketing: bool = False, sharing: bool = False, by: str = "online", at: datetime | None = None
) -> Consent:
    return Consent(marketing=marketing, partner_sharing=sharing, captured_at=at or datetime.now(UTC), captured_by=by)


def customer(
    *,
    account: str | None = None,
    subject: str | None = None,
    sealed: SealedPersonalData | None = None,
    owner: str = "reloop",
    given: Consent | None = None,
) -> CustomerRef:
    return CustomerRef(customer_id=account, subject_id=subject, personal=sealed, consent=given, data_owner=owner)


def sale(
    sale_id: str,
    channel: str,
    location_id: str,
    *,
    who: CustomerRef | None = None,
    at: datetime | None = None,
    market: str = "FR",
    device: int = 1,
    accessories: int = 0,
    services: int = 0,
    currency: str = "EUR",
) -> SaleRecorded:
    lines = [
        SaleLine(
            line_id=f"d{n}",
            kind="refurbished_device",
            sku="IPH13-GOOD",
            unit_id=f"{sale_id}-u{n}",
            unit_price=money(39900, currency),
        )
        for n in range(device)
    ]
    if accessories:
        lines.append(
            SaleLine(
                line_id="a", kind="accessory", sku="CASE-1", quantity=accessories, unit_price=money(1900, currency)
            )
        )
    lines += [
        SaleLine(
            line_id=f"s{n}",
            kind="service",
            sku="CARE-12M",
            service_code="insurance_12m",
            unit_price=money(4900, currency),
        )
        for n in range(services)
    ]
    total = sum(line.amount.amount_minor for line in lines)
    return SaleRecorded(
        sale_id=sale_id,
        channel=channel,
        location_id=location_id,
        market=market,
        sold_at=at or datetime.now(UTC),
        lines=lines,
        total=money(total, currency),
        customer=who,
    )


def returned(
    of: SaleRecorded,
    channel: str,
    location_id: str,
    *,
    who: CustomerRef | None = None,
    at: datetime | None = None,
    lines: int = 1,
) -> ReturnRecorded:
    return ReturnRecorded(
        return_id=new_id("R"),
        sale_id=of.sale_id,
        channel=channel,
        location_id=location_id,
        market=of.market,
        returned_at=at or datetime.now(UTC),
        lines=[
            ReturnLine(
                line_id=line.line_id,
                kind=line.kind,
                sku=line.sku,
                unit_id=line.unit_id,
                quantity=line.quantity,
                refund=money(line.amount.amount_minor, line.amount.currency),
            )
            for line in of.lines[:lines]
        ],
        customer=who,
    )


async def profile_of(client: httpx.AsyncClient, **identifier: str) -> str:
    """Wait until CRM knows a profile by that identifier."""
    found: dict[str, str] = {}

    async def known() -> bool:
        response = await client.get("/profiles", params=identifier, headers=personal_reader())
        if response.status_code == 200:
            found.update(response.json())
        return response.status_code == 200

    await eventually(known, message=f"CRM knows a profile for {identifier}")
    return found["profile_id"]


async def timeline_of(client: httpx.AsyncClient, profile_id: str, entries: int) -> dict[str, Any]:
    view: dict[str, Any] = {}

    async def complete() -> bool:
        view.update((await client.get(f"/profiles/{profile_id}", headers=personal_reader())).json())
        return len(view.get("timeline", [])) >= entries

    await eventually(complete, message=f"the profile's timeline has {entries} entries")
    return view


async def rows(database_url: str, sql: str, *args: Any) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(database_url)
    try:
        return [dict(r) for r in await conn.fetch(sql, *args)]
    finally:
        await conn.close()


async def caught_up(run: Run, group: str, topics: list[TopicSpec]) -> None:
    """Wait until the consumer group committed everything on its topics (its lag is zero)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=run.bootstrap, **kafka_options())
    admin = AIOKafkaAdminClient(bootstrap_servers=run.bootstrap, **kafka_options())
    await consumer.start()
    await admin.start()
    try:
        names = [run.topic(t) for t in topics]

        async def no_lag() -> bool:
            # The partitions from the admin's description: a consumer's metadata knows only the
            # topics it subscribed to, and a list of no partitions would make `all` below true of
            # nothing (this helper once returned at once, having checked nothing).
            described = await admin.describe_topics(names)
            partitions = [
                TopicPartition(t["topic"], p["partition"])
                for t in described
                if t.get("error_code") == 0
                for p in t.get("partitions", [])
            ]
            if {tp.topic for tp in partitions} != set(names):
                return False
            ends = await consumer.end_offsets(partitions)
            committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
            return all(ends[tp] == 0 or (tp in committed and committed[tp].offset >= ends[tp]) for tp in partitions)

        await eventually(no_lag, message=f"consumer group {group} caught up")
    finally:
        await admin.close()
        await consumer.stop()


SNAPSHOT = {
    "profiles": "SELECT * FROM profiles ORDER BY profile_id",
    "identifiers": "SELECT * FROM identifiers ORDER BY identifier",
    "links": "SELECT a, b FROM identity_links ORDER BY a, b",
    "separations": "SELECT * FROM separations ORDER BY unmerge_id",
    "operator merges": "SELECT merge_id, kept_identifiers, merged_identifiers, reason, merged_by, merged_at,"
    " unmerge_id, unmerged_by, unmerged_at, unmerge_reason FROM merges WHERE NOT automatic ORDER BY merge_id",
    "contacts": "SELECT * FROM contacts ORDER BY subject_id",
    "consents": "SELECT * FROM consents ORDER BY record_key",
    "timeline": "SELECT * FROM timeline ORDER BY entry_key",
    "sales": "SELECT * FROM sale_facts ORDER BY sale_id",
    "returns": "SELECT * FROM return_facts ORDER BY return_id",
    "shops": "SELECT * FROM shops ORDER BY shop_id",
    "segments": "SELECT * FROM segment_entries ORDER BY entry_id",
    "erasures": "SELECT * FROM erasure_requests ORDER BY request_id",
    "confirmations": "SELECT * FROM erasure_confirmations ORDER BY request_id, service",
    "tombstones": "SELECT hash FROM erased_identifiers ORDER BY hash",
    "vouchers": "SELECT * FROM voucher_facts ORDER BY voucher_id",
    "redemptions": "SELECT * FROM redemption_facts ORDER BY redemption_key",
    "shop trade-ins": "SELECT * FROM shop_trade_in_facts ORDER BY trade_in_id",
    "grading checks": "SELECT * FROM grading_check_facts ORDER BY trade_in_id",
    "subscriptions": "SELECT * FROM subscription_facts ORDER BY subscription_id",
    "subscription states": "SELECT * FROM subscription_status_facts ORDER BY status_key",
    "repair tickets": "SELECT * FROM repair_ticket_facts ORDER BY ticket_id",
}
"""The read model, table by table. Left out: the audit rows of automatic merges (which merges a
consumption went through depends on the order it met the events; the profiles they lead to do not)."""


async def snapshot(database_url: str) -> dict[str, list[dict[str, Any]]]:
    return {name: await rows(database_url, sql) for name, sql in SNAPSHOT.items()}
