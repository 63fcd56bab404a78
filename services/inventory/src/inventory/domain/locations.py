"""Where stock is: warehouses and refurbishment centres ship online orders; own shops and partner
points of sale sell over the counter, hold for click-and-collect and collect devices."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SHIPS_ONLINE = frozenset({"warehouse", "refurbishment_centre"})


@dataclass(frozen=True)
class Location:
    location_id: str
    kind: str
    market: str
    name: str
    address: str = ""


def shipping_order(locations: Iterable[Location]) -> list[str]:
    """Where an online order of a market is served from, in order of preference: its warehouses,
    then its refurbishment centres (stock still there is closer to its last check)."""
    ships = [x for x in locations if x.kind in SHIPS_ONLINE]
    return [x.location_id for x in sorted(ships, key=lambda x: (x.kind == "refurbishment_centre", x.location_id))]


def eligible(location_id: str | None, shipping: list[str]) -> list[str]:
    """Where stock for a claim may come from: the named location only (a shop hold, click-and-collect),
    or else the market's shipping locations."""
    return [location_id] if location_id is not None else list(shipping)
