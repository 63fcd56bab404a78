"""Rules several contracts check the same way: one currency, the market's currency, facts in the
order they happen, a shop named exactly when the channel is a shop's. Each raises `ValueError`
with the message a producer reads in its validation error."""

from __future__ import annotations

from datetime import datetime

from reloop_contracts.common import Channel
from reloop_contracts.markets import currency_of
from reloop_contracts.money import Money


def one_currency(*amounts: Money) -> None:
    currencies = sorted({amount.currency for amount in amounts})
    if len(currencies) > 1:
        raise ValueError(f"amounts are in one currency, found {', '.join(currencies)}")


def in_the_markets_currency(market: str, *amounts: Money) -> None:
    # Markets the table does not list are the producer's business; a listed one has one currency.
    expected = currency_of(market)
    for amount in amounts:
        if expected is not None and amount.currency != expected:
            raise ValueError(f"market {market} is paid in {expected}, not {amount.currency}")


def after(later: datetime, earlier: datetime, what: str) -> None:
    if later <= earlier:
        raise ValueError(what)


def shop_named_for_a_shop_channel(channel: Channel, shop_id: str | None, online_things: str) -> None:
    """`online_things`: what the message calls the event's subject online ("trade-in or redemption")."""
    if channel == "online" and shop_id is not None:
        raise ValueError(f"an online {online_things} names no shop")
    if channel != "online" and shop_id is None:
        raise ValueError(f"a {channel} channel names its shop (shop_id)")
