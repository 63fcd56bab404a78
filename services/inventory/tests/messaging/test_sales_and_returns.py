"""Sales and returns of every channel, on `sales.transactions.v1`: a sale takes its unit once, a
return follows its sale, and a sale that breaks a rule is dead-lettered with the reason while the
sales behind it are applied. Each test runs in memory and (marked) on the real stack."""

from __future__ import annotations

from inventory.domain import commands
from inventory.service_layer import receiving
from reloop_contracts import inventory as contract
from reloop_contracts import sales
from reloop_shared.consumer.dead_letter_store import DeadLetter
from reloop_shared.kafka import headers as h
from services.inventory.tests.messaging import given
from services.inventory.tests.messaging.under_test import Inventory


async def _allocations(service: Inventory, sale_id: str) -> list[contract.SaleAllocated]:
    return [e for e in await service.published(contract.SaleAllocated) if e.sale_id == sale_id]


async def _availability(service: Inventory, sku: str) -> list[int]:
    """Every availability of the SKU inventory published, in order."""
    return [e.total_available for e in await service.published(contract.AvailabilityChanged) if e.sku == sku]


async def _dead_letters_of(service: Inventory, sale_id: str) -> list[DeadLetter]:
    # The dead-letter topics of the real stack hold the whole session's letters: ours by key.
    return [x for x in await service.dead_letters() if x.key == sale_id.encode()]


async def test_a_shop_sale_sells_its_unit_and_publishes_the_allocation_and_the_new_availability(
    service: Inventory,
) -> None:
    shop = await given.location(service)
    phone = await given.listed(service)
    sold, left = await given.available_unit(service, phone, shop), await given.available_unit(service, phone, shop)
    sale = given.device_sale(shop, phone, sold)

    await service.deliver(sale, producer="store-sync")

    [allocated] = await _allocations(service, sale.sale_id)
    assert [(x.unit_id, x.location_id) for x in allocated.lines] == [(sold, shop)]
    assert allocated.conflicts == []
    assert (await _availability(service, phone))[-1] == 1
    assert [await given.status_of(service, x) for x in (sold, left)] == ["sold", "available"]


async def test_a_sale_delivered_twice_under_one_event_id_is_applied_once(
    service: Inventory,
) -> None:
    shop = await given.location(service)
    phone = await given.listed(service)
    unit_id = await given.available_unit(service, phone, shop)
    sale = given.device_sale(shop, phone, unit_id)

    await service.deliver(sale, producer="store-sync", copies=2)
    # The till sends the same sale again, in a new envelope: the sale id is already in the ledger.
    await service.deliver(sale, producer="store-sync")

    assert len(await _allocations(service, sale.sale_id)) == 1
    assert await _availability(service, phone) == [1, 0], "one change of availability: the sale's"
    assert await given.status_of(service, unit_id) == "sold"


async def test_a_sale_that_breaks_a_rule_is_dead_lettered_with_the_reason_and_the_next_sale_is_applied(
    service: Inventory,
) -> None:
    shop = await given.location(service)
    phone = await given.listed(service)
    unit_id = await given.available_unit(service, phone, shop)
    wrong_currency = given.device_sale(shop, phone, unit_id, currency="USD")
    unknown_sku = given.device_sale(shop, given.unique("NOPE"), unit_id)
    good = given.device_sale(shop, phone, unit_id)

    await service.deliver(wrong_currency, unknown_sku, good, producer="store-sync")

    [usd] = await _dead_letters_of(service, wrong_currency.sale_id)
    assert "sells in EUR, not USD" in usd.reason
    assert usd.headers[h.DLQ_ATTEMPTS] == "1", "a broken rule is not retried"
    assert usd.original_topic.endswith(sales.TRANSACTIONS.name)
    [nosku] = await _dead_letters_of(service, unknown_sku.sale_id)
    assert f"unknown SKU {unknown_sku.lines[0].sku}" in nosku.reason
    assert await _allocations(service, wrong_currency.sale_id) == []
    assert await _allocations(service, unknown_sku.sale_id) == []
    assert len(await _allocations(service, good.sale_id)) == 1
    assert await _dead_letters_of(service, good.sale_id) == []
    assert await given.status_of(service, unit_id) == "sold"


async def test_a_return_delivered_right_after_its_sale_brings_the_unit_back_to_wait_for_inspection(
    service: Inventory,
) -> None:
    shop = await given.location(service)
    phone = await given.listed(service)
    unit_id = await given.available_unit(service, phone, shop)
    sale = given.device_sale(shop, phone, unit_id)
    returned = given.device_return(sale, shop)

    # Keyed by the sale id: the return is read after the sale it returns.
    await service.deliver(sale, returned, producer="store-sync")

    [received] = [e for e in await service.published(contract.ReturnReceived) if e.return_id == returned.return_id]
    assert (received.sale_id, received.unit_ids) == (sale.sale_id, [unit_id])
    back = await given.unit(service, unit_id)
    assert (back.status, back.location_id, back.sale_id) == ("returned", shop, None)


async def test_a_returned_unit_is_sellable_again_only_after_inspection(service: Inventory) -> None:
    shop = await given.location(service)
    phone = await given.listed(service)
    unit_id = await given.available_unit(service, phone, shop)
    sale = given.device_sale(shop, phone, unit_id)
    await service.deliver(sale, producer="store-sync")
    await service.deliver(given.device_return(sale, shop), producer="store-sync")
    assert await given.available(service, phone) == 0, "a returned unit is not sellable before inspection"

    await receiving.inspect_unit(commands.InspectUnit(unit_id, "restock"), service.unit_of_work())

    assert await given.available(service, phone) == 1
    # available after restock, 0 after the sale, still 0 after the return, 1 after inspection
    assert await _availability(service, phone) == [1, 0, 0, 1]


async def test_a_return_of_a_unit_the_sale_did_not_sell_is_dead_lettered_and_changes_nothing(
    service: Inventory,
) -> None:
    shop = await given.location(service)
    phone = await given.listed(service)
    sold, other = await given.available_unit(service, phone, shop), await given.available_unit(service, phone, shop)
    sale = given.device_sale(shop, phone, sold)
    await service.deliver(sale, producer="store-sync")
    wrong = given.device_return(sale, shop, unit_id=other)

    await service.deliver(wrong, producer="store-sync")

    [letter] = await _dead_letters_of(service, sale.sale_id)
    assert f"unit {other} was not sold by sale {sale.sale_id}" in letter.reason
    assert [await given.status_of(service, x) for x in (sold, other)] == ["sold", "available"]
