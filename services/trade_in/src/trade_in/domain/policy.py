"""The business's knobs on trade-ins, as one value handlers are given (settings build it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from trade_in.domain.counter_offers import CounterOfferPolicy


@dataclass(frozen=True)
class TradeInPolicy:
    quote_validity: timedelta = timedelta(days=21)
    """How long a quote's price holds: the device must be accepted and sent in before then."""
    counter_offers: CounterOfferPolicy = field(default_factory=CounterOfferPolicy)
    voucher_bonus_bps: Mapping[str, int] = field(default_factory=dict)
    """Extra store credit per market, in basis points (1000 = +10%); a market not listed has none."""
    voucher_validity: timedelta = timedelta(days=365)
    voucher_hold: timedelta = timedelta(minutes=15)
    """How long an amount held for a checkout or a till stays set aside, from the moment it is
    granted; a hold no sale converts by then is given back by the sweep."""
    voucher_refund_validity: timedelta = timedelta(days=30)
    """How long store credit a return puts back on a voucher stays spendable at least, from the
    refund: a voucher that expired sooner (or had expired) is opened until then."""

    def bonus_in(self, market: str) -> int:
        return self.voucher_bonus_bps.get(market, 0)
