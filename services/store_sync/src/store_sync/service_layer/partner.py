"""A partner operator's tickets: mapped through its table and recorded, or quarantined with the
reason and replayed once the mapping is fixed. Nothing is dropped.

A quarantined ticket is kept without its customer block. If the shop's policy lets that customer
reach CRM, their contact details are kept sealed under the ticket's data subject (erasure
destroys the key); otherwise they are dropped at once, as they would have been on success. What
becomes of the tickets is decided in `partner_tickets` (load, decide, save).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from reloop_shared.clock import Clock
from reloop_shared.http.pagination import Key
from store_sync.domain import commands
from store_sync.domain.errors import Conflict, Invalid, NotFound
from store_sync.domain.partner import FORMAT, SkuMapping, split_personal, ticket_id
from store_sync.domain.shops import check_id
from store_sync.domain.transactions import ITEM_KINDS
from store_sync.service_layer.partner_tickets import (
    TicketOutcome,
    decided,
    mappings_for,
    restored,
    saved,
    uploaded,
)
from store_sync.service_layer.ports import Quarantined, Sealer
from store_sync.service_layer.unit_of_work import StoreSyncUnitOfWork


async def ingest_partner(
    cmd: commands.IngestPartnerTickets, uow: StoreSyncUnitOfWork, sealer: Sealer, clock: Clock
) -> list[TicketOutcome]:
    async with uow:
        shop = await uow.shops.lock(cmd.shop_id)
        if shop.pos_format != FORMAT:
            raise Invalid(f"shop {shop.shop_id}'s tills use reloop's format, not {FORMAT}", field="shop_id")
        tickets = [uploaded(shop, raw) for raw in cmd.tickets]
        at = clock.now()
        outcomes = await saved(decided(tickets, await mappings_for(tickets, uow), at), uow, sealer, at)
        await uow.commit()
    return outcomes


async def map_sku(
    cmd: commands.MapPartnerSku, uow: StoreSyncUnitOfWork, sealer: Sealer, clock: Clock
) -> list[TicketOutcome]:
    """Map one of the operator's article codes, then replay the operator's quarantine: what maps
    now is recorded in the same transaction as the mapping."""
    check_id(cmd.sku, "sku")
    if cmd.kind not in ITEM_KINDS:
        raise Invalid(f"kind is one of {', '.join(ITEM_KINDS)}", field="kind")
    async with uow:
        if await uow.operators.get(cmd.operator_id, for_update=True) is None:
            raise NotFound(f"no operator {cmd.operator_id}", field="operator_id")
        at = clock.now()
        await uow.partner.map_sku(cmd.operator_id, SkuMapping(cmd.partner_sku, cmd.sku, cmd.kind), at)
        outcomes = await _replay(await uow.quarantine.open_items(operator_id=cmd.operator_id), uow, sealer, at)
        await uow.commit()
    return outcomes


async def replay(
    cmd: commands.ReplayQuarantined, uow: StoreSyncUnitOfWork, sealer: Sealer, clock: Clock
) -> TicketOutcome:
    """Replay one quarantined ticket, as it is or corrected by hand (its customer block kept)."""
    async with uow:
        item = await uow.quarantine.get(cmd.quarantine_id)
        if item is None:
            raise NotFound(f"no quarantined ticket {cmd.quarantine_id}", field="quarantine_id")
        if item.status != "open":
            raise Conflict(f"ticket {cmd.quarantine_id} was already replayed", field="quarantine_id")
        if cmd.corrected is not None:
            corrected, _ = split_personal(cmd.corrected)
            if ticket_id(corrected) != item.client_txn_id and item.client_txn_id is not None:
                raise Invalid("a correction keeps the ticket's number", field="num_ticket")
            item = dataclasses.replace(item, ticket=corrected)
        outcomes = await _replay([item], uow, sealer, clock.now())
        if not outcomes:  # replayed meanwhile, by an upload or another replay
            raise Conflict(f"ticket {cmd.quarantine_id} was already replayed", field="quarantine_id")
        await uow.commit()
    return outcomes[0]


async def _replay(
    items: Sequence[Quarantined], uow: StoreSyncUnitOfWork, sealer: Sealer, at: datetime
) -> list[TicketOutcome]:
    """Load, decide, save. Every shop involved is locked in one statement, in shop id order (the one
    lock order of every upload and replay: no deadlock); under those locks, what is still open (an
    upload may have mapped some meanwhile); the kept customers are opened in one call."""
    if not items:
        return []
    shops = {shop.shop_id: shop for shop in await uow.shops.lock_all({i.shop_id for i in items})}
    still_open = await uow.quarantine.still_open([i.quarantine_id for i in items])
    items = sorted((i for i in items if i.quarantine_id in still_open), key=lambda i: i.shop_id)
    tickets = await restored(shops, items, sealer)
    return await saved(decided(tickets, await mappings_for(tickets, uow), at), uow, sealer, at)


async def sku_mappings(
    operator_id: str, uow: StoreSyncUnitOfWork, *, after: Key | None, limit: int
) -> list[SkuMapping]:
    """The operator's mapping table, by article code, a part at a time."""
    async with uow:
        if await uow.operators.get(operator_id) is None:
            raise NotFound(f"no operator {operator_id}", field="operator_id")
        return await uow.partner.all_skus(operator_id, after, limit)


async def quarantined(
    uow: StoreSyncUnitOfWork,
    *,
    operator_id: str | None = None,
    shop_id: str | None = None,
    status: str | None = "open",
    after: Key | None = None,
    limit: int = 200,
) -> list[Quarantined]:
    """Quarantined tickets, newest first."""
    async with uow:
        return await uow.quarantine.listing(
            operator_id=operator_id, shop_id=shop_id, status=status, after=after, limit=limit
        )


async def waiting_for_a_mapping(
    shop_id: str, uow: StoreSyncUnitOfWork, *, after: Key | None, limit: int
) -> list[Quarantined]:
    """The shop's tickets still in quarantine, oldest first."""
    async with uow:
        return await uow.quarantine.open_items(shop_id=shop_id, after=after, limit=limit)
