"""Repair settings: `REPAIR_*` variables, plus the shared KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL.
Per-market settings are JSON objects keyed by market, e.g. `REPAIR_PLAN_PRICE_MINOR='{"FR": 699}'`."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from reloop_contracts.amounts import Money
from reloop_contracts.markets import currency_of
from reloop_shared.settings import RuntimeSettings
from repair.domain.plans import FairUse, MarketPlan, OverdueStates, Plans, RetrySchedule
from repair.domain.workshop_policy import WorkshopPolicy


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
    retry_after_days: list[int] = Field(default_factory=lambda: [1, 3, 7], description="Retries after a failure.")
    suspend_after_days: int = Field(default=14, ge=1, description="Days overdue before coverage is suspended.")
    cancel_after_days: int = Field(default=21, ge=2, description="Days overdue before the plan is cancelled.")
    waiting_period_days: int = Field(default=30, ge=0, description="Days from the start to the first claim.")
    claims_per_device_per_year: int = Field(default=3, ge=1)
    devices_per_subscription: int = Field(default=3, ge=1)
    renewal_sweep_s: float = Field(default=60.0, gt=0, description="How often due renewals and retries are run.")

    def workshop_policy(self) -> WorkshopPolicy:
        return WorkshopPolicy(
            warranty_months=dict(self.warranty_months),
            uneconomic_share_bps=dict(self.uneconomic_share_bps),
            quote_validity=timedelta(days=self.quote_validity_days),
            centres=dict(self.repair_centres),
            default_centre=self.default_centre,
        )

    def plans(self) -> Plans:
        markets = {}
        for market, price in self.plan_price_minor.items():
            currency = currency_of(market)
            if currency is None:
                raise ValueError(f"REPAIR_PLAN_PRICE_MINOR: {market} has no known currency")
            markets[market] = MarketPlan(
                market,
                Money(price, currency),
                RetrySchedule(tuple(timedelta(days=d) for d in self.retry_after_days)),
                OverdueStates(timedelta(days=self.suspend_after_days), timedelta(days=self.cancel_after_days)),
                FairUse(
                    timedelta(days=self.waiting_period_days),
                    self.claims_per_device_per_year,
                    self.devices_per_subscription,
                ),
            )
        return Plans(markets)
