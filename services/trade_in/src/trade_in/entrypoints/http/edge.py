"""What every route module of the trade-in edge is given, built once in bootstrap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Path

from reloop_shared.clock import Clock
from reloop_shared.http.pagination import PageRequest
from trade_in.domain.policy import TradeInPolicy
from trade_in.service_layer.unit_of_work import TradeInUnitOfWork


@dataclass(frozen=True)
class Edge:
    unit_of_work: Callable[[], TradeInUnitOfWork]
    clock: Clock
    policy: TradeInPolicy


TradeInId = Annotated[str, Path(min_length=1, max_length=64)]


def newest_after(page: PageRequest) -> tuple[datetime, str] | None:
    """The (quoted_at, trade_in_id) a page of trade-ins continues after (its cursor checked by
    `keyed_by(datetime, str)`)."""
    if page.after is None:
        return None
    at, trade_in_id = page.after
    assert isinstance(at, datetime)
    assert isinstance(trade_in_id, str)
    return at, trade_in_id
