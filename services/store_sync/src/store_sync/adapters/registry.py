"""The registry's SQL: operators, shops (the row every upload of a shop locks) and API keys."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reloop_shared.db.types import Connection
from reloop_shared.unit_of_work import TrackedAggregates
from store_sync.domain.errors import NotFound
from store_sync.domain.events import DomainEvent
from store_sync.domain.policy import CustomerDataPolicy
from store_sync.domain.shops import Operator, Shop

_SHOP = """
SELECT s.*, o.pos_format, o.data_owner AS operator_data_owner, o.crm_sharing AS operator_crm_sharing
FROM shops s LEFT JOIN operators o USING (operator_id)
WHERE s.shop_id = $1
"""
_LOCK_SHOP = f"{_SHOP} FOR UPDATE OF s"
_LOCK_OPERATOR_SHOPS = """
SELECT s.*, o.pos_format, o.data_owner AS operator_data_owner, o.crm_sharing AS operator_crm_sharing
FROM shops s JOIN operators o USING (operator_id)
WHERE s.operator_id = $1
ORDER BY s.shop_id
FOR UPDATE OF s
"""
_LOCK_SHOPS = """
SELECT s.*, o.pos_format, o.data_owner AS operator_data_owner, o.crm_sharing AS operator_crm_sharing
FROM shops s LEFT JOIN operators o USING (operator_id)
WHERE s.shop_id = ANY($1::text[])
ORDER BY s.shop_id
FOR UPDATE OF s
"""


class OperatorRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, operator_id: str, *, for_update: bool = False) -> Operator | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT * FROM operators WHERE operator_id = $1{lock}", operator_id)
        if row is None:
            return None
        policy = CustomerDataPolicy(row["data_owner"], row["crm_sharing"])
        return Operator(row["operator_id"], row["name"], row["pos_format"], policy, row["created_at"])

    async def add(self, operator: Operator) -> bool:
        """False when the id is taken."""
        added = await self.conn.fetchval(
            """
            INSERT INTO operators (operator_id, name, pos_format, data_owner, crm_sharing, created_at)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING true
            """,
            operator.operator_id,
            operator.name,
            operator.pos_format,
            operator.policy.data_owner,
            operator.policy.crm_sharing,
            operator.created_at,
        )
        return added is True

    async def set_policy(self, operator_id: str, policy: CustomerDataPolicy) -> None:
        await self.conn.execute(
            "UPDATE operators SET data_owner = $2, crm_sharing = $3 WHERE operator_id = $1",
            operator_id,
            policy.data_owner,
            policy.crm_sharing,
        )


class ShopRepository:
    def __init__(self, conn: Connection, seen: TrackedAggregates[DomainEvent]) -> None:
        self.conn = conn
        self.seen = seen

    async def get(self, shop_id: str) -> Shop | None:
        row = await self.conn.fetchrow(_SHOP, shop_id)
        return _shop(row) if row is not None else None

    async def lock(self, shop_id: str) -> Shop:
        """The shop, its row locked until commit: one shop's uploads, replays and registry changes
        apply one after the other, so its events keep their order and a duplicate is always seen."""
        row = await self.conn.fetchrow(_LOCK_SHOP, shop_id)
        if row is None:
            raise NotFound(f"no shop {shop_id}", field="shop_id")
        shop = _shop(row)
        self.seen.append(shop)
        return shop

    async def lock_of_operator(self, operator_id: str) -> list[Shop]:
        """Every shop of the operator, locked in shop id order (one lock order everywhere)."""
        rows = await self.conn.fetch(_LOCK_OPERATOR_SHOPS, operator_id)
        shops = [_shop(row) for row in rows]
        for shop in shops:
            self.seen.append(shop)
        return shops

    async def lock_all(self, shop_ids: Iterable[str]) -> list[Shop]:
        """These shops, locked in one statement in shop id order (one lock order everywhere)."""
        rows = await self.conn.fetch(_LOCK_SHOPS, sorted(set(shop_ids)))
        shops = [_shop(row) for row in rows]
        for shop in shops:
            self.seen.append(shop)
        return shops

    async def add(self, shop: Shop) -> bool:
        """False when the id is taken."""
        self.seen.append(shop)
        added = await self.conn.fetchval(
            """
            INSERT INTO shops (shop_id, name, kind, market, currency, timezone, tax_rate_bp, operator_id, data_owner,
                crm_sharing, registered_at, postal_code, opens_on)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING RETURNING true
            """,
            shop.shop_id,
            shop.name,
            shop.kind,
            shop.market,
            shop.currency,
            shop.timezone,
            shop.tax_rate_bp,
            shop.operator_id,
            shop.own_policy.data_owner if shop.own_policy else None,
            shop.own_policy.crm_sharing if shop.own_policy else None,
            shop.registered_at,
            shop.postal_code,
            shop.opens_on,
        )
        return added is True

    async def save_policy(self, shop: Shop) -> None:
        await self.conn.execute(
            "UPDATE shops SET data_owner = $2, crm_sharing = $3 WHERE shop_id = $1",
            shop.shop_id,
            shop.own_policy.data_owner if shop.own_policy else None,
            shop.own_policy.crm_sharing if shop.own_policy else None,
        )


def _shop(row: Any) -> Shop:
    own = CustomerDataPolicy(row["data_owner"], row["crm_sharing"]) if row["data_owner"] else None
    operator = (
        CustomerDataPolicy(row["operator_data_owner"], row["operator_crm_sharing"])
        if row["operator_data_owner"]
        else None
    )
    return Shop(
        shop_id=row["shop_id"],
        name=row["name"],
        kind=row["kind"],
        market=row["market"],
        currency=row["currency"],
        timezone=row["timezone"],
        tax_rate_bp=row["tax_rate_bp"],
        registered_at=row["registered_at"],
        operator_id=row["operator_id"],
        operator_policy=operator,
        own_policy=own,
        pos_format=row["pos_format"] or "reloop",
        active=row["active"],
        postal_code=row["postal_code"],
        opens_on=row["opens_on"],
    )
