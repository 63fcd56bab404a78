"""What the routes are given: built once in bootstrap, by tests on the in-memory twin."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from orders.domain.vouchers import VOUCHER_ANSWER_TIMEOUT
from orders.service_layer.ports import OrdersReads, Sealer
from orders.service_layer.unit_of_work import OrdersUnitOfWork
from reloop_shared.clock import Clock


@dataclass(frozen=True)
class HttpDependencies:
    uow: Callable[[], OrdersUnitOfWork]
    """A fresh unit of work per request, owning its transaction."""
    reads: OrdersReads
    sealer: Sealer
    clock: Clock
    voucher_timeout: timedelta = VOUCHER_ANSWER_TIMEOUT
    """How long a checkout with vouchers waits for trade-in's answers."""
