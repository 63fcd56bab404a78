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

_STATE = """status = u.status, period_start = u.period_start, paid_through = u.paid_through,
    overdue_since = u.overdue_since, first_failed_at = u.first_failed_at, failed_attempts = u.failed_attempts,
    next_attempt_at = u.next_attempt_at, cancelled_at = u.cancelled_at, cancelled_by = u.cancelled_by,
    cancel_reason = u.cancel_reason"""


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
        await self.save_many([subscription])

    async def save_many(self, subscriptions: Sequence[Subscription]) -> None:
        if not subscriptions:
            return
        # One statement for the batch's states, one for the devices whose live flag changed.
        ids = [s.subscription_id for s in subscriptions]
        await self.conn.execute(
            f"""
            UPDATE subscriptions s SET {_STATE}
            FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[],
                        $6::timestamptz[], $7::int[], $8::timestamptz[], $9::timestamptz[], $10::text[],
                        $11::text[])
                AS u(subscription_id, status, period_start, paid_through, overdue_since, first_failed_at,
                     failed_attempts, next_attempt_at, cancelled_at, cancelled_by, cancel_reason)
            WHERE s.subscription_id = u.subscription_id
            """,
            ids,
            [s.status for s in subscriptions],
            [s.period_start for s in subscriptions],
            [s.paid_through for s in subscriptions],
            [s.overdue_since for s in subscriptions],
            [s.first_failed_at for s in subscriptions],
            [s.failed_attempts for s in subscriptions],
            [s.next_attempt_at for s in subscriptions],
            [s.cancelled_at for s in subscriptions],
            [s.cancelled_by for s in subscriptions],
            [s.cancel_reason for s in subscriptions],
        )
        await self.conn.execute(
            """
            UPDATE subscription_devices d SET live = u.live
            FROM unnest($1::text[], $2::bool[]) AS u(subscription_id, live)
            WHERE d.subscription_id = u.subscription_id AND d.live <> u.live
            """,
            ids,
            [s.is_live for s in subscriptions],
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
