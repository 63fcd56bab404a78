"""The storefront's read side on the in-memory twin: the catalog's prices and inventory's
availability as they arrive, and what the storefront shows of them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orders.domain import commands
from orders.domain.errors import NotFound, NotSellable
from orders.domain.rules import ACCESSORY, DEVICE
from orders.service_layer import carts, projections, views
from reloop_contracts.amounts import Money
from services.orders.tests.fakes import OrdersTwin
from services.orders.tests.given import CHARGER, PHONE, cart_with, price_list


async def test_a_listed_and_priced_sku_is_shown_with_its_current_price() -> None:
    twin = OrdersTwin()
    await price_list(twin)
    later = twin.clock.now() + timedelta(hours=1)
    await projections.record_price(commands.RecordPrice(PHONE, "FR", Money(39900, "EUR"), later), twin.uow())

    shown = await views.storefront_sku(PHONE, "FR", twin.reads, twin.clock)
    assert (shown.kind, shown.price, shown.discontinued) == (DEVICE, Money(45900, "EUR"), False)
    twin.clock.advance(timedelta(hours=2))
    assert (await views.storefront_sku(PHONE, "FR", twin.reads, twin.clock)).price == Money(39900, "EUR")


async def test_a_price_in_another_currency_than_the_markets_is_skipped() -> None:
    twin = OrdersTwin()
    await price_list(twin)
    await projections.record_price(
        commands.RecordPrice(CHARGER, "FR", Money(1, "GBP"), twin.clock.now() - timedelta(minutes=1)), twin.uow()
    )
    assert (await views.storefront_sku(CHARGER, "FR", twin.reads, twin.clock)).price == Money(1990, "EUR")


async def test_a_discontinued_sku_is_shown_so_and_can_no_longer_go_into_a_cart() -> None:
    twin = OrdersTwin()
    await price_list(twin)
    await projections.record_discontinued(commands.RecordDiscontinued(CHARGER, twin.clock.now()), twin.uow())

    assert (await views.storefront_sku(CHARGER, "FR", twin.reads, twin.clock)).discontinued
    cart = await cart_with(twin)
    with pytest.raises(NotSellable):
        await carts.add_cart_line(
            commands.AddCartLine(cart.cart_id, cart.customer_id, CHARGER, ACCESSORY, 1), twin.uow(), twin.clock
        )


async def test_availability_is_the_newest_snapshot_and_an_older_one_changes_nothing() -> None:
    twin = OrdersTwin()
    await price_list(twin)
    now = twin.clock.now()
    await projections.record_availability(commands.RecordAvailability(PHONE, (("FR", 3),), now), twin.uow())
    stale = commands.RecordAvailability(PHONE, (("FR", 9),), now - timedelta(seconds=1))
    await projections.record_availability(stale, twin.uow())

    assert (await views.storefront_sku(PHONE, "FR", twin.reads, twin.clock)).available == 3
    assert (await views.storefront_sku(PHONE, "DE", twin.reads, twin.clock)).available is None


async def test_a_sku_the_catalog_never_mentioned_is_not_found() -> None:
    twin = OrdersTwin()
    with pytest.raises(NotFound) as missing:
        await views.storefront_sku("NOPE-1", "FR", twin.reads, twin.clock)
    assert missing.value.field == "sku"
