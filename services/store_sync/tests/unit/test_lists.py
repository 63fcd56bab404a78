"""Store-sync's lists on the twin, a page at a time: each item once, in its list's order, whatever
the page size; the keyset the routes pass back (`reloop_shared.http.pagination`) resumes each one
right after the last item served. (Served over HTTP on PostgreSQL: `tests/integration/`.)"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from reloop_localstack.testing import luhn_imei
from reloop_shared.http.pagination import Key, PageRequest, page_of
from services.store_sync.tests.builders import NOW, eur, register_paris, register_partner
from services.store_sync.tests.fakes import Twin
from store_sync.domain import commands
from store_sync.domain.transactions import Device, TradeIn
from store_sync.service_layer import ingestion, partner, shipments

T = TypeVar("T")


async def every_page(
    read: Callable[[Key | None, int], Awaitable[Sequence[T]]], key: Callable[[T], Key], limit: int
) -> tuple[list[T], int]:
    """Every item of a list read as a route reads it (`limit + 1` rows after the last key), and
    how many pages that took."""
    request, items, pages = PageRequest(limit, None), list[T](), 0
    while True:
        page, cursor = page_of(await read(request.after, limit + 1), request, key)
        items += page
        pages += 1
        if cursor is None:
            return items, pages
        request = PageRequest(limit, key(page[-1]))


def _ticket(number: str, code: str) -> dict[str, Any]:
    line = {"num_ligne": 1, "code_article": code, "quantite": 1, "prix_unitaire_ttc": "19,90"}
    return {"num_ticket": number, "type": "VENTE", "horodatage": "2026-11-20 10:00:00", "lignes": [line]}


async def _quarantine(twin: Twin, shop_id: str, count: int) -> None:
    tickets = tuple(_ticket(f"T-{n}", f"TLC-NEW-{n}") for n in range(count))
    await partner.ingest_partner(commands.IngestPartnerTickets(shop_id, tickets), twin.uow(), twin.sealer, twin.clock)


async def test_the_back_office_quarantine_is_paged_newest_first() -> None:
    twin = Twin()
    shop_id = await register_partner(twin)
    await _quarantine(twin, shop_id, 5)

    async def read(after: Key | None, limit: int) -> list[Any]:
        return await partner.quarantined(twin.uow(), operator_id="telco", after=after, limit=limit)

    items, pages = await every_page(read, lambda i: (i.quarantine_id,), 2)
    assert [i.ticket_key for i in items] == ["T-4", "T-3", "T-2", "T-1", "T-0"]
    assert pages == 3


async def test_a_shops_quarantine_is_paged_oldest_first() -> None:
    twin = Twin()
    shop_id = await register_partner(twin)
    await _quarantine(twin, shop_id, 3)

    async def read(after: Key | None, limit: int) -> list[Any]:
        return await partner.waiting_for_a_mapping(shop_id, twin.uow(), after=after, limit=limit)

    items, pages = await every_page(read, lambda i: (i.quarantine_id,), 1)
    assert ([i.ticket_key for i in items], pages) == (["T-0", "T-1", "T-2"], 3)


async def test_an_operators_mappings_are_paged_by_article_code() -> None:
    twin = Twin()
    await register_partner(twin)
    for code in ["TLC-C", "TLC-A", "TLC-B"]:
        command = commands.MapPartnerSku("telco", code, "CHG-USB-C-20W", "accessory")
        await partner.map_sku(command, twin.uow(), twin.sealer, twin.clock)

    async def read(after: Key | None, limit: int) -> list[Any]:
        return await partner.sku_mappings("telco", twin.uow(), after=after, limit=limit)

    items, pages = await every_page(read, lambda m: (m.partner_sku,), 2)
    assert ([m.partner_sku for m in items], pages) == (["TLC-A", "TLC-B", "TLC-C"], 2)


async def test_devices_waiting_at_a_shop_are_paged_in_the_order_they_were_left() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    for n in range(3):
        trade_in = TradeIn(f"TI-{n}", NOW, Device("imei", luhn_imei(70 + n)), eur(12000), "cash")
        await ingestion.ingest(commands.IngestTransactions(shop_id, (trade_in,)), twin.uow(), twin.sealer, twin.clock)
    everything = await shipments.waiting_at(shop_id, twin.uow(), after=None, limit=100)

    async def read(after: Key | None, limit: int) -> list[Any]:
        return await shipments.waiting_at(shop_id, twin.uow(), after=after, limit=limit)

    items, pages = await every_page(read, lambda c: (c.collected_at, c.device.source_id, c.device.unit_id), 2)
    assert (items, pages) == (everything, 2)
    assert len(items) == 3
