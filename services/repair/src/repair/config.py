"""Repair settings: `REPAIR_*` variables, plus the shared KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL.
Per-market settings are JSON objects keyed by market, e.g. `REPAIR_PLAN_PRICE_MINOR='{"FR": 699}'`."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Self

from pydantic import Field, NonNegativeInt, PositiveFloat, PositiveInt, ValidationInfo, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from reloop_contracts.amounts import Money
from reloop_contracts.markets import currency_of
from reloop_shared.settings import RuntimeSettings
from repair.domain.plans import (
    EVERY_OTHER_MARKET,
    FairUse,
    MarketPlan,
    OverdueStates,
    Plans,
    RetrySchedule,
    for_market,
)
from repair.domain.sla import SlaPolicy
from repair.domain.workshop_policy import UnansweredQuotes, WorkshopPolicy

MARKET = re.compile(r"[A-Z]{2}")
BUILT_IN: dict[str, object] = {
    "retry_after_days": [1, 3, 7],
    "suspend_after_days": 14,
    "cancel_after_days": 21,
    "waiting_period_days": 30,
    "claims_per_device_per_year": 3,
    "devices_per_subscription": 3,
}
"""Each per-market setting's value in the markets it does not name, unless it says otherwise."""
PER_MARKET = tuple(BUILT_IN)


class RepairSettings(RuntimeSettings):
    model_config = SettingsConfigDict(env_prefix="REPAIR_", extra="ignore")

    http_port: int = 8107
    # --- the workshop ---
    warranty_months: dict[str, int] = Field(
        default_factory=lambda: {"FR": 12}, description="Reloop's warranty on a device it sold, in months per market."
    )
    uneconomic_share_bps: dict[str, int] = Field(
        default_factory=lambda: {"FR": 7000},
        description="A repair estimate above this share of the resale value (basis points) suggests a trade-in.",
    )
    quote_validity_days: int = Field(default=14, ge=1, le=90, description="Days a customer has to answer a quote.")
    repair_centres: dict[str, str] = Field(
        default_factory=dict, description='The repair centre of each market, e.g. {"FR": "CENTRE-LYON"}.'
    )
    default_centre: str = Field(default="CENTRE-1", min_length=1, max_length=64)
    # --- the subscription ---
    plan_price_minor: dict[str, int] = Field(
        default_factory=lambda: {"FR": 699},
        description="What a month of the plan costs per market, in minor units of the market's currency.",
    )
    renewal_sweep_s: float = Field(default=60.0, gt=0, description="How often due renewals and retries are run.")

    def workshop_policy(self) -> WorkshopPolicy:
        return WorkshopPolicy(
            warranty_months=dict(self.warranty_months),
            uneconomic_share_bps=dict(self.uneconomic_share_bps),
            quote_validity=timedelta(days=self.quote_validity_days),
            centres=dict(self.repair_centres),
            default_centre=self.default_centre,
        )

    # subscriptions per market
    # Each is a JSON object keyed by market with a "default" entry for the markets it does not name,
    # e.g. REPAIR_SUSPEND_AFTER_DAYS='{"FR": 14, "default": 10}'; a bare value (the settings' earlier
    # form, REPAIR_SUSPEND_AFTER_DAYS=14) is every market's.
    retry_after_days: dict[str, list[PositiveInt]] = Field(
        default_factory=lambda: {EVERY_OTHER_MARKET: [1, 3, 7]},
        description="Days after a failed charge when it is tried again, per market.",
    )
    suspend_after_days: dict[str, PositiveInt] = Field(
        default_factory=lambda: {EVERY_OTHER_MARKET: 14},
        description="Days overdue before coverage is suspended, per market.",
    )
    cancel_after_days: dict[str, PositiveInt] = Field(
        default_factory=lambda: {EVERY_OTHER_MARKET: 21},
        description="Days overdue before the plan is cancelled, per market (after it is suspended).",
    )
    waiting_period_days: dict[str, NonNegativeInt] = Field(
        default_factory=lambda: {EVERY_OTHER_MARKET: 30},
        description="Days from the start of a subscription to its first claim, per market.",
    )
    claims_per_device_per_year: dict[str, PositiveInt] = Field(
        default_factory=lambda: {EVERY_OTHER_MARKET: 3}, description="Covered repairs per device in a rolling year."
    )
    devices_per_subscription: dict[str, PositiveInt] = Field(
        default_factory=lambda: {EVERY_OTHER_MARKET: 3}, description="Devices one subscription covers, per market."
    )
    renewal_runners: int = Field(
        default=2, ge=1, le=16, description="Batches a renewal run works on at once (each claims its own rows)."
    )
    allow_runs_ahead: bool = Field(
        default=False,
        description="Let `POST /renewal-runs` run renewals as of a later moment in production (a demo's clock).",
    )

    @field_validator(*PER_MARKET, mode="before")
    @classmethod
    def _every_market(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, dict):
            return {EVERY_OTHER_MARKET: value}
        wrong = [k for k in value if k != EVERY_OTHER_MARKET and not MARKET.fullmatch(str(k))]
        if wrong:
            raise ValueError(f"keys are markets (two capital letters) or {EVERY_OTHER_MARKET!r}, not {wrong}")
        return {EVERY_OTHER_MARKET: BUILT_IN[info.field_name or ""], **value}

    @model_validator(mode="after")
    def _plans_hold(self) -> Self:
        self.plans()  # a market cancelling before it suspends is refused at start, naming the market
        return self

    def plans(self) -> Plans:
        markets = {}
        for market, price in self.plan_price_minor.items():
            currency = currency_of(market)
            if currency is None:
                raise ValueError(f"REPAIR_PLAN_PRICE_MINOR: {market} has no known currency")
            markets[market] = MarketPlan(market, Money(price, currency), *self._terms(market))
        return Plans(markets, *self._terms(EVERY_OTHER_MARKET))

    def _terms(self, market: str) -> tuple[RetrySchedule, OverdueStates, FairUse]:
        def days(values: dict[str, int]) -> timedelta:
            return timedelta(days=for_market(values, market))

        try:
            overdue = OverdueStates(days(self.suspend_after_days), days(self.cancel_after_days))
        except ValueError as wrong:
            raise ValueError(f"REPAIR_SUSPEND_AFTER_DAYS / REPAIR_CANCEL_AFTER_DAYS in {market}: {wrong}") from wrong
        return (
            RetrySchedule(tuple(timedelta(days=d) for d in for_market(self.retry_after_days, market))),
            overdue,
            FairUse(
                days(self.waiting_period_days),
                for_market(self.claims_per_device_per_year, market),
                for_market(self.devices_per_subscription, market),
            ),
        )

    # workshop SLA
    sla_hours: dict[str, dict[str, PositiveFloat]] = Field(
        default_factory=dict,
        description='Target hours per workshop step and market, e.g. {"FR": {"received->diagnosed": 48, '
        '"diagnosed->repaired": 72}}; a step a market does not name keeps its default (repair.domain.sla).',
    )
    quotes_accepted_when_unanswered: list[str] = Field(
        default_factory=list,
        description="Markets whose terms count a quote left unanswered past its deadline as accepted; "
        "everywhere else it is declined.",
    )
    quote_lapse_sweep_s: float = Field(default=60.0, gt=0, description="How often unanswered quotes are lapsed.")

    @model_validator(mode="after")
    def _sla_holds(self) -> Self:
        self.sla_policy()  # an unknown step is refused at start, naming the steps there are
        return self

    def sla_policy(self) -> SlaPolicy:
        markets = {m: {step: timedelta(hours=h) for step, h in steps.items()} for m, steps in self.sla_hours.items()}
        return SlaPolicy(markets)

    def unanswered_quotes(self) -> UnansweredQuotes:
        return UnansweredQuotes(frozenset(self.quotes_accepted_when_unanswered))
