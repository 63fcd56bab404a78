"""Resetting the read model as a whole: what a rebuild from the topics starts from."""

from __future__ import annotations

from reloop_shared.db.types import Pool

READ_MODEL = (
    "identifiers, profiles, identity_links, merges, separations, contacts, consents, timeline, sale_facts,"
    " return_facts, shops, segment_entries, erasure_requests, erasure_confirmations, erased_identifiers,"
    " voucher_facts, redemption_facts, shop_trade_in_facts, grading_check_facts, subscription_facts,"
    " subscription_status_facts, repair_ticket_facts"
)


async def reset_read_model(pool: Pool, consumer: str) -> None:
    """Empty every read-model table and forget which events `consumer` applied, in one transaction,
    so a rebuild applies the whole history again (and a failed reset leaves the model as it was)."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"TRUNCATE {READ_MODEL}")
        await conn.execute("DELETE FROM processed_events WHERE consumer = $1", consumer)
        await conn.execute("DELETE FROM replay_watermarks WHERE consumer = $1", consumer)
