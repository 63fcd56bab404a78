"""Trade-in settings: `TRADE_IN_*` variables, plus the shared KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from reloop_shared.settings import RuntimeSettings
from trade_in.domain.counter_offers import CounterOfferPolicy
from trade_in.domain.policy import TradeInPolicy


class TradeInSettings(RuntimeSettings):
    model_config = SettingsConfigDict(env_prefix="TRADE_IN_", extra="ignore")

    http_port: int = 8106
    quote_validity_days: int = Field(default=21, ge=1, le=90, description="Days a quote's price holds.")
    counter_offer_days: int = Field(default=7, ge=1, le=30, description="Days to answer a counter-offer.")
    counter_offer_silence: Literal["accept", "decline"] = Field(
        default="decline", description="What a counter-offer left unanswered is taken to mean."
    )
    voucher_bonus_bps: dict[str, int] = Field(
        default_factory=lambda: {"FR": 1000, "DE": 1000, "ES": 1000, "IT": 1000, "GB": 1000},
        description='Store-credit bonus per market in basis points, as JSON: {"FR": 1000} is +10%.',
    )
    voucher_validity_days: int = Field(default=365, ge=1, le=3650)
    voucher_hold_minutes: int = Field(
        default=15, ge=1, le=24 * 60, description="Minutes a voucher amount held for a checkout or a till stays held."
    )
    voucher_refund_validity_days: int = Field(
        default=30, ge=1, le=3650, description="Days a refund onto a voucher stays spendable at least."
    )
    deadline_sweep_s: float = Field(default=60.0, gt=0, description="How often expiries and silences are settled.")

    def policy(self) -> TradeInPolicy:
        return TradeInPolicy(
            quote_validity=timedelta(days=self.quote_validity_days),
            counter_offers=CounterOfferPolicy(timedelta(days=self.counter_offer_days), self.counter_offer_silence),
            voucher_bonus_bps=dict(self.voucher_bonus_bps),
            voucher_validity=timedelta(days=self.voucher_validity_days),
            voucher_hold=timedelta(minutes=self.voucher_hold_minutes),
            voucher_refund_validity=timedelta(days=self.voucher_refund_validity_days),
        )
