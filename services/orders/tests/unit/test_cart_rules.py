"""What can go in a cart and how it is priced: the cart's rules on plain objects."""

from __future__ import annotations

import pytest

from orders.domain.cart import Cart, Listing
from orders.domain.errors import InvalidCheckout, InvalidQuantity, NotSellable, WrongState
from orders.domain.model import Order
from orders.domain.rules import ACCESSORY, DEVICE
from reloop_contracts.amounts import InvalidMoney, Money
from services.orders.tests.builders import NOW

PHONE = Listing("IPH13-128-BLK-EX", DEVICE, Money(45900, "EUR"))
CHARGER = Listing("CHG-USB-C-20W", ACCESSORY, Money(1990, "EUR"))


def _cart() -> Cart:
    return Cart.open("cart-1", "FR", "cust-1", NOW)


@pytest.mark.parametrize("quantity", [0, 2])
def test_a_refurbished_device_line_takes_exactly_one_unit(quantity: int) -> None:
    cart = _cart()
    with pytest.raises(InvalidQuantity) as refused:
        cart.add_line("L1", PHONE.sku, DEVICE, quantity, PHONE)
    assert refused.value.field == "quantity"
    assert cart.lines == []


def test_an_accessory_line_takes_any_positive_quantity() -> None:
    cart = _cart()
    cart.add_line("L1", CHARGER.sku, ACCESSORY, 5, CHARGER)
    with pytest.raises(InvalidQuantity):
        cart.add_line("L2", CHARGER.sku, ACCESSORY, -1, CHARGER)
    assert [(line.sku, line.quantity) for line in cart.lines] == [(CHARGER.sku, 5)]


@pytest.mark.parametrize(
    "listing",
    [None, Listing("IPH13-128-BLK-EX", DEVICE, None), Listing("IPH13-128-BLK-EX", DEVICE, PHONE.price, True)],
    ids=["unknown SKU", "no price in the market", "discontinued"],
)
def test_a_sku_that_cannot_be_bought_in_the_market_is_refused_naming_the_sku(listing: Listing | None) -> None:
    with pytest.raises(NotSellable) as refused:
        _cart().add_line("L1", "IPH13-128-BLK-EX", DEVICE, 1, listing)
    assert refused.value.field == "sku"


def test_a_sku_added_as_another_kind_than_listed_is_refused_naming_the_kind() -> None:
    with pytest.raises(NotSellable) as refused:
        _cart().add_line("L1", PHONE.sku, ACCESSORY, 3, PHONE)
    assert refused.value.field == "kind"


def test_checkout_takes_todays_price_and_refuses_a_sku_that_lost_its_price() -> None:
    cart = _cart()
    cart.add_line("L1", PHONE.sku, DEVICE, 1, PHONE)
    cart.add_line("L2", CHARGER.sku, ACCESSORY, 2, CHARGER)
    repriced = Listing(PHONE.sku, DEVICE, Money(42900, "EUR"))
    lines = cart.price({PHONE.sku: repriced, CHARGER.sku: CHARGER})
    assert [line.amount for line in lines] == [Money(42900, "EUR"), Money(3980, "EUR")]
    with pytest.raises(NotSellable):
        cart.price({PHONE.sku: repriced})


def test_an_empty_cart_cannot_be_checked_out() -> None:
    with pytest.raises(InvalidCheckout) as refused:
        _cart().price({})
    assert refused.value.field == "lines"


def test_a_checked_out_cart_cannot_change() -> None:
    cart = _cart()
    cart.add_line("L1", CHARGER.sku, ACCESSORY, 1, CHARGER)
    cart.check_out("ord-1")
    with pytest.raises(WrongState) as refused:
        cart.add_line("L2", CHARGER.sku, ACCESSORY, 1, CHARGER)
    assert refused.value.field == "cart_id"


@pytest.mark.parametrize(
    ("fulfilment", "pickup", "method", "field"),
    [
        ("click_and_collect", None, "card", "pickup_location_id"),
        ("ship", "SHOP-LYON-1", "card", "pickup_location_id"),
        ("ship", None, "cash", "payment.method"),
    ],
    ids=["collect without a shop", "ship with a shop", "not a card"],
)
def test_an_order_needs_a_pickup_shop_exactly_for_click_and_collect_and_a_card(
    fulfilment: str, pickup: str | None, method: str, field: str
) -> None:
    cart = _cart()
    cart.add_line("L1", CHARGER.sku, ACCESSORY, 1, CHARGER)
    with pytest.raises(InvalidCheckout) as refused:
        Order.checkout(
            "o", "cart-1", "c", "FR", cart.price({CHARGER.sku: CHARGER}), fulfilment, pickup, method, "t", NOW
        )
    assert refused.value.field == field


def test_money_is_an_integer_of_minor_units_in_one_currency() -> None:
    with pytest.raises(InvalidMoney, match="integer"):
        Money(19.9, "EUR")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cannot combine"):
        _ = Money(100, "EUR") + Money(100, "GBP")
