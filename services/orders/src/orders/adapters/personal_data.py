"""The personal data orders holds: the account id on carts and orders, and a card token until the
payment is attempted. Erasure replaces the account id with a random pseudonym (one per request,
so nothing links the erased rows back to the person) and drops any token left."""

from __future__ import annotations

from collections.abc import Sequence

from reloop_shared.db.types import Connection


class CustomerRecords:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def pseudonymise(self, customer_ids: Sequence[str], pseudonym: str) -> int:
        if not customer_ids:
            return 0
        carts = await self.conn.execute(
            "UPDATE carts SET customer_id = $2 WHERE customer_id = ANY($1::text[])", list(customer_ids), pseudonym
        )
        orders = await self.conn.execute(
            "UPDATE orders SET customer_id = $2, payment_token = NULL WHERE customer_id = ANY($1::text[])",
            list(customer_ids),
            pseudonym,
        )
        return _count(carts) + _count(orders)


def _count(status: str) -> int:
    return int(status.rsplit(" ", 1)[-1]) if status else 0
