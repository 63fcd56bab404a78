"""The customer's window to answer a counter-offer, and what silence means.

Silence is not left open: when the window closes, the business's configured default answers
(accept: the device is bought at the lower price; decline: it goes back at reloop's cost).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

SilenceMeans = Literal["accept", "decline"]


@dataclass(frozen=True)
class CounterOfferPolicy:
    window: timedelta = timedelta(days=7)
    silence_means: SilenceMeans = "decline"

    def answer_by(self, made_at: datetime) -> datetime:
        return made_at + self.window

    @property
    def default_accepts(self) -> bool:
        return self.silence_means == "accept"
