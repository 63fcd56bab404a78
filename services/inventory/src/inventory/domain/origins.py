"""Where a unit came from, when reloop bought it back from a customer."""

from __future__ import annotations

from dataclasses import dataclass

from reloop_contracts.amounts import Money


@dataclass(frozen=True)
class TradeInOrigin:
    """The unit was bought back in a trade-in: which one, and what reloop paid for it, so the
    resale margin of each trade-in can be traced from the unit that is sold."""

    trade_in_id: str
    acquired_for: Money
