"""Devices left at a shop ship out on the twin; an erasure forgets the customer everywhere it can."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reloop_contracts import privacy, sales, store
from services.store_sync.tests.builders import NOW, eur, register_paris, sale
from services.store_sync.tests.fakes import Twin
from store_sync.domain import commands
from store_sync.domain.errors import Conflict, InvalidShipment, NotFound
from store_sync.domain.policy import Contact, TillCustomer
from store_sync.domain.transactions import Device, RepairDropOff, TradeIn, Transaction
from store_sync.service_layer import erasure, ingestion, shipments

IMEI = "356938035643809"


async def _upload(twin: Twin, shop_id: str, *txns: Transaction) -> None:
    await ingestion.ingest(commands.IngestTransactions(shop_id, txns), twin.uow(), twin.sealer, twin.clock)


async def _dispatch(twin: Twin, ref: str, unit_ids: tuple[str, ...] | None = None) -> str:
    command = commands.DispatchShipment("PAR-1", ref, "REFURB-1", unit_ids)
    return (await shipments.dispatch(command, twin.uow(), twin.clock)).shipment_id


async def test_devices_left_at_the_shop_ship_once_and_arrive_with_the_missing_ones_named() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    await _upload(twin, shop_id, TradeIn("TI-1", NOW, Device("imei", IMEI), eur(12000), "cash"))
    await _upload(twin, shop_id, RepairDropOff("REP-1", NOW, Device("serial", "C02XK1ZZJG5J"), "battery"))
    waiting = await shipments.waiting_at(shop_id, twin.uow(), after=None, limit=100)
    assert sorted(c.device.kind for c in waiting) == ["repair", "trade_in"]
    shipment_id = await _dispatch(twin, "BOX-1")
    assert await _dispatch(twin, "BOX-1") == shipment_id, "the same reference is the same shipment"
    assert await shipments.waiting_at(shop_id, twin.uow(), after=None, limit=100) == []
    first = waiting[0].device.unit_id
    receipt = commands.ReceiveShipment(shipment_id, (first,))
    received = await shipments.receive(receipt, twin.uow(), twin.clock)
    assert received.missing == (waiting[1].device.unit_id,)
    [dispatched] = twin.store.published(store.ShipmentDispatched)
    [arrived] = twin.store.published(store.ShipmentReceived)
    assert len(dispatched.units) == 2
    assert (arrived.received_unit_ids, arrived.missing_unit_ids) == ([first], [waiting[1].device.unit_id])


async def test_a_reference_sent_again_for_other_devices_is_a_conflict() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    await _upload(twin, shop_id, TradeIn("TI-1", NOW, Device("imei", IMEI), eur(12000), "cash"))
    await _dispatch(twin, "BOX-1")
    with pytest.raises(Conflict):
        await _dispatch(twin, "BOX-1", ("U-OTHER",))


async def test_nothing_waiting_is_nothing_to_ship() -> None:
    twin = Twin()
    await register_paris(twin)
    with pytest.raises(InvalidShipment) as refused:
        await _dispatch(twin, "BOX-1")
    assert refused.value.field == "unit_ids"
    assert twin.tables.shipments == {}


async def test_a_receipt_for_an_unknown_shipment_is_not_found() -> None:
    twin = Twin()
    with pytest.raises(NotFound):
        await shipments.receive(commands.ReceiveShipment("shp-x"), twin.uow(), twin.clock)


async def test_an_erasure_destroys_the_subjects_key_drops_account_ids_and_is_confirmed() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    customer = TillCustomer("acct-9", Contact(email="ana@example.org"), marketing=True)
    await _upload(twin, shop_id, sale("T-1", NOW - timedelta(hours=1), customer=customer))
    [sold] = twin.store.published(sales.SaleRecorded)
    assert sold.customer is not None
    assert sold.customer.personal is not None
    command = commands.EraseSubjects("req-1", (sold.customer.subject_id or "",), ("acct-9",), confirm=True)
    erased = await erasure.when_erasure_requested_forget_the_customer(command, twin.uow(), twin.sealer, twin.clock)
    assert erased == 1
    assert twin.tables.transactions[(shop_id, "T-1")].customer_id is None
    assert await twin.opened(sold.customer.personal) is None, "every sealed copy is unreadable"
    [done] = twin.store.published(privacy.ErasureCompleted)
    assert (done.request_id, done.service, done.records_erased) == ("req-1", "store-sync", 1)


async def test_an_erasure_store_sync_is_not_asked_to_confirm_publishes_nothing() -> None:
    twin = Twin()
    command = commands.EraseSubjects("req-1", ("subj-x",), (), confirm=False)
    assert await erasure.when_erasure_requested_forget_the_customer(command, twin.uow(), twin.sealer, twin.clock) == 0
    assert twin.store.published(privacy.ErasureCompleted) == []
