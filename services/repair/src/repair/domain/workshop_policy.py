"""The business's workshop settings per market: reloop's warranty on what it sold, when a repair
is not worth it, how long a quote waits, and which centre repairs a market's devices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from reloop_contracts.amounts import Money

DEFAULT_WARRANTY_MONTHS = 12
DEFAULT_UNECONOMIC_SHARE_BPS = 7000
DEFAULT_CENTRE = "CENTRE-1"


@dataclass(frozen=True)
class WorkshopPolicy:
    warranty_months: dict[str, int] = field(default_factory=lambda: {"FR": 12})
    uneconomic_share_bps: dict[str, int] = field(default_factory=lambda: {"FR": 7000})
    """A repair estimate above this share (basis points) of the resale value is beyond economic repair."""
    quote_validity: timedelta = timedelta(days=14)
    centres: dict[str, str] = field(default_factory=dict)
    """The repair centre of each market; a market not listed goes to `default_centre`."""
    default_centre: str = DEFAULT_CENTRE

    def warranty_ends(self, market: str, sold_at: datetime) -> datetime:
        months = self.warranty_months.get(market, DEFAULT_WARRANTY_MONTHS)
        # A month is 30 days here, as in the sales terms; the exact calendar day would be kinder
        # but nothing downstream relies on it.
        return sold_at + timedelta(days=30 * months)

    def beyond_economic_repair(self, market: str, estimate: Money, resale_value: Money | None) -> bool:
        if resale_value is None or resale_value.amount_minor <= 0 or estimate.currency != resale_value.currency:
            return False
        share = self.uneconomic_share_bps.get(market, DEFAULT_UNECONOMIC_SHARE_BPS)
        return estimate.amount_minor * 10_000 > resale_value.amount_minor * share

    def centre_of(self, market: str) -> str:
        return self.centres.get(market, self.default_centre)


@dataclass(frozen=True)
class UnansweredQuotes:
    """What a quote left unanswered past its deadline counts as, per market: declined (the device
    goes back unrepaired, nothing charged without the customer's yes) unless the market's terms
    say an unanswered quote is accepted."""

    accepted_in: frozenset[str] = frozenset()

    def accepted(self, market: str) -> bool:
        return market in self.accepted_in
