"""Subscriptions on PostgreSQL: a row per subscription, its devices beside it (with the live flag
the one-live-plan-per-device index reads). The lock of a subscription is its renewal schedule row
(see `service_layer/subscription_ports.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import asyncpg
from asyncpg import Record

from reloop_contracts.amounts import Money
from reloop_shared.db.types import Connection
from repair.domain.devices import Device, DeviceIdentifier
from repair.domain.plans import FairUse
from repair.domain.subscription_errors import DeviceAlreadySubscribed
from repair.domain.subscriptions import Subscription

_STATE = """status = $2, period_start = $3, paid_through = $4, overdue_since = $5, first_failed_at = $6,
    failed_attempts = $7, next_attempt_at = $8, cancelled_at = $9, cancelled_by = $10, cancel_reason = $11"""


class PostgresSubscriptionRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, subscription: Subscription) -> None:
        s = subscription
        await self.conn.execute(
            """
            INSERT INTO subscriptions (subscription_id, customer_id, market, currency, price_minor, channel, shop_id,
                started_at, period_start, paid_through, status, waiting_days, claims_per_device_per_year,
                devices_per_subscription)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            """,
            s.subscription_id,
            s.customer_id,
            s.market,
            s.price.currency,
            s.price.amount_minor,
            s.channel,
            s.shop_id,
            s.started_at,
            s.period_start,
            s.paid_through,
            s.status,
            s.fair_use.waiting_period.days,
            s.fair_use.claims_per_device_per_year,
            s.fair_use.devices_per_subscription,
        )
        try:
            await self.conn.executemany(
                """
                INSERT INTO subscription_devices (subscription_id, position, identifier_kind, identifier_value,
                    category, model, live)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """,
                [
                    (s.subscription_id, n, d.identifier.kind, d.identifier.value, d.category, d.model, s.is_live)
                    for n, d in enumerate(s.devices)
                ],
            )
        except asyncpg.UniqueViolationError as taken:
            raise DeviceAlreadySubscribed("a device is on another live subscription", field="devices") from taken

    async def get(self, subscription_id: str, *, for_update: bool = False) -> Subscription | None:
        if for_update:
            await self.conn.execute(
                "SELECT 1 FROM renewal_schedule WHERE subscription_id = $1 FOR UPDATE", subscription_id
            )
        found = await self.get_many([subscription_id])
        return found[0] if found else None

    async def get_many(self, subscription_ids: Sequence[str]) -> list[Subscription]:
        rows = await self.conn.fetch(
            "SELECT * FROM subscriptions WHERE subscription_id = ANY($1::text[])", list(subscription_ids)
        )
        return await self._loaded(rows, order=subscription_ids)

    async def save(self, subscription: Subscription) -> None:
        s = subscription
        was_live = await self.conn.fetchval(
            f"UPDATE subscriptions SET {_STATE} WHERE subscription_id = $1 "
            "RETURNING (SELECT bool_or(live) FROM subscription_devices WHERE subscription_id = $1)",
            s.subscription_id,
            s.status,
            s.period_start,
            s.paid_through,
            s.overdue_since,
            s.first_failed_at,
            s.failed_attempts,
            s.next_attempt_at,
            s.cancelled_at,
            s.cancelled_by,
            s.cancel_reason,
        )
        if was_live != s.is_live:
            await self.conn.execute(
                "UPDATE subscription_devices SET live = $2 WHERE subscription_id = $1", s.subscription_id, s.is_live
            )

    async def for_device(self, identifier: DeviceIdentifier, customer_id: str | None) -> Subscription | None:
        rows = await self.conn.fetch(
            """
            SELECT s.* FROM subscriptions s
            JOIN subscription_devices d USING (subscription_id)
            WHERE d.identifier_kind = $1 AND d.identifier_value = $2 AND ($3::text IS NULL OR s.customer_id = $3)
            ORDER BY d.live DESC, s.paid_through DESC, s.subscription_id DESC
            LIMIT 1
            """,
            identifier.kind,
            identifier.value,
            customer_id,
        )
        found = await self._loaded(rows)
        return found[0] if found else None

    async def of_customer(self, customer_id: str, after: tuple[datetime, str] | None, limit: int) -> list[Subscription]:
        rows = await self.conn.fetch(
            """
            SELECT * FROM subscriptions
            WHERE customer_id = $1 AND ($2::timestamptz IS NULL OR (started_at, subscription_id) < ($2, $3))
            ORDER BY started_at DESC, subscription_id DESC
            LIMIT $4
            """,
            customer_id,
            after[0] if after else None,
            after[1] if after else None,
            limit,
        )
        return await self._loaded(rows)

    async def _loaded(self, rows: Sequence[Record], order: Sequence[str] | None = None) -> list[Subscription]:
        if not rows:
            return []
        ids = [r["subscription_id"] for r in rows]
        devices: dict[str, list[Device]] = {i: [] for i in ids}
        for d in await self.conn.fetch(
            """
            SELECT subscription_id, identifier_kind, identifier_value, category, model FROM subscription_devices
            WHERE subscription_id = ANY($1::text[]) ORDER BY subscription_id, position
            """,
            ids,
        ):
            identifier = DeviceIdentifier(d["identifier_kind"], d["identifier_value"])
            devices[d["subscription_id"]].append(Device(identifier, d["category"], d["model"]))
        loaded = {r["subscription_id"]: _subscription(r, tuple(devices[r["subscription_id"]])) for r in rows}
        return [loaded[i] for i in (order or ids) if i in loaded]


def _subscription(row: Record, devices: tuple[Device, ...]) -> Subscription:
    return Subscription(
        subscription_id=row["subscription_id"],
        customer_id=row["customer_id"],
        market=row["market"],
        price=Money(row["price_minor"], row["currency"]),
        devices=devices,
        channel=row["channel"],
        shop_id=row["shop_id"],
        started_at=row["started_at"],
        period_start=row["period_start"],
        paid_through=row["paid_through"],
        status=row["status"],
        overdue_since=row["overdue_since"],
        first_failed_at=row["first_failed_at"],
        failed_attempts=row["failed_attempts"],
        next_attempt_at=row["next_attempt_at"],
        cancelled_at=row["cancelled_at"],
        cancelled_by=row["cancelled_by"],
        cancel_reason=row["cancel_reason"],
        fair_use=FairUse(
            timedelta(days=row["waiting_days"]), row["claims_per_device_per_year"], row["devices_per_subscription"]
        ),
    )
