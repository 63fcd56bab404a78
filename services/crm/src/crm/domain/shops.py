"""Shops for the channel analytics: declared in CRM (an operator's deliberate answer, e.g. a
catchment wider than one postal area), or as store-sync's registry announces them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from crm.domain import commands
from crm.domain.analytics import POSTAL_PREFIX_LENGTH, postal_prefix
from crm.domain.errors import InvalidCatchment
from crm.domain.events import ShopCatchmentDeclared


def declared_shop(cmd: commands.DeclareShop, now: datetime) -> ShopCatchmentDeclared:
    if any(len(p) != POSTAL_PREFIX_LENGTH for p in cmd.catchment_prefixes):
        raise InvalidCatchment(f"postal prefixes have {POSTAL_PREFIX_LENGTH} characters", field="catchment_prefixes")
    return ShopCatchmentDeclared(
        shop_id=cmd.shop_id,
        kind=cmd.kind,
        market=cmd.market,
        catchment_prefixes=tuple(cmd.catchment_prefixes),
        opened_on=cmd.opened_on,
        declared_at=now,
    )


@dataclass(frozen=True)
class RegisteredShop:
    """A shop as the registry knows it: its postal code's prefix is its catchment, and it opens on
    its opening day, or the day it was registered when it has none."""

    shop_id: str
    kind: str
    market: str
    catchment_prefixes: list[str]
    opened_on: date
    registered_at: datetime


@dataclass(frozen=True)
class ShopOnRecord:
    """A shop as the analytics compare it, and where that came from: `declared` in CRM, or the
    `registry`."""

    shop_id: str
    kind: str
    market: str
    catchment_prefixes: list[str]
    opened_on: date
    source: str


def registered_shop(cmd: commands.RecordRegisteredShop) -> RegisteredShop:
    prefix = postal_prefix(cmd.postal_code)
    return RegisteredShop(
        cmd.shop_id,
        cmd.kind,
        cmd.market,
        [prefix] if prefix else [],
        cmd.opens_on or cmd.registered_at.date(),
        cmd.registered_at,
    )
