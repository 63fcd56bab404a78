"""Bodies and answers of the grid's derivation from the catalog's resale prices."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from reloop_contracts import NonNegativeMoney
from reloop_shared.http.requests import RequestBody
from trade_in.domain.grades import Grade
from trade_in.domain.pricing import DerivationRule, GridEntry, GridSource
from trade_in.entrypoints.http.schemas import MoneyIn


class DerivationRuleIn(RequestBody):
    margin_bps: int = Field(
        ge=0, le=9_999, description="What reloop keeps of the resale price (refurbishment, risk, profit)."
    )
    monthly_decay_bps: int = Field(
        ge=0, le=10_000, description="Share of the derived price lost per month since the resale price took effect."
    )
    floor: MoneyIn = Field(description="Age never takes a derived price below this (nor is a floor above the price).")


class DerivationRuleOut(BaseModel):
    market: str
    model_family: str | None = Field(description="None: the market's rule, for families without their own.")
    margin_bps: int
    monthly_decay_bps: int
    floor: NonNegativeMoney

    @classmethod
    def of(cls, rule: DerivationRule) -> DerivationRuleOut:
        return cls(
            market=rule.market,
            model_family=rule.model_family,
            margin_bps=rule.margin_bps,
            monthly_decay_bps=rule.monthly_decay_bps,
            floor=NonNegativeMoney.of(rule.floor),
        )


class PricedEntryOut(BaseModel):
    """The entry a quote of this device is priced by, and where it comes from."""

    market: str
    model_family: str
    storage_gb: int
    grade: Grade
    source: GridSource = Field(description="`manual`: set by hand; `resale`: derived from the catalog's price.")
    price: NonNegativeMoney
    floor: NonNegativeMoney
    released_on: date = Field(
        description="The model's release, or for a derived entry the day its resale price took effect."
    )
    monthly_decay_bps: int

    @classmethod
    def of(cls, e: GridEntry) -> PricedEntryOut:
        return cls(
            market=e.key.market,
            model_family=e.key.model_family,
            storage_gb=e.key.storage_gb,
            grade=e.key.grade,
            source=e.source,
            price=NonNegativeMoney.of(e.price),
            floor=NonNegativeMoney.of(e.floor),
            released_on=e.released_on,
            monthly_decay_bps=e.monthly_decay_bps,
        )
