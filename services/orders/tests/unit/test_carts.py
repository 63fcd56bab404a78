"""Cart use cases on the in-memory twin: every price comes from the price list."""

from __future__ import annotations

import pytest

from orders.domain import commands
from orders.domain.cart import CartLine
from orders.domain.errors import Invalid, NotFound, NotSellable
from orders.domain.rules import ACCESSORY, DEVICE
from orders.service_layer import carts, views
from reloop_contracts.amounts import Money
from services.orders.tests.fakes import OrdersTwin
from services.orders.tests.given import CHARGER, PHONE, cart_with, price_list


async def test_an_opened_cart_is_empty_and_in_its_market() -> None:
    twin = OrdersTwin()
    cart = await carts.open_cart(commands.OpenCart("FR", "cust-1"), twin.uow(), twin.clock)

    kept = twin.tables.carts[cart.cart_id]
    assert (kept.market, kept.customer_id, kept.lines, kept.created_at) == ("FR", "cust-1", [], twin.clock.now())


async def test_a_cart_cannot_be_opened_in_a_market_reloop_does_not_sell_in() -> None:
    twin = OrdersTwin()
    with pytest.raises(Invalid) as refused:
        await carts.open_cart(commands.OpenCart("ZZ", "cust-1"), twin.uow(), twin.clock)
    assert refused.value.field == "market"
    assert twin.tables.carts == {}


async def test_a_line_goes_into_the_cart_and_the_cart_is_shown_at_todays_prices() -> None:
    twin = OrdersTwin()
    await price_list(twin)
    cart = await cart_with(twin, (PHONE, DEVICE, 1))
    line = await carts.add_cart_line(
        commands.AddCartLine(cart.cart_id, cart.customer_id, CHARGER, ACCESSORY, 3), twin.uow(), twin.clock
    )

    shown, skus = await views.priced_cart(cart.cart_id, cart.customer_id, twin.reads, twin.clock)
    assert shown.lines[-1] == line == CartLine(line.line_id, CHARGER, ACCESSORY, 3)
    assert [skus[sku].price for sku in (PHONE, CHARGER)] == [Money(45900, "EUR"), Money(1990, "EUR")]


async def test_a_sku_without_a_price_in_the_market_is_refused_and_the_cart_is_left_as_it_was() -> None:
    twin = OrdersTwin()
    await price_list(twin)
    cart = await cart_with(twin, (PHONE, DEVICE, 1))
    with pytest.raises(NotSellable) as refused:
        await carts.add_cart_line(
            commands.AddCartLine(cart.cart_id, cart.customer_id, "NOPE-1", ACCESSORY, 1), twin.uow(), twin.clock
        )
    assert refused.value.field == "sku"
    assert [line.sku for line in twin.tables.carts[cart.cart_id].lines] == [PHONE]


async def test_adding_to_a_cart_that_does_not_exist_is_not_found() -> None:
    twin = OrdersTwin()
    with pytest.raises(NotFound) as missing:
        await carts.add_cart_line(commands.AddCartLine("no-cart", "cust-1", PHONE, DEVICE, 1), twin.uow(), twin.clock)
    assert missing.value.field == "cart_id"


async def test_a_removed_line_is_gone_and_removing_it_again_is_not_found() -> None:
    twin = OrdersTwin()
    await price_list(twin)
    cart = await cart_with(twin, (PHONE, DEVICE, 1), (CHARGER, ACCESSORY, 2))
    phone_line = cart.lines[0].line_id
    await carts.remove_cart_line(commands.RemoveCartLine(cart.cart_id, cart.customer_id, phone_line), twin.uow())

    assert [line.sku for line in twin.tables.carts[cart.cart_id].lines] == [CHARGER]
    with pytest.raises(NotFound) as again:
        await carts.remove_cart_line(commands.RemoveCartLine(cart.cart_id, cart.customer_id, phone_line), twin.uow())
    assert again.value.field == "line_id"


async def test_a_cart_changed_in_memory_but_not_saved_keeps_its_stored_lines() -> None:
    twin = OrdersTwin()
    await price_list(twin)
    cart = await cart_with(twin, (PHONE, DEVICE, 1))
    uow = twin.uow()
    async with uow:
        loaded = await uow.carts.get(cart.cart_id)
        assert loaded is not None
        loaded.lines.clear()
        await uow.commit()
    assert [line.sku for line in twin.tables.carts[cart.cart_id].lines] == [PHONE]
